//! Text escaped in one scan, eight bytes at a time: the runs between the bytes that need
//! escaping are copied whole, and only those bytes are written another way. Every
//! request's capture record (its body as a JSON string, [`json_string`]) and every Meta
//! webhook's wire bytes (`providers::meta`) pass here; serde_json's general path writes each
//! run and each escape through `io::Write` after a per-byte loop, several times the cost.

/// `text` appended to `out`, each character that starts at a byte `find` finds written by
/// `escape` instead. `find` gives the index of the first byte to escape in the bytes it is
/// given, and must find only whole characters' first bytes (any ASCII byte, or every
/// non-ASCII byte): the text is split there.
pub fn runs(
    text: &str,
    out: &mut Vec<u8>,
    find: impl Fn(&[u8]) -> Option<usize>,
    mut escape: impl FnMut(char, &mut Vec<u8>),
) {
    let bytes = text.as_bytes();
    let mut from = 0;
    while let Some(found) = find(&bytes[from..]) {
        let at = from + found;
        out.extend_from_slice(&bytes[from..at]);
        // Most escaped characters are ASCII (a JSON string's quotes): not decoded.
        let c = if bytes[at].is_ascii() {
            char::from(bytes[at])
        } else {
            text[at..].chars().next().expect("split at a char boundary")
        };
        escape(c, out);
        from = at + c.len_utf8();
    }
    out.extend_from_slice(&bytes[from..]);
}

/// The high bit of each byte of an eight-byte word.
pub const HIGH: u64 = 0x8080_8080_8080_8080;
const ONES: u64 = 0x0101_0101_0101_0101;

/// The first byte of `bytes` a finder picks, eight bytes at a time: `flags` gives the high bit
/// of each picked byte of a little-endian word (exact for the lowest one: [`below`] and
/// [`equal`] only mark bytes above a true one wrongly), `picks` says it of one byte (the last
/// few).
pub fn first_flagged(
    bytes: &[u8],
    flags: impl Fn(u64) -> u64,
    picks: impl Fn(u8) -> bool,
) -> Option<usize> {
    let mut chunks = bytes.chunks_exact(8);
    let mut start = 0;
    for chunk in &mut chunks {
        let found = flags(u64::from_le_bytes(chunk.try_into().expect("eight bytes")));
        if found != 0 {
            return Some(start + (found.trailing_zeros() / 8) as usize);
        }
        start += 8;
    }
    chunks
        .remainder()
        .iter()
        .position(|&byte| picks(byte))
        .map(|at| start + at)
}

/// The high bit of each byte of `word` below `limit` (at most 0x80).
pub fn below(word: u64, limit: u8) -> u64 {
    word.wrapping_sub(ONES * u64::from(limit)) & !word & HIGH
}

/// The high bit of each byte of `word` that is `byte`.
pub fn equal(word: u64, byte: u8) -> u64 {
    below(word ^ (ONES * u64::from(byte)), 1)
}

/// `c` as JSON's `\uXXXX` escapes, one per UTF-16 unit (two beyond the BMP).
pub fn unicode_escape(c: char, out: &mut Vec<u8>) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut units = [0u16; 2];
    for unit in c.encode_utf16(&mut units) {
        let unit = *unit;
        out.extend_from_slice(&[
            b'\\',
            b'u',
            HEX[usize::from(unit >> 12)],
            HEX[usize::from((unit >> 8) & 0xf)],
            HEX[usize::from((unit >> 4) & 0xf)],
            HEX[usize::from(unit & 0xf)],
        ]);
    }
}

/// `items` as a JSON array (`open` and `close` `[` `]`) or an object's members (`{` `}`),
/// separated by commas, each written by `each`.
pub fn joined<T>(
    out: &mut Vec<u8>,
    [open, close]: [u8; 2],
    items: impl IntoIterator<Item = T>,
    mut each: impl FnMut(T, &mut Vec<u8>),
) {
    out.push(open);
    for (at, item) in items.into_iter().enumerate() {
        if at > 0 {
            out.push(b',');
        }
        each(item, out);
    }
    out.push(close);
}

/// What a byte of a JSON string is written as, as serde_json writes it: 0 for itself, `u` for
/// `\u00XX`, else the letter after the backslash.
const ESCAPE: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut byte = 0;
    while byte < 0x20 {
        table[byte] = b'u';
        byte += 1;
    }
    table[0x08] = b'b';
    table[0x09] = b't';
    table[0x0a] = b'n';
    table[0x0c] = b'f';
    table[0x0d] = b'r';
    table[b'"' as usize] = b'"';
    table[b'\\' as usize] = b'\\';
    table
};

/// `,"name":` appended to `out` (a `Vec<u8>`): the start of a member after the first of a JSON
/// object written by hand (a capture record's line, a live list's summary). `name` is a literal
/// that needs no escaping; the whole is one copy of a constant. With `text: EXPR` the member's
/// value follows as a JSON string ([`json_string`]), with `maybe: EXPR` (an `Option<&str>`) as
/// a JSON string or `null`; with `json: EXPR` as serde_json writes it, and the macro gives
/// serde_json's result.
macro_rules! member {
    ($out:expr, $name:literal) => {
        $out.extend_from_slice(concat!(",\"", $name, "\":").as_bytes())
    };
    ($out:expr, $name:literal, text: $text:expr) => {{
        $crate::escape::member!($out, $name);
        $crate::escape::json_string($text, $out);
    }};
    ($out:expr, $name:literal, maybe: $text:expr) => {{
        $crate::escape::member!($out, $name);
        match $text {
            Some(text) => $crate::escape::json_string(text, $out),
            None => $out.extend_from_slice(b"null"),
        }
    }};
    ($out:expr, $name:literal, json: $value:expr) => {{
        $crate::escape::member!($out, $name);
        serde_json::to_writer(&mut *$out, $value)
    }};
}
pub(crate) use member;

/// `text` as a JSON string (with its quotes), byte for byte as serde_json writes it: `"`, `\`
/// and the control characters escaped (`\n`, `\u001f` ...), everything else as it is.
///
/// A body pretty-printed as JSON has a byte to escape every few bytes (its quotes, its line
/// ends), so the copying is done eight bytes at a time without a call per run: each word is
/// appended whole, and when it holds a byte to escape, cut back to the bytes before it.
pub fn json_string(text: &str, out: &mut Vec<u8>) {
    let bytes = text.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    let mut at = 0;
    while let Some(word) = bytes.get(at..at + 8) {
        let word: [u8; 8] = word.try_into().expect("eight bytes");
        let value = u64::from_le_bytes(word);
        let found = below(value, 0x20) | equal(value, b'"') | equal(value, b'\\');
        out.extend_from_slice(&word);
        if found == 0 {
            at += 8;
            continue;
        }
        // Only the first flag is exact (a borrow can set later ones): the scan goes on
        // from the byte after it.
        let plain = (found.trailing_zeros() / 8) as usize;
        out.truncate(out.len() - 8 + plain);
        escape_byte(bytes[at + plain], out);
        at += plain + 1;
    }
    for &byte in &bytes[at..] {
        if ESCAPE[usize::from(byte)] == 0 {
            out.push(byte);
        } else {
            escape_byte(byte, out);
        }
    }
    out.push(b'"');
}

/// An ASCII byte that a JSON string escapes, escaped: a quote or a line end (most of them)
/// without a call.
#[inline]
fn escape_byte(byte: u8, out: &mut Vec<u8>) {
    /// A control character without a letter of its own, as `\u00XX`: rare.
    #[cold]
    fn control(byte: u8, out: &mut Vec<u8>) {
        unicode_escape(char::from(byte), out);
    }
    match ESCAPE[usize::from(byte)] {
        b'u' => control(byte, out),
        letter => out.extend_from_slice(&[b'\\', letter]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `json_string(text)` appended after `before` is `before` and serde_json's text of it.
    fn assert_as_serde_json(before: &[u8], text: &str) {
        let mut out = before.to_vec();
        json_string(text, &mut out);
        let expected = [before, serde_json::to_string(text).unwrap().as_bytes()].concat();
        assert!(
            out == expected,
            "{text:?}: {} instead of {}",
            String::from_utf8_lossy(&out),
            String::from_utf8_lossy(&expected)
        );
    }

    #[test]
    fn strings_are_written_as_serde_json_writes_them() {
        let every_ascii: String = (0u8..0x80).map(char::from).collect();
        for text in [
            "",
            "plain",
            "\"",
            "\\",
            "a\"b\\c\nd\re\tf\u{8}g\u{c}h",
            "\u{0}\u{1}\u{1f}\u{7f}",
            "é👍 / \u{80}\u{7ff}\u{800}\u{ffff}\u{10000}\u{10ffff}",
            "{\n  \"a\": \"b\\\"c\"\n}\n",
            every_ascii.as_str(),
        ] {
            assert_as_serde_json(b"", text);
        }
    }

    /// Every byte to escape, at every place of strings of every length up to a few words,
    /// among plain ASCII, non-ASCII and other escapes: as serde_json writes them.
    #[test]
    fn escapes_at_every_place_are_written_as_serde_json_writes_them() {
        let fillers = ["a", " ", "]", "\u{7f}", "é", "👍"];
        let specials = ["\"", "\\", "\n", "\u{0}", "\u{1f}", "\t", "\u{8}"];
        for filler in fillers {
            for special in specials {
                for len in 0..26 {
                    for at in 0..=len {
                        let mut text = filler.repeat(len);
                        let byte = (at * filler.len()).min(text.len());
                        text.insert_str(byte, special);
                        if at % 3 == 0 {
                            text.push_str(special);
                        }
                        assert_as_serde_json(b"x", &text);
                    }
                }
            }
        }
    }

    /// Each byte to escape is found wherever it is in a word, after bytes of every other kind
    /// (a byte just above a special one, non-ASCII, another special one later), and written
    /// as serde_json writes it.
    #[test]
    fn every_special_byte_is_escaped_at_every_place() {
        let fillers = [
            'a', ' ', '#', ']', '\u{7f}', 'é', '\u{ff}', '!', '\u{ffff}', '👍',
        ];
        for special in (0u8..0x20).chain([b'"', b'\\']).map(char::from) {
            for filler in fillers {
                for len in 1..24 {
                    for at in 0..len {
                        let mut chars = vec![filler; len];
                        chars[at] = special;
                        if at + 2 < len {
                            chars[at + 2] = '"';
                        }
                        let text: String = chars.into_iter().collect();
                        assert_as_serde_json(b"", &text);
                    }
                }
            }
        }
    }

    /// Strings of every mix of plain, special and non-ASCII characters (a fixed pseudo-random
    /// sequence), long enough for several words: as serde_json writes them.
    #[test]
    fn mixed_strings_are_written_as_serde_json_writes_them() {
        let palette = [
            'a', 'Z', ' ', '"', '\\', '\n', '\u{0}', '\u{1f}', '\u{7f}', 'é', '€', '👍', '/',
        ];
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        for _ in 0..5_000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let len = (seed % 70) as usize;
            let text: String = (0..len)
                .map(|i| palette[((seed >> (i % 60)) as usize + i * 7) % palette.len()])
                .collect();
            assert_as_serde_json(b"[", &text);
        }
    }

    #[test]
    fn runs_copy_what_is_not_picked() {
        let mut out = b"x".to_vec();
        let find = |bytes: &[u8]| bytes.iter().position(|&b| b == b'/' || !b.is_ascii());
        runs("a/b/é", &mut out, find, |c, out| {
            out.extend_from_slice(format!("<{c}>").as_bytes());
        });
        assert_eq!(String::from_utf8(out).unwrap(), "xa</>b</><é>");
    }
}
