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
    if api.base().starts_with("http://") && !crate::http::is_local(&url::Url::parse(api.base())?) {
        output::warn(format!(
            "--api-base {} is plain http://: the token travels unencrypted",
            api.base()
        ));
    }
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
    let answer = match api.set_webhook(&token, &url) {
        Ok(answer) => answer,
        Err(err) => {
            // No answer: the change may still have been made. Put the old URL back to be sure.
            let mut registration = Registration {
                api,
                token,
                previous,
                restored: false,
            };
            let put_back = registration.restore();
            let hint = if put_back {
                String::new()
            } else {
                registration
                    .restore_hint()
                    .map_or_else(String::new, |hint| format!("; {hint}"))
            };
            bail!("--register partner: setting the webhook URL to {url} failed: {err:#}{hint}");
        }
    };
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
    /// What the user can run if wa-hook cannot put the URL back itself.
    pub fn restore_hint(&self) -> Option<String> {
        self.previous.as_ref().map(|previous| {
            format!(
                "the partner webhook still points at the tunnel: run `wa-hook partner set-url \
                 {previous}`"
            )
        })
    }

    /// Put the previous URL back (once). False when that failed (and was said).
    pub fn restore(&mut self) -> bool {
        if std::mem::replace(&mut self.restored, true) {
            return true;
        }
        let Some(previous) = self.previous.clone() else {
            output::warn(
                "--register partner: no webhook URL was set before, and the partner API cannot \
                 unset one: the tunnel's URL stays set (`wa-hook partner set-url URL` changes it)",
            );
            return true;
        };
        eprintln!("partner webhook: putting back {previous} ...");
        let mut outcome = self.api.set_webhook(&self.token, &previous);
        // The token lasts an hour: a long session's may have expired. Look it up again (the
        // environment or the saved token, which `partner token` may have renewed).
        let expired = matches!(&outcome, Ok(answer) if answer.reason() == Some(3));
        if expired {
            if let Ok((token, _)) = partner_api::bearer_token(&self.api, false, false) {
                self.token = token;
                outcome = self.api.set_webhook(&self.token, &previous);
            }
        }
        let failure = match outcome {
            Ok(answer) if answer.status().as_deref() == Some("OK") => {
                eprintln!("partner webhook: put back to {previous}");
                return true;
            }
            Ok(answer) => describe(&answer, Endpoint::SetWebhook),
            Err(err) => format!("{err:#}"),
        };
        output::warn(format!(
            "--register partner: putting back {previous} failed ({failure}); {}",
            self.restore_hint().unwrap_or_default()
        ));
        false
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        self.restore();
    }
}
