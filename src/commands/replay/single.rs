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
use crate::secret::SecretString;

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

/// Send `record` (with `body` in place of its own, when given) to `target`, as `replay` would.
pub fn replay_record(
    record: &CaptureRecord,
    body: Option<Vec<u8>>,
    target: &Url,
    timeout: Duration,
) -> anyhow::Result<ReplayAnswer> {
    replay_record_signed(record, body, target, timeout, None)
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

/// [`replay_record`], signing what is sent with `app_secret` (`X-Hub-Signature-256`) in place
/// of the captured signature: an edited body of a provider that signs (Meta) then still passes
/// an app that checks signatures. Without a secret, a captured signature that no longer
/// matches the body is left out, and the notes say so.
pub fn replay_record_signed(
    record: &CaptureRecord,
    body: Option<Vec<u8>>,
    target: &Url,
    timeout: Duration,
    app_secret: Option<SecretString>,
) -> anyhow::Result<ReplayAnswer> {
    let mut record = record.clone();
    let mut notes = Vec::new();
    let original = record.body_bytes()?;
    let bytes = wire_body(&record, body)?;
    let edited = original.as_deref() != Some(bytes.as_slice());
    if app_secret.is_some() {
        notes.push(format!(
            "re-signed with the app secret ({})",
            signature::HEADER
        ));
    } else if edited && record.header(signature::HEADER).is_some() {
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
        app_secret,
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
        latency_ms: sent.latency.as_secs_f64() * 1000.0,
        gist: sent.detail.map(|detail| detail.gist),
        failure: sent.failure.map(|failure| failure.message),
        notes,
    })
}
