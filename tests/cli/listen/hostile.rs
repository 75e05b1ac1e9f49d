//! `listen` under hostile traffic, full disks and hung apps (issue 13): raw `TcpStream`
//! clients sending what a stranger reaching a tunnel might.
use std::net::{Shutdown, TcpListener};
use std::time::{Duration, Instant};

use super::*;

/// A stalled answer fails the test instead of hanging it.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(20);
/// The least time between two probes of a listener under attack.
const PROBE_INTERVAL: Duration = Duration::from_millis(10);

/// The listener's resident memory in MiB, from /proc (0 where there is no /proc).
fn resident_mib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| {
            rest.trim()
                .trim_end_matches("kB")
                .trim()
                .parse::<u64>()
                .ok()
        })
        .map_or(0, |kib| kib / 1024)
}

/// A connection that has sent `bytes`, as they are (its answer bounded by [`ANSWER_TIMEOUT`]).
pub(super) fn sent(url: &str, bytes: &[u8]) -> Connection {
    let mut connection = Connection::open(url);
    let stream = connection.reader.get_mut();
    stream.set_read_timeout(Some(ANSWER_TIMEOUT)).unwrap();
    stream.write_all(bytes).unwrap();
    connection
}

fn exchange(url: &str, bytes: &[u8]) -> RawResponse {
    sent(url, bytes).read_response()
}

fn rejection(record: &CaptureRecord) -> String {
    written(record.rejected.as_ref()).unwrap_or_default()
}

#[test]
fn declared_lengths_over_max_body_cost_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (path, out) = capture_file(&dir);
    let listener = Listener::start(&["--out", &out]);
    // Upstream tiny_http allocated each declared length to skip the body: 2 GB here.
    for _ in 0..20 {
        let head = "POST /big HTTP/1.1\r\nHost: x\r\nContent-Length: 100000000\r\n\r\nab";
        assert_eq!(exchange(&listener.url, head.as_bytes()).status, 413);
    }
    // ... and panicked on this one.
    let head = "POST /max HTTP/1.1\r\nHost: x\r\nContent-Length: 18446744073709551615\r\n\r\nab";
    assert_eq!(exchange(&listener.url, head.as_bytes()).status, 413);
    // A length that is no number was read as "no body", and the body as the next request.
    let head = "POST /nan HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999999\r\n\r\n";
    assert_eq!(exchange(&listener.url, head.as_bytes()).status, 400);
    let resident = resident_mib(listener.pid());
    assert!(resident < 256, "{resident} MiB resident");
    let body = sample_bytes("qikchat/message-text");
    assert_eq!(post(&listener.url, "/after", &body).status, 200);
    let (code, _, stderr) = listener.stop();
    assert_eq!(code, Some(0), "{stderr}");
    let records = read_records(&path);
    assert_eq!(records.len(), 23);
    assert!(rejection(&records[20]).starts_with("body too large"));
    assert!(
        rejection(&records[21]).contains("Content-Length"),
        "{:?}",
        records[21]
    );
    assert_eq!(records[21].response_status, 400);
    assert_eq!(
        written(records[22].kind.as_ref()).as_deref(),
        Some("message:text")
    );
}

#[test]
fn heads_over_64_kib_are_answered_and_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let (path, out) = capture_file(&dir);
    let listener = Listener::start(&["--out", &out]);
    // A header line that never ends: upstream kept reading (1 GiB made 4.2 GB resident).
    let mut endless = b"POST /endless HTTP/1.1\r\nHost: x\r\nX-Long: ".to_vec();
    endless.extend(std::iter::repeat_n(b'a', 70 * 1024));
    assert_eq!(exchange(&listener.url, &endless).status, 431);
    // A request line that never ends.
    let mut line = b"GET /".to_vec();
    line.extend(std::iter::repeat_n(b'p', 70 * 1024));
    assert_eq!(exchange(&listener.url, &line).status, 414);
    // Many small headers.
    let mut many = "POST /many HTTP/1.1\r\nHost: x\r\n".to_string();
    for i in 0..200 {
        many.push_str(&format!("X-{i}: 1\r\n"));
    }
    many.push_str("\r\n");
    assert_eq!(exchange(&listener.url, many.as_bytes()).status, 431);
    let resident = resident_mib(listener.pid());
    assert!(resident < 256, "{resident} MiB resident");
    let (code, _, stderr) = listener.stop();
    assert_eq!(code, Some(0), "{stderr}");
    let records = read_records(&path);
    assert_eq!(records.len(), 3, "{stderr}");
    assert_eq!(records[0].path, "/endless");
    assert_eq!(records[0].response_status, 431);
    assert!(
        rejection(&records[0]).contains("too large"),
        "{:?}",
        records[0]
    );
    assert_eq!(records[1].response_status, 414);
    // The start of the path it asked for, not nothing.
    assert_eq!(records[1].method, "GET");
    assert!(records[1].path.starts_with("/pppp"), "{:?}", records[1]);
    assert!(records[1].path.len() < 4096, "{}", records[1].path.len());
    assert_eq!(records[2].path, "/many");
    assert!(rejection(&records[2]).contains("more than 128 headers"));
    assert!(stderr.contains("3 rejected"), "{stderr}");
}

#[test]
fn odd_but_real_requests_are_answered_and_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let (path, out) = capture_file(&dir);
    let listener = Listener::start(&["--out", &out]);
    let body = String::from_utf8(sample_bytes("qikchat/message-text")).unwrap();
    let length = body.len();
    // Line ends without CR (RFC 9112 lets a receiver take them).
    let lf_only = format!("POST /lf HTTP/1.1\nHost: x\nContent-Length: {length}\n\n{body}");
    assert_eq!(exchange(&listener.url, lf_only.as_bytes()).status, 200);
    // A UTF-8 path and a header value that is not ASCII.
    let utf8 = format!(
        "POST /café HTTP/1.1\r\nHost: x\r\nX-Sender: José\r\nContent-Length: {length}\r\n\r\n{body}"
    );
    assert_eq!(exchange(&listener.url, utf8.as_bytes()).status, 200);
    // An HTTP/2 client with prior knowledge, an HTTP/2.0 request line, TLS, and noise.
    let preface = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
    assert_eq!(exchange(&listener.url, preface).status, 505);
    let h2 = b"GET /h2 HTTP/2.0\r\nHost: x\r\n\r\n";
    assert_eq!(exchange(&listener.url, h2).status, 505);
    let tls = b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03";
    assert_eq!(exchange(&listener.url, tls).status, 400);
    assert_eq!(exchange(&listener.url, b"hello there\r\n\r\n").status, 400);
    let (code, _, stderr) = listener.stop();
    assert_eq!(code, Some(0), "{stderr}");
    let records = read_records(&path);
    assert_eq!(records.len(), 6, "{stderr}");
    assert_eq!(records[0].path, "/lf");
    assert_eq!(
        written(records[0].kind.as_ref()).as_deref(),
        Some("message:text")
    );
    assert_eq!(records[1].path, "/café");
    assert_eq!(records[1].header("X-Sender"), Some("José"));
    assert_eq!(
        written(records[1].kind.as_ref()).as_deref(),
        Some("message:text")
    );
    assert_eq!(records[2].method, "PRI");
    assert_eq!(records[2].response_status, 505);
    assert!(rejection(&records[2]).contains("HTTP/2.0"));
    assert_eq!(records[3].path, "/h2");
    assert!(rejection(&records[4]).contains("TLS"));
    assert_eq!(records[5].response_status, 400);
}

#[test]
fn connections_over_the_limit_get_503_and_the_others_are_served() {
    let dir = tempfile::tempdir().unwrap();
    let (_, out) = capture_file(&dir);
    let listener = Listener::start(&["--out", &out, "--max-connections", "3"]);
    let body = sample_bytes("qikchat/message-text");
    let mut open: Vec<Connection> = (0..3)
        .map(|_| {
            let mut connection = Connection::open(&listener.url);
            assert_eq!(connection.send("POST", "/", &[], &body).status, 200);
            connection
        })
        .collect();
    let refused = exchange(&listener.url, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_eq!(refused.status, 503);
    assert_eq!(refused.header("Retry-After"), Some("1"));
    // The connections already open are still served.
    for connection in &mut open {
        assert_eq!(connection.send("POST", "/", &[], &body).status, 200);
    }
    let (code, _, stderr) = listener.stop();
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stderr.contains("1 connection refused with 503"), "{stderr}");
}

/// Under `ulimit -n`, connections beyond the descriptors wait; once they close, listen accepts
/// again (upstream's accept thread panicked on `try_clone().unwrap()` and never accepted
/// again, issue #195). The inspector is on, as by default: it takes its socket before listen
/// accepts (once it took it after, and a crowd arriving first made it fail and end the run),
/// and it lists the request once descriptors are free again.
#[test]
fn running_out_of_file_descriptors_is_survived() {
    let dir = tempfile::tempdir().unwrap();
    let (_, out) = capture_file(&dir);
    let mut command = std::process::Command::new("sh");
    command
        .args(["-c", "ulimit -n 40 && exec \"$0\" \"$@\""])
        .arg(assert_cmd::cargo::cargo_bin("wa-hook"))
        .env("NO_COLOR", "1");
    let mut listener = Listener::start_with(
        command,
        &["--out", &out, "--max-connections", "100", "--threads", "2"],
    );
    let crowd: Vec<TcpStream> = (0..60)
        .map(|_| TcpStream::connect(listener.url.trim_start_matches("http://")).unwrap())
        .collect();
    // Until listen holds every descriptor it may and an accept failed for it (a count of
    // descriptors alone said so before the accept was tried, now and then), then the crowd
    // goes away.
    assert!(
        listener.wait_for_stderr("cannot accept more connections", ANSWER_TIMEOUT),
        "listen never ran out of descriptors"
    );
    drop(crowd);
    let body = sample_bytes("qikchat/message-text");
    let mut connection = Connection::open(&listener.url);
    connection
        .reader
        .get_ref()
        .set_read_timeout(Some(ANSWER_TIMEOUT))
        .unwrap();
    assert_eq!(connection.send("POST", "/after", &[], &body).status, 200);
    drop(connection);
    let ui = listener.next_stdout_line();
    let ui = ui
        .trim()
        .strip_prefix("inspector: ")
        .unwrap_or_else(|| panic!("no inspector line: {ui:?}"));
    let (ui, cookie) = crate::inspect::login(ui);
    let until = Instant::now() + ANSWER_TIMEOUT;
    loop {
        let session = [("Cookie", cookie.as_str())];
        let (_, page) = crate::inspect::call(ui, "GET", "/api/records", &session, b"");
        let page: serde_json::Value = serde_json::from_slice(&page).unwrap_or_default();
        if page["records"][0]["path"] == "/after" {
            break;
        }
        assert!(
            Instant::now() < until,
            "the inspector never listed it: {page}"
        );
        std::thread::yield_now();
    }
    let (code, _, stderr) = listener.stop();
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stderr.contains("cannot accept more connections"),
        "{stderr}"
    );
    assert!(stderr.contains("1 request"), "{stderr}");
}

#[test]
fn stalled_uploads_hold_no_worker_and_the_stop_does_not_wait_for_them() {
    let dir = tempfile::tempdir().unwrap();
    let (path, out) = capture_file(&dir);
    let listener = Listener::start(&["--out", &out, "--threads", "1"]);
    let stalled: Vec<Connection> = [
        "POST /chunked HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n{\"a\":",
        "POST /continue HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 10\r\n\r\n",
        "POST /large HTTP/1.1\r\nHost: x\r\nContent-Length: 200000\r\n\r\n{\"a\":",
    ]
    .iter()
    .flat_map(|head| [head, head])
    .map(|head| sent(&listener.url, head.as_bytes()))
    .collect();
    let body = sample_bytes("qikchat/message-text");
    for _ in 0..3 {
        assert_eq!(post(&listener.url, "/meanwhile", &body).status, 200);
    }
    let stopping = Instant::now();
    let (code, _, stderr) = listener.stop();
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stopping.elapsed() < Duration::from_secs(5),
        "the stop took {:?}",
        stopping.elapsed()
    );
    assert!(
        stderr.contains("6 requests still being read or forwarded at the stop"),
        "{stderr}"
    );
    let records = read_records(&path);
    assert_eq!(records.len(), 3);
    drop(stalled);
}

#[test]
fn a_large_body_cut_short_is_answered_400() {
    let dir = tempfile::tempdir().unwrap();
    let (path, out) = capture_file(&dir);
    let listener = Listener::start(&["--out", &out]);
    let mut request = b"POST /cut HTTP/1.1\r\nHost: x\r\nContent-Length: 200000\r\n\r\n".to_vec();
    request.extend(std::iter::repeat_n(b' ', 100_000));
    let mut connection = sent(&listener.url, &request);
    connection
        .reader
        .get_mut()
        .shutdown(Shutdown::Write)
        .unwrap();
    assert_eq!(connection.read_response().status, 400);
    let (code, _, stderr) = listener.stop();
    assert_eq!(code, Some(0), "{stderr}");
    let records = read_records(&path);
    assert_eq!(records.len(), 1);
    assert!(rejection(&records[0]).starts_with("incomplete body"));
    assert_eq!(records[0].body_bytes, 100_000);
}

#[test]
fn a_head_that_trickles_in_is_answered_408() {
    let dir = tempfile::tempdir().unwrap();
    let (path, out) = capture_file(&dir);
    let listener = Listener::start(&["--out", &out, "--read-timeout", "1s"]);
    // Idle keep-alive connections are closed, without an answer.
    let mut idle = sent(&listener.url, b"");
    let mut rest = Vec::new();
    idle.reader.read_to_end(&mut rest).unwrap();
    assert!(rest.is_empty());
    // A head begun and never finished.
    let response = exchange(&listener.url, b"POST /slow HTTP/1.1\r\nHost: x\r\n");
    assert_eq!(response.status, 408);
    let (code, _, stderr) = listener.stop();
    assert_eq!(code, Some(0), "{stderr}");
    let records = read_records(&path);
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].path, "/slow");
    assert_eq!(records[0].response_status, 408);
}

#[test]
fn a_torn_capture_file_is_mended_and_seq_continues() {
    let dir = tempfile::tempdir().unwrap();
    let (path, out) = capture_file(&dir);
    let listener = Listener::start(&["--out", &out]);
    let body = sample_bytes("qikchat/message-text");
    for _ in 0..2 {
        assert_eq!(post(&listener.url, "/", &body).status, 200);
    }
    listener.stop();
    // A write cut short by a crash.
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(&path)
        .unwrap();
    file.write_all(b"{\"wa_hook_capture\":1,\"seq\":3,\"rec")
        .unwrap();
    drop(file);
    let listener = Listener::start(&["--out", &out]);
    assert_eq!(post(&listener.url, "/", &body).status, 200);
    let (code, _, stderr) = listener.stop();
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stderr.contains("ends in the middle of a line"), "{stderr}");
    let text = std::fs::read_to_string(&path).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 4);
    assert!(lines[2].ends_with("\"rec"));
    let last = parse_record(lines[3].as_bytes()).unwrap();
    assert_eq!(last.seq, 3);
    // Each run has its own id, the same in all its records.
    let (first, second) = (
        parse_record(lines[0].as_bytes()).unwrap(),
        parse_record(lines[1].as_bytes()).unwrap(),
    );
    assert!(first.run.is_some(), "{first:?}");
    assert_eq!(first.run, second.run);
    assert_ne!(first.run, last.run);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}

#[test]
fn a_deleted_capture_file_is_created_again() {
    let dir = tempfile::tempdir().unwrap();
    let (path, out) = capture_file(&dir);
    let listener = Listener::start(&["--out", &out]);
    let body = sample_bytes("qikchat/message-text");
    assert_eq!(post(&listener.url, "/before", &body).status, 200);
    std::fs::remove_file(&path).unwrap();
    assert_eq!(post(&listener.url, "/after", &body).status, 200);
    let (code, _, stderr) = listener.stop();
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stderr.contains("was deleted while listening"), "{stderr}");
    let records = read_records(&path);
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].path, "/after");
}

/// A file-size limit stands in for a full disk: the write that does not fit is cut short,
/// taken back whole and answered 500; once there is room, saving resumes.
#[test]
fn a_write_cut_short_is_taken_back_and_saving_resumes() {
    let dir = tempfile::tempdir().unwrap();
    let (path, out) = capture_file(&dir);
    let mut command = std::process::Command::new("sh");
    // dash counts `ulimit -f` in 512-byte blocks: 16 KiB.
    command
        .args(["-c", "trap '' XFSZ; ulimit -f 32 && exec \"$0\" \"$@\""])
        .arg(assert_cmd::cargo::cargo_bin("wa-hook"))
        .env("NO_COLOR", "1");
    let listener = Listener::start_with(command, &["--out", &out]);
    let body = sample_bytes("meta/message-text");
    let mut statuses = Vec::new();
    for _ in 0..40 {
        let status = post(&listener.url, "/", &body).status;
        statuses.push(status);
        if status == 500 {
            break;
        }
    }
    assert_eq!(statuses.last(), Some(&500), "{statuses:?}");
    let saved = statuses.len() - 1;
    // More that do not fit: answered 500 too, and warned about once.
    for _ in 0..3 {
        assert_eq!(post(&listener.url, "/", &body).status, 500);
    }
    let text = std::fs::read(&path).unwrap();
    assert_eq!(text.last(), Some(&b'\n'), "a torn line was left");
    assert_eq!(read_records(&path).len(), saved);
    // Room again.
    std::fs::OpenOptions::new()
        .write(true)
        .open(&path)
        .unwrap()
        .set_len(0)
        .unwrap();
    assert_eq!(post(&listener.url, "/again", &body).status, 200);
    let (code, _, stderr) = listener.stop();
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stderr.contains("4 requests could not be saved"), "{stderr}");
    assert_eq!(
        stderr.matches("not saved, answered 500").count(),
        1,
        "{stderr}"
    );
    assert!(
        stderr.contains("saving again (4 requests could not be saved"),
        "{stderr}"
    );
    let records = read_records(&path);
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].path, "/again");
}

/// An app that accepts connections and never answers.
fn hung_app() -> (TcpListener, std::thread::JoinHandle<()>) {
    let app = TcpListener::bind("127.0.0.1:0").unwrap();
    let accepting = app.try_clone().unwrap();
    let thread = std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in accepting.incoming().take(4) {
            held.push(stream);
        }
    });
    (app, thread)
}

#[test]
fn a_hung_app_gets_504_within_the_forward_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let (path, out) = capture_file(&dir);
    let (app, _thread) = hung_app();
    let port = app.local_addr().unwrap().port().to_string();
    let listener = Listener::start(&[
        "--out",
        &out,
        "--forward-to",
        &port,
        "--forward-timeout",
        "1s",
    ]);
    let response = post(&listener.url, "/", &sample_bytes("meta/message-text"));
    assert_eq!(response.status, 504);
    let (code, _, stderr) = listener.stop();
    assert_eq!(code, Some(0), "{stderr}");
    let records = read_records(&path);
    let forward = records[0].forward.as_ref().unwrap();
    assert!(
        forward
            .error
            .as_deref()
            .unwrap()
            .contains("no answer within 1s"),
        "{forward:?}"
    );
}

#[test]
fn an_app_answer_over_1_mib_is_not_relayed() {
    let dir = tempfile::tempdir().unwrap();
    let (path, out) = capture_file(&dir);
    let app = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = app.local_addr().unwrap().port().to_string();
    std::thread::spawn(move || {
        if let Ok((mut stream, _)) = app.accept() {
            let mut head = [0u8; 4096];
            let _ = stream.read(&mut head);
            let size = 8 << 20;
            let _ = stream
                .write_all(format!("HTTP/1.1 200 OK\r\nContent-Length: {size}\r\n\r\n").as_bytes());
            let chunk = vec![b'x'; 64 * 1024];
            for _ in 0..size / chunk.len() {
                if stream.write_all(&chunk).is_err() {
                    break;
                }
            }
        }
    });
    let listener = Listener::start(&["--out", &out, "--forward-to", &port]);
    let response = post(&listener.url, "/", &sample_bytes("meta/message-text"));
    assert_eq!(response.status, 502);
    let (code, _, stderr) = listener.stop();
    assert_eq!(code, Some(0), "{stderr}");
    assert!(std::fs::metadata(&path).unwrap().len() < 64 * 1024);
    let records = read_records(&path);
    let error = records[0].forward.as_ref().unwrap().error.clone().unwrap();
    assert!(error.contains("over 1024 KiB"), "{error}");
}

#[test]
fn an_unreachable_app_echoes_no_secret() {
    let dir = tempfile::tempdir().unwrap();
    let (path, out) = capture_file(&dir);
    let target = format!("http://127.0.0.1:{}/hook?token=AppS3cret", closed_port());
    let listener = Listener::start(&["--out", &out, "--forward-to", &target]);
    let response = exchange(
        &listener.url,
        b"GET /?hub.mode=subscribe&hub.verify_token=V3rifyTok&hub.challenge=7 HTTP/1.1\r\n\
          Host: x\r\n\r\n",
    );
    assert_eq!(response.status, 502);
    let answer = String::from_utf8_lossy(&response.body).into_owned();
    let (code, stdout, stderr) = listener.stop();
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stdout.contains("app unreachable"), "{stdout}");
    for secret in ["AppS3cret", "V3rifyTok"] {
        assert!(!answer.contains(secret), "{answer}");
        assert_nowhere(secret, dir.path(), &stdout, &stderr);
    }
    assert_eq!(read_records(&path).len(), 1);
}

#[test]
fn lines_are_dropped_not_queued_when_stdout_is_not_read() {
    let dir = tempfile::tempdir().unwrap();
    let (_, out) = capture_file(&dir);
    let listener = Listener::start(&["--out", &out, "--format", "json"]);
    // Each record line is 60 KB and nobody reads stdout: 12 MB would queue.
    let body = format!("{{\"pad\":\"{}\"}}", "x".repeat(60_000));
    let mut connection = Connection::open(&listener.url);
    for _ in 0..200 {
        assert_eq!(
            connection.send("POST", "/", &[], body.as_bytes()).status,
            200
        );
    }
    let (code, _, stderr) = listener.stop();
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stderr.contains("not shown"), "{stderr}");
}

/// A request that cannot be read (here an unknown `Expect`, a 413 and a header name with a
/// space) is the connection's last: once it is answered the connection is closed, so a client
/// reading to the end gets the end, not a wait for `--read-timeout` (before, the connection
/// lingered until the socket's read timeout, holding a thread and a connection slot).
#[test]
fn a_rejected_request_s_connection_is_closed_once_answered() {
    let dir = tempfile::tempdir().unwrap();
    let (path, out) = capture_file(&dir);
    let listener = Listener::start(&["--out", &out, "--read-timeout", "5m"]);
    for (head, status) in [
        (
            "POST /x HTTP/1.1\r\nHost: x\r\nExpect: 189-dummy\r\n\r\n",
            417,
        ),
        (
            "POST /big HTTP/1.1\r\nHost: x\r\nContent-Length: 100000000\r\n\r\nab",
            413,
        ),
        (
            "POST /y HTTP/1.1\r\nHost: x\r\nContent-Length : 5\r\n\r\nhello",
            400,
        ),
    ] {
        let mut connection = sent(&listener.url, head.as_bytes());
        assert_eq!(connection.read_response().status, status, "{head}");
        // Read to the end: an error here is the read timeout (ANSWER_TIMEOUT), the
        // connection left open.
        let mut rest = Vec::new();
        let end = connection.reader.read_to_end(&mut rest);
        assert!(end.is_ok(), "{head}: the connection stayed open: {end:?}");
    }
    let (code, _, stderr) = listener.stop();
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(read_records(&path).len(), 3, "{stderr}");
}

/// An app that never answers requests to `/hang` (it says when it has one) and answers others
/// at once; it stops holding them when `release` is dropped.
fn partly_hung_app() -> (
    String,
    std::sync::mpsc::Receiver<()>,
    std::sync::mpsc::Sender<()>,
) {
    let app = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = app.local_addr().unwrap().port().to_string();
    let (hung_tx, hung_rx) = std::sync::mpsc::channel();
    let (release_tx, release_rx) = std::sync::mpsc::channel::<()>();
    let release_rx = std::sync::Arc::new(std::sync::Mutex::new(release_rx));
    std::thread::spawn(move || {
        for stream in app.incoming().take(200) {
            let Ok(stream) = stream else { break };
            let (hung_tx, release_rx) = (hung_tx.clone(), release_rx.clone());
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream);
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let mut length = 0;
                    loop {
                        let mut header = String::new();
                        reader.read_line(&mut header).unwrap_or(0);
                        let header = header.trim_end();
                        if header.is_empty() {
                            break;
                        }
                        if let Some((name, value)) = header.split_once(':') {
                            if name.eq_ignore_ascii_case("content-length") {
                                length = value.trim().parse().unwrap_or(0);
                            }
                        }
                    }
                    let mut body = vec![0; length];
                    let _ = reader.read_exact(&mut body);
                    if line.contains(" /hang") {
                        let _ = hung_tx.send(());
                        // Held until the test ends.
                        let _ = release_rx.lock().map(|release| release.recv());
                        return;
                    }
                    let answer = "HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\n{\"ok\":true}";
                    let _ = reader.get_mut().write_all(answer.as_bytes());
                }
            });
        }
    });
    (port, hung_rx, release_tx)
}

/// Issue 13: "40 hung requests held every worker: a healthy webhook waited 29 s". Requests
/// waiting for a hung app each wait on a thread of their own, so one the app answers is
/// answered at once, whatever is hung (before: after the forward timeout, 60 s here).
#[test]
fn requests_waiting_for_a_hung_app_hold_up_no_other() {
    let dir = tempfile::tempdir().unwrap();
    let (path, out) = capture_file(&dir);
    let (port, hung, release) = partly_hung_app();
    let listener = Listener::start(&[
        "--out",
        &out,
        "--forward-to",
        &port,
        "--forward-timeout",
        "60s",
    ]);
    let body = sample_bytes("qikchat/message-text");
    let request = |path: &str| {
        format!(
            "POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\n\r\n{}",
            body.len(),
            String::from_utf8_lossy(&body)
        )
    };
    let waiting: Vec<Connection> = (0..40)
        .map(|_| sent(&listener.url, request("/hang").as_bytes()))
        .collect();
    // Every one of them has reached the app, and waits.
    for _ in 0..40 {
        hung.recv_timeout(ANSWER_TIMEOUT)
            .expect("a forward reached the app");
    }
    for _ in 0..3 {
        let response = exchange(&listener.url, request("/ok").as_bytes());
        assert_eq!(response.status, 200);
        assert_eq!(response.body, b"{\"ok\":true}");
    }
    let (code, _, stderr) = listener.stop();
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stderr.contains("40 requests still being read or forwarded at the stop"),
        "{stderr}"
    );
    let records = read_records(&path);
    assert_eq!(records.len(), 3, "{stderr}");
    assert!(records.iter().all(|record| record.path == "/ok"));
    drop((waiting, release));
}

/// Slowloris: a head sent a byte at a time, each within `--read-timeout`, is cut off when the
/// whole head has taken longer than it (408), not held for as long as the sender keeps going.
/// (The trickling is the attack itself, not a wait for the server.)
#[test]
fn a_head_trickled_a_byte_at_a_time_is_cut_off_408() {
    let dir = tempfile::tempdir().unwrap();
    let (path, out) = capture_file(&dir);
    let listener = Listener::start(&["--out", &out, "--read-timeout", "1s"]);
    let mut connection = sent(&listener.url, b"");
    let mut writer = connection.reader.get_ref().try_clone().unwrap();
    let trickler = std::thread::spawn(move || {
        // 40 bytes, one each 250 ms: 10 s for a head that would be answered 200 at its end.
        for byte in b"GET /slowloris HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n\r\n" {
            if writer.write_all(&[*byte]).is_err() {
                return;
            }
            std::thread::sleep(Duration::from_millis(250));
        }
    });
    assert_eq!(connection.read_response().status, 408);
    let (code, _, stderr) = listener.stop();
    assert_eq!(code, Some(0), "{stderr}");
    let _ = trickler.join();
    let records = read_records(&path);
    assert_eq!(records.len(), 1, "{stderr}");
    assert_eq!(records[0].response_status, 408);
}

/// A 4 MiB body of nested arrays parses into about 600 MB: a body of more JSON values than
/// wa-hook holds in memory at once is recorded unchecked (saying why) and answered, unparsed.
#[test]
fn a_body_of_too_many_values_is_not_parsed() {
    let dir = tempfile::tempdir().unwrap();
    let (path, out) = capture_file(&dir);
    let listener = Listener::start(&["--out", &out, "--max-body", "4MiB"]);
    let mut body = b"{\"a\":[".to_vec();
    while body.len() < (4 << 20) - 32 {
        body.extend_from_slice(b"[[[[[[[[[[1]]]]]]]]]],");
    }
    body.extend_from_slice(b"1]}");
    assert_eq!(post(&listener.url, "/deep", &body).status, 200);
    let peak = peak_resident_bytes(listener.pid()).unwrap_or(0) >> 20;
    assert!(peak < 256, "{peak} MiB resident at the peak");
    let (code, stdout, stderr) = listener.stop();
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stdout.contains("JSON values"), "{stdout}");
    let records = read_records(&path);
    assert_eq!(
        records[0].verdict,
        Some(wa_hook::verdict::Verdict::Unchecked)
    );
    let note = records[0].note.as_deref().unwrap_or_default();
    assert!(note.contains("JSON values, more than the 400000"), "{note}");
    assert_eq!(records[0].body_bytes, body.len() as u64);
}

/// Issue 22: a client that pipelines 100,000 small requests on one connection and reads none of
/// the answers stopped every other webhook from being answered (each worker waited to write an
/// answer it would never read). Two such clients now slow down nobody but themselves: other
/// requests are answered all along, until the listener closes the two connections (an answer
/// waited `--read-timeout` for them), and the listener stops cleanly.
#[cfg(unix)]
#[test]
fn clients_that_read_no_answers_slow_down_nobody_else() {
    use std::os::unix::io::AsRawFd;
    let dir = tempfile::tempdir().unwrap();
    let (_, out) = capture_file(&dir);
    let listener = Listener::start(&["--out", &out, "--no-ui", "--read-timeout", "2s"]);
    let host = listener.url.trim_start_matches("http://").to_string();
    let pipelined = b"GET /pipelined HTTP/1.1\r\nHost: x\r\n\r\n".repeat(100_000);
    let pipeliners: Vec<std::net::TcpStream> = (0..2)
        .map(|_| {
            // A small receive buffer from the start (before the window is agreed): the answers
            // fill it and the listener's send buffer within a few hundred answers, so how soon
            // the listener gives up on the connection does not hang on how fast a loaded
            // machine processes the requests.
            let stream = connect_with_small_window(&host);
            stream.set_write_timeout(Some(ANSWER_TIMEOUT)).unwrap();
            let writer = stream.try_clone().unwrap();
            let bytes = pipelined.clone();
            // Written until the listener stops reading or closes; nothing is read.
            std::thread::spawn(move || {
                let _ = (&writer).write_all(&bytes);
            });
            stream
        })
        .collect();
    // True once the listener has closed the connection (reset: it had unread requests).
    let closed = |stream: &std::net::TcpStream| {
        let mut poll = libc::pollfd {
            fd: stream.as_raw_fd(),
            events: libc::POLLRDHUP,
            revents: 0,
        };
        // SAFETY: poll on one valid descriptor, without waiting.
        unsafe { libc::poll(&raw mut poll, 1, 0) };
        poll.revents & (libc::POLLHUP | libc::POLLERR | libc::POLLRDHUP) != 0
    };
    let body = sample_bytes("qikchat/message-text");
    let probe = |label: &str| {
        let mut connection = Connection::open(&listener.url);
        connection
            .reader
            .get_mut()
            .set_read_timeout(Some(ANSWER_TIMEOUT))
            .unwrap();
        let started = Instant::now();
        let answer = connection.send("POST", "/probe", &[], &body);
        assert_eq!(answer.status, 200, "{label}");
        started.elapsed()
    };
    // Others are answered while the two fill the buffers, while their answers wait, and
    // until the listener closes both (each probe bounded by ANSWER_TIMEOUT, the whole by
    // three times it).
    let started = Instant::now();
    let mut probes = 0;
    let mut slowest = Duration::ZERO;
    while !pipeliners.iter().all(closed) {
        assert!(
            started.elapsed() < ANSWER_TIMEOUT * 3,
            "the listener never closed the connections that read nothing"
        );
        let sent = Instant::now();
        slowest = slowest.max(probe(&format!("probe {probes}")));
        probes += 1;
        // At most a hundred new connections a second: a tight loop of them used up the
        // machine's ephemeral ports (TIME_WAIT) and failed other tests' connections.
        if let Some(rest) = PROBE_INTERVAL.checked_sub(sent.elapsed()) {
            std::thread::sleep(rest);
        }
    }
    for n in 0..10 {
        slowest = slowest.max(probe(&format!("probe {n} after")));
    }
    eprintln!(
        "{probes} probes answered in {:?} while two clients read nothing; slowest {slowest:?}",
        started.elapsed()
    );
    let (code, _, stderr) = listener.stop();
    assert_eq!(code, Some(0), "{stderr}");
}

/// A connection to `host` (`127.0.0.1:PORT`) whose receive buffer was made small before it
/// connected, so the window it offers stays small.
fn connect_with_small_window(host: &str) -> std::net::TcpStream {
    use std::os::unix::io::FromRawFd;
    let address: std::net::SocketAddrV4 = host.parse().unwrap();
    // SAFETY: a new socket this function owns; setsockopt and connect get valid pointers and
    // lengths; the descriptor is handed to TcpStream, which closes it.
    unsafe {
        let fd = libc::socket(libc::AF_INET, libc::SOCK_STREAM | libc::SOCK_CLOEXEC, 0);
        assert!(fd >= 0, "socket: {}", std::io::Error::last_os_error());
        let size: libc::c_int = 4096;
        libc::setsockopt(
            fd,
            libc::SOL_SOCKET,
            libc::SO_RCVBUF,
            (&raw const size).cast(),
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        );
        let sockaddr = libc::sockaddr_in {
            sin_family: libc::AF_INET as libc::sa_family_t,
            sin_port: address.port().to_be(),
            sin_addr: libc::in_addr {
                s_addr: u32::from(*address.ip()).to_be(),
            },
            sin_zero: [0; 8],
        };
        let connected = libc::connect(
            fd,
            (&raw const sockaddr).cast(),
            std::mem::size_of::<libc::sockaddr_in>() as libc::socklen_t,
        );
        let stream = std::net::TcpStream::from_raw_fd(fd);
        assert_eq!(connected, 0, "connect: {}", std::io::Error::last_os_error());
        stream
    }
}
