//! Meta's wire bytes written straight from a [`Value`]: compact, as serde_json writes it, with
//! every `/` written `\/` and every non-ASCII character `\uXXXX` (UTF-16, surrogate pairs
//! beyond the BMP), as Meta's webhooks arrive. One pass over the value: no compact text made
//! first and scanned again (each status webhook the emulator sends is written here, and the
//! two passes were a tenth of its cost).
use serde_json::Value;

use crate::escape::{self, joined};

/// `value` as Meta writes it, appended to `out`.
pub fn write(value: &Value, out: &mut Vec<u8>) {
    match value {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        // Numbers as serde_json writes them (ASCII digits, signs, `.`, `e`: nothing to escape).
        Value::Number(number) => {
            serde_json::to_writer(&mut *out, number).expect("a number always encodes");
        }
        Value::String(text) => string(text, out),
        Value::Array(items) => joined(out, *b"[]", items, write),
        Value::Object(members) => joined(out, *b"{}", members, |(name, item), out| {
            string(name, out);
            out.push(b':');
            write(item, out);
        }),
    }
}

/// `text` as a JSON string, with its quotes.
fn string(text: &str, out: &mut Vec<u8>) {
    out.reserve(text.len() + 2);
    out.push(b'"');
    escape::runs(text, out, special, |c, out| match c {
        '"' => out.extend_from_slice(b"\\\""),
        '\\' => out.extend_from_slice(b"\\\\"),
        '/' => out.extend_from_slice(b"\\/"),
        '\u{08}' => out.extend_from_slice(b"\\b"),
        '\t' => out.extend_from_slice(b"\\t"),
        '\n' => out.extend_from_slice(b"\\n"),
        '\u{0c}' => out.extend_from_slice(b"\\f"),
        '\r' => out.extend_from_slice(b"\\r"),
        // The other control characters, and every non-ASCII one, as UTF-16 units.
        _ => escape::unicode_escape(c, out),
    });
    out.push(b'"');
}

/// The first byte written another way: `"`, `\`, `/`, a control character or any byte of a
/// non-ASCII character; eight bytes at a time.
fn special(bytes: &[u8]) -> Option<usize> {
    escape::first_flagged(
        bytes,
        |word| {
            escape::below(word, 0x20)
                | (word & escape::HIGH)
                | escape::equal(word, b'"')
                | escape::equal(word, b'\\')
                | escape::equal(word, b'/')
        },
        |byte| !(0x20..0x80).contains(&byte) || matches!(byte, b'"' | b'\\' | b'/'),
    )
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// What the wire bytes were before: serde_json's compact text, then the slashes and the
    /// non-ASCII characters escaped in a second pass.
    fn in_two_passes(value: &Value) -> Vec<u8> {
        super::super::escaped_like_meta(&serde_json::to_string(value).unwrap())
    }

    fn written(value: &Value) -> Vec<u8> {
        let mut out = Vec::new();
        write(value, &mut out);
        out
    }

    /// Every character up to U+00FF and a few beyond, at every offset within an eight-byte
    /// word, in names and values, plus numbers, nesting and empties: the same bytes both ways.
    #[test]
    fn one_pass_writes_the_bytes_two_passes_wrote() {
        let mut texts: Vec<String> = (0u32..0x100)
            .chain([0x7ff, 0x800, 0x2028, 0xfeff, 0xffff, 0x1_0000, 0x1_f44d, 0x10_ffff])
            .filter_map(char::from_u32)
            .map(String::from)
            .collect();
        texts.push("wamid.HBgL/MTY1MDU1NTM5MjEVAgARGBI+Q0E=".to_string());
        texts.push("Olá 👍 \"quoted\" back\\slash\tand/slash\u{1f}".to_string());
        let texts: Vec<String> = (0..9)
            .flat_map(|pad| {
                let prefix = "x".repeat(pad);
                texts
                    .iter()
                    .map(move |text| format!("{prefix}{text}{prefix}"))
            })
            .collect();
        for text in &texts {
            let value = json!({ text.as_str(): [text, {"k": text}], "n": [1, -2, 1.5, 1e300, -0.0, u64::MAX], "e": [[], {}, null, true, false, ""]});
            assert_eq!(written(&value), in_two_passes(&value), "{text:?}");
        }
    }

    /// Every embedded sample of every provider, written both ways.
    #[test]
    fn samples_are_written_byte_for_byte_as_before() {
        let mut checked = 0;
        for sample in crate::catalogue::samples() {
            let Ok(value) = serde_json::from_slice::<Value>(sample.body) else {
                continue;
            };
            assert_eq!(written(&value), in_two_passes(&value), "{}", sample.name);
            checked += 1;
        }
        assert!(checked > 100, "only {checked} samples");
    }
}
