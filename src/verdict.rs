//! The words every check speaks in: a [`Verdict`] and the [`Issue`]s behind it. A leaf module:
//! capture records, validation, and every printer use these types, and they use nothing.
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// Matches its documented shape.
    Valid,
    /// Recognised, but does not match its documented shape.
    Invalid,
    /// Recognised as a provider's body, but of a part wa-hook has no schema for (a Meta webhook
    /// field it does not cover yet): neither valid nor invalid.
    Unchecked,
    /// JSON, but not a shape any provider documents.
    Unknown,
    /// Not JSON at all: empty, a syntax error, not UTF-8.
    Malformed,
}

impl Verdict {
    pub fn is_valid(self) -> bool {
        self == Verdict::Valid
    }

    /// True for verdicts that fail a check (`validate` exits 1): invalid, unknown, malformed.
    pub fn fails(self) -> bool {
        matches!(
            self,
            Verdict::Invalid | Verdict::Unknown | Verdict::Malformed
        )
    }

    /// The word used in capture records, `--events` filters and JSON output.
    pub fn word(self) -> &'static str {
        match self {
            Verdict::Valid => "valid",
            Verdict::Invalid => "invalid",
            Verdict::Unchecked => "unchecked",
            Verdict::Unknown => "unknown",
            Verdict::Malformed => "malformed",
        }
    }

    pub const WORDS: [&'static str; 5] = ["valid", "invalid", "unchecked", "unknown", "malformed"];
}

/// One way in which a body differs from its schema.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Issue {
    /// JSON pointer to the offending value ("" for the whole body).
    pub pointer: String,
    pub expected: String,
    pub found: String,
}

impl Issue {
    /// An issue about the whole body.
    pub fn whole(expected: impl Into<String>, found: impl Into<String>) -> Issue {
        Issue {
            pointer: String::new(),
            expected: expected.into(),
            found: found.into(),
        }
    }
}

impl std::fmt::Display for Issue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let at = if self.pointer.is_empty() {
            "/"
        } else {
            &self.pointer
        };
        write!(f, "{at}: expected {}, found {}", self.expected, self.found)
    }
}
