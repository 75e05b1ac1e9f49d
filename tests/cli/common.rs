//! Shared test helpers: the binary, a recording HTTP server on 127.0.0.1:0, and a running
//! `wa-hook listen` whose URL is read from its first line of output (never a fixed port,
//! never a sleep).
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, ChildStdout, Stdio};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

pub use assert_cmd::Command;
pub use predicates::prelude::*;

/// `wa-hook` with a clean environment: no colour, no wa-hook variables from the developer's
/// shell, a private config folder.
pub fn wa_hook() -> Command {
    let mut command = Command::cargo_bin("wa-hook").expect("the wa-hook binary is built");
    command.env("NO_COLOR", "1").env_remove("CLICOLOR_FORCE");
    for (key, _) in std::env::vars() {
        if key.starts_with("WA_HOOK_") {
            command.env_remove(key);
        }
    }
    command
}

/// The same, as a `std::process::Command`, for processes that keep running.
pub fn wa_hook_process() -> std::process::Command {
    let mut command = std::process::Command::new(assert_cmd::cargo::cargo_bin("wa-hook"));
    command.env("NO_COLOR", "1").env_remove("CLICOLOR_FORCE");
    for (key, _) in std::env::vars() {
        if key.starts_with("WA_HOOK_") {
            command.env_remove(key);
        }
    }
    command
}

pub fn sample_path(name: &str) -> String {
    format!("{}/samples/{name}.json", env!("CARGO_MANIFEST_DIR"))
}

pub fn sample_bytes(name: &str) -> Vec<u8> {
    std::fs::read(sample_path(name)).expect("sample exists")
}

/// Every file under `dir`, for asserting a secret was written nowhere.
pub fn all_file_contents(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(path) = stack.pop() {
        if path.is_dir() {
            for entry in std::fs::read_dir(&path).unwrap() {
                stack.push(entry.unwrap().path());
            }
        } else if let Ok(bytes) = std::fs::read(&path) {
            found.push((path.display().to_string(), bytes));
        }
    }
    found
}

pub fn contains_bytes(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// A request as the recording server saw it.
#[derive(Clone, Debug)]
pub struct Recorded {
    pub method: String,
    /// Path and query, as sent.
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Recorded {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }
}

/// What the recording server answers: status, body, headers.
pub struct Reply {
    pub status: u16,
    pub body: Vec<u8>,
    pub headers: Vec<(String, String)>,
}

impl Reply {
    pub fn ok() -> Reply {
        Reply::new(200, b"{\"ok\":true}")
    }

    pub fn new(status: u16, body: &[u8]) -> Reply {
        Reply {
            status,
            body: body.to_vec(),
            headers: vec![("Content-Type".into(), "application/json".into())],
        }
    }
}

type Responder = dyn Fn(&Recorded) -> Reply + Send + Sync;

/// A real HTTP server on 127.0.0.1:0 that records every request and answers with a
/// responder. Stops when dropped.
pub struct RecordingServer {
    pub url: String,
    pub port: u16,
    server: Arc<tiny_http::Server>,
    requests: Arc<Mutex<Vec<Recorded>>>,
    workers: Vec<JoinHandle<()>>,
}

impl RecordingServer {
    pub fn start() -> RecordingServer {
        Self::with_responder(|_| Reply::ok())
    }

    pub fn with_responder(
        responder: impl Fn(&Recorded) -> Reply + Send + Sync + 'static,
    ) -> RecordingServer {
        let server = Arc::new(tiny_http::Server::http("127.0.0.1:0").expect("bind 127.0.0.1:0"));
        let port = server.server_addr().to_ip().expect("ip address").port();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let responder: Arc<Responder> = Arc::new(responder);
        let workers = (0..8)
            .map(|_| {
                let server = Arc::clone(&server);
                let requests = Arc::clone(&requests);
                let responder = Arc::clone(&responder);
                std::thread::spawn(move || {
                    while let Ok(mut request) = server.recv() {
                        let mut body = Vec::new();
                        let _ = request.as_reader().read_to_end(&mut body);
                        let recorded = Recorded {
                            method: request.method().to_string(),
                            url: request.url().to_string(),
                            headers: request
                                .headers()
                                .iter()
                                .map(|h| (h.field.to_string(), h.value.to_string()))
                                .collect(),
                            body,
                        };
                        let reply = responder(&recorded);
                        requests.lock().unwrap().push(recorded);
                        let mut response = tiny_http::Response::from_data(reply.body)
                            .with_status_code(reply.status);
                        for (name, value) in reply.headers {
                            response.add_header(
                                tiny_http::Header::from_bytes(name.as_bytes(), value.as_bytes())
                                    .unwrap(),
                            );
                        }
                        let _ = request.respond(response);
                    }
                })
            })
            .collect();
        RecordingServer {
            url: format!("http://127.0.0.1:{port}"),
            port,
            server,
            requests,
            workers,
        }
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.requests.lock().unwrap().clone()
    }
}

impl Drop for RecordingServer {
    fn drop(&mut self) {
        for _ in 0..self.workers.len() {
            self.server.unblock();
        }
        for worker in self.workers.drain(..) {
            let _ = worker.join();
        }
    }
}

/// A port that nothing listens on (bound, then released), for a refused connection or for an
/// app told where to listen (`emulate test`'s `PORT`). Picked at random below the kernel's
/// ephemeral range: a port from `bind(":0")` is the kind the kernel hands out again to the next
/// `bind(":0")` or outgoing connection of the hundreds other tests make meanwhile, which then
/// answered where nothing should have, or took the port before the app could ("Address
/// already in use").
pub fn closed_port() -> u16 {
    use std::hash::{BuildHasher, Hasher};
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    // Below Linux's default ephemeral range (32768-60999), above the well-known services.
    let low = std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range")
        .ok()
        .and_then(|range| range.split_whitespace().next()?.parse::<u16>().ok())
        .unwrap_or(32_768)
        .clamp(12_000, 32_768);
    let (from, to) = (low / 2, low);
    for _ in 0..200 {
        let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
        hasher.write_u64(NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed));
        hasher.write_u32(std::process::id());
        let port = from + u16::try_from(hasher.finish() % u64::from(to - from)).unwrap();
        if std::net::TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// A running `wa-hook listen --port 0 ...`. Its first line of stdout is its URL.
pub struct Listener {
    pub url: String,
    /// The first line listen printed, as printed.
    pub first_line: String,
    child: Child,
    stdout: Option<BufReader<ChildStdout>>,
    /// Stderr read so far by `wait_for_stderr`, and the rest as it comes.
    stderr_seen: String,
    stderr_rest: Option<std::sync::mpsc::Receiver<String>>,
}

impl Listener {
    /// Start `wa-hook listen --port 0` with extra arguments, and wait for its URL line.
    pub fn start(args: &[&str]) -> Listener {
        Self::start_with(wa_hook_process(), args)
    }

    /// The same with a prepared command (extra environment variables).
    pub fn start_with(mut command: std::process::Command, args: &[&str]) -> Listener {
        let mut child = command
            .arg("listen")
            .args(["--port", "0"])
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn wa-hook listen");
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut first = String::new();
        stdout.read_line(&mut first).expect("read the first line");
        if first.trim().is_empty() {
            let mut stderr = String::new();
            child
                .stderr
                .take()
                .unwrap()
                .read_to_string(&mut stderr)
                .unwrap();
            panic!("wa-hook listen printed no URL; stderr: {stderr}");
        }
        // With --format json the first line is {"listening": URL}.
        let first_line = first.clone();
        let first = match serde_json::from_str::<serde_json::Value>(first.trim()) {
            Ok(line) => line["listening"].as_str().unwrap_or_default().to_string(),
            Err(_) => first,
        };
        let url = first.trim().trim_end_matches('/').to_string();
        assert!(
            url.starts_with("http://"),
            "first line is not a URL: {first:?}"
        );
        Listener {
            url,
            first_line,
            child,
            stdout: Some(stdout),
            stderr_seen: String::new(),
            stderr_rest: None,
        }
    }

    /// Wait (at most `timeout`) until stderr says `needle`; whether it did. What was read is
    /// still returned by `stop`.
    pub fn wait_for_stderr(&mut self, needle: &str, timeout: std::time::Duration) -> bool {
        if self.stderr_rest.is_none() {
            let (sender, receiver) = std::sync::mpsc::channel();
            let mut stderr = BufReader::new(self.child.stderr.take().expect("stderr"));
            std::thread::spawn(move || {
                let mut line = String::new();
                while stderr.read_line(&mut line).is_ok_and(|read| read > 0) {
                    if sender.send(std::mem::take(&mut line)).is_err() {
                        break;
                    }
                }
            });
            self.stderr_rest = Some(receiver);
        }
        let deadline = std::time::Instant::now() + timeout;
        let receiver = self.stderr_rest.as_ref().expect("a reader");
        while !self.stderr_seen.contains(needle) {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            match receiver.recv_timeout(left) {
                Ok(line) => self.stderr_seen.push_str(&line),
                Err(_) => return false,
            }
        }
        true
    }

    /// The listener's process id (for its /proc status).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The next line listen prints on stdout (e.g. the tunnel's public URL, the second line).
    pub fn next_stdout_line(&mut self) -> String {
        let mut line = String::new();
        if let Some(stdout) = self.stdout.as_mut() {
            stdout.read_line(&mut line).expect("read a line");
        }
        line
    }

    /// Stop with SIGTERM, wait, and return (exit code, rest of stdout, stderr).
    pub fn stop(mut self) -> (Option<i32>, String, String) {
        let _ = std::process::Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let mut out = String::new();
        if let Some(mut stdout) = self.stdout.take() {
            let _ = stdout.read_to_string(&mut out);
        }
        let mut err = std::mem::take(&mut self.stderr_seen);
        if let Some(rest) = self.stderr_rest.take() {
            err.extend(rest.iter());
        } else if let Some(mut stderr) = self.child.stderr.take() {
            let _ = stderr.read_to_string(&mut err);
        }
        let status = self.child.wait().expect("wait for wa-hook listen");
        (status.code(), out, err)
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The most resident memory a running process has used so far, in bytes (Linux's `VmHWM`);
/// `None` where the platform does not say.
pub fn peak_resident_bytes(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// A typed field of a capture record as the text the file holds (`kind`, `rejected` ...).
pub fn written<T: std::fmt::Display>(field: Option<&T>) -> Option<String> {
    field.map(ToString::to_string)
}

/// Panics unless `line` is a capture record that the committed schema
/// (`wa-hook schemas show capture-record`) accepts.
pub fn assert_capture_schema(line: &[u8]) {
    let value: serde_json::Value = serde_json::from_slice(line)
        .unwrap_or_else(|err| panic!("not JSON ({err}): {}", String::from_utf8_lossy(line)));
    let errors: Vec<String> = wa_hook::capture::schema()
        .validator(false)
        .iter_errors(&value)
        .map(|error| format!("{}: {error}", error.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "the capture record does not match its schema: {errors:?}\n{value}"
    );
}

/// Make a FIFO at `path` (`mkfifo`).
#[cfg(unix)]
pub fn make_fifo(path: &std::path::Path) {
    let made = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .unwrap();
    assert!(made.success(), "mkfifo {}", path.display());
}
