//! `wa-hook doctor URL --provider P`: test a webhook endpoint the way the provider will, and
//! say why a check fails.
//!
//! Providers explain nothing when an endpoint misbehaves ("The callback URL or verify token
//! couldn't be validated"), and the usual mistakes are in the receiving app: the challenge
//! answered as JSON, a redirect, no signature check, a slow acknowledgement, a 500 on a retried
//! delivery, a crash on a kind it has never seen. Each check sends what the provider sends and
//! reads the answer as the provider would; what to send comes from the registry (samples,
//! kinds, budgets, signing, the handshake, novelties), so a provider's knowledge stays in its
//! module. The checks are listed once, in [`CHECKS`]; the arguments become a [`Doctor`] before
//! anything is sent; [`report`] prints text, JSON and JUnit.
mod app;
mod deliveries;
mod meta;
mod picky;
mod probe;
mod report;
mod variants;
mod verdict;

use std::time::Instant;

use anyhow::bail;

use crate::cli::DoctorArgs;
use crate::error::Outcome;
use crate::http;
use crate::ids::IdSource;
use crate::providers::{self, BudgetSource, Protection, Provider};
use crate::secret::{self, BasicAuth, SecretString};
use probe::{Halt, Probe, ProbeOptions};
use verdict::{CheckResult, Status};

/// One check: its name (for `--only` / `--skip` and the output), whether it applies to a
/// provider, what it sends, and what it does.
pub(crate) struct Check {
    pub name: &'static str,
    applies: fn(Provider) -> bool,
    sends: Sends,
    run: fn(&mut Doctor) -> Result<CheckResult, Halt>,
}

/// What a check sends, which says what its answers tell about the rest of the run.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Sends {
    /// Meta's verification GET.
    Handshake,
    /// POSTs without the provider's credentials or signature, to see them refused.
    Forgeries,
    /// POSTs as the provider sends them, with its credentials and signature.
    Deliveries,
}

fn always(_: Provider) -> bool {
    true
}

fn has_handshake(provider: Provider) -> bool {
    provider.rules().verifies_with_handshake()
}

fn signs(provider: Provider) -> bool {
    provider.rules().signs_bodies()
}

fn basic_auth(provider: Provider) -> bool {
    provider.rules().protection() == Protection::BasicAuth
}

fn query_method(provider: Provider) -> bool {
    provider.rules().query_method().is_some()
}

fn instant_replies(provider: Provider) -> bool {
    provider
        .rules()
        .reply_schema(&providers::Kind::named("message"))
        .is_some()
}

fn sends_statuses(provider: Provider) -> bool {
    deliveries::status_sample(provider).is_some()
}

fn has_novelties(provider: Provider) -> bool {
    !provider.rules().novelties().is_empty()
}

/// Every check, in the order they run (the handshake first, as the provider does).
pub(crate) const CHECKS: &[Check] = &[
    Check {
        name: "handshake",
        applies: has_handshake,
        sends: Sends::Handshake,
        run: meta::handshake,
    },
    Check {
        name: "handshake-wrong-token",
        applies: has_handshake,
        sends: Sends::Handshake,
        run: meta::handshake_wrong_token,
    },
    Check {
        name: "signed-post",
        applies: signs,
        sends: Sends::Deliveries,
        run: meta::signed_post,
    },
    Check {
        name: "wrong-signature",
        applies: signs,
        sends: Sends::Forgeries,
        run: meta::wrong_signature,
    },
    Check {
        name: "unsigned-post",
        applies: signs,
        sends: Sends::Forgeries,
        run: meta::unsigned_post,
    },
    Check {
        name: "basic-auth-missing",
        applies: basic_auth,
        sends: Sends::Forgeries,
        run: deliveries::basic_auth_missing,
    },
    Check {
        name: "basic-auth-wrong",
        applies: basic_auth,
        sends: Sends::Forgeries,
        run: deliveries::basic_auth_wrong,
    },
    Check {
        name: "query-method",
        applies: query_method,
        sends: Sends::Deliveries,
        run: picky::query_method,
    },
    Check {
        name: "instant-reply",
        applies: instant_replies,
        sends: Sends::Deliveries,
        run: picky::instant_reply,
    },
    Check {
        name: "kinds",
        applies: always,
        sends: Sends::Deliveries,
        run: deliveries::kinds,
    },
    Check {
        name: "identities",
        applies: variants::has_identities,
        sends: Sends::Deliveries,
        run: variants::identities,
    },
    Check {
        name: "batched",
        applies: variants::batches,
        sends: Sends::Deliveries,
        run: variants::batched,
    },
    Check {
        name: "duplicate",
        applies: always,
        sends: Sends::Deliveries,
        run: deliveries::duplicate,
    },
    Check {
        name: "out-of-order",
        applies: sends_statuses,
        sends: Sends::Deliveries,
        run: deliveries::out_of_order,
    },
    Check {
        name: "unknown-kind",
        applies: has_novelties,
        sends: Sends::Deliveries,
        run: deliveries::unknown_kind,
    },
    Check {
        name: "extra-property",
        applies: always,
        sends: Sends::Deliveries,
        run: deliveries::extra_property,
    },
    Check {
        name: "large-body",
        applies: always,
        sends: Sends::Deliveries,
        run: deliveries::large_body,
    },
    Check {
        name: "burst",
        applies: sends_statuses,
        sends: Sends::Deliveries,
        run: deliveries::burst,
    },
];

/// What a run needs, checked before anything is sent.
pub(crate) struct Doctor {
    pub provider: Provider,
    pub probe: Probe,
    pub budget: std::time::Duration,
    pub budget_source: BudgetSource,
    /// Meta's verify token and the variable it came from.
    pub verify_token: Option<(SecretString, String)>,
    pub app_secret_var: Option<String>,
    pub basic_auth_var: Option<String>,
    pub ids: IdSource,
}

pub fn run(args: DoctorArgs) -> anyhow::Result<Outcome> {
    let provider = args.provider;
    let selected = select(provider, &args.only, &args.skip)?;
    let target = http::parse_target(&args.url)?;
    let rules = provider.rules();
    if args.verify_token_env.is_some() && !rules.verifies_with_handshake() {
        bail!(
            "--verify-token-env is for Meta's verification handshake; {} has none",
            provider.display_name()
        );
    }
    if args.app_secret_env.is_some() && !rules.signs_bodies() {
        bail!(
            "--app-secret-env signs bodies as Meta does; {} does not sign its bodies",
            provider.display_name()
        );
    }
    if args.basic_auth_env.is_some() && rules.protection() != Protection::BasicAuth {
        bail!(
            "--basic-auth-env sends Basic credentials as Qikchat can; {} sends none",
            provider.display_name()
        );
    }
    let verify_token = secret::from_env_flag(args.verify_token_env.as_deref(), "verify token")?;
    let app_secret = secret::from_env_flag(args.app_secret_env.as_deref(), "Meta app secret")?;
    let basic_auth = BasicAuth::from_args(None, args.basic_auth_env.as_deref())?;
    let headers = args
        .headers
        .iter()
        .map(|text| http::parse_header(text))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let mut secrets: Vec<SecretString> = verify_token.iter().cloned().collect();
    secrets.extend(app_secret.iter().cloned());
    if let Some(auth) = &basic_auth {
        secrets.extend(auth.secrets().into_iter().cloned());
    }
    for (name, value) in &headers {
        secrets.extend(secret::header_secrets(
            name.as_str(),
            value.to_str().unwrap_or(""),
        ));
    }
    let (budget, budget_source) = providers::budget(args.budget, Some(provider));
    // Opened before anything is sent, so a bad path fails at once.
    let junit = args
        .junit
        .as_deref()
        .map(report::JunitFile::create)
        .transpose()?;
    // Ctrl-C or SIGTERM: the request under way is dropped, and the results so far are
    // printed (and written to --junit) before exit 130, as replay does. A second one stops at
    // once.
    let (stop_sender, stop) = tokio::sync::watch::channel(false);
    let _ = ctrlc::set_handler(move || {
        if stop_sender.send_replace(true) {
            app::kill_now();
            std::process::exit(i32::from(crate::error::EXIT_INTERRUPTED));
        }
    });
    let app = if args.app.is_empty() {
        None
    } else {
        let stopped = stop.clone();
        let started = app::App::start(
            app::AppOptions {
                command: args.app.clone(),
                target: target.clone(),
                start_timeout: args.start_timeout,
                verbose: args.verbose,
                secrets: secrets.clone(),
            },
            &move || *stopped.borrow(),
        );
        match started {
            Ok(app) => Some(app),
            Err(_) if *stop.borrow() => {
                eprintln!("wa-hook: doctor stopped by Ctrl-C or SIGTERM while the app started");
                return Ok(Outcome::Interrupted);
            }
            Err(err) => return Err(err),
        }
    };
    let probe = Probe::new(ProbeOptions {
        target,
        http: http::HttpOptions {
            timeout: args.timeout,
            insecure: args.insecure,
        },
        headers,
        basic_auth,
        app_secret,
        secrets,
        stop,
        app,
    })?;
    let mut doctor = Doctor {
        provider,
        probe,
        budget,
        budget_source,
        verify_token: verify_token.map(|token| (token, args.verify_token_env.unwrap_or_default())),
        app_secret_var: args.app_secret_env,
        basic_auth_var: args.basic_auth_env,
        ids: IdSource::new(),
    };
    let mut printer = report::Printer::new(args.format, &doctor);
    crate::output::best_effort(printer.header(&doctor))?;
    let started = Instant::now();
    let mut results = Vec::new();
    // Set when the answers so far make the checks left pointless: every delivery refused for
    // want of credentials doctor was not given, or redirected.
    let mut blocked: Option<String> = None;
    let mut interrupted = false;
    // Every time the app stopped: each one fails the run.
    let mut stops: Vec<probe::AppStop> = Vec::new();
    let planned = selected.len();
    for check in selected {
        if interrupted || doctor.probe.interrupted() {
            interrupted = true;
            break;
        }
        if let Some(stop) = doctor.probe.down() {
            let result = CheckResult::not_run(
                check.name,
                format!(
                    "not run: the app stopped during {}, on {}",
                    stop.check, stop.on
                ),
            );
            crate::output::best_effort(printer.check(&result))?;
            results.push(result);
            continue;
        }
        let not_run = if doctor.probe.stalled() {
            Some("not run: the app stopped answering (requests in a row timed out)".to_string())
        } else {
            blocked.clone().filter(|_| check.sends != Sends::Handshake)
        };
        if let Some(why) = not_run {
            let result = CheckResult::skipped(check.name, why);
            crate::output::best_effort(printer.check(&result))?;
            results.push(result);
            continue;
        }
        let check_started = Instant::now();
        doctor.probe.start_check(check.name);
        let outcome = (check.run)(&mut doctor).and_then(|result| {
            doctor.probe.finish_check()?;
            Ok(result)
        });
        match outcome {
            Ok(result) => {
                let result = doctor.read_tally(check, result, &mut blocked);
                let mut result = doctor.read_stops(check, result, &mut stops);
                result.duration_ms = crate::output::ms(check_started.elapsed());
                crate::output::best_effort(printer.check(&result))?;
                results.push(result);
            }
            Err(Halt::Interrupted) => {
                let result = CheckResult::skipped(check.name, "not finished: interrupted");
                crate::output::best_effort(printer.check(&result))?;
                results.push(result);
                interrupted = true;
            }
            Err(Halt::Unreachable(why)) => {
                let message = format!("cannot test the endpoint: {why}");
                if let Some(junit) = junit {
                    junit.write_unreachable(&doctor, check.name, &message)?;
                }
                bail!("{message}");
            }
        }
    }
    let elapsed = started.elapsed();
    crate::output::best_effort(printer.summary(&results, &stops, elapsed))?;
    if let Some(junit) = junit {
        junit.write(&doctor, &results, &stops, elapsed)?;
    }
    doctor.probe.stop_app();
    if interrupted {
        eprintln!(
            "wa-hook: doctor stopped by Ctrl-C or SIGTERM; {} of {} shown",
            results.len(),
            crate::output::plural(planned as u64, "check", "checks")
        );
        return Ok(Outcome::Interrupted);
    }
    // Every check skipped because the app refuses strangers: nothing about the app was
    // tested, which is not a pass.
    if results.iter().all(|r| r.status == Status::Skipped) {
        if let Some(flag) = doctor.missing_credentials().filter(|_| blocked.is_some()) {
            bail!(
                "nothing could be tested: the app refuses requests without credentials; give {flag}"
            );
        }
    }
    Ok(Outcome::from_ok(
        stops.is_empty() && !results.iter().any(|r| r.status == Status::Failed),
    ))
}

impl Doctor {
    /// Whether doctor can send what the provider's requests carry to prove who they are: the
    /// signature (`--app-secret-env`) or the Basic credentials (`--basic-auth-env`).
    fn missing_credentials(&self) -> Option<&'static str> {
        let rules = self.provider.rules();
        if rules.signs_bodies() && !self.probe.has_app_secret() {
            Some("--app-secret-env VAR (the App Secret), so doctor signs bodies as Meta does")
        } else if rules.protection() == Protection::BasicAuth && !self.probe.has_basic_auth() {
            Some("--basic-auth-env VAR (the USER:PASS set in the webhook's headers)")
        } else {
            None
        }
    }

    /// The times the app stopped during this check. A check that had the app stop on one of
    /// its own requests fails, saying so; a check that only found the app gone (it stopped
    /// after the last check's answer) did not run. The errors the app logged are kept with the
    /// check.
    fn read_stops(
        &mut self,
        check: &Check,
        mut result: CheckResult,
        stops: &mut Vec<probe::AppStop>,
    ) -> CheckResult {
        result.app_log = self.probe.logged().to_vec();
        let new = self.probe.take_stops();
        let own = new.iter().any(|stop| stop.check == check.name);
        if !own && !new.is_empty() && self.probe.down().is_some() {
            let stop = &new[0];
            stops.extend(new.iter().cloned());
            let mut not_run = CheckResult::not_run(
                check.name,
                format!(
                    "not run: the app stopped after {}, on {}: {}",
                    stop.check, stop.on, stop.how
                ),
            );
            not_run.app_stops = new;
            return not_run;
        }
        for stop in new.iter().filter(|stop| stop.check == check.name) {
            let sentence = stop.sentence();
            let restarted = if stop.restarted {
                "; doctor started it again"
            } else {
                ""
            };
            if result.status == Status::Failed {
                if !result.summary.contains(&stop.on) || !result.summary.contains("stopped") {
                    result.details.insert(0, format!("{sentence}{restarted}"));
                }
            } else {
                let summary = std::mem::take(&mut result.summary);
                result = CheckResult::failed(
                    check.name,
                    verdict::Problem::new(
                        format!("{sentence}{restarted}"),
                        "the app's process ended after this delivery: an error it does not \
                         catch, or an exit in the handler",
                        "catch errors in the webhook handler (log them, answer 200 or 500), so \
                         that no body can end the process",
                    ),
                )
                .details(vec![summary])
                .requests(result.requests);
            }
        }
        // A stop found in this check but caused by an earlier one's last answer is said here
        // (and in the summary); this check ran against the app started again.
        for stop in new.iter().filter(|stop| stop.check != check.name) {
            result
                .details
                .push(format!("before this check, {}", stop.sentence()));
        }
        result.app_stops = new.clone();
        stops.extend(new);
        result
    }

    /// A failed delivery check whose every answer was 401 or 403 while doctor could not sign
    /// or authenticate tested nothing (the app rightly refuses strangers): it is skipped, and
    /// so are the delivery checks left. A check whose every answer was a redirect is a real
    /// failure, but the checks after it would only say the same again.
    fn read_tally(
        &self,
        check: &Check,
        result: CheckResult,
        blocked: &mut Option<String>,
    ) -> CheckResult {
        let tally = self.probe.tally();
        if result.status != Status::Failed || tally.answers == 0 || check.sends == Sends::Handshake
        {
            return result;
        }
        if check.sends == Sends::Deliveries && tally.refused == tally.answers {
            if let Some(flag) = self.missing_credentials() {
                *blocked = Some(format!(
                    "not run: the app refuses requests without credentials (see {})",
                    check.name
                ));
                return CheckResult::skipped(
                    check.name,
                    format!(
                        "not tested: the app refused every request ({}), as it should without \
                         credentials; give {flag}",
                        tally.last_status
                    ),
                )
                .requests(result.requests);
            }
        }
        if tally.redirected == tally.answers {
            *blocked = Some(format!(
                "not run: the app redirects every request (see {})",
                check.name
            ));
        }
        result
    }
}

/// The checks to run: those that apply to the provider, narrowed by `--only` and `--skip`. A
/// name that is no check, or none of this provider's, is an error that lists the valid ones.
fn select(
    provider: Provider,
    only: &[String],
    skip: &[String],
) -> anyhow::Result<Vec<&'static Check>> {
    let applicable: Vec<&'static Check> = CHECKS
        .iter()
        .filter(|check| (check.applies)(provider))
        .collect();
    let names = || {
        applicable
            .iter()
            .map(|check| check.name)
            .collect::<Vec<_>>()
            .join(", ")
    };
    for (flag, list) in [("--only", only), ("--skip", skip)] {
        for name in list {
            let name = name.trim();
            if applicable.iter().any(|check| check.name == name) {
                continue;
            }
            if CHECKS.iter().any(|check| check.name == name) {
                bail!(
                    "{flag} {name}: that check does not apply to {}; its checks are: {}",
                    provider.display_name(),
                    names()
                );
            }
            bail!(
                "{flag} {name}: there is no such check; the checks for {} are: {}",
                provider.display_name(),
                names()
            );
        }
    }
    let wanted = |check: &&Check| {
        (only.is_empty() || only.iter().any(|name| name.trim() == check.name))
            && !skip.iter().any(|name| name.trim() == check.name)
    };
    let selected: Vec<&'static Check> = applicable.iter().copied().filter(wanted).collect();
    if selected.is_empty() {
        bail!("--only and --skip leave no check to run");
    }
    Ok(selected)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_names_are_unique_and_listed_in_help() {
        let mut names: Vec<&str> = CHECKS.iter().map(|check| check.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), CHECKS.len());
        let help = {
            use clap::CommandFactory;
            let mut command = crate::cli::Cli::command();
            command
                .find_subcommand_mut("doctor")
                .expect("doctor")
                .render_long_help()
                .to_string()
        };
        for name in names {
            assert!(help.contains(&format!("  {name} ")), "{name} not in --help");
        }
    }

    #[test]
    fn every_provider_has_checks_and_unknown_names_are_refused() {
        for provider in Provider::all() {
            let all = select(provider, &[], &[]).unwrap();
            assert!(all.iter().any(|check| check.name == "kinds"));
        }
        let meta = Provider::from_id("meta").unwrap();
        let err = select(meta, &["handshak".into()], &[])
            .err()
            .unwrap()
            .to_string();
        assert!(
            err.contains("no such check") && err.contains("handshake-wrong-token"),
            "{err}"
        );
        let qikchat = Provider::from_id("qikchat").unwrap();
        let err = select(qikchat, &[], &["handshake".into()])
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("does not apply to Qikchat"), "{err}");
        let only = select(
            qikchat,
            &["kinds".into(), "burst".into()],
            &["burst".into()],
        )
        .unwrap();
        assert_eq!(
            only.iter().map(|c| c.name).collect::<Vec<_>>(),
            vec!["kinds"]
        );
    }
}
