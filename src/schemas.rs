//! JSON Schemas: one [`SchemaSet`] per provider, embedded at build time, each schema parsed
//! and compiled once, on first use. Which schemas there are is the provider registry's business
//! ([`crate::providers`]); this module only knows how a schema is loaded, compiled and made strict.
//!
//! `--strict` uses a variant of each schema derived here rather than a second set of files:
//! every object schema that lists `properties` gets `unevaluatedProperties: false`, so the two
//! variants can never drift apart. Subschemas that sit directly under a composition keyword
//! (allOf, if/then ...) are left open, because they only see part of the object.
use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::OnceLock;

use include_dir::Dir;
use jsonschema::json::Json;
use serde_json::Value;

use crate::tape::TapeJson;

/// A document built from several files at first use (Meta's envelope and its field fragments).
#[derive(Clone, Copy)]
pub struct Assembly {
    /// The document wa-hook checks with: the shipped file with its parts added to `$defs`.
    /// Parts are checked one by one where the provider's claim says ([`Schema::part_validator`]).
    pub parts: fn(Value) -> Value,
    /// The same document made self-contained for other tools (`schemas show`, `export`): it
    /// applies each part where it belongs by itself (e.g. by `if`/`then` on a field name), which
    /// wa-hook does in code, once per body, instead of trying every part.
    pub export: fn(Value) -> Value,
}

/// One shipped schema.
pub struct Schema {
    /// File stem, e.g. `qikchat-message`; unique across providers (a test checks).
    pub id: &'static str,
    /// The id of the provider that ships it.
    pub provider: &'static str,
    source: &'static str,
    assembly: Option<Assembly>,
    /// Parsed on first use: a run usually needs one schema of the dozen.
    parsed: OnceLock<Value>,
    exported: OnceLock<Value>,
    /// The strict variant of `parsed`, made once (see [`Schema::prepared`]).
    strict_document: OnceLock<Value>,
    lenient: OnceLock<jsonschema::Validator>,
    strict: OnceLock<jsonschema::Validator>,
    /// A validator for each `$defs` entry, compiled when first asked for: [lenient, strict].
    parts: OnceLock<HashMap<String, [OnceLock<jsonschema::Validator>; 2]>>,
    /// The same validators for bodies read as a [`crate::tape::Tape`]: [lenient, strict].
    tape: [OnceLock<jsonschema::Validator<TapeJson>>; 2],
    tape_parts: OnceLock<HashMap<String, [OnceLock<jsonschema::Validator<TapeJson>>; 2]>>,
}

impl std::fmt::Debug for Schema {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Schema")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

impl Schema {
    pub fn title(&self) -> &str {
        self.parsed()["title"].as_str().unwrap_or_default()
    }

    pub fn description(&self) -> &str {
        self.parsed()["description"].as_str().unwrap_or_default()
    }

    /// The schema document wa-hook checks with (with its parts where it is built from parts),
    /// parsed once.
    pub fn parsed(&self) -> &Value {
        self.parsed.get_or_init(|| {
            let document = serde_json::from_str(self.source)
                .unwrap_or_else(|err| panic!("shipped schema {} is not JSON: {err}", self.id));
            match self.assembly {
                Some(assembly) => (assembly.parts)(document),
                None => document,
            }
        })
    }

    /// The self-contained document other tools validate with (`schemas show`, `export`).
    pub fn exported(&self) -> &Value {
        match self.assembly {
            None => self.parsed(),
            Some(assembly) => self
                .exported
                .get_or_init(|| (assembly.export)(self.parsed().clone())),
        }
    }

    /// The exported document, strict or as shipped.
    pub fn export_document(&self, strict: bool) -> Value {
        if strict {
            strict_variant(self.exported())
        } else {
            self.exported().clone()
        }
    }

    /// The document as `schemas show` prints it: the file as shipped, or the assembled whole.
    pub fn text(&self) -> Cow<'static, str> {
        if self.assembly.is_none() {
            return Cow::Borrowed(self.source);
        }
        let mut text =
            serde_json::to_string_pretty(self.exported()).expect("a JSON value always encodes");
        text.push('\n');
        Cow::Owned(text)
    }

    /// A validator for one entry of the document's `$defs` (a part a provider checks on its
    /// own, such as the `value` of one Meta webhook field), or `None` when there is no such
    /// entry.
    pub fn part_validator(&self, def: &str, strict: bool) -> Option<&jsonschema::Validator> {
        self.part(&self.parts, def, strict)
    }

    /// [`Schema::part_validator`] for a body read as a tape.
    pub fn tape_part_validator(
        &self,
        def: &str,
        strict: bool,
    ) -> Option<&jsonschema::Validator<TapeJson>> {
        self.part(&self.tape_parts, def, strict)
    }

    /// The part `def` from `parts` (for one representation of bodies), compiled on first use.
    fn part<'s, J: Json>(
        &'s self,
        parts: &'s OnceLock<HashMap<String, [OnceLock<jsonschema::Validator<J>>; 2]>>,
        def: &str,
        strict: bool,
    ) -> Option<&'s jsonschema::Validator<J>> {
        let parts = parts.get_or_init(|| {
            self.parsed()["$defs"]
                .as_object()
                .into_iter()
                .flat_map(|defs| defs.keys())
                .map(|key| (key.clone(), [OnceLock::new(), OnceLock::new()]))
                .collect()
        });
        let cell = &parts.get(def)?[usize::from(strict)];
        Some(cell.get_or_init(|| {
            compile(needed(self.prepared(strict), Some(def))).unwrap_or_else(|err| {
                panic!(
                    "shipped schema {} part {def} does not compile: {err}",
                    self.id
                )
            })
        }))
    }

    /// [`Schema::validator`] for a body read as a tape.
    pub fn tape_validator(&self, strict: bool) -> &jsonschema::Validator<TapeJson> {
        self.tape[usize::from(strict)].get_or_init(|| {
            compile(needed(self.prepared(strict), None))
                .unwrap_or_else(|err| panic!("shipped schema {} does not compile: {err}", self.id))
        })
    }

    /// The schema document, strict or as shipped.
    pub fn document(&self, strict: bool) -> Value {
        if strict {
            strict_variant(self.parsed())
        } else {
            self.parsed().clone()
        }
    }

    /// The document compiled from: as parsed, or its strict variant, made once as the whole
    /// and each part are compiled from it.
    fn prepared(&self, strict: bool) -> &Value {
        if strict {
            self.strict_document
                .get_or_init(|| strict_variant(self.parsed()))
        } else {
            self.parsed()
        }
    }

    /// The compiled validator (compiled on first use, then shared by every thread).
    pub fn validator(&self, strict: bool) -> &jsonschema::Validator {
        let cell = if strict { &self.strict } else { &self.lenient };
        cell.get_or_init(|| {
            compile(needed(self.prepared(strict), None))
                .unwrap_or_else(|err| panic!("shipped schema {} does not compile: {err}", self.id))
        })
    }
}

/// Patterns the shipped schemas use on most ids of every body, each with the same check
/// written in Rust: a regular expression costs several times more per string, and these run
/// a dozen times per Meta body.
/// A pattern, the format name that stands for it, and the check.
type NativePattern = (&'static str, &'static str, fn(&str) -> bool);

const NATIVE_PATTERNS: [NativePattern; 3] = [
    ("^[0-9]+$", "wa-hook-digits", |text| {
        !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())
    }),
    (r"^\+?[0-9][0-9 ()-]*$", "wa-hook-phone", |text| {
        let digits = text.strip_prefix('+').unwrap_or(text);
        digits.bytes().next().is_some_and(|b| b.is_ascii_digit())
            && digits
                .bytes()
                .all(|b| b.is_ascii_digit() || matches!(b, b' ' | b'(' | b')' | b'-'))
    }),
    (r"^[^<>|{}\[\]]+$", "wa-hook-token", |text| {
        !text.is_empty() && !text.contains(['<', '>', '|', '{', '}', '[', ']'])
    }),
];

/// The pattern a native format stands for, so errors can speak of the pattern.
pub fn native_format_pattern(format: &str) -> Option<&'static str> {
    NATIVE_PATTERNS
        .iter()
        .find(|(_, name, _)| *name == format)
        .map(|(pattern, _, _)| *pattern)
}

/// The part of a prepared document one validator needs: the whole schema (`def` is `None`) or
/// a reference to one `$defs` entry, with only the `$defs` entries it reaches through local
/// `$ref`s. Compiling checks a document against the meta-schema and indexes all of it, so
/// leaving out the parts checked on their own (Meta's thirty webhook fields) is most of the
/// start-up. A document that refers in any other way (`$id`, anchors, other pointers) is kept
/// whole.
fn needed(document: &Value, def: Option<&str>) -> Value {
    let Some(object) = document.as_object() else {
        return document.clone();
    };
    let mut root = serde_json::Map::new();
    match def {
        None => {
            for (key, value) in object.iter().filter(|(key, _)| *key != "$defs") {
                root.insert(key.clone(), value.clone());
            }
        }
        Some(def) => {
            if let Some(schema) = object.get("$schema") {
                root.insert("$schema".into(), schema.clone());
            }
            root.insert("$ref".into(), Value::String(format!("#/$defs/{def}")));
        }
    }
    let defs = object.get("$defs").and_then(Value::as_object);
    let mut kept = serde_json::Map::new();
    let mut pending = Vec::new();
    let root_value = Value::Object(root);
    if !local_defs(&root_value, &mut pending, true) {
        return document.clone();
    }
    while let Some(name) = pending.pop() {
        if kept.contains_key(&name) {
            continue;
        }
        let Some(entry) = defs.and_then(|defs| defs.get(&name)) else {
            // A dangling reference: let the compiler say so, over the whole document.
            return document.clone();
        };
        if !local_defs(entry, &mut pending, false) {
            return document.clone();
        }
        kept.insert(name, entry.clone());
    }
    let Value::Object(mut root) = root_value else {
        unreachable!("built as an object above")
    };
    if !kept.is_empty() {
        root.insert("$defs".into(), Value::Object(kept));
    }
    Value::Object(root)
}

/// Adds the `$defs` entries `node` refers to to `names`; false when it refers in a way
/// [`needed`] does not follow, or declares its own `$id` or anchor below the root.
fn local_defs(node: &Value, names: &mut Vec<String>, at_root: bool) -> bool {
    match node {
        Value::Object(map) => {
            for (key, value) in map {
                match key.as_str() {
                    "$ref" | "$dynamicRef" | "$recursiveRef" => {
                        let Some(name) = value
                            .as_str()
                            .and_then(|target| target.strip_prefix("#/$defs/"))
                            .map(|rest| rest.split('/').next().unwrap_or(rest))
                            .filter(|name| !name.is_empty() && !name.contains(['~', '%']))
                        else {
                            return false;
                        };
                        names.push(name.to_string());
                    }
                    "$id" | "$anchor" | "$dynamicAnchor" | "$recursiveAnchor" if !at_root => {
                        return false;
                    }
                    "$id" | "$anchor" | "$dynamicAnchor" | "$recursiveAnchor" => {}
                    // Names of properties are not schemas, but their values are: recurse into
                    // every value, as a property named `$ref` holds a schema, not a reference.
                    _ => {
                        if !local_defs(value, names, false) {
                            return false;
                        }
                    }
                }
            }
            true
        }
        Value::Array(items) => items.iter().all(|item| local_defs(item, names, false)),
        _ => true,
    }
}

/// Compile a document, its common patterns checked natively (see [`NATIVE_PATTERNS`]); other
/// patterns use the linear-time `regex` engine.
fn compile<F: Json>(
    mut document: Value,
) -> Result<jsonschema::Validator<F>, jsonschema::ValidationError<'static>> {
    native_patterns(&mut document);
    let mut options = jsonschema::options_for::<F>()
        .with_draft(jsonschema::Draft::Draft202012)
        .with_pattern_options(jsonschema::PatternOptions::regex())
        .should_validate_formats(true);
    for (_, format, check) in NATIVE_PATTERNS {
        options = options.with_format(format, check);
    }
    options.build(&document)
}

/// Each known `pattern` becomes the `format` that checks it natively. Formats are only
/// annotations in draft 2020-12 unless asked for, and validating ours turns every format on, so
/// the others (a `date-time` here and there) are removed to keep them annotations.
fn native_patterns(node: &mut Value) {
    match node {
        Value::Object(map) => {
            let native = map
                .get("pattern")
                .and_then(Value::as_str)
                .and_then(|pattern| {
                    NATIVE_PATTERNS
                        .iter()
                        .find(|(known, _, _)| *known == pattern)
                        .map(|(_, format, _)| *format)
                });
            if map.get("format").is_some_and(Value::is_string) {
                map.remove("format");
            }
            if let Some(format) = native {
                map.remove("pattern");
                map.insert("format".into(), Value::String(format.into()));
            }
            // `properties`, `$defs` ... are maps of names: a property named "format" or
            // "pattern" stays, as the recursion only rewrites schema objects' own keys.
            map.values_mut().for_each(native_patterns);
        }
        Value::Array(items) => items.iter_mut().for_each(native_patterns),
        _ => {}
    }
}

/// The schemas one provider ships: the `*.json` files at the top of its folder.
pub struct SchemaSet {
    provider: &'static str,
    dir: &'static Dir<'static>,
    /// The schema built from parts, and how.
    assembled: Option<(&'static str, Assembly)>,
    schemas: OnceLock<Vec<Schema>>,
}

impl SchemaSet {
    pub const fn new(provider: &'static str, dir: &'static Dir<'static>) -> SchemaSet {
        SchemaSet {
            provider,
            dir,
            assembled: None,
            schemas: OnceLock::new(),
        }
    }

    /// The same set, with schema `id` built from parts once parsed.
    pub const fn assembling(mut self, id: &'static str, assembly: Assembly) -> SchemaSet {
        self.assembled = Some((id, assembly));
        self
    }

    /// Every schema of the set, sorted by id.
    pub fn all(&self) -> &[Schema] {
        self.schemas.get_or_init(|| {
            let mut schemas: Vec<Schema> = self
                .dir
                .files()
                .filter(|file| file.path().extension().is_some_and(|ext| ext == "json"))
                .filter_map(|file| {
                    let id = file.path().file_stem()?.to_str()?;
                    Some(Schema {
                        id,
                        provider: self.provider,
                        source: file.contents_utf8()?,
                        assembly: self
                            .assembled
                            .filter(|(assembled, _)| *assembled == id)
                            .map(|(_, assembly)| assembly),
                        parsed: OnceLock::new(),
                        exported: OnceLock::new(),
                        strict_document: OnceLock::new(),
                        lenient: OnceLock::new(),
                        strict: OnceLock::new(),
                        parts: OnceLock::new(),
                        tape: [OnceLock::new(), OnceLock::new()],
                        tape_parts: OnceLock::new(),
                    })
                })
                .collect();
            schemas.sort_by_key(|schema| schema.id);
            schemas
        })
    }

    pub fn get(&self, id: &str) -> Option<&Schema> {
        self.all().iter().find(|schema| schema.id == id)
    }
}

const COMPOSITION_KEYWORDS: &[&str] = &["allOf", "anyOf", "oneOf", "if", "then", "else", "not"];

/// The `--strict` variant of a schema document.
pub fn strict_variant(document: &Value) -> Value {
    let mut document = document.clone();
    close_objects(&mut document, false);
    document
}

fn close_objects(node: &mut Value, under_composition: bool) {
    match node {
        Value::Object(map) => {
            if !under_composition
                && map.contains_key("properties")
                && !map.contains_key("additionalProperties")
                && !map.contains_key("unevaluatedProperties")
            {
                map.insert("unevaluatedProperties".into(), Value::Bool(false));
            }
            for (key, child) in map.iter_mut() {
                let composing = COMPOSITION_KEYWORDS.contains(&key.as_str());
                match child {
                    Value::Array(items) if composing => {
                        for item in items.iter_mut() {
                            close_objects(item, true);
                        }
                    }
                    _ if composing => close_objects(child, true),
                    // `properties` and `$defs` are maps of names to schemas, not schemas.
                    Value::Object(children)
                        if key == "properties" || key == "$defs" || key == "patternProperties" =>
                    {
                        children
                            .values_mut()
                            .for_each(|schema| close_objects(schema, false));
                    }
                    _ => close_objects(child, false),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|item| close_objects(item, false)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn native_patterns_agree_with_their_regular_expressions() {
        let samples = [
            "",
            "0",
            "123",
            "12a",
            " 1",
            "+1 555-078-3881",
            "+",
            "(1) 2",
            "1)",
            "+(1",
            "<PHONE_NUMBER>",
            "US.1349",
            "[A|B]",
            "{x}",
            "wamid.HBgL==",
            "x>y",
            "é",
        ];
        for (pattern, format, check) in NATIVE_PATTERNS {
            let regex = regex::Regex::new(pattern).unwrap();
            for text in samples {
                assert_eq!(check(text), regex.is_match(text), "{format} on {text:?}");
            }
        }
    }

    #[test]
    fn strict_variant_closes_objects_but_not_composed_parts() {
        let schema = json!({
            "type": "object",
            "properties": {"a": {"type": "object", "properties": {"b": {}}}},
            "allOf": [{"if": {"properties": {"a": {}}}, "then": {"properties": {"a": {}}}}]
        });
        let strict = strict_variant(&schema);
        assert_eq!(strict["unevaluatedProperties"], json!(false));
        assert_eq!(
            strict["properties"]["a"]["unevaluatedProperties"],
            json!(false)
        );
        assert!(
            strict["allOf"][0]["if"]
                .get("unevaluatedProperties")
                .is_none()
        );
        assert!(
            strict["allOf"][0]["then"]
                .get("unevaluatedProperties")
                .is_none()
        );
    }
}
