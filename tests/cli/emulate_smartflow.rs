//! `wa-hook emulate smartflow` against a stand-in app: Omni Smartflow has no public send API,
//! so the API refuses every request, and the customer's side sends the two callbacks (the
//! harness is `emulate_partner`'s).
use serde_json::{Value, json};

use crate::common::*;
use crate::emulate_partner::Running;
use crate::emulator::{App, http, json_of, verdict};

#[test]
fn every_api_request_is_refused_with_the_fact_and_recorded() {
    let app = App::start();
    let dir = tempfile::tempdir().unwrap();
    let capture = dir.path().join("emulate.jsonl");
    let emulator = Running::start("smartflow", &app, &["--out", capture.to_str().unwrap()]);
    for (method, path) in [
        ("POST", "/v1/messages"),
        ("GET", "/"),
        ("POST", "/messages"),
    ] {
        let (status, _, answer) = http(&emulator.base, method, path, &[], b"{\"to\": \"1\"}");
        assert_eq!(status, 501, "{method} {path}");
        let error = json_of(&answer)["error"].as_str().unwrap().to_string();
        assert!(
            error.contains("Omni Smartflow has no public send API"),
            "{error}"
        );
    }
    let (code, _, err) = emulator.interrupt();
    assert_eq!(code, Some(0));
    assert!(err.contains("refused: no public send API"), "{err}");
    let written = std::fs::read_to_string(&capture).unwrap();
    assert_eq!(written.lines().count(), 3);
    for line in written.lines() {
        assert_capture_schema(line.as_bytes());
        assert_eq!(json_of(line.as_bytes())["direction"], "send");
    }
}

#[test]
fn the_customer_writes_to_the_message_callback_and_statuses_go_to_the_status_callback() {
    let app = App::start();
    let dir = tempfile::tempdir().unwrap();
    let capture = dir.path().join("emulate.jsonl");
    let emulator = Running::start(
        "smartflow",
        &app,
        &[
            "--events-webhook",
            &app.url("/statuses"),
            "--out",
            capture.to_str().unwrap(),
            "--seed",
            "5",
        ],
    );
    let said = emulator.customer(&["say", "--format", "json", "Is the jacket in stock?"]);
    assert!(said.status.success(), "{said:?}");
    let said = json_of(&said.stdout);
    assert_eq!(said["app_status"], 200);
    let message = app.next();
    assert_eq!(message.url, "/webhook");
    assert_eq!(verdict(&message.body), "valid smartflow message:text");
    let body = json_of(&message.body);
    assert_eq!(body["messages"]["text"]["body"], "Is the jacket in stock?");
    assert_eq!(body["messages"]["id"], said["message_id"]);
    assert_eq!(body["messages"]["from"], body["contacts"][0]["wa_id"]);

    for kind in ["message:image", "message:location", "message:contacts"] {
        let output = emulator.customer(&["say", "--kind", kind]);
        assert!(output.status.success(), "{kind}: {output:?}");
        let webhook = app.next();
        assert_eq!(webhook.url, "/webhook");
        assert_eq!(verdict(&webhook.body), format!("valid smartflow {kind}"));
    }

    let sent_by_the_app = "wamid.HBgMOTE5ODIzNDU2NzEwFQIAERgSQUJDMTIz";
    let read = emulator.customer(&["read", sent_by_the_app]);
    assert!(read.status.success(), "{read:?}");
    let status = app.next();
    assert_eq!(status.url, "/statuses");
    assert_eq!(verdict(&status.body), "valid smartflow status:read");
    assert_eq!(json_of(&status.body)["statuses"][0]["id"], sent_by_the_app);

    let failed = emulator.customer(&["fail", sent_by_the_app, "--code", "131047"]);
    assert!(failed.status.success(), "{failed:?}");
    let status = app.next();
    assert_eq!(status.url, "/statuses");
    assert_eq!(verdict(&status.body), "valid smartflow status:failed");
    let item = &json_of(&status.body)["statuses"][0];
    assert_eq!(item["status"], "failed");
    assert_eq!(item["errors"][0]["code"], 131_047);

    let (code, _, _) = emulator.interrupt();
    assert_eq!(code, Some(0));
    let written = std::fs::read_to_string(&capture).unwrap();
    let records: Vec<Value> = written.lines().map(|l| json_of(l.as_bytes())).collect();
    assert_eq!(records.len(), 6);
    for record in &records {
        assert_capture_schema(record.to_string().as_bytes());
        assert_eq!(record["direction"], "webhook");
        assert_eq!(record["verdict"], "valid", "{record}");
        assert_eq!(record["provider"], "smartflow");
    }
    let output = wa_hook().arg("validate").arg(&capture).output().unwrap();
    assert!(output.status.success(), "{output:?}");
}

#[test]
fn without_an_events_webhook_statuses_go_to_the_webhook() {
    let app = App::start();
    let emulator = Running::start("smartflow", &app, &[]);
    let read = emulator.customer(&["read", "wamid.ANY"]);
    assert!(read.status.success(), "{read:?}");
    let status = app.next();
    assert_eq!(status.url, "/webhook");
    assert_eq!(verdict(&status.body), "valid smartflow status:read");
}

#[test]
fn what_smartflow_does_not_document_is_refused() {
    let app = App::start();
    let emulator = Running::start("smartflow", &app, &[]);
    for (args, says) in [
        (&["react", "wamid.ANY"][..], "reaction"),
        (&["fail", "wamid.ANY", "--code", "999999"], "999999"),
        (&["say", "--kind", "status:read"], "message sample"),
        (
            &["say", "--kind", "message:text", "--identity", "username"],
            "username",
        ),
    ] {
        let output = emulator.customer(args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&output.stderr);
        assert!(err.contains(says), "{args:?}: {err}");
    }
    let (status, _, answer) = http(
        &emulator.base,
        "POST",
        "/_wa-hook/inject",
        &[],
        json!({"code": 131_026, "next": 1}).to_string().as_bytes(),
    );
    assert_eq!(status, 400);
    assert!(String::from_utf8_lossy(&answer).contains("no public send API"));
    drop(emulator);
    for args in [
        &["--token-env", "NN_API_KEY"][..],
        &["--window", "24h"],
        &["--inject", "131026:next=1"],
        &["--throughput", "5"],
        &["--app-secret-env", "NN_API_KEY"],
    ] {
        let output = wa_hook()
            .env("NN_API_KEY", "k")
            .args(["emulate", "smartflow", "--webhook", &app.url("/webhook")])
            .args(args)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&output.stderr);
        assert!(err.contains(args[0]), "{args:?}: {err}");
        assert_eq!(err.trim().lines().count(), 1, "{err}");
    }
}
