//! `wa-hook validate`: verdicts, messages and exit codes.
use std::path::Path;

use crate::common::*;

fn write(dir: &Path, name: &str, bytes: &[u8]) {
    std::fs::write(dir.join(name), bytes).unwrap();
}

fn json_lines(stdout: &[u8]) -> Vec<serde_json::Value> {
    stdout
        .split(|b| *b == b'\n')
        .filter(|line| !line.is_empty())
        .map(|line| serde_json::from_slice(line).unwrap())
        .collect()
}

fn sample_json(name: &str) -> serde_json::Value {
    serde_json::from_slice(&sample_bytes(name)).unwrap()
}

/// The broken variants every release must judge correctly, in one folder.
fn broken_variants(dir: &Path) {
    let mut missing = sample_json("qikchat/status-read");
    missing["payload"].as_object_mut().unwrap().remove("status");
    write(
        dir,
        "missing-field.json",
        serde_json::to_string_pretty(&missing).unwrap().as_bytes(),
    );

    let mut wrong_type = sample_json("meta/message-text");
    wrong_type["entry"][0]["changes"][0]["value"]["messages"][0]["text"]["body"] =
        serde_json::json!(42);
    write(
        dir,
        "wrong-type.json",
        serde_json::to_string_pretty(&wrong_type)
            .unwrap()
            .as_bytes(),
    );

    write(
        dir,
        "unknown-event.json",
        br#"{"event": "whatsapp:message:typing", "data": {}}"#,
    );
    let text = sample_bytes("smartflow/message-text");
    write(dir, "truncated.json", &text[..text.len() / 2]);
    write(dir, "not-utf8.json", b"{\"number\": \"91\xff\xfe\"}");
    write(dir, "empty.json", b"");
}

#[test]
fn every_shipped_sample_validates() {
    wa_hook()
        .args([
            "validate",
            "--strict",
            concat!(env!("CARGO_MANIFEST_DIR"), "/samples"),
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("0 invalid, 0 unknown"));
}

#[test]
fn broken_variants_get_the_right_verdicts_and_messages() {
    let dir = tempfile::tempdir().unwrap();
    broken_variants(dir.path());
    let output = wa_hook()
        .current_dir(dir.path())
        .args(["validate", "."])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    insta::assert_snapshot!(String::from_utf8(output.stdout).unwrap());
}

#[test]
fn json_format_gives_one_object_per_body_and_a_summary() {
    let dir = tempfile::tempdir().unwrap();
    broken_variants(dir.path());
    let output = wa_hook()
        .current_dir(dir.path())
        .args(["validate", "--format", "json", "."])
        .output()
        .unwrap();
    let lines = json_lines(&output.stdout);
    assert_eq!(lines.len(), 7);
    let missing = lines
        .iter()
        .find(|l| l["origin"] == "./missing-field.json")
        .unwrap();
    assert_eq!(missing["verdict"], "invalid");
    assert_eq!(missing["kind"], "status");
    assert_eq!(missing["errors"][0]["pointer"], "/payload");
    let wrong = lines
        .iter()
        .find(|l| l["origin"] == "./wrong-type.json")
        .unwrap();
    assert_eq!(
        wrong["errors"][0]["pointer"],
        "/entry/0/changes/0/value/messages/0/text/body"
    );
    assert_eq!(wrong["errors"][0]["expected"], "string");
    assert_eq!(wrong["errors"][0]["found"], "integer 42");
    let truncated = lines
        .iter()
        .find(|l| l["origin"] == "./truncated.json")
        .unwrap();
    assert_eq!(truncated["verdict"], "malformed");
    assert_eq!(lines[6]["summary"]["invalid"], 5);
    assert_eq!(lines[6]["summary"]["unknown"], 1);
}

#[test]
fn json_lines_errors_name_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let mut lines = Vec::new();
    lines.extend(serde_json::to_vec(&sample_json("meta/status-read")).unwrap());
    lines.extend(b"\n{\"broken\": \n");
    lines.extend(serde_json::to_vec(&sample_json("picky/message-text")).unwrap());
    lines.push(b'\n');
    write(dir.path(), "bodies.jsonl", &lines);
    wa_hook()
        .current_dir(dir.path())
        .args(["validate", "--quiet", "bodies.jsonl"])
        .assert()
        .code(1)
        .stdout(
            predicate::str::contains("bodies.jsonl:2")
                .and(predicate::str::contains("line 1 column 11"))
                .and(predicate::str::contains("bodies.jsonl:1").not())
                .and(predicate::str::contains(
                    "3 bodies: 2 valid, 1 invalid (1 not JSON), 0 unknown",
                )),
        );
}

#[test]
fn stdin_is_read_with_a_dash() {
    wa_hook()
        .args(["validate", "-"])
        .write_stdin(sample_bytes("qikchat/message-image"))
        .assert()
        .success()
        .stdout(predicate::str::contains("<stdin>  qikchat message:image"));
}

#[test]
fn strict_reports_undocumented_properties() {
    let mut body = sample_json("qikchat/status-read");
    body["payload"]["mood"] = serde_json::json!("happy");
    let bytes = serde_json::to_vec(&body).unwrap();
    wa_hook()
        .args(["validate", "-"])
        .write_stdin(bytes.clone())
        .assert()
        .success();
    wa_hook()
        .args(["validate", "--strict", "-"])
        .write_stdin(bytes)
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "/payload: expected only documented properties, found undocumented \"mood\"",
        ));
}

#[test]
fn provider_and_schema_can_be_forced() {
    // A Qikchat body checked as Meta: Meta's schema explains what is missing.
    wa_hook()
        .args([
            "validate",
            "--provider",
            "meta",
            &sample_path("qikchat/message-text"),
        ])
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "expected required property \"object\"",
        ));
    wa_hook()
        .args([
            "validate",
            "--schema",
            "qikchat-message",
            &sample_path("qikchat/message-text"),
        ])
        .assert()
        .success();
    wa_hook()
        .args([
            "validate",
            "--schema",
            "nope",
            &sample_path("qikchat/message-text"),
        ])
        .assert()
        .code(2);
}

#[test]
fn unreadable_input_is_exit_2() {
    wa_hook()
        .args(["validate", "does/not/exist.json"])
        .assert()
        .code(2)
        .stderr(predicate::str::starts_with(
            "wa-hook: error: cannot read does/not/exist.json",
        ));
}

#[test]
fn a_50_mb_file_is_refused_past_max_body_and_judged_under_a_higher_one() {
    let dir = tempfile::tempdir().unwrap();
    let mut body = sample_json("meta/message-text");
    body["entry"][0]["changes"][0]["value"]["messages"][0]["text"]["body"] =
        serde_json::json!("x".repeat(50 << 20));
    write(dir.path(), "big.json", &serde_json::to_vec(&body).unwrap());
    write(
        dir.path(),
        "small.json",
        &sample_bytes("qikchat/message-text"),
    );
    // Over the default limit: said plainly, the other file still checked, exit 2.
    wa_hook()
        .current_dir(dir.path())
        .args(["validate", "big.json", "small.json"])
        .assert()
        .code(2)
        .stdout(predicate::str::contains(
            "big.json  not checked: 50 MiB, over --max-body 4 MiB; raise it to check this body",
        ))
        .stdout(predicate::str::contains("small.json  qikchat message:text"))
        .stdout(predicate::str::contains("1 not read"))
        .stderr(predicate::str::contains(
            "1 input or body could not be read or checked",
        ));
    wa_hook()
        .current_dir(dir.path())
        .args(["validate", "--max-body", "64MiB", "big.json"])
        .assert()
        .success()
        .stdout(predicate::str::contains("meta message:text"));
}

#[test]
fn capture_records_validate_their_bodies() {
    let dir = tempfile::tempdir().unwrap();
    let record = |seq: u64, body: &str, query: &str| {
        serde_json::json!({
            "wa_hook_capture": 1, "seq": seq, "received_at": "2026-11-21T12:00:00.000000Z",
            "remote_addr": "127.0.0.1:1", "method": "POST", "path": "/", "query": query,
            "headers": [], "body": body, "body_encoding": "utf8", "body_bytes": body.len(),
            "response_status": 200
        })
        .to_string()
    };
    let text = String::from_utf8(sample_bytes("qikchat/message-text")).unwrap();
    // A second run on the file: seq continues at 11, so lines and seqs differ.
    let lines = [
        record(11, &text, ""),
        record(
            12,
            "",
            "number=963587413&message-in=test&type=1&application=1&unique-id=5672&project-id=27",
        ),
        record(13, "{\"nope\": 1}", ""),
    ]
    .join("\n");
    write(dir.path(), "run.jsonl", lines.as_bytes());
    let output = wa_hook()
        .current_dir(dir.path())
        .args(["validate", "--format", "json", "run.jsonl"])
        .output()
        .unwrap();
    let lines = json_lines(&output.stdout);
    assert_eq!(lines[0]["kind"], "message:text");
    assert_eq!(lines[1]["provider"], "picky", "{}", lines[1]);
    assert_eq!(lines[1]["verdict"], "valid", "{}", lines[1]);
    assert_eq!(lines[2]["verdict"], "unknown");
    assert_eq!(output.status.code(), Some(1));
    // Each record is named FILE:SEQ, the form `show`, `replay` and `validate` take back.
    assert_eq!(lines[2]["origin"], "run.jsonl:13");
    wa_hook()
        .current_dir(dir.path())
        .args(["validate", "run.jsonl:13"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("? run.jsonl:13  unknown shape"));
    wa_hook()
        .current_dir(dir.path())
        .args(["show", "run.jsonl:11"])
        .assert()
        .success()
        .stdout(predicate::str::contains("qikchat message:text"));
}

#[test]
fn captured_requests_without_a_body_are_not_checked_and_any_name_works() {
    let dir = tempfile::tempdir().unwrap();
    let record = |seq: u64, method: &str, body: Option<&str>| {
        serde_json::json!({
            "wa_hook_capture": 1, "seq": seq, "received_at": "2026-11-21T12:00:00.000000Z",
            "remote_addr": "127.0.0.1:1", "method": method, "path": "/", "query": "hub.mode=subscribe",
            "headers": [], "body": body, "body_encoding": if body.is_some() { "utf8" } else { "none" },
            "body_bytes": 9_000_000, "rejected": if body.is_none() { Some("body too large") } else { None },
            "response_status": 200
        })
        .to_string()
    };
    let lines = [record(1, "GET", Some("")), record(2, "POST", None)].join("\n");
    // `listen --out run.json`: a capture file is read as one, whatever its name.
    write(dir.path(), "run.json", lines.as_bytes());
    wa_hook()
        .current_dir(dir.path())
        .args(["validate", "run.json"])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("- run.json:1  not checked: GET without a body")
                .and(predicate::str::contains("run.json:2  not checked: the capture did not keep its 9000000-byte body (body too large)"))
                .and(predicate::str::contains("2 bodies: 0 valid, 0 invalid, 0 unknown, 2 not checked")),
        );
}

/// Issue 14: a stream of any size is read in bounded memory. 256 MB go through standard input
/// (mostly long lines that are not JSON, cheap to judge, with a real body every 64 lines); the
/// child's peak resident memory, read before its input ends, stays far below the input's size.
#[test]
fn standard_input_is_streamed_in_bounded_memory() {
    use std::io::Write;
    const LINES: usize = 4096;
    let mut child = wa_hook_process()
        .args(["validate", "--quiet", "--format", "json", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let mut stdin = child.stdin.take().unwrap();
    let reader = {
        let mut stdout = child.stdout.take().unwrap();
        std::thread::spawn(move || {
            let mut text = Vec::new();
            std::io::Read::read_to_end(&mut stdout, &mut text).unwrap();
            text
        })
    };
    let real = String::from_utf8(sample_bytes("qikchat/message-text")).unwrap();
    let real = serde_json::to_string(&serde_json::from_str::<serde_json::Value>(&real).unwrap())
        .unwrap()
        + "\n";
    let filler = "x".repeat(64 << 10) + "\n";
    for line in 0..LINES {
        let text = if line % 64 == 0 { &real } else { &filler };
        stdin.write_all(text.as_bytes()).unwrap();
    }
    let peak = peak_resident_bytes(pid);
    drop(stdin);
    let status = child.wait().unwrap();
    let out = reader.join().unwrap();
    let summary = json_lines(&out).pop().unwrap();
    assert_eq!(summary["summary"]["bodies"], LINES);
    assert_eq!(summary["summary"]["valid"], LINES / 64);
    assert_eq!(summary["summary"]["malformed"], LINES - LINES / 64);
    assert_eq!(status.code(), Some(1));
    if let Some(peak) = peak {
        assert!(
            peak < 128 << 20,
            "peak resident memory {peak} bytes for a 256 MB stream"
        );
    }
}

/// Issue 14: an endless input without a line end is refused once it passes --max-body.
#[test]
fn endless_inputs_are_refused_past_max_body() {
    wa_hook()
        .args(["validate", "/dev/zero"])
        .timeout(std::time::Duration::from_secs(30))
        .assert()
        .code(2)
        .stdout(predicate::str::contains(
            "/dev/zero  not checked: more than 4 MiB",
        ));
    let mut zeros = vec![0u8; 16 << 20];
    zeros[0] = b'{';
    wa_hook()
        .args(["validate", "--max-body", "1MiB", "-"])
        .write_stdin(zeros)
        .timeout(std::time::Duration::from_secs(30))
        .assert()
        .code(2)
        .stdout(predicate::str::contains(
            "<stdin>  not checked: more than 1 MiB, over --max-body 1 MiB",
        ));
}

/// Issue 14: folders are walked once per file whatever links they hold; a link loop, a FIFO
/// and a dangling link are passed over or reported, the rest is checked, and names that hold
/// escape sequences are printed escaped.
#[test]
fn folders_with_loops_fifos_and_broken_entries_are_walked_once() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir(root.join("sub")).unwrap();
    write(root, "a.json", &sample_bytes("qikchat/message-text"));
    write(
        &root.join("sub"),
        "b.json",
        &sample_bytes("picky/message-text"),
    );
    write(
        root,
        "evil\u{1b}[2J.json",
        &sample_bytes("qikchat/message-text"),
    );
    std::os::unix::fs::symlink(".", root.join("self")).unwrap();
    std::os::unix::fs::symlink("..", root.join("sub").join("up")).unwrap();
    std::os::unix::fs::symlink("sub", root.join("again")).unwrap();
    std::os::unix::fs::symlink("nowhere.json", root.join("gone.json")).unwrap();
    let fifo = root.join("pipe.json");
    make_fifo(&fifo);
    let assert = wa_hook()
        .args(["validate"])
        .arg(root)
        .timeout(std::time::Duration::from_secs(30))
        .assert()
        .code(2);
    let out = assert.get_output();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    // a.json, sub/b.json and the escaped name: each once, although `again` leads to sub too.
    assert!(
        stdout.contains("3 bodies: 3 valid, 0 invalid, 0 unknown, 1 not read"),
        "{stdout}"
    );
    assert!(stdout.contains("gone.json"), "{stdout}");
    assert!(stdout.contains("evil\\u{1b}[2J.json"), "{stdout}");
    assert!(!stdout.contains('\u{1b}') && !stderr.contains('\u{1b}'));
    assert!(
        stderr.contains("pipe.json: passed over, not a regular file (a FIFO)"),
        "{stderr}"
    );
    assert!(stderr.contains("passed over, a link back to"), "{stderr}");
}

/// Issue 14: numbers beyond a float are valid JSON; duplicate keys are reported by --strict.
#[test]
fn huge_numbers_are_json_and_strict_reports_duplicate_keys() {
    let mut body = String::from_utf8(sample_bytes("qikchat/message-text")).unwrap();
    let huge = body.replacen('{', "{\"extra\": 1e400, ", 1);
    wa_hook()
        .args(["validate", "-"])
        .write_stdin(huge)
        .assert()
        .success()
        .stdout(predicate::str::contains("qikchat message:text"));
    body = body.replacen('{', "{\"event\": \"x\", ", 1);
    wa_hook()
        .args(["validate", "-"])
        .write_stdin(body.clone())
        .assert()
        .success();
    wa_hook()
        .args(["validate", "--strict", "-"])
        .write_stdin(body)
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "expected each property once, found \"event\" more than once",
        ));
}

/// Issue 14: a body's parsed form and its error list are bounded too: a body of more values
/// than wa-hook holds at once is refused, and one with thousands of broken items is reported
/// by its first error in each part rather than by every one.
#[test]
fn bodies_of_many_values_are_refused_or_reported_briefly() {
    let ones = format!("[{}1]", "1,".repeat(500_000));
    wa_hook()
        .args(["validate", "-"])
        .write_stdin(ones)
        .assert()
        .code(2)
        .stdout(predicate::str::contains(
            "not checked: 500002 JSON values, more than the 400000 wa-hook holds in memory at once",
        ));
    let mut body = sample_json("meta/message-text");
    body["entry"][0]["changes"][0]["value"]["messages"] =
        serde_json::Value::Array(vec![serde_json::json!({}); 30_000]);
    let assert = wa_hook()
        .args(["validate", "-"])
        .write_stdin(serde_json::to_vec(&body).unwrap())
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "a body this large is reported by its first error in each part",
        ));
    let stdout = String::from_utf8_lossy(&assert.get_output().stdout).into_owned();
    assert!(stdout.lines().count() < 20, "{stdout}");
    // A smaller broken body lists its errors, up to a limit, and counts the rest.
    body["entry"][0]["changes"][0]["value"]["messages"] =
        serde_json::Value::Array(vec![serde_json::json!({}); 100]);
    wa_hook()
        .args(["validate", "-"])
        .write_stdin(serde_json::to_vec(&body).unwrap())
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "/entry/0/changes/0/value/messages/0: expected required property",
        ))
        .stdout(predicate::str::contains("… and 350 more errors"));
}

/// What `validate ARGS -` prints for `body`, checked free of the escape and bidi control
/// characters a hostile body may hold.
fn printable_stdout(args: &[&str], body: &serde_json::Value) -> String {
    let out = wa_hook()
        .arg("validate")
        .args(args)
        .arg("-")
        .write_stdin(serde_json::to_vec(body).unwrap())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        !stdout.contains('\u{1b}') && !stdout.contains('\u{202e}'),
        "{stdout}"
    );
    stdout
}

/// Issue 14 review: what a body says about itself — keys, values, kinds — reaches the terminal
/// with its control characters escaped; duplicate keys are capped like other errors; a stray
/// first line does not hide JSON Lines on standard input; a capture record is held to
/// --max-body and its header lists cost nothing.
#[test]
fn hostile_bodies_and_records_stay_printable_and_bounded() {
    let mut body = sample_json("qikchat/message-text");
    body["payload"]["\u{1b}[2Jx\u{202e}"] = serde_json::json!(1);
    body["payload"]["message"]["type"] = serde_json::json!("\u{1b}[31mred");
    let stdout = printable_stdout(&["--strict"], &body);
    assert!(stdout.contains("message:\\u{1b}[31mred"), "{stdout}");

    let pad: Vec<&str> = std::iter::repeat_n(r#"{"a":1,"a":2}"#, 200).collect();
    let text = String::from_utf8(sample_bytes("qikchat/message-text")).unwrap();
    let duplicated = text.replacen('{', &format!("{{\"pad\": [{}], ", pad.join(",")), 1);
    wa_hook()
        .args(["validate", "--strict", "-"])
        .write_stdin(duplicated)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("… and 151 more errors"));

    let line = serde_json::to_string(&sample_json("qikchat/message-text")).unwrap();
    wa_hook()
        .args(["validate", "-"])
        .write_stdin(format!("garbage\n{line}\n{line}\n"))
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "3 bodies: 2 valid, 1 invalid (1 not JSON)",
        ));

    let dir = tempfile::tempdir().unwrap();
    let record = |body: &str, extra: serde_json::Value| {
        let mut record = serde_json::json!({
            "wa_hook_capture": 1, "seq": 1, "received_at": "2026-11-21T12:00:00.000000Z",
            "remote_addr": "127.0.0.1:1", "method": "POST", "path": "/", "query": "",
            "headers": [], "body": body, "body_encoding": "utf8", "body_bytes": body.len(),
            "response_status": 200
        });
        for (key, value) in extra.as_object().unwrap() {
            record[key] = value.clone();
        }
        record.to_string() + "\n"
    };
    let many_headers = serde_json::json!({ "redacted_headers": vec![""; 500_000] });
    write(
        dir.path(),
        "headers.jsonl",
        record(&text, many_headers).as_bytes(),
    );
    wa_hook()
        .current_dir(dir.path())
        .args(["validate", "headers.jsonl"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "headers.jsonl:1  qikchat message:text",
        ));
    write(
        dir.path(),
        "big.jsonl",
        record(&"x".repeat(2 << 20), serde_json::json!({})).as_bytes(),
    );
    wa_hook()
        .current_dir(dir.path())
        .args(["validate", "--max-body", "1MiB", "big.jsonl"])
        .assert()
        .code(2)
        .stdout(predicate::str::contains(
            "big.jsonl:1  not checked: 2 MiB, over --max-body 1 MiB",
        ));
}

/// A Meta change whose field has no schema is named by the body's field, in the kind and the
/// note: escaped and kept short like any other text the body gives.
#[test]
fn a_meta_field_without_a_schema_is_printed_escaped_and_short() {
    let field = format!("x\u{1b}[31mred\u{202e}{}", "y".repeat(10_000));
    let body = serde_json::json!({ "object": "whatsapp_business_account",
        "entry": [{ "id": "1", "changes": [{ "field": field, "value": {} }] }] });
    for format in ["text", "json"] {
        let stdout = printable_stdout(&["--format", format], &body);
        assert!(stdout.contains("\\u{1b}[31mred"), "{stdout}");
        assert!(stdout.len() < 1000, "{stdout}");
    }
}

/// In a file of plain bodies (no capture records), `FILE:N` is its line N, as validate prints it.
#[test]
fn file_colon_n_names_a_line_of_plain_json_lines() {
    let dir = tempfile::tempdir().unwrap();
    let line = serde_json::to_string(&sample_json("qikchat/message-text")).unwrap();
    write(
        dir.path(),
        "bodies.jsonl",
        format!("{{\"a\":1}}\n\n{line}\n").as_bytes(),
    );
    wa_hook()
        .current_dir(dir.path())
        .args(["validate", "bodies.jsonl:3"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "✓ bodies.jsonl:3  qikchat message:text",
        ));
    wa_hook()
        .current_dir(dir.path())
        .args(["validate", "bodies.jsonl:2"])
        .assert()
        .code(2)
        .stdout(predicate::str::contains("has no line 2 with a body"));
    wa_hook()
        .current_dir(dir.path())
        .args(["show", "bodies.jsonl:3"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "is a body, not a captured request",
        ));
}

/// Issue 22: a record's own `body_bytes` is what it claims, not what it holds. One claiming a
/// huge body that holds a small valid one is checked (not refused as too large); one claiming
/// 0 bytes that holds a body of very many values is not parsed whole (the limit applies to the
/// body it holds).
#[test]
fn a_record_s_declared_body_bytes_is_not_trusted() {
    let dir = tempfile::tempdir().unwrap();
    let record = |seq: u64, body: &str, claimed: u64| {
        serde_json::json!({
            "wa_hook_capture": 1, "seq": seq, "received_at": "2026-11-21T12:00:00.000000Z",
            "remote_addr": "127.0.0.1:1", "method": "POST", "path": "/",
            "headers": [], "body": body, "body_encoding": "utf8",
            "body_bytes": claimed, "response_status": 200
        })
        .to_string()
    };
    let many_values = format!("[{}0]", "0,".repeat(500_000));
    let lines = [record(1, "{\"a\":1}", u64::MAX), record(2, &many_values, 0)].join("\n");
    write(dir.path(), "run.jsonl", lines.as_bytes());
    let output = wa_hook()
        .current_dir(dir.path())
        .args(["validate", "--format", "json", "run.jsonl"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(
        !lines[0].contains("too large"),
        "a small body was refused on its record's claim: {stdout}"
    );
    assert!(
        lines[1].contains("JSON values"),
        "a body of 500,001 values was not held to the limit: {stdout}"
    );
}

/// A folder of many files is checked in parallel, a file to a worker: the output is the
/// same, in the same order, as each file checked on its own (a large file, JSON Lines, a
/// capture record named `.json`, broken and unreadable files among them).
#[test]
fn a_folder_of_many_files_reads_as_each_file_alone() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let samples = [
        "qikchat/message-text",
        "meta/message-text",
        "picky/message-text",
    ];
    for n in 0..40 {
        write(
            root,
            &format!("{n:02}-body.json"),
            &sample_bytes(samples[n % 3]),
        );
    }
    write(root, "05-broken.json", b"{\"object\": ");
    write(root, "06-unknown.json", b"{\"hello\": 1}");
    write(root, "07-lines.jsonl", b"{\"a\": 1}\n\n[1, 2]\n");
    let mut big = sample_json("meta/message-text");
    big["entry"][0]["id"] = serde_json::json!("x".repeat(100_000));
    write(root, "08-big.json", big.to_string().as_bytes());
    let record = format!(
        "{{\"wa_hook_capture\":1,\"seq\":7,\"method\":\"POST\",\"body\":{}}}\n",
        serde_json::to_string(&String::from_utf8(sample_bytes("qikchat/status-read")).unwrap())
            .unwrap()
    );
    write(root, "09-capture.json", record.as_bytes());
    write(
        root,
        "10-invalid.json",
        b"{\"event\": \"message.in\", \"payload\": {\"name\": \"whatsapp\"}}",
    );
    let together = wa_hook()
        .args(["validate", "--format", "json"])
        .arg(root)
        .output()
        .unwrap();
    let mut files: Vec<_> = std::fs::read_dir(root)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect();
    files.sort();
    let mut alone = Vec::new();
    for file in &files {
        let output = wa_hook()
            .args(["validate", "--format", "json"])
            .arg(file)
            .output()
            .unwrap();
        let mut lines = json_lines(&output.stdout);
        lines.pop(); // the summary
        alone.extend(lines);
    }
    let mut lines = json_lines(&together.stdout);
    let summary = lines.pop().unwrap();
    assert_eq!(lines, alone);
    assert!(lines.len() > 45, "{lines:?}");
    let counted = summary["summary"]["bodies"].as_u64().unwrap()
        + summary["summary"]["unread"].as_u64().unwrap();
    assert_eq!(counted, lines.len() as u64);
}

/// A regular file's next batch (4096 lines) is read while the current one is checked; standard
/// input is not read ahead. The same lines give the same output and exit code either way, with
/// broken lines, a blank line and a line over --max-body on both sides of batch boundaries.
#[test]
fn a_file_read_ahead_reads_as_the_same_lines_on_standard_input() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let bodies: Vec<String> = [
        "meta/message-text",
        "qikchat/status-read",
        "picky/message-text",
    ]
    .iter()
    .map(|name| sample_json(name).to_string())
    .collect();
    let mut text = String::new();
    for line in 1..=8200 {
        match line {
            4095..=4097 | 8192 | 8193 => text.push_str("{\"broken\": "),
            4098 => text.push_str(&"x".repeat(70_000)),
            8191 => {}
            _ => text.push_str(&bodies[line % bodies.len()]),
        }
        text.push('\n');
    }
    write(dir.path(), "many.jsonl", text.as_bytes());
    let args = ["validate", "--format", "json", "--max-body", "64KiB"];
    let file = wa_hook_process()
        .args(args)
        .arg(dir.path().join("many.jsonl"))
        .output()
        .unwrap();
    let mut child = wa_hook_process()
        .args(args)
        .arg("-")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || stdin.write_all(text.as_bytes()).unwrap());
    let piped = child.wait_with_output().unwrap();
    writer.join().unwrap();
    let without_origin = |stdout: &[u8]| -> Vec<serde_json::Value> {
        json_lines(stdout)
            .into_iter()
            .map(|mut line| {
                if let Some(origin) = line.get_mut("origin") {
                    let text = origin.as_str().unwrap();
                    *origin = text[text.rfind(':').unwrap() + 1..].into();
                }
                line
            })
            .collect()
    };
    let lines = without_origin(&file.stdout);
    assert_eq!(lines, without_origin(&piped.stdout));
    assert_eq!(file.status.code(), piped.status.code());
    assert_eq!(file.status.code(), Some(2));
    assert_eq!(lines.len(), 8200);
    assert_eq!(lines[4096]["origin"], "4097");
    assert_eq!(lines[8190]["origin"], "8192");
}
