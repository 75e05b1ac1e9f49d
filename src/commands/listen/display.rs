//! What `listen` shows: the banner, one line per request, the summary at the end.
//!
//! Workers format their lines (in parallel) and send them to one display thread, which writes
//! whatever has queued up and flushes once per batch.
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, SyncSender, TryRecvError, TrySendError};
use std::time::Duration;

use colored::{Color, Colorize};

use crate::capture::{CaptureRecord, SignatureCheck};
use crate::cli::{Format, ListenArgs};
use crate::output;
use crate::output::format_issue;
use crate::providers::{BudgetSource, Protection, Provider};
use crate::validation::Verdict;

use super::Config;

/// Marks the part of a request line that gives way first when the line is wider than the
/// terminal (the gist), so the verdict and the first error at its end stay in view. Removed
/// before printing.
const SHRINK: char = '\u{1f}';

/// A line fitted to `width` columns: the gist shortened first, then the end cut. Without a
/// width, the line as it is.
fn fit(line: &str, width: Option<usize>) -> std::borrow::Cow<'_, str> {
    use std::borrow::Cow;
    let plain = || -> Cow<'_, str> {
        if line.contains(SHRINK) {
            Cow::Owned(line.replace(SHRINK, ""))
        } else {
            Cow::Borrowed(line)
        }
    };
    let Some(room) = width.filter(|width| *width > 20).map(|width| width - 1) else {
        return plain();
    };
    let whole = plain();
    let visible = console::measure_text_width(&whole);
    if visible <= room {
        return whole;
    }
    let shrunk = match line.split_once(SHRINK).and_then(|(head, rest)| {
        let (gist, tail) = rest.split_once(SHRINK)?;
        Some((head, gist, tail))
    }) {
        Some((head, gist, tail)) => {
            let keep = console::measure_text_width(gist).saturating_sub(visible - room);
            let gist = if keep >= 2 {
                console::truncate_str(gist, keep, "…")
            } else {
                Cow::Borrowed("")
            };
            format!("{head}{gist}{}", tail.replace(SHRINK, ""))
        }
        None => whole.into_owned(),
    };
    Cow::Owned(console::truncate_str(&shrunk, room, "…").into_owned())
}

/// How often queued lines are printed: often enough to look live.
const DISPLAY_INTERVAL: Duration = Duration::from_millis(25);

/// The most text waiting to be printed; beyond it lines are dropped (and counted) rather than
/// queued without bound when the output is not read.
const QUEUED_MAX: usize = 8 << 20;

/// Where workers send what they formatted. Never blocks: when the display is behind by
/// `QUEUED_MAX`, lines are dropped and counted.
#[derive(Clone)]
pub(crate) struct DisplaySender {
    sender: SyncSender<String>,
    queued: Arc<AtomicUsize>,
    dropped: Arc<AtomicU64>,
    /// Whether the display prints to stderr (`--out -`).
    to_stderr: bool,
}

/// Marks a line printed whole, never cut to the terminal's width (a warning).
const WHOLE: char = '\u{2}';

impl DisplaySender {
    /// A warning for the user. Through the display thread when it prints to stderr: blocked
    /// on a stderr nobody reads, it holds stderr's lock, and a worker that printed there
    /// itself would wait for good. Printed at once otherwise (stderr is then the warnings'
    /// alone).
    pub fn warn(&self, message: impl std::fmt::Display) {
        if self.to_stderr {
            self.send(format!("{WHOLE}{}\n", crate::output::warning_text(message)));
        } else {
            crate::output::warn(message);
        }
    }

    pub fn send(&self, text: String) {
        let len = text.len();
        let lines = || text.matches('\n').count().max(1) as u64;
        if self.queued.fetch_add(len, Ordering::Relaxed) + len > QUEUED_MAX {
            self.queued.fetch_sub(len, Ordering::Relaxed);
            self.dropped.fetch_add(lines(), Ordering::Relaxed);
            return;
        }
        if let Err(TrySendError::Full(text) | TrySendError::Disconnected(text)) =
            self.sender.try_send(text)
        {
            self.queued.fetch_sub(len, Ordering::Relaxed);
            self.dropped
                .fetch_add(text.matches('\n').count().max(1) as u64, Ordering::Relaxed);
        }
    }

    /// Lines dropped because the display was behind.
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }
}

/// The display thread; `finished` says when it has printed everything.
pub(crate) struct DisplayThread {
    finished: Receiver<()>,
}

impl DisplayThread {
    /// Wait until what was queued is printed, at most `timeout` (stdout may not be read).
    pub fn finish_within(self, timeout: Duration) {
        let _ = self.finished.recv_timeout(timeout);
    }
}

/// Start the display thread: request lines go to stdout, or to stderr when the capture
/// records themselves go to stdout (`--out -`).
pub(crate) fn spawn(to_stderr: bool, fit_to_terminal: bool) -> (DisplaySender, DisplayThread) {
    let (sender, receiver) = mpsc::sync_channel::<String>(4096);
    let queued = Arc::new(AtomicUsize::new(0));
    let display_queued = Arc::clone(&queued);
    let (finished_tx, finished) = mpsc::channel();
    std::thread::Builder::new()
        .name("wa-hook-display".to_string())
        .spawn(move || {
            let sink: Box<dyn Write> = if to_stderr {
                Box::new(std::io::stderr())
            } else {
                Box::new(std::io::stdout())
            };
            let term = if to_stderr {
                console::Term::stderr()
            } else {
                console::Term::stdout()
            };
            let mut out = BufWriter::with_capacity(64 * 1024, sink);
            // Polling rather than blocking on `recv`: a sender then never has to wake this
            // thread, which under load costs more than the printing itself.
            loop {
                let mut disconnected = false;
                // On a terminal each line is cut to its width (asked again every round, so a
                // resized window is followed); piped output keeps whole lines for grep.
                let width = fit_to_terminal
                    .then(|| term.size_checked())
                    .flatten()
                    .map(|(_, columns)| usize::from(columns));
                loop {
                    match receiver.try_recv() {
                        Ok(text) => {
                            display_queued.fetch_sub(text.len(), Ordering::Relaxed);
                            for line in text.split_inclusive('\n') {
                                let (line, end) = match line.strip_suffix('\n') {
                                    Some(line) => (line, "\n"),
                                    None => (line, ""),
                                };
                                let (line, whole) = match line.strip_prefix(WHOLE) {
                                    Some(line) => (line, true),
                                    None => (line, false),
                                };
                                if width.is_some() && !whole {
                                    let _ = out.write_all(fit(line, width).as_bytes());
                                } else {
                                    // Piped: the pieces as they are, without copying the line.
                                    for piece in line.split(SHRINK) {
                                        let _ = out.write_all(piece.as_bytes());
                                    }
                                }
                                let _ = out.write_all(end.as_bytes());
                            }
                        }
                        Err(TryRecvError::Empty) => break,
                        Err(TryRecvError::Disconnected) => {
                            disconnected = true;
                            break;
                        }
                    }
                }
                let _ = out.flush();
                if disconnected {
                    break;
                }
                std::thread::sleep(DISPLAY_INTERVAL);
            }
            let _ = finished_tx.send(());
        })
        .expect("starting the display thread");
    let sender = DisplaySender {
        sender,
        queued,
        dropped: Arc::new(AtomicU64::new(0)),
        to_stderr,
    };
    (sender, DisplayThread { finished })
}

/// What the record alone does not say, for the request's line.
#[derive(Default)]
pub(crate) struct Notes {
    /// Meta's handshake answered: true when the challenge was echoed.
    pub handshake: Option<bool>,
    /// A handshake arrived without `--verify-token-env`.
    pub handshake_unanswered: bool,
    /// The app was slower than this budget (and whose budget it is).
    pub over_budget: Option<(Duration, BudgetSource)>,
    pub content_type: Option<String>,
}

/// `12:00:01.123 POST /hook  qikchat message:text  919876543210 "Hi"  ✓`, and below an
/// invalid body's further errors, indented.
pub(crate) fn request_line(record: &CaptureRecord, gist: Option<&str>, notes: &Notes) -> String {
    let time = record
        .received_at
        .get(11..23)
        .unwrap_or(&record.received_at);
    let mut line = String::with_capacity(160);
    let _ = write!(
        line,
        "{} {} {}",
        time.dimmed(),
        record.method.bold(),
        output::excerpt_cow(&record.path, 60)
    );
    let mut below = Vec::new();
    if let Some(rejected) = &record.rejected {
        let _ = write!(
            line,
            "  {}",
            format!("{} rejected: {rejected}", record.response_status)
                .red()
                .bold()
        );
    }
    if let Some(ok) = notes.handshake {
        if ok {
            let _ = write!(
                line,
                "  meta handshake {} challenge echoed",
                output::ok_mark()
            );
        } else {
            let _ = write!(line, "  meta handshake {}", output::fail_mark());
        }
    } else if notes.handshake_unanswered {
        let _ = write!(
            line,
            "  {}",
            "meta handshake (no --verify-token-env: the challenge was not echoed)".yellow()
        );
    }
    match record.verdict {
        Some(Verdict::Valid) => {
            line.push_str("  ");
            push_label(&mut line, record);
            push_gist(&mut line, gist);
            let _ = write!(line, "  {}", output::ok_mark());
        }
        Some(Verdict::Invalid) => {
            line.push_str("  ");
            push_label(&mut line, record);
            push_gist(&mut line, gist);
            let _ = write!(line, "  {}", output::fail_mark());
            if let Some(first) = record.errors.first() {
                let _ = write!(line, " {}", format_issue(first));
            }
            below.extend(record.errors.iter().skip(1).map(format_issue));
        }
        Some(Verdict::Unchecked) => {
            line.push_str("  ");
            push_label(&mut line, record);
            push_gist(&mut line, gist);
            let _ = write!(line, "  {}", output::unchecked_mark());
            if let Some(note) = &record.note {
                let _ = write!(line, " {}", note.dimmed());
            }
        }
        Some(Verdict::Malformed) => {
            let what = match notes.content_type.as_deref() {
                Some(kind) if !kind.to_ascii_lowercase().contains("json") => {
                    format!("not JSON ({kind})")
                }
                _ => "not JSON".to_string(),
            };
            let _ = write!(line, "  {} {}", output::fail_mark(), what.red());
            if let Some(first) = record.errors.first() {
                let _ = write!(line, ": {}", first.found);
            }
        }
        Some(Verdict::Unknown) => {
            let _ = write!(
                line,
                "  {} {}",
                output::unknown_mark(),
                "unknown shape".yellow()
            );
            if let Some(first) = record.errors.first() {
                let _ = write!(line, ": {}", first.found);
            }
        }
        None if record.rejected.is_none() && notes.handshake.is_none() => {
            let _ = write!(line, "  {}", "no body".dimmed());
        }
        None => {}
    }
    if let Some(signature) = &record.signature {
        let shown = if signature.is_valid() {
            format!("signature {}", output::ok_mark())
        } else {
            format!("signature {} {signature}", output::fail_mark())
        };
        let _ = write!(line, "  {shown}");
    }
    if let Some(forward) = &record.forward {
        let latency = output::duration(
            Duration::from_secs_f64(forward.latency_ms / 1000.0),
            output::Notation::Compact,
        );
        match (forward.status, &forward.error) {
            (Some(status), _) => {
                let status_text = if (200..300).contains(&status) {
                    status.to_string().green()
                } else {
                    status.to_string().red()
                };
                let _ = write!(line, "  → app {status_text} {latency}");
                if let Some((budget, source)) = notes.over_budget {
                    let whose = match source {
                        BudgetSource::Given => "the --budget".to_string(),
                        BudgetSource::Provider(p) => format!("{}'s", p.display_name()),
                        BudgetSource::Default => "the default".to_string(),
                    };
                    let _ = write!(
                        line,
                        " {}",
                        format!(
                            "slower than {whose} {} limit",
                            output::duration(budget, output::Notation::Flag)
                        )
                        .yellow()
                    );
                }
            }
            (None, error) => {
                let _ = write!(
                    line,
                    "  {}",
                    format!(
                        "→ app unreachable, answered {}: {}",
                        record.response_status,
                        error.as_deref().unwrap_or("no answer")
                    )
                    .red()
                );
            }
        }
    } else if record.rejected.is_none() && !(200..300).contains(&record.response_status) {
        let _ = write!(line, "  answered {}", record.response_status);
    }
    if let Some(hint) = refusal_hint(record) {
        below.push(hint.yellow().to_string());
    }
    line.push('\n');
    for issue in below {
        line.push_str("    ");
        line.push_str(&issue);
        line.push('\n');
    }
    line
}

/// For an app that refused (401/403) a body whose signature wa-hook found right: the fault is
/// on the app's side of the check.
fn refusal_hint(record: &CaptureRecord) -> Option<&'static str> {
    let status = record.forward.as_ref()?.status?;
    (record
        .signature
        .as_ref()
        .is_some_and(SignatureCheck::is_valid)
        && matches!(status, 401 | 403))
    .then_some(
        "the app refused a body whose signature is right: check the app secret it uses, and \
         that it verifies the raw bytes received (not the body parsed and written again)",
    )
}

fn push_label(line: &mut String, record: &CaptureRecord) {
    output::push_label(line, record.provider.as_ref(), record.kind.as_ref());
}

fn push_gist(line: &mut String, gist: Option<&str>) {
    if let Some(gist) = gist.filter(|gist| !gist.is_empty()) {
        line.push_str("  ");
        line.push(SHRINK);
        line.push_str(gist);
        line.push(SHRINK);
    }
}

/// The lines after the URL, on stderr: where captures go, what is checked.
pub(crate) fn print_banner(args: &ListenArgs, config: &Config) {
    if args.format == Format::Json {
        return;
    }
    let mut parts = Vec::new();
    if args.no_save {
        parts.push("not saving".to_string());
    } else if args.out.as_os_str() == "-" {
        parts.push("capture records on stdout".to_string());
    } else {
        parts.push(format!("saving to {}", args.out.display()));
    }
    if let Some(forward) = &config.forward {
        parts.push(format!("forwarding to {}", forward.shown_target()));
    }
    if config.basic_auth.is_some() {
        parts.push("Basic auth required".to_string());
    }
    if config.app_secret.is_some() {
        parts.push("checking X-Hub-Signature-256".to_string());
    }
    if config.verify_token.is_some() {
        parts.push("answering Meta's handshake".to_string());
    }
    if !config.events.is_empty() {
        parts.push(format!("showing {}", config.events.join(", ")));
    }
    eprintln!(
        "{} {}; Ctrl-C to stop",
        "listening:".bold(),
        parts.join("; ")
    );
}

/// The tunnel's public URL: on stdout as the second line (`{"public_url": URL}` with `--format
/// json`), and on stderr where each provider takes it and what protects the endpoint.
pub(crate) fn print_tunnel(
    tunnel: &super::tunnel::Tunnel,
    config: &Config,
    format: Format,
    registering: Option<&str>,
) -> anyhow::Result<()> {
    let url = &tunnel.public_url;
    {
        let mut out = std::io::stdout().lock();
        match format {
            Format::Text => writeln!(out, "{url}")?,
            Format::Json => output::json_line(&mut out, &serde_json::json!({ "public_url": url }))?,
        }
        out.flush()?;
    }
    eprintln!("{} {url} (through {})", "public URL:".bold(), tunnel.kind);
    eprintln!("give it to your provider (every path is captured):");
    for provider in Provider::all() {
        if registering == Some(provider.id()) {
            eprintln!(
                "  {}: set by --register {}",
                provider.display_name(),
                provider.id()
            );
        } else {
            eprintln!("  {}", provider.rules().webhook_setup(url));
        }
    }
    for provider in Provider::all() {
        let name = provider.display_name();
        let protected = match provider.rules().protection() {
            Protection::Signature => (config.app_secret.is_some() && config.reject_bad_signature)
                .then_some("signatures checked, bad ones refused")
                .ok_or("add --app-secret-env VAR --reject-bad-signature to refuse unsigned bodies"),
            Protection::BasicAuth => config
                .basic_auth
                .is_some()
                .then_some("Basic auth required")
                .ok_or("add --basic-auth-env VAR (and the same header at the provider)"),
            Protection::Nothing => {
                Err("sends no signature or credentials: keep the URL to yourself")
            }
        };
        match protected {
            Ok(how) => eprintln!("  {} {name}: {how}", output::ok_mark()),
            Err(advice) => eprintln!(
                "  {} {name}: anyone with the URL can post; {advice}",
                "!".yellow().bold()
            ),
        }
    }
    if tunnel.kind == super::tunnel::TunnelKind::Ngrok {
        output::warn(
            "ngrok's free plan may answer with its browser warning page unless the request \
             carries ngrok-skip-browser-warning, which Meta's does not: if Meta's handshake \
             never arrives, use cloudflared or ssh:HOST for Meta",
        );
    }
    Ok(())
}

/// Counts for the summary; one per worker, added up at the end.
#[derive(Default)]
pub(crate) struct Stats {
    pub requests: u64,
    by_kind: BTreeMap<String, u64>,
    invalid: u64,
    malformed: u64,
    unknown: u64,
    rejected: u64,
    forward_failures: u64,
    /// Forwarded requests by the status the app answered.
    app_statuses: BTreeMap<u16, u64>,
    /// Requests answered 500 because their record could not be written.
    unsaved: u64,
    /// The last key counted, its buffer reused.
    key: String,
}

/// What the summary says besides the counts of requests.
#[derive(Default)]
pub(crate) struct Leftovers {
    /// Connections answered 503 over --max-connections.
    pub refused_connections: u64,
    /// Request lines not shown because the output was not read.
    pub lines_not_shown: u64,
    /// Requests still being read or forwarded when listen stopped: neither answered nor saved.
    pub unfinished: u64,
    /// Requests answered 503 because the capture pipe (`--out FIFO`) was not read.
    pub pipe_full: u64,
    /// Records the inspector's feed dropped (it was behind); it read them from the file.
    pub feed_dropped: u64,
}

impl Stats {
    /// A request whose record could not be saved (it was answered 500).
    pub fn count_unsaved(&mut self) {
        self.unsaved += 1;
    }

    pub fn count(&mut self, record: &CaptureRecord) {
        self.requests += 1;
        let mut key = std::mem::take(&mut self.key);
        key.clear();
        match (record.verdict, &record.provider, &record.kind) {
            (Some(Verdict::Malformed), _, _) => key.push_str("not JSON"),
            (Some(Verdict::Unknown), None, _) => key.push_str("unknown shape"),
            (Some(_), Some(_), _) => push_label(&mut key, record),
            _ if record.body_bytes > 0 => key.push_str("not checked"),
            _ => {
                let _ = write!(key, "{} without a body", record.method);
            }
        }
        // Counted without allocating once the kind has been seen.
        match self.by_kind.get_mut(&key) {
            Some(count) => *count += 1,
            None => {
                self.by_kind.insert(key.clone(), 1);
            }
        }
        self.key = key;
        match record.verdict {
            Some(Verdict::Invalid) => self.invalid += 1,
            Some(Verdict::Malformed) => self.malformed += 1,
            Some(Verdict::Unknown) => self.unknown += 1,
            _ => {}
        }
        if record.rejected.is_some() {
            self.rejected += 1;
        }
        if let Some(forward) = &record.forward {
            match forward.status {
                Some(status) => *self.app_statuses.entry(status).or_default() += 1,
                None => self.forward_failures += 1,
            }
        }
    }

    /// `200 × 37, 500 × 22, 401 × 3`: the app's answers, most frequent first.
    fn app_statuses_by_count(&self) -> Vec<(u16, u64)> {
        let mut rows: Vec<(u16, u64)> = self
            .app_statuses
            .iter()
            .map(|(status, count)| (*status, *count))
            .collect();
        rows.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        rows
    }

    pub fn merge(&mut self, other: Stats) {
        self.requests += other.requests;
        for (key, count) in other.by_kind {
            *self.by_kind.entry(key).or_default() += count;
        }
        self.invalid += other.invalid;
        self.malformed += other.malformed;
        self.unknown += other.unknown;
        self.rejected += other.rejected;
        self.forward_failures += other.forward_failures;
        for (status, count) in other.app_statuses {
            *self.app_statuses.entry(status).or_default() += count;
        }
        self.unsaved += other.unsaved;
    }

    /// The summary text (without colour decisions of its own beyond `colored`'s).
    pub fn summary(
        &self,
        elapsed: Duration,
        saved_to: Option<&Path>,
        leftovers: &Leftovers,
    ) -> String {
        let mut text = String::new();
        let elapsed = output::duration(
            Duration::from_secs(elapsed.as_secs()),
            output::Notation::Flag,
        );
        text.push_str(&format!(
            "\n{} after {elapsed}: {}\n",
            "Stopped".bold(),
            output::plural(self.requests, "request", "requests")
        ));
        let mut rows: Vec<(&String, &u64)> = self.by_kind.iter().collect();
        rows.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        let width = rows
            .iter()
            .map(|(_, n)| n.to_string().len())
            .max()
            .unwrap_or(1);
        for (kind, count) in rows {
            text.push_str(&format!("  {count:>width$}  {kind}\n"));
        }
        let counted = |n: u64, what: &str| {
            let text = format!("{n} {what}");
            if n > 0 { text.red().to_string() } else { text }
        };
        text.push_str(&format!(
            "  {} ({} not JSON), {}, {}, {}\n",
            counted(self.invalid + self.malformed, "invalid"),
            self.malformed,
            if self.unknown > 0 {
                format!("{} unknown", self.unknown).yellow().to_string()
            } else {
                format!("{} unknown", self.unknown)
            },
            counted(self.rejected, "rejected"),
            counted(self.forward_failures, "forward failures"),
        ));
        let app = self.app_statuses_by_count();
        if !app.is_empty() {
            let shown: Vec<String> = app
                .iter()
                .map(|(status, count)| {
                    let text = format!("{status} × {count}");
                    if (200..300).contains(status) {
                        text
                    } else {
                        text.red().to_string()
                    }
                })
                .collect();
            text.push_str(&format!("  app: {}\n", shown.join(", ")));
        }
        // Counts of what went wrong, each on its own indented line when there was any.
        let problems = [
            (
                self.unsaved,
                ("request", "requests"),
                "could not be saved (answered 500)",
                Color::Red,
            ),
            (
                leftovers.unfinished,
                ("request", "requests"),
                "still being read or forwarded at the stop: not answered, not saved",
                Color::Yellow,
            ),
            (
                leftovers.pipe_full,
                ("request", "requests"),
                "answered 503, not saved: the capture pipe was not read",
                Color::Yellow,
            ),
            (
                leftovers.refused_connections,
                ("connection", "connections"),
                "refused with 503 (over --max-connections)",
                Color::Yellow,
            ),
        ];
        for (count, (one, many), what, color) in problems {
            if count > 0 {
                let line = format!("{} {what}", output::plural(count, one, many));
                text.push_str(&format!("  {}\n", line.color(color)));
            }
        }
        if leftovers.lines_not_shown > 0 {
            // "All are saved" only where every request was (not with --no-save, nor when some
            // could not be).
            let all_saved = saved_to.is_some() && self.unsaved == 0 && leftovers.pipe_full == 0;
            text.push_str(&format!(
                "  {} not shown (the output was not read fast enough{})\n",
                output::plural(leftovers.lines_not_shown, "line", "lines"),
                if all_saved { "; all are saved" } else { "" }
            ));
        }
        if leftovers.feed_dropped > 0 {
            text.push_str(&format!(
                "  {} handed to the inspector late: it was behind, and read them from the file\n",
                output::plural(leftovers.feed_dropped, "record", "records"),
            ));
        }
        match saved_to {
            Some(path) if path.as_os_str() == "-" => {}
            Some(path) if self.unsaved > 0 => {
                text.push_str(&format!("  the others saved to {}\n", path.display()));
            }
            Some(path) => text.push_str(&format!("  saved to {}\n", path.display())),
            None => text.push_str("  nothing saved (--no-save)\n"),
        }
        text
    }
}

/// The summary as one JSON line (`--format json`): `{"summary": {...}}`, the counts of the
/// text summary with the app's answers by status.
pub(crate) fn summary_json_line(
    stats: &Stats,
    elapsed: Duration,
    saved_to: Option<&Path>,
    leftovers: &Leftovers,
) -> String {
    let app_statuses: serde_json::Map<String, serde_json::Value> = stats
        .app_statuses_by_count()
        .into_iter()
        .map(|(status, count)| (status.to_string(), count.into()))
        .collect();
    let summary = serde_json::json!({
        "summary": {
            "elapsed_s": elapsed.as_secs_f64(),
            "requests": stats.requests,
            "by_kind": stats.by_kind,
            "invalid": stats.invalid + stats.malformed,
            "not_json": stats.malformed,
            "unknown": stats.unknown,
            "rejected": stats.rejected,
            "forward_failures": stats.forward_failures,
            "app_statuses": app_statuses,
            "unsaved": stats.unsaved,
            "unfinished": leftovers.unfinished,
            "refused_connections": leftovers.refused_connections,
            "lines_not_shown": leftovers.lines_not_shown,
            "inspector_feed_dropped": leftovers.feed_dropped,
            "saved_to": saved_to
                .filter(|path| path.as_os_str() != "-")
                .map(|path| path.display().to_string()),
        }
    });
    let mut line = summary.to_string();
    line.push('\n');
    line
}

/// The summary, after `before` (a warning, or nothing), on stderr: given at most `within` to
/// be written (a stderr nobody reads never holds the stop; the summary is lost then).
pub(crate) fn print_summary(
    stats: &Stats,
    elapsed: Duration,
    saved_to: Option<&Path>,
    leftovers: &Leftovers,
    (before, within): (String, Duration),
) {
    let text = before + &stats.summary(elapsed, saved_to, leftovers);
    crate::output::eprint_within(text, within);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_too_wide_gives_up_its_gist_before_its_verdict() {
        let line = format!(
            "12:00:01.123 POST /hook  meta message:text  {SHRINK}16505553921 \"a long message that goes on and on\"{SHRINK}  ✓"
        );
        let fitted = fit(&line, Some(60));
        assert!(fitted.ends_with("  ✓"), "{fitted}");
        assert!(console::measure_text_width(&fitted) <= 59, "{fitted}");
        assert!(fitted.contains("meta message:text  1650555"), "{fitted}");
        // Piped output: whole, without the marks.
        assert_eq!(fit(&line, None), line.replace(SHRINK, ""));
        // Too narrow even without the gist: the end is cut.
        assert!(fit(&line, Some(30)).ends_with('…'));
    }

    /// Lines not shown are "all saved" only where they were.
    #[test]
    fn lines_not_shown_are_said_saved_only_when_they_were() {
        let leftovers = Leftovers {
            refused_connections: 0,
            lines_not_shown: 3,
            unfinished: 0,
            pipe_full: 0,
            feed_dropped: 0,
        };
        let stats = Stats::default();
        let elapsed = Duration::from_secs(1);
        let saved = stats.summary(elapsed, Some(Path::new("c.jsonl")), &leftovers);
        assert!(
            saved
                .contains("3 lines not shown (the output was not read fast enough; all are saved)"),
            "{saved}"
        );
        let not_saved = stats.summary(elapsed, None, &leftovers);
        assert!(
            not_saved.contains("3 lines not shown") && !not_saved.contains("all are saved"),
            "{not_saved}"
        );
        let full = Leftovers {
            pipe_full: 1,
            ..leftovers
        };
        let partly = stats.summary(elapsed, Some(Path::new("c.fifo")), &full);
        assert!(!partly.contains("all are saved"), "{partly}");
    }

    /// Records the inspector's feed dropped are counted in the summary, text and JSON.
    #[test]
    fn records_handed_to_the_inspector_late_are_counted() {
        let leftovers = Leftovers {
            feed_dropped: 12,
            ..Leftovers::default()
        };
        let stats = Stats::default();
        let elapsed = Duration::from_secs(1);
        let text = stats.summary(elapsed, Some(Path::new("c.jsonl")), &leftovers);
        assert!(
            text.contains("12 records handed to the inspector late: it was behind, and read them from the file"),
            "{text}"
        );
        let quiet = stats.summary(elapsed, Some(Path::new("c.jsonl")), &Leftovers::default());
        assert!(!quiet.contains("inspector"), "{quiet}");
        let line = summary_json_line(&stats, elapsed, None, &leftovers);
        let json: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!(json["summary"]["inspector_feed_dropped"], 12);
    }
}
