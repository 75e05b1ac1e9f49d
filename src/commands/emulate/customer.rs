//! `wa-hook emulate say|react|read|fail`: the test customer, through a running emulator's
//! `/_wa-hook/` controls. Each prints the message id and the app's answer to the webhook.
//! Exit 0 when the app answered 2xx, 1 when it answered otherwise or not at all, 2 when the
//! emulator refused the action (an unknown message id) or could not be reached.
use std::io::Write;
use std::time::Duration;

use anyhow::{Context, bail};
use reqwest::Method;
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderValue};
use serde_json::{Value, json};

use crate::cli::{
    EmulateFailArgs, EmulateMessageArgs, EmulateReactArgs, EmulateSayArgs, EmulatorArg, Format,
};
use crate::error::Outcome;
use crate::net;

/// The controls wait for the app's answer to the webhook (the emulator's `--webhook-timeout`).
const CONTROL_TIMEOUT: Duration = Duration::from_secs(60);

pub fn say(args: &EmulateSayArgs) -> anyhow::Result<Outcome> {
    let mut body = match (&args.text, &args.kind) {
        (Some(text), _) => json!({ "text": text }),
        (None, Some(kind)) => json!({ "kind": kind }),
        (None, None) => bail!("say needs TEXT or --kind KIND"),
    };
    if let Some(identity) = &args.identity {
        body["identity"] = identity.as_str().into();
    }
    call(&args.emulator, "say", &body)
}

pub fn react(args: &EmulateReactArgs) -> anyhow::Result<Outcome> {
    call(
        &args.message.emulator,
        "react",
        &json!({ "message_id": args.message.message_id, "emoji": args.emoji }),
    )
}

pub fn read(args: &EmulateMessageArgs) -> anyhow::Result<Outcome> {
    call(
        &args.emulator,
        "read",
        &json!({ "message_id": args.message_id }),
    )
}

pub fn fail(args: &EmulateFailArgs) -> anyhow::Result<Outcome> {
    call(
        &args.message.emulator,
        "fail",
        &json!({ "message_id": args.message.message_id, "code": args.code }),
    )
}

fn call(emulator: &EmulatorArg, action: &str, body: &Value) -> anyhow::Result<Outcome> {
    let base = crate::http::parse_target(&emulator.emulator)?;
    let answer = control(&base, action, body)?;
    let app_status = answer["app_status"].as_u64();
    let mut out = std::io::stdout().lock();
    match emulator.format {
        Format::Json => crate::output::json_line(&mut out, &answer)?,
        Format::Text => {
            let message_id = answer["message_id"].as_str().unwrap_or_default();
            match app_status {
                Some(app) => writeln!(out, "{message_id}  the app answered {app}")?,
                None => writeln!(out, "{message_id}  the app did not answer")?,
            }
        }
    }
    out.flush()?;
    Ok(Outcome::from_ok(
        app_status.is_some_and(|status| (200..300).contains(&status)),
    ))
}

/// POST `body` to the running emulator's `/_wa-hook/{action}` at `base`: its JSON answer, or
/// why not (the emulator refused the action, or could not be reached).
pub(super) fn control(base: &url::Url, action: &str, body: &Value) -> anyhow::Result<Value> {
    let url = base
        .join(&format!("/_wa-hook/{action}"))
        .context("the emulator's URL")?;
    let client = crate::http::client(&crate::http::HttpOptions {
        timeout: CONTROL_TIMEOUT,
        insecure: false,
    })?;
    let mut headers = HeaderMap::new();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    let request = net::Request {
        method: Method::POST,
        url: url.clone(),
        headers,
        body: serde_json::to_vec(body)?.into(),
    };
    let reply = crate::http::runtime().block_on(net::send(&client, request, &url, true));
    if let Some(failure) = reply.failure {
        if failure.kind == net::FailureKind::Connect {
            // The generic hint names `wa-hook listen`; here the server missing is the emulator.
            let reason = failure.message.split(" — ").next().unwrap_or_default();
            bail!(
                "{reason} — is the emulator running? (`wa-hook emulate meta --webhook URL` \
                 starts one; its first line is the base URL to give --emulator)"
            );
        }
        bail!("{}", failure.message);
    }
    let answer: Value = serde_json::from_slice(&reply.body).with_context(|| {
        format!(
            "{url} did not answer JSON: is it a `wa-hook emulate` base URL? ({})",
            crate::output::excerpt(&String::from_utf8_lossy(&reply.body), 80)
        )
    })?;
    let status = reply.status.unwrap_or_default();
    if !(200..300).contains(&status) {
        let why = answer["error"].as_str().unwrap_or("no reason given");
        bail!("the emulator refused {action} ({status}): {why}");
    }
    Ok(answer)
}
