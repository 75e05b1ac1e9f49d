//! A send `wa-hook emulate` cannot save: refused with the provider's error envelope (500 on a
//! full disk, 503 with `Retry-After` when the capture pipe is not read), its webhooks never
//! sent, counted in the summary; saving resumes when it can. Before, such a send was answered
//! 200 and its statuses sent: the app was told of a message the capture file did not hold.
use std::collections::HashSet;

use serde_json::{Value, json};

use crate::common::*;
use crate::emulator::{App, Running, json_of, meta_statuses};

const SEND_PATH: &str = "/v26.0/106540352242922/messages";

/// A valid Meta text send; every one the same size.
fn text_send(text_length: usize) -> Vec<u8> {
    text_send_to("16505553921", text_length)
}

/// [`text_send`] to `to`.
fn text_send_to(to: &str, text_length: usize) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "messaging_product": "whatsapp", "recipient_type": "individual",
        "to": to, "type": "text", "text": {"body": "a".repeat(text_length)},
    }))
    .unwrap()
}

/// `sh -c` with a file-size limit of 16 KiB (dash counts `ulimit -f` in 512-byte blocks),
/// then wa-hook: a full disk.
const FULL_DISK: &str = "trap '' XFSZ; ulimit -f 32 && exec \"$0\" \"$@\"";

/// Make room in `path` again (the full disk emptied).
fn make_room(path: &std::path::Path) {
    std::fs::OpenOptions::new()
        .write(true)
        .open(path)
        .unwrap()
        .set_len(0)
        .unwrap();
}

/// Send one; the status, the `Retry-After` header and the answer's JSON.
fn send(emulator: &Running, body: &[u8]) -> (u16, Option<String>, Value) {
    let (status, headers, answer) = emulator.request(
        "POST",
        SEND_PATH,
        &[
            ("Content-Type", "application/json"),
            ("Authorization", "Bearer any-token"),
        ],
        body,
    );
    let retry_after = headers
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case("retry-after"))
        .map(|(_, value)| value.clone());
    (status, retry_after, json_of(&answer))
}

/// `wa-hook emulate meta --webhook APP ARGS...` run by `sh -c SCRIPT` (which ends by exec-ing
/// wa-hook with the arguments that follow it).
fn emulate_under(script: &str, app: &App, args: &[&str]) -> Running {
    let webhook = app.webhook_url();
    let mut all = vec!["meta", "--webhook", &webhook];
    all.extend_from_slice(args);
    spawn_under(script, &all, &[])
}

/// `wa-hook emulate ARGS... --no-ui` run by `sh -c SCRIPT`, with these variables.
fn spawn_under(script: &str, args: &[&str], envs: &[(&str, &str)]) -> Running {
    let mut command = std::process::Command::new("sh");
    command
        .args(["-c", script])
        .arg(assert_cmd::cargo::cargo_bin("wa-hook"))
        .env("NO_COLOR", "1");
    for (key, _) in std::env::vars() {
        if key.starts_with("WA_HOOK_") {
            command.env_remove(key);
        }
    }
    let mut all = args.to_vec();
    all.push("--no-ui");
    Running::spawn_with(command, &all, envs)
}

/// The statuses a Meta webhook carries: each message id and status.
fn statuses(webhook: &Recorded) -> Vec<(String, String)> {
    meta_statuses(&json_of(&webhook.body))
}

/// Wait for `sent` and `delivered` of every message in `awaited` (the app's webhooks come in
/// any order across messages); none may be about a message not in `accepted`.
fn await_statuses(app: &App, awaited: &HashSet<String>, accepted: &HashSet<String>) {
    let mut waiting: HashSet<(String, String)> = awaited
        .iter()
        .flat_map(|id| {
            [
                (id.clone(), "sent".into()),
                (id.clone(), "delivered".into()),
            ]
        })
        .collect();
    while !waiting.is_empty() {
        for (id, status) in statuses(&app.next()) {
            assert!(accepted.contains(&id), "a status of a refused send: {id}");
            waiting.remove(&(id, status));
        }
    }
}

/// After the emulator stopped (every webhook it sent has reached the app): none is about a
/// send it refused.
fn assert_no_status_but_of(app: &App, accepted: &HashSet<String>) {
    while let Some(webhook) = app.next_within(std::time::Duration::ZERO) {
        for (id, _) in statuses(&webhook) {
            assert!(accepted.contains(&id), "a status of a refused send: {id}");
        }
    }
}

/// A file-size limit stands in for a full disk (as in listen's test): the sends that do not
/// fit are answered 500 with Meta's code 1, their statuses never come, one warning says so;
/// once there is room, a send is accepted and saved again.
#[test]
fn a_send_that_cannot_be_saved_is_refused_and_its_statuses_are_not_sent() {
    let app = App::start();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("run.jsonl");
    let emulator = emulate_under(FULL_DISK, &app, &["--out", path.to_str().unwrap()]);
    let body = text_send(1000);
    let mut accepted = HashSet::new();
    let mut refused = None;
    for _ in 0..40 {
        let (status, _, answer) = send(&emulator, &body);
        if status == 200 {
            accepted.insert(answer["messages"][0]["id"].as_str().unwrap().to_string());
            continue;
        }
        refused = Some((status, answer));
        break;
    }
    let (status, answer) = refused.expect("the file filled within 40 sends");
    assert_eq!(status, 500, "{answer}");
    assert_eq!(answer["error"]["code"], 1, "{answer}");
    assert!(
        answer["error"]["error_data"]["details"]
            .as_str()
            .unwrap()
            .contains("could not save this send"),
        "{answer}"
    );
    assert!(answer.get("messages").is_none(), "{answer}");
    // More that do not fit: refused too.
    for _ in 0..3 {
        assert_eq!(send(&emulator, &body).0, 500);
    }
    await_statuses(&app, &accepted, &accepted);
    // Room again: the first send may still be refused (writes were failing: it is refused
    // before the emulator sees it, and its record tells that saving works), then accepted,
    // saved and followed by its statuses.
    make_room(&path);
    let mut again = None;
    for _ in 0..2 {
        let (status, _, answer) = send(&emulator, &text_send(10));
        if status == 200 {
            again = Some(answer["messages"][0]["id"].as_str().unwrap().to_string());
            break;
        }
        assert_eq!(status, 500, "{answer}");
    }
    let again = again.expect("accepted once there is room");
    accepted.insert(again.clone());
    await_statuses(&app, &HashSet::from([again.clone()]), &accepted);
    let (code, _, stderr) = emulator.interrupt();
    assert_eq!(code, Some(0), "{stderr}");
    assert_no_status_but_of(&app, &accepted);
    assert_eq!(
        stderr
            .matches("until it can be, sends are answered 500")
            .count(),
        1,
        "{stderr}"
    );
    assert!(stderr.contains("saving again ("), "{stderr}");
    assert!(
        // Refused in the batch whose write failed, or before the emulator saw it.
        stderr.contains("the capture file could not be written (answered 500)"),
        "{stderr}"
    );
    assert!(
        stderr.contains("sends refused for it (answered 500 or 503, their webhooks not sent)"),
        "{stderr}"
    );
    // The file holds the send accepted once there was room, and of the others only refusals.
    let text = std::fs::read_to_string(&path).unwrap();
    let sends: Vec<Value> = text
        .lines()
        .map(|line| serde_json::from_str::<Value>(line).unwrap())
        .filter(|record| record["direction"] == "send")
        .collect();
    let accepted_in_file: Vec<&Value> = sends
        .iter()
        .filter(|record| record["response_status"] == 200)
        .collect();
    assert_eq!(accepted_in_file.len(), 1, "{text}");
    assert!(
        accepted_in_file[0]["answer"]
            .as_str()
            .unwrap()
            .contains(&again)
    );
    assert!(
        sends
            .iter()
            .all(|record| [200, 500].contains(&record["response_status"].as_u64().unwrap())),
        "{text}"
    );
}

/// A send refused while writes fail never reaches the emulator: with `--pair-interval 1h`,
/// a message to a customer refused so is accepted when sent again once there is room (it was
/// counted, and the retry the app was told to make was refused with 131056).
#[test]
fn a_send_refused_while_writes_fail_does_not_count_towards_the_limits() {
    let app = App::start();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("run.jsonl");
    let emulator = emulate_under(
        FULL_DISK,
        &app,
        &["--out", path.to_str().unwrap(), "--pair-interval", "1h"],
    );
    // A new customer each time (the pair limit never refuses them), until one is refused.
    let mut refused = false;
    for n in 0..40 {
        let (status, _, answer) = send(&emulator, &text_send_to(&format!("1650555{n:04}"), 1000));
        if status == 500 {
            refused = true;
            break;
        }
        assert_eq!(status, 200, "{answer}");
    }
    assert!(refused, "the file filled within 40 sends");
    // The customer says something: its webhook's record, smaller than a send's, may fit; the
    // time of failing writes goes on all the same.
    assert_eq!(emulator.control("say", &json!({"text": "hi"})).0, 200);
    // Refused while writes fail, to a customer not written to before.
    let first = text_send_to("16505559999", 1000);
    assert_eq!(send(&emulator, &first).0, 500);
    make_room(&path);
    let mut statuses = Vec::new();
    for _ in 0..2 {
        let (status, _, answer) = send(&emulator, &first);
        statuses.push((status, answer["error"]["code"].clone()));
        if status == 200 {
            break;
        }
    }
    assert_eq!(statuses.last().unwrap().0, 200, "{statuses:?}");
    let (code, _, stderr) = emulator.interrupt();
    assert_eq!(code, Some(0), "{stderr}");
}

/// A FIFO nobody reads: once the capture queue is full, sends are answered 503 with
/// `Retry-After: 1` and Meta's code 2, their statuses never come.
#[cfg(unix)]
#[test]
fn a_send_refused_because_the_capture_pipe_is_not_read_says_try_again() {
    let app = App::start();
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("captures.fifo");
    make_fifo(&fifo);
    let emulator = emulate_under(
        "exec \"$0\" \"$@\"",
        &app,
        &["--out", fifo.to_str().unwrap()],
    );
    // Records of some 4 KB (the send, then its two statuses): the pipe (64 KiB) and the
    // queue (8 MiB) are full after some 1,000 sends.
    let body = text_send(4000);
    let mut accepted = HashSet::new();
    let mut refused = None;
    for _ in 0..4000 {
        let (status, retry_after, answer) = send(&emulator, &body);
        if status == 200 {
            accepted.insert(answer["messages"][0]["id"].as_str().unwrap().to_string());
            continue;
        }
        refused = Some((status, retry_after, answer));
        break;
    }
    let (status, retry_after, answer) = refused.expect("the queue filled within 4,000 sends");
    assert_eq!(status, 503, "{answer}");
    assert_eq!(retry_after.as_deref(), Some("1"));
    assert_eq!(answer["error"]["code"], 2, "{answer}");
    assert!(answer.get("messages").is_none(), "{answer}");
    // Still nobody reads: every later send is refused too (smaller records that fit in what
    // is left of the queue, the statuses', once ended the refusals).
    for _ in 0..50 {
        assert_eq!(send(&emulator, &body).0, 503);
    }
    let (code, _, stderr) = emulator.interrupt();
    assert_eq!(code, Some(0), "{stderr}");
    assert_no_status_but_of(&app, &accepted);
    assert!(!stderr.contains("saving again"), "{stderr}");
    assert!(
        stderr.contains("send:text  not saved: the capture pipe is not read (answered 503)")
            || stderr.contains("send  refused: the capture pipe was not read (answered 503)"),
        "{stderr}"
    );
}

/// Picky Assist's instant reply (the app's answer to a message webhook, sent on as a message)
/// that could not be saved: its delivery reports are not sent, and the summary says so.
#[test]
fn an_instant_reply_that_cannot_be_saved_gets_no_delivery_reports() {
    // A reply of some 2 KB: its record does not fit in 512 bytes.
    let reply = serde_json::to_vec(&json!({"message-out": "Shipped. ".repeat(200)})).unwrap();
    let app = App::answering(move |request| {
        if request.url == "/webhook" {
            Reply::new(200, &reply)
        } else {
            Reply::ok()
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("run.jsonl");
    let (webhook, events) = (app.url("/webhook"), app.url("/events"));
    // 512 bytes: no record fits.
    let emulator = spawn_under(
        "trap '' XFSZ; ulimit -f 1 && exec \"$0\" \"$@\"",
        &[
            "picky",
            "--webhook",
            &webhook,
            "--events-webhook",
            &events,
            "--out",
            path.to_str().unwrap(),
        ],
        &[("PICKY_TOKEN", "picky-token-4f7a9c")],
    );
    let (status, _) = emulator.control("say", &json!({"text": "Is it shipped?"}));
    assert_eq!(status, 200);
    assert_eq!(app.next().url, "/webhook");
    let (code, _, stderr) = emulator.interrupt();
    assert_eq!(code, Some(0), "{stderr}");
    if let Some(report) = app.next_within(std::time::Duration::ZERO) {
        panic!(
            "a report of a reply the file does not hold: {} {}\n{stderr}",
            report.url,
            String::from_utf8_lossy(&report.body)
        );
    }
    assert!(
        stderr.contains("send:reply  not saved (what would follow it not sent)"),
        "{stderr}"
    );
    assert!(stderr.contains("not saved: 2 records"), "{stderr}");
    // The customer's message went to the app all the same; its line says it was not saved.
    assert!(
        stderr.contains("the app answered 200 (not saved)"),
        "{stderr}"
    );
}
