//! listen's inspector, fed by its workers (issue 26): every record of a burst reaches the live
//! list, and an inspector that does not keep up never holds an answer.
use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use serde_json::Value;

use super::{Connection, capture_file};
use crate::common::*;
use crate::inspect::{call, login};

/// How long anything here may take before the test says it never came.
const NEVER: Duration = Duration::from_secs(60);

/// listen with its inspector; the inspector's port and session cookie.
fn listen_with_inspector(out: &str) -> (Listener, u16, String) {
    let mut listener = Listener::start(&["--out", out, "--threads", "2"]);
    let line = listener.next_stdout_line();
    let ui = line
        .trim()
        .strip_prefix("inspector: ")
        .unwrap_or_else(|| panic!("no inspector line: {line:?}"));
    let (port, cookie) = login(ui);
    (listener, port, cookie)
}

/// A live list, open (its first comment read).
fn live_list(port: u16, cookie: &str) -> BufReader<TcpStream> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream.set_read_timeout(Some(NEVER)).unwrap();
    write!(
        stream,
        "GET /api/events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nCookie: {cookie}\r\n\r\n"
    )
    .unwrap();
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    while !line.starts_with(": wa-hook inspector") {
        line.clear();
        assert!(
            reader.read_line(&mut line).unwrap() > 0,
            "the stream closed"
        );
    }
    reader
}

/// `count` requests on each of `connections` keep-alive connections at once; each answer's
/// status.
fn burst(url: &str, connections: usize, count: usize, body: &[u8]) -> Vec<u16> {
    let threads: Vec<_> = (0..connections)
        .map(|_| {
            let (url, body) = (url.to_string(), body.to_vec());
            std::thread::spawn(move || {
                let mut connection = Connection::open(&url);
                (0..count)
                    .map(|_| {
                        let headers = [("Content-Type", "application/json")];
                        connection.send("POST", "/burst", &headers, &body).status
                    })
                    .collect::<Vec<u16>>()
            })
        })
        .collect();
    threads
        .into_iter()
        .flat_map(|thread| thread.join().unwrap())
        .collect()
}

/// The records of a live list's `records` events until `total` came (each checked as the
/// burst's bodies are listed), failing when the list closes, falls behind or [`NEVER`] passes
/// first.
fn read_records(mut events: BufReader<TcpStream>, total: u64) -> (BTreeSet<u64>, usize) {
    let mut seen = BTreeSet::new();
    let mut batches = 0;
    let mut line = String::new();
    let until = Instant::now() + NEVER;
    while (seen.len() as u64) < total {
        line.clear();
        assert!(
            events.read_line(&mut line).unwrap() > 0 && Instant::now() < until,
            "the live list got {} of {total} records",
            seen.len()
        );
        assert!(
            !line.starts_with("event: reload"),
            "the live list fell behind"
        );
        if let Some(data) = line.strip_prefix("data: ") {
            let batch: Value = serde_json::from_str(data).unwrap();
            let batch = batch
                .as_array()
                .unwrap_or_else(|| panic!("not a batch: {batch}"));
            assert!(!batch.is_empty());
            batches += 1;
            for summary in batch {
                assert_eq!(summary["kind"], "status:read", "{summary}");
                assert_eq!(summary["verdict"], "valid", "{summary}");
                assert_eq!(summary["messages"][0]["status"], "read", "{summary}");
                assert!(summary["gist"].as_str().unwrap().contains("16505553921"));
                assert!(
                    seen.insert(summary["seq"].as_u64().unwrap()),
                    "a record twice: {summary}"
                );
            }
        }
    }
    (seen, batches)
}

/// Every record of a burst reaches a live list in a `records` event (once listen's live list
/// received 16-26 % of them: the inspector read the file again at the lowest priority and fell
/// behind), each as the list shows it.
#[test]
fn every_record_of_a_burst_reaches_the_live_list() {
    let dir = tempfile::tempdir().unwrap();
    let (_, out) = capture_file(&dir);
    let (listener, port, cookie) = listen_with_inspector(&out);
    let events = live_list(port, &cookie);
    let body = sample_bytes("meta/status-read");
    let (connections, each) = (8, 250);
    let total = (connections * each) as u64;
    // Read as a browser reads it, while the burst arrives: a list not read for the inspector's
    // write timeout (5 s) is closed, and a slow machine's burst may take longer than that.
    let reader = std::thread::spawn(move || read_records(events, total));
    let statuses = burst(&listener.url, connections, each, &body);
    assert!(statuses.iter().all(|status| *status == 200), "{statuses:?}");
    let (seen, batches) = reader.join().unwrap();
    assert_eq!(seen, (1..=total).collect::<BTreeSet<u64>>());
    // A flood arrives a batch at a time, not an event per record.
    assert!(
        batches < seen.len(),
        "{batches} events for {} records",
        seen.len()
    );

    // The list holds them too, and each one's detail is read from the file by its seq.
    let session = [("Cookie", cookie.as_str())];
    let (_, page) = call(port, "GET", "/api/records?limit=5", &session, b"");
    let page: Value = serde_json::from_slice(&page).unwrap();
    assert_eq!(page["total"], total, "{page}");
    assert_eq!(page["feed_dropped"], 0, "{page}");
    let newest = &page["records"][0];
    let id = newest["id"].as_u64().unwrap();
    let (status, detail) = call(port, "GET", &format!("/api/records/{id}"), &session, b"");
    let detail: Value = serde_json::from_slice(&detail).unwrap();
    assert_eq!(status, 200, "{detail}");
    assert_eq!(detail["record"]["seq"], newest["seq"]);
    assert_eq!(detail["record"]["path"], "/burst");
    let (code, _, stderr) = listener.stop();
    assert_eq!(code, Some(0), "{stderr}");
    assert!(!stderr.contains("handed to the inspector late"), "{stderr}");
}

/// An inspector that does not keep up holds no answer: live lists that read nothing (their
/// writes wait) and list calls one after another while a burst arrives; every request is
/// answered, and every record is listed once the burst is over.
#[test]
fn an_inspector_that_does_not_keep_up_holds_no_answer() {
    let dir = tempfile::tempdir().unwrap();
    let (_, out) = capture_file(&dir);
    let (listener, port, cookie) = listen_with_inspector(&out);
    // Eight live lists that never read past their status line.
    let frozen: Vec<TcpStream> = (0..8)
        .map(|_| {
            let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
            write!(
                stream,
                "GET /api/events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nCookie: {cookie}\r\n\r\n"
            )
            .unwrap();
            stream.set_read_timeout(Some(NEVER)).unwrap();
            let mut head = [0u8; 12];
            stream.read_exact(&mut head).unwrap();
            assert!(String::from_utf8_lossy(&head).contains(" 200"));
            stream
        })
        .collect();
    // A page that asks for the whole list, filtered, over and over.
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let asking = {
        let (stop, cookie) = (std::sync::Arc::clone(&stop), cookie.clone());
        std::thread::spawn(move || {
            let session = [("Cookie", cookie.as_str())];
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                call(
                    port,
                    "GET",
                    "/api/records?q=nothing&limit=1000",
                    &session,
                    b"",
                );
            }
        })
    };
    let mut body: Value = serde_json::from_slice(&sample_bytes("meta/message-text")).unwrap();
    body["entry"][0]["changes"][0]["value"]["messages"][0]["text"]["body"] =
        Value::from("x".repeat(2000));
    let body = serde_json::to_vec(&body).unwrap();
    let statuses = burst(&listener.url, 4, 1000, &body);
    assert!(statuses.iter().all(|status| *status == 200));
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    asking.join().unwrap();

    let session = [("Cookie", cookie.as_str())];
    let until = Instant::now() + NEVER;
    loop {
        let (_, page) = call(port, "GET", "/api/records?limit=1", &session, b"");
        let page: Value = serde_json::from_slice(&page).unwrap_or_default();
        if page["total"] == 4000 {
            break;
        }
        assert!(
            Instant::now() < until,
            "not every record was listed: {page}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    drop(frozen);
    let (code, _, stderr) = listener.stop();
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stderr.contains("4000 requests"), "{stderr}");
}
