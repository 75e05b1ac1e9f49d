//! JSON Schemas: one [`SchemaSet`] per provider, embedded at build time, each schema parsed
//! and compiled once, on first use. Which schemas there are is the provider registry's business
//! ([`crate::providers`]); this module only knows how a schema is loaded, compiled and made strict.
//!
//! `--strict` uses a variant of each schema derived here rather than a second set of files:
//! every object schema that lists `properties` gets `unevaluatedProperties: false`, so the two
//! variants can never drift apart. Subschemas that sit directly under a composition keyword
//! (allOf, if/then ...) are left open, because they only see part of the object.
use std::borrow::Cow;
use std::sync::OnceLock;

use include_dir::Dir;
use serde_json::Value;

/// A document built from several files at first use (Meta's envelope and its field fragments).
pub type Assemble = fn(Value) -> Value;

/// One shipped schema.
pub struct Schema {
    /// File stem, e.g. `qikchat-message`; unique across providers (a test checks).
    pub id: &'static str,
    /// The id of the provider that ships it.
    pub provider: &'static str,
    source: &'static str,
    assemble: Option<Assemble>,
    /// Parsed on first use: a run usually needs one schema of the dozen.
    parsed: OnceLock<Value>,
    lenient: OnceLock<jsonschema::Validator>,
    strict: OnceLock<jsonschema::Validator>,
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

    /// The schema document (assembled where it is built from parts), parsed once.
    pub fn parsed(&self) -> &Value {
        self.parsed.get_or_init(|| {
            let document = serde_json::from_str(self.source)
                .unwrap_or_else(|err| panic!("shipped schema {} is not JSON: {err}", self.id));
            match self.assemble {
                Some(assemble) => assemble(document),
                None => document,
            }
        })
    }

    /// The document as `schemas show` prints it: the file as shipped, or the assembled whole.
    pub fn text(&self) -> Cow<'static, str> {
        match self.assemble {
            None => Cow::Borrowed(self.source),
            Some(_) => {
                let mut text = serde_json::to_string_pretty(self.parsed())
                    .expect("a JSON value always encodes");
                text.push('\n');
                Cow::Owned(text)
            }
        }
    }

    /// The schema document, strict or as shipped.
    pub fn document(&self, strict: bool) -> Value {
        if strict {
            strict_variant(self.parsed())
        } else {
            self.parsed().clone()
        }
    }

    /// The compiled validator (compiled on first use, then shared by every thread).
    pub fn validator(&self, strict: bool) -> &jsonschema::Validator {
        let cell = if strict { &self.strict } else { &self.lenient };
        cell.get_or_init(|| {
            jsonschema::draft202012::new(&self.document(strict))
                .unwrap_or_else(|err| panic!("shipped schema {} does not compile: {err}", self.id))
        })
    }
}

/// The schemas one provider ships: the `*.json` files at the top of its folder.
pub struct SchemaSet {
    provider: &'static str,
    dir: &'static Dir<'static>,
    /// The schema built from parts, and how.
    assembled: Option<(&'static str, Assemble)>,
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

    /// The same set, with schema `id` passed through `assemble` once parsed.
    pub const fn assembling(mut self, id: &'static str, assemble: Assemble) -> SchemaSet {
        self.assembled = Some((id, assemble));
        self
    }

    /// The folder the schemas come from (a provider may keep parts in its sub-folders).
    pub fn dir(&self) -> &'static Dir<'static> {
        self.dir
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
                        assemble: self
                            .assembled
                            .filter(|(assembled, _)| *assembled == id)
                            .map(|(_, assemble)| assemble),
                        parsed: OnceLock::new(),
                        lenient: OnceLock::new(),
                        strict: OnceLock::new(),
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
                        items.iter_mut().for_each(|item| close_objects(item, true));
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
