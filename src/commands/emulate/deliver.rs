//! Webhooks to the app: each one signed as the provider signs (its [`Signing`] over its
//! [`Rules::wire_bytes`]), sent with `--webhook-timeout`, recorded with the app's answer.
//! Status webhooks wait in bounded queues, each served by a thread of its own with its own
//! HTTP client and runtime (and, to a plain-http app, its own kept connection: replay's
//! [`net::Connection`]), in the order of their due times (`--statuses`): a hung app holds
//! those threads only, never an answer to a send; a full queue drops the webhook and counts it.
//!
//! What a provider does on the way, opt-in and drawn from `--seed` ([`Chaos`]): a webhook sent
//! twice, a send's webhooks in another order, one sent late. Webhooks the app does not take
//! are sent again on the provider's own schedule ([`RetrySchedule`]), compressed as asked
//! ([`RetrySpeed`]). When webhooks of several sends wait on one lane (under load), a provider
//! that batches (Meta) sends them merged into one notification, at most one webhook of each
//! send in it, as Meta's batches carry up to 1000 updates: one request to the app for many.
//!
//! [`Signing`]: crate::providers::Signing
//! [`Rules::wire_bytes`]: crate::providers::Rules::wire_bytes
use std::cell::RefCell;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, SyncSender, TryRecvError, TrySendError};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use reqwest::Method;
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};
use serde_json::Value;
use url::Url;

use super::Recorder;
use crate::capture::{CaptureRecord, DeliveryNote, Direction, ForwardResult};
use crate::ids::IdSource;
use crate::net::{self, FailureKind};
use crate::providers::{Destination, Provider, RetrySchedule, Webhook};
use crate::secret::{BasicAuth, SecretString};

/// Status webhooks waiting at most (retries included); one more is dropped (and counted).
const QUEUE_MAX: usize = 10_000;

/// Threads sending status webhooks.
const LANES: usize = 4;

/// The lanes a send's webhooks take when it came while other sends were being answered (a
/// load test, an app sending several at once): the first two. Under load each request to the
/// app then carries more merged webhooks (9 to 10 at 32 connections, against 6 to 7 on four
/// lanes), and a request costs the emulator about as much as four webhooks in it (and the app
/// a request): the emulator's CPU time per accepted send fell by about a seventh under
/// `bench/run emulate`'s load, the p99 from a send to its `sent` webhook staying under 10 ms
/// (docs/emulate-design.md). A send that came alone takes the next of all four in turn, so
/// the webhooks of sends made one at a time (an SDK's test app, which may read only the first
/// status of a batch) merge only when four sends' are still waiting.
const CROWDED_LANES: usize = 2;

/// The most webhooks merged into one notification: Meta's webhooks guide speaks of batches of
/// up to 1000 updates (PROVIDERS.md, "Batching").
const BATCH_MAX: usize = 1000;

/// `--chaos late=P` without a duration.
const LATE_DEFAULT: Duration = Duration::from_secs(2);

/// How the app answered one webhook.
pub struct Delivered {
    /// The app's HTTP status; `None` when no answer came.
    pub status: Option<u16>,
    /// The body of the app's answer (at most [`net::send`]'s cap).
    pub body: Vec<u8>,
}

impl Delivered {
    /// Whether the app took it, as providers count it: an answer in 2xx.
    fn taken(&self) -> bool {
        self.status
            .is_some_and(|status| (200..300).contains(&status))
    }
}

/// What happened to a webhook on its way, besides its body: shown on its line and kept in its
/// record ([`DeliveryNote`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Marks {
    /// 0 for the first attempt, 1 for the first retry …
    pub retry: u32,
    pub duplicate: bool,
    pub reordered: bool,
    /// Sent this much after its time.
    pub late: Option<Duration>,
}

impl Marks {
    /// A first attempt nothing happened to: such webhooks may be merged with others.
    fn plain(&self) -> bool {
        *self == Marks::default()
    }

    /// The record's note for a request carrying `batched` webhooks with these marks.
    pub fn note(&self, batched: usize) -> Option<DeliveryNote> {
        let mut chaos = Vec::new();
        if self.duplicate {
            chaos.push("duplicate".to_string());
        }
        if self.reordered {
            chaos.push("reordered".to_string());
        }
        if self.late.is_some() {
            chaos.push("late".to_string());
        }
        let note = DeliveryNote {
            attempt: (self.retry > 0).then_some(self.retry + 1),
            chaos,
            late_ms: self
                .late
                .map(|late| u64::try_from(late.as_millis()).unwrap_or(u64::MAX)),
            batched: (batched > 1).then(|| u32::try_from(batched).unwrap_or(u32::MAX)),
        };
        (note != DeliveryNote::default()).then_some(note)
    }

    /// The words of the live line: `retry 2`, `duplicate`, `reordered`, `late 2s`, `12 batched`.
    pub fn words(&self, batched: usize) -> Vec<String> {
        let mut words = Vec::new();
        if self.retry > 0 {
            words.push(format!("retry {}", self.retry));
        }
        if self.duplicate {
            words.push("duplicate".to_string());
        }
        if self.reordered {
            words.push("reordered".to_string());
        }
        if let Some(late) = self.late {
            words.push(format!(
                "late {}",
                crate::output::duration(late, crate::output::format::Notation::Flag)
            ));
        }
        if batched > 1 {
            words.push(format!("{batched} batched"));
        }
        words
    }
}

/// `--chaos dup=P,reorder=P,late=P[:DURATION]`: how often each act happens, P from 0 to 1.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct ChaosRates {
    /// A webhook is sent twice (the copy right after it).
    pub dup: f64,
    /// A send's status webhooks go in another order (reversed).
    pub reorder: f64,
    /// A webhook goes `late_by` after its time (later webhooks pass it).
    pub late: f64,
    pub late_by: Duration,
}

impl ChaosRates {
    /// # Errors
    ///
    /// One line saying what is wrong with `text`.
    pub fn parse(text: &str) -> Result<ChaosRates, String> {
        const FORM: &str =
            "dup=P,reorder=P,late=P[:DURATION], P from 0 to 1 (e.g. dup=0.1,late=0.05:2s)";
        let mut rates = ChaosRates {
            late_by: LATE_DEFAULT,
            ..ChaosRates::default()
        };
        let mut seen: Vec<&str> = Vec::new();
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let Some((name, value)) = part.split_once('=') else {
                return Err(format!("--chaos `{part}` is not NAME=P: {FORM}"));
            };
            let name = name.trim();
            if seen.contains(&name) {
                return Err(format!("--chaos names {name} twice"));
            }
            let (probability, delay) = match (name, value.split_once(':')) {
                ("late", Some((probability, delay))) => (probability, Some(delay)),
                (_, _) => (value, None),
            };
            let probability: f64 = probability
                .trim()
                .parse()
                .ok()
                .filter(|p: &f64| (0.0..=1.0).contains(p))
                .ok_or_else(|| {
                    format!("--chaos {name}={value}: P is a probability from 0 to 1 (0.1: one webhook in ten)")
                })?;
            match name {
                "dup" => rates.dup = probability,
                "reorder" => rates.reorder = probability,
                "late" => {
                    rates.late = probability;
                    if let Some(delay) = delay {
                        let delay = crate::cli::parse_duration(delay.trim())
                            .map_err(|err| format!("--chaos late: {err}"))?;
                        if delay.is_zero() || delay > Duration::from_secs(3600) {
                            return Err("--chaos late: the delay is from 1ms to 1h".to_string());
                        }
                        rates.late_by = delay;
                    }
                }
                other => {
                    return Err(format!(
                        "--chaos `{other}` is none of dup, reorder, late: {FORM}"
                    ));
                }
            }
            seen.push(name);
        }
        if seen.is_empty() {
            return Err(format!("--chaos is empty: {FORM}"));
        }
        Ok(rates)
    }
}

/// The chaos of a run: its rates, and the draws, from `--seed` when given (the same sends get
/// the same chaos on every run).
pub struct Chaos {
    rates: ChaosRates,
    draws: Mutex<IdSource>,
}

/// Chaos draws from the seed, apart from the ids drawn from it.
const CHAOS_STREAM: u64 = 0x6368_616f_735f_7761;

impl Chaos {
    pub fn new(rates: ChaosRates, seed: Option<u64>) -> Chaos {
        Chaos {
            rates,
            draws: Mutex::new(
                seed.map_or_else(IdSource::new, |seed| IdSource::seeded(seed ^ CHAOS_STREAM)),
            ),
        }
    }

    /// The webhooks of one send with the chaos drawn for them: in another order (each keeping
    /// the time of the place it took), late, or followed by a copy. All draws for one send
    /// are made at once, in order, so the same sends get the same chaos.
    fn apply(&self, jobs: Vec<Queued>) -> Vec<Queued> {
        let mut draws = self.draws.lock().unwrap_or_else(PoisonError::into_inner);
        let mut chance = |p: f64| {
            // 53 random bits as a number in [0, 1).
            let unit = (draws.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
            p > 0.0 && unit < p
        };
        let mut jobs = jobs;
        if jobs.len() > 1 && chance(self.rates.reorder) {
            reverse(&mut jobs);
        }
        let mut out = Vec::with_capacity(jobs.len() * 2);
        for mut job in jobs {
            if chance(self.rates.late) {
                job.due += self.rates.late_by;
                job.marks.late = Some(self.rates.late_by);
            }
            let copy = chance(self.rates.dup).then(|| {
                let mut copy = job.clone();
                copy.marks.duplicate = true;
                copy
            });
            out.push(job);
            out.extend(copy);
        }
        out
    }

    /// Whether a webhook the customer's action sent is sent again.
    fn duplicates(&self) -> bool {
        let mut draws = self.draws.lock().unwrap_or_else(PoisonError::into_inner);
        let unit = (draws.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        self.rates.dup > 0.0 && unit < self.rates.dup
    }
}

/// The webhooks of one send in reverse order, each keeping the time of the place it takes.
fn reverse(jobs: &mut [Queued]) {
    let dues: Vec<Instant> = jobs.iter().map(|job| job.due).collect();
    jobs.reverse();
    for (job, due) in jobs.iter_mut().zip(dues) {
        job.due = due;
        job.marks.reordered = true;
    }
}

/// `--retries off|real|compressed|Nx`: the provider's retry schedule, this many times faster
/// (`None`: no retries).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetrySpeed(pub Option<u32>);

/// `--retries compressed`: a minute becomes 60 ms, a day 86 s.
pub const COMPRESSED: u32 = 1000;

impl RetrySpeed {
    /// # Errors
    ///
    /// One line saying what is wrong with `text`.
    pub fn parse(text: &str) -> Result<RetrySpeed, String> {
        let wrong = || {
            format!(
                "--retries `{text}` is none of off, real, compressed ({COMPRESSED}x) or Nx (100x: the provider's schedule 100 times faster)"
            )
        };
        match text.trim() {
            "off" => Ok(RetrySpeed(None)),
            "real" => Ok(RetrySpeed(Some(1))),
            "compressed" => Ok(RetrySpeed(Some(COMPRESSED))),
            other => {
                let factor: u32 = other
                    .strip_suffix('x')
                    .and_then(|n| n.trim().parse().ok())
                    .ok_or_else(wrong)?;
                if factor == 0 {
                    return Err(format!("--retries {other}: N is 1 or more"));
                }
                Ok(RetrySpeed(Some(factor)))
            }
        }
    }
}

/// The provider's retry schedule at the speed asked.
#[derive(Clone, Copy, Debug)]
pub struct Retries {
    pub schedule: RetrySchedule,
    pub speed: u32,
}

impl Retries {
    /// When retry `n` is due after a first attempt made at `first`; `None` once given up.
    fn due(&self, first: Instant, n: u32) -> Option<Instant> {
        self.schedule.retry_at(n).map(|at| first + at / self.speed)
    }
}

/// Sends webhooks to the app.
pub struct Delivery {
    pub client: reqwest::Client,
    pub url: Url,
    /// `--events-webhook`: where [`Destination::Events`] webhooks go (`url` when `None`).
    pub events_url: Option<Url>,
    pub provider: Provider,
    pub app_secret: Option<SecretString>,
    /// `--basic-auth-env`: sent on every webhook.
    pub basic_auth: Option<BasicAuth>,
    pub recorder: Arc<Recorder>,
    /// `--webhook-timeout`, for the lanes' own clients.
    pub timeout: Duration,
}

/// An HTTP client and the runtime it runs on; a lane's also keeps its own connection to each
/// plain-http URL it sends to ([`net::Connection`]: a prepared head, none of reqwest's
/// per-request layers), https going through reqwest.
struct Client<'a> {
    reqwest: &'a reqwest::Client,
    runtime: &'a tokio::runtime::Runtime,
    /// `None`: every webhook goes through `client` (deliveries outside the lanes).
    connections: Option<RefCell<Vec<net::Connection>>>,
}

impl Delivery {
    /// Send one webhook and wait for the app's answer (at most the client's timeout); record
    /// it and count it.
    pub fn deliver(&self, webhook: &Webhook) -> Delivered {
        let client = Client {
            reqwest: &self.client,
            runtime: crate::http::runtime(),
            connections: None,
        };
        self.send(
            &client,
            &webhook.body,
            webhook.destination,
            Marks::default(),
            1,
        )
    }

    /// A copy of a webhook just delivered, sent at once and recorded as a duplicate (a
    /// step's `chaos = "duplicate"`, `/_wa-hook/say {"chaos": "duplicate"}`).
    pub fn deliver_copy(&self, webhook: &Webhook) -> Delivered {
        let client = Client {
            reqwest: &self.client,
            runtime: crate::http::runtime(),
            connections: None,
        };
        let marks = Marks {
            duplicate: true,
            ..Marks::default()
        };
        self.send(&client, &webhook.body, webhook.destination, marks, 1)
    }

    /// Send `body` (`batched` webhooks merged, or one) with `client`; record and count it.
    fn send(
        &self,
        client: &Client<'_>,
        body: &Value,
        destination: Destination,
        marks: Marks,
        batched: usize,
    ) -> Delivered {
        let url = match (destination, &self.events_url) {
            (Destination::Events, Some(events)) => events,
            _ => &self.url,
        };
        let rules = self.provider.rules();
        let body_bytes = bytes::Bytes::from(rules.wire_bytes(body));
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        if let (Some(secret), Some(signing)) = (&self.app_secret, rules.signing()) {
            if let (Ok(name), Ok(value)) = (
                HeaderName::from_bytes(signing.header().as_bytes()),
                HeaderValue::from_str(&signing.sign(secret, &body_bytes)),
            ) {
                headers.insert(name, value);
            }
        }
        let keep = self.recorder.keeps();
        let sent_at = if keep {
            crate::capture::now_rfc3339()
        } else {
            String::new()
        };
        // The record's headers, before the credentials go in (those are listed redacted).
        let listed: Vec<(String, String)> = if keep {
            headers
                .iter()
                .map(|(name, value)| {
                    (
                        name.as_str().to_string(),
                        value.to_str().unwrap_or_default().to_string(),
                    )
                })
                .chain(self.basic_auth.as_ref().map(|auth| {
                    (
                        "authorization".to_string(),
                        auth.header_value().expose().to_string(),
                    )
                }))
                .collect()
        } else {
            Vec::new()
        };
        if let Some(auth) = &self.basic_auth {
            if let Ok(value) = HeaderValue::from_str(auth.header_value().expose()) {
                headers.insert(AUTHORIZATION, value);
            }
        }
        let reply = match client
            .connections
            .as_ref()
            .filter(|_| url.scheme() == "http")
        {
            Some(connections) => {
                let mut connections = connections.borrow_mut();
                let at = match connections.iter().position(|c| c.serves(url)) {
                    Some(at) => Some(at),
                    None => net::Connection::new(url, self.timeout).map(|connection| {
                        connections.push(connection);
                        connections.len() - 1
                    }),
                };
                match at {
                    Some(at) => client.runtime.block_on(connections[at].send(
                        &Method::POST,
                        url,
                        &headers,
                        body_bytes.clone(),
                        url,
                        true,
                    )),
                    None => client.through_reqwest(url, headers, &body_bytes),
                }
            }
            None => client.through_reqwest(url, headers, &body_bytes),
        };
        let mut secrets: Vec<&SecretString> = self.app_secret.iter().collect();
        if let Some(auth) = &self.basic_auth {
            secrets.extend(auth.secrets());
        }
        let failure = reply.failure.map(|failure| failure.scrubbed(&secrets));
        let status = reply.status.filter(|_| failure.is_none());
        let error = failure.as_ref().map(|failure| failure.message.clone());
        let mut record = CaptureRecord {
            direction: Some(Direction::Webhook),
            delivery: marks.note(batched),
            ..CaptureRecord::default()
        };
        if keep {
            let (record_headers, redacted_headers) =
                crate::capture::redacted_headers(&listed, false);
            record.received_at = sent_at;
            record.remote_addr = format!(
                "{}:{}",
                url.host_str().unwrap_or_default(),
                url.port_or_known_default().unwrap_or_default()
            );
            record.method = "POST".to_string();
            record.path = url.path().to_string();
            record.query = url.query().unwrap_or_default().to_string();
            record.headers = record_headers;
            record.redacted_headers = redacted_headers;
            record.body_bytes = body_bytes.len() as u64;
            record.response_status = match (&status, &failure) {
                (Some(status), _) => *status,
                (None, Some(failure)) if failure.kind == FailureKind::Timeout => 504,
                _ => 502,
            };
            record.forward = Some(ForwardResult {
                url: url.to_string(),
                status,
                latency_ms: crate::output::ms(reply.latency),
                body: (!reply.body.is_empty())
                    .then(|| crate::secret::scrub(&String::from_utf8_lossy(&reply.body), &secrets)),
                error: error.clone(),
            });
            (record.body, record.body_encoding) = CaptureRecord::encode_body(&body_bytes);
            crate::validation::check_value(body, &crate::validation::CheckOptions::default())
                .record_into(&mut record);
        } else {
            // Nothing is kept: what the line shows is enough.
            record.kind = crate::providers::detect(body).map(|detection| detection.kind);
        }
        // What the inspector lists of the body, from the body at hand (never parsed again).
        let facts = (keep && self.recorder.fed())
            .then(|| crate::inspector::BodyFacts::of(&record, &body_bytes, Some(body)));
        let saved = self
            .recorder
            .webhook(record, status, error, &marks.words(batched), batched);
        self.recorder.feed(saved, facts);
        Delivered {
            status,
            body: reply.body,
        }
    }
}

impl Client<'_> {
    /// One webhook through reqwest (https, and deliveries outside the lanes).
    fn through_reqwest(&self, url: &Url, headers: HeaderMap, body: &bytes::Bytes) -> net::Reply {
        let request = net::Request {
            method: Method::POST,
            url: url.clone(),
            headers,
            body: body.clone().into(),
        };
        self.runtime
            .block_on(net::send(self.reqwest, request, url, true))
    }
}

/// A webhook on its way to a lane.
#[derive(Clone)]
struct Queued {
    due: Instant,
    /// The send it follows (one of each send's webhooks per batch, so they stay in order).
    send: u64,
    webhook: Webhook,
    marks: Marks,
    /// When its first attempt was made, for the retry schedule.
    first_attempt: Option<Instant>,
}

/// A webhook waiting for its time.
struct Job {
    order: u64,
    queued: Queued,
}

impl PartialEq for Job {
    fn eq(&self, other: &Self) -> bool {
        (self.queued.due, self.order) == (other.queued.due, other.order)
    }
}
impl Eq for Job {}
impl PartialOrd for Job {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Job {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.queued.due, self.order).cmp(&(other.queued.due, other.order))
    }
}

/// Webhooks of one send on their way to a lane ([`Queue::plan`]).
pub struct Planned {
    lane: usize,
    jobs: Vec<Queued>,
}

/// The status webhooks of one lane and the thread that sends them.
struct Lane {
    sender: SyncSender<Queued>,
    /// Webhooks queued and not sent yet (one being sent included, retries waiting included).
    waiting: Arc<AtomicUsize>,
    /// Signalled when the thread ends (behind a lock only to make the queue shareable).
    done: Mutex<Receiver<()>>,
}

/// What the lanes count for the summary.
#[derive(Default)]
pub struct QueueCounts {
    /// Retries sent.
    pub retried: AtomicU64,
    /// Webhooks whose retries ran out with the app still not taking them.
    pub gave_up: AtomicU64,
    /// Copies sent by `--chaos dup`, sends reordered, webhooks sent late.
    pub duplicated: AtomicU64,
    pub reordered: AtomicU64,
    pub late: AtomicU64,
    /// Requests that carried several webhooks merged, and the webhooks they carried.
    pub batches: AtomicU64,
    pub batched: AtomicU64,
}

/// The queues of status webhooks: `LANES` lanes, each served by a thread of its own. The
/// webhooks of one send go down one lane, in order (sent before delivered); sends take the
/// lanes in turn, so one app round trip does not pace every message's statuses (the first
/// [`CROWDED_LANES`] only, while several sends are answered at once).
pub struct Queue {
    lanes: Vec<Lane>,
    next: AtomicUsize,
    chaos: Option<Chaos>,
    retries: Option<Retries>,
    pub counts: Arc<QueueCounts>,
    /// The next send with several webhooks has them in reverse order (`/_wa-hook/chaos
    /// {"next_send": "reorder"}`, a step's `chaos = "reorder"`).
    reorder_next: AtomicBool,
    /// Sends being answered now ([`Queue::arrive`]): more than one, and a send's webhooks
    /// take one of the first [`CROWDED_LANES`] lanes.
    arriving: AtomicUsize,
}

/// The lane of the `next`th send of a run with `lanes` lanes, `arriving` sends being answered
/// (this one included): the next in turn of all of them when it came alone, of the first
/// [`CROWDED_LANES`] when it came while others were answered.
fn lane_of(next: usize, arriving: usize, lanes: usize) -> usize {
    let lanes = if arriving > 1 {
        CROWDED_LANES.min(lanes)
    } else {
        lanes
    };
    next % lanes.max(1)
}

/// A send being answered, counted until dropped ([`Queue::arrive`]).
pub struct Arrival<'a>(&'a AtomicUsize);

impl Drop for Arrival<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

impl Queue {
    pub fn start(
        delivery: &Arc<Delivery>,
        chaos: Option<Chaos>,
        retries: Option<Retries>,
    ) -> anyhow::Result<Queue> {
        let counts = Arc::new(QueueCounts::default());
        let mut lanes = Vec::with_capacity(LANES);
        for lane in 0..LANES {
            let (sender, receiver) = mpsc::sync_channel(QUEUE_MAX / LANES);
            let (done_sender, done) = mpsc::channel();
            let waiting = Arc::new(AtomicUsize::new(0));
            let worker = LaneWorker {
                delivery: Arc::clone(delivery),
                receiver,
                waiting: Arc::clone(&waiting),
                retries,
                counts: Arc::clone(&counts),
            };
            // Each lane has its own client and runtime: no lane waits for another's turn to
            // drive the I/O.
            let client = crate::http::client(&crate::http::HttpOptions {
                timeout: delivery.timeout,
                insecure: false,
            })?;
            std::thread::Builder::new()
                .name(format!("wa-hook-webhooks-{lane}"))
                .spawn(move || {
                    match tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                    {
                        Ok(runtime) => worker.serve(&Client {
                            reqwest: &client,
                            runtime: &runtime,
                            connections: Some(RefCell::new(Vec::new())),
                        }),
                        // Said, not silent: this lane's webhooks are counted as not sent.
                        Err(err) => crate::output::warn(format!(
                            "a webhook lane could not start its I/O ({err}); its webhooks are not sent"
                        )),
                    }
                    let _ = done_sender.send(());
                })?;
            lanes.push(Lane {
                sender,
                waiting,
                done: Mutex::new(done),
            });
        }
        Ok(Queue {
            lanes,
            next: AtomicUsize::new(0),
            chaos,
            retries,
            counts,
            reorder_next: AtomicBool::new(false),
            arriving: AtomicUsize::new(0),
        })
    }

    /// A send has come: counted while the returned guard lives, so that the webhooks of sends
    /// that come while others are answered go down fewer lanes, more of them merged.
    pub fn arrive(&self) -> Arrival<'_> {
        self.arriving.fetch_add(1, Ordering::Relaxed);
        Arrival(&self.arriving)
    }

    /// The next send whose webhooks are several has them in reverse order, each keeping the
    /// time of the place it takes, as `--chaos reorder` reorders.
    pub fn reorder_next_send(&self) {
        self.reorder_next.store(true, Ordering::SeqCst);
    }

    /// Queue the webhooks of one send, each for its time, down one lane (with the chaos drawn
    /// for them); how many were dropped because the lane was full.
    pub fn push(&self, webhooks: impl IntoIterator<Item = (Instant, Webhook)>) -> usize {
        self.enqueue(self.plan(webhooks))
    }

    /// The webhooks of one send with their lane and the chaos drawn for them, to [`enqueue`]
    /// later: planned while the emulator's lock is held, the draws follow the order of the
    /// ids, so a seed gives the same chaos to the same sends whichever thread queues them.
    ///
    /// [`enqueue`]: Queue::enqueue
    pub fn plan(&self, webhooks: impl IntoIterator<Item = (Instant, Webhook)>) -> Planned {
        let jobs: Vec<(Instant, Webhook)> = webhooks.into_iter().collect();
        if jobs.is_empty() {
            return Planned {
                lane: 0,
                jobs: Vec::new(),
            };
        }
        let next = self.next.fetch_add(1, Ordering::Relaxed);
        let send = next as u64;
        let lane = lane_of(
            next,
            self.arriving.load(Ordering::Relaxed),
            self.lanes.len(),
        );
        let jobs: Vec<Queued> = jobs
            .into_iter()
            .map(|(due, webhook)| Queued {
                due,
                send,
                webhook,
                marks: Marks::default(),
                first_attempt: None,
            })
            .collect();
        let mut jobs = match &self.chaos {
            Some(chaos) => chaos.apply(jobs),
            None => jobs,
        };
        let reordered = jobs.iter().any(|job| job.marks.reordered);
        if jobs.len() > 1 && !reordered && self.reorder_next.swap(false, Ordering::SeqCst) {
            reverse(&mut jobs);
        }
        Planned { lane, jobs }
    }

    /// Queue planned webhooks; how many were dropped because the lane was full.
    pub fn enqueue(&self, planned: Planned) -> usize {
        let Planned { lane: at, jobs } = planned;
        let lane = &self.lanes[at % self.lanes.len()];
        let mut dropped = 0;
        for job in jobs {
            // Counted before it is queued: the lane may send it (and count it off) before
            // `try_send` has returned here, and a count taken off first would wrap below zero
            // and read as a full lane, dropping the webhooks queued meanwhile.
            if lane.waiting.fetch_add(1, Ordering::AcqRel) >= QUEUE_MAX / self.lanes.len() {
                lane.waiting.fetch_sub(1, Ordering::AcqRel);
                dropped += 1;
                continue;
            }
            let marks = job.marks;
            match lane.sender.try_send(job) {
                Ok(()) => self.count_chaos(marks),
                Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) => {
                    lane.waiting.fetch_sub(1, Ordering::AcqRel);
                    dropped += 1;
                }
            }
        }
        dropped
    }

    fn count_chaos(&self, marks: Marks) {
        let counts = &self.counts;
        if marks.duplicate {
            counts.duplicated.fetch_add(1, Ordering::Relaxed);
        }
        if marks.reordered {
            counts.reordered.fetch_add(1, Ordering::Relaxed);
        }
        if marks.late.is_some() {
            counts.late.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// After a webhook was delivered outside the queue (a customer action): its copy
    /// (`--chaos dup`) and its retries (`--retries`, when the app did not take it) go down a
    /// lane; how many were dropped because the lane was full.
    pub fn after_delivery(&self, webhook: &Webhook, delivered: &Delivered, at: Instant) -> usize {
        let lane = self.next.fetch_add(1, Ordering::Relaxed);
        let send = lane as u64;
        let mut jobs = Vec::new();
        if self.chaos.as_ref().is_some_and(Chaos::duplicates) {
            jobs.push(Queued {
                due: Instant::now(),
                send,
                webhook: webhook.clone(),
                marks: Marks {
                    duplicate: true,
                    ..Marks::default()
                },
                first_attempt: None,
            });
        }
        if let Some(due) = self
            .retries
            .filter(|_| !delivered.taken() && webhook.destination == Destination::Main)
            .and_then(|retries| retries.due(at, 1))
        {
            jobs.push(Queued {
                due,
                send,
                webhook: webhook.clone(),
                marks: Marks {
                    retry: 1,
                    ..Marks::default()
                },
                first_attempt: Some(at),
            });
        }
        self.enqueue(Planned { lane, jobs })
    }

    /// Stop taking webhooks; wait until `deadline` at most for the threads to end. The
    /// webhooks still waiting then (never sent).
    pub fn finish(self, deadline: Instant) -> usize {
        let mut waiting = Vec::new();
        for lane in self.lanes {
            let Lane {
                sender,
                waiting: count,
                done,
            } = lane;
            drop(sender);
            waiting.push((count, done));
        }
        waiting
            .into_iter()
            .map(|(count, done)| {
                let done = done.into_inner().unwrap_or_else(PoisonError::into_inner);
                let _ = done.recv_timeout(deadline.saturating_duration_since(Instant::now()));
                count.load(Ordering::Relaxed)
            })
            .sum()
    }
}

/// One lane's thread.
struct LaneWorker {
    delivery: Arc<Delivery>,
    receiver: Receiver<Queued>,
    waiting: Arc<AtomicUsize>,
    retries: Option<Retries>,
    counts: Arc<QueueCounts>,
}

impl LaneWorker {
    /// Send each webhook when due, in order of due time then arrival, until the queue closes.
    /// At the close, the ones not due yet are left (the stop does not wait for delays).
    fn serve(&self, client: &Client<'_>) {
        let mut pending: BinaryHeap<Reverse<Job>> = BinaryHeap::new();
        let mut order = 0u64;
        let mut add = |pending: &mut BinaryHeap<Reverse<Job>>, queued: Queued| {
            order += 1;
            pending.push(Reverse(Job { order, queued }));
        };
        loop {
            // Take everything already queued before sending, so order holds and waiting
            // webhooks can go together.
            loop {
                match self.receiver.try_recv() {
                    Ok(queued) => add(&mut pending, queued),
                    Err(TryRecvError::Empty) => break,
                    Err(TryRecvError::Disconnected) => {
                        // Closed: what is due still goes; the rest is left.
                        while let Some(batch) = self.take_due(&mut pending) {
                            for queued in self.send(client, batch) {
                                add(&mut pending, queued);
                            }
                        }
                        return;
                    }
                }
            }
            if let Some(batch) = self.take_due(&mut pending) {
                for queued in self.send(client, batch) {
                    add(&mut pending, queued);
                }
                continue;
            }
            let wait = pending
                .peek()
                .map_or(Duration::from_millis(500), |Reverse(job)| {
                    job.queued.due.saturating_duration_since(Instant::now())
                });
            match self.receiver.recv_timeout(wait) {
                Ok(queued) => add(&mut pending, queued),
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => {
                    while let Some(batch) = self.take_due(&mut pending) {
                        for queued in self.send(client, batch) {
                            add(&mut pending, queued);
                        }
                    }
                    return;
                }
            }
        }
    }

    /// The webhooks to send now: the first one due, and — when the provider batches and it is
    /// a plain first attempt — every other plain one due for the same URL, one per send, up
    /// to [`BATCH_MAX`]. `None` when nothing is due.
    fn take_due(&self, pending: &mut BinaryHeap<Reverse<Job>>) -> Option<Vec<Job>> {
        let now = Instant::now();
        if pending
            .peek()
            .is_none_or(|Reverse(job)| job.queued.due > now)
        {
            return None;
        }
        let Reverse(first) = pending.pop()?;
        let batching = self.delivery.provider.rules().batching().is_some();
        if !batching || !first.queued.marks.plain() {
            return Some(vec![first]);
        }
        let destination = first.queued.webhook.destination;
        let mut sends = HashSet::from([first.queued.send]);
        let mut batch = vec![first];
        let mut aside = Vec::new();
        while batch.len() < BATCH_MAX
            && pending
                .peek()
                .is_some_and(|Reverse(job)| job.queued.due <= now)
        {
            let Some(Reverse(job)) = pending.pop() else {
                break;
            };
            // A send's webhook that stays makes its later ones stay too: they keep its order.
            let fits = job.queued.marks.plain()
                && job.queued.webhook.destination == destination
                && !sends.contains(&job.queued.send);
            sends.insert(job.queued.send);
            if fits {
                batch.push(job);
            } else {
                aside.push(job);
            }
        }
        for job in aside {
            pending.push(Reverse(job));
        }
        Some(batch)
    }

    /// Send a batch (merged into one notification, or one webhook); the retries that follow
    /// when the app did not take it.
    fn send(&self, client: &Client<'_>, batch: Vec<Job>) -> Vec<Queued> {
        let delivery = &self.delivery;
        let mut batch = batch;
        let merged = if batch.len() > 1 {
            // Lent to the merge, given back for the retries (or when they cannot be merged).
            let mut bodies: Vec<Value> = batch
                .iter_mut()
                .map(|job| std::mem::take(&mut job.queued.webhook.body))
                .collect();
            let batching = delivery.provider.rules().batching();
            match batching {
                // Without retries nothing reads the bodies after: moved into the merge.
                Some(batching) if self.retries.is_none() => match batching.batch_owned(bodies) {
                    Ok(merged) => Some(merged),
                    Err(bodies) => {
                        for (job, body) in batch.iter_mut().zip(bodies) {
                            job.queued.webhook.body = body;
                        }
                        None
                    }
                },
                batching => {
                    let merged = batching.and_then(|batching| batching.batch(&bodies));
                    for (job, body) in batch.iter_mut().zip(bodies.drain(..)) {
                        job.queued.webhook.body = body;
                    }
                    merged
                }
            }
        } else {
            None
        };
        let started = Instant::now();
        let mut taken = Vec::with_capacity(batch.len());
        match merged {
            Some(body) => {
                let first = &batch[0].queued;
                let delivered = delivery.send(
                    client,
                    &body,
                    first.webhook.destination,
                    Marks::default(),
                    batch.len(),
                );
                self.counts.batches.fetch_add(1, Ordering::Relaxed);
                self.counts
                    .batched
                    .fetch_add(batch.len() as u64, Ordering::Relaxed);
                taken.resize(batch.len(), delivered.taken());
            }
            None => {
                for job in &batch {
                    let queued = &job.queued;
                    let delivered = delivery.send(
                        client,
                        &queued.webhook.body,
                        queued.webhook.destination,
                        queued.marks,
                        1,
                    );
                    taken.push(delivered.taken());
                }
            }
        }
        self.waiting.fetch_sub(batch.len(), Ordering::Relaxed);
        let mut again = Vec::new();
        for (Job { queued, .. }, taken) in batch.into_iter().zip(taken) {
            if queued.marks.retry > 0 {
                self.counts.retried.fetch_add(1, Ordering::Relaxed);
            }
            if taken {
                continue;
            }
            let Some(retries) = self
                .retries
                .filter(|_| queued.webhook.destination == Destination::Main)
            else {
                continue;
            };
            let first = queued.first_attempt.unwrap_or(started);
            let next = queued.marks.retry + 1;
            match retries.due(first, next) {
                Some(due) => {
                    self.waiting.fetch_add(1, Ordering::Relaxed);
                    again.push(Queued {
                        due,
                        marks: Marks {
                            retry: next,
                            ..queued.marks
                        },
                        first_attempt: Some(first),
                        ..queued
                    });
                }
                None => {
                    self.counts.gave_up.fetch_add(1, Ordering::Relaxed);
                }
            }
        }
        again
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chaos_reads_its_rates_and_says_what_is_wrong_in_one_line() {
        let rates = ChaosRates::parse("dup=0.1, reorder=1,late=0.5:300ms").unwrap();
        assert_eq!(
            rates,
            ChaosRates {
                dup: 0.1,
                reorder: 1.0,
                late: 0.5,
                late_by: Duration::from_millis(300)
            }
        );
        assert_eq!(ChaosRates::parse("late=0").unwrap().late_by, LATE_DEFAULT);
        for (text, says) in [
            ("dup=2", "from 0 to 1"),
            ("dup=-0.1", "from 0 to 1"),
            ("dup=x", "from 0 to 1"),
            ("dup", "not NAME=P"),
            ("dupe=0.1", "none of dup, reorder, late"),
            ("dup=0.1,dup=0.2", "twice"),
            ("late=0.1:soon", "--chaos late"),
            ("late=0.1:0s", "1ms to 1h"),
            ("", "empty"),
        ] {
            let err = ChaosRates::parse(text).unwrap_err();
            assert!(err.contains(says), "{text}: {err}");
            assert!(!err.contains('\n'), "{err}");
        }
    }

    /// Sends that come alone take the four lanes in turn (the webhooks of sends made one at a
    /// time never share a lane with the next three's); sends that come while others are
    /// answered take the first two in turn.
    #[test]
    fn sends_alone_take_every_lane_and_crowded_ones_the_first_two() {
        let alone: Vec<usize> = (0..8).map(|next| lane_of(next, 1, LANES)).collect();
        assert_eq!(alone, [0, 1, 2, 3, 0, 1, 2, 3]);
        let crowded: Vec<usize> = (0..6).map(|next| lane_of(next, 3, LANES)).collect();
        assert_eq!(crowded, [0, 1, 0, 1, 0, 1]);
        // Counted from outside a send (a customer's action): as alone.
        assert_eq!(lane_of(6, 0, LANES), 2);
        assert_eq!(lane_of(5, 2, 1), 0);
    }

    #[test]
    fn retry_speeds_are_off_real_compressed_or_a_factor() {
        assert_eq!(RetrySpeed::parse("off").unwrap(), RetrySpeed(None));
        assert_eq!(RetrySpeed::parse("real").unwrap(), RetrySpeed(Some(1)));
        assert_eq!(
            RetrySpeed::parse("compressed").unwrap(),
            RetrySpeed(Some(COMPRESSED))
        );
        assert_eq!(RetrySpeed::parse("60x").unwrap(), RetrySpeed(Some(60)));
        for wrong in ["fast", "0x", "x", "10", "-3x"] {
            assert!(RetrySpeed::parse(wrong).is_err(), "{wrong}");
        }
    }

    #[test]
    fn schedules_retry_then_give_up() {
        let picky = Provider::from_id("picky")
            .unwrap()
            .rules()
            .retries()
            .unwrap();
        let retries = |schedule: RetrySchedule| {
            (1..=64)
                .take_while(|n| schedule.retry_at(*n).is_some())
                .count()
        };
        assert_eq!(retries(picky), 4);
        assert_eq!(picky.retry_at(1), Some(Duration::from_secs(60)));
        assert_eq!(picky.retry_at(4), Some(Duration::from_secs(6 * 3600)));
        assert_eq!(picky.retry_at(5), None);
        let meta = Provider::from_id("meta")
            .unwrap()
            .rules()
            .retries()
            .unwrap();
        assert_eq!(retries(meta), 13);
        assert_eq!(meta.retry_at(2), Some(Duration::from_secs(180)));
        assert!(meta.retry_at(13).unwrap() <= Duration::from_secs(7 * 24 * 3600));
        for id in ["qikchat", "partner", "smartflow"] {
            assert!(
                Provider::from_id(id).unwrap().rules().retries().is_none(),
                "{id}"
            );
        }
        let compressed = Retries {
            schedule: picky,
            speed: COMPRESSED,
        };
        let first = Instant::now();
        assert_eq!(
            compressed.due(first, 1),
            Some(first + Duration::from_millis(60))
        );
        assert_eq!(compressed.due(first, 5), None);
    }

    fn job(send: u64) -> Queued {
        Queued {
            due: Instant::now(),
            send,
            webhook: Webhook::new(Some("sent"), Value::Null),
            marks: Marks::default(),
            first_attempt: None,
        }
    }

    /// The same seed draws the same chaos; every act is marked.
    #[test]
    fn seeded_chaos_is_the_same_on_every_run() {
        let rates = ChaosRates::parse("dup=0.5,reorder=0.5,late=0.5:1s").unwrap();
        let run = |seed| {
            let chaos = Chaos::new(rates, Some(seed));
            (0..50)
                .flat_map(|send| chaos.apply(vec![job(send), job(send)]))
                .map(|queued| (queued.send, queued.marks))
                .collect::<Vec<_>>()
        };
        let first = run(7);
        assert_eq!(first, run(7));
        assert_ne!(first, run(8));
        let marks: Vec<Marks> = first.iter().map(|(_, marks)| *marks).collect();
        assert!(marks.iter().any(|m| m.duplicate));
        assert!(marks.iter().any(|m| m.reordered));
        assert!(marks.iter().any(|m| m.late == Some(Duration::from_secs(1))));
        assert!(marks.iter().any(Marks::plain));
    }

    #[test]
    fn marks_are_words_on_the_line_and_a_note_in_the_record() {
        let marks = Marks {
            retry: 2,
            duplicate: true,
            late: Some(Duration::from_secs(2)),
            ..Marks::default()
        };
        assert_eq!(marks.words(1), ["retry 2", "duplicate", "late 2s"]);
        let note = marks.note(1).unwrap();
        assert_eq!(note.attempt, Some(3));
        assert_eq!(note.chaos, ["duplicate", "late"]);
        assert_eq!(note.late_ms, Some(2000));
        assert_eq!(Marks::default().note(1), None);
        assert_eq!(Marks::default().note(12).unwrap().batched, Some(12));
    }
}
