//! Secrets: bearer tokens, client secrets, app secrets, Basic auth passwords.
//!
//! A secret lives in a [`SecretString`], whose `Debug` and `Display` print `(redacted)`, so it
//! cannot leak through a log line, an error chain or a panic message. Secrets are read from
//! environment variables, files, standard input or a hidden prompt, never from a plain
//! command-line value (which any user on the machine can read with `ps`).
use std::fmt;
use std::io::Read;
use std::path::Path;

use anyhow::{Context, bail};

/// What a redacted value is replaced with, in output and in capture files.
pub const REDACTED: &str = "(redacted)";

#[derive(Clone, PartialEq, Eq)]
pub struct SecretString(String);

impl SecretString {
    pub fn new(value: impl Into<String>) -> Self {
        SecretString(value.into())
    }

    /// The secret itself: call only where it is sent or compared.
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl fmt::Display for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

/// Headers whose values carry credentials and are redacted unless the user asks otherwise.
pub fn is_secret_header(name: &str) -> bool {
    const SECRET_HEADERS: &[&str] = &[
        "authorization",
        "proxy-authorization",
        "cookie",
        "set-cookie",
        "x-api-key",
        "api-key",
        "apikey",
        "x-auth-token",
        "x-access-token",
        "x-webhook-secret",
        // Qikchat's send API key.
        "qikchat-api-key",
    ];
    SECRET_HEADERS
        .iter()
        .any(|secret| secret.eq_ignore_ascii_case(name))
}

/// Whether a captured header's value was redacted by `listen`: named in the record's
/// `redacted_headers`, or its value is the marker itself (records written before that list).
pub fn is_redacted(name: &str, value: &str, redacted_headers: &[String]) -> bool {
    value == REDACTED
        || redacted_headers
            .iter()
            .any(|redacted| redacted.eq_ignore_ascii_case(name))
}

/// The secrets a header carries, when it is a secret-bearing one: its value and, for
/// `Scheme credentials` values (`Bearer x`, `Basic x`), the credentials alone.
pub fn header_secrets(name: &str, value: &str) -> Vec<SecretString> {
    if !is_secret_header(name) {
        return Vec::new();
    }
    let value = value.trim();
    let mut secrets = vec![SecretString(value.to_string())];
    if let Some((_, credentials)) = value.split_once(' ') {
        secrets.push(SecretString(credentials.trim().to_string()));
    }
    secrets
}

/// `text` (JSON, or JSON cut short or malformed, which cannot be edited as a value) with the
/// value of every `"name":` member replaced, the rest kept byte for byte: a string by
/// `"(redacted)"`, any other value by `null`, so a body whose credential was of the wrong type
/// stays wrong for `validate` (a string would make it pass) without keeping the value.
pub fn redact_json_member(text: &str, name: &str) -> String {
    let key = format!("\"{name}\"");
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(&key) {
        let (before, after_key) = rest.split_at(at + key.len());
        out.push_str(before);
        let Some(after_colon) = after_key.trim_start().strip_prefix(':') else {
            rest = after_key;
            continue;
        };
        let value = after_colon.trim_start();
        out.push_str(&after_key[..after_key.len() - value.len()]);
        if value.starts_with('"') {
            out.push('"');
            out.push_str(REDACTED);
            out.push('"');
        } else {
            out.push_str("null");
        }
        rest = &value[value_end(value)..];
    }
    out.push_str(rest);
    out
}

/// Where the JSON value at the start of `value` ends: a string to its closing quote, an object
/// or array to its closing bracket, anything else to the next `,`, `}`, `]` or line end.
fn value_end(value: &str) -> usize {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for (at, c) in value.char_indices() {
        if in_string {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
                if depth == 0 {
                    return at + 1;
                }
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            '{' | '[' => depth += 1,
            '}' | ']' if depth > 1 => depth -= 1,
            '}' | ']' if depth == 1 => return at + 1,
            ',' | '}' | ']' | '\n' | '\r' if depth == 0 => return at,
            _ => {}
        }
    }
    value.len()
}

/// `query` with the value of every `name=` parameter replaced by `redacted`, the rest kept
/// byte for byte (a verify token, an `access_token`).
pub fn redact_query_param(query: &str, name: &str, redacted: &str) -> String {
    let prefix = format!("{name}=");
    if !query.split('&').any(|pair| pair.starts_with(&prefix)) {
        return query.to_string();
    }
    query
        .split('&')
        .map(|pair| {
            if pair.starts_with(&prefix) {
                format!("{prefix}{redacted}")
            } else {
                pair.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// Replace every occurrence of each secret in `text` with `(redacted)`: for text that came
/// from elsewhere (a server's reply, an error, a `Location`) and might echo a secret back.
/// A secret is found as written and in the forms an app writes it back in (see
/// `echoed_forms`): an error page that repeats a query string has the token URL-encoded.
pub fn scrub(text: &str, secrets: &[&SecretString]) -> String {
    let mut forms: Vec<String> = secrets
        .iter()
        .filter(|secret| secret.0.len() >= 4)
        .flat_map(|secret| echoed_forms(&secret.0))
        .collect();
    // Longest first, so a form that contains another is replaced whole.
    forms.sort_unstable_by_key(|form| std::cmp::Reverse(form.len()));
    forms.dedup();
    let mut text = text.to_string();
    for form in forms {
        if text.contains(&form) {
            text = text.replace(&form, REDACTED);
        }
    }
    text
}

/// The ways a secret comes back in what an app or a server writes: as is; URL-encoded (as a
/// query string or form carries it: `%20` or `+` for a space, upper- or lower-case hex, with
/// RFC 3986's or `encodeURIComponent`'s or a form's set of characters left alone);
/// JSON-escaped (`\"`, `\/`, `\u00e9`); HTML-escaped; and base64 (standard and URL-safe,
/// with or without padding).
fn echoed_forms(secret: &str) -> Vec<String> {
    use base64::Engine;
    use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
    let mut forms = vec![secret.to_string()];
    const UNRESERVED: &str = "-._~";
    const URI_COMPONENT: &str = "-._~!'()*";
    const FORM: &str = "-._*";
    for keep in [UNRESERVED, URI_COMPONENT, FORM] {
        for space_as_plus in [false, true] {
            for lower in [false, true] {
                forms.push(percent_encoded(secret, keep, space_as_plus, lower));
            }
        }
    }
    let json = serde_json::to_string(secret).expect("a string always encodes");
    let json = json[1..json.len() - 1].to_string();
    let ascii = json_ascii(&json);
    for escaped in [json, ascii] {
        forms.push(escaped.replace('/', "\\/"));
        forms.push(escaped);
    }
    let html = secret
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;");
    forms.push(html.replace('\'', "&#39;"));
    forms.push(html.replace('\'', "&#x27;"));
    for engine in [STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD] {
        forms.push(engine.encode(secret));
    }
    forms.sort_unstable();
    forms.dedup();
    forms
}

fn percent_encoded(text: &str, keep: &str, space_as_plus: bool, lower: bool) -> String {
    let mut out = String::with_capacity(text.len() * 3);
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || keep.as_bytes().contains(&byte) {
            out.push(char::from(byte));
        } else if byte == b' ' && space_as_plus {
            out.push('+');
        } else if lower {
            out.push_str(&format!("%{byte:02x}"));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// A JSON string's inside with every non-ASCII character as `\uXXXX` (Python's `json.dumps`,
/// Meta's webhooks).
fn json_ascii(escaped: &str) -> String {
    let mut out = String::with_capacity(escaped.len());
    for ch in escaped.chars() {
        if ch.is_ascii() {
            out.push(ch);
        } else {
            let mut units = [0u16; 2];
            for unit in ch.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        }
    }
    out
}

/// Read a secret from the environment variable `var`; a clear error when it is unset or empty.
pub fn from_env(var: &str, what: &str) -> anyhow::Result<SecretString> {
    match std::env::var(var) {
        Ok(value) if !value.trim().is_empty() => Ok(SecretString(value.trim().to_string())),
        Ok(_) => bail!("the environment variable {var} (the {what}) is empty"),
        Err(std::env::VarError::NotUnicode(_)) => {
            bail!("the environment variable {var} (the {what}) is not valid UTF-8")
        }
        Err(std::env::VarError::NotPresent) => {
            bail!("the environment variable {var} (the {what}) is not set; export it first")
        }
    }
}

/// [`from_env`] for an optional `--...-env VAR` flag: `None` when the flag was not given.
pub fn from_env_flag(var: Option<&str>, what: &str) -> anyhow::Result<Option<SecretString>> {
    var.map(|var| from_env(var, what)).transpose()
}

/// Read a secret from a file, ignoring surrounding whitespace.
pub fn from_file(path: &Path, what: &str) -> anyhow::Result<SecretString> {
    let file = std::fs::File::open(path)
        .with_context(|| format!("reading the {what} from {}", path.display()))?;
    let text = read_capped(file, &path.display().to_string(), what)?;
    checked(text.trim(), &path.display().to_string(), what)
}

/// Read a secret from standard input (the first line, trimmed).
pub fn from_stdin(what: &str) -> anyhow::Result<SecretString> {
    let text = read_capped(std::io::stdin(), "standard input", what)?;
    checked(
        text.lines().next().unwrap_or("").trim(),
        "standard input",
        what,
    )
}

/// A secret is a short line: a source of more than this is a mistake (a wrong file, a stream),
/// refused rather than read to its end.
const MAX_SECRET_SOURCE: u64 = 64 << 10;

fn read_capped(reader: impl Read, source: &str, what: &str) -> anyhow::Result<String> {
    let mut bytes = Vec::new();
    reader
        .take(MAX_SECRET_SOURCE + 1)
        .read_to_end(&mut bytes)
        .with_context(|| format!("reading the {what} from {source}"))?;
    if bytes.len() as u64 > MAX_SECRET_SOURCE {
        bail!("{source} holds more than 64 KiB; it should hold the {what} alone, on one line");
    }
    String::from_utf8(bytes)
        .map_err(|_| anyhow::anyhow!("{source} is not text; it should hold the {what}"))
}

fn checked(secret: &str, source: &str, what: &str) -> anyhow::Result<SecretString> {
    if secret.is_empty() {
        bail!("{source} is empty; it should hold the {what}");
    }
    if secret.chars().any(char::is_control) {
        bail!("the {what} in {source} holds control characters (a binary file, or several lines?)");
    }
    Ok(SecretString(secret.to_string()))
}

/// Ask for a secret on the terminal without echoing it. Errors when there is no terminal.
pub fn prompt(label: &str) -> anyhow::Result<SecretString> {
    if !crate::output::can_prompt() {
        bail!("no terminal to ask for the {label} on");
    }
    let value = dialoguer::Password::new()
        .with_prompt(label)
        .interact()
        .with_context(|| format!("reading the {label} from the terminal"))?;
    if value.trim().is_empty() {
        bail!("the {label} is empty");
    }
    Ok(SecretString(value.trim().to_string()))
}

/// HTTP Basic credentials, `USER:PASS`. The password is a secret; the user name is not.
#[derive(Clone, Debug)]
pub struct BasicAuth {
    pub user: String,
    pub password: SecretString,
    /// base64 of `USER:PASS`, as it travels in the header: a secret as much as the password.
    encoded: SecretString,
}

impl BasicAuth {
    /// Parse `USER:PASS`. The error never repeats the value. A control character (a newline
    /// left in a variable, a tab) is refused: a header cannot carry it, so no request could
    /// ever match.
    pub fn parse(text: &str) -> anyhow::Result<Self> {
        if let Some(at) = text.find(char::is_control) {
            let which = match text[at..].chars().next() {
                Some('\n') => "a newline".to_string(),
                Some('\r') => "a carriage return".to_string(),
                Some('\t') => "a tab".to_string(),
                Some(other) => format!("the control character U+{:04X}", u32::from(other)),
                None => "a control character".to_string(),
            };
            let part = if text
                .split_once(':')
                .is_some_and(|(user, _)| at < user.len())
            {
                "user name"
            } else {
                "password"
            };
            bail!(
                "the Basic auth {part} holds {which}, which no Authorization header can carry, \
                 so no request would ever match; set USER:PASS on one line without it"
            );
        }
        match text.split_once(':') {
            Some((user, password)) if !user.is_empty() => {
                use base64::Engine;
                Ok(BasicAuth {
                    user: user.to_string(),
                    password: SecretString(password.to_string()),
                    encoded: SecretString(base64::engine::general_purpose::STANDARD.encode(text)),
                })
            }
            _ => bail!("Basic auth must be USER:PASS (a user name, a colon, then the password)"),
        }
    }

    /// From `--basic-auth USER:PASS` or `--basic-auth-env VAR`, whichever was given.
    pub fn from_args(value: Option<&str>, env_var: Option<&str>) -> anyhow::Result<Option<Self>> {
        match (value, env_var) {
            (Some(value), _) => Ok(Some(Self::parse(value)?)),
            (None, Some(var)) => {
                let value = from_env(var, "Basic auth USER:PASS")?;
                Ok(Some(Self::parse(value.expose())?))
            }
            (None, None) => Ok(None),
        }
    }

    /// The `Authorization` header value.
    pub fn header_value(&self) -> SecretString {
        SecretString(format!("Basic {}", self.encoded.0))
    }

    /// What must be scrubbed from anything shown: the password and its encoded form.
    pub fn secrets(&self) -> [&SecretString; 2] {
        [&self.password, &self.encoded]
    }

    /// Compare a received `Authorization` header with these credentials in constant time.
    pub fn matches_header(&self, received: Option<&str>) -> bool {
        use subtle::ConstantTimeEq;
        let expected = self.header_value();
        let received = received.unwrap_or("").trim();
        bool::from(expected.expose().as_bytes().ct_eq(received.as_bytes()))
    }
}

/// The credentials a command was given (`--basic-auth`, `--app-secret-env`,
/// `--verify-token-env`), each read and checked before any work starts.
#[derive(Clone, Debug, Default)]
pub struct Credentials {
    pub basic_auth: Option<BasicAuth>,
    /// Meta's app secret: signs bodies (replay, doctor) or checks their signature (listen).
    pub app_secret: Option<SecretString>,
    /// Meta's verify token, for the verification handshake.
    pub verify_token: Option<SecretString>,
}

impl Credentials {
    /// Every secret among them, for [`scrub`]: what must never be printed.
    pub fn secrets(&self) -> impl Iterator<Item = &SecretString> {
        self.basic_auth
            .iter()
            .flat_map(BasicAuth::secrets)
            .chain(self.app_secret.iter())
            .chain(self.verify_token.iter())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_members_are_redacted_in_any_json() {
        assert_eq!(
            redact_json_member(r#"{"token" : "a\"b", "x": 1}"#, "token"),
            r#"{"token" : "(redacted)", "x": 1}"#
        );
        assert_eq!(
            redact_json_member(r#"{"token":12345,"x":{"token":{"a":[1,2]}}}"#, "token"),
            r#"{"token":null,"x":{"token":null}}"#
        );
        assert_eq!(
            redact_json_member(r#"{"token":"cut"#, "token"),
            r#"{"token":"(redacted)""#
        );
        assert_eq!(
            redact_json_member(r#"{"message":"token"}"#, "token"),
            r#"{"message":"token"}"#
        );
        // 99 Digital's apiKey in a body cut short: the string to its end.
        assert_eq!(
            redact_json_member(r#"{"apiKey": "nn-5f2c", "to": "97"#, "apiKey"),
            r#"{"apiKey": "(redacted)", "to": "97"#
        );
        assert_eq!(
            redact_json_member(r#"{"apiKey":"unclosed"#, "apiKey"),
            r#"{"apiKey":"(redacted)""#
        );
    }

    #[test]
    fn redacted_headers_are_recognised_by_name_or_marker() {
        let listed = vec!["Authorization".to_string()];
        assert!(is_redacted("authorization", "Bearer x", &listed));
        assert!(is_redacted("X-Other", REDACTED, &[]));
        assert!(!is_redacted("X-Other", "plain", &listed));
    }

    #[test]
    fn secrets_never_print() {
        let secret = SecretString::new("hunter2-sentinel");
        assert_eq!(format!("{secret}"), REDACTED);
        assert_eq!(format!("{secret:?}"), REDACTED);
        let auth = BasicAuth::parse("user:hunter2-sentinel").unwrap();
        assert!(!format!("{auth:?}").contains("hunter2"));
    }

    #[test]
    fn basic_auth_round_trip() {
        let auth = BasicAuth::parse("testuser:testpass").unwrap();
        // The value from Qikchat's own documentation.
        assert_eq!(
            auth.header_value().expose(),
            "Basic dGVzdHVzZXI6dGVzdHBhc3M="
        );
        assert!(auth.matches_header(Some("Basic dGVzdHVzZXI6dGVzdHBhc3M=")));
        assert!(!auth.matches_header(Some("Basic dGVzdHVzZXI6d3Jvbmc=")));
        assert!(!auth.matches_header(None));
        let echoed = "server said: Basic dGVzdHVzZXI6dGVzdHBhc3M=";
        assert_eq!(
            scrub(echoed, &auth.secrets()),
            "server said: Basic (redacted)"
        );
        assert!(BasicAuth::parse("nocolon").is_err());
    }

    #[test]
    fn basic_auth_with_a_control_character_is_refused_without_repeating_it() {
        for (text, says) in [
            ("user:hunter2\nsentinel", "password holds a newline"),
            (
                "user:hunter2-sentinel\r",
                "password holds a carriage return",
            ),
            ("us\ter:hunter2-sentinel", "user name holds a tab"),
            ("user:hunter2\u{7f}sentinel", "U+007F"),
        ] {
            let err = BasicAuth::parse(text).unwrap_err().to_string();
            assert!(err.contains(says), "{err}");
            assert!(!err.contains("hunter2"), "{err}");
        }
    }

    #[test]
    fn scrub_removes_secrets_in_the_forms_an_app_echoes_them() {
        let token = SecretString::new("tok/en+with space&\"q\"é'");
        let auth = BasicAuth::parse("user:p@ss word/+x=").unwrap();
        let mut secrets = vec![&token];
        secrets.extend(auth.secrets());
        use base64::Engine;
        let echoes = [
            // A query string carried into a redirect or an error page.
            "Location: /webhook/?hub.verify_token=tok%2Fen%2Bwith+space%26%22q%22%C3%A9%27&x=1"
                .to_string(),
            "tok%2fen%2bwith%20space%26%22q%22%c3%a9%27".to_string(),
            "encodeURIComponent: tok%2Fen%2Bwith%20space%26%22q%22%C3%A9'".to_string(),
            // JSON, as serde, JSON.stringify, json.dumps and PHP write it.
            r#"{"got":"tok/en+with space&\"q\"é'"}"#.to_string(),
            r#"{"got":"tok/en+with space&\"q\"\u00e9'"}"#.to_string(),
            r#"{"got":"tok\/en+with space&\"q\"\u00e9'"}"#.to_string(),
            "<p>tok/en+with space&amp;&quot;q&quot;é&#39;</p>".to_string(),
            format!(
                "b64 {}",
                base64::engine::general_purpose::STANDARD.encode("tok/en+with space&\"q\"é'")
            ),
            // The Basic password alone, encoded.
            r#"{"pw":"p@ss word\/+x="}"#.to_string(),
            "pw=p%40ss+word%2F%2Bx%3D".to_string(),
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode("p@ss word/+x="),
        ];
        for echo in echoes {
            let scrubbed = scrub(&echo, &secrets);
            assert!(scrubbed.contains(REDACTED), "{echo} -> {scrubbed}");
            for leak in [
                "tok/en", "tok%2", "tok\\/", "word", "p@ss", "p%40ss", "dG9r", "cEBzc",
            ] {
                assert!(!scrubbed.contains(leak), "{leak} in {echo} -> {scrubbed}");
            }
        }
        // Text without the secret is left as it was.
        assert_eq!(scrub("all fine: 200", &secrets), "all fine: 200");
    }

    #[test]
    fn scrub_removes_secrets() {
        let secret = SecretString::new("tok-123456");
        assert_eq!(
            scrub("bad token tok-123456!", &[&secret]),
            "bad token (redacted)!"
        );
    }
}
