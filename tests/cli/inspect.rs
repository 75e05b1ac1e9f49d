//! The inspector's JSON API (`wa-hook inspect`, and `listen`'s), `show FILE:SEQ`, and
//! `FILE:SEQ` in `replay` and `validate`.
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use wa_hook::capture::{BodyEncoding, CaptureRecord, Rejection, SignatureCheck};
use wa_hook::validation::{CheckOptions, check_bytes};

use crate::common::*;

/// A capture record of `body` as `listen` writes it, checked by the same code.
pub fn record_of(seq: u64, body: &[u8]) -> CaptureRecord {
    let check = check_bytes(body, None, &CheckOptions::default());
    let (text, encoding) = CaptureRecord::encode_body(body);
    CaptureRecord {
        seq,
        received_at: format!("2026-01-02T03:04:{:02}.000000Z", seq % 60),
        remote_addr: "127.0.0.1:40000".into(),
        method: "POST".into(),
        path: "/webhook".into(),
        headers: vec![
            ("Content-Type".into(), "application/json".into()),
            ("Authorization".into(), "(redacted)".into()),
        ],
        redacted_headers: vec!["Authorization".into()],
        body: text,
        body_encoding: encoding,
        body_bytes: body.len() as u64,
        provider: check.provider,
        kind: check.kind,
        verdict: Some(check.verdict),
        errors: check.errors,
        response_status: 200,
        ..CaptureRecord::default()
    }
}

pub fn append(path: &Path, records: &[CaptureRecord]) {
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .unwrap();
    for record in records {
        let mut line = serde_json::to_vec(record).unwrap();
        line.push(b'\n');
        file.write_all(&line).unwrap();
    }
}

/// A Meta status body with this status for the sample's message.
pub fn meta_status(status: &str) -> Vec<u8> {
    let mut value: Value = serde_json::from_slice(&sample_bytes("meta/status-sent")).unwrap();
    value["entry"][0]["changes"][0]["value"]["statuses"][0]["status"] = json!(status);
    serde_json::to_vec(&value).unwrap()
}

pub const MESSAGE_ID: &str = "wamid.HBgLMTY1MDU1NTM5MjEVAgARGBIzRUIwNUMxRjBBOUQzQjdFMjEA";

/// A Qikchat message whose `payload.message.type` is a number: invalid.
pub fn invalid_qikchat() -> Vec<u8> {
    let mut value: Value = serde_json::from_slice(&sample_bytes("qikchat/message-text")).unwrap();
    value["payload"]["message"]["type"] = json!(7);
    serde_json::to_vec(&value).unwrap()
}

/// The file most tests inspect: sent, read, delivered (after read), read again, an invalid
/// Qikchat message.
pub fn story(path: &Path) {
    let bodies = [
        meta_status("sent"),
        meta_status("read"),
        meta_status("delivered"),
        meta_status("read"),
        invalid_qikchat(),
    ];
    let records: Vec<CaptureRecord> = bodies
        .iter()
        .enumerate()
        .map(|(i, body)| record_of(i as u64 + 1, body))
        .collect();
    append(path, &records);
}

/// A running `wa-hook inspect --port 0`, with the session cookie its printed URL gives.
pub struct Inspect {
    /// As printed: `http://127.0.0.1:PORT/?key=KEY`.
    pub url: String,
    pub port: u16,
    /// `name=value`, for a `Cookie` header.
    pub cookie: String,
    child: Child,
}

/// The port of an inspector and the session cookie its printed URL gives, as a browser gets
/// it: `GET /?key=KEY` answers 303 to `/` with the cookie.
pub fn login(url: &str) -> (u16, String) {
    let rest = url
        .strip_prefix("http://127.0.0.1:")
        .unwrap_or_else(|| panic!("not an inspector URL: {url:?}"));
    let (port, path) = rest.split_once('/').expect(url);
    let port: u16 = port.parse().expect(url);
    assert!(path.starts_with("?key="), "{url}");
    let (status, head, _) = call_full(port, "GET", &format!("/{path}"), &[], b"");
    assert_eq!(status, 303, "{head}");
    assert!(head.contains("\r\nLocation: /\r\n"), "{head}");
    let cookie = head
        .split("\r\n")
        .find_map(|line| line.strip_prefix("Set-Cookie: "))
        .unwrap_or_else(|| panic!("no cookie: {head}"));
    let (pair, attributes) = cookie.split_once(';').unwrap();
    assert!(
        attributes.contains("HttpOnly") && attributes.contains("SameSite=Strict"),
        "{cookie}"
    );
    (port, pair.to_string())
}

impl Inspect {
    pub fn start(args: &[&str]) -> Inspect {
        Inspect::start_with(wa_hook_process(), args)
    }

    /// With `command` (its environment, say) in place of a bare `wa-hook`.
    pub fn start_with(mut command: std::process::Command, args: &[&str]) -> Inspect {
        let mut child = command
            .args(["inspect", "--port", "0"])
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let url = line.trim().to_string();
        let (port, cookie) = login(&url);
        Inspect {
            url,
            port,
            cookie,
            child,
        }
    }

    /// An inspector of an empty captures file, which lives as long as the folder.
    pub fn of_empty_file() -> (tempfile::TempDir, PathBuf, Inspect) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("captures.jsonl");
        std::fs::write(&path, b"").unwrap();
        let inspect = Inspect::start(&[path.to_str().unwrap()]);
        (dir, path, inspect)
    }

    /// The live list, `GET /api/events` with the session cookie and `Host: HOST:PORT`, as sent
    /// (nothing read yet).
    pub fn events(&self, host: &str) -> BufReader<TcpStream> {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        write!(
            stream,
            "GET /api/events HTTP/1.1\r\nHost: {host}:{}\r\nCookie: {}\r\n\r\n",
            self.port, self.cookie
        )
        .unwrap();
        BufReader::new(stream)
    }

    /// `call` with the session cookie.
    pub fn call(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> (u16, Vec<u8>) {
        let mut headers = headers.to_vec();
        headers.push(("Cookie", &self.cookie));
        call(self.port, method, path, &headers, body)
    }

    pub fn get(&self, path: &str) -> (u16, Value) {
        let (status, body) = self.call("GET", path, &[], b"");
        (status, serde_json::from_slice(&body).unwrap_or(Value::Null))
    }

    pub fn token(&self) -> String {
        self.get("/api/session").1["token"]
            .as_str()
            .unwrap()
            .to_string()
    }

    pub fn post(&self, path: &str, body: &Value) -> (u16, Value) {
        let token = self.token();
        let (status, body) = self.call(
            "POST",
            path,
            &[
                ("X-WA-Hook-Token", &token),
                ("Content-Type", "application/json"),
            ],
            &serde_json::to_vec(body).unwrap(),
        );
        (status, serde_json::from_slice(&body).unwrap_or(Value::Null))
    }

    /// The list once it holds `count` records (the file is read on a thread of its own).
    pub fn list_of(&self, query: &str, count: usize) -> Value {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let (_, page) = self.get(&format!("/api/records?{query}"));
            if page["matching"] == json!(count) || Instant::now() > deadline {
                return page;
            }
            std::thread::yield_now();
        }
    }
}

impl Drop for Inspect {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One HTTP/1.1 call with `Host: 127.0.0.1:PORT` unless `headers` name another.
pub fn call(
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> (u16, Vec<u8>) {
    let (status, _, body) = call_full(port, method, path, headers, body);
    (status, body)
}

/// `call`, with the answer's head too.
pub fn call_full(
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> (u16, String, Vec<u8>) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    if !headers
        .iter()
        .any(|(name, _)| name.eq_ignore_ascii_case("host"))
    {
        head.push_str(&format!("Host: 127.0.0.1:{port}\r\n"));
    }
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).unwrap();
    // A body refused early (413) is answered before it is all sent.
    let _ = stream.write_all(body);
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response);
    let text = String::from_utf8_lossy(&response);
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let at = wa_hook_find(&response, b"\r\n\r\n").map_or(response.len(), |at| at + 4);
    let head = String::from_utf8_lossy(&response[..at]).into_owned();
    let mut body = response[at..].to_vec();
    if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        body = dechunk(&body);
    }
    (status, head, body)
}

fn wa_hook_find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn dechunk(mut bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(at) = wa_hook_find(bytes, b"\r\n") {
        let size = usize::from_str_radix(std::str::from_utf8(&bytes[..at]).unwrap().trim(), 16)
            .unwrap_or(0);
        if size == 0 {
            break;
        }
        out.extend_from_slice(&bytes[at + 2..at + 2 + size]);
        bytes = &bytes[at + 2 + size + 2..];
    }
    out
}

#[test]
fn the_list_filters_details_and_timelines() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("captures.jsonl");
    story(&path);
    let inspect = Inspect::start(&[path.to_str().unwrap()]);
    assert!(
        inspect
            .url
            .starts_with(&format!("http://127.0.0.1:{}/?key=", inspect.port)),
        "{}",
        inspect.url
    );
    let page = inspect.list_of("", 5);
    assert_eq!(page["total"], json!(5), "{page}");
    // No chat without an emulator (the page asks only when the session names one).
    assert_eq!(inspect.get("/api/chat").0, 404);
    assert_eq!(inspect.get("/api/session").1["chat"], Value::Null);
    // Newest first, with what the list shows.
    let newest = &page["records"][0];
    assert_eq!(newest["provider"], json!("qikchat"));
    assert_eq!(newest["verdict"], json!("invalid"));
    assert!(
        newest["gist"].as_str().unwrap().contains("918451276390"),
        "{newest}"
    );

    assert_eq!(
        inspect.get("/api/records?provider=qikchat").1["matching"],
        json!(1)
    );
    assert_eq!(
        inspect.get("/api/records?verdict=invalid").1["matching"],
        json!(1)
    );
    assert_eq!(
        inspect.get("/api/records?kind=status").1["matching"],
        json!(4)
    );
    assert_eq!(
        inspect.get("/api/records?q=delivered").1["matching"],
        json!(1)
    );
    assert_eq!(
        inspect.get("/api/records?limit=2").1["records"]
            .as_array()
            .unwrap()
            .len(),
        2
    );

    // The invalid body's error is shown at the line of the value it is about.
    let id = newest["id"].as_u64().unwrap();
    let (status, detail) = inspect.get(&format!("/api/records/{id}"));
    assert_eq!(status, 200);
    let error = &detail["body"]["errors"][0];
    assert_eq!(error["pointer"], json!("/payload/message/type"), "{detail}");
    let line = error["line"].as_u64().unwrap() as usize;
    let pretty = detail["body"]["pretty"].as_str().unwrap();
    assert_eq!(pretty.lines().nth(line - 1).unwrap().trim(), "\"type\": 7");
    // What listen redacted stays redacted.
    let headers = detail["headers"].as_array().unwrap();
    let authorization = headers
        .iter()
        .find(|h| h["name"] == "Authorization")
        .unwrap();
    assert_eq!(authorization["redacted"], json!(true));
    assert_eq!(authorization["value"], json!("(redacted)"));
    assert_eq!(inspect.get("/api/records/999").0, 404);

    // The message's timeline: read before delivered, and read twice.
    let (_, timeline) = inspect.get(&format!("/api/timeline?message={MESSAGE_ID}"));
    let steps = timeline["steps"].as_array().unwrap();
    let words: Vec<&str> = steps
        .iter()
        .map(|s| s["status"].as_str().unwrap())
        .collect();
    assert_eq!(words, ["sent", "read", "delivered", "read"]);
    assert_eq!(
        steps[2]["flags"],
        json!(["out of order: delivered after read"])
    );
    assert_eq!(steps[3]["flags"], json!(["duplicate"]));
    assert_eq!(steps[0]["flags"], json!([]));

    // A curl command without what was redacted.
    let (status, curl) = inspect.call("GET", &format!("/api/records/{id}/curl?url=3000"), &[], b"");
    let curl = String::from_utf8(curl).unwrap();
    assert_eq!(status, 200);
    assert!(
        curl.starts_with("curl -X 'POST' 'http://127.0.0.1:3000/webhook'"),
        "{curl}"
    );
    assert!(
        !curl.contains("redacted") && !curl.contains("Authorization"),
        "{curl}"
    );
}

#[test]
fn records_appended_arrive_as_events_and_in_the_list() {
    let (_dir, path, inspect) = Inspect::of_empty_file();
    let mut events = inspect.events("localhost");
    let mut line = String::new();
    // The stream is open (its first comment arrived) before the record is written.
    while !line.starts_with(": wa-hook inspector") {
        line.clear();
        assert!(
            events.read_line(&mut line).unwrap() > 0,
            "the event stream closed"
        );
    }
    append(&path, &[record_of(1, &sample_bytes("qikchat/status-read"))]);
    let mut data = None;
    while data.is_none() {
        line.clear();
        assert!(
            events.read_line(&mut line).unwrap() > 0,
            "the event stream closed"
        );
        data = line.strip_prefix("data: ").map(str::to_string);
    }
    // A `records` event: the batch of records added, here the one.
    let batch: Value = serde_json::from_str(&data.unwrap()).unwrap();
    assert_eq!(batch.as_array().map(Vec::len), Some(1), "{batch}");
    let summary = &batch[0];
    assert_eq!(summary["kind"], json!("status:read"));
    assert_eq!(summary["messages"][0]["status"], json!("read"));
    assert_eq!(inspect.list_of("", 1)["total"], json!(1));
    // A torn last line is not listed until it is whole.
    let whole = serde_json::to_vec(&record_of(2, &sample_bytes("meta/status-read"))).unwrap();
    let (first, rest) = whole.split_at(40);
    std::fs::OpenOptions::new()
        .append(true)
        .open(&path)
        .unwrap()
        .write_all(first)
        .unwrap();
    assert_eq!(inspect.get("/api/records").1["total"], json!(1));
    let mut tail = rest.to_vec();
    tail.push(b'\n');
    std::fs::OpenOptions::new()
        .append(true)
        .open(&path)
        .unwrap()
        .write_all(&tail)
        .unwrap();
    assert_eq!(inspect.list_of("", 2)["records"][0]["seq"], json!(2));
}

#[test]
fn only_loopback_hosts_and_the_token_get_answers() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("captures.jsonl");
    story(&path);
    let inspect = Inspect::start(&[path.to_str().unwrap()]);
    let port = inspect.port;
    // DNS rebinding: a page at evil.example whose name now points at 127.0.0.1.
    for host in [
        "evil.example",
        &format!("evil.example:{port}"),
        "127.0.0.1:1",
        "127.0.0.1",
    ] {
        let (status, _) = inspect.call("GET", "/api/records", &[("Host", host)], b"");
        assert_eq!(status, 403, "{host}");
    }
    for host in [format!("localhost:{port}"), format!("[::1]:{port}")] {
        assert_eq!(
            inspect
                .call("GET", "/api/records", &[("Host", &host)], b"")
                .0,
            200
        );
    }
    // The page carries the token; calls that act need it.
    let (_, page) = inspect.call("GET", "/", &[], b"");
    let token = inspect.token();
    assert!(String::from_utf8_lossy(&page).contains(&token));
    let body = br#"{"body":"{}"}"#;
    let json_type = ("Content-Type", "application/json");
    assert_eq!(
        inspect.call("POST", "/api/validate", &[json_type], body).0,
        403
    );
    assert_eq!(
        inspect
            .call(
                "POST",
                "/api/validate",
                &[json_type, ("X-WA-Hook-Token", "0000")],
                body
            )
            .0,
        403
    );
    let with_token = ("X-WA-Hook-Token", token.as_str());
    assert_eq!(
        inspect
            .call("POST", "/api/validate", &[json_type, with_token], body)
            .0,
        200
    );
    // Cross-origin calls are refused even with the token; a form post is not JSON.
    let origin = ("Origin", "http://evil.example");
    assert_eq!(
        inspect
            .call(
                "POST",
                "/api/validate",
                &[json_type, with_token, origin],
                body
            )
            .0,
        403
    );
    // Nor does another site's page get the list, a record or the event stream.
    for path in [
        "/api/records",
        "/api/records/1",
        "/api/events",
        "/api/session",
    ] {
        assert_eq!(inspect.call("GET", path, &[origin], b"").0, 403, "{path}");
        let cross = ("Sec-Fetch-Site", "cross-site");
        assert_eq!(inspect.call("GET", path, &[cross], b"").0, 403, "{path}");
    }
    let same = ("Origin", format!("http://127.0.0.1:{port}"));
    let same = (same.0, same.1.as_str());
    assert_eq!(inspect.call("GET", "/api/records", &[same], b"").0, 200);
    let form = ("Content-Type", "application/x-www-form-urlencoded");
    assert_eq!(
        inspect
            .call("POST", "/api/validate", &[form, with_token], body)
            .0,
        415
    );
    // Bodies are capped.
    let big = vec![b' '; 7 << 20];
    assert_eq!(
        inspect
            .call("POST", "/api/validate", &[json_type, with_token], &big)
            .0,
        413
    );

    // Validate as the editor does, with errors at their lines.
    let (status, check) = inspect.post(
        "/api/validate",
        &json!({ "body": String::from_utf8(invalid_qikchat()).unwrap() }),
    );
    assert_eq!(status, 200);
    assert_eq!(check["verdict"], json!("invalid"));
    assert_eq!(
        check["errors"][0]["pointer"],
        json!("/payload/message/type")
    );
    assert!(check["errors"][0]["line"].as_u64().is_some());
}

#[test]
fn replay_sends_the_record_as_captured_or_edited() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("captures.jsonl");
    story(&path);
    let app = RecordingServer::start();
    let inspect = Inspect::start(&["--replay-to", &app.url, path.to_str().unwrap()]);
    let page = inspect.list_of("", 5);
    let id = page["records"][4]["id"].as_u64().unwrap();
    let (status, answer) = inspect.post("/api/replay", &json!({ "id": id }));
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["status"], json!(200), "{answer}");
    let (status, answer) = inspect.post(
        "/api/replay",
        &json!({ "id": id, "body": "{\"edited\":true}", "url": format!("{}/other", app.url) }),
    );
    assert_eq!((status, &answer["status"]), (200, &json!(200)), "{answer}");
    let sent = app.requests();
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[0].url, "/webhook");
    assert_eq!(sent[0].body, meta_status("sent"));
    // What listen redacted is not sent.
    assert!(sent[0].header("Authorization").is_none());
    assert_eq!(sent[1].url, "/other/webhook");
    assert_eq!(sent[1].body, b"{\"edited\":true}");
    // No target: said so.
    let bare = Inspect::start(&[path.to_str().unwrap()]);
    bare.list_of("", 5);
    let (status, answer) = bare.post("/api/replay", &json!({ "id": id }));
    assert_eq!(status, 400);
    assert!(
        answer["error"].as_str().unwrap().contains("give a URL"),
        "{answer}"
    );
}

#[test]
fn show_replay_and_validate_take_file_colon_seq() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("captures.jsonl");
    story(&path);
    let address = format!("{}:5", path.display());
    let out = wa_hook().args(["show", &address]).assert().success();
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(text.starts_with("#5 POST /webhook"), "{text}");
    assert!(text.contains("qikchat message  ✗ invalid"), "{text}");
    assert!(
        text.contains("Authorization: (redacted by listen)"),
        "{text}"
    );
    assert!(text.contains("\"type\": 7"), "{text}");
    assert!(text.contains("line "), "{text}");
    let out = wa_hook()
        .args(["show", &address, "--format", "json"])
        .assert()
        .success();
    let record = wa_hook::capture::parse_record(&out.get_output().stdout).unwrap();
    assert_eq!(record.seq, 5);
    assert_eq!(record.body_encoding, BodyEncoding::Utf8);

    wa_hook()
        .args(["validate", &format!("{}:2", path.display())])
        .assert()
        .success()
        .stdout(predicates::str::contains(
            "captures.jsonl:2  meta status:read",
        ));
    wa_hook().args(["validate", &address]).assert().code(1);
    wa_hook()
        .args(["show", &format!("{}:99", path.display())])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("no capture record with seq 99"));
    wa_hook()
        .args(["show", "nowhere.jsonl:1"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("FILE:SEQ"));

    let app = RecordingServer::start();
    wa_hook()
        .args(["replay", &format!("{}:3", path.display()), "--to", &app.url])
        .assert()
        .success();
    let sent = app.requests();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].body, meta_status("delivered"));
}

#[test]
fn listen_serves_the_inspector_on_its_own_port() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("captures.jsonl");
    let mut listener = Listener::start(&["--out", out.to_str().unwrap()]);
    let line = listener.next_stdout_line();
    let ui = line
        .trim()
        .strip_prefix("inspector: ")
        .expect(&line)
        .to_string();
    assert!(
        ui.starts_with("http://127.0.0.1:") && !ui.starts_with(&format!("{}/", listener.url)),
        "{ui}"
    );
    let (port, cookie) = login(&ui);
    let session = ("Cookie", cookie.as_str());
    // The webhook port does not serve the page.
    let (_, body) = call(
        listener.url.rsplit(':').next().unwrap().parse().unwrap(),
        "GET",
        "/api/records",
        &[],
        b"",
    );
    assert!(!String::from_utf8_lossy(&body).contains("\"records\""));
    wa_hook()
        .args(["replay", "meta/status-read", "--to", &listener.url])
        .assert()
        .success();
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut page = Value::Null;
    while Instant::now() < deadline {
        let (_, body) = call(port, "GET", "/api/records", &[session], b"");
        page = serde_json::from_slice(&body).unwrap();
        // The GET above was captured too.
        if page["total"] == json!(2) {
            break;
        }
        std::thread::yield_now();
    }
    assert_eq!(page["records"][0]["kind"], json!("status:read"), "{page}");
    listener.stop();

    // JSON mode: the first line keeps its contract, the inspector comes after.
    let mut listener = Listener::start(&["--out", out.to_str().unwrap(), "--format", "json"]);
    let second: Value = serde_json::from_str(&listener.next_stdout_line()).unwrap();
    assert!(
        second["inspector"]
            .as_str()
            .unwrap()
            .starts_with("http://127.0.0.1:")
    );
    listener.stop();
    // --no-ui: none.
    let listener = Listener::start(&["--out", out.to_str().unwrap(), "--no-ui"]);
    wa_hook()
        .args(["replay", "meta/status-read", "--to", &listener.url])
        .assert()
        .success();
    let (_, stdout, _) = listener.stop();
    assert!(!stdout.contains("inspector"), "{stdout}");
}

/// Copy as curl on records whose method, headers and body came from whoever reached the
/// webhook: the command, run by a shell, passes every one of them to curl as given and runs
/// nothing else (once: `curl -X P$(cmd)` ran `cmd`, and `--data-binary '@/etc/passwd'` sent
/// that file instead of the body).
#[test]
fn copy_as_curl_runs_nothing_and_sends_the_body_as_captured() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("captures.jsonl");
    let ran = dir.path().join("ran");
    let hostile_method = format!("P$(touch {})", ran.display());
    let mut rejected = record_of(1, b"");
    rejected.method = hostile_method.clone();
    rejected.rejected = Some(Rejection::Other("not an HTTP/1.1 request line".into()));
    let mut at_file = record_of(2, b"@/etc/passwd");
    at_file
        .headers
        .push(("X-Quote".into(), "it's $(touch ran) `x`".into()));
    at_file.headers.push(("@headers.txt".into(), "v".into()));
    let binary: Vec<u8> = (0u8..=255).chain(*b"%s%%\\'\n").collect();
    let bytes = record_of(3, &binary);
    append(&path, &[rejected, at_file, bytes]);
    let inspect = Inspect::start(&[path.to_str().unwrap()]);
    let page = inspect.list_of("", 3);
    // The list's id of the record of each seq (ids are the inspector's own numbers).
    let id_of = |seq: u64| {
        page["records"]
            .as_array()
            .unwrap()
            .iter()
            .find(|summary| summary["seq"] == json!(seq))
            .and_then(|summary| summary["id"].as_u64())
            .unwrap_or_else(|| panic!("no record #{seq}: {page}"))
    };

    // A curl that writes down what it was given.
    let bin = dir.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    let fake = bin.join("curl");
    std::fs::write(
        &fake,
        "#!/bin/sh\nfor arg; do printf '%s\\0' \"$arg\"; done > \"$OUT.args\"\ncase \"$*\" in *@-*) cat > \"$OUT.stdin\";; esac\n",
    )
    .unwrap();
    std::fs::set_permissions(&fake, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let run = |seq: u64| -> (Vec<String>, Option<Vec<u8>>) {
        let id = id_of(seq);
        let (status, command) = inspect.call("GET", &format!("/api/records/{id}/curl"), &[], b"");
        assert_eq!(status, 200);
        let out = dir.path().join(format!("out{seq}"));
        let done = std::process::Command::new("sh")
            .arg("-c")
            .arg(String::from_utf8(command).unwrap())
            .current_dir(dir.path())
            .env("PATH", format!("{}:/usr/bin:/bin", bin.display()))
            .env("OUT", &out)
            .stdin(Stdio::null())
            .status()
            .unwrap();
        assert!(done.success());
        let args = std::fs::read(out.with_extension("args")).unwrap();
        let args = args
            .split(|&b| b == 0)
            .filter(|arg| !arg.is_empty())
            .map(|arg| String::from_utf8(arg.to_vec()).unwrap())
            .collect();
        (args, std::fs::read(out.with_extension("stdin")).ok())
    };

    let (args, _) = run(1);
    assert_eq!(args[..2], ["-X".to_string(), hostile_method]);
    let (args, stdin) = run(2);
    assert!(
        args.contains(&"X-Quote: it's $(touch ran) `x`".to_string()),
        "{args:?}"
    );
    // curl would read `-H @FILE` from a file.
    assert!(
        !args.iter().any(|arg| arg.starts_with("@headers")),
        "{args:?}"
    );
    assert_eq!(
        args[args.len() - 2..],
        ["--data-raw".to_string(), "@/etc/passwd".to_string()]
    );
    assert_eq!(stdin, None);
    let (args, stdin) = run(3);
    assert_eq!(
        args[args.len() - 2..],
        ["--data-binary".to_string(), "@-".to_string()]
    );
    assert_eq!(stdin.as_deref(), Some(&binary[..]));
    assert!(!ran.exists() && !dir.path().join("ran").exists());
}

/// Every call needs the session cookie that only the printed URL gives (another local user
/// can reach the port, not this run's output): without it, nothing — not the page, its
/// assets, a record, the event stream, a replay, nor the token — and a line saying what to
/// open. The printed URL works as often as it is opened while the run lives.
#[test]
fn every_call_needs_the_session_the_printed_url_gives() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("captures.jsonl");
    story(&path);
    let inspect = Inspect::start(&[path.to_str().unwrap()]);
    inspect.list_of("", 5);
    let port = inspect.port;
    let token = inspect.token();
    let json_type = ("Content-Type", "application/json");
    let replay = br#"{"id":1,"url":"3000"}"#;
    let strangers: [&[(&str, &str)]; 3] = [
        &[],
        &[("Cookie", "wa-hook-inspector-1=0")],
        &[("X-WA-Hook-Token", &token), json_type],
    ];
    for headers in strangers {
        let wrong_cookie = format!("{}00", inspect.cookie);
        let wrong_cookie = [("Cookie", wrong_cookie.as_str())];
        for headers in [headers, &wrong_cookie[..]] {
            for (method, path) in [
                ("GET", "/"),
                ("GET", "/app.js"),
                ("GET", "/api/session"),
                ("GET", "/api/records"),
                ("GET", "/api/records/1"),
                ("GET", "/api/records/1/curl"),
                ("GET", "/api/events"),
                ("POST", "/api/replay"),
                ("POST", "/api/curl"),
                ("POST", "/api/validate"),
            ] {
                let (status, body) = call(port, method, path, headers, replay);
                let body = String::from_utf8_lossy(&body);
                assert_eq!(status, 401, "{method} {path} {headers:?}: {body}");
                assert!(body.contains("?key="), "{body}");
                assert!(!body.contains(&token), "{body}");
                assert_eq!(body.lines().count(), 1, "{body}");
            }
        }
    }
    // A wrong key gets nothing either.
    let (status, head, body) = call_full(port, "GET", "/?key=0123", &[], b"");
    assert_eq!(status, 403, "{head}");
    assert!(!head.contains("Set-Cookie"), "{head}");
    assert!(!String::from_utf8_lossy(&body).contains(&token));
    // The printed URL, opened again (another tab, a reload), still opens the page.
    let (again, cookie) = login(&inspect.url);
    assert_eq!((again, cookie.as_str()), (port, inspect.cookie.as_str()));
    let (status, page) = inspect.call("GET", "/", &[], b"");
    assert_eq!(status, 200);
    assert!(String::from_utf8_lossy(&page).contains(&token));
    // Nor is the key itself a credential for anything but that exchange.
    let key = inspect.url.split("?key=").nth(1).unwrap();
    let (status, _) = call(port, "GET", &format!("/api/records?key={key}"), &[], b"");
    assert_eq!(status, 401);
}

/// A head too large for the inspector is answered 431 and says so, not 403 about `Host`.
#[test]
fn a_head_too_large_is_answered_431() {
    let (_dir, _, inspect) = Inspect::of_empty_file();
    let big = "c".repeat(70 * 1024);
    let (status, body) = inspect.call("GET", "/", &[("X-Big", &big)], b"");
    let body = String::from_utf8_lossy(&body);
    assert_eq!(status, 431, "{body}");
    assert!(
        body.contains("too large") && !body.contains("Host"),
        "{body}"
    );
}

/// Live lists whose browser left free their slot at once (the next heartbeat write fails):
/// a few reloads do not leave the page without updates.
#[test]
fn live_list_slots_are_freed_when_browsers_leave() {
    let (_dir, _, inspect) = Inspect::of_empty_file();
    let open = || {
        let mut reader = inspect.events("127.0.0.1");
        let mut status = String::new();
        reader.read_line(&mut status).unwrap();
        (status, reader)
    };
    let mut streams: Vec<_> = (0..8).map(|_| open()).collect();
    for _reload in 0..3 {
        for (status, _) in &streams {
            assert!(status.contains(" 200 "), "{status}");
        }
        assert!(open().0.contains(" 503 "), "a ninth live list");
        // The browsers leave (a reload); a new page gets its live list soon after.
        drop(streams);
        let left = Instant::now();
        streams = Vec::new();
        while streams.len() < 8 {
            let (status, reader) = open();
            if status.contains(" 200 ") {
                streams.push((status, reader));
            } else {
                assert!(
                    left.elapsed() < Duration::from_secs(5),
                    "slots still taken {:?} after the browsers left",
                    left.elapsed()
                );
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        eprintln!("8 slots free again after {:?}", left.elapsed());
    }
}

/// A live list whose reader reads nothing (a frozen page, a client that never reads) held its
/// slot and its thread for ever once the socket's buffers were full: eight of them and no page
/// got live updates again. Each write now waits at most the inspector's write timeout.
#[test]
fn a_live_list_nobody_reads_gives_its_slot_back() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("captures.jsonl");
    std::fs::write(&path, b"").unwrap();
    let inspect = Inspect::start(&[path.to_str().unwrap()]);
    let open = || {
        let mut stream = TcpStream::connect(("127.0.0.1", inspect.port)).unwrap();
        // A small receive buffer: the listener's side fills after some 2 MB.
        let size: libc::c_int = 4096;
        // SAFETY: setsockopt on a descriptor `stream` owns, with a pointer to a live c_int
        // and its size.
        unsafe {
            use std::os::fd::AsRawFd;
            libc::setsockopt(
                stream.as_raw_fd(),
                libc::SOL_SOCKET,
                libc::SO_RCVBUF,
                (&raw const size).cast(),
                std::mem::size_of::<libc::c_int>() as libc::socklen_t,
            );
        }
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        write!(
            stream,
            "GET /api/events HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nCookie: {}\r\n\r\n",
            inspect.port, inspect.cookie
        )
        .unwrap();
        // The status line only; the rest is never read.
        let mut head = [0u8; 12];
        stream.read_exact(&mut head).unwrap();
        (String::from_utf8_lossy(&head).into_owned(), stream)
    };
    let frozen: Vec<_> = (0..8).map(|_| open()).collect();
    for (status, _) in &frozen {
        assert!(status.contains(" 200"), "{status}");
    }
    assert!(open().0.contains(" 503"), "a ninth live list");
    // Records whose events are large (each field of a summary is kept up to 512 characters),
    // appended until the frozen lists' buffers are full and their slots come back.
    let text = "x".repeat(600);
    let mut body: Value = serde_json::from_slice(&sample_bytes("meta/message-text")).unwrap();
    body["entry"][0]["changes"][0]["value"]["messages"][0]["text"]["body"] = json!(text);
    let body = serde_json::to_vec(&body).unwrap();
    let started = Instant::now();
    let mut seq = 0;
    loop {
        if seq < 6000 {
            let records: Vec<CaptureRecord> = (seq + 1..=seq + 500)
                .map(|seq| {
                    let mut record = record_of(seq, &body);
                    record.path = format!("/{text}");
                    record.query = format!("q={text}");
                    record
                })
                .collect();
            append(&path, &records);
            seq += 500;
        }
        if open().0.contains(" 200") {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(40),
            "the live lists nobody reads still hold every slot after {:?}",
            started.elapsed()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    eprintln!("a slot came back after {:?}", started.elapsed());
    drop(frozen);
}

/// A Meta message with non-ASCII text and a `/`, as Meta sends it, signed with `secret`.
fn signed_meta_record(seq: u64, secret: &str) -> CaptureRecord {
    let mut value: Value = serde_json::from_slice(&sample_bytes("meta/message-text")).unwrap();
    value["entry"][0]["changes"][0]["value"]["messages"][0]["text"]["body"] =
        json!("Ça coûte 5€/pièce? 👍");
    let meta = wa_hook::providers::Provider::from_id("meta").unwrap();
    let wire = meta.rules().wire_bytes(&value);
    let mut record = record_of(seq, &wire);
    let signature = wa_hook::providers::meta::signature::sign(
        &wa_hook::secret::SecretString::new(secret),
        &wire,
    );
    record
        .headers
        .push(("X-Hub-Signature-256".into(), signature));
    record
}

/// The records a receiving `listen` wrote.
fn received(path: &Path) -> Vec<CaptureRecord> {
    std::fs::read(path)
        .unwrap_or_default()
        .split(|&b| b == b'\n')
        .filter(|line| !line.is_empty())
        .map(|line| wa_hook::capture::parse_record(line).unwrap())
        .collect()
}

/// "Replay edited" re-signs with the app secret over the bytes Meta would send, and a receiver
/// that checks signatures (`listen --reject-bad-signature`) takes it; an unedited body goes
/// byte for byte with its own signature; without the secret the edit goes unsigned (and is
/// refused). "Copy as curl" gives what would be sent. The secret is in no answer.
#[test]
fn replay_edited_is_re_signed_with_the_app_secret() {
    const SECRET: &str = "inspector-app-secret-42";
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("captures.jsonl");
    let captured = signed_meta_record(1, SECRET);
    let original = captured.body_bytes().unwrap().unwrap();
    append(&path, &[captured]);
    let inbox = dir.path().join("received.jsonl");
    let mut receiver_command = wa_hook_process();
    receiver_command.env("RECEIVER_SECRET", SECRET);
    let receiver = Listener::start_with(
        receiver_command,
        &[
            "--out",
            inbox.to_str().unwrap(),
            "--no-ui",
            "--app-secret-env",
            "RECEIVER_SECRET",
            "--reject-bad-signature",
        ],
    );
    let mut command = wa_hook_process();
    command.env("INSPECT_SECRET", SECRET);
    let inspect = Inspect::start_with(
        command,
        &[
            "--replay-to",
            &receiver.url,
            "--app-secret-env",
            "INSPECT_SECRET",
            path.to_str().unwrap(),
        ],
    );
    let id = inspect.list_of("", 1)["records"][0]["id"].as_u64().unwrap();
    let mut answers = Vec::new();

    // As captured: byte for byte, its own signature.
    let (status, answer) = inspect.post("/api/replay", &json!({ "id": id }));
    assert_eq!((status, &answer["status"]), (200, &json!(200)), "{answer}");
    assert_eq!(answer["resigned"], json!(false));
    answers.push(answer.to_string());
    // The editor's text, unchanged, is the captured body too.
    let same = String::from_utf8(original.clone()).unwrap();
    let (status, answer) = inspect.post("/api/replay", &json!({ "id": id, "body": same }));
    assert_eq!(
        (status, &answer["resigned"]),
        (200, &json!(false)),
        "{answer}"
    );
    assert_eq!(answer["status"], json!(200), "{answer}");

    // Edited (pretty, with other non-ASCII text): re-signed over Meta's wire bytes.
    let mut value: Value = serde_json::from_slice(&original).unwrap();
    value["entry"][0]["changes"][0]["value"]["messages"][0]["text"]["body"] =
        json!("Grüße / ¿qué tal? 😀");
    let edited = serde_json::to_string_pretty(&value).unwrap();
    let (status, answer) = inspect.post("/api/replay", &json!({ "id": id, "body": edited }));
    assert_eq!((status, &answer["status"]), (200, &json!(200)), "{answer}");
    assert_eq!(answer["resigned"], json!(true), "{answer}");
    assert!(
        answer["notes"][0]
            .as_str()
            .unwrap()
            .starts_with("re-signed"),
        "{answer}"
    );
    answers.push(answer.to_string());

    let got = received(&inbox);
    assert_eq!(got.len(), 3, "{got:?}");
    for record in &got {
        assert_eq!(record.signature, Some(SignatureCheck::Valid), "{record:?}");
        assert_eq!(record.response_status, 200);
    }
    assert_eq!(got[0].body_bytes().unwrap().unwrap(), original);
    assert_eq!(got[1].body_bytes().unwrap().unwrap(), original);
    let sent = got[2].body_bytes().unwrap().unwrap();
    let text = String::from_utf8(sent.clone()).unwrap();
    // Meta's form: compact, non-ASCII as \uXXXX, `/` as `\/`.
    assert!(
        text.contains(r"Gr\u00fc\u00dfe \/ \u00bfqu\u00e9 tal? \ud83d\ude00"),
        "{text}"
    );
    assert_eq!(serde_json::from_slice::<Value>(&sent).unwrap(), value);

    // Copy as curl: the edited body and the new signature, never the secret; run by a real
    // curl, the receiver takes it.
    let (status, curl) = inspect.post("/api/curl", &json!({ "id": id, "body": edited }));
    assert_eq!(status, 200, "{curl}");
    assert_eq!(curl["resigned"], json!(true));
    let command = curl["command"].as_str().unwrap();
    let signature = got[2].header("X-Hub-Signature-256").unwrap();
    assert!(
        command.contains(&format!("X-Hub-Signature-256: {signature}")),
        "{command}"
    );
    assert!(command.contains(r"Gr\u00fc\u00dfe"), "{command}");
    answers.push(curl.to_string());
    if Path::new("/usr/bin/curl").exists() {
        let done = std::process::Command::new("sh")
            .arg("-c")
            .arg(format!(
                "{} -s -o /dev/null -w '%{{http_code}}'",
                command.trim_end()
            ))
            .output()
            .unwrap();
        assert_eq!(String::from_utf8_lossy(&done.stdout), "200");
        let got = received(&inbox);
        assert_eq!(got.len(), 4);
        assert_eq!(got[3].signature, Some(SignatureCheck::Valid));
        assert_eq!(got[3].body_bytes().unwrap().unwrap(), sent);
    } else {
        eprintln!("curl not run: /usr/bin/curl is missing");
    }
    // The captured request's curl is the captured one.
    let (status, curl) = inspect.post("/api/curl", &json!({ "id": id }));
    assert_eq!(status, 200);
    let captured_signature = record_of_inspect(&inspect, id);
    assert!(
        curl["command"]
            .as_str()
            .unwrap()
            .contains(&captured_signature),
        "{curl}"
    );
    for path in [
        "/api/session",
        "/api/records",
        &format!("/api/records/{id}"),
        "/",
    ] {
        answers.push(String::from_utf8_lossy(&inspect.call("GET", path, &[], b"").1).into_owned());
    }
    for answer in &answers {
        assert!(!answer.contains(SECRET), "{answer}");
    }

    // Without the secret: the stale signature is left out, and the receiver refuses the edit.
    let unsigned = Inspect::start(&["--replay-to", &receiver.url, path.to_str().unwrap()]);
    unsigned.list_of("", 1);
    let (status, answer) = unsigned.post("/api/replay", &json!({ "id": id, "body": edited }));
    assert_eq!((status, &answer["status"]), (200, &json!(401)), "{answer}");
    assert_eq!(answer["resigned"], json!(false));
    assert!(answer.to_string().contains("--app-secret-env"), "{answer}");
    let (_, curl) = unsigned.post("/api/curl", &json!({ "id": id, "body": edited }));
    assert!(
        !curl["command"]
            .as_str()
            .unwrap()
            .contains("X-Hub-Signature-256"),
        "{curl}"
    );
}

/// The captured signature of record `id`, as the detail shows it.
fn record_of_inspect(inspect: &Inspect, id: u64) -> String {
    let (_, detail) = inspect.get(&format!("/api/records/{id}"));
    detail["headers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["name"] == "X-Hub-Signature-256")
        .map(|h| h["value"].as_str().unwrap().to_string())
        .unwrap()
}

/// A replay goes to this machine or the target given on the command line; anywhere else only
/// once the page's user confirmed it — refused before any connection is tried.
#[test]
fn replay_elsewhere_needs_the_users_confirmation() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("captures.jsonl");
    story(&path);
    let app = RecordingServer::start();
    let inspect = Inspect::start(&["--replay-to", &app.url, path.to_str().unwrap()]);
    let id = inspect.list_of("", 5)["records"][0]["id"].as_u64().unwrap();
    // 192.0.2.1 (TEST-NET-1) is never reached: the refusal comes first, at once.
    let started = Instant::now();
    let (status, answer) = inspect.post(
        "/api/replay",
        &json!({ "id": id, "url": "http://192.0.2.1:9/webhook" }),
    );
    assert_eq!(status, 403, "{answer}");
    assert_eq!(answer["confirm_host"], json!("192.0.2.1:9"));
    assert!(
        answer["error"].as_str().unwrap().contains("confirm"),
        "{answer}"
    );
    assert!(started.elapsed() < Duration::from_secs(2));
    // 0.0.0.0 reaches this machine's port, but is not a loopback name: confirmed, it goes.
    let port = app.url.rsplit(':').next().unwrap().trim_end_matches('/');
    let elsewhere = format!("http://0.0.0.0:{port}/");
    let (status, answer) = inspect.post("/api/replay", &json!({ "id": id, "url": elsewhere }));
    assert_eq!(status, 403, "{answer}");
    assert!(app.requests().is_empty());
    let (status, answer) = inspect.post(
        "/api/replay",
        &json!({ "id": id, "url": elsewhere, "confirm_host": true }),
    );
    assert_eq!((status, &answer["status"]), (200, &json!(200)), "{answer}");
    // Loopback names and the given target need no confirmation.
    for url in [
        app.url.clone(),
        format!("http://localhost:{port}/x"),
        format!("http://[::1]:{port}/"),
        port.to_string(),
    ] {
        let (status, answer) = inspect.post("/api/replay", &json!({ "id": id, "url": url }));
        assert_ne!(status, 403, "{url}: {answer}");
    }
}

/// The list labels what no provider explains, and counts forwards by the app's answer.
#[test]
fn rows_are_labelled_and_app_answers_counted() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("captures.jsonl");
    let mut handshake = record_of(1, b"");
    handshake.method = "GET".into();
    handshake.query = "hub.mode=subscribe&hub.challenge=5&hub.verify_token=(redacted)".into();
    let mut text = record_of(2, b"hello, not JSON");
    let mut ok = record_of(3, &meta_status("read"));
    let mut failed = record_of(4, &meta_status("sent"));
    let mut down = record_of(5, &meta_status("delivered"));
    let forward = |status: Option<u16>, error: Option<&str>| wa_hook::capture::ForwardResult {
        url: "http://127.0.0.1:3000/".into(),
        status,
        latency_ms: 1.0,
        body: None,
        error: error.map(str::to_string),
    };
    handshake.forward = Some(forward(Some(200), None));
    text.forward = Some(forward(Some(500), None));
    ok.forward = Some(forward(Some(200), None));
    failed.forward = Some(forward(Some(500), None));
    down.forward = Some(forward(None, Some("connection refused")));
    append(&path, &[handshake, text, ok, failed, down]);
    let inspect = Inspect::start(&[path.to_str().unwrap()]);
    let page = inspect.list_of("", 5);
    assert_eq!(
        page["app"],
        json!({ "200": 2, "500": 2, "unreachable": 1 }),
        "{page}"
    );
    let records = page["records"].as_array().unwrap();
    assert_eq!(records[4]["label"], json!("handshake"));
    assert_eq!(records[3]["label"], json!("not JSON"));
    assert!(records[2].get("label").is_none(), "{}", records[2]);
    let only = inspect.get("/api/records?app=500").1;
    assert_eq!(only["matching"], json!(2), "{only}");
    assert_eq!(only["app"], page["app"], "the counts are the run's");
    assert_eq!(
        inspect.get("/api/records?app=unreachable").1["matching"],
        json!(1)
    );
}

/// Another local user (here `nobody`, uid 65534, with curl) reaches the port but gets nothing:
/// not a record, not the page, not the token, not a replay. Needs root to run the client as
/// another user; skipped otherwise, saying so.
#[test]
fn another_local_user_gets_nothing() {
    let root = std::process::Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|out| out.stdout.trim_ascii() == b"0");
    if !root || !Path::new("/usr/bin/curl").exists() {
        eprintln!(
            "SKIPPED another_local_user_gets_nothing: it runs curl as uid 65534, which needs root \
             and /usr/bin/curl"
        );
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("captures.jsonl");
    story(&path);
    let inspect = Inspect::start(&[path.to_str().unwrap()]);
    inspect.list_of("", 5);
    let token = inspect.token();
    let base = format!("http://127.0.0.1:{}", inspect.port);
    for (method, path) in [
        ("GET", "/"),
        ("GET", "/api/session"),
        ("GET", "/api/records/1"),
        ("GET", "/api/events"),
        ("POST", "/api/replay"),
    ] {
        let out = std::process::Command::new("/usr/bin/curl")
            .args([
                "-s",
                "--max-time",
                "5",
                "-w",
                "\n%{http_code}",
                "-X",
                method,
            ])
            .args(["-H", "Content-Type: application/json", "--data-raw"])
            .arg(r#"{"id":1,"url":"3000"}"#)
            .arg(format!("{base}{path}"))
            .uid(65534)
            .gid(65534)
            .current_dir("/")
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.ends_with("\n401"), "{method} {path} as nobody: {text}");
        assert!(!text.contains(&token) && !text.contains("wamid"), "{text}");
    }
}

/// A file of more records than the list holds is read from its end: the first page the
/// inspector gives is the newest records (once, the oldest came first, and this run's
/// records showed only after the whole file was read); older ones follow, and those the
/// list cannot hold are counted.
#[test]
fn the_first_page_of_a_large_file_is_its_newest_records() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("captures.jsonl");
    let total = 60_000u64;
    let mut bytes = Vec::new();
    for seq in 1..=total {
        let mut record = record_of(seq, b"");
        record.method = "GET".into();
        record.path = format!("/r{seq}");
        bytes.extend_from_slice(&serde_json::to_vec(&record).unwrap());
        bytes.push(b'\n');
    }
    std::fs::write(&path, &bytes).unwrap();
    let inspect = Inspect::start(&[path.to_str().unwrap()]);
    let until = Instant::now() + Duration::from_secs(60);
    let first = loop {
        let (_, page) = inspect.get("/api/records?limit=100");
        if page["total"].as_u64().unwrap_or(0) > 0 {
            break page;
        }
        assert!(Instant::now() < until, "no first page: {page}");
        std::thread::yield_now();
    };
    let seqs: Vec<u64> = first["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|summary| summary["seq"].as_u64().unwrap())
        .collect();
    let newest: Vec<u64> = (1..=total).rev().take(seqs.len()).collect();
    assert_eq!(seqs, newest, "the first page is the file's end");
    let page = loop {
        let (_, page) = inspect.get("/api/records?limit=1");
        if page["dropped"] == json!(10_000) {
            break page;
        }
        assert!(Instant::now() < until, "the older records: {page}");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(page["total"], json!(50_000), "{page}");
    assert_eq!(page["records"][0]["path"], json!(format!("/r{total}")));
    // The oldest listed, from its file.
    let (_, oldest) = inspect.get("/api/records?limit=1000&q=/r10001");
    let oldest = oldest["records"]
        .as_array()
        .unwrap()
        .iter()
        .find(|summary| summary["seq"] == json!(10_001))
        .cloned()
        .unwrap();
    let (status, detail) = inspect.get(&format!("/api/records/{}", oldest["id"]));
    assert_eq!(status, 200, "{detail}");
    assert_eq!(detail["record"]["path"], json!("/r10001"));
}
