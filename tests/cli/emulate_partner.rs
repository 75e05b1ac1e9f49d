//! `wa-hook emulate 99digital` against a stand-in app: a recording HTTP server on 127.0.0.1:0
//! takes the emulator's webhooks, while the test plays the app's sends over raw HTTP. The
//! harness is `crate::emulator`'s; [`Running`] adds the apiKey, shared with `emulate_smartflow`.
use std::io::BufRead;

use serde_json::{Value, json};

use crate::common::*;
use crate::emulator::{self, App, http, json_of, verdict};

const LINE: &str = "972501234567";
const CUSTOMER: &str = "972529988776";
/// The apiKey --token-env names in these tests: it must show up nowhere but in the requests.
const API_KEY: &str = "nn-api-key-5f2c1a9e";

/// A running `wa-hook emulate 99digital|smartflow`, with the apiKey in `NN_API_KEY`.
pub struct Running(emulator::Running);

impl std::ops::Deref for Running {
    type Target = emulator::Running;
    fn deref(&self) -> &emulator::Running {
        &self.0
    }
}

impl Running {
    pub fn start(provider: &str, app: &App, args: &[&str]) -> Running {
        Running(emulator::Running::start(
            provider,
            app,
            args,
            &[("NN_API_KEY", API_KEY)],
        ))
    }

    /// A JSON POST; the HTTP status and the answer's JSON.
    pub fn post(&self, path: &str, body: &Value) -> (u16, Value) {
        self.0.post(path, &[], body)
    }

    /// SIGINT (Ctrl-C), then the exit code, the rest of stdout and stderr.
    pub fn interrupt(self) -> (Option<i32>, String, String) {
        self.0.interrupt()
    }
}

fn v1(text: &str) -> Value {
    json!({"apiKey": API_KEY, "from": LINE, "to": CUSTOMER, "text": text})
}

fn v2(body: &str) -> Value {
    json!({"apiKey": API_KEY, "from": LINE, "to": CUSTOMER, "body": body})
}

#[test]
fn v1_v2_and_mark_as_read_are_answered_as_documented_and_no_webhook_follows() {
    let app = App::start();
    let emulator = Running::start("99digital", &app, &["--token-env", "NN_API_KEY"]);
    let (status, answer) = emulator.post(
        "/whatsapp/sendMessage",
        &json!({"apiKey": API_KEY, "from": LINE, "to": "9725001234567-157483929384", "text": "Hi group"}),
    );
    assert_eq!(status, 200);
    assert_eq!(answer["status"], "OK");
    assert_eq!(answer["reason"], 1);
    assert_eq!(answer["text"], "Hi group");
    assert_eq!(answer["from"], LINE);
    assert_eq!(answer["to"], "9725001234567-157483929384");
    let unique = answer["unique"].as_str().unwrap();
    assert_eq!(unique.len(), 22, "{unique}");
    assert!(answer["timestamp"].is_u64());

    let mut send = v2("Your order *shipped*");
    send["showRequest"] = 1.into();
    send["replyTo"] = "65dfd4r4dref34rdfxd34r".into();
    let (status, answer) = emulator.post("/whatsapp/v2/sendMessage", &send);
    assert_eq!(status, 200);
    assert_eq!(answer["status"], "OK", "{answer}");
    assert_eq!(answer["reason"], 1);
    assert!(answer.get("text").is_none());
    assert_eq!(answer["request"]["body"], "Your order *shipped*");
    assert!(answer["request"].get("apiKey").is_none(), "{answer}");

    let (status, answer) = emulator.post(
        "/whatsapp/v2/readStatus",
        &json!({"apiKey": API_KEY, "from": LINE, "to": CUSTOMER}),
    );
    assert_eq!(status, 200);
    assert_eq!(
        answer,
        json!({"status": "OK", "reason": 1, "from": LINE, "to": CUSTOMER})
    );

    // No webhook follows the sends: the first the app gets is the event asked for next.
    let said = emulator.customer(&["say", "--kind", "event:builder"]);
    assert!(said.status.success(), "{said:?}");
    let first = app.next();
    assert_eq!(verdict(&first.body), "valid partner event:builder");

    let (status, answer) = emulator.post("/whatsapp/v3/sendMessage", &v1("x"));
    assert_eq!(status, 404);
    assert_eq!(answer["status"], "FAIL");
    let (status, _, answer) = http(&emulator.base, "GET", "/whatsapp/sendMessage", &[], b"");
    assert_eq!(status, 405);
    assert_eq!(json_of(&answer)["status"], "FAIL");
    let (code, _, err) = emulator.interrupt();
    assert_eq!(code, Some(0));
    assert!(err.contains("send:v1  OK"), "{err}");
    assert!(err.contains("send:v2  OK"), "{err}");
    assert!(err.contains("send:read  OK"), "{err}");
}

#[test]
fn each_wrong_member_is_refused_with_its_reason_and_the_field_at_fault() {
    let app = App::start();
    let emulator = Running::start("99digital", &app, &["--token-env", "NN_API_KEY"]);
    let cases: Vec<(&str, Value, u64, &str)> = vec![
        (
            "/whatsapp/sendMessage",
            json!({"apiKey": API_KEY, "from": "972000000001", "to": CUSTOMER, "text": "x"}),
            2,
            "/from",
        ),
        (
            "/whatsapp/sendMessage",
            json!({"apiKey": "not-the-key", "from": LINE, "to": CUSTOMER, "text": "x"}),
            3,
            "/apiKey",
        ),
        (
            "/whatsapp/v2/sendMessage",
            json!({"from": LINE, "to": CUSTOMER, "body": "x"}),
            3,
            "/apiKey",
        ),
        (
            "/whatsapp/sendMessage",
            json!({"apiKey": API_KEY, "from": LINE, "to": "+972529988776", "text": "x"}),
            4,
            "/to",
        ),
        (
            "/whatsapp/v2/sendMessage",
            json!({"apiKey": API_KEY, "from": LINE, "to": "9725001234567-157483929384", "body": "x"}),
            4,
            "/to",
        ),
        (
            "/whatsapp/v2/readStatus",
            json!({"apiKey": API_KEY, "from": LINE, "to": ""}),
            4,
            "/to",
        ),
        (
            "/whatsapp/sendMessage",
            json!({"apiKey": API_KEY, "from": LINE, "to": CUSTOMER, "text": ""}),
            5,
            "/text",
        ),
        (
            "/whatsapp/v2/sendMessage",
            json!({"apiKey": API_KEY, "from": LINE, "to": CUSTOMER}),
            5,
            "/body",
        ),
        (
            "/whatsapp/v2/sendMessage",
            json!({"apiKey": API_KEY, "from": LINE, "to": CUSTOMER, "body": "x", "showRequest": "yes"}),
            0,
            "/showRequest",
        ),
    ];
    for (path, body, reason, pointer) in cases {
        let (status, answer) = emulator.post(path, &body);
        assert_eq!(status, 200, "{path} {body}");
        assert_eq!(answer["status"], "FAIL", "{body}: {answer}");
        assert_eq!(answer["reason"], reason, "{body}: {answer}");
        let details = answer["wa_hook_details"].as_str().unwrap();
        assert!(details.starts_with(&format!("{pointer}:")), "{details}");
        assert!(!answer.to_string().contains("not-the-key"), "{answer}");
    }
    // Not JSON: reason 2, as the mark-as-read page says of a syntax error.
    let (status, _, answer) = http(
        &emulator.base,
        "POST",
        "/whatsapp/sendMessage",
        &[],
        b"{\"apiKey\": ",
    );
    assert_eq!(status, 200);
    assert_eq!(json_of(&answer)["reason"], 2);
}

#[test]
fn the_api_key_never_reaches_the_output_or_the_capture_file() {
    let app = App::start();
    let dir = tempfile::tempdir().unwrap();
    let capture = dir.path().join("emulate.jsonl");
    let emulator = Running::start(
        "99digital",
        &app,
        &[
            "--token-env",
            "NN_API_KEY",
            "--out",
            capture.to_str().unwrap(),
            "--format",
            "json",
        ],
    );
    let mut answers = Vec::new();
    answers.push(emulator.post("/whatsapp/sendMessage", &v1("hello")).1);
    answers.push(emulator.post("/whatsapp/v2/sendMessage", &v2("")).1);
    let mut shown = v2("show me");
    shown["showRequest"] = true.into();
    answers.push(emulator.post("/whatsapp/v2/sendMessage", &shown).1);
    // The key as a number (reported by its type only), in the query, and in a body cut short.
    answers.push(
        emulator
            .post(
                "/whatsapp/v2/readStatus",
                &json!({"apiKey": [API_KEY], "from": LINE, "to": CUSTOMER}),
            )
            .1,
    );
    let (_, _, answer) = http(
        &emulator.base,
        "POST",
        &format!("/whatsapp/v2/readStatus?apiKey={API_KEY}"),
        &[],
        format!("{{\"apiKey\": \"{API_KEY}\", \"from\": ").as_bytes(),
    );
    answers.push(json_of(&answer));
    let said = emulator.customer(&["say", "--kind", "event:whatsapp"]);
    assert!(said.status.success(), "{said:?}");
    let event = app.next();
    assert_eq!(verdict(&event.body), "valid partner event:whatsapp");
    let event = json_of(&event.body);
    assert_eq!(event["whatsapp"], LINE);
    assert!(
        event.get("whatsapp_apiKey").is_none(),
        "the key --token-env names is never sent: {event}"
    );
    let (code, out, err) = emulator.interrupt();
    assert_eq!(code, Some(0));
    let written = std::fs::read_to_string(&capture).unwrap();
    for text in answers
        .iter()
        .map(ToString::to_string)
        .chain([out.clone(), err, written.clone()])
    {
        assert!(!text.contains(API_KEY), "the apiKey leaked: {text}");
    }
    let records: Vec<Value> = written
        .lines()
        .map(|line| json_of(line.as_bytes()))
        .collect();
    assert_eq!(records.len(), 6, "{written}");
    for record in &records {
        assert_capture_schema(record.to_string().as_bytes());
    }
    // Records are written as each answer goes out, so not always in the order sent.
    let v1 = records.iter().find(|r| r["kind"] == "send:v1").unwrap();
    let v1_body = json_of(v1["body"].as_str().unwrap().as_bytes());
    assert_eq!(v1_body["apiKey"], "(redacted)");
    assert_eq!(v1_body["text"], "hello");
    let cut_short = records
        .iter()
        .find(|r| !r["query"].as_str().unwrap_or_default().is_empty())
        .unwrap();
    assert_eq!(cut_short["query"], "apiKey=(redacted)");
    assert!(cut_short["body"].as_str().unwrap().contains("(redacted)"));
    let event = records
        .iter()
        .find(|r| r["direction"] == "webhook")
        .unwrap();
    assert_eq!(event["verdict"], "valid");
    assert_eq!(event["provider"], "partner");
    assert!(out.contains("\"summary\""), "{out}");
}

#[test]
fn the_window_refuses_v2_only_and_injected_reasons_fail_the_next_sends() {
    let app = App::start();
    // A window that has closed by the first send: v2 is refused, v1 knows no window.
    let closed = Running::start("99digital", &app, &["--window", "1ms"]);
    let (_, answer) = closed.post("/whatsapp/v2/sendMessage", &v2("late"));
    assert_eq!(answer["status"], "FAIL", "{answer}");
    assert_eq!(answer["reason"], 0);
    assert!(
        answer["wa_hook_details"]
            .as_str()
            .unwrap()
            .contains("Send Template Message")
    );
    assert_eq!(
        closed.post("/whatsapp/sendMessage", &v1("v1")).1["status"],
        "OK"
    );
    drop(closed);
    let open = Running::start(
        "99digital",
        &app,
        &["--window", "24h", "--inject", "7:next=1", "--seed", "9"],
    );
    let (_, answer) = open.post("/whatsapp/v2/sendMessage", &v2("first"));
    assert_eq!(answer["reason"], 7, "{answer}");
    let (_, answer) = open.post("/whatsapp/v2/sendMessage", &v2("second"));
    assert_eq!(answer["status"], "OK", "{answer}");
    let (status, _, answer) = http(
        &open.base,
        "POST",
        "/_wa-hook/inject",
        &[],
        br#"{"code": 6, "every": 2}"#,
    );
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&answer));
    // every=2 counts the message sends from the start: these are the 3rd to the 6th.
    let reasons: Vec<Value> = (0..4)
        .map(|n| open.post("/whatsapp/sendMessage", &v1(&format!("n{n}"))).1["reason"].clone())
        .collect();
    assert_eq!(reasons, [json!(1), json!(6), json!(1), json!(6)]);
    let (status, _, answer) = http(
        &open.base,
        "POST",
        "/_wa-hook/inject",
        &[],
        br#"{"code": 131030, "next": 1}"#,
    );
    assert_eq!(status, 400);
    assert!(String::from_utf8_lossy(&answer).contains("reasons 2 to 7"));
}

#[test]
fn the_partner_events_are_the_seeds_and_the_rest_of_the_customer_is_refused() {
    let app = App::start();
    let emulator = Running::start("99digital", &app, &[]);
    for kind in ["event:whatsapp", "event:builder", "event:online"] {
        let said = emulator.customer(&["say", "--kind", kind]);
        assert!(said.status.success(), "{said:?}");
        assert!(String::from_utf8_lossy(&said.stdout).contains("the app answered 200"));
        let webhook = app.next();
        assert_eq!(webhook.url, "/webhook");
        assert_eq!(verdict(&webhook.body), format!("valid partner {kind}"));
        if kind == "event:whatsapp" {
            // Any apiKey is accepted: the onboarded line's key is a fresh one.
            let key = json_of(&webhook.body)["whatsapp_apiKey"].clone();
            assert!(key.is_string(), "{key}");
        }
    }
    for args in [
        &["say", "Hello"][..],
        &["say", "--kind", "message:text"],
        &["read", "65dfd4r4dref34rdfxd34r"],
        &["fail", "65dfd4r4dref34rdfxd34r"],
        &["react", "65dfd4r4dref34rdfxd34r"],
    ] {
        let output = emulator.customer(args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&output.stderr);
        assert!(err.contains("99 Digital"), "{err}");
    }
}

#[test]
fn flags_that_do_not_apply_are_refused_with_a_reason() {
    let app = App::start();
    let templates = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(templates.path(), "[]").unwrap();
    for (args, says) in [
        (
            vec!["--templates", templates.path().to_str().unwrap()],
            "--templates",
        ),
        (vec!["--throughput", "10"], "--throughput"),
        (vec!["--pair-interval", "6s"], "--pair-interval"),
        (vec!["--events-webhook", "3000/events"], "--events-webhook"),
        (vec!["--statuses", "sent=0ms"], "--statuses"),
        (vec!["--inject", "131030:next=1"], "reasons 2 to 7"),
    ] {
        let output = wa_hook()
            .args(["emulate", "99digital", "--webhook", &app.url("/webhook")])
            .args(&args)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&output.stderr);
        assert!(err.contains(says), "{args:?}: {err}");
        assert_eq!(err.trim().lines().count(), 1, "{err}");
    }
}

#[test]
fn validate_checks_the_captured_sends_against_the_send_schema() {
    let app = App::start();
    let dir = tempfile::tempdir().unwrap();
    let capture = dir.path().join("emulate.jsonl");
    let emulator = Running::start("99digital", &app, &["--out", capture.to_str().unwrap()]);
    emulator.post("/whatsapp/sendMessage", &v1("fine"));
    emulator.post(
        "/whatsapp/v2/sendMessage",
        &json!({"apiKey": "k", "from": LINE, "to": "+972529988776", "body": "wrong to"}),
    );
    emulator.post(
        "/whatsapp/v2/readStatus",
        &json!({"apiKey": "k", "from": LINE, "to": CUSTOMER}),
    );
    emulator.post("/nowhere", &json!({}));
    assert_eq!(emulator.interrupt().0, Some(0));
    let output = wa_hook()
        .args(["validate", "--format", "json"])
        .arg(&capture)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let lines: Vec<Value> = output
        .stdout
        .lines()
        .map(|line| json_of(line.unwrap().as_bytes()))
        .filter(|line| line.get("summary").is_none())
        .collect();
    // Records are written as each answer goes out, so not always in the order sent.
    let mut verdicts: Vec<(String, String)> = lines
        .iter()
        .map(|line| {
            (
                line["kind"].as_str().unwrap_or_default().to_string(),
                line["verdict"].as_str().unwrap_or("skipped").to_string(),
            )
        })
        .collect();
    verdicts.sort();
    let pairs: Vec<(&str, &str)> = verdicts
        .iter()
        .map(|(kind, verdict)| (kind.as_str(), verdict.as_str()))
        .collect();
    assert_eq!(
        pairs,
        [
            ("", "skipped"),
            ("send:read", "valid"),
            ("send:v1", "valid"),
            ("send:v2", "invalid")
        ]
    );
    let invalid = lines
        .iter()
        .find(|line| line["verdict"] == "invalid")
        .unwrap();
    assert_eq!(invalid["errors"][0]["pointer"], "/to", "{invalid}");
    assert_eq!(lines.len(), 4, "{lines:?}");
}
