//! `wa-hook sign` and `wa-hook verify`: Meta's X-Hub-Signature-256 as a one-liner, and an
//! explanation when a signature does not match. The signature is the signing provider's
//! ([`providers::signing_for`]).
use std::io::{Read, Write};

use anyhow::Context;
use colored::Colorize;

use crate::cli::{AppSecretArgs, Format, SignArgs, VerifyArgs};
use crate::error::Outcome;
use crate::output;
use crate::providers;
use crate::providers::capabilities::Mismatch;
use crate::secret::{self, SecretString};

pub fn run_sign(args: SignArgs) -> anyhow::Result<Outcome> {
    let body = read_body(&args.input)?;
    let secret = app_secret(&args.secret)?;
    let (_, signing) = providers::signing_for(None);
    let header = signing.header();
    let value = signing.sign(&secret, &body);
    let mut out = output::stdout();
    match args.format {
        Format::Text => writeln!(out, "{header}: {value}")?,
        Format::Json => output::json_line(
            &mut out,
            &serde_json::json!({"header": header, "signature": value}),
        )?,
    }
    Ok(Outcome::Success)
}

pub fn run_verify(args: VerifyArgs) -> anyhow::Result<Outcome> {
    let body = read_body(&args.input)?;
    let secret = app_secret(&args.secret)?;
    let (_, signing) = providers::signing_for(None);
    // Accept the value pasted with its header name too.
    let received = args
        .signature
        .trim()
        .strip_prefix(signing.header())
        .map_or(args.signature.trim(), |rest| {
            rest.trim_start_matches(':').trim()
        });
    let valid = signing.verify(&secret, received, &body);
    let cause = (!valid).then(|| signing.diagnose(&secret, received, &body));
    let mut out = output::stdout();
    match (args.format, cause) {
        (Format::Json, cause) => output::json_line(
            &mut out,
            &serde_json::json!({"valid": valid, "cause": cause, "explanation": cause.map(Mismatch::explain)}),
        )?,
        (Format::Text, None) => writeln!(
            out,
            "{} the signature matches the body ({} bytes)",
            output::ok_mark(),
            body.len()
        )?,
        (Format::Text, Some(cause)) => {
            writeln!(
                out,
                "{} the signature does not match the body ({} bytes)",
                output::fail_mark(),
                body.len()
            )?;
            writeln!(out, "  {} {}", "likely cause:".bold(), cause.explain())?;
        }
    }
    Ok(Outcome::from_ok(valid))
}

/// The app secret from `--app-secret-env`, `--app-secret-file`, or a hidden prompt.
pub fn app_secret(args: &AppSecretArgs) -> anyhow::Result<SecretString> {
    match (&args.env.app_secret_env, &args.app_secret_file) {
        (Some(var), _) => secret::from_env(var, "Meta app secret"),
        (None, Some(path)) => secret::from_file(path, "Meta app secret"),
        (None, None) => secret::prompt("Meta app secret").context(
            "give the app secret with --app-secret-env VAR or --app-secret-file FILE (never as a plain argument)",
        ),
    }
}

/// Bodies signed or verified are read up to this size; a larger one is refused (Meta sends at
/// most about 3 MB).
const MAX_BODY: u64 = 8 << 20;

/// The exact bytes of a file, or of standard input for `-`.
fn read_body(input: &str) -> anyhow::Result<Vec<u8>> {
    let (reader, name): (Box<dyn Read>, &str) = if input == "-" {
        (Box::new(std::io::stdin()), "standard input")
    } else {
        let file = std::fs::File::open(input).with_context(|| format!("cannot read {input}"))?;
        (Box::new(file), input)
    };
    let mut bytes = Vec::new();
    reader
        .take(MAX_BODY + 1)
        .read_to_end(&mut bytes)
        .with_context(|| format!("reading {name}"))?;
    if bytes.len() as u64 > MAX_BODY {
        anyhow::bail!(
            "{name} holds more than 8 MiB; a webhook body is far smaller (Meta sends at most about 3 MB)"
        );
    }
    Ok(bytes)
}
