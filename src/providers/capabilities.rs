//! What only some providers do, each behind its own small trait: a provider offers a
//! capability by returning it from [`Rules`](super::Rules) (`fn signing(&self) -> Option<&dyn
//! Signing>`), and a command asks for it (`provider.rules().signing()`) instead of naming the
//! provider. So `sign`, `listen`, `replay` and `doctor` work for any provider that signs, and a
//! second signing provider is one `impl Signing` and one line in its `Rules`.
//!
//! Adding a capability (as the emulator's send side, [`SendApi`], was added): a trait here with short docs,
//! a method on [`Rules`](super::Rules) that returns `Option<&dyn NewTrait>` and defaults to
//! `None`, `Some(self)` in the providers that have it, and a line in the registry test
//! (`src/providers/tests.rs`, `capabilities_are_consistent`) saying what having it promises.
use std::time::SystemTime;

use serde::Serialize;
use serde_json::{Map, Value};

use super::rules::{Identity, Kind, MessageEvent};
use crate::ids::IdSource;
use crate::secret::SecretString;

/// The provider signs each body with the app secret and sends the signature in a header
/// (Meta's `X-Hub-Signature-256: sha256=<hex HMAC-SHA256>`): `sign`, `verify`, `listen
/// --app-secret-env`, `replay` and doctor's signature checks use it.
pub trait Signing: Sync {
    /// The header that carries the signature: `X-Hub-Signature-256`.
    fn header(&self) -> &'static str;

    /// The header's value for these exact bytes.
    fn sign(&self, secret: &SecretString, body: &[u8]) -> String;

    /// True when `header` is the signature of `body`, compared in constant time.
    fn verify(&self, secret: &SecretString, header: &str, body: &[u8]) -> bool;

    /// Why a signature that did not verify is wrong, as far as can be told.
    fn diagnose(&self, secret: &SecretString, header: &str, body: &[u8]) -> Mismatch;

    /// The bytes an app gets when it parses a body and writes it back before verifying, named
    /// by the library that writes them (`JSON.stringify`, `json.dumps`): a signature over
    /// these is not the provider's. Doctor's `signed-post` tries them to say which one an app
    /// verifies.
    fn reencodings(&self, body: &[u8]) -> Vec<(&'static str, Vec<u8>)>;
}

/// Why a `sha256=<hex>` signature did not match, as far as wa-hook can tell.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Mismatch {
    /// The header has no `sha256=` prefix (but the hex digest itself is right).
    MissingPrefix,
    /// The header is not `sha256=` followed by 64 hex digits.
    NotHex,
    /// The signature matches the body with a trailing newline added or removed.
    TrailingNewline,
    /// The signature matches the same JSON re-encoded (compact or pretty): the body was parsed
    /// and serialised again before it was checked.
    Reserialized,
    /// None of the above: most likely the wrong app secret (or a changed body).
    WrongSecretOrBody,
}

impl Mismatch {
    /// A few words for one line of a live display or a capture record.
    pub fn summary(self) -> &'static str {
        match self {
            Mismatch::MissingPrefix => "no sha256= prefix",
            Mismatch::NotHex => "not sha256= and 64 hex digits",
            Mismatch::TrailingNewline => "a trailing newline added or removed",
            Mismatch::Reserialized => "the body was re-serialised",
            Mismatch::WrongSecretOrBody => "wrong app secret or changed body",
        }
    }

    pub fn explain(self) -> &'static str {
        match self {
            Mismatch::MissingPrefix => {
                "the header lacks the `sha256=` prefix: Meta sends `sha256=<hex>`; compare the whole value"
            }
            Mismatch::NotHex => "the header is not `sha256=` followed by 64 hex digits",
            Mismatch::TrailingNewline => {
                "a trailing newline was added or removed: sign and verify the exact bytes received"
            }
            Mismatch::Reserialized => {
                "the body was re-serialised: the signature matches the same JSON encoded differently; \
                 verify the raw request bytes, before any JSON parsing"
            }
            Mismatch::WrongSecretOrBody => {
                "no re-encoding of this body matches: most likely the wrong app secret (use the App \
                 Secret from the Meta app's Basic settings), or the body is not the one that was signed"
            }
        }
    }
}

/// The provider verifies an endpoint with a GET before it sends anything (Meta's
/// `?hub.mode=subscribe&hub.verify_token=T&hub.challenge=C`, answered 200 with exactly C):
/// `listen` answers it, `replay --handshake` and doctor send it. The verify token is a
/// secret, kept out of records and output.
pub trait Handshake: Sync {
    /// The query the provider sends with this verify token and challenge.
    fn query(&self, token: &str, challenge: &str) -> String;

    /// The handshake in a request's query, if it has any of its parameters.
    fn parse(&self, query: &str) -> Option<HandshakeRequest>;

    /// The query with the verify token's value replaced by `redacted`.
    fn redact_token(&self, query: &str, redacted: &str) -> String;

    /// Whether the provider accepts this answer to a handshake that carried `challenge`.
    fn accepts(&self, challenge: &str, status: u16, body: &str) -> bool {
        status == 200 && body.trim() == challenge
    }
}

/// A handshake found in a request's query.
#[derive(Debug, PartialEq, Eq)]
pub struct HandshakeRequest {
    pub mode: String,
    pub token: String,
    pub challenge: String,
}

impl HandshakeRequest {
    /// True when the mode is the one the provider sends (`subscribe`).
    pub fn subscribes(&self) -> bool {
        self.mode == "subscribe"
    }
}

/// The provider's bodies are about messages that go through statuses, with ids and times
/// that can be renewed: `replay --fresh` and `--sequence`, and the inspector's timeline.
pub trait Lifecycle: Sync {
    /// `--fresh`: write new message ids and the current time into the fields this provider
    /// uses. Returns false when this body carries neither.
    fn refresh(&self, body: &mut Value, ids: &mut IdSource, now: SystemTime) -> bool;

    /// The messages a body of this kind is about (a message received, or statuses of messages
    /// sent), with their ids and statuses: the inspector follows one message through them.
    fn message_events(&self, body: &Value, kind: &Kind) -> Vec<MessageEvent>;

    /// [`Lifecycle::message_events`] for a body read as a tape (`crate::tape`): each provider
    /// writes them once, generic over [`super::shapes::JsonView`], and both call it.
    fn message_events_tape(
        &self,
        body: crate::tape::TapeNode<'_>,
        kind: &Kind,
    ) -> Vec<MessageEvent>;

    /// `--sequence`: where a status body keeps its status item (a JSON pointer).
    fn status_item(&self) -> &'static str;

    /// `--sequence`: whether a body of this kind is a message's status update.
    fn is_status(&self, kind: &Kind) -> bool {
        kind.name() == "status"
    }

    /// `--sequence`: the statuses one message goes through, in order: sent, delivered, read;
    /// or sent then failed when `failed`.
    fn ladder(&self, failed: bool) -> Vec<&'static str> {
        if failed {
            vec!["sent", "failed"]
        } else {
            vec!["sent", "delivered", "read"]
        }
    }

    /// `--sequence`: whether a status item is a failure.
    fn is_failed(&self, item: &Map<String, Value>) -> bool {
        item.get("status").and_then(Value::as_str) == Some("failed")
    }

    /// `--sequence`: write `status` (one of [`Lifecycle::ladder`]) and its time into the item.
    fn set_status(&self, item: &mut Map<String, Value>, status: &str, at: SystemTime);
}

/// The provider can send a body as query parameters on an empty POST (Picky Assist's
/// deprecated method): `replay --picky-query`, `listen` and doctor's `query-method`.
pub trait QueryMethod: Sync {
    /// A body's top-level fields as the query string the provider sends.
    fn encode(&self, body: &Value) -> anyhow::Result<String>;

    /// A query string the provider sent this way, as a JSON object of its fields; `None` when
    /// the query is not one of the provider's.
    fn decode(&self, query: &str) -> Option<Value>;
}

/// The provider reads an endpoint's answer and acts on it (Picky Assist's instant replies):
/// `listen --reply` and doctor's `instant-reply` check answers against its schema.
pub trait InstantReplies: Sync {
    /// The schema (an id in the provider's own set) an answer to a body of this kind must
    /// match to be acted on; `None` for kinds whose answers are not read.
    fn reply_schema(&self, kind: &Kind) -> Option<&'static str>;
}

/// The provider merges several bodies into one notification (Meta: several entries,
/// changes, messages and statuses in one POST): `replay --batch` and doctor's `batched`.
pub trait Batching: Sync {
    /// The bodies as one notification, or `None` when one of them is not a notification
    /// that can be merged.
    fn batch(&self, bodies: &[Value]) -> Option<Value>;

    /// [`batch`](Batching::batch), taking the bodies (moved into the notification rather than
    /// copied, where the provider's merge can); the bodies back, untouched, when they cannot
    /// be merged.
    ///
    /// # Errors
    ///
    /// `bodies` as given, when they cannot be merged.
    fn batch_owned(&self, bodies: Vec<Value>) -> Result<Value, Vec<Value>> {
        self.batch(&bodies).ok_or(bodies)
    }
}

/// The provider names users in more than one documented form ([`Identity`]): `replay
/// --identity` and doctor's `identities` rewrite bodies into each.
pub trait Identities: Sync {
    /// The forms its bodies can be written in.
    fn forms(&self) -> &'static [Identity];

    /// The body with every user it names written in `identity`'s form, adding only fields the
    /// provider documents. `None` when the body names no user that can be rewritten (not a
    /// message or status; a system message; a status about a group).
    fn with_identity(&self, body: &Value, identity: Identity) -> Option<Value>;
}

/// Credentials a provider can send with each delivery, besides a signature.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Auth {
    /// An `Authorization: Basic` header set in the provider's dashboard (`--basic-auth-env`).
    Basic,
}

/// How a provider retries a webhook its receiver did not take (no answer, or not 2xx), where
/// it documents it: [`Rules::retries`](super::Rules::retries), for `emulate --retries`. Each
/// retry is due at a time counted from the first attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RetrySchedule {
    /// At these times after the first attempt (Picky Assist: 1 min, 15 min, 2 h, 6 h).
    At(&'static [std::time::Duration]),
    /// Waits doubling from `first` (retries at `first`, 3×, 7× … after the first attempt), as
    /// long as they fall within `for_up_to` of it (Meta: backoff for up to 7 days).
    Doubling {
        first: std::time::Duration,
        for_up_to: std::time::Duration,
    },
}

impl RetrySchedule {
    /// When retry `n` (1 for the first retry) is due after the first attempt; `None` once the
    /// provider has given up.
    pub fn retry_at(&self, n: u32) -> Option<std::time::Duration> {
        if n == 0 {
            return None;
        }
        match *self {
            RetrySchedule::At(times) => times.get(n as usize - 1).copied(),
            RetrySchedule::Doubling { first, for_up_to } => {
                let factor = 1u32.checked_shl(n).map(|power| power - 1)?;
                first.checked_mul(factor).filter(|at| *at <= for_up_to)
            }
        }
    }
}

/// The provider's send API can be emulated: `wa-hook emulate PROVIDER` answers the app's sends
/// as the provider does and follows them with the webhooks the provider would send. The
/// command runs the server, the clock, the deliveries and the capture file; the provider's
/// [`Emulator`] decides every answer and every webhook body, so a second emulated provider is
/// one `impl SendApi` and one line in its `Rules`.
pub trait SendApi: Sync {
    /// A fresh emulator of the API: its own ids, messages and media.
    ///
    /// # Errors
    ///
    /// When the setup is not usable (a templates file in the wrong shape).
    fn emulator(&self, setup: EmulatorSetup) -> anyhow::Result<Box<dyn Emulator>>;

    /// Check a send the app made (a captured one: `validate` on an `emulate` capture file)
    /// against the provider's send schema.
    fn check_send(&self, body: &Value) -> crate::validation::Check;

    /// The part of answering `request` that needs none of the emulator's state (its body
    /// parsed and checked against the send schema), done by the request's thread before it
    /// takes the emulator's lock, then given to [`Emulator::answer_checked`]. `None`: the
    /// emulator does it all under the lock ([`Emulator::answer`]).
    fn precheck(&self, request: &ApiRequest<'_>) -> Option<Precheck> {
        let _ = request;
        None
    }

    /// The bytes of a send as the provider reads them: its body, or what the provider takes
    /// from the query instead (Picky Assist's `?data=JSON`). `validate` checks these.
    fn sent_body<'a>(&self, body: &'a [u8], query: &str) -> std::borrow::Cow<'a, [u8]> {
        let _ = query;
        std::borrow::Cow::Borrowed(body)
    }

    /// The provider's second callback URL, when it has one (`Picky Assist's event webhook`):
    /// webhooks for [`Destination::Events`] go there (`--events-webhook`). `None`: every
    /// webhook goes to `--webhook`, and the flag is refused.
    fn events_webhook(&self) -> Option<&'static str> {
        None
    }

    /// Why the app's messages never pass through the emulator, when they do not: the provider
    /// has no send API wa-hook knows (Omni Smartflow). A conversation then plays the customer
    /// only, and `emulate test` refuses steps about the app's messages with this reason.
    fn no_send_api(&self) -> Option<&'static str> {
        None
    }

    /// The refusal a 2xx answer of the emulator's carries, in words, for a provider that
    /// answers a refused send 200 (99 Digital's `"status": "FAIL"`): a conversation test fails
    /// the step that expects the message with it. `None`: the answer's HTTP status says.
    fn refusal_in(&self, answer: &Value) -> Option<String> {
        let _ = answer;
        None
    }

    /// A request body of the app's and the emulator's answer to it, as a conversation test
    /// reads them (`emulate test`): the message the app sent. `None` for requests that send
    /// no message (read receipts, typing, uploads), and where the provider does not say yet.
    fn message_sent(&self, body: &Value, answer: &Value) -> Option<SentMessage> {
        let _ = (body, answer);
        None
    }

    /// Whether a status webhook (sent, failed, submitted ...) always follows a send the
    /// emulator accepted: `emulate test` then waits for the first one, however slowly the app
    /// answers it, to see the message did not fail. `false` where none follows (99 Digital).
    fn statuses_follow_sends(&self) -> bool {
        true
    }

    /// The customer's message in a webhook body the emulator sent (`emulate record`); `None`
    /// for statuses, and where the provider does not say yet.
    fn customer_message(&self, body: &Value) -> Option<CustomerMessage> {
        let _ = body;
        None
    }

    /// The status a status webhook body announces, and the id of the app's message it is
    /// about (`emulate record`: a `read` is the customer's).
    fn status_of(&self, body: &Value) -> Option<(String, String)> {
        let _ = body;
        None
    }
}

/// A message the app sent through the emulator, in the terms a conversation test checks.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SentMessage {
    /// The message id the emulator answered with, when it answered one.
    pub id: Option<String>,
    /// The message's type in the provider's words (`text`, `template`, `interactive`, `image`).
    pub kind: String,
    /// Its text: a text's body, a caption, an interactive message's body.
    pub text: Option<String>,
    /// A template's name.
    pub template: Option<String>,
    /// A template's parameters, as text, in order.
    pub parameters: Vec<String>,
    /// The customer's message it replies to (Meta's `context.message_id`).
    pub reply_to: Option<String>,
    /// Whom it is addressed to, as the send writes them (Meta's `to` or `recipient`, Picky
    /// Assist's `data[].number`); empty when the provider sends it to whoever wrote (Picky's
    /// instant reply) or wa-hook does not read the provider's recipient.
    pub to: Vec<String>,
}

/// A message of the customer's, in a webhook the emulator sent.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CustomerMessage {
    pub id: String,
    /// A text message's text.
    pub text: Option<String>,
    /// Every address the webhook gives its sender by (Meta: the phone number and the
    /// business-scoped user id); empty where wa-hook's facts do not say which field is the
    /// customer (Qikchat), so no recipient is checked against it.
    pub from: Vec<String>,
}

/// Whether a send's recipient `to` names the customer known by `from`: the same text, or,
/// for phone numbers, the same digits (`+1 650-555-3921` is `16505553921`, as providers take
/// either).
pub fn same_address(to: &str, from: &str) -> bool {
    fn digits(address: &str) -> Option<String> {
        let kept: String = address
            .chars()
            .filter(|c| !matches!(c, '+' | ' ' | '-' | '(' | ')' | '.'))
            .collect();
        (!kept.is_empty() && kept.chars().all(|c| c.is_ascii_digit())).then_some(kept)
    }
    to == from || matches!((digits(to), digits(from)), (Some(a), Some(b)) if a == b)
}

/// What an emulator is started with.
pub struct EmulatorSetup {
    /// The URL the app reaches the emulator at (`http://127.0.0.1:PORT`, no trailing slash):
    /// URLs the emulator hands out (a media URL) point back at it.
    pub base_url: String,
    /// The one token accepted; any non-empty one when `None`.
    pub token: Option<SecretString>,
    /// The app's message templates (`--templates`, the file's JSON), checked on template sends.
    pub templates: Option<Value>,
    /// Ids drawn from this seed, the same on every run (`--seed`); fresh ones otherwise.
    pub seed: Option<u64>,
    /// Failures to inject (`--inject`).
    pub injections: Vec<Injection>,
    /// The customer-service window (`--window`): a free-form send this long after the
    /// customer's last message (or before any) fails later.
    pub window: Option<std::time::Duration>,
    /// At most this many message sends per second (`--throughput`); more are refused.
    pub throughput: Option<u32>,
    /// The least time between two messages to the same user (`--pair-interval`); sooner is
    /// refused.
    pub pair_interval: Option<std::time::Duration>,
}

/// One emulated API, with its state. Called with one request at a time.
pub trait Emulator: Send {
    /// The ids the app needs, by name (`phone_number_id`, `waba_id`, `customer`).
    fn ids(&self) -> Vec<(&'static str, String)>;

    /// How to point the provider's public SDKs at `base_url`, for the start-up text.
    fn setup_help(&self, base_url: &str) -> String;

    /// Answer one request of the app, and say which webhooks follow it.
    fn answer(&mut self, request: &ApiRequest<'_>, now: SystemTime) -> ApiAnswer;

    /// [`answer`](Emulator::answer), with what [`SendApi::precheck`] found of the same request
    /// outside the lock: the same answer, only the state's part of it left to do. Lent, not
    /// given: the caller still has the parsed body afterwards (for the inspector's list).
    fn answer_checked(
        &mut self,
        request: &ApiRequest<'_>,
        precheck: &Precheck,
        now: SystemTime,
    ) -> ApiAnswer {
        let _ = precheck;
        self.answer(request, now)
    }

    /// Add a failure to inject into later message sends; why not, when the provider has no
    /// such error code.
    fn inject(&mut self, injection: Injection) -> Result<(), String>;

    /// The provider's error answer to a request the command refused before the emulator saw it
    /// (a body over `--max-body`, one cut short), with this HTTP status.
    fn refusal(&mut self, status: u16, why: &str) -> ApiAnswer;

    /// What the test customer does, as the webhook that tells the app; or why it cannot be
    /// done (an unknown message), as an HTTP status and a sentence.
    fn customer(
        &mut self,
        action: &CustomerAction,
        now: SystemTime,
    ) -> Result<CustomerEvent, (u16, String)>;

    /// The request as it is recorded when it carries a credential outside the headers (Picky
    /// Assist's `token` and 99 Digital's `apiKey` in the body, a `?data=` query): its body
    /// and query with each such value replaced by `(redacted)`. `None`: recorded as received
    /// (secret headers are redacted by the command).
    fn redacted(&self, request: &ApiRequest<'_>) -> Option<(Vec<u8>, String)> {
        let _ = request;
        None
    }

    /// The app answered a webhook of the customer's (`status`, its body, at most 4 MiB): where
    /// the provider sends that answer on as a message (Picky Assist's instant reply), the
    /// answer as if the app had sent it through the API (checked, with the webhooks that
    /// follow); `None` where the provider ignores the body of the answer.
    fn app_answered(
        &mut self,
        webhook: &Webhook,
        status: u16,
        body: &[u8],
        now: SystemTime,
    ) -> Option<ApiAnswer> {
        let _ = (webhook, status, body, now);
        None
    }

    /// Move the emulator's clock forward (`/_wa-hook/clock`, `emulate test`'s `advance`):
    /// what the customer did lies that much further back, so a customer-service window
    /// closes. Why not, where the emulator keeps no such time.
    fn advance_clock(&mut self, by: std::time::Duration) -> Result<(), String> {
        let _ = by;
        Err("this emulator keeps no clock to advance".to_string())
    }
}

/// A request of the app to the emulated API.
pub struct ApiRequest<'a> {
    pub method: &'a str,
    /// The path without the query.
    pub path: &'a str,
    /// The raw query, without `?`.
    pub query: &'a str,
    pub headers: &'a [(String, String)],
    pub body: &'a [u8],
}

impl ApiRequest<'_> {
    /// The first header of this name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }
}

/// A send's body as [`SendApi::precheck`] found it: parsed (or why it is not JSON), and its
/// issues against the send schema (empty when it is valid).
pub struct Precheck {
    pub body: Result<Value, crate::verdict::Issue>,
    pub issues: Vec<crate::verdict::Issue>,
}

/// The emulator's answer to one request.
pub struct ApiAnswer {
    pub status: u16,
    pub content_type: String,
    /// Shared, not copied, where it is a stored media's bytes (a download): any number of
    /// downloads of one media hold it once, and the emulator's lock is never held to copy it.
    pub body: bytes::Bytes,
    /// Extra headers (`Retry-After`).
    pub headers: Vec<(String, String)>,
    /// What the request was, for the summary and the capture record: `message:text`,
    /// `read`, `media:upload`.
    pub what: String,
    /// How it ended, for the summary: `accepted`, `error 100`.
    pub outcome: String,
    /// Whether the request was a send checked against the send schema, and the issues found
    /// (empty when it was valid).
    pub checked: Option<Vec<crate::verdict::Issue>>,
    /// The webhooks that follow, in order.
    pub webhooks: Vec<Webhook>,
}

/// A webhook the emulator sends to the app.
#[derive(Clone, Debug)]
pub struct Webhook {
    /// The status it announces (`sent`, `delivered`), by which `--statuses` delays it; `None`
    /// for other webhooks (an inbound message).
    pub status: Option<&'static str>,
    pub body: Value,
    /// Which of the app's URLs it goes to.
    pub destination: Destination,
}

impl Webhook {
    /// A webhook to the app's main URL (`--webhook`).
    pub fn new(status: Option<&'static str>, body: Value) -> Webhook {
        Webhook {
            status,
            body,
            destination: Destination::Main,
        }
    }
}

/// Which of the app's callback URLs a webhook goes to.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Destination {
    /// `--webhook`.
    #[default]
    Main,
    /// The provider's second URL ([`SendApi::events_webhook`], `--events-webhook`), or
    /// `--webhook` when that is not given.
    Events,
}

/// A failure injected into the emulator's answers (`--inject`, `/_wa-hook/inject`): the
/// provider's error `code`, for the next `count` message sends or every `count`th one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Injection {
    pub code: u32,
    pub every: bool,
    pub count: u32,
}

impl Injection {
    /// `CODE:next=N` or `CODE:every=N` (`131030:next=2`, `130429:every=5`).
    ///
    /// # Errors
    ///
    /// When the text is in neither form.
    pub fn parse(text: &str) -> Result<Injection, String> {
        let wrong = || format!("`{text}` is not CODE:next=N or CODE:every=N (e.g. 131030:next=1)");
        let (code, rule) = text.split_once(':').ok_or_else(wrong)?;
        let (mode, count) = rule.split_once('=').ok_or_else(wrong)?;
        let code = code.trim().parse().map_err(|_| wrong())?;
        let count: u32 = count.trim().parse().map_err(|_| wrong())?;
        if count == 0 {
            return Err(format!("`{text}`: N must be at least 1"));
        }
        let every = match mode.trim() {
            "next" => false,
            "every" => true,
            _ => return Err(wrong()),
        };
        Ok(Injection { code, every, count })
    }
}

/// What the test customer does.
#[derive(Clone, Debug)]
pub enum CustomerAction {
    /// Send a text message.
    Say(String),
    /// Send a message like the provider's sample of this kind (`message:image`).
    SayKind(String),
    /// React to a message the app sent with an emoji.
    React(String, String),
    /// Read a message the app sent.
    Read(String),
    /// Make a message the app sent fail later, with this error code.
    Fail(String, u32),
}

/// The webhook a customer's action leads to, and the message it is about.
pub struct CustomerEvent {
    pub message_id: String,
    pub webhook: Webhook,
}

/// The provider's messages can be drawn as a chat (the inspector's chat pane beside `wa-hook
/// emulate`): what the customer's messages in a webhook say, what the app's sends say, where
/// the provider's answer to a send puts the message's id, and what an error answer says. The
/// statuses come from [`Lifecycle::message_events`]; without this capability the pane shows
/// each message by its kind and the gist.
pub trait Conversation: Sync {
    /// The customer's messages in a webhook body, in its order.
    fn received(&self, body: &Value) -> Vec<Bubble>;

    /// The app's send (the request body) as the chat shows it; `None` for a request that is
    /// no message of the conversation (a media upload).
    fn sent(&self, body: &Value) -> Option<Bubble>;

    /// The message id the provider's answer to a send gives.
    fn sent_id(&self, answer: &Value) -> Option<String>;

    /// What an error answer of the provider says (code, title, details), in one line.
    fn refusal(&self, answer: &Value) -> Option<String>;
}

/// One message as a chat shows it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Bubble {
    /// The message's id as the provider writes it (the sent one comes from the answer).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// `text`, `image`, `template`, `reaction`, `interactive`, `location`; `read` for the app's
    /// mark-as-read of a customer's message.
    pub kind: String,
    /// The text, a caption, a reaction's emoji, a place's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// A template send: its name, language and parameters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub template: Option<TemplateCall>,
    /// The message a reaction (or a mark-as-read) is about.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub about: Option<String>,
    /// The buttons, list rows or link of an interactive message.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub choices: Vec<String>,
}

/// A template as the app sent it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct TemplateCall {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// Each parameter as text: a text's value, `name=value` for a named one, `[image]` for
    /// media.
    pub parameters: Vec<String>,
}

#[cfg(test)]
mod address_tests {
    use super::same_address;

    #[test]
    fn a_number_is_the_same_however_it_is_written() {
        assert!(same_address("+1 (650) 555-3921", "16505553921"));
        assert!(same_address(
            "IN.18392047561029384756",
            "IN.18392047561029384756"
        ));
        assert!(!same_address("16505553922", "16505553921"));
        assert!(!same_address("IN.1839", "in.1839"));
        // Text that is no number is compared as it is, not by its digits.
        assert!(!same_address("US.123", "123"));
        assert!(!same_address("", "+"));
    }
}
