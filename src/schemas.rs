//! The JSON Schemas wa-hook validates with: one per provider and event family, written from the
//! providers' documentation, embedded at build time and compiled once, on first use.
//!
//! `--strict` uses a variant of each schema derived here rather than a second set of files:
//! every object schema that lists `properties` gets `unevaluatedProperties: false`, so the two
//! variants can never drift apart. Subschemas that sit directly under a composition keyword
//! (allOf, if/then ...) are left open, because they only see part of the object.
use std::collections::BTreeMap;
use std::sync::OnceLock;

use anyhow::Context;
use include_dir::{Dir, include_dir};
use serde_json::Value;

static SCHEMA_DIR: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/src/schemas");

/// One shipped schema.
pub struct Schema {
    /// File stem, e.g. `qikchat-message`.
    pub id: &'static str,
    pub source: &'static str,
    /// Parsed on first use: a run usually needs one schema of the eleven.
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

    /// The schema document as shipped, parsed once.
    pub fn parsed(&self) -> &Value {
        self.parsed.get_or_init(|| {
            serde_json::from_str(self.source)
                .unwrap_or_else(|err| panic!("shipped schema {} is not JSON: {err}", self.id))
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

    /// The compiled validator (compiled on first use, then shared by every thread).
    pub fn validator(&self, strict: bool) -> &jsonschema::Validator {
        let cell = if strict { &self.strict } else { &self.lenient };
        cell.get_or_init(|| {
            jsonschema::draft202012::new(&self.document(strict))
                .unwrap_or_else(|err| panic!("shipped schema {} does not compile: {err}", self.id))
        })
    }
}

/// Every shipped schema, sorted by id.
pub fn schemas() -> &'static [Schema] {
    static SCHEMAS: OnceLock<Vec<Schema>> = OnceLock::new();
    SCHEMAS.get_or_init(|| {
        let mut by_id = BTreeMap::new();
        for file in SCHEMA_DIR.files() {
            let path = file.path();
            if path.extension().is_none_or(|ext| ext != "json") {
                continue;
            }
            let (Some(stem), Some(source)) = (
                path.file_stem().and_then(|s| s.to_str()),
                file.contents_utf8(),
            ) else {
                continue;
            };
            by_id.insert(
                stem,
                Schema {
                    id: stem,
                    source,
                    parsed: OnceLock::new(),
                    lenient: OnceLock::new(),
                    strict: OnceLock::new(),
                },
            );
        }
        by_id.into_values().collect()
    })
}

pub fn find_schema(id: &str) -> Option<&'static Schema> {
    let id = id.strip_suffix(".json").unwrap_or(id);
    schemas().iter().find(|schema| schema.id == id)
}

/// `find_schema`, or an error that lists the schemas there are.
pub fn require_schema(id: &str) -> anyhow::Result<&'static Schema> {
    find_schema(id).with_context(|| {
        let ids: Vec<&str> = schemas().iter().map(|schema| schema.id).collect();
        format!(
            "there is no schema `{id}`; the schemas are: {}",
            ids.join(", ")
        )
    })
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
    fn every_shipped_schema_compiles_both_ways() {
        assert!(!schemas().is_empty());
        for schema in schemas() {
            schema.validator(false);
            schema.validator(true);
            assert!(
                schema.parsed()["$schema"]
                    .as_str()
                    .unwrap_or_default()
                    .contains("2020-12"),
                "{}",
                schema.id
            );
            assert!(
                !schema.description().is_empty(),
                "{} has no description",
                schema.id
            );
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
