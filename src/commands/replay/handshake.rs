//! `replay --handshake`: Meta's webhook verification. Meta sends
//! `GET ?hub.mode=subscribe&hub.verify_token=T&hub.challenge=C` and expects 200 with exactly C
//! as the body; this sends the same and checks the answer. The query and the check are the
//! verifying provider's ([`providers::handshake_for`]). The token never appears in output.
use std::io::Write;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use colored::Colorize;
use serde::Serialize;

use crate::cli::{Format, ReplayArgs};
use crate::error::Outcome;
use crate::http;
use crate::ids::IdSource;
use crate::output;
use crate::providers;
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

/// What `--handshake` sends, read from the arguments before anything is sent.
struct Setup {
    token: SecretString,
    var: String,
    target: url::Url,
    basic_auth: Option<BasicAuth>,
    requests: http::RequestSettings,
}

pub(super) fn run(args: &ReplayArgs) -> anyhow::Result<Outcome> {
    let setup = setup(args)?;
    let (_, handshake) = providers::handshake_for(None);
    let challenge = IdSource::new().challenge();
    let mut url = setup.target.clone();
    let query = handshake.query(setup.token.expose(), &challenge);
    let query = match url.query() {
        Some(own) if !own.is_empty() => format!("{own}&{query}"),
        _ => query,
    };
    url.set_query(Some(&query));
    let mut secrets: Vec<&SecretString> = vec![&setup.token];
    secrets.extend(setup.requests.header_secrets.iter());
    if let Some(auth) = &setup.basic_auth {
        secrets.extend(auth.secrets());
    }
    let client = http::client(&setup.requests.options)?;
    let started = Instant::now();
    let (status, body) = send(&client, &setup, url).map_err(|err| {
        anyhow::anyhow!(secret::scrub(
            &http::describe_error(&err.without_url(), &setup.target),
            &secrets
        ))
    })?;
    let latency = started.elapsed();
    let text = String::from_utf8_lossy(&body);
    let problem = if handshake.accepts(&challenge, status, &text) {
        None
    } else if status != 200 {
        Some(format!(
            "answered {status}, not 200: does the app compare hub.verify_token with the token in {}?",
            setup.var
        ))
    } else {
        Some(format!(
            "answered 200, but the body is not the challenge {challenge}: answer with hub.challenge alone, as plain text"
        ))
    };
    let shown = handshake.redact_token(
        &format!("{}?{}", setup.target, handshake.query("", &challenge)),
        secret::REDACTED,
    );
    let result = HandshakeResult {
        handshake: problem.is_none(),
        url: shown,
        status,
        latency_ms: output::ms(latency),
        challenge,
        body: secret::scrub(&output::excerpt(&text, 60), &secrets),
        problem,
    };
    print(args.format, &result, latency)?;
    Ok(Outcome::from_ok(result.handshake))
}

/// The verify token, the target, and the credentials and headers to send, from the arguments.
fn setup(args: &ReplayArgs) -> anyhow::Result<Setup> {
    if !args.inputs.is_empty() {
        bail!("--handshake sends a GET without a body; leave out the inputs");
    }
    let needs_token =
        "--handshake needs --verify-token-env VAR, the variable holding your verify token";
    let var = args
        .credentials
        .env
        .verify_token_env
        .as_deref()
        .context(needs_token)?;
    let credentials = args.credentials.resolve()?;
    let token = credentials.verify_token.context(needs_token)?;
    let to = args.to.as_deref().context(
        "--to is required: your app's webhook URL, e.g. --to http://localhost:3000/webhook",
    )?;
    let target = http::parse_target(to)?;
    Ok(Setup {
        token,
        var: var.to_string(),
        target,
        basic_auth: credentials.basic_auth,
        requests: args.http.resolve()?,
    })
}

/// The GET, and the status and the start of the body it got.
fn send(
    client: &reqwest::Client,
    setup: &Setup,
    url: url::Url,
) -> Result<(u16, Vec<u8>), reqwest::Error> {
    http::runtime().block_on(async {
        let mut request = client.get(url);
        for (name, value) in &setup.requests.headers {
            request = request.header(name, value);
        }
        if let Some(auth) = &setup.basic_auth {
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
        Ok((status, body))
    })
}

/// The result as one JSON line, or as a line with a mark (and, on a problem, the body).
fn print(format: Format, result: &HandshakeResult, latency: Duration) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    match format {
        Format::Json => output::json_line(&mut out, result)?,
        Format::Text => {
            let latency = output::duration(latency, output::Notation::Measured);
            match &result.problem {
                None => writeln!(
                    out,
                    "{} handshake  {}  {latency}  the challenge came back\n  GET {}",
                    output::ok_mark(),
                    result.status.to_string().green(),
                    result.url
                )?,
                Some(problem) => writeln!(
                    out,
                    "{} handshake  {}  {latency}  {}\n  GET {}\n  body: {}",
                    output::fail_mark(),
                    result.status.to_string().red(),
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
    Ok(())
}
