//! Turning inputs into requests, once, before anything is sent: the method, URL and headers of
//! each, and its body — either fixed bytes (read, edited and signed once, then shared by every
//! send) or a template that `--fresh` renders anew for each send.
use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use anyhow::{Context, bail};
use bytes::Bytes;
use reqwest::Method;
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};
use serde_json::Value;
use url::Url;

use super::{Config, Input, input_name};
use crate::capture::CaptureRecord;
use crate::http;
use crate::ids::IdSource;
use crate::output;
use crate::payload::{self, Refreshed};
use crate::providers::meta::signature;
use crate::providers::rules::Identity;
use crate::providers::{self, Provider};
use crate::schemas::Schema;
use crate::secret::{self, SecretString};

/// Every request to send, `repeat` times each.
pub(crate) struct Plan {
    pub templates: Vec<Template>,
}

impl Plan {
    /// Requests in one pass over the templates.
    pub fn requests_per_pass(&self) -> u64 {
        self.templates.iter().map(|t| t.steps.len() as u64).sum()
    }

    pub fn total_requests(&self, repeat: u64) -> u64 {
        self.requests_per_pass().saturating_mul(repeat)
    }
}

/// One input, ready to send: one request, or with `--sequence` several, sent in order.
pub(crate) struct Template {
    pub name: String,
    pub method: Method,
    /// Headers shared by every send (the signature, when bodies change per send, is added then);
    /// templates with the same headers share one map (the bodies of a JSON Lines file do).
    pub headers: Arc<HeaderMap>,
    pub steps: Vec<Step>,
    /// Set when each send renders new bodies (`--fresh`).
    pub generator: Option<Box<Generator>>,
    /// The schema an answer to this input must match to be acted on (a Picky Assist message's
    /// instant reply), so replay validates JSON replies against it.
    pub reply_schema: Option<&'static Schema>,
    /// How long an answer may take ([`providers::budget`]).
    pub budget: Duration,
}

/// One request of a template.
pub(crate) struct Step {
    /// `sent`, `delivered` ... for `--sequence`.
    pub label: Option<&'static str>,
    pub url: Url,
    /// Bytes shared by every send of this step; they live as long as the process, so a send
    /// hands them to the HTTP client without copying.
    pub body: Bytes,
    pub signature: Option<HeaderValue>,
}

/// What renders a template's bodies for each send under `--fresh`.
pub(crate) struct Generator {
    value: Value,
    provider: Provider,
    original: Bytes,
    /// The URL before `--picky-query` adds the fields to it.
    base_url: Url,
    sequence: bool,
    picky_query: bool,
}

/// A body rendered for one send.
pub(crate) struct Rendered {
    pub url: Url,
    pub body: Vec<u8>,
    pub signature: Option<HeaderValue>,
}

impl Generator {
    /// New ids and timestamps (one id for a whole sequence), then the user's `--set` edits.
    pub fn render(
        &self,
        template: &Template,
        config: &Config,
        ids: &mut IdSource,
    ) -> anyhow::Result<Vec<Rendered>> {
        let now = SystemTime::now();
        let mut value = self.value.clone();
        payload::refresh(&mut value, self.provider, ids, now);
        let values = if self.sequence {
            payload::status_sequence(&value, self.provider, now)?
        } else {
            vec![value]
        };
        values
            .into_iter()
            .zip(&template.steps)
            .map(|(mut value, step)| {
                payload::apply_edits(&mut value, &config.edits)?;
                let (url, body) = if self.picky_query {
                    (
                        http::join_request_url(
                            &self.base_url,
                            "",
                            &as_query(Some(self.provider), &value)?,
                        ),
                        Vec::new(),
                    )
                } else {
                    (
                        step.url.clone(),
                        encode(&value, Some(self.provider), &self.original),
                    )
                };
                let signature = config.app_secret.as_ref().map(|s| sign(s, &body));
                Ok(Rendered {
                    url,
                    body,
                    signature,
                })
            })
            .collect()
    }
}

/// A body as its provider writes it on the wire ([`Rules::wire_bytes`]: compact; Meta escapes
/// non-ASCII and `/`, and signs those bytes); a body of no provider wa-hook knows as the
/// original was written.
///
/// [`Rules::wire_bytes`]: crate::providers::Rules::wire_bytes
pub(crate) fn encode(value: &Value, provider: Option<Provider>, original: &[u8]) -> Vec<u8> {
    match provider {
        Some(provider) => provider.rules().wire_bytes(value),
        None => payload::encode_like(value, original),
    }
}

fn sign(secret: &SecretString, body: &[u8]) -> HeaderValue {
    HeaderValue::from_str(&signature::sign(secret, body)).expect("sha256=<hex> is a valid header")
}

/// Headers a capture records but a new request must compute for itself.
const NOT_REPLAYED: &[&str] = &[
    "host",
    "content-length",
    "connection",
    "keep-alive",
    "transfer-encoding",
    "te",
    "trailer",
    "upgrade",
    "proxy-connection",
    "expect",
];

/// Whether a captured header is left out of a replay (a new request computes it afresh).
pub(crate) fn not_replayed(name: &str) -> bool {
    NOT_REPLAYED
        .iter()
        .any(|skip| skip.eq_ignore_ascii_case(name))
}

pub(crate) fn build(inputs: Vec<Input>, config: &Config) -> anyhow::Result<Plan> {
    let (plan, notes) = build_with_notes(inputs, config)?;
    for note in notes {
        output::warn(note);
    }
    Ok(plan)
}

/// [`build`], handing back what is worth telling the user rather than printing it.
pub(crate) fn build_with_notes(
    inputs: Vec<Input>,
    config: &Config,
) -> anyhow::Result<(Plan, Vec<String>)> {
    let edits_body = config.fresh
        || config.sequence
        || config.picky_query
        || config.identity.is_some()
        || !config.edits.is_empty();
    if let Some(identity) = config.identity {
        check_identity(&inputs, identity)?;
    }
    if config.picky_query {
        if let Some(other) = inputs.iter().find(|input| {
            input_provider(input)
                .and_then(|p| p.rules().query_method())
                .is_none()
        }) {
            bail!(
                "--picky-query sends Picky Assist messages as query parameters; {} is not a Picky Assist message",
                input_name(other)
            );
        }
    }
    let mut notes = Notes {
        credentials_given: config.basic_auth.is_some(),
        ..Notes::default()
    };
    let inputs = match config.batch {
        Some(size) => batched(inputs, size, &mut notes)?,
        None => inputs,
    };
    let mut last_headers = None;
    let mut templates = Vec::with_capacity(inputs.len());
    let mut kept_bytes = 0usize;
    for input in inputs {
        let name = input_name(&input).to_string();
        let (bytes, record): (Bytes, Option<CaptureRecord>) = match input {
            Input::Sample(sample) => (Bytes::from_static(sample.body), None),
            Input::Body(body) => {
                if let Some(record) = &body.record {
                    match record.body_bytes() {
                        Err(err) => bail!("{name}: {err:#}"),
                        Ok(None) if record.body_bytes > 0 => {
                            notes.skipped.push(format!(
                                "{name}: the capture did not keep this {}-byte body; skipped",
                                record.body_bytes
                            ));
                            continue;
                        }
                        Ok(_) => {}
                    }
                }
                // Read once and kept for the whole run: every send shares these bytes.
                (Bytes::from(body.bytes), body.record)
            }
        };
        let template = template(
            name,
            bytes,
            record.as_ref(),
            edits_body,
            config,
            &mut notes,
            &mut last_headers,
        )?;
        // The wire form may be larger than what was read (an escaped character takes up to 6
        // bytes for 2): what is kept stays bounded all the same.
        kept_bytes = kept_bytes.saturating_add(template.steps.iter().map(|s| s.body.len()).sum());
        if kept_bytes > MAX_KEPT_BYTES {
            bail!(
                "{}: the bodies to send take more than {}; split the input and replay each part",
                template.name,
                output::size(MAX_KEPT_BYTES as u64)
            );
        }
        templates.push(template);
    }
    if templates.is_empty() {
        notes.print();
        bail!("nothing to send: no input had a body to replay");
    }
    Ok((Plan { templates }, notes.lines()))
}

/// The most the bodies of a plan may hold, in the form they are sent: twice what replay reads
/// at most (`MAX_INPUT_BYTES`), for the escapes of Meta's wire form.
const MAX_KEPT_BYTES: usize = 128 << 20;

/// `--identity`: every input must be a body of a provider that names users in several ways.
fn check_identity(inputs: &[Input], identity: Identity) -> anyhow::Result<()> {
    let able: Vec<&str> = Provider::all()
        .filter(|provider| provider.rules().identities().contains(&identity))
        .map(Provider::display_name)
        .collect();
    // A body of no provider wa-hook knows (a captured handshake, a test file) goes as it is,
    // and the notes say so; one of a provider with a single form cannot be rewritten.
    for input in inputs {
        let Some(provider) = input_provider(input) else {
            continue;
        };
        if !provider.rules().identities().contains(&identity) {
            bail!(
                "--identity {identity}: {} is a {} body, whose users are named one way only; --identity rewrites {} messages and statuses",
                input_name(input),
                provider.display_name(),
                able.join(", ")
            );
        }
    }
    Ok(())
}

/// `--batch N`: every N inputs (in order) merged into one notification by their provider
/// ([`Rules::batch`](crate::providers::Rules::batch)).
fn batched(inputs: Vec<Input>, size: usize, notes: &mut Notes) -> anyhow::Result<Vec<Input>> {
    if inputs.len() < 2 {
        bail!(
            "--batch merges several bodies into one notification, and only {} given; name more samples or files (e.g. 'meta/message-*')",
            output::plural(inputs.len() as u64, "input was", "inputs were")
        );
    }
    if inputs.len() < size {
        notes.batches.push(format!(
            "--batch {size}: {} given, sent as one notification",
            output::plural(inputs.len() as u64, "body", "bodies")
        ));
    } else if !inputs.len().is_multiple_of(size) {
        notes.batches.push(format!(
            "--batch {size}: the last notification holds {}",
            output::plural((inputs.len() % size) as u64, "body", "bodies")
        ));
    }
    let mut merged = Vec::with_capacity(inputs.len().div_ceil(size));
    let mut inputs = inputs.into_iter().peekable();
    while inputs.peek().is_some() {
        let group: Vec<Input> = inputs.by_ref().take(size).collect();
        let mut names = Vec::with_capacity(group.len());
        let mut values = Vec::with_capacity(group.len());
        let mut provider: Option<Provider> = None;
        for input in &group {
            let name = input_name(input).to_string();
            let bytes: &[u8] = match input {
                Input::Sample(sample) => sample.body,
                Input::Body(body) => {
                    if body.bytes.is_empty()
                        && body
                            .record
                            .as_ref()
                            .is_some_and(|record| record.body_bytes > 0)
                    {
                        bail!(
                            "{name}: the capture did not keep this {}-byte body, so --batch cannot merge it; leave it out (FILE:SEQ names the ones to send)",
                            body.record.as_ref().map_or(0, |record| record.body_bytes)
                        );
                    }
                    &body.bytes
                }
            };
            let value: Value = crate::validation::parse_json(bytes)
                .map_err(|_| anyhow::anyhow!("{name}: not JSON, so --batch cannot merge it"))?;
            let Some(detection) = providers::detect(&value) else {
                bail!(
                    "{name}: not a notification of a provider wa-hook knows, so --batch cannot merge it"
                );
            };
            let rules = detection.provider.rules();
            if rules.batch(std::slice::from_ref(&value)).is_none() {
                bail!(
                    "--batch: {name} is a {0} body, and {0} does not batch notifications; send it without --batch",
                    detection.provider.display_name()
                );
            }
            match provider {
                Some(first) if first != detection.provider => bail!(
                    "--batch merges bodies of one provider; {} is {} and {name} is {}",
                    names[0],
                    first.display_name(),
                    detection.provider.display_name()
                ),
                _ => provider = Some(detection.provider),
            }
            names.push(name);
            values.push(value);
        }
        let provider = provider.expect("a group holds at least one input");
        let body = provider.rules().batch(&values).with_context(|| {
            format!(
                "--batch: {} could not be merged into one notification",
                names.join(", ")
            )
        })?;
        let origin = if names.len() <= 3 {
            names.join(" + ")
        } else {
            format!("{} + {} + … ({} bodies)", names[0], names[1], names.len())
        };
        merged.push(Input::Body(Box::new(crate::inputs::Body {
            origin,
            bytes: serde_json::to_vec(&body).expect("a JSON value always encodes"),
            record: None,
            unreadable: None,
        })));
    }
    Ok(merged)
}

/// Things worth telling the user once, not once per input.
#[derive(Default)]
struct Notes {
    redacted: BTreeSet<String>,
    stale_signature: bool,
    nothing_fresh: BTreeSet<String>,
    /// `--identity` inputs that name no user (a template status, a system message).
    no_identity: BTreeSet<String>,
    batches: Vec<String>,
    skipped: Vec<String>,
    /// `--set` paths that add a key the body did not have, with a close existing one.
    new_keys: BTreeSet<(String, Option<String>)>,
    /// `--basic-auth-env` was given: a redacted Authorization header is replaced, not lost.
    credentials_given: bool,
}

impl Notes {
    fn print(&self) {
        for line in self.lines() {
            output::warn(line);
        }
    }

    fn lines(&self) -> Vec<String> {
        let mut lines = self.skipped.clone();
        lines.extend(self.batches.iter().cloned());
        // What was redacted, and how to give it again: Basic credentials through
        // --basic-auth-env, Meta's verify token through the handshake, other headers with -H.
        let mut unreplaced = Vec::new();
        let mut advice = Vec::new();
        for name in &self.redacted {
            if name.eq_ignore_ascii_case("authorization") {
                if !self.credentials_given {
                    unreplaced.push(name.as_str());
                    advice.push("--basic-auth-env VAR for Basic credentials");
                }
            } else if name.starts_with("query hub.") {
                unreplaced.push(name.as_str());
                advice.push(
                    "`wa-hook replay --handshake --verify-token-env VAR` for Meta's handshake",
                );
            } else {
                unreplaced.push(name.as_str());
                advice.push("-H 'Name: value' for other headers");
            }
        }
        if !unreplaced.is_empty() {
            advice.sort_unstable();
            advice.dedup();
            lines.push(format!(
                "left out what listen redacted in the captures ({}): the values were not saved; give them again: {}",
                unreplaced.join(", "),
                advice.join("; ")
            ));
        }
        for (path, close) in &self.new_keys {
            match close {
                Some(close) => lines.push(format!(
                    "--set {path} adds a key the body does not have; did you mean {close}?"
                )),
                None => lines.push(format!(
                    "--set {path} adds a key the body does not have (sent as asked)"
                )),
            }
        }
        if self.stale_signature {
            lines.push(
                "left out the captured X-Hub-Signature-256: the edited body no longer matches it (add --app-secret-env to sign)"
                    .to_string(),
            );
        }
        if !self.no_identity.is_empty() {
            let mut names: Vec<&str> = self
                .no_identity
                .iter()
                .map(String::as_str)
                .take(3)
                .collect();
            let more = self.no_identity.len() - names.len();
            let more = format!("and {more} more");
            if self.no_identity.len() > 3 {
                names.push(&more);
            }
            let verb = output::plural_word(self.no_identity.len() as u64, "names", "name");
            lines.push(format!(
                "--identity: {} {verb} no user wa-hook can rewrite (not a message or a status about one); sent as they are",
                names.join(", ")
            ));
        }
        if !self.nothing_fresh.is_empty() {
            let names: Vec<&str> = self.nothing_fresh.iter().map(String::as_str).collect();
            let verb = output::plural_word(names.len() as u64, "carries", "carry");
            lines.push(format!(
                "--fresh: {} {verb} no message id or timestamp wa-hook knows; sent as they are",
                names.join(", ")
            ));
        }
        lines
    }
}

/// A body as its provider's query method sends it (`--picky-query`).
fn as_query(provider: Option<Provider>, value: &Value) -> anyhow::Result<String> {
    let encode = provider
        .and_then(|provider| provider.rules().query_method())
        .context("--picky-query: this body's provider has no query-string method")?;
    encode(value)
}

fn input_provider(input: &Input) -> Option<Provider> {
    match input {
        Input::Sample(sample) => Some(sample.provider),
        Input::Body(body) => crate::validation::parse_json(&body.bytes)
            .ok()
            .and_then(|value: Value| providers::detect(&value))
            .map(|d| d.provider),
    }
}

fn template(
    name: String,
    bytes: Bytes,
    record: Option<&CaptureRecord>,
    edits_body: bool,
    config: &Config,
    notes: &mut Notes,
    last_headers: &mut Option<Arc<HeaderMap>>,
) -> anyhow::Result<Template> {
    let parsed: Option<Value> = crate::validation::parse_json(&bytes).ok();
    let detection = parsed.as_ref().and_then(providers::detect);
    let reply_schema = detection.as_ref().and_then(providers::reply_schema);
    let (method, url, mut headers) = match record {
        Some(record) => from_record(record, &config.target, notes)?,
        None => (Method::POST, config.target.clone(), HeaderMap::new()),
    };
    if edits_body && config.app_secret.is_none() && headers.remove(signature::HEADER).is_some() {
        notes.stale_signature = true;
    }
    if config.app_secret.is_some() {
        headers.remove(signature::HEADER);
    }
    let looks_like_json = matches!(bytes.trim_ascii_start().first(), Some(b'{' | b'['));
    if looks_like_json && !config.picky_query && !headers.contains_key(CONTENT_TYPE) {
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    }
    // The user's -H replaces a captured header of the same name; repeated -H add up.
    for (header, _) in &config.headers {
        headers.remove(header);
    }
    for (header, value) in &config.headers {
        headers.append(header.clone(), value.clone());
    }
    if let Some(auth) = &config.basic_auth {
        let mut value = HeaderValue::from_str(auth.header_value().expose())
            .context("the Basic auth user name has characters a header cannot hold")?;
        value.set_sensitive(true);
        headers.insert(AUTHORIZATION, value);
    }

    let headers = match last_headers {
        Some(last) if **last == headers => Arc::clone(last),
        _ => Arc::clone(last_headers.insert(Arc::new(headers))),
    };
    let mut template = Template {
        name,
        method,
        headers,
        steps: Vec::new(),
        generator: None,
        reply_schema,
        budget: providers::budget(config.budget, detection.as_ref().map(|d| d.provider)).0,
    };
    if !edits_body {
        // A captured request goes byte for byte, and so does anything with --raw-bytes; the
        // rest as its provider writes it, the bytes a receiver verifies a signature over.
        let provider = detection.as_ref().map(|d| d.provider);
        let body = match (&parsed, provider) {
            (Some(value), Some(provider)) if record.is_none() && !config.raw_bytes => {
                Bytes::from(provider.rules().wire_bytes(value))
            }
            _ => bytes,
        };
        template.steps.push(Step {
            label: None,
            signature: config.app_secret.as_ref().map(|s| sign(s, &body)),
            url,
            body,
        });
        return Ok(template);
    }

    let Some(mut value) = parsed else {
        bail!(
            "{}: not JSON, so --set, --fresh, --sequence, --identity and --picky-query cannot edit it",
            template.name
        );
    };
    let provider = detection.as_ref().map(|d| d.provider);
    if let Some(identity) = config.identity {
        match provider.and_then(|provider| provider.rules().with_identity(&value, identity)) {
            Some(rewritten) => value = rewritten,
            None => {
                notes.no_identity.insert(template.name.clone());
            }
        }
    }
    let labels: Vec<Option<&'static str>> = if config.sequence {
        let statuses = provider
            .and_then(|provider| payload::sequence_statuses(&value, provider))
            .with_context(|| {
                format!(
                    "--sequence needs a status (e.g. meta/status-sent, qikchat/status-read); {} is {}",
                    template.name,
                    detection.as_ref().map_or("not a shape wa-hook knows".to_string(), |d| d.label())
                )
            })?;
        statuses.into_iter().map(Some).collect()
    } else {
        vec![None]
    };
    let now = SystemTime::now();
    let values = match provider {
        Some(provider) if config.sequence => payload::status_sequence(&value, provider, now)?,
        _ => vec![value.clone()],
    };
    if config.fresh {
        let mut probe = value.clone();
        let refreshed = provider
            .map(|p| payload::refresh(&mut probe, p, &mut IdSource::new(), now))
            .unwrap_or(Refreshed::NothingToRefresh);
        if refreshed == Refreshed::NothingToRefresh {
            notes.nothing_fresh.insert(template.name.clone());
        }
    }
    for edit in &config.edits {
        if let Some(new_key) = edit.new_key_in(&value) {
            notes.new_keys.insert(new_key);
        }
    }
    for (mut value, label) in values.into_iter().zip(labels) {
        payload::apply_edits(&mut value, &config.edits)
            .with_context(|| format!("editing {}", template.name))?;
        let (url, body): (Url, Bytes) = if config.picky_query {
            (
                http::join_request_url(&url, "", &as_query(provider, &value)?),
                Bytes::new(),
            )
        } else {
            let body = encode(&value, provider, &bytes);
            (url.clone(), Bytes::from(body))
        };
        template.steps.push(Step {
            label,
            signature: config.app_secret.as_ref().map(|s| sign(s, &body)),
            url,
            body,
        });
    }
    if config.fresh {
        if let Some(provider) = provider {
            template.generator = Some(Box::new(Generator {
                value,
                provider,
                original: bytes.clone(),
                base_url: url,
                sequence: config.sequence,
                picky_query: config.picky_query,
            }));
        }
    }
    Ok(template)
}

/// Method, URL and headers of a captured request: its path is appended to the target's path,
/// its query added to the target's; headers it could not keep (redacted) are left out.
fn from_record(
    record: &CaptureRecord,
    target: &Url,
    notes: &mut Notes,
) -> anyhow::Result<(Method, Url, HeaderMap)> {
    let method = Method::from_bytes(record.method.as_bytes()).with_context(|| {
        format!(
            "the captured method `{}` is not an HTTP method",
            record.method
        )
    })?;
    // `listen` redacts secrets in the query too (`hub.verify_token`): leave those out.
    let query: Vec<&str> = record
        .query
        .split('&')
        .filter(|pair| {
            let redacted = pair
                .split_once('=')
                .is_some_and(|(_, value)| value == secret::REDACTED || value == "%28redacted%29");
            if redacted {
                notes
                    .redacted
                    .insert(format!("query {}", pair.split('=').next().unwrap_or("")));
            }
            !redacted && !pair.is_empty()
        })
        .collect();
    let url = http::join_request_url(target, &record.path, &query.join("&"));
    let mut headers = HeaderMap::new();
    for (name, value) in &record.headers {
        let redacted = secret::is_redacted(name, value, &record.redacted_headers);
        if redacted {
            notes.redacted.insert(name.clone());
            continue;
        }
        if not_replayed(name) {
            continue;
        }
        let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) else {
            continue;
        };
        headers.append(name, value);
    }
    Ok((method, url, headers))
}
