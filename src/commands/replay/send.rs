//! Sending: a fixed set of `--concurrency` worker tasks on one thread take jobs (one
//! template, sent once) from a counter, so no task or allocation is made per request beyond
//! what the HTTP client needs. To a plain-http target each worker keeps its own connection
//! ([`net::Connection`]: hyper directly, each step's request target read once); to https:// each
//! request goes out through [`net::send`], as the inspector's replay button sends one. Both read
//! answers within the same bounds and name failures alike. Each result is shown (when results are shown one by one), then
//! counted in the worker's own fixed-size [`Tally`]; the tallies are merged once at the end,
//! so memory stays the same however many requests are sent.
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use indicatif::ProgressBar;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde_json::Value;
use url::Url;

use super::Config;
use super::plan::{Plan, Template};
use super::report;
use super::results::{Detail, Failure, FailureKind, ReplyCheck, Results, Sent, Tally};
use crate::cli::Format;
use crate::ids::IdSource;
use crate::net;
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
    /// Where a body's signature goes (`--app-secret-env`).
    signature_header: HeaderName,
}

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
    let tally = crate::http::runtime().block_on(async {
        let shared = Arc::new(Shared {
            client: client.clone(),
            plan: Arc::clone(plan),
            config: Arc::clone(config),
            detailed,
            total_jobs,
            next_job: AtomicU64::new(0),
            stop,
            signature_header: super::plan::signature_header(),
            next_slot: AtomicU64::new(0),
            start: tokio::time::Instant::now(),
            bar: bar.clone(),
        });
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..workers {
            tasks.spawn(worker(Arc::clone(&shared)));
        }
        let mut tally = Tally::default();
        while let Some(done) = tasks.join_next().await {
            tally.merge(done.expect("a replay worker panicked"));
        }
        tally
    });
    let elapsed = started.elapsed();
    bar.finish_and_clear();
    let interrupted = stop.requested() && tally.sent < plan.total_requests(config.repeat);
    Ok(Results {
        tally,
        elapsed,
        interrupted,
    })
}

/// Count one result in a worker's tally: against `--expect-status` and its input's budget.
fn count(tally: &mut Tally, shared: &Shared, sent: &Sent) {
    let template = &shared.plan.templates[sent.template];
    let matched = sent
        .status
        .is_some_and(|status| shared.config.expect.matches(status));
    let over_budget = sent.latency > template.budget;
    tally.add(sent, matched, over_budget);
}

async fn worker(shared: Arc<Shared>) -> Tally {
    let mut ids = IdSource::new();
    // This worker's own connection to a plain-http target (none for https://: reqwest's pool).
    let mut connection =
        net::Connection::new(&shared.plan.target, shared.config.requests.options.timeout);
    let mut tally = Tally::default();
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
                    let sent = send_one(
                        &shared,
                        connection.as_mut(),
                        index,
                        step_index,
                        &step.url,
                        step.body.clone(),
                        step.signature.clone(),
                    )
                    .await;
                    count(&mut tally, &shared, &sent);
                }
            }
            Some(generator) => match generator.render(template, &shared.config, &mut ids) {
                Ok(rendered) => {
                    for (step_index, rendered) in rendered.into_iter().enumerate() {
                        let sent = send_one(
                            &shared,
                            connection.as_mut(),
                            index,
                            step_index,
                            &rendered.url,
                            Bytes::from(rendered.body),
                            rendered.signature,
                        )
                        .await;
                        count(&mut tally, &shared, &sent);
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
                        count(&mut tally, &shared, &sent);
                    }
                }
            },
        }
    }
    tally
}

async fn send_one(
    shared: &Shared,
    connection: Option<&mut net::Connection>,
    index: usize,
    step: usize,
    url: &Url,
    body: Bytes,
    signature: Option<HeaderValue>,
) -> Sent {
    let template = &shared.plan.templates[index];
    if let Some(rate) = shared.config.rate {
        let slot = shared.next_slot.fetch_add(1, Ordering::Relaxed);
        tokio::time::sleep_until(shared.start + Duration::from_secs_f64(slot as f64 / rate)).await;
    }
    // The template's headers as they are, unless a signature is added to this send's copy.
    let signed;
    let headers = match signature {
        Some(signature) => {
            let mut headers = HeaderMap::clone(&template.headers);
            headers.append(shared.signature_header.clone(), signature);
            signed = headers;
            &signed
        }
        None => &*template.headers,
    };
    let target = &shared.plan.target;
    let reply = match connection {
        Some(connection) if connection.serves(url) => {
            connection
                .send(
                    &template.method,
                    url,
                    headers,
                    body,
                    target,
                    shared.detailed,
                )
                .await
        }
        _ => {
            let request = net::Request {
                method: template.method.clone(),
                url: url.clone(),
                headers: headers.clone(),
                body: reqwest::Body::from(body),
            };
            net::send(&shared.client, request, target, shared.detailed).await
        }
    };
    let failure = reply
        .failure
        .map(|failure| failure.scrubbed(&shared.config.secrets()));
    // An answer whose body broke is described by why it broke.
    let detail = (shared.detailed && reply.status.is_some()).then(|| {
        let body = match &failure {
            Some(failure) => Err(failure.message.clone()),
            None => Ok(reply.body),
        };
        describe_response(shared, template, body)
    });
    let sent = Sent {
        template: index,
        step,
        status: reply.status,
        latency: reply.latency,
        failure,
        detail,
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
    let gist = secret::scrub(&net::gist(bytes, parsed.as_ref()), &shared.config.secrets());
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
