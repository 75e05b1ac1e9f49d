//! What sending produced: one [`Sent`] per request, shown as it arrives and then folded into
//! a [`Tally`] of fixed size, so a run of any length costs the same memory. Each worker keeps
//! its own tally; they are merged once at the end.
use std::time::Duration;

use crate::validation::Check;

/// What happened to one request (shown, then counted and dropped).
pub(crate) struct Sent {
    pub template: usize,
    pub step: usize,
    pub status: Option<u16>,
    pub latency: Duration,
    pub failure: Option<Failure>,
    /// Only when results are shown one by one.
    pub detail: Option<Detail>,
}

pub(crate) use crate::net::{Failure, FailureKind};

pub(crate) struct Detail {
    /// A few words about the response body.
    pub gist: String,
    pub reply: Option<ReplyCheck>,
}

/// The target's answer to a Picky Assist message, checked as an instant reply.
pub(crate) enum ReplyCheck {
    Checked(Check),
    /// Not JSON: an acknowledgement only (instant replies must be JSON).
    NotJson,
}

pub(crate) struct Results {
    pub tally: Tally,
    pub elapsed: Duration,
    /// Stopped by Ctrl-C or SIGTERM before every request was sent.
    pub interrupted: bool,
}

/// Distinct failure messages kept, each with its count; further ones are only counted.
pub(crate) const MAX_MESSAGES: usize = 20;

/// Every result, counted: sizes fixed whatever the number of requests.
pub(crate) struct Tally {
    pub sent: u64,
    pub responses: u64,
    /// Responses by status code (100–599).
    by_status: Box<[u64; 600]>,
    /// Responses matching `--expect-status` whose body was read whole.
    pub succeeded: u64,
    pub matched: u64,
    pub over_budget: u64,
    pub timeouts: u64,
    pub connection_errors: u64,
    pub no_answer: u64,
    pub bad_answers: u64,
    pub body_broken: u64,
    pub body_too_large: u64,
    pub other_errors: u64,
    /// Distinct failure messages in the order first seen, with counts (at most
    /// [`MAX_MESSAGES`]).
    pub messages: Vec<(String, u64)>,
    /// Failures whose message was not kept (the list was full).
    pub messages_left_out: u64,
    pub latencies: LatencyHistogram,
}

impl Default for Tally {
    fn default() -> Self {
        Tally {
            sent: 0,
            responses: 0,
            by_status: Box::new([0; 600]),
            succeeded: 0,
            matched: 0,
            over_budget: 0,
            timeouts: 0,
            connection_errors: 0,
            no_answer: 0,
            bad_answers: 0,
            body_broken: 0,
            body_too_large: 0,
            other_errors: 0,
            messages: Vec::new(),
            messages_left_out: 0,
            latencies: LatencyHistogram::default(),
        }
    }
}

impl Tally {
    /// Count one result. `matched`: its status is one `--expect-status` accepts.
    pub fn add(&mut self, sent: &Sent, matched: bool, over_budget: bool) {
        self.sent += 1;
        if let Some(status) = sent.status {
            self.responses += 1;
            if let Some(count) = self.by_status.get_mut(usize::from(status)) {
                *count += 1;
            }
            self.matched += u64::from(matched);
            self.over_budget += u64::from(over_budget);
            self.latencies.record(sent.latency);
            self.succeeded += u64::from(matched && sent.failure.is_none());
        }
        if let Some(failure) = &sent.failure {
            *self.count_of(failure.kind) += 1;
            self.add_message(&failure.message, 1);
        }
    }

    fn count_of(&mut self, kind: FailureKind) -> &mut u64 {
        match kind {
            FailureKind::Timeout => &mut self.timeouts,
            FailureKind::Connect => &mut self.connection_errors,
            FailureKind::NoAnswer => &mut self.no_answer,
            FailureKind::BadAnswer => &mut self.bad_answers,
            FailureKind::BodyBroken => &mut self.body_broken,
            FailureKind::BodyTooLarge => &mut self.body_too_large,
            FailureKind::Other => &mut self.other_errors,
        }
    }

    fn add_message(&mut self, message: &str, count: u64) {
        if let Some(kept) = self.messages.iter_mut().find(|(m, _)| m == message) {
            kept.1 += count;
        } else if self.messages.len() < MAX_MESSAGES {
            self.messages.push((message.to_string(), count));
        } else {
            self.messages_left_out += count;
        }
    }

    /// Responses by status, in order.
    pub fn by_status(&self) -> impl Iterator<Item = (u16, u64)> + '_ {
        self.by_status
            .iter()
            .enumerate()
            .filter(|(_, count)| **count > 0)
            .map(|(status, count)| (status as u16, *count))
    }

    /// Requests that did not succeed: no answer, a broken one, or a status not expected.
    pub fn failed(&self) -> u64 {
        self.sent - self.succeeded
    }

    /// Responses whose body was read whole but whose status was not expected.
    pub fn wrong_status(&self) -> u64 {
        self.failed()
            - (self.timeouts
                + self.connection_errors
                + self.no_answer
                + self.bad_answers
                + self.body_broken
                + self.body_too_large
                + self.other_errors)
    }

    pub fn merge(&mut self, other: Tally) {
        self.sent += other.sent;
        self.responses += other.responses;
        for (mine, theirs) in self.by_status.iter_mut().zip(other.by_status.iter()) {
            *mine += theirs;
        }
        self.succeeded += other.succeeded;
        self.matched += other.matched;
        self.over_budget += other.over_budget;
        self.timeouts += other.timeouts;
        self.connection_errors += other.connection_errors;
        self.no_answer += other.no_answer;
        self.bad_answers += other.bad_answers;
        self.body_broken += other.body_broken;
        self.body_too_large += other.body_too_large;
        self.other_errors += other.other_errors;
        for (message, count) in &other.messages {
            self.add_message(message, *count);
        }
        self.messages_left_out += other.messages_left_out;
        self.latencies.merge(&other.latencies);
    }
}

/// Linear steps within each power of two of nanoseconds: a value is kept to within 1/128
/// (under 1 %) of itself.
const SUB_BITS: u32 = 7;
const SUB_BUCKETS: usize = 1 << SUB_BITS;
/// Powers of two covered: up to 2^45 ns, about 9.8 hours (longer is counted as that).
const MAGNITUDES: usize = 44 - SUB_BITS as usize + 1;
const LATENCY_BUCKETS: usize = (MAGNITUDES + 1) * SUB_BUCKETS;

/// Latencies in fixed log-scaled buckets (as HdrHistogram does): the exact minimum, maximum
/// and sum, and any percentile to within 1 %, in 39 KiB whatever the count.
pub(crate) struct LatencyHistogram {
    counts: Box<[u64]>,
    count: u64,
    min_ns: u64,
    max_ns: u64,
    sum_ns: u128,
}

impl Default for LatencyHistogram {
    fn default() -> Self {
        LatencyHistogram {
            counts: vec![0; LATENCY_BUCKETS].into_boxed_slice(),
            count: 0,
            min_ns: u64::MAX,
            max_ns: 0,
            sum_ns: 0,
        }
    }
}

impl LatencyHistogram {
    fn index(ns: u64) -> usize {
        // Below SUB_BUCKETS ns each value has its own bucket; above, the top SUB_BITS + 1 bits.
        let magnitude = (64 - ns.leading_zeros()).saturating_sub(SUB_BITS + 1) as usize;
        if magnitude >= MAGNITUDES {
            return LATENCY_BUCKETS - 1;
        }
        let sub = (ns >> magnitude) as usize;
        // `sub` is below 2 * SUB_BUCKETS; the first SUB_BUCKETS of each magnitude after the
        // first repeat the previous one's range, so magnitudes share the array half-offset.
        magnitude * SUB_BUCKETS + sub
    }

    /// The middle of the values bucket `index` holds.
    fn value_of(index: usize) -> u64 {
        let magnitude = (index / SUB_BUCKETS).saturating_sub(1);
        let sub = (index - magnitude * SUB_BUCKETS) as u64;
        let low = sub << magnitude;
        let width = 1u64 << magnitude;
        low + width / 2
    }

    pub fn record(&mut self, latency: Duration) {
        let ns = u64::try_from(latency.as_nanos()).unwrap_or(u64::MAX);
        self.counts[Self::index(ns)] += 1;
        self.count += 1;
        self.min_ns = self.min_ns.min(ns);
        self.max_ns = self.max_ns.max(ns);
        self.sum_ns += u128::from(ns);
    }

    pub fn merge(&mut self, other: &LatencyHistogram) {
        for (mine, theirs) in self.counts.iter_mut().zip(other.counts.iter()) {
            *mine += theirs;
        }
        self.count += other.count;
        self.min_ns = self.min_ns.min(other.min_ns);
        self.max_ns = self.max_ns.max(other.max_ns);
        self.sum_ns += other.sum_ns;
    }

    pub fn count(&self) -> u64 {
        self.count
    }

    pub fn min(&self) -> Duration {
        Duration::from_nanos(if self.count == 0 { 0 } else { self.min_ns })
    }

    pub fn max(&self) -> Duration {
        Duration::from_nanos(self.max_ns)
    }

    pub fn mean(&self) -> Duration {
        if self.count == 0 {
            return Duration::ZERO;
        }
        Duration::from_nanos((self.sum_ns / u128::from(self.count)) as u64)
    }

    /// The latency at percentile `p` (0–100), nearest rank, to within 1 %; never outside the
    /// exact minimum and maximum.
    pub fn percentile(&self, p: f64) -> Duration {
        if self.count == 0 {
            return Duration::ZERO;
        }
        let rank = ((p / 100.0 * self.count as f64).ceil() as u64).clamp(1, self.count);
        if rank == self.count {
            return self.max();
        }
        let mut seen = 0;
        for (index, count) in self.counts.iter().enumerate() {
            seen += count;
            if seen >= rank {
                let ns = Self::value_of(index).clamp(self.min_ns, self.max_ns);
                return Duration::from_nanos(ns);
            }
        }
        self.max()
    }

    /// Each non-empty bucket as (its middle, clamped to the exact extremes; its count), fastest
    /// first.
    pub fn buckets(&self) -> impl Iterator<Item = (Duration, u64)> + '_ {
        self.counts
            .iter()
            .enumerate()
            .filter(|(_, count)| **count > 0)
            .map(|(index, count)| {
                let ns = Self::value_of(index).clamp(self.min_ns, self.max_ns);
                (Duration::from_nanos(ns), *count)
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_keep_values_within_one_percent() {
        for ns in (0..5000u64).chain((1..60).map(|shift| (1u64 << shift) + 12345)) {
            let index = LatencyHistogram::index(ns);
            if index == LATENCY_BUCKETS - 1 {
                continue;
            }
            let back = LatencyHistogram::value_of(index);
            let error = back.abs_diff(ns) as f64 / ns.max(1) as f64;
            assert!(error <= 0.01, "{ns} -> {index} -> {back}");
        }
        // Indexes grow with the value.
        let mut last = 0;
        for ns in (0..1_000_000u64).step_by(97) {
            let index = LatencyHistogram::index(ns);
            assert!(index >= last, "{ns}");
            last = index;
        }
    }

    #[test]
    fn percentiles_by_nearest_rank_within_one_percent() {
        let mut histogram = LatencyHistogram::default();
        for ms in 1..=100 {
            histogram.record(Duration::from_millis(ms));
        }
        let close = |got: Duration, want: u64| {
            let want = Duration::from_millis(want).as_secs_f64();
            (got.as_secs_f64() - want).abs() <= want * 0.01
        };
        assert!(close(histogram.percentile(50.0), 50));
        assert!(close(histogram.percentile(99.0), 99));
        assert_eq!(histogram.percentile(100.0), Duration::from_millis(100));
        assert_eq!(histogram.min(), Duration::from_millis(1));
        assert_eq!(histogram.mean(), Duration::from_micros(50_500));
    }

    #[test]
    fn messages_are_capped_and_the_rest_counted() {
        let mut tally = Tally::default();
        for i in 0..100 {
            let failure = Failure {
                kind: FailureKind::Other,
                message: format!("error {}", i % 40),
            };
            let sent = Sent {
                template: 0,
                step: 0,
                status: None,
                latency: Duration::ZERO,
                failure: Some(failure),
                detail: None,
            };
            tally.add(&sent, false, false);
        }
        assert_eq!(tally.messages.len(), MAX_MESSAGES);
        let kept: u64 = tally.messages.iter().map(|(_, count)| count).sum();
        assert_eq!(kept + tally.messages_left_out, 100);
        assert_eq!((tally.failed(), tally.wrong_status()), (100, 0));
    }
}
