//! One captured request sent again, for the inspector's replay button: the same plan and
//! sending code as `wa-hook replay FILE:SEQ --to URL`, with what it would print handed back.
use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use url::Url;

use super::{Config, Input, StatusSet, plan, send};
use crate::capture::CaptureRecord;
use crate::cli::Format;
use crate::http;
use crate::inputs::Body;
use crate::providers::{self, meta::signature};

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

/// What [`replay_record`] sends for `record` with `edited` in place of its body: the captured
/// bytes when nothing changed; otherwise the edited body as its provider writes it on the wire
/// (Meta: compact, non-ASCII as `\uXXXX`, `/` as `\/`, the bytes Meta signs), or as given when
/// it is not a body of a provider wa-hook knows.
pub fn wire_body(record: &CaptureRecord, edited: Option<Vec<u8>>) -> anyhow::Result<Vec<u8>> {
    let original = record.body_bytes()?;
    Ok(match edited {
        Some(edited) if original.as_deref() != Some(edited.as_slice()) => {
            let value: Option<serde_json::Value> = crate::validation::parse_json(&edited).ok();
            match value
                .as_ref()
                .and_then(|value| Some((value, providers::detect(value)?)))
            {
                Some((value, detection)) => detection.provider.rules().wire_bytes(value),
                None => edited,
            }
        }
        Some(edited) => edited,
        None => original.unwrap_or_default(),
    })
}

/// Send `record` (with `body` in place of its own, when given) to `target`, as `replay` would.
pub fn replay_record(
    record: &CaptureRecord,
    body: Option<Vec<u8>>,
    target: &Url,
    timeout: Duration,
) -> anyhow::Result<ReplayAnswer> {
    let mut record = record.clone();
    let mut notes = Vec::new();
    let original = record.body_bytes()?;
    let bytes = wire_body(&record, body)?;
    let edited = original.as_deref() != Some(bytes.as_slice());
    if edited && record.header(signature::HEADER).is_some() {
        record
            .headers
            .retain(|(name, _)| !name.eq_ignore_ascii_case(signature::HEADER));
        notes.push(format!(
            "left out the captured {}: the edited body no longer matches it",
            signature::HEADER
        ));
    }

    let config = Config {
        target: target.clone(),
        concurrency: 1,
        repeat: 1,
        rate: None,
        timeout,
        budget: None,
        expect: StatusSet::parse("2xx")?,
        headers: Vec::new(),
        basic_auth: None,
        app_secret: None,
        header_secrets: Vec::new(),
        edits: Vec::new(),
        fresh: false,
        sequence: false,
        picky_query: false,
        raw_bytes: false,
        batch: None,
        identity: None,
        insecure: false,
        verbose: false,
        // Nothing is printed: the answer goes back to the caller.
        format: Format::Json,
    };
    let input = Input::Body(Box::new(Body {
        origin: format!("seq {}", record.seq),
        bytes,
        record: Some(record),
        unreadable: None,
    }));
    let (plan, plan_notes) = plan::build_with_notes(vec![input], &config)?;
    notes.extend(plan_notes);
    let plan = Arc::new(plan);
    let config = Arc::new(config);
    let client = http::client(&config.http_options())?;
    let results = send::run(&client, &plan, &config, true)?;
    let sent = results
        .first
        .ok_or_else(|| anyhow::anyhow!("nothing was sent"))?;
    let url = plan.templates[0].steps[0].url.to_string();
    Ok(ReplayAnswer {
        url,
        status: sent.status,
        latency_ms: crate::output::ms(sent.latency),
        gist: sent.detail.map(|detail| detail.gist),
        failure: sent.failure.map(|failure| failure.message),
        notes,
    })
}

#[cfg(test)]
mod tests {
    use std::io::{BufRead, BufReader, Read, Write};

    use super::*;

    fn record(body: &[u8]) -> CaptureRecord {
        serde_json::from_value(serde_json::json!({
            "wa_hook_capture": 1,
            "seq": 3,
            "received_at": "2026-12-07T00:00:00.000000Z",
            "remote_addr": "127.0.0.1:1",
            "method": "POST",
            "path": "/webhook",
            "headers": [["X-Hub-Signature-256", "sha256=00"], ["Content-Type", "application/json"]],
            "body": std::str::from_utf8(body).unwrap(),
            "body_encoding": "utf8",
            "body_bytes": body.len(),
            "response_status": 200,
        }))
        .unwrap()
    }

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
    fn an_edited_body_goes_as_its_provider_writes_it_and_an_unedited_one_as_captured() {
        let captured = crate::catalogue::find_sample("meta/message-reaction")
            .unwrap()
            .body;
        let record = record(captured);
        assert_eq!(wire_body(&record, None).unwrap(), captured);
        assert_eq!(
            wire_body(&record, Some(captured.to_vec())).unwrap(),
            captured
        );
        let edited = String::from_utf8(captured.to_vec())
            .unwrap()
            .replace("\"emoji\"", "\"emoji\" ");
        let sent = wire_body(&record, Some(edited.into_bytes())).unwrap();
        let text = String::from_utf8(sent).unwrap();
        assert!(text.is_ascii() && text.contains("\\ud83d\\udc4d"), "{text}");
        // Not a provider's body: as given.
        assert_eq!(
            wire_body(&record, Some(b"{ \"a\": \"\xc3\xa9\" }".to_vec())).unwrap(),
            b"{ \"a\": \"\xc3\xa9\" }"
        );
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
