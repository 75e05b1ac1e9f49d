//! `wa-hook listen`: a local receiver that saves, validates and shows every request.
//!
//! `run` is the list of steps (config, signals, bind, tunnel, inspector, registration,
//! workers, shutdown); the worker pool and the stop sequence are in `workers`.
//!
//! Threads: tiny_http's connection threads parse HTTP and read bodies of up to 64 KiB, so a
//! slow sender holds only its own connection. `--threads` workers (one per core by default)
//! take requests from its queue and run `Handler::handle`: read, check, forward,
//! save, answer. A worker takes every request already queued (up to `MAX_BATCH`) at once and
//! saves their records with one write before answering any of them: under load that is one
//! system call for many requests, and no worker ever waits for another, as wa-hook takes no
//! lock to write (see `CaptureWriter`). One display thread prints what the workers formatted,
//! so a slow terminal never holds a worker (and when the output is not read at all, lines are
//! dropped and counted rather than queued). Counts for the summary are kept per worker and
//! added up at the end. With the inspector on, a worker hands it the summaries of the records
//! it saved (what it found in each body included) once it has answered them, on a bounded
//! channel it never waits on (`inspector::feed`): the inspector does not read and parse the
//! file again.
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
//! while 8 of its answers wait (`serve`), and its connection closes when an answer has
//! waited `--read-timeout` for it (see vendor/README.md). At Ctrl-C, listen stops
//! within about a second whatever is still being read or forwarded, and says how many were.
mod display;
mod forward;
mod handler;
mod register;
mod tunnel;
mod workers;

use std::io::Write;
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

use display::DisplaySender;
use forward::Forwarder;
use handler::Handler;

/// How long after Ctrl-C listen has stopped, whatever is still being read or forwarded.
const SHUTDOWN_LIMIT: Duration = Duration::from_secs(1);
/// How long the summary is given to be written to stderr at the stop.
const SUMMARY_WAIT: Duration = Duration::from_secs(3);

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
    restore_hint: Option<String>,
}

impl LastResort {
    /// Empty for now, filled as the tunnel and the registration start; acted on by a second
    /// signal.
    fn install(stop: crate::signals::Stop) -> Arc<Mutex<LastResort>> {
        let last_resort = Arc::new(Mutex::new(LastResort::default()));
        let on_second_signal = Arc::clone(&last_resort);
        stop.on_second_signal(move || {
            // Every record written so far is already flushed.
            if let Ok(last_resort) = on_second_signal.try_lock() {
                last_resort.act();
            }
        });
        last_resort
    }

    fn act(&self) {
        // The tunnel client's own process group (see tunnel::Tunnel), if it runs.
        crate::child::signal_all(libc::SIGTERM);
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
        let sample = if let Some(sample) = catalogue::find_sample(spec) {
            sample
        } else {
            let found = catalogue::select_samples(spec)?;
            if found.len() != 1 {
                bail!(
                    "--reply takes one sample, and `{spec}` matches {}; name one of them",
                    found.len()
                );
            }
            found[0]
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

/// The capture file (`--out`), or nothing with `--no-save`.
fn open_capture(args: &ListenArgs) -> anyhow::Result<CaptureWriter> {
    if args.no_save {
        Ok(CaptureWriter::discard())
    } else {
        CaptureWriter::open(&args.out)?.with_fsync(args.fsync)
    }
}

/// `--threads`, or: workers that only check and save are never idle while requests queue, so
/// one per core is the fastest (more only take turns on the cores); a delayed request holds
/// its worker while it waits, so `--delay` needs many. (A forwarded request waits on a thread
/// of its own.)
fn threads(args: &ListenArgs) -> usize {
    if let Some(threads) = args.threads {
        usize::from(threads)
    } else if args.delay.is_some() {
        32
    } else {
        std::thread::available_parallelism().map_or(2, |cores| cores.get().max(2))
    }
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
        if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &raw mut limit) } != 0 {
            return wanted;
        }
        if (limit.rlim_cur as u64) < needed {
            let raised = libc::rlimit {
                rlim_cur: (needed as libc::rlim_t).min(limit.rlim_max),
                rlim_max: limit.rlim_max,
            };
            // SAFETY: as above.
            if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &raw const raised) } == 0 {
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
/// the listen URL and the tunnel's, so those keep their lines). The workers hand it each
/// record's summary on a feed that never makes them wait (the sender returned); it reads the
/// file only for what the file held before, a record's detail, and what the feed dropped.
fn start_inspector(
    inspector: Option<crate::inspector::BoundInspector>,
    args: &ListenArgs,
    config: &Config,
    address: std::net::SocketAddr,
    last_seq: u64,
) -> anyhow::Result<Option<crate::inspector::FeedSender>> {
    let Some(inspector) = inspector else {
        return Ok(None);
    };
    let replay_target = match &args.forward_to {
        Some(target) => crate::http::parse_target(target)?,
        None => url::Url::parse(&format!("http://{address}/")).context("the listen URL")?,
    };
    let (sender, feed) = crate::inspector::feed(&args.out, last_seq);
    let config = crate::inspector::InspectorConfig {
        files: vec![args.out.clone()],
        replay_target: Some(replay_target),
        replay_timeout: config.forward_timeout.unwrap_or(Duration::from_secs(10)),
        app_secret: config.app_secret.clone(),
        emulator: None,
    };
    let inspector = inspector.serve_fed(config, feed)?;
    let mut out = std::io::stdout().lock();
    match args.format {
        Format::Text => writeln!(out, "inspector: {}", inspector.url)?,
        Format::Json => {
            output::json_line(&mut out, &serde_json::json!({ "inspector": inspector.url }))?;
        }
    }
    out.flush()?;
    Ok(Some(sender))
}

/// Listen until Ctrl-C or SIGTERM, then stop within `SHUTDOWN_LIMIT` and print the summary.
pub fn run(args: ListenArgs) -> anyhow::Result<Outcome> {
    let config = Config::from_args(&args)?;
    let tunnel_kind = args
        .tunnel
        .as_deref()
        .map(tunnel::TunnelKind::parse_installed)
        .transpose()?;
    let writer = open_capture(&args)?;
    let stop = crate::signals::install()?;
    let last_resort = LastResort::install(stop);

    let listener = crate::serve::bind(&args.host, args.port)?;
    let inspector = bind_inspector(&args)?;
    let (server, address) = crate::serve::start(
        listener,
        crate::serve::Bounds {
            max_connections: connection_limit(args.max_connections),
            read_timeout: args.read_timeout,
            busy_body: None,
        },
    )?;
    print_url(&args, address)?;
    display::print_banner(&args, &config);
    warn_if_public(&args.host);
    let mut tunnel = tunnel_kind
        .map(|kind| start_tunnel(kind, &args, &config, address, stop))
        .transpose()?;
    let feed = start_inspector(inspector, &args, &config, address, writer.last_seq())?;
    let mut registration = register(&args, tunnel.as_mut(), &last_resort)?;

    let records_on_stdout = !args.no_save && args.out.as_os_str() == "-";
    let (display, display_thread) = display::spawn(records_on_stdout, args.format == Format::Text);
    let handler = Arc::new(Handler::new(config, writer).with_feed(feed));
    let started = Instant::now();
    let pool = workers::Pool::start(server, handler, display.clone(), threads(&args))?;

    stop.wait();
    let deadline = Instant::now() + SHUTDOWN_LIMIT;
    // The provider is pointed back first, then the public URL closes: nothing new should
    // arrive while the rest winds down.
    let restored = registration
        .as_mut()
        .is_none_or(register::Registration::restore);
    drop(tunnel);
    let stopped = pool.shutdown(deadline);
    let summary = Summary {
        args: &args,
        started,
        deadline,
    };
    summary.print(stopped, display, display_thread);
    if !restored {
        bail!("--register partner could not put the previous webhook URL back (see above)");
    }
    Ok(Outcome::Success)
}

/// The first line is the URL and nothing else: scripts and tests read it. With
/// `--format json` it is a JSON line too (`{"listening": URL}`), so stdout stays jq-clean.
fn print_url(args: &ListenArgs, address: std::net::SocketAddr) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    let url = format!("http://{address}/");
    match args.format {
        Format::Text => writeln!(out, "{url}")?,
        Format::Json => output::json_line(&mut out, &serde_json::json!({ "listening": url }))?,
    }
    out.flush()?;
    Ok(())
}

fn warn_if_public(host: &str) {
    if !is_loopback(host) {
        output::warn(format!(
            "listening on {host}: anyone who can reach this machine can post to it (and reads \
             nothing back but acks); protect it with --basic-auth-env VAR, or \
             --app-secret-env VAR --reject-bad-signature for Meta"
        ));
    }
}

/// Start the tunnel client and print its public URL (Ctrl-C meanwhile stops listen).
fn start_tunnel(
    kind: tunnel::TunnelKind,
    args: &ListenArgs,
    config: &Config,
    address: std::net::SocketAddr,
    stop: crate::signals::Stop,
) -> anyhow::Result<tunnel::Tunnel> {
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
    let tunnel = tunnel::Tunnel::start(kind, address, &secret_vars, &|| stop.requested())?;
    display::print_tunnel(&tunnel, config, args.format, args.register.as_deref())?;
    Ok(tunnel)
}

/// `--register partner`: point the partner webhook at the tunnel's public URL.
fn register(
    args: &ListenArgs,
    tunnel: Option<&mut tunnel::Tunnel>,
    last_resort: &Mutex<LastResort>,
) -> anyhow::Result<Option<register::Registration>> {
    let (Some(_), Some(tunnel)) = (&args.register, tunnel) else {
        return Ok(None);
    };
    if !tunnel.is_running() {
        bail!("--register partner: the tunnel client stopped; nothing was registered");
    }
    let registration = register::start(
        &args.api_base,
        &tunnel.public_url,
        REGISTER_TIMEOUT,
        args.dry_run,
    )?;
    if let (Some(registration), Ok(mut last_resort)) = (&registration, last_resort.lock()) {
        last_resort.restore_hint = registration.restore_hint();
    }
    Ok(registration)
}

/// The end of a run: what was lost, the summary line and the summary.
struct Summary<'a> {
    args: &'a ListenArgs,
    started: Instant,
    deadline: Instant,
}

impl Summary<'_> {
    fn print(
        &self,
        stopped: workers::Stopped,
        display: DisplaySender,
        display_thread: display::DisplayThread,
    ) {
        let args = self.args;
        let before = if stopped.unwritten > 0 {
            format!(
                "{}\n",
                output::warning_text(format!(
                    "{} of records for {} were never read from the pipe, and are lost",
                    output::size(stopped.unwritten as u64),
                    args.out.display()
                ))
            )
        } else {
            String::new()
        };
        let saved_to = (!args.no_save).then_some(args.out.as_path());
        let elapsed = || self.started.elapsed();
        // Through the display thread, like the records before it: a stdout nobody reads
        // never holds the stop.
        if args.format == Format::Json {
            display.send(display::summary_json_line(
                &stopped.stats,
                elapsed(),
                saved_to,
                &stopped.leftovers,
            ));
        }
        drop(display);
        display_thread.finish_within(self.deadline.saturating_duration_since(Instant::now()));
        // Written whole unless stderr takes more than SUMMARY_WAIT (nobody reads it, or the
        // display thread is blocked on it): then the stop goes on without it.
        display::print_summary(
            &stopped.stats,
            elapsed(),
            saved_to,
            &stopped.leftovers,
            (before, SUMMARY_WAIT),
        );
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn event_filters_know_every_providers_kinds_and_uncovered_meta_fields() {
        let filters = |words: &[&str]| {
            super::check_event_filters(&words.iter().map(ToString::to_string).collect::<Vec<_>>())
        };
        assert!(filters(&["template_status", "call", "meta echo", "unchecked"]).is_ok());
        assert!(filters(&["partner_solutions"]).is_ok());
        assert!(filters(&["bogus"]).is_err());
        assert!(filters(&["bogus-field"]).is_err());
    }

    #[test]
    fn event_filters_take_metas_field_names_and_suggest_for_typos() {
        let filters = |words: &[&str]| {
            super::check_event_filters(&words.iter().map(ToString::to_string).collect::<Vec<_>>())
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
}
