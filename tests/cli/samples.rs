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

/// Issue 23: a list of one said "1 samples".
#[test]
fn a_list_of_one_counts_one_sample() {
    wa_hook()
        .args(["samples", "list", "qikchat/message-text"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "\n1 sample. `wa-hook samples show NAME`",
        ));
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
    assert_eq!(count, 13);
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

/// `samples` with standard output closed from the start (`>&-`) printed nothing and exited 0;
/// now it says so and exits 2. A pipe closed before anything was printed is the same; one
/// closed after output reached the reader (`| head -1`) is the reader's choice: exit 0.
#[test]
fn a_closed_stdout_is_not_success_when_nothing_was_printed() {
    let binary = assert_cmd::cargo::cargo_bin("wa-hook");
    for args in [
        "samples",
        "samples show meta/message-text",
        "samples --format json",
    ] {
        let output = std::process::Command::new("sh")
            .arg("-c")
            .arg(format!("exec \"$0\" {args} >&-"))
            .arg(&binary)
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args}: {stderr}");
        assert!(
            stderr.contains("standard output is closed"),
            "{args}: {stderr}"
        );
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
    }

    // A pipe whose reading end is closed before wa-hook starts.
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let output = wa_hook_process()
        .arg("samples")
        .stdout(writer)
        .stderr(std::process::Stdio::piped())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("closed before anything was printed"),
        "{stderr}"
    );

    // A reader that takes the first line and goes, through a pipe of one page (so most of the
    // list meets the closed pipe).
    let (reader, writer) = std::io::pipe().unwrap();
    #[cfg(target_os = "linux")]
    {
        use std::os::fd::AsRawFd;
        // SAFETY: F_SETPIPE_SZ on a pipe this test owns.
        unsafe { libc::fcntl(writer.as_raw_fd(), libc::F_SETPIPE_SZ, 4096) };
    }
    let child = wa_hook_process()
        .arg("samples")
        .stdout(writer)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    std::io::BufRead::read_line(&mut std::io::BufReader::new(reader), &mut first).unwrap();
    assert!(!first.is_empty());
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert!(output.stderr.is_empty(), "{:?}", output.stderr);

    // /dev/null is a place output goes to on purpose.
    let status = wa_hook_process()
        .arg("samples")
        .stdout(std::process::Stdio::null())
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(0));
}
