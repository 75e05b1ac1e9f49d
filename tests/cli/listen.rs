//! `wa-hook listen` tests: a real listener process on a free port, driven by a plain HTTP/1.1
//! client over `TcpStream` (so the bytes sent are exactly the bytes written here).
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};

use wa_hook::capture::{CaptureRecord, parse_record};
use wa_hook::providers::Provider;

use crate::common::*;

/// Hostile traffic, full disks and hung apps (issue 13).
mod hostile;

/// What `--out` may name, and seq across runs (issue 22).
mod capture_file;

/// Request framing per RFC 9112 (issue 22).
mod framing;

/// The inspector fed by listen's workers (issue 26).
mod inspector_feed;

/// A response as read off the wire.
#[derive(Debug)]
struct RawResponse {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl RawResponse {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }
}

/// One keep-alive HTTP/1.1 connection.
struct Connection {
    reader: BufReader<TcpStream>,
    host: String,
}

impl Connection {
    fn open(url: &str) -> Connection {
        let host = url.trim_start_matches("http://").trim_end_matches('/');
        let stream = TcpStream::connect(host).expect("connect to the listener");
        stream.set_nodelay(true).unwrap();
        Connection {
            reader: BufReader::new(stream),
            host: host.to_string(),
        }
    }

    fn send(
        &mut self,
        method: &str,
        target: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> RawResponse {
        let mut head = format!("{method} {target} HTTP/1.1\r\nHost: {}\r\n", self.host);
        for (name, value) in headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        if !body.is_empty() || method == "POST" {
            head.push_str(&format!("Content-Length: {}\r\n", body.len()));
        }
        head.push_str("\r\n");
        let mut request = head.into_bytes();
        request.extend_from_slice(body);
        self.reader.get_mut().write_all(&request).unwrap();
        self.read_response()
    }

    fn read_response(&mut self) -> RawResponse {
        let mut status_line = String::new();
        self.reader.read_line(&mut status_line).unwrap();
        let status = status_line
            .split_whitespace()
            .nth(1)
            .and_then(|code| code.parse().ok())
            .unwrap_or_else(|| panic!("not an HTTP status line: {status_line:?}"));
        let mut headers = Vec::new();
        loop {
            let mut line = String::new();
            self.reader.read_line(&mut line).unwrap();
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            let (name, value) = line.split_once(':').unwrap();
            headers.push((name.trim().to_string(), value.trim().to_string()));
        }
        let mut response = RawResponse {
            status,
            headers,
            body: Vec::new(),
        };
        if let Some(length) = response.header("Content-Length") {
            let mut body = vec![0; length.parse().unwrap()];
            self.reader.read_exact(&mut body).unwrap();
            response.body = body;
        } else if response
            .header("Transfer-Encoding")
            .is_some_and(|te| te.eq_ignore_ascii_case("chunked"))
        {
            loop {
                let mut size = String::new();
                self.reader.read_line(&mut size).unwrap();
                let size = usize::from_str_radix(size.trim(), 16).unwrap();
                let mut chunk = vec![0; size + 2];
                self.reader.read_exact(&mut chunk).unwrap();
                if size == 0 {
                    break;
                }
                response.body.extend_from_slice(&chunk[..size]);
            }
        }
        response
    }
}

fn post(url: &str, target: &str, body: &[u8]) -> RawResponse {
    Connection::open(url).send(
        "POST",
        target,
        &[("Content-Type", "application/json")],
        body,
    )
}

fn read_records(path: &Path) -> Vec<CaptureRecord> {
    let text = std::fs::read(path).expect("the capture file exists");
    text.split(|b| *b == b'\n')
        .filter(|line| !line.is_empty())
        .map(|line| {
            assert_capture_schema(line);
            parse_record(line).expect("a well-formed capture record")
        })
        .collect()
}

fn capture_file(dir: &tempfile::TempDir) -> (PathBuf, String) {
    let path = dir.path().join("captures.jsonl");
    let arg = path.display().to_string();
    (path, arg)
}

/// Every built-in sample file, as (name, bytes).
fn all_samples() -> Vec<(String, Vec<u8>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples");
    let mut samples = Vec::new();
    for provider in std::fs::read_dir(&root).unwrap() {
        let provider = provider.unwrap().path();
        if !provider.is_dir() {
            continue;
        }
        for file in std::fs::read_dir(&provider).unwrap() {
            let file = file.unwrap().path();
            if file.extension().is_some_and(|ext| ext == "json") {
                let name = format!(
                    "{}/{}",
                    provider.file_name().unwrap().to_string_lossy(),
                    file.file_stem().unwrap().to_string_lossy()
                );
                samples.push((name, std::fs::read(&file).unwrap()));
            }
        }
    }
    samples.sort();
    samples
}

fn assert_nowhere(secret: &str, dir: &Path, stdout: &str, stderr: &str) {
    assert!(!stdout.contains(secret), "secret in stdout: {stdout}");
    assert!(!stderr.contains(secret), "secret in stderr: {stderr}");
    for (path, bytes) in all_file_contents(dir) {
        assert!(
            !contains_bytes(&bytes, secret.as_bytes()),
            "secret written to {path}"
        );
    }
}

#[test]
fn every_sample_is_recorded_and_validated() {
    let dir = tempfile::tempdir().unwrap();
    let (path, out) = capture_file(&dir);
    let listener = Listener::start(&["--out", &out]);
    let samples = all_samples();
    assert!(samples.len() > 40, "found only {} samples", samples.len());
    let mut connection = Connection::open(&listener.url);
    for (name, body) in &samples {
        let response = connection.send(
            "POST",
            &format!("/hook/{name}"),
            &[("Content-Type", "application/json")],
            body,
        );
        assert_eq!(response.status, 200, "{name}");
        assert_eq!(response.body, br#"{"ok":true}"#);
    }
    let (code, stdout, _) = listener.stop();
    assert_eq!(code, Some(0));
    let records = read_records(&path);
    assert_eq!(records.len(), samples.len());
    for (name, body) in &samples {
        let record = records
            .iter()
            .find(|r| r.path == format!("/hook/{name}"))
            .unwrap_or_else(|| panic!("no record for {name}"));
        assert_eq!(record.body_bytes().unwrap().as_deref(), Some(&body[..]));
        let provider = name.split('/').next().unwrap();
        assert_eq!(record.provider.map(Provider::id), Some(provider), "{name}");
        assert_eq!(
            record.verdict.map(|v| format!("{v:?}")).as_deref(),
            Some("Valid"),
            "{name}: {:?}",
            record.errors
        );
        assert!(record.kind.is_some());
    }
    assert_eq!(stdout.matches('✓').count(), samples.len(), "{stdout}");
}

#[test]
fn malformed_empty_and_binary_bodies_are_recorded_as_such() {
    let dir = tempfile::tempdir().unwrap();
    let (path, out) = capture_file(&dir);
    let listener = Listener::start(&["--out", &out]);
    let binary: &[u8] = b"\xff\xfe\x00\x01{\"not\": utf8}\r\n";
    assert_eq!(post(&listener.url, "/syntax", b"{\"a\": ").status, 200);
    assert_eq!(post(&listener.url, "/empty", b"").status, 200);
    assert_eq!(post(&listener.url, "/binary", binary).status, 200);
    let form = Connection::open(&listener.url).send(
        "POST",
        "/form",
        &[("Content-Type", "application/x-www-form-urlencoded")],
        b"a=1&b=2",
    );
    assert_eq!(form.status, 200);
    let (code, stdout, _) = listener.stop();
    assert_eq!(code, Some(0));
    let records = read_records(&path);
    let by_path = |p: &str| records.iter().find(|r| r.path == p).unwrap();
    for (record_path, found) in [
        ("/syntax", "a JSON syntax error at line 1 column 6"),
        ("/empty", "an empty body"),
        ("/binary", "not UTF-8"),
        ("/form", "a JSON syntax error"),
    ] {
        let record = by_path(record_path);
        assert_eq!(
            serde_json::to_value(record.verdict).unwrap(),
            "malformed",
            "{record_path}"
        );
        assert!(
            record.errors[0].found.contains(found),
            "{record_path}: {:?}",
            record.errors
        );
    }
    let binary_record = by_path("/binary");
    assert_eq!(
        serde_json::to_value(binary_record.body_encoding).unwrap(),
        "base64"
    );
    assert_eq!(binary_record.body_bytes().unwrap().as_deref(), Some(binary));
    assert_eq!(by_path("/empty").body.as_deref(), Some(""));
    assert!(
        stdout.contains("POST /empty  ✗ not JSON: an empty body"),
        "{stdout}"
    );
    assert!(
        stdout.contains("✗ not JSON (application/x-www-form-urlencoded)"),
        "{stdout}"
    );
}

#[test]
fn an_oversized_body_is_answered_413_and_recorded_without_it() {
    let dir = tempfile::tempdir().unwrap();
    let (path, out) = capture_file(&dir);
    let listener = Listener::start(&["--out", &out, "--max-body", "1KiB"]);
    let big = vec![b'x'; 5000];
    let response = post(&listener.url, "/big", &big);
    assert_eq!(response.status, 413);
    // The listener keeps serving.
    let small = sample_bytes("qikchat/status-read");
    assert_eq!(post(&listener.url, "/small", &small).status, 200);
    let (code, stdout, _) = listener.stop();
    assert_eq!(code, Some(0));
    let records = read_records(&path);
    assert_eq!(records.len(), 2);
    let big_record = records.iter().find(|r| r.path == "/big").unwrap();
    assert_eq!(big_record.body, None);
    assert_eq!(big_record.body_bytes, 5000);
    assert_eq!(big_record.response_status, 413);
    assert!(
        written(big_record.rejected.as_ref())
            .unwrap()
            .contains("too large"),
        "{big_record:?}"
    );
    assert!(stdout.contains("413 rejected: body too large"), "{stdout}");
}

#[test]
fn wrong_or_missing_basic_auth_is_rejected_and_the_password_never_written() {
    const PASSWORD: &str = "sentinel-basic-pass-7c1e";
    let dir = tempfile::tempdir().unwrap();
    let (path, out) = capture_file(&dir);
    let mut command = wa_hook_process();
    command.env("QIK_AUTH", format!("qikchat:{PASSWORD}"));
    let listener = Listener::start_with(command, &["--out", &out, "--basic-auth-env", "QIK_AUTH"]);
    let body = sample_bytes("qikchat/message-text");
    use base64::Engine;
    let encode = |raw: &str| {
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(raw)
        )
    };
    let good = encode(&format!("qikchat:{PASSWORD}"));
    let wrong = encode("qikchat:wrong-password");
    let missing = post(&listener.url, "/none", &body);
    assert_eq!(missing.status, 401);
    assert!(
        missing
            .header("WWW-Authenticate")
            .unwrap()
            .starts_with("Basic")
    );
    let mut connection = Connection::open(&listener.url);
    let refused = connection.send("POST", "/wrong", &[("Authorization", &wrong)], &body);
    assert_eq!(refused.status, 401);
    let accepted = connection.send("POST", "/good", &[("Authorization", &good)], &body);
    assert_eq!(accepted.status, 200);
    let (code, stdout, stderr) = listener.stop();
    assert_eq!(code, Some(0));
    let records = read_records(&path);
    assert_eq!(records.len(), 3);
    for record in &records {
        let expected = if record.path == "/good" {
            None
        } else {
            Some("basic auth")
        };
        assert_eq!(
            written(record.rejected.as_ref()).as_deref(),
            expected,
            "{}",
            record.path
        );
        if record.path != "/none" {
            assert_eq!(record.header("Authorization"), Some("(redacted)"));
            assert_eq!(record.redacted_headers, ["Authorization"]);
        }
    }
    assert_eq!(
        stdout.matches("401 rejected: basic auth").count(),
        2,
        "{stdout}"
    );
    assert!(stderr.contains("2 rejected"), "{stderr}");
    assert_nowhere(PASSWORD, dir.path(), &stdout, &stderr);
    let good_encoded = good.trim_start_matches("Basic ");
    assert_nowhere(good_encoded, dir.path(), &stdout, &stderr);
}

#[test]
fn a_forward_target_that_is_down_gets_502_and_the_listener_keeps_running() {
    let dir = tempfile::tempdir().unwrap();
    let (path, out) = capture_file(&dir);
    let port = closed_port().to_string();
    let listener = Listener::start(&["--out", &out, "--forward-to", &port]);
    let body = sample_bytes("qikchat/message-text");
    for _ in 0..2 {
        let response = post(&listener.url, "/hook", &body);
        assert_eq!(response.status, 502);
        // The caller learns nothing of the app (issue 13); the record says why.
        let text = String::from_utf8_lossy(&response.body);
        assert!(text.contains("could not reach your app"), "{text}");
        assert!(!text.contains(&port), "{text}");
    }
    let (code, stdout, stderr) = listener.stop();
    assert_eq!(code, Some(0));
    let records = read_records(&path);
    assert_eq!(records.len(), 2);
    for record in records {
        assert_eq!(record.response_status, 502);
        let forward = record.forward.unwrap();
        assert_eq!(forward.status, None);
        assert!(forward.error.unwrap().contains("connection refused"));
        assert_eq!(forward.url, format!("http://127.0.0.1:{port}/hook"));
    }
    assert_eq!(
        stdout.matches("→ app unreachable, answered 502").count(),
        2,
        "{stdout}"
    );
    assert!(stderr.contains("2 forward failures"), "{stderr}");
}

#[test]
fn forwarding_relays_the_exact_request_and_the_apps_answer() {
    let app = RecordingServer::with_responder(|_| Reply::new(202, br#"{"reply":"from app"}"#));
    let dir = tempfile::tempdir().unwrap();
    let (path, out) = capture_file(&dir);
    let target = format!("{}/app", app.url);
    let listener = Listener::start(&["--out", &out, "--forward-to", &target]);
    // Odd but legal bytes: CRLFs, trailing spaces, unicode, no final newline.
    let body = "{\"event\":\"whatsapp:message:in\",\r\n \"x\": \"é ✓\"  }  ".as_bytes();
    let response = Connection::open(&listener.url).send(
        "POST",
        "/hook/in?a=1&b=%20two&a=3",
        &[
            ("Content-Type", "application/json; charset=utf-8"),
            ("X-Custom", "kept  as is"),
            ("Connection", "keep-alive"),
        ],
        body,
    );
    assert_eq!(response.status, 202);
    assert_eq!(response.body, br#"{"reply":"from app"}"#);
    assert_eq!(response.header("Content-Type"), Some("application/json"));
    let (code, stdout, _) = listener.stop();
    assert_eq!(code, Some(0));
    let requests = app.requests();
    assert_eq!(requests.len(), 1);
    let forwarded = &requests[0];
    assert_eq!(forwarded.method, "POST");
    assert_eq!(forwarded.url, "/app/hook/in?a=1&b=%20two&a=3");
    assert_eq!(forwarded.body, body);
    assert_eq!(forwarded.header("X-Custom"), Some("kept  as is"));
    assert_eq!(
        forwarded.header("Content-Type"),
        Some("application/json; charset=utf-8")
    );
    assert_eq!(
        forwarded.header("Host"),
        Some(app.url.trim_start_matches("http://"))
    );
    let records = read_records(&path);
    let forward = records[0].forward.as_ref().unwrap();
    assert_eq!(forward.status, Some(202));
    assert_eq!(forward.body.as_deref(), Some(r#"{"reply":"from app"}"#));
    assert_eq!(records[0].response_status, 202);
    assert!(stdout.contains("→ app 202"), "{stdout}");
}

#[test]
fn a_second_listener_on_the_same_port_names_the_port() {
    let first = Listener::start(&["--no-save"]);
    let port = first.url.rsplit(':').next().unwrap().to_string();
    wa_hook()
        .args(["listen", "--no-save", "--port", &port])
        .timeout(std::time::Duration::from_secs(10))
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains(format!("port {port}")))
        .stderr(predicate::str::contains("--port"));
    drop(first);
}

#[test]
fn reply_answers_with_the_instant_reply_sample() {
    let listener = Listener::start(&["--no-save", "--reply", "picky/reply-text"]);
    let response = post(&listener.url, "/", &sample_bytes("picky/message-text"));
    assert_eq!(response.status, 200);
    assert_eq!(response.body, sample_bytes("picky/reply-text"));
    assert_eq!(response.header("Content-Type"), Some("application/json"));
}

#[test]
fn an_invalid_reply_is_a_start_up_error() {
    let dir = tempfile::tempdir().unwrap();
    let reply = dir.path().join("reply.json");
    std::fs::write(&reply, br#"{"message-out": 5}"#).unwrap();
    wa_hook()
        .current_dir(dir.path())
        .args(["listen", "--port", "0", "--reply"])
        .arg(&reply)
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains(
            "is not a valid Picky Assist instant reply: /message-out",
        ));
    wa_hook()
        .current_dir(dir.path())
        .args(["listen", "--port", "0", "--reply", "picky/reply-txt"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("picky/reply-text"));
}

#[test]
fn picky_query_string_method_is_recognised() {
    let dir = tempfile::tempdir().unwrap();
    let (path, out) = capture_file(&dir);
    let listener = Listener::start(&["--out", &out]);
    let query = "number=963587413&message-in=hello+there&message_in_raw=hello%20there&type=1\
                 &application=1&unique-id=5672&project-id=27";
    let response = post(&listener.url, &format!("/picky?{query}"), b"");
    assert_eq!(response.status, 200);
    let (_, stdout, _) = listener.stop();
    let records = read_records(&path);
    assert_eq!(records[0].query, query);
    assert_eq!(records[0].provider.map(Provider::id), Some("picky"));
    assert_eq!(
        written(records[0].kind.as_ref()).as_deref(),
        Some("message:text")
    );
    assert_eq!(serde_json::to_value(records[0].verdict).unwrap(), "valid");
    assert!(
        stdout.contains("picky message:text  963587413 \"hello there\"  ✓"),
        "{stdout}"
    );
}

#[test]
fn the_verify_token_handshake_succeeds_and_fails() {
    const TOKEN: &str = "sentinel-verify-token-91ab";
    let dir = tempfile::tempdir().unwrap();
    let (path, out) = capture_file(&dir);
    let mut command = wa_hook_process();
    command.env("META_VERIFY", TOKEN);
    let listener = Listener::start_with(
        command,
        &["--out", &out, "--verify-token-env", "META_VERIFY"],
    );
    let mut connection = Connection::open(&listener.url);
    let good = connection.send(
        "GET",
        &format!("/webhook?hub.mode=subscribe&hub.verify_token={TOKEN}&hub.challenge=1158201444"),
        &[],
        b"",
    );
    assert_eq!(good.status, 200);
    assert_eq!(good.body, b"1158201444");
    let bad = connection.send(
        "GET",
        "/webhook?hub.mode=subscribe&hub.verify_token=guess&hub.challenge=77",
        &[],
        b"",
    );
    assert_eq!(bad.status, 403);
    assert!(!contains_bytes(&bad.body, b"77"));
    let (code, stdout, stderr) = listener.stop();
    assert_eq!(code, Some(0));
    let records = read_records(&path);
    assert_eq!(records.len(), 2);
    let good_record = records.iter().find(|r| r.response_status == 200).unwrap();
    assert_eq!(
        good_record.query,
        "hub.mode=subscribe&hub.verify_token=(redacted)&hub.challenge=1158201444"
    );
    let bad_record = records.iter().find(|r| r.response_status == 403).unwrap();
    assert_eq!(
        written(bad_record.rejected.as_ref()).as_deref(),
        Some("wrong verify token")
    );
    assert!(
        stdout.contains("meta handshake ✓ challenge echoed"),
        "{stdout}"
    );
    assert!(
        stdout.contains("403 rejected: wrong verify token"),
        "{stdout}"
    );
    assert_nowhere(TOKEN, dir.path(), &stdout, &stderr);
}

const APP_SECRET: &str = "sentinel-app-secret-55d0";

fn sign(body: &[u8]) -> String {
    wa_hook::providers::meta::signature::sign(&wa_hook::secret::SecretString::new(APP_SECRET), body)
}

#[test]
fn signatures_are_checked_recorded_and_shown() {
    let dir = tempfile::tempdir().unwrap();
    let (path, out) = capture_file(&dir);
    let mut command = wa_hook_process();
    command.env("META_SECRET", APP_SECRET);
    let listener =
        Listener::start_with(command, &["--out", &out, "--app-secret-env", "META_SECRET"]);
    let body = sample_bytes("meta/message-text");
    let signature = sign(&body);
    let mut tampered = body.clone();
    tampered.push(b'\n');
    let mut connection = Connection::open(&listener.url);
    let send = |connection: &mut Connection, path: &str, headers: &[(&str, &str)], body: &[u8]| {
        connection.send("POST", path, headers, body).status
    };
    let header = [("X-Hub-Signature-256", signature.as_str())];
    assert_eq!(send(&mut connection, "/signed", &header, &body), 200);
    assert_eq!(send(&mut connection, "/tampered", &header, &tampered), 200);
    assert_eq!(send(&mut connection, "/unsigned", &[], &body), 200);
    let (code, stdout, stderr) = listener.stop();
    assert_eq!(code, Some(0));
    let records = read_records(&path);
    let verdict = |p: &str| {
        records
            .iter()
            .find(|r| r.path == p)
            .unwrap()
            .signature
            .as_ref()
            .unwrap()
            .to_string()
    };
    assert_eq!(verdict("/signed"), "valid");
    assert_eq!(
        verdict("/tampered"),
        "invalid: a trailing newline added or removed"
    );
    assert_eq!(verdict("/unsigned"), "missing");
    assert!(stdout.contains("signature ✓"), "{stdout}");
    assert!(stdout.contains("signature ✗ missing"), "{stdout}");
    assert_nowhere(APP_SECRET, dir.path(), &stdout, &stderr);
}

/// A listener that checks signatures with `APP_SECRET` and rejects bad ones.
fn rejecting_bad_signatures(out: &str) -> Listener {
    let mut command = wa_hook_process();
    command.env("META_SECRET", APP_SECRET);
    Listener::start_with(
        command,
        &[
            "--out",
            out,
            "--app-secret-env",
            "META_SECRET",
            "--reject-bad-signature",
        ],
    )
}

#[test]
fn reject_bad_signature_answers_401() {
    let dir = tempfile::tempdir().unwrap();
    let (path, out) = capture_file(&dir);
    let listener = rejecting_bad_signatures(&out);
    let body = sample_bytes("meta/status-read");
    let wrong = wa_hook::providers::meta::signature::sign(
        &wa_hook::secret::SecretString::new("other"),
        &body,
    );
    let mut connection = Connection::open(&listener.url);
    let good = connection.send("POST", "/", &[("X-Hub-Signature-256", &sign(&body))], &body);
    assert_eq!(good.status, 200);
    let bad = connection.send("POST", "/", &[("X-Hub-Signature-256", &wrong)], &body);
    assert_eq!(bad.status, 401);
    let (_, stdout, stderr) = listener.stop();
    let records = read_records(&path);
    let rejected: Vec<_> = records.iter().filter(|r| r.rejected.is_some()).collect();
    assert_eq!(rejected.len(), 1);
    assert_eq!(
        written(rejected[0].rejected.as_ref()).as_deref(),
        Some("bad signature")
    );
    assert_eq!(
        written(rejected[0].signature.as_ref()).as_deref(),
        Some("invalid: wrong app secret or changed body")
    );
    assert!(stdout.contains("401 rejected: bad signature"), "{stdout}");
    assert_nowhere(APP_SECRET, dir.path(), &stdout, &stderr);
}

/// `--app-secret-env` marks signatures on what may be signed; a provider that never signs is
/// not marked "missing". With `--reject-bad-signature` and no Basic auth, nothing else protects
/// the endpoint: then every POST must be signed.
#[test]
fn bodies_of_providers_that_never_sign_are_not_signature_checked() {
    let dir = tempfile::tempdir().unwrap();
    let (path, out) = capture_file(&dir);
    let mut command = wa_hook_process();
    command.env("META_SECRET", APP_SECRET);
    let listener =
        Listener::start_with(command, &["--out", &out, "--app-secret-env", "META_SECRET"]);
    let mut connection = Connection::open(&listener.url);
    let qikchat = connection.send("POST", "/", &[], &sample_bytes("qikchat/message-text"));
    assert_eq!(qikchat.status, 200);
    let unsigned_meta = connection.send("POST", "/", &[], &sample_bytes("meta/status-read"));
    assert_eq!(unsigned_meta.status, 200);
    let (_, _, stderr) = listener.stop();
    let records = read_records(&path);
    assert_eq!(records.len(), 2, "{stderr}");
    assert_eq!(records[0].signature, None);
    assert_eq!(
        written(records[1].signature.as_ref()).as_deref(),
        Some("missing")
    );

    let dir = tempfile::tempdir().unwrap();
    let (path, out) = capture_file(&dir);
    let listener = rejecting_bad_signatures(&out);
    let mut connection = Connection::open(&listener.url);
    let qikchat = connection.send("POST", "/", &[], &sample_bytes("qikchat/message-text"));
    assert_eq!(qikchat.status, 401, "nothing else protects the endpoint");
    let unknown = connection.send("POST", "/", &[], b"{\"hello\": 1}");
    assert_eq!(unknown.status, 401);
    listener.stop();
    assert!(
        read_records(&path)
            .iter()
            .all(|r| written(r.signature.as_ref()).as_deref() == Some("missing"))
    );
}

#[test]
fn events_filter_the_display_but_everything_is_saved() {
    let dir = tempfile::tempdir().unwrap();
    let (path, out) = capture_file(&dir);
    let listener = Listener::start(&["--out", &out, "--events", "status"]);
    post(&listener.url, "/m", &sample_bytes("qikchat/message-text"));
    post(&listener.url, "/s", &sample_bytes("qikchat/status-read"));
    let (_, stdout, _) = listener.stop();
    assert_eq!(read_records(&path).len(), 2);
    assert!(stdout.contains("qikchat status:read"), "{stdout}");
    assert!(!stdout.contains("message:text"), "{stdout}");
}

#[test]
fn records_go_to_stdout_with_out_dash_and_json_format_prints_records() {
    let listener = Listener::start(&["--out", "-"]);
    post(&listener.url, "/a", &sample_bytes("meta/status-sent"));
    let (_, stdout, stderr) = listener.stop();
    let records: Vec<_> = stdout
        .lines()
        .map(|line| parse_record(line.as_bytes()).unwrap())
        .collect();
    assert_eq!(records.len(), 1);
    assert_eq!(
        written(records[0].kind.as_ref()).as_deref(),
        Some("status:sent")
    );
    assert!(stderr.contains("POST /a  meta status:sent"), "{stderr}");

    let listener = Listener::start(&["--no-save", "--format", "json"]);
    // Every stdout line is JSON, the first one included: `| jq` works.
    let first: serde_json::Value = serde_json::from_str(&listener.first_line).unwrap();
    assert_eq!(
        first["listening"].as_str(),
        Some(format!("{}/", listener.url).as_str())
    );
    post(&listener.url, "/b", &sample_bytes("meta/status-read"));
    let (_, stdout, _) = listener.stop();
    // The record, then the summary: two JSON lines.
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{stdout}");
    let record = parse_record(lines[0].as_bytes()).unwrap();
    assert_eq!(record.path, "/b");
    assert_eq!(record.seq, 1);
    let summary: serde_json::Value = serde_json::from_str(lines[1]).unwrap();
    assert_eq!(summary["summary"]["requests"], 1, "{summary}");
}

#[test]
fn sigterm_prints_a_summary_and_exits_0() {
    let dir = tempfile::tempdir().unwrap();
    let (_, out) = capture_file(&dir);
    let listener = Listener::start(&["--out", &out]);
    let mut connection = Connection::open(&listener.url);
    for name in [
        "qikchat/message-text",
        "qikchat/message-text",
        "meta/status-read",
    ] {
        connection.send("POST", "/", &[], &sample_bytes(name));
    }
    connection.send(
        "POST",
        "/",
        &[],
        b"{\"event\":\"whatsapp:message:status\",\"payload\":{}}",
    );
    connection.send("POST", "/", &[], b"not json");
    connection.send("POST", "/", &[], b"{\"hello\":1}");
    connection.send("GET", "/health", &[], b"");
    let (code, _, stderr) = listener.stop();
    assert_eq!(code, Some(0));
    let summary = stderr
        .split_once("Stopped")
        .map(|(_, rest)| format!("Stopped{rest}"))
        .expect("a summary");
    let summary = summary.replacen(
        summary
            .split(':')
            .next()
            .unwrap()
            .trim_start_matches("Stopped after "),
        "ELAPSED",
        1,
    );
    let summary = summary.replace(&out, "CAPTURES");
    insta::assert_snapshot!(summary);
}

#[test]
fn two_thousand_requests_from_16_clients_give_one_line_each() {
    const CLIENTS: usize = 16;
    const PER_CLIENT: usize = 125;
    let dir = tempfile::tempdir().unwrap();
    let (path, out) = capture_file(&dir);
    let listener = Listener::start(&["--out", &out, "--threads", "8"]);
    let bodies = [
        sample_bytes("qikchat/message-text"),
        sample_bytes("meta/status-read"),
        sample_bytes("picky/message-contacts"),
        b"not json at all".to_vec(),
    ];
    std::thread::scope(|scope| {
        for client in 0..CLIENTS {
            let url = &listener.url;
            let bodies = &bodies;
            scope.spawn(move || {
                let mut connection = Connection::open(url);
                for i in 0..PER_CLIENT {
                    let body = &bodies[(client + i) % bodies.len()];
                    let response =
                        connection.send("POST", &format!("/load/{client}/{i}"), &[], body);
                    assert_eq!(response.status, 200);
                }
            });
        }
    });
    let (code, _, stderr) = listener.stop();
    assert_eq!(code, Some(0));
    let total = CLIENTS * PER_CLIENT;
    let text = std::fs::read(&path).unwrap();
    assert_eq!(text.last(), Some(&b'\n'));
    let lines: Vec<&[u8]> = text[..text.len() - 1].split(|b| *b == b'\n').collect();
    assert_eq!(lines.len(), total);
    let mut seqs: Vec<u64> = lines
        .iter()
        .map(|line| parse_record(line).expect("well-formed line").seq)
        .collect();
    seqs.sort_unstable();
    assert_eq!(seqs, (1..=total as u64).collect::<Vec<_>>());
    let mut paths: Vec<String> = lines
        .iter()
        .map(|line| parse_record(line).unwrap().path)
        .collect();
    paths.sort();
    paths.dedup();
    assert_eq!(paths.len(), total);
    assert!(stderr.contains(&format!(": {total} requests")), "{stderr}");
}

/// Connections that arrive together are each served at once, while all of them stay open.
/// tiny_http 0.12 as published queues some of them behind a busy keep-alive connection until
/// another one closes; vendor/tiny_http carries the fix (vendor/README.md).
#[test]
fn simultaneous_keep_alive_connections_are_all_served() {
    const CONNECTIONS: usize = 48;
    let dir = tempfile::tempdir().unwrap();
    let (_, out) = capture_file(&dir);
    let listener = Listener::start(&["--out", &out]);
    let opened = std::sync::Barrier::new(CONNECTIONS);
    let answered = std::sync::Barrier::new(CONNECTIONS);
    let body = sample_bytes("qikchat/status-read");
    let statuses: Vec<Option<u16>> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..CONNECTIONS)
            .map(|_| {
                let (url, body, opened, answered) = (&listener.url, &body, &opened, &answered);
                scope.spawn(move || {
                    let mut connection = Connection::open(url);
                    // A stalled connection fails the test instead of hanging it.
                    let timeout = Some(std::time::Duration::from_secs(10));
                    connection
                        .reader
                        .get_ref()
                        .set_read_timeout(timeout)
                        .unwrap();
                    opened.wait();
                    let status = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        connection.send("POST", "/burst", &[], body).status
                    }))
                    .ok();
                    // Keep every connection open until all have had their answer.
                    answered.wait();
                    status
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().unwrap()).collect()
    });
    let served = statuses.iter().filter(|s| **s == Some(200)).count();
    assert_eq!(served, CONNECTIONS, "{statuses:?}");
}

#[test]
fn slow_uploads_hold_no_worker() {
    // More half-sent bodies than workers: each waits on its own connection, and a request
    // sent meanwhile is answered. Then each upload finishes and is answered and saved too.
    let dir = tempfile::tempdir().unwrap();
    let (path, out) = capture_file(&dir);
    let listener = Listener::start(&["--out", &out, "--threads", "2"]);
    let body = sample_bytes("meta/message-text");
    let padded = format!(
        "{}{}",
        String::from_utf8(body).unwrap().trim_end(),
        " ".repeat(4000)
    );
    let (first, rest) = padded.as_bytes().split_at(100);
    let mut stalled: Vec<Connection> = (0..3)
        .map(|_| {
            let mut connection = Connection::open(&listener.url);
            let head = format!(
                "POST /slow HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\n\
                 Content-Length: {}\r\n\r\n",
                connection.host,
                padded.len()
            );
            let stream = connection.reader.get_mut();
            stream.write_all(head.as_bytes()).unwrap();
            stream.write_all(first).unwrap();
            connection
        })
        .collect();

    let mut meanwhile = Connection::open(&listener.url);
    let timeout = Some(std::time::Duration::from_secs(10));
    meanwhile
        .reader
        .get_ref()
        .set_read_timeout(timeout)
        .unwrap();
    let body = sample_bytes("qikchat/message-text");
    let answer = meanwhile.send("POST", "/meanwhile", &[], &body);
    assert_eq!(answer.status, 200);

    for connection in &mut stalled {
        connection.reader.get_mut().write_all(rest).unwrap();
        assert_eq!(connection.read_response().status, 200);
    }
    let (code, _, stderr) = listener.stop();
    assert_eq!(code, Some(0), "{stderr}");
    let records = read_records(&path);
    let paths: Vec<&str> = records.iter().map(|r| r.path.as_str()).collect();
    assert_eq!(paths.len(), 4, "{paths:?}");
    assert_eq!(paths[0], "/meanwhile");
    for record in &records[1..] {
        assert_eq!(record.path, "/slow");
        assert_eq!(record.body.as_deref(), Some(padded.as_str()));
        assert_eq!(
            written(record.kind.as_ref()).as_deref(),
            Some("message:text")
        );
    }
}

#[test]
fn a_body_cut_short_is_recorded_as_incomplete() {
    let dir = tempfile::tempdir().unwrap();
    let (path, out) = capture_file(&dir);
    let listener = Listener::start(&["--out", &out]);
    let mut connection = Connection::open(&listener.url);
    let head = format!(
        "POST /cut HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\n\
         Content-Length: 5000\r\n\r\n{{\"event\": \"whatsapp:message:in\"",
        connection.host
    );
    connection
        .reader
        .get_mut()
        .write_all(head.as_bytes())
        .unwrap();
    connection
        .reader
        .get_mut()
        .shutdown(std::net::Shutdown::Write)
        .unwrap();
    assert_eq!(connection.read_response().status, 400);
    let (code, stdout, stderr) = listener.stop();
    assert_eq!(code, Some(0), "{stderr}");
    let records = read_records(&path);
    assert_eq!(records.len(), 1);
    let record = &records[0];
    assert_eq!(record.path, "/cut");
    assert_eq!(
        record.body.as_deref(),
        Some("{\"event\": \"whatsapp:message:in\"")
    );
    let rejected = written(record.rejected.as_ref()).unwrap_or_default();
    assert!(rejected.starts_with("incomplete body"), "{rejected}");
    assert!(stdout.contains("400 rejected: incomplete body"), "{stdout}");
}

#[test]
fn an_upgrade_request_is_answered_like_any_other() {
    // `curl --http2 http://...` asks to upgrade to h2c and waits for the answer with the
    // connection open: the body is what was declared, not the rest of the connection.
    let dir = tempfile::tempdir().unwrap();
    let (path, out) = capture_file(&dir);
    let listener = Listener::start(&["--out", &out]);
    let mut connection = Connection::open(&listener.url);
    let timeout = Some(std::time::Duration::from_secs(10));
    connection
        .reader
        .get_ref()
        .set_read_timeout(timeout)
        .unwrap();
    let body = sample_bytes("qikchat/message-text");
    let answer = connection.send(
        "POST",
        "/h2c",
        &[
            ("Connection", "Upgrade, HTTP2-Settings"),
            ("Upgrade", "h2c"),
            ("HTTP2-Settings", "AAMAAABkAAQCAAAAAAIAAAAA"),
        ],
        &body,
    );
    assert_eq!(answer.status, 200);
    let (code, _, stderr) = listener.stop();
    assert_eq!(code, Some(0), "{stderr}");
    let records = read_records(&path);
    assert_eq!(records.len(), 1);
    assert_eq!(
        written(records[0].kind.as_ref()).as_deref(),
        Some("message:text")
    );
    assert_eq!(records[0].body_bytes, body.len() as u64);
}

#[test]
fn filters_and_flags_that_can_do_nothing_are_refused_at_start_up() {
    wa_hook()
        .args([
            "listen",
            "--port",
            "0",
            "--no-save",
            "--events",
            "status,bogus",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--events `bogus` matches nothing"));
    wa_hook()
        .args(["listen", "--port", "0", "--no-save", "--budget", "1s"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--forward-to"));
}

/// Write an executable script.
fn write_executable(path: &Path, text: &str) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::write(path, text).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// `wa-hook listen --tunnel cloudflared` with only `dir` on PATH, run to its end.
fn listen_with_cloudflared_in(dir: &Path) -> assert_cmd::assert::Assert {
    wa_hook()
        .env("PATH", dir)
        .args([
            "listen",
            "--port",
            "0",
            "--no-save",
            "--tunnel",
            "cloudflared",
        ])
        .assert()
}

/// A stand-in tunnel client on PATH: records its arguments, prints `banner` on stderr, waits
/// until it is stopped, and records that it was.
fn stand_in_client(dir: &std::path::Path, name: &str, banner: &str) -> String {
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let script = bin.join(name);
    let log = dir.join(format!("{name}.log"));
    write_executable(
        &script,
        &format!(
            "#!/bin/sh\n\
             echo \"$@\" > '{log}'\n\
             trap 'echo stopped >> \"{log}\"; exit 0' TERM\n\
             printf '%s\\n' '{banner}' >&2\n\
             while :; do sleep 0.05; done\n",
            log = log.display()
        ),
    );
    format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

#[test]
fn a_tunnel_gives_a_public_url_and_is_stopped_with_listen() {
    let dir = tempfile::tempdir().unwrap();
    let path = stand_in_client(
        dir.path(),
        "cloudflared",
        "2024-06-12T10:03:47Z INF |  https://seasonal-deck-organisms-sf.trycloudflare.com   |",
    );
    let mut command = wa_hook_process();
    command.env("PATH", path);
    let mut listener = Listener::start_with(command, &["--no-save", "--tunnel", "cloudflared"]);
    let public = listener.next_stdout_line();
    assert_eq!(
        public.trim(),
        "https://seasonal-deck-organisms-sf.trycloudflare.com/"
    );
    // The listener still answers locally.
    post(
        &listener.url,
        "/webhook",
        &sample_bytes("qikchat/message-text"),
    );
    let port = listener.url.rsplit(':').next().unwrap().to_string();
    let (code, _, stderr) = listener.stop();
    assert_eq!(code, Some(0), "{stderr}");
    let log = std::fs::read_to_string(dir.path().join("cloudflared.log")).unwrap();
    assert_eq!(
        log,
        format!("tunnel --url http://127.0.0.1:{port}\nstopped\n"),
        "started with the listener's port and stopped when listen stopped"
    );
    for provider_line in [
        "Callback URL https://seasonal-deck-organisms-sf.trycloudflare.com/webhook",
        "Qikchat: Settings > Webhook URL https://seasonal-deck-organisms-sf.trycloudflare.com/webhook",
        "Picky Assist: Global Webhook URL",
        "wa-hook partner set-url https://seasonal-deck-organisms-sf.trycloudflare.com/webhook",
    ] {
        assert!(stderr.contains(provider_line), "{provider_line}: {stderr}");
    }
    assert!(
        stderr.contains("Meta WhatsApp Cloud API: anyone with the URL can post"),
        "{stderr}"
    );
    assert!(
        stderr.contains("Picky Assist: anyone with the URL can post"),
        "{stderr}"
    );
}

#[test]
fn a_tunnel_says_what_protects_the_endpoint() {
    let dir = tempfile::tempdir().unwrap();
    let path = stand_in_client(
        dir.path(),
        "ssh",
        "Forwarding HTTP traffic from https://f1e2d3c4b5a6.serveo.net",
    );
    let mut command = wa_hook_process();
    command
        .env("PATH", path)
        .env("META_SECRET", APP_SECRET)
        .env("QIK_AUTH", "user:sentinel-basic-pass");
    let mut listener = Listener::start_with(
        command,
        &[
            "--no-save",
            "--tunnel",
            "ssh:serveo.net",
            "--app-secret-env",
            "META_SECRET",
            "--reject-bad-signature",
            "--basic-auth-env",
            "QIK_AUTH",
            "--format",
            "json",
        ],
    );
    let public: serde_json::Value = serde_json::from_str(&listener.next_stdout_line()).unwrap();
    assert_eq!(public["public_url"], "https://f1e2d3c4b5a6.serveo.net/");
    let (_, stdout, stderr) = listener.stop();
    assert!(
        stderr.contains("Meta WhatsApp Cloud API: signatures checked"),
        "{stderr}"
    );
    assert!(stderr.contains("Qikchat: Basic auth required"), "{stderr}");
    let log = std::fs::read_to_string(dir.path().join("ssh.log")).unwrap();
    assert!(
        log.contains("-R 80:127.0.0.1:") && log.contains("serveo.net"),
        "{log}"
    );
    assert!(log.ends_with("stopped\n"), "{log}");
    assert_nowhere("sentinel-basic-pass", dir.path(), &stdout, &stderr);
}

#[test]
fn a_missing_tunnel_client_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    listen_with_cloudflared_in(dir.path())
        .code(2)
        .stderr(predicate::str::contains(
            "`cloudflared` is not on PATH; install cloudflared",
        ));
    wa_hook()
        .args(["listen", "--port", "0", "--no-save", "--tunnel", "frp"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "use cloudflared, ngrok or ssh:HOST",
        ));
}

/// A client that ends without printing a URL: its last lines are shown.
#[test]
fn a_tunnel_client_that_fails_is_explained() {
    let dir = tempfile::tempdir().unwrap();
    write_executable(
        &dir.path().join("cloudflared"),
        "#!/bin/sh\necho 'ERR failed to request quick Tunnel: no network' >&2\nexit 1\n",
    );
    listen_with_cloudflared_in(dir.path())
        .code(2)
        .stderr(predicate::str::contains("cloudflared stopped"))
        .stderr(predicate::str::contains("failed to request quick Tunnel"));
}

/// ngrok: its public URL is read from its local API (here a stand-in on a free port).
#[test]
fn an_ngrok_tunnel_is_read_from_its_api() {
    let dir = tempfile::tempdir().unwrap();
    let path = stand_in_client(
        dir.path(),
        "ngrok",
        "t=2024-06-12 lvl=info msg=\"starting web service\"",
    );
    // The API lists a tunnel to listen's port once the test knows it, and another agent's
    // tunnel (to port 3000) all along, which must not be taken for ours.
    let port = std::sync::Arc::new(std::sync::Mutex::new(0u16));
    let listed = std::sync::Arc::clone(&port);
    let api = RecordingServer::with_responder(move |_| {
        let port = *listed.lock().unwrap();
        Reply::new(
            200,
            format!(
                r#"{{"tunnels":[
                {{"public_url":"https://other-app.ngrok-free.app","proto":"https","config":{{"addr":"http://localhost:3000"}}}},
                {{"public_url":"https://9c1d-203-0-113-5.ngrok-free.app","proto":"https","config":{{"addr":"http://127.0.0.1:{port}"}}}}]}}"#
            )
            .as_bytes(),
        )
    });
    let mut command = wa_hook_process();
    command
        .env("PATH", path)
        .env("WA_HOOK_NGROK_API", format!("127.0.0.1:{}", api.port));
    let mut listener = Listener::start_with(command, &["--no-save", "--tunnel", "ngrok"]);
    *port.lock().unwrap() = listener.url.rsplit(':').next().unwrap().parse().unwrap();
    assert_eq!(
        listener.next_stdout_line().trim(),
        "https://9c1d-203-0-113-5.ngrok-free.app/"
    );
    let (_, _, stderr) = listener.stop();
    assert!(stderr.contains("ngrok-skip-browser-warning"), "{stderr}");
    assert_eq!(api.requests()[0].url, "/api/tunnels");
    let log = std::fs::read_to_string(dir.path().join("ngrok.log")).unwrap();
    assert!(log.starts_with("http 127.0.0.1:"), "{log}");
}

/// A tunnel client that ends while listen goes on is reported: the public URL leads nowhere.
#[test]
fn a_tunnel_client_that_ends_early_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    write_executable(
        &dir.path().join("cloudflared"),
        "#!/bin/sh\necho 'INF |  https://brief-tunnel-words-ab.trycloudflare.com  |' >&2\n\
         echo 'ERR connection to the edge lost' >&2\nexit 1\n",
    );
    let mut command = wa_hook_process();
    command.env("PATH", dir.path());
    let mut listener = Listener::start_with(command, &["--no-save", "--tunnel", "cloudflared"]);
    assert_eq!(
        listener.next_stdout_line().trim(),
        "https://brief-tunnel-words-ab.trycloudflare.com/"
    );
    let (code, _, stderr) = listener.stop();
    assert_eq!(code, Some(0));
    assert!(
        stderr.contains("the tunnel client (cloudflared) stopped")
            && stderr.contains("connection to the edge lost"),
        "{stderr}"
    );
}

const PARTNER_TOKEN: &str = "sentinel-partner-token-3f9a";

/// A stand-in partner API: getWebhook answers `previous`, setWebhook accepts any URL.
fn partner_api_stand_in(previous: &'static str) -> RecordingServer {
    RecordingServer::with_responder(move |request| {
        if request.header("Authorization") != Some(&format!("Bearer {PARTNER_TOKEN}")) {
            return Reply::new(401, br#"{"message":"Unauthenticated."}"#);
        }
        match (request.method.as_str(), request.url.as_str()) {
            ("GET", "/api/settings/getWebhook") => Reply::new(
                200,
                format!(r#"{{"status":"OK","url":"{previous}","reason":1}}"#).as_bytes(),
            ),
            ("POST", "/api/settings/setWebhook") => {
                let body: serde_json::Value = serde_json::from_slice(&request.body).unwrap();
                Reply::new(
                    200,
                    format!(r#"{{"status":"OK","url":{},"reason":1}}"#, body["url"]).as_bytes(),
                )
            }
            _ => Reply::new(404, b"<html>Not Found</html>"),
        }
    })
}

/// `listen --tunnel cloudflared --register partner` against a stand-in client and partner API,
/// once its public URL is out.
fn registering_listener(dir: &Path, api: &RecordingServer, extra: &[&str]) -> Listener {
    let path = stand_in_client(
        dir,
        "cloudflared",
        "INF |  https://seasonal-deck-organisms-sf.trycloudflare.com  |",
    );
    let mut command = wa_hook_process();
    command
        .env("PATH", path)
        .env("WA_HOOK_PARTNER_TOKEN", PARTNER_TOKEN)
        .env("WA_HOOK_CONFIG_DIR", dir);
    let api_base = format!("{}/api", api.url);
    let mut args = vec![
        "--no-save",
        "--tunnel",
        "cloudflared",
        "--register",
        "partner",
        "--api-base",
        &api_base,
    ];
    args.extend_from_slice(extra);
    let mut listener = Listener::start_with(command, &args);
    listener.next_stdout_line();
    listener
}

#[test]
fn register_partner_points_the_webhook_at_the_tunnel_and_back() {
    let dir = tempfile::tempdir().unwrap();
    let api = partner_api_stand_in("https://crm.example.com/hooks/99digital");
    let listener = registering_listener(dir.path(), &api, &[]);
    let (code, stdout, stderr) = listener.stop();
    assert_eq!(code, Some(0), "{stderr}");
    let calls: Vec<(String, String, String)> = api
        .requests()
        .iter()
        .map(|r| {
            (
                r.method.clone(),
                r.url.clone(),
                String::from_utf8_lossy(&r.body).into_owned(),
            )
        })
        .collect();
    assert_eq!(
        calls,
        [
            (
                "GET".into(),
                "/api/settings/getWebhook".into(),
                String::new()
            ),
            (
                "POST".into(),
                "/api/settings/setWebhook".into(),
                r#"{"url":"https://seasonal-deck-organisms-sf.trycloudflare.com/webhook"}"#.into()
            ),
            (
                "POST".into(),
                "/api/settings/setWebhook".into(),
                r#"{"url":"https://crm.example.com/hooks/99digital"}"#.into()
            ),
        ]
    );
    assert!(
        stderr.contains("put back to https://crm.example.com/hooks/99digital"),
        "{stderr}"
    );
    assert_nowhere(PARTNER_TOKEN, dir.path(), &stdout, &stderr);
}

#[test]
fn register_partner_dry_run_calls_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let api = partner_api_stand_in("https://crm.example.com/hooks/99digital");
    let listener = registering_listener(dir.path(), &api, &["--dry-run"]);
    let (_, stdout, stderr) = listener.stop();
    assert!(api.requests().is_empty());
    assert!(
        stderr.contains("GET ")
            && stderr.contains("/api/settings/getWebhook")
            && stderr.contains("https://seasonal-deck-organisms-sf.trycloudflare.com/webhook"),
        "{stderr}"
    );
    assert_nowhere(PARTNER_TOKEN, dir.path(), &stdout, &stderr);
}

/// Two listeners on one capture file would number their records from the same seq: the second
/// is refused with what to do.
#[test]
fn a_second_listener_on_the_same_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("two.jsonl");
    let first = Listener::start(&["--out", out.to_str().unwrap(), "--no-ui"]);
    wa_hook()
        .args(["listen", "--port", "0", "--no-ui", "--out"])
        .arg(&out)
        .timeout(std::time::Duration::from_secs(30))
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "is being written by another `wa-hook listen`",
        ));
    drop(first);
}

/// `--status 500` answers a body that reads as an error, not `{"ok":true}`; `--reply` still
/// answers its own body.
#[test]
fn an_error_status_answers_an_error_body() {
    let listener = Listener::start(&["--no-save", "--no-ui", "--status", "500"]);
    let response = post(&listener.url, "/hook", &sample_bytes("qikchat/status-read"));
    assert_eq!(response.status, 500);
    assert_eq!(response.body, br#"{"ok":false}"#);
    drop(listener);

    let listener = Listener::start(&["--no-save", "--no-ui", "--status", "204"]);
    let response = post(&listener.url, "/hook", &sample_bytes("qikchat/status-read"));
    assert_eq!(response.status, 204);
    drop(listener);

    let listener = Listener::start(&[
        "--no-save",
        "--no-ui",
        "--status",
        "503",
        "--reply",
        "picky/reply-text",
    ]);
    let response = post(&listener.url, "/hook", &sample_bytes("qikchat/status-read"));
    assert_eq!(response.status, 503);
    assert_eq!(response.body, sample_bytes("picky/reply-text"));
    drop(listener);

    // A reply cannot ride on an answer that carries no body: refused before anything binds.
    let assert = wa_hook()
        .args(["listen", "--port", "0", "--no-save", "--no-ui"])
        .args(["--status", "204", "--reply", "picky/reply-text"])
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).to_string();
    assert!(stderr.contains("a 204 answer carries none"), "{stderr}");
    assert!(assert.get_output().stdout.is_empty());
}

/// A Basic-auth secret with a newline inside could never match a header: refused at start-up,
/// without repeating it.
#[test]
fn a_basic_auth_secret_with_a_newline_is_refused_at_start_up() {
    let assert = wa_hook()
        .args(["listen", "--port", "0", "--no-save", "--no-ui"])
        .args(["--basic-auth-env", "LISTEN_BASIC"])
        .env("LISTEN_BASIC", "qikchat:hunter2\nsentinel")
        .timeout(std::time::Duration::from_secs(30))
        .assert()
        .code(2)
        .stdout("");
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(stderr.contains("password holds a newline"), "{stderr}");
    assert!(
        !stderr.contains("hunter2") && !stderr.contains("sentinel"),
        "{stderr}"
    );
}

/// An https:// forward target that serves plain HTTP is a TLS failure, said as one, not
/// "is your app running?" (it is).
#[test]
fn a_tls_failure_to_the_app_is_named_as_one() {
    let app = RecordingServer::start();
    let dir = tempfile::tempdir().unwrap();
    let (path, out) = capture_file(&dir);
    let target = format!("https://127.0.0.1:{}/app", app.port);
    let listener = Listener::start(&["--out", &out, "--no-ui", "--forward-to", &target]);
    let response = post(
        &listener.url,
        "/hook",
        &sample_bytes("qikchat/message-text"),
    );
    assert_eq!(response.status, 502);
    let (_, stdout, _) = listener.stop();
    let records = read_records(&path);
    let error = records[0].forward.as_ref().unwrap().error.clone().unwrap();
    assert!(error.contains("did not answer in TLS"), "{error}");
    assert!(!error.contains("is your app running"), "{error}");
    assert!(stdout.contains("did not answer in TLS"), "{stdout}");
}

/// A missing tunnel client is found before listen binds its port or prints a URL: nothing on
/// stdout (a script reading the URL gets none), and a taken port does not hide it.
#[test]
fn a_missing_tunnel_client_is_found_before_any_url_is_printed() {
    let dir = tempfile::tempdir().unwrap();
    // A file of that name that is not executable is no client either.
    std::fs::write(dir.path().join("cloudflared"), "not a program").unwrap();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    wa_hook()
        .env("PATH", dir.path())
        .args(["listen", "--port", &port, "--no-save", "--no-ui"])
        .args(["--tunnel", "cloudflared"])
        .timeout(std::time::Duration::from_secs(30))
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains(
            "`cloudflared` is not on PATH; install cloudflared",
        ))
        .stderr(predicate::str::contains("already in use").not());
}

/// The app's answers are counted by status in the summary (text and JSON): a 500 or 401 from
/// the app is no forward failure, but it must not be invisible. A right signature the app
/// refuses gets a hint on its line.
#[test]
fn the_summary_counts_the_apps_answers_by_status() {
    let app = RecordingServer::with_responder(|request| {
        let status = match request.url.as_str() {
            "/app/crash" => 500,
            "/app/refuse" => 401,
            _ => 200,
        };
        Reply::new(status, b"{}")
    });
    let target = format!("{}/app", app.url);
    let mut command = wa_hook_process();
    command.env("META_SECRET", APP_SECRET);
    let listener = Listener::start_with(
        command,
        &[
            "--no-save",
            "--no-ui",
            "--forward-to",
            &target,
            "--app-secret-env",
            "META_SECRET",
        ],
    );
    let body = sample_bytes("meta/message-text");
    let signature = sign(&body);
    let signed = [("X-Hub-Signature-256", signature.as_str())];
    let mut connection = Connection::open(&listener.url);
    for (path, count) in [("/ok", 3), ("/crash", 2), ("/refuse", 1)] {
        for _ in 0..count {
            connection.send("POST", path, &signed, &body);
        }
    }
    let (code, stdout, stderr) = listener.stop();
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stderr.contains("app: 200 × 3, 500 × 2, 401 × 1"),
        "{stderr}"
    );
    assert!(stderr.contains("0 forward failures"), "{stderr}");
    let refused_line = stdout
        .lines()
        .position(|line| line.contains("POST /refuse"))
        .expect("the refused request's line");
    let hint = stdout.lines().nth(refused_line + 1).unwrap_or_default();
    assert!(
        hint.contains("the app refused a body whose signature is right"),
        "{stdout}"
    );
    // Only there: a 500 is no refusal of the signature.
    assert_eq!(stdout.matches("signature is right").count(), 1, "{stdout}");

    let listener = Listener::start(&[
        "--no-save",
        "--no-ui",
        "--format",
        "json",
        "--forward-to",
        &target,
    ]);
    post(&listener.url, "/crash", &body);
    post(&listener.url, "/ok", &body);
    post(&listener.url, "/crash", &body);
    let (_, stdout, _) = listener.stop();
    let summary: serde_json::Value = serde_json::from_str(stdout.lines().last().unwrap()).unwrap();
    assert_eq!(
        summary["summary"]["app_statuses"],
        serde_json::json!({"500": 2, "200": 1}),
        "{summary}"
    );
    assert_eq!(summary["summary"]["forward_failures"], 0, "{summary}");
}

/// `--events` takes Meta's own webhook field names, and refuses a typo with the word meant.
#[test]
fn events_take_metas_field_names_and_refuse_typos() {
    let listener = Listener::start(&[
        "--no-save",
        "--no-ui",
        "--events",
        "account_alerts,message_template_status_update",
    ]);
    for name in [
        "meta/account-alert",
        "meta/template-status-approved",
        "meta/message-text",
    ] {
        post(&listener.url, "/", &sample_bytes(name));
    }
    let (_, stdout, _) = listener.stop();
    assert!(stdout.contains("meta account_alert"), "{stdout}");
    assert!(stdout.contains("meta template_status:APPROVED"), "{stdout}");
    assert!(!stdout.contains("message:text"), "{stdout}");

    wa_hook()
        .args(["listen", "--port", "0", "--no-save", "--no-ui"])
        .args(["--events", "acount_alerts"])
        .timeout(std::time::Duration::from_secs(30))
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains("did you mean `account_alerts`?"));
}

/// A Meta message that carries `errors` (131000: its content was not delivered) is valid, and
/// its line says the error, whether Meta puts it on the message or on the value.
#[test]
fn a_message_carrying_errors_shows_them_and_stays_valid() {
    let on_message = sample_bytes("meta/message-interactive-undelivered");
    let mut on_value: serde_json::Value = serde_json::from_slice(&on_message).unwrap();
    let value = &mut on_value["entry"][0]["changes"][0]["value"];
    let errors = value["messages"][0]
        .as_object_mut()
        .unwrap()
        .remove("errors")
        .unwrap();
    value["errors"] = errors;
    let on_value = serde_json::to_vec(&on_value).unwrap();
    let listener = Listener::start(&["--no-save", "--no-ui"]);
    post(&listener.url, "/on-message", &on_message);
    post(&listener.url, "/on-value", &on_value);
    let (_, stdout, _) = listener.stop();
    for path in ["/on-message", "/on-value"] {
        let line = stdout
            .lines()
            .find(|line| line.contains(path))
            .unwrap_or_else(|| panic!("no line for {path}: {stdout}"));
        assert!(
            line.contains("message:interactive")
                && line.contains("error 131000 Something went wrong")
                && line.ends_with('✓'),
            "{line}"
        );
    }
}

/// `wa-hook listen` in its own process group, with its URL read from its first line.
fn listen_in_own_group(args: &[&str]) -> (std::process::Child, String) {
    use std::os::unix::process::CommandExt;
    let mut child = wa_hook_process()
        .process_group(0)
        .args(["listen", "--port", "0", "--no-ui"])
        .args(args)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut url = String::new();
    stdout.read_line(&mut url).unwrap();
    // The rest of stdout is read to the end, so listen never waits on a full pipe.
    std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
    let url = url.trim().trim_end_matches('/').to_string();
    assert!(
        url.starts_with("http://"),
        "first line is not a URL: {url:?}"
    );
    (child, url)
}

/// `timeout -s INT` signals listen and its process group, two SIGINTs microseconds apart: one
/// stop (exit 0), the summary printed once, every record in the capture file.
#[test]
fn a_signal_to_listen_and_its_group_is_one_stop() {
    let dir = tempfile::tempdir().unwrap();
    let (path, out) = capture_file(&dir);
    let (child, url) = listen_in_own_group(&["--out", &out]);
    for _ in 0..5 {
        let answer = post(&url, "/", &sample_bytes("qikchat/message-text"));
        assert_eq!(answer.status, 200);
    }
    crate::signals::signal_like_timeout(child.id());
    let output = crate::signals::output_within(child, std::time::Duration::from_secs(30));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert_eq!(stderr.matches("Stopped after").count(), 1, "{stderr}");
    assert!(!stderr.contains("stopped at once"), "{stderr}");
    let records = read_records(&path);
    assert_eq!(records.len(), 5);
    assert_eq!(
        records.iter().map(|record| record.seq).collect::<Vec<_>>(),
        [1, 2, 3, 4, 5]
    );
}

/// A second Ctrl-C while listen waits for a request it holds (`--delay`) exits 130 at once.
#[test]
fn a_second_signal_stops_listen_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let (path, out) = capture_file(&dir);
    let (mut child, url) = listen_in_own_group(&["--out", &out, "--delay", "1min"]);
    std::thread::spawn(move || {
        let _ = Connection::open(&url).send("POST", "/", &[], b"{\"hello\":1}");
    });
    // The record is saved before the delayed answer: the request is held.
    let give_up = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while std::fs::read(&path).map_or(true, |bytes| !bytes.contains(&b'\n')) {
        assert!(
            std::time::Instant::now() < give_up,
            "listen took no request"
        );
        std::thread::yield_now();
    }
    crate::signals::interrupt(child.id());
    // Longer than a signal delivered twice takes, shorter than the second listen gives the
    // request it holds.
    std::thread::sleep(std::time::Duration::from_millis(300));
    assert!(child.try_wait().unwrap().is_none(), "listen did not wait");
    crate::signals::interrupt(child.id());
    let output = crate::signals::output_within(child, std::time::Duration::from_secs(10));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(130), "{stderr}");
    assert_eq!(read_records(&path).len(), 1);
}
