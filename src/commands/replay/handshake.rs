//! `replay --handshake`: Meta's webhook verification. Meta sends
//! `GET ?hub.mode=subscribe&hub.verify_token=T&hub.challenge=C` and expects 200 with exactly C
//! as the body; this sends the same and checks the answer. The token never appears in output.
use std::io::Write;
use std::time::Instant;

use anyhow::{Context, bail};
use colored::Colorize;
use serde::Serialize;

use crate::cli::{Format, ReplayArgs};
use crate::error::Outcome;
use crate::http;
use crate::ids::IdSource;
use crate::output;
use crate::providers::meta::handshake;
use crate::secret::{self, BasicAuth, SecretString};

#[derive(Serialize)]
struct HandshakeResult {
    handshake: bool,
    url: String,
    status: u16,
    latency_ms: f64,
    challenge: String,
    /// The start of the body the app answered with.
    body: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    problem: Option<String>,
}

pub(super) fn run(args: &ReplayArgs) -> anyhow::Result<Outcome> {
    if !args.inputs.is_empty() {
        bail!("--handshake sends a GET without a body; leave out the inputs");
    }
    let var = args.verify_token_env.as_deref().context(
        "--handshake needs --verify-token-env VAR, the variable holding your verify token",
    )?;
    let token = secret::from_env(var, "verify token")?;
    let to = args.to.as_deref().context(
        "--to is required: your app's webhook URL, e.g. --to http://localhost:3000/webhook",
    )?;
    let target = http::parse_target(to)?;
    let basic_auth =
        BasicAuth::from_args(args.basic_auth.as_deref(), args.basic_auth_env.as_deref())?;
    let headers = args
        .headers
        .iter()
        .map(|text| super::parse_header(text))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let challenge = IdSource::new().challenge();
    let mut url = target.clone();
    let handshake = handshake::query(token.expose(), &challenge);
    let query = match url.query() {
        Some(query) if !query.is_empty() => format!("{query}&{handshake}"),
        _ => handshake,
    };
    url.set_query(Some(&query));

    let client = http::client(&http::HttpOptions {
        timeout: args.timeout,
        insecure: args.insecure,
    })?;
    let header_secrets: Vec<SecretString> = headers
        .iter()
        .flat_map(|(name, value)| {
            secret::header_secrets(name.as_str(), value.to_str().unwrap_or(""))
        })
        .collect();
    let mut secrets: Vec<&SecretString> = vec![&token];
    secrets.extend(header_secrets.iter());
    if let Some(auth) = &basic_auth {
        secrets.extend(auth.secrets());
    }
    let started = Instant::now();
    let answer = http::runtime().block_on(async {
        let mut request = client.get(url);
        for (name, value) in headers {
            request = request.header(name, value);
        }
        if let Some(auth) = &basic_auth {
            request = request.header(reqwest::header::AUTHORIZATION, auth.header_value().expose());
        }
        let mut response = request.send().await?;
        let status = response.status().as_u16();
        // The challenge is a few digits: a page or a stream is cut at 64 KiB.
        let body = match http::read_body(&mut response, 64 << 10, 64 << 10).await {
            Ok(body) => body,
            Err(http::BodyError::TooLarge { .. }) => b"(an answer over 64 KiB)".to_vec(),
            Err(http::BodyError::Broken(err)) => return Err(err),
        };
        Ok::<_, reqwest::Error>((status, body))
    });
    let latency = started.elapsed();
    let (status, body) = answer.map_err(|err| {
        anyhow::anyhow!(secret::scrub(
            &http::describe_error(&err.without_url(), &target),
            &secrets
        ))
    })?;
    let text = String::from_utf8_lossy(&body);
    let echoed = text.trim() == challenge;
    let problem = if status != 200 {
        Some(format!(
            "answered {status}, not 200: does the app compare hub.verify_token with the token in {var}?"
        ))
    } else if !echoed {
        Some(format!(
            "answered 200, but the body is not the challenge {challenge}: answer with hub.challenge alone, as plain text"
        ))
    } else {
        None
    };
    let shown = format!(
        "{target}?hub.mode=subscribe&hub.verify_token={}&hub.challenge={challenge}",
        secret::REDACTED
    );
    let body_excerpt = secret::scrub(&output::excerpt(&text, 60), &secrets);
    let result = HandshakeResult {
        handshake: problem.is_none(),
        url: shown,
        status,
        latency_ms: output::ms(latency),
        challenge: challenge.clone(),
        body: body_excerpt,
        problem,
    };
    let mut out = std::io::stdout().lock();
    match args.format {
        Format::Json => output::json_line(&mut out, &result)?,
        Format::Text => {
            let latency = output::duration(latency, output::Notation::Measured);
            match &result.problem {
                None => writeln!(
                    out,
                    "{} handshake  {}  {latency}  the challenge came back\n  GET {}",
                    output::ok_mark(),
                    status.to_string().green(),
                    result.url
                )?,
                Some(problem) => writeln!(
                    out,
                    "{} handshake  {}  {latency}  {}\n  GET {}\n  body: {}",
                    output::fail_mark(),
                    status.to_string().red(),
                    problem,
                    result.url,
                    if result.body.is_empty() {
                        "(empty)"
                    } else {
                        &result.body
                    }
                )?,
            }
        }
    }
    Ok(Outcome::from_ok(result.handshake))
}
