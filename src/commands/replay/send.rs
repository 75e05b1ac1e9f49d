//! Sending: a fixed set of `--concurrency` worker tasks take jobs (one template, sent once)
//! from a counter, so no task or allocation is made per request beyond what the HTTP client
//! needs. To a plain-http target each worker keeps its own connection ([`net::Connection`]:
//! hyper directly), makes a step's head (request target and every header, its signature
//! included) once and sends it again while it repeats that step, and the workers are spread
//! over one current-thread runtime per core ([`lanes`]); to https:// each request goes out
//! through [`net::send`], as the inspector's replay button sends one, all workers on one
//! thread. Both read answers within the same bounds and name failures alike. Each result is
//! shown (when results are shown one by one, all on one thread), then counted in the worker's
//! own fixed-size [`Tally`]; the tallies are merged once at the end, so memory stays the same
//! however many requests are sent.
use std::borrow::Cow;
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
    let shared = Arc::new(Shared {
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
    let lanes = lanes(&shared, workers);
    // Each lane after the first: its own thread, runtime and HTTP client (a client's
    // connections live on the runtime that opened them), made before anything is sent.
    let others = lanes[1..]
        .iter()
        .map(|&count| Ok((count, crate::http::client(&config.requests.options)?)))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let tally = std::thread::scope(|scope| -> anyhow::Result<Tally> {
        let threads = others
            .into_iter()
            .map(|(count, client)| {
                let shared = Arc::clone(&shared);
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()?;
                Ok(scope.spawn(move || runtime.block_on(lane(shared, client, count))))
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        // The first lane runs here, on the shared runtime's one thread (see `http::runtime`).
        let mut tally =
            crate::http::runtime().block_on(lane(Arc::clone(&shared), client.clone(), lanes[0]));
        for thread in threads {
            tally.merge(thread.join().expect("a replay thread panicked"));
        }
        Ok(tally)
    })?;
    let elapsed = started.elapsed();
    bar.finish_and_clear();
    let interrupted = stop.requested() && tally.sent < plan.total_requests(config.repeat);
    Ok(Results {
        tally,
        elapsed,
        interrupted,
    })
}

/// How many workers each thread runs: all on one, unless the target is plain http (each
/// worker its own [`net::Connection`], nothing shared between them but the job counter) and
/// results are only counted, not shown one by one; then spread over one thread per core. On
/// this project's 2-core benchmark machine, 20,000 requests at -c 64 against a bare tiny_http
/// server, alternating runs beside other work: two threads were faster than one in 8 runs of
/// 8 (median 487 vs 613 ms; oha 557 ms), a multi-thread runtime of two no faster than one.
fn lanes(shared: &Shared, workers: usize) -> Vec<usize> {
    let plain_http = shared.plan.target.scheme() == "http";
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    split(
        workers,
        if plain_http && !shared.detailed {
            cores
        } else {
            1
        },
    )
}

/// `workers` spread over at most `threads` threads, as evenly as they go, none empty.
fn split(workers: usize, threads: usize) -> Vec<usize> {
    let threads = threads.min(workers).max(1);
    (0..threads)
        .map(|i| workers / threads + usize::from(i < workers % threads))
        .collect()
}

/// `count` workers on the current thread's runtime, sending through `client` where they do
/// not use their own connection; their tallies merged.
async fn lane(shared: Arc<Shared>, client: reqwest::Client, count: usize) -> Tally {
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..count {
        tasks.spawn(worker(Arc::clone(&shared), client.clone()));
    }
    let mut tally = Tally::default();
    while let Some(done) = tasks.join_next().await {
        tally.merge(done.expect("a replay worker panicked"));
    }
    tally
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

async fn worker(shared: Arc<Shared>, client: reqwest::Client) -> Tally {
    let mut ids = IdSource::new();
    // This worker's own connection to a plain-http target (none for https://: reqwest's pool).
    let mut connection =
        net::Connection::new(&shared.plan.target, shared.config.requests.options.timeout);
    // The head of the step last sent as it is (template, step), made once: sent again while
    // the worker sends the same step (one input's `-n` repeats), else made anew.
    let mut prepared: Option<(usize, usize, net::Prepared)> = None;
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
                    let head = match &mut connection {
                        Some(connection) if connection.serves(&step.url) => match prepared {
                            Some((i, s, ref head)) if (i, s) == (index, step_index) => Some(head),
                            _ => {
                                let headers = signed(&shared, template, step.signature.clone());
                                connection
                                    .prepare(&template.method, &step.url, &headers)
                                    .ok()
                                    .map(|head| &prepared.insert((index, step_index, head)).2)
                            }
                        },
                        _ => None,
                    };
                    let request = match (head, connection.as_mut()) {
                        (Some(head), Some(connection)) => Head::Prepared(connection, head),
                        (_, connection) => {
                            Head::Parts(connection, &step.url, step.signature.clone())
                        }
                    };
                    let sent = send_one(
                        &shared,
                        &client,
                        index,
                        step_index,
                        request,
                        step.body.clone(),
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
                            &client,
                            index,
                            step_index,
                            Head::Parts(connection.as_mut(), &rendered.url, rendered.signature),
                            Bytes::from(rendered.body),
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

/// How one request goes and what its method, URL and headers come from.
enum Head<'a> {
    /// On the worker's connection, made once for it.
    Prepared(&'a mut net::Connection, &'a net::Prepared),
    /// The template's, to this URL, with this signature added: on the worker's connection
    /// when it serves the URL, else through reqwest.
    Parts(
        Option<&'a mut net::Connection>,
        &'a Url,
        Option<HeaderValue>,
    ),
}

/// The template's headers as they are, unless a signature is added to a copy.
fn signed<'a>(
    shared: &Shared,
    template: &'a Template,
    signature: Option<HeaderValue>,
) -> Cow<'a, HeaderMap> {
    match signature {
        Some(signature) => {
            let mut headers = HeaderMap::clone(&template.headers);
            headers.append(shared.signature_header.clone(), signature);
            Cow::Owned(headers)
        }
        None => Cow::Borrowed(&*template.headers),
    }
}

async fn send_one(
    shared: &Shared,
    client: &reqwest::Client,
    index: usize,
    step: usize,
    head: Head<'_>,
    body: Bytes,
) -> Sent {
    let template = &shared.plan.templates[index];
    if let Some(rate) = shared.config.rate {
        let slot = shared.next_slot.fetch_add(1, Ordering::Relaxed);
        tokio::time::sleep_until(shared.start + Duration::from_secs_f64(slot as f64 / rate)).await;
    }
    let target = &shared.plan.target;
    let reply = match head {
        Head::Prepared(connection, head) => {
            connection
                .send_prepared(head, body, target, shared.detailed)
                .await
        }
        Head::Parts(Some(connection), url, signature) if connection.serves(url) => {
            let headers = signed(shared, template, signature);
            connection
                .send(
                    &template.method,
                    url,
                    &headers,
                    body,
                    target,
                    shared.detailed,
                )
                .await
        }
        Head::Parts(_, url, signature) => {
            let request = net::Request {
                method: template.method.clone(),
                url: url.clone(),
                headers: signed(shared, template, signature).into_owned(),
                body: reqwest::Body::from(body),
            };
            net::send(client, request, target, shared.detailed).await
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

#[cfg(test)]
mod tests {
    use super::split;

    #[test]
    fn workers_are_spread_evenly_over_the_threads() {
        assert_eq!(split(64, 2), [32, 32]);
        assert_eq!(split(5, 2), [3, 2]);
        assert_eq!(split(7, 3), [3, 2, 2]);
        assert_eq!(split(1, 4), [1]);
        assert_eq!(split(3, 1), [3]);
    }
}
