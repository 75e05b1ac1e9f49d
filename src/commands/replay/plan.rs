//! Turning inputs into requests, once, before anything is sent: the method, URL and headers of
//! each, and its body — either fixed bytes (read, edited and signed once, then shared by every
//! send) or a template that `--fresh` renders anew for each send.
use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use anyhow::{Context, bail};
use bytes::Bytes;
use reqwest::Method;
use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderValue};
use serde_json::Value;
use url::Url;

use super::{Config, Input, input_name};
use crate::capture::CaptureRecord;
use crate::http;
use crate::ids::IdSource;
use crate::net;
use crate::output;
use crate::payload::{self, Refreshed};
use crate::providers::rules::Identity;
use crate::providers::{self, Provider};
use crate::schemas::Schema;
use crate::secret::SecretString;

/// Every request to send, `repeat` times each.
pub(crate) struct Plan {
    /// Where every request goes (a captured request's path is appended to it).
    pub target: Url,
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
    HeaderValue::from_str(&providers::signing_for(None).1.sign(secret, body))
        .expect("sha256=<hex> is a valid header")
}

/// Read, edit and sign every input once, for `target`; what is worth telling the user is
/// printed as a warning.
pub(crate) fn build(inputs: Vec<Input>, target: Url, config: &Config) -> anyhow::Result<Plan> {
    check_inputs(&inputs, config)?;
    let mut notes = Notes {
        credentials_given: config.basic_auth.is_some(),
        ..Notes::default()
    };
    let inputs = match config.batch {
        Some(size) => batched(inputs, size, &mut notes)?,
        None => inputs,
    };
    let edits_body = config.fresh
        || config.sequence
        || config.picky_query
        || config.identity.is_some()
        || !config.edits.is_empty();
    let mut last_headers = None;
    let mut templates = Vec::with_capacity(inputs.len());
    let mut kept_bytes = 0usize;
    for input in inputs {
        let name = input_name(&input).to_string();
        let Some((bytes, record)) = input_body(input, &name, &mut notes)? else {
            continue;
        };
        let template = template(
            Source {
                name,
                bytes,
                record: record.as_ref(),
            },
            &target,
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
    notes.print();
    if templates.is_empty() {
        bail!("nothing to send: no input had a body to replay");
    }
    Ok(Plan { target, templates })
}

/// What the flags ask of every input, checked before any is read further: `--identity` and
/// `--picky-query` rewrite bodies of some providers only.
fn check_inputs(inputs: &[Input], config: &Config) -> anyhow::Result<()> {
    if let Some(identity) = config.identity {
        check_identity(inputs, identity)?;
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
    Ok(())
}

/// An input's bytes (shared by every send) and its capture record; `None` for a captured
/// request whose body the capture did not keep (noted and skipped).
fn input_body(
    input: Input,
    name: &str,
    notes: &mut Notes,
) -> anyhow::Result<Option<(Bytes, Option<CaptureRecord>)>> {
    let body = match input {
        Input::Sample(sample) => return Ok(Some((Bytes::from_static(sample.body), None))),
        Input::Body(body) => body,
    };
    if let Some(record) = &body.record {
        // `wa-hook emulate` records the app's own requests too: they are no webhooks.
        if record.direction == Some(crate::capture::Direction::Send) {
            notes.skipped.push(format!(
                "{name}: the app's request to `wa-hook emulate`, not a webhook; skipped"
            ));
            return Ok(None);
        }
        match record.body_bytes() {
            Err(err) => bail!("{name}: {err:#}"),
            Ok(None) if record.body_bytes > 0 => {
                notes.skipped.push(format!(
                    "{name}: the capture did not keep this {}-byte body; skipped",
                    record.body_bytes
                ));
                return Ok(None);
            }
            Ok(_) => {}
        }
    }
    // Read once and kept for the whole run: every send shares these bytes.
    Ok(Some((Bytes::from(body.bytes), body.record)))
}

/// The most the bodies of a plan may hold, in the form they are sent: twice what replay reads
/// at most (`MAX_INPUT_BYTES`), for the escapes of Meta's wire form.
const MAX_KEPT_BYTES: usize = 128 << 20;

/// `--identity`: every input must be a body of a provider that names users in several ways.
fn check_identity(inputs: &[Input], identity: Identity) -> anyhow::Result<()> {
    let able: Vec<&str> = Provider::all()
        .filter(|provider| {
            provider
                .rules()
                .identities()
                .is_some_and(|i| i.forms().contains(&identity))
        })
        .map(Provider::display_name)
        .collect();
    // A body of no provider wa-hook knows (a captured handshake, a test file) goes as it is,
    // and the notes say so; one of a provider with a single form cannot be rewritten.
    for input in inputs {
        let Some(provider) = input_provider(input) else {
            continue;
        };
        if !provider
            .rules()
            .identities()
            .is_some_and(|i| i.forms().contains(&identity))
        {
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
/// ([`Batching::batch`](crate::providers::Batching::batch)).
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
        merged.push(merge(&group)?);
    }
    Ok(merged)
}

/// One group of `--batch` inputs merged into one notification of their (one) provider.
fn merge(group: &[Input]) -> anyhow::Result<Input> {
    let mut names = Vec::with_capacity(group.len());
    let mut values = Vec::with_capacity(group.len());
    let mut provider: Option<Provider> = None;
    for input in group {
        let name = input_name(input).to_string();
        let (value, detected) = batchable(input, &name)?;
        match provider {
            Some(first) if first != detected => bail!(
                "--batch merges bodies of one provider; {} is {} and {name} is {}",
                names[0],
                first.display_name(),
                detected.display_name()
            ),
            _ => provider = Some(detected),
        }
        names.push(name);
        values.push(value);
    }
    let provider = provider.expect("a group holds at least one input");
    let body = provider
        .rules()
        .batching()
        .and_then(|b| b.batch(&values))
        .with_context(|| {
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
    Ok(Input::Body(Box::new(crate::inputs::Body {
        origin,
        bytes: serde_json::to_vec(&body).expect("a JSON value always encodes"),
        record: None,
        unreadable: None,
    })))
}

/// An input `--batch` can merge: its JSON and its provider, one that batches notifications.
fn batchable(input: &Input, name: &str) -> anyhow::Result<(Value, Provider)> {
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
        bail!("{name}: not a notification of a provider wa-hook knows, so --batch cannot merge it");
    };
    if detection
        .provider
        .rules()
        .batching()
        .and_then(|b| b.batch(std::slice::from_ref(&value)))
        .is_none()
    {
        bail!(
            "--batch: {name} is a {0} body, and {0} does not batch notifications; send it without --batch",
            detection.provider.display_name()
        );
    }
    Ok((value, detection.provider))
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
        lines.extend(net::redacted_note(&self.redacted, self.credentials_given));
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
    let method = provider
        .and_then(|provider| provider.rules().query_method())
        .context("--picky-query: this body's provider has no query-string method")?;
    method.encode(value)
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

/// One input as read: its name for output, its bytes, and its capture record when it is a
/// captured request.
struct Source<'a> {
    name: String,
    bytes: Bytes,
    record: Option<&'a CaptureRecord>,
}

fn template(
    source: Source<'_>,
    target: &Url,
    edits_body: bool,
    config: &Config,
    notes: &mut Notes,
    last_headers: &mut Option<Arc<HeaderMap>>,
) -> anyhow::Result<Template> {
    let parsed: Option<Value> = crate::validation::parse_json(&source.bytes).ok();
    let detection = parsed.as_ref().and_then(providers::detect);
    let provider = detection.as_ref().map(|d| d.provider);
    let (method, url, headers) = request_head(&source, target, edits_body, config, notes)?;
    let headers = match last_headers {
        Some(last) if **last == headers => Arc::clone(last),
        _ => Arc::clone(last_headers.insert(Arc::new(headers))),
    };
    let mut template = Template {
        name: source.name,
        method,
        headers,
        steps: Vec::new(),
        generator: None,
        reply_schema: detection.as_ref().and_then(providers::reply_schema),
        budget: providers::budget(config.budget, provider).0,
    };
    if !edits_body {
        // A captured request goes byte for byte, and so does anything with --raw-bytes; the
        // rest as its provider writes it, the bytes a receiver verifies a signature over.
        let body = match (&parsed, provider) {
            (Some(value), Some(provider)) if source.record.is_none() && !config.raw_bytes => {
                Bytes::from(provider.rules().wire_bytes(value))
            }
            _ => source.bytes,
        };
        template.steps.push(Step {
            label: None,
            signature: config.app_secret.as_ref().map(|s| sign(s, &body)),
            url,
            body,
        });
        return Ok(template);
    }
    let Some(value) = parsed else {
        bail!(
            "{}: not JSON, so --set, --fresh, --sequence, --identity and --picky-query cannot edit it",
            template.name
        );
    };
    let edited = Edited {
        value,
        provider,
        label: detection.as_ref().map(|d| d.label()),
        original: source.bytes,
        url,
    };
    edited_steps(&mut template, edited, config, notes)?;
    Ok(template)
}

/// The method, URL and headers every send of an input shares: a captured request's own
/// (without what listen redacted), else a POST to the target; then the signature left out
/// where it will not match, a JSON content type, the user's -H headers and Basic auth.
fn request_head(
    source: &Source<'_>,
    target: &Url,
    edits_body: bool,
    config: &Config,
    notes: &mut Notes,
) -> anyhow::Result<(Method, Url, HeaderMap)> {
    let (method, url, mut headers) = match source.record {
        Some(record) => {
            let request = net::RecordRequest::new(record, target)?;
            notes.redacted.extend(request.redacted);
            (request.method, request.url, request.headers)
        }
        None => (Method::POST, target.clone(), HeaderMap::new()),
    };
    if edits_body
        && config.app_secret.is_none()
        && headers
            .remove(providers::signing_for(None).1.header())
            .is_some()
    {
        notes.stale_signature = true;
    }
    if config.app_secret.is_some() {
        headers.remove(providers::signing_for(None).1.header());
    }
    // `--picky-query` sends no body: no content type for one.
    if !config.picky_query {
        net::default_content_type(&mut headers, &source.bytes);
    }
    // The user's -H replaces a captured header of the same name; repeated -H add up.
    for (header, _) in &config.requests.headers {
        headers.remove(header);
    }
    for (header, value) in &config.requests.headers {
        headers.append(header.clone(), value.clone());
    }
    if let Some(auth) = &config.basic_auth {
        let mut value = HeaderValue::from_str(auth.header_value().expose())
            .context("the Basic auth user name has characters a header cannot hold")?;
        value.set_sensitive(true);
        headers.insert(AUTHORIZATION, value);
    }
    Ok((method, url, headers))
}

/// A JSON body the flags edit (`--set`, `--fresh`, `--sequence`, `--identity`,
/// `--picky-query`).
struct Edited {
    value: Value,
    provider: Option<Provider>,
    /// What wa-hook takes the body for, when it knows its shape.
    label: Option<String>,
    original: Bytes,
    url: Url,
}

/// The steps of an edited body: one, or with `--sequence` one per status; with `--fresh` the
/// generator that renders them anew for each send.
fn edited_steps(
    template: &mut Template,
    mut edited: Edited,
    config: &Config,
    notes: &mut Notes,
) -> anyhow::Result<()> {
    let provider = edited.provider;
    if let Some(identity) = config.identity {
        match provider.and_then(|provider| {
            provider
                .rules()
                .identities()?
                .with_identity(&edited.value, identity)
        }) {
            Some(rewritten) => edited.value = rewritten,
            None => {
                notes.no_identity.insert(template.name.clone());
            }
        }
    }
    let labels = sequence_labels(&edited, &template.name, config)?;
    let now = SystemTime::now();
    let values = match provider {
        Some(provider) if config.sequence => {
            payload::status_sequence(&edited.value, provider, now)?
        }
        _ => vec![edited.value.clone()],
    };
    note_unchanged(&edited, &template.name, config, notes, now);
    for (mut value, label) in values.into_iter().zip(labels) {
        payload::apply_edits(&mut value, &config.edits)
            .with_context(|| format!("editing {}", template.name))?;
        let (url, body): (Url, Bytes) = if config.picky_query {
            (
                http::join_request_url(&edited.url, "", &as_query(provider, &value)?),
                Bytes::new(),
            )
        } else {
            let body = encode(&value, provider, &edited.original);
            (edited.url.clone(), Bytes::from(body))
        };
        template.steps.push(Step {
            label,
            signature: config.app_secret.as_ref().map(|s| sign(s, &body)),
            url,
            body,
        });
    }
    if let (true, Some(provider)) = (config.fresh, provider) {
        template.generator = Some(Box::new(Generator {
            value: edited.value,
            provider,
            original: edited.original,
            base_url: edited.url,
            sequence: config.sequence,
            picky_query: config.picky_query,
        }));
    }
    Ok(())
}

/// One label per step: with `--sequence`, the statuses of the sample's sequence (`sent`,
/// `delivered` ...); else one step without a label.
fn sequence_labels(
    edited: &Edited,
    name: &str,
    config: &Config,
) -> anyhow::Result<Vec<Option<&'static str>>> {
    if !config.sequence {
        return Ok(vec![None]);
    }
    let statuses = edited
        .provider
        .and_then(|provider| payload::sequence_statuses(&edited.value, provider))
        .with_context(|| {
            format!(
                "--sequence needs a status (e.g. meta/status-sent, qikchat/status-read); {name} is {}",
                edited
                    .label
                    .clone()
                    .unwrap_or_else(|| "not a shape wa-hook knows".to_string())
            )
        })?;
    Ok(statuses.into_iter().map(Some).collect())
}

/// Note what the flags will not change: `--fresh` on a body without ids or timestamps, and
/// `--set` paths that add a key the body did not have.
fn note_unchanged(
    edited: &Edited,
    name: &str,
    config: &Config,
    notes: &mut Notes,
    now: SystemTime,
) {
    if config.fresh {
        let mut probe = edited.value.clone();
        let refreshed = edited
            .provider
            .map(|p| payload::refresh(&mut probe, p, &mut IdSource::new(), now))
            .unwrap_or(Refreshed::NothingToRefresh);
        if refreshed == Refreshed::NothingToRefresh {
            notes.nothing_fresh.insert(name.to_string());
        }
    }
    for edit in &config.edits {
        if let Some(new_key) = edit.new_key_in(&edited.value) {
            notes.new_keys.insert(new_key);
        }
    }
}
