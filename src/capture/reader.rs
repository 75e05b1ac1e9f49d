//! Reading capture records back: the whole record ([`parse_record`]), the same record read
//! lean for checking only ([`parse_record_to_check`]), and a line's `seq` without parsing it
//! ([`record_seq`]). One set of serde rules (the record's own) serves all of them.
use std::cell::Cell;

use anyhow::Context;
use serde::de::IgnoredAny;
use serde::{Deserialize, Deserializer};

use super::CaptureRecord;

thread_local! {
    /// Set while [`parse_record_to_check`] reads: fields marked [`heavy`] are skipped.
    static LEAN: Cell<bool> = const { Cell::new(false) };
}

/// How a field judging a body never needs (headers, errors, the forward result, the verdict
/// given when it was captured) is read: in full, or, in a lean read, skipped without being
/// kept (left empty).
pub(super) fn heavy<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    if LEAN.get() {
        IgnoredAny::deserialize(deserializer)?;
        Ok(T::default())
    } else {
        T::deserialize(deserializer)
    }
}

/// Parse one line of a capture file.
pub fn parse_record(line: &[u8]) -> anyhow::Result<CaptureRecord> {
    serde_json::from_slice(line).context("not a wa-hook capture record")
}

/// Parse one line of a capture file for what judging its request needs (method, query, body),
/// skipping its headers, errors, forward result and verdict without keeping them: a record of
/// millions of empty headers costs nothing, and a verdict word of a later version is no
/// obstacle to judging the body again. Those fields are left empty; the line must still be a
/// whole record.
pub fn parse_record_to_check(line: &[u8]) -> anyhow::Result<CaptureRecord> {
    /// Clears the flag however the read ends.
    struct Lean;
    impl Drop for Lean {
        fn drop(&mut self) {
            LEAN.set(false);
        }
    }
    LEAN.set(true);
    let _lean = Lean;
    parse_record(line)
}

/// The `seq` of a capture record line, read from its start (records are written with
/// `wa_hook_capture` then `seq` first), without parsing the rest; `None` for any other line.
pub fn record_seq(line: &[u8]) -> Option<u64> {
    let rest = line
        .trim_ascii_start()
        .strip_prefix(b"{\"wa_hook_capture\":")?;
    let at = memchr::memmem::find(&rest[..rest.len().min(64)], b"\"seq\":")? + 6;
    let digits = &rest[at..];
    let digits = &digits[..digits.iter().take_while(|b| b.is_ascii_digit()).count()];
    std::str::from_utf8(digits).ok()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::super::{BodyEncoding, Rejection, SignatureCheck};
    use super::*;
    use crate::providers::Provider;
    use crate::verdict::Verdict;

    /// Lines as earlier versions wrote them: before `run` (and `note`), a record without
    /// `query`, a rejected request, a signature check, a forward result. Each reads, and a
    /// record written by this version from what was read is the same line.
    #[test]
    fn records_written_by_earlier_versions_still_read() {
        let lines = [
            // Before `run` and `note` (tests/cli/replay.rs's capture lines, as written then).
            r#"{"wa_hook_capture":1,"seq":1,"received_at":"2026-01-02T03:04:05.000006Z","remote_addr":"127.0.0.1:50000","method":"POST","path":"/hook","query":"","headers":[["Host","127.0.0.1:8787"],["Authorization","(redacted)"]],"redacted_headers":["Authorization"],"body":"{\"a\":1}","body_encoding":"utf8","body_bytes":7,"provider":"qikchat","kind":"status:read","verdict":"valid","response_status":200}"#,
            r#"{"wa_hook_capture":1,"seq":2,"run":"2026-11-23T02:34:00.123Z-4321","received_at":"2026-11-23T02:34:01.000001Z","remote_addr":"127.0.0.1:50001","method":"POST","path":"/hook","query":"","headers":[],"body":"{}","body_encoding":"utf8","body_bytes":2,"verdict":"unknown","errors":[{"pointer":"","expected":"a provider's webhook body","found":"an object with no known marks"}],"signature":"invalid: signed over other bytes","response_status":200,"forward":{"url":"http://127.0.0.1:3000/hook","status":401,"latency_ms":1.234,"body":"no"}}"#,
            r#"{"wa_hook_capture":1,"seq":3,"received_at":"2026-11-23T02:34:02.000001Z","remote_addr":"127.0.0.1:50002","method":"POST","path":"/hook","query":"","headers":[],"body":null,"body_encoding":"none","body_bytes":5000000,"rejected":"body too large (5000000 bytes; --max-body is 1048576)","response_status":413}"#,
            r#"{"wa_hook_capture":1,"seq":4,"received_at":"2026-11-23T02:34:03.000001Z","remote_addr":"127.0.0.1:50003","method":"GET","path":"/hook","query":"hub.mode=subscribe&hub.verify_token=(redacted)&hub.challenge=42","headers":[],"body":"","body_encoding":"utf8","body_bytes":0,"rejected":"wrong verify token","response_status":403}"#,
            r#"{"wa_hook_capture":1,"seq":5,"received_at":"2026-11-23T02:34:04.000001Z","remote_addr":"127.0.0.1:50004","method":"POST","path":"/hook","query":"","headers":[],"body":"{}","body_encoding":"utf8","body_bytes":2,"provider":"meta","kind":"message:text","verdict":"invalid","errors":[{"pointer":"/entry","expected":"array","found":"object"}],"rejected":"bad signature","signature":"missing","response_status":401}"#,
            r#"{"wa_hook_capture":1,"seq":6,"received_at":"2026-11-23T02:34:05.000001Z","remote_addr":"127.0.0.1:50005","method":"POST","path":"/hook","query":"","headers":[],"body":"/w==","body_encoding":"base64","body_bytes":1,"verdict":"malformed","errors":[{"pointer":"","expected":"JSON","found":"bytes that are not UTF-8"}],"response_status":200,"forward":{"url":"http://127.0.0.1:9/","latency_ms":0.5,"error":"connection refused"}}"#,
            r#"{"wa_hook_capture":1,"seq":7,"received_at":"2026-11-23T02:34:06.000001Z","remote_addr":"127.0.0.1:50006","method":"GET","path":"/","query":"","headers":[],"body":null,"body_encoding":"none","body_bytes":0,"rejected":"request headers too large","response_status":431}"#,
        ];
        let schema = super::super::schema().validator(false);
        let mut records = Vec::new();
        for line in lines {
            let value: serde_json::Value = serde_json::from_str(line).unwrap();
            let errors: Vec<String> = schema.iter_errors(&value).map(|e| e.to_string()).collect();
            assert!(errors.is_empty(), "{line}: {errors:?}");
            let record =
                parse_record(line.as_bytes()).unwrap_or_else(|err| panic!("{err:#}: {line}"));
            assert_eq!(serde_json::to_string(&record).unwrap(), line);
            assert_eq!(record_seq(line.as_bytes()), Some(record.seq));
            records.push(record);
        }
        assert_eq!(records[0].run, None);
        assert_eq!(records[0].provider, Provider::from_id("qikchat"));
        assert_eq!(records[0].kind.as_ref().unwrap().name(), "status");
        assert_eq!(records[0].verdict, Some(Verdict::Valid));
        assert!(matches!(
            records[1].signature,
            Some(SignatureCheck::Invalid(_))
        ));
        assert_eq!(
            records[2].rejected,
            Some(Rejection::BodyTooLarge {
                bytes: 5_000_000,
                max: 1_048_576
            })
        );
        assert_eq!(records[3].rejected, Some(Rejection::WrongVerifyToken));
        assert_eq!(records[4].signature, Some(SignatureCheck::Missing));
        assert_eq!(records[4].rejected, Some(Rejection::BadSignature));
        assert_eq!(records[5].body_encoding, BodyEncoding::Base64);
        assert!(
            matches!(&records[6].rejected, Some(Rejection::Other(why)) if why == "request headers too large")
        );

        // Without `query` (the oldest records), and with a provider this version does not know
        // (a file from a later one): both read.
        let old = r#"{"wa_hook_capture":1,"seq":8,"received_at":"","remote_addr":"","method":"POST","path":"/","headers":[],"body":"{}","body_encoding":"utf8","body_bytes":2,"provider":"carrier-pigeon","kind":"coo:loud","verdict":"valid","response_status":200}"#;
        let record = parse_record(old.as_bytes()).unwrap();
        assert_eq!(record.query, "");
        assert_eq!(record.provider, None);
        assert_eq!(
            record.kind.as_ref().map(ToString::to_string).as_deref(),
            Some("coo:loud")
        );
        // A signature check this version does not know reads too (the body can still be
        // checked and replayed), and is written back as it was.
        let unknown_check = old.replace(
            r#""verdict":"valid","#,
            r#""verdict":"valid","signature":"unverifiable: no key","#,
        );
        let record = parse_record(unknown_check.as_bytes()).unwrap();
        assert_eq!(
            record.signature,
            Some(SignatureCheck::Other("unverifiable: no key".into()))
        );
        assert!(
            serde_json::to_string(&record)
                .unwrap()
                .contains(r#""signature":"unverifiable: no key""#)
        );
        assert!(parse_record_to_check(unknown_check.as_bytes()).is_ok());
        // An alias of a provider reads as the provider.
        let alias = old.replace("carrier-pigeon", "picky-assist");
        assert_eq!(
            parse_record(alias.as_bytes()).unwrap().provider,
            Provider::from_id("picky")
        );
    }

    #[test]
    fn the_lean_read_skips_headers_errors_and_forward() {
        let line = br#"{"wa_hook_capture":1,"seq":5,"received_at":"","remote_addr":"","method":"POST","path":"/","query":"a=1","headers":[["A","b"],["C","d"]],"redacted_headers":["A"],"body":"{}","body_encoding":"utf8","body_bytes":2,"verdict":"invalid","errors":[{"pointer":"","expected":"x","found":"y"}],"rejected":"basic auth","response_status":401,"forward":{"url":"u","latency_ms":1.0}}"#;
        let lean = parse_record_to_check(line).unwrap();
        assert!(lean.headers.is_empty() && lean.redacted_headers.is_empty());
        assert!(lean.errors.is_empty() && lean.forward.is_none());
        assert_eq!(
            (lean.seq, lean.method.as_str(), lean.query.as_str()),
            (5, "POST", "a=1")
        );
        assert_eq!(lean.rejected, Some(Rejection::BasicAuth));
        // The flag is cleared after: the next full read keeps everything.
        let full = parse_record(line).unwrap();
        assert_eq!(full.headers.len(), 2);
        assert!(full.forward.is_some());
        assert!(parse_record_to_check(b"{\"wa_hook_capture\":1}").is_err());
        // The verdict given at capture is not needed to judge the body again: one this version
        // does not know (a later one wrote it) is no reason to leave the record unread, as it
        // was not before the lean read shared the record's rules.
        let later = String::from_utf8_lossy(line).replace(r#""invalid""#, r#""suspicious""#);
        let lean = parse_record_to_check(later.as_bytes()).unwrap();
        assert_eq!((lean.seq, lean.verdict), (5, None));
        assert!(parse_record(later.as_bytes()).is_err());
        assert_eq!(parse_record(line).unwrap().errors.len(), 1);
    }

    #[test]
    fn bodies_round_trip_byte_for_byte() {
        for bytes in [&b"{}\n"[..], &b"\xff\xfe\x00"[..]] {
            let (body, body_encoding) = CaptureRecord::encode_body(bytes);
            let original = CaptureRecord {
                seq: 1,
                run: Some(super::super::new_run_id()),
                received_at: super::super::now_rfc3339(),
                method: "POST".into(),
                headers: vec![("Content-Type".into(), "application/json".into())],
                body,
                body_encoding,
                body_bytes: bytes.len() as u64,
                response_status: 200,
                ..CaptureRecord::default()
            };
            let line = serde_json::to_vec(&original).unwrap();
            let read = parse_record(&line).unwrap();
            assert_eq!(read, original);
            assert_eq!(read.body_bytes().unwrap().as_deref(), Some(bytes));
            assert!(matches!(
                crate::inputs::read_unit(&line),
                crate::inputs::Unit::Record(_)
            ));
        }
    }

    #[test]
    fn record_seq_reads_the_start_only() {
        assert_eq!(
            record_seq(b"{\"wa_hook_capture\":1,\"seq\":42,\"recei"),
            Some(42)
        );
        assert_eq!(record_seq(b"{\"seq\":42}"), None);
    }
}
