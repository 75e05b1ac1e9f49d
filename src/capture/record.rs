//! The capture record and its parts: the types behind each line of a capture file. Each typed
//! field writes the same text earlier versions wrote as a plain string, and reads back whatever
//! those versions wrote (`schemas/capture-record.json` says what that is).
use anyhow::Context;
use base64::Engine;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::providers::{Kind, Provider};
use crate::verdict::{Issue, Verdict};

/// The version of the record format, written first in every record.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct FormatVersion(pub u32);

/// What this wa-hook writes.
pub const FORMAT_VERSION: FormatVersion = FormatVersion(1);

impl Default for FormatVersion {
    fn default() -> FormatVersion {
        FORMAT_VERSION
    }
}

/// One captured request. `CaptureRecord { seq, method, ..Default::default() }` is a record of
/// this format version with nothing else known yet.
///
/// The fields are written in this order (`wa_hook_capture` then `seq` first: readers find a
/// record's line and seq without parsing it, see [`super::record_seq`]).
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct CaptureRecord {
    /// Always [`FORMAT_VERSION`] when written by this wa-hook.
    pub wa_hook_capture: FormatVersion,
    /// 1, 2, 3 ... in the order requests were received, continuing the file's highest.
    pub seq: u64,
    /// Which run of `listen` received it (`new_run_id`); absent in records written before
    /// wa-hook had it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run: Option<String>,
    /// Which way the request went: absent for a webhook wa-hook received (`listen`, and every
    /// record written before `emulate`); `send` for a request an app made to `wa-hook
    /// emulate`, `webhook` for a webhook `emulate` sent to the app.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub direction: Option<Direction>,
    /// RFC 3339 with microseconds, UTC.
    pub received_at: String,
    pub remote_addr: String,
    pub method: String,
    /// The path without the query.
    pub path: String,
    /// The raw query string, without `?`; empty when there was none.
    #[serde(default)]
    pub query: String,
    /// In the order received; secret-bearing values replaced with `(redacted)`.
    #[serde(deserialize_with = "super::reader::heavy")]
    pub headers: Vec<(String, String)>,
    /// Names of the headers whose values were redacted.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "super::reader::heavy"
    )]
    pub redacted_headers: Vec<String>,
    /// The body exactly as received: text when UTF-8, base64 otherwise; absent when it was
    /// too large to keep.
    pub body: Option<String>,
    pub body_encoding: BodyEncoding,
    /// Length of the body in bytes (as declared, for a body too large to read).
    pub body_bytes: u64,
    /// The provider whose body it is, by id. An id this wa-hook does not know (a file written
    /// by a later version) reads as `None`: the record stays readable, and is treated as a body
    /// of no known provider, which it is to this version.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "known_provider"
    )]
    pub provider: Option<Provider>,
    /// What the body is about (`status:read`), as its provider named it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<Kind>,
    /// Absent where nothing was validated. Skipped by the lean read, which judges the body
    /// afresh: a verdict word of a later version does not make the record unreadable there.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "super::reader::heavy"
    )]
    pub verdict: Option<Verdict>,
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "super::reader::heavy"
    )]
    pub errors: Vec<Issue>,
    /// Why a body of a known provider was not checked (`unchecked`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Why the request was refused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rejected: Option<Rejection>,
    /// The Meta signature check, when `--app-secret-env` was given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<SignatureCheck>,
    /// The status wa-hook answered with; for a `webhook` record, the app's (502 when no answer
    /// came, 504 when it came too late: see `forward.error`).
    pub response_status: u16,
    /// For a `send` record: the body the emulator answered with, as text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "super::reader::heavy"
    )]
    pub forward: Option<ForwardResult>,
    /// For a `webhook` record of `emulate`: how it went when not as one plain first attempt
    /// (a retry, `--chaos`, several webhooks merged); absent otherwise, and in earlier records.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "super::reader::heavy"
    )]
    pub delivery: Option<DeliveryNote>,
}

/// How `emulate` delivered a webhook (see [`CaptureRecord::delivery`]).
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct DeliveryNote {
    /// 2 for the first retry of a webhook the app did not take, 3 for the second …; absent for
    /// a first attempt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attempt: Option<u32>,
    /// What `--chaos` did to it: `duplicate` (sent again), `reordered` (its send's webhooks in
    /// another order), `late`. Words of later versions read as they are.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub chaos: Vec<String>,
    /// With `late`: how much later than its time it was sent, in milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub late_ms: Option<u64>,
    /// How many webhooks it carried, merged into one notification as the provider batches
    /// them; absent for one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batched: Option<u32>,
}

/// Which way a captured request went (absent: a webhook received by `listen`).
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// The app's request to `wa-hook emulate` (a send, a media call), with its answer.
    Send,
    /// A webhook `wa-hook emulate` sent to the app, with the app's answer in `forward`.
    Webhook,
}

#[derive(Clone, Copy, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum BodyEncoding {
    Utf8,
    Base64,
    /// The body was not kept (too large, or refused unread).
    #[default]
    None,
}

/// What the user's app answered when the request was forwarded.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct ForwardResult {
    pub url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    pub latency_ms: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// The Meta signature check of a body (`X-Hub-Signature-256`), written `valid`, `missing` or
/// `invalid: <what is wrong>`. Text that is none of these (a check a later version wrote)
/// reads as [`SignatureCheck::Other`] and is written back unchanged, so the record stays
/// readable, as earlier versions read any text here.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SignatureCheck {
    Valid,
    /// The request had no signature header.
    Missing,
    /// The signature does not match the body; why, in a few words.
    Invalid(String),
    /// A check this version does not know, as written.
    Other(String),
}

impl SignatureCheck {
    const INVALID: &'static str = "invalid: ";

    pub fn is_valid(&self) -> bool {
        *self == SignatureCheck::Valid
    }

    /// Read back as written: every string is a check.
    fn parse(text: &str) -> SignatureCheck {
        match text {
            "valid" => SignatureCheck::Valid,
            "missing" => SignatureCheck::Missing,
            _ => match text.strip_prefix(Self::INVALID) {
                Some(why) => SignatureCheck::Invalid(why.to_string()),
                None => SignatureCheck::Other(text.to_string()),
            },
        }
    }
}

impl std::fmt::Display for SignatureCheck {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SignatureCheck::Valid => f.write_str("valid"),
            SignatureCheck::Missing => f.write_str("missing"),
            SignatureCheck::Invalid(why) => write!(f, "{}{why}", Self::INVALID),
            SignatureCheck::Other(text) => f.write_str(text),
        }
    }
}

impl Serialize for SignatureCheck {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for SignatureCheck {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(SignatureCheck::parse(&String::deserialize(deserializer)?))
    }
}

/// Why `listen` refused a request, written as text (`basic auth`, `body too large (...)`).
/// Text that is none of the forms below (a reason the HTTP layer gave, or one a later version
/// wrote) reads as [`Rejection::Other`] and is written back unchanged.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Rejection {
    /// `--basic-auth-env` was given and the request's credentials did not match.
    BasicAuth,
    /// A subscription handshake with the wrong `hub.verify_token`.
    WrongVerifyToken,
    /// A handshake whose `hub.mode` is not `subscribe` (the mode given).
    HubMode(String),
    /// `--reject-bad-signature` and a signature that is missing or wrong.
    BadSignature,
    /// Over `--max-body`: the length declared (or seen), and the limit.
    BodyTooLarge { bytes: u64, max: u64 },
    /// The sender stopped part-way (what the read said).
    IncompleteBody(String),
    /// Refused before its body was read, as the reason says: a request the HTTP layer could not
    /// read, or `listen` too busy to take it.
    Other(String),
}

impl Rejection {
    /// Read back as written: every string is a rejection.
    fn parse(text: &str) -> Rejection {
        let within = |prefix: &str, suffix: &str| {
            text.strip_prefix(prefix)
                .and_then(|rest| rest.strip_suffix(suffix))
        };
        match text {
            "basic auth" => return Rejection::BasicAuth,
            "wrong verify token" => return Rejection::WrongVerifyToken,
            "bad signature" => return Rejection::BadSignature,
            _ => {}
        }
        if let Some(mode) = within("hub.mode is `", "`, not `subscribe`") {
            return Rejection::HubMode(mode.to_string());
        }
        if let Some((bytes, max)) = within("body too large (", ")")
            .and_then(|inside| inside.split_once(" bytes; --max-body is "))
            .and_then(|(bytes, max)| Some((bytes.parse().ok()?, max.parse().ok()?)))
        {
            return Rejection::BodyTooLarge { bytes, max };
        }
        if let Some(why) = within("incomplete body (", ")") {
            return Rejection::IncompleteBody(why.to_string());
        }
        Rejection::Other(text.to_string())
    }
}

impl std::fmt::Display for Rejection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Rejection::BasicAuth => f.write_str("basic auth"),
            Rejection::WrongVerifyToken => f.write_str("wrong verify token"),
            Rejection::HubMode(mode) => write!(f, "hub.mode is `{mode}`, not `subscribe`"),
            Rejection::BadSignature => f.write_str("bad signature"),
            Rejection::BodyTooLarge { bytes, max } => {
                write!(f, "body too large ({bytes} bytes; --max-body is {max})")
            }
            Rejection::IncompleteBody(why) => write!(f, "incomplete body ({why})"),
            Rejection::Other(text) => f.write_str(text),
        }
    }
}

impl Serialize for Rejection {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Rejection {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(Rejection::parse(&String::deserialize(deserializer)?))
    }
}

/// A provider id, or `None` for one this wa-hook does not know (see `CaptureRecord::provider`).
fn known_provider<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Provider>, D::Error> {
    Ok(Option::<String>::deserialize(deserializer)?
        .as_deref()
        .and_then(Provider::from_id))
}

impl CaptureRecord {
    /// The record as one line of JSON (without its newline) appended to `line`: byte for byte
    /// what serde_json writes of it (a test checks), but its strings (the body is most of a
    /// record) escaped in one scan (`escape::json_string`) rather than through serde_json's
    /// per-byte path. Every field is named here, so a new one cannot be left out.
    ///
    /// # Errors
    /// When a field does not encode, as serde_json would fail.
    pub fn write_json(&self, line: &mut Vec<u8>) -> serde_json::Result<()> {
        let CaptureRecord {
            wa_hook_capture,
            seq,
            run,
            direction,
            received_at,
            remote_addr,
            method,
            path,
            query,
            headers,
            redacted_headers,
            body,
            body_encoding,
            body_bytes,
            provider,
            kind,
            verdict,
            errors,
            note,
            rejected,
            signature,
            response_status,
            answer,
            forward,
            delivery,
        } = self;
        use crate::escape::{joined, json_string, member};
        line.extend_from_slice(b"{\"wa_hook_capture\":");
        serde_json::to_writer(&mut *line, wa_hook_capture)?;
        member!(line, "seq", json: seq)?;
        if let Some(run) = run {
            member!(line, "run", json: run)?;
        }
        if let Some(direction) = direction {
            member!(line, "direction", json: direction)?;
        }
        member!(line, "received_at", text: received_at);
        member!(line, "remote_addr", text: remote_addr);
        member!(line, "method", text: method);
        member!(line, "path", text: path);
        member!(line, "query", text: query);
        member!(line, "headers");
        joined(line, *b"[]", headers, |(name, value), line| {
            joined(line, *b"[]", [name.as_str(), value.as_str()], json_string);
        });
        if !redacted_headers.is_empty() {
            member!(line, "redacted_headers");
            let names = redacted_headers.iter().map(String::as_str);
            joined(line, *b"[]", names, json_string);
        }
        member!(line, "body", maybe: body.as_deref());
        member!(line, "body_encoding", json: body_encoding)?;
        member!(line, "body_bytes", json: body_bytes)?;
        if let Some(provider) = provider {
            member!(line, "provider", json: provider)?;
        }
        if let Some(kind) = kind {
            member!(line, "kind", json: kind)?;
        }
        if let Some(verdict) = verdict {
            member!(line, "verdict", json: verdict)?;
        }
        if !errors.is_empty() {
            member!(line, "errors", json: errors)?;
        }
        if let Some(note) = note {
            member!(line, "note", text: note);
        }
        if let Some(rejected) = rejected {
            member!(line, "rejected", json: rejected)?;
        }
        if let Some(signature) = signature {
            member!(line, "signature", json: signature)?;
        }
        member!(line, "response_status", json: response_status)?;
        if let Some(answer) = answer {
            member!(line, "answer", json: answer)?;
        }
        if let Some(forward) = forward {
            member!(line, "forward", json: forward)?;
        }
        if let Some(delivery) = delivery {
            member!(line, "delivery", json: delivery)?;
        }
        line.push(b'}');
        Ok(())
    }

    /// Encode a received body: text when it is UTF-8, base64 otherwise.
    pub fn encode_body(bytes: &[u8]) -> (Option<String>, BodyEncoding) {
        match std::str::from_utf8(bytes) {
            Ok(text) => (Some(text.to_string()), BodyEncoding::Utf8),
            Err(_) => (
                Some(base64::engine::general_purpose::STANDARD.encode(bytes)),
                BodyEncoding::Base64,
            ),
        }
    }

    /// The first header with this name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
    }

    /// The body bytes exactly as received; `None` when the body was not kept.
    pub fn body_bytes(&self) -> anyhow::Result<Option<Vec<u8>>> {
        match (&self.body, self.body_encoding) {
            (None, _) | (_, BodyEncoding::None) => Ok(None),
            (Some(text), BodyEncoding::Utf8) => Ok(Some(text.as_bytes().to_vec())),
            (Some(text), BodyEncoding::Base64) => base64::engine::general_purpose::STANDARD
                .decode(text)
                .map(Some)
                .context("the record's base64 body does not decode"),
        }
    }
}

/// The first header with this name (case-insensitive) in `[name, value]` pairs.
pub fn find_header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(key, _)| key.eq_ignore_ascii_case(name))
        .map(|(_, value)| value.as_str())
}

/// An id for one run of `listen`, written in each of its records, so a file appended to by
/// several runs says which run received what: its start time and process id
/// (`2026-11-23T02:34:00.123Z-4321`).
pub fn new_run_id() -> String {
    format!(
        "{}-{}",
        humantime::format_rfc3339_millis(std::time::SystemTime::now()),
        std::process::id()
    )
}

/// The current time as RFC 3339 with microseconds.
pub fn now_rfc3339() -> String {
    humantime::format_rfc3339_micros(std::time::SystemTime::now()).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each typed field writes exactly the text earlier versions wrote as a string, and reads
    /// it back as the same value.
    #[test]
    fn typed_fields_write_the_strings_earlier_versions_wrote() {
        let signatures = [
            (SignatureCheck::Valid, "valid"),
            (SignatureCheck::Missing, "missing"),
            (
                SignatureCheck::Invalid("the body was changed".into()),
                "invalid: the body was changed",
            ),
        ];
        for (check, text) in signatures {
            assert_eq!(serde_json::to_value(&check).unwrap(), text);
            assert_eq!(
                serde_json::from_value::<SignatureCheck>(text.into()).unwrap(),
                check
            );
        }
        // A check this version does not know (a later one wrote it) reads, and writes back.
        let other = SignatureCheck::Other("not checked: no secret for this provider".into());
        assert_eq!(
            serde_json::from_value::<SignatureCheck>(serde_json::to_value(&other).unwrap())
                .unwrap(),
            other
        );
        assert!(!other.is_valid());
        let rejections = [
            (Rejection::BasicAuth, "basic auth"),
            (Rejection::WrongVerifyToken, "wrong verify token"),
            (
                Rejection::HubMode("unsubscribe".into()),
                "hub.mode is `unsubscribe`, not `subscribe`",
            ),
            (Rejection::BadSignature, "bad signature"),
            (
                Rejection::BodyTooLarge {
                    bytes: 2_000_000,
                    max: 1_048_576,
                },
                "body too large (2000000 bytes; --max-body is 1048576)",
            ),
            (
                Rejection::IncompleteBody("unexpected end of file".into()),
                "incomplete body (unexpected end of file)",
            ),
            (
                Rejection::Other("malformed request line".into()),
                "malformed request line",
            ),
            (
                Rejection::Other("body too large (many bytes)".into()),
                "body too large (many bytes)",
            ),
        ];
        for (rejection, text) in rejections {
            assert_eq!(serde_json::to_value(&rejection).unwrap(), text);
            assert_eq!(
                serde_json::from_value::<Rejection>(text.into()).unwrap(),
                rejection
            );
        }
        for text in ["meta", "qikchat", "smartflow", "picky", "partner"] {
            let record: CaptureRecord = serde_json::from_value(serde_json::json!({
                "wa_hook_capture": 1, "seq": 1, "received_at": "", "remote_addr": "",
                "method": "POST", "path": "/", "headers": [], "body": null,
                "body_encoding": "none", "body_bytes": 0, "response_status": 200,
                "provider": text, "kind": "template_status:REJECTED"
            }))
            .unwrap();
            let written = serde_json::to_value(&record).unwrap();
            assert_eq!(written["provider"], text);
            assert_eq!(written["kind"], "template_status:REJECTED");
        }
    }

    /// Every field set, each to text that needs escaping.
    fn full_record(body: &[u8]) -> CaptureRecord {
        let (body, body_encoding) = CaptureRecord::encode_body(body);
        CaptureRecord {
            seq: 7,
            run: Some("r\"un".into()),
            direction: Some(Direction::Webhook),
            received_at: now_rfc3339(),
            remote_addr: "127.0.0.1:1".into(),
            method: "POST".into(),
            path: "/a\\b".into(),
            query: "x=\u{1}".into(),
            headers: vec![
                ("Content-Type".into(), "application/json\n".into()),
                ("X-\"Odd\"".into(), "caf\u{e9} \\ \u{1}".into()),
                (String::new(), String::new()),
            ],
            redacted_headers: vec!["Authorization".into(), "X-\"Key\"\t".into()],
            body,
            body_encoding,
            body_bytes: 3,
            provider: Provider::from_id("meta"),
            kind: Some(Kind::parse("message:text")),
            verdict: Some(Verdict::Invalid),
            errors: vec![Issue::whole("an \"object\"", "é\t".to_string())],
            note: Some("n\u{7f}".into()),
            rejected: Some(Rejection::HubMode("x\"".into())),
            signature: Some(SignatureCheck::Invalid("bad\\".into())),
            response_status: 401,
            answer: Some("{\"a\":1}".into()),
            forward: Some(ForwardResult {
                url: "http://127.0.0.1/".into(),
                status: Some(200),
                latency_ms: 1.5,
                body: Some("ok\r\n".into()),
                error: None,
            }),
            delivery: Some(DeliveryNote {
                attempt: Some(2),
                chaos: vec!["late".into()],
                late_ms: Some(3),
                batched: Some(4),
            }),
            ..CaptureRecord::default()
        }
    }

    /// The record's line, as the writer writes it, is serde_json's byte for byte: for every
    /// sample as the body, and bodies of control characters, quotes, backslashes, non-ASCII
    /// and invalid UTF-8 (base64), with every field set and with none.
    #[test]
    fn records_are_written_as_serde_json_writes_them() {
        let every_byte: Vec<u8> = (0..=255).collect();
        let every_ascii: Vec<u8> = (0..0x80).collect();
        let mut bodies: Vec<Vec<u8>> = crate::catalogue::samples()
            .iter()
            .map(|sample| sample.body.to_vec())
            .collect();
        bodies.extend(
            [
                &b""[..],
                b"\"",
                b"\\",
                b"{\"a\":\"b\\\"c\"}\r\n\t\x08\x0c\x00\x1f\x7f",
                "caf\u{e9} \u{1f44d} \u{2028} \u{ffff}".as_bytes(),
                b"\xff\xfe not UTF-8",
                b"\xc3",
                &every_ascii,
                &every_byte,
            ]
            .map(<[u8]>::to_vec),
        );
        assert!(bodies.len() > 60);
        let mut encodings = std::collections::HashSet::new();
        for body in &bodies {
            let full = full_record(body);
            encodings.insert(format!("{:?}", full.body_encoding));
            let (text, body_encoding) = CaptureRecord::encode_body(body);
            let bare = CaptureRecord {
                body: text,
                body_encoding,
                ..CaptureRecord::default()
            };
            let none = CaptureRecord {
                body: None,
                ..full.clone()
            };
            for record in [full, bare, none] {
                let mut line = b"earlier line\n".to_vec();
                record.write_json(&mut line).unwrap();
                let expected = [
                    &b"earlier line\n"[..],
                    &serde_json::to_vec(&record).unwrap(),
                ]
                .concat();
                assert_eq!(
                    String::from_utf8_lossy(&line),
                    String::from_utf8_lossy(&expected)
                );
            }
        }
        assert_eq!(encodings.len(), 2, "text and base64 bodies: {encodings:?}");
    }

    #[test]
    fn a_default_record_is_of_this_format_version() {
        let line = serde_json::to_string(&CaptureRecord::default()).unwrap();
        assert!(
            line.starts_with("{\"wa_hook_capture\":1,\"seq\":0,"),
            "{line}"
        );
    }

    #[test]
    fn timestamps_have_microseconds() {
        let now = now_rfc3339();
        assert_eq!(now.len(), "2026-11-21T12:00:00.123456Z".len(), "{now}");
    }
}
