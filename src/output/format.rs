//! How numbers read: durations, milliseconds, counted nouns, sizes, provider/kind labels and
//! schema issues. Every printer formats these through here, so a latency or a count reads the
//! same in `listen`, `replay`, `validate` and `doctor`, and a wording fix is one edit.
use std::fmt::Display;
use std::time::Duration;

use colored::Colorize;

use super::printable;
use crate::verdict::Issue;

/// The notations a duration is printed in. Each is pinned by what users (and tests) read, so
/// they stay distinct; the choice is made at the call site, by what the duration is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Notation {
    /// A measured time, three significant figures: `1.23 ms`, `45.6 ms`, `1.20 s`.
    Measured,
    /// A measured time in a narrow column (listen's request lines): `12ms`, `1.20s`.
    Compact,
    /// A configured time as its flag is written (`--timeout 1s`): `1s`, `1m 30s`, `200ms`.
    Flag,
    /// A configured time in a sentence (doctor's budgets): `2 s`, `200 ms`, `3 min`.
    Words,
}

/// `duration` in `notation`: the one home of printed durations.
pub fn duration(duration: Duration, notation: Notation) -> String {
    match notation {
        Notation::Measured => {
            let ms = duration.as_secs_f64() * 1000.0;
            if ms < 10.0 {
                format!("{ms:.2} ms")
            } else if ms < 1000.0 {
                format!("{ms:.1} ms")
            } else {
                format!("{:.2} s", ms / 1000.0)
            }
        }
        Notation::Compact => {
            let ms = duration.as_secs_f64() * 1000.0;
            if ms >= 1000.0 {
                format!("{:.2}s", ms / 1000.0)
            } else {
                format!("{ms:.0}ms")
            }
        }
        Notation::Flag => humantime::format_duration(duration).to_string(),
        Notation::Words => {
            let ms = duration.as_millis();
            if ms.is_multiple_of(60_000) && ms >= 60_000 {
                format!("{} min", ms / 60_000)
            } else if ms.is_multiple_of(1000) {
                format!("{} s", ms / 1000)
            } else if ms >= 1000 {
                format!("{:.1} s", duration.as_secs_f64())
            } else {
                format!("{ms} ms")
            }
        }
    }
}

/// Milliseconds to the microsecond, as JSON outputs and capture records carry them.
pub fn ms(duration: Duration) -> f64 {
    (duration.as_secs_f64() * 1_000_000.0).round() / 1000.0
}

/// `1 request`, `3 requests`: the one home of counted nouns.
pub fn plural(count: impl Into<u64>, one: &str, many: &str) -> String {
    let count = count.into();
    format!("{count} {}", plural_word(count, one, many))
}

/// `one` or `many` as `count` asks, for a word away from its number (`field`/`fields`,
/// `grows`/`grow`).
pub fn plural_word<'a>(count: impl Into<u64>, one: &'a str, many: &'a str) -> &'a str {
    if count.into() == 1 { one } else { many }
}

/// `a text`, `an image`, `an event:whatsapp`: the article a word takes, by its first letter
/// (the words given are message kinds, none of which starts with a silent or spoken-as-consonant
/// vowel).
pub fn a(word: &str) -> String {
    let vowel = word
        .chars()
        .next()
        .is_some_and(|c| matches!(c.to_ascii_lowercase(), 'a' | 'e' | 'i' | 'o' | 'u'));
    format!("{} {word}", if vowel { "an" } else { "a" })
}

/// A byte count for people: `512 bytes`, `64 KiB`, `4 MiB`, `1.5 GiB`.
pub fn size(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if bytes < 1024 {
        return format!("{bytes} bytes");
    }
    #[allow(clippy::cast_precision_loss, reason = "printed to one decimal")]
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    if value.fract() < 0.05 || value >= 100.0 {
        format!("{value:.0} {}", UNITS[unit])
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

/// A size as providers document their limits, in decimal megabytes: `3.0 MB`, `64 KiB`.
pub fn documented_size(bytes: usize) -> String {
    if bytes >= 1_000_000 {
        #[allow(clippy::cast_precision_loss, reason = "printed to one decimal")]
        let megabytes = bytes as f64 / 1_000_000.0;
        format!("{megabytes:.1} MB")
    } else if bytes >= 1024 {
        format!("{} KiB", bytes / 1024)
    } else {
        format!("{bytes} bytes")
    }
}

/// What a body was taken for: `qikchat message:text`, `meta`, or `unknown`.
pub fn label(provider: Option<impl Display>, kind: Option<impl Display>) -> String {
    let mut label = String::new();
    push_label(&mut label, provider, kind);
    label
}

/// [`label`], appended to `line` (a live line writes it in place).
pub fn push_label(line: &mut String, provider: Option<impl Display>, kind: Option<impl Display>) {
    use std::fmt::Write as _;
    let _ = match (provider, kind) {
        (Some(provider), Some(kind)) => write!(line, "{provider} {kind}"),
        (Some(provider), None) => write!(line, "{provider}"),
        _ => {
            line.push_str("unknown");
            Ok(())
        }
    };
}

/// `/payload/status: expected one of [...], found string "seen"`.
pub fn format_issue(issue: &Issue) -> String {
    let at = if issue.pointer.is_empty() {
        "/"
    } else {
        &issue.pointer
    };
    // Pointers and found values quote the body's own keys and text: whoever sent it chose them.
    format!(
        "{}: expected {}, found {}",
        printable(at).cyan(),
        printable(&issue.expected),
        printable(&issue.found).red()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_word_takes_its_article() {
        assert_eq!(a("text"), "a text");
        assert_eq!(a("image"), "an image");
        assert_eq!(a("event:whatsapp"), "an event:whatsapp");
        assert_eq!(a("Interactive"), "an Interactive");
        assert_eq!(a(""), "a ");
    }

    #[test]
    fn durations_read_as_their_notation_says() {
        let d = Duration::from_micros;
        assert_eq!(duration(d(1234), Notation::Measured), "1.23 ms");
        assert_eq!(duration(d(45_600), Notation::Measured), "45.6 ms");
        assert_eq!(duration(d(1_200_000), Notation::Measured), "1.20 s");
        assert_eq!(duration(d(12_300), Notation::Compact), "12ms");
        assert_eq!(duration(d(1_200_000), Notation::Compact), "1.20s");
        assert_eq!(duration(d(1_000_000), Notation::Flag), "1s");
        assert_eq!(duration(d(90_000_000), Notation::Flag), "1m 30s");
        assert_eq!(duration(d(2_000_000), Notation::Words), "2 s");
        assert_eq!(duration(d(200_000), Notation::Words), "200 ms");
        assert_eq!(duration(d(1_500_000), Notation::Words), "1.5 s");
        assert_eq!(duration(d(180_000_000), Notation::Words), "3 min");
        assert!((ms(d(1_234_567)) - 1234.567).abs() < 1e-9);
    }

    #[test]
    fn counts_agree_with_their_nouns() {
        assert_eq!(plural(1u64, "sample", "samples"), "1 sample");
        assert_eq!(plural(0u64, "sample", "samples"), "0 samples");
        assert_eq!(plural(2u32, "body", "bodies"), "2 bodies");
        assert_eq!(plural_word(1u64, "grows", "grow"), "grows");
        assert_eq!(plural_word(3u64, "grows", "grow"), "grow");
    }

    #[test]
    fn labels_and_sizes() {
        assert_eq!(
            label(Some("qikchat"), Some("message:text")),
            "qikchat message:text"
        );
        assert_eq!(label(Some("meta"), None::<&str>), "meta");
        assert_eq!(label(None::<&str>, Some("x")), "unknown");
        assert_eq!(size(17), "17 bytes");
        assert_eq!(size(4 << 20), "4 MiB");
        assert_eq!(size(1536), "1.5 KiB");
        assert_eq!(size(3 << 30), "3 GiB");
        assert_eq!(documented_size(3_000_000), "3.0 MB");
        assert_eq!(documented_size(2700), "2 KiB");
    }
}
