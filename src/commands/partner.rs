//! `wa-hook partner`: get an access token, then read or set the partner webhook URL through
//! 99 Digital's partner API (the client and the token cache are in [`crate::partner_api`]).
//!
//! Exit codes: 0 the API said OK; 1 it said FAIL (or the user declined the change); 2 wa-hook
//! could not ask it (no token, bad URL, network error, an answer that is not the API's JSON).
use std::io::Write;

use anyhow::Context;

use crate::cli::{Format, PartnerAction, PartnerArgs};
use crate::error::Outcome;
use crate::fail;
use crate::output;
use crate::partner_api::{self, Answer, CLIENT_SECRET_ENV, Endpoint, PartnerApi, SavedToken};
use crate::secret::{self, SecretString};

pub fn run(args: PartnerArgs) -> anyhow::Result<Outcome> {
    let api = PartnerApi::new(&args.api_base, args.timeout)?;
    if api.base().starts_with("http://") && !crate::http::is_local(&url::Url::parse(api.base())?) {
        output::warn(format!(
            "--api-base {} is plain http://: the token and client secret travel unencrypted",
            api.base()
        ));
    }
    match &args.action {
        PartnerAction::Token {
            client_id,
            client_secret_stdin,
            print,
        } => {
            if args.token_stdin {
                fail!(
                    "--token-stdin has no use with `partner token`, which gets a new token; give the client secret with --client-secret-stdin"
                );
            }
            token(&api, &args, client_id, *client_secret_stdin, *print)
        }
        PartnerAction::SetUrl { url, yes, dry_run } => set_url(&api, &args, url, *yes, *dry_run),
        PartnerAction::GetUrl => get_url(&api, &args),
    }
}

// ---------------------------------------------------------------------------------------------
// partner token

fn token(
    api: &PartnerApi,
    args: &PartnerArgs,
    client_id: &str,
    secret_stdin: bool,
    print: bool,
) -> anyhow::Result<Outcome> {
    if client_id.trim().is_empty() {
        fail!("the client id is empty; pass --client-id ID (or set WA_HOOK_CLIENT_ID)");
    }
    let client_secret = client_secret(secret_stdin)?;
    let answer = api.access_token(client_id.trim(), &client_secret)?;
    let mut out = output::stdout();
    let Some(token) = accepted_token(api, args.format, &answer, &client_secret, &mut out)? else {
        return Ok(Outcome::CheckFailed);
    };
    let now = partner_api::now_unix();
    let expiration_time = if let Some(time) = answer.json.get("expiration_time").and_then(as_i64) {
        time
    } else {
        output::warn("the answer gives no expiration_time; assuming the documented one hour");
        now + 3600
    };
    let saved = SavedToken {
        token,
        expiration_time,
        api_base: api.base().to_string(),
    };
    let path = partner_api::save_token(&saved)?;
    let expiry = partner_api::describe_expiry(expiration_time, now);
    match args.format {
        Format::Json => {
            let mut json = answer.json.clone();
            if !print {
                json.insert("access_token".into(), secret::REDACTED.into());
            }
            json.insert("saved_to".into(), path.display().to_string().into());
            output::json_line(&mut out, &json)?;
        }
        Format::Text if print => {
            writeln!(out, "{}", saved.token.expose())?;
            eprintln!("token saved to {}; expires {expiry}", path.display());
        }
        Format::Text => {
            writeln!(
                out,
                "{} token saved to {}\n  expires {expiry}",
                output::ok_mark(),
                path.display()
            )?;
        }
    }
    warn_about_expiry(expiration_time, now);
    Ok(Outcome::Success)
}

/// The token the API gave, when it accepted the client; otherwise `None`, once the refusal is
/// reported (with `--format json`, the answer as it came, any token in it redacted).
fn accepted_token(
    api: &PartnerApi,
    format: Format,
    answer: &Answer,
    client_secret: &SecretString,
    out: &mut impl Write,
) -> anyhow::Result<Option<SecretString>> {
    let reason = answer.reason();
    let token = answer
        .str_field("access_token")
        .filter(|token| !token.trim().is_empty())
        .map(|token| SecretString::new(token.trim()));
    if reason.is_none_or(|code| code == 1) {
        if let Some(token) = token {
            return Ok(Some(token));
        }
    }
    if format == Format::Json {
        // Even a refusal may carry a token: it is no more printable than an accepted one.
        let refused_token = token.filter(|_| reason.is_some_and(|code| code != 1));
        let raw = String::from_utf8_lossy(&answer.raw);
        let secrets: Vec<&SecretString> = std::iter::once(client_secret)
            .chain(refused_token.as_ref())
            .collect();
        print_raw(out, secret::scrub(&raw, &secrets).as_bytes())?;
    }
    let Some(code) = reason.filter(|code| *code != 1) else {
        fail!(
            "POST {}: the answer has no access_token and no reason code",
            api.endpoint_url(Endpoint::AccessToken)
        );
    };
    report_fail(out, format, Endpoint::AccessToken, code)?;
    Ok(None)
}

/// A token whose expiry makes no sense, or has passed, is saved all the same, with a warning.
fn warn_about_expiry(expiration_time: i64, now: i64) {
    if partner_api::sane_expiry(expiration_time, now).is_none() {
        output::warn(format!(
            "the API's expiration_time {expiration_time} is not unix seconds within the next \
             month (milliseconds?): the saved token is treated as expired; use it now with \
             --print, or get a new one when you need it"
        ));
    } else if expiration_time <= now {
        output::warn("the API sent a token that has already expired");
    }
}

fn as_i64(value: &serde_json::Value) -> Option<i64> {
    match value {
        serde_json::Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)),
        serde_json::Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// The client secret from --client-secret-stdin, WA_HOOK_CLIENT_SECRET, or a hidden prompt.
fn client_secret(from_stdin: bool) -> anyhow::Result<SecretString> {
    if from_stdin {
        return secret::from_stdin("client secret");
    }
    if std::env::var_os(CLIENT_SECRET_ENV).is_some() {
        return secret::from_env(CLIENT_SECRET_ENV, "client secret");
    }
    if output::can_prompt() {
        return secret::prompt("Client secret");
    }
    fail!(
        "no client secret: pipe it with --client-secret-stdin, set {CLIENT_SECRET_ENV}, or run on a terminal to be asked (never pass it as an argument)"
    )
}

// ---------------------------------------------------------------------------------------------
// The bearer token

// ---------------------------------------------------------------------------------------------
// set-url, get-url

fn set_url(
    api: &PartnerApi,
    args: &PartnerArgs,
    url: &str,
    yes: bool,
    dry_run: bool,
) -> anyhow::Result<Outcome> {
    let insecure = partner_api::check_webhook_url(url)?;
    if insecure {
        output::warn(
            "the webhook URL is plain http://: 99 Digital's webhooks would travel unencrypted; prefer https://",
        );
    }
    if dry_run {
        return print_dry_run(api, args, url);
    }
    let on_terminal = output::can_prompt();
    if !yes && !on_terminal {
        fail!(
            "set-url changes where 99 Digital sends your webhooks and there is no terminal to confirm on; add --yes to change it without asking"
        );
    }
    let (token, _) = partner_api::bearer_token(api, args.token_stdin, true)?;
    if !yes && !confirm_change(api, &token, url)? {
        eprintln!("nothing changed");
        return Ok(Outcome::CheckFailed);
    }
    let answer = api.set_webhook(&token, url)?;
    report(answer, args.format, Endpoint::SetWebhook, Some(url), &token)
}

/// Show the URL set now and ask before replacing it. An error reading it stops here (setting
/// would fail the same way); a FAIL answer is shown and the question still asked.
fn confirm_change(api: &PartnerApi, token: &SecretString, url: &str) -> anyhow::Result<bool> {
    let current = api.get_webhook(token)?;
    match (current.status().as_deref(), current.str_field("url")) {
        (Some("OK"), Some(now)) if !now.is_empty() => {
            eprintln!("The webhook URL now set: {now}");
            if now == url {
                eprintln!("(it is already this URL)");
            }
        }
        (Some("OK"), _) => eprintln!("No webhook URL is set now."),
        _ => {
            let reason = current.reason().map_or_else(
                || "no reason given".to_string(),
                |code| {
                    format!(
                        "reason {code}: {}",
                        partner_api::reason_meaning(Endpoint::GetWebhook, code)
                    )
                },
            );
            eprintln!("The webhook URL now set is unknown ({reason}).");
        }
    }
    dialoguer::Confirm::new()
        .with_prompt(format!("Set the webhook URL to {url}?"))
        .default(false)
        .interact()
        .context("reading the answer from the terminal")
}

fn print_dry_run(api: &PartnerApi, args: &PartnerArgs, url: &str) -> anyhow::Result<Outcome> {
    let endpoint = Endpoint::SetWebhook;
    let target = api.endpoint_url(endpoint);
    let body = serde_json::json!({ "url": url });
    let authorization = format!("Bearer {}", secret::REDACTED);
    let headers = [
        ("Authorization", authorization.as_str()),
        ("Content-Type", "application/json"),
        ("Accept", "application/json"),
        ("User-Agent", crate::http::USER_AGENT),
    ];
    let mut out = output::stdout();
    match args.format {
        Format::Json => output::json_line(
            &mut out,
            &serde_json::json!({
                "method": endpoint.method().as_str(),
                "url": target,
                "headers": headers.iter().map(|(k, v)| (k.to_string(), serde_json::Value::from(*v))).collect::<serde_json::Map<_, _>>(),
                "body": body,
            }),
        )?,
        Format::Text => {
            writeln!(out, "{} {target}", endpoint.method())?;
            for (name, value) in headers {
                writeln!(out, "{name}: {value}")?;
            }
            writeln!(out)?;
            writeln!(out, "{body}")?;
        }
    }
    // Say which token a real run would use, without asking for one.
    match partner_api::bearer_token(api, args.token_stdin, false) {
        Ok((_, source)) => eprintln!("dry run: nothing sent; the token would come from {source}"),
        Err(err) => eprintln!("dry run: nothing sent; a real run needs a token: {err:#}"),
    }
    Ok(Outcome::Success)
}

fn get_url(api: &PartnerApi, args: &PartnerArgs) -> anyhow::Result<Outcome> {
    let (token, _) = partner_api::bearer_token(api, args.token_stdin, true)?;
    let answer = api.get_webhook(&token)?;
    report(answer, args.format, Endpoint::GetWebhook, None, &token)
}

/// Print a setWebhook or getWebhook answer: the URL on OK (exit 0), the reason on FAIL (exit 1).
fn report(
    answer: Answer,
    format: Format,
    endpoint: Endpoint,
    requested: Option<&str>,
    token: &SecretString,
) -> anyhow::Result<Outcome> {
    let mut out = output::stdout();
    let status = answer.status();
    if format == Format::Json {
        // An API that echoes the bearer token back must not get it printed.
        let raw = String::from_utf8_lossy(&answer.raw);
        print_raw(&mut out, secret::scrub(&raw, &[token]).as_bytes())?;
    }
    match status.as_deref() {
        Some("OK") => {
            if format == Format::Text {
                let url = answer.str_field("url").unwrap_or_default();
                match (endpoint, requested) {
                    (Endpoint::SetWebhook, Some(requested)) => {
                        let shown = if url.is_empty() { requested } else { url };
                        writeln!(out, "{} webhook URL set: {shown}", output::ok_mark())?;
                        if !url.is_empty() && url != requested {
                            output::warn(format!(
                                "the API answered with {url}, not the URL sent ({requested})"
                            ));
                        }
                    }
                    _ if url.is_empty() => eprintln!("no webhook URL is set"),
                    // The bare URL, so that `$(wa-hook partner get-url)` is the URL.
                    _ => writeln!(out, "{url}")?,
                }
            }
            Ok(Outcome::Success)
        }
        Some("FAIL") => {
            let Some(code) = answer.reason() else {
                if format == Format::Text {
                    writeln!(
                        out,
                        "{} {} failed: no reason code given",
                        output::fail_mark(),
                        endpoint.name()
                    )?;
                }
                return Ok(Outcome::CheckFailed);
            };
            report_fail(&mut out, format, endpoint, code)?;
            Ok(Outcome::CheckFailed)
        }
        _ => fail!(
            "{}: the answer has no status OK or FAIL · body: {}",
            endpoint.name(),
            output::excerpt(
                &secret::scrub(&String::from_utf8_lossy(&answer.raw), &[token]),
                120
            )
        ),
    }
}

fn report_fail(
    out: &mut impl Write,
    format: Format,
    endpoint: Endpoint,
    code: i64,
) -> anyhow::Result<()> {
    if format == Format::Text {
        writeln!(
            out,
            "{} {} failed: reason {code}: {}",
            output::fail_mark(),
            endpoint.name(),
            partner_api::reason_meaning(endpoint, code)
        )?;
    }
    Ok(())
}

/// The API's body exactly as it came, ending with a newline.
fn print_raw(out: &mut impl Write, raw: &[u8]) -> anyhow::Result<()> {
    out.write_all(raw)?;
    if !raw.ends_with(b"\n") {
        out.write_all(b"\n")?;
    }
    Ok(())
}
