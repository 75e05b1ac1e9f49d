//! Meta's verification handshake: `GET ?hub.mode=subscribe&hub.verify_token=T&hub.challenge=C`;
//! the endpoint answers 200 with exactly C when T is its verify token, 403 otherwise. Meta's
//! [`Handshake`](crate::providers::Handshake): `listen` answers it, `replay --handshake` and
//! `doctor` send it; the verify token is a secret, kept out of records.
use crate::providers::capabilities::HandshakeRequest;

/// The query parameter that carries the verify token.
pub const TOKEN_PARAM: &str = "hub.verify_token";

/// The handshake in a query, if it has any of its parameters.
pub fn parse(query: &str) -> Option<HandshakeRequest> {
    if !query.contains("hub.") {
        return None;
    }
    let (mut mode, mut token, mut challenge) = (None, None, None);
    for (key, value) in url::form_urlencoded::parse(query.as_bytes()) {
        match key.as_ref() {
            "hub.mode" => mode = Some(value.into_owned()),
            TOKEN_PARAM => token = Some(value.into_owned()),
            "hub.challenge" => challenge = Some(value.into_owned()),
            _ => {}
        }
    }
    if mode.is_none() && token.is_none() && challenge.is_none() {
        return None;
    }
    Some(HandshakeRequest {
        mode: mode.unwrap_or_default(),
        token: token.unwrap_or_default(),
        challenge: challenge.unwrap_or_default(),
    })
}

/// The query Meta sends, for `replay --handshake`.
pub fn query(token: &str, challenge: &str) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .append_pair("hub.mode", "subscribe")
        .append_pair(TOKEN_PARAM, token)
        .append_pair("hub.challenge", challenge)
        .finish()
}

/// The query with the verify token's value replaced by `redacted`.
pub fn redact_token(query: &str, redacted: &str) -> String {
    crate::secret::redact_query_param(query, TOKEN_PARAM, redacted)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handshakes_are_recognised() {
        assert_eq!(
            parse("hub.mode=subscribe&hub.verify_token=t%20t&hub.challenge=99"),
            Some(HandshakeRequest {
                mode: "subscribe".into(),
                token: "t t".into(),
                challenge: "99".into()
            })
        );
        assert_eq!(parse("a=1"), None);
        assert_eq!(parse(""), None);
        assert_eq!(
            parse(&query("s3cret", "42")).unwrap().token,
            "s3cret".to_string()
        );
    }

    #[test]
    fn verify_tokens_are_redacted() {
        assert_eq!(
            redact_token("hub.mode=subscribe&hub.verify_token=s3cret&hub.challenge=42", "(x)"),
            "hub.mode=subscribe&hub.verify_token=(x)&hub.challenge=42"
        );
        assert_eq!(redact_token("a=1", "(x)"), "a=1");
    }
}
