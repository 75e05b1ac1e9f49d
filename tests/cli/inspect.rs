//! The inspector's JSON API (`wa-hook inspect`, and `listen`'s), `show FILE:SEQ`, and
//! `FILE:SEQ` in `replay` and `validate`.
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use wa_hook::capture::{BodyEncoding, CaptureRecord, FORMAT_VERSION};
use wa_hook::validation::{CheckOptions, check_bytes};

use crate::common::*;

/// A capture record of `body` as `listen` writes it, checked by the same code.
pub fn record_of(seq: u64, body: &[u8]) -> CaptureRecord {
    let check = check_bytes(body, None, &CheckOptions::default());
    let (text, encoding) = CaptureRecord::encode_body(body);
    CaptureRecord {
        wa_hook_capture: FORMAT_VERSION,
        seq,
        run: None,
        received_at: format!("2026-01-02T03:04:{:02}.000000Z", seq % 60),
        remote_addr: "127.0.0.1:40000".into(),
        method: "POST".into(),
        path: "/webhook".into(),
        query: String::new(),
        headers: vec![
            ("Content-Type".into(), "application/json".into()),
            ("Authorization".into(), "(redacted)".into()),
        ],
        redacted_headers: vec!["Authorization".into()],
        body: text,
        body_encoding: encoding,
        body_bytes: body.len() as u64,
        provider: check.provider.map(|p| p.id().to_string()),
        kind: check.kind.map(|k| k.to_string()),
        verdict: Some(check.verdict),
        errors: check.errors,
        note: None,
        rejected: None,
        signature: None,
        response_status: 200,
        forward: None,
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

/// A running `wa-hook inspect --port 0`.
pub struct Inspect {
    pub url: String,
    pub port: u16,
    child: Child,
}

impl Inspect {
    pub fn start(args: &[&str]) -> Inspect {
        let mut child = wa_hook_process()
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
        assert!(url.starts_with("http://127.0.0.1:"), "{line:?}");
        let port = url
            .trim_end_matches('/')
            .rsplit(':')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        Inspect { url, port, child }
    }

    pub fn get(&self, path: &str) -> (u16, Value) {
        let (status, body) = call(self.port, "GET", path, &[], b"");
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
        let (status, body) = call(
            self.port,
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
    let mut body = response[at..].to_vec();
    if text
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        body = dechunk(&body);
    }
    (status, body)
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
    assert_eq!(inspect.url, format!("http://127.0.0.1:{}/", inspect.port));
    let page = inspect.list_of("", 5);
    assert_eq!(page["total"], json!(5), "{page}");
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
    let (status, curl) = call(
        inspect.port,
        "GET",
        &format!("/api/records/{id}/curl?url=3000"),
        &[],
        b"",
    );
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
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("captures.jsonl");
    std::fs::write(&path, b"").unwrap();
    let inspect = Inspect::start(&[path.to_str().unwrap()]);
    let mut stream = TcpStream::connect(("127.0.0.1", inspect.port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    write!(
        stream,
        "GET /api/events HTTP/1.1\r\nHost: localhost:{}\r\n\r\n",
        inspect.port
    )
    .unwrap();
    let mut events = BufReader::new(stream);
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
    let summary: Value = serde_json::from_str(&data.unwrap()).unwrap();
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
        let (status, _) = call(port, "GET", "/api/records", &[("Host", host)], b"");
        assert_eq!(status, 403, "{host}");
    }
    for host in [format!("localhost:{port}"), format!("[::1]:{port}")] {
        assert_eq!(
            call(port, "GET", "/api/records", &[("Host", &host)], b"").0,
            200
        );
    }
    // The page carries the token; calls that act need it.
    let (_, page) = call(port, "GET", "/", &[], b"");
    let token = inspect.token();
    assert!(String::from_utf8_lossy(&page).contains(&token));
    let body = br#"{"body":"{}"}"#;
    let json_type = ("Content-Type", "application/json");
    assert_eq!(
        call(port, "POST", "/api/validate", &[json_type], body).0,
        403
    );
    assert_eq!(
        call(
            port,
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
        call(
            port,
            "POST",
            "/api/validate",
            &[json_type, with_token],
            body
        )
        .0,
        200
    );
    // Cross-origin calls are refused even with the token; a form post is not JSON.
    let origin = ("Origin", "http://evil.example");
    assert_eq!(
        call(
            port,
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
        assert_eq!(call(port, "GET", path, &[origin], b"").0, 403, "{path}");
        let cross = ("Sec-Fetch-Site", "cross-site");
        assert_eq!(call(port, "GET", path, &[cross], b"").0, 403, "{path}");
    }
    let same = ("Origin", format!("http://127.0.0.1:{port}"));
    let same = (same.0, same.1.as_str());
    assert_eq!(call(port, "GET", "/api/records", &[same], b"").0, 200);
    let form = ("Content-Type", "application/x-www-form-urlencoded");
    assert_eq!(
        call(port, "POST", "/api/validate", &[form, with_token], body).0,
        415
    );
    // Bodies are capped.
    let big = vec![b' '; 7 << 20];
    assert_eq!(
        call(
            port,
            "POST",
            "/api/validate",
            &[json_type, with_token],
            &big
        )
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
        ui.starts_with("http://127.0.0.1:") && ui != format!("{}/", listener.url),
        "{ui}"
    );
    let port: u16 = ui
        .trim_end_matches('/')
        .rsplit(':')
        .next()
        .unwrap()
        .parse()
        .unwrap();
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
        let (_, body) = call(port, "GET", "/api/records", &[], b"");
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
    rejected.rejected = Some("not an HTTP/1.1 request line".into());
    let mut at_file = record_of(2, b"@/etc/passwd");
    at_file
        .headers
        .push(("X-Quote".into(), "it's $(touch ran) `x`".into()));
    at_file.headers.push(("@headers.txt".into(), "v".into()));
    let binary: Vec<u8> = (0u8..=255).chain(*b"%s%%\\'\n").collect();
    let bytes = record_of(3, &binary);
    append(&path, &[rejected, at_file, bytes]);
    let inspect = Inspect::start(&[path.to_str().unwrap()]);
    inspect.list_of("", 3);

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
    let run = |id: u64| -> (Vec<String>, Option<Vec<u8>>) {
        let (status, command) = call(
            inspect.port,
            "GET",
            &format!("/api/records/{id}/curl"),
            &[],
            b"",
        );
        assert_eq!(status, 200);
        let out = dir.path().join(format!("out{id}"));
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
