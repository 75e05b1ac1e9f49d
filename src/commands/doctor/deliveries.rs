//! Checks every provider gets: each documented kind, a retried delivery, statuses out of
//! order, kinds and properties not documented yet, a large body, a burst of statuses; and,
//! for a provider that can send Basic credentials, that the app refuses strangers.
use std::time::{Duration, SystemTime};

use serde_json::Value;

use super::Doctor;
use super::probe::{Credentials, FailureKind, Halt, Reply, Request};
use super::verdict::{
    CheckResult, Problem, Status, budget_words, delivery_problem, redirect_problem,
};
use crate::catalogue::{self, Sample};
use crate::output::{self, Notation};
use crate::payload::{self, Edit};
use crate::providers::{Kind, Provider};

/// Bodies at once in the burst: this many messages' status callbacks.
const BURST_MESSAGES: usize = 25;
const BURST_CONCURRENCY: usize = 25;
/// Requests listed under a failed check; the rest are counted.
const MAX_DETAILS: usize = 8;
/// After this many answers in a row over the budget, a check sends no more of its bodies: it
/// has failed already, and an app that takes nearly `--timeout` for each would make a run of
/// many samples last many minutes.
const SLOW_IN_A_ROW: usize = 3;
/// A large body's size when the provider documents no limit.
const LARGE_DEFAULT: usize = 256 << 10;

pub(super) fn webhook_samples(provider: Provider) -> impl Iterator<Item = &'static Sample> {
    catalogue::samples()
        .iter()
        .filter(move |sample| sample.provider == provider && sample.is_webhook())
}

/// The provider's most ordinary webhook: a text message where it has one.
pub(super) fn message_sample(provider: Provider) -> &'static Sample {
    webhook_samples(provider)
        .find(|sample| sample.name.ends_with("/message-text"))
        .or_else(|| webhook_samples(provider).find(|sample| sample.kind == "message:text"))
        .or_else(|| {
            webhook_samples(provider).find(|sample| Kind::parse(&sample.kind).name() == "message")
        })
        .or_else(|| webhook_samples(provider).next())
        .expect("every provider ships a webhook sample")
}

/// A status sample whose lifecycle has no failure (sent, delivered, read), if the provider
/// sends statuses.
pub(super) fn status_sample(provider: Provider) -> Option<&'static Sample> {
    webhook_samples(provider).find(|sample| {
        let value: Option<Value> = serde_json::from_slice(sample.body).ok();
        value
            .and_then(|value| payload::sequence_statuses(&value, provider))
            .is_some_and(|statuses| !statuses.contains(&"failed"))
    })
}

pub(super) fn parse(sample: &Sample) -> Value {
    serde_json::from_slice(sample.body).expect("shipped samples are JSON")
}

/// The sample with new message ids and the current time, as a new delivery would have.
pub(super) fn fresh(doctor: &mut Doctor, sample: &Sample) -> Value {
    let mut value = parse(sample);
    payload::refresh(
        &mut value,
        doctor.provider,
        &mut doctor.ids,
        SystemTime::now(),
    );
    value
}

/// A POST of `value` as the provider writes and signs it.
pub(super) fn delivery(doctor: &Doctor, value: &Value) -> Request {
    Request::post_json(
        doctor.probe.target_url(),
        doctor.provider.rules().wire_bytes(value),
    )
}

/// Send each body; the check passes when every answer is 2xx within the budget. Bodies left
/// when the app stopped (or stalled, or kept answering too slowly) are counted as not sent,
/// never as failures of their own.
pub(super) fn deliver_all(
    doctor: &mut Doctor,
    check: &'static str,
    bodies: Vec<(String, Value)>,
    passed: impl FnOnce(&[Duration]) -> String,
    explain: impl Fn(&str, &Reply) -> Option<(String, String)>,
) -> Result<CheckResult, Halt> {
    let mut problems = Vec::new();
    let mut latencies = Vec::new();
    let count = bodies.len();
    let mut unsent = 0;
    let mut slow_in_a_row = 0;
    let mut why_unsent = "the app stopped answering".to_string();
    for (index, (what, value)) in bodies.into_iter().enumerate() {
        if let Some(stop) = doctor.probe.down() {
            unsent = count - index;
            why_unsent = format!("the app stopped (on {})", stop.on);
            break;
        }
        if doctor.probe.stalled() || slow_in_a_row >= SLOW_IN_A_ROW {
            unsent = count - index;
            if slow_in_a_row >= SLOW_IN_A_ROW {
                why_unsent = "the app answered too slowly, several times in a row".to_string();
            }
            break;
        }
        let mut reply = doctor
            .probe
            .send(delivery(doctor, &value).named(what.clone()))?;
        confirm_logged(doctor, &what, &value, &mut reply)?;
        // Refused because the app had stopped: this body never reached it.
        if let (Reply::Failed(failure), Some(stop)) = (&reply, doctor.probe.down()) {
            if failure.kind == FailureKind::Refused {
                unsent = count - index;
                why_unsent = format!("the app stopped (on {})", stop.on);
                break;
            }
        }
        latencies.push(reply.latency());
        if reply.latency() > doctor.budget {
            slow_in_a_row += 1;
        } else {
            slow_in_a_row = 0;
        }
        if let Some(mut problem) = delivery_problem(doctor, &what, &reply) {
            if let Some((cause, fix)) = explain(&what, &reply) {
                problem.cause = cause;
                problem.fix = fix;
            }
            problems.push(problem);
        }
    }
    let sent = count - unsent;
    let mut result = judge(check, problems, sent, &latencies, passed);
    if unsent > 0 {
        result.requests = sent;
        result
            .details
            .push(format!("{unsent} more not sent: {why_unsent}"));
        if result.status == Status::Passed {
            result.summary =
                format!("the {sent} sent were accepted; {unsent} not sent: {why_unsent}");
        }
    }
    Ok(result)
}

/// A 2xx behind which the app logged an error: the same body goes again, with new ids (an app
/// that drops repeats still handles it). When that one is taken without an error, the first
/// error was not this body's (a periodic job's, logged while it was in flight): it is not held
/// against the delivery, nor against any later one.
fn confirm_logged(
    doctor: &mut Doctor,
    what: &str,
    value: &Value,
    reply: &mut Reply,
) -> Result<(), Halt> {
    let Reply::Answer(answer) = &*reply else {
        return Ok(());
    };
    let Some(error) = answer.logged.clone().filter(|_| answer.is_success()) else {
        return Ok(());
    };
    let mut again = value.clone();
    payload::refresh(
        &mut again,
        doctor.provider,
        &mut doctor.ids,
        SystemTime::now(),
    );
    let second = doctor
        .probe
        .send(delivery(doctor, &again).named(format!("{what} (again, new ids)")))?;
    if matches!(&second, Reply::Answer(answer) if answer.is_success() && answer.logged.is_none()) {
        doctor.probe.not_a_delivery_error(error);
        reply.set_logged(None);
    }
    Ok(())
}

fn judge(
    check: &'static str,
    problems: Vec<Problem>,
    count: usize,
    latencies: &[Duration],
    passed: impl FnOnce(&[Duration]) -> String,
) -> CheckResult {
    let Some(first) = problems.first().cloned() else {
        return CheckResult::passed(check, passed(latencies))
            .requests(count)
            .latency(latencies);
    };
    let mut details: Vec<String> = problems
        .iter()
        .take(MAX_DETAILS)
        .map(|p| p.summary.clone())
        .collect();
    if problems.len() > MAX_DETAILS {
        details.push(format!("... and {} more", problems.len() - MAX_DETAILS));
    }
    let summary = if count == 1 {
        first.summary.clone()
    } else {
        format!(
            "{} of {count} not accepted: {}",
            problems.len(),
            first.summary
        )
    };
    CheckResult::failed(check, Problem { summary, ..first })
        .details(if problems.len() > 1 {
            details
        } else {
            Vec::new()
        })
        .requests(count)
        .latency(latencies)
}

fn slowest(latencies: &[Duration]) -> String {
    output::duration(
        latencies.iter().copied().max().unwrap_or_default(),
        Notation::Measured,
    )
}

/// Only the 5xx and 4xx answers get the check's own explanation; a redirect or a slow answer
/// keeps the common one.
fn when_refused(
    cause: &'static str,
    fix: &'static str,
) -> impl Fn(&str, &Reply) -> Option<(String, String)> {
    move |_, reply| {
        let status = reply.answer()?.status;
        (400..600)
            .contains(&status)
            .then(|| (cause.to_string(), fix.to_string()))
            .filter(|_| !matches!(status, 401 | 403 | 404 | 405 | 413))
    }
}

pub(super) fn kinds(doctor: &mut Doctor) -> Result<CheckResult, Halt> {
    let samples: Vec<&Sample> = webhook_samples(doctor.provider).collect();
    let mut kinds: Vec<&str> = samples.iter().map(|s| s.kind.as_str()).collect();
    kinds.sort_unstable();
    kinds.dedup();
    let kind_count = kinds.len();
    let bodies = samples
        .iter()
        .map(|sample| (sample.name.clone(), fresh(doctor, sample)))
        .collect();
    let budget = budget_words(doctor);
    deliver_all(
        doctor,
        "kinds",
        bodies,
        |latencies| {
            format!(
                "{} of {}: all 2xx within {budget} (slowest {})",
                output::plural(latencies.len() as u64, "sample", "samples"),
                output::plural(kind_count as u64, "kind", "kinds"),
                slowest(latencies)
            )
        },
        when_refused(
            "the app fails on a kind the provider documents and sends",
            "handle every kind the provider sends, or ignore it, and answer 200",
        ),
    )
}

pub(super) fn duplicate(doctor: &mut Doctor) -> Result<CheckResult, Halt> {
    let sample = message_sample(doctor.provider);
    let value = fresh(doctor, sample);
    let what = format!("{} (first)", sample.name);
    let first = doctor
        .probe
        .send(delivery(doctor, &value).named(what.clone()))?;
    if let Some(problem) = delivery_problem(doctor, &what, &first) {
        return Ok(CheckResult::failed("duplicate", problem).requests(1));
    }
    let what = format!("{} (the same, again)", sample.name);
    let second = doctor
        .probe
        .send(delivery(doctor, &value).named(what.clone()))?;
    let latencies = [first.latency(), second.latency()];
    let explain = when_refused(
        "a repeated delivery fails: the app treats an id it has seen as an error (a unique-key \
         violation?); providers retry, so the same webhook can arrive twice",
        "treat a message id you have already stored as done, and answer 200",
    );
    let problems: Vec<Problem> = delivery_problem(doctor, &what, &second)
        .map(|mut problem| {
            if let Some((cause, fix)) = explain(&what, &second) {
                problem.cause = cause;
                problem.fix = fix;
            }
            problem
        })
        .into_iter()
        .collect();
    Ok(judge("duplicate", problems, 1, &latencies, |_| {
        format!("{} delivered twice: 2xx both times", sample.name)
    })
    .requests(2))
}

pub(super) fn out_of_order(doctor: &mut Doctor) -> Result<CheckResult, Halt> {
    let Some(sample) = status_sample(doctor.provider) else {
        return Ok(CheckResult::skipped(
            "out-of-order",
            "this provider sends no statuses",
        ));
    };
    let value = fresh(doctor, sample);
    let statuses = payload::sequence_statuses(&value, doctor.provider).unwrap_or_default();
    let Ok(sequence) = payload::status_sequence(&value, doctor.provider, SystemTime::now()) else {
        return Ok(CheckResult::skipped(
            "out-of-order",
            "no status sequence for this provider",
        ));
    };
    let mut bodies: Vec<(String, Value)> = statuses
        .iter()
        .zip(sequence)
        .map(|(status, body)| (format!("status {status}"), body))
        .collect();
    bodies.reverse();
    let order: Vec<String> = bodies.iter().map(|(what, _)| what.clone()).collect();
    let order = order.join(", ");
    deliver_all(
        doctor,
        "out-of-order",
        bodies,
        |_| format!("one message's statuses in reverse ({order}): all 2xx"),
        when_refused(
            "statuses arrive out of order (read before delivered): the app fails on one it did \
             not expect",
            "keep the most advanced status and ignore older ones; never fail on an unknown id",
        ),
    )
}

pub(super) fn unknown_kind(doctor: &mut Doctor) -> Result<CheckResult, Halt> {
    let mut bodies = Vec::new();
    for novelty in doctor.provider.rules().novelties() {
        let Some(sample) = catalogue::find_sample(novelty.sample) else {
            continue;
        };
        let mut value = fresh(doctor, sample);
        for edit in novelty.edits {
            // The registry test applies every novelty; a failure here is a bug, not the app's.
            if let Err(err) = Edit::parse(edit).and_then(|edit| edit.apply(&mut value)) {
                panic!("novelty {}: {err:#}", novelty.what);
            }
        }
        bodies.push((novelty.what.to_string(), value));
    }
    let list: Vec<String> = bodies.iter().map(|(what, _)| what.clone()).collect();
    let list = list.join("; ");
    deliver_all(
        doctor,
        "unknown-kind",
        bodies,
        |_| format!("all 2xx: {list}"),
        when_refused(
            "the app fails on a kind, field or status it has never seen (a switch over known \
             types that throws?); providers add them without notice",
            "ignore what you do not handle, and answer 200",
        ),
    )
}

/// The key doctor adds; no provider sends it.
const EXTRA_KEY: &str = "wa_hook_doctor_new_property";

pub(super) fn extra_property(doctor: &mut Doctor) -> Result<CheckResult, Halt> {
    let sample = message_sample(doctor.provider);
    let mut value = fresh(doctor, sample);
    let added = add_everywhere(&mut value);
    deliver_all(
        doctor,
        "extra-property",
        vec![(format!("{} with a new property", sample.name), value)],
        |_| {
            let objects = if added == 1 {
                "the body's object".to_string()
            } else {
                format!("each of the body's {added} objects")
            };
            format!("a property not documented yet, in {objects}: 2xx")
        },
        when_refused(
            "the app's validation refuses properties it does not know (a strict schema or model)",
            "allow unknown properties (e.g. additionalProperties, extra='ignore') and answer 200",
        ),
    )
}

/// Add [`EXTRA_KEY`] to every object in `value` (providers add properties at any depth);
/// returns how many objects got it.
fn add_everywhere(value: &mut Value) -> usize {
    match value {
        Value::Object(object) => {
            let inner: usize = object.values_mut().map(add_everywhere).sum();
            object.insert(
                EXTRA_KEY.into(),
                serde_json::json!("a property the provider may add one day"),
            );
            inner + 1
        }
        Value::Array(items) => items.iter_mut().map(add_everywhere).sum(),
        _ => 0,
    }
}

pub(super) fn large_body(doctor: &mut Doctor) -> Result<CheckResult, Halt> {
    let sample = message_sample(doctor.provider);
    let mut value = fresh(doctor, sample);
    let limit = doctor.provider.rules().body_limit();
    let target = limit.map_or(LARGE_DEFAULT, |limit| limit / 10 * 9);
    let size = doctor.provider.rules().wire_bytes(&value).len();
    if let Some(text) = longest_string(&mut value) {
        let filler = " wa-hook doctor: a long body, as a provider may send.";
        let missing = target.saturating_sub(size);
        let mut padded = String::with_capacity(text.len() + missing);
        padded.push_str(text);
        while padded.len() < text.len() + missing {
            padded.push_str(filler);
        }
        padded.truncate(text.len() + missing);
        *text = padded;
    }
    let bytes = doctor.provider.rules().wire_bytes(&value);
    let shown = output::documented_size(bytes.len());
    let why = match limit {
        Some(limit) => format!(
            "90% of {}'s documented {}",
            doctor.provider.display_name(),
            output::documented_size(limit)
        ),
        None => format!("{} documents no limit", doctor.provider.display_name()),
    };
    let what = format!("a {shown} body");
    let mut request = delivery(doctor, &value).named(what.clone());
    request.body = bytes;
    let reply = doctor.probe.send(request)?;
    let latencies = [reply.latency()];
    let problems: Vec<Problem> = delivery_problem(doctor, &what, &reply)
        .map(|mut problem| {
            // Closed without an answer, and still running: a size limit that drops the
            // connection rather than answering 413 (a proxy's, or the framework's).
            if let Reply::Failed(failure) = &reply {
                if failure.kind == FailureKind::NoAnswer && failure.crashed.is_none() {
                    problem.cause = format!(
                        "the app (or a proxy in front of it) closed the connection on a \
                         {shown} body without answering, and went on running: a body-size limit \
                         that drops the connection instead of answering 413"
                    );
                    problem.fix = "raise the body size limit to the provider's (e.g. \
                                   express.json({ limit: '5mb' }), Flask MAX_CONTENT_LENGTH, nginx \
                                   client_max_body_size)"
                        .to_string();
                }
            }
            problem
        })
        .into_iter()
        .collect();
    Ok(judge("large-body", problems, 1, &latencies, |_| {
        format!(
            "a {shown} body ({why}): 2xx in {}",
            output::duration(reply.latency(), Notation::Measured)
        )
    }))
}

fn longest_string(value: &mut Value) -> Option<&mut String> {
    fn length(value: &Value) -> usize {
        match value {
            Value::String(text) => text.len(),
            Value::Array(items) => items.iter().map(length).max().unwrap_or(0),
            Value::Object(object) => object.values().map(length).max().unwrap_or(0),
            _ => 0,
        }
    }
    match value {
        Value::String(text) => Some(text),
        Value::Array(items) => items
            .iter_mut()
            .max_by_key(|v| length(v))
            .and_then(longest_string),
        Value::Object(object) => object
            .values_mut()
            .max_by_key(|v| length(v))
            .and_then(longest_string),
        _ => None,
    }
}

/// The status callbacks of [`BURST_MESSAGES`] messages, fresh.
fn burst_requests(doctor: &mut Doctor, sample: &Sample) -> Vec<Request> {
    let mut requests = Vec::new();
    let now = SystemTime::now();
    for _ in 0..BURST_MESSAGES {
        let value = fresh(doctor, sample);
        for body in payload::status_sequence(&value, doctor.provider, now).unwrap_or_default() {
            requests.push(delivery(doctor, &body));
        }
    }
    requests
}

/// Why the app logged `logged` during a burst it answered 2xx: `None` when it was not the
/// burst's (a second burst goes without it: a job failing once while the first was in
/// flight); the body's own failure when one callback sent alone logs an error too; else the
/// concurrency.
fn burst_error_cause(
    doctor: &mut Doctor,
    sample: &Sample,
    logged: &str,
) -> Result<Option<Problem>, Halt> {
    let mut alone = fresh(doctor, sample);
    if let Some(first) = payload::status_sequence(&alone, doctor.provider, SystemTime::now())
        .ok()
        .and_then(|bodies| bodies.into_iter().next())
    {
        alone = first;
    }
    let reply = doctor
        .probe
        .send(delivery(doctor, &alone).named("one status callback alone"))?;
    if let Some(error) = reply.logged() {
        return Ok(Some(Problem::new(
            format!(
                "all answered 2xx, but the app logged during the burst: {logged}; one callback \
                 sent alone logged: {error}"
            ),
            "not the concurrency: the app fails on a status callback even when it comes alone \
             (see kinds and out-of-order), and acknowledges it anyway",
            "handle this body without an error (or ignore what you do not use); answer 200 only \
             once it is handled or safely queued",
        )));
    }
    let requests = burst_requests(doctor, sample);
    let again = doctor
        .probe
        .send_all(requests, BURST_CONCURRENCY, "the burst, again")?;
    if again.iter().all(|reply| reply.logged().is_none()) {
        doctor.probe.not_a_delivery_error(logged.to_string());
        return Ok(None);
    }
    Ok(Some(concurrency_problem(logged)))
}

fn concurrency_problem(logged: &str) -> Problem {
    Problem::new(
        format!("all answered 2xx, but the app logged during the burst: {logged}"),
        "the app failed on some of the status callbacks sent at once and acknowledged them \
         anyway (a race on shared state, a database locked, a pool exhausted?)",
        "make the handler safe to run concurrently, or queue the callbacks and answer 200 once \
         queued",
    )
}

pub(super) fn burst(doctor: &mut Doctor) -> Result<CheckResult, Halt> {
    let Some(sample) = status_sample(doctor.provider) else {
        return Ok(CheckResult::skipped(
            "burst",
            "this provider sends no statuses",
        ));
    };
    let requests = burst_requests(doctor, sample);
    let count = requests.len();
    let replies = doctor
        .probe
        .send_all(requests, BURST_CONCURRENCY, "the burst")?;
    // Refused because the app had stopped during the burst: those never reached it.
    let down = doctor.probe.down().is_some() || doctor.probe.stopped_on("the burst");
    let (replies, unsent): (Vec<&Reply>, Vec<&Reply>) = replies.iter().partition(|reply| {
        !(down && matches!(reply, Reply::Failed(failure) if failure.kind == FailureKind::Refused))
    });
    let unsent = unsent.len();
    let latencies: Vec<Duration> = replies.iter().map(|reply| reply.latency()).collect();
    let (problems, logged_only) = burst_problems(doctor, sample, &replies, down)?;
    let count = count - unsent;
    let budget = budget_words(doctor);
    let whole = problems.first().map(|problem| problem.summary.clone());
    let mut result = judge("burst", problems, count, &latencies, |_| {
        format!(
            "{} of {BURST_MESSAGES} messages, {BURST_CONCURRENCY} at once: all 2xx within {budget}",
            output::plural(count as u64, "status callback", "status callbacks")
        )
    });
    if let Some(summary) = whole.filter(|_| logged_only) {
        result.summary = summary;
    }
    if unsent > 0 {
        result.requests = count;
        result.details.push(format!(
            "{unsent} more not sent: the app stopped during the burst"
        ));
    }
    if let Some(latency) = &result.latency {
        let percentile =
            |ms: f64| output::duration(Duration::from_secs_f64(ms / 1000.0), Notation::Measured);
        let figures = format!(
            " (p50 {}, p99 {})",
            percentile(latency.p50_ms),
            percentile(latency.p99_ms)
        );
        result.summary.push_str(&figures);
    }
    Ok(result)
}

/// What went wrong in the burst's answers, and whether it is only what the app logged (which
/// speaks of the burst as a whole, not of one callback in so many).
fn burst_problems(
    doctor: &mut Doctor,
    sample: &Sample,
    replies: &[&Reply],
    down: bool,
) -> Result<(Vec<Problem>, bool), Halt> {
    let mut problems: Vec<Problem> = replies
        .iter()
        .enumerate()
        .filter_map(|(index, reply)| {
            // What the app logged during the burst cannot be tied to one callback: it is
            // said once, below.
            let mut reply = (*reply).clone();
            if let Reply::Answer(answer) = &mut reply {
                answer.logged = None;
            }
            delivery_problem(doctor, &format!("status callback {}", index + 1), &reply)
        })
        .collect();
    let logged = replies
        .iter()
        .find_map(|reply| reply.logged())
        .map(str::to_string);
    let logged_only = problems.is_empty() && logged.is_some();
    if let Some(logged) = logged.filter(|_| problems.is_empty()) {
        if down {
            problems.push(concurrency_problem(&logged));
        } else {
            problems.extend(burst_error_cause(doctor, sample, &logged)?);
        }
    }
    Ok((problems, logged_only))
}

pub(super) fn basic_auth_missing(doctor: &mut Doctor) -> Result<CheckResult, Halt> {
    refuses_strangers(doctor, "basic-auth-missing", Credentials::Missing)
}

pub(super) fn basic_auth_wrong(doctor: &mut Doctor) -> Result<CheckResult, Halt> {
    refuses_strangers(doctor, "basic-auth-wrong", Credentials::Wrong)
}

fn refuses_strangers(
    doctor: &mut Doctor,
    check: &'static str,
    credentials: Credentials,
) -> Result<CheckResult, Halt> {
    let Some(var) = doctor.basic_auth_var.clone() else {
        return Ok(CheckResult::skipped(
            check,
            format!(
                "give --basic-auth-env VAR (the USER:PASS set in {}'s dashboard) to check that \
                 strangers are refused",
                doctor.provider.display_name()
            ),
        ));
    };
    let which = match credentials {
        Credentials::Missing => "without credentials",
        _ => "with a wrong password",
    };
    let value = fresh(doctor, message_sample(doctor.provider));
    let request = delivery(doctor, &value).credentials(credentials);
    let reply = doctor.probe.send(request)?;
    let result = match &reply {
        Reply::Answer(answer) if matches!(answer.status, 401 | 403) => CheckResult::passed(
            check,
            format!("a request {which} was refused ({})", answer.status),
        ),
        // Any 4xx refuses the request; 401 is the usual word for it.
        Reply::Answer(answer) if (400..500).contains(&answer.status) => CheckResult::passed(
            check,
            format!(
                "a request {which} was refused ({}; 401 is the usual answer)",
                answer.status
            ),
        ),
        Reply::Answer(answer) if answer.is_success() => CheckResult::warning(
            check,
            Problem::new(
                format!("a request {which} was accepted ({})", answer.status),
                "the app does not check the Authorization header: anyone who finds the URL can \
                 post fake messages",
                format!("answer 401 unless Authorization is Basic with the USER:PASS in {var}"),
            ),
        ),
        Reply::Answer(answer) if answer.is_redirect() => CheckResult::failed(
            check,
            redirect_problem(doctor, &format!("a request {which}"), answer),
        ),
        Reply::Answer(answer) => CheckResult::warning(
            check,
            Problem::new(
                format!("a request {which} was answered {}", answer.status),
                "the app failed on it instead of refusing it (an error on the missing or wrong \
                 header?)",
                "answer 401 when the credentials are missing or wrong",
            ),
        ),
        Reply::Failed(failure) => {
            let mut problem = delivery_problem(doctor, &format!("a request {which}"), &reply)
                .expect("a failed request is a problem");
            if failure.crashed.is_none() {
                problem.cause = format!(
                    "the app gave no answer to a request {which} (it waits for something, or \
                     fails without answering)"
                );
                problem.fix = format!(
                    "answer 401 at once unless Authorization is Basic with the USER:PASS in {var}"
                );
            }
            CheckResult::failed(check, problem)
        }
    };
    Ok(result.requests(1))
}
