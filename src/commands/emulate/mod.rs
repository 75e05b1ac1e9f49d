//! `wa-hook emulate PROVIDER`: the provider's send API on this machine. The app points its API
//! base URL here; each request is answered by the provider's [`Emulator`] (asked of the
//! registry through the [`SendApi`](crate::providers::SendApi) capability: this command never
//! names a provider's module), and the webhooks that follow go to `--webhook` ([`deliver`]).
//! `emulate say|read|fail` play the customer against a running emulator ([`customer`]), as
//! does the chat pane of the inspector it serves over its capture file ([`start_inspector`]).
//!
//! Bounds: tiny_http's limits as listen sets them (a head of at most 64 KiB read within
//! `--read-timeout`, a body within 3 times it, at most `MAX_CONNECTIONS` open); a body over
//! `--max-body` is refused unread (413, in the provider's envelope). `workers()` threads answer
//! requests, each taking those queued at once (up to `MAX_BATCH`, their records saved with one
//! write before their answers go); the emulator's state sits behind one lock held only while
//! an answer is decided, never while a webhook is sent, and not while a send's body is parsed
//! and checked against the send schema ([`SendApi::precheck`](crate::providers::SendApi::precheck), on the request's
//! thread before the lock is taken). Status webhooks wait in bounded queues, each with a thread
//! of its own, each sent with `--webhook-timeout`, so a hung app never holds an answer to a
//! send. A customer action (`/_wa-hook/say`) waits for the app's answer, since it reports it,
//! on a thread of its own (as does a request whose body is still arriving).
//! At Ctrl-C the emulator stops within about a second and prints its summary.
mod customer;
mod deliver;
mod test;

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant, SystemTime};

use anyhow::{Context, bail};
use serde_json::{Value, json};

use crate::capture::{CaptureRecord, CaptureWriter, Direction};
use crate::cli::{EmulateArgs, EmulateCommand, EmulateServeArgs, Format};
use crate::error::Outcome;
use crate::output;
use crate::providers::{
    ApiAnswer, ApiRequest, CustomerAction, Emulator, EmulatorSetup, Identity, Kind, Precheck,
    Provider, Webhook,
};
use crate::validation::Verdict;

use deliver::{Chaos, ChaosRates, Delivery, Queue, QueueCounts, Retries, RetrySpeed};

/// Distinct (kind, outcome) rows the summary counts; more are counted in one `other` row.
const SUMMARY_ROWS: usize = 256;
/// Threads answering requests: one per core, at least 2 and at most `WORKERS_MAX`. None of
/// them waits on a client or the app (those requests go to threads of their own, [`may_wait`];
/// a media download to a client that does not read once held a batch's sends), so more
/// threads than cores only take turns: on 2 cores, 2 workers took larger batches and used
/// about 4 % less CPU per send than 4 under `bench/run emulate`'s load (docs/emulate-design.md).
fn workers() -> usize {
    std::thread::available_parallelism().map_or(2, |cores| cores.get().clamp(2, WORKERS_MAX))
}

/// The most threads answering requests.
const WORKERS_MAX: usize = 4;
/// Connections open at once; one more is answered 503 with `Retry-After: 1`, in the provider's
/// error envelope.
const MAX_CONNECTIONS: usize = 256;
/// How long after Ctrl-C the emulator has stopped, whatever is still under way.
const SHUTDOWN_LIMIT: Duration = Duration::from_secs(1);
/// How long the summary may wait for its reader at the end, at least.
const SUMMARY_WAIT: Duration = Duration::from_secs(3);
/// Bodies (and answers) up to this size are kept in the capture record; larger ones (media)
/// are recorded by their size only.
const RECORD_BODY_MAX: usize = 4 << 20;
/// Where the customer's controls live on the emulator's port.
const CONTROL_PREFIX: &str = "/_wa-hook/";

pub fn run(args: EmulateArgs) -> anyhow::Result<Outcome> {
    match args.command {
        EmulateCommand::Meta(serve) => serve_provider("meta", &serve),
        EmulateCommand::Qikchat(serve) => serve_provider("qikchat", &serve),
        EmulateCommand::Picky(serve) => serve_provider("picky", &serve),
        EmulateCommand::Partner(serve) => serve_provider("partner", &serve),
        EmulateCommand::Smartflow(serve) => serve_provider("smartflow", &serve),
        EmulateCommand::Say(say) => customer::say(&say),
        EmulateCommand::React(react) => customer::react(&react),
        EmulateCommand::Read(read) => customer::read(&read),
        EmulateCommand::Fail(fail) => customer::fail(&fail),
        EmulateCommand::Test(conversations) => test::run(conversations),
        EmulateCommand::Record(session) => test::record::run(&session),
    }
}

/// What the user asked for, checked before the port is opened.
struct Config {
    provider: Provider,
    webhook: url::Url,
    /// `--events-webhook`.
    events_webhook: Option<url::Url>,
    basic_auth: Option<crate::secret::BasicAuth>,
    delays: Vec<(String, Duration)>,
    client: reqwest::Client,
    app_secret: Option<crate::secret::SecretString>,
    token: Option<crate::secret::SecretString>,
    /// `--templates`, read and parsed as JSON.
    templates: Option<Value>,
    verify_token: Option<crate::secret::SecretString>,
    writer: CaptureWriter,
    /// The capture file `writer` appends to; `None` when nothing is saved.
    saved_to: Option<std::path::PathBuf>,
    /// Whether records are kept (a capture file is written).
    keeps: bool,
    /// `--chaos`.
    chaos: Option<ChaosRates>,
    /// `--retries`, with the provider's schedule.
    retries: Option<Retries>,
}

impl Config {
    fn from_args(id: &str, args: &EmulateServeArgs) -> anyhow::Result<Config> {
        let provider = Provider::from_id(id)
            .filter(|provider| provider.rules().send_api().is_some())
            .with_context(|| format!("wa-hook does not emulate {id}'s send API"))?;
        let webhook_timeout = webhook_timeout(provider, args);
        if args.read_timeout.is_zero() || webhook_timeout.is_zero() {
            bail!("--read-timeout and --webhook-timeout must be more than 0; try 10s");
        }
        let templates = args
            .templates
            .as_ref()
            .map(|path| -> anyhow::Result<Value> {
                let bytes = std::fs::read(path)
                    .with_context(|| format!("reading --templates {}", path.display()))?;
                serde_json::from_slice(&bytes)
                    .with_context(|| format!("--templates {} is not JSON", path.display()))
            })
            .transpose()?;
        if args.window.is_some_and(|window| window.is_zero()) {
            bail!("--window must be more than 0; Meta's is 24h");
        }
        let send_api = provider
            .rules()
            .send_api()
            .expect("filtered on send_api above");
        if args.events_webhook.is_some() && send_api.events_webhook().is_none() {
            bail!(
                "{} has one callback URL: leave out --events-webhook",
                provider.display_name()
            );
        }
        if args.app_secret.app_secret_env.is_some() && provider.rules().signing().is_none() {
            bail!(
                "{} signs no webhooks: leave out --app-secret-env",
                provider.display_name()
            );
        }
        if args.verify_token_env.is_some() && provider.rules().handshake().is_none() {
            bail!(
                "{} verifies no webhook: leave out --verify-token-env",
                provider.display_name()
            );
        }
        if args.basic_auth_env.is_some()
            && provider.rules().auth() != Some(crate::providers::Auth::Basic)
        {
            bail!(
                "{} sends no Basic auth with its webhooks: leave out --basic-auth-env",
                provider.display_name()
            );
        }
        let chaos = args
            .chaos
            .as_deref()
            .map(ChaosRates::parse)
            .transpose()
            .map_err(anyhow::Error::msg)?;
        let retries = match args.retries.as_deref().map(RetrySpeed::parse).transpose() {
            Err(why) => bail!(why),
            Ok(None | Some(RetrySpeed(None))) => None,
            Ok(Some(RetrySpeed(Some(speed)))) => {
                let Some(schedule) = provider.rules().retries() else {
                    bail!(
                        "{} documents no retries of its webhooks, so the emulator makes none: leave out --retries",
                        provider.display_name()
                    );
                };
                Some(Retries { schedule, speed })
            }
        };
        Ok(Config {
            provider,
            webhook: crate::http::parse_target(&args.webhook)?,
            events_webhook: args
                .events_webhook
                .as_deref()
                .map(crate::http::parse_target)
                .transpose()?,
            basic_auth: crate::secret::BasicAuth::from_args(None, args.basic_auth_env.as_deref())?,
            delays: parse_statuses(provider, args.statuses.as_deref())?,
            client: crate::http::client(&crate::http::HttpOptions {
                timeout: webhook_timeout,
                insecure: false,
            })?,
            app_secret: args.app_secret.resolve()?,
            token: crate::secret::from_env_flag(args.token_env.as_deref(), "bearer token")?,
            templates,
            verify_token: crate::secret::from_env_flag(
                args.verify_token_env.as_deref(),
                "webhook verify token",
            )?,
            // Opened once every flag has been checked ([`serve_provider`]): a refused run
            // leaves no file behind.
            writer: CaptureWriter::discard(),
            saved_to: None,
            keeps: false,
            chaos,
            retries,
        })
    }
}

/// `--webhook-timeout`, else how long the provider documents it waits for the app's answer
/// (Qikchat: 2 s), else 10 s: an answer later than the provider waits is no answer to it.
fn webhook_timeout(provider: Provider, args: &EmulateServeArgs) -> Duration {
    args.webhook_timeout
        .or_else(|| provider.rules().response_budget())
        .unwrap_or(Duration::from_secs(10))
}

/// `--statuses sent=0ms,delivered=200ms`: each a status of the provider's ladder.
fn parse_statuses(
    provider: Provider,
    text: Option<&str>,
) -> anyhow::Result<Vec<(String, Duration)>> {
    let Some(text) = text else {
        return Ok(Vec::new());
    };
    let known: Vec<&str> = provider
        .rules()
        .lifecycle()
        .map_or_else(Vec::new, |lifecycle| {
            let mut known = lifecycle.ladder(false);
            known.extend(lifecycle.ladder(true));
            known
        });
    if known.is_empty() {
        bail!(
            "{} sends no status webhooks after a send: leave out --statuses",
            provider.display_name()
        );
    }
    let mut delays = Vec::new();
    for part in text
        .split(',')
        .map(str::trim)
        .filter(|part| !part.is_empty())
    {
        let Some((status, delay)) = part.split_once('=') else {
            bail!("--statuses `{part}` is not STATUS=DURATION (e.g. sent=0ms,delivered=200ms)");
        };
        if !known.contains(&status.trim()) {
            bail!(
                "--statuses `{status}` is not one of {}'s statuses ({})",
                provider.display_name(),
                known.join(", ")
            );
        }
        let delay = crate::cli::parse_duration(delay.trim())
            .map_err(|err| anyhow::anyhow!("--statuses {status}: {err}"))?;
        if delay > Duration::from_secs(3600) {
            bail!("--statuses {status}: at most 1h");
        }
        delays.push((status.trim().to_string(), delay));
    }
    Ok(delays)
}

/// What was done, counted for the summary.
#[derive(Default)]
struct Stats {
    /// Requests by what they were and how they ended.
    sends: BTreeMap<(String, String), u64>,
    /// Webhooks the app answered 2xx.
    delivered: u64,
    /// Webhooks the app answered otherwise.
    refused: u64,
    /// Webhooks with no answer (refused connection, timeout).
    unanswered: u64,
    /// Webhooks dropped because the queue was full.
    dropped: u64,
}

/// Saves records, prints a line for each, and counts: shared by the request threads and the
/// webhook thread.
pub struct Recorder {
    writer: CaptureWriter,
    seq: AtomicU64,
    run: String,
    format: Format,
    stats: Mutex<Stats>,
    /// Records not saved in all, for the summary.
    unsaved: AtomicU64,
    /// Sends refused because their records could not be saved, for the summary.
    refused_unsaved: AtomicU64,
    /// Set while writes fail (read without the lock on every save that works).
    failing: AtomicBool,
    /// What the warnings about failing writes have said.
    saving: Mutex<Saving>,
    display: mpsc::SyncSender<Line>,
    /// Whether records are kept (`--out`): without, they are built only as far as the line
    /// needs.
    keeps: bool,
    /// Set when the summary is made: lines of webhooks still under way are not printed.
    closed: AtomicBool,
    /// The inspector's feed: each saved record's summary, handed over once the answer (or the
    /// webhook) has gone, so the inspector never reads back and parses what this run wrote.
    feed: Option<crate::inspector::FeedSender>,
}

/// At most one warning that records were not saved in this long.
const UNSAVED_WARNING_EVERY: Duration = Duration::from_secs(30);

/// The state of saving, for its warnings: a time of failing writes is said once (within
/// `UNSAVED_WARNING_EVERY` of the last such warning, later), and its end after it.
#[derive(Default)]
struct Saving {
    /// Why writes fail now (`None`: they work).
    failing: Option<NotSaved>,
    /// Records not saved since writes began failing.
    unsaved: u64,
    /// Whether this time of failing was said.
    said: bool,
    /// When a failing time was last said.
    said_at: Option<Instant>,
}

impl Saving {
    /// `count` records were not saved at `now`, `why`: whether to say so now (then
    /// [`Saving::said`]).
    fn failed(&mut self, why: NotSaved, count: u64, now: Instant) -> bool {
        self.failing = Some(why);
        self.unsaved += count;
        !self.said
            && self
                .said_at
                .is_none_or(|at| now.saturating_duration_since(at) >= UNSAVED_WARNING_EVERY)
    }

    /// The time of failing was said at `now`.
    fn said(&mut self, now: Instant) {
        self.said = true;
        self.said_at = Some(now);
    }

    /// A write worked: the records not saved since writes began failing, when that time was
    /// said (and so its end is to be).
    fn worked(&mut self) -> Option<u64> {
        self.failing.take()?;
        let unsaved = std::mem::take(&mut self.unsaved);
        std::mem::take(&mut self.said).then_some(unsaved)
    }
}

/// A record saved and not yet handed to the inspector ([`Recorder::feed`]).
pub struct Saved(Option<CaptureRecord>);

/// Why the records of a batch of sends were not saved, and so how each send is answered
/// instead: never accepted, its webhooks never sent, as `listen` answers what it could not save.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum NotSaved {
    /// The capture pipe's queue is full (`--out -` or a FIFO read too slowly, or not at all):
    /// 503 with `Retry-After`, as the app would retry a provider that is busy.
    PipeFull,
    /// The write failed (a full disk): 500.
    Failed,
}

impl NotSaved {
    fn of(err: &anyhow::Error) -> NotSaved {
        if err.downcast_ref::<crate::capture::PipeFull>().is_some() {
            NotSaved::PipeFull
        } else {
            NotSaved::Failed
        }
    }

    fn status(self) -> u16 {
        match self {
            NotSaved::PipeFull => 503,
            NotSaved::Failed => 500,
        }
    }

    /// The outcome of a send answered so, for its line and the summary.
    fn outcome(self) -> &'static str {
        match self {
            NotSaved::PipeFull => "not saved: the capture pipe is not read (answered 503)",
            NotSaved::Failed => "not saved: the capture file could not be written (answered 500)",
        }
    }

    /// The outcome of a send refused before it was answered, while writes failed: its own
    /// record may be saved (and then tells that saving works again).
    fn refused_outcome(self) -> &'static str {
        match self {
            NotSaved::PipeFull => "refused: the capture pipe was not read (answered 503)",
            NotSaved::Failed => "refused: the capture file could not be written (answered 500)",
        }
    }

    /// The sentence in the provider's error answer.
    fn why(self) -> &'static str {
        match self {
            NotSaved::PipeFull => {
                "wa-hook's emulator could not save this send: its capture pipe is not read; try again"
            }
            NotSaved::Failed => {
                "wa-hook's emulator could not save this send (its capture file could not be written); it was not sent"
            }
        }
    }
}

impl Recorder {
    /// Write `record` with the next `seq`: its `seq`, the record back (for the inspector's
    /// feed) when it was written and the inspector is fed, and why it was not saved, when not.
    fn save_or_why(&self, mut record: CaptureRecord) -> (u64, Saved, Option<NotSaved>) {
        self.number(&mut record);
        let seq = record.seq;
        match self.writer.write(&record) {
            // Not the end of a time of failing writes: a webhook's record may be smaller than
            // a send's that does not fit. A send's record ends it ([`Recorder::save_all`]).
            Ok(()) => (seq, self.saved(record), None),
            Err(err) => {
                self.not_saved(1, &err);
                (seq, Saved(None), Some(NotSaved::of(&err)))
            }
        }
    }

    /// Give `record` the next `seq` and this run's id, for [`Recorder::save_all`].
    fn number(&self, record: &mut CaptureRecord) {
        record.seq = self.seq.fetch_add(1, Ordering::Relaxed) + 1;
        record.run = Some(self.run.clone());
    }

    /// Write several records ([`Recorder::number`]ed) with one write (the capture writer's
    /// batch, as listen's workers save theirs); why none was saved, when so. The records of
    /// sends: once they are written, a time of failing writes is over.
    fn save_all<'r>(
        &self,
        records: impl ExactSizeIterator<Item = &'r CaptureRecord>,
    ) -> Option<NotSaved> {
        let count = records.len() as u64;
        match self.writer.write_all(records) {
            Ok(()) => {
                self.saving_works();
                None
            }
            Err(err) => {
                self.not_saved(count, &err);
                Some(NotSaved::of(&err))
            }
        }
    }

    /// A record [`Recorder::save_all`] wrote, to hand to the inspector ([`Recorder::feed`]).
    fn saved(&self, record: CaptureRecord) -> Saved {
        Saved(self.feed.is_some().then_some(record))
    }

    /// `count` records were not saved: counted for the summary, and said (through the
    /// display: a stderr nobody reads holds no worker) once per time of failing writes, at
    /// most once per `UNSAVED_WARNING_EVERY` (records of different sizes on a full disk make
    /// some writes fail and others work).
    fn not_saved(&self, count: u64, err: &anyhow::Error) {
        self.unsaved.fetch_add(count, Ordering::Relaxed);
        let why = NotSaved::of(err);
        let mut saving = self.saving.lock().unwrap_or_else(PoisonError::into_inner);
        self.failing.store(true, Ordering::Relaxed);
        let now = Instant::now();
        if !saving.failed(why, count, now) {
            return;
        }
        let then = match why {
            NotSaved::PipeFull => "until it is read, sends are answered 503 (try again)",
            NotSaved::Failed => "until it can be, sends are answered 500",
        };
        let said = self.warn(format!(
            "the capture file could not be written: {err:#}; {then} and their webhooks \
             not sent (the summary counts what was not saved)"
        ));
        if said {
            saving.said(now);
        }
    }

    /// After a write that worked: said, if the time of failing before it was.
    fn saving_works(&self) {
        if !self.failing.load(Ordering::Relaxed) {
            return;
        }
        let mut saving = self.saving.lock().unwrap_or_else(PoisonError::into_inner);
        self.failing.store(false, Ordering::Relaxed);
        if let Some(unsaved) = saving.worked() {
            self.warn(format!(
                "saving again ({} could not be saved)",
                output::plural(unsaved, "record", "records")
            ));
        }
    }

    /// Why writes fail, while they do: a send is then refused before the emulator answers
    /// it (its record, the refusal, tells whether saving works again), so what the emulator
    /// counts and remembers never includes a send the app was told was not sent.
    fn failing(&self) -> Option<NotSaved> {
        if !self.failing.load(Ordering::Relaxed) {
            return None;
        }
        self.saving
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .failing
    }

    /// A warning, printed through the display thread (dropped if its queue is full: the
    /// summary says what it would have).
    fn warn(&self, message: String) -> bool {
        !self.closed.load(Ordering::Relaxed)
            && self
                .display
                .try_send(Line::Err(output::warning_text(message)))
                .is_ok()
    }

    /// Whether the inspector is fed (so a webhook's facts are worth finding).
    pub fn fed(&self) -> bool {
        self.feed.is_some()
    }

    /// Hand a saved record's summary to the inspector (`facts`: what the inspector lists of
    /// its body, found while the body was at hand; `None`: it reads them from the record).
    /// What was not saved is not listed.
    pub fn feed(&self, saved: Saved, facts: Option<crate::inspector::BodyFacts>) {
        self.feed_all(vec![(saved, facts)]);
    }

    /// [`Recorder::feed`] for several records at once: handed over together (one message to
    /// the inspector's thread for a batch of requests).
    fn feed_all(&self, saved: Vec<(Saved, Option<crate::inspector::BodyFacts>)>) {
        if let Some(feed) = &self.feed {
            feed.send(
                saved
                    .into_iter()
                    .filter_map(|(Saved(record), facts)| {
                        record.map(|record| {
                            crate::inspector::Summary::fed(record, facts, feed.file())
                        })
                    })
                    .collect(),
            );
        }
    }

    fn stats(&self) -> std::sync::MutexGuard<'_, Stats> {
        self.stats.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Save and show a send of the app's that is answered already (Picky Assist's instant
    /// reply); `None` when it could not be saved (its line and count say so: what follows it
    /// is not to be sent).
    fn send(&self, record: CaptureRecord, answer: &ApiAnswer) -> Option<Saved> {
        let head = CaptureRecord {
            method: record.method.clone(),
            path: record.path.clone(),
            ..CaptureRecord::default()
        };
        let (seq, saved, not_saved) = self.save_or_why(record);
        let outcome = match not_saved {
            None => answer.outcome.as_str(),
            Some(_) => "not saved (what would follow it not sent)",
        };
        self.count_send(&answer.what, outcome);
        self.print(
            &self.send_line(&head, &answer.what, answer.status, outcome),
            seq,
        );
        not_saved.is_none().then_some(saved)
    }

    /// Count a send of the app's (what it was, how it ended) for the summary.
    fn count_send(&self, what: &str, outcome: &str) {
        let mut stats = self.stats();
        // A send's kind names its `type`, which the app (or anyone) chooses: beyond
        // SUMMARY_ROWS distinct rows, new ones are counted together.
        let key = (what.to_string(), outcome.to_string());
        let key = if stats.sends.len() < SUMMARY_ROWS || stats.sends.contains_key(&key) {
            key
        } else {
            (
                "other".to_string(),
                "(more kinds than the summary lists)".to_string(),
            )
        };
        *stats.sends.entry(key).or_default() += 1;
    }

    /// The line that shows a send of the app's (`record` holds its head): what it was, and
    /// the status and outcome of its answer.
    fn send_line(&self, record: &CaptureRecord, what: &str, status: u16, outcome: &str) -> String {
        match self.format {
            Format::Text => format!(
                "send     {} {}  {what}  {status} {outcome}",
                record.method, record.path
            ),
            Format::Json => json!({
                "event": "send", "method": record.method, "path": record.path,
                "what": what, "status": status, "outcome": outcome,
            })
            .to_string(),
        }
    }

    pub fn keeps(&self) -> bool {
        self.keeps
    }

    /// A request that carried `webhooks` webhooks (several when merged), with what happened
    /// on its way (`marks`: `duplicate`, `retry 1` …).
    fn webhook(
        &self,
        record: CaptureRecord,
        status: Option<u16>,
        error: Option<String>,
        marks: &[String],
        webhooks: usize,
    ) -> Saved {
        {
            let mut counts = self.stats();
            let webhooks = webhooks as u64;
            match status {
                Some(200..=299) => counts.delivered += webhooks,
                Some(_) => counts.refused += webhooks,
                None => counts.unanswered += webhooks,
            }
        }
        let kind = record
            .kind
            .as_ref()
            .map_or_else(|| "webhook".to_string(), ToString::to_string);
        let delivery = record.delivery.clone();
        let (seq, saved, not_saved) = self.save_or_why(record);
        let line = match self.format {
            Format::Text => {
                let kind = if marks.is_empty() {
                    kind
                } else {
                    format!("{kind} ({})", marks.join(", "))
                };
                let line = match (&status, &error) {
                    (Some(status), _) => format!("webhook  {kind}  the app answered {status}"),
                    (None, Some(error)) => format!("webhook  {kind}  no answer: {error}"),
                    (None, None) => format!("webhook  {kind}  no answer"),
                };
                match not_saved {
                    None => line,
                    Some(_) => format!("{line} (not saved)"),
                }
            }
            Format::Json => {
                let mut line = json!({
                    "event": "webhook", "kind": kind, "app_status": status, "error": error,
                });
                if let Some(note) = &delivery {
                    line["delivery"] = json!(note);
                }
                if not_saved.is_some() {
                    line["saved"] = false.into();
                }
                line.to_string()
            }
        };
        self.print(&line, seq);
        saved
    }

    fn dropped(&self) {
        self.stats().dropped += 1;
    }

    /// Text lines go to stderr (stdout's first line is the base URL, read by scripts); JSON
    /// lines to stdout. Through the display thread: a terminal or pipe nobody reads never holds
    /// a request thread (a line that finds the display's queue full is dropped).
    fn print(&self, line: &str, seq: u64) {
        // After the summary, nothing: it is the last thing printed.
        if self.closed.load(Ordering::Relaxed) {
            return;
        }
        let line = match self.format {
            // The path and the send's type come from the client: escaped, so control
            // characters cannot reach the terminal.
            Format::Text => Line::Err(format!("{seq:>4}  {}", output::printable(line))),
            Format::Json => Line::Out(line.to_string()),
        };
        let _ = self.display.try_send(line);
    }
}

/// A line for the display thread, and where it goes.
enum Line {
    Out(String),
    Err(String),
}

/// Lines waiting for the display thread at most.
const DISPLAY_QUEUE: usize = 4096;
/// The most text the display thread gathers before writing it.
const DISPLAY_CHUNK: usize = 64 << 10;
/// How long the display thread lets lines gather after writing several at once.
const DISPLAY_GATHER: Duration = Duration::from_millis(5);

/// The display thread: prints lines as they come, until every sender is gone; `done` hears
/// when it has.
fn spawn_display() -> anyhow::Result<(mpsc::SyncSender<Line>, mpsc::Receiver<()>)> {
    let (sender, lines) = mpsc::sync_channel::<Line>(DISPLAY_QUEUE);
    let (finished, done) = mpsc::channel();
    std::thread::Builder::new()
        .name("wa-hook-display".into())
        .spawn(move || {
            // The lines waiting are written together: one write per stream for many lines.
            let (mut out, mut err) = (String::new(), String::new());
            while let Ok(line) = lines.recv() {
                let mut next = Some(line);
                let mut gathered = 0usize;
                while let Some(line) = next {
                    gathered += 1;
                    let (text, to) = match line {
                        Line::Out(text) => (text, &mut out),
                        Line::Err(text) => (text, &mut err),
                    };
                    to.push_str(&text);
                    to.push('\n');
                    next = (out.len() + err.len() < DISPLAY_CHUNK)
                        .then(|| lines.try_recv().ok())
                        .flatten();
                }
                if !out.is_empty() {
                    let mut stdout = std::io::stdout().lock();
                    let _ = stdout.write_all(out.as_bytes());
                    let _ = stdout.flush();
                    out.clear();
                }
                if !err.is_empty() {
                    let _ = std::io::stderr().lock().write_all(err.as_bytes());
                    err.clear();
                }
                // Under load (several lines came at once), the next ones are let gather for a
                // moment: one wake-up and one write for many lines, rather than a thread
                // switch for each request's line. A line alone is written at once.
                if gathered > 1 {
                    std::thread::sleep(DISPLAY_GATHER);
                }
            }
            let _ = finished.send(());
        })?;
    Ok((sender, done))
}

/// Everything the request threads share.
struct Shared {
    emulator: Mutex<Box<dyn Emulator>>,
    recorder: Arc<Recorder>,
    delivery: Arc<Delivery>,
    queue: Queue,
    delays: Vec<(String, Duration)>,
    max_body: u64,
    provider: Provider,
    /// The one credential accepted (`--token-env`): an app that also puts it in a query or a
    /// body (Meta's `access_token=` form, a stray `api_key`) finds it scrubbed from the record.
    token: Option<crate::secret::SecretString>,
    /// Requests being read on threads of their own ([`read_apart`]).
    uploads: std::sync::atomic::AtomicUsize,
}

impl Shared {
    fn emulator(&self) -> std::sync::MutexGuard<'_, Box<dyn Emulator>> {
        self.emulator.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn delay(&self, webhook: &Webhook) -> Duration {
        webhook
            .status
            .and_then(|status| self.delays.iter().find(|(name, _)| name == status))
            .map_or(Duration::ZERO, |(_, delay)| *delay)
    }
}

fn serve_provider(id: &str, args: &EmulateServeArgs) -> anyhow::Result<Outcome> {
    let mut config = Config::from_args(id, args)?;
    if let Err(err) = verify_webhook(&config) {
        crate::error::print(&err);
        return Ok(Outcome::CheckFailed);
    }
    let stop = crate::signals::install()?;
    let listener = crate::serve::bind(&args.host, args.port)?;
    let address = listener
        .local_addr()
        .context("reading the address listened on")?;
    let base_url = format!("http://{address}");
    let mut emulator = config
        .provider
        .rules()
        .send_api()
        .expect("checked in Config::from_args")
        .emulator(EmulatorSetup {
            base_url: base_url.clone(),
            token: config.token.clone(),
            templates: config.templates.clone(),
            window: args.window,
            throughput: args.throughput,
            pair_interval: args.pair_interval,
            injections: args.inject.clone(),
            seed: args.seed,
        })?;
    (config.writer, config.saved_to) = open_capture(args)?;
    config.keeps = config.saved_to.is_some();
    let inspector = match (&config.saved_to, args.no_save) {
        (None, false) => {
            output::warn(format!(
                "{} is being written by another wa-hook run: this one saves nothing and serves \
                 no inspector (give it --out FILE)",
                args.out.display()
            ));
            None
        }
        (saved_to, _) => {
            crate::inspector::bind_following(args.no_ui, saved_to.as_deref(), args.ui_port)?
        }
    };
    // A connection over MAX_CONNECTIONS is answered in the provider's own error envelope, so
    // an SDK reads it as it reads the provider's errors.
    let busy = emulator.refusal(
        503,
        "wa-hook's emulator has as many connections open as it takes; try again",
    );
    let (server, _) = crate::serve::start(
        listener,
        crate::serve::Bounds {
            max_connections: MAX_CONNECTIONS,
            read_timeout: args.read_timeout,
            busy_body: Some(busy.body.to_vec()),
        },
    )?;
    print_start(args, &config, &base_url, emulator.as_ref())?;
    let feed = start_inspector(inspector, args, &config, address)?;

    let (display, display_done) = spawn_display()?;
    let recorder = Arc::new(Recorder {
        seq: AtomicU64::new(config.writer.last_seq()),
        writer: config.writer,
        run: crate::capture::new_run_id(),
        format: args.format,
        stats: Mutex::new(Stats::default()),
        unsaved: AtomicU64::new(0),
        refused_unsaved: AtomicU64::new(0),
        failing: AtomicBool::new(false),
        saving: Mutex::new(Saving::default()),
        display,
        keeps: config.keeps,
        closed: AtomicBool::new(false),
        feed,
    });
    let delivery = Arc::new(Delivery {
        client: config.client,
        url: config.webhook,
        events_url: config.events_webhook,
        provider: config.provider,
        app_secret: config.app_secret,
        basic_auth: config.basic_auth,
        recorder: Arc::clone(&recorder),
        timeout: webhook_timeout(config.provider, args),
    });
    let chaos = config.chaos.map(|rates| Chaos::new(rates, args.seed));
    let queue = Queue::start(&delivery, chaos, config.retries)?;
    let queued = Arc::clone(&queue.counts);
    let shared = Arc::new(Shared {
        emulator: Mutex::new(emulator),
        recorder: Arc::clone(&recorder),
        queue,
        delivery,
        delays: config.delays,
        max_body: args.max_body,
        provider: config.provider,
        token: config.token.clone(),
        uploads: std::sync::atomic::AtomicUsize::new(0),
    });
    let started = Instant::now();
    let quit = Arc::new(AtomicBool::new(false));
    let (done_sender, done) = mpsc::channel();
    let workers = workers();
    for worker in 0..workers {
        let (server, shared, quit, done_sender) = (
            Arc::clone(&server),
            Arc::clone(&shared),
            Arc::clone(&quit),
            done_sender.clone(),
        );
        std::thread::Builder::new()
            .name(format!("wa-hook-emulate-{worker}"))
            .spawn(move || {
                while !quit.load(Ordering::Relaxed) {
                    match server.recv_timeout(Duration::from_millis(100)) {
                        Ok(Some(request)) if !may_wait(&request) => {
                            let (batch, after) = take_batch(&server, request);
                            handle_batch(&shared, batch);
                            if let Some(request) = after {
                                read_apart(&shared, request);
                            }
                        }
                        Ok(Some(request)) => read_apart(&shared, request),
                        Ok(None) => {}
                        Err(_) => break,
                    }
                }
                // Let go of the shared state first: the stop takes it back to close the queue.
                drop(shared);
                let _ = done_sender.send(());
            })?;
    }
    drop(done_sender);

    stop.wait();
    let deadline = Instant::now() + SHUTDOWN_LIMIT;
    quit.store(true, Ordering::Relaxed);
    server.unblock();
    let mut busy = workers;
    while busy > 0
        && done
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            .is_ok()
    {
        busy -= 1;
    }
    // A worker still waiting for the app (a customer action) keeps the queue; it is left.
    let unsent = Arc::try_unwrap(shared)
        .ok()
        .map_or(0, |shared| shared.queue.finish(deadline));
    // Records queued for a capture pipe are written for what is left; a pipe nobody reads
    // never holds the stop (what it did not take is counted as lost).
    let lost = recorder
        .writer
        .finish(deadline.saturating_duration_since(Instant::now()));
    recorder.closed.store(true, Ordering::Relaxed);
    let mut summary = summary(
        &recorder,
        &queued,
        args.format,
        started.elapsed(),
        (unsent, lost),
    );
    // The display may be behind (a burst of lines): the summary waits for room until the
    // deadline, never on a display nobody reads.
    let until = deadline.max(Instant::now() + Duration::from_millis(200));
    while let Err(mpsc::TrySendError::Full(line)) = recorder.display.try_send(summary) {
        if Instant::now() >= until {
            break;
        }
        summary = line;
        std::thread::sleep(Duration::from_millis(5));
    }
    // The last sender goes with the recorder (the queue's thread may still hold one, if it
    // waits for a hung app: then the display is given the time left).
    drop(recorder);
    // The summary is written whole unless its reader takes more than SUMMARY_WAIT (a pipe
    // nobody reads): on a busy machine the display thread and the reader may both wait their
    // turn for a CPU, and 200 ms cut a summary of 257 rows mid-line.
    let _ = display_done.recv_timeout(
        deadline
            .saturating_duration_since(Instant::now())
            .max(SUMMARY_WAIT),
    );
    Ok(Outcome::Success)
}

/// The capture file (`--out`, listen's `wa-hook-captures.jsonl` by default), or nothing with
/// `--no-save`. The default file being written by another run (a `listen`, another emulator
/// in the same folder) is no reason to stop: this run saves nothing then (`None`), and says so
/// at start-up; a file given with `--out` must be this run's.
fn open_capture(
    args: &EmulateServeArgs,
) -> anyhow::Result<(CaptureWriter, Option<std::path::PathBuf>)> {
    if args.no_save {
        return Ok((CaptureWriter::discard(), None));
    }
    match CaptureWriter::open(&args.out) {
        Ok(writer) => Ok((writer, Some(args.out.clone()))),
        // Said when the emulator starts, once every flag has been checked.
        Err(err) if !out_given(args) && busy(&err) => Ok((CaptureWriter::discard(), None)),
        Err(err) => Err(err),
    }
}

/// Whether `--out` was typed (rather than left to its default).
fn out_given(args: &EmulateServeArgs) -> bool {
    args.out.as_os_str() != crate::cli::DEFAULT_CAPTURE_FILE
}

/// Whether opening a capture file failed because another process holds its lock.
fn busy(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::WouldBlock)
    })
}

/// Serve the inspector over the capture file, beside this emulator (the chat pane plays the
/// customer through its controls), and print its URL on stdout after the base URL, as listen
/// does. As listen's, it is fed each record this run saves (the sender returned): it reads the
/// file only for what it held before, a record's detail, and what the feed dropped.
fn start_inspector(
    inspector: Option<crate::inspector::BoundInspector>,
    args: &EmulateServeArgs,
    config: &Config,
    address: std::net::SocketAddr,
) -> anyhow::Result<Option<crate::inspector::FeedSender>> {
    let Some(inspector) = inspector else {
        return Ok(None);
    };
    let (sender, feed) = crate::inspector::feed(&args.out, config.writer.last_seq());
    let config = crate::inspector::InspectorConfig {
        files: vec![args.out.clone()],
        replay_target: Some(config.webhook.clone()),
        replay_timeout: webhook_timeout(config.provider, args),
        app_secret: config.app_secret.clone(),
        emulator: Some(crate::inspector::EmulatorLink::new(
            config.provider,
            address,
        )?),
    };
    let inspector = inspector.serve_fed(config, feed)?;
    let mut out = std::io::stdout().lock();
    match args.format {
        Format::Text => writeln!(out, "inspector: {}", inspector.url)?,
        Format::Json => {
            output::json_line(&mut out, &json!({ "inspector": inspector.url }))?;
        }
    }
    out.flush()?;
    Ok(Some(sender))
}

/// `--verify-token-env`: the provider's subscription handshake against the app's webhook,
/// before anything is served.
fn verify_webhook(config: &Config) -> anyhow::Result<()> {
    let Some(token) = &config.verify_token else {
        return Ok(());
    };
    let Some(handshake) = config.provider.rules().handshake() else {
        bail!(
            "{} verifies no webhook: leave out --verify-token-env",
            config.provider.display_name()
        );
    };
    let challenge = crate::ids::IdSource::new().challenge();
    let mut url = config.webhook.clone();
    let query = handshake.query(token.expose(), &challenge);
    let joined = match url.query() {
        Some(existing) if !existing.is_empty() => format!("{existing}&{query}"),
        _ => query,
    };
    url.set_query(Some(&joined));
    let request = crate::net::Request {
        method: reqwest::Method::GET,
        url,
        headers: reqwest::header::HeaderMap::new(),
        body: Vec::new().into(),
    };
    let reply = crate::http::runtime().block_on(crate::net::send(
        &config.client,
        request,
        &config.webhook,
        true,
    ));
    if let Some(failure) = reply.failure {
        bail!(
            "the webhook handshake did not reach the app: {}",
            failure.scrubbed(&[token]).message
        );
    }
    let status = reply.status.unwrap_or_default();
    let body = String::from_utf8_lossy(&reply.body);
    if !handshake.accepts(&challenge, status, &body) {
        bail!(
            "the app failed the webhook handshake: it answered {status} {:?}, and the provider \
             wants 200 with exactly the hub.challenge ({challenge})",
            output::excerpt(&crate::secret::scrub(&body, &[token]), 80)
        );
    }
    Ok(())
}

fn print_start(
    args: &EmulateServeArgs,
    config: &Config,
    base_url: &str,
    emulator: &dyn Emulator,
) -> anyhow::Result<()> {
    let (provider, webhook) = (config.provider, &config.webhook);
    let mut out = std::io::stdout().lock();
    match args.format {
        Format::Text => writeln!(out, "{base_url}")?,
        Format::Json => {
            let mut line = serde_json::Map::new();
            line.insert("emulating".into(), provider.id().into());
            line.insert("base_url".into(), base_url.into());
            for (name, value) in emulator.ids() {
                line.insert(name.into(), value.into());
            }
            output::json_line(&mut out, &Value::Object(line))?;
        }
    }
    out.flush()?;
    drop(out);
    if args.format == Format::Text {
        let ids: Vec<String> = emulator
            .ids()
            .into_iter()
            .map(|(name, value)| format!("  {name}: {value}"))
            .collect();
        let signing = match (
            config.app_secret.is_some(),
            provider.rules().signing(),
            config.basic_auth.is_some(),
        ) {
            (true, _, _) => "signed with the app secret",
            (false, Some(_), _) => "unsigned: no --app-secret-env",
            (false, None, true) => "with Basic auth",
            (false, None, false) => "the provider signs none",
        };
        let events = match (
            &config.events_webhook,
            provider
                .rules()
                .send_api()
                .and_then(crate::providers::SendApi::events_webhook),
        ) {
            (Some(url), Some(name)) => format!("; {name} at {url}"),
            _ => String::new(),
        };
        eprintln!(
            "wa-hook: emulating {} at {base_url}; webhooks to {webhook} ({signing}){events}\n{}\n{}\n\
             Ctrl-C stops and prints a summary.",
            provider.display_name(),
            ids.join("\n"),
            emulator.setup_help(base_url)
        );
    }
    Ok(())
}

/// The summary printed at the stop; `left`: webhooks not sent (the stop came first), and the
/// bytes of records a capture pipe did not take by the stop (lost).
fn summary(
    recorder: &Recorder,
    queued: &QueueCounts,
    format: Format,
    elapsed: Duration,
    left: (usize, usize),
) -> Line {
    let (unsent, lost) = left;
    let stats = recorder.stats();
    let total: u64 = stats.sends.values().sum();
    let count = |counter: &AtomicU64| counter.load(Ordering::Relaxed);
    let (retried, gave_up) = (count(&queued.retried), count(&queued.gave_up));
    let (duplicated, reordered, late) = (
        count(&queued.duplicated),
        count(&queued.reordered),
        count(&queued.late),
    );
    let (requests_merged, merged) = (count(&queued.batches), count(&queued.batched));
    let (unsaved, refused) = (count(&recorder.unsaved), count(&recorder.refused_unsaved));
    match format {
        Format::Json => {
            let sends: Vec<Value> = stats
                .sends
                .iter()
                .map(|((what, outcome), count)| json!({"what": what, "outcome": outcome, "count": count}))
                .collect();
            let line = json!({"summary": {
                "elapsed_ms": output::ms(elapsed),
                "requests": total,
                "unsaved": unsaved,
                "refused_unsaved": refused,
                "pipe_bytes_lost": lost,
                "sends": sends,
                "webhooks": {
                    "delivered": stats.delivered, "refused": stats.refused,
                    "unanswered": stats.unanswered, "dropped": stats.dropped, "unsent": unsent,
                    "retried": retried, "gave_up": gave_up,
                    "duplicated": duplicated, "reordered": reordered, "late": late,
                    "batches": requests_merged, "batched": merged,
                },
            }});
            Line::Out(line.to_string())
        }
        Format::Text => {
            let mut text = format!(
                "wa-hook emulate: stopped after {}; {}\n",
                output::duration(elapsed, output::format::Notation::Measured),
                output::plural(total, "request", "requests")
            );
            for ((what, outcome), count) in &stats.sends {
                let row = format!("{what}  {outcome}");
                text.push_str(&format!("  {count:>6}  {}\n", output::printable(&row)));
            }
            text.push_str(&format!(
                "webhooks: {} delivered, {} refused by the app, {} not answered",
                stats.delivered, stats.refused, stats.unanswered
            ));
            if stats.dropped > 0 {
                text.push_str(&format!(", {} dropped (queue full)", stats.dropped));
            }
            if unsent > 0 {
                text.push_str(&format!(", {unsent} not sent (stopped first)"));
            }
            if retried > 0 || gave_up > 0 {
                text.push_str(&format!(
                    "\nretries: {retried} sent, {} given up",
                    output::plural(gave_up, "webhook", "webhooks")
                ));
            }
            if duplicated + reordered + late > 0 {
                text.push_str(&format!(
                    "\nchaos: {duplicated} duplicated, {reordered} reordered, {late} late"
                ));
            }
            if unsaved > 0 || refused > 0 {
                text.push_str(&format!(
                    "\nnot saved: {}",
                    output::plural(unsaved, "record", "records")
                ));
                if refused > 0 {
                    text.push_str(&format!(
                        "; {} for it (answered 500 or 503, their webhooks not sent)",
                        output::plural(refused, "send refused", "sends refused")
                    ));
                }
            }
            if lost > 0 {
                text.push_str(&format!(
                    "\nlost: {} of records the capture pipe had not taken at the stop",
                    output::size(lost as u64)
                ));
            }
            if requests_merged > 0 {
                text.push_str(&format!(
                    "\nbatches: {merged} webhooks merged into {}",
                    output::plural(requests_merged, "request", "requests")
                ));
            }
            Line::Err(text)
        }
    }
}

/// Requests that may wait (a body still arriving, a customer action, a `GET` such as a media
/// download), handled on threads of their own, at most this many at once (one more is
/// answered 503). Downloads of one media share its bytes (never copied per answer).
const UPLOADS_MAX: usize = 16;

/// True when the request's whole body is in memory already (tiny_http reads a body of up to
/// `BUFFERED_BODY_MAX` bytes before queueing the request), so reading it cannot wait on the
/// sender.
fn body_arrived(request: &tiny_http::Request) -> bool {
    let header = |name: &'static str| request.headers().iter().any(|h| h.field.equiv(name));
    match request.body_length() {
        Some(length) => {
            length == 0 || (length <= tiny_http::BUFFERED_BODY_MAX && !header("Expect"))
        }
        None => !header("Transfer-Encoding"),
    }
}

/// Whether handling a request may wait on someone: its body is still arriving (a media
/// upload); it is a customer action, which waits for the app's answer to its webhook; or it is
/// a `GET`, whose answer may be a media download as large as the media (tiny_http writes an
/// answer over 1 MiB on the thread that sends it, waiting on a client that may not read).
fn may_wait(request: &tiny_http::Request) -> bool {
    !body_arrived(request)
        || request.url().starts_with(CONTROL_PREFIX)
        || *request.method() == tiny_http::Method::Get
}

/// A request that may wait ([`may_wait`]): handled on a thread of its own, so a slow sender or
/// a hung app never holds a request thread.
fn read_apart(shared: &Arc<Shared>, request: tiny_http::Request) {
    if shared.uploads.fetch_add(1, Ordering::Relaxed) >= UPLOADS_MAX {
        shared.uploads.fetch_sub(1, Ordering::Relaxed);
        let answer = shared.emulator().refusal(
            503,
            "wa-hook's emulator is handling as many uploads, downloads and customer actions as it takes at once; try again",
        );
        respond_with(request, answer);
        return;
    }
    let mine = Arc::clone(shared);
    let spawned = std::thread::Builder::new()
        .name("wa-hook-upload".into())
        .spawn(move || {
            handle(&mine, request);
            mine.uploads.fetch_sub(1, Ordering::Relaxed);
        });
    if spawned.is_err() {
        // The request went with the closure (tiny_http answers it 500), and its place with it.
        shared.uploads.fetch_sub(1, Ordering::Relaxed);
        // Through the display: a stderr nobody reads holds no worker.
        shared
            .recorder
            .warn("could not start a thread to read an upload; it was dropped".into());
    }
}

/// Read a body of at most `max` bytes; `Err` with the status and why when it cannot be.
fn read_body(request: &mut tiny_http::Request, max: u64) -> Result<Vec<u8>, (u16, String)> {
    if request
        .body_length()
        .is_some_and(|length| length as u64 > max)
    {
        return Err((
            413,
            format!("the body is over --max-body ({})", output::size(max)),
        ));
    }
    // Sized for the length announced, so reading it grows nothing: at most what tiny_http
    // holds already (a body still arriving grows as it comes, never ahead of it).
    let mut bytes = Vec::with_capacity(
        request
            .body_length()
            .map_or(0, |length| length.min(tiny_http::BUFFERED_BODY_MAX)),
    );
    match request
        .as_reader()
        .take(max.saturating_add(1))
        .read_to_end(&mut bytes)
    {
        Ok(_) if bytes.len() as u64 > max => Err((
            413,
            format!("the body is over --max-body ({})", output::size(max)),
        )),
        Ok(_) => Ok(bytes),
        Err(err) => Err((400, format!("the body could not be read whole: {err}"))),
    }
}

/// [`respond`] with a provider's answer.
fn respond_with(request: tiny_http::Request, answer: ApiAnswer) {
    respond(
        request,
        answer.status,
        &answer.content_type,
        &answer.headers,
        answer.body,
    );
}

fn respond(
    request: tiny_http::Request,
    status: u16,
    content_type: &str,
    extra: &[(String, String)],
    body: bytes::Bytes,
) {
    // Read from the shared bytes as they are sent (a download's media is never copied).
    let length = body.len();
    let mut response = tiny_http::Response::new(
        tiny_http::StatusCode(status),
        Vec::new(),
        std::io::Cursor::new(body),
        Some(length),
        None,
    );
    let headers = std::iter::once(("Content-Type", content_type)).chain(
        extra
            .iter()
            .map(|(name, value)| (name.as_str(), value.as_str())),
    );
    for (name, value) in headers {
        if let Ok(header) = tiny_http::Header::from_bytes(name.as_bytes(), value.as_bytes()) {
            response.add_header(header);
        }
    }
    let _ = request.respond(response);
}

/// Handle one request (and answer it).
fn handle(shared: &Shared, request: tiny_http::Request) {
    if let Some(answered) = answer(shared, request, false) {
        finish(shared, vec![answered]);
    }
}

/// Requests whose bodies have arrived, taken from the queue at once ([`take_batch`]): each
/// answered in turn, their records saved with one write, then their answers sent.
fn handle_batch(shared: &Shared, batch: Vec<tiny_http::Request>) {
    // Every send of the batch is counted as being answered until all are: sends that came
    // together go down fewer lanes, as when each worker answered one of them.
    let _arrivals: Vec<deliver::Arrival<'_>> =
        batch.iter().map(|_| shared.queue.arrive()).collect();
    let answered: Vec<Answered<'_>> = batch
        .into_iter()
        .filter_map(|request| answer(shared, request, true))
        .collect();
    if !answered.is_empty() {
        finish(shared, answered);
    }
}

/// The most queued requests a worker takes at once; their records are saved with one write.
const MAX_BATCH: usize = 32;

/// `first` and the requests queued behind it whose bodies have arrived and that wait on
/// nobody ([`may_wait`]), up to `MAX_BATCH`; and the one that stopped the batch because it may
/// wait (to be handled on a thread of its own). `try_recv` leaves an `unblock` in the queue.
fn take_batch(
    server: &tiny_http::Server,
    first: tiny_http::Request,
) -> (Vec<tiny_http::Request>, Option<tiny_http::Request>) {
    let mut batch = vec![first];
    while batch.len() < MAX_BATCH {
        match server.try_recv() {
            Ok(Some(request)) if !may_wait(&request) => batch.push(request),
            Ok(Some(request)) => return (batch, Some(request)),
            _ => break,
        }
    }
    (batch, None)
}

/// A request answered, its record made: saved, answered and its webhooks queued by [`finish`].
struct Answered<'a> {
    /// The send counted while it is answered ([`deliver::Queue::arrive`]); `None` when its
    /// batch counts it.
    _arrival: Option<deliver::Arrival<'a>>,
    request: tiny_http::Request,
    answer: ApiAnswer,
    record: CaptureRecord,
    planned: deliver::Planned,
    /// The send's body as received and as parsed, when the inspector lists it from them
    /// ([`send_facts`]).
    facts_from: Option<(Vec<u8>, Precheck)>,
}

/// Save the records of `answered` (one write), then send each answer, queue its webhooks and
/// hand its record to the inspector. Saved before the answers go: whoever reads an answer
/// finds its send in the file. Sends whose records could not be saved are refused instead
/// ([`NotSaved`]): the app is never told a send was accepted that the file does not hold, and
/// its webhooks are not sent. (What answering it changed in the emulator stays, as when a
/// provider fails after taking a message in: its id is known, it counted towards the limits.)
fn finish(shared: &Shared, answered: Vec<Answered<'_>>) {
    let mut answered = answered;
    let recorder = &shared.recorder;
    for one in &mut answered {
        recorder.number(&mut one.record);
    }
    let not_saved = recorder.save_all(answered.iter().map(|one| &one.record));
    let mut fed = Vec::with_capacity(answered.len());
    for one in answered {
        let Answered {
            request,
            answer,
            record,
            planned,
            facts_from,
            ..
        } = one;
        if let Some(why) = not_saved {
            let refusal = unsaved_refusal(&mut **shared.emulator(), why);
            if !is_unsaved_refusal(&answer) {
                recorder.refused_unsaved.fetch_add(1, Ordering::Relaxed);
            }
            recorder.count_send(&answer.what, &refusal.outcome);
            recorder.print(
                &recorder.send_line(&record, &answer.what, refusal.status, &refusal.outcome),
                record.seq,
            );
            // Its webhooks (`planned`) go with it, unsent.
            drop(planned);
            respond_with(request, refusal);
            continue;
        }
        recorder.count_send(&answer.what, &answer.outcome);
        recorder.print(
            &recorder.send_line(&record, &answer.what, answer.status, &answer.outcome),
            record.seq,
        );
        respond_with(request, answer);
        enqueue(shared, planned);
        // The parsed send, for the inspector's list (so the body is not parsed again there).
        let facts = facts_from.and_then(|(bytes, precheck)| {
            precheck
                .body
                .as_ref()
                .ok()
                .and_then(|value| send_facts(&bytes, value))
        });
        fed.push((recorder.saved(record), facts));
    }
    // After the answers: the inspector never holds one.
    recorder.feed_all(fed);
}

/// The provider's refusal of a send whose record cannot be saved ([`NotSaved`]).
fn unsaved_refusal(emulator: &mut dyn crate::providers::Emulator, why: NotSaved) -> ApiAnswer {
    let mut refusal = emulator.refusal(why.status(), why.why());
    if why == NotSaved::PipeFull {
        refusal.headers.push(("Retry-After".into(), "1".into()));
    }
    refusal.outcome = why.outcome().to_string();
    refusal
}

/// The refusal of a send while writes fail, before the emulator sees it: what it was is not
/// known (`send`).
fn refused_while_failing(
    emulator: &mut dyn crate::providers::Emulator,
    why: NotSaved,
) -> ApiAnswer {
    let mut refusal = unsaved_refusal(emulator, why);
    "send".clone_into(&mut refusal.what);
    why.refused_outcome().clone_into(&mut refusal.outcome);
    refusal
}

/// Whether `answer` is a [`refused_while_failing`] (counted as refused already).
fn is_unsaved_refusal(answer: &ApiAnswer) -> bool {
    [NotSaved::PipeFull, NotSaved::Failed]
        .iter()
        .any(|why| answer.outcome == why.refused_outcome())
}

/// Answer one request: a send's answer decided and its record made (`None` for a customer's
/// control, answered here).
fn answer(shared: &Shared, mut request: tiny_http::Request, counted: bool) -> Option<Answered<'_>> {
    // Without a capture file, the record is built only as far as the line needs.
    let keeps = shared.recorder.keeps();
    let received_at = if keeps {
        crate::capture::now_rfc3339()
    } else {
        String::new()
    };
    let crate::capture::RequestHead {
        method,
        path,
        query,
        headers,
        remote_addr,
    } = crate::capture::RequestHead::of(&request);
    let (path, query) = (path.as_str(), query.as_str());
    let body = read_body(&mut request, shared.max_body);
    if let Some(action) = path.strip_prefix(CONTROL_PREFIX) {
        let (status, answer) = match &body {
            Ok(bytes) => control(shared, &method, action, bytes),
            Err((status, why)) => (*status, json!({"error": why})),
        };
        let text = serde_json::to_vec(&answer).expect("a JSON value always encodes");
        respond(request, status, "application/json", &[], text.into());
        return None;
    }
    // Counted while it is answered: a send that comes while others are goes down fewer lanes.
    let arrival = (!counted).then(|| shared.queue.arrive());
    let now = SystemTime::now();
    let accepted = Instant::now();
    let bytes = body.as_deref().unwrap_or_default();
    let api_request = ApiRequest {
        method: &method,
        path,
        query,
        headers: &headers,
        body: bytes,
    };
    // What needs none of the emulator's state (a send's body parsed and checked) is done
    // before its lock is taken: the lock is held only while the state changes.
    let precheck = body
        .as_ref()
        .ok()
        .and_then(|_| shared.provider.rules().send_api())
        .and_then(|api| api.precheck(&api_request));
    let (answer, redacted, planned) = {
        let mut emulator = shared.emulator();
        // While writes fail, a send is refused before the emulator sees it: nothing it counts
        // (limits, injections, ids it knows) includes a send the app is told was not sent.
        let failing = shared.recorder.failing();
        let mut answer = match (&body, &precheck, failing) {
            (Err((status, why)), _, _) => emulator.refusal(*status, why),
            (Ok(_), _, Some(why)) => {
                shared
                    .recorder
                    .refused_unsaved
                    .fetch_add(1, Ordering::Relaxed);
                refused_while_failing(&mut **emulator, why)
            }
            (Ok(_), Some(precheck), None) => emulator.answer_checked(&api_request, precheck, now),
            (Ok(_), None, None) => emulator.answer(&api_request, now),
        };
        let redacted = if keeps {
            emulator.redacted(&api_request)
        } else {
            None
        };
        // Planned under the lock, in the order of the ids: a seed's chaos follows the sends.
        let planned = shared.queue.plan(
            std::mem::take(&mut answer.webhooks)
                .into_iter()
                .map(|webhook| (accepted + shared.delay(&webhook), webhook)),
        );
        (answer, redacted, planned)
    };
    // Without a capture file the record holds only what the line shows.
    let scrubbed;
    let (record, bytes) = if keeps {
        let (kept, redacted_names) = crate::capture::redacted_headers(&headers, false);
        let (bytes, query) = match &redacted {
            Some((body, query)) => (body.as_slice(), query.as_str()),
            None => (bytes, query),
        };
        scrubbed = shared.token.as_ref().map(|token| {
            let secrets = [token];
            let body = match std::str::from_utf8(bytes) {
                Ok(text) => crate::secret::scrub(text, &secrets).into_bytes(),
                Err(_) => bytes.to_vec(),
            };
            (body, crate::secret::scrub(query, &secrets))
        });
        let (bytes, query) = match &scrubbed {
            Some((body, query)) => (body.as_slice(), query.as_str()),
            None => (bytes, query),
        };
        let record = CaptureRecord {
            received_at,
            remote_addr,
            method,
            path: path.to_string(),
            query: crate::capture::redacted_query(query, false),
            headers: kept,
            redacted_headers: redacted_names,
            ..CaptureRecord::default()
        };
        (record, bytes)
    } else {
        let record = CaptureRecord {
            method,
            path: path.to_string(),
            ..CaptureRecord::default()
        };
        (record, bytes)
    };
    let unchanged = bytes == body.as_deref().unwrap_or_default();
    let record = send_record(shared, record, bytes, &answer);
    let facts_from = precheck
        .filter(|precheck| {
            precheck.body.is_ok()
                && keeps
                && shared.recorder.fed()
                && unchanged
                && bytes.len() <= RECORD_BODY_MAX
        })
        .map(|precheck| (body.unwrap_or_default(), precheck));
    Some(Answered {
        _arrival: arrival,
        request,
        answer,
        record,
        planned,
        facts_from,
    })
}

/// What the inspector lists of a send's body (`bytes`, as its record keeps them, parsed into
/// `value`): what it would read from the record, as `wa-hook inspect` lists it — a body no
/// provider claims as a webhook has no gist. `None` (read from the record) for one claimed.
fn send_facts(bytes: &[u8], value: &Value) -> Option<crate::inspector::BodyFacts> {
    crate::providers::detect(value)
        .is_none()
        .then(|| crate::inspector::BodyFacts::of(&CaptureRecord::default(), bytes, Some(value)))
}

/// Queue a send's webhooks, counting those dropped.
fn enqueue(shared: &Shared, planned: deliver::Planned) {
    for _ in 0..shared.queue.enqueue(planned) {
        shared.recorder.dropped();
    }
}

/// Record a send of the app's (`record` holds its head) with the emulator's answer; the
/// record, for the inspector's feed (`None`: it could not be saved).
#[must_use]
fn record_send(
    shared: &Shared,
    record: CaptureRecord,
    bytes: &[u8],
    answer: &ApiAnswer,
) -> Option<Saved> {
    shared
        .recorder
        .send(send_record(shared, record, bytes, answer), answer)
}

/// The record of a send of the app's (`record` holds its head) with the emulator's answer.
fn send_record(
    shared: &Shared,
    mut record: CaptureRecord,
    bytes: &[u8],
    answer: &ApiAnswer,
) -> CaptureRecord {
    record.direction = Some(Direction::Send);
    record.body_bytes = bytes.len() as u64;
    record.provider = Some(shared.provider);
    record.kind = Some(Kind::parse(&answer.what));
    record.response_status = answer.status;
    // What only the capture file keeps.
    if shared.recorder.keeps() {
        record.answer = (answer.body.len() <= RECORD_BODY_MAX).then(|| {
            CaptureRecord::encode_body(&answer.body)
                .0
                .unwrap_or_default()
        });
        if bytes.len() <= RECORD_BODY_MAX {
            (record.body, record.body_encoding) = CaptureRecord::encode_body(bytes);
        }
        if let Some(issues) = &answer.checked {
            record.verdict = Some(if issues.is_empty() {
                Verdict::Valid
            } else {
                Verdict::Invalid
            });
            record.errors = issues
                .iter()
                .take(crate::validation::MAX_ISSUES)
                .cloned()
                .collect();
        }
    }
    record
}

/// Queue the webhooks that follow a send accepted at `accepted`, each at its `--statuses` delay.
fn follow(shared: &Shared, webhooks: Vec<Webhook>, accepted: Instant) {
    if !webhooks.is_empty() {
        let timed = webhooks
            .into_iter()
            .map(|webhook| (accepted + shared.delay(&webhook), webhook));
        for _ in 0..shared.queue.push(timed) {
            shared.recorder.dropped();
        }
    }
}

/// The app answered a webhook of the customer's: where the provider sends that answer on as a
/// message (Picky Assist's instant reply), it is recorded as a send, with its webhooks.
fn answered(shared: &Shared, webhook: &Webhook, delivered: &deliver::Delivered) {
    let Some(status) = delivered.status else {
        return;
    };
    let now = SystemTime::now();
    let accepted = Instant::now();
    let Some(answer) = shared
        .emulator()
        .app_answered(webhook, status, &delivered.body, now)
    else {
        return;
    };
    let record = CaptureRecord {
        received_at: crate::capture::now_rfc3339(),
        remote_addr: shared.delivery.url.authority().to_string(),
        method: "POST".to_string(),
        path: shared.delivery.url.path().to_string(),
        ..CaptureRecord::default()
    };
    // What follows a reply the file does not hold is not sent (as a send refused for it).
    if let Some(saved) = record_send(shared, record, &delivered.body, &answer) {
        follow(shared, answer.webhooks, accepted);
        shared.recorder.feed(saved, None);
    }
}

/// `/_wa-hook/inject {"code": 131030, "next": 1}` (or `"every": 3`): a failure for later
/// message sends.
fn inject(shared: &Shared, request: &Value) -> (u16, Value) {
    let number = |name: &str| {
        request
            .get(name)
            .and_then(Value::as_u64)
            .and_then(|n| u32::try_from(n).ok())
    };
    let rule = match (number("code"), number("next"), number("every")) {
        (Some(code), Some(count), None) => Ok(crate::providers::Injection {
            code,
            every: false,
            count,
        }),
        (Some(code), None, Some(count)) => Ok(crate::providers::Injection {
            code,
            every: true,
            count,
        }),
        _ => Err(
            "inject takes {\"code\": N, \"next\": N} or {\"code\": N, \"every\": N}".to_string(),
        ),
    }
    .and_then(|rule| {
        if rule.count == 0 {
            Err("next and every take 1 or more".to_string())
        } else {
            Ok(rule)
        }
    });
    match rule.and_then(|rule| shared.emulator().inject(rule)) {
        Ok(()) => (200, json!({"injected": request})),
        Err(why) => (400, json!({"error": why})),
    }
}

/// `/_wa-hook/clock {"advance_ms": N}`: the emulator's clock moved forward (a customer-service
/// window closes, as time passing would).
fn clock(shared: &Shared, request: &Value) -> (u16, Value) {
    let Some(advance) = request.get("advance_ms").and_then(Value::as_u64) else {
        return (400, json!({"error": "clock takes {\"advance_ms\": N}"}));
    };
    match shared
        .emulator()
        .advance_clock(Duration::from_millis(advance))
    {
        Ok(()) => (200, json!({"advanced_ms": advance})),
        Err(why) => (400, json!({"error": why})),
    }
}

/// `/_wa-hook/chaos {"next_send": "reorder"}`: the webhooks of the app's next send that has
/// several (its statuses) come in reverse order, for one step of a conversation where
/// `--chaos reorder=P` is for a whole run.
fn chaos(shared: &Shared, request: &Value) -> (u16, Value) {
    if request.get("next_send").and_then(Value::as_str) != Some("reorder") {
        return (
            400,
            json!({"error": "chaos takes {\"next_send\": \"reorder\"}"}),
        );
    }
    shared.queue.reorder_next_send();
    (200, json!({"next_send": "reorder"}))
}

/// The customer's controls: `say`, `read`, `fail`, each a JSON body, answered with the message
/// id and the app's answer to the webhook; `"chaos": "duplicate"` delivers the webhook twice
/// (the copy at once, after the app answered the first), the copy's answer as `copy_status`.
fn control(shared: &Shared, method: &str, action: &str, body: &[u8]) -> (u16, Value) {
    if method != "POST" {
        return (405, json!({"error": "the customer's controls take POST"}));
    }
    let request: Value = match serde_json::from_slice(body) {
        Ok(request) => request,
        Err(err) => {
            return (
                400,
                json!({"error": format!("the body is not JSON: {err}")}),
            );
        }
    };
    let text = |name: &str| {
        request
            .get(name)
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    if action == "inject" {
        return inject(shared, &request);
    }
    if action == "clock" {
        return clock(shared, &request);
    }
    if action == "chaos" {
        return chaos(shared, &request);
    }
    let duplicate = match request.get("chaos") {
        None => false,
        Some(Value::String(chaos)) if chaos == "duplicate" => true,
        Some(_) => {
            return (
                400,
                json!({"error": "a customer's \"chaos\" is \"duplicate\" (the webhook delivered twice)"}),
            );
        }
    };
    let action = match action {
        "say" => match (text("text"), text("kind")) {
            (Some(said), _) => CustomerAction::Say(said),
            (None, Some(kind)) => CustomerAction::SayKind(kind),
            (None, None) => {
                return (
                    400,
                    json!({"error": "say takes {\"text\": \"...\"} or {\"kind\": \"message:image\"}"}),
                );
            }
        },
        "react" => {
            let (Some(message_id), Some(emoji)) = (text("message_id"), text("emoji")) else {
                return (
                    400,
                    json!({"error": "react takes {\"message_id\": \"...\", \"emoji\": \"...\"}"}),
                );
            };
            CustomerAction::React(message_id, emoji)
        }
        "read" | "fail" => {
            let Some(message_id) = text("message_id") else {
                return (
                    400,
                    json!({"error": format!("{action} takes {{\"message_id\": \"...\"}}")}),
                );
            };
            if action == "read" {
                CustomerAction::Read(message_id)
            } else {
                let code = request
                    .get("code")
                    .and_then(Value::as_u64)
                    .unwrap_or(131_026);
                let Ok(code) = u32::try_from(code) else {
                    return (400, json!({"error": "code is too large"}));
                };
                CustomerAction::Fail(message_id, code)
            }
        }
        other => {
            return (
                404,
                json!({"error": format!("no control {other}; there are say, react, read, fail, inject, clock and chaos")}),
            );
        }
    };
    let identity = match text("identity") {
        None => None,
        Some(name) => match Identity::ALL
            .into_iter()
            .find(|identity| identity.name() == name)
        {
            Some(identity) => Some(identity),
            None => {
                return (
                    400,
                    json!({"error": format!("identity {name} is none of phone, bsuid, username")}),
                );
            }
        },
    };
    let event = shared.emulator().customer(&action, SystemTime::now());
    match event {
        Ok(mut event) => {
            // The customer named as the provider names users in that form.
            if let Some(identity) = identity {
                let rewritten =
                    shared.provider.rules().identities().and_then(|identities| {
                        identities.with_identity(&event.webhook.body, identity)
                    });
                match rewritten {
                    Some(body) => event.webhook.body = body,
                    None => {
                        return (
                            400,
                            json!({"error": format!("this webhook cannot name the customer by {identity}")}),
                        );
                    }
                }
            }
            // `"set": ["PATH=VALUE", ...]`: the customer's webhook edited as replay --set edits.
            for edit in request["set"].as_array().into_iter().flatten() {
                let edited = crate::payload::Edit::parse(edit.as_str().unwrap_or_default())
                    .and_then(|edit| edit.apply(&mut event.webhook.body));
                if let Err(why) = edited {
                    return (400, json!({"error": format!("set: {why:#}")}));
                }
            }
            let at = Instant::now();
            let delivered = shared.delivery.deliver(&event.webhook);
            let copy = duplicate.then(|| shared.delivery.deliver_copy(&event.webhook));
            for _ in 0..shared.queue.after_delivery(&event.webhook, &delivered, at) {
                shared.recorder.dropped();
            }
            answered(shared, &event.webhook, &delivered);
            let mut answer =
                json!({"message_id": event.message_id, "app_status": delivered.status});
            // The addresses the webhook names the customer by (`emulate test` checks the app
            // answers them).
            let from = shared
                .provider
                .rules()
                .send_api()
                .and_then(|api| api.customer_message(&event.webhook.body))
                .map(|message| message.from)
                .unwrap_or_default();
            if !from.is_empty() {
                answer["from"] = json!(from);
            }
            if let Some(copy) = copy {
                shared
                    .queue
                    .counts
                    .duplicated
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                answered(shared, &event.webhook, &copy);
                answer["copy_status"] = copy.status.into();
            }
            (200, answer)
        }
        Err((status, why)) => (status, json!({"error": why})),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A full disk that takes small records and not large ones: writes fail, work, fail. The
    /// first time is said; one inside `UNSAVED_WARNING_EVERY` of it is not, nor its end; a
    /// time of failing that lasts past it is said then (it was never said again before).
    #[test]
    fn a_time_of_failing_writes_is_said_once_and_again_when_it_comes_back_later() {
        let start = Instant::now();
        let mut saving = Saving::default();
        assert!(saving.failed(NotSaved::Failed, 2, start));
        saving.said(start);
        assert!(!saving.failed(NotSaved::Failed, 1, start));
        assert_eq!(saving.worked(), Some(3));
        assert_eq!(saving.worked(), None);
        // Failing again soon after: not said, and so neither is its end.
        let soon = start + Duration::from_secs(5);
        assert!(!saving.failed(NotSaved::Failed, 1, soon));
        // Still failing once the time has passed: said then.
        let later = start + UNSAVED_WARNING_EVERY;
        assert!(saving.failed(NotSaved::PipeFull, 1, later));
        saving.said(later);
        assert!(!saving.failed(NotSaved::PipeFull, 1, later + UNSAVED_WARNING_EVERY));
        assert_eq!(saving.worked(), Some(3));
    }

    /// A warning that could not be printed (the display's queue full) leaves the time unsaid:
    /// the next failure tries again, and no "saving again" comes without it.
    #[test]
    fn a_warning_not_printed_is_tried_again() {
        let start = Instant::now();
        let mut saving = Saving::default();
        assert!(saving.failed(NotSaved::Failed, 1, start));
        assert!(saving.failed(NotSaved::Failed, 1, start));
        assert_eq!(saving.worked(), None);
    }
}
