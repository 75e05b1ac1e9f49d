//! `wa-hook emulate meta --chaos`, `--retries` and batching under load, against a stand-in
//! app: what reaches the app, what the lines and the capture file say, and that the same seed
//! gives the same chaos. Nothing here measures time: every wait is for an event.
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::common::*;
use crate::emulator::meta_statuses;

const MESSAGES: &str = "/v26.0/106540352242922/messages";

/// A running `wa-hook emulate meta --format json`, its stdout's JSON lines handed over as
/// they come.
struct Emulator {
    host: String,
    child: Child,
    lines: Receiver<Value>,
}

impl Emulator {
    fn start(webhook: &str, args: &[&str]) -> Emulator {
        let mut child = wa_hook_process()
            .args(["emulate", "meta", "--format", "json", "--webhook", webhook])
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn wa-hook emulate");
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut first = String::new();
        stdout.read_line(&mut first).unwrap();
        let start: Value = serde_json::from_str(&first).unwrap_or_else(|_| panic!("{first:?}"));
        let host = start["base_url"]
            .as_str()
            .unwrap()
            .trim_start_matches("http://")
            .to_string();
        let (sender, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in stdout.lines().map_while(Result::ok) {
                if let Ok(value) = serde_json::from_str(&line) {
                    let _ = sender.send(value);
                }
            }
        });
        Emulator { host, child, lines }
    }

    /// A text send; the answer's status and body.
    fn send(&self, text: &str) -> (u16, Value) {
        let body = serde_json::to_vec(&json!({
            "messaging_product": "whatsapp", "to": "16505553921", "type": "text",
            "text": {"body": text},
        }))
        .unwrap();
        let mut stream = TcpStream::connect(&self.host).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(20)))
            .unwrap();
        let head = format!(
            "POST {MESSAGES} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nAuthorization: Bearer t\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            self.host,
            body.len()
        );
        stream.write_all(head.as_bytes()).unwrap();
        stream.write_all(&body).unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).unwrap();
        let status = answer
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap();
        let body = answer.split("\r\n\r\n").nth(1).unwrap_or_default();
        (status, serde_json::from_str(body).unwrap_or(Value::Null))
    }

    /// The `webhook` lines, until `enough` says the ones read are enough (within 20 s).
    fn webhook_lines(&self, enough: impl Fn(&[Value]) -> bool) -> Vec<Value> {
        let deadline = Instant::now() + Duration::from_secs(20);
        let mut seen = Vec::new();
        while !enough(&seen) {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) if line["event"] == "webhook" => seen.push(line),
                Ok(_) => {}
                Err(err) => panic!("not enough webhook lines within 20 s ({err}): {seen:#?}"),
            }
        }
        seen
    }

    /// Ctrl-C; the exit code, the summary line and stderr.
    fn interrupt(mut self) -> (Option<i32>, Value, String) {
        // SAFETY: kill with this test's own child's pid.
        unsafe {
            libc::kill(self.child.id() as i32, libc::SIGINT);
        }
        let mut stderr = String::new();
        self.child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut stderr)
            .unwrap();
        let code = self.child.wait().unwrap().code();
        let summary = self
            .lines
            .iter()
            .find(|line| line.get("summary").is_some())
            .unwrap_or_else(|| panic!("no summary; stderr: {stderr}"));
        (code, summary["summary"].clone(), stderr)
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// How many webhooks the lines say were sent, copies left out.
fn originals(lines: &[Value]) -> usize {
    lines
        .iter()
        .map(|line| {
            let delivery = &line["delivery"];
            match delivery["batched"].as_u64() {
                Some(batched) => usize::try_from(batched).unwrap(),
                None if delivery["chaos"]
                    .as_array()
                    .is_some_and(|acts| acts.contains(&json!("duplicate"))) =>
                {
                    0
                }
                None => 1,
            }
        })
        .sum()
}

/// The webhook records of a capture file, each checked against the committed schema.
fn webhook_records(path: &Path) -> Vec<Value> {
    let text = std::fs::read(path).unwrap();
    text.split(|b| *b == b'\n')
        .filter(|line| !line.is_empty())
        .map(|line| {
            assert_capture_schema(line);
            serde_json::from_slice::<Value>(line).unwrap()
        })
        .filter(|record| record["direction"] == "webhook")
        .collect()
}

/// What each message's status webhooks were, in the order the app got them, with what the
/// record says chaos did to each.
type History = BTreeMap<String, Vec<(String, Vec<String>)>>;

fn history(records: &[Value]) -> History {
    let mut history = History::new();
    for record in records {
        let body: Value = serde_json::from_str(record["body"].as_str().unwrap()).unwrap();
        let acts: Vec<String> = record["delivery"]["chaos"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|act| act.as_str().unwrap().to_string())
            .collect();
        for (id, status) in meta_statuses(&body) {
            history.entry(id).or_default().push((status, acts.clone()));
        }
    }
    history
}

/// One run of 12 sends with `--seed SEED` and chaos; each message's history.
fn chaotic_run(seed: &str) -> History {
    let app = RecordingServer::start();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run.jsonl");
    let emulator = Emulator::start(
        &format!("{}/webhook", app.url),
        &[
            "--seed",
            seed,
            "--chaos",
            "dup=0.3,reorder=0.5,late=0.3:150ms",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    for n in 0..12 {
        assert_eq!(emulator.send(&format!("message {n}")).0, 200);
    }
    // Every original has gone once 24 did; their copies follow them at once, and a stop
    // sends what is due before it ends.
    emulator.webhook_lines(|lines| originals(lines) >= 24);
    let (code, summary, stderr) = emulator.interrupt();
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(summary["webhooks"]["unsent"], 0, "{summary}");
    history(&webhook_records(&out))
}

/// The same seed gives the same chaos: each message's webhooks come in the same order with the
/// same acts on both runs, and each act is marked in the record.
#[test]
fn the_same_seed_gives_the_same_chaos() {
    let first = chaotic_run("7");
    let again = chaotic_run("7");
    assert_eq!(first, again);
    assert_eq!(first.len(), 12, "{first:#?}");
    let acts: Vec<&String> = first
        .values()
        .flatten()
        .flat_map(|(_, acts)| acts)
        .collect();
    for act in ["duplicate", "reordered", "late"] {
        assert!(acts.iter().any(|a| *a == act), "no {act} in {first:#?}");
    }
    // Each message still gets its sent and delivered (copies besides).
    for (id, seen) in &first {
        let mut kinds: Vec<&str> = seen
            .iter()
            .filter(|(_, acts)| !acts.contains(&"duplicate".to_string()))
            .map(|(status, _)| status.as_str())
            .collect();
        kinds.sort_unstable();
        assert_eq!(kinds, ["delivered", "sent"], "{id}: {seen:?}");
    }
    // A message reordered (and not late) has its delivered first.
    assert!(
        first.values().any(|seen| seen[0].0 == "delivered"),
        "{first:#?}"
    );
}

/// Every act is on its live line and counted in the summary.
#[test]
fn chaos_is_on_the_line_and_in_the_summary() {
    let app = RecordingServer::start();
    let emulator = Emulator::start(
        &format!("{}/webhook", app.url),
        &["--chaos", "dup=1,reorder=1,late=1:20ms"],
    );
    assert_eq!(emulator.send("everything happens").0, 200);
    let lines = emulator.webhook_lines(|lines| lines.len() >= 4);
    for line in &lines {
        let acts = line["delivery"]["chaos"].as_array().unwrap();
        assert!(acts.contains(&json!("reordered")), "{line}");
        assert!(acts.contains(&json!("late")), "{line}");
        assert_eq!(line["delivery"]["late_ms"], 20, "{line}");
    }
    let copies = lines
        .iter()
        .filter(|line| {
            line["delivery"]["chaos"]
                .as_array()
                .unwrap()
                .contains(&json!("duplicate"))
        })
        .count();
    assert_eq!(copies, 2, "{lines:#?}");
    // Reversed: delivered, its copy, sent, its copy.
    let order: Vec<String> = app
        .requests()
        .iter()
        .map(|request| {
            let body: Value = serde_json::from_slice(&request.body).unwrap();
            meta_statuses(&body)[0].1.clone()
        })
        .collect();
    assert_eq!(order, ["delivered", "delivered", "sent", "sent"]);
    let (code, summary, _) = emulator.interrupt();
    assert_eq!(code, Some(0));
    let webhooks = &summary["webhooks"];
    assert_eq!(webhooks["duplicated"], 2, "{summary}");
    assert_eq!(webhooks["reordered"], 4, "{summary}");
    assert_eq!(webhooks["late"], 4, "{summary}");
    assert_eq!(webhooks["delivered"], 4, "{summary}");
}

/// The text line names the act.
#[test]
fn the_text_line_says_duplicate() {
    let app = RecordingServer::start();
    let mut child = wa_hook_process()
        .args(["emulate", "meta", "--chaos", "dup=1", "--webhook"])
        .arg(format!("{}/webhook", app.url))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut base = String::new();
    stdout.read_line(&mut base).unwrap();
    let emulator = Emulator {
        host: base.trim().trim_start_matches("http://").to_string(),
        child,
        lines: mpsc::channel().1,
    };
    assert_eq!(emulator.send("twice").0, 200);
    let mut line = String::new();
    loop {
        line.clear();
        assert!(stderr.read_line(&mut line).unwrap() > 0, "stderr ended");
        if line.contains("(duplicate)") {
            assert!(line.contains("webhook  status:"), "{line}");
            break;
        }
    }
}

/// An app that never takes a webhook: each is retried on Meta's schedule (13 retries within
/// its 7 days, here a million times faster), then given up, and nothing is left waiting.
#[test]
fn retries_follow_the_schedule_then_stop() {
    let app = RecordingServer::with_responder(|_| Reply::new(500, b"{}"));
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run.jsonl");
    let emulator = Emulator::start(
        &format!("{}/webhook", app.url),
        &["--retries", "1000000x", "--out", out.to_str().unwrap()],
    );
    assert_eq!(emulator.send("refused").0, 200);
    let lines = emulator.webhook_lines(|lines| lines.len() >= 28);
    assert!(lines.iter().all(|line| line["app_status"] == 500));
    let (code, summary, stderr) = emulator.interrupt();
    assert_eq!(code, Some(0), "{stderr}");
    let webhooks = &summary["webhooks"];
    assert_eq!(webhooks["retried"], 26, "{summary}");
    assert_eq!(webhooks["gave_up"], 2, "{summary}");
    assert_eq!(webhooks["refused"], 28, "{summary}");
    assert_eq!(webhooks["unsent"], 0, "{summary}");
    assert_eq!(app.requests().len(), 28);
    // Each status: attempts 1 (no mark) to 14, in order.
    let records = webhook_records(&out);
    for status in ["sent", "delivered"] {
        let attempts: Vec<u64> = records
            .iter()
            .filter(|record| {
                record["body"]
                    .as_str()
                    .unwrap()
                    .contains(&format!("\"{status}\""))
            })
            .map(|record| record["delivery"]["attempt"].as_u64().unwrap_or(1))
            .collect();
        assert_eq!(attempts, (1..=14).collect::<Vec<u64>>(), "{status}");
    }
}

/// A webhook refused once is sent again, then no more once the app takes it.
#[test]
fn a_retried_webhook_stops_once_the_app_takes_it() {
    let seen = Arc::new(Mutex::new(Vec::<Vec<u8>>::new()));
    let bodies = Arc::clone(&seen);
    let app = RecordingServer::with_responder(move |request| {
        let mut bodies = bodies.lock().unwrap();
        let again = bodies.contains(&request.body);
        bodies.push(request.body.clone());
        if again {
            Reply::ok()
        } else {
            Reply::new(503, b"{}")
        }
    });
    let emulator = Emulator::start(
        &format!("{}/webhook", app.url),
        &["--retries", "compressed"],
    );
    assert_eq!(emulator.send("refused once").0, 200);
    let lines = emulator.webhook_lines(|lines| {
        lines
            .iter()
            .filter(|line| line["app_status"] == 200)
            .count()
            >= 2
    });
    let retried: Vec<&Value> = lines
        .iter()
        .filter(|line| line["delivery"]["attempt"] == 2)
        .collect();
    assert_eq!(retried.len(), 2, "{lines:#?}");
    assert!(retried.iter().all(|line| line["app_status"] == 200));
    let (code, summary, _) = emulator.interrupt();
    assert_eq!(code, Some(0));
    let webhooks = &summary["webhooks"];
    assert_eq!(webhooks["retried"], 2, "{summary}");
    assert_eq!(webhooks["gave_up"], 0, "{summary}");
    assert_eq!(webhooks["refused"], 2, "{summary}");
    assert_eq!(webhooks["delivered"], 2, "{summary}");
    assert_eq!(seen.lock().unwrap().len(), 4);
}

/// With retries and every act of chaos on, an app that hangs holds no answer to a send.
#[test]
fn a_hung_app_never_blocks_answers_with_retries_and_chaos() {
    let (release, hold) = mpsc::channel::<()>();
    let hold = Mutex::new(hold);
    let app = RecordingServer::with_responder(move |_| {
        let _ = hold.lock().unwrap().recv_timeout(Duration::from_secs(30));
        Reply::ok()
    });
    let emulator = Emulator::start(
        &format!("{}/webhook", app.url),
        &[
            "--retries",
            "1000000x",
            "--chaos",
            "dup=1,reorder=1,late=1:1ms",
            "--webhook-timeout",
            "20s",
        ],
    );
    for n in 0..20 {
        assert_eq!(emulator.send(&format!("message {n}")).0, 200);
    }
    drop(release);
}

/// When webhooks of several sends wait (an app slower than the sends), Meta's way is one
/// notification for many: each message's statuses still all arrive, once each, sent before
/// delivered, and the summary counts every webhook.
#[test]
fn waiting_webhooks_of_several_sends_go_as_one_notification() {
    let app = RecordingServer::with_responder(|_| {
        // A slow app: webhooks pile up behind each answer.
        std::thread::sleep(Duration::from_millis(100));
        Reply::ok()
    });
    let emulator = Emulator::start(&format!("{}/webhook", app.url), &[]);
    let sends = 40;
    for n in 0..sends {
        assert_eq!(emulator.send(&format!("message {n}")).0, 200);
    }
    let lines = emulator.webhook_lines(|lines| originals(lines) >= 2 * sends);
    assert!(
        lines
            .iter()
            .any(|line| line["delivery"]["batched"].as_u64() > Some(1)),
        "{lines:#?}"
    );
    let mut seen: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for request in app.requests() {
        let body: Value = serde_json::from_slice(&request.body).unwrap();
        let found = meta_statuses(&body);
        let ids: Vec<&String> = found.iter().map(|(id, _)| id).collect();
        let mut unique = ids.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(
            unique.len(),
            ids.len(),
            "one status per message per batch: {ids:?}"
        );
        for (id, status) in found {
            seen.entry(id).or_default().push(status);
        }
    }
    assert_eq!(seen.len(), sends);
    for (id, statuses) in &seen {
        assert_eq!(statuses, &["sent", "delivered"], "{id}");
    }
    let (code, summary, _) = emulator.interrupt();
    assert_eq!(code, Some(0));
    assert_eq!(summary["webhooks"]["delivered"], 2 * sends, "{summary}");
    assert!(
        summary["webhooks"]["batches"].as_u64() > Some(0),
        "{summary}"
    );
}

/// Wrong flags are refused before anything starts, each in one line.
#[test]
fn wrong_chaos_and_retries_are_refused_in_one_line() {
    for (flag, value, says) in [
        ("--chaos", "dup=2", "from 0 to 1"),
        ("--chaos", "often=0.1", "none of dup, reorder, late"),
        ("--chaos", "late=0.1:soon", "--chaos late"),
        ("--retries", "fast", "none of off, real, compressed"),
        ("--retries", "0x", "1 or more"),
    ] {
        let output = wa_hook()
            .args(["emulate", "meta", "--webhook", "3000", flag, value])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{flag} {value}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(says), "{flag} {value}: {stderr}");
        assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    }
}

/// POST `body` to the emulator's `/_wa-hook/{action}`: the answer's status and body.
fn control(host: &str, action: &str, body: &Value) -> (u16, Value) {
    let body = serde_json::to_vec(body).unwrap();
    let mut stream = TcpStream::connect(host).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let head = format!(
        "POST /_wa-hook/{action} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(&body).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let status = answer
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap();
    let body = answer.split("\r\n\r\n").nth(1).unwrap_or_default();
    (status, serde_json::from_str(body).unwrap_or(Value::Null))
}

/// `/_wa-hook/chaos {"next_send": "reorder"}` (a conversation step's `chaos = "reorder"`):
/// the next send's statuses come in reverse order, the one after in order; the customer's
/// `"chaos": "duplicate"` delivers a webhook twice, the copy marked.
#[test]
fn one_send_reordered_and_one_delivery_duplicated_on_demand() {
    let app = RecordingServer::start();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("c.jsonl");
    let webhook = format!("{}/webhook", app.url);
    let emulator = Emulator::start(&webhook, &["--out", out.to_str().unwrap()]);
    let (status, answer) = control(&emulator.host, "chaos", &json!({"next_send": "twice"}));
    assert_eq!(status, 400);
    assert_eq!(answer["error"], "chaos takes {\"next_send\": \"reorder\"}");
    assert_eq!(
        control(&emulator.host, "chaos", &json!({"next_send": "reorder"})).0,
        200
    );
    let (_, first) = emulator.send("first");
    let (_, second) = emulator.send("second");
    let (status, said) = control(
        &emulator.host,
        "say",
        &json!({"text": "hi", "chaos": "duplicate"}),
    );
    assert_eq!(status, 200, "{said}");
    assert_eq!(
        (said["app_status"].as_u64(), said["copy_status"].as_u64()),
        (Some(200), Some(200))
    );
    emulator.webhook_lines(|lines| lines.len() >= 6);
    let records = webhook_records(&out);
    let history = history(&records);
    let order = |answer: &Value| -> Vec<String> {
        let id = answer["messages"][0]["id"].as_str().unwrap();
        history[id]
            .iter()
            .map(|(status, _)| status.clone())
            .collect()
    };
    assert_eq!(order(&first), ["delivered", "sent"], "{history:#?}");
    assert_eq!(order(&second), ["sent", "delivered"], "{history:#?}");
    let copies: Vec<&Value> = records
        .iter()
        .filter(|record| record["delivery"]["chaos"] == json!(["duplicate"]))
        .collect();
    assert_eq!(copies.len(), 1, "{records:#?}");
    assert!(copies[0]["body"].as_str().unwrap().contains("\"hi\""));
}
