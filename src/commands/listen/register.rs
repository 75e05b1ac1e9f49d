//! `listen --tunnel … --register partner`: point 99 Digital's partner webhook at the tunnel's
//! public URL while listen runs, and put the previous URL back when it stops (Ctrl-C, SIGTERM,
//! or an error after registering). Calls go through the one partner API client.
use anyhow::bail;

use crate::output;
use crate::partner_api::{self, Endpoint, PartnerApi};
use crate::secret::{REDACTED, SecretString};

/// The partner webhook while listen holds it; the previous URL is restored when dropped.
pub struct Registration {
    api: PartnerApi,
    token: SecretString,
    /// The URL set before, to put back; `None` when none was set.
    previous: Option<String>,
    restored: bool,
}

/// Where on the public URL the partner API's events go.
pub fn webhook_url(public_url: &str) -> String {
    format!("{public_url}webhook")
}

/// Register `public_url`, or with `dry_run` only say which calls a real run makes.
pub fn start(
    api_base: &str,
    public_url: &str,
    timeout: std::time::Duration,
    dry_run: bool,
) -> anyhow::Result<Option<Registration>> {
    let api = PartnerApi::new(api_base, timeout)?;
    let url = webhook_url(public_url);
    if dry_run {
        let get = api.endpoint_url(Endpoint::GetWebhook);
        let set = api.endpoint_url(Endpoint::SetWebhook);
        eprintln!(
            "dry run: --register partner would call, with Authorization: Bearer {REDACTED}:\n  \
             GET {get}\n  POST {set} {{\"url\": \"{url}\"}}\n  and on exit POST {set} {{\"url\": \
             <the URL GET returned>}}"
        );
        return Ok(None);
    }
    let (token, source) = partner_api::bearer_token(&api, false, true)?;
    let current = api.get_webhook(&token)?;
    if current.status().as_deref() != Some("OK") {
        bail!(
            "--register partner: reading the partner webhook URL failed ({}); nothing changed",
            describe(&current, Endpoint::GetWebhook)
        );
    }
    let previous = current
        .str_field("url")
        .map(str::trim)
        .filter(|url| !url.is_empty())
        .map(str::to_string);
    let answer = api.set_webhook(&token, &url)?;
    if answer.status().as_deref() != Some("OK") {
        bail!(
            "--register partner: setting the webhook URL to {url} failed ({}); nothing changed",
            describe(&answer, Endpoint::SetWebhook)
        );
    }
    match &previous {
        Some(previous) => eprintln!(
            "partner webhook: {url} (was {previous}; put back when listen stops; token from {source})"
        ),
        None => eprintln!("partner webhook: {url} (none was set before; token from {source})"),
    }
    Ok(Some(Registration {
        api,
        token,
        previous,
        restored: false,
    }))
}

fn describe(answer: &partner_api::Answer, endpoint: Endpoint) -> String {
    match answer.reason() {
        Some(code) => format!(
            "reason {code}: {}",
            partner_api::reason_meaning(endpoint, code)
        ),
        None => "no reason given".to_string(),
    }
}

impl Registration {
    /// Put the previous URL back (once).
    pub fn restore(&mut self) {
        if std::mem::replace(&mut self.restored, true) {
            return;
        }
        let Some(previous) = &self.previous else {
            output::warn(
                "--register partner: no webhook URL was set before, and the partner API cannot \
                 unset one: the tunnel's URL stays set (`wa-hook partner set-url URL` changes it)",
            );
            return;
        };
        match self.api.set_webhook(&self.token, previous) {
            Ok(answer) if answer.status().as_deref() == Some("OK") => {
                eprintln!("partner webhook: put back to {previous}");
            }
            Ok(answer) => output::warn(format!(
                "--register partner: putting back {previous} failed ({}); run `wa-hook partner \
                 set-url {previous}`",
                describe(&answer, Endpoint::SetWebhook)
            )),
            Err(err) => output::warn(format!(
                "--register partner: putting back {previous} failed: {err:#}; run `wa-hook \
                 partner set-url {previous}`"
            )),
        }
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        self.restore();
    }
}
