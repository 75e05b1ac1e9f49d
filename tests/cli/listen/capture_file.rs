//! `listen --out` against what a path may hold (issue 22): a capture file written out of
//! order or cut short, a file that is not a capture file, a symbolic link, a FIFO nobody reads.
use std::time::Duration;

use super::*;

/// A stop that hangs fails the test instead of hanging it.
const STOP_TIMEOUT: Duration = Duration::from_secs(20);

/// Stop with SIGTERM, failing (and killing the listener) if it has not exited in time.
fn stop_within(listener: Listener, timeout: Duration) -> (Option<i32>, String, String) {
    let pid = listener.pid();
    let (done, stopped) = std::sync::mpsc::channel();
    std::thread::spawn(move || done.send(listener.stop()));
    let Ok(result) = stopped.recv_timeout(timeout) else {
        let _ = std::process::Command::new("kill")
            .args(["-KILL", &pid.to_string()])
            .status();
        panic!("listen did not stop within {timeout:?} of SIGTERM");
    };
    result
}

/// A keep-alive connection to `listener` whose answers are waited for `STOP_TIMEOUT` at most
/// (an answer that never comes fails the test rather than holding it).
fn connection_to(listener: &Listener) -> Connection {
    let connection = Connection::open(&listener.url);
    connection
        .reader
        .get_ref()
        .set_read_timeout(Some(STOP_TIMEOUT))
        .unwrap();
    connection
}

fn record_line(seq: u64) -> String {
    serde_json::json!({
        "wa_hook_capture": 1, "seq": seq, "received_at": "2026-11-21T12:00:00.000000Z",
        "remote_addr": "127.0.0.1:1", "method": "POST", "path": "/", "headers": [],
        "body": "{}", "body_encoding": "utf8", "body_bytes": 2, "response_status": 200
    })
    .to_string()
}

/// Workers write their batches in whichever order they finish, so the last line is not
/// always the highest seq; a crash may also leave a line cut short. The next run continues
/// from the highest, never reusing one.
#[test]
fn seq_continues_from_the_highest_of_an_out_of_order_torn_file() {
    let dir = tempfile::tempdir().unwrap();
    let (path, out) = capture_file(&dir);
    let mut text: String = [1, 2, 3, 5, 4]
        .iter()
        .map(|seq| record_line(*seq) + "\n")
        .collect();
    // A record cut short by a crash, whose seq (7) was never whole in the file.
    text.push_str("{\"wa_hook_capture\":1,\"seq\":7,\"rec");
    std::fs::write(&path, &text).unwrap();
    let listener = Listener::start(&["--out", &out]);
    for _ in 0..2 {
        assert_eq!(post(&listener.url, "/", b"{}").status, 200);
    }
    let (code, _, stderr) = stop_within(listener, STOP_TIMEOUT);
    assert_eq!(code, Some(0), "{stderr}");
    let written = std::fs::read_to_string(&path).unwrap();
    let seqs: Vec<u64> = written
        .lines()
        .filter_map(|line| wa_hook::capture::record_seq(line.as_bytes()))
        .collect();
    assert_eq!(seqs[..5], [1, 2, 3, 5, 4]);
    let new: Vec<u64> = read_records_after(&written, 6);
    assert_eq!(new, [6, 7], "{written}");
}

/// The seqs of the records after the first `skip` lines (the torn one included).
fn read_records_after(text: &str, skip: usize) -> Vec<u64> {
    text.lines()
        .skip(skip)
        .map(|line| parse_record(line.as_bytes()).unwrap().seq)
        .collect()
}

/// A copy of /etc/passwd got a capture line: a non-empty file that is not a capture file is
/// refused (exit 2, saying what it is and what to do), and left as it was.
#[test]
fn out_refuses_a_file_that_is_not_a_capture_file() {
    let dir = tempfile::tempdir().unwrap();
    let cases: [(&str, &[u8], &str); 3] = [
        ("passwd", b"root:x:0:0:root:/root:/bin/bash\n", "text"),
        ("data.json", b"{\"users\": []}\n", "JSON"),
        ("blob.bin", b"\x7fELF\x02\x01\x01\x00\xff\xfe", "binary"),
    ];
    for (name, content, what) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, content).unwrap();
        let output = wa_hook_process()
            .args(["listen", "--port", "0", "--no-ui", "--out"])
            .arg(&path)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{name}: {stderr}");
        assert!(
            stderr.contains("is not a wa-hook capture file") && stderr.contains(what),
            "{name}: {stderr}"
        );
        assert!(stderr.contains("give --out a new file"), "{stderr}");
        assert!(
            !stderr.contains("root:x"),
            "the file's content was quoted: {stderr}"
        );
        assert_eq!(std::fs::read(&path).unwrap(), content, "{name} was changed");
    }
}

/// A symbolic link is followed with a warning naming where it leads.
#[cfg(unix)]
#[test]
fn out_through_a_symbolic_link_is_warned_about() {
    let dir = tempfile::tempdir().unwrap();
    let (path, _) = capture_file(&dir);
    std::fs::write(&path, record_line(1) + "\n").unwrap();
    let link = dir.path().join("link.jsonl");
    std::os::unix::fs::symlink(&path, &link).unwrap();
    let listener = Listener::start(&["--out", &link.display().to_string()]);
    assert_eq!(post(&listener.url, "/", b"{}").status, 200);
    let (code, _, stderr) = stop_within(listener, STOP_TIMEOUT);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stderr.contains("is a symbolic link to") && stderr.contains(&path.display().to_string()),
        "{stderr}"
    );
    assert_eq!(read_records(&path).last().unwrap().seq, 2);
}

/// `--fsync` on a capture file it creates (in a new folder's entry) works, and survives
/// being given a bare file name.
#[test]
fn fsync_creates_and_syncs_a_new_capture_file() {
    let dir = tempfile::tempdir().unwrap();
    let listener = Listener::start_with(
        {
            let mut command = wa_hook_process();
            command.current_dir(dir.path());
            command
        },
        &["--out", "new.jsonl", "--fsync", "--no-ui"],
    );
    assert_eq!(post(&listener.url, "/", b"{}").status, 200);
    let (code, _, stderr) = stop_within(listener, STOP_TIMEOUT);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(read_records(&dir.path().join("new.jsonl")).len(), 1);
}

/// `listen --out` a FIFO made for the test (in the returned folder), nobody reading it yet.
#[cfg(unix)]
fn listen_to_a_fifo() -> (tempfile::TempDir, std::path::PathBuf, Listener) {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("captures.fifo");
    make_fifo(&fifo);
    let listener = Listener::start(&["--out", &fifo.display().to_string()]);
    (dir, fifo, listener)
}

/// A FIFO nobody reads froze listen, and SIGTERM did not stop it. Now its records are
/// written by a thread of its own from a bounded queue: every request is answered at once
/// (503 once the queue is full, counted in the summary), and SIGTERM stops listen with the
/// summary.
#[cfg(unix)]
#[test]
fn a_fifo_nobody_reads_neither_freezes_listen_nor_its_stop() {
    let (_dir, _, listener) = listen_to_a_fifo();
    // 60 KB bodies: the pipe (64 KiB) and the queue (8 MiB) are full after some 140.
    let body = format!("\"{}\"", "a".repeat(60_000));
    let mut statuses = Vec::new();
    let mut connection = connection_to(&listener);
    for _ in 0..200 {
        statuses.push(connection.send("POST", "/", &[], body.as_bytes()).status);
    }
    assert!(statuses[..100].iter().all(|s| *s == 200), "{statuses:?}");
    let refused = statuses.iter().filter(|s| **s == 503).count();
    assert!(refused > 0, "{statuses:?}");
    let (code, _, stderr) = stop_within(listener, STOP_TIMEOUT);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stderr.contains("Stopped"), "{stderr}");
    assert!(
        stderr.contains(&format!("{refused} requests answered 503")),
        "{stderr}"
    );
}

/// `listen --out -` whose stdout (the records) and stderr (the request lines, with `--out -`)
/// nobody reads: every request is answered, 503 once the capture queue is full. The warning
/// that the pipe was full used to be printed by the worker itself, on the stderr that the
/// display thread held while it waited on it: the worker, and its batch's requests, waited
/// for good.
#[cfg(unix)]
#[test]
fn with_neither_output_read_every_request_is_answered() {
    let mut listener = Listener::start(&["--out", "-", "--no-ui"]);
    let mut connection = connection_to(&listener);
    let large = fill_stderr(&mut connection);
    // Large ones fill the capture queue (8 MiB): the pipe-full warning comes, and every
    // request is answered all the same.
    let mut statuses = Vec::new();
    for _ in 0..200 {
        statuses.push(connection.send("POST", "/", &[], large.as_bytes()).status);
    }
    assert!(statuses.contains(&503), "{statuses:?}");
    // Read now: the warning went through the display.
    assert!(listener.wait_for_stderr("answering 503 until it is", STOP_TIMEOUT));
    let (code, _, stderr) = stop_within(listener, STOP_TIMEOUT);
    assert_eq!(code, Some(0), "{stderr}");
}

/// Requests that leave `listen --out -`'s stderr full (neither output read): over 1 MiB of
/// records queued first (a batch behind that much is not waited for), then small requests
/// whose lines (some 100 bytes each) fill stderr's pipe, the display thread then waiting on
/// it. The large body, for more.
#[cfg(unix)]
fn fill_stderr(connection: &mut Connection) -> String {
    let large = format!("\"{}\"", "a".repeat(60_000));
    for _ in 0..20 {
        assert_eq!(
            connection.send("POST", "/", &[], large.as_bytes()).status,
            200
        );
    }
    for _ in 0..1500 {
        assert_eq!(connection.send("POST", "/", &[], b"{}").status, 200);
    }
    large
}

/// A stderr nobody reads never holds the stop: the summary is given 3 s to be written, then
/// listen ends without it. It waited for good on the lock of the display thread, blocked on
/// that stderr.
#[cfg(unix)]
#[test]
fn a_stderr_nobody_reads_never_holds_the_stop() {
    let listener = Listener::start(&["--out", "-", "--no-ui"]);
    let mut connection = connection_to(&listener);
    fill_stderr(&mut connection);
    let (code, _, _) = stop_within(listener, STOP_TIMEOUT);
    assert_eq!(code, Some(0));
}

/// While a FIFO is read, each record is in it before its request is answered (so it survives
/// the listener being killed), as with a regular file.
#[cfg(unix)]
#[test]
fn a_record_is_in_a_read_fifo_before_its_request_is_answered() {
    use std::io::BufRead;
    use std::os::unix::fs::OpenOptionsExt;
    let (_dir, fifo, listener) = listen_to_a_fifo();
    // Read without waiting: a record not yet in the pipe is a failure, not a wait.
    let reader = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(&fifo)
        .unwrap();
    let mut reader = std::io::BufReader::new(reader);
    for n in 0..5 {
        assert_eq!(post(&listener.url, &format!("/n{n}"), b"{}").status, 200);
        let mut line = String::new();
        reader
            .read_line(&mut line)
            .unwrap_or_else(|err| panic!("record {n} was not in the pipe when answered: {err}"));
        assert_eq!(
            parse_record(line.as_bytes()).unwrap().path,
            format!("/n{n}")
        );
    }
    let (code, _, stderr) = stop_within(listener, STOP_TIMEOUT);
    assert_eq!(code, Some(0), "{stderr}");
}

/// Another local user made the `--out` file beforehand (an empty file or a FIFO, readable by
/// all, in a shared folder such as /tmp) and read every record listen saved there, without a
/// word. Now such a file, and one of the user's own that others can read, is warned about.
#[cfg(unix)]
#[test]
fn an_out_file_other_users_can_read_is_warned_about() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let (path, out) = capture_file(&dir);
    std::fs::write(&path, b"").unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    let listener = Listener::start(&["--out", &out, "--no-ui"]);
    let (code, _, stderr) = stop_within(listener, STOP_TIMEOUT);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stderr.contains("can be read by other users (mode 644)") && stderr.contains("chmod 600"),
        "{stderr}"
    );
    // A file listen creates is its owner's only: no warning.
    let fresh = dir.path().join("fresh.jsonl");
    let listener = Listener::start(&["--out", &fresh.display().to_string(), "--no-ui"]);
    let (_, _, stderr) = stop_within(listener, STOP_TIMEOUT);
    assert!(!stderr.contains("other users"), "{stderr}");

    let root = std::process::Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|out| out.stdout.trim_ascii() == b"0");
    if !root {
        eprintln!("SKIPPED the other user's file: making a file of uid 65534 needs root (chown)");
        return;
    }
    let planted = dir.path().join("planted.jsonl");
    std::fs::write(&planted, b"").unwrap();
    std::os::unix::fs::chown(&planted, Some(65534), Some(65534)).unwrap();
    std::fs::set_permissions(&planted, std::fs::Permissions::from_mode(0o666)).unwrap();
    let listener = Listener::start(&["--out", &planted.display().to_string(), "--no-ui"]);
    let (code, _, stderr) = stop_within(listener, STOP_TIMEOUT);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stderr.contains("belongs to another user (uid 65534)"),
        "{stderr}"
    );
}

/// Every kind of record listen writes, in one file by two runs: valid, invalid, unknown,
/// non-JSON and non-UTF-8 bodies; signatures valid, wrong and missing; refusals for basic
/// auth, a bad signature, a body too large, a wrong verify token, a handshake that does not
/// subscribe, and a request the HTTP layer could not read; a handshake answered; the app's
/// answer and an app that is down. Each line matches the committed schema
/// (`schemas show capture-record`), and reads back into a record that writes the same line.
#[test]
fn every_record_listen_writes_matches_the_capture_record_schema() {
    use wa_hook::capture::{Rejection, SignatureCheck};
    use wa_hook::validation::Verdict;

    let dir = tempfile::tempdir().unwrap();
    let (path, out) = capture_file(&dir);
    let app = RecordingServer::start();
    let meta = sample_bytes("meta/message-text");
    let signature = sign(&meta);
    let signed = [("X-Hub-Signature-256", signature.as_str())];

    let mut command = wa_hook_process();
    command
        .env("META_SECRET", APP_SECRET)
        .env("META_VERIFY", "sentinel-verify-3f1d");
    let listener = Listener::start_with(
        command,
        &[
            "--out",
            &out,
            "--max-body",
            "4KiB",
            "--app-secret-env",
            "META_SECRET",
            "--verify-token-env",
            "META_VERIFY",
            "--forward-to",
            &app.url,
        ],
    );
    let mut connection = Connection::open(&listener.url);
    let json = [("Content-Type", "application/json")];
    connection.send("POST", "/signed", &signed, &meta);
    let mut tampered = meta.clone();
    tampered.push(b'\n');
    connection.send("POST", "/tampered", &signed, &tampered);
    connection.send(
        "POST",
        "/qikchat",
        &json,
        &sample_bytes("qikchat/message-text"),
    );
    connection.send(
        "POST",
        "/invalid",
        &json,
        br#"{"object":"whatsapp_business_account","entry":{}}"#,
    );
    connection.send("POST", "/unknown", &json, br#"{"a":1}"#);
    // A Meta change whose field has no schema is named by the body's own field, whatever it is.
    for (path, field) in [
        ("/field-named-by-body", "Security_Alerts 2"),
        ("/field-empty", ""),
    ] {
        let body = format!(
            r#"{{"object":"whatsapp_business_account","entry":[{{"id":"1","changes":[{{"field":"{field}","value":{{}}}}]}}]}}"#
        );
        connection.send("POST", path, &json, body.as_bytes());
    }
    connection.send("POST", "/text", &[("Content-Type", "text/plain")], b"hello");
    connection.send("POST", "/binary", &[], b"\xff\xfe\x00");
    connection.send(
        "GET",
        "/hook?hub.mode=subscribe&hub.verify_token=sentinel-verify-3f1d&hub.challenge=12",
        &[],
        b"",
    );
    connection.send(
        "GET",
        "/hook?hub.mode=subscribe&hub.verify_token=guess&hub.challenge=12",
        &[],
        b"",
    );
    connection.send(
        "GET",
        "/hook?hub.mode=unsubscribe&hub.verify_token=sentinel-verify-3f1d&hub.challenge=12",
        &[],
        b"",
    );
    connection.send("GET", "/plain", &[], b"");
    assert_eq!(post(&listener.url, "/large", &[b' '; 5000]).status, 413);
    let unreadable = super::hostile::sent(&listener.url, b"GET / HTTP/9.9\r\n\r\n").read_response();
    assert!(unreadable.status >= 400, "{unreadable:?}");
    let (code, _, stderr) = listener.stop();
    assert_eq!(code, Some(0), "{stderr}");

    // A second run appends: Basic auth, rejected signatures, and an app that is down.
    let mut command = wa_hook_process();
    command
        .env("META_SECRET", APP_SECRET)
        .env("LISTEN_BASIC", "user:sentinel-pass-0a9b");
    let down = closed_port().to_string();
    let listener = Listener::start_with(
        command,
        &[
            "--out",
            &out,
            "--basic-auth-env",
            "LISTEN_BASIC",
            "--app-secret-env",
            "META_SECRET",
            "--reject-bad-signature",
            "--forward-to",
            &down,
        ],
    );
    use base64::Engine;
    let auth = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode("user:sentinel-pass-0a9b")
    );
    let mut connection = Connection::open(&listener.url);
    connection.send("POST", "/no-auth", &[], &meta);
    connection.send("POST", "/unsigned", &[("Authorization", &auth)], &meta);
    let both = [("Authorization", auth.as_str()), signed[0]];
    assert_eq!(connection.send("POST", "/down", &both, &meta).status, 502);
    let (code, _, stderr) = listener.stop();
    assert_eq!(code, Some(0), "{stderr}");

    let text = std::fs::read(&path).unwrap();
    let lines: Vec<&[u8]> = text
        .split(|b| *b == b'\n')
        .filter(|line| !line.is_empty())
        .collect();
    assert_eq!(lines.len(), 18, "{}", String::from_utf8_lossy(&text));
    let mut records = Vec::new();
    for line in &lines {
        assert_capture_schema(line);
        let record = parse_record(line).unwrap();
        assert_eq!(
            serde_json::to_string(&record).unwrap().as_bytes(),
            *line,
            "a record read back writes the same line"
        );
        records.push(record);
    }
    let by_path = |p: &str| records.iter().find(|r| r.path == p).unwrap();
    assert_eq!(by_path("/signed").signature, Some(SignatureCheck::Valid));
    assert!(matches!(
        by_path("/tampered").signature,
        Some(SignatureCheck::Invalid(_))
    ));
    assert_eq!(by_path("/text").signature, Some(SignatureCheck::Missing));
    assert_eq!(by_path("/qikchat").signature, None);
    assert_eq!(
        written(by_path("/field-named-by-body").kind.as_ref()).as_deref(),
        Some("Security_Alerts 2")
    );
    assert_eq!(
        written(by_path("/field-empty").kind.as_ref()).as_deref(),
        Some("")
    );
    assert_eq!(
        by_path("/signed").forward.as_ref().unwrap().status,
        Some(200)
    );
    assert!(by_path("/down").forward.as_ref().unwrap().error.is_some());
    for (p, verdict) in [
        ("/signed", Verdict::Valid),
        ("/invalid", Verdict::Invalid),
        ("/unknown", Verdict::Unknown),
        ("/text", Verdict::Malformed),
        ("/binary", Verdict::Malformed),
    ] {
        assert_eq!(by_path(p).verdict, Some(verdict), "{p}");
    }
    let rejections: Vec<&Rejection> = records.iter().filter_map(|r| r.rejected.as_ref()).collect();
    for expected in [
        Rejection::WrongVerifyToken,
        Rejection::HubMode("unsubscribe".into()),
        Rejection::BodyTooLarge {
            bytes: 5000,
            max: 4096,
        },
        Rejection::BasicAuth,
        Rejection::BadSignature,
    ] {
        assert!(
            rejections.contains(&&expected),
            "{expected:?} in {rejections:?}"
        );
    }
    assert!(
        rejections.iter().any(|r| matches!(r, Rejection::Other(_))),
        "{rejections:?}"
    );
}

/// `wa-hook schemas` lists the capture record's schema, prints it and exports it.
#[test]
fn the_capture_record_schema_is_listed_shown_and_exported() {
    wa_hook()
        .arg("schemas")
        .assert()
        .success()
        .stdout(predicate::str::contains("capture-record"));
    let shown = wa_hook()
        .args(["schemas", "show", "capture-record"])
        .output()
        .unwrap();
    assert!(shown.status.success());
    let schema: serde_json::Value = serde_json::from_slice(&shown.stdout).unwrap();
    assert_eq!(
        schema["$id"],
        "https://wa-hook.dev/schemas/capture-record.json"
    );
    let dir = tempfile::tempdir().unwrap();
    let told = wa_hook()
        .args(["schemas", "export", "--format", "json"])
        .arg(dir.path())
        .output()
        .unwrap();
    let path = String::from_utf8(told.stdout)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str::<serde_json::Value>(line).unwrap())
        .find(|line| line["id"] == "capture-record")
        .and_then(|line| line["path"].as_str().map(str::to_string))
        .expect("export names capture-record");
    let exported = std::fs::read(path).unwrap();
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&exported).unwrap(),
        schema
    );
}
