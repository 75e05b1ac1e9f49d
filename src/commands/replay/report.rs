//! What replay prints: a line per request when there are few, and always a summary — counts by
//! status, errors, latency percentiles, the budget, a histogram — as text or JSON.
use std::collections::BTreeMap;
use std::io::Write;
use std::time::Duration;

use colored::Colorize;
use serde::Serialize;

use super::Config;
use super::plan::{Plan, Template};
use super::results::{LatencyHistogram, ReplyCheck, Results, Sent, Tally};
use crate::cli::Format;
use crate::error::Outcome;
use crate::output;
use crate::output::{Notation, format_issue, ms};
use crate::validation::{Check, Verdict};

/// Buckets in the latency histogram.
const HISTOGRAM_BUCKETS: usize = 10;
/// Fewer responses than this say nothing a histogram could show.
const HISTOGRAM_FROM: u64 = 10;
/// Width of the longest histogram bar, in characters.
const BAR_WIDTH: u64 = 32;

fn input_label(template: &Template, step: usize) -> String {
    match template.steps[step].label {
        Some(label) => format!("{} [{label}]", template.name),
        None => template.name.clone(),
    }
}

/// `✓ qikchat/message-text  200  1.20 ms  {"ok":true}`, and for a Picky Assist message the
/// verdict on the instant reply below it.
pub(crate) fn print_line(template: &Template, sent: &Sent, config: &Config) {
    let mut out = std::io::stdout().lock();
    let name = input_label(template, sent.step);
    let line = match (sent.status, &sent.failure) {
        (Some(status), failure) => {
            // An answer whose body broke is a failure whatever its status.
            let ok = config.expect.matches(status) && failure.is_none();
            let mark = if ok {
                output::ok_mark()
            } else {
                output::fail_mark()
            };
            let status = if ok {
                status.to_string().green()
            } else {
                status.to_string().red()
            };
            let gist = sent.detail.as_ref().map_or("", |d| d.gist.as_str());
            format!(
                "{mark} {}  {status}  {}  {gist}",
                name.bold(),
                output::duration(sent.latency, Notation::Measured)
            )
        }
        (None, failure) => {
            let message = failure
                .as_ref()
                .map_or("no response", |f| f.message.as_str());
            format!("{} {}  {}", output::fail_mark(), name.bold(), message.red())
        }
    };
    // A closed pipe is the reader's choice; the summary's write reports it.
    let _ = writeln!(out, "{}", line.trim_end());
    if let Some(reply) = sent.detail.as_ref().and_then(|d| d.reply.as_ref()) {
        let _ = match reply {
            ReplyCheck::Checked(check) => print_reply(&mut out, check),
            ReplyCheck::NotJson => writeln!(
                out,
                "    {}",
                "answer is not JSON: an acknowledgement, not an instant reply (replies must be JSON)"
                    .dimmed()
            )
            .map_err(Into::into),
        };
    }
}

fn print_reply(out: &mut impl Write, check: &Check) -> anyhow::Result<()> {
    let mark = if check.verdict == Verdict::Valid {
        output::ok_mark()
    } else {
        output::fail_mark()
    };
    writeln!(
        out,
        "    {mark} instant reply: {} ({})",
        check.label(),
        verdict_word(check.verdict)
    )?;
    for issue in &check.errors {
        writeln!(out, "        {}", format_issue(issue))?;
    }
    Ok(())
}

fn verdict_word(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Valid => "valid",
        Verdict::Invalid => "invalid",
        Verdict::Unchecked => "not checked",
        Verdict::Unknown => "unknown",
        Verdict::Malformed => "not JSON",
    }
}

/// The budget all inputs share, if they do.
fn uniform_budget(plan: &Plan) -> Option<Duration> {
    let first = plan.templates.first()?.budget;
    plan.templates
        .iter()
        .all(|template| template.budget == first)
        .then_some(first)
}

#[derive(Serialize)]
struct Summary {
    target: String,
    /// Requests attempted.
    sent: u64,
    responses: u64,
    by_status: BTreeMap<u16, u64>,
    expect_status: String,
    /// Responses whose status matched --expect-status.
    matched: u64,
    timeouts: u64,
    /// Requests that never reached the server (refused, no such host, TLS).
    connection_errors: u64,
    /// Requests sent, whose connection the server reset or closed before answering.
    no_answer: u64,
    /// Answers that were not HTTP one can read (not HTTP at all, headers too large).
    bad_answers: u64,
    /// Answers whose body was cut short, broken or over the cap.
    body_errors: u64,
    other_errors: u64,
    /// Requests that did not succeed: any failure above, or a status not expected.
    failed: u64,
    /// The most frequent distinct failure messages (at most 20 kept), with counts.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    errors: Vec<ErrorCount>,
    /// Failures whose message was not among those kept.
    #[serde(skip_serializing_if = "is_zero")]
    other_error_messages: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    latency_ms: Option<Latencies>,
    /// The budget every input shared; null when inputs of different providers had their own.
    budget_ms: Option<f64>,
    over_budget: u64,
    histogram: Vec<Bucket>,
    /// Responses slower than the histogram's last bucket (the 99th percentile), when a few
    /// outliers were set apart.
    #[serde(skip_serializing_if = "Option::is_none")]
    slower: Option<Bucket>,
    elapsed_s: f64,
    requests_per_s: f64,
    ok: bool,
}

#[allow(
    clippy::trivially_copy_pass_by_ref,
    reason = "serde's skip_serializing_if lends it"
)]
fn is_zero(count: &u64) -> bool {
    *count == 0
}

#[derive(Serialize)]
struct ErrorCount {
    message: String,
    count: u64,
}

#[derive(Serialize, Clone, Copy)]
struct Latencies {
    min: f64,
    p50: f64,
    p90: f64,
    p99: f64,
    max: f64,
    mean: f64,
}

#[derive(Serialize)]
struct Bucket {
    from_ms: f64,
    to_ms: f64,
    count: u64,
}

#[derive(Serialize)]
struct ResultJson {
    input: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    step: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<u16>,
    latency_ms: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    response: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    instant_reply: Option<serde_json::Value>,
}

/// Equal-width buckets from the fastest latency to the 99th percentile, and the few slower
/// ones counted apart: one slow outlier would otherwise stretch every bucket so wide that the
/// rest all fall in the first (a first bucket of 124 ms with a p50 of 4 ms). Latencies come
/// from the log-scaled [`LatencyHistogram`], each placed by its bucket's middle (within 1 %).
fn histogram(latencies: &LatencyHistogram) -> (Vec<Bucket>, Option<Bucket>) {
    if latencies.count() == 0 {
        return (Vec::new(), None);
    }
    let (min, max) = (latencies.min(), latencies.max());
    let p99 = latencies.percentile(99.0);
    // Outliers are set apart only when they would squash the rest. Percentiles and buckets
    // are clamped to the exact extremes, so no subtraction below saturates.
    let top = if max.saturating_sub(min) > p99.saturating_sub(min) * 2 {
        p99
    } else {
        max
    };
    let span = top.saturating_sub(min).as_secs_f64();
    let buckets = if span == 0.0 { 1 } else { HISTOGRAM_BUCKETS };
    let width = span / buckets as f64;
    let mut counts = vec![0u64; buckets];
    let mut slower = 0;
    for (latency, count) in latencies.buckets() {
        if latency > top {
            slower += count;
            continue;
        }
        let offset = latency.saturating_sub(min).as_secs_f64();
        let index = if width == 0.0 {
            0
        } else {
            ((offset / width) as usize).min(buckets - 1)
        };
        counts[index] += count;
    }
    let buckets = counts
        .into_iter()
        .enumerate()
        .map(|(index, count)| Bucket {
            from_ms: ms(min + Duration::from_secs_f64(width * index as f64)),
            to_ms: ms(min + Duration::from_secs_f64(width * (index + 1) as f64)),
            count,
        })
        .collect();
    let slower = (slower > 0).then(|| Bucket {
        from_ms: ms(top),
        to_ms: ms(max),
        count: slower,
    });
    (buckets, slower)
}

/// Print the summary and decide the exit: 0 when every request got a response matching
/// `--expect-status`, 1 otherwise, 2 (an error) when nothing could be sent at all.
pub(crate) fn finish(plan: &Plan, config: &Config, results: &Results) -> anyhow::Result<Outcome> {
    let tally: &Tally = &results.tally;
    let latencies = &tally.latencies;
    let latency_ms = (latencies.count() > 0).then(|| Latencies {
        min: ms(latencies.min()),
        p50: ms(latencies.percentile(50.0)),
        p90: ms(latencies.percentile(90.0)),
        p99: ms(latencies.percentile(99.0)),
        max: ms(latencies.max()),
        mean: ms(latencies.mean()),
    });
    let elapsed = results.elapsed.as_secs_f64();
    let (histogram, slower) = histogram(latencies);
    let sent = tally.sent;
    let summary = Summary {
        target: plan.target.to_string(),
        sent,
        responses: tally.responses,
        by_status: tally.by_status().collect(),
        expect_status: config.expect.as_str().to_string(),
        matched: tally.matched,
        timeouts: tally.timeouts,
        connection_errors: tally.connection_errors,
        no_answer: tally.no_answer,
        bad_answers: tally.bad_answers,
        body_errors: tally.body_broken + tally.body_too_large,
        other_errors: tally.other_errors,
        failed: tally.failed(),
        errors: tally
            .messages
            .iter()
            .map(|(message, count)| ErrorCount {
                message: message.clone(),
                count: *count,
            })
            .collect(),
        other_error_messages: tally.messages_left_out,
        latency_ms,
        budget_ms: uniform_budget(plan).map(ms),
        over_budget: tally.over_budget,
        histogram,
        slower,
        elapsed_s: (elapsed * 1000.0).round() / 1000.0,
        requests_per_s: if elapsed > 0.0 {
            (sent as f64 / elapsed * 10.0).round() / 10.0
        } else {
            0.0
        },
        ok: sent > 0 && tally.failed() == 0,
    };
    let mut out = std::io::stdout().lock();
    match config.format {
        Format::Json => output::best_effort(output::json_line(&mut out, &summary))?,
        Format::Text => output::best_effort(print_summary(&mut out, &summary, tally, config))?,
    }
    output::best_effort(out.flush().map_err(Into::into))?;
    if results.interrupted {
        eprintln!(
            "stopped by Ctrl-C or SIGTERM after {} of {}",
            summary.sent,
            output::plural(plan.total_requests(config.repeat), "request", "requests")
        );
        return Ok(Outcome::Interrupted);
    }
    // Requests that went out and met a reset are a failed check (exit 1), not a failure to
    // send: only when nothing reached the server at all is it an error.
    let reached = tally.responses + tally.timeouts + tally.no_answer + tally.bad_answers;
    if reached == 0 {
        let first = summary
            .errors
            .first()
            .map_or_else(|| "nothing was sent".to_string(), |e| e.message.clone());
        anyhow::bail!("nothing could be sent: {first}");
    }
    Ok(Outcome::from_ok(summary.ok))
}

/// One result as a JSON line (`-v --format json`), printed as it completes.
pub(crate) fn print_result_json(template: &Template, sent: &Sent) {
    let detail = sent.detail.as_ref();
    let result = ResultJson {
        input: template.name.clone(),
        step: template.steps[sent.step].label,
        status: sent.status,
        latency_ms: ms(sent.latency),
        error: sent.failure.as_ref().map(|f| f.message.clone()),
        response: detail.map(|d| d.gist.clone()),
        instant_reply: detail
            .and_then(|d| d.reply.as_ref())
            .map(|reply| match reply {
                ReplyCheck::Checked(check) => serde_json::to_value(check).unwrap_or_default(),
                ReplyCheck::NotJson => serde_json::json!({"verdict": "malformed"}),
            }),
    };
    // A closed pipe is the reader's choice; the summary's write reports it.
    let _ = output::json_line(&mut std::io::stdout().lock(), &result);
}

/// What the failures were, in a few words each (`30 body cut short`), for the last line.
fn failure_words(tally: &Tally, config: &Config) -> Vec<String> {
    let kinds = [
        (
            tally.wrong_status(),
            format!("did not answer {}", config.expect.as_str()),
        ),
        (tally.timeouts, "timed out".to_string()),
        (tally.connection_errors, "could not connect".to_string()),
        (tally.no_answer, "no answer".to_string()),
        (tally.bad_answers, "answer not readable HTTP".to_string()),
        (tally.body_broken, "body cut short".to_string()),
        (tally.body_too_large, "body too large".to_string()),
        (tally.other_errors, "other error".to_string()),
    ];
    let present: Vec<&(u64, String)> = kinds.iter().filter(|(count, _)| *count > 0).collect();
    if present.len() == 1 {
        return vec![present[0].1.clone()];
    }
    present
        .into_iter()
        .map(|(count, words)| format!("{count} {words}"))
        .collect()
}

/// The summary after the lines: what was sent, statuses, errors, latency, the histogram, and
/// the verdict.
fn print_summary(
    out: &mut impl Write,
    summary: &Summary,
    tally: &Tally,
    config: &Config,
) -> anyhow::Result<()> {
    print_counts(out, summary, config)?;
    print_errors(out, summary, config)?;
    print_latency(out, summary)?;
    print_histogram(out, summary)?;
    print_verdict(out, summary, tally, config)
}

/// `Summary  N requests to URL in S s (R/s)` and the statuses, the expected ones in green.
fn print_counts(out: &mut impl Write, summary: &Summary, config: &Config) -> anyhow::Result<()> {
    writeln!(
        out,
        "\n{}  {} to {} in {:.2} s ({}/s)",
        "Summary".bold(),
        output::plural(summary.sent, "request", "requests"),
        summary.target,
        summary.elapsed_s,
        summary.requests_per_s
    )?;
    if !summary.by_status.is_empty() {
        let statuses: Vec<String> = summary
            .by_status
            .iter()
            .map(|(status, count)| {
                let text = format!("{status} × {count}");
                if config.expect.matches(*status) {
                    text.green().to_string()
                } else {
                    text.red().to_string()
                }
            })
            .collect();
        writeln!(out, "  Status     {}", statuses.join("   "))?;
    }
    Ok(())
}

/// `Errors`: how many of each kind, and the most frequent messages.
fn print_errors(out: &mut impl Write, summary: &Summary, config: &Config) -> anyhow::Result<()> {
    let failures = summary.timeouts
        + summary.connection_errors
        + summary.no_answer
        + summary.bad_answers
        + summary.body_errors
        + summary.other_errors;
    if failures > 0 {
        let mut kinds = Vec::new();
        if summary.timeouts > 0 {
            kinds.push(format!(
                "{} timed out (no answer within {})",
                summary.timeouts,
                output::duration(config.requests.options.timeout, Notation::Flag)
            ));
        }
        if summary.connection_errors > 0 {
            kinds.push(format!("{} could not connect", summary.connection_errors));
        }
        if summary.no_answer > 0 {
            kinds.push(format!(
                "{} sent, but the connection was reset or closed before an answer",
                summary.no_answer
            ));
        }
        if summary.bad_answers > 0 {
            kinds.push(format!(
                "{} answered, but not in HTTP that could be read",
                summary.bad_answers
            ));
        }
        if summary.body_errors > 0 {
            kinds.push(format!(
                "{} answered, but the body was cut short or too large",
                summary.body_errors
            ));
        }
        if summary.other_errors > 0 {
            kinds.push(output::plural(
                summary.other_errors,
                "other error",
                "other errors",
            ));
        }
        writeln!(out, "  Errors     {}", kinds.join(", ").red())?;
        let mut shown: Vec<&ErrorCount> = summary.errors.iter().collect();
        shown.sort_by_key(|error| std::cmp::Reverse(error.count));
        for error in shown.iter().take(3) {
            writeln!(out, "             {} × {}", error.count, error.message)?;
        }
        if summary.other_error_messages > 0 {
            writeln!(
                out,
                "             {} × other messages (only the first {} kinds are kept)",
                summary.other_error_messages,
                super::results::MAX_MESSAGES
            )?;
        }
    } else {
        writeln!(out, "  Errors     none")?;
    }
    Ok(())
}

/// `Latency` percentiles and how many answers came over the budget.
fn print_latency(out: &mut impl Write, summary: &Summary) -> anyhow::Result<()> {
    if let Some(latency) = summary.latency_ms {
        let show = |value: f64| {
            output::duration(Duration::from_secs_f64(value / 1000.0), Notation::Measured)
        };
        writeln!(
            out,
            "  Latency    min {}  p50 {}  p90 {}  p99 {}  max {}",
            show(latency.min),
            show(latency.p50),
            show(latency.p90),
            show(latency.p99),
            show(latency.max)
        )?;
        let over = match summary.budget_ms {
            Some(budget) => format!(
                "{} over the {} budget",
                summary.over_budget,
                output::duration(Duration::from_secs_f64(budget / 1000.0), Notation::Flag)
            ),
            None => format!("{} over their providers' budgets", summary.over_budget),
        };
        writeln!(
            out,
            "  Budget     {}",
            if summary.over_budget > 0 {
                over.yellow()
            } else {
                over.normal()
            }
        )?;
    }
    Ok(())
}

/// The latency histogram, as bars (with enough answers to draw one).
fn print_histogram(out: &mut impl Write, summary: &Summary) -> anyhow::Result<()> {
    if summary.responses >= HISTOGRAM_FROM {
        writeln!(out, "  Histogram")?;
        let most = summary
            .histogram
            .iter()
            .chain(&summary.slower)
            .map(|b| b.count)
            .max()
            .unwrap_or(1)
            .max(1);
        let bar = |count: u64| {
            let width = if count == 0 {
                0
            } else {
                (count * BAR_WIDTH).div_ceil(most)
            };
            "■".repeat(width as usize)
        };
        let show = |value: f64| {
            output::duration(Duration::from_secs_f64(value / 1000.0), Notation::Measured)
        };
        for bucket in &summary.histogram {
            writeln!(
                out,
                "    {:>10}  {:<32} {}",
                show(bucket.to_ms),
                bar(bucket.count),
                bucket.count
            )?;
        }
        if let Some(slower) = &summary.slower {
            writeln!(
                out,
                "    {:>10}  {:<32} {}",
                format!("> {}", show(slower.from_ms)),
                bar(slower.count),
                format!("{} (slowest {})", slower.count, show(slower.to_ms)).yellow()
            )?;
        }
    }
    Ok(())
}

/// The last line: every request answered as expected, or how many failed and how.
fn print_verdict(
    out: &mut impl Write,
    summary: &Summary,
    tally: &Tally,
    config: &Config,
) -> anyhow::Result<()> {
    if summary.ok {
        let requests = output::plural(summary.sent, "request", "requests");
        let all = output::plural_word(summary.sent, "", "all ");
        writeln!(
            out,
            "{} {all}{requests} answered {}",
            output::ok_mark(),
            summary.expect_status
        )?;
    } else {
        writeln!(
            out,
            "{} {} of {} failed ({})",
            output::fail_mark(),
            summary.failed,
            summary.sent,
            failure_words(tally, config).join(", ")
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn recorded(latencies: impl IntoIterator<Item = Duration>) -> LatencyHistogram {
        let mut histogram = LatencyHistogram::default();
        for latency in latencies {
            histogram.record(latency);
        }
        histogram
    }

    #[test]
    fn histogram_counts_everything() {
        let (buckets, slower) = histogram(&recorded((0..50).map(Duration::from_millis)));
        assert_eq!(buckets.len(), HISTOGRAM_BUCKETS);
        assert_eq!(buckets.iter().map(|b| b.count).sum::<u64>(), 50);
        assert!(slower.is_none());
        let same = recorded([Duration::from_millis(3); 4]);
        assert_eq!(histogram(&same).0.len(), 1);
    }

    #[test]
    #[allow(
        clippy::float_cmp,
        reason = "ms() rounds to whole µs; the maximum is exact"
    )]
    fn outliers_are_set_apart_and_the_rest_stays_readable() {
        // 999 answers between 3 and 6 ms, and one of 124 ms.
        let mut latencies: Vec<Duration> = (0..999)
            .map(|i| Duration::from_micros(3000 + i * 3))
            .collect();
        latencies.push(Duration::from_millis(124));
        let (buckets, slower) = histogram(&recorded(latencies));
        // Counted apart: those above the 99th percentile (to the histogram's 1 % precision,
        // so answers within 1 % of it may count with it), the outlier among them.
        let slower = slower.expect("the outlier is counted apart");
        assert_eq!(slower.to_ms, 124.0);
        assert!((1..=15).contains(&slower.count), "{}", slower.count);
        assert_eq!(
            buckets.iter().map(|b| b.count).sum::<u64>() + slower.count,
            1000
        );
        assert!(buckets[0].to_ms < 3.5, "{}", buckets[0].to_ms);
        // Still a histogram: no bucket holds nearly everything.
        assert!(buckets.iter().all(|b| b.count < 200));
    }

    #[test]
    fn latencies_read_well() {
        let latency = |d| output::duration(d, Notation::Measured);
        assert_eq!(latency(Duration::from_micros(1234)), "1.23 ms");
        assert_eq!(latency(Duration::from_micros(45_600)), "45.6 ms");
        assert_eq!(latency(Duration::from_millis(1200)), "1.20 s");
    }
}
