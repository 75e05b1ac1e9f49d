//! listen's worker pool: `--threads` workers take requests from tiny_http's queue, in batches
//! when their bodies have arrived; a request that may wait long (a body still arriving, an app
//! still answering) goes to a thread of its own ([`Offload`]), so no worker waits for a
//! client or the app. [`Pool::shutdown`] is the stop: finish what is queued, answer what still
//! arrives for a moment, flush the capture file, and give the counts for the summary, all by
//! a deadline.
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, Sender};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use anyhow::Context;

use super::display::{DisplaySender, Leftovers, Stats};
use super::handler::{self, Handler, Refusal};

/// The most queued requests a worker takes at once; their records are saved with one write.
const MAX_BATCH: usize = 32;

/// At shutdown, requests still arriving are answered until none has come for `SHUTDOWN_QUIET`,
/// for at most what is left of the deadline.
const SHUTDOWN_QUIET: Duration = Duration::from_millis(100);

/// Requests whose bodies are still arriving, read at once (each on its own thread); one more
/// is answered 503. Their bodies (up to `--max-body` each) are what listen holds in memory.
const UPLOADS_MAX: usize = 8;

/// With `--forward-to`, requests waiting for the app at once (each on its own thread, so a hung
/// app holds no worker); one more is answered 503 at once. Their bodies have arrived, so each
/// holds at most `tiny_http::BUFFERED_BODY_MAX` (64 KiB).
const FORWARDS_MAX: usize = 256;

/// The running workers, and what they share.
pub(crate) struct Pool {
    server: Arc<tiny_http::Server>,
    handler: Arc<Handler>,
    uploads: Arc<Offload>,
    forwards: Arc<Offload>,
    display: DisplaySender,
    /// One per worker, added up at the end.
    stats: Vec<Arc<Mutex<Stats>>>,
    stopping: Arc<AtomicBool>,
    /// One message per worker that has stopped.
    stopped: Receiver<()>,
}

/// What the pool did, once stopped.
pub(crate) struct Stopped {
    pub stats: Stats,
    pub leftovers: Leftovers,
    /// Bytes of records the capture pipe never took (lost).
    pub unwritten: usize,
}

impl Pool {
    /// Start `threads` workers taking requests from `server`.
    pub fn start(
        server: Arc<tiny_http::Server>,
        handler: Arc<Handler>,
        display: DisplaySender,
        threads: usize,
    ) -> anyhow::Result<Pool> {
        let (stopped_tx, stopped) = std::sync::mpsc::channel::<()>();
        let pool = Pool {
            server,
            handler,
            uploads: Arc::new(Offload::uploads()),
            forwards: Arc::new(Offload::forwards()),
            display,
            stats: (0..threads).map(|_| Arc::default()).collect(),
            stopping: Arc::new(AtomicBool::new(false)),
            stopped,
        };
        let warned = Arc::new(AtomicBool::new(false));
        for (index, stats) in pool.stats.iter().enumerate() {
            let worker = Worker {
                server: Arc::clone(&pool.server),
                handler: Arc::clone(&pool.handler),
                uploads: Arc::clone(&pool.uploads),
                forwards: Arc::clone(&pool.forwards),
                display: pool.display.clone(),
                stats: Arc::clone(stats),
                stopping: Arc::clone(&pool.stopping),
                warned: Arc::clone(&warned),
            };
            let stopped = stopped_tx.clone();
            std::thread::Builder::new()
                .name(format!("wa-hook-worker-{index}"))
                .spawn(move || worker.run(&stopped))
                .context("starting a worker thread")?;
        }
        Ok(pool)
    }

    /// Stop by `deadline`: workers finish what is queued, requests that still arrive are
    /// answered until none has come for a moment, records waiting for a capture pipe are
    /// written. Whatever is still being read or forwarded at the deadline is left, and counted.
    pub fn shutdown(self, deadline: Instant) -> Stopped {
        self.stop_workers(before(deadline, SHUTDOWN_QUIET * 3));
        // A request whose body was still arriving when the signal came is queued after the
        // unblocks: answer what arrives while requests keep coming, for a moment.
        let late = self.answer_late_requests(before(deadline, SHUTDOWN_QUIET));
        // Records queued for a capture pipe are written for what is left; a pipe nobody reads
        // never holds the stop.
        let unwritten = self
            .handler
            .writer()
            .finish(deadline.saturating_duration_since(Instant::now()));
        let leftovers = Leftovers {
            refused_connections: self.server.refused_connections(),
            pipe_full: self.handler.writer().pipe_refusals(),
            lines_not_shown: self.display.dropped(),
            unfinished: self.handler.in_flight(),
            feed_dropped: self.handler.feed_dropped(),
        };
        let mut stats = late;
        let every = self.stats.iter().map(|s| &**s);
        for worker in every.chain([&self.uploads.stats, &self.forwards.stats]) {
            let mut worker = worker.lock().unwrap_or_else(PoisonError::into_inner);
            stats.merge(std::mem::take(&mut *worker));
        }
        Stopped {
            stats,
            leftovers,
            unwritten,
        }
    }

    /// Tell every worker to stop once the queue is empty, and wait for them until `by`.
    fn stop_workers(&self, by: Instant) {
        self.stopping.store(true, Ordering::SeqCst);
        // Each worker takes one `unblock`, queued after every request already received (the
        // queue is in order).
        for _ in 0..self.stats.len() {
            self.server.unblock();
        }
        for _ in 0..self.stats.len() {
            let left = by.saturating_duration_since(Instant::now());
            if self.stopped.recv_timeout(left).is_err() {
                break;
            }
        }
    }

    /// Answer requests that arrive after the workers stopped, until none has come for
    /// `SHUTDOWN_QUIET` or `until`; their counts.
    fn answer_late_requests(&self, until: Instant) -> Stats {
        let (handler, display) = (&self.handler, &self.display);
        let stats = Mutex::new(Stats::default());
        while let Some(left) = until.checked_duration_since(Instant::now()) {
            match self.server.recv_timeout(left.min(SHUTDOWN_QUIET)) {
                Ok(Some(request)) if handler.forwards() && handler::body_arrived(&request) => {
                    self.forwards.take(request, handler, display);
                }
                Ok(Some(request)) if handler::body_arrived(&request) => {
                    handler.handle(vec![request], &stats, display);
                }
                Ok(Some(request)) => self.uploads.take(request, handler, display),
                Ok(None) => break,
                Err(_) => {}
            }
        }
        stats.into_inner().unwrap_or_else(PoisonError::into_inner)
    }
}

/// `by` before `deadline`; now if that is earlier than the monotonic clock can count (a
/// deadline in its first moments), as both are already past.
fn before(deadline: Instant, by: Duration) -> Instant {
    deadline.checked_sub(by).unwrap_or_else(Instant::now)
}

/// One worker thread's share of the pool.
struct Worker {
    server: Arc<tiny_http::Server>,
    handler: Arc<Handler>,
    uploads: Arc<Offload>,
    forwards: Arc<Offload>,
    display: DisplaySender,
    stats: Arc<Mutex<Stats>>,
    stopping: Arc<AtomicBool>,
    /// Whether a failure to accept a connection was said (once for all workers).
    warned: Arc<AtomicBool>,
}

impl Worker {
    /// Take requests until the pool stops, then say so on `stopped`.
    fn run(self, stopped: &Sender<()>) {
        let (handler, display) = (&self.handler, &self.display);
        loop {
            let first = match self.server.recv() {
                Ok(request) => request,
                // At shutdown each worker takes one `unblock`, queued after every request
                // already received (the queue is in order).
                Err(_) if self.stopping.load(Ordering::SeqCst) => break,
                // tiny_http could not accept a connection (too many open files?); it tries
                // again, and says so once.
                Err(err) => {
                    if !self.warned.swap(true, Ordering::Relaxed) {
                        self.display.warn(accept_warning(&err));
                    }
                    continue;
                }
            };
            // A body still arriving is read on a thread of its own.
            if !handler::body_arrived(&first) {
                self.uploads.take(first, handler, display);
                continue;
            }
            // One that waits for the app too: a hung app holds no worker.
            if handler.forwards() {
                self.forwards.take(first, handler, display);
                continue;
            }
            let (batch, after) = self.batch(first);
            handler.handle(batch, &self.stats, display);
            if let Some(request) = after {
                self.uploads.take(request, handler, display);
            }
        }
        let _ = stopped.send(());
    }

    /// `first` and the requests queued behind it whose bodies have arrived, up to `MAX_BATCH`;
    /// and the one that stopped the batch because its body is still arriving (to be read on a
    /// thread of its own). `try_recv` leaves an `unblock` in the queue.
    fn batch(
        &self,
        first: tiny_http::Request,
    ) -> (Vec<tiny_http::Request>, Option<tiny_http::Request>) {
        let mut batch = vec![first];
        if !self.handler.batches() {
            return (batch, None);
        }
        while batch.len() < MAX_BATCH {
            match self.server.try_recv() {
                Ok(Some(request)) if handler::body_arrived(&request) => batch.push(request),
                Ok(Some(request)) => return (batch, Some(request)),
                _ => break,
            }
        }
        (batch, None)
    }
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

#[cfg(test)]
mod tests {
    use std::io::{Read, Write};
    use std::sync::Arc;
    use std::time::{Duration, Instant};

    use super::{Pool, before};
    use crate::capture::CaptureWriter;
    use crate::cli::Format;
    use crate::commands::listen::handler::Handler;
    use crate::commands::listen::{Ack, Config, display};
    use crate::validation::CheckOptions;

    /// A pool of one worker that answers each request after `delay`, over a server on
    /// 127.0.0.1:0; its handler, to watch, and its address.
    fn pool(delay: Duration) -> (Pool, Arc<Handler>, std::net::SocketAddr) {
        let config = Config {
            max_body: 1 << 20,
            ack: Ack {
                status: 200,
                body: br#"{"ok":true}"#.to_vec(),
            },
            delay: Some(delay),
            basic_auth: None,
            keep_secrets: false,
            events: Vec::new(),
            forward: None,
            budget: None,
            forward_timeout: None,
            check: CheckOptions {
                strict: false,
                force: None,
            },
            app_secret: None,
            reject_bad_signature: false,
            verify_token: None,
            format: Format::Json,
        };
        let server = Arc::new(tiny_http::Server::http("127.0.0.1:0").unwrap());
        let address = server.server_addr().to_ip().unwrap();
        let handler = Arc::new(Handler::new(config, CaptureWriter::discard()));
        let (display, _thread) = display::spawn(true, false);
        let pool = Pool::start(server, Arc::clone(&handler), display, 1).unwrap();
        (pool, handler, address)
    }

    /// Send a whole request; the connection, to read the answer from.
    fn post(address: std::net::SocketAddr) -> std::net::TcpStream {
        let mut stream = std::net::TcpStream::connect(address).unwrap();
        let body = br#"{"hello":"world"}"#;
        write!(
            stream,
            "POST / HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        )
        .unwrap();
        stream.write_all(body).unwrap();
        stream
    }

    fn wait_until_taken(handler: &Handler) {
        let give_up = Instant::now() + Duration::from_secs(30);
        while handler.in_flight() == 0 {
            assert!(Instant::now() < give_up, "the worker took no request");
            std::thread::yield_now();
        }
    }

    #[test]
    fn shutdown_answers_the_queued_requests_before_the_deadline() {
        let (pool, handler, address) = pool(Duration::from_millis(150));
        let clients: Vec<_> = (0..3).map(|_| post(address)).collect();
        // The one worker holds the first request; the others wait in the queue.
        wait_until_taken(&handler);
        let deadline = Instant::now() + Duration::from_secs(10);
        let stopped = pool.shutdown(deadline);
        assert!(Instant::now() < deadline);
        assert_eq!(stopped.stats.requests, 3);
        assert_eq!(stopped.leftovers.unfinished, 0);
        for mut client in clients {
            let mut answer = String::new();
            client.read_to_string(&mut answer).unwrap();
            assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
        }
    }

    #[test]
    fn shutdown_leaves_what_is_unfinished_at_the_deadline_and_counts_it() {
        let (pool, handler, address) = pool(Duration::from_secs(5));
        let _client = post(address);
        wait_until_taken(&handler);
        let started = Instant::now();
        let stopped = pool.shutdown(started + Duration::from_millis(400));
        let took = started.elapsed();
        assert!(took < Duration::from_secs(2), "shutdown took {took:?}");
        assert_eq!(stopped.leftovers.unfinished, 1);
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

    #[test]
    fn a_time_before_what_the_clock_can_count_is_now() {
        let (now, ms) = (Instant::now(), Duration::from_millis(1));
        assert_eq!(before(now, ms) + ms, now);
        let earliest = before(now, Duration::MAX);
        assert!(earliest >= now && earliest <= Instant::now());
    }
}
