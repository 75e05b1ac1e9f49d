//! The user's app, started by wa-hook (`doctor URL --provider P -- CMD ARGS`, `emulate test
//! FILE -- CMD ARGS`), so it can see what an HTTP answer hides. Many apps answer 200 after an exception they logged (pywa logs a parse
//! error and acknowledges), and an app that dies on one body makes every later check meaningless
//! unless someone starts it again.
//!
//! The app runs in its own process group (stopping it stops what it started, and Ctrl-C in the
//! terminal reaches doctor alone), with its stdout and stderr read line by line into a bounded
//! buffer: shown only with `-v`, always scrubbed of secrets. Each delivery gets the lines the
//! app wrote while it was in flight (and a short quiet moment after its answer). When the app
//! ends, doctor says on which delivery and starts it again, a bounded number of times. It is
//! stopped (SIGTERM to its group, SIGKILL after [`STOP_GRACE`]) at the end, on an error and on
//! Ctrl-C. Starting, reading and stopping are `crate::child`'s, as for listen's tunnel client.
use std::collections::VecDeque;
use std::net::SocketAddr;
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, ExitStatus};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use url::Url;

use crate::child::exit_words;
use crate::output;
use crate::secret::{self, SecretString};

/// Lines kept for "its last lines" in an error.
const RECENT: usize = 12;
/// Lines not yet tied to a delivery; beyond this the oldest are dropped.
const PENDING: usize = 2000;
/// After an answer, the app's output is read until it has been quiet this long ...
const QUIET: Duration = Duration::from_millis(25);
/// ... or for this long at most.
const SETTLE_MAX: Duration = Duration::from_millis(500);
/// How long the app may take to stop after SIGTERM before SIGKILL.
const STOP_GRACE: Duration = Duration::from_secs(3);
/// How long after a failed request the app's end is waited for, to tell a crash from a reset.
const EXIT_GRACE: Duration = Duration::from_millis(300);
/// Restarts allowed in one run: an app that dies on every body is not started forever.
pub(crate) const MAX_RESTARTS: usize = 25;

/// Kill the app's process group now (the second Ctrl-C: doctor exits without its usual stop,
/// also while that stop waits for the app to end).
pub(crate) fn kill_now() {
    crate::child::signal_all(libc::SIGKILL);
}

/// What the app wrote, shared with the threads that read it.
#[derive(Default)]
struct Output {
    /// Lines not yet taken by [`App::settle`] or [`App::drain`].
    pending: VecDeque<String>,
    /// The last lines, for an error that shows them.
    recent: VecDeque<String>,
    /// Lines read so far, to tell when the output went quiet.
    count: u64,
}

type Shared = Arc<(Mutex<Output>, Condvar)>;

pub(crate) struct AppOptions {
    pub command: Vec<String>,
    pub target: Url,
    pub start_timeout: Duration,
    pub verbose: bool,
    pub secrets: Vec<SecretString>,
    /// Environment variables the app is started with, besides wa-hook's own.
    pub env: Vec<(String, String)>,
}

pub(crate) struct App {
    options: AppOptions,
    /// The command as shown: quoted where needed, secrets scrubbed.
    pub shown: String,
    addresses: Vec<SocketAddr>,
    child: Option<Child>,
    output: Shared,
    pub restarts: usize,
}

impl App {
    /// Start the app and wait until its URL accepts connections. `interrupted` is polled
    /// while waiting.
    pub fn start(options: AppOptions, interrupted: &dyn Fn() -> bool) -> anyhow::Result<App> {
        let addresses = crate::http::socket_addresses(&options.target)?;
        let shown = secret::scrub(
            &options
                .command
                .iter()
                .map(|word| shell_word(word))
                .collect::<Vec<_>>()
                .join(" "),
            &options.secrets.iter().collect::<Vec<_>>(),
        );
        let mut app = App {
            options,
            shown,
            addresses,
            child: None,
            output: Arc::default(),
            restarts: 0,
        };
        // Another server on the port would be tested in the app's place.
        if crate::http::is_local(&app.options.target) && app.accepts(Duration::from_millis(300)) {
            bail!(
                "something already answers at {}; stop it (wa-hook starts `{}` itself), or give a \
                 URL with the port your app listens on",
                app.options.target,
                app.shown
            );
        }
        app.spawn()?;
        app.wait_ready(interrupted)?;
        Ok(app)
    }

    fn spawn(&mut self) -> anyhow::Result<()> {
        let (program, args) = self
            .options
            .command
            .split_first()
            .context("give the command that starts your app after --")?;
        let mut command = Command::new(program);
        command
            .args(args)
            .envs(self.options.env.iter().map(|(name, value)| (name, value)))
            // Python buffers stdout written to a pipe: its lines would come late.
            .env("PYTHONUNBUFFERED", "1");
        // Should doctor itself be killed outright, the app does not outlive it.
        #[cfg(target_os = "linux")]
        // SAFETY: prctl(2) between fork and exec, touching no memory of the parent's.
        unsafe {
            command.pre_exec(|| {
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM);
                Ok(())
            });
        }
        let output = Shared::default();
        let on_line = {
            let output = Arc::clone(&output);
            let secrets = Arc::new(self.options.secrets.clone());
            let verbose = self.options.verbose;
            move |line: String| keep_line(&output, &secrets, verbose, &line)
        };
        let spawned = crate::child::spawn(&mut command, "wa-hook-app-output", on_line);
        let child = spawned.map_err(|err| match err.kind() {
            std::io::ErrorKind::NotFound => anyhow::anyhow!(
                "cannot start `{}`: {program} was not found; give the command that starts your \
                 app after -- (e.g. -- python app.py)",
                self.shown
            ),
            _ => anyhow::anyhow!("cannot start `{}`: {err}", self.shown),
        })?;
        self.output = output;
        self.child = Some(child);
        Ok(())
    }

    fn accepts(&self, timeout: Duration) -> bool {
        crate::http::accepts_connections(&self.addresses, timeout)
    }

    /// Wait, bounded by the start timeout, until the URL accepts connections.
    fn wait_ready(&mut self, interrupted: &dyn Fn() -> bool) -> anyhow::Result<()> {
        let started = Instant::now();
        loop {
            if interrupted() {
                bail!("stopped while `{}` was starting", self.shown);
            }
            if let Some(status) = self.exited() {
                // A launcher may end just as the app it started begins to answer.
                if self.accepts(Duration::from_millis(200)) {
                    return Ok(());
                }
                bail!(
                    "`{}` {} before answering at {}{}",
                    self.shown,
                    exit_words(status),
                    self.options.target,
                    self.last_lines()
                );
            }
            if self.accepts(Duration::from_millis(200)) {
                return Ok(());
            }
            if started.elapsed() >= self.options.start_timeout {
                let waited = crate::output::duration(
                    self.options.start_timeout,
                    crate::output::Notation::Words,
                );
                self.stop();
                bail!(
                    "`{}` did not answer at {} within {waited} (is that the URL it listens on? \
                     --start-timeout gives it longer){}",
                    self.shown,
                    self.options.target,
                    self.last_lines()
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The app's exit status, once it has ended.
    pub fn exited(&mut self) -> Option<ExitStatus> {
        crate::child::exited(self.child.as_ref()?)
    }

    /// Wait a moment for the app to end (after a request that got no answer): its status if
    /// it did.
    pub fn exited_within(&mut self) -> Option<ExitStatus> {
        let until = Instant::now() + EXIT_GRACE;
        loop {
            if let Some(status) = self.exited() {
                return Some(status);
            }
            if Instant::now() >= until {
                return None;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Drop the lines not tied to a delivery yet (written between deliveries).
    pub fn drain(&self) {
        let (lock, _) = &*self.output;
        lock.lock().expect("app output lock").pending.clear();
    }

    /// The lines written since the last [`App::drain`] or settle, once the output has been
    /// quiet for [`QUIET`] (at most [`SETTLE_MAX`]).
    pub fn settle(&self) -> Vec<String> {
        let (lock, ready) = &*self.output;
        let until = Instant::now() + SETTLE_MAX;
        let mut output = lock.lock().expect("app output lock");
        loop {
            let seen = output.count;
            let now = Instant::now();
            if now >= until {
                break;
            }
            let (next, timeout) = ready
                .wait_timeout(output, QUIET.min(until - now))
                .expect("app output lock");
            output = next;
            if timeout.timed_out() && output.count == seen {
                break;
            }
        }
        output.pending.drain(..).collect()
    }

    /// "; its last lines:" and the app's last lines, indented, or nothing when it wrote none.
    pub fn last_lines(&self) -> String {
        let (lock, _) = &*self.output;
        let output = lock.lock().expect("app output lock");
        if output.recent.is_empty() {
            return String::new();
        }
        let lines: Vec<String> = output
            .recent
            .iter()
            .map(|line| format!("  | {line}"))
            .collect();
        format!("; its last lines:\n{}", lines.join("\n"))
    }

    /// Stop the app and start it again; false (with why) when it cannot be started.
    pub fn restart(&mut self, interrupted: &dyn Fn() -> bool) -> anyhow::Result<()> {
        if self.restarts >= MAX_RESTARTS {
            bail!("it stopped {MAX_RESTARTS} times; doctor does not start it again");
        }
        self.stop();
        self.restarts += 1;
        self.spawn()?;
        self.wait_ready(interrupted)
    }

    /// SIGTERM to the app's group, then SIGKILL after [`STOP_GRACE`].
    pub fn stop(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        crate::child::stop_group(&mut child, STOP_GRACE);
    }
}

impl Drop for App {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Keep a line of the app's output (scrubbed of secrets first), and show it with `-v`.
fn keep_line(shared: &Shared, secrets: &[SecretString], verbose: bool, raw: &str) {
    let line = secret::scrub(raw, &secrets.iter().collect::<Vec<_>>());
    let line = output::printable(&line).into_owned();
    if verbose {
        eprintln!("  app | {line}");
    }
    let (lock, ready) = &**shared;
    let mut kept = lock.lock().expect("app output lock");
    if kept.pending.len() >= PENDING {
        kept.pending.pop_front();
    }
    kept.pending.push_back(line.clone());
    if kept.recent.len() >= RECENT {
        kept.recent.pop_front();
    }
    kept.recent.push_back(line);
    kept.count += 1;
    ready.notify_all();
}

fn shell_word(word: &str) -> String {
    if !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:=@%+,".contains(c))
    {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}

/// The line of the app's output that says what went wrong, if any of `lines` reports an error:
/// a Python traceback's last line (`KeyError: 'user_id'`), else the first line with `ERROR`,
/// `Unhandled`, `panic`, `Exception`, `Traceback`, or one that starts with `SomethingError:`.
pub(crate) fn error_in(lines: &[String]) -> Option<String> {
    if let Some(start) = lines
        .iter()
        .position(|line| line.contains("Traceback (most recent call last)"))
    {
        // The exception is the first line after the traceback that is not indented.
        let exception = lines[start + 1..]
            .iter()
            .find(|line| !line.starts_with([' ', '\t']) && !line.trim().is_empty());
        if let Some(line) = exception {
            return Some(output::excerpt(line, 160));
        }
    }
    lines
        .iter()
        .find(|line| reports_error(line))
        .map(|line| output::excerpt(line, 160))
}

fn reports_error(line: &str) -> bool {
    const MARKERS: &[&str] = &[
        "ERROR",
        "Unhandled",
        "unhandled exception",
        "panic",
        "Exception",
        "Traceback",
        "FATAL",
        "CRITICAL",
    ];
    if MARKERS.iter().any(|marker| line.contains(marker)) {
        return true;
    }
    // `TypeError: Cannot read properties of undefined`, `KeyError: 'x'`, `json.decoder.JSONDecodeError: ...`
    let start = line.trim_start();
    let name_end = start.find(':').unwrap_or(0);
    let name = &start[..name_end];
    !name.is_empty()
        && name.ends_with("Error")
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Vec<String> {
        text.lines().map(str::to_string).collect()
    }

    #[test]
    fn the_error_line_is_found_in_what_apps_log() {
        let python = lines(
            "INFO:     127.0.0.1:5555 - \"POST /webhook HTTP/1.1\" 200 OK\n\
             Traceback (most recent call last):\n  File \"app.py\", line 9, in handle\n    \
             user = body['user_id']\nKeyError: 'user_id'",
        );
        assert_eq!(error_in(&python).as_deref(), Some("KeyError: 'user_id'"));
        let node = lines(
            "TypeError: Cannot read properties of undefined (reading 'from')\n    at handler (/app/index.js:12:30)",
        );
        assert!(
            error_in(&node)
                .unwrap()
                .starts_with("TypeError: Cannot read")
        );
        let pywa = lines("ERROR:pywa.client:An error occurred while processing an update");
        assert!(error_in(&pywa).is_some());
        let rust = lines("thread 'main' panicked at src/main.rs:3:5:");
        assert!(error_in(&rust).is_some());
        let quiet = lines(
            "INFO:     127.0.0.1:5555 - \"POST / HTTP/1.1\" 200 OK\n127.0.0.1 - - [07/Dec/2026] \"POST / HTTP/1.1\" 500 -\nreceived 0 errors",
        );
        assert_eq!(error_in(&quiet), None);
    }
}
