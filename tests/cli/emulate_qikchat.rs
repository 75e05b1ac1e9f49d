//! `wa-hook emulate qikchat` against a stand-in app: a recording HTTP server on 127.0.0.1:0
//! takes the emulator's callbacks while the test plays the app's sends over raw HTTP, and the
//! customer through the CLI. The API key and the Basic password are checked to appear nowhere
//! but where they belong.
use std::time::Duration;

use serde_json::{Value, json};

use crate::common::*;
use crate::emulator::{App, Running, json_of, verdict};

const API_KEY: &str = "qk-live-0123456789abcdef";
const BASIC: &str = "qikchat-user:basic-pass-9876";

/// A running `wa-hook emulate qikchat`.
struct Emulator(Running);

impl std::ops::Deref for Emulator {
    type Target = Running;
    fn deref(&self) -> &Running {
        &self.0
    }
}

impl Emulator {
    fn start(app: &App, args: &[&str]) -> Emulator {
        Emulator(Running::start(
            "qikchat",
            app,
            args,
            &[("QIKCHAT_KEY", API_KEY), ("QIKCHAT_BASIC", BASIC)],
        ))
    }

    fn request(
        &self,
        method: &str,
        target: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> (u16, Vec<u8>) {
        let (status, _, answer) = self.0.request(method, target, headers, body);
        (status, answer)
    }

    /// A JSON send to /v1/messages with this key.
    fn send_with(&self, key: &str, body: &Value) -> (u16, Value) {
        self.post("/v1/messages", &[("QIKCHAT-API-KEY", key)], body)
    }

    fn send(&self, body: &Value) -> (u16, Value) {
        self.send_with(API_KEY, body)
    }

    /// SIGINT (Ctrl-C), then the exit code, the rest of stdout and stderr.
    fn interrupt(self) -> (Option<i32>, String, String) {
        self.0.interrupt()
    }
}

fn text_send(body: &str) -> Value {
    json!({"to_contact": "+918080808080", "type": "text", "text": {"body": body}})
}

/// The message id of a send's answer.
fn id_of(answer: &Value) -> String {
    answer["data"][0]["id"].as_str().unwrap().to_string()
}

#[test]
fn a_send_is_queued_then_sent_and_delivered_with_basic_auth() {
    let app = App::start();
    let emulator = Emulator::start(&app, &["--basic-auth-env", "QIKCHAT_BASIC"]);
    assert_eq!(emulator.first_line.trim(), emulator.base);
    let (status, answer) = emulator.send(&text_send("Hey There!"));
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["status"], true);
    assert_eq!(answer["message"], "Messages queued successfully");
    let data = &answer["data"][0];
    assert_eq!(data["channel"], "whatsapp");
    assert_eq!(data["recipient"], "+918080808080");
    assert_eq!(data["status"], "queued");
    assert!(
        data["from"].is_string() && data["created_at"].is_string(),
        "{data}"
    );
    let id = id_of(&answer);
    assert_eq!(id.len(), 25, "{id}");

    let basic = format!("Basic {}", base64_of(BASIC.as_bytes()));
    for expected in ["sent", "delivered"] {
        let callback = app.next();
        assert_eq!(callback.url, "/webhook");
        let body = json_of(&callback.body);
        assert_eq!(body["event"], "whatsapp:message:status");
        assert_eq!(body["payload"]["id"], id.as_str());
        assert_eq!(body["payload"]["status"], expected);
        assert_eq!(body["payload"]["to"], "+918080808080");
        assert_eq!(callback.header("Authorization"), Some(basic.as_str()));
        assert_eq!(
            verdict(&callback.body),
            format!("valid qikchat status:{expected}")
        );
    }
}

/// Base64 (standard, padded), as Qikchat's dashboard writes a Basic header.
fn base64_of(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Qikchat wants a 200 within 2 seconds (PROVIDERS.md): an app that answers its callbacks
/// later is counted as not answering, as Qikchat counts it, unless --webhook-timeout says
/// otherwise.
#[test]
fn a_callback_answered_after_qikchats_two_seconds_is_no_answer() {
    let slow = App::answering(|_| {
        // The slow app under test, not a wait for a server.
        std::thread::sleep(Duration::from_millis(2500));
        Reply::ok()
    });
    let emulator = Emulator::start(&slow, &[]);
    assert_eq!(emulator.send(&text_send("slow")).0, 200);
    slow.next();
    slow.next();
    let (code, _, stderr) = emulator.interrupt();
    assert_eq!(code, Some(0));
    assert!(stderr.contains("0 delivered"), "{stderr}");
    assert!(stderr.contains("2 not answered"), "{stderr}");

    let patient = App::answering(|_| {
        std::thread::sleep(Duration::from_millis(2500));
        Reply::ok()
    });
    let emulator = Emulator::start(&patient, &["--webhook-timeout", "5s"]);
    assert_eq!(emulator.send(&text_send("slow")).0, 200);
    patient.next();
    patient.next();
    let (_, _, stderr) = emulator.interrupt();
    assert!(stderr.contains("2 delivered"), "{stderr}");
}

#[test]
fn the_same_seed_answers_the_same_ids() {
    let app = App::start();
    let ids: Vec<String> = (0..2)
        .map(|_| {
            let emulator = Emulator::start(&app, &["--seed", "42"]);
            id_of(&emulator.send(&text_send("same")).1)
        })
        .collect();
    assert_eq!(ids[0], ids[1]);
    let other = Emulator::start(&app, &["--seed", "43"]);
    assert_ne!(id_of(&other.send(&text_send("same")).1), ids[0]);
}

#[test]
fn every_documented_type_is_accepted_and_a_wrong_field_is_named_by_its_pointer() {
    let app = App::start();
    let emulator = Emulator::start(&app, &[]);
    let link = "https://example.com/file";
    let valid = [
        json!({"to_contact": "+918080808080", "type": "text", "preview_url": true,
               "text": {"body": "See https://www.whatsapp.com/"}}),
        json!({"to_contact": "+918080808080", "type": "image", "image": {"link": link, "caption": "c"}}),
        json!({"to_contact": "+918080808080", "type": "video", "video": {"link": link}}),
        json!({"to_contact": "+918080808080", "type": "audio", "audio": {"link": link}}),
        json!({"to_contact": "+918080808080", "type": "sticker", "sticker": {"link": link}}),
        json!({"to_contact": "+918080808080", "type": "document",
               "document": {"link": link, "caption": "c", "filename": "a.pdf"}}),
        json!({"to_contact": "+918080808080", "type": "contact", "contact": {
            "name": {"first_name": "Siva", "formatted_name": "Siva R"},
            "phones": [{"phone": "+919944857332", "type": "HOME"}]}}),
        json!({"to_contact": "+918080808080", "type": "location",
               "location": {"longitude": 80.18, "latitude": 13.08, "name": "Office"}}),
        json!({"to_contact": "+918080808080", "type": "template", "template": {"name": "welcome"}}),
    ];
    for send in &valid {
        let (status, answer) = emulator.send(send);
        assert_eq!(status, 200, "{send} -> {answer}");
        assert_eq!(answer["data"][0]["status"], "queued");
    }
    let wrong = [
        (
            json!({"type": "text", "text": {"body": "x"}}),
            "/to_contact: ",
        ),
        (
            json!({"to_contact": "+91", "type": "text", "text": {}}),
            "/text/body: expected required property",
        ),
        (
            json!({"to_contact": "+91", "type": "text", "text": {"body": "x".repeat(4097)}}),
            "/text/body: expected at most 4096 characters",
        ),
        (
            json!({"to_contact": "+91", "type": "image", "image": {"id": "1234"}}),
            "/image/link: expected required property",
        ),
        (
            json!({"to_contact": "+91", "type": "document", "document": {"link": "file:///etc/passwd"}}),
            "/document/link: expected an http:// or https:// link",
        ),
        (
            json!({"to_contact": "+91", "type": "location", "location": {"latitude": 13.0}}),
            "/location/longitude: expected required property",
        ),
        (
            json!({"to_contact": "+91", "type": "interactive"}),
            "/type: expected one of",
        ),
    ];
    for (send, message) in &wrong {
        let (status, answer) = emulator.send(send);
        assert_eq!(status, 400, "{send} -> {answer}");
        assert_eq!(answer["status"], false, "{answer}");
        let text = answer["message"].as_str().unwrap();
        assert!(text.starts_with(message), "{send}: {text}");
    }
    // Only the valid sends were followed by callbacks: two each.
    for _ in 0..valid.len() * 2 {
        let callback = app.next();
        assert!(
            verdict(&callback.body).starts_with("valid qikchat status:"),
            "{}",
            String::from_utf8_lossy(&callback.body)
        );
    }
    assert!(
        app.next_within(Duration::from_millis(300)).is_none(),
        "no callback follows a refused send"
    );
}

#[test]
fn the_api_key_is_checked_and_never_shown() {
    let app = App::start();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run.jsonl");
    let any = Emulator::start(&app, &[]);
    let (status, answer) = any.request(
        "POST",
        "/v1/messages",
        &[],
        br#"{"to_contact":"+91","type":"text","text":{"body":"x"}}"#,
    );
    assert_eq!(
        (status, json_of(&answer)["status"].clone()),
        (401, json!(false))
    );
    assert_eq!(any.send_with("", &text_send("x")).0, 401);
    assert_eq!(any.send_with("whatever-key", &text_send("x")).0, 200);

    let one = Emulator::start(
        &app,
        &[
            "--token-env",
            "QIKCHAT_KEY",
            "--basic-auth-env",
            "QIKCHAT_BASIC",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    let (status, answer) = one.send_with("not-the-key", &text_send("x"));
    assert_eq!(status, 401);
    assert!(!answer.to_string().contains(API_KEY));
    let (status, _) = one.send(&text_send("with the key"));
    assert_eq!(status, 200);
    app.next();
    app.next();
    app.next();
    app.next();
    let (code, stdout, stderr) = one.interrupt();
    assert_eq!(code, Some(0), "{stderr}");
    let password = BASIC.split_once(':').unwrap().1;
    let encoded = base64_of(BASIC.as_bytes());
    for secret in [API_KEY, password, encoded.as_str()] {
        assert!(
            !stdout.contains(secret) && !stderr.contains(secret),
            "{secret} shown"
        );
        for (path, bytes) in all_file_contents(dir.path()) {
            assert!(
                !contains_bytes(&bytes, secret.as_bytes()),
                "{secret} in {path}"
            );
        }
    }
    let records = std::fs::read_to_string(&out).unwrap();
    assert!(
        records.contains("QIKCHAT-API-KEY"),
        "the header is named, its value redacted"
    );
    wa_hook()
        .arg("show")
        .arg(format!("{}:2", out.display()))
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "QIKCHAT-API-KEY: (redacted by emulate)",
        ));
}

#[test]
fn routes_methods_and_sizes_are_answered_in_the_envelope() {
    let app = App::start();
    let emulator = Emulator::start(&app, &["--max-body", "1KiB"]);
    let key = [("QIKCHAT-API-KEY", API_KEY)];
    let cases: [(&str, &str, &[u8], u16); 4] = [
        ("GET", "/v1/messages", b"", 405),
        ("POST", "/v1/message", b"{}", 404),
        ("POST", "/v1/messages", b"{not json", 400),
        ("POST", "/v1/messages", &[b'x'; 4096], 413),
    ];
    for (method, target, body, expected) in cases {
        let (status, answer) = emulator.request(method, target, &key, body);
        assert_eq!(status, expected, "{method} {target}");
        let answer = json_of(&answer);
        assert_eq!(answer["status"], false, "{answer}");
        assert!(answer["message"].is_string(), "{answer}");
    }
}

#[test]
fn the_customer_says_reacts_reads_and_fails_through_the_cli() {
    let app = App::start();
    let emulator = Emulator::start(&app, &[]);
    let said = wa_hook()
        .args([
            "emulate",
            "say",
            "--emulator",
            &emulator.base,
            "--format",
            "json",
        ])
        .arg("Do you have it in blue?")
        .output()
        .unwrap();
    assert!(said.status.success(), "{said:?}");
    let said = json_of(&said.stdout);
    assert_eq!(said["app_status"], 200);
    let inbound = app.next();
    assert_eq!(verdict(&inbound.body), "valid qikchat message:text");
    let body = json_of(&inbound.body);
    assert_eq!(body["event"], "whatsapp:message:in");
    assert_eq!(body["payload"]["id"], said["message_id"]);
    assert_eq!(
        body["payload"]["message"]["text"]["body"],
        "Do you have it in blue?"
    );

    wa_hook()
        .args([
            "emulate",
            "say",
            "--emulator",
            &emulator.base,
            "--kind",
            "message:image",
        ])
        .assert()
        .success();
    assert_eq!(verdict(&app.next().body), "valid qikchat message:image");
    wa_hook()
        .args([
            "emulate",
            "say",
            "--emulator",
            &emulator.base,
            "--kind",
            "message:video",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "no Qikchat message sample of kind message:video",
        ));

    let (_, answer) = emulator.send(&text_send("Yes, in blue"));
    let id = id_of(&answer);
    app.next();
    app.next();
    wa_hook()
        .args([
            "emulate",
            "react",
            "--emulator",
            &emulator.base,
            &id,
            "--emoji",
            "❤️",
        ])
        .assert()
        .success();
    let reaction = app.next();
    assert_eq!(verdict(&reaction.body), "valid qikchat message:reaction");
    assert_eq!(
        json_of(&reaction.body)["payload"]["message"]["reaction"],
        json!({"message_id": id, "emoji": "❤️"})
    );
    for (action, status) in [("read", "read"), ("fail", "failed")] {
        wa_hook()
            .args(["emulate", action, "--emulator", &emulator.base, &id])
            .assert()
            .success()
            .stdout(predicate::str::contains("the app answered 200"));
        let callback = app.next();
        assert_eq!(
            verdict(&callback.body),
            format!("valid qikchat status:{status}")
        );
        assert_eq!(json_of(&callback.body)["payload"]["id"], id.as_str());
    }
    wa_hook()
        .args([
            "emulate",
            "read",
            "--emulator",
            &emulator.base,
            "NoSuchMessage",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not a message the app sent"));
}

#[test]
fn outside_the_window_a_free_form_send_fails_and_a_template_does_not() {
    let app = App::start();
    let emulator = Emulator::start(&app, &["--window", "1h"]);
    let status_of = |callback: &Recorded| json_of(&callback.body)["payload"]["status"].clone();
    // Before the customer wrote at all: queued, then failed (no `sent`).
    let (status, answer) = emulator.send(&text_send("Hello first"));
    assert_eq!(status, 200);
    let failed = app.next();
    assert_eq!(status_of(&failed), "failed");
    assert_eq!(
        json_of(&failed.body)["payload"]["id"],
        id_of(&answer).as_str()
    );
    // A template is how to write outside the window.
    let template =
        json!({"to_contact": "+918080808080", "type": "template", "template": {"name": "hi"}});
    emulator.send(&template);
    assert_eq!(status_of(&app.next()), "sent");
    assert_eq!(status_of(&app.next()), "delivered");
    // Once the customer writes, free-form sends go through.
    wa_hook()
        .args(["emulate", "say", "--emulator", &emulator.base, "hi"])
        .assert()
        .success();
    app.next();
    emulator.send(&text_send("Thanks for writing"));
    assert_eq!(status_of(&app.next()), "sent");
    assert_eq!(status_of(&app.next()), "delivered");
}

#[test]
fn flags_qikchat_gives_no_meaning_are_refused_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let templates = dir.path().join("templates.json");
    std::fs::write(&templates, "[]").unwrap();
    let templates = templates.to_str().unwrap();
    for (args, reason) in [
        (
            &["--inject", "131030:next=1"][..],
            "documents no error codes",
        ),
        (&["--throughput", "10"], "documents no throughput limit"),
        (
            &["--pair-interval", "6s"],
            "documents no limit per recipient",
        ),
        (
            &["--templates", templates],
            "template send is not documented",
        ),
        (&["--app-secret-env", "QIKCHAT_KEY"], "signs no webhooks"),
        (
            &["--verify-token-env", "QIKCHAT_KEY"],
            "verifies no webhook",
        ),
        (&["--events-webhook", "3001"], "one callback URL"),
    ] {
        let output = wa_hook()
            .env("QIKCHAT_KEY", API_KEY)
            .args(["emulate", "qikchat", "--webhook", "3000"])
            .args(args)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(reason), "{args:?}: {stderr}");
        assert_eq!(stderr.trim_end().lines().count(), 1, "one line: {stderr}");
        assert!(output.stdout.is_empty(), "nothing served: {args:?}");
    }
    // Nor at run time.
    let app = App::start();
    let emulator = Emulator::start(&app, &[]);
    let (status, answer) = emulator.request(
        "POST",
        "/_wa-hook/inject",
        &[],
        br#"{"code": 1, "next": 1}"#,
    );
    assert_eq!(status, 400);
    assert!(String::from_utf8_lossy(&answer).contains("no error codes"));
}

#[test]
fn the_capture_file_validates_the_sends_against_qikchats_schema() {
    let app = App::start();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run.jsonl");
    let emulator = Emulator::start(&app, &["--out", out.to_str().unwrap()]);
    assert_eq!(emulator.send(&text_send("valid")).0, 200);
    app.next();
    app.next();
    let wrong = json!({"to_contact": "+91", "type": "audio", "audio": {"link": "not a link"}});
    assert_eq!(emulator.send(&wrong).0, 400);
    let (code, _, stderr) = emulator.interrupt();
    assert_eq!(code, Some(0));
    assert!(stderr.contains("send:text  accepted"), "{stderr}");
    assert!(stderr.contains("send:audio  refused 400"), "{stderr}");
    let text = std::fs::read(&out).unwrap();
    let lines: Vec<&[u8]> = text
        .split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .collect();
    assert_eq!(lines.len(), 4);
    for line in &lines {
        assert_capture_schema(line);
    }
    let records: Vec<Value> = lines.iter().map(|line| json_of(line)).collect();
    // A webhook is recorded once the app has answered it, so the refused send may come before
    // the `delivered` callback's record: each direction is read in its own order.
    let sends: Vec<&Value> = records
        .iter()
        .filter(|r| r["direction"] == "send")
        .collect();
    let callbacks: Vec<&Value> = records
        .iter()
        .filter(|r| r["direction"] == "webhook")
        .collect();
    assert_eq!(
        (sends[0]["kind"].as_str(), sends[0]["verdict"].as_str()),
        (Some("send:text"), Some("valid"))
    );
    assert_eq!(sends[1]["verdict"], "invalid");
    // Each callback was checked as it went out: valid, and Qikchat's.
    assert_eq!(callbacks.len(), 2);
    for (record, kind) in callbacks.iter().zip(["status:sent", "status:delivered"]) {
        assert_eq!(
            (record["kind"].as_str(), record["verdict"].as_str()),
            (Some(kind), Some("valid"))
        );
        assert_eq!(record["provider"], "qikchat");
    }
    wa_hook()
        .args(["validate", "--format", "json"])
        .arg(&out)
        .assert()
        .code(1)
        .stdout(predicate::function(|stdout: &str| {
            let lines: Vec<Value> = stdout
                .lines()
                .filter_map(|l| serde_json::from_str(l).ok())
                .collect();
            let sends: Vec<&Value> = lines
                .iter()
                .filter(|l| l["schema"] == "qikchat-send")
                .collect();
            sends.len() == 2
                && sends[0]["verdict"] == "valid"
                && sends[0]["kind"] == "send:text"
                && sends[1]["verdict"] == "invalid"
                && sends[1]["errors"][0]["pointer"] == "/audio/link"
        }));
}

#[test]
fn the_json_start_line_names_the_ids_and_help_says_what_is_unknown() {
    let app = App::start();
    let emulator = Emulator::start(&app, &["--format", "json"]);
    let line = json_of(emulator.first_line.as_bytes());
    assert_eq!(line["emulating"], "qikchat");
    assert_eq!(line["base_url"], emulator.base.as_str());
    assert!(
        line["business_number"].is_string() && line["customer"].is_string(),
        "{line}"
    );
    wa_hook()
        .args(["emulate", "qikchat", "--help"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "Qikchat's error answers are not documented",
        ));
}
