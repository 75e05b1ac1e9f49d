//! `wa-hook emulate meta` against a stand-in app: a recording HTTP server on 127.0.0.1:0 that
//! takes the emulator's webhooks, while the test plays the app's sends over raw HTTP.
use std::io::Write;
use std::net::TcpStream;
use std::sync::Mutex;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::common::*;
use crate::emulator::{App, Running, json_of, verdict};

const PHONE_NUMBER_ID: &str = "106540352242922";
const SECRET: &str = "emulator-test-secret";

/// A running `wa-hook emulate meta`.
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
            "meta",
            app,
            args,
            &[
                ("EMULATE_SECRET", SECRET),
                ("EMULATE_TOKEN", "the-one-token"),
                ("VERIFY", "vt-123"),
            ],
        ))
    }

    /// A JSON send with a bearer token.
    fn send(&self, body: &Value) -> (u16, Value) {
        self.post(
            &format!("/v26.0/{PHONE_NUMBER_ID}/messages"),
            &[("Authorization", "Bearer any-token")],
            body,
        )
    }

    /// SIGINT (Ctrl-C), then the exit code, the rest of stdout and stderr.
    fn interrupt(self) -> (Option<i32>, String, String) {
        self.0.interrupt()
    }
}

fn text_send(body: &str) -> Value {
    json!({
        "messaging_product": "whatsapp", "recipient_type": "individual",
        "to": "16505553921", "type": "text", "text": {"body": body, "preview_url": false},
    })
}

/// The first status item of a Meta webhook.
fn status_item(webhook: &Recorded) -> Value {
    json_of(&webhook.body)["entry"][0]["changes"][0]["value"]["statuses"][0].clone()
}

fn meta_signing() -> &'static dyn wa_hook::providers::Signing {
    wa_hook::providers::Provider::from_id("meta")
        .unwrap()
        .rules()
        .signing()
        .unwrap()
}

#[test]
fn a_valid_send_is_answered_then_followed_by_signed_statuses_in_order() {
    let app = App::start();
    let emulator = Emulator::start(&app, &["--app-secret-env", "EMULATE_SECRET"]);
    assert_eq!(
        emulator.first_line.trim(),
        emulator.base,
        "the first line is the base URL alone"
    );
    let mut send = text_send("Your order shipped");
    send["biz_opaque_callback_data"] = "order-4711".into();
    let (status, answer) = emulator.send(&send);
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["messaging_product"], "whatsapp");
    assert_eq!(
        answer["contacts"],
        json!([{"input": "16505553921", "wa_id": "16505553921"}])
    );
    let wamid = answer["messages"][0]["id"].as_str().unwrap().to_string();
    assert!(wamid.starts_with("wamid."), "{wamid}");
    assert_eq!(answer["messages"][0]["message_status"], "accepted");

    let secret = wa_hook::secret::SecretString::new(SECRET);
    let mut conversations = Vec::new();
    for expected in ["sent", "delivered"] {
        let webhook = app.next();
        assert_eq!(webhook.url, "/webhook");
        let item = status_item(&webhook);
        conversations.push(item["conversation"]["id"].clone());
        assert_eq!(item["status"], expected, "{item}");
        assert_eq!(item["id"], wamid.as_str());
        assert_eq!(item["recipient_id"], "16505553921");
        assert_eq!(item["biz_opaque_callback_data"], "order-4711");
        let signature = webhook.header("X-Hub-Signature-256").expect("signed");
        assert!(meta_signing().verify(&secret, signature, &webhook.body));
        assert_eq!(
            verdict(&webhook.body),
            format!("valid meta status:{expected}")
        );
    }
    // One message, one conversation: its statuses name the same conversation id.
    assert!(conversations[0].is_string(), "{conversations:?}");
    assert_eq!(conversations[0], conversations[1]);
}

/// Status webhooks to a plain-http app go through the lane's own connection: the same head as
/// through reqwest (its user agent, `Accept: */*`, the app's host), the body as signed.
#[test]
fn status_webhooks_to_a_plain_http_app_carry_the_usual_head() {
    let app = App::start();
    let emulator = Emulator::start(&app, &["--app-secret-env", "EMULATE_SECRET"]);
    let secret = wa_hook::secret::SecretString::new(SECRET);
    for n in 0..3 {
        assert_eq!(emulator.send(&text_send(&format!("message {n}"))).0, 200);
        for _ in ["sent", "delivered"] {
            let webhook = app.next();
            assert_eq!(webhook.method, "POST");
            assert_eq!(
                webhook.header("User-Agent"),
                Some(concat!("wa-hook/", env!("CARGO_PKG_VERSION")))
            );
            assert_eq!(webhook.header("Accept"), Some("*/*"));
            assert_eq!(webhook.header("Content-Type"), Some("application/json"));
            let host = app
                .url("")
                .trim_start_matches("http://")
                .trim_end_matches('/')
                .to_string();
            assert_eq!(webhook.header("Host"), Some(host.as_str()));
            let length = webhook.header("Content-Length").map(str::to_string);
            assert_eq!(length, Some(webhook.body.len().to_string()));
            let signature = webhook.header("X-Hub-Signature-256").expect("signed");
            assert!(meta_signing().verify(&secret, signature, &webhook.body));
        }
    }
}

#[test]
fn a_wrong_send_is_refused_with_the_pointer_of_the_field_at_fault() {
    let app = App::start();
    let emulator = Emulator::start(&app, &[]);
    let wrong = json!({
        "messaging_product": "whatsapp", "to": "16505553921", "type": "interactive",
        "interactive": {"type": "button", "body": {"text": "Pick one"}, "action": {"buttons": [
            {"type": "reply", "reply": {"id": "yes", "title": "Yes please, right away"}}
        ]}}
    });
    let (status, answer) = emulator.send(&wrong);
    assert_eq!(status, 400, "{answer}");
    let error = &answer["error"];
    assert_eq!(error["code"], 100);
    assert_eq!(error["message"], "(#100) Invalid parameter");
    assert_eq!(error["type"], "OAuthException");
    assert_eq!(error["error_data"]["messaging_product"], "whatsapp");
    let details = error["error_data"]["details"].as_str().unwrap();
    assert!(
        details.starts_with(
            "/interactive/action/buttons/0/reply/title: expected at most 20 characters"
        ),
        "{details}"
    );
    assert!(
        error["fbtrace_id"]
            .as_str()
            .is_some_and(|id| !id.is_empty())
    );
    // No webhook follows a refused send: the first webhook is the next accepted send's.
    let (status, accepted) = emulator.send(&text_send("ok"));
    assert_eq!(status, 200);
    let item = status_item(&app.next());
    assert_eq!(item["id"], accepted["messages"][0]["id"]);
    assert_eq!(item["status"], "sent");
}

#[test]
fn tokens_are_checked_and_every_answer_is_a_json_envelope() {
    let app = App::start();
    let any = Emulator::start(&app, &[]);
    let body = serde_json::to_vec(&text_send("hi")).unwrap();
    let target = format!("/v21.0/{PHONE_NUMBER_ID}/messages");
    let (status, _, answer) = any.request("POST", &target, &[], &body);
    assert_eq!(status, 401);
    assert_eq!(json_of(&answer)["error"]["code"], 190);
    // The message names no subcode the envelope does not carry (the table's note on 463).
    assert_eq!(
        json_of(&answer)["error"]["message"],
        "(#190) Access token expired"
    );
    assert!(json_of(&answer)["error"]["error_subcode"].is_null());
    // No version prefix at all is served too.
    let (status, _, _) = any.request(
        "POST",
        &format!("/{PHONE_NUMBER_ID}/messages"),
        &[("Authorization", "Bearer whatever")],
        &body,
    );
    assert_eq!(status, 200);
    let bearer = [("Authorization", "Bearer whatever")];
    let (status, headers, answer) = any.request("GET", "/v26.0/a/b/c", &bearer, b"");
    assert_eq!(status, 404);
    assert!(
        headers
            .iter()
            .any(|(n, v)| n.eq_ignore_ascii_case("content-type") && v == "application/json")
    );
    assert!(json_of(&answer)["error"]["code"].is_number());
    let (status, _, answer) = any.request("PUT", &target, &bearer, b"{}");
    assert_eq!(status, 405);
    assert!(json_of(&answer)["error"]["message"].is_string());
    // Another phone number id is an unknown object.
    let (status, _, answer) = any.request("POST", "/v26.0/999/messages", &bearer, &body);
    assert_eq!(status, 400);
    assert_eq!(json_of(&answer)["error"]["error_subcode"], 33);

    let one = Emulator::start(&app, &["--token-env", "EMULATE_TOKEN"]);
    let (status, _, _) = one.request("POST", &target, &bearer, &body);
    assert_eq!(status, 401);
    let (status, _, _) = one.request(
        "POST",
        &target,
        &[("Authorization", "Bearer the-one-token")],
        &body,
    );
    assert_eq!(status, 200);
}

/// `file` uploaded as a PDF, as an SDK uploads media; its media id.
fn upload_pdf(emulator: &Emulator, file: &[u8]) -> String {
    let multipart = [
        &b"--BOUNDARY\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.pdf\"\r\nContent-Type: application/pdf\r\n\r\n"[..],
        file,
        b"\r\n--BOUNDARY\r\nContent-Disposition: form-data; name=\"messaging_product\"\r\n\r\nwhatsapp\r\n--BOUNDARY\r\nContent-Disposition: form-data; name=\"type\"\r\n\r\napplication/pdf\r\n--BOUNDARY--\r\n",
    ]
    .concat();
    let (status, _, answer) = emulator.request(
        "POST",
        &format!("/v26.0/{PHONE_NUMBER_ID}/media"),
        &[
            ("Authorization", "Bearer t"),
            ("Content-Type", "multipart/form-data; boundary=BOUNDARY"),
        ],
        &multipart,
    );
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&answer));
    json_of(&answer)["id"].as_str().unwrap().to_string()
}

#[test]
fn media_is_uploaded_described_downloaded_with_the_token_and_deleted() {
    let app = App::start();
    let emulator = Emulator::start(&app, &[]);
    let bearer = ("Authorization", "Bearer t");
    let file = b"%PDF-1.4 not really a pdf";
    let id = upload_pdf(&emulator, file);

    let (status, _, answer) = emulator.request("GET", &format!("/v26.0/{id}"), &[bearer], b"");
    assert_eq!(status, 200);
    let described = json_of(&answer);
    for member in ["id", "url", "mime_type", "sha256", "file_size"] {
        assert!(!described[member].is_null(), "{member} in {described}");
    }
    assert_eq!(described["mime_type"], "application/pdf");
    assert_eq!(described["file_size"], file.len());
    let url = described["url"].as_str().unwrap();
    let target = url
        .strip_prefix(&emulator.base)
        .expect("the URL points at the emulator");
    let (status, _, answer) = emulator.request("GET", target, &[], b"");
    assert_eq!(status, 401, "the download needs the token");
    assert_eq!(json_of(&answer)["error"]["code"], 190);
    let (status, headers, answer) = emulator.request("GET", target, &[bearer], b"");
    assert_eq!(status, 200);
    assert_eq!(answer, file);
    assert!(
        headers
            .iter()
            .any(|(n, v)| n.eq_ignore_ascii_case("content-type") && v == "application/pdf")
    );

    let (status, _, answer) = emulator.request("DELETE", &format!("/v26.0/{id}"), &[bearer], b"");
    assert_eq!((status, json_of(&answer)), (200, json!({"success": true})));
    let (status, _, answer) = emulator.request("GET", &format!("/v26.0/{id}"), &[bearer], b"");
    assert_eq!(status, 400);
    assert_eq!(json_of(&answer)["error"]["code"], 100);
}

#[test]
fn the_customer_says_reads_and_fails_through_the_cli() {
    let app = App::start();
    let emulator = Emulator::start(&app, &["--app-secret-env", "EMULATE_SECRET"]);
    let said = wa_hook()
        .args([
            "emulate",
            "say",
            "--emulator",
            &emulator.base,
            "--format",
            "json",
        ])
        .arg("Is the blue jacket in stock?")
        .output()
        .unwrap();
    assert!(said.status.success(), "{said:?}");
    let said: Value = json_of(&said.stdout);
    assert_eq!(said["app_status"], 200);
    let inbound = app.next();
    assert_eq!(verdict(&inbound.body), "valid meta message:text");
    let message = &json_of(&inbound.body)["entry"][0]["changes"][0]["value"]["messages"][0];
    assert_eq!(message["text"]["body"], "Is the blue jacket in stock?");
    assert_eq!(message["from"], "16505553921");
    assert_eq!(message["id"], said["message_id"]);

    // The app marks it read: success, and no webhook.
    let read = json!({"messaging_product": "whatsapp", "status": "read", "message_id": said["message_id"]});
    assert_eq!(emulator.send(&read), (200, json!({"success": true})));
    let unknown =
        json!({"messaging_product": "whatsapp", "status": "read", "message_id": "wamid.nope"});
    let (status, answer) = emulator.send(&unknown);
    assert_eq!(
        (status, answer["error"]["code"].clone()),
        (400, json!(131_009))
    );

    let (_, sent) = emulator.send(&text_send("Yes, size M is in stock"));
    let wamid = sent["messages"][0]["id"].as_str().unwrap().to_string();
    assert_eq!(status_item(&app.next())["status"], "sent");
    assert_eq!(status_item(&app.next())["status"], "delivered");
    wa_hook()
        .args(["emulate", "read", "--emulator", &emulator.base, &wamid])
        .assert()
        .success()
        .stdout(predicate::str::contains("the app answered 200"));
    let read = app.next();
    assert_eq!(status_item(&read)["status"], "read");
    assert_eq!(status_item(&read)["id"], wamid.as_str());
    assert_eq!(verdict(&read.body), "valid meta status:read");
    wa_hook()
        .args([
            "emulate",
            "fail",
            "--emulator",
            &emulator.base,
            &wamid,
            "--code",
            "131047",
        ])
        .assert()
        .success();
    let failed = app.next();
    let item = status_item(&failed);
    assert_eq!(item["status"], "failed");
    assert_eq!(item["errors"][0]["code"], 131_047);
    assert_eq!(verdict(&failed.body), "valid meta status:failed");
    // A message the app never sent cannot be read.
    wa_hook()
        .args([
            "emulate",
            "read",
            "--emulator",
            &emulator.base,
            "wamid.unknown",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not a message the app sent"));
}

#[test]
fn a_sample_kind_of_message_is_said_in_the_customers_name() {
    let app = App::start();
    let emulator = Emulator::start(&app, &[]);
    let (status, _, answer) = emulator.request(
        "POST",
        "/_wa-hook/say",
        &[],
        br#"{"kind": "message:image"}"#,
    );
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&answer));
    let inbound = app.next();
    assert_eq!(verdict(&inbound.body), "valid meta message:image");
    assert_eq!(json_of(&answer)["app_status"], 200);
}

#[test]
fn the_json_start_line_names_the_ids() {
    let app = App::start();
    let emulator = Emulator::start(&app, &["--format", "json"]);
    let line = json_of(emulator.first_line.as_bytes());
    assert_eq!(line["emulating"], "meta");
    assert_eq!(line["base_url"], emulator.base.as_str());
    assert_eq!(line["phone_number_id"], PHONE_NUMBER_ID);
    assert!(
        line["waba_id"].is_string() && line["customer"].is_string(),
        "{line}"
    );
}

#[test]
fn the_capture_file_holds_both_directions_and_reads_back() {
    let app = App::start();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run.jsonl");
    let emulator = Emulator::start(&app, &["--out", out.to_str().unwrap()]);
    let (status, _) = emulator.send(&text_send("hello"));
    assert_eq!(status, 200);
    app.next();
    app.next();
    let (code, _, _) = emulator.interrupt();
    assert_eq!(code, Some(0));
    let text = std::fs::read(&out).unwrap();
    let lines: Vec<&[u8]> = text
        .split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .collect();
    assert_eq!(lines.len(), 3);
    for line in &lines {
        assert_capture_schema(line);
    }
    let records: Vec<Value> = lines.iter().map(|line| json_of(line)).collect();
    assert_eq!(records[0]["direction"], "send");
    assert_eq!(records[0]["kind"], "send:text");
    assert_eq!(records[0]["verdict"], "valid");
    assert_eq!(records[0]["response_status"], 200);
    assert!(json_of(records[0]["answer"].as_str().unwrap().as_bytes())["messages"].is_array());
    assert!(
        records[0]["headers"].to_string().contains("(redacted)"),
        "the token is not kept"
    );
    for (record, status) in records[1..].iter().zip(["status:sent", "status:delivered"]) {
        assert_eq!(record["direction"], "webhook");
        assert_eq!(record["kind"], status);
        assert_eq!(record["response_status"], 200);
        assert_eq!(record["forward"]["status"], 200);
    }
    wa_hook()
        .arg("validate")
        .arg(&out)
        .assert()
        .success()
        .stdout(predicate::str::contains("meta send:text"));
    wa_hook()
        .arg("show")
        .arg(format!("{}:2", out.display()))
        .assert()
        .success()
        .stdout(predicate::str::contains("status:sent"));
    // The app's token was redacted by emulate, and show says so (not "by listen").
    wa_hook()
        .arg("show")
        .arg(format!("{}:1", out.display()))
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "Authorization: (redacted by emulate)",
        ));
    // replay sends the webhooks again, never the app's own sends.
    let again = App::start();
    wa_hook()
        .arg("replay")
        .arg(&out)
        .args(["--to", &again.webhook_url()])
        .assert()
        .success()
        .stderr(predicate::str::contains("not a webhook; skipped"));
    let replayed: Vec<String> = again
        .server
        .requests()
        .iter()
        .map(|request| {
            status_item(request)["status"]
                .as_str()
                .unwrap_or_default()
                .to_string()
        })
        .collect();
    assert_eq!(replayed, ["sent", "delivered"]);
}

#[test]
fn ctrl_c_prints_the_summary_and_exits_0() {
    let app = App::answering(|request| {
        if String::from_utf8_lossy(&request.body).contains("\"delivered\"") {
            Reply::new(500, b"{}")
        } else {
            Reply::ok()
        }
    });
    let emulator = Emulator::start(&app, &[]);
    emulator.send(&text_send("one"));
    emulator.send(&json!({"messaging_product": "whatsapp", "to": "1", "type": "text", "text": {}}));
    app.next();
    app.next();
    let (code, _, stderr) = emulator.interrupt();
    assert_eq!(code, Some(0), "{stderr}");
    let summary = &stderr[stderr.find("wa-hook emulate: stopped").expect(&stderr)..];
    assert!(summary.contains("2 requests"), "{summary}");
    assert!(summary.contains("send:text  accepted"), "{summary}");
    assert!(summary.contains("send:text  error 100"), "{summary}");
    assert!(
        summary.contains("webhooks: 1 delivered, 1 refused by the app, 0 not answered"),
        "{summary}"
    );
}

#[test]
fn a_hung_app_does_not_stall_the_answers_to_sends() {
    let (release, hold) = mpsc::channel::<()>();
    let hold = Mutex::new(hold);
    let app = App::answering(move |_| {
        // Hangs until the test ends (or 30 s).
        let _ = hold.lock().unwrap().recv_timeout(Duration::from_secs(30));
        Reply::ok()
    });
    let emulator = Emulator::start(&app, &["--webhook-timeout", "20s"]);
    let started = Instant::now();
    for n in 0..20 {
        let (status, _) = emulator.send(&text_send(&format!("message {n}")));
        assert_eq!(status, 200);
    }
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "20 sends took {:?} while the app hung",
        started.elapsed()
    );
    drop(release);
}

#[test]
fn statuses_can_be_delayed() {
    let app = App::start();
    let emulator = Emulator::start(&app, &["--statuses", "sent=0ms,delivered=300ms"]);
    let started = Instant::now();
    emulator.send(&text_send("later"));
    assert_eq!(status_item(&app.next())["status"], "sent");
    assert_eq!(status_item(&app.next())["status"], "delivered");
    assert!(started.elapsed() >= Duration::from_millis(300));
    wa_hook()
        .args([
            "emulate",
            "meta",
            "--webhook",
            "3000",
            "--statuses",
            "seen=1s",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not one of"));
}

#[test]
fn template_sends_are_checked_against_the_templates_file() {
    let app = App::start();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("templates.json");
    std::fs::write(
        &file,
        serde_json::to_vec(&json!([
            {"name": "order_update", "language": "en_US",
             "components": [{"type": "BODY", "text": "Hi {{1}}, order {{2}} shipped"}]},
            {"name": "welcome", "language": "en_US",
             "components": [{"type": "BODY", "text": "Welcome {{first_name}}"}]}
        ]))
        .unwrap(),
    )
    .unwrap();
    let emulator = Emulator::start(&app, &["--templates", file.to_str().unwrap()]);
    let template = |name: &str, language: &str, parameters: Value| {
        json!({
            "messaging_product": "whatsapp", "to": "16505553921", "type": "template",
            "template": {"name": name, "language": {"code": language},
                         "components": [{"type": "body", "parameters": parameters}]}
        })
    };
    let two = json!([{"type": "text", "text": "Ann"}, {"type": "text", "text": "42"}]);
    let (status, _) = emulator.send(&template("order_update", "en_US", two.clone()));
    assert_eq!(status, 200);
    let (status, answer) = emulator.send(&template(
        "order_update",
        "en_US",
        json!([{"type": "text", "text": "Ann"}]),
    ));
    assert_eq!(
        (status, answer["error"]["code"].clone()),
        (400, json!(132_000))
    );
    assert_eq!(
        answer["error"]["error_data"]["details"],
        "body: number of localizable_params (1) does not match the expected number of params (2)"
    );
    let (_, answer) = emulator.send(&template("order_update", "pt_BR", two.clone()));
    assert_eq!(answer["error"]["code"], 132_001);
    let (_, answer) = emulator.send(&template("missing", "en_US", two));
    assert_eq!(answer["error"]["code"], 132_001);
    let (_, answer) = emulator.send(&template(
        "welcome",
        "en_US",
        json!([{"type": "text", "text": "Ann"}]),
    ));
    assert_eq!(answer["error"]["code"], 100);
    assert_eq!(
        answer["error"]["error_data"]["details"],
        "Parameter name is missing or empty"
    );
}

#[test]
fn outside_the_window_a_free_form_send_fails_later_with_131047() {
    let app = App::start();
    let emulator = Emulator::start(&app, &["--window", "1h"]);
    // The customer never wrote: the window is closed.
    let (status, answer) = emulator.send(&text_send("Are you still there?"));
    assert_eq!(status, 200, "accepted at once, as Meta does");
    let failed = app.next();
    let item = status_item(&failed);
    assert_eq!(item["status"], "failed");
    assert_eq!(item["id"], answer["messages"][0]["id"]);
    assert_eq!(item["errors"][0]["code"], 131_047);
    assert_eq!(verdict(&failed.body), "valid meta status:failed");
    // Once the customer writes, the window is open.
    let (status, _, _) = emulator.request("POST", "/_wa-hook/say", &[], br#"{"text": "hi"}"#);
    assert_eq!(status, 200);
    app.next();
    emulator.send(&text_send("Welcome back"));
    assert_eq!(status_item(&app.next())["status"], "sent");
}

/// Nobody reads the emulator's stderr (a test harness that pipes it): its lines must never
/// hold an answer once the pipe is full (a pipe holds 64 KiB; this run prints far more).
#[test]
fn an_unread_terminal_never_holds_an_answer() {
    let app = App::start();
    let emulator = Emulator::start(&app, &[]);
    for n in 0..1000 {
        let (status, _) = emulator.send(&text_send(&format!("message number {n} of a long run")));
        assert_eq!(status, 200);
    }
}

/// `--verify-token-env`: the app's webhook is verified first, as Meta does.
#[test]
fn the_webhook_handshake_runs_first_when_asked() {
    let echo = App::answering(|request| {
        let challenge = request
            .url
            .split(['?', '&'])
            .find_map(|pair| pair.strip_prefix("hub.challenge="))
            .unwrap_or_default()
            .to_string();
        let token_ok = request.url.contains("hub.verify_token=vt-123");
        if request.method == "GET" && token_ok {
            Reply::new(200, challenge.as_bytes())
        } else {
            Reply::new(403, b"no")
        }
    });
    let emulator = Emulator::start(&echo, &["--verify-token-env", "VERIFY"]);
    let handshake = echo.next();
    assert_eq!(handshake.method, "GET");
    assert!(
        handshake.url.contains("hub.mode=subscribe"),
        "{}",
        handshake.url
    );
    drop(emulator);

    let refusing = App::answering(|_| Reply::new(403, b"forbidden"));
    wa_hook()
        .env("VERIFY", "vt-123")
        .args(["emulate", "meta", "--webhook", &refusing.webhook_url()])
        .args(["--verify-token-env", "VERIFY"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("failed the webhook handshake"))
        .stderr(predicate::str::contains("vt-123").not());
}

/// Media downloads to clients that do not read are sent apart: they never hold the threads
/// that answer sends (a download of a few megabytes is written on the thread that sends it,
/// and once held the sends taken with it, then with two stalled clients every send).
#[test]
fn downloads_to_clients_that_do_not_read_do_not_hold_the_answers_to_sends() {
    let app = App::start();
    let emulator = Emulator::start(&app, &["--read-timeout", "30s"]);
    let host = emulator.base.trim_start_matches("http://").to_string();
    let bearer = ("Authorization", "Bearer t");
    let id = upload_pdf(&emulator, &vec![b'x'; 5 << 20]);
    let (_, _, answer) = emulator.request("GET", &format!("/v26.0/{id}"), &[bearer], b"");
    let url = json_of(&answer)["url"].as_str().unwrap().to_string();
    let target = url.strip_prefix(&emulator.base).unwrap().to_string();
    // Clients that ask for the download and never read it.
    let stalled: Vec<TcpStream> = (0..4)
        .map(|_| {
            let mut stream = TcpStream::connect(&host).unwrap();
            let head =
                format!("GET {target} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer t\r\n\r\n");
            stream.write_all(head.as_bytes()).unwrap();
            stream
        })
        .collect();
    let started = Instant::now();
    for n in 0..8 {
        let (status, _) = emulator.send(&text_send(&format!("while downloads stall {n}")));
        assert_eq!(status, 200);
    }
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "sends waited {:?} behind stalled downloads",
        started.elapsed()
    );
    drop(stalled);
}

/// Downloads of one media share its bytes: twelve clients that ask for a 32 MiB media and do
/// not read it hold one copy, not twelve (each answer was a copy, made under the emulator's
/// lock: 16 downloads of a 100 MiB document held 1.6 GB).
#[cfg(target_os = "linux")]
#[test]
fn stalled_downloads_of_one_media_hold_it_once() {
    use std::io::{BufRead, BufReader};
    let app = App::start();
    let emulator = Emulator::start(&app, &["--read-timeout", "30s", "--no-save"]);
    let host = emulator.base.trim_start_matches("http://").to_string();
    let bearer = ("Authorization", "Bearer t");
    let id = upload_pdf(&emulator, &vec![b'x'; 32 << 20]);
    let (_, _, answer) = emulator.request("GET", &format!("/v26.0/{id}"), &[bearer], b"");
    let url = json_of(&answer)["url"].as_str().unwrap().to_string();
    let target = url.strip_prefix(&emulator.base).unwrap().to_string();
    // Each client reads the answer's status line (its answer is being sent), then no more.
    let stalled: Vec<BufReader<TcpStream>> = (0..12)
        .map(|_| {
            let mut stream = TcpStream::connect(&host).unwrap();
            let head =
                format!("GET {target} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer t\r\n\r\n");
            stream.write_all(head.as_bytes()).unwrap();
            let mut reader = BufReader::new(stream);
            let mut status = String::new();
            reader.read_line(&mut status).unwrap();
            assert!(status.contains(" 200 "), "{status}");
            reader
        })
        .collect();
    let status = std::fs::read_to_string(format!("/proc/{}/status", emulator.pid())).unwrap();
    let resident_kib: u64 = status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|value| value.split_whitespace().next())
        .and_then(|kib| kib.parse().ok())
        .unwrap();
    // One copy (32 MiB) and what the emulator holds anyway; twelve copies would be 384 MiB.
    assert!(
        resident_kib < 160 << 10,
        "{resident_kib} KiB resident with 12 downloads of a 32 MiB media under way"
    );
    drop(stalled);
}

/// Uploads whose bodies trickle in are read apart: they never hold the threads that answer
/// sends.
#[test]
fn slow_uploads_do_not_hold_the_answers_to_sends() {
    let app = App::start();
    let emulator = Emulator::start(&app, &["--read-timeout", "30s"]);
    let host = emulator.base.trim_start_matches("http://").to_string();
    let stalled: Vec<TcpStream> = (0..8)
        .map(|_| {
            let mut stream = TcpStream::connect(&host).unwrap();
            let head = format!(
                "POST /v26.0/{PHONE_NUMBER_ID}/media HTTP/1.1\r\nHost: {host}\r\n\
                 Authorization: Bearer t\r\nContent-Type: multipart/form-data; boundary=b\r\n\
                 Content-Length: 200000\r\n\r\n--b\r\n"
            );
            stream.write_all(head.as_bytes()).unwrap();
            stream
        })
        .collect();
    let started = Instant::now();
    for n in 0..5 {
        let (status, _) = emulator.send(&text_send(&format!("while uploads stall {n}")));
        assert_eq!(status, 200);
    }
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "sends waited {:?} behind stalled uploads",
        started.elapsed()
    );
    drop(stalled);
}

#[test]
fn throughput_and_pair_limits_answer_their_codes() {
    let app = App::start();
    let emulator = Emulator::start(&app, &["--pair-interval", "1h"]);
    assert_eq!(emulator.send(&text_send("first")).0, 200);
    let (status, answer) = emulator.send(&text_send("too soon"));
    assert_eq!(
        (status, answer["error"]["code"].clone()),
        (400, json!(131_056))
    );
    let mut other = text_send("another user");
    other["to"] = "16505550000".into();
    assert_eq!(emulator.send(&other).0, 200);

    let limited = Emulator::start(&app, &["--throughput", "2"]);
    let body = serde_json::to_vec(&text_send("burst")).unwrap();
    let statuses: Vec<(u16, Option<String>)> = (0..3)
        .map(|_| {
            let (status, headers, _) = limited.request(
                "POST",
                &format!("/v26.0/{PHONE_NUMBER_ID}/messages"),
                &[("Authorization", "Bearer t")],
                &body,
            );
            let retry = headers
                .iter()
                .find(|(name, _)| name.eq_ignore_ascii_case("retry-after"))
                .map(|(_, value)| value.clone());
            (status, retry)
        })
        .collect();
    assert_eq!(statuses[..2], [(200, None), (200, None)]);
    assert_eq!(statuses[2], (429, Some("1".to_string())));
}

#[test]
fn the_customer_reacts_and_writes_in_each_identity() {
    let app = App::start();
    let emulator = Emulator::start(&app, &[]);
    let (_, sent) = emulator.send(&text_send("Your table is booked"));
    let wamid = sent["messages"][0]["id"].as_str().unwrap().to_string();
    app.next();
    app.next();
    wa_hook()
        .args([
            "emulate",
            "react",
            "--emulator",
            &emulator.base,
            &wamid,
            "--emoji",
            "🎉",
        ])
        .assert()
        .success();
    let reaction = app.next();
    assert_eq!(verdict(&reaction.body), "valid meta message:reaction");
    let message = &json_of(&reaction.body)["entry"][0]["changes"][0]["value"]["messages"][0];
    assert_eq!(
        message["reaction"],
        json!({"message_id": wamid, "emoji": "🎉"})
    );

    for identity in ["bsuid", "username"] {
        wa_hook()
            .args([
                "emulate",
                "say",
                "--emulator",
                &emulator.base,
                "--identity",
                identity,
                "hi",
            ])
            .assert()
            .success();
        let said = app.next();
        assert_eq!(verdict(&said.body), "valid meta message:text", "{identity}");
        let message = &json_of(&said.body)["entry"][0]["changes"][0]["value"]["messages"][0];
        assert!(message["from_user_id"].is_string(), "{identity}: {message}");
        assert_eq!(
            message["from"].is_null(),
            identity == "username",
            "{identity}: {message}"
        );
    }
}

#[test]
fn injected_failures_answer_or_fail_later_as_meta_would() {
    let app = App::start();
    let emulator = Emulator::start(&app, &["--inject", "131030:next=1"]);
    let (status, answer) = emulator.send(&text_send("to a number not allowed"));
    assert_eq!(status, 400, "{answer}");
    assert_eq!(answer["error"]["code"], 131_030);
    assert_eq!(
        answer["error"]["message"],
        "(#131030) Recipient phone number not in allowed list"
    );
    assert_eq!(emulator.send(&text_send("next one passes")).0, 200);
    assert_eq!(status_item(&app.next())["status"], "sent");
    assert_eq!(status_item(&app.next())["status"], "delivered");

    // At run time, a code Meta reports later: accepted, then a failed status.
    let (status, _, answer) = emulator.request(
        "POST",
        "/_wa-hook/inject",
        &[],
        br#"{"code": 131026, "next": 1}"#,
    );
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&answer));
    let (status, sent) = emulator.send(&text_send("undeliverable"));
    assert_eq!(status, 200);
    let item = status_item(&app.next());
    assert_eq!(item["status"], "failed");
    assert_eq!(item["id"], sent["messages"][0]["id"]);
    assert_eq!(item["errors"][0]["code"], 131_026);

    wa_hook()
        .args([
            "emulate",
            "meta",
            "--webhook",
            "3000",
            "--inject",
            "131030:often=2",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("CODE:next=N"));
}

#[test]
fn a_seed_gives_the_same_ids_on_every_run() {
    let app = App::start();
    let wamids: Vec<Value> = (0..2)
        .map(|_| {
            let emulator = Emulator::start(&app, &["--seed", "42"]);
            emulator.send(&text_send("same")).1["messages"][0]["id"].clone()
        })
        .collect();
    assert_eq!(wamids[0], wamids[1]);
    let other = Emulator::start(&app, &["--seed", "43"]);
    assert_ne!(
        other.send(&text_send("same")).1["messages"][0]["id"],
        wamids[0]
    );
}

/// A customer action waits for the app; while the app hangs, sends are still answered.
#[test]
fn customer_actions_waiting_for_a_hung_app_hold_no_send() {
    let (release, hold) = mpsc::channel::<()>();
    let hold = Mutex::new(hold);
    let app = App::answering(move |_| {
        let _ = hold.lock().unwrap().recv_timeout(Duration::from_secs(30));
        Reply::ok()
    });
    let emulator = Emulator::start(&app, &["--webhook-timeout", "20s"]);
    let host = emulator.base.trim_start_matches("http://").to_string();
    let waiting: Vec<TcpStream> = (0..6)
        .map(|_| {
            let mut stream = TcpStream::connect(&host).unwrap();
            let body = br#"{"text": "hello?"}"#;
            let head = format!(
                "POST /_wa-hook/say HTTP/1.1\r\nHost: {host}\r\nContent-Length: {}\r\n\r\n",
                body.len()
            );
            stream.write_all(head.as_bytes()).unwrap();
            stream.write_all(body).unwrap();
            stream
        })
        .collect();
    let started = Instant::now();
    for n in 0..5 {
        assert_eq!(emulator.send(&text_send(&format!("meanwhile {n}"))).0, 200);
    }
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "sends waited {:?} behind customer actions",
        started.elapsed()
    );
    drop(waiting);
    drop(release);
}

/// Requests the emulator does not serve (an unknown route, another method) are captured too,
/// and their records match the capture-record schema like every other (a `kind` of the form
/// `word` or `word:detail`).
#[test]
fn unknown_routes_are_captured_as_records_the_schema_accepts() {
    let app = App::start();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run.jsonl");
    let emulator = Emulator::start(&app, &["--out", out.to_str().unwrap()]);
    let auth = [("Authorization", "Bearer any-token")];
    let (status, _, _) = emulator.request("GET", "/media-download/123", &auth, b"");
    assert_eq!(status, 404);
    let (status, _, _) = emulator.request(
        "PUT",
        &format!("/v26.0/{PHONE_NUMBER_ID}/messages"),
        &auth,
        b"{}",
    );
    assert_eq!(status, 405);
    let (code, _, _) = emulator.interrupt();
    assert_eq!(code, Some(0));
    let text = std::fs::read(&out).unwrap();
    let lines: Vec<&[u8]> = text
        .split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .collect();
    assert_eq!(lines.len(), 2);
    for line in &lines {
        assert_capture_schema(line);
    }
}

/// The customer's verbs against an emulator that is not running: exit 2 and one line that
/// points at the emulator (not at `wa-hook listen`, which is no emulator).
#[test]
fn the_customer_against_a_stopped_emulator_is_told_to_start_one() {
    let emulator = format!("http://127.0.0.1:{}", closed_port());
    for verb in [
        vec!["say", "hello"],
        vec!["read", "wamid.X"],
        vec!["fail", "wamid.X"],
        vec!["react", "wamid.X"],
    ] {
        let output = wa_hook()
            .args(["emulate", verb[0], "--emulator", &emulator, verb[1]])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{verb:?}");
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(stderr.contains("connection refused"), "{stderr}");
        assert!(
            stderr.contains("is the emulator running?")
                && stderr.contains("wa-hook emulate meta")
                && !stderr.contains("wa-hook listen"),
            "{stderr}"
        );
    }
}

/// A send that matches none of a field's documented forms (media with neither `id` nor `link`,
/// no `to` nor `recipient`) is told which forms were expected, not shown its own body back.
#[test]
fn a_send_matching_no_documented_form_is_told_the_forms() {
    let app = App::start();
    let emulator = Emulator::start(&app, &[]);
    let details = |body: Value| {
        let (status, answer) = emulator.send(&body);
        assert_eq!(status, 400, "{answer}");
        answer["error"]["error_data"]["details"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(
        details(
            json!({"messaging_product": "whatsapp", "to": "16505553921", "type": "image",
            "image": {"caption": "no id, no link"}})
        ),
        r#"/image: expected required property "id" or "link", found neither"#
    );
    assert_eq!(
        details(json!({"messaging_product": "whatsapp", "type": "text", "text": {"body": "hi"}})),
        r#"/: expected required property "to" or "recipient", found neither"#
    );
    let empty_to = details(
        json!({"messaging_product": "whatsapp", "to": "", "type": "text",
        "text": {"body": "hi"}}),
    );
    assert!(
        empty_to.starts_with("/to: expected at least 1 character"),
        "{empty_to}"
    );
    assert!(!empty_to.contains("anyOf"), "{empty_to}");
}

/// A client holding every connection the emulator takes (256 idle ones): one more is answered
/// 503 with Retry-After in Meta's error envelope, which SDKs parse (not a bare `{"error": "…"}`,
/// on which pywa's and whatsapp-api-js's error handling reads `error.code` from a string).
#[test]
fn one_connection_too_many_is_answered_in_metas_envelope() {
    let app = App::start();
    let emulator = Emulator::start(&app, &[]);
    let address = emulator.base.trim_start_matches("http://").to_string();
    let idle: Vec<TcpStream> = (0..256)
        .map(|_| TcpStream::connect(&address).unwrap())
        .collect();
    let (status, headers, answer) = emulator.request(
        "POST",
        &format!("/v26.0/{PHONE_NUMBER_ID}/messages"),
        &[("Authorization", "Bearer any-token")],
        &serde_json::to_vec(&text_send("hi")).unwrap(),
    );
    assert_eq!(status, 503);
    assert!(
        headers
            .iter()
            .any(|(name, value)| name.eq_ignore_ascii_case("retry-after") && value == "1")
    );
    let answer = json_of(&answer);
    assert!(answer["error"]["code"].is_number(), "{answer}");
    assert!(answer["error"]["message"].is_string(), "{answer}");
    assert!(answer["error"]["fbtrace_id"].is_string(), "{answer}");
    drop(idle);
}

/// What a client chooses (the request path, a send's `type`) reaches the terminal escaped:
/// no control character of a hostile client's moves the cursor or recolours the screen, in
/// the request lines or in the summary.
#[test]
fn a_clients_control_characters_never_reach_the_terminal() {
    let app = App::start();
    let emulator = Emulator::start(&app, &[]);
    let bearer = [("Authorization", "Bearer any-token")];
    // One segment: asked for as a media id, unknown (400).
    let (status, _, _) = emulator.request("GET", "/\x1b[2J\x1b[31mred", &bearer, b"");
    assert_eq!(status, 400);
    let (status, _) = emulator.send(&json!({
        "messaging_product": "whatsapp", "to": "16505553921", "type": "\u{1b}[31mred",
        "\u{1b}[31mred": {}
    }));
    assert_eq!(status, 200);
    app.next();
    app.next();
    let (code, _, stderr) = emulator.interrupt();
    assert_eq!(code, Some(0));
    assert!(stderr.contains("red"), "{stderr}");
    assert!(!stderr.contains('\u{1b}'), "{stderr:?}");
}

/// A send's kind names its `type`, which a client chooses: the summary counts at most 256
/// distinct rows, the rest in one `other` row (its memory and length stay bounded).
#[test]
fn the_summary_has_a_bounded_number_of_rows() {
    let app = App::start();
    let emulator = Emulator::start(&app, &[]);
    for n in 0..300 {
        let kind = format!("kind{n}");
        let (status, _) = emulator.send(&json!({
            "messaging_product": "whatsapp", "to": "16505553921", "type": kind, kind.clone(): {}
        }));
        assert_eq!(status, 200);
    }
    let (code, _, stderr) = emulator.interrupt();
    assert_eq!(code, Some(0));
    let summary = stderr
        .split("wa-hook emulate: stopped after")
        .nth(1)
        .expect("a summary");
    let rows: Vec<&str> = summary
        .lines()
        .skip(1)
        .filter(|l| l.starts_with("  "))
        .collect();
    assert_eq!(rows.len(), 257, "{summary}");
    assert!(
        rows.iter()
            .any(|row| row.trim_start().starts_with("44  other")),
        "{summary}"
    );
}

/// A token an app puts in the query (`?access_token=`, as Graph API clients can) is a secret:
/// the capture file keeps the request without it.
#[test]
fn a_token_in_the_query_is_not_captured() {
    let app = App::start();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run.jsonl");
    let emulator = Emulator::start(&app, &["--out", out.to_str().unwrap()]);
    let (status, _, _) = emulator.request(
        "POST",
        &format!("/v26.0/{PHONE_NUMBER_ID}/messages?access_token=EAAGquerytoken&x=1"),
        &[("Content-Type", "application/json")],
        &serde_json::to_vec(&text_send("hi")).unwrap(),
    );
    assert!(status == 200 || status == 401, "{status}");
    let (code, _, _) = emulator.interrupt();
    assert_eq!(code, Some(0));
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(!text.contains("EAAGquerytoken"), "{text}");
    assert!(text.contains("access_token=(redacted)&x=1"), "{text}");
}

/// The token of --token-env, sent again where no provider reads it (Meta's `access_token=` in
/// a form body or the query, Qikchat's key in the query and the body), is scrubbed from the
/// capture file like the header that carries it.
#[test]
fn the_accepted_token_is_scrubbed_from_recorded_bodies_and_queries() {
    const TOKEN: &str = "EAAG-scrub-me-4b8d1e";
    let app = App::start();
    let dir = tempfile::tempdir().unwrap();
    for (provider, path, headers, body) in [
        (
            "meta",
            format!("/v21.0/{PHONE_NUMBER_ID}/messages?access_token={TOKEN}"),
            vec![("Authorization".to_string(), format!("Bearer {TOKEN}"))],
            format!("messaging_product=whatsapp&to=15551234567&access_token={TOKEN}"),
        ),
        (
            "qikchat",
            format!("/v1/messages?api_key={TOKEN}"),
            vec![("QIKCHAT-API-KEY".to_string(), TOKEN.to_string())],
            format!(
                r#"{{"to_contact":"919000000000","type":"text","text":{{"body":"hi"}},"apikey":"{TOKEN}"}}"#
            ),
        ),
    ] {
        let out = dir.path().join(format!("{provider}.jsonl"));
        let emulator = Running::start(
            provider,
            &app,
            &[
                "--token-env",
                "SCRUB_TOKEN",
                "--no-ui",
                "--out",
                out.to_str().unwrap(),
            ],
            &[("SCRUB_TOKEN", TOKEN)],
        );
        let headers: Vec<(&str, &str)> = headers
            .iter()
            .map(|(name, value)| (name.as_str(), value.as_str()))
            .collect();
        emulator.request("POST", &path, &headers, body.as_bytes());
        let (code, stdout, stderr) = emulator.interrupt();
        assert_eq!(code, Some(0), "{stderr}");
        let records = std::fs::read_to_string(&out).unwrap();
        assert!(records.contains("(redacted)"), "{records}");
        for text in [&records, &stdout, &stderr] {
            assert!(!text.contains(TOKEN), "{provider}: {text}");
        }
    }
}

/// An answer with the ids the emulator draws (message ids, `fbtrace_id`) blanked: what two
/// runs that number their sends in another order still answer alike.
fn without_ids(mut answer: Value) -> Value {
    if let Some(messages) = answer["messages"].as_array_mut() {
        for message in messages {
            message["id"] = json!("(id)");
        }
    }
    if answer["error"].get("fbtrace_id").is_some() {
        answer["error"]["fbtrace_id"] = json!("(id)");
    }
    answer
}

/// Sends from many connections at once (their bodies parsed and checked before the emulator's
/// lock is taken) get the answers the same sends get one at a time, and no status webhook is
/// dropped while the queues are far from full (a lane's count once read as full when the lane
/// sent a webhook before its queueing had counted it).
#[test]
fn concurrent_sends_get_the_answers_sequential_ones_get_and_drop_no_webhook() {
    let kinds = [
        text_send("hello"),
        json!({"messaging_product": "whatsapp", "to": "16505553921", "type": "text", "text": {}}),
        json!({"messaging_product": "whatsapp", "recipient": "US.13491208655302741918",
            "type": "image", "image": {"link": "https://example.com/a.png"}}),
        json!({"messaging_product": "whatsapp", "to": "16505553921", "type": "interactive",
            "interactive": {"type": "button", "body": {"text": "Pick"}, "action": {"buttons": [
            {"type": "reply", "reply": {"id": "a", "title": "A"}},
            {"type": "reply", "reply": {"id": "a", "title": "B"}}]}}}),
        json!({"messaging_product": "whatsapp", "status": "read", "message_id": "wamid.none"}),
        json!({"messaging_product": "whatsapp", "to": "16505553921", "type": "sticker"}),
    ];
    let sends: Vec<&Value> = kinds.iter().cycle().take(kinds.len() * 50).collect();
    let answers = |emulator: &Emulator, sends: &[&Value]| -> Vec<(u16, Value)> {
        sends
            .iter()
            .map(|body| {
                let (status, answer) = emulator.send(body);
                (status, without_ids(answer))
            })
            .collect()
    };
    let app = App::start();
    let one_by_one = Emulator::start(&app, &["--no-save"]);
    let mut expected = answers(&one_by_one, &sends);
    let (_, _, stderr) = one_by_one.interrupt();
    assert!(!stderr.contains("dropped"), "{stderr}");

    let app = App::start();
    let at_once = Emulator::start(&app, &["--no-save"]);
    let mut got: Vec<(u16, Value)> = std::thread::scope(|scope| {
        let threads: Vec<_> = sends
            .chunks(sends.len() / 12)
            .map(|share| scope.spawn(|| answers(&at_once, share)))
            .collect();
        threads
            .into_iter()
            .flat_map(|thread| thread.join().unwrap())
            .collect()
    });
    let key = |answer: &(u16, Value)| (answer.0, answer.1.to_string());
    expected.sort_by_key(key);
    got.sort_by_key(key);
    assert_eq!(got, expected);
    let statuses: std::collections::BTreeSet<u16> = got.iter().map(|answer| answer.0).collect();
    assert!(
        statuses.contains(&200) && statuses.contains(&400),
        "{statuses:?}"
    );
    let (_, _, stderr) = at_once.interrupt();
    let summary = &stderr[stderr.find("wa-hook emulate: stopped").expect(&stderr)..];
    assert!(summary.contains("300 requests"), "{summary}");
    assert!(!summary.contains("dropped"), "{summary}");
}

/// Sends from many connections at once, which the workers take in batches: each accepted
/// send's record is in the capture file by the time its answer arrives (saved before the
/// answer goes), every record has a `seq` of its own, and every send's `sent` and `delivered`
/// statuses reach the app, in that order.
#[test]
fn concurrent_sends_are_saved_before_their_answers_and_each_gets_its_statuses() {
    let app = App::start();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run.jsonl");
    let emulator = Emulator::start(&app, &["--out", out.to_str().unwrap()]);
    let (threads, each) = (12, 20);
    let wamids: Vec<String> = std::thread::scope(|scope| {
        let running: Vec<_> = (0..threads)
            .map(|thread| {
                let (emulator, out) = (&emulator, &out);
                scope.spawn(move || {
                    (0..each)
                        .map(|n| {
                            let (status, answer) =
                                emulator.send(&text_send(&format!("send {thread}-{n}")));
                            assert_eq!(status, 200, "{answer}");
                            let wamid = answer["messages"][0]["id"].as_str().unwrap().to_string();
                            let saved = std::fs::read_to_string(out).unwrap();
                            assert!(
                                saved.contains(&format!("send {thread}-{n}"))
                                    && saved.contains(&wamid),
                                "the record of send {thread}-{n} is saved before its answer"
                            );
                            wamid
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        running
            .into_iter()
            .flat_map(|thread| thread.join().unwrap())
            .collect()
    });
    assert_eq!(wamids.len(), threads * each);
    // Every send's statuses, however the lanes merged them, sent before delivered.
    let mut seen: std::collections::HashMap<String, Vec<String>> = std::collections::HashMap::new();
    while seen.values().map(Vec::len).sum::<usize>() < 2 * wamids.len() {
        let webhook = json_of(&app.next().body);
        for entry in webhook["entry"].as_array().unwrap() {
            for change in entry["changes"].as_array().unwrap() {
                for status in change["value"]["statuses"].as_array().unwrap() {
                    seen.entry(status["id"].as_str().unwrap().to_string())
                        .or_default()
                        .push(status["status"].as_str().unwrap().to_string());
                }
            }
        }
    }
    for wamid in &wamids {
        assert_eq!(seen[wamid], ["sent", "delivered"], "{wamid}");
    }
    let (code, _, stderr) = emulator.interrupt();
    assert_eq!(code, Some(0), "{stderr}");
    let text = std::fs::read(&out).unwrap();
    let records: Vec<Value> = text
        .split(|b| *b == b'\n')
        .filter(|line| !line.is_empty())
        .map(json_of)
        .collect();
    let sends = records.iter().filter(|r| r["direction"] == "send").count();
    assert_eq!(sends, threads * each);
    let seqs: std::collections::BTreeSet<u64> =
        records.iter().map(|r| r["seq"].as_u64().unwrap()).collect();
    assert_eq!(seqs.len(), records.len(), "a seq of its own each");
}
