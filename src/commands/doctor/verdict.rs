//! What one check found, and the common reading of an answer to a delivery: its status, its
//! time against the budget, a redirect, no answer at all — each with a likely cause and a
//! one-line fix.
use std::time::Duration;

use serde::Serialize;

use super::Doctor;
use super::probe::{Answer, AppStop, FailureKind, Reply};
use crate::output::{self, Notation, ms};
use crate::providers::{BudgetSource, Protection};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Status {
    Passed,
    Failed,
    Warning,
    Skipped,
    /// Could not run: the app had stopped (neither passed nor failed; the stop itself fails
    /// the run).
    NotRun,
}

/// A likely cause and a fix, for a failure or a warning.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct Problem {
    pub summary: String,
    pub cause: String,
    pub fix: String,
}

impl Problem {
    pub fn new(
        summary: impl Into<String>,
        cause: impl Into<String>,
        fix: impl Into<String>,
    ) -> Problem {
        Problem {
            summary: summary.into(),
            cause: cause.into(),
            fix: fix.into(),
        }
    }
}

/// Latency figures of a check that sent many requests.
#[derive(Clone, Debug, Serialize)]
#[allow(
    clippy::struct_field_names,
    reason = "the names are the JSON keys, with their unit"
)]
pub(crate) struct Latency {
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
}

impl Latency {
    pub fn of(latencies: &[Duration]) -> Option<Latency> {
        let mut sorted = latencies.to_vec();
        sorted.sort_unstable();
        let last = *sorted.last()?;
        Some(Latency {
            p50_ms: ms(output::percentile(&sorted, 50.0)),
            p99_ms: ms(output::percentile(&sorted, 99.0)),
            max_ms: ms(last),
        })
    }
}

/// One check's result.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct CheckResult {
    pub check: &'static str,
    pub status: Status,
    pub summary: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cause: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
    /// One line per request that went wrong (or, for a pass, nothing).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<String>,
    pub requests: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latency: Option<Latency>,
    pub duration_ms: f64,
    /// The errors the app logged during the check (when doctor started the app), scrubbed.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub app_log: Vec<String>,
    /// The times the app stopped during the check.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub app_stops: Vec<AppStop>,
}

impl CheckResult {
    pub fn passed(check: &'static str, summary: impl Into<String>) -> CheckResult {
        CheckResult {
            check,
            status: Status::Passed,
            summary: summary.into(),
            cause: None,
            fix: None,
            details: Vec::new(),
            requests: 0,
            latency: None,
            duration_ms: 0.0,
            app_log: Vec::new(),
            app_stops: Vec::new(),
        }
    }

    pub fn not_run(check: &'static str, why: impl Into<String>) -> CheckResult {
        CheckResult {
            status: Status::NotRun,
            ..CheckResult::passed(check, why)
        }
    }

    pub fn skipped(check: &'static str, why: impl Into<String>) -> CheckResult {
        CheckResult {
            status: Status::Skipped,
            ..CheckResult::passed(check, why)
        }
    }

    pub fn failed(check: &'static str, problem: Problem) -> CheckResult {
        CheckResult {
            status: Status::Failed,
            cause: Some(problem.cause),
            fix: Some(problem.fix),
            ..CheckResult::passed(check, problem.summary)
        }
    }

    pub fn warning(check: &'static str, problem: Problem) -> CheckResult {
        CheckResult {
            status: Status::Warning,
            ..CheckResult::failed(check, problem)
        }
    }

    pub fn requests(mut self, count: usize) -> CheckResult {
        self.requests = count;
        self
    }

    pub fn details(mut self, details: Vec<String>) -> CheckResult {
        self.details = details;
        self
    }

    pub fn latency(mut self, latencies: &[Duration]) -> CheckResult {
        self.latency = Latency::of(latencies);
        self
    }
}

/// Which budget the answers are held to, in words: "Qikchat's 2 s".
pub(crate) fn budget_words(doctor: &Doctor) -> String {
    let budget = output::duration(doctor.budget, Notation::Words);
    match doctor.budget_source {
        BudgetSource::Given => format!("the --budget of {budget}"),
        BudgetSource::Provider(provider) => format!("{}'s {budget}", provider.display_name()),
        BudgetSource::Default => format!("the default budget of {budget}"),
    }
}

/// What is wrong with the answer to a delivery (`what`: "qikchat/message-text"), or `None`
/// when it was 2xx within the budget.
pub(crate) fn delivery_problem(doctor: &Doctor, what: &str, reply: &Reply) -> Option<Problem> {
    let answer = match reply {
        Reply::Failed(failure) => return Some(failure_problem(doctor, what, failure)),
        Reply::Answer(answer) => answer,
    };
    if let Some(mut problem) = status_problem(doctor, what, answer) {
        if let Some(logged) = &answer.logged {
            problem.summary = format!("{}; the app logged: {logged}", problem.summary);
        }
        return Some(problem);
    }
    if let Some(logged) = &answer.logged {
        return Some(Problem::new(
            format!(
                "{what}: answered {}, but the app logged: {logged}",
                answer.status
            ),
            format!(
                "the app failed on this body and acknowledged it anyway: {} will not send it \
                 again, so what it held is lost without a trace but the log",
                doctor.provider.display_name()
            ),
            "handle this body without an error (or ignore what you do not use); answer 200 \
             only once it is handled or safely queued",
        ));
    }
    if let Some(error) = &answer.body_error {
        return Some(Problem::new(
            format!("{what}: {} {error}", answer.status),
            "the app's answer did not end properly",
            "answer with a short body (or none) and end the response",
        ));
    }
    (answer.latency > doctor.budget).then(|| {
        Problem::new(
            format!(
                "{what}: {} after {}, over {}",
                answer.status,
                output::duration(answer.latency, Notation::Measured),
                budget_words(doctor)
            ),
            slow_cause(doctor),
            "answer 200 at once and process afterwards (a queue or a background task)",
        )
    })
}

/// Why a slow answer matters: the provider's own limit where it documents one; otherwise only
/// that the budget was exceeded (no provider fact is claimed).
fn slow_cause(doctor: &Doctor) -> String {
    let provider = doctor.provider.display_name();
    match crate::providers::budget(None, Some(doctor.provider)).1 {
        BudgetSource::Provider(_) => format!(
            "the app does its work before answering; {provider} counts a slow answer as failed \
             and sends the webhook again"
        ),
        _ => format!(
            "the app does its work before answering; {provider} documents no time limit, but a \
             sender that times out counts a slow answer as failed and sends it again"
        ),
    }
}

fn failure_problem(doctor: &Doctor, what: &str, failure: &super::probe::Failure) -> Problem {
    if let Some(crashed) = &failure.crashed {
        let logged = failure
            .logged
            .as_ref()
            .map(|line| format!("; it logged: {line}"))
            .unwrap_or_default();
        return Problem::new(
            if failure.crashed_among_others {
                format!(
                    "{what}: no answer: the app stopped while it and others were in flight: {crashed}{logged}"
                )
            } else {
                format!("{what}: the app stopped on it: {crashed}{logged}")
            },
            "the app's process ended while handling this body: an error it does not catch",
            "catch errors in the webhook handler (log them, answer 200 or 500), so that no body \
             can end the process; then handle or ignore this kind",
        );
    }
    match failure.kind {
        FailureKind::Timeout => Problem::new(
            format!(
                "{what}: no answer within {}",
                output::duration(doctor.probe.timeout, Notation::Words)
            ),
            "the app took longer than --timeout, or never answered",
            "answer 200 at once and process afterwards; check the app's log for a hang",
        ),
        FailureKind::Tls => Problem::new(
            format!("{what}: TLS failed"),
            failure.message.clone(),
            "serve a certificate from a public authority (Let's Encrypt), with its full chain",
        ),
        FailureKind::BadAnswer => Problem::new(
            format!("{what}: an answer that cannot be read as HTTP"),
            failure.message.clone(),
            "answer in plain HTTP/1.1 with a few short headers (providers read little of an answer)",
        ),
        _ => {
            let logged = failure
                .logged
                .as_ref()
                .map(|line| format!("; the app logged: {line}"))
                .unwrap_or_default();
            Problem::new(
                format!("{what}: no answer{logged}"),
                failure.message.clone(),
                "see the app's log: it closed the connection without answering (a crash?)",
            )
        }
    }
}

/// The problem with a non-2xx status, if it is one.
pub(crate) fn status_problem(doctor: &Doctor, what: &str, answer: &Answer) -> Option<Problem> {
    let status = answer.status;
    if answer.is_success() {
        return None;
    }
    // The start of the app's answer often names the error ("duplicate key value ...").
    let said = output::excerpt(&doctor.probe.scrub(&answer.text()), 60);
    let summary = if said.is_empty() || answer.is_redirect() {
        format!("{what}: answered {status}")
    } else {
        format!("{what}: answered {status} \"{said}\"")
    };
    Some(match status {
        300..=399 => redirect_problem(doctor, what, answer),
        401 | 403 => refusal_problem(doctor, summary),
        404 | 405 => Problem::new(
            summary,
            "nothing answers a POST at this URL",
            "check the URL's path, and that the route accepts POST",
        ),
        413 => Problem::new(
            summary,
            "the body was larger than the app (or a proxy in front of it) accepts",
            "raise the body size limit (e.g. express.json({ limit: '5mb' }), nginx \
             client_max_body_size)",
        ),
        415 => Problem::new(
            summary,
            "the app refused Content-Type: application/json",
            "accept application/json bodies on the webhook route",
        ),
        400 | 422 => Problem::new(
            summary,
            "the app rejected the body as invalid: its validation refuses what it does not know",
            "accept unknown kinds, fields and properties; validate only what you use",
        ),
        500..=599 => Problem::new(
            summary,
            "the app failed on this body (an exception?)",
            "see the app's log; answer 200 even for bodies it does not handle yet",
        ),
        _ => Problem::new(
            summary,
            format!("providers take only 2xx as delivered; {status} is not"),
            "answer 200 to every webhook you received",
        ),
    })
}

/// A 401 or 403 to a delivery: what the provider's signature or credentials, as doctor sent
/// them, tell about it.
fn refusal_problem(doctor: &Doctor, summary: String) -> Problem {
    let rules = doctor.provider.rules();
    match rules.signing() {
        Some(_) if !doctor.probe.has_app_secret() => Problem::new(
            summary,
            "the app refused an unsigned body (good: it checks signatures)",
            "give --app-secret-env VAR with your app secret, so doctor signs as Meta does",
        ),
        Some(signing) => Problem::new(
            summary,
            "the app refused a body signed with the app secret given",
            format!(
                "verify {} over the raw request bytes with the same app secret (see the \
                 signed-post check)",
                signing.header()
            ),
        ),
        None if rules.protection() == Protection::BasicAuth && !doctor.probe.has_basic_auth() => {
            Problem::new(
                summary,
                "the app asks for credentials",
                "give --basic-auth-env VAR holding the USER:PASS set in the provider's \
                 dashboard",
            )
        }
        None if doctor.probe.has_basic_auth() => Problem::new(
            summary,
            "the app refused the Basic credentials given",
            "make the app expect the same USER:PASS as --basic-auth-env",
        ),
        None => Problem::new(
            summary,
            format!(
                "the app refused the request; {} sends no credentials",
                doctor.provider.display_name()
            ),
            "do not require credentials the provider cannot send (use a secret path)",
        ),
    }
}

/// A redirect, named plainly: providers do not follow them.
pub(crate) fn redirect_problem(doctor: &Doctor, what: &str, answer: &Answer) -> Problem {
    let target = doctor.probe.target_url();
    let location = answer.location.clone().unwrap_or_default();
    let summary = if location.is_empty() {
        format!("{what}: redirected ({}) without a Location", answer.status)
    } else {
        format!("{what}: redirected ({}) to {location}", answer.status)
    };
    // The URL to give the provider keeps the target's own query, not what doctor added to it
    // (the handshake's hub.* parameters, which a redirect carries along).
    let resolved = target.join(&location).ok().map(|mut to| {
        to.set_query(target.query());
        to
    });
    let cause = match &resolved {
        Some(to) if to.path() == format!("{}/", target.path().trim_end_matches('/')) => {
            "the route is defined with a trailing slash; providers do not follow redirects"
                .to_string()
        }
        Some(to) if to.scheme() == "https" && target.scheme() == "http" => {
            "the server sends http:// to https://; providers do not follow redirects".to_string()
        }
        _ => "providers do not follow redirects: the webhook is lost".to_string(),
    };
    let fix = match resolved {
        Some(to) => format!("give the provider the final URL, {to}"),
        None => "give the provider the URL that answers itself, without a redirect".to_string(),
    };
    Problem::new(summary, cause, fix)
}
