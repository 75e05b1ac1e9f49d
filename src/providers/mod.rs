//! The provider registry: every provider wa-hook knows, in one list, each in its own folder
//! (`src/providers/<id>/`) behind the [`Rules`] trait. Detection, validation, `listen`,
//! `replay`, `samples`, `schemas` and completions all go through here.
//!
//! Adding a provider:
//! 1. `src/providers/<id>/mod.rs`: a type implementing [`Rules`] and `pub static RULES`; and
//!    each capability it has ([`capabilities`]: signing, handshake, lifecycle ...), returned
//!    from the matching `Rules` method.
//! 2. `src/providers/<id>/schemas/*.json`: its JSON Schemas (draft 2020-12, ids unique).
//! 3. `samples/<id>/*.json`, indexed in `samples/<id>/README.md` (`| Sample | Kind |
//!    Description |`), with a sample of every kind name it declares.
//! 4. One registration line: its id in the `registry!` list below.
//!
//! (The committed shell completions list the provider ids and sample names; the completions
//! test names the one command that regenerates them.)
//!
//! The registry test below checks the rest: every declared kind has a sample, every sample
//! is detected as its indexed kind by its own provider only and validates under `--strict`,
//! every schema compiles both ways, and every capability does what it promises. Detection asks
//! every provider; a provider claims a body only on its own marks, and claims never overlap, so
//! the order of the list decides nothing about who claims a body. It is the order detection
//! asks in (Meta, the most common traffic, first), the order `samples` lists them in, and the
//! order [`signing_for`] and [`handshake_for`] look for a provider that has one.
pub mod capabilities;
pub mod rules;
pub mod sends;
pub mod shapes;

use std::hash::{Hash, Hasher};

use serde::{Serialize, Serializer};
use serde_json::{Map, Value};

pub use capabilities::{
    ApiAnswer, ApiRequest, Auth, Batching, Bubble, Conversation, CustomerAction, CustomerEvent,
    CustomerMessage, Destination, Emulator, EmulatorSetup, Handshake, HandshakeRequest, Identities,
    Injection, InstantReplies, Lifecycle, Mismatch, Precheck, QueryMethod, RetrySchedule, SendApi,
    SentMessage, Signing, Webhook, same_address,
};
pub use rules::{Claim, Gist, Identity, Kind, MessageEvent, Novelty, Part, Protection, Rules};

use crate::schemas::Schema;

macro_rules! registry {
    ($($id:ident),* $(,)?) => {
        $(pub mod $id;)*
        static REGISTRY: &[&dyn Rules] = &[$(&$id::RULES),*];
    };
}

registry!(meta, qikchat, smartflow, picky, partner);

/// One provider of the registry: a cheap handle on its [`Rules`].
#[derive(Clone, Copy)]
pub struct Provider(&'static dyn Rules);

impl Provider {
    /// Every provider, in registry order.
    pub fn all() -> impl Iterator<Item = Provider> {
        REGISTRY.iter().map(|rules| Provider(*rules))
    }

    /// The provider with this id or alias (`picky`, `picky-assist`, `omni`, `cloud` ...).
    pub fn from_id(text: &str) -> Option<Provider> {
        let text = text.trim().to_ascii_lowercase();
        Provider::all().find(|p| p.id() == text || p.0.aliases().contains(&text.as_str()))
    }

    /// The short id used in sample names, schema ids and output.
    pub fn id(self) -> &'static str {
        self.0.id()
    }

    pub fn display_name(self) -> &'static str {
        self.0.name()
    }

    pub fn rules(self) -> &'static dyn Rules {
        self.0
    }

    /// One of its schemas by id.
    pub fn schema(self, id: &str) -> Option<&'static Schema> {
        self.0.schemas().get(id)
    }

    fn position(self) -> usize {
        REGISTRY
            .iter()
            .position(|rules| rules.id() == self.id())
            .unwrap_or(usize::MAX)
    }
}

impl PartialEq for Provider {
    fn eq(&self, other: &Provider) -> bool {
        self.id() == other.id()
    }
}

impl Eq for Provider {}

impl Hash for Provider {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.id().hash(state);
    }
}

impl PartialOrd for Provider {
    fn partial_cmp(&self, other: &Provider) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Provider {
    fn cmp(&self, other: &Provider) -> std::cmp::Ordering {
        self.position().cmp(&other.position())
    }
}

impl std::fmt::Debug for Provider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id())
    }
}

impl std::fmt::Display for Provider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id())
    }
}

impl Serialize for Provider {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.id())
    }
}

/// A provider's claim on a body, with the provider.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Detection {
    pub provider: Provider,
    pub kind: Kind,
    /// The id of the schema that documents this kind, one of the provider's.
    pub schema: &'static str,
    /// Parts checked on their own with a definition of that schema.
    pub parts: Vec<Part>,
    /// True when nothing in the body has a schema yet (the verdict is "unchecked").
    pub unchecked: bool,
    /// What was left unchecked, and why.
    pub note: Option<String>,
}

impl Detection {
    fn new(provider: Provider, claim: Claim) -> Detection {
        Detection {
            provider,
            kind: claim.kind,
            schema: claim.schema,
            parts: claim.parts,
            unchecked: claim.unchecked,
            note: claim.note,
        }
    }

    /// `qikchat message:text`.
    pub fn label(&self) -> String {
        format!("{} {}", self.provider, self.kind)
    }
}

/// The provider and kind of a JSON body, if a provider's marks are on it.
pub fn detect(body: &Value) -> Option<Detection> {
    let object = body.as_object()?;
    Provider::all().find_map(|provider| {
        provider
            .0
            .claim(object)
            .map(|claim| Detection::new(provider, claim))
    })
}

/// [`detect`] for a body read as a tape (`crate::tape`): each provider's claim is the same
/// code on both.
pub fn detect_tape(body: crate::tape::TapeObject<'_>) -> Option<Detection> {
    Provider::all().find_map(|provider| {
        provider
            .0
            .claim_tape(body)
            .map(|claim| Detection::new(provider, claim))
    })
}

/// The provider's own claim on `body`, or — when the body carries none of its marks — its
/// main schema, so validation explains what is missing.
pub fn detect_within(provider: Provider, body: &Value) -> Detection {
    let claim = body
        .as_object()
        .and_then(|object| provider.0.claim(object))
        .unwrap_or_else(|| provider.0.fallback());
    Detection::new(provider, claim)
}

/// For a body no provider claims: what it resembles, where a provider can tell.
pub fn near_miss(body: &Map<String, Value>) -> Option<String> {
    Provider::all().find_map(|provider| provider.0.near_miss(body))
}

/// A body sent as query parameters (Picky Assist's deprecated method), as a JSON object.
pub fn query_body(query: &str) -> Option<Value> {
    Provider::all().find_map(|provider| provider.0.query_method()?.decode(query))
}

/// A provider's capability for a command about a mechanism rather than a body (`sign`,
/// `replay --handshake`, a signature on a body of no known provider): `provider`'s own when it
/// has it, else the first provider of the registry that has it.
fn capable<T: ?Sized>(
    provider: Option<Provider>,
    get: impl Fn(&'static dyn Rules) -> Option<&'static T>,
) -> Option<(Provider, &'static T)> {
    provider
        .and_then(|p| Some((p, get(p.0)?)))
        .or_else(|| Provider::all().find_map(|p| Some((p, get(p.0)?))))
}

/// How a body of `provider` is signed: its own [`Signing`], or — for a body of no known
/// provider, or of one that does not sign but must be signed (`listen
/// --reject-bad-signature`) — the first signing provider's (Meta's). The registry test checks
/// that one provider signs.
///
/// # Panics
/// If no provider of the registry signs, which the registry test rules out.
pub fn signing_for(provider: Option<Provider>) -> (Provider, &'static dyn Signing) {
    capable(provider, |rules| rules.signing()).expect("a provider of the registry signs")
}

/// `provider`'s verification [`Handshake`], or the first provider's that has one (Meta's).
/// The registry test checks that one provider has one.
///
/// # Panics
/// If no provider of the registry verifies, which the registry test rules out.
pub fn handshake_for(provider: Option<Provider>) -> (Provider, &'static dyn Handshake) {
    capable(provider, |rules| rules.handshake()).expect("a provider of the registry verifies")
}

/// The verification handshake in a request's query, as any provider that verifies sends it.
pub fn find_handshake(query: &str) -> Option<HandshakeRequest> {
    Provider::all().find_map(|provider| provider.0.handshake()?.parse(query))
}

/// The query with every verify token replaced by `redacted`: the token is a shared secret.
pub fn redact_handshake_token(query: &str, redacted: &str) -> String {
    Provider::all()
        .filter_map(|provider| provider.0.handshake())
        .fold(query.to_string(), |query, handshake| {
            handshake.redact_token(&query, redacted)
        })
}

/// A few words that say what a body is about: sender, text or media type, status, event; and
/// an error the body reports ([`Rules::gist_error`]): `16505553921 "[interactive]" error
/// 131000 Something went wrong`.
pub fn gist(body: &Value, provider: Provider, kind: &Kind) -> String {
    gist_line(
        provider.0.gist(body, kind),
        provider.0.gist_error(body, kind),
    )
}

/// [`gist`] of a body read as a tape (`crate::tape`), as `listen` reads a valid body.
pub fn gist_tape(body: crate::tape::TapeNode<'_>, provider: Provider, kind: &Kind) -> String {
    gist_line(
        provider.0.gist_tape(body, kind),
        provider.0.gist_error_tape(body, kind),
    )
}

/// A gist and the body's own error as one line.
fn gist_line(Gist { who, what }: Gist, error: Option<String>) -> String {
    let mut gist = who.unwrap_or_default();
    if let Some(what) = what {
        if !gist.is_empty() {
            gist.push(' ');
        }
        gist.push('"');
        gist.push_str(&crate::output::excerpt_cow(&what, 48));
        gist.push('"');
    }
    if let Some(error) = error {
        if !gist.is_empty() {
            gist.push(' ');
        }
        gist.push_str("error ");
        gist.push_str(&crate::output::excerpt_cow(&error, 60));
    }
    gist
}

/// The messages a body is about, with their statuses (see [`Lifecycle::message_events`]).
pub fn message_events(body: &Value, detection: &Detection) -> Vec<MessageEvent> {
    detection
        .provider
        .rules()
        .lifecycle()
        .map(|lifecycle| lifecycle.message_events(body, &detection.kind))
        .unwrap_or_default()
}

/// The schema an answer to a body of this kind must match to be acted on, if its provider
/// reads answers (Picky Assist's instant replies).
pub fn reply_schema(detection: &Detection) -> Option<&'static Schema> {
    let id = detection
        .provider
        .rules()
        .instant_replies()?
        .reply_schema(&detection.kind)?;
    detection.provider.schema(id)
}

/// True when an object has a key that is nearly, but not exactly, one the reply schema names:
/// the same but for case and separators (`message_out`, `messageOut`) or one letter
/// (`mesage-out`). A shorter word that a reply key starts with is not near: `message`, as in
/// the common acknowledgement `{"success": true, "message": "received"}`, is not a reply.
pub fn near_reply_keys(value: &Value, schema: &Schema) -> bool {
    let (Some(object), Some(known)) =
        (value.as_object(), schema.parsed()["properties"].as_object())
    else {
        return false;
    };
    let normal = |key: &str| -> String {
        key.chars()
            .filter(|c| !matches!(c, '-' | '_' | ' '))
            .flat_map(char::to_lowercase)
            .collect()
    };
    object.keys().any(|key| {
        let key_normal = normal(key);
        !known.contains_key(key)
            && known.keys().any(|name| {
                let name = normal(name);
                key_normal == name
                    || (name.len() >= 5 && strsim::levenshtein(&key_normal, &name) <= 1)
            })
    })
}

/// The providers' instant-reply schemas (what `listen --reply` must match), with a kind of
/// body each answers.
pub fn instant_reply_schemas() -> impl Iterator<Item = (Provider, &'static Schema)> {
    Provider::all().filter_map(|provider| {
        let id = provider
            .rules()
            .instant_replies()?
            .reply_schema(&Kind::named("message"))?;
        Some((provider, provider.schema(id)?))
    })
}

/// An answer's time limit when the provider documents none: Qikchat's 2 s, the strictest.
pub const DEFAULT_BUDGET: std::time::Duration = std::time::Duration::from_secs(2);

/// Where an answer's time limit came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BudgetSource {
    /// `--budget`.
    Given,
    /// The provider's own limit.
    Provider(Provider),
    /// [`DEFAULT_BUDGET`].
    Default,
}

/// How long an answer to a body of `provider` may take: `--budget` when given, else the
/// provider's own limit, else [`DEFAULT_BUDGET`]. `listen --forward-to` and `replay` both judge
/// answers by this.
pub fn budget(
    given: Option<std::time::Duration>,
    provider: Option<Provider>,
) -> (std::time::Duration, BudgetSource) {
    if let Some(given) = given {
        return (given, BudgetSource::Given);
    }
    match provider.and_then(|p| Some((p.rules().response_budget()?, p))) {
        Some((limit, provider)) => (limit, BudgetSource::Provider(provider)),
        None => (DEFAULT_BUDGET, BudgetSource::Default),
    }
}

/// Every shipped schema, provider by provider.
pub fn schemas() -> impl Iterator<Item = &'static Schema> {
    Provider::all().flat_map(|provider| provider.0.schemas().all())
}

pub fn find_schema(id: &str) -> Option<&'static Schema> {
    let id = id.strip_suffix(".json").unwrap_or(id);
    schemas().find(|schema| schema.id == id)
}

/// [`find_schema`], or an error that lists the schemas there are.
pub fn require_schema(id: &str) -> anyhow::Result<&'static Schema> {
    find_schema(id).ok_or_else(|| {
        let ids: Vec<&str> = schemas().map(|schema| schema.id).collect();
        anyhow::anyhow!(
            "there is no schema `{id}`; the schemas are: {}",
            ids.join(", ")
        )
    })
}

/// The provider that ships a schema.
pub fn provider_of_schema(schema: &Schema) -> Option<Provider> {
    Provider::from_id(schema.provider)
}

/// The provider whose own name for an event `word` is (Meta's `account_alerts`), and the kind
/// names it covers (`account_alert`). See [`Rules::event_names`].
pub fn kinds_for_event_name(word: &str) -> Option<(Provider, Vec<&'static str>)> {
    Provider::all().find_map(|provider| {
        provider
            .0
            .event_names()
            .into_iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(word))
            .map(|(_, kinds)| (provider, kinds))
    })
}

/// Every provider's own event names (see [`Rules::event_names`]).
pub fn event_names() -> Vec<&'static str> {
    Provider::all()
        .flat_map(|provider| provider.0.event_names())
        .map(|(name, _)| name)
        .collect()
}

/// Every kind name any provider detects (`message`, `status`, `template_status` ...).
pub fn kind_names() -> Vec<&'static str> {
    let mut names: Vec<&'static str> = Provider::all()
        .flat_map(|provider| provider.0.kind_names())
        .collect();
    names.sort_unstable();
    names.dedup();
    names
}

#[cfg(test)]
mod tests;
