//! `wa-hook samples` and `wa-hook schemas`.
use crate::common::*;

/// Every sample the docs name, by provider: the catalogue must hold all of them.
const DOCUMENTED: &[&str] = &[
    "picky/message-text-media",
    "picky/message-contacts",
    "picky/message-location",
    "picky/message-button-reply",
    "picky/message-list-reply",
    "picky/message-referral",
    "picky/event-delivery-report",
    "picky/reply-text",
    "picky/reply-media",
    "picky/reply-contacts",
    "picky/reply-location",
    "qikchat/message-text",
    "qikchat/message-image",
    "qikchat/status-sent",
    "qikchat/status-delivered",
    "qikchat/status-read",
    "smartflow/message-text",
    "smartflow/message-image",
    "smartflow/message-video",
    "smartflow/message-audio",
    "smartflow/message-document",
    "smartflow/message-location",
    "smartflow/message-contacts",
    "smartflow/status-sent",
    "smartflow/status-delivered",
    "smartflow/status-read",
    "smartflow/status-failed",
    "partner/event-whatsapp",
    "partner/event-builder",
    "partner/event-online",
    "partner/set-webhook-response",
    "partner/get-webhook-response",
    "meta/message-text",
    "meta/message-image",
    "meta/message-button-reply",
    "meta/message-list-reply",
    "meta/message-reaction",
    "meta/message-location",
    "meta/message-contacts",
    "meta/status-sent",
    "meta/status-delivered",
    "meta/status-read",
    "meta/status-failed",
];

fn listed() -> Vec<serde_json::Value> {
    let output = wa_hook()
        .args(["samples", "--format", "json"])
        .output()
        .unwrap();
    assert!(output.status.success());
    output
        .stdout
        .split(|b| *b == b'\n')
        .filter(|line| !line.is_empty())
        .map(|line| serde_json::from_slice(line).unwrap())
        .collect()
}

#[test]
fn catalogue_holds_every_documented_payload() {
    let names: Vec<String> = listed()
        .iter()
        .map(|s| s["name"].as_str().unwrap().to_string())
        .collect();
    for name in DOCUMENTED {
        assert!(names.contains(&name.to_string()), "missing sample {name}");
    }
}

#[test]
fn every_sample_is_described_and_detected_as_its_documented_kind() {
    for sample in listed() {
        let name = sample["name"].as_str().unwrap();
        assert!(
            !sample["description"].as_str().unwrap().is_empty(),
            "{name} has no description"
        );
        let output = wa_hook()
            .args(["validate", "--format", "json", &sample_path(name)])
            .output()
            .unwrap();
        let first: serde_json::Value =
            serde_json::from_slice(output.stdout.split(|b| *b == b'\n').next().unwrap()).unwrap();
        assert_eq!(first["verdict"], "valid", "{name}: {first}");
        assert_eq!(first["provider"], sample["provider"], "{name}");
        assert_eq!(first["kind"], sample["kind"], "{name}");
    }
}

#[test]
fn show_prints_the_exact_bytes() {
    wa_hook()
        .args(["samples", "show", "qikchat/message-text"])
        .assert()
        .success()
        .stdout(predicate::eq(sample_bytes("qikchat/message-text")));
}

#[test]
fn unknown_sample_suggests_close_names() {
    wa_hook()
        .args(["samples", "show", "qikchat/mesage-text"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "did you mean qikchat/message-text",
        ));
}

#[test]
fn list_filters_by_glob() {
    let output = wa_hook()
        .args(["samples", "list", "meta/status-*"])
        .output()
        .unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.contains("meta/status-failed"));
    assert!(!text.contains("meta/message-text"));
}

#[test]
fn schemas_export_writes_valid_draft_2020_12_files() {
    let dir = tempfile::tempdir().unwrap();
    wa_hook()
        .args(["schemas", "export"])
        .arg(dir.path())
        .assert()
        .success();
    let mut count = 0;
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let schema: serde_json::Value =
            serde_json::from_slice(&std::fs::read(entry.unwrap().path()).unwrap()).unwrap();
        assert_eq!(
            schema["$schema"],
            "https://json-schema.org/draft/2020-12/schema"
        );
        count += 1;
    }
    assert_eq!(count, 11);
}

#[test]
fn schemas_show_strict_closes_objects() {
    wa_hook()
        .args(["schemas", "show", "qikchat-status", "--strict"])
        .assert()
        .success()
        .stdout(predicate::str::contains("\"unevaluatedProperties\": false"));
    wa_hook()
        .args(["schemas", "show", "nope"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("the schemas are:"));
}
