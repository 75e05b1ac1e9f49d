//! `--forward-to`: send each request on to the user's app byte for byte and bring back its
//! answer. One client (one connection pool) for the whole run; each worker waits for its own
//! request on the shared runtime.
use std::time::{Duration, Instant};

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use url::Url;

use crate::http::{self, HttpOptions};

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

/// Longest the app may take before the forward counts as failed.
const MIN_TIMEOUT: Duration = Duration::from_secs(30);

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

/// Why the app could not be reached, and after how long.
pub(crate) struct ForwardFailure {
    pub error: String,
    pub latency: Duration,
}

impl Forwarder {
    pub fn new(target: &str, budget: Option<Duration>) -> anyhow::Result<Forwarder> {
        let target = http::parse_target(target)?;
        let options = HttpOptions {
            timeout: budget.map_or(MIN_TIMEOUT, |budget| budget.max(MIN_TIMEOUT)),
            insecure: false,
        };
        Ok(Forwarder {
            client: http::client(&options)?,
            target,
        })
    }

    pub fn target(&self) -> &Url {
        &self.target
    }

    /// The target URL with the request's path appended and its query added.
    pub fn url_for(&self, path: &str, query: &str) -> Url {
        http::join_request_url(&self.target, path, query)
    }

    /// Forward one request and wait for the app's answer.
    pub fn forward(
        &self,
        method: &str,
        url: Url,
        headers: &[(String, String)],
        body: Vec<u8>,
    ) -> Result<AppReply, ForwardFailure> {
        let started = Instant::now();
        let failure = |error: String| ForwardFailure {
            error,
            latency: started.elapsed(),
        };
        let method = reqwest::Method::from_bytes(method.as_bytes())
            .map_err(|_| failure(format!("`{method}` is not a method that can be forwarded")))?;
        let request = self
            .client
            .request(method, url.clone())
            .headers(forwarded_headers(headers))
            .body(body);
        let result = http::runtime().block_on(async {
            let response = request.send().await?;
            let status = response.status().as_u16();
            let content_type = response
                .headers()
                .get(reqwest::header::CONTENT_TYPE)
                .and_then(|value| value.to_str().ok())
                .map(str::to_string);
            let body = response.bytes().await?;
            Ok::<_, reqwest::Error>((status, content_type, body.to_vec()))
        });
        match result {
            Ok((status, content_type, body)) => Ok(AppReply {
                status,
                content_type,
                body,
                latency: started.elapsed(),
            }),
            Err(err) => Err(failure(format!(
                "{url}: {} — is your app running there?",
                http::failure_reason(&err)
            ))),
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
        Forwarder::new(target, None).unwrap()
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
