//! The lean check ([`super::check_lean`], tried first by [`super::check_bytes`]) against the
//! usual path on every sample edited node by node: each node replaced (strings with escapes,
//! numbers written other ways, other types), removed, or its object or array changed (another
//! provider's marks added, a key twice, members reordered); lenient
//! and strict. Any difference in the printed verdict is a false verdict. Where the lean path
//! answers, what `listen` reads from its tape (the live line's gist, the inspector's message
//! events: [`BodyFacts::of_tape`]) must equal what it reads from the `Value` ([`BodyFacts::of`]).
use serde_json::Value;

use super::{CheckOptions, check_bytes, check_bytes_parsed, check_lean_with};
use crate::capture::CaptureRecord;
use crate::inspector::BodyFacts;

/// A string no sample holds, swapped for raw JSON text after serialising.
const HOLE: &str = "\u{1}hole\u{1}";
const HOLE_JSON: &str = "\"\\u0001hole\\u0001\"";

/// Raw texts each node is replaced by.
const REPLACEMENTS: &[&str] = &[
    "null",
    "true",
    "0",
    "-0",
    "1.0",
    "2.0",
    "1e2",
    "-1",
    "1.5",
    "18446744073709551616",
    "-9223372036854775809",
    "\"\"",
    "\" \"",
    "\"\\n\"",
    "\"\\u0000\"",
    "\"\\ud83d\\ude00\"",
    "\"<PHONE>\"",
    "\"123\"",
    "\"123\\n\"",
    "[]",
    "{}",
    "[{}]",
];

/// Keys (and values) that mark a body as one provider's or another's.
const MARKS: &[(&str, &str)] = &[
    ("object", "\"whatsapp_business_account\""),
    ("event", "\"whatsapp:message:in\""),
    ("event", "\"whatsapp:message:status\""),
    ("messaging_product", "\"whatsapp\""),
    ("metadata", "{}"),
    ("number", "\"1\""),
    ("application", "8"),
    ("type", "\"7\""),
    ("message-out", "\"x\""),
    ("project_id", "1"),
    ("event_id", "1"),
    ("access_token", "\"x\""),
    ("expiration_time", "1"),
    ("status", "\"OK\""),
    ("reason", "1"),
    ("name", "\"whatsapp\""),
    ("from", "\"1\""),
    ("id", "\"x\""),
    ("recipient_id", "\"1\""),
    ("message_id", "\"x\""),
    ("state", "\"x\""),
    ("recipient", "\"x\""),
    ("channel", "\"x\""),
    ("foreign_id", "\"x\""),
    ("contact", "[]"),
    ("location", "{}"),
];

/// Every node's pointer, as a path of keys and indexes.
fn paths(value: &Value, path: &mut Vec<Step>, out: &mut Vec<Vec<Step>>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                path.push(Step::Key(key.clone()));
                out.push(path.clone());
                paths(child, path, out);
                path.pop();
            }
        }
        Value::Array(items) => {
            for (index, child) in items.iter().enumerate() {
                path.push(Step::Index(index));
                out.push(path.clone());
                paths(child, path, out);
                path.pop();
            }
        }
        _ => {}
    }
}

#[derive(Clone)]
enum Step {
    Key(String),
    Index(usize),
}

fn node<'a>(value: &'a mut Value, path: &[Step]) -> &'a mut Value {
    path.iter().fold(value, |value, step| match step {
        Step::Key(key) => &mut value[key.as_str()],
        Step::Index(index) => &mut value[*index],
    })
}

/// The body with the node at `path` swapped for raw `text`.
fn replaced(body: &Value, path: &[Step], text: &str) -> String {
    let mut body = body.clone();
    *node(&mut body, path) = Value::String(HOLE.into());
    serde_json::to_string(&body)
        .unwrap()
        .replace(HOLE_JSON, text)
}

/// The body with the node at `path` removed.
fn removed(body: &Value, path: &[Step]) -> String {
    let mut body = body.clone();
    let (last, parent) = path.split_last().unwrap();
    match (node(&mut body, parent), last) {
        (Value::Object(map), Step::Key(key)) => {
            map.shift_remove(key);
        }
        (Value::Array(items), Step::Index(index)) => {
            items.remove(*index);
        }
        _ => unreachable!(),
    }
    serde_json::to_string(&body).unwrap()
}

/// JSON text for a string, with every character escaped as `\uXXXX` and `/` as `\/`.
fn escaped(text: &str) -> String {
    let mut out = String::from("\"");
    for unit in text.encode_utf16() {
        out.push_str(&format!("\\u{unit:04x}"));
    }
    out.push('"');
    out
}

/// The edits of one node.
fn edits(body: &Value, path: &[Step], out: &mut Vec<String>) {
    for text in REPLACEMENTS {
        out.push(replaced(body, path, text));
    }
    out.push(removed(body, path));
    let mut copy = body.clone();
    let value = node(&mut copy, path).clone();
    match &value {
        Value::String(text) => {
            for variant in [
                format!("{text}\n"),
                format!("\n{text}"),
                format!("{text}\u{0}"),
                format!("{text} "),
                format!(" {text}"),
                text.to_uppercase(),
                text.to_lowercase(),
                text.repeat(40),
                text.chars().skip(1).collect(),
                text.chars()
                    .take(text.chars().count().saturating_sub(1))
                    .collect(),
                format!("{text}é"),
            ] {
                out.push(replaced(
                    body,
                    path,
                    &serde_json::to_string(&variant).unwrap(),
                ));
            }
            out.push(replaced(body, path, &escaped(text)));
            out.push(replaced(body, path, &text.replace('/', "\\/").pipe_json()));
            if let Ok(number) = text.parse::<f64>() {
                out.push(replaced(body, path, text));
                out.push(replaced(body, path, &format!("{number:?}")));
            }
        }
        Value::Number(number) => {
            let text = number.to_string();
            for variant in [
                format!("{text}.0"),
                format!("{text}e0"),
                format!("{text}E+0"),
                format!("-{text}"),
                format!("\"{text}\""),
                format!("{text}0000000000000000000000"),
                format!("{text}e400"),
            ] {
                out.push(replaced(body, path, &variant));
            }
        }
        Value::Array(items) => {
            let mut more = items.clone();
            more.extend(items.iter().cloned());
            out.push(replaced(body, path, &Value::Array(more).to_string()));
            let mut one = items.clone();
            one.push(Value::Null);
            out.push(replaced(body, path, &Value::Array(one).to_string()));
        }
        Value::Object(map) => {
            // Another provider's marks (PROVIDERS.md, "Telling providers apart").
            for (key, mark) in MARKS {
                let mut marked = map.clone();
                marked.insert((*key).into(), serde_json::from_str(mark).unwrap());
                out.push(replaced(body, path, &Value::Object(marked).to_string()));
            }
            let mut extra = map.clone();
            extra.insert("zz_extra".into(), Value::from(1));
            out.push(replaced(body, path, &Value::Object(extra).to_string()));
            // Its members in reverse order.
            let reversed: serde_json::Map<String, Value> = map
                .iter()
                .rev()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            out.push(replaced(body, path, &Value::Object(reversed).to_string()));
            // Its first key twice: once with null, once as it was.
            if let Some((key, first)) = map.iter().next() {
                let inner = Value::Object(map.clone()).to_string();
                let key = serde_json::to_string(key).unwrap();
                out.push(replaced(
                    body,
                    path,
                    &format!("{{{key}:null,{}", &inner[1..]),
                ));
                out.push(replaced(
                    body,
                    path,
                    &format!("{},{key}:{first}}}", &inner[..inner.len() - 1]),
                ));
            }
        }
        _ => {}
    }
}

trait PipeJson {
    fn pipe_json(&self) -> String;
}

impl PipeJson for String {
    /// Already-escaped text between quotes.
    fn pipe_json(&self) -> String {
        let inner = serde_json::to_string(&self.replace("\\/", "/")).unwrap();
        inner.replace('/', "\\/")
    }
}

/// The first difference between the lean-first check and the usual path on `body`; `lean`
/// counts the checks the lean path answered.
fn differs(body: &[u8], lean_answers: &mut usize) -> Option<String> {
    for strict in [false, true] {
        let options = CheckOptions {
            strict,
            force: None,
        };
        *lean_answers += usize::from(super::check_lean(body, &options).is_some());
        let lean = serde_json::to_value(check_bytes(body, None, &options)).unwrap();
        let (usual_check, value) = check_bytes_parsed(body, None, &options);
        let usual = serde_json::to_value(&usual_check).unwrap();
        if lean != usual {
            return Some(format!(
                "strict {strict}: {}\n lean:  {lean}\n usual: {usual}",
                String::from_utf8_lossy(body)
            ));
        }
        if let Some(failure) = facts_differ(body, &options, usual_check, value.as_ref()) {
            return Some(format!(
                "strict {strict}: {}\n {failure}",
                String::from_utf8_lossy(body)
            ));
        }
    }
    None
}

/// Where the lean path answers: the difference between its verdict, gist and message events,
/// read from the tape as `listen` reads them, and the usual path's, read from the `Value`.
fn facts_differ(
    body: &[u8],
    options: &CheckOptions,
    usual: super::Check,
    value: Option<&Value>,
) -> Option<String> {
    let (check, facts) = check_lean_with(body, options, BodyFacts::of_tape)?;
    let (lean, usual_json) = (
        serde_json::to_value(&check).unwrap(),
        serde_json::to_value(&usual).unwrap(),
    );
    if lean != usual_json {
        return Some(format!("lean check:  {lean}\n usual check: {usual_json}"));
    }
    let mut record = CaptureRecord::default();
    usual.record_into(&mut record);
    let of_value = BodyFacts::of(&record, body, value);
    (facts != of_value).then(|| format!("tape facts:  {facts:?}\n value facts: {of_value:?}"))
}

/// Whole-body forms: Meta's wire form (every non-ASCII character and `/` escaped), pretty
/// printed, and with the root object grown to 63, 64 and 65 keys or given a value nested
/// 126 to 129 deep.
fn whole_edits(body: &Value, out: &mut Vec<String>) {
    let compact = serde_json::to_string(body).unwrap();
    let mut wire = String::new();
    for c in compact.chars() {
        match c {
            '/' => wire.push_str("\\/"),
            c if c.is_ascii() => wire.push(c),
            c => {
                for unit in c.encode_utf16(&mut [0; 2]) {
                    wire.push_str(&format!("\\u{unit:04x}"));
                }
            }
        }
    }
    out.push(wire);
    out.push(serde_json::to_string_pretty(body).unwrap());
    if let Value::Object(map) = body {
        for keys in [63_usize, 64, 65] {
            let mut grown = map.clone();
            for index in 0..keys.saturating_sub(map.len()) {
                grown.insert(format!("zz{index}"), Value::from(index));
            }
            out.push(Value::Object(grown).to_string());
        }
        for depth in 126..130 {
            let nested = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
            out.push(format!(
                "{},\"zz_deep\":{nested}}}",
                &compact[..compact.len() - 1]
            ));
        }
    }
}

fn sample_bodies() -> Vec<Value> {
    crate::catalogue::samples()
        .iter()
        .filter_map(|sample| serde_json::from_slice(sample.body).ok())
        .collect()
}

/// Every `stride`th edit of every sample (every whole-body form), checked both ways: the
/// differences, described, and the number of bodies and of lean answers.
fn run(stride: usize) -> (Vec<String>, usize, usize) {
    let mut failures = Vec::new();
    let (mut bodies, mut lean) = (0, 0);
    let mut check = |body: &str, failures: &mut Vec<String>| {
        bodies += 1;
        if let Some(failure) = differs(body.as_bytes(), &mut lean) {
            failures.push(failure);
        }
    };
    let mut seen = 0;
    for sample in sample_bodies() {
        let mut whole = Vec::new();
        whole_edits(&sample, &mut whole);
        for body in whole {
            check(&body, &mut failures);
        }
        let mut all = Vec::new();
        paths(&sample, &mut Vec::new(), &mut all);
        for path in &all {
            let mut out = Vec::new();
            edits(&sample, path, &mut out);
            for body in out {
                seen += 1;
                if seen % stride == 0 {
                    check(&body, &mut failures);
                }
            }
        }
    }
    (failures, bodies, lean)
}

fn assert_agree(stride: usize) {
    let (failures, bodies, lean) = run(stride);
    eprintln!("{bodies} bodies, {lean} lean answers");
    assert!(
        failures.is_empty(),
        "{} of {bodies} bodies differ:\n{}",
        failures.len(),
        failures
            .iter()
            .take(20)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
    // Most edits keep the body valid for one mode at least: the lean path answered them.
    assert!(lean * 4 > bodies, "{lean} lean answers of {bodies} bodies");
}

/// Every fifteenth edit: a few seconds in a debug build.
#[test]
fn edited_samples_get_the_same_verdict_both_ways() {
    assert_agree(15);
}

/// Every edit (about 73,000 bodies, half a minute in a debug build): run it with
/// `cargo test --lib lean_differential -- --ignored`.
#[test]
#[ignore = "half a minute; the test above checks every fifteenth edit"]
fn every_edit_of_every_sample_gets_the_same_verdict_both_ways() {
    assert_agree(1);
}

/// Every sample is answered by the lean path, and what `listen` reads from its tape is what it
/// reads from its `Value`; most samples have a gist and many name messages, so the comparison
/// above compares something.
#[test]
fn every_sample_has_the_same_gist_and_messages_from_its_tape() {
    let (mut samples, mut gists, mut messages) = (0, 0, 0);
    for sample in crate::catalogue::samples() {
        let Ok(value) = serde_json::from_slice::<Value>(sample.body) else {
            continue;
        };
        samples += 1;
        let options = CheckOptions::default();
        let (usual, parsed) = check_bytes_parsed(sample.body, None, &options);
        assert_eq!(parsed.as_ref(), Some(&value));
        let failure = facts_differ(sample.body, &options, usual, parsed.as_ref());
        assert!(failure.is_none(), "{}: {}", sample.name, failure.unwrap());
        let (_, facts) = check_lean_with(sample.body, &options, BodyFacts::of_tape)
            .unwrap_or_else(|| panic!("{}: the lean path does not answer", sample.name));
        gists += usize::from(facts.gist_of_body().is_some());
        messages += usize::from(!facts.messages().is_empty());
    }
    assert!(samples > 50, "{samples} samples");
    assert!(
        gists * 10 > samples * 9,
        "{gists} gists of {samples} samples"
    );
    assert!(
        messages * 3 > samples,
        "{messages} with messages of {samples} samples"
    );
}
