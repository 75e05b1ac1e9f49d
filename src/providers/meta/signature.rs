//! Meta's webhook signature: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(app secret, body)>`,
//! computed over the exact bytes received. Meta's [`Signing`](crate::providers::Signing), which
//! `sign`, `verify`, `listen`, `replay` and `doctor` ask for.
use hmac::{Hmac, Mac};
use serde::Serialize;
use sha2::Sha256;

use crate::providers::capabilities::Mismatch;
use crate::secret::SecretString;

pub const HEADER: &str = "X-Hub-Signature-256";

/// `sha256=<hex>` for `body`.
pub fn sign(secret: &SecretString, body: &[u8]) -> String {
    format!("sha256={}", hex::encode(digest(secret, body)))
}

fn digest(secret: &SecretString, body: &[u8]) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.expose().as_bytes())
        .expect("HMAC takes any key length");
    mac.update(body);
    mac.finalize().into_bytes().to_vec()
}

/// True when `header` (`sha256=<hex>`) is the signature of `body`, compared in constant time.
///
/// # Panics
/// Never: HMAC takes a key of any length.
pub fn verify(secret: &SecretString, header: &str, body: &[u8]) -> bool {
    let Some(hex_digest) = header.trim().strip_prefix("sha256=") else {
        return false;
    };
    let Ok(received) = hex::decode(hex_digest.trim()) else {
        return false;
    };
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.expose().as_bytes())
        .expect("HMAC takes any key length");
    mac.update(body);
    mac.verify_slice(&received).is_ok()
}

/// Diagnose a signature that did not verify.
pub fn diagnose(secret: &SecretString, header: &str, body: &[u8]) -> Mismatch {
    let header = header.trim();
    let digest_text = header.strip_prefix("sha256=").unwrap_or(header);
    let is_hex = digest_text.len() == 64 && digest_text.bytes().all(|b| b.is_ascii_hexdigit());
    if !is_hex {
        return Mismatch::NotHex;
    }
    let with_prefix = format!("sha256={digest_text}");
    if !header.starts_with("sha256=") && verify(secret, &with_prefix, body) {
        return Mismatch::MissingPrefix;
    }
    let matches = |candidate: &[u8]| verify(secret, &with_prefix, candidate);
    let trimmed = body
        .strip_suffix(b"\n")
        .map(|b| b.strip_suffix(b"\r").unwrap_or(b));
    let mut with_newline = body.to_vec();
    with_newline.push(b'\n');
    if trimmed.is_some_and(matches) || matches(&with_newline) {
        return Mismatch::TrailingNewline;
    }
    if let Ok(value) = serde_json::from_slice::<serde_json::Value>(body) {
        let compact = serde_json::to_vec(&value).unwrap_or_default();
        let pretty = serde_json::to_vec_pretty(&value).unwrap_or_default();
        let mut pretty_newline = pretty.clone();
        pretty_newline.push(b'\n');
        if [compact, pretty, pretty_newline]
            .iter()
            .any(|c| c.as_slice() != body && matches(c))
        {
            return Mismatch::Reserialized;
        }
    }
    if !header.starts_with("sha256=") {
        return Mismatch::MissingPrefix;
    }
    Mismatch::WrongSecretOrBody
}

/// The bytes an app gets when it parses a body and writes it back before verifying: how
/// `JSON.stringify` writes it (compact, characters as they are) and how Python's `json.dumps`
/// does (`", "` and `": "`, non-ASCII as `\uXXXX`). A signature over these is not Meta's.
pub fn reencodings(body: &[u8]) -> Vec<(&'static str, Vec<u8>)> {
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(body) else {
        return Vec::new();
    };
    let compact = serde_json::to_vec(&value).unwrap_or_default();
    let mut python = Vec::new();
    let mut serializer = serde_json::Serializer::with_formatter(&mut python, PythonFormatter);
    if value.serialize(&mut serializer).is_err() {
        return vec![("JSON.stringify", compact)];
    }
    let python = ascii_escaped(&String::from_utf8_lossy(&python)).into_bytes();
    [("JSON.stringify", compact), ("json.dumps", python)]
        .into_iter()
        .filter(|(_, bytes)| bytes.as_slice() != body)
        .collect()
}

/// Every non-ASCII character as `\uXXXX` (UTF-16 units); they occur only inside strings.
pub(super) fn ascii_escaped(text: &str) -> String {
    let mut out = Vec::with_capacity(text.len());
    crate::escape::runs(
        text,
        &mut out,
        |bytes| bytes.iter().position(|byte| !byte.is_ascii()),
        crate::escape::unicode_escape,
    );
    String::from_utf8(out).expect("ASCII")
}

/// Python's default separators: `", "` between items, `": "` after keys.
struct PythonFormatter;

impl serde_json::ser::Formatter for PythonFormatter {
    fn begin_array_value<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        if first { Ok(()) } else { writer.write_all(b", ") }
    }

    fn begin_object_key<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        if first { Ok(()) } else { writer.write_all(b", ") }
    }

    fn begin_object_value<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
    ) -> std::io::Result<()> {
        writer.write_all(b": ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_4231_test_case_2() {
        // HMAC-SHA256 with key "Jefe" and data "what do ya want for nothing?".
        let secret = SecretString::new("Jefe");
        assert_eq!(
            sign(&secret, b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn reencodings_are_what_libraries_write() {
        let body = br#"{"a":"caf\u00e9\/x","b":[1,2]}"#;
        let found = reencodings(body);
        assert_eq!(found[0].0, "JSON.stringify");
        assert_eq!(
            String::from_utf8(found[0].1.clone()).unwrap(),
            r#"{"a":"café/x","b":[1,2]}"#
        );
        assert_eq!(found[1].0, "json.dumps");
        assert_eq!(
            String::from_utf8(found[1].1.clone()).unwrap(),
            r#"{"a": "caf\u00e9/x", "b": [1, 2]}"#
        );
    }

    #[test]
    fn verify_and_diagnose() {
        let secret = SecretString::new("app-secret");
        let body = b"{\"a\": 1}";
        let good = sign(&secret, body);
        assert!(verify(&secret, &good, body));
        assert!(!verify(&secret, &good, b"{\"a\": 2}"));
        let bare = good.trim_start_matches("sha256=");
        assert_eq!(diagnose(&secret, bare, body), Mismatch::MissingPrefix);
        assert_eq!(
            diagnose(&secret, &good, b"{\"a\": 1}\n"),
            Mismatch::TrailingNewline
        );
        assert_eq!(
            diagnose(&secret, &sign(&secret, b"{\"a\":1}"), body),
            Mismatch::Reserialized
        );
        assert_eq!(
            diagnose(&SecretString::new("other"), &good, body),
            Mismatch::WrongSecretOrBody
        );
        assert_eq!(diagnose(&secret, "sha256=zz", body), Mismatch::NotHex);
    }
}
