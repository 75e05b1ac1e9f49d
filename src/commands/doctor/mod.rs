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
mod deliveries;
mod handshake;
mod probe;
mod query;
mod reply;
mod report;
mod signing;
mod variants;
mod verdict;

use std::time::Instant;

use anyhow::bail;

use crate::app;
use crate::cli::DoctorArgs;
use crate::error::Outcome;
use crate::http;
use crate::ids::IdSource;
use crate::providers::{self, Auth, BudgetSource, Protection, Provider};
use crate::secret::{self, BasicAuth, SecretString};
use crate::signals;
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
    provider.rules().handshake().is_some()
}

fn signs(provider: Provider) -> bool {
    provider.rules().signing().is_some()
}

fn basic_auth(provider: Provider) -> bool {
    provider.rules().auth() == Some(Auth::Basic)
}

fn query_method(provider: Provider) -> bool {
    provider.rules().query_method().is_some()
}

fn instant_replies(provider: Provider) -> bool {
    provider
        .rules()
        .instant_replies()
        .and_then(|replies| replies.reply_schema(&providers::Kind::named("message")))
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
        run: handshake::handshake,
    },
    Check {
        name: "handshake-wrong-token",
        applies: has_handshake,
        sends: Sends::Handshake,
        run: handshake::handshake_wrong_token,
    },
    Check {
        name: "signed-post",
        applies: signs,
        sends: Sends::Deliveries,
        run: signing::signed_post,
    },
    Check {
        name: "wrong-signature",
        applies: signs,
        sends: Sends::Forgeries,
        run: signing::wrong_signature,
    },
    Check {
        name: "unsigned-post",
        applies: signs,
        sends: Sends::Forgeries,
        run: signing::unsigned_post,
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
        run: query::query_method,
    },
    Check {
        name: "instant-reply",
        applies: instant_replies,
        sends: Sends::Deliveries,
        run: reply::instant_reply,
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
    let selected = select(args.provider, &args.only, &args.skip)?;
    let flags = Flags::from_args(&args)?;
    // Opened before anything is sent, so a bad path fails at once.
    let mut junit = args
        .junit
        .as_deref()
        .map(report::JunitFile::create)
        .transpose()?;
    // Ctrl-C or SIGTERM: the request under way is dropped, and the results so far are
    // printed (and written to --junit) before exit 130, as replay does. A second one kills
    // the app's process group and exits at once.
    let stop = signals::install()?;
    stop.on_second_signal(app::kill_now);
    let app = match start_app(&args, &flags, stop) {
        Err(_) if stop.requested() => {
            eprintln!("wa-hook: doctor stopped by Ctrl-C or SIGTERM while the app started");
            return Ok(Outcome::Interrupted);
        }
        started => started?,
    };
    let format = args.format;
    let mut doctor = Doctor::new(args, flags, stop, app)?;
    let mut printer = report::Printer::new(format, &doctor);
    crate::output::best_effort(printer.header(&doctor))?;
    let started = Instant::now();
    let progress = run_checks(&mut doctor, &selected, &mut printer, &mut junit)?;
    let elapsed = started.elapsed();
    crate::output::best_effort(printer.summary(&progress.results, &progress.stops, elapsed))?;
    if let Some(junit) = junit {
        junit.write(&doctor, &progress.results, &progress.stops, elapsed)?;
    }
    doctor.probe.stop_app();
    progress.outcome(&doctor, selected.len())
}

/// The flags read and checked before anything starts: credentials, headers, the budget.
struct Flags {
    target: url::Url,
    verify_token: Option<SecretString>,
    app_secret: Option<SecretString>,
    basic_auth: Option<BasicAuth>,
    requests: http::RequestSettings,
    /// Every secret above, scrubbed from what the app prints.
    secrets: Vec<SecretString>,
    budget: std::time::Duration,
    budget_source: BudgetSource,
}

impl Flags {
    fn from_args(args: &DoctorArgs) -> anyhow::Result<Flags> {
        let provider = args.provider;
        let target = http::parse_target(&args.url)?;
        let rules = provider.rules();
        let vars = &args.credentials;
        if vars.verify_token_env.is_some() && rules.handshake().is_none() {
            bail!(
                "--verify-token-env is for Meta's verification handshake; {} has none",
                provider.display_name()
            );
        }
        if vars.app_secret.app_secret_env.is_some() && rules.signing().is_none() {
            bail!(
                "--app-secret-env signs bodies as Meta does; {} does not sign its bodies",
                provider.display_name()
            );
        }
        if vars.basic_auth_env.is_some() && rules.protection() != Protection::BasicAuth {
            bail!(
                "--basic-auth-env sends Basic credentials as Qikchat can; {} sends none",
                provider.display_name()
            );
        }
        let credentials = vars.resolve()?;
        let requests = args.http.resolve()?;
        let mut secrets: Vec<SecretString> = credentials.secrets().cloned().collect();
        secrets.extend(requests.header_secrets.iter().cloned());
        let secret::Credentials {
            basic_auth,
            app_secret,
            verify_token,
        } = credentials;
        let (budget, budget_source) = providers::budget(args.budget.given(), Some(provider));
        Ok(Flags {
            target,
            verify_token,
            app_secret,
            basic_auth,
            requests,
            secrets,
            budget,
            budget_source,
        })
    }
}

/// Start the app given after `--`, if any, and wait until it accepts connections.
fn start_app(
    args: &DoctorArgs,
    flags: &Flags,
    stop: signals::Stop,
) -> anyhow::Result<Option<app::App>> {
    if args.app.is_empty() {
        return Ok(None);
    }
    app::App::start(
        app::AppOptions {
            command: args.app.clone(),
            target: flags.target.clone(),
            start_timeout: args.app_start.start_timeout,
            verbose: args.app_start.verbose,
            secrets: flags.secrets.clone(),
            env: Vec::new(),
        },
        &move || stop.requested(),
    )
    .map(Some)
}

/// What the checks found so far.
#[derive(Default)]
struct Progress {
    results: Vec<CheckResult>,
    /// Set when the answers so far make the checks left pointless: every delivery refused for
    /// want of credentials doctor was not given, or redirected.
    blocked: Option<String>,
    interrupted: bool,
    /// Every time the app stopped: each one fails the run.
    stops: Vec<probe::AppStop>,
}

impl Progress {
    /// The exit code for what was found, and the last word on stderr.
    fn outcome(&self, doctor: &Doctor, planned: usize) -> anyhow::Result<Outcome> {
        let results = &self.results;
        if self.interrupted {
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
            if let Some(flag) = doctor
                .missing_credentials()
                .filter(|_| self.blocked.is_some())
            {
                bail!(
                    "nothing could be tested: the app refuses requests without credentials; give {flag}"
                );
            }
        }
        Ok(Outcome::from_ok(
            self.stops.is_empty() && !results.iter().any(|r| r.status == Status::Failed),
        ))
    }
}

/// Run the selected checks in order, printing each result as it comes, until the end or a
/// Ctrl-C. An endpoint that cannot be reached ends the run with an error (and a --junit file
/// that says so).
fn run_checks(
    doctor: &mut Doctor,
    selected: &[&'static Check],
    printer: &mut report::Printer,
    junit: &mut Option<report::JunitFile>,
) -> anyhow::Result<Progress> {
    let mut progress = Progress::default();
    for check in selected {
        if progress.interrupted || doctor.probe.interrupted() {
            progress.interrupted = true;
            break;
        }
        let result = match doctor.not_run(check, progress.blocked.as_ref()) {
            Some(result) => result,
            None => match doctor.run_check(check, &mut progress) {
                Ok(result) => result,
                Err(Halt::Interrupted) => {
                    progress.interrupted = true;
                    CheckResult::skipped(check.name, "not finished: interrupted")
                }
                Err(Halt::Unreachable(why)) => {
                    let message = format!("cannot test the endpoint: {why}");
                    if let Some(junit) = junit.take() {
                        junit.write_unreachable(doctor, check.name, &message)?;
                    }
                    bail!("{message}");
                }
            },
        };
        crate::output::best_effort(printer.check(&result))?;
        progress.results.push(result);
    }
    Ok(progress)
}

impl Doctor {
    fn new(
        args: DoctorArgs,
        flags: Flags,
        stop: signals::Stop,
        app: Option<app::App>,
    ) -> anyhow::Result<Doctor> {
        let probe = Probe::new(ProbeOptions {
            target: flags.target,
            http: flags.requests.options,
            headers: flags.requests.headers,
            basic_auth: flags.basic_auth,
            app_secret: flags.app_secret,
            signing: args.provider.rules().signing(),
            secrets: flags.secrets,
            stop: stop.watch(),
            app,
        })?;
        Ok(Doctor {
            provider: args.provider,
            probe,
            budget: flags.budget,
            budget_source: flags.budget_source,
            verify_token: flags
                .verify_token
                .map(|token| (token, args.credentials.verify_token_env.unwrap_or_default())),
            app_secret_var: args.credentials.app_secret.app_secret_env,
            basic_auth_var: args.credentials.basic_auth_env,
            ids: IdSource::new(),
        })
    }

    /// Why `check` is not run, as its result: the app is down, stalled, or refuses every
    /// delivery (`blocked`; the handshake is still tried).
    fn not_run(&self, check: &Check, blocked: Option<&String>) -> Option<CheckResult> {
        if let Some(stop) = self.probe.down() {
            return Some(CheckResult::not_run(
                check.name,
                format!(
                    "not run: the app stopped during {}, on {}",
                    stop.check, stop.on
                ),
            ));
        }
        let why = if self.probe.stalled() {
            Some("not run: the app stopped answering (requests in a row timed out)".to_string())
        } else {
            blocked.cloned().filter(|_| check.sends != Sends::Handshake)
        };
        why.map(|why| CheckResult::skipped(check.name, why))
    }

    /// Run one check, and read what its answers and the app's stops say about it.
    fn run_check(&mut self, check: &Check, progress: &mut Progress) -> Result<CheckResult, Halt> {
        let started = Instant::now();
        self.probe.start_check(check.name);
        let result = (check.run)(self)?;
        self.probe.finish_check()?;
        let result = self.read_tally(check, result, &mut progress.blocked);
        let mut result = self.read_stops(check, result, &mut progress.stops);
        result.duration_ms = crate::output::ms(started.elapsed());
        Ok(result)
    }

    /// Whether doctor can send what the provider's requests carry to prove who they are: the
    /// signature (`--app-secret-env`) or the Basic credentials (`--basic-auth-env`).
    fn missing_credentials(&self) -> Option<&'static str> {
        let rules = self.provider.rules();
        if rules.signing().is_some() && !self.probe.has_app_secret() {
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
        result.app_stops.clone_from(&new);
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
