//! Checking one body: parse, detect, validate. `validate`, `listen` and `replay` all call
//! [`check_bytes`] so a body gets the same verdict wherever it is seen.
use serde::Serialize;
use serde_json::Value;

use crate::output;
use crate::providers::{self, Detection, Kind, Provider};
use crate::schemas::Schema;
use crate::tape::{Tape, TapeNode};
pub use crate::verdict::{Issue, Verdict};

/// At most this many errors are kept per body; the rest are counted. A body of 100,000 broken
/// items would otherwise hold (and print) 100,000 errors.
pub const MAX_ISSUES: usize = 50;

#[allow(
    clippy::trivially_copy_pass_by_ref,
    reason = "serde's skip_serializing_if passes a reference"
)]
fn is_zero(count: &usize) -> bool {
    *count == 0
}

/// What to validate against, and how strictly.
#[derive(Clone, Debug, Default)]
pub struct CheckOptions {
    /// Also report properties the documentation does not name.
    pub strict: bool,
    pub force: Option<Forced>,
}

/// A schema or provider chosen by the user instead of detection.
#[derive(Clone, Debug)]
pub enum Forced {
    Provider(Provider),
    Schema(&'static Schema),
}

/// The verdict on one body.
#[derive(Clone, Debug, Serialize)]
pub struct Check {
    pub verdict: Verdict,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provider: Option<Provider>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<Kind>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schema: Option<&'static str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<Issue>,
    /// Errors found beyond the first [`MAX_ISSUES`], counted, not kept.
    #[serde(skip_serializing_if = "is_zero")]
    pub more_errors: usize,
    /// Why an unchecked body was not checked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl Check {
    /// A body that could not be read as JSON (or as a capture record).
    pub fn malformed(expected: &str, found: String) -> Check {
        Check {
            verdict: Verdict::Malformed,
            provider: None,
            kind: None,
            schema: None,
            errors: vec![Issue::whole(expected, found)],
            more_errors: 0,
            note: None,
        }
    }

    /// Write this verdict into a capture record, as `listen` does when a request arrives.
    pub fn record_into(self, record: &mut crate::capture::CaptureRecord) {
        record.provider = self.provider;
        record.kind = self.kind;
        record.verdict = Some(self.verdict);
        record.errors = self.errors;
        record.note = self.note;
    }

    /// A body of more than [`MAX_VALUES`] JSON values, not parsed.
    pub fn too_many_values(values: usize) -> Check {
        Check {
            verdict: Verdict::Unchecked,
            provider: None,
            kind: None,
            schema: None,
            errors: Vec::new(),
            more_errors: 0,
            note: Some(format!(
                "not checked: {values} JSON values, more than the {MAX_VALUES} wa-hook holds in memory at once"
            )),
        }
    }

    /// `qikchat message:text`, or `unknown`.
    pub fn label(&self) -> String {
        output::label(self.provider.as_ref(), self.kind.as_ref())
    }
}

/// Parse `bytes` as JSON, with the error a user can act on (line and column, or the byte
/// where UTF-8 breaks). A number too large for a float (`1e400`) is valid JSON (RFC 8259 leaves
/// range to implementations): it is read as the largest float of its sign.
///
/// # Errors
///
/// The issue to report when `bytes` is not one JSON value.
pub fn parse_json(bytes: &[u8]) -> Result<Value, Issue> {
    let issue = |found: String| Issue::whole("a JSON body", found);
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(issue("an empty body".to_string()));
    }
    // UTF-8 is checked once for the whole body, which is faster than serde_json checking each
    // string as it goes (a sixth of the parse in bench/run validate-jsonl).
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(utf8) => {
            return Err(issue(format!(
                "bytes that are not UTF-8 (at byte {})",
                utf8.valid_up_to()
            )));
        }
    };
    let err = match serde_json::from_str(text) {
        Ok(value) => return Ok(value),
        Err(err) => err,
    };
    if err.to_string().starts_with("number out of range") {
        if let Some(Ok(value)) = clamp_huge_numbers(bytes).map(|b| serde_json::from_slice(&b)) {
            return Ok(value);
        }
    }
    Err(issue(format!(
        "a JSON syntax error at line {} column {}: {}",
        err.line(),
        err.column(),
        strip_position(&err.to_string())
    )))
}

/// `bytes` with every number outside strings that overflows a float replaced by the largest
/// float of its sign; `None` when there is none (or the text is not UTF-8).
fn clamp_huge_numbers(bytes: &[u8]) -> Option<Vec<u8>> {
    let text = std::str::from_utf8(bytes).ok()?;
    let mut out = String::with_capacity(text.len());
    let mut changed = false;
    let mut rest = text;
    while let Some(at) = rest.find(|c: char| c == '"' || c == '-' || c.is_ascii_digit()) {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        if rest.starts_with('"') {
            // Copy the string through its closing quote, skipping escaped characters.
            let mut end = 1;
            let body = rest.as_bytes();
            while end < body.len() && body[end] != b'"' {
                end += if body[end] == b'\\' { 2 } else { 1 };
            }
            let end = (end + 1).min(body.len());
            out.push_str(&rest[..end]);
            rest = &rest[end..];
            continue;
        }
        let end = rest
            .find(|c: char| !(c.is_ascii_digit() || matches!(c, '-' | '+' | '.' | 'e' | 'E')))
            .unwrap_or(rest.len());
        let number = &rest[..end];
        match number.parse::<f64>() {
            Ok(float) if float.is_infinite() => {
                changed = true;
                out.push_str(&f64::MAX.copysign(float).to_string());
            }
            _ => out.push_str(number),
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    changed.then(|| out.into_bytes())
}

/// The properties that appear more than once in one object, as `(pointer of the object,
/// property name)`. JSON parsers disagree on which copy wins (`serde_json` keeps the last), so
/// `--strict` reports them.
pub fn duplicate_keys(bytes: &[u8]) -> Vec<(String, String)> {
    use serde::de::DeserializeSeed;

    let mut path = Vec::new();
    let mut found = Vec::new();
    let bytes = clamp_huge_numbers(bytes).map_or(std::borrow::Cow::Borrowed(bytes), Into::into);
    let mut deserializer = serde_json::Deserializer::from_slice(&bytes);
    let walk = DuplicateKeyWalk {
        path: &mut path,
        found: &mut found,
    };
    // A body that does not parse has no duplicates worth naming: the syntax error is reported.
    let _ = walk.deserialize(&mut deserializer);
    found
}

/// A serde walk over a JSON document that notes each key seen twice in one object, with the
/// pointer of that object. The document is never built.
struct DuplicateKeyWalk<'a> {
    path: &'a mut Vec<String>,
    found: &'a mut Vec<(String, String)>,
}

impl<'de> serde::de::DeserializeSeed<'de> for DuplicateKeyWalk<'_> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for DuplicateKeyWalk<'_> {
    type Value = ();
    fn expecting(&self, formatter: &mut std::fmt::Formatter) -> std::fmt::Result {
        formatter.write_str("any JSON value")
    }
    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut index = 0usize;
        loop {
            self.path.push(index.to_string());
            let more = seq.next_element_seed(DuplicateKeyWalk {
                path: self.path,
                found: self.found,
            })?;
            self.path.pop();
            if more.is_none() {
                return Ok(());
            }
            index += 1;
        }
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut keys = std::collections::HashSet::new();
        let mut reported = std::collections::HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            if keys.contains(&key) && reported.insert(key.clone()) {
                self.found.push((pointer(self.path), key.clone()));
            }
            self.path.push(key.replace('~', "~0").replace('/', "~1"));
            map.next_value_seed(DuplicateKeyWalk {
                path: self.path,
                found: self.found,
            })?;
            let key = self.path.pop().unwrap_or_default();
            keys.insert(key.replace("~1", "/").replace("~0", "~"));
        }
        Ok(())
    }
}

/// The JSON pointer of a path whose parts are already escaped.
fn pointer(path: &[String]) -> String {
    let mut pointer = String::new();
    for part in path {
        pointer.push('/');
        pointer.push_str(part);
    }
    pointer
}

/// A body is checked in its parsed form, which takes up to about 300 bytes per JSON value
/// whatever the value's size (`[1,1,1,…]` of 4 MiB would take 300 MB, nested arrays 600 MB).
/// A body with more values than this is not parsed (`validate` refuses it, `listen` records it
/// unchecked) rather than let memory grow; webhooks hold hundreds.
pub const MAX_VALUES: usize = 400_000;

/// About how many JSON values (including object keys) `bytes` holds: the structural characters
/// outside strings, counted in one pass without parsing.
pub fn count_values(bytes: &[u8]) -> usize {
    // The whole value, one more per comma (a further item) and colon (a key), and one per
    // container that holds anything (its first item).
    let mut count = 1;
    let mut in_string = false;
    let mut escaped = false;
    let mut just_opened = false;
    for &byte in bytes {
        if in_string {
            if escaped {
                escaped = false;
            } else if byte == b'\\' {
                escaped = true;
            } else if byte == b'"' {
                in_string = false;
            }
            continue;
        }
        if byte.is_ascii_whitespace() {
            continue;
        }
        if std::mem::take(&mut just_opened) && matches!(byte, b']' | b'}') {
            count -= 1;
        }
        match byte {
            b'"' => in_string = true,
            b',' | b':' => count += 1,
            b'[' | b'{' => {
                count += 1;
                just_opened = true;
            }
            _ => {}
        }
    }
    count
}

/// `serde_json` appends " at line L column C"; the message says it already.
fn strip_position(message: &str) -> &str {
    message
        .find(" at line ")
        .map_or(message, |at| &message[..at])
}

/// Check raw bytes, as received. With an empty body and a query string in Picky Assist's
/// deprecated shape, the query's fields are checked instead.
pub fn check_bytes(bytes: &[u8], query: Option<&str>, options: &CheckOptions) -> Check {
    if let Some(check) = check_lean(bytes, options) {
        return check;
    }
    check_bytes_parsed(bytes, query, options).0
}

/// The verdict on a valid body, read as a tape ([`crate::tape`]) rather than a `Value`: no map
/// built, hashed or freed. `None` for any other body (of no provider, not valid, not read the
/// same way as a tape, or checked against a provider or schema the user chose), which the
/// usual path checks and describes; so every verdict and error is the usual path's.
fn check_lean(bytes: &[u8], options: &CheckOptions) -> Option<Check> {
    check_lean_with(bytes, options, |_, _, _| ()).map(|(check, ())| check)
}

/// The verdict on a valid body read as a tape (see [`check_bytes`], which tries this first),
/// and what `read` finds in the tape while it is alive (`listen`'s gist and the inspector's
/// message events, from [`providers::gist_tape`] and
/// [`providers::Lifecycle::message_events_tape`]), given the check's provider and kind. `None`
/// for any other body: the caller then takes the usual path ([`check_bytes_parsed`]) for both.
pub fn check_lean_with<T>(
    bytes: &[u8],
    options: &CheckOptions,
    read: impl FnOnce(TapeNode<'_>, Provider, &Kind) -> T,
) -> Option<(Check, T)> {
    if options.force.is_some() {
        return None;
    }
    let tape = Tape::parse(std::str::from_utf8(bytes).ok()?)?;
    let root = tape.root();
    let detection = providers::detect_tape(root.as_object()?)?;
    let schema = detection.provider.schema(detection.schema)?;
    if !schema.tape_validator(options.strict).is_valid(root) {
        return None;
    }
    for part in &detection.parts {
        if let (Some(value), Some(validator)) = (
            providers::shapes::at(root, &part.pointer),
            schema.tape_part_validator(part.def, options.strict),
        ) {
            if !validator.is_valid(value) {
                return None;
            }
        }
    }
    let found = read(root, detection.provider, &detection.kind);
    // No key twice (the tape refuses one): `--strict` has nothing to add.
    let check = Check {
        verdict: if detection.unchecked {
            Verdict::Unchecked
        } else {
            Verdict::Valid
        },
        provider: Some(detection.provider),
        kind: Some(detection.kind),
        schema: Some(schema.id),
        errors: Vec::new(),
        more_errors: 0,
        note: detection.note,
    };
    Some((check, found))
}

/// [`check_bytes`], also returning the body it parsed (the query's fields for Picky Assist's
/// query method), so a caller that summarises the body does not parse it twice.
pub fn check_bytes_parsed(
    bytes: &[u8],
    query: Option<&str>,
    options: &CheckOptions,
) -> (Check, Option<Value>) {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        if let Some(body) = query.and_then(providers::query_body) {
            return (check_value(&body, options), Some(body));
        }
    }
    match parse_json(bytes) {
        Ok(value) => {
            let mut check = check_value(&value, options);
            if options.strict && check.provider.is_some() {
                for (object, key) in duplicate_keys(bytes) {
                    check.verdict = Verdict::Invalid;
                    if check.errors.len() >= MAX_ISSUES {
                        check.more_errors += 1;
                        continue;
                    }
                    check.errors.push(Issue {
                        pointer: object,
                        expected: "each property once".to_string(),
                        found: format!(
                            "\"{key}\" more than once (parsers disagree on which copy counts)"
                        ),
                    });
                }
            }
            (check, Some(value))
        }
        Err(issue) => (Check::malformed(&issue.expected, issue.found), None),
    }
}

/// Whether a request's body is validated: any request with a body, and an empty POST, PUT or
/// PATCH (an empty body where one was expected is worth flagging; an empty GET is not).
pub fn expects_body(method: &str, body: &[u8]) -> bool {
    !body.is_empty() || matches!(method, "POST" | "PUT" | "PATCH")
}

/// A captured request, judged the way `listen` judged it when it arrived.
pub enum RecordCheck {
    Checked(Check),
    /// Nothing to check, and why: a GET without a body, a body that was not kept.
    Skipped(String),
}

/// Check the body of a capture record as received (with its query string, for Picky
/// Assist's deprecated method).
pub fn check_record(record: &crate::capture::CaptureRecord, options: &CheckOptions) -> RecordCheck {
    let body = match record.body_bytes() {
        Ok(Some(body)) => body,
        Ok(None) => {
            let why = record
                .rejected
                .as_ref()
                .map_or_else(|| "not kept".to_string(), ToString::to_string);
            return RecordCheck::Skipped(format!(
                "the capture did not keep its {}-byte body ({why})",
                record.body_bytes
            ));
        }
        Err(err) => {
            return RecordCheck::Checked(Check::malformed("a captured body", format!("{err:#}")));
        }
    };
    if record.direction == Some(crate::capture::Direction::Send) {
        return check_sent(record, &body);
    }
    let query = Some(record.query.as_str()).filter(|q| !q.is_empty());
    let picky_query = body.is_empty() && query.is_some_and(|q| providers::query_body(q).is_some());
    if !expects_body(&record.method, &body) && !picky_query {
        return RecordCheck::Skipped(format!("{} without a body", record.method));
    }
    RecordCheck::Checked(check_bytes(&body, query, options))
}

/// A request an app made to `wa-hook emulate` (`direction: send`): a message send is checked
/// against its provider's send schema ([`SendApi::check_send`](providers::SendApi::check_send));
/// other requests (media, refused ones) have no schema and are skipped.
fn check_sent(record: &crate::capture::CaptureRecord, body: &[u8]) -> RecordCheck {
    let api = record
        .provider
        .and_then(|provider| provider.rules().send_api());
    let is_send = record
        .kind
        .as_ref()
        .is_some_and(|kind| kind.name() == "send");
    let what = record
        .kind
        .as_ref()
        .map_or_else(|| "request".to_string(), ToString::to_string);
    match api {
        Some(api) if is_send => match parse_json(&api.sent_body(body, &record.query)) {
            Ok(value) => RecordCheck::Checked(api.check_send(&value)),
            Err(issue) => RecordCheck::Checked(Check::malformed(&issue.expected, issue.found)),
        },
        _ => RecordCheck::Skipped(format!(
            "the app's {what} request to the emulator: not a message send"
        )),
    }
}

/// Check a parsed body.
pub fn check_value(body: &Value, options: &CheckOptions) -> Check {
    let Some(detection) = detect(body, options) else {
        return unknown_shape(body);
    };
    let Some(schema) = detection.provider.schema(detection.schema) else {
        return schema_missing(&detection);
    };
    let mut issues = Issues::new(body, detection.note.clone());
    issues.collect(schema.validator(options.strict), body, "");
    for part in &detection.parts {
        if let (Some(value), Some(validator)) = (
            providers::shapes::at(body, &part.pointer),
            schema.part_validator(part.def, options.strict),
        ) {
            issues.collect(validator, value, &part.pointer);
        }
    }
    let verdict = if !issues.errors.is_empty() {
        Verdict::Invalid
    } else if detection.unchecked {
        Verdict::Unchecked
    } else {
        Verdict::Valid
    };
    Check {
        verdict,
        provider: Some(detection.provider),
        kind: Some(detection.kind),
        schema: Some(schema.id),
        errors: issues.errors,
        more_errors: issues.more_errors,
        note: issues.note,
    }
}

/// Which provider's schema the body is checked against: detected, or as `--provider` or
/// `--schema` forced it.
fn detect(body: &Value, options: &CheckOptions) -> Option<Detection> {
    match &options.force {
        None => providers::detect(body),
        Some(Forced::Provider(provider)) => Some(providers::detect_within(*provider, body)),
        Some(Forced::Schema(schema)) => {
            let provider = providers::provider_of_schema(schema);
            let detected = providers::detect(body).filter(|d| Some(d.provider) == provider);
            provider.map(|provider| Detection {
                provider,
                kind: detected.map_or_else(|| Kind::named(schema.id), |d| d.kind),
                schema: schema.id,
                parts: Vec::new(),
                unchecked: false,
                note: None,
            })
        }
    }
}

/// The verdict on a body no provider claims.
fn unknown_shape(body: &Value) -> Check {
    Check {
        verdict: Verdict::Unknown,
        provider: None,
        kind: None,
        schema: None,
        errors: vec![Issue::whole(
            "a body in a shape one of the providers documents",
            describe_unknown(body),
        )],
        more_errors: 0,
        note: None,
    }
}

/// The verdict when the detected kind's schema is not shipped. Every kind's schema is (the
/// registry test checks); say so loudly if not.
fn schema_missing(detection: &Detection) -> Check {
    Check {
        verdict: Verdict::Unknown,
        provider: Some(detection.provider),
        kind: Some(detection.kind.clone()),
        schema: None,
        errors: vec![Issue::whole(
            format!(
                "the schema {} (a wa-hook bug: please report it)",
                detection.schema
            ),
            "no such schema shipped",
        )],
        more_errors: 0,
        note: None,
    }
}

/// A body's issues as they are collected from the whole and from each part, bounded.
struct Issues<'a> {
    body: &'a Value,
    errors: Vec<Issue>,
    /// Errors past [`MAX_ISSUES`], counted only.
    more_errors: usize,
    /// Whether the body is large enough to be reported by its first error in each part,
    /// decided when the first invalid part is found.
    first_only: Option<bool>,
    note: Option<String>,
}

impl<'a> Issues<'a> {
    fn new(body: &'a Value, note: Option<String>) -> Self {
        Issues {
            body,
            errors: Vec::new(),
            more_errors: 0,
            first_only: None,
            note,
        }
    }

    fn collect(&mut self, validator: &jsonschema::Validator, value: &Value, prefix: &str) {
        // Most bodies are valid: the boolean check is much cheaper than collecting errors.
        if validator.is_valid(value) {
            return;
        }
        // The validator lists a body's errors all at once, each holding its path: for a large
        // body with thousands of broken items that would be hundreds of megabytes, so a large
        // body is reported by its first error in each part.
        let body = self.body;
        if *self
            .first_only
            .get_or_insert_with(|| has_more_nodes(body, FIRST_ERROR_ONLY_FROM))
        {
            if let Err(error) = validator.validate(value) {
                self.errors.push(describe_error(&error, prefix));
            }
            self.note.get_or_insert_with(|| {
                "a body this large is reported by its first error in each part".to_string()
            });
            return;
        }
        for error in validator.iter_errors(value) {
            if self.errors.len() < MAX_ISSUES {
                self.errors.push(describe_error(&error, prefix));
            } else {
                self.more_errors += 1;
            }
        }
    }
}

/// Bodies with more values than this are reported by their first error in each part.
const FIRST_ERROR_ONLY_FROM: usize = 20_000;

/// Whether `value` holds more than `limit` values, counting no further than that.
fn has_more_nodes(value: &Value, limit: usize) -> bool {
    let mut pending = vec![value];
    let mut seen = 0;
    while let Some(value) = pending.pop() {
        seen += 1;
        if seen > limit {
            return true;
        }
        match value {
            Value::Array(items) => pending.extend(items),
            Value::Object(map) => pending.extend(map.values()),
            _ => {}
        }
    }
    false
}

fn describe_unknown(body: &Value) -> String {
    match body {
        Value::Object(object) => {
            let keys: Vec<&str> = object.keys().take(6).map(String::as_str).collect();
            let shape = if keys.is_empty() {
                "an empty object".to_string()
            } else {
                format!("an object with keys {}", keys.join(", "))
            };
            match providers::near_miss(object) {
                Some(hint) => format!("{shape}: {hint}"),
                None => shape,
            }
        }
        other => format!(
            "{} {}",
            json_type(other),
            output::excerpt(&other.to_string(), 40)
        ),
    }
}

pub fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// A value as it appears in an error: its type and a short excerpt.
fn found_value(value: &Value) -> String {
    let text = output::excerpt(&value.to_string(), 40);
    match value {
        Value::Object(_) | Value::Array(_) => json_type(value).to_string(),
        Value::Null => "null".to_string(),
        _ => format!("{} {text}", json_type(value)),
    }
}

/// One validation error as an issue; `prefix` is the pointer of the part that was validated.
pub fn describe_error(error: &jsonschema::ValidationError<'_>, prefix: &str) -> Issue {
    use jsonschema::error::ValidationErrorKind as Kind;
    let pointer = format!("{prefix}{}", error.instance_path().as_str());
    let instance = error.instance();
    let (expected, found) = match error.kind() {
        Kind::Required { property } => (
            format!("required property {property}"),
            "nothing".to_string(),
        ),
        Kind::Type { kind } => (type_names(kind), found_value(instance)),
        Kind::Enum { options } => (format!("one of {options}"), found_value(instance)),
        Kind::Format { format } => (
            crate::schemas::native_format_pattern(format)
                .map_or_else(|| format!("a {format}"), pattern_words),
            found_text(instance),
        ),
        Kind::Constant { expected_value } => (format!("{expected_value}"), found_value(instance)),
        Kind::Pattern { pattern } => (pattern_words(pattern), found_text(instance)),
        Kind::UnevaluatedProperties { unexpected } | Kind::AdditionalProperties { unexpected } => (
            "only documented properties".to_string(),
            format!("undocumented {}", quote_list(unexpected)),
        ),
        Kind::MinItems { limit } => (
            format!("at least {}", output::plural(*limit, "item", "items")),
            found_value(instance),
        ),
        Kind::MaxLength { limit } => (
            format!(
                "at most {}",
                output::plural(*limit, "character", "characters")
            ),
            found_value(instance),
        ),
        Kind::MinLength { limit } => (
            format!(
                "at least {}",
                output::plural(*limit, "character", "characters")
            ),
            found_value(instance),
        ),
        Kind::Minimum { limit } => (format!("a number ≥ {limit}"), found_value(instance)),
        Kind::Maximum { limit } => (format!("a number ≤ {limit}"), found_value(instance)),
        Kind::AnyOf { context } | Kind::OneOfNotValid { context } if !context.is_empty() => {
            alternatives(context, prefix, &pointer, instance)
        }
        _ => (error.to_string(), found_value(instance)),
    };
    Issue {
        pointer,
        expected,
        found,
    }
}

/// What an `anyOf`/`oneOf` that no alternative matched expected, in words: each alternative's
/// own expectations (the library's text repeats the whole instance instead). Alternatives that
/// each require one property read `required property "id" or "link"`, found "neither".
fn alternatives(
    context: &[Vec<jsonschema::ValidationError<'static>>],
    prefix: &str,
    pointer: &str,
    instance: &Value,
) -> (String, String) {
    use jsonschema::error::ValidationErrorKind as Kind;
    let required: Option<Vec<String>> = context
        .iter()
        .map(|alternative| match alternative.as_slice() {
            [only] => match only.kind() {
                Kind::Required { property } => Some(property.to_string()),
                _ => None,
            },
            _ => None,
        })
        .collect();
    if let Some(names) = required {
        let found = if names.len() == 2 {
            "neither"
        } else {
            "none of them"
        };
        return (
            format!("required property {}", names.join(" or ")),
            found.to_string(),
        );
    }
    let expected: Vec<String> = context
        .iter()
        .map(|alternative| {
            let parts: Vec<String> = alternative
                .iter()
                .map(|error| {
                    let issue = describe_error(error, prefix);
                    match issue.pointer.strip_prefix(pointer) {
                        Some("") => issue.expected,
                        Some(rest) => format!("{} at {rest}", issue.expected),
                        None => format!("{} at {}", issue.expected, issue.pointer),
                    }
                })
                .collect();
            parts.join(" and ")
        })
        .collect();
    (expected.join(", or "), found_value(instance))
}

/// The shipped schemas' recurring patterns in words; others as they are.
fn pattern_words(pattern: &str) -> String {
    match pattern {
        "^[0-9]+$" => "a string of digits".to_string(),
        r"^\+?[0-9][0-9 ()-]*$" => "a phone number (digits)".to_string(),
        r"^[^<>|{}\[\]]+$" => "an id or a code word".to_string(),
        other => format!("a string matching {other}"),
    }
}

/// A string that broke a pattern, flagged when it looks like a documentation placeholder
/// (`<PHONE_NUMBER>`, `TIMESTAMP`, `[A|B]`).
fn found_text(value: &Value) -> String {
    let found = found_value(value);
    let Some(text) = value.as_str() else {
        return found;
    };
    let bracketed = text.starts_with(['<', '[', '{']);
    let shouted = text.len() > 1
        && text.bytes().all(|b| b.is_ascii_uppercase() || b == b'_')
        && text.bytes().any(|b| b.is_ascii_uppercase());
    if bracketed || shouted {
        format!("{found} (a documentation placeholder?)")
    } else {
        found
    }
}

fn type_names(kind: &jsonschema::error::TypeKind) -> String {
    match kind {
        jsonschema::error::TypeKind::Single(single) => format!("{single}"),
        jsonschema::error::TypeKind::Multiple(set) => {
            let names: Vec<String> = set.iter().map(|t| t.to_string()).collect();
            names.join(" or ")
        }
    }
}

fn quote_list(names: &[String]) -> String {
    let quoted: Vec<String> = names.iter().map(|name| format!("\"{name}\"")).collect();
    quoted.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 23: "at least 1 characters", "at least 1 item(s)".
    #[test]
    fn limits_of_one_read_in_the_singular() {
        let expected = |schema: Value, instance: Value| {
            let validator = jsonschema::validator_for(&schema).unwrap();
            describe_error(&validator.validate(&instance).unwrap_err(), "").expected
        };
        let min_length = serde_json::json!({ "minLength": 1 });
        assert_eq!(expected(min_length, "".into()), "at least 1 character");
        let max_length = serde_json::json!({ "maxLength": 2 });
        assert_eq!(expected(max_length, "abc".into()), "at most 2 characters");
        let min_items = serde_json::json!({ "minItems": 1 });
        assert_eq!(
            expected(min_items, serde_json::json!([])),
            "at least 1 item"
        );
    }

    #[test]
    fn syntax_errors_name_line_and_column() {
        let check = check_bytes(b"{\n  \"a\": 1,\n}", None, &CheckOptions::default());
        assert_eq!(check.verdict, Verdict::Malformed);
        assert!(
            check.errors[0].found.contains("line 3 column 1"),
            "{:?}",
            check.errors
        );
    }

    #[test]
    fn numbers_beyond_a_float_are_valid_json() {
        for text in [
            "1e400",
            "-1e400",
            "[1e400, \"1e400\", {\"a\\\"\": -2E+999}]",
            "1e-400",
        ] {
            assert!(parse_json(text.as_bytes()).is_ok(), "{text}");
        }
        let value = parse_json(b"{\"n\": 1e400, \"s\": \"9e999\"}").unwrap();
        assert_eq!(value["n"].as_f64(), Some(f64::MAX));
        assert_eq!(value["s"], "9e999");
        assert!(parse_json(b"[1e400,]").is_err());
    }

    #[test]
    fn values_are_counted_outside_strings() {
        assert_eq!(count_values(b"1"), 1);
        assert_eq!(count_values(br#"[1, 2, {"a,b:[{": "x\",y"}]"#), 6);
        assert_eq!(count_values(b"[{}, [ ], {\"a\": []}]"), 6);
    }

    #[test]
    fn duplicate_keys_are_found_with_their_object() {
        let found = duplicate_keys(br#"{"a": 1, "b": [{"x/y": 1, "x/y": 2}], "a": 3, "a": 4}"#);
        assert_eq!(
            found,
            [
                ("/b/0".to_string(), "x/y".to_string()),
                (String::new(), "a".to_string()),
            ]
        );
        assert!(duplicate_keys(br#"{"a": {"a": 1}}"#).is_empty());
    }

    /// The lean check gives the usual path's verdict, word for word, or leaves the body to it:
    /// every sample, lenient and strict, and Meta bodies edited to be invalid, unchecked, or
    /// unreadable as a tape.
    #[test]
    fn the_lean_check_agrees_with_the_usual_path() {
        let mut bodies: Vec<Vec<u8>> = crate::catalogue::samples()
            .iter()
            .map(|sample| sample.body.to_vec())
            .collect();
        let meta = r#"{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"FIELD","value":VALUE}]}]}"#;
        for (field, value) in [
            (
                "messages",
                r#"{"messaging_product":"whatsapp","metadata":{"display_phone_number":"1","phone_number_id":"2"},"messages":[{"from":"1","id":"wamid.1","timestamp":"1","type":"text","text":{"body":"hi"}}]}"#,
            ),
            (
                "messages",
                r#"{"messaging_product":"whatsapp","metadata":{"display_phone_number":"1","phone_number_id":"2"},"messages":[{"from":"1","id":"wamid.1","timestamp":"1","type":"text"}]}"#,
            ),
            (
                "messages",
                r#"{"messaging_product":"whatsapp","messages":[{"from":"<PHONE>","id":"wamid.1","timestamp":"1","type":"text","text":{"body":"hi"}}]}"#,
            ),
            ("not_a_field", r#"{"a":1}"#),
            (
                "messages",
                r#"{"messaging_product":"whatsapp","messaging_product":"whatsapp"}"#,
            ),
            ("messages", "1e400"),
        ] {
            bodies.push(
                meta.replace("FIELD", field)
                    .replace("VALUE", value)
                    .into_bytes(),
            );
        }
        let mut lean = 0;
        for body in &bodies {
            for strict in [false, true] {
                let options = CheckOptions {
                    strict,
                    force: None,
                };
                let usual = check_bytes_parsed(body, None, &options).0;
                let Some(check) = check_lean(body, &options) else {
                    continue;
                };
                lean += 1;
                assert_eq!(
                    serde_json::to_value(&check).unwrap(),
                    serde_json::to_value(&usual).unwrap(),
                    "{}",
                    String::from_utf8_lossy(body)
                );
            }
        }
        // Every sample is valid (a test says so), so each is checked the lean way, twice.
        assert!(
            lean >= 2 * crate::catalogue::samples().len(),
            "{lean} lean checks"
        );
    }

    #[test]
    fn empty_and_binary_bodies_are_malformed() {
        let empty = check_bytes(b"  \n", None, &CheckOptions::default());
        assert_eq!(empty.errors[0].found, "an empty body");
        let binary = check_bytes(b"{\"a\": \"\xff\"}", None, &CheckOptions::default());
        assert!(binary.errors[0].found.contains("not UTF-8 (at byte 7)"));
    }
}

#[cfg(test)]
#[path = "validation/differential.rs"]
mod lean_differential;
