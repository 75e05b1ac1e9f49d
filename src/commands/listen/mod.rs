//! `wa-hook listen`: a local receiver that saves, validates and shows every request.
//!
//! Threads: tiny_http's connection threads parse HTTP and read bodies of up to 64 KiB, so a
//! slow sender holds only its own connection. `--threads` workers (one per core by default)
//! take requests from its queue and run [`handler::Handler::handle`]: read, check, forward,
//! save, answer. A worker takes every request already queued (up to `MAX_BATCH`) at once and
//! saves their records with one write before answering any of them: under load that is one
//! system call for many requests, and no worker ever waits for another, as wa-hook takes no
//! lock to write (see `CaptureWriter`). One display thread prints what the workers formatted,
//! so a slow terminal never holds a worker (and when the output is not read at all, lines are
//! dropped and counted rather than queued). Counts for the summary are kept per worker and
//! added up at the end.
//!
//! Bounds, whatever arrives (tiny_http's `Limits`, see vendor/README.md): a head of at most
//! 64 KiB and 128 headers, read within `--read-timeout`; a body within 3 times it; at most
//! `--max-connections` open, one more answered 503. A request whose body has not arrived
//! (chunked, over 64 KiB, or after `Expect: 100-continue`) is read on a thread of its own, at
//! most `UPLOADS_MAX` at once, so a slow sender never holds a worker; with `--forward-to`, each
//! request waits for the app on a thread of its own, at most `FORWARDS_MAX` at once, so a hung
//! app never holds one either (one more is answered 503 at once). An answer the client does
//! not read is finished on a thread of its own (tiny_http sends each without waiting), so a
//! client that pipelines requests and reads nothing holds no worker: it is read no further
//! while `MAX_UNANSWERED` of its answers wait, and its connection closes when an answer has
//! waited `--read-timeout` for it (see vendor/README.md). At Ctrl-C, listen stops
//! within about a second whatever is still being read or forwarded, and says how many were.
mod display;
mod forward;
mod handler;
mod register;
mod tunnel;

use std::io::Write;
use std::net::TcpListener;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use subtle::ConstantTimeEq;

use crate::capture::CaptureWriter;
use crate::catalogue;
use crate::cli::{Format, ListenArgs};
use crate::error::Outcome;
use crate::output;
use crate::providers::{self, Provider};
use crate::secret::{self, BasicAuth, SecretString};
use crate::validation::{self, CheckOptions, Forced, Verdict};

use display::{DisplaySender, Leftovers, Stats};
use forward::Forwarder;
use handler::{Handler, Refusal};

/// The most queued requests a worker takes at once; their records are saved with one write.
const MAX_BATCH: usize = 32;

/// At shutdown, requests still arriving are answered until none has come for `SHUTDOWN_QUIET`,
/// for at most `SHUTDOWN_GRACE`.
const SHUTDOWN_QUIET: Duration = Duration::from_millis(100);
/// How long after Ctrl-C listen has stopped, whatever is still being read or forwarded.
const SHUTDOWN_LIMIT: Duration = Duration::from_millis(1000);

/// Requests whose bodies are still arriving, read at once (each on its own thread); one more
/// is answered 503. Their bodies (up to `--max-body` each) are what listen holds in memory.
const UPLOADS_MAX: usize = 8;

/// With `--forward-to`, requests waiting for the app at once (each on its own thread, so a hung
/// app holds no worker); one more is answered 503 at once. Their bodies have arrived, so each
/// holds at most `tiny_http::BUFFERED_BODY_MAX` (64 KiB).
const FORWARDS_MAX: usize = 256;

/// Answers one connection may have waiting (requests pipelined and not yet answered, or answers
/// its client has not read) before its next request is read.
const MAX_UNANSWERED: usize = 8;

/// `--max-connections` unless the open-file limit allows fewer.
const DEFAULT_MAX_CONNECTIONS: usize = 512;
/// Descriptors kept for everything but connections (capture file, threads, the tunnel...).
const SPARE_DESCRIPTORS: u64 = 64;

/// What the user asked for, checked before the port is opened.
pub(crate) struct Config {
    pub max_body: u64,
    pub ack: Ack,
    pub delay: Option<Duration>,
    pub basic_auth: Option<BasicAuth>,
    pub keep_secrets: bool,
    /// Lower-case kind prefixes; empty means every request.
    pub events: Vec<String>,
    pub forward: Option<Forwarder>,
    pub budget: Option<Duration>,
    /// `--forward-timeout`; otherwise the budget, at most 10 s.
    pub forward_timeout: Option<Duration>,
    pub check: CheckOptions,
    pub app_secret: Option<SecretString>,
    pub reject_bad_signature: bool,
    pub verify_token: Option<SecretString>,
    pub format: Format,
}

/// The answer to a request that is not forwarded.
pub(crate) struct Ack {
    pub status: u16,
    pub body: Vec<u8>,
}

/// What a second Ctrl-C, which exits at once, still does: stop the tunnel client and say how
/// to put the partner webhook back.
#[derive(Default)]
struct LastResort {
    tunnel_pid: Option<u32>,
    restore_hint: Option<String>,
}

impl LastResort {
    fn act(&self) {
        #[cfg(unix)]
        if let Some(pid) = self.tunnel_pid {
            // The tunnel client's own process group (see tunnel::Tunnel).
            crate::child::signal_group(pid, libc::SIGTERM);
        }
        if let Some(hint) = &self.restore_hint {
            eprintln!("wa-hook: stopped at once; {hint}");
        }
    }
}

/// How long a partner API call of `--register` may take.
const REGISTER_TIMEOUT: Duration = Duration::from_secs(15);

/// What `--events` matches besides the providers' kind names (the registry's): verdicts, the
/// handshake, rejected requests. A filter that can match nothing is a mistake worth saying at
/// start-up.
const OTHER_EVENT_WORDS: &[&str] = &["handshake", "rejected"];

/// `--events` as the handler matches it: lower case, a provider's own event names (Meta's
/// webhook fields, `account_alerts`) turned into that provider's kinds (`meta account_alert`),
/// and a word that matches nothing refused with the nearest known one.
fn check_event_filters(filters: &[String]) -> anyhow::Result<Vec<String>> {
    let mut checked = Vec::new();
    let filters = filters
        .iter()
        .map(|event| event.trim().to_ascii_lowercase())
        .filter(|event| !event.is_empty());
    for filter in filters {
        let (first, rest) = filter.split_once(' ').unwrap_or((&filter, ""));
        let named = Provider::from_id(first);
        let kind = if named.is_some() { rest.trim() } else { first };
        if let Some((provider, kinds)) = providers::kinds_for_event_name(kind)
            .filter(|(provider, _)| named.is_none_or(|named| named == *provider))
        {
            checked.extend(kinds.iter().map(|kind| format!("{} {kind}", provider.id())));
            continue;
        }
        let family = kind.split(':').next().unwrap_or_default();
        let words = || {
            providers::kind_names()
                .into_iter()
                .chain(Verdict::WORDS)
                .chain(OTHER_EVENT_WORDS.iter().copied())
        };
        let known = (named.is_some() && kind.is_empty())
            || (!family.is_empty() && words().any(|word| word.starts_with(family)));
        if known {
            checked.push(filter);
            continue;
        }
        let nearest = nearest_event_word(kind);
        // A Meta webhook field wa-hook has no schema for is its own kind (`meta
        // partner_solutions`): a snake_case name far from every known word may be one.
        let maybe_field = nearest.is_none()
            && family.contains('_')
            && family.bytes().all(|b| b.is_ascii_lowercase() || b == b'_');
        if maybe_field {
            output::warn(format!(
                "--events `{filter}` is no kind wa-hook knows; it shows a Meta webhook field \
                 of that name, if one arrives"
            ));
            checked.push(filter);
            continue;
        }
        let suggestion =
            nearest.map_or_else(String::new, |word| format!("did you mean `{word}`? "));
        bail!(
            "--events `{filter}` matches nothing wa-hook detects; {suggestion}use a kind \
             (message:text, status), a provider (qikchat), both (`qikchat status`), a verdict \
             (invalid), rejected, or a Meta webhook field (account_alerts)"
        );
    }
    Ok(checked)
}

/// The known `--events` word nearest to a mistyped one, if one is near enough to be meant.
fn nearest_event_word(word: &str) -> Option<&'static str> {
    // Known words are short: a long one is no typo of them (and would cost time to compare).
    if word.len() > 64 {
        return None;
    }
    let candidates = providers::kind_names()
        .into_iter()
        .chain(providers::event_names())
        .chain(Provider::all().map(Provider::id))
        .chain(Verdict::WORDS)
        .chain(OTHER_EVENT_WORDS.iter().copied());
    let allowed = (word.chars().count() / 4).clamp(1, 3);
    candidates
        .map(|candidate| (strsim::damerau_levenshtein(word, candidate), candidate))
        .filter(|(distance, _)| *distance <= allowed)
        .min()
        .map(|(_, candidate)| candidate)
}

impl Config {
    fn from_args(args: &ListenArgs) -> anyhow::Result<Config> {
        let secret::Credentials {
            basic_auth,
            app_secret,
            verify_token,
        } = args.credentials.resolve()?;
        let status = args.status.unwrap_or(200);
        let ack_body = match &args.reply {
            // A 204 or 304 answer carries no body: the reply would be cut or break the
            // connection's framing.
            Some(_) if matches!(status, 204 | 304) => bail!(
                "--reply sends a body, and a {status} answer carries none; leave out --status \
                 (200) or give another 2xx"
            ),
            Some(spec) => load_reply(spec)?,
            None => default_ack_body(status),
        };
        let forward = args.forward_to.as_deref().map(Forwarder::new).transpose()?;
        if args.read_timeout.is_zero() {
            bail!("--read-timeout must be more than 0; try 10s");
        }
        if args
            .forward_timeout
            .is_some_and(|timeout| timeout.is_zero())
        {
            bail!("--forward-timeout must be more than 0; try 10s");
        }
        Ok(Config {
            max_body: args.max_body,
            ack: Ack {
                status,
                body: ack_body,
            },
            delay: args.delay,
            basic_auth,
            keep_secrets: args.keep_secrets,
            events: check_event_filters(&args.events)?,
            forward,
            budget: args.budget.given(),
            forward_timeout: args.forward_timeout,
            check: CheckOptions {
                strict: args.strict,
                force: None,
            },
            app_secret,
            reject_bad_signature: args.reject_bad_signature,
            verify_token,
            format: args.format,
        })
    }

    /// True when the verify token matches, compared in constant time.
    fn verify_token_matches(&self, token: &str) -> bool {
        self.verify_token.as_ref().is_some_and(|expected| {
            bool::from(expected.expose().as_bytes().ct_eq(token.as_bytes()))
        })
    }
}

/// What listen answers without `--reply`: `{"ok":true}` for a 2xx `--status`, `{"ok":false}`
/// for any other, so an error status never carries a body that reads as success; nothing for
/// the statuses that carry no body (204, 304).
fn default_ack_body(status: u16) -> Vec<u8> {
    match status {
        204 | 304 => Vec::new(),
        200..=299 => br#"{"ok":true}"#.to_vec(),
        _ => br#"{"ok":false}"#.to_vec(),
    }
}

/// The `--reply` body: a sample or a file, which must be a valid Picky Assist instant reply.
fn load_reply(spec: &str) -> anyhow::Result<Vec<u8>> {
    let (origin, bytes) = if catalogue::looks_like_sample_name(spec) {
        let sample = match catalogue::find_sample(spec) {
            Some(sample) => sample,
            None => {
                let found = catalogue::select_samples(spec)?;
                if found.len() != 1 {
                    bail!(
                        "--reply takes one sample, and `{spec}` matches {}; name one of them",
                        found.len()
                    );
                }
                found[0]
            }
        };
        (sample.name.clone(), sample.body.to_vec())
    } else {
        let bytes =
            std::fs::read(spec).with_context(|| format!("reading the --reply body {spec}"))?;
        (spec.to_string(), bytes)
    };
    // Valid as some provider's instant reply; otherwise the first such provider says why not.
    let mut first_failure = None;
    for (provider, schema) in providers::instant_reply_schemas() {
        let options = CheckOptions {
            strict: false,
            force: Some(Forced::Schema(schema)),
        };
        let check = validation::check_bytes(&bytes, None, &options);
        if check.verdict.is_valid() {
            return Ok(bytes);
        }
        first_failure.get_or_insert((provider, schema, check));
    }
    let Some((provider, schema, check)) = first_failure else {
        bail!("--reply: no provider wa-hook knows reads instant replies");
    };
    let why = check
        .errors
        .first()
        .map_or_else(String::new, |issue| format!(": {issue}"));
    bail!(
        "the --reply body {origin} is not a valid {} instant reply{why}; \
         `wa-hook samples list '{}/reply-*'` lists valid ones (schema {})",
        provider.display_name(),
        provider.id(),
        schema.id
    )
}

/// Workers that only check and save are never idle while requests queue, so one per core is
/// the fastest (more only take turns on the cores); a delayed request holds its worker while
/// it waits, so `--delay` needs many. (A forwarded request waits on a thread of its own.)
fn default_threads(args: &ListenArgs) -> usize {
    if args.delay.is_some() {
        32
    } else {
        std::thread::available_parallelism().map_or(2, |cores| cores.get().max(2))
    }
}

/// Bind the port, with an error that names it when it is taken.
fn bind(host: &str, port: u16) -> anyhow::Result<TcpListener> {
    TcpListener::bind((host, port)).map_err(|err| match err.kind() {
        std::io::ErrorKind::AddrInUse => anyhow::anyhow!(
            "port {port} on {host} is already in use (another `wa-hook listen`?); \
             choose another with --port, or --port 0 for a free one"
        ),
        std::io::ErrorKind::PermissionDenied => anyhow::anyhow!(
            "not allowed to listen on port {port}; ports below 1024 need privileges, \
             choose another with --port"
        ),
        std::io::ErrorKind::AddrNotAvailable => anyhow::anyhow!(
            "cannot listen on {host}: not an address of this machine; try --host 127.0.0.1"
        ),
        _ => anyhow::anyhow!("cannot listen on {host}:{port}: {err}; try another --host or --port"),
    })
}

/// True for an address only this machine can reach.
fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// How many connections may be open at once: `--max-connections`, or 512; each takes two file
/// descriptors, so the open-file limit is raised towards what that needs (up to its hard
/// limit), and the default is lowered to what it allows.
// `rlim_t` is u64 on Linux, not everywhere.
#[allow(clippy::unnecessary_cast)]
fn connection_limit(requested: Option<u32>) -> usize {
    let wanted = requested.map_or(DEFAULT_MAX_CONNECTIONS, |n| n as usize);
    #[cfg(unix)]
    {
        let needed = wanted as u64 * 2 + SPARE_DESCRIPTORS;
        let mut limit = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: getrlimit/setrlimit with a valid pointer to a local struct.
        if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } != 0 {
            return wanted;
        }
        if (limit.rlim_cur as u64) < needed {
            let raised = libc::rlimit {
                rlim_cur: (needed as libc::rlim_t).min(limit.rlim_max),
                rlim_max: limit.rlim_max,
            };
            // SAFETY: as above.
            if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &raised) } == 0 {
                limit.rlim_cur = raised.rlim_cur;
            }
        }
        let allowed = ((limit.rlim_cur as u64).saturating_sub(SPARE_DESCRIPTORS) / 2).max(1);
        if (allowed as usize) < wanted {
            if requested.is_some() {
                output::warn(format!(
                    "the open-file limit ({}, `ulimit -n`) allows about {allowed} connections,                      not {wanted}; beyond it new connections wait until others close",
                    limit.rlim_cur
                ));
            } else {
                return allowed as usize;
            }
        }
    }
    wanted
}

/// A warning for a failure to accept a connection (reported once by tiny_http).
fn accept_warning(err: &std::io::Error) -> String {
    #[cfg(unix)]
    if matches!(err.raw_os_error(), Some(libc::EMFILE | libc::ENFILE)) {
        return format!(
            "cannot accept more connections now ({err}); they wait until others close. \
             Raise `ulimit -n` or lower --max-connections"
        );
    }
    format!("accepting a connection failed ({err}); trying again")
}

/// Requests that may wait long (a body still arriving, an app still answering), each handled
/// on a thread of its own, at most `max` at once, so none holds a worker.
struct Offload {
    max: usize,
    thread_name: &'static str,
    active: AtomicUsize,
    stats: Mutex<Stats>,
    busy: Refusal,
}

impl Offload {
    /// Requests whose bodies are still arriving.
    fn uploads() -> Offload {
        Offload::new(
            UPLOADS_MAX,
            "wa-hook-upload",
            format!("{UPLOADS_MAX} slow or large uploads were already arriving"),
        )
    }

    /// Requests forwarded to the app (`--forward-to`).
    fn forwards() -> Offload {
        Offload::new(
            FORWARDS_MAX,
            "wa-hook-forward",
            format!("{FORWARDS_MAX} requests were already waiting for the app (--forward-to)"),
        )
    }

    fn new(max: usize, thread_name: &'static str, reason: String) -> Offload {
        Offload {
            max,
            thread_name,
            active: AtomicUsize::new(0),
            stats: Mutex::new(Stats::default()),
            busy: Refusal {
                status: 503,
                reason,
            },
        }
    }

    /// Handle `request` on its own thread, or refuse it (503, its body unread) when `max` are
    /// being handled already.
    fn take(
        self: &Arc<Self>,
        request: tiny_http::Request,
        handler: &Arc<Handler>,
        display: &DisplaySender,
    ) {
        if self.active.fetch_add(1, Ordering::AcqRel) >= self.max {
            self.active.fetch_sub(1, Ordering::AcqRel);
            handler.handle_refused(vec![request], Some(&self.busy), &self.stats, display);
            return;
        }
        let (uploads, handler, display) = (Arc::clone(self), Arc::clone(handler), display.clone());
        let started = std::thread::Builder::new()
            .name(self.thread_name.to_string())
            .spawn(move || {
                handler.handle(vec![request], &uploads.stats, &display);
                uploads.active.fetch_sub(1, Ordering::AcqRel);
            });
        if started.is_err() {
            // The request went with the closure: tiny_http answers it 500.
            self.active.fetch_sub(1, Ordering::AcqRel);
        }
    }
}

/// Take the inspector's port and token (unless `--no-ui`), before listen accepts a connection:
/// a crowd that uses up the open-file limit must not leave the inspector without a socket
/// and end the run.
fn bind_inspector(args: &ListenArgs) -> anyhow::Result<Option<crate::inspector::BoundInspector>> {
    if args.no_ui {
        return Ok(None);
    }
    if args.no_save || args.out.as_os_str() == "-" {
        output::warn(
            "no inspector: it reads the capture file, and --no-save or --out - leaves none \
             (`wa-hook inspect FILE` serves it over a file)",
        );
        return Ok(None);
    }
    // A FIFO or device: the inspector would read (and take) what listen writes to it.
    if std::fs::metadata(&args.out).is_ok_and(|meta| !meta.is_file()) {
        output::warn(format!(
            "no inspector: --out {} is not a regular file, and the inspector reads one",
            args.out.display()
        ));
        return Ok(None);
    }
    crate::inspector::Inspector::bind(args.ui_port).map(Some)
}

/// Serve the inspector over the capture file on its loopback port, and print its URL (after
/// the listen URL and the tunnel's, so those keep their lines). It reads the file `listen`
/// writes, on threads of its own: request handling never waits for it.
fn start_inspector(
    inspector: Option<crate::inspector::BoundInspector>,
    args: &ListenArgs,
    config: &Config,
    address: std::net::SocketAddr,
) -> anyhow::Result<()> {
    let Some(inspector) = inspector else {
        return Ok(());
    };
    let replay_target = match &args.forward_to {
        Some(target) => crate::http::parse_target(target)?,
        None => url::Url::parse(&format!("http://{address}/")).context("the listen URL")?,
    };
    let inspector = inspector.serve(crate::inspector::InspectorConfig {
        files: vec![args.out.clone()],
        replay_target: Some(replay_target),
        replay_timeout: config.forward_timeout.unwrap_or(Duration::from_secs(10)),
        app_secret: config.app_secret.clone(),
    })?;
    let mut out = std::io::stdout().lock();
    match args.format {
        Format::Text => writeln!(out, "inspector: {}", inspector.url)?,
        Format::Json => {
            output::json_line(&mut out, &serde_json::json!({ "inspector": inspector.url }))?
        }
    }
    out.flush()?;
    Ok(())
}

pub fn run(args: ListenArgs) -> anyhow::Result<Outcome> {
    let config = Config::from_args(&args)?;
    let tunnel_kind = args
        .tunnel
        .as_deref()
        .map(tunnel::TunnelKind::parse_installed)
        .transpose()?;
    let writer = if args.no_save {
        CaptureWriter::discard()
    } else {
        CaptureWriter::open(&args.out)?.with_fsync(args.fsync)?
    };
    let records_on_stdout = !args.no_save && args.out.as_os_str() == "-";

    let (signal_tx, signal_rx) = std::sync::mpsc::channel::<()>();
    let signals = AtomicUsize::new(0);
    let last_resort = Arc::new(std::sync::Mutex::new(LastResort::default()));
    let on_second_signal = Arc::clone(&last_resort);
    ctrlc::set_handler(move || {
        // A second Ctrl-C stops at once; every record written so far is already flushed.
        if signals.fetch_add(1, Ordering::SeqCst) > 0 {
            if let Ok(last_resort) = on_second_signal.try_lock() {
                last_resort.act();
            }
            std::process::exit(130);
        }
        let _ = signal_tx.send(());
    })
    .context("installing the Ctrl-C handler")?;

    let listener = bind(&args.host, args.port)?;
    let inspector = bind_inspector(&args)?;
    let address = listener
        .local_addr()
        .context("reading the address listened on")?;
    let limits = tiny_http::Limits {
        max_connections: connection_limit(args.max_connections),
        keep_alive_timeout: Some(args.read_timeout),
        head_timeout: Some(args.read_timeout),
        body_timeout: Some(args.read_timeout.saturating_mul(3)),
        max_head_bytes: 64 * 1024,
        max_headers: 128,
    };
    // A client that does not read its answers: each answer is sent without waiting, or
    // finished by a thread of its own (tiny_http), so it never holds a worker; such a client
    // is read no further while `MAX_UNANSWERED` of its answers wait, and its connection closes
    // when an answer waits `--read-timeout` for it to read.
    let answers = tiny_http::AnswerLimits {
        write_timeout: Some(args.read_timeout),
        max_unanswered: MAX_UNANSWERED,
    };
    let server = Arc::new(
        tiny_http::Server::from_listener_with_all_limits(listener, None, limits, answers)
            .map_err(|err| anyhow::anyhow!("starting the HTTP server: {err}"))?,
    );

    // The first line is the URL and nothing else: scripts and tests read it. With
    // `--format json` it is a JSON line too (`{"listening": URL}`), so stdout stays jq-clean.
    {
        let mut out = std::io::stdout().lock();
        let url = format!("http://{address}/");
        match args.format {
            Format::Text => writeln!(out, "{url}")?,
            Format::Json => output::json_line(&mut out, &serde_json::json!({ "listening": url }))?,
        }
        out.flush()?;
    }
    display::print_banner(&args, &config);
    if !is_loopback(&args.host) {
        output::warn(format!(
            "listening on {}: anyone who can reach this machine can post to it (and reads \
             nothing back but acks); protect it with --basic-auth-env VAR, or \
             --app-secret-env VAR --reject-bad-signature for Meta",
            args.host
        ));
    }
    let mut tunnel = match tunnel_kind {
        Some(kind) => {
            // Variables that hold secrets, which the tunnel client does not inherit.
            let secret_vars: Vec<&str> = args
                .credentials
                .env
                .variables()
                .chain([
                    crate::partner_api::TOKEN_ENV,
                    crate::partner_api::CLIENT_SECRET_ENV,
                ])
                .collect();
            let tunnel = tunnel::Tunnel::start(kind, address, &secret_vars, &|| {
                signal_rx.try_recv().is_ok()
            })?;
            if let Ok(mut last_resort) = last_resort.lock() {
                last_resort.tunnel_pid = Some(tunnel.pid());
            }
            display::print_tunnel(&tunnel, &config, args.format, args.register.as_deref())?;
            Some(tunnel)
        }
        None => None,
    };
    start_inspector(inspector, &args, &config, address)?;
    let mut registration = match (&args.register, &mut tunnel) {
        (Some(_), Some(tunnel)) => {
            if !tunnel.is_running() {
                bail!("--register partner: the tunnel client stopped; nothing was registered");
            }
            register::start(
                &args.api_base,
                &tunnel.public_url,
                REGISTER_TIMEOUT,
                args.dry_run,
            )?
        }
        _ => None,
    };
    if let (Some(registration), Ok(mut last_resort)) = (&registration, last_resort.lock()) {
        last_resort.restore_hint = registration.restore_hint();
    }

    let (display_tx, display_thread) =
        display::spawn(records_on_stdout, args.format == Format::Text);
    let handler = Arc::new(Handler::new(config, writer));
    let uploads = Arc::new(Offload::uploads());
    let forwards = Arc::new(Offload::forwards());
    let started = Instant::now();
    let threads = args
        .threads
        .map_or_else(|| default_threads(&args), usize::from);
    let stopping = Arc::new(AtomicBool::new(false));
    let warned = Arc::new(AtomicBool::new(false));
    let (stopped_tx, stopped_rx) = std::sync::mpsc::channel::<()>();
    let worker_stats: Vec<Arc<Mutex<Stats>>> = (0..threads)
        .map(|_| Arc::new(Mutex::new(Stats::default())))
        .collect();
    for (index, stats) in worker_stats.iter().enumerate() {
        let server = Arc::clone(&server);
        let handler = Arc::clone(&handler);
        let uploads = Arc::clone(&uploads);
        let forwards = Arc::clone(&forwards);
        let display = display_tx.clone();
        let stats = Arc::clone(stats);
        let stopped = stopped_tx.clone();
        let (stopping, warned) = (Arc::clone(&stopping), Arc::clone(&warned));
        std::thread::Builder::new()
            .name(format!("wa-hook-worker-{index}"))
            .spawn(move || {
                loop {
                    let first = match server.recv() {
                        Ok(request) => request,
                        // At shutdown each worker takes one `unblock`, queued after every
                        // request already received (the queue is in order).
                        Err(_) if stopping.load(Ordering::SeqCst) => break,
                        // tiny_http could not accept a connection (too many open files?); it
                        // tries again, and says so once.
                        Err(err) => {
                            if !warned.swap(true, Ordering::Relaxed) {
                                output::warn(accept_warning(&err));
                            }
                            continue;
                        }
                    };
                    // A body still arriving is read on a thread of its own.
                    if !handler::body_arrived(&first) {
                        uploads.take(first, &handler, &display);
                        continue;
                    }
                    // One that waits for the app too: a hung app holds no worker.
                    if handler.forwards() {
                        forwards.take(first, &handler, &display);
                        continue;
                    }
                    // Requests queued together are taken together when their bodies have
                    // already arrived; one still arriving is read on its own thread.
                    // (`try_recv` leaves an `unblock` in the queue.)
                    let mut batch = vec![first];
                    let mut after = None;
                    if handler.batches() {
                        while batch.len() < MAX_BATCH {
                            match server.try_recv() {
                                Ok(Some(request)) if handler::body_arrived(&request) => {
                                    batch.push(request);
                                }
                                Ok(Some(request)) => {
                                    after = Some(request);
                                    break;
                                }
                                _ => break,
                            }
                        }
                    }
                    handler.handle(batch, &stats, &display);
                    if let Some(request) = after {
                        uploads.take(request, &handler, &display);
                    }
                }
                let _ = stopped.send(());
            })
            .context("starting a worker thread")?;
    }
    drop(stopped_tx);

    // Wait for Ctrl-C or SIGTERM.
    let _ = signal_rx.recv();
    let stop_by = Instant::now() + SHUTDOWN_LIMIT;
    // The provider is pointed back first, then the public URL closes: nothing new should
    // arrive while the rest winds down.
    let restored = registration
        .as_mut()
        .is_none_or(register::Registration::restore);
    drop(tunnel);
    stopping.store(true, Ordering::SeqCst);
    for _ in 0..threads {
        server.unblock();
    }
    // Workers finish what they hold (a forward waits at most a moment more).
    let workers_by = stop_by - SHUTDOWN_QUIET * 3;
    for _ in 0..threads {
        let left = workers_by.saturating_duration_since(Instant::now());
        if stopped_rx.recv_timeout(left).is_err() {
            break;
        }
    }
    // A request whose body was still arriving when the signal came is queued after the
    // unblocks: answer what arrives while requests keep coming, for a moment.
    let main_stats = Mutex::new(Stats::default());
    while let Some(left) = (stop_by - SHUTDOWN_QUIET).checked_duration_since(Instant::now()) {
        match server.recv_timeout(left.min(SHUTDOWN_QUIET)) {
            Ok(Some(request)) if handler.forwards() && handler::body_arrived(&request) => {
                forwards.take(request, &handler, &display_tx);
            }
            Ok(Some(request)) if handler::body_arrived(&request) => {
                handler.handle(vec![request], &main_stats, &display_tx);
            }
            Ok(Some(request)) => uploads.take(request, &handler, &display_tx),
            Ok(None) => break,
            Err(_) => {}
        }
    }
    // Records queued for a capture pipe are written for what is left of the second; a pipe
    // nobody reads never holds the stop.
    let unwritten = handler
        .writer()
        .finish(stop_by.saturating_duration_since(Instant::now()));
    if unwritten > 0 {
        output::warn(format!(
            "{} of records for {} were never read from the pipe, and are lost",
            output::size(unwritten as u64),
            args.out.display()
        ));
    }
    let leftovers = Leftovers {
        refused_connections: server.refused_connections(),
        pipe_full: handler.writer().pipe_refusals(),
        lines_not_shown: display_tx.dropped(),
        unfinished: handler.in_flight(),
    };
    let mut stats = main_stats
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    for worker in worker_stats
        .iter()
        .map(|s| &**s)
        .chain([&uploads.stats, &forwards.stats])
    {
        let mut worker = worker
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        stats.merge(std::mem::take(&mut *worker));
    }
    let saved_to = (!args.no_save).then_some(args.out.as_path());
    // Through the display thread, like the records before it: a stdout nobody reads never
    // holds the stop.
    if args.format == Format::Json {
        display_tx.send(display::summary_json_line(
            &stats,
            started.elapsed(),
            saved_to,
            &leftovers,
        ));
    }
    drop(display_tx);
    display_thread.finish_within(stop_by.saturating_duration_since(Instant::now()));
    display::print_summary(&stats, started.elapsed(), saved_to, &leftovers);
    if !restored {
        bail!("--register partner could not put the previous webhook URL back (see above)");
    }
    Ok(Outcome::Success)
}

#[cfg(test)]
mod tests {
    #[test]
    fn event_filters_know_every_providers_kinds_and_uncovered_meta_fields() {
        let filters = |words: &[&str]| {
            super::check_event_filters(&words.iter().map(|w| w.to_string()).collect::<Vec<_>>())
        };
        assert!(filters(&["template_status", "call", "meta echo", "unchecked"]).is_ok());
        assert!(filters(&["partner_solutions"]).is_ok());
        assert!(filters(&["bogus"]).is_err());
        assert!(filters(&["bogus-field"]).is_err());
    }

    #[test]
    fn event_filters_take_metas_field_names_and_suggest_for_typos() {
        let filters = |words: &[&str]| {
            super::check_event_filters(&words.iter().map(|w| w.to_string()).collect::<Vec<_>>())
        };
        assert_eq!(
            filters(&["account_alerts", "Message_Template_Status_Update"]).unwrap(),
            ["meta account_alert", "meta template_status"]
        );
        assert_eq!(
            filters(&["meta messages"]).unwrap(),
            ["meta message", "meta status", "meta error"]
        );
        // Meta's field names are Meta's: under another provider they are not translated.
        assert!(filters(&["qikchat account_alerts"]).is_err());
        for (typo, meant) in [
            ("acount_alerts", "account_alerts"),
            ("mesage", "message"),
            ("stauts", "status"),
            ("invlaid", "invalid"),
        ] {
            let err = filters(&[typo]).unwrap_err().to_string();
            assert!(err.contains(&format!("did you mean `{meant}`?")), "{err}");
        }
    }

    #[test]
    fn only_loopback_hosts_go_without_a_warning() {
        for host in ["127.0.0.1", "::1", "[::1]", "localhost", "127.1.2.3"] {
            assert!(super::is_loopback(host), "{host}");
        }
        for host in ["0.0.0.0", "::", "192.168.1.2", "example.com"] {
            assert!(!super::is_loopback(host), "{host}");
        }
    }

    /// The shutdown relies on this (vendor/README.md): `try_recv` must leave an `unblock` for
    /// the worker it was meant for, or that worker never stops.
    #[test]
    fn try_recv_leaves_an_unblock_for_recv() {
        let server = std::sync::Arc::new(tiny_http::Server::http("127.0.0.1:0").unwrap());
        server.unblock();
        assert!(matches!(server.try_recv(), Ok(None)));
        let (done, stopped) = std::sync::mpsc::channel();
        let worker = std::sync::Arc::clone(&server);
        std::thread::spawn(move || done.send(worker.recv().is_err()));
        let timeout = std::time::Duration::from_secs(10);
        assert_eq!(
            stopped.recv_timeout(timeout),
            Ok(true),
            "recv() did not return: try_recv took the unblock"
        );
    }
}
