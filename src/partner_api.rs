//! 99 Digital's partner API: the access token, setWebhook and getWebhook, their reason codes,
//! and the token cache that `wa-hook partner token` writes.
//!
//! Every request goes through [`PartnerApi::call`], which turns anything that is not a 2xx JSON
//! object into one line that names the HTTP status and an excerpt of the body, with every secret
//! scrubbed out. A `status: FAIL` answer is not an error here: it is the API's verdict, and the
//! command reports it (exit 1).
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{Context, bail};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use url::Url;

use crate::http::{self, HttpOptions};
use crate::output;
use crate::secret::{self, SecretString};

/// The documented base URL.
pub const DEFAULT_BASE: &str = "https://partners.99digital.co.il/api";

/// A saved token is not used when it expires within this margin: a request started with it
/// could arrive after it expired.
const EXPIRY_MARGIN_SECS: i64 = 30;

/// The partner API answers with small JSON objects; a longer answer is refused, not buffered.
const MAX_ANSWER: usize = 1 << 20;

/// The API's endpoints. Reason codes mean different things on the token endpoint.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Endpoint {
    AccessToken,
    SetWebhook,
    GetWebhook,
}

impl Endpoint {
    pub fn path(self) -> &'static str {
        match self {
            Endpoint::AccessToken => "settings/accessToken",
            Endpoint::SetWebhook => "settings/setWebhook",
            Endpoint::GetWebhook => "settings/getWebhook",
        }
    }

    pub fn method(self) -> reqwest::Method {
        match self {
            Endpoint::GetWebhook => reqwest::Method::GET,
            Endpoint::AccessToken | Endpoint::SetWebhook => reqwest::Method::POST,
        }
    }

    /// The endpoint's name as the documentation spells it.
    pub fn name(self) -> &'static str {
        match self {
            Endpoint::AccessToken => "accessToken",
            Endpoint::SetWebhook => "setWebhook",
            Endpoint::GetWebhook => "getWebhook",
        }
    }
}

/// What a reason code means on `endpoint`; unknown codes say so.
pub fn reason_meaning(endpoint: Endpoint, code: i64) -> String {
    let known = match (endpoint, code) {
        (_, 1) => "OK",
        (Endpoint::AccessToken, 2) => "wrong client id or client secret, or bad JSON",
        (Endpoint::AccessToken, 3) => {
            "too many wrong tries: this IP address is blocked; contact 99 Digital"
        }
        (_, 2) => "wrong credentials",
        (_, 3) => "token missing or expired; get a new one with `wa-hook partner token`",
        (_, 13) => "URL invalid: it must start with http:// or https:// and be a full URL",
        (_, 4) => "WhatsApp number empty or wrong",
        (_, 20) => "reference invalid",
        (_, 27) => "number not under this account",
        (_, 29) => "builderID empty or wrong",
        _ => return format!("unknown reason code {code}"),
    };
    known.to_string()
}

/// A 2xx answer whose body is a JSON object. Not `Debug`-printed in full: the token endpoint's
/// answer holds the access token.
pub struct Answer {
    /// The body exactly as it came, for `--format json`.
    pub raw: Vec<u8>,
    pub json: Map<String, Value>,
}

impl std::fmt::Debug for Answer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Answer")
            .field("status", &self.status())
            .field("reason", &self.reason())
            .field("bytes", &self.raw.len())
            .finish_non_exhaustive()
    }
}

impl Answer {
    /// The `reason` field, whether sent as a number or as a numeric string.
    pub fn reason(&self) -> Option<i64> {
        match self.json.get("reason")? {
            Value::Number(n) => n.as_i64(),
            Value::String(s) => s.trim().parse().ok(),
            _ => None,
        }
    }

    /// The `status` field, upper-cased (the documentation writes both "FAIL" and "Fail").
    pub fn status(&self) -> Option<String> {
        self.json
            .get("status")
            .and_then(Value::as_str)
            .map(|s| s.trim().to_ascii_uppercase())
    }

    pub fn str_field(&self, name: &str) -> Option<&str> {
        self.json.get(name).and_then(Value::as_str)
    }
}

/// The partner API at one base URL, with one HTTP client for every request.
pub struct PartnerApi {
    base: Url,
    client: reqwest::Client,
}

impl PartnerApi {
    pub fn new(base: &str, timeout: Duration) -> anyhow::Result<Self> {
        let base = parse_base(base)?;
        let client = http::client(&HttpOptions {
            timeout,
            insecure: false,
        })?;
        Ok(PartnerApi { base, client })
    }

    /// The base URL, normalised (no trailing slash), as saved with a token.
    pub fn base(&self) -> &str {
        self.base.as_str().trim_end_matches('/')
    }

    pub fn endpoint_url(&self, endpoint: Endpoint) -> String {
        format!("{}/{}", self.base(), endpoint.path())
    }

    /// POST {client_id, client_secret} to the token endpoint.
    pub fn access_token(
        &self,
        client_id: &str,
        client_secret: &SecretString,
    ) -> anyhow::Result<Answer> {
        let body = serde_json::json!({
            "client_id": client_id,
            "client_secret": client_secret.expose(),
        });
        self.call(Endpoint::AccessToken, None, Some(body), &[client_secret], 0)
    }

    /// POST {url} to setWebhook. Never retried: the change may have been made.
    pub fn set_webhook(&self, token: &SecretString, url: &str) -> anyhow::Result<Answer> {
        let body = serde_json::json!({ "url": url });
        self.call(Endpoint::SetWebhook, Some(token), Some(body), &[token], 0)
    }

    /// GET getWebhook, retried once when the connection could not be made or was dropped.
    pub fn get_webhook(&self, token: &SecretString) -> anyhow::Result<Answer> {
        self.call(Endpoint::GetWebhook, Some(token), None, &[token], 1)
    }

    fn call(
        &self,
        endpoint: Endpoint,
        token: Option<&SecretString>,
        body: Option<Value>,
        secrets: &[&SecretString],
        connection_retries: u32,
    ) -> anyhow::Result<Answer> {
        let url = self.endpoint_url(endpoint);
        let what = format!("{} {url}", endpoint.method());
        let mut attempt = 0;
        let (status, bytes) = loop {
            let mut request = self
                .client
                .request(endpoint.method(), &url)
                .header(reqwest::header::ACCEPT, "application/json");
            if let Some(token) = token {
                request = request.bearer_auth(token.expose());
            }
            if let Some(body) = &body {
                request = request.json(body);
            }
            let result = http::runtime().block_on(async {
                let mut response = request.send().await?;
                let status = response.status();
                let bytes = http::read_body(&mut response, MAX_ANSWER, MAX_ANSWER).await;
                Ok::<_, reqwest::Error>((status, bytes))
            });
            match result {
                Ok((status, Ok(bytes))) => break (status, bytes),
                Ok((status, Err(err))) => bail!(
                    "{what}: HTTP {status}, but {}",
                    err.describe(|broken| secret::scrub(&http::failure_reason(&broken), secrets))
                ),
                Err(err) if is_connection_error(&err) && attempt < connection_retries => {
                    attempt += 1;
                    output::warn(format!(
                        "{what}: {}; trying once more",
                        secret::scrub(&http::failure_reason(&err), secrets)
                    ));
                }
                Err(err) => bail!(
                    "{what}: {}{}",
                    secret::scrub(&http::failure_reason(&err), secrets),
                    if err.is_connect() || err.is_timeout() {
                        " — check --api-base (or WA_HOOK_PARTNER_API) and your network"
                    } else {
                        ""
                    }
                ),
            }
        };
        let text = String::from_utf8_lossy(&bytes);
        let excerpt = body_excerpt(&text, secrets);
        if !status.is_success() {
            let hint = match status.as_u16() {
                401 | 403 => " — the token was refused; get a new one with `wa-hook partner token`",
                500..=599 => " — the partner API failed; try again later",
                404 => " — check --api-base (or WA_HOOK_PARTNER_API)",
                _ => "",
            };
            bail!("{what}: HTTP {status}{hint} · body: {excerpt}");
        }
        match serde_json::from_slice::<Value>(&bytes) {
            Ok(Value::Object(json)) => Ok(Answer {
                raw: bytes.clone(),
                json,
            }),
            Ok(_) => {
                bail!("{what}: HTTP {status} but the body is not a JSON object · body: {excerpt}")
            }
            Err(_) => bail!("{what}: HTTP {status} but the body is not JSON · body: {excerpt}"),
        }
    }
}

/// The connection could not be made, or was dropped before any answer: safe to retry a GET.
fn is_connection_error(err: &reqwest::Error) -> bool {
    !err.is_timeout() && (err.is_connect() || (err.is_request() && err.status().is_none()))
}

/// The start of a reply body on one line, with secrets scrubbed out.
fn body_excerpt(text: &str, secrets: &[&SecretString]) -> String {
    if text.trim().is_empty() {
        return "(empty)".to_string();
    }
    // Scrub before cutting, so a secret cut in half cannot slip through.
    output::excerpt(&secret::scrub(text, secrets), 120)
}

fn parse_base(text: &str) -> anyhow::Result<Url> {
    http::parse_http_url(text, "--api-base", DEFAULT_BASE)
}

/// The longest URL setWebhook accepts.
pub const MAX_WEBHOOK_URL_CHARS: usize = 512;

/// Check a webhook URL as setWebhook would, before sending anything. Returns whether it is a
/// plain http:// URL, which is allowed but worth a warning.
pub fn check_webhook_url(url: &str) -> anyhow::Result<bool> {
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    let insecure = lower.starts_with("http://");
    if !insecure && !lower.starts_with("https://") {
        bail!(
            "the webhook URL must start with https:// (or http://), like https://example.com/hooks/99"
        );
    }
    let count = url.chars().count();
    if count > MAX_WEBHOOK_URL_CHARS {
        bail!(
            "the webhook URL is {count} characters long; the partner API accepts at most {MAX_WEBHOOK_URL_CHARS}"
        );
    }
    let parsed = Url::parse(url).map_err(|err| {
        anyhow::anyhow!("the webhook URL is not a valid URL ({err}); check it for typos and spaces")
    })?;
    if parsed.host_str().is_none_or(str::is_empty) {
        bail!("the webhook URL has no host name");
    }
    // Credentials in a URL end up in the provider's dashboard, in logs and in this output.
    if !parsed.username().is_empty() || parsed.password().is_some() {
        bail!(
            "the webhook URL has a user name or password in it; put a secret in the path or query instead (e.g. https://example.com/hooks/99?key=...)"
        );
    }
    Ok(insecure)
}

// ---------------------------------------------------------------------------------------------
// The token cache

/// A token saved by `wa-hook partner token`, for the API base it was issued by.
#[derive(Debug)]
pub struct SavedToken {
    pub token: SecretString,
    /// Unix seconds.
    pub expiration_time: i64,
    pub api_base: String,
}

#[derive(Serialize, Deserialize)]
struct TokenFile<'a> {
    token: std::borrow::Cow<'a, str>,
    expiration_time: i64,
    api_base: std::borrow::Cow<'a, str>,
}

impl SavedToken {
    /// True when the token can still be used at `now` (unix seconds).
    pub fn is_valid_at(&self, now: i64) -> bool {
        sane_expiry(self.expiration_time, now)
            .is_some_and(|expiry| expiry.saturating_sub(EXPIRY_MARGIN_SECS) > now)
    }
}

pub fn now_unix() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// The folder wa-hook keeps its settings in: `WA_HOOK_CONFIG_DIR`, else the user's config
/// folder (`~/.config/wa-hook` on Linux).
pub fn config_dir() -> anyhow::Result<PathBuf> {
    if let Some(dir) = std::env::var_os("WA_HOOK_CONFIG_DIR").filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(dir));
    }
    dirs::config_dir()
        .map(|dir| dir.join("wa-hook"))
        .context("cannot find your config folder; set WA_HOOK_CONFIG_DIR to a folder to use")
}

pub fn token_cache_path() -> anyhow::Result<PathBuf> {
    Ok(config_dir()?.join("partner-token.json"))
}

/// The saved token, if there is a readable one. A damaged file is reported and ignored.
/// A saved token file is a few hundred bytes; more is not one of ours.
const MAX_TOKEN_FILE: u64 = 64 << 10;

#[cfg(unix)]
fn open_no_follow(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)
}

#[cfg(not(unix))]
fn open_no_follow(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::File::open(path)
}

pub fn load_saved_token() -> Option<SavedToken> {
    let path = token_cache_path().ok()?;
    // Looked at before it is opened: a FIFO would hang the read, a link could point anywhere,
    // and a token others can read (or wrote) is not to be trusted.
    let unreadable = |err: std::io::Error| {
        if err.kind() != std::io::ErrorKind::NotFound {
            output::warn(format!(
                "cannot read the saved token {}: {err}",
                path.display()
            ));
        }
        None
    };
    // Opened without following a link and without waiting on a FIFO, then judged by what was
    // opened (so swapping the file between a check and the open changes nothing), and read
    // with a cap.
    let file = match open_no_follow(&path) {
        Ok(file) => file,
        #[cfg(unix)]
        Err(err) if err.raw_os_error() == Some(libc::ELOOP) => {
            output::warn(format!(
                "not using the saved token {}: it is a symbolic link; delete it and run `wa-hook partner token` again",
                path.display()
            ));
            return None;
        }
        Err(err) => return unreadable(err),
    };
    let meta = match file.metadata() {
        Ok(meta) => meta,
        Err(err) => return unreadable(err),
    };
    if let Some(why) = untrustworthy(&meta) {
        output::warn(format!(
            "not using the saved token {}: {why}; delete it and run `wa-hook partner token` again",
            path.display()
        ));
        return None;
    }
    let mut bytes = Vec::new();
    if let Err(err) =
        std::io::Read::read_to_end(&mut std::io::Read::take(&file, MAX_TOKEN_FILE), &mut bytes)
    {
        return unreadable(err);
    }
    match serde_json::from_slice::<TokenFile>(&bytes) {
        Ok(file) if !file.token.is_empty() => Some(SavedToken {
            token: SecretString::new(file.token.into_owned()),
            expiration_time: file.expiration_time,
            api_base: file.api_base.into_owned(),
        }),
        // Never echo the file's contents: it holds a token.
        _ => {
            output::warn(format!(
                "ignoring {}: it is not a token saved by wa-hook; run `wa-hook partner token` again",
                path.display()
            ));
            None
        }
    }
}

/// Why a token cache file is not to be used, if it is not: not a regular file, readable or
/// writable by others, or owned by someone else.
fn untrustworthy(meta: &std::fs::Metadata) -> Option<&'static str> {
    if meta.file_type().is_symlink() {
        return Some("it is a symbolic link");
    }
    if !meta.is_file() {
        return Some("it is not a regular file");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if meta.mode() & 0o077 != 0 {
            return Some("others can read or change it (it should be mode 0600)");
        }
        // SAFETY: getuid(2) cannot fail.
        if meta.uid() != unsafe { libc::getuid() } {
            return Some("it belongs to another user");
        }
    }
    None
}

/// Save a token, readable by its owner only. The file is written under a new name created with
/// mode 0600 and renamed into place, so the token is never readable by others, not even for a
/// moment, whatever the permissions of an older file.
pub fn save_token(saved: &SavedToken) -> anyhow::Result<PathBuf> {
    use std::io::Write;
    let path = token_cache_path()?;
    let dir = path.parent().expect("the cache path has a folder");
    create_private_dir(dir)
        .with_context(|| format!("creating the config folder {}", dir.display()))?;
    let file = TokenFile {
        token: saved.token.expose().into(),
        expiration_time: saved.expiration_time,
        api_base: saved.api_base.as_str().into(),
    };
    let mut bytes = serde_json::to_vec_pretty(&file)?;
    bytes.push(b'\n');
    let temporary = dir.join(format!(".partner-token.json.{}.tmp", std::process::id()));
    let _ = std::fs::remove_file(&temporary);
    let write = || -> std::io::Result<()> {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut out = options.open(&temporary)?;
        out.write_all(&bytes)?;
        out.sync_all()?;
        std::fs::rename(&temporary, &path)
    };
    write().map_err(|err| {
        let _ = std::fs::remove_file(&temporary);
        anyhow::anyhow!("saving the token to {}: {err}", path.display())
    })?;
    Ok(path)
}

fn create_private_dir(dir: &std::path::Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)
}

/// When a token expires, as "2026-11-21T13:02:38Z (in 59 min)".
pub fn describe_expiry(expiration_time: i64, now: i64) -> String {
    let Some(expiration_time) = sane_expiry(expiration_time, now) else {
        return format!(
            "at an unreadable time ({expiration_time} is not unix seconds of the next month): \
             treated as expired"
        );
    };
    let at = UNIX_EPOCH + Duration::from_secs(expiration_time.unsigned_abs());
    format!(
        "{} ({})",
        humantime::format_rfc3339_seconds(at),
        relative(expiration_time.saturating_sub(now))
    )
}

/// The longest a token may claim to last before its expiry is taken for nonsense (a
/// milliseconds value, a date centuries away); tokens last an hour.
const LONGEST_TOKEN_LIFE: i64 = 31 * 24 * 3600;

/// An expiration time that is unix seconds between 1970 and a month from now, or `None`: any
/// other value means "unknown", and an unknown expiry is treated as expired.
pub fn sane_expiry(expiration_time: i64, now: i64) -> Option<i64> {
    (expiration_time > 0 && expiration_time <= now.saturating_add(LONGEST_TOKEN_LIFE))
        .then_some(expiration_time)
}

/// "in 59 min", "in 1 h 5 min", "in 20 s", "2 min ago".
fn relative(seconds: i64) -> String {
    let span = seconds.unsigned_abs();
    let words = if span < 60 {
        format!("{span} s")
    } else if span / 60 <= 90 {
        format!("{} min", span / 60)
    } else {
        let minutes = span / 60;
        format!("{} h {} min", minutes / 60, minutes % 60)
    };
    if seconds >= 0 {
        format!("in {words}")
    } else {
        format!("{words} ago")
    }
}

/// The environment variable that may hold the bearer token.
pub const TOKEN_ENV: &str = "WA_HOOK_PARTNER_TOKEN";
/// The environment variable that may hold the client secret.
pub const CLIENT_SECRET_ENV: &str = "WA_HOOK_CLIENT_SECRET";

/// Where the bearer token came from, for notes to the user.
#[derive(Debug)]
pub enum TokenSource {
    Stdin,
    Env,
    Saved(String),
    Prompt,
}

impl std::fmt::Display for TokenSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TokenSource::Stdin => f.write_str("standard input (--token-stdin)"),
            TokenSource::Env => write!(f, "{TOKEN_ENV}"),
            TokenSource::Saved(expiry) => write!(f, "the saved token (expires {expiry})"),
            TokenSource::Prompt => f.write_str("the prompt"),
        }
    }
}

/// The bearer token, in order: --token-stdin, WA_HOOK_PARTNER_TOKEN, the saved token while it
/// is valid for this API base, then (when `may_prompt` and on a terminal) a hidden prompt.
pub fn bearer_token(
    api: &PartnerApi,
    token_stdin: bool,
    may_prompt: bool,
) -> anyhow::Result<(SecretString, TokenSource)> {
    if token_stdin {
        return Ok((secret::from_stdin("bearer token")?, TokenSource::Stdin));
    }
    let from_env = std::env::var(TOKEN_ENV).unwrap_or_default();
    if !from_env.trim().is_empty() {
        return Ok((SecretString::new(from_env.trim()), TokenSource::Env));
    }
    let now = now_unix();
    let mut why_not_saved = String::new();
    if let Some(saved) = load_saved_token() {
        let expiry = describe_expiry(saved.expiration_time, now);
        if saved.api_base != api.base() {
            why_not_saved = format!(
                " (the saved token is for --api-base {}, not {})",
                saved.api_base,
                api.base()
            );
        } else if !saved.is_valid_at(now) {
            why_not_saved = format!(" (the saved token expired: {expiry})");
        } else {
            return Ok((saved.token, TokenSource::Saved(expiry)));
        }
    }
    if may_prompt && output::can_prompt() {
        if !why_not_saved.is_empty() {
            output::warn(format!("not using the saved token{why_not_saved}"));
        }
        return Ok((
            secret::prompt("Partner API bearer token")?,
            TokenSource::Prompt,
        ));
    }
    crate::fail!(
        "no partner API token{why_not_saved}: pipe one with --token-stdin, set {TOKEN_ENV}, or run `wa-hook partner token --client-id ID` to get and save one"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Milliseconds, dates past year 9999, hugely negative values: never a panic, never a
    /// token valid forever — unknown, so expired.
    #[test]
    fn nonsense_expiry_times_are_expired_and_never_panic() {
        let now = 1_760_000_000;
        for nonsense in [
            now * 1000,
            253_402_300_800 + 1,
            i64::MAX,
            i64::MIN,
            -1,
            0,
            now + 40 * 24 * 3600,
        ] {
            let saved = SavedToken {
                token: SecretString::new("t"),
                expiration_time: nonsense,
                api_base: DEFAULT_BASE.into(),
            };
            assert!(!saved.is_valid_at(now), "{nonsense}");
            assert!(
                describe_expiry(nonsense, now).contains("treated as expired"),
                "{nonsense}"
            );
        }
        let fine = SavedToken {
            token: SecretString::new("t"),
            expiration_time: now + 3600,
            api_base: DEFAULT_BASE.into(),
        };
        assert!(fine.is_valid_at(now));
        assert!(describe_expiry(now + 3600, now).contains("in 60 min"));
    }

    #[test]
    fn reason_codes() {
        assert_eq!(reason_meaning(Endpoint::SetWebhook, 1), "OK");
        assert!(reason_meaning(Endpoint::SetWebhook, 13).starts_with("URL invalid"));
        assert!(reason_meaning(Endpoint::GetWebhook, 3).contains("expired"));
        assert!(reason_meaning(Endpoint::AccessToken, 3).contains("blocked"));
        assert!(reason_meaning(Endpoint::AccessToken, 2).contains("client secret"));
        assert_eq!(
            reason_meaning(Endpoint::SetWebhook, 29),
            "builderID empty or wrong"
        );
        assert_eq!(
            reason_meaning(Endpoint::SetWebhook, 77),
            "unknown reason code 77"
        );
    }

    #[test]
    fn webhook_urls() {
        assert!(!check_webhook_url("https://example.com/h").unwrap());
        assert!(!check_webhook_url("HTTPS://example.com/h").unwrap());
        assert!(
            check_webhook_url("http://example.com/h").unwrap(),
            "plain http is flagged"
        );
        assert!(check_webhook_url("example.com/h").is_err());
        assert!(check_webhook_url("ftp://example.com/h").is_err());
        assert!(check_webhook_url("https://").is_err());
        assert!(check_webhook_url("https://exa mple.com/").is_err());
        assert!(check_webhook_url("").is_err());
        let base = "https://example.com/";
        let exact = format!("{base}{}", "a".repeat(MAX_WEBHOOK_URL_CHARS - base.len()));
        assert!(check_webhook_url(&exact).is_ok());
        assert!(check_webhook_url(&format!("{exact}a")).is_err());
    }

    #[test]
    fn expiry() {
        let saved = SavedToken {
            token: SecretString::new("t"),
            expiration_time: 1000,
            api_base: DEFAULT_BASE.into(),
        };
        assert!(saved.is_valid_at(900));
        assert!(!saved.is_valid_at(980));
        assert!(!saved.is_valid_at(2000));
        assert_eq!(relative(3540), "in 59 min");
        assert_eq!(relative(3599), "in 59 min");
        assert_eq!(relative(3600), "in 60 min");
        assert_eq!(relative(7300), "in 2 h 1 min");
        assert_eq!(relative(20), "in 20 s");
        assert_eq!(relative(-120), "2 min ago");
        assert_eq!(
            describe_expiry(1_767_229_200, 1_767_229_200 - 3540),
            "2026-01-01T01:00:00Z (in 59 min)"
        );
    }

    #[test]
    fn base_urls() {
        assert!(parse_base("https://x.example/api").is_ok());
        assert!(parse_base("x.example/api").is_err());
        assert!(parse_base("ftp://x.example").is_err());
        let api = PartnerApi::new("http://127.0.0.1:9/api/", Duration::from_secs(1)).unwrap();
        assert_eq!(
            api.endpoint_url(Endpoint::SetWebhook),
            "http://127.0.0.1:9/api/settings/setWebhook"
        );
    }
}
