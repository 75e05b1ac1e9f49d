//! `--forward-to`: send each request on to the user's app byte for byte and bring back its
//! answer. One client (one connection pool) for the whole run; each worker waits for its own
//! request on the shared runtime.
use std::time::{Duration, Instant};

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use url::Url;

use crate::http::{self, HttpOptions};
use crate::secret::REDACTED;

/// Headers that describe one hop, not the request: never forwarded (RFC 9110 §7.6.1), plus
/// the ones the client sets itself for the new connection.
const HOP_BY_HOP: &[&str] = &[
    "connection",
    "keep-alive",
    "proxy-connection",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "trailers",
    "transfer-encoding",
    "upgrade",
    "host",
    "content-length",
    "expect",
];

/// The client's own ceiling; each forward has its own, shorter timeout (see `handler`).
const CLIENT_TIMEOUT: Duration = Duration::from_secs(600);

/// The largest answer from the app that is relayed and recorded; a larger one is a failure
/// (502), read no further.
pub(crate) const REPLY_MAX: usize = 1 << 20;

pub(crate) struct Forwarder {
    client: reqwest::Client,
    target: Url,
}

/// What the app answered.
pub(crate) struct AppReply {
    pub status: u16,
    pub content_type: Option<String>,
    pub body: Vec<u8>,
    pub latency: Duration,
}

/// Why the app could not be reached, and after how long. `error` names the URL as shown
/// (secrets redacted), never the one sent.
pub(crate) struct ForwardFailure {
    pub error: String,
    pub latency: Duration,
    /// The app did not answer within the timeout (answered 504 rather than 502).
    pub timed_out: bool,
}

impl Forwarder {
    pub fn new(target: &str) -> anyhow::Result<Forwarder> {
        let target = http::parse_target(target)?;
        let options = HttpOptions {
            timeout: CLIENT_TIMEOUT,
            insecure: false,
        };
        Ok(Forwarder {
            client: http::client(&options)?,
            target,
        })
    }

    /// The target as shown: its own query (which may hold a token) redacted.
    pub fn shown_target(&self) -> String {
        self.shown_url_for("", "")
    }

    /// [`Forwarder::url_for`] as shown in lines, records and errors: the target's own query
    /// redacted; `query` must already be redacted (the record's).
    pub fn shown_url_for(&self, path: &str, query: &str) -> String {
        let mut target = self.target.clone();
        if target.query().is_some_and(|query| !query.is_empty()) {
            target.set_query(Some(REDACTED));
        }
        if path.is_empty() && query.is_empty() {
            return target.to_string();
        }
        http::join_request_url(&target, path, query).to_string()
    }

    /// The target URL with the request's path appended and its query added.
    pub fn url_for(&self, path: &str, query: &str) -> Url {
        http::join_request_url(&self.target, path, query)
    }

    /// Forward one request to `url` and wait for the app's answer, at most `timeout` (the
    /// answer's body included) and at most `REPLY_MAX` bytes of it. `shown_url` is what
    /// errors name.
    pub fn forward(
        &self,
        method: &str,
        (url, shown_url): (Url, &str),
        headers: &[(String, String)],
        body: Vec<u8>,
        timeout: Duration,
    ) -> Result<AppReply, ForwardFailure> {
        let started = Instant::now();
        let failure = |error: String, timed_out: bool| ForwardFailure {
            error,
            latency: started.elapsed(),
            timed_out,
        };
        let method = reqwest::Method::from_bytes(method.as_bytes()).map_err(|_| {
            failure(
                format!("`{method}` is not a method that can be forwarded"),
                false,
            )
        })?;
        let request = self
            .client
            .request(method, url.clone())
            .headers(forwarded_headers(headers))
            .timeout(timeout)
            .body(body);
        let result = http::runtime().block_on(async {
            let mut response = request.send().await?;
            let status = response.status().as_u16();
            let content_type = response
                .headers()
                .get(reqwest::header::CONTENT_TYPE)
                .and_then(|value| value.to_str().ok())
                .map(str::to_string);
            match http::read_body(&mut response, REPLY_MAX, REPLY_MAX).await {
                Ok(body) => Ok(Some((status, content_type, body))),
                Err(http::BodyError::TooLarge { .. }) => Ok(None),
                Err(http::BodyError::Broken(err)) => Err(err),
            }
        });
        match result {
            Ok(Some((status, content_type, body))) => Ok(AppReply {
                status,
                content_type,
                body,
                latency: started.elapsed(),
            }),
            Ok(None) => Err(failure(
                format!(
                    "{shown_url}: the app's answer is over {} KiB, more than wa-hook relays",
                    REPLY_MAX / 1024
                ),
                false,
            )),
            Err(err) if err.is_timeout() => Err(failure(
                format!(
                    "{shown_url}: no answer within {} (--forward-timeout)",
                    crate::output::duration(timeout, crate::output::Notation::Flag)
                ),
                true,
            )),
            Err(err) => {
                // The reason may quote the URL sent, secrets and all.
                let mut reason = http::failure_reason(&err).replace(url.as_str(), shown_url);
                if let Some(query) = url.query().filter(|query| !query.is_empty()) {
                    reason = reason.replace(query, REDACTED);
                }
                let hint = http::tls_failure(&err)
                    .map_or(" — is your app running there?", http::TlsFailure::hint);
                Err(failure(format!("{shown_url}: {reason}{hint}"), false))
            }
        }
    }
}

/// The request's headers minus hop-by-hop ones and those named in its `Connection` header.
fn forwarded_headers(headers: &[(String, String)]) -> HeaderMap {
    let named_in_connection: Vec<String> = headers
        .iter()
        .filter(|(name, _)| name.eq_ignore_ascii_case("connection"))
        .flat_map(|(_, value)| value.split(','))
        .map(|name| name.trim().to_ascii_lowercase())
        .collect();
    let mut map = HeaderMap::with_capacity(headers.len());
    for (name, value) in headers {
        let lower = name.to_ascii_lowercase();
        if HOP_BY_HOP.contains(&lower.as_str()) || named_in_connection.contains(&lower) {
            continue;
        }
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_bytes(value.as_bytes()),
        ) {
            map.append(name, value);
        }
    }
    map
}

#[cfg(test)]
mod tests {
    use super::*;

    fn forwarder(target: &str) -> Forwarder {
        Forwarder::new(target).unwrap()
    }

    #[test]
    fn shown_urls_keep_the_targets_query_to_themselves() {
        let app = forwarder("http://h/x?token=s3cret");
        assert!(
            !app.shown_target().contains("s3cret"),
            "{}",
            app.shown_target()
        );
        let shown = app.shown_url_for("/in", "hub.verify_token=(redacted)");
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(shown.starts_with("http://h/x/in?"), "{shown}");
    }

    #[test]
    fn paths_are_appended_to_the_target() {
        let app = forwarder("http://localhost:3000/webhook");
        assert_eq!(
            app.url_for("/", "").as_str(),
            "http://localhost:3000/webhook"
        );
        assert_eq!(
            app.url_for("/qik/in", "a=1&b=%20").as_str(),
            "http://localhost:3000/webhook/qik/in?a=1&b=%20"
        );
        let port = forwarder("3000");
        assert_eq!(
            port.url_for("/hook", "").as_str(),
            "http://127.0.0.1:3000/hook"
        );
        let with_query = forwarder("http://h/x?token=1");
        assert_eq!(
            with_query.url_for("/", "a=2").as_str(),
            "http://h/x?token=1&a=2"
        );
    }

    #[test]
    fn hop_by_hop_headers_are_dropped() {
        let headers = [
            ("Host", "example"),
            ("Connection", "keep-alive, X-Private"),
            ("X-Private", "1"),
            ("Content-Length", "3"),
            ("Transfer-Encoding", "chunked"),
            ("Authorization", "Basic abc"),
            ("X-Hub-Signature-256", "sha256=00"),
            ("Content-Type", "application/json"),
        ]
        .map(|(k, v)| (k.to_string(), v.to_string()));
        let map = forwarded_headers(&headers);
        let names: Vec<&str> = map.keys().map(HeaderName::as_str).collect();
        assert_eq!(
            names,
            ["authorization", "x-hub-signature-256", "content-type"]
        );
    }
}
