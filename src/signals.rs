//! One stop handle for every command that runs until stopped (listen, inspect) or stops early
//! when asked (replay, doctor), as just's signal handler serves all its subcommands.
//!
//! Ctrl-C, SIGTERM and SIGHUP (ctrlc's `termination` feature) all mean the same: the first
//! asks the command to stop and finish what is under way, then print what it did; a second
//! exits 130 at once, after the command's last resort (listen stops its tunnel client, doctor
//! kills the app's process group). A signal within [`SAME_SIGNAL`] of the first is the first
//! one delivered twice, not a second Ctrl-C: GNU `timeout` and a terminal signal a process and
//! its process group, which is two signals microseconds apart.
//!
//! The handler is installed once, by the first command that asks ([`install`]); a command
//! that cannot install it fails (exit 2) rather than run without a way to stop cleanly.
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Condvar, Mutex, OnceLock, PoisonError};
use std::time::{Duration, Instant};

use anyhow::anyhow;

/// Signals this close to the first are that signal delivered again (to the process and to its
/// group), not a second Ctrl-C; no one presses Ctrl-C twice this fast.
const SAME_SIGNAL: Duration = Duration::from_millis(100);

/// What a second signal does before exiting at once.
type LastResort = Box<dyn Fn() + Send + Sync>;

/// The process-wide stop state the handler writes and commands read.
struct Signals {
    /// When the first signal came.
    first: Mutex<Option<Instant>>,
    stopped: Condvar,
    /// Whether the first came, read without a lock (replay asks before every request).
    requested: AtomicBool,
    /// The same, for tasks that `select!` on it.
    watch: tokio::sync::watch::Sender<bool>,
    last_resort: Mutex<Option<LastResort>>,
}

/// What one received signal means.
#[derive(Debug, PartialEq, Eq)]
enum Meaning {
    /// The first: stop and finish what is under way.
    Stop,
    /// The first again, delivered to the process and to its group: nothing more.
    Repeat,
    /// A second one: exit at once.
    ExitNow,
}

impl Signals {
    fn new() -> Signals {
        Signals {
            first: Mutex::new(None),
            stopped: Condvar::new(),
            requested: AtomicBool::new(false),
            watch: tokio::sync::watch::channel(false).0,
            last_resort: Mutex::new(None),
        }
    }

    /// Take a signal received at `now`: record the first, and say what it means.
    fn receive(&self, now: Instant) -> Meaning {
        let mut first = self.first.lock().unwrap_or_else(PoisonError::into_inner);
        match *first {
            None => {
                *first = Some(now);
                self.requested.store(true, Ordering::SeqCst);
                self.watch.send_replace(true);
                self.stopped.notify_all();
                Meaning::Stop
            }
            Some(at) if now.saturating_duration_since(at) < SAME_SIGNAL => Meaning::Repeat,
            Some(_) => Meaning::ExitNow,
        }
    }

    fn handle(&self) {
        if self.receive(Instant::now()) == Meaning::ExitNow {
            // The command may hold the lock while it sets the last resort; exit regardless.
            if let Ok(last_resort) = self.last_resort.try_lock() {
                if let Some(act) = last_resort.as_ref() {
                    act();
                }
            }
            std::process::exit(i32::from(crate::error::EXIT_INTERRUPTED));
        }
    }

    fn requested(&self) -> bool {
        self.requested.load(Ordering::Relaxed)
    }

    fn wait(&self) {
        let first = self.first.lock().unwrap_or_else(PoisonError::into_inner);
        let _stopped = self
            .stopped
            .wait_while(first, |first| first.is_none())
            .unwrap_or_else(PoisonError::into_inner);
    }
}

/// The process's stop handle: cheap to copy, the same for every command and thread.
#[derive(Clone, Copy)]
pub(crate) struct Stop(&'static Signals);

/// Install the handler for Ctrl-C, SIGTERM and SIGHUP (once per process; later calls return
/// the same handle), or say why it could not be.
pub(crate) fn install() -> anyhow::Result<Stop> {
    static INSTALLED: OnceLock<Result<&'static Signals, String>> = OnceLock::new();
    let installed = INSTALLED.get_or_init(|| {
        let signals: &'static Signals = Box::leak(Box::new(Signals::new()));
        ctrlc::set_handler(move || signals.handle())
            .map(|()| signals)
            .map_err(|err| err.to_string())
    });
    match installed {
        Ok(signals) => Ok(Stop(signals)),
        Err(err) => Err(anyhow!("installing the Ctrl-C and SIGTERM handler: {err}")),
    }
}

impl Stop {
    /// True once a stop was asked for.
    pub fn requested(self) -> bool {
        self.0.requested()
    }

    /// Block until a stop is asked for.
    pub fn wait(self) {
        self.0.wait();
    }

    /// A receiver that turns true at the first signal, for async code.
    pub fn watch(self) -> tokio::sync::watch::Receiver<bool> {
        self.0.watch.subscribe()
    }

    /// What a second signal does before it exits 130 (replacing what was set before).
    pub fn on_second_signal(self, act: impl Fn() + Send + Sync + 'static) {
        *self
            .0
            .last_resort
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Some(Box::new(act));
    }
}

#[cfg(test)]
mod tests {
    use super::{Meaning, SAME_SIGNAL, Signals};
    use std::time::{Duration, Instant};

    #[test]
    fn the_first_signal_stops_and_a_later_one_exits() {
        let signals = Signals::new();
        let watch = signals.watch.subscribe();
        assert!(!signals.requested());
        let start = Instant::now();
        assert_eq!(signals.receive(start), Meaning::Stop);
        assert!(signals.requested());
        assert!(*watch.borrow());
        signals.wait();
        let later = start + SAME_SIGNAL + Duration::from_millis(1);
        assert_eq!(signals.receive(later), Meaning::ExitNow);
    }

    /// `timeout -s INT` signals the process and its group: two signals microseconds apart.
    #[test]
    fn the_same_signal_delivered_twice_counts_once() {
        let signals = Signals::new();
        let start = Instant::now();
        assert_eq!(signals.receive(start), Meaning::Stop);
        assert_eq!(
            signals.receive(start + Duration::from_micros(50)),
            Meaning::Repeat
        );
        assert_eq!(
            signals.receive(start + SAME_SIGNAL.checked_sub(Duration::from_millis(1)).unwrap()),
            Meaning::Repeat
        );
        assert_eq!(signals.receive(start + SAME_SIGNAL), Meaning::ExitNow);
    }

    #[test]
    fn waiting_returns_when_another_thread_receives_the_signal() {
        let signals: &'static Signals = Box::leak(Box::new(Signals::new()));
        let sender = std::thread::spawn(move || signals.receive(Instant::now()));
        signals.wait();
        assert_eq!(sender.join().unwrap(), Meaning::Stop);
    }
}
