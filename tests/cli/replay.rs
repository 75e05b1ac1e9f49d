//! `wa-hook replay` tests, against a recording server on 127.0.0.1:0.
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine;
use serde_json::Value;

use crate::common::*;

const PASSWORD: &str = "sentinel-password-9c2e";
const APP_SECRET: &str = "sentinel-app-secret-71ab";
const VERIFY_TOKEN: &str = "sentinel-verify-token-5d0f";

fn replay(server: &RecordingServer, args: &[&str]) -> assert_cmd::assert::Assert {
    wa_hook()
        .arg("replay")
        .args(args)
        .args(["--to", &server.url])
        .assert()
}

/// Extra arguments for tests with several connections at once. tiny_http's thread pool can
/// leave a new connection queued behind busy keep-alive connections until one of them closes
/// (its `spawn` races with a waking thread), so a request waits for the client's timeout; with
/// `Connection: close` every connection ends after its response and frees its thread.
const CLOSE_CONNECTIONS: [&str; 2] = ["-H", "Connection: close"];

fn json_summary(output: &[u8]) -> Value {
    let text = String::from_utf8_lossy(output);
    let line = text.lines().last().expect("a summary line");
    serde_json::from_str(line).unwrap_or_else(|err| panic!("not JSON ({err}): {text}"))
}

fn json_lines(stdout: &[u8]) -> Vec<Value> {
    stdout
        .split(|b| *b == b'\n')
        .filter(|line| !line.is_empty())
        .map(|line| serde_json::from_slice(line).unwrap())
        .collect()
}

fn body_json(recorded: &Recorded) -> Value {
    serde_json::from_slice(&recorded.body).expect("a JSON body")
}

fn now_seconds() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn assert_no_secret(output: &std::process::Output, secret: &str) {
    for (stream, bytes) in [("stdout", &output.stdout), ("stderr", &output.stderr)] {
        assert!(
            !contains_bytes(bytes, secret.as_bytes()),
            "the secret appeared on {stream}: {}",
            String::from_utf8_lossy(bytes)
        );
    }
}

/// A body as compact JSON (how wa-hook writes a provider's body on the wire by default).
fn compact(bytes: &[u8]) -> Vec<u8> {
    serde_json::to_vec(&serde_json::from_slice::<Value>(bytes).unwrap()).unwrap()
}

/// A body as Meta writes it, written here independently of wa-hook: compact JSON with every
/// non-ASCII character as a lowercase `\uXXXX` escape (UTF-16, surrogate pairs above U+FFFF)
/// and every `/` as `\/`.
fn as_meta_writes(bytes: &[u8]) -> Vec<u8> {
    let compact = String::from_utf8(compact(bytes)).unwrap();
    let mut out = String::new();
    for c in compact.chars() {
        match c {
            '/' => out.push_str("\\/"),
            c if c.is_ascii() => out.push(c),
            c => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
        }
    }
    out.into_bytes()
}

#[test]
fn samples_arrive_as_their_provider_writes_them() {
    let server = RecordingServer::start();
    replay(&server, &["qikchat/message-text", "meta/status-read"])
        .success()
        .stdout(predicate::str::contains("✓ qikchat/message-text  200"))
        .stdout(predicate::str::contains("✓ all 2 requests answered 2xx"));
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    let mut bodies: Vec<Vec<u8>> = requests.iter().map(|r| r.body.clone()).collect();
    bodies.sort();
    let mut expected = vec![
        compact(&sample_bytes("qikchat/message-text")),
        as_meta_writes(&sample_bytes("meta/status-read")),
    ];
    expected.sort();
    assert_eq!(bodies, expected);
    for request in &requests {
        assert_eq!(request.method, "POST");
        assert_eq!(request.url, "/");
        assert_eq!(request.header("Content-Type"), Some("application/json"));
    }
}

#[test]
fn files_folders_and_json_lines_keep_their_bytes() {
    let dir = tempfile::tempdir().unwrap();
    // Odd spacing and no trailing newline: sent exactly so.
    let odd = b"{ \"event\":\"whatsapp:message:in\" ,\"payload\":{}}";
    std::fs::write(dir.path().join("odd.json"), odd).unwrap();
    std::fs::write(dir.path().join("two.jsonl"), b"{\"a\":1}\n{\"b\": 2}\n").unwrap();
    let server = RecordingServer::start();
    replay(&server, &[dir.path().to_str().unwrap(), "-c", "1"]).success();
    let bodies: Vec<Vec<u8>> = server.requests().iter().map(|r| r.body.clone()).collect();
    assert_eq!(
        bodies,
        vec![odd.to_vec(), b"{\"a\":1}".to_vec(), b"{\"b\": 2}".to_vec()]
    );
}

#[test]
fn target_path_is_kept() {
    let server = RecordingServer::start();
    wa_hook()
        .args(["replay", "picky/message-text", "--to"])
        .arg(format!("{}/hooks/picky?src=test", server.url))
        .assert()
        .success();
    assert_eq!(server.requests()[0].url, "/hooks/picky?src=test");
}

#[test]
fn headers_and_basic_auth_are_sent_and_the_password_never_shown() {
    // A server that echoes the password back must not get it printed either.
    let server = RecordingServer::with_responder(|_| {
        Reply::new(
            401,
            format!("{{\"error\":\"bad password {PASSWORD}\"}}").as_bytes(),
        )
    });
    let output = wa_hook()
        .env("QIK_AUTH", format!("qikuser:{PASSWORD}"))
        .args([
            "replay",
            "qikchat/message-text",
            "-H",
            "X-Test: one",
            "-H",
            "Content-Type: application/vnd.test+json",
            "--basic-auth-env",
            "QIK_AUTH",
            "--to",
            &server.url,
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert_no_secret(&output, PASSWORD);
    let request = &server.requests()[0];
    assert_eq!(request.header("X-Test"), Some("one"));
    assert_eq!(
        request.header("Content-Type"),
        Some("application/vnd.test+json")
    );
    let expected = base64::engine::general_purpose::STANDARD.encode(format!("qikuser:{PASSWORD}"));
    assert_eq!(
        request.header("Authorization"),
        Some(format!("Basic {expected}").as_str())
    );
}

#[test]
fn set_edits_with_dotted_paths_and_pointers() {
    let server = RecordingServer::start();
    replay(
        &server,
        &[
            "qikchat/message-text",
            "--set",
            "payload.message.text.body=hello there",
            "--set",
            "/payload/contacts/0/profile/name=\"Asha\"",
            "--set",
            "payload.extra={\"n\": 3}",
        ],
    )
    .success();
    let body = body_json(&server.requests()[0]);
    assert_eq!(body["payload"]["message"]["text"]["body"], "hello there");
    assert_eq!(body["payload"]["contacts"][0]["profile"]["name"], "Asha");
    assert_eq!(body["payload"]["extra"]["n"], 3);
    // Untouched fields are unchanged.
    assert_eq!(body["payload"]["id"], "7hQx2LmPa9VbR3sTnC0wYe5Kd");
}

#[test]
fn set_into_a_scalar_is_an_input_error() {
    let server = RecordingServer::start();
    replay(&server, &["qikchat/message-text", "--set", "event.x=1"])
        .code(2)
        .stderr(predicate::str::contains("/event is string"));
    assert!(server.requests().is_empty());
}

#[test]
fn fresh_gives_each_send_new_ids_and_current_timestamps() {
    let server = RecordingServer::start();
    replay(&server, &["meta/message-text", "-n", "3", "--fresh"]).success();
    let requests = server.requests();
    assert_eq!(requests.len(), 3);
    let mut ids = Vec::new();
    for request in &requests {
        let body = body_json(request);
        let message = &body["entry"][0]["changes"][0]["value"]["messages"][0];
        let id = message["id"].as_str().unwrap().to_string();
        assert!(id.starts_with("wamid."), "{id}");
        let timestamp: i64 = message["timestamp"].as_str().unwrap().parse().unwrap();
        assert!((timestamp - now_seconds()).abs() < 120, "{timestamp}");
        ids.push(id);
    }
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 3, "ids repeat: {ids:?}");

    let server = RecordingServer::start();
    replay(&server, &["qikchat/status-read", "-n", "2", "--fresh"]).success();
    let bodies: Vec<Value> = server.requests().iter().map(body_json).collect();
    assert_ne!(bodies[0]["payload"]["id"], bodies[1]["payload"]["id"]);
    let stamp = bodies[0]["payload"]["timestamp"].as_str().unwrap();
    let year = humantime::format_rfc3339(SystemTime::now()).to_string()[..4].to_string();
    assert!(stamp.starts_with(&year), "{stamp}");
}

#[test]
fn sequence_sends_the_lifecycle_in_order() {
    let server = RecordingServer::start();
    replay(
        &server,
        &[
            "meta/status-sent",
            "--sequence",
            "--fresh",
            "-n",
            "2",
            "-c",
            "2",
            CLOSE_CONNECTIONS[0],
            CLOSE_CONNECTIONS[1],
        ],
    )
    .success()
    .stdout(predicate::str::contains("meta/status-sent [delivered]"));
    let requests = server.requests();
    assert_eq!(requests.len(), 6);
    let mut by_id: std::collections::BTreeMap<String, Vec<(String, String)>> =
        std::collections::BTreeMap::new();
    for request in &requests {
        let body = body_json(request);
        let status = &body["entry"][0]["changes"][0]["value"]["statuses"][0];
        by_id
            .entry(status["id"].as_str().unwrap().to_string())
            .or_default()
            .push((
                status["status"].as_str().unwrap().to_string(),
                status["timestamp"].as_str().unwrap().to_string(),
            ));
    }
    assert_eq!(by_id.len(), 2, "one message id per sequence");
    for steps in by_id.values() {
        let statuses: Vec<&str> = steps.iter().map(|(s, _)| s.as_str()).collect();
        assert_eq!(statuses, ["sent", "delivered", "read"]);
        assert!(steps.windows(2).all(|w| w[0].1 < w[1].1), "{steps:?}");
    }

    let server = RecordingServer::start();
    replay(&server, &["qikchat/status-failed", "--sequence"]).success();
    let statuses: Vec<String> = server
        .requests()
        .iter()
        .map(|r| {
            body_json(r)["payload"]["status"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(statuses, ["sent", "failed"]);
}

#[test]
fn sequence_needs_a_status_sample() {
    let server = RecordingServer::start();
    replay(&server, &["meta/message-text", "--sequence"])
        .code(2)
        .stderr(predicate::str::contains("--sequence needs a status"));
    assert!(server.requests().is_empty());
}

#[test]
fn picky_query_sends_fields_as_query_parameters() {
    let server = RecordingServer::start();
    replay(&server, &["picky/message-text", "--picky-query"]).success();
    let request = &server.requests()[0];
    assert!(request.body.is_empty());
    let (path, query) = request.url.split_once('?').unwrap();
    assert_eq!(path, "/");
    let fields: std::collections::HashMap<String, String> =
        url::form_urlencoded::parse(query.as_bytes())
            .into_owned()
            .collect();
    assert_eq!(fields["number"], "919846012345");
    assert_eq!(fields["message-in"], "Hi, is my order #4521 shipped?");
    assert_eq!(fields["unique-id"], "70946013");

    replay(&server, &["qikchat/message-text", "--picky-query"])
        .code(2)
        .stderr(predicate::str::contains("not a Picky Assist message"));
}

fn capture_line(method: &str, path: &str, query: &str, body: &[u8]) -> String {
    let (text, encoding) = match std::str::from_utf8(body) {
        Ok(text) => (text.to_string(), "utf8"),
        Err(_) => (
            base64::engine::general_purpose::STANDARD.encode(body),
            "base64",
        ),
    };
    serde_json::json!({
        "wa_hook_capture": 1,
        "seq": 1,
        "received_at": "2026-01-02T03:04:05.000006Z",
        "remote_addr": "127.0.0.1:50000",
        "method": method,
        "path": path,
        "query": query,
        "headers": [
            ["Host", "127.0.0.1:8787"],
            ["Content-Type", "application/json; charset=utf-8"],
            ["X-Custom", "kept"],
            ["Authorization", "(redacted)"],
            ["Content-Length", body.len().to_string()]
        ],
        "redacted_headers": ["Authorization"],
        "body": text,
        "body_encoding": encoding,
        "body_bytes": body.len(),
        "response_status": 200
    })
    .to_string()
}

#[test]
fn capture_files_replay_method_path_query_headers_and_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("captures.jsonl");
    let json_body = b"{\"event\": \"whatsapp:message:in\",\n \"payload\": {}}\n";
    let binary_body = b"\xff\x00binary\xfe";
    let lines = [
        capture_line("PUT", "/hooks/in", "a=1&b=two", json_body),
        capture_line("POST", "/raw", "", binary_body),
    ];
    std::fs::write(&file, lines.join("\n") + "\n").unwrap();
    let server = RecordingServer::start();
    wa_hook()
        .args(["replay", file.to_str().unwrap(), "-c", "1", "--to"])
        .arg(format!("{}/base/", server.url))
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "listen redacted in the captures (Authorization)",
        ))
        .stderr(predicate::str::contains(
            "--basic-auth-env VAR for Basic credentials",
        ));
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[0].method, "PUT");
    assert_eq!(requests[0].url, "/base/hooks/in?a=1&b=two");
    assert_eq!(requests[0].body, json_body);
    assert_eq!(requests[0].header("X-Custom"), Some("kept"));
    assert_eq!(
        requests[0].header("Content-Type"),
        Some("application/json; charset=utf-8")
    );
    assert_eq!(requests[0].header("Authorization"), None);
    assert_eq!(requests[1].url, "/base/raw");
    assert_eq!(requests[1].body, binary_body);
    // With the credentials given again, nothing is left out and nothing is said.
    let server = RecordingServer::start();
    wa_hook()
        .env("QA", "user:pass")
        .args([
            "replay",
            file.to_str().unwrap(),
            "--basic-auth-env",
            "QA",
            "--to",
        ])
        .arg(format!("{}/base/", server.url))
        .assert()
        .success()
        .stderr(predicate::str::contains("listen redacted").not());
    assert!(server.requests()[0].header("Authorization").is_some());
}

#[test]
fn captured_root_path_and_redacted_query_values_are_not_sent() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("captures.json");
    let query = "hub.mode=subscribe&hub.verify_token=(redacted)&hub.challenge=7";
    std::fs::write(&file, capture_line("GET", "/", query, b"") + "\n").unwrap();
    let server = RecordingServer::start();
    wa_hook()
        .args(["replay", file.to_str().unwrap(), "--to"])
        .arg(format!("{}/webhook", server.url))
        .assert()
        .success()
        .stderr(predicate::str::contains("query hub.verify_token"));
    let requests = server.requests();
    assert_eq!(
        requests[0].url,
        "/webhook?hub.mode=subscribe&hub.challenge=7"
    );
}

#[test]
fn replay_into_listen_and_back_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    let capture = dir.path().join("captured.jsonl");
    let listener = Listener::start(&["--out", capture.to_str().unwrap()]);
    wa_hook()
        .args([
            "replay",
            "smartflow/message-text",
            "-H",
            "X-Trace: 42",
            "--to",
        ])
        .arg(format!("{}/hooks/smartflow?tenant=7", listener.url))
        .assert()
        .success();
    let (code, _, stderr) = listener.stop();
    assert_eq!(code, Some(0), "{stderr}");

    let server = RecordingServer::start();
    replay(&server, &[capture.to_str().unwrap()]).success();
    let request = &server.requests()[0];
    assert_eq!(request.method, "POST");
    assert_eq!(request.url, "/hooks/smartflow?tenant=7");
    // What the first replay sent, byte for byte: the capture was not edited.
    assert_eq!(
        request.body,
        compact(&sample_bytes("smartflow/message-text"))
    );
    assert_eq!(request.header("X-Trace"), Some("42"));
}

#[test]
fn server_errors_fail_with_exit_1() {
    let server = RecordingServer::with_responder(|_| Reply::new(500, b"{\"error\":\"boom\"}"));
    let output = wa_hook()
        .args([
            "replay",
            "qikchat/message-text",
            "-n",
            "3",
            "--format",
            "json",
        ])
        .args(["--to", &server.url])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let summary = json_summary(&output.stdout);
    assert_eq!(summary["sent"], 3);
    assert_eq!(summary["by_status"]["500"], 3);
    assert_eq!(summary["matched"], 0);
    assert_eq!(summary["ok"], false);

    let server = RecordingServer::with_responder(|_| Reply::new(404, b"not here"));
    replay(&server, &["qikchat/message-text"])
        .code(1)
        .stdout(predicate::str::contains("✗ qikchat/message-text  404"))
        .stdout(predicate::str::contains("not here"));
    replay(
        &server,
        &["qikchat/message-text", "--expect-status", "200,404"],
    )
    .success();
    replay(&server, &["qikchat/message-text", "--expect-status", "2yy"]).code(2);
}

#[test]
fn timeouts_are_counted_and_fail_with_exit_1() {
    let server = RecordingServer::with_responder(|_| {
        // Longer than --timeout: the client gives up first.
        std::thread::sleep(std::time::Duration::from_millis(1500));
        Reply::ok()
    });
    let output = wa_hook()
        .args(["replay", "qikchat/message-text", "--timeout", "200ms"])
        .args(["--format", "json", "--to", &server.url])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let summary = json_summary(&output.stdout);
    assert_eq!(summary["timeouts"], 1);
    assert_eq!(summary["responses"], 0);
    assert!(
        summary["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("timed out")
    );
}

#[test]
fn refused_connections_exit_2_and_suggest_listen() {
    let url = format!("http://127.0.0.1:{}", closed_port());
    wa_hook()
        .args(["replay", "qikchat/message-text", "--to", &url])
        .assert()
        .code(2)
        .stdout(predicate::str::contains("1 could not connect"))
        .stderr(predicate::str::contains(&url))
        .stderr(predicate::str::contains("connection refused"))
        .stderr(predicate::str::contains("wa-hook listen"));
}

#[test]
fn many_requests_are_all_sent_and_summarised() {
    let server = RecordingServer::start();
    let output = wa_hook()
        .args(["replay", "qikchat/status-read", "-n", "200", "-c", "16"])
        .args(CLOSE_CONNECTIONS)
        .args(["--format", "json", "--to", &server.url])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
    assert_eq!(server.requests().len(), 200);
    let summary = json_summary(&output.stdout);
    assert_eq!(summary["sent"], 200);
    assert_eq!(summary["by_status"]["200"], 200);
    assert_eq!(summary["connection_errors"], 0);
    let histogram: u64 = summary["histogram"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["count"].as_u64().unwrap())
        .sum();
    assert_eq!(histogram, 200);
    let latency = &summary["latency_ms"];
    assert!(latency["min"].as_f64() <= latency["p50"].as_f64());
    assert!(latency["p50"].as_f64() <= latency["p99"].as_f64());
    assert!(latency["p99"].as_f64() <= latency["max"].as_f64());
}

#[test]
fn many_requests_in_text_print_only_the_summary() {
    let server = RecordingServer::start();
    replay(
        &server,
        &[
            "qikchat/status-read",
            "-n",
            "40",
            "-c",
            "4",
            CLOSE_CONNECTIONS[0],
            CLOSE_CONNECTIONS[1],
        ],
    )
    .success()
    .stdout(predicate::str::contains("qikchat/status-read").not())
    .stdout(predicate::str::contains("Histogram"))
    .stdout(predicate::str::contains("200 × 40"));
}

#[test]
fn verbose_json_lists_every_result() {
    let server = RecordingServer::start();
    let output = wa_hook()
        .args([
            "replay",
            "meta/status-sent",
            "--sequence",
            "-v",
            "--format",
            "json",
        ])
        .args(["--to", &server.url])
        .output()
        .unwrap();
    assert!(output.status.success());
    // Each result is a line of its own, printed as it completes; the summary comes last.
    let lines = json_lines(&output.stdout);
    let (summary, results) = lines.split_last().unwrap();
    assert_eq!(summary["sent"], 3);
    let steps: Vec<&str> = results
        .iter()
        .map(|r| r["step"].as_str().unwrap())
        .collect();
    assert_eq!(steps, ["sent", "delivered", "read"]);
}

#[test]
fn signing_covers_the_exact_bytes_sent_and_hides_the_secret() {
    let server = RecordingServer::start();
    let output = wa_hook()
        .env("META_APP_SECRET", APP_SECRET)
        .args(["replay", "meta/message-text", "meta/status-read", "-n", "2"])
        .args(["--fresh", "--set", "entry.0.id=999", "--app-secret-env"])
        .args(["META_APP_SECRET", "--to", &server.url])
        .output()
        .unwrap();
    assert!(output.status.success());
    assert_no_secret(&output, APP_SECRET);
    let secret = wa_hook::secret::SecretString::new(APP_SECRET);
    let requests = server.requests();
    assert_eq!(requests.len(), 4);
    for request in &requests {
        assert_eq!(body_json(request)["entry"][0]["id"], 999);
        assert_eq!(
            request.header("X-Hub-Signature-256"),
            Some(wa_hook::providers::meta::signature::sign(&secret, &request.body).as_str())
        );
    }

    // Unedited samples are signed as they are sent: as Meta writes them.
    let server = RecordingServer::start();
    wa_hook()
        .env("META_APP_SECRET", APP_SECRET)
        .args([
            "replay",
            "meta/status-sent",
            "--app-secret-env",
            "META_APP_SECRET",
        ])
        .args(["--to", &server.url])
        .assert()
        .success();
    let request = &server.requests()[0];
    assert_eq!(
        request.body,
        as_meta_writes(&sample_bytes("meta/status-sent"))
    );
    assert_eq!(
        request.header("X-Hub-Signature-256"),
        Some(wa_hook::providers::meta::signature::sign(&secret, &request.body).as_str())
    );
}

/// A server that answers Meta's handshake the way a correct app does.
fn handshake_app() -> RecordingServer {
    RecordingServer::with_responder(|request| {
        let query = request.url.split_once('?').map_or("", |(_, q)| q);
        let fields: std::collections::HashMap<String, String> =
            url::form_urlencoded::parse(query.as_bytes())
                .into_owned()
                .collect();
        if fields.get("hub.mode").map(String::as_str) == Some("subscribe")
            && fields.get("hub.verify_token").map(String::as_str) == Some(VERIFY_TOKEN)
        {
            Reply::new(200, fields["hub.challenge"].as_bytes())
        } else {
            Reply::new(403, b"forbidden")
        }
    })
}

fn handshake(server: &RecordingServer, token: &str) -> std::process::Output {
    wa_hook()
        .env("VERIFY_TOKEN", token)
        .args([
            "replay",
            "--handshake",
            "--verify-token-env",
            "VERIFY_TOKEN",
        ])
        .args(["--to", &format!("{}/webhook", server.url)])
        .output()
        .unwrap()
}

#[test]
fn handshake_succeeds_when_the_challenge_comes_back() {
    let server = handshake_app();
    let output = handshake(&server, VERIFY_TOKEN);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
    assert_no_secret(&output, VERIFY_TOKEN);
    let request = &server.requests()[0];
    assert_eq!(request.method, "GET");
    assert!(
        request
            .url
            .starts_with("/webhook?hub.mode=subscribe&hub.verify_token=")
    );
    assert!(request.url.contains("&hub.challenge="));
}

#[test]
fn handshake_fails_on_a_wrong_token_or_body() {
    let server = handshake_app();
    let output = handshake(&server, "sentinel-wrong-token-1234");
    assert_eq!(output.status.code(), Some(1));
    assert_no_secret(&output, "sentinel-wrong-token-1234");
    assert!(String::from_utf8_lossy(&output.stdout).contains("answered 403"));

    let server = RecordingServer::with_responder(|_| Reply::new(200, b"{\"ok\":true}"));
    let output = handshake(&server, VERIFY_TOKEN);
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stdout).contains("not the challenge"));

    let output = wa_hook()
        .env("VERIFY_TOKEN", VERIFY_TOKEN)
        .args([
            "replay",
            "--handshake",
            "--verify-token-env",
            "VERIFY_TOKEN",
        ])
        .args(["--to", &closed_port().to_string()])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert_no_secret(&output, VERIFY_TOKEN);
}

#[test]
fn picky_instant_replies_are_validated() {
    let server = RecordingServer::with_responder(|_| {
        Reply::new(200, b"{\"message-out\": \"Thanks!\", \"delay\": \"soon\"}")
    });
    replay(&server, &["picky/message-text"])
        .success()
        .stdout(predicate::str::contains(
            "instant reply: picky reply:text (invalid)",
        ))
        .stdout(predicate::str::contains("/delay"));

    let server =
        RecordingServer::with_responder(|_| Reply::new(200, &sample_bytes("picky/reply-text")));
    replay(&server, &["picky/message-text"])
        .success()
        .stdout(predicate::str::contains(
            "✓ instant reply: picky reply:text (valid)",
        ));
}

#[test]
fn inputs_are_checked_before_anything_is_sent() {
    let server = RecordingServer::start();
    replay(&server, &["qikchat/message-text", "qikchat/mesage-txt"])
        .code(2)
        .stderr(predicate::str::contains(
            "did you mean qikchat/message-text",
        ));
    replay(&server, &["qikchat/message-text", "no-such-file.json"])
        .code(2)
        .stderr(predicate::str::contains("no-such-file.json"));
    assert!(server.requests().is_empty());
}

#[test]
fn no_inputs_without_a_terminal_is_a_usage_error() {
    wa_hook()
        .args(["replay", "--to", "3000"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("nothing to send"));
    wa_hook()
        .args(["replay", "qikchat/message-text"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--to is required"));
}

#[test]
fn credentials_echoed_by_the_server_or_put_in_the_url_are_never_shown() {
    // A server that echoes the Authorization header it received.
    let server = RecordingServer::with_responder(|request| {
        let echoed = request.header("Authorization").unwrap_or("").to_string();
        Reply::new(500, format!("bad request, you sent {echoed}").as_bytes())
    });
    let output = wa_hook()
        .env("BA", "alice:s3cretPW-sentinel")
        .args([
            "replay",
            "qikchat/message-text",
            "--basic-auth-env",
            "BA",
            "-H",
            "X-Api-Key: key-sentinel-123",
        ])
        .args(["--to", &server.url])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let encoded = "YWxpY2U6czNjcmV0UFctc2VudGluZWw="; // base64("alice:s3cretPW-sentinel")
    for stream in [&output.stdout, &output.stderr] {
        for secret in ["s3cretPW-sentinel", encoded, "key-sentinel-123"] {
            assert!(
                !contains_bytes(stream, secret.as_bytes()),
                "{secret} shown: {}",
                String::from_utf8_lossy(stream)
            );
        }
    }
    assert_eq!(
        server.requests()[0].header("Authorization"),
        Some(&*format!("Basic {encoded}"))
    );

    let output = wa_hook()
        .args([
            "replay",
            "qikchat/message-text",
            "--to",
            "http://bob:hunter2-sentinel@127.0.0.1:9/",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains("--basic-auth-env") && !stderr.contains("hunter2"),
        "{stderr}"
    );
}

/// `PORT/path` and `:PORT/path` are this machine. (That a host of digits is refused, rather
/// than read as an address off this machine, is checked without a network in `http`'s tests.)
#[test]
fn local_port_targets_stay_on_this_machine() {
    let server = RecordingServer::start();
    for target in [
        format!("{}/webhook", server.port),
        format!(":{}/webhook", server.port),
    ] {
        wa_hook()
            .args(["replay", "qikchat/message-text", "--to", &target])
            .assert()
            .success();
    }
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    assert!(
        requests.iter().all(|r| r.url == "/webhook"),
        "{:?}",
        requests.iter().map(|r| &r.url).collect::<Vec<_>>()
    );
}

/// A plain acknowledgement (listen's own `{"ok":true}`, a text "OK") is not a failed instant
/// reply.
#[test]
fn acknowledgements_are_not_flagged_as_bad_instant_replies() {
    for answer in [&b"{\"ok\":true}"[..], b"OK"] {
        let server = RecordingServer::with_responder(move |_| Reply::new(200, answer));
        replay(&server, &["picky/message-text"])
            .success()
            .stdout(predicate::str::contains("✗").not())
            .stdout(predicate::str::contains("instant reply: picky").not());
    }
}

/// A misspelt `--set` path is sent as asked, with a warning naming the close key.
#[test]
fn a_set_path_that_adds_a_key_is_warned_about() {
    let server = RecordingServer::start();
    replay(
        &server,
        &[
            "qikchat/message-text",
            "--set",
            "payload.mesage.text.body=hi",
        ],
    )
    .success()
    .stderr(predicate::str::contains(
        "--set payload.mesage adds a key the body does not have; did you mean payload.message?",
    ));
    replay(
        &server,
        &[
            "qikchat/message-text",
            "--set",
            "payload.message.text.body=hi",
        ],
    )
    .success()
    .stderr(predicate::str::contains("adds a key").not());
}

/// `all` and globs send what providers send: no instant replies, no API answers, unless the
/// glob names only those.
#[test]
fn all_sends_webhooks_only() {
    let server = RecordingServer::start();
    replay(
        &server,
        &[
            "all",
            "-c",
            "8",
            CLOSE_CONNECTIONS[0],
            CLOSE_CONNECTIONS[1],
            "--format",
            "json",
        ],
    )
    .success();
    let bodies: Vec<Value> = server.requests().iter().map(body_json).collect();
    let webhooks = wa_hook::catalogue::samples()
        .iter()
        .filter(|sample| sample.is_webhook())
        .count();
    assert_eq!(bodies.len(), webhooks);
    assert!(
        bodies
            .iter()
            .all(|body| body.get("message-out").is_none() && body.get("access_token").is_none())
    );
    let server = RecordingServer::start();
    replay(&server, &["picky/reply-*"]).success();
    assert_eq!(server.requests().len(), 6);
}

/// Without --budget each input is held to its provider's own limit, as listen does.
#[test]
fn the_budget_is_the_providers_own_unless_given() {
    let server = RecordingServer::start();
    let summary = |args: &[&str]| {
        let output = wa_hook()
            .arg("replay")
            .args(args)
            .args(["--to", &server.url, "--format", "json"])
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        json_summary(&output.stdout)
    };
    assert_eq!(summary(&["qikchat/message-text"])["budget_ms"], 2000.0);
    assert_eq!(summary(&["picky/message-text"])["budget_ms"], 180_000.0);
    assert_eq!(summary(&["meta/message-text"])["budget_ms"], 2000.0);
    assert_eq!(
        summary(&["picky/message-text", "qikchat/message-text"])["budget_ms"],
        Value::Null
    );
    assert_eq!(
        summary(&["picky/message-text", "--budget", "500ms"])["budget_ms"],
        500.0
    );
}

/// A reply with a misspelt key is a reply gone wrong, not an acknowledgement.
#[test]
fn a_reply_with_a_misspelt_key_is_flagged() {
    let server =
        RecordingServer::with_responder(|_| Reply::new(200, br#"{"message_out":"hi","type":"1"}"#));
    replay(&server, &["picky/message-text"])
        .success()
        .stdout(predicate::str::contains("instant reply"))
        .stdout(predicate::str::contains("✗"));
}

/// A server that answers every connection with `head`, then `body`, then closes.
fn raw_server(
    head: impl AsRef<[u8]> + Send + 'static,
    body: Vec<u8>,
    connections: usize,
) -> (String, std::thread::JoinHandle<()>) {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    let thread = std::thread::spawn(move || {
        for stream in listener.incoming().take(connections) {
            let Ok(mut stream) = stream else { continue };
            // Read the request's head (the bodies here are small and arrive with it).
            let mut request = vec![0u8; 65536];
            let _ = stream.read(&mut request);
            let _ = stream.write_all(head.as_ref());
            let _ = stream.write_all(&body);
        }
    });
    (url, thread)
}

/// A server that closes each connection after one answer (`Connection: close`): every request
/// is sent on a new connection and none is counted as failed (replay's own connections open
/// again as reqwest's pool did).
#[test]
fn a_server_that_closes_after_each_answer_gets_every_request() {
    let count = 60;
    let (url, server) = raw_server(
        "HTTP/1.1 200 OK\r\nContent-Length: 11\r\nConnection: close\r\n\r\n",
        b"{\"ok\":true}".to_vec(),
        count,
    );
    let output = wa_hook()
        .args(["replay", "qikchat/message-text", "--to", &url])
        .args(["-n", &count.to_string(), "-c", "4", "--format", "json"])
        .output()
        .unwrap();
    server.join().unwrap();
    let summary = json_summary(&output.stdout);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{summary} {}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(summary["ok"], true, "{summary}");
}

/// Answers cut short or too large are failures, counted whatever -n is (more than the 20
/// results shown one by one too), and the exit is 1.
#[test]
fn answers_cut_short_or_too_large_are_failures() {
    for (head, body, count) in [
        (
            "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\nConnection: close\r\n\r\n",
            b"{\"ok\":".to_vec(),
            30u64,
        ),
        (
            "HTTP/1.1 200 OK\r\nContent-Length: 5242880\r\nConnection: close\r\n\r\n",
            vec![b' '; 5 << 20],
            1,
        ),
    ] {
        let (url, server) = raw_server(head, body, count as usize);
        let output = wa_hook()
            .args([
                "replay",
                "qikchat/message-text",
                "--to",
                &url,
                "--format",
                "json",
            ])
            .args(["-n", &count.to_string()])
            .output()
            .unwrap();
        server.join().unwrap();
        assert_eq!(
            output.status.code(),
            Some(1),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let summary = json_summary(&output.stdout);
        assert_eq!(summary["body_errors"], count, "{summary}");
        assert_eq!(summary["ok"], false);
    }
}

/// Ctrl-C (SIGINT) during a long replay: sending stops, the summary says what was sent, exit 130.
#[test]
fn an_interrupted_replay_reports_what_was_sent() {
    let (arrived, first_request) = std::sync::mpsc::channel::<()>();
    let arrived = std::sync::Mutex::new(arrived);
    let server = RecordingServer::with_responder(move |_| {
        let _ = arrived.lock().unwrap().send(());
        Reply::ok()
    });
    let child = wa_hook_process()
        .args([
            "replay",
            "qikchat/message-text",
            "-n",
            "1000000",
            "--format",
            "json",
        ])
        .args(["--to", &server.url])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    first_request
        .recv_timeout(std::time::Duration::from_secs(30))
        .expect("replay sent a request");
    let status = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let output = child.wait_with_output().unwrap();
    assert_eq!(
        output.status.code(),
        Some(130),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let summary = json_summary(&output.stdout);
    let sent = summary["sent"].as_u64().unwrap();
    assert!((1..1_000_000).contains(&sent), "{summary}");
    assert_eq!(summary["responses"].as_u64().unwrap(), sent);
    assert!(String::from_utf8_lossy(&output.stderr).contains("stopped by Ctrl-C or SIGTERM after"));
}

/// Issue 14: a server that takes the request and then resets or closes the connection is
/// worded as what happened (sent, no answer), exit 1 — not "nothing could be sent" (exit 2).
#[test]
fn resets_after_sending_are_named_and_are_a_failed_check() {
    use std::io::Read;
    // Closes after reading the whole request (a FIN), or after 10 bytes (a reset: unread data).
    for read_all in [true, false] {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/", listener.local_addr().unwrap());
        let server = std::thread::spawn(move || {
            for stream in listener.incoming().take(3) {
                let Ok(mut stream) = stream else { continue };
                let mut request = vec![0u8; if read_all { 65536 } else { 10 }];
                let _ = stream.read(&mut request);
            }
        });
        let output = wa_hook()
            .args(["replay", "qikchat/message-text", "--to", &url, "-n", "3"])
            .timeout(std::time::Duration::from_secs(30))
            .output()
            .unwrap();
        server.join().unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{stdout}{stderr}");
        assert!(
            stdout.contains("3 sent, but the connection was reset or closed before an answer"),
            "{stdout}"
        );
        assert!(stdout.contains("the server"), "{stdout}");
        assert!(!stderr.contains("nothing could be sent"), "{stderr}");
    }
}

/// Issue 14 review: an answer whose body breaks is a failure on its own line (✗) and in the
/// last line, which counts failures; a close or reset during the body is worded as such.
#[test]
fn broken_bodies_are_marked_failed_and_worded_as_what_happened() {
    let head = "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\nConnection: close\r\n\r\n";
    let (url, server) = raw_server(head, b"{\"ok\":".to_vec(), 3);
    let output = wa_hook()
        .args(["replay", "qikchat/message-text", "-n", "3", "--to", &url])
        .timeout(std::time::Duration::from_secs(30))
        .output()
        .unwrap();
    server.join().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("✗ qikchat/message-text  200"), "{stdout}");
    assert!(!stdout.contains("✓"), "{stdout}");
    assert!(
        stdout.contains("while the answer's body was being read"),
        "{stdout}"
    );
    assert!(!stdout.contains("before answering"), "{stdout}");
    assert!(
        stdout.contains("✗ 3 of 3 failed (body cut short)"),
        "{stdout}"
    );

    // A reset in the middle of the body (SO_LINGER 0: the close sends RST).
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    let server = std::thread::spawn(move || {
        use std::io::{Read, Write};
        use std::os::fd::AsRawFd;
        for stream in listener.incoming().take(2) {
            let Ok(mut stream) = stream else { continue };
            let mut request = vec![0u8; 65536];
            let _ = stream.read(&mut request);
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(b"{\"ok\":");
            let linger = libc::linger {
                l_onoff: 1,
                l_linger: 0,
            };
            // SAFETY: a valid socket and a correctly sized `linger`.
            unsafe {
                libc::setsockopt(
                    stream.as_raw_fd(),
                    libc::SOL_SOCKET,
                    libc::SO_LINGER,
                    (&raw const linger).cast(),
                    std::mem::size_of::<libc::linger>() as libc::socklen_t,
                );
            }
        }
    });
    let output = wa_hook()
        .args(["replay", "qikchat/message-text", "-n", "2", "--to", &url])
        .args(["--format", "json"])
        .timeout(std::time::Duration::from_secs(30))
        .output()
        .unwrap();
    server.join().unwrap();
    assert_eq!(output.status.code(), Some(1));
    let summary = json_summary(&output.stdout);
    assert_eq!(
        (summary["body_errors"].as_u64(), summary["failed"].as_u64()),
        (Some(2), Some(2)),
        "{summary}"
    );
    let message = summary["errors"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("while the answer's body was being read"),
        "{message}"
    );
}

/// Issue 14 review: an answer that is not HTTP, or whose headers never end or are too many,
/// was answered (exit 1, a failed check), not "nothing could be sent" (exit 2).
#[test]
fn answers_that_are_not_readable_http_are_a_failed_check() {
    let many_headers: String = "HTTP/1.1 200 OK\r\n".to_string()
        + &"X-A: b\r\n".repeat(6000)
        + "Content-Length: 0\r\n\r\n";
    let endless_header = "HTTP/1.1 200 OK\r\nX-Long: ".to_string() + &"a".repeat(2 << 20);
    for (head, words) in [
        (many_headers, "the server's answer headers are too large"),
        (endless_header, "the server's answer headers are too large"),
        (
            "SSH-2.0-OpenSSH_9.6\r\nnot http at all\r\n\r\n".to_string(),
            "the server's answer is not HTTP",
        ),
    ] {
        let (url, server) = raw_server(head, Vec::new(), 2);
        let output = wa_hook()
            .args(["replay", "qikchat/message-text", "-n", "2", "--to", &url])
            .timeout(std::time::Duration::from_secs(30))
            .output()
            .unwrap();
        server.join().unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{words}: {stdout}{stderr}");
        assert!(stdout.contains(words), "{stdout}");
        assert!(stdout.contains("✗ 2 of 2 failed"), "{stdout}");
        assert!(!stderr.contains("nothing could be sent"), "{stderr}");
    }
}

/// Issue 14 review: `--to 127.0.0.1:` (no port after the colon) is refused, not port 80.
#[test]
fn a_target_with_an_empty_port_is_refused() {
    for target in ["127.0.0.1:", "http://localhost:/webhook"] {
        wa_hook()
            .args(["replay", "qikchat/message-text", "--to", target])
            .assert()
            .code(2)
            .stderr(predicate::str::contains("no port after `:`"));
    }
}

/// Run `command` to its end and return (its output, its peak resident memory in bytes where
/// the platform says).
///
/// Not `wait4`'s `ru_maxrss` alone: on Linux a process's maximum includes the high-water mark
/// of the memory it replaced at `exec`, and a child spawned with `vfork`/`posix_spawn` (as
/// `std::process` does) replaces this test process's memory, so `ru_maxrss` is at least this
/// test binary's own peak, parallel tests included (it read 385 MB for a run that used far
/// less). So the child's own `VmHWM` (the peak of the memory it got at `exec`) is read from
/// /proc while it runs, until it has exited (`waitid` with `WNOWAIT` leaves it unreaped, so its
/// pid cannot be reused meanwhile); and where `ru_maxrss` is above everything this process had
/// used when the child started, it is the child's own peak, exactly.
// The child is reaped by `wait4`, which also gives its resource usage.
#[allow(clippy::zombie_processes)]
fn run_measured(mut command: std::process::Command) -> (std::process::Output, Option<u64>) {
    use std::io::Read;
    use std::process::Stdio;
    use std::sync::atomic::{AtomicBool, Ordering};
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    // `spawn` returns once the child has exec'd: what it inherited is at most this.
    let inherited = peak_resident_bytes(std::process::id());
    let exited = std::sync::Arc::new(AtomicBool::new(false));
    let sampler = {
        let exited = std::sync::Arc::clone(&exited);
        std::thread::spawn(move || {
            let mut peak = None;
            loop {
                // After the exit, read once more: the last value before the memory went.
                let last = exited.load(Ordering::SeqCst);
                match peak_resident_bytes(pid) {
                    Some(now) => peak = peak.max(Some(now)),
                    None if peak.is_some() => break,
                    None => {}
                }
                if last {
                    break;
                }
                std::thread::sleep(std::time::Duration::from_millis(1));
            }
            peak
        })
    };
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = stdout.read_to_end(&mut bytes);
        bytes
    });
    let err = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = stderr.read_to_end(&mut bytes);
        bytes
    });
    // Wait for the exit without reaping: the sampler may still read /proc/PID.
    // SAFETY: siginfo_t is plain data, filled by waitid for this child.
    let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
    let waited = unsafe {
        libc::waitid(
            libc::P_PID,
            pid as libc::id_t,
            &raw mut info,
            libc::WEXITED | libc::WNOWAIT,
        )
    };
    assert_eq!(waited, 0);
    exited.store(true, Ordering::SeqCst);
    let sampled_peak = sampler.join().unwrap();
    let mut status = 0;
    // SAFETY: rusage is plain data, filled by wait4 for this child alone.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let waited = unsafe { libc::wait4(pid as libc::pid_t, &raw mut status, 0, &raw mut usage) };
    assert_eq!(waited, pid as libc::pid_t);
    let code = if libc::WIFEXITED(status) {
        Some(libc::WEXITSTATUS(status))
    } else {
        None
    };
    // Linux gives ru_maxrss in KiB.
    let max_rss = usage.ru_maxrss as u64 * 1024;
    let exact = inherited
        .filter(|inherited| max_rss > *inherited)
        .map(|_| max_rss);
    let peak = if cfg!(target_os = "linux") {
        sampled_peak.max(exact)
    } else {
        None
    };
    let output = std::process::Output {
        status: std::os::unix::process::ExitStatusExt::from_raw(status),
        stdout: out.join().unwrap(),
        stderr: err.join().unwrap(),
    };
    assert_eq!(output.status.code(), code);
    (output, peak)
}

/// The measure is the child's own: this process using much more memory than the child does
/// not show in it (`ru_maxrss` alone would report this process's peak).
#[test]
fn measured_peaks_are_the_childs_own() {
    let ballast: Vec<u8> = vec![1; 160 << 20];
    // Touch every page, so it is resident.
    let touched: u64 = ballast.iter().step_by(4096).map(|b| u64::from(*b)).sum();
    assert!(touched > 0);
    let (url, _) = sink_server();
    let mut command = wa_hook_process();
    command.args(["replay", "qikchat/message-text", "-n", "2000", "--to", &url]);
    let (output, peak) = run_measured(command);
    assert!(output.status.success());
    drop(ballast);
    if cfg!(target_os = "linux") {
        let peak = peak.expect("Linux reports a peak");
        assert!(peak < 64 << 20, "peak {peak} bytes for 2,000 requests");
        assert!(peak > 0);
    }
}

/// A keep-alive server that answers every request `200 {}` at once, counting them.
fn sink_server() -> (String, std::sync::Arc<std::sync::atomic::AtomicU64>) {
    use std::io::{Read, Write};
    use std::sync::atomic::Ordering;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    let count = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let counted = std::sync::Arc::clone(&count);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let counted = std::sync::Arc::clone(&counted);
            std::thread::spawn(move || {
                let mut buf = Vec::new();
                let mut chunk = vec![0u8; 65536];
                loop {
                    // Answer every whole request (head and Content-Length body) in the buffer.
                    while let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                        let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
                        let length: usize = head
                            .lines()
                            .find_map(|line| line.strip_prefix("content-length:"))
                            .and_then(|value| value.trim().parse().ok())
                            .unwrap_or(0);
                        if buf.len() < end + 4 + length {
                            break;
                        }
                        buf.drain(..end + 4 + length);
                        counted.fetch_add(1, Ordering::Relaxed);
                        let answer = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}";
                        if stream.write_all(answer).is_err() {
                            return;
                        }
                    }
                    match stream.read(&mut chunk) {
                        Ok(0) | Err(_) => return,
                        Ok(read) => buf.extend_from_slice(&chunk[..read]),
                    }
                }
            });
        }
    });
    (url, count)
}

/// Issue 14 review: memory stays bounded whatever the run's length (results are counted as
/// they come, not kept) and whatever the input's size (an input past the limit is refused
/// with what to do, before it is all read).
#[test]
fn memory_stays_bounded_for_long_runs_and_large_inputs() {
    let (url, count) = sink_server();
    let run = |requests: u64| {
        let mut command = wa_hook_process();
        command
            .args([
                "replay",
                "qikchat/message-text",
                "-c",
                "4",
                "--format",
                "json",
            ])
            .args(["-n", &requests.to_string(), "--to", &url]);
        let (output, peak) = run_measured(command);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert_eq!(json_summary(&output.stdout)["by_status"]["200"], requests);
        peak
    };
    let short = run(1_000);
    let long = run(50_000);
    assert_eq!(count.load(std::sync::atomic::Ordering::Relaxed), 51_000);
    if let (Some(short), Some(long)) = (short, long) {
        // Kept per request, 50,000 results took over 20 MB more.
        assert!(
            long < short + (8 << 20),
            "peak {long} bytes for 50,000 requests, {short} for 1,000"
        );
    }

    // 12 MB of short JSON lines: 1.5 million bodies, past the limit.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("many.jsonl");
    std::fs::write(&path, "{\"a\":1}\n".repeat(1_500_000)).unwrap();
    let mut command = wa_hook_process();
    command.args(["replay", path.to_str().unwrap(), "--to", &url]);
    let (output, peak) = run_measured(command);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("many.jsonl:50001: replay reads at most 50000 bodies")
            && stderr.contains("split"),
        "{stderr}"
    );
    assert_eq!(count.load(std::sync::atomic::Ordering::Relaxed), 51_000);
    if let Some(peak) = peak {
        assert!(peak < 256 << 20, "peak {peak} bytes reading a 12 MB input");
    }
}

/// `wa-hook validate --provider meta --strict` on one body: whether it is a valid Meta body.
fn validates_as_meta(body: &[u8]) -> assert_cmd::assert::Assert {
    wa_hook()
        .args(["validate", "--provider", "meta", "--strict", "-"])
        .write_stdin(body.to_vec())
        .assert()
}

fn meta_sample_names() -> Vec<String> {
    let output = wa_hook()
        .args(["samples", "--format", "json"])
        .output()
        .unwrap();
    json_lines(&output.stdout)
        .into_iter()
        .filter_map(|line| line["name"].as_str().map(str::to_string))
        .filter(|name| name.starts_with("meta/"))
        .collect()
}

/// wa-hook's own listen with APP_SECRET, refusing a bad signature, saving to `capture`.
fn signature_checking_listener(capture: &std::path::Path) -> Listener {
    let mut command = wa_hook_process();
    command.env("META_SECRET", APP_SECRET);
    Listener::start_with(
        command,
        &[
            "--out",
            capture.to_str().unwrap(),
            "--app-secret-env",
            "META_SECRET",
            "--reject-bad-signature",
        ],
    )
}

/// `replay ARGS --app-secret-env ... --format json` to a [`signature_checking_listener`]
/// writing `capture`, which must succeed: replay's output, its JSON summary and the listener's
/// stdout.
fn signed_replay(
    capture: &std::path::Path,
    args: &[&str],
) -> (std::process::Output, Value, String) {
    let listener = signature_checking_listener(capture);
    let output = wa_hook()
        .env("META_APP_SECRET", APP_SECRET)
        .arg("replay")
        .args(args)
        .args(["--app-secret-env", "META_APP_SECRET"])
        .args(["--format", "json", "--to", &listener.url])
        .output()
        .unwrap();
    let (_, stdout, stderr) = listener.stop();
    assert!(
        output.status.success(),
        "replay: {}{}\nlisten: {stdout}\n{stderr}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let summary = json_summary(&output.stdout);
    (output, summary, stdout)
}

/// Every Meta sample, signed, passes wa-hook's own listen with `--reject-bad-signature`: the
/// ones with non-ASCII text too, which are sent (and signed) escaped, as Meta sends them.
#[test]
fn signed_replay_of_every_meta_sample_passes_a_signature_check() {
    let dir = tempfile::tempdir().unwrap();
    let capture = dir.path().join("captured.jsonl");
    let names = meta_sample_names();
    assert!(names.len() > 50, "{names:?}");
    let (output, summary, stdout) = signed_replay(&capture, &["meta/*"]);
    assert_eq!(summary["sent"], summary["matched"], "{summary:#}");
    // A 401 shows as a status word (` 401 rejected: ...`); a time of day such as
    // `07:19:22.401` is no 401.
    assert!(!stdout.contains(" 401 "), "{stdout}");
    let records: Vec<Value> = json_lines(&std::fs::read(&capture).unwrap());
    assert_eq!(records.len(), names.len());
    for record in &records {
        assert_eq!(record["signature"], "valid", "{record:#}");
        assert!(
            record.get("rejected").is_none_or(Value::is_null),
            "{record:#}"
        );
    }
    assert_no_secret(&output, APP_SECRET);
}

/// What is sent is what Meta would send: lowercase `\u` escapes for non-ASCII, `\/` for `/`,
/// no raw UTF-8; and the signature covers exactly those bytes.
#[test]
fn meta_bodies_are_sent_escaped_as_meta_writes_them() {
    let server = RecordingServer::start();
    wa_hook()
        .env("META_APP_SECRET", APP_SECRET)
        .args([
            "replay",
            "meta/message-reaction",
            "meta/message-text-user-id",
        ])
        .args(["meta/status-failed", "--app-secret-env", "META_APP_SECRET"])
        .args(["--to", &server.url])
        .assert()
        .success();
    let secret = wa_hook::secret::SecretString::new(APP_SECRET);
    let mut requests = server.requests();
    assert_eq!(requests.len(), 3);
    requests
        .sort_by_key(|request| body_json(request)["entry"][0]["changes"][0]["value"].to_string());
    for request in &requests {
        assert!(
            request.body.is_ascii(),
            "{}",
            String::from_utf8_lossy(&request.body)
        );
        assert!(!request.body.contains(&b'\n'));
        assert_eq!(
            request.header("X-Hub-Signature-256"),
            Some(wa_hook::providers::meta::signature::sign(&secret, &request.body).as_str())
        );
    }
    let text = |name: &str| {
        let expected = as_meta_writes(&sample_bytes(name));
        let request = requests
            .iter()
            .find(|request| request.body == expected)
            .unwrap_or_else(|| panic!("{name} was not sent as Meta writes it"));
        String::from_utf8(request.body.clone()).unwrap()
    };
    // 👍 is a surrogate pair; ¿ and í are one escape each; the error's href has slashes.
    assert!(text("meta/message-reaction").contains("\\ud83d\\udc4d"));
    assert!(text("meta/message-text-user-id").contains("\\u00bf"));
    assert!(text("meta/status-failed").contains("https:\\/\\/developers.facebook.com\\/"));
}

/// `--raw-bytes` sends a file exactly as it is, and signs those bytes.
#[test]
fn raw_bytes_sends_the_file_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("reaction.json");
    let bytes = sample_bytes("meta/message-reaction");
    assert!(!bytes.is_ascii(), "the sample has non-ASCII text");
    std::fs::write(&file, &bytes).unwrap();
    let server = RecordingServer::start();
    wa_hook()
        .env("META_APP_SECRET", APP_SECRET)
        .args(["replay", file.to_str().unwrap(), "--raw-bytes"])
        .args(["--app-secret-env", "META_APP_SECRET", "--to", &server.url])
        .assert()
        .success()
        .stdout(predicate::str::contains("✓ 1 request answered 2xx"));
    let request = &server.requests()[0];
    assert_eq!(request.body, bytes);
    let secret = wa_hook::secret::SecretString::new(APP_SECRET);
    assert_eq!(
        request.header("X-Hub-Signature-256"),
        Some(wa_hook::providers::meta::signature::sign(&secret, &bytes).as_str())
    );
    // Without it, the same file goes as Meta writes it.
    let server = RecordingServer::start();
    replay(&server, &[file.to_str().unwrap()]).success();
    assert_eq!(server.requests()[0].body, as_meta_writes(&bytes));
    // It sends bytes as they are, so it edits nothing.
    wa_hook()
        .args([
            "replay",
            file.to_str().unwrap(),
            "--raw-bytes",
            "--fresh",
            "--to",
            "9",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--raw-bytes"));
}

/// A captured Meta body that is edited goes as Meta writes it; one that is not goes byte for
/// byte, as captured.
#[test]
fn edited_captures_go_in_meta_form_and_unedited_ones_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let capture = dir.path().join("captured.jsonl");
    let listener = Listener::start(&["--out", capture.to_str().unwrap()]);
    let raw = dir.path().join("raw.json");
    std::fs::write(&raw, sample_bytes("meta/message-reaction")).unwrap();
    wa_hook()
        .args([
            "replay",
            raw.to_str().unwrap(),
            "--raw-bytes",
            "--to",
            &listener.url,
        ])
        .assert()
        .success();
    listener.stop();
    let server = RecordingServer::start();
    replay(&server, &[capture.to_str().unwrap()]).success();
    assert_eq!(
        server.requests()[0].body,
        sample_bytes("meta/message-reaction")
    );
    let server = RecordingServer::start();
    replay(
        &server,
        &[capture.to_str().unwrap(), "--set", "entry.0.id=42"],
    )
    .success();
    let mut edited: Value = serde_json::from_slice(&sample_bytes("meta/message-reaction")).unwrap();
    edited["entry"][0]["id"] = 42.into();
    assert_eq!(
        server.requests()[0].body,
        as_meta_writes(&serde_json::to_vec(&edited).unwrap())
    );
}

/// `--batch 3`: one POST, a valid Meta notification holding the three bodies' items.
#[test]
fn batch_sends_one_valid_notification_holding_every_item() {
    let server = RecordingServer::start();
    replay(
        &server,
        &[
            "meta/message-text",
            "meta/message-image",
            "meta/status-read",
            "--batch",
            "3",
        ],
    )
    .success()
    .stdout(predicate::str::contains(
        "meta/message-text + meta/message-image + meta/status-read",
    ));
    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    let body = &requests[0].body;
    validates_as_meta(body).success();
    let batch = body_json(&requests[0]);
    let changes = &batch["entry"][0]["changes"];
    assert_eq!(batch["entry"].as_array().unwrap().len(), 1);
    assert_eq!(changes[0]["value"]["messages"].as_array().unwrap().len(), 2);
    assert_eq!(changes[1]["value"]["statuses"].as_array().unwrap().len(), 1);
    assert_eq!(body, &as_meta_writes(body));

    // Every message sample, seven to a notification.
    let server = RecordingServer::start();
    replay(&server, &["meta/message-*", "--batch", "7"]).success();
    for request in server.requests() {
        validates_as_meta(&request.body).success();
    }
}

/// Each identity form of a message and a status is a valid Meta body, naming users the way
/// the form does.
#[test]
fn identity_forms_are_valid_meta_bodies() {
    for (form, phone, user_id) in [
        ("phone", true, false),
        ("bsuid", true, true),
        ("username", false, true),
    ] {
        let server = RecordingServer::start();
        replay(
            &server,
            &["meta/message-text", "meta/status-sent", "--identity", form],
        )
        .success();
        let requests = server.requests();
        assert_eq!(requests.len(), 2);
        for request in &requests {
            validates_as_meta(&request.body).success();
            let value = &body_json(request)["entry"][0]["changes"][0]["value"];
            if let Some(message) = value["messages"].get(0) {
                assert_eq!(message.get("from").is_some(), phone, "{form}: {value:#}");
                assert_eq!(message.get("from_user_id").is_some(), user_id, "{form}");
                assert_eq!(value["contacts"][0].get("wa_id").is_some(), phone, "{form}");
                assert_eq!(
                    value["contacts"][0].get("user_id").is_some(),
                    user_id,
                    "{form}"
                );
            } else {
                let status = &value["statuses"][0];
                assert_eq!(
                    status.get("recipient_id").is_some(),
                    phone,
                    "{form}: {value:#}"
                );
                assert_eq!(status.get("recipient_user_id").is_some(), user_id, "{form}");
            }
        }
    }
    // Bodies that name no user go as they are, said once.
    let server = RecordingServer::start();
    replay(
        &server,
        &["meta/template-status-approved", "--identity", "username"],
    )
    .success()
    .stderr(predicate::str::contains(
        "--identity: meta/template-status-approved names no user",
    ));
}

/// Options that do not fit the bodies fail before anything is sent, in one line, exit 2.
#[test]
fn batch_and_identity_refuse_bodies_they_cannot_rewrite() {
    let server = RecordingServer::start();
    let cases: [(&[&str], &str); 4] = [
        (
            &[
                "qikchat/message-text",
                "qikchat/status-read",
                "--batch",
                "2",
            ],
            "Qikchat does not batch notifications",
        ),
        (
            &["qikchat/message-text", "--identity", "username"],
            "--identity username: qikchat/message-text is a Qikchat body",
        ),
        (
            &["meta/message-text", "--batch", "2"],
            "--batch merges several bodies into one notification",
        ),
        (
            &["meta/message-text", "qikchat/message-text", "--batch", "2"],
            "--batch",
        ),
    ];
    for (args, expected) in cases {
        let output = wa_hook()
            .arg("replay")
            .args(args)
            .args(["--to", &server.url])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
        assert_eq!(stderr.trim().lines().count(), 1, "{args:?}: {stderr}");
    }
    assert!(server.requests().is_empty());
}

/// Repeated sends of signed inputs, more than are shown one by one (each worker makes a step's
/// head once and sends it again): every request carries its own body's valid signature.
#[test]
fn repeated_signed_sends_each_carry_their_bodys_signature() {
    let dir = tempfile::tempdir().unwrap();
    let capture = dir.path().join("captured.jsonl");
    let (output, summary, _) = signed_replay(
        &capture,
        &[
            "meta/message-text",
            "meta/status-read",
            "-n",
            "15",
            "-c",
            "3",
        ],
    );
    assert_eq!(
        (summary["sent"].as_u64(), summary["matched"].as_u64()),
        (Some(30), Some(30))
    );
    let records: Vec<Value> = json_lines(&std::fs::read(&capture).unwrap());
    assert_eq!(records.len(), 30);
    for record in &records {
        assert_eq!(record["signature"], "valid", "{record:#}");
    }
    assert_no_secret(&output, APP_SECRET);
}
