//! The emulator a conversation plays through: `wa-hook emulate P` run as a child process of
//! this same executable (`--port`, `--out` a capture file of its own, `--format json`), so the
//! test drives exactly what a developer runs by hand. Its first line of stdout names its base
//! URL and ids; the customer's actions go through its `/_wa-hook/` controls; what the app sent
//! and what the emulator delivered are read back from its capture file as they are written.
//! Started, read and stopped with `crate::child`, like the app.
use std::collections::VecDeque;
use std::io::{Read, Seek, SeekFrom};
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use serde_json::Value;
use url::Url;

use crate::capture::CaptureRecord;
use crate::providers::Provider;

/// How long the emulator may take to print its base URL.
const START_TIMEOUT: Duration = Duration::from_secs(20);
/// How long it may take to stop after SIGTERM (it stops within about a second).
const STOP_GRACE: Duration = Duration::from_secs(3);
/// Lines of its output kept, for an error that shows them.
const RECENT: usize = 12;

/// How the emulator is started.
pub struct EmulatorOptions {
    pub provider: Provider,
    pub webhook: Url,
    pub events_webhook: Option<Url>,
    pub port: u16,
    pub app_secret_env: Option<String>,
    pub token_env: Option<String>,
    pub window: Option<Duration>,
    pub templates: Option<PathBuf>,
    pub seed: Option<u64>,
    /// Scrubbed from the lines of its output kept for errors.
    pub secrets: Vec<crate::secret::SecretString>,
}

pub struct EmulatorProcess {
    child: Option<Child>,
    pub base_url: Url,
    /// The ids it named (`phone_number_id`, `customer`), as it named them.
    pub ids: Vec<(String, String)>,
    capture: PathBuf,
    /// The private folder `capture` is in (mode 0700, removed with it): no other user can put
    /// a file or a link at its name.
    _folder: tempfile::TempDir,
    /// Bytes of the capture file read so far, and a last line not yet whole.
    read: u64,
    partial: Vec<u8>,
    /// Every record read so far, in the file's order.
    pub records: Vec<CaptureRecord>,
    recent: Arc<Mutex<VecDeque<String>>>,
}

/// The `emulate` subcommand that serves `provider`: its id, or the alias clap knows it by
/// (99 Digital's is `99digital`).
fn subcommand(provider: Provider) -> anyhow::Result<String> {
    use clap::CommandFactory;
    let cli = crate::cli::Cli::command();
    let emulate = cli
        .find_subcommand("emulate")
        .expect("emulate is a subcommand");
    std::iter::once(provider.id())
        .chain(provider.rules().aliases().iter().copied())
        .find(|name| emulate.find_subcommand(name).is_some())
        .map(str::to_string)
        .with_context(|| format!("wa-hook does not emulate {}", provider.display_name()))
}

impl EmulatorProcess {
    pub fn start(
        options: &EmulatorOptions,
        interrupted: &dyn Fn() -> bool,
    ) -> anyhow::Result<EmulatorProcess> {
        let folder = tempfile::Builder::new()
            .prefix("wa-hook-emulate-test-")
            .tempdir()
            .context("making a folder for the emulator's capture file")?;
        let capture = folder.path().join("capture.jsonl");
        let exe = std::env::current_exe().context("finding wa-hook's own executable")?;
        let mut command = Command::new(exe);
        command
            .arg("emulate")
            .arg(subcommand(options.provider)?)
            .arg("--webhook")
            .arg(options.webhook.as_str())
            .args(["--port", &options.port.to_string()])
            .arg("--out")
            .arg(&capture)
            .args(["--format", "json", "--no-ui"])
            // The provider's budget where it is shorter (Qikchat: 2 s), else 10 s: the runner
            // waits for a status up to 10 s and a margin (play.rs).
            .args(["--webhook-timeout", &webhook_timeout(options.provider)])
            .env("NO_COLOR", "1");
        if let Some(events) = &options.events_webhook {
            command.args(["--events-webhook", events.as_str()]);
        }
        if let Some(var) = &options.app_secret_env {
            command.args(["--app-secret-env", var]);
        }
        if let Some(var) = &options.token_env {
            command.args(["--token-env", var]);
        }
        if let Some(window) = options.window {
            command.args(["--window", &format!("{}ms", window.as_millis())]);
        }
        if let Some(templates) = &options.templates {
            command.arg("--templates").arg(templates);
        }
        if let Some(seed) = options.seed {
            command.args(["--seed", &seed.to_string()]);
        }
        // Should wa-hook itself be killed outright, the emulator does not outlive it.
        #[cfg(target_os = "linux")]
        // SAFETY: prctl(2) between fork and exec, touching no memory of the parent's.
        unsafe {
            command.pre_exec(|| {
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM);
                Ok(())
            });
        }
        let recent: Arc<Mutex<VecDeque<String>>> = Arc::default();
        let (sender, lines) = mpsc::channel::<Value>();
        let sender = Arc::new(Mutex::new(Some(sender)));
        let on_line = {
            let recent = Arc::clone(&recent);
            let secrets = Arc::new(options.secrets.clone());
            move |line: String| {
                let line = crate::secret::scrub(&line, &secrets.iter().collect::<Vec<_>>());
                // The first JSON line with a base URL is the start line; the rest are kept
                // for an error that shows them.
                if let Ok(start) = serde_json::from_str::<Value>(&line) {
                    if start.get("base_url").is_some() {
                        let mut sender = sender.lock().unwrap_or_else(PoisonError::into_inner);
                        if let Some(sender) = sender.take() {
                            let _ = sender.send(start);
                        }
                        return;
                    }
                }
                let mut recent = recent.lock().unwrap_or_else(PoisonError::into_inner);
                if recent.len() >= RECENT {
                    recent.pop_front();
                }
                recent.push_back(crate::output::printable(&line).into_owned());
            }
        };
        let child = crate::child::spawn(&mut command, "wa-hook-emulator-output", on_line)
            .context("starting the emulator (wa-hook emulate)")?;
        let mut emulator = EmulatorProcess {
            child: Some(child),
            base_url: Url::parse("http://127.0.0.1/").expect("a URL"),
            ids: Vec::new(),
            capture,
            _folder: folder,
            read: 0,
            partial: Vec::new(),
            records: Vec::new(),
            recent,
        };
        let started = Instant::now();
        let start = loop {
            if interrupted() {
                bail!("stopped while the emulator was starting");
            }
            if let Ok(start) = lines.recv_timeout(Duration::from_millis(100)) {
                break start;
            }
            if let Some(status) = emulator.child.as_ref().and_then(crate::child::exited) {
                bail!(
                    "the emulator {}{}",
                    crate::child::exit_words(status),
                    emulator.last_lines()
                );
            }
            if started.elapsed() > START_TIMEOUT {
                bail!(
                    "the emulator printed no base URL within 20 seconds{}",
                    emulator.last_lines()
                );
            }
        };
        emulator.base_url = start["base_url"]
            .as_str()
            .and_then(|url| Url::parse(url).ok())
            .context("the emulator's first line has no base_url")?;
        emulator.ids = start
            .as_object()
            .into_iter()
            .flatten()
            .filter(|(name, _)| !["emulating", "base_url"].contains(&name.as_str()))
            .filter_map(|(name, value)| Some((name.clone(), value.as_str()?.to_string())))
            .collect();
        Ok(emulator)
    }

    /// "; its last lines:" and what the emulator printed last, or nothing.
    pub fn last_lines(&self) -> String {
        let recent = self.recent.lock().unwrap_or_else(PoisonError::into_inner);
        if recent.is_empty() {
            return String::new();
        }
        let lines: Vec<String> = recent.iter().map(|line| format!("  | {line}")).collect();
        format!("; its last lines:\n{}", lines.join("\n"))
    }

    /// The emulator's answer to a customer's action (`say`, `read`, `clock` ...).
    pub fn control(&self, action: &str, body: &Value) -> anyhow::Result<Value> {
        super::super::customer::control(&self.base_url, action, body)
    }

    /// Read the records the emulator wrote since the last call; how many there are now.
    pub fn poll(&mut self) -> usize {
        if let Ok(mut file) = std::fs::File::open(&self.capture) {
            if file.seek(SeekFrom::Start(self.read)).is_ok() {
                let mut more = Vec::new();
                if let Ok(count) = file.read_to_end(&mut more) {
                    self.read += count as u64;
                    self.partial.extend_from_slice(&more);
                }
            }
        }
        while let Some(end) = self.partial.iter().position(|b| *b == b'\n') {
            let line: Vec<u8> = self.partial.drain(..=end).collect();
            if let Ok(record) = crate::capture::parse_record(&line) {
                self.records.push(record);
            }
        }
        self.records.len()
    }

    /// Whether the emulator has stopped, and how.
    pub fn exited(&self) -> Option<std::process::ExitStatus> {
        crate::child::exited(self.child.as_ref()?)
    }

    /// Stop the emulator (SIGTERM, then SIGKILL) and remove its capture file.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            crate::child::stop_group(&mut child, STOP_GRACE);
        }
        let _ = std::fs::remove_file(&self.capture);
    }
}

impl Drop for EmulatorProcess {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The child emulator's `--webhook-timeout`: the provider's documented budget where it is under
/// 10 s (an answer later than that is none to the provider), else 10 s.
fn webhook_timeout(provider: crate::providers::Provider) -> String {
    let budget = provider
        .rules()
        .response_budget()
        .filter(|budget| *budget < Duration::from_secs(10))
        .unwrap_or(Duration::from_secs(10));
    format!("{}ms", budget.as_millis())
}
