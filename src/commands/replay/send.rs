//! Sending: a fixed set of `--concurrency` worker tasks on one thread take jobs (one
//! template, sent once) from a counter, so no task or allocation is made per request beyond
//! what the HTTP client needs. Each result is shown (when results are shown one by one), then
//! counted in the worker's own fixed-size [`Tally`]; the tallies are merged once at the end,
//! so memory stays the same however many requests are sent.
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use indicatif::ProgressBar;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde_json::Value;
use url::Url;

use super::Config;
use super::plan::{Plan, Template};
use super::report;
use super::results::{Detail, Failure, FailureKind, ReplyCheck, Results, Sent, Tally};
use crate::cli::Format;
use crate::http;
use crate::ids::IdSource;
use crate::output;
use crate::providers::{self, near_reply_keys};
use crate::secret;
use crate::validation::{self, CheckOptions, Forced};

struct Shared {
    client: reqwest::Client,
    plan: Arc<Plan>,
    config: Arc<Config>,
    detailed: bool,
    total_jobs: u64,
    next_job: AtomicU64,
    next_slot: AtomicU64,
    start: tokio::time::Instant,
    bar: ProgressBar,
    /// Set by Ctrl-C or SIGTERM: start no new request.
    stop: crate::signals::Stop,
}

const SIGNATURE_HEADER: HeaderName = HeaderName::from_static("x-hub-signature-256");

pub(crate) fn run(
    client: &reqwest::Client,
    plan: &Arc<Plan>,
    config: &Arc<Config>,
    detailed: bool,
) -> anyhow::Result<Results> {
    let total_jobs = (plan.templates.len() as u64).saturating_mul(config.repeat);
    let bar = if detailed || config.format == Format::Json {
        ProgressBar::hidden()
    } else {
        output::progress_bar(plan.total_requests(config.repeat))
    };
    let workers = (config.concurrency as u64).min(total_jobs).max(1) as usize;
    let started = Instant::now();
    // Ctrl-C or SIGTERM: no new request starts, those under way finish, and the summary says
    // what was sent. A second one stops at once.
    let stop = crate::signals::install()?;
    // The workers run on the shared runtime's one thread (see `http::runtime`).
    let (tally, first) = http::runtime().block_on(async {
        let shared = Arc::new(Shared {
            client: client.clone(),
            plan: Arc::clone(plan),
            config: Arc::clone(config),
            detailed,
            total_jobs,
            next_job: AtomicU64::new(0),
            stop,
            next_slot: AtomicU64::new(0),
            start: tokio::time::Instant::now(),
            bar: bar.clone(),
        });
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..workers {
            tasks.spawn(worker(Arc::clone(&shared)));
        }
        let mut tally = Tally::default();
        let mut first = None;
        while let Some(done) = tasks.join_next().await {
            let done = done.expect("a replay worker panicked");
            tally.merge(done.tally);
            first = first.or(done.first);
        }
        (tally, first)
    });
    let elapsed = started.elapsed();
    bar.finish_and_clear();
    let interrupted = stop.requested() && tally.sent < plan.total_requests(config.repeat);
    Ok(Results {
        tally,
        first,
        elapsed,
        interrupted,
    })
}

/// What one worker sent: its tally, and the first request's result when it sent that one.
struct WorkerResults {
    tally: Tally,
    first: Option<Sent>,
}

impl WorkerResults {
    fn add(&mut self, shared: &Shared, job: u64, sent: Sent) {
        let template = &shared.plan.templates[sent.template];
        let matched = sent
            .status
            .is_some_and(|status| shared.config.expect.matches(status));
        let over_budget = sent.latency > template.budget;
        self.tally.add(&sent, matched, over_budget);
        if job == 0 && sent.step == 0 {
            self.first = Some(sent);
        }
    }
}

async fn worker(shared: Arc<Shared>) -> WorkerResults {
    let mut ids = IdSource::new();
    let mut results = WorkerResults {
        tally: Tally::default(),
        first: None,
    };
    let templates = shared.plan.templates.len() as u64;
    loop {
        if shared.stop.requested() {
            break;
        }
        let job = shared.next_job.fetch_add(1, Ordering::Relaxed);
        if job >= shared.total_jobs {
            break;
        }
        let index = (job % templates) as usize;
        let template = &shared.plan.templates[index];
        match &template.generator {
            None => {
                for (step_index, step) in template.steps.iter().enumerate() {
                    let body = reqwest::Body::from(step.body.clone());
                    let sent = send_one(
                        &shared,
                        index,
                        step_index,
                        step.url.clone(),
                        body,
                        step.signature.clone(),
                    )
                    .await;
                    results.add(&shared, job, sent);
                }
            }
            Some(generator) => match generator.render(template, &shared.config, &mut ids) {
                Ok(rendered) => {
                    for (step_index, rendered) in rendered.into_iter().enumerate() {
                        let sent = send_one(
                            &shared,
                            index,
                            step_index,
                            rendered.url,
                            reqwest::Body::from(rendered.body),
                            rendered.signature,
                        )
                        .await;
                        results.add(&shared, job, sent);
                    }
                }
                Err(err) => {
                    for step_index in 0..template.steps.len() {
                        let sent = Sent {
                            template: index,
                            step: step_index,
                            status: None,
                            latency: Duration::ZERO,
                            failure: Some(Failure {
                                kind: FailureKind::Other,
                                message: format!("{}: {err:#}", template.name),
                            }),
                            detail: None,
                        };
                        finish(&shared, template, &sent);
                        results.add(&shared, job, sent);
                    }
                }
            },
        }
    }
    results
}

async fn send_one(
    shared: &Shared,
    index: usize,
    step: usize,
    url: Url,
    body: reqwest::Body,
    signature: Option<HeaderValue>,
) -> Sent {
    let template = &shared.plan.templates[index];
    if let Some(rate) = shared.config.rate {
        let slot = shared.next_slot.fetch_add(1, Ordering::Relaxed);
        tokio::time::sleep_until(shared.start + Duration::from_secs_f64(slot as f64 / rate)).await;
    }
    let mut request = shared
        .client
        .request(template.method.clone(), url)
        .headers(HeaderMap::clone(&template.headers))
        .body(body);
    if let Some(signature) = signature {
        request = request.header(SIGNATURE_HEADER, signature);
    }
    let started = Instant::now();
    let sent = match request.send().await {
        Ok(mut response) => {
            let status = response.status().as_u16();
            // Read to the end (so the connection can be reused), keeping the body only when it
            // is shown; an answer cut short or too large is a failure, whatever the count.
            let body = read_answer(shared, &mut response, shared.detailed).await;
            let (body, failure) = match body {
                Ok(body) => (Ok(body), None),
                Err(failure) => (Err(failure.message.clone()), Some(failure)),
            };
            let detail = shared
                .detailed
                .then(|| describe_response(shared, template, body));
            Sent {
                template: index,
                step,
                status: Some(status),
                latency: started.elapsed(),
                failure,
                detail,
            }
        }
        Err(err) => Sent {
            template: index,
            step,
            status: None,
            latency: started.elapsed(),
            failure: Some(failure(shared, err)),
            detail: None,
        },
    };
    finish(shared, template, &sent);
    sent
}

fn finish(shared: &Shared, template: &Template, sent: &Sent) {
    shared.bar.inc(1);
    match shared.config.format {
        Format::Text if shared.detailed => report::print_line(template, sent, &shared.config),
        // Every result as a line of its own, as it completes (before the summary).
        Format::Json if shared.config.verbose => report::print_result_json(template, sent),
        _ => {}
    }
}

fn failure(shared: &Shared, err: reqwest::Error) -> Failure {
    let kind = match http::classify(&err) {
        http::FailureClass::Timeout => FailureKind::Timeout,
        http::FailureClass::Connect | http::FailureClass::Tls => FailureKind::Connect,
        http::FailureClass::NoAnswer => FailureKind::NoAnswer,
        http::FailureClass::BadAnswer => FailureKind::BadAnswer,
        http::FailureClass::Other => FailureKind::Other,
    };
    let message = http::describe_error(&err.without_url(), &shared.config.target);
    Failure {
        kind,
        message: secret::scrub(&message, &shared.config.secrets()),
    }
}

/// A failure met while an answer's body was being read.
fn body_failure(shared: &Shared, err: http::BodyError) -> Failure {
    let (kind, message) = match err {
        http::BodyError::TooLarge { .. } => {
            (FailureKind::BodyTooLarge, err.describe(|_| String::new()))
        }
        http::BodyError::Broken(err) => (
            FailureKind::BodyBroken,
            format!(
                "{}: {}",
                shared.config.target,
                http::body_failure_reason(&err.without_url())
            ),
        ),
    };
    Failure {
        kind,
        message: secret::scrub(&message, &shared.config.secrets()),
    }
}

/// The most of an answer replay reads: a larger one is a failure, not read further.
const MAX_ANSWER: usize = 4 << 20;

/// An answer's body, read to its end (kept only when `keep`), or why it could not be.
async fn read_answer(
    shared: &Shared,
    response: &mut reqwest::Response,
    keep: bool,
) -> Result<Vec<u8>, Failure> {
    http::read_body(response, MAX_ANSWER, if keep { MAX_ANSWER } else { 0 })
        .await
        .map_err(|err| body_failure(shared, err))
}

fn describe_response(
    shared: &Shared,
    template: &Template,
    body: Result<Vec<u8>, String>,
) -> Detail {
    let body = match body {
        Ok(body) => body,
        Err(why) => {
            return Detail {
                gist: format!("({why})"),
                reply: None,
            };
        }
    };
    let bytes = body.as_ref();
    let parsed: Option<Value> = crate::validation::parse_json(bytes).ok();
    let gist = if bytes.iter().all(u8::is_ascii_whitespace) {
        "(empty body)".to_string()
    } else {
        let text = parsed
            .as_ref()
            .and_then(|value| {
                let detection = providers::detect(value)?;
                let gist = providers::gist(value, detection.provider, &detection.kind);
                Some(if gist.is_empty() {
                    detection.label()
                } else {
                    format!("{} {gist}", detection.label())
                })
            })
            .unwrap_or_else(|| output::excerpt(&String::from_utf8_lossy(bytes), 60));
        secret::scrub(&text, &shared.config.secrets())
    };
    let reply = match template.reply_schema {
        None => None,
        Some(_) if bytes.iter().all(u8::is_ascii_whitespace) => None,
        Some(schema) => match &parsed {
            // An answer without a reply's marks (`{"ok":true}`, listen's own ack) is an
            // acknowledgement, not a failed instant reply; one with a key close to a reply's
            // (`message_out`) is a reply gone wrong.
            Some(value)
                if providers::detect(value).is_none_or(|d| d.schema != schema.id)
                    && !near_reply_keys(value, schema) =>
            {
                None
            }
            Some(value) => {
                let options = CheckOptions {
                    strict: false,
                    force: Some(Forced::Schema(schema)),
                };
                Some(ReplyCheck::Checked(validation::check_value(
                    value, &options,
                )))
            }
            None => Some(ReplyCheck::NotJson),
        },
    };
    Detail { gist, reply }
}
