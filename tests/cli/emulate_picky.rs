//! `wa-hook emulate picky` against a stand-in app: a recording HTTP server on 127.0.0.1:0 that
//! takes the message webhooks at `/webhook` and the delivery reports at `/events`, while the
//! test plays the app's pushes over raw HTTP.
use std::sync::Mutex;
use std::time::Duration;

use serde_json::{Value, json};

use crate::common::*;
use crate::emulator::{App, Running, json_of, verdict};

const TOKEN: &str = "picky-token-4f7a9c";
const CUSTOMER: &str = "919846012345";

/// A running `wa-hook emulate picky`.
struct Emulator(Running);

impl std::ops::Deref for Emulator {
    type Target = Running;
    fn deref(&self) -> &Running {
        &self.0
    }
}

impl Emulator {
    /// Message webhooks to the app's `/webhook`, reports to its `/events`.
    fn start(app: &App, args: &[&str]) -> Emulator {
        Self::with_webhooks(
            &[
                "--webhook",
                &app.url("/webhook"),
                "--events-webhook",
                &app.url("/events"),
            ],
            args,
        )
    }

    fn with_webhooks(webhooks: &[&str], args: &[&str]) -> Emulator {
        let mut all = vec!["picky"];
        all.extend_from_slice(webhooks);
        all.extend_from_slice(args);
        Emulator(Running::spawn(&all, &[("PICKY_TOKEN", TOKEN)]))
    }

    fn request(&self, method: &str, target: &str, body: &[u8]) -> (u16, Vec<u8>) {
        let (status, _, answer) = self.0.request(method, target, &[], body);
        (status, answer)
    }

    /// A JSON push to `/api/v2/push`.
    fn push(&self, body: &Value) -> (u16, Value) {
        let (status, answer) =
            self.request("POST", "/api/v2/push", &serde_json::to_vec(body).unwrap());
        (status, json_of(&answer))
    }

    /// SIGINT (Ctrl-C), then the exit code, the rest of stdout and stderr.
    fn interrupt(self) -> (Option<i32>, String, String) {
        self.0.interrupt()
    }
}

/// The delivery report of a webhook, checked to be one.
fn report(webhook: &Recorded) -> Value {
    assert_eq!(webhook.url, "/events", "reports go to the event webhook");
    assert_eq!(verdict(&webhook.body), "valid picky event:delivery_report");
    let body = json_of(&webhook.body);
    assert_eq!(body["event_id"], 1);
    body["data"][0].clone()
}

fn text_push(numbers: &[Value]) -> Value {
    json!({
        "token": TOKEN, "application": "8", "globalmessage": "", "priority": "0",
        "data": numbers.iter().enumerate().map(|(n, number)| json!({
            "number": number, "message": format!("Your order #{n} shipped"),
        })).collect::<Vec<_>>(),
    })
}

fn records(path: &std::path::Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|line| {
            assert_capture_schema(line.as_bytes());
            json_of(line.as_bytes())
        })
        .collect()
}

#[test]
fn a_push_is_answered_as_documented_then_reported_on_the_event_webhook() {
    let app = App::start();
    let emulator = Emulator::start(&app, &[]);
    assert_eq!(emulator.first_line.trim(), emulator.base);
    let (status, answer) = emulator.push(&text_push(&[json!(CUSTOMER), json!(35_435_304_220_u64)]));
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["status"], 100);
    assert_eq!(answer["message"], "Success");
    let push_id = answer["push_id"].as_str().expect("push_id as a string");
    assert!(push_id.bytes().all(|b| b.is_ascii_digit()), "{push_id}");
    let data = answer["data"].as_array().unwrap();
    assert_eq!(data.len(), 2);
    assert_eq!(data[0]["number"], CUSTOMER);
    assert_eq!(data[1]["number"], "35435304220");
    assert_eq!(data[0]["credit"], "0.005");
    let msg_ids: Vec<u64> = data
        .iter()
        .map(|item| item["msg_id"].as_str().unwrap().parse().unwrap())
        .collect();
    assert_ne!(msg_ids[0], msg_ids[1]);
    // Submitted (4) for each number, then delivered (1), linked by push_id and msg_id.
    for (status, index) in [(4, 0), (4, 1), (1, 0), (1, 1)] {
        let item = report(&app.next());
        assert_eq!(item["status"], status, "{item}");
        assert_eq!(item["msg_id"], msg_ids[index]);
        assert_eq!(item["push_id"].to_string(), push_id);
        assert_eq!(item["message"], format!("Your order #{index} shipped"));
        assert_eq!(item["message_type"], "Text");
        assert_eq!(item["channel_id"], 8);
    }
}

#[test]
fn without_an_event_webhook_the_reports_go_to_the_webhook() {
    let app = App::start();
    let emulator = Emulator::with_webhooks(&["--webhook", &app.url("/webhook")], &[]);
    let (status, _) = emulator.push(&json!({
        "token": "any", "application": 8, "globalmessage": "Sale today",
        "globalmedia": "https://example.com/sale.jpg", "data": [{"number": CUSTOMER}],
    }));
    assert_eq!(status, 200);
    let webhook = app.next();
    assert_eq!(webhook.url, "/webhook");
    let item = json_of(&webhook.body)["data"][0].clone();
    assert_eq!(
        (item["status"].clone(), item["message"].clone()),
        (json!(4), json!("Sale today"))
    );
    assert_eq!(item["message_type"], "Image");
    assert_eq!(item["media"], "https://example.com/sale.jpg");
}

#[test]
fn a_wrong_push_is_refused_with_the_pointer_of_the_field_at_fault_and_nothing_follows() {
    let app = App::start();
    let emulator = Emulator::start(&app, &[]);
    for (push, pointer) in [
        (text_push(&[json!("+91 98460 12345")]), "/data/0/number"),
        (text_push(&[json!("09846012345")]), "/data/0/number"),
        (
            json!({"token": "t", "application": 8, "globalmessage": "", "data": [{"number": CUSTOMER}]}),
            "/data/0/message",
        ),
        (
            json!({"token": "t", "application": 8, "globalmessage": "Hi"}),
            "/data",
        ),
        (
            json!({"token": "t", "globalmessage": "Hi", "data": [{"number": CUSTOMER}]}),
            "/application",
        ),
        (
            json!({"token": "t", "application": 8, "globalmessage": "Hi", "priority": "high", "data": [{"number": CUSTOMER}]}),
            "/priority",
        ),
    ] {
        let (status, answer) = emulator.push(&push);
        assert_eq!(status, 400, "{answer}");
        assert_eq!(answer["status"], 400);
        let message = answer["message"].as_str().unwrap();
        assert!(
            message.starts_with(&format!("{pointer}: expected")),
            "{message}"
        );
    }
    let (status, _) = emulator.request("POST", "/api/v2/push", b"{not json");
    assert_eq!(status, 400);
    // No report follows a refused push: the first one is the next accepted push's.
    let (status, accepted) = emulator.push(&text_push(&[json!(CUSTOMER)]));
    assert_eq!(status, 200);
    assert_eq!(
        report(&app.next())["msg_id"].to_string(),
        accepted["data"][0]["msg_id"].as_str().unwrap()
    );
}

#[test]
fn the_normal_post_form_the_v3_path_routes_and_methods() {
    let app = App::start();
    let emulator = Emulator::start(&app, &[]);
    let data = serde_json::to_string(&text_push(&[json!(CUSTOMER)])).unwrap();
    let query: String = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("data", &data)
        .finish();
    for path in ["/api/v2/push", "/app/api/v2/push"] {
        let (status, answer) = emulator.request("POST", &format!("{path}?{query}"), b"");
        assert_eq!(status, 200, "{}", String::from_utf8_lossy(&answer));
        assert_eq!(json_of(&answer)["status"], 100);
        assert_eq!(report(&app.next())["status"], 4);
        assert_eq!(report(&app.next())["status"], 1);
    }
    let (status, answer) = emulator.request("GET", "/api/v2/push", b"");
    assert_eq!(
        (status, json_of(&answer)["status"].clone()),
        (405, json!(405))
    );
    // Nothing can be injected at run time either: Picky's error codes are unknown.
    let (status, answer) = emulator.control("inject", &json!({"code": 131_030, "next": 1}));
    assert_eq!(status, 400);
    assert!(
        answer["error"]
            .as_str()
            .unwrap()
            .contains("error codes are unknown"),
        "{answer}"
    );
    let (status, answer) = emulator.request("POST", "/api/v3/push", b"{}");
    assert_eq!(
        (status, json_of(&answer)["status"].clone()),
        (404, json!(404))
    );
}

#[test]
fn tokens_are_checked_in_the_body() {
    let app = App::start();
    let any = Emulator::start(&app, &[]);
    let mut push = text_push(&[json!(CUSTOMER)]);
    push["token"] = "".into();
    assert_eq!(any.push(&push).0, 401);
    push.as_object_mut().unwrap().remove("token");
    let (status, answer) = any.push(&push);
    assert_eq!(status, 401);
    assert!(
        answer["message"].as_str().unwrap().starts_with("/token:"),
        "{answer}"
    );
    push["token"] = "whatever".into();
    assert_eq!(any.push(&push).0, 200);

    let one = Emulator::start(&app, &["--token-env", "PICKY_TOKEN"]);
    assert_eq!(one.push(&push).0, 401);
    push["token"] = TOKEN.into();
    assert_eq!(one.push(&push).0, 200);
}

/// The token rides in the body (or in `?data=`): the capture file, the output and the
/// answers never carry it, and `validate` still checks the sends.
#[test]
fn the_token_never_reaches_the_capture_file_or_the_output() {
    let app = App::start();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run.jsonl");
    let emulator = Emulator::start(
        &app,
        &["--token-env", "PICKY_TOKEN", "--out", out.to_str().unwrap()],
    );
    // JSON, accepted.
    assert_eq!(emulator.push(&text_push(&[json!(CUSTOMER)])).0, 200);
    // The normal POST form, accepted.
    let data = serde_json::to_string(&text_push(&[json!(CUSTOMER)])).unwrap();
    let query: String = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("data", &data)
        .finish();
    assert_eq!(
        emulator
            .request("POST", &format!("/api/v2/push?{query}"), b"")
            .0,
        200
    );
    // Broken JSON with the token in it, and the token as a number where a string belongs.
    let broken = format!(r#"{{"token": "{TOKEN}", "data": [oops"#);
    assert_eq!(
        emulator
            .request("POST", "/api/v2/push", broken.as_bytes())
            .0,
        400
    );
    let (status, answer) = emulator.request(
        "POST",
        "/api/v2/push",
        br#"{"token": 48151623420, "application": 8, "globalmessage": "Hi", "data": [{"number": 1}]}"#,
    );
    assert_eq!(status, 401);
    assert!(!String::from_utf8_lossy(&answer).contains("48151623420"));
    for _ in 0..4 {
        app.next();
    }
    let (code, stdout, stderr) = emulator.interrupt();
    assert_eq!(code, Some(0));
    let text = std::fs::read_to_string(&out).unwrap();
    for secret in [TOKEN, "48151623420"] {
        assert!(!text.contains(secret), "{text}");
        assert!(
            !stdout.contains(secret) && !stderr.contains(secret),
            "{stderr}"
        );
    }
    let records = records(&out);
    // Each send by what marks it (records of concurrent requests are saved in either order).
    let find = |what: &str, test: &dyn Fn(&Value) -> bool| -> Value {
        records
            .iter()
            .find(|record| record["direction"] == "send" && test(record))
            .unwrap_or_else(|| panic!("the {what} push in {records:?}"))
            .clone()
    };
    let in_json = find("JSON", &|r| r["response_status"] == 200 && r["query"] == "");
    let in_query = find("?data=", &|r| r["query"] != "");
    let broken = find("broken", &|r| r["kind"] == "send:malformed");
    let numeric = find("numeric-token", &|r| r["response_status"] == 401);
    assert_eq!(
        json_of(in_json["body"].as_str().unwrap().as_bytes())["token"],
        "(redacted)"
    );
    assert!(
        in_query["query"]
            .as_str()
            .unwrap()
            .starts_with("data=%7B%22token%22%3A%22%28redacted%29%22"),
        "{}",
        in_query["query"]
    );
    assert_eq!(in_query["body"], "");
    assert!(
        broken["body"]
            .as_str()
            .unwrap()
            .starts_with(r#"{"token": "(redacted)", "data": [oops"#),
        "{broken}"
    );
    assert_eq!(numeric["kind"], "send:push");
    assert_eq!(numeric["errors"][0]["pointer"], "/token");
    assert_eq!(numeric["errors"][0]["found"], "(redacted)");
    // validate checks the captured pushes, the ?data= one from its query.
    for (record, verdict, kind) in [
        (&in_json, "valid", "send:push"),
        (&in_query, "valid", "send:push"),
        (&broken, "malformed", ""),
        // A token that is not a string is recorded as null: still a wrong push.
        (&numeric, "invalid", "send:push"),
    ] {
        let validated = wa_hook()
            .arg("validate")
            .arg(format!("{}:{}", out.display(), record["seq"]))
            .args(["--format", "json"])
            .output()
            .unwrap();
        let line = json_of(validated.stdout.split(|b| *b == b'\n').next().unwrap());
        assert_eq!(line["verdict"], verdict, "{line}");
        assert_eq!(line["kind"].as_str().unwrap_or_default(), kind, "{line}");
    }
}

#[test]
fn flags_that_do_not_apply_to_picky_are_refused_with_a_reason() {
    let app = App::start();
    let dir = tempfile::tempdir().unwrap();
    let templates = dir.path().join("templates.json");
    std::fs::write(&templates, "[]").unwrap();
    for (args, reason) in [
        (
            vec!["--templates", templates.to_str().unwrap()],
            "documents no templates",
        ),
        (vec!["--window", "24h"], "no customer-service window"),
        (vec!["--throughput", "5"], "no rate limit"),
        (vec!["--pair-interval", "6s"], "no per-number limit"),
        (vec!["--inject", "131030:next=1"], "error codes are unknown"),
        (vec!["--app-secret-env", "PICKY_TOKEN"], "signs no webhooks"),
        (
            vec!["--basic-auth-env", "PICKY_TOKEN"],
            "sends no Basic auth",
        ),
    ] {
        wa_hook()
            .env("PICKY_TOKEN", "user:pass")
            .args(["emulate", "picky", "--webhook", &app.url("/webhook")])
            .args(&args)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(reason));
    }
}

#[test]
fn the_customer_says_reads_and_fails_through_the_cli() {
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
        .arg("Hi, is my order #4521 shipped?")
        .output()
        .unwrap();
    assert!(said.status.success(), "{said:?}");
    let said = json_of(&said.stdout);
    assert_eq!(said["app_status"], 200);
    let inbound = app.next();
    assert_eq!(inbound.url, "/webhook");
    assert_eq!(verdict(&inbound.body), "valid picky message:text");
    let message = json_of(&inbound.body);
    assert_eq!(
        message["message-in"],
        "Hi%2C+is+my+order+%234521+shipped%3F"
    );
    assert_eq!(message["message_in_raw"], "Hi, is my order #4521 shipped?");
    assert_eq!(message["number"], CUSTOMER);
    assert_eq!(message["unique-id"], said["message_id"]);

    for kind in [
        "message:media",
        "message:contacts",
        "message:location",
        "message:button_reply",
        "message:list_reply",
        "message:referral",
    ] {
        wa_hook()
            .args([
                "emulate",
                "say",
                "--emulator",
                &emulator.base,
                "--kind",
                kind,
            ])
            .assert()
            .success();
        assert_eq!(verdict(&app.next().body), format!("valid picky {kind}"));
    }
    wa_hook()
        .args([
            "emulate",
            "say",
            "--emulator",
            &emulator.base,
            "--kind",
            "event:delivery_report",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no Picky Assist message sample"));

    let (_, pushed) = emulator.push(&text_push(&[json!(CUSTOMER)]));
    let msg_id = pushed["data"][0]["msg_id"].as_str().unwrap().to_string();
    app.next();
    app.next();
    wa_hook()
        .args(["emulate", "read", "--emulator", &emulator.base, &msg_id])
        .assert()
        .success()
        .stdout(predicate::str::contains("the app answered 200"));
    let read = report(&app.next());
    assert_eq!(
        (read["msg_id"].to_string(), read["status"].clone()),
        (msg_id.clone(), json!(3))
    );
    wa_hook()
        .args(["emulate", "fail", "--emulator", &emulator.base, &msg_id])
        .assert()
        .success();
    let failed = report(&app.next());
    assert_eq!(failed["status"], 2);
    assert_eq!(failed["error_code"], 131_026);
    assert_eq!(failed["error_message"], "Message undeliverable");
    wa_hook()
        .args([
            "emulate",
            "fail",
            "--emulator",
            &emulator.base,
            &msg_id,
            "--code",
            "131047",
        ])
        .assert()
        .success();
    assert_eq!(report(&app.next())["error_code"], 131_047);
    // A message the app never sent, and a reaction (Picky documents none).
    wa_hook()
        .args(["emulate", "read", "--emulator", &emulator.base, "12345"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "not a msg_id of a message the app sent",
        ));
    wa_hook()
        .args(["emulate", "react", "--emulator", &emulator.base, &msg_id])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no reaction webhook"));
}

/// The app's answer to a message webhook: a valid instant reply is sent on (recorded as a send,
/// with its reports), an invalid one is recorded with its issues, a non-JSON one is not
/// delivered, and neither an empty body nor a non-200 carries a reply.
#[test]
fn instant_replies_are_sent_checked_or_not_delivered() {
    let answers = [
        Reply::new(200, br#"{"message-out": "Thanks! It shipped today.", "delay": "0", "reference_number": "ORD-4521"}"#),
        Reply::new(200, br#"{"ok": true}"#),
        Reply::new(200, b"Thanks, got it"),
        Reply::new(200, b""),
        Reply::new(500, br#"{"message-out": "never sent"}"#),
    ];
    let said = std::sync::atomic::AtomicUsize::new(0);
    let answers = Mutex::new(answers.into_iter().map(Some).collect::<Vec<_>>());
    let app = App::answering(move |request| {
        if request.url == "/webhook" {
            let turn = said.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            answers.lock().unwrap()[turn].take().unwrap()
        } else {
            Reply::ok()
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run.jsonl");
    let emulator = Emulator::start(&app, &["--out", out.to_str().unwrap()]);
    // 1: a valid reply, sent to the customer with its reports.
    let (status, _) = emulator.control("say", &json!({"text": "Is it shipped?"}));
    assert_eq!(status, 200);
    assert_eq!(app.next().url, "/webhook");
    let submitted = report(&app.next());
    assert_eq!(submitted["status"], 4);
    assert_eq!(submitted["message"], "Thanks! It shipped today.");
    assert_eq!(submitted["reference_number"], "ORD-4521");
    assert_eq!(submitted["number"].to_string(), CUSTOMER);
    let delivered = report(&app.next());
    assert_eq!(
        (delivered["status"].clone(), delivered["msg_id"].clone()),
        (json!(1), submitted["msg_id"].clone())
    );
    // The customer can read the reply.
    let (status, _) = emulator.control(
        "read",
        &json!({"message_id": submitted["msg_id"].to_string()}),
    );
    assert_eq!(status, 200);
    assert_eq!(report(&app.next())["status"], 3);
    // 2-5: no reports follow.
    for _ in 0..4 {
        let (status, _) = emulator.control("say", &json!({"text": "Hello?"}));
        assert_eq!(status, 200);
        assert_eq!(app.next().url, "/webhook");
    }
    let (code, _, stderr) = emulator.interrupt();
    assert_eq!(code, Some(0));
    assert!(
        app.next_within(Duration::ZERO).is_none(),
        "no report after an unsent reply"
    );
    let replies: Vec<Value> = records(&out)
        .into_iter()
        .filter(|record| record["kind"] == "send:reply")
        .collect();
    assert_eq!(replies.len(), 3, "{replies:?}");
    assert_eq!(replies[0]["verdict"], "valid");
    assert_eq!(replies[0]["path"], "/webhook");
    assert_eq!(
        json_of(replies[0]["body"].as_str().unwrap().as_bytes())["message-out"],
        "Thanks! It shipped today."
    );
    assert_eq!(replies[1]["verdict"], "invalid");
    assert_eq!(replies[1]["errors"][0]["pointer"], "/message-out");
    assert_eq!(replies[2]["verdict"], "invalid");
    assert_eq!(replies[2]["body"], "Thanks, got it");
    for outcome in [
        "send:reply  sent",
        "send:reply  not sent (not a valid instant reply)",
        "send:reply  not delivered (not JSON)",
    ] {
        assert!(stderr.contains(outcome), "{outcome} in {stderr}");
    }
    // validate checks the captured replies against picky-reply.
    wa_hook()
        .arg("validate")
        .arg(format!("{}:{}", out.display(), replies[0]["seq"]))
        .assert()
        .success()
        .stdout(predicate::str::contains("picky send:reply"));
}

#[test]
fn the_json_start_line_names_the_ids_and_a_seed_repeats_them() {
    let app = App::start();
    let ids = || {
        let emulator = Emulator::start(&app, &["--format", "json", "--seed", "42"]);
        let line = json_of(emulator.first_line.as_bytes());
        assert_eq!(line["emulating"], "picky");
        assert_eq!(line["project_id"], "14192");
        assert_eq!(line["customer"], CUSTOMER);
        let (_, answer) = emulator.push(&text_push(&[json!(CUSTOMER)]));
        app.next();
        app.next();
        (
            answer["push_id"].clone(),
            answer["data"][0]["msg_id"].clone(),
        )
    };
    assert_eq!(ids(), ids());
}

#[test]
fn reports_can_be_delayed_by_their_picky_names() {
    let app = App::start();
    let emulator = Emulator::start(&app, &["--statuses", "submitted=0ms,delivered=300ms"]);
    let started = std::time::Instant::now();
    emulator.push(&text_push(&[json!(CUSTOMER)]));
    assert_eq!(report(&app.next())["status"], 4);
    assert_eq!(report(&app.next())["status"], 1);
    assert!(started.elapsed() >= Duration::from_millis(300));
    wa_hook()
        .args([
            "emulate",
            "picky",
            "--webhook",
            "3000",
            "--statuses",
            "sent=1s",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("submitted, delivered, read"));
}
