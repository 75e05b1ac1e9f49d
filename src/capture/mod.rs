//! Capture records: what `listen` writes, one JSON line per request, and what `replay`,
//! `validate`, `show` and `inspect` read back. The record is the project's file format, so it
//! has one definition ([`CaptureRecord`]), one writer ([`CaptureWriter`]) and one reader
//! ([`parse_record`], read lean by [`parse_record_to_check`]), and a
//! committed JSON Schema (`schemas/capture-record.json`, `wa-hook schemas show capture-record`)
//! that a test holds every record `listen` writes to. Files written by earlier versions read.
mod head;
mod reader;
mod record;
mod writer;

use include_dir::{Dir, include_dir};

use crate::schemas::{Schema, SchemaSet};

pub use head::{RequestHead, redacted as redacted_headers, redacted_owned, redacted_query};
pub use reader::{parse_record, parse_record_to_check, record_seq};
pub use record::{
    BodyEncoding, CaptureRecord, DeliveryNote, Direction, FORMAT_VERSION, FormatVersion,
    ForwardResult, Rejection, SignatureCheck, find_header, new_run_id, now_rfc3339,
};
pub use writer::{CaptureWriter, PipeFull};

static SCHEMA_DIR: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/src/capture/schemas");
static SCHEMAS: SchemaSet = SchemaSet::new("wa-hook", &SCHEMA_DIR);

/// The JSON Schema of a capture record (`capture-record`), shipped with the providers' own.
///
/// # Panics
/// Never: the schema is embedded at build time, and a test reads it.
pub fn schema() -> &'static Schema {
    SCHEMAS
        .get("capture-record")
        .expect("src/capture/schemas/capture-record.json is embedded")
}

#[cfg(test)]
mod tests {
    use crate::providers::Provider;
    use crate::verdict::Verdict;

    /// The schema's lists are this wa-hook's: a new provider or verdict word is added there too.
    #[test]
    fn the_schema_lists_every_provider_and_verdict() {
        let properties = &super::schema().parsed()["properties"];
        let words = |name: &str| -> Vec<String> {
            serde_json::from_value(properties[name]["enum"].clone()).unwrap()
        };
        let providers: Vec<String> = Provider::all().map(|p| p.id().to_string()).collect();
        assert_eq!(
            words("provider"),
            providers,
            "src/capture/schemas/capture-record.json lists the providers of the registry"
        );
        assert_eq!(words("verdict"), Verdict::WORDS);
    }
}
