//! A received request's head as a capture record holds it: method, path, query, headers (in
//! the order received, non-ASCII values as the text they are) and the peer's address. `listen`
//! and `emulate` both receive requests with the vendored tiny_http and record them the same way.
use crate::secret::{self, REDACTED};

/// What a record keeps of a request before its body is read.
pub struct RequestHead {
    pub method: String,
    /// The path without the query.
    pub path: String,
    /// The raw query string, without `?`; empty when there was none.
    pub query: String,
    /// As received, secrets included: for checks, never for the record as is ([`redacted`]).
    pub headers: Vec<(String, String)>,
    pub remote_addr: String,
}

impl RequestHead {
    pub fn of(request: &tiny_http::Request) -> RequestHead {
        let (path, query) = match request.url().split_once('?') {
            Some((path, query)) => (path.to_string(), query.to_string()),
            None => (request.url().to_string(), String::new()),
        };
        let mut headers: Vec<(String, String)> = request
            .headers()
            .iter()
            .map(|h| {
                (
                    h.field.as_str().as_str().to_string(),
                    h.value.as_str().to_string(),
                )
            })
            .collect();
        // Values that are not ASCII, as the text they are.
        for (index, text) in request.text_header_values() {
            if let Some(header) = headers.get_mut(*index) {
                header.1.clone_from(text);
            }
        }
        RequestHead {
            method: request.method().as_str().to_string(),
            path,
            query,
            headers,
            remote_addr: request.remote_addr().map_or_else(String::new, address_text),
        }
    }
}

/// `address` as `Display` writes it; an IPv4 one (every request from 127.0.0.1) without the
/// formatting machinery, which cost more than the rest of the head.
fn address_text(address: &std::net::SocketAddr) -> String {
    fn number(text: &mut String, value: u16) {
        let mut digits = [0u8; 5];
        let mut at = digits.len();
        let mut value = value;
        loop {
            at -= 1;
            digits[at] = b'0' + u8::try_from(value % 10).expect("a digit");
            value /= 10;
            if value == 0 {
                break;
            }
        }
        text.push_str(std::str::from_utf8(&digits[at..]).expect("digits"));
    }
    let std::net::SocketAddr::V4(v4) = address else {
        return address.to_string();
    };
    let mut text = String::with_capacity(21);
    for (index, octet) in v4.ip().octets().into_iter().enumerate() {
        if index > 0 {
            text.push('.');
        }
        number(&mut text, u16::from(octet));
    }
    text.push(':');
    number(&mut text, v4.port());
    text
}

/// Headers for a record: secret-bearing values replaced with `(redacted)` unless
/// `keep_secrets`, and the names of those replaced.
pub fn redacted(
    headers: &[(String, String)],
    keep_secrets: bool,
) -> (Vec<(String, String)>, Vec<String>) {
    let mut names = Vec::new();
    let kept = headers
        .iter()
        .map(|(name, value)| {
            if !keep_secrets && secret::is_secret_header(name) {
                names.push(name.clone());
                (name.clone(), REDACTED.to_string())
            } else {
                (name.clone(), value.clone())
            }
        })
        .collect();
    (kept, names)
}

/// A request's headers, name and value, in the order received.
type Headers = Vec<(String, String)>;

/// [`redacted`] for headers the caller gives up: the record's headers, the names of those
/// redacted, and the headers as received when they differ from the record's (some were
/// redacted). Headers with no secret (most requests) are moved to the record, not copied.
pub fn redacted_owned(
    headers: Headers,
    keep_secrets: bool,
) -> (Headers, Vec<String>, Option<Headers>) {
    if keep_secrets
        || !headers
            .iter()
            .any(|(name, _)| secret::is_secret_header(name))
    {
        return (headers, Vec::new(), None);
    }
    let (kept, names) = redacted(&headers, keep_secrets);
    (kept, names, Some(headers))
}

/// The query for a record: Meta's verify token (`hub.verify_token`) and a Graph API token
/// (`access_token`) are secrets, replaced with `(redacted)` unless `keep_secrets`.
pub fn redacted_query(query: &str, keep_secrets: bool) -> String {
    if keep_secrets || query.is_empty() {
        return query.to_string();
    }
    let query = crate::providers::redact_handshake_token(query, REDACTED);
    secret::redact_query_param(&query, "access_token", REDACTED)
}

#[cfg(test)]
mod tests {
    #[test]
    fn addresses_are_written_as_display_writes_them() {
        for text in [
            "0.0.0.0:0",
            "127.0.0.1:8080",
            "10.20.3.45:443",
            "255.255.255.255:65535",
            "[::1]:9",
            "[2001:db8::7]:65535",
        ] {
            let address: std::net::SocketAddr = text.parse().unwrap();
            assert_eq!(super::address_text(&address), address.to_string());
        }
    }

    #[test]
    fn verify_tokens_are_redacted_from_queries() {
        assert_eq!(
            super::redacted_query(
                "hub.mode=subscribe&hub.verify_token=s3cret&hub.challenge=42",
                false
            ),
            "hub.mode=subscribe&hub.verify_token=(redacted)&hub.challenge=42"
        );
        assert_eq!(
            super::redacted_query("hub.verify_token=s3cret", true),
            "hub.verify_token=s3cret"
        );
        assert_eq!(super::redacted_query("a=1", false), "a=1");
    }

    #[test]
    fn secret_headers_are_redacted() {
        let headers = [
            ("Authorization", "Basic abc"),
            ("Content-Type", "text/plain"),
        ]
        .map(|(k, v)| (k.to_string(), v.to_string()));
        let (kept, redacted) = super::redacted(&headers, false);
        assert_eq!(kept[0].1, crate::secret::REDACTED);
        assert_eq!(kept[1].1, "text/plain");
        assert_eq!(redacted, ["Authorization"]);
        assert_eq!(super::redacted(&headers, true).0[0].1, "Basic abc");
    }

    #[test]
    fn tokens_in_a_query_are_redacted_and_the_rest_kept() {
        assert_eq!(
            super::redacted_query("a=1&access_token=EAAG%20x&b=2", false),
            "a=1&access_token=(redacted)&b=2"
        );
        assert_eq!(
            super::redacted_query("access_token=EAAG", true),
            "access_token=EAAG"
        );
        assert_eq!(super::redacted_query("page=2", false), "page=2");
    }
}
