//! `wa-hook emulate` serves the inspector as listen does (the capture file by default, the
//! printed URL with its key, `--no-save`, `--no-ui`), and its chat: the conversation drawn
//! from the records, the customer's controls forwarded to the emulator, behind the same
//! session, token and Origin rules as the inspector's other calls.
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, ChildStdout, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::inspect::{call, login};
use crate::common::*;

const PHONE_NUMBER_ID: &str = "106540352242922";

/// A running `wa-hook emulate meta` in a folder of its own, with its inspector logged in.
pub struct Running {
    base: String,
    /// stdout's second line, as printed.
    pub second_line: String,
    child: Child,
    stdout: BufReader<ChildStdout>,
}

impl Running {
    pub fn start(dir: &Path, app: &RecordingServer, args: &[&str]) -> Running {
        Running::of("meta", dir, app, args)
    }

    /// `wa-hook emulate PROVIDER`.
    fn of(provider: &str, dir: &Path, app: &RecordingServer, args: &[&str]) -> Running {
        let mut child = wa_hook_process()
            .current_dir(dir)
            .args(["emulate", provider, "--webhook", &app.url])
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn wa-hook emulate");
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut first = String::new();
        stdout.read_line(&mut first).unwrap();
        let base = match serde_json::from_str::<Value>(first.trim()) {
            Ok(line) => line["base_url"].as_str().unwrap_or_default().to_string(),
            Err(_) => first.trim().to_string(),
        };
        assert!(base.starts_with("http://127.0.0.1:"), "{first:?}");
        let mut second_line = String::new();
        if !args.contains(&"--no-ui") && !args.contains(&"--no-save") {
            stdout.read_line(&mut second_line).unwrap();
        }
        Running {
            base,
            second_line,
            child,
            stdout,
        }
    }

    fn port(&self) -> u16 {
        self.base.rsplit(':').next().unwrap().parse().unwrap()
    }

    /// The app's send, as an SDK makes it.
    pub fn send(&self, body: &Value) -> (u16, Value) {
        let (status, answer) = call(
            self.port(),
            "POST",
            &format!("/v26.0/{PHONE_NUMBER_ID}/messages"),
            &[
                ("Authorization", "Bearer any"),
                ("Content-Type", "application/json"),
            ],
            &serde_json::to_vec(body).unwrap(),
        );
        (status, serde_json::from_slice(&answer).unwrap())
    }

    /// SIGINT, then the rest of stdout and stderr.
    fn interrupt(mut self) -> (String, String) {
        // SAFETY: kill with this test's own child's pid.
        unsafe {
            libc::kill(self.child.id() as i32, libc::SIGINT);
        }
        let mut out = String::new();
        self.stdout.read_to_string(&mut out).unwrap();
        let mut err = String::new();
        self.child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut err)
            .unwrap();
        self.child.wait().unwrap();
        (out, err)
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The inspector the emulator printed: its port and session cookie.
struct Ui {
    port: u16,
    cookie: String,
}

impl Ui {
    fn of(running: &Running) -> Ui {
        let url = running
            .second_line
            .trim()
            .strip_prefix("inspector: ")
            .unwrap_or_else(|| panic!("no inspector line: {:?}", running.second_line));
        let (port, cookie) = login(url);
        Ui { port, cookie }
    }

    fn get(&self, path: &str) -> Value {
        let (status, body) = call(self.port, "GET", path, &[("Cookie", &self.cookie)], b"");
        assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
        serde_json::from_slice(&body).unwrap()
    }

    fn post_with(&self, path: &str, body: &Value, extra: &[(&str, &str)]) -> (u16, Value) {
        let token = self.get("/api/session")["token"]
            .as_str()
            .unwrap()
            .to_string();
        let mut headers = vec![
            ("Cookie", self.cookie.as_str()),
            ("X-WA-Hook-Token", token.as_str()),
            ("Content-Type", "application/json"),
        ];
        headers.extend_from_slice(extra);
        let (status, answer) = call(
            self.port,
            "POST",
            path,
            &headers,
            &serde_json::to_vec(body).unwrap(),
        );
        (
            status,
            serde_json::from_slice(&answer).unwrap_or(Value::Null),
        )
    }

    fn post(&self, path: &str, body: &Value) -> (u16, Value) {
        self.post_with(path, body, &[])
    }

    /// The chat's events once one of them passes `test` (the file is followed on a thread of
    /// its own), within 10 s.
    fn chat_until(&self, what: &str, test: impl Fn(&Value) -> bool) -> Vec<Value> {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let events = self.get("/api/chat")["events"].as_array().unwrap().clone();
            if events.iter().any(&test) {
                return events;
            }
            assert!(
                Instant::now() < deadline,
                "the chat never showed {what}: {events:#?}"
            );
            std::thread::yield_now();
        }
    }
}

#[test]
fn emulate_serves_the_inspector_over_the_file_listen_writes() {
    let dir = tempfile::tempdir().unwrap();
    let app = RecordingServer::start();
    let running = Running::start(dir.path(), &app, &[]);
    assert!(
        running
            .second_line
            .starts_with("inspector: http://127.0.0.1:"),
        "{:?}",
        running.second_line
    );
    // The key for the session, as listen's: without it the page is refused.
    let ui = Ui::of(&running);
    let (status, _) = call(ui.port, "GET", "/api/session", &[], b"");
    assert_eq!(status, 401);
    let session = ui.get("/api/session");
    assert_eq!(session["files"], json!(["wa-hook-captures.jsonl"]));
    assert_eq!(session["chat"]["provider"], "meta");
    let kinds = session["chat"]["kinds"].as_array().unwrap();
    assert!(
        kinds.contains(&json!("message:image")) && kinds.contains(&json!("message:location")),
        "{kinds:?}"
    );
    assert_eq!(
        session["chat"]["identities"],
        json!(["phone", "bsuid", "username"])
    );
    // The records go to listen's default file, in the folder it runs in.
    let (status, _) = running.send(
        &json!({"messaging_product": "whatsapp", "to": "16505553921",
        "type": "text", "text": {"body": "hi"}}),
    );
    assert_eq!(status, 200);
    ui.chat_until("the send", |event| event["from"] == "app");
    drop(running);
    let saved = std::fs::read_to_string(dir.path().join("wa-hook-captures.jsonl")).unwrap();
    assert!(saved.contains("\"direction\":\"send\""), "{saved}");

    // --format json: the inspector's URL is a JSON line of its own. Its chat is this run's:
    // the file's earlier run is listed, not drawn.
    let running = Running::start(dir.path(), &app, &["--format", "json"]);
    let line: Value = serde_json::from_str(running.second_line.trim()).unwrap();
    let url = line["inspector"].as_str().unwrap();
    assert!(url.starts_with("http://127.0.0.1:"), "{line}");
    let (port, cookie) = login(url);
    let ui = Ui { port, cookie };
    let deadline = Instant::now() + Duration::from_secs(10);
    while ui.get("/api/records")["total"] == 0 {
        assert!(Instant::now() < deadline, "the earlier run is never listed");
        std::thread::yield_now();
    }
    assert_eq!(ui.get("/api/chat")["events"], json!([]));
}

#[test]
fn no_save_and_no_ui_serve_no_inspector() {
    let dir = tempfile::tempdir().unwrap();
    let app = RecordingServer::start();
    let (out, err) = Running::start(dir.path(), &app, &["--no-save"]).interrupt();
    assert!(!out.contains("inspector"), "{out}");
    assert!(
        err.contains("no inspector: it reads the capture file"),
        "{err}"
    );
    assert!(!dir.path().join("wa-hook-captures.jsonl").exists());
    let (out, err) = Running::start(dir.path(), &app, &["--no-ui"]).interrupt();
    assert!(
        !out.contains("inspector") && !err.contains("inspector"),
        "{out}{err}"
    );
    // --no-ui saves all the same.
    assert!(dir.path().join("wa-hook-captures.jsonl").exists());
}

#[test]
fn the_chat_draws_the_conversation_and_plays_the_customer() {
    let dir = tempfile::tempdir().unwrap();
    let app = RecordingServer::start();
    let running = Running::start(dir.path(), &app, &[]);
    let ui = Ui::of(&running);

    // The customer writes, through the inspector.
    let (status, said) = ui.post("/api/chat/say", &json!({"text": "Is it <b>in stock</b>?"}));
    assert_eq!(status, 200, "{said}");
    assert_eq!(said["app_status"], 200);
    let events = ui.chat_until("the customer's message", |event| {
        event["from"] == "customer"
    });
    let customer = &events[0];
    assert_eq!(customer["message"]["text"], "Is it <b>in stock</b>?");
    assert_eq!(customer["message"]["id"], said["message_id"]);
    assert_eq!(customer["app"]["status"], 200);

    // The app marks it read.
    let (status, _) = running.send(&json!({"messaging_product": "whatsapp", "status": "read",
        "message_id": said["message_id"]}));
    assert_eq!(status, 200);
    let events = ui.chat_until("the app's read receipt", |event| {
        event["message"]["kind"] == "read"
    });
    let read = events
        .iter()
        .find(|e| e["message"]["kind"] == "read")
        .unwrap();
    assert_eq!(
        (&read["from"], &read["message"]["about"]),
        (&json!("app"), &said["message_id"])
    );

    // The app answers: a text accepted, a template refused.
    let (status, answer) = running.send(&json!({"messaging_product": "whatsapp",
        "to": "16505553921", "type": "text", "text": {"body": "Yes, size M"}}));
    assert_eq!(status, 200);
    let wamid = answer["messages"][0]["id"].as_str().unwrap().to_string();
    let (status, _) = running.send(&json!({"messaging_product": "whatsapp",
        "to": "16505553921", "type": "template", "template": {"name": "order_update",
        "components": [{"type": "body", "parameters": [{"type": "text", "text": "Ana"}]}]}}));
    assert_eq!(status, 400);
    let events = ui.chat_until("the delivered status", |event| {
        event["type"] == "status" && event["status"] == "delivered"
    });
    let sent = events
        .iter()
        .find(|event| event["from"] == "app" && event["message"]["kind"] == "text")
        .unwrap();
    assert_eq!(sent["message"]["id"], wamid.as_str());
    assert_eq!(sent["message"]["text"], "Yes, size M");
    assert!(sent["refused"].is_null());
    let refused = events
        .iter()
        .find(|event| event["message"]["kind"] == "template")
        .unwrap();
    assert_eq!(refused["message"]["template"]["name"], "order_update");
    assert_eq!(refused["message"]["template"]["parameters"], json!(["Ana"]));
    assert!(
        refused["refused"]
            .as_str()
            .unwrap()
            .contains("/template/language"),
        "{refused}"
    );
    assert!(refused["message"]["id"].is_null());
    let statuses: Vec<&Value> = events
        .iter()
        .filter(|event| event["type"] == "status")
        .map(|event| &event["status"])
        .collect();
    assert_eq!(statuses, [&json!("sent"), &json!("delivered")]);

    // The customer reads it, reacts to it; a second message fails with a code.
    let (status, _) = ui.post("/api/chat/read", &json!({"message_id": wamid}));
    assert_eq!(status, 200);
    let (status, _) = ui.post(
        "/api/chat/react",
        &json!({"message_id": wamid, "emoji": "🎉"}),
    );
    assert_eq!(status, 200);
    let (_, answer) = running.send(&json!({"messaging_product": "whatsapp",
        "to": "16505553921", "type": "image", "image": {"link": "https://example.com/a.png"}}));
    let second = answer["messages"][0]["id"].as_str().unwrap().to_string();
    let (status, _) = ui.post(
        "/api/chat/fail",
        &json!({"message_id": second, "code": 131_047}),
    );
    assert_eq!(status, 200);
    let events = ui.chat_until("the failure", |event| event["status"] == "failed");
    assert!(
        events
            .iter()
            .any(|event| event["status"] == "read" && event["id"] == wamid.as_str())
    );
    let reaction = events
        .iter()
        .find(|event| event["message"]["kind"] == "reaction")
        .unwrap();
    assert_eq!(reaction["from"], "customer");
    assert_eq!(reaction["message"]["about"], wamid.as_str());
    assert_eq!(reaction["message"]["text"], "🎉");
    let failed = events
        .iter()
        .find(|event| event["status"] == "failed")
        .unwrap();
    assert_eq!(failed["id"], second.as_str());
    assert!(
        failed["error"].as_str().unwrap().starts_with("131047"),
        "{failed}"
    );
    // A sample kind in another identity.
    let (status, said) = ui.post(
        "/api/chat/say",
        &json!({"kind": "message:location", "identity": "username"}),
    );
    assert_eq!(status, 200, "{said}");
    let events = ui.chat_until("the location", |event| {
        event["message"]["kind"] == "location"
    });
    let location = events
        .iter()
        .find(|event| event["message"]["kind"] == "location")
        .unwrap();
    assert!(
        !location["who"]
            .as_str()
            .unwrap()
            .chars()
            .all(|c| c.is_ascii_digit()),
        "{location}"
    );
    // Only the events after a record the page has already.
    let last = ui.get("/api/chat")["last"].as_u64().unwrap();
    assert_eq!(
        ui.get(&format!("/api/chat?after={last}"))["events"],
        json!([])
    );

    // The emulator's refusal comes back as it is; the inspector's own rules hold.
    let (status, answer) = ui.post("/api/chat/read", &json!({"message_id": "wamid.nope"}));
    assert_eq!(status, 404);
    assert!(
        answer["error"].as_str().unwrap().contains("wamid.nope"),
        "{answer}"
    );
    let (status, _) = ui.post("/api/chat/inject", &json!({"code": 131_047, "next": 1}));
    assert_eq!(status, 404);
    let (status, _) = ui.post_with(
        "/api/chat/say",
        &json!({"text": "from elsewhere"}),
        &[("Origin", "http://evil.example")],
    );
    assert_eq!(status, 403);
    let (status, _) = call(
        ui.port,
        "POST",
        "/api/chat/say",
        &[("Cookie", &ui.cookie), ("Content-Type", "application/json")],
        br#"{"text": "no token"}"#,
    );
    assert_eq!(status, 403);
    assert!(!app.requests().iter().any(|request| {
        String::from_utf8_lossy(&request.body).contains("from elsewhere")
            || String::from_utf8_lossy(&request.body).contains("no token")
    }));
}

/// `wa-hook inspect` runs beside no emulator: no chat, and its calls are refused.
#[test]
fn inspect_alone_has_no_chat() {
    let (_dir, _path, inspect) = super::inspect::Inspect::of_empty_file();
    assert!(inspect.get("/api/session").1["chat"].is_null());
    let (status, _) = inspect.post("/api/chat/say", &json!({"text": "hi"}));
    assert_eq!(status, 404);
}

/// The chat is the registry's: Qikchat's sends, its answer's id and its statuses, drawn as
/// Meta's are.
#[test]
fn the_chat_draws_qikchat_too() {
    let dir = tempfile::tempdir().unwrap();
    let app = RecordingServer::start();
    let running = Running::of("qikchat", dir.path(), &app, &[]);
    let ui = Ui::of(&running);
    assert_eq!(ui.get("/api/session")["chat"]["provider"], "qikchat");
    let (status, said) = ui.post("/api/chat/say", &json!({"text": "I want this product"}));
    assert_eq!(status, 200, "{said}");
    let (status, answer) = call(
        running.port(),
        "POST",
        "/v1/messages",
        &[
            ("QIKCHAT-API-KEY", "any"),
            ("Content-Type", "application/json"),
        ],
        br#"{"to_contact": "+918080808080", "type": "text", "text": {"body": "It is yours"}}"#,
    );
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&answer));
    let id = serde_json::from_slice::<Value>(&answer).unwrap()["data"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    // The customer reads once the message has reached the phone (the read goes out at once; a
    // queued `delivered` could otherwise follow it).
    ui.chat_until("the delivery", |event| {
        event["status"] == "delivered" && event["id"] == id.as_str()
    });
    let (status, _) = ui.post("/api/chat/read", &json!({"message_id": id}));
    assert_eq!(status, 200);
    let events = ui.chat_until("the read", |event| event["status"] == "read");
    let customer = events.iter().find(|e| e["from"] == "customer").unwrap();
    assert_eq!(customer["message"]["text"], "I want this product");
    assert_eq!(customer["message"]["id"], said["message_id"]);
    let sent = events.iter().find(|e| e["from"] == "app").unwrap();
    assert_eq!(sent["message"]["text"], "It is yours");
    assert_eq!(sent["message"]["id"], id.as_str());
    let statuses: Vec<&str> = events
        .iter()
        .filter(|e| e["type"] == "status" && e["id"] == id.as_str())
        .map(|e| e["status"].as_str().unwrap())
        .collect();
    assert!(
        statuses.ends_with(&["read"]) && statuses.contains(&"delivered"),
        "{statuses:?}"
    );
}

/// Picky Assist's instant reply (the app's answer to the customer's message) is drawn as the
/// message it sends; one that is not a valid instant reply, as not sent, with why.
#[test]
fn a_picky_instant_reply_is_drawn_as_the_message_it_sends() {
    let dir = tempfile::tempdir().unwrap();
    let app = RecordingServer::with_responder(|request| {
        if String::from_utf8_lossy(&request.body).contains("broken") {
            Reply::new(200, br#"{"message-out": 5, "type": "1"}"#)
        } else {
            Reply::new(200, br#"{"message-out": "Shipped today", "type": "1"}"#)
        }
    });
    let running = Running::of("picky", dir.path(), &app, &[]);
    let ui = Ui::of(&running);
    let (status, said) = ui.post("/api/chat/say", &json!({"text": "Is my order shipped?"}));
    assert_eq!(status, 200, "{said}");
    let (status, said) = ui.post("/api/chat/say", &json!({"text": "broken"}));
    assert_eq!(status, 200, "{said}");
    let events = ui.chat_until("both replies", |event| {
        event["from"] == "app" && !event["refused"].is_null()
    });
    let replies: Vec<&Value> = events.iter().filter(|e| e["from"] == "app").collect();
    assert_eq!(replies.len(), 2, "{events:#?}");
    assert_eq!(replies[0]["message"]["text"], "Shipped today");
    assert!(replies[0]["refused"].is_null(), "{}", replies[0]);
    let why = replies[1]["refused"].as_str().unwrap();
    assert!(why.starts_with("not valid: /message-out"), "{why}");
}

/// The list's records sorted by `seq`, each without what differs between two inspectors of
/// one file (their own `id`, the file's name as each was given it).
fn listed(page: &Value) -> Vec<Value> {
    let mut records: Vec<Value> = page["records"].as_array().unwrap().clone();
    for record in &mut records {
        let object = record.as_object_mut().unwrap();
        object.remove("id");
        object.remove("file");
    }
    records.sort_by_key(|record| record["seq"].as_u64());
    records
}

/// The emulator hands its inspector each record it saves (the app's sends with their answers,
/// the webhooks that follow), as listen does, rather than the inspector reading the file back:
/// the list is the one `wa-hook inspect` makes of the same file.
#[test]
fn the_inspector_is_fed_the_runs_sends_answers_and_webhooks() {
    let dir = tempfile::tempdir().unwrap();
    let app = RecordingServer::start();
    let running = Running::start(dir.path(), &app, &[]);
    let ui = Ui::of(&running);
    let (status, answer) = running.send(&json!({"messaging_product": "whatsapp",
        "to": "16505553921", "type": "text", "text": {"body": "Your order has shipped"}}));
    assert_eq!(status, 200, "{answer}");
    let (status, _) = running.send(&json!({"messaging_product": "whatsapp",
        "to": "16505553921", "type": "text", "text": {}}));
    assert_eq!(status, 400);
    let (status, _) = running.send(&json!({"messaging_product": "whatsapp", "status": "read",
        "message_id": "wamid.unknown"}));
    assert_eq!(status, 400);
    // Three sends, and the accepted one's sent and delivered.
    let deadline = Instant::now() + Duration::from_secs(10);
    let fed = loop {
        let page = ui.get("/api/records");
        if page["total"] == json!(5) {
            break page;
        }
        assert!(
            Instant::now() < deadline,
            "the run is never listed whole: {page:#}"
        );
        std::thread::yield_now();
    };
    let fed = listed(&fed);
    let kinds: Vec<&Value> = fed.iter().map(|record| &record["kind"]).collect();
    assert_eq!(
        kinds,
        [
            &json!("send:text"),
            &json!("send:text"),
            &json!("send:read"),
            &json!("status:sent"),
            &json!("status:delivered")
        ],
        "{fed:#?}"
    );
    assert_eq!(
        fed.iter()
            .map(|r| &r["response_status"])
            .collect::<Vec<_>>(),
        [
            &json!(200),
            &json!(400),
            &json!(400),
            &json!(200),
            &json!(200)
        ]
    );
    let wamid = answer["messages"][0]["id"].as_str().unwrap();
    assert_eq!(fed[3]["messages"][0]["id"], wamid, "{:#}", fed[3]);
    assert_eq!(fed[4]["messages"][0]["status"], "delivered");
    assert_eq!(fed[1]["verdict"], "invalid");
    // The record's detail (read from the file) holds the send's answer.
    let newest_send = ui.get("/api/records?kind=send:text")["records"][1]["id"].clone();
    let detail = ui.get(&format!("/api/records/{newest_send}"));
    assert!(
        detail.to_string().contains(wamid),
        "the send's answer is in its detail: {detail:#}"
    );
    drop(running);
    // The same list as an inspector that reads the file.
    let file = dir.path().join("wa-hook-captures.jsonl");
    let inspect = super::inspect::Inspect::start(&[file.to_str().unwrap()]);
    assert_eq!(listed(&inspect.list_of("", 5)), fed);
}
