//! The HTTP client every command uses (replay, listen's forwarding, the partner API): one
//! reqwest client with its connection pool, one shared tokio runtime (replay's bulk sending
//! included), one way to name a target and to explain why a request failed.
use std::sync::OnceLock;
use std::time::Duration;

use anyhow::{Context, bail};
use url::Url;

#[derive(Clone, Debug)]
pub struct HttpOptions {
    pub timeout: Duration,
    /// Accept self-signed certificates.
    pub insecure: bool,
}

impl Default for HttpOptions {
    fn default() -> Self {
        HttpOptions {
            timeout: Duration::from_secs(10),
            insecure: false,
        }
    }
}

pub const USER_AGENT: &str = concat!("wa-hook/", env!("CARGO_PKG_VERSION"));

/// A client with wa-hook's defaults: no redirects followed (a provider does not follow them
/// either, and a redirect is worth seeing), Nagle off, the given timeout.
pub fn client(options: &HttpOptions) -> anyhow::Result<reqwest::Client> {
    reqwest::Client::builder()
        .user_agent(USER_AGENT)
        .timeout(options.timeout)
        .connect_timeout(options.timeout.min(Duration::from_secs(10)))
        .redirect(reqwest::redirect::Policy::none())
        .tcp_nodelay(true)
        .pool_idle_timeout(Duration::from_secs(30))
        .danger_accept_invalid_certs(options.insecure)
        .no_proxy()
        .build()
        .context("setting up the HTTP client")
}

/// The runtime all HTTP work runs on; created on first use.
///
/// One thread drives every connection here (replay to a plain-http target runs its own
/// current-thread runtime per core instead: src/commands/replay/send.rs): sending is waiting,
/// not computing, and on a machine
/// whose cores the target shares, hand-offs between threads cost more than they give. Replay
/// on this project's 2-core benchmark machine, 20,000 requests at -c 64, alternating runs: a
/// median of 0.64× oha's rate with a worker per core, 0.86× on a current-thread runtime; CPU
/// time per run (median of 5) 340 ms with one worker thread beside the caller, 315 ms here.
/// Several threads may wait in `block_on` at once (listen's forwards, one per thread): the
/// first drives the I/O for all and hands the driver on when its future is done, as tokio
/// documents for the current-thread scheduler.
pub fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("starting the tokio runtime")
    })
}

/// A target as users type it: a URL, `host:port[/path]`, or a local port — `3000`,
/// `3000/webhook`, `:3000` or `:3000/webhook` all mean `http://127.0.0.1:3000...` (the last two
/// as httpie and xh write them). `--to`, `--forward-to` and the partner API's `--api-base` all
/// go through here or [`parse_http_url`], so a target goes only where the user typed.
pub fn parse_target(text: &str) -> anyhow::Result<Url> {
    let text = text.trim();
    // `host:` with nothing after the colon would quietly mean the scheme's default port (80).
    let start = text.find("://").map_or(0, |i| i + 3);
    let authority = &text[start..];
    let authority = &authority[..authority.find(['/', '?', '#']).unwrap_or(authority.len())];
    if authority.len() > 1 && authority.ends_with(':') {
        bail!(
            "the target `{}` has no port after `:`; add the port (e.g. {}3000) or leave the `:` out for the default",
            without_userinfo(text),
            without_userinfo(&text[..start + authority.len()])
        );
    }
    if !text.contains("://") {
        let local = text.strip_prefix(':').unwrap_or(text);
        let (port, path) = local.split_at(local.find(['/', '?']).unwrap_or(local.len()));
        if let Ok(port) = port.parse::<u16>() {
            if port == 0 {
                bail!(
                    "the target `{text}` names port 0, which nothing listens on; try {TARGET_EXAMPLE}"
                );
            }
            return parse_http_url(
                &format!("http://127.0.0.1:{port}{path}"),
                "the target",
                TARGET_EXAMPLE,
            );
        }
        if text.starts_with(':') {
            bail!("the target `{text}` has no port after `:`; try {TARGET_EXAMPLE}");
        }
        // `/webhook` would otherwise become the host `webhook`, looked up on the network.
        if text.starts_with(['/', '?']) || text.is_empty() {
            bail!("the target `{text}` has no host or port; try {TARGET_EXAMPLE}");
        }
    }
    if text.contains("://") {
        parse_http_url(text, "the target", TARGET_EXAMPLE)
    } else {
        parse_http_url(&format!("http://{text}"), "the target", TARGET_EXAMPLE)
    }
}

const TARGET_EXAMPLE: &str =
    "http://localhost:3000/webhook, or a local port like 3000 or 3000/webhook";

/// An http:// or https:// URL with a host and no password in it (a URL is shown in `ps`, in
/// output and in errors; credentials go in `--basic-auth-env`). `what` names it in errors,
/// which suggest `example`.
pub fn parse_http_url(text: &str, what: &str, example: &str) -> anyhow::Result<Url> {
    let text = text.trim();
    let shown = as_shown_in_errors(text);
    // URLs read `\` as `/`, so `http://8787\@host/` would go to 8787, read as an address.
    if text.contains('\\') {
        bail!("{what} `{shown}` has a backslash in it; write the URL with `/` only");
    }
    let url = Url::parse(text)
        .map_err(|_| anyhow::anyhow!("{what} `{shown}` is not a URL; try {example}"))?;
    // Where credentials go instead: the partner API takes a bearer token; a target, Basic auth.
    let instead = if what == "--api-base" {
        "the partner API's token comes from `wa-hook partner token` or WA_HOOK_PARTNER_TOKEN"
    } else {
        "give credentials with --basic-auth-env instead"
    };
    if url.password().is_some() {
        bail!("{what} `{shown}` has a password in it; {instead}");
    }
    // A user name alone is a credential too (a token in the user part is sent as Basic auth).
    if !url.username().is_empty() {
        bail!("{what} `{shown}` has a user name in it; {instead}");
    }
    if !matches!(url.scheme(), "http" | "https") {
        bail!("{what} `{shown}` is not an http:// or https:// URL; try {example}");
    }
    if url.host_str().is_none_or(str::is_empty) {
        bail!("{what} `{shown}` has no host");
    }
    // URL parsers read a host of digits (`8787`, `0x7f.1`) as an IPv4 address in short form:
    // `http://8787/hook` is 0.0.34.83, another machine. Only a dotted quad, written out, is
    // taken as an address.
    if let Some(url::Host::Ipv4(address)) = url.host() {
        let typed = typed_host(text);
        if !typed.eq_ignore_ascii_case(&address.to_string()) {
            let hint = match typed.parse::<u16>() {
                Ok(port) if port > 0 => {
                    format!("for a port on this machine write 127.0.0.1:{port} (or :{port})")
                }
                _ => {
                    format!("write the address out as four numbers ({address}) if that is the one")
                }
            };
            bail!(
                "{what} `{shown}` names the host `{typed}`, which URLs read as the IP address \
                 {address}; {hint}"
            );
        }
    }
    Ok(url)
}

/// The host as typed in a URL: after the scheme and any user info, before the port or path.
fn typed_host(text: &str) -> &str {
    let start = text.find("://").map_or(0, |i| i + 3);
    let rest = &text[start..];
    let authority = &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())];
    let host_port = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    match host_port.rsplit_once(':') {
        Some((host, _)) if !host_port.ends_with(']') => host,
        _ => host_port,
    }
}

/// `text` with any `user:password@` part replaced, for error messages.
/// A URL as an error shows it: without its user info, and its query (which may hold a token,
/// like `?token=...`) redacted.
fn as_shown_in_errors(text: &str) -> String {
    let shown = without_userinfo(text);
    match shown.split_once('?') {
        Some((before, after)) => {
            let fragment = after.find('#').map_or("", |at| &after[at..]);
            format!("{before}?(redacted){fragment}")
        }
        None => shown,
    }
}

fn without_userinfo(text: &str) -> String {
    let start = text.find("://").map_or(0, |i| i + 3);
    let authority_end = text[start..].find('/').map_or(text.len(), |i| start + i);
    match text[start..authority_end].rfind('@') {
        Some(at) => format!("{}(redacted)@{}", &text[..start], &text[start + at + 1..]),
        None => text.to_string(),
    }
}

/// The URL a received request goes to at `target`: the request's path appended to the
/// target's (a bare `/` adds nothing, so `--to http://app/webhook` gets `/webhook`, not
/// `/webhook/`), and its query added to any query the target has. Used by listen's
/// forwarding and by replay of captured requests alike.
pub fn join_request_url(target: &Url, path: &str, query: &str) -> Url {
    let mut url = target.clone();
    if !(path.is_empty() || path == "/") {
        let base = target.path().trim_end_matches('/');
        let separator = if path.starts_with('/') { "" } else { "/" };
        url.set_path(&format!("{base}{separator}{path}"));
    }
    if !query.is_empty() {
        let combined = match target.query() {
            Some(own) if !own.is_empty() => format!("{own}&{query}"),
            _ => query.to_string(),
        };
        url.set_query(Some(&combined));
    }
    url
}

/// `Name: value` from `-H` (replay, doctor). The error names the header but never repeats its value, which may
/// be a token.
pub fn parse_header(
    text: &str,
) -> anyhow::Result<(reqwest::header::HeaderName, reqwest::header::HeaderValue)> {
    let Some((name, value)) = text.split_once(':') else {
        bail!(
            "-H `{}` needs the form 'Name: value'",
            text.split('=').next().unwrap_or(text)
        );
    };
    let name = reqwest::header::HeaderName::from_bytes(name.trim().as_bytes())
        .map_err(|_| anyhow::anyhow!("-H: `{}` is not a valid header name", name.trim()))?;
    let value = reqwest::header::HeaderValue::from_str(value.trim())
        .map_err(|_| anyhow::anyhow!("-H {name}: the value has characters a header cannot hold"))?;
    Ok((name, value))
}

/// What every request of a run carries besides its own headers: `-H` headers, checked, and
/// the client's options (replay, doctor).
#[derive(Clone, Debug)]
pub struct RequestSettings {
    pub options: HttpOptions,
    pub headers: Vec<(reqwest::header::HeaderName, reqwest::header::HeaderValue)>,
    /// Values of secret-bearing headers (Authorization ...), and their credentials part.
    pub header_secrets: Vec<crate::secret::SecretString>,
}

impl RequestSettings {
    /// Parse `-H` texts ([`parse_header`]); a bad one is an error before anything is sent.
    pub fn new(options: HttpOptions, headers: &[String]) -> anyhow::Result<RequestSettings> {
        let headers = headers
            .iter()
            .map(|text| parse_header(text))
            .collect::<anyhow::Result<Vec<_>>>()?;
        let header_secrets = headers
            .iter()
            .flat_map(|(name, value)| {
                crate::secret::header_secrets(name.as_str(), value.to_str().unwrap_or(""))
            })
            .collect();
        Ok(RequestSettings {
            options,
            headers,
            header_secrets,
        })
    }
}

/// True for a URL on this machine, where a hint to start `wa-hook listen` makes sense.
pub fn is_local(url: &Url) -> bool {
    matches!(
        url.host_str(),
        Some("localhost" | "127.0.0.1" | "::1" | "[::1]" | "0.0.0.0")
    )
}

/// The socket addresses a URL's host and port resolve to.
pub fn socket_addresses(url: &Url) -> anyhow::Result<Vec<std::net::SocketAddr>> {
    use anyhow::Context;
    let host = url
        .host_str()
        .context("the URL has no host")?
        .trim_matches(['[', ']']);
    let port = url.port_or_known_default().context("the URL has no port")?;
    Ok(std::net::ToSocketAddrs::to_socket_addrs(&(host, port))
        .with_context(|| format!("cannot resolve {host}"))?
        .collect())
}

/// Whether any of `addresses` accepts a TCP connection within `timeout`.
pub fn accepts_connections(addresses: &[std::net::SocketAddr], timeout: Duration) -> bool {
    addresses
        .iter()
        .any(|address| std::net::TcpStream::connect_timeout(address, timeout).is_ok())
}

/// One line that says why a request to `url` failed and what to try.
pub fn describe_error(err: &reqwest::Error, url: &Url) -> String {
    let reason = failure_reason(err);
    let hint = match tls_failure(err) {
        Some(tls) => tls.hint(),
        None if err.is_connect() && is_local(url) => NOT_RUNNING_HINT,
        None => "",
    };
    format!("{url}: {reason}{hint}")
}

/// What to try when nothing answers at a local target.
pub(crate) const NOT_RUNNING_HINT: &str =
    " — is your app running? (`wa-hook listen --port PORT` starts a receiver)";

/// Why no connection was made, from the error's root cause: "connection refused", or "could not
/// connect (why)".
pub(crate) fn connect_reason(root_cause: Option<String>) -> String {
    match root_cause {
        Some(cause) if cause.contains("refused") => "connection refused".to_string(),
        Some(cause) => format!("could not connect ({cause})"),
        None => "could not connect".to_string(),
    }
}

/// How a TLS connection failed: the server is reached, so "is your app running?" would send
/// the user the wrong way.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TlsFailure {
    /// The server answered, but not in TLS: most often a plain-HTTP app at an https:// URL.
    NotTls,
    /// The server's certificate is not one this machine trusts (self-signed, expired, for
    /// another name).
    Untrusted,
    /// The handshake failed otherwise (an alert, no common protocol version or cipher).
    Handshake,
}

impl TlsFailure {
    fn reason(self) -> &'static str {
        match self {
            TlsFailure::NotTls => "the server did not answer in TLS",
            TlsFailure::Untrusted => "the server's TLS certificate is not trusted",
            TlsFailure::Handshake => "the TLS handshake failed",
        }
    }

    /// What to try, as ` — ...` to follow the reason.
    pub fn hint(self) -> &'static str {
        match self {
            TlsFailure::NotTls => " — is the URL meant to be http:// ?",
            TlsFailure::Untrusted => {
                " — give the server a certificate this machine trusts, or use http:// for a local \
                 app that serves plain HTTP"
            }
            TlsFailure::Handshake => {
                " — the server's TLS settings and wa-hook's (TLS 1.2/1.3) have nothing in common, \
                 or it is not TLS: is the URL meant to be http:// ?"
            }
        }
    }
}

/// The TLS failure behind `err`, if that is what it is (rustls's messages, which name no type
/// reqwest exposes).
pub fn tls_failure(err: &reqwest::Error) -> Option<TlsFailure> {
    causes(err).find_map(|cause| {
        let text = cause.to_string();
        if text.contains("invalid peer certificate") || text.contains("peer sent no certificates") {
            Some(TlsFailure::Untrusted)
        } else if text.contains("received corrupt message") || text.contains("tls handshake eof") {
            Some(TlsFailure::NotTls)
        } else if text.contains("received fatal alert")
            || text.contains("peer is incompatible")
            || text.contains("peer misbehaved")
        {
            Some(TlsFailure::Handshake)
        } else {
            None
        }
    })
}

/// What kind of failure a request met: the one place `replay`, `doctor` and `listen` tell a
/// refused connection from an answer that never came.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailureClass {
    /// No answer within the time allowed.
    Timeout,
    /// No connection: refused, no such host. Nothing reached the server.
    Connect,
    /// The server was reached, but no TLS connection was made (see [`TlsFailure`]).
    Tls,
    /// The request went out, and the server reset or closed the connection before answering.
    NoAnswer,
    /// The request went out and the server answered, but not in HTTP that can be read (headers
    /// too large, not HTTP at all).
    BadAnswer,
    Other,
}

pub fn classify(err: &reqwest::Error) -> FailureClass {
    if err.is_timeout() {
        return FailureClass::Timeout;
    }
    if tls_failure(err).is_some() {
        return FailureClass::Tls;
    }
    if err.is_connect() {
        return FailureClass::Connect;
    }
    if bad_answer(err).is_some() {
        return FailureClass::BadAnswer;
    }
    if closed_without_answer(err, Phase::Head).is_some() {
        return FailureClass::NoAnswer;
    }
    FailureClass::Other
}

/// Where in an exchange an error came: before the answer's head was read, or while its body
/// was.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Phase {
    Head,
    Body,
}

/// The error chain's messages, outermost first.
fn causes<'a>(
    err: &'a (dyn std::error::Error + 'static),
) -> impl Iterator<Item = &'a (dyn std::error::Error + 'static)> {
    std::iter::successors(Some(err), |cause| cause.source())
}

/// What was wrong with an answer the server sent but that is not HTTP one can read (hyper's
/// parse errors, which name no type reqwest exposes).
pub(crate) fn bad_answer(err: &(dyn std::error::Error + 'static)) -> Option<&'static str> {
    causes(err).find_map(|cause| {
        let text = cause.to_string();
        if text.contains("message head is too large") {
            Some("the server's answer headers are too large")
        } else if text.starts_with("invalid HTTP")
            || text.contains("received unexpected message from connection")
        {
            Some("the server's answer is not HTTP")
        } else {
            None
        }
    })
}

/// How the server ended the connection without answering (or, in `Phase::Body`, while the
/// answer's body was being read), when that is what happened.
pub(crate) fn closed_without_answer(
    err: &(dyn std::error::Error + 'static),
    phase: Phase,
) -> Option<&'static str> {
    let (reset, closed, aborted) = match phase {
        Phase::Head => (
            "the server reset the connection before answering",
            "the server closed the connection before answering",
            "the server closed the connection while the request was sent",
        ),
        Phase::Body => (
            "the server reset the connection while the answer's body was being read",
            "the server closed the connection while the answer's body was being read (the body was cut short)",
            "the server closed the connection while the answer's body was being read",
        ),
    };
    for cause in causes(err) {
        if let Some(io) = cause.downcast_ref::<std::io::Error>() {
            match io.kind() {
                std::io::ErrorKind::ConnectionReset => return Some(reset),
                std::io::ErrorKind::BrokenPipe | std::io::ErrorKind::ConnectionAborted => {
                    return Some(aborted);
                }
                std::io::ErrorKind::UnexpectedEof => return Some(closed),
                _ => {}
            }
        }
        let text = cause.to_string();
        if text.contains("connection closed before message completed")
            || text.contains("end of file before message length reached")
        {
            return Some(closed);
        }
        if text.contains("reset") {
            return Some(reset);
        }
    }
    None
}

/// Why a request failed, in a few words ("timed out", "connection refused", "the server reset
/// the connection before answering"), for callers whose target is not the user's own app and
/// who give their own hint.
pub fn failure_reason(err: &reqwest::Error) -> String {
    if err.is_timeout() {
        "timed out".to_string()
    } else if let Some(tls) = tls_failure(err) {
        match root_cause(err) {
            Some(cause) => format!("{} ({cause})", tls.reason()),
            None => tls.reason().to_string(),
        }
    } else if err.is_connect() {
        connect_reason(root_cause(err))
    } else if let Some(what) = bad_answer(err) {
        what.to_string()
    } else if let Some(how) = closed_without_answer(err, Phase::Head) {
        how.to_string()
    } else {
        root_cause(err).unwrap_or_else(|| err.to_string())
    }
}

/// Why an answer's body could not be read to its end, in a few words: the same causes as
/// [`failure_reason`], worded for an answer that had begun.
pub fn body_failure_reason(err: &reqwest::Error) -> String {
    if err.is_timeout() {
        "timed out while the answer's body was being read".to_string()
    } else if let Some(how) = closed_without_answer(err, Phase::Body) {
        how.to_string()
    } else {
        let cause = root_cause(err).unwrap_or_else(|| err.to_string());
        format!("the answer's body could not be read to its end: {cause}")
    }
}

/// Why an answer's body could not be read whole.
#[derive(Debug)]
pub enum BodyError {
    /// Longer than the limit: not read further.
    TooLarge { limit: usize },
    /// Cut short, reset, or not decodable.
    Broken(reqwest::Error),
}

impl BodyError {
    /// One line, with `reason` saying why a broken body broke (callers scrub secrets there).
    pub fn describe(self, reason: impl FnOnce(reqwest::Error) -> String) -> String {
        match self {
            BodyError::TooLarge { limit } => format!(
                "the answer's body is over {}: not read further",
                crate::output::size(limit as u64)
            ),
            BodyError::Broken(err) => {
                format!(
                    "the answer's body could not be read to its end: {}",
                    reason(err)
                )
            }
        }
    }
}

/// Read an answer's body to its end, at most `limit` bytes, keeping its first `keep` bytes
/// (reading on lets the connection be used again). Every command reads answers through here,
/// so no server can make wa-hook hold more than `limit` of one.
pub async fn read_body(
    response: &mut reqwest::Response,
    limit: usize,
    keep: usize,
) -> Result<Vec<u8>, BodyError> {
    let mut body = Vec::new();
    read_body_into(response, limit, keep, &mut body).await?;
    Ok(body)
}

/// [`read_body`] into `body`, which keeps what arrived when the body breaks or runs over.
pub async fn read_body_into(
    response: &mut reqwest::Response,
    limit: usize,
    keep: usize,
    body: &mut Vec<u8>,
) -> Result<(), BodyError> {
    let mut total = 0usize;
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                total = total.saturating_add(chunk.len());
                let room = keep.saturating_sub(body.len());
                body.extend_from_slice(&chunk[..chunk.len().min(room)]);
                if total > limit {
                    return Err(BodyError::TooLarge { limit });
                }
            }
            Ok(None) => return Ok(()),
            Err(err) => return Err(BodyError::Broken(err)),
        }
    }
}

pub(crate) fn root_cause(err: &(dyn std::error::Error + 'static)) -> Option<String> {
    let mut source = err.source()?;
    while let Some(next) = source.source() {
        source = next;
    }
    Some(source.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers() {
        let (name, value) = parse_header("X-Test:  yes ").unwrap();
        assert_eq!((name.as_str(), value.to_str().unwrap()), ("x-test", "yes"));
        let err = parse_header("Authorization=Bearer sentinel").unwrap_err();
        assert!(!err.to_string().contains("sentinel"));
        assert!(parse_header("bad name: x").is_err());
    }

    #[test]
    fn request_urls_join_like_a_proxy() {
        let target = Url::parse("http://app:3000/webhook?tenant=7").unwrap();
        assert_eq!(
            join_request_url(&target, "/", "").as_str(),
            "http://app:3000/webhook?tenant=7"
        );
        assert_eq!(
            join_request_url(&target, "/hooks/qik", "a=1").as_str(),
            "http://app:3000/webhook/hooks/qik?tenant=7&a=1"
        );
        let root = Url::parse("http://app:3000/").unwrap();
        assert_eq!(
            join_request_url(&root, "/x", "").as_str(),
            "http://app:3000/x"
        );
    }

    #[test]
    fn errors_show_no_credentials_and_no_query() {
        let err = parse_target("http://alice:Pw0rd@127.0.0.1:3000/hook?token=AppS3cret#f")
            .unwrap_err()
            .to_string();
        assert!(
            !err.contains("Pw0rd") && !err.contains("AppS3cret"),
            "{err}"
        );
        assert!(err.contains("127.0.0.1:3000/hook?(redacted)#f"), "{err}");
        let err = parse_target("ftp://h/x?token=AppS3cret")
            .unwrap_err()
            .to_string();
        assert!(!err.contains("AppS3cret"), "{err}");
    }

    #[test]
    fn targets() {
        assert_eq!(
            parse_target("3000").unwrap().as_str(),
            "http://127.0.0.1:3000/"
        );
        assert_eq!(
            parse_target("localhost:3000/hook").unwrap().as_str(),
            "http://localhost:3000/hook"
        );
        assert_eq!(
            parse_target("https://x.example/h").unwrap().as_str(),
            "https://x.example/h"
        );
        assert!(parse_target("ftp://x").is_err());
        let err = parse_target("http://bob:hunter2@127.0.0.1:9/")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("--basic-auth-env") && !err.contains("hunter2"),
            "{err}"
        );
        let err = parse_target("http://bob:hunter2@[::1")
            .unwrap_err()
            .to_string();
        assert!(!err.contains("hunter2"), "{err}");
        assert!(parse_target("http://").is_err());
    }

    /// A target goes only where the user typed: a number is a local port, never an address.
    #[test]
    fn a_path_alone_is_not_read_as_a_host() {
        for text in ["/webhook", "?a=1", "", "  "] {
            let err = parse_target(text).unwrap_err().to_string();
            assert!(err.contains("has no host or port"), "{text}: {err}");
        }
    }

    #[test]
    fn local_ports_stay_local_and_numeric_hosts_are_refused() {
        for (typed, url) in [
            ("8787/webhook", "http://127.0.0.1:8787/webhook"),
            (":8787", "http://127.0.0.1:8787/"),
            (":8787/webhook?x=1", "http://127.0.0.1:8787/webhook?x=1"),
            ("3000?tenant=7", "http://127.0.0.1:3000/?tenant=7"),
            ("127.0.0.1:9/h", "http://127.0.0.1:9/h"),
            ("http://[::1]:9/h", "http://[::1]:9/h"),
            ("localhost:3000", "http://localhost:3000/"),
        ] {
            assert_eq!(parse_target(typed).unwrap().as_str(), url, "{typed}");
        }
        for typed in [
            "http://8787\\@0.0.34.83/",
            ":0",
            "0/webhook",
            "http://8787/webhook",
            "http://3000",
            "http://0x7f000001/",
            "http://127.1/",
            "https://2130706433:443/",
            "99999/webhook",
            ":",
            ":x",
            "127.0.0.1:",
            "127.0.0.1:/webhook",
            "http://localhost:/",
            "https://[::1]:?a=1",
        ] {
            let err = parse_target(typed).unwrap_err().to_string();
            assert!(!err.is_empty(), "{typed}");
        }
        let err = parse_target("127.0.0.1:/hook").unwrap_err().to_string();
        assert!(
            err.contains("no port after `:`") && err.contains("127.0.0.1:3000"),
            "{err}"
        );
        let err = parse_target("http://8787/webhook").unwrap_err().to_string();
        assert!(err.contains("0.0.34.83") && err.contains(":8787"), "{err}");
        let err = parse_target("http://127.1/").unwrap_err().to_string();
        assert!(
            err.contains("four numbers (127.0.0.1)") && !err.contains(":127.1"),
            "{err}"
        );
        assert!(parse_http_url("http://8787/api", "--api-base", "x").is_err());
        let err = parse_target("http://sentinel-token@127.0.0.1:9/")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("user name") && !err.contains("sentinel-token"),
            "{err}"
        );
    }
}
