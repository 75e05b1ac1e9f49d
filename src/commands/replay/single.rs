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
use crate::providers::meta::signature;

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
    let mut record = record.clone();
    let mut notes = Vec::new();
    let original = record.body_bytes()?;
    let bytes = match body {
        Some(edited) => {
            if original.as_deref() != Some(edited.as_slice())
                && record.header(signature::HEADER).is_some()
            {
                record
                    .headers
                    .retain(|(name, _)| !name.eq_ignore_ascii_case(signature::HEADER));
                notes.push(format!(
                    "left out the captured {}: the edited body no longer matches it",
                    signature::HEADER
                ));
            }
            edited
        }
        None => original.unwrap_or_default(),
    };
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
