//! The replay button: one captured request sent again to one target through [`net::send`], as
//! `wa-hook replay FILE:SEQ --to URL` sends it (the same request built from the record, the
//! same bounds and failure classes), with what replay would print handed back to the page.
use std::time::Duration;

use serde::Serialize;
use url::Url;

use crate::capture::CaptureRecord;
use crate::http;
use crate::net::{self, RecordRequest};
use crate::providers;

/// What came back from one replay.
#[derive(Debug, Serialize)]
pub struct ReplayAnswer {
    pub url: String,
    pub status: Option<u16>,
    pub latency_ms: f64,
    /// A few words about the answer's body.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gist: Option<String>,
    /// Why nothing (or nothing whole) came back.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure: Option<String>,
    /// What replay would have warned about (headers left out ...).
    pub notes: Vec<String>,
}

/// Send `record` (with `body` in place of its own, when given: see [`net::wire_body`]) to
/// `target`, as `replay` would.
pub fn replay_record(
    record: &CaptureRecord,
    body: Option<Vec<u8>>,
    target: &Url,
    timeout: Duration,
) -> anyhow::Result<ReplayAnswer> {
    let mut notes = Vec::new();
    let original = record
        .body_bytes()
        .map_err(|err| anyhow::anyhow!("seq {}: {err:#}", record.seq))?;
    if original.is_none() && record.body_bytes > 0 {
        anyhow::bail!("nothing to send: no input had a body to replay");
    }
    let bytes = net::wire_body(record, body)?;
    let edited = original.as_deref() != Some(bytes.as_slice());
    let mut request = RecordRequest::new(record, target)?;
    let (_, signing) = providers::signing_for(record.provider);
    if edited && request.headers.remove(signing.header()).is_some() {
        notes.push(format!(
            "left out the captured {}: the edited body no longer matches it",
            signing.header()
        ));
    }
    notes.extend(net::redacted_note(&request.redacted, false));
    net::default_content_type(&mut request.headers, &bytes);
    let url = request.url.to_string();
    let client = http::client(&http::HttpOptions {
        timeout,
        insecure: false,
    })?;
    let request = net::Request {
        method: request.method,
        url: request.url,
        headers: request.headers,
        body: reqwest::Body::from(bytes),
    };
    let reply = http::runtime().block_on(net::send(&client, request, target, true));
    let gist = reply.status.map(|_| {
        if let Some(failure) = &reply.failure {
            format!("({})", failure.message)
        } else {
            let parsed = crate::validation::parse_json(&reply.body).ok();
            net::gist(&reply.body, parsed.as_ref())
        }
    });
    Ok(ReplayAnswer {
        url,
        status: reply.status,
        latency_ms: crate::output::ms(reply.latency),
        gist,
        failure: reply.failure.map(|failure| failure.message),
        notes,
    })
}

#[cfg(test)]
mod tests {
    use std::io::{BufRead, BufReader, Read, Write};

    use super::*;
    use crate::net::tests::record;
    use crate::providers;

    /// One request's head and body, answered 200.
    fn one_request() -> (Url, std::thread::JoinHandle<(String, Vec<u8>)>) {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = Url::parse(&format!("http://{}/", listener.local_addr().unwrap())).unwrap();
        let handle = std::thread::spawn(move || {
            let (stream, _) = listener.accept().unwrap();
            let mut reader = BufReader::new(stream);
            let mut head = String::new();
            loop {
                let mut line = String::new();
                reader.read_line(&mut line).unwrap();
                if line == "\r\n" || line.is_empty() {
                    break;
                }
                head.push_str(&line);
            }
            let length: usize = head
                .lines()
                .find_map(|line| {
                    let (name, value) = line.split_once(':')?;
                    name.eq_ignore_ascii_case("content-length")
                        .then(|| value.trim().parse().ok())?
                })
                .unwrap_or(0);
            let mut body = vec![0; length];
            reader.read_exact(&mut body).unwrap();
            reader
                .get_mut()
                .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                .unwrap();
            (head, body)
        });
        (url, handle)
    }

    #[test]
    fn an_edited_body_is_sent_in_wire_form_without_the_stale_signature() {
        let captured = crate::catalogue::find_sample("meta/message-reaction")
            .unwrap()
            .body;
        let edited = String::from_utf8(captured.to_vec())
            .unwrap()
            .replace("102290129340398", "42");
        let value: serde_json::Value = serde_json::from_str(&edited).unwrap();
        let wire = providers::detect(&value)
            .unwrap()
            .provider
            .rules()
            .wire_bytes(&value);
        let (url, server) = one_request();
        let answer = replay_record(
            &record(captured),
            Some(edited.into_bytes()),
            &url,
            Duration::from_secs(10),
        )
        .unwrap();
        let (head, body) = server.join().unwrap();
        assert_eq!(answer.status, Some(200));
        assert_eq!(body, wire);
        assert!(body.is_ascii());
        assert!(
            !head.to_ascii_lowercase().contains("x-hub-signature-256"),
            "{head}"
        );
        assert!(
            answer
                .notes
                .iter()
                .any(|note| note.contains("left out the captured")),
            "{:?}",
            answer.notes
        );
    }
}
