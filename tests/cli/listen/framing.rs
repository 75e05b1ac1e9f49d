//! Request framing per RFC 9112 sections 6.1 and 6.3 (issue 22): the ways a body's length can
//! be declared that could let a request hide behind another (smuggling), each answered and
//! recorded.
use std::io::Read;

use super::hostile::sent;
use super::*;

/// Both Transfer-Encoding and Content-Length: the body is read as chunked, the answer says
/// `Connection: close` and the connection closes, so the request sent behind it is neither
/// answered, captured nor forwarded.
#[test]
fn a_request_framed_two_ways_is_read_as_chunked_and_the_connection_closed() {
    let dir = tempfile::tempdir().unwrap();
    let (path, out) = capture_file(&dir);
    let listener = Listener::start(&["--out", &out, "--no-ui"]);
    let request = "POST /first HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\
                   Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n\
                   GET /hidden HTTP/1.1\r\nHost: x\r\n\r\n";
    let mut connection = sent(&listener.url, request.as_bytes());
    let answer = connection.read_response();
    assert_eq!(answer.status, 200);
    assert_eq!(answer.header("Connection"), Some("close"));
    let mut rest = Vec::new();
    let _ = connection.reader.read_to_end(&mut rest);
    assert!(
        rest.is_empty(),
        "a second answer: {}",
        String::from_utf8_lossy(&rest)
    );
    let (code, _, stderr) = listener.stop();
    assert_eq!(code, Some(0), "{stderr}");
    let records = read_records(&path);
    assert_eq!(records.len(), 1, "{records:?}");
    assert_eq!(records[0].path, "/first");
    assert_eq!(records[0].body.as_deref(), Some("{}"));
}

/// Chunked in an HTTP/1.0 request (which knows no chunked; RFC 9112 section 6.1: faulty
/// framing) that asks to keep the connection: read as chunked, answered, and the connection
/// closed, so the request sent behind it is neither answered nor captured.
#[test]
fn chunked_in_http_1_0_is_the_connection_s_last_request() {
    let dir = tempfile::tempdir().unwrap();
    let (path, out) = capture_file(&dir);
    let listener = Listener::start(&["--out", &out, "--no-ui"]);
    let request = "POST /first HTTP/1.0\r\nHost: x\r\nConnection: keep-alive\r\n\
                   Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n\
                   GET /hidden HTTP/1.1\r\nHost: x\r\n\r\n";
    let mut connection = sent(&listener.url, request.as_bytes());
    let answer = connection.read_response();
    assert_eq!(answer.status, 200);
    let mut rest = Vec::new();
    let _ = connection.reader.read_to_end(&mut rest);
    assert!(
        rest.is_empty(),
        "a second answer: {}",
        String::from_utf8_lossy(&rest)
    );
    let (code, _, stderr) = listener.stop();
    assert_eq!(code, Some(0), "{stderr}");
    let records = read_records(&path);
    assert_eq!(records.len(), 1, "{records:?}");
    assert_eq!(records[0].path, "/first");
    assert_eq!(records[0].body.as_deref(), Some("{}"));
}

/// Each framing refused: chunked not last (400), a coding other than chunked (501, at once,
/// not after the sender gives up), a Content-Length that is not only digits (400). Each is
/// answered, closes its connection and is recorded with why.
#[test]
fn framings_this_listener_cannot_read_are_refused_and_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let (path, out) = capture_file(&dir);
    let listener = Listener::start(&["--out", &out, "--no-ui"]);
    let cases = [
        (
            "Transfer-Encoding: chunked, gzip",
            400,
            "chunked must be the last",
        ),
        ("Transfer-Encoding: identity", 501, "reads only chunked"),
        (
            "Transfer-Encoding: gzip, chunked",
            501,
            "reads only chunked",
        ),
        ("Content-Length: +7", 400, "Content-Length `+7`"),
    ];
    for (header, status, _) in cases {
        // The body is not sent: the refusal must not wait for it.
        let head = format!("POST /framed HTTP/1.1\r\nHost: x\r\n{header}\r\n\r\n");
        let mut connection = sent(&listener.url, head.as_bytes());
        let answer = connection.read_response();
        assert_eq!(answer.status, status, "{header}");
        let mut rest = Vec::new();
        let _ = connection.reader.read_to_end(&mut rest);
        assert!(rest.is_empty(), "{header}: the connection stayed open");
    }
    let (code, _, stderr) = listener.stop();
    assert_eq!(code, Some(0), "{stderr}");
    let records = read_records(&path);
    assert_eq!(records.len(), cases.len(), "{records:?}");
    for (record, (header, status, reason)) in records.iter().zip(cases) {
        assert_eq!(record.response_status, status, "{header}");
        let rejected = written(record.rejected.as_ref()).unwrap_or_default();
        assert!(rejected.contains(reason), "{header}: {rejected}");
        assert_eq!(record.path, "/framed");
    }
}
