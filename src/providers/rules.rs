//! What a provider knows, behind one trait: [`Rules`]. The registry ([`super`]) lists the
//! providers; everything else — detection, validation, `listen`, `replay`, `samples`,
//! `schemas`, `doctor` — asks them through this trait and its capabilities
//! ([`super::capabilities`]) and never names a provider.
use std::borrow::Cow;
use std::time::Duration;

use serde::{Serialize, Serializer};
use serde_json::{Map, Value};

pub use super::capabilities::{
    ApiAnswer, ApiRequest, Auth, Batching, Conversation, CustomerAction, CustomerEvent, Emulator,
    EmulatorSetup, Handshake, HandshakeRequest, Identities, Injection, InstantReplies, Lifecycle,
    Mismatch, QueryMethod, SendApi, Signing, Webhook,
};
use crate::schemas::SchemaSet;

/// What a body is about: a name (`message`, `status`, `template_status`) and, where the body
/// says more, a detail (`text`, `read`, `REJECTED`). Written `name:detail`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Kind {
    name: Cow<'static, str>,
    detail: Option<String>,
}

impl Kind {
    /// A kind with no detail.
    pub fn named(name: impl Into<Cow<'static, str>>) -> Kind {
        Kind {
            name: name.into(),
            detail: None,
        }
    }

    /// A kind with a detail when there is one. The detail is the body's own value (a message
    /// type, a status), so it is made printable and kept short: it ends up on terminals and in
    /// capture records.
    pub fn with(name: impl Into<Cow<'static, str>>, detail: Option<&str>) -> Kind {
        Kind {
            name: name.into(),
            detail: detail
                .filter(|d| !d.is_empty())
                .map(|d| crate::output::excerpt(&crate::output::printable(d), 64)),
        }
    }

    /// Read back a kind as written (`status:read`), e.g. from a capture record.
    pub fn parse(text: &str) -> Kind {
        match text.split_once(':') {
            Some((name, detail)) => Kind::with(name.to_string(), Some(detail)),
            None => Kind::named(text.to_string()),
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn detail(&self) -> Option<&str> {
        self.detail.as_deref()
    }
}

impl std::fmt::Display for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.name)?;
        if let Some(detail) = &self.detail {
            write!(f, ":{detail}")?;
        }
        Ok(())
    }
}

impl Serialize for Kind {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// Read back exactly as written (a capture record's `kind`): `name:detail` split at the first
/// colon, the detail kept as it is.
impl<'de> serde::Deserialize<'de> for Kind {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Ok(match text.split_once(':') {
            Some((name, detail)) => Kind {
                name: Cow::Owned(name.to_string()),
                detail: Some(detail.to_string()),
            },
            None => Kind::named(text),
        })
    }
}

/// A provider's claim on a body: what it is and which of its schemas documents it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Claim {
    pub kind: Kind,
    /// The id of a schema in the provider's own `SchemaSet`.
    pub schema: &'static str,
    /// Parts of the body checked on their own, each with a `$defs` entry of that schema (the
    /// `value` of each Meta change, by its field), besides the schema as a whole.
    pub parts: Vec<Part>,
    /// True when the body is the provider's but nothing in it has a schema yet: the verdict
    /// is then "unchecked", never "invalid" (a Meta webhook field wa-hook does not cover).
    pub unchecked: bool,
    /// What was left unchecked, and why.
    pub note: Option<String>,
}

/// A part of a body checked with one definition of its schema.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Part {
    /// JSON pointer to the part in the body, made of plain keys and indexes.
    pub pointer: Cow<'static, str>,
    /// The `$defs` entry that documents it.
    pub def: &'static str,
}

impl Claim {
    pub fn new(kind: Kind, schema: &'static str) -> Claim {
        Claim {
            kind,
            schema,
            parts: Vec::new(),
            unchecked: false,
            note: None,
        }
    }
}

/// What can keep strangers from posting fake webhooks to an exposed endpoint.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Protection {
    /// Bodies are signed with the app secret (`--app-secret-env`, `--reject-bad-signature`).
    Signature,
    /// The provider can send a Basic auth header (`--basic-auth-env`).
    BasicAuth,
    /// Nothing: the provider sends no signature and no credentials.
    Nothing,
}

/// A body the provider may send one day that no sample shows yet (a new message type, a new
/// webhook field): `doctor` checks that an endpoint still acknowledges it.
#[derive(Clone, Copy, Debug)]
pub struct Novelty {
    /// What it is, in a few words: "a message type not documented yet".
    pub what: &'static str,
    /// The sample it starts from.
    pub sample: &'static str,
    /// How that sample is changed, in `replay --set` syntax (`PATH=VALUE`).
    pub edits: &'static [&'static str],
}

/// Who a body is from or to, and what it says, for the one-line summaries of `listen` and
/// `replay`.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Gist {
    pub who: Option<String>,
    pub what: Option<String>,
}

/// One message a body is about, for the inspector's timeline: the message's id as the provider
/// writes it, and what the body says happened to it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MessageEvent {
    pub id: String,
    /// `incoming` for a message received; otherwise the status word the provider uses
    /// (`sent`, `delivered`, `read`, `failed` ...).
    pub status: String,
    /// A failure's code and title.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl MessageEvent {
    pub fn new(id: String, status: impl Into<String>, error: Option<String>) -> MessageEvent {
        MessageEvent {
            id,
            status: status.into(),
            error,
        }
    }
}

/// How a body names the user a message is from or a status is about (Meta: PROVIDERS.md,
/// "Identity: phone numbers, business-scoped user ids (BSUID) and usernames"). `replay
/// --identity` and `doctor` rewrite bodies into each form a provider documents
/// ([`Rules::identities`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Identity {
    /// The phone number only (Meta: `wa_id`, `from`, `recipient_id`).
    Phone,
    /// The phone number and the business-scoped user id (Meta: `wa_id` and `user_id`, `from`
    /// and `from_user_id`, `recipient_id` and `recipient_user_id`).
    Bsuid,
    /// No phone number: the business-scoped user id, its parent and the username (Meta:
    /// `user_id`, `parent_user_id`, `profile.username`, `from_user_id`, `recipient_user_id` ...).
    Username,
}

impl Identity {
    /// Every form, in the order above.
    pub const ALL: [Identity; 3] = [Identity::Phone, Identity::Bsuid, Identity::Username];

    /// The name `--identity` takes: `phone`, `bsuid`, `username`.
    pub fn name(self) -> &'static str {
        match self {
            Identity::Phone => "phone",
            Identity::Bsuid => "bsuid",
            Identity::Username => "username",
        }
    }
}

impl std::fmt::Display for Identity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Everything one provider knows. Implemented once per provider, in `src/providers/<id>/`.
///
/// Four parts: who it is (id, name, aliases); how its bodies are told apart (schemas, kind
/// and event names, claim, fallback, near miss); what a body says (gist); and how it delivers
/// (setup, time and size limits, wire bytes, novelties). A method without a default must be
/// written by every provider; the rest default to "no such convention".
///
/// What only some providers do is a capability, asked for by name and `None` by default:
/// [`Rules::signing`], [`Rules::handshake`], [`Rules::lifecycle`], [`Rules::query_method`],
/// [`Rules::instant_replies`], [`Rules::batching`], [`Rules::identities`], [`Rules::send_api`]
/// and [`Rules::auth`]
/// (see [`super::capabilities`], which also says where a new one goes).
pub trait Rules: Sync {
    // Identity.

    /// The short id used in sample names, schema ids, `--provider` and output: `qikchat`.
    fn id(&self) -> &'static str;

    /// The name people know it by: `Omni Smartflow`.
    fn name(&self) -> &'static str;

    /// Other spellings accepted in sample names and `--provider` (`picky-assist`, `omni`).
    fn aliases(&self) -> &'static [&'static str] {
        &[]
    }

    // Detection.

    /// Its schemas, embedded from `src/providers/<id>/schemas/`.
    fn schemas(&self) -> &'static SchemaSet;

    /// The kind names it can detect (`message`, `status` ...). Each needs a sample under
    /// `samples/<id>/` (the registry test checks), and `listen --events` accepts them.
    fn kind_names(&self) -> Vec<&'static str>;

    /// The provider's own names for what it sends (Meta's webhook fields: `account_alerts`,
    /// `message_template_status_update`), each with the kind names it covers, so `listen
    /// --events` takes the word the provider's documentation uses.
    fn event_names(&self) -> Vec<(&'static str, Vec<&'static str>)> {
        Vec::new()
    }

    /// The body, if it carries this provider's own marks; `None` otherwise. Claims must not
    /// overlap: a body carries the marks of one provider at most (the registry test checks
    /// every sample and every foreign shape against every provider).
    fn claim(&self, body: &Map<String, Value>) -> Option<Claim>;

    /// [`Rules::claim`] for a body read as a tape (`crate::tape`): each provider writes its
    /// claim once, generic over [`super::shapes::ObjectView`], and both call it.
    fn claim_tape(&self, body: crate::tape::TapeObject<'_>) -> Option<Claim>;

    /// What a body is validated as when the user names this provider and the body carries
    /// none of its marks: the provider's main schema, so validation says what is missing.
    fn fallback(&self) -> Claim;

    /// For a body nobody claims: a few words when it resembles this provider's shape without
    /// its marks ("Qikchat's event names, but not its payload"), to help the user tell.
    fn near_miss(&self, _body: &Map<String, Value>) -> Option<String> {
        None
    }

    /// Whether a body of this kind is a webhook the provider sends (rather than an answer an
    /// endpoint gives, or an answer of the provider's API): `replay all` sends only webhooks.
    fn is_webhook(&self, _kind: &Kind) -> bool {
        true
    }

    // Gist.

    /// Sender or recipient, and text or event, for a body this provider claimed as `kind`.
    fn gist(&self, body: &Value, kind: &Kind) -> Gist;

    /// [`Rules::gist`] for a body read as a tape (`crate::tape`), as `listen` reads a valid
    /// body: each provider writes its gist once, generic over [`super::shapes::JsonView`], and
    /// both call it.
    fn gist_tape(&self, body: crate::tape::TapeNode<'_>, kind: &Kind) -> Gist;

    /// An error the body itself reports about what it carries (`131000 Something went wrong`
    /// on a Meta message whose content was not delivered), shown after the gist. The body
    /// may still be valid: this says what happened, not what is wrong with it.
    fn gist_error(&self, _body: &Value, _kind: &Kind) -> Option<String> {
        None
    }

    /// [`Rules::gist_error`] for a body read as a tape, written once with it (see
    /// [`Rules::gist_tape`]).
    fn gist_error_tape(&self, _body: crate::tape::TapeNode<'_>, _kind: &Kind) -> Option<String> {
        None
    }

    // Delivery.

    /// Where the user gives this provider a public URL (`base` ends with `/`), in one line.
    fn webhook_setup(&self, base: &str) -> String;

    /// How long the provider waits for an acknowledgement, where it documents one.
    fn response_budget(&self) -> Option<Duration> {
        None
    }

    /// The largest body the provider documents sending, in bytes.
    fn body_limit(&self) -> Option<usize> {
        None
    }

    /// A body as the provider writes it on the wire. Compact JSON unless the provider is known
    /// to write it otherwise (Meta escapes non-ASCII and `/`). Every provider sends bytes, so
    /// this is no capability: sizes, `replay` and doctor use it for all of them, and a
    /// signature is computed over these bytes.
    fn wire_bytes(&self, body: &Value) -> Vec<u8> {
        serde_json::to_vec(body).expect("a JSON value always encodes")
    }

    /// Bodies it may send one day that no sample shows yet (see [`Novelty`]).
    fn novelties(&self) -> &'static [Novelty] {
        &[]
    }

    // Capabilities.

    /// How it signs bodies, if it does (Meta's `X-Hub-Signature-256`).
    fn signing(&self) -> Option<&dyn Signing> {
        None
    }

    /// How it verifies an endpoint before sending, if it does (Meta's `hub.challenge` GET).
    fn handshake(&self) -> Option<&dyn Handshake> {
        None
    }

    /// How its messages go through statuses and get fresh ids, if its bodies are about
    /// messages at all (the partner API's events are not).
    fn lifecycle(&self) -> Option<&dyn Lifecycle> {
        None
    }

    /// Its way of sending a body as query parameters, if it has one (Picky Assist's
    /// deprecated method).
    fn query_method(&self) -> Option<&dyn QueryMethod> {
        None
    }

    /// The answers it reads and acts on, if any (Picky Assist's instant replies).
    fn instant_replies(&self) -> Option<&dyn InstantReplies> {
        None
    }

    /// How it merges several bodies into one notification, if it batches (Meta).
    fn batching(&self) -> Option<&dyn Batching> {
        None
    }

    /// The forms in which its bodies can name a user, if it documents more than one (Meta).
    fn identities(&self) -> Option<&dyn Identities> {
        None
    }

    /// Its send API, emulated (`wa-hook emulate`), if wa-hook emulates it.
    fn send_api(&self) -> Option<&dyn SendApi> {
        None
    }

    /// How its messages are drawn as a chat (the inspector's chat pane), if wa-hook knows.
    fn conversation(&self) -> Option<&dyn Conversation> {
        None
    }

    /// How it retries a webhook to its main URL that was not answered 2xx, where it documents
    /// it (`emulate --retries`); `None`: not documented, so the emulator does not retry.
    fn retries(&self) -> Option<super::capabilities::RetrySchedule> {
        None
    }

    /// Credentials it can send with each delivery, besides a signature (Qikchat: Basic auth).
    fn auth(&self) -> Option<Auth> {
        None
    }

    /// What protects an endpoint that receives its webhooks: a summary of [`Rules::signing`]
    /// and [`Rules::auth`], not written by providers (the registry test checks it agrees).
    fn protection(&self) -> Protection {
        if self.signing().is_some() {
            Protection::Signature
        } else if self.auth() == Some(Auth::Basic) {
            Protection::BasicAuth
        } else {
            Protection::Nothing
        }
    }
}
