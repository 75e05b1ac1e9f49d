//! The harness every `wa-hook emulate PROVIDER` test uses: a stand-in app (a recording HTTP
//! server on 127.0.0.1:0 that takes the emulator's webhooks and hands each to the test), a
//! running emulator, and raw HTTP to play the app's sends.
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, ChildStdout, Stdio};
use std::sync::Mutex;
use std::sync::mpsc::{self, Receiver};
use std::time::Duration;

use serde_json::Value;

use crate::common::*;

/// A stand-in app: records every webhook and hands each to the test as it arrives.
pub struct App {
    pub server: RecordingServer,
    arrived: Receiver<Recorded>,
}

impl App {
    pub fn start() -> App {
        Self::answering(|_| Reply::ok())
    }

    pub fn answering(reply: impl Fn(&Recorded) -> Reply + Send + Sync + 'static) -> App {
        let (sender, arrived) = mpsc::channel();
        let sender = Mutex::new(sender);
        let server = RecordingServer::with_responder(move |request| {
            let answer = reply(request);
            let _ = sender.lock().unwrap().send(request.clone());
            answer
        });
        App { server, arrived }
    }

    /// The next webhook, within 10 s.
    pub fn next(&self) -> Recorded {
        self.arrived
            .recv_timeout(Duration::from_secs(10))
            .expect("a webhook within 10 s")
    }

    /// The next webhook within `wait`, if one comes.
    pub fn next_within(&self, wait: Duration) -> Option<Recorded> {
        self.arrived.recv_timeout(wait).ok()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.server.url)
    }

    pub fn webhook_url(&self) -> String {
        self.url("/webhook")
    }
}

/// A running `wa-hook emulate ...`.
pub struct Running {
    pub base: String,
    /// Stdout's first line: the base URL, or the JSON start line.
    pub first_line: String,
    child: Child,
    stdout: BufReader<ChildStdout>,
    /// Its working folder, where the default capture file goes (never the repository's).
    _dir: tempfile::TempDir,
}

impl Running {
    /// `wa-hook emulate PROVIDER --webhook APP/webhook ARGS...`.
    pub fn start(provider: &str, app: &App, args: &[&str], envs: &[(&str, &str)]) -> Running {
        let webhook = app.webhook_url();
        let mut all = vec![provider, "--webhook", &webhook];
        all.extend_from_slice(args);
        Running::spawn(&all, envs)
    }

    /// `wa-hook emulate ARGS...` with these environment variables; the base URL read from its
    /// first line.
    pub fn spawn(args: &[&str], envs: &[(&str, &str)]) -> Running {
        Running::spawn_with(wa_hook_process(), args, envs)
    }

    /// [`Running::spawn`] through `command` (wa-hook itself, or a shell that sets a limit and
    /// runs it with the arguments that follow).
    pub fn spawn_with(
        mut command: std::process::Command,
        args: &[&str],
        envs: &[(&str, &str)],
    ) -> Running {
        let dir = tempfile::tempdir().unwrap();
        command
            .current_dir(dir.path())
            .envs(envs.iter().copied())
            .arg("emulate")
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = command.spawn().expect("spawn wa-hook emulate");
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut first_line = String::new();
        stdout.read_line(&mut first_line).unwrap();
        let base = match serde_json::from_str::<Value>(first_line.trim()) {
            Ok(line) => line["base_url"].as_str().unwrap_or_default().to_string(),
            Err(_) => first_line.trim().to_string(),
        };
        assert!(base.starts_with("http://127.0.0.1:"), "{first_line:?}");
        Running {
            base,
            first_line,
            child,
            stdout,
            _dir: dir,
        }
    }

    pub fn request(
        &self,
        method: &str,
        target: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> (u16, Vec<(String, String)>, Vec<u8>) {
        http(&self.base, method, target, headers, body)
    }

    /// The emulator's process id (to read its memory in /proc).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// A JSON POST; the HTTP status and the answer's JSON.
    pub fn post(&self, path: &str, headers: &[(&str, &str)], body: &Value) -> (u16, Value) {
        let mut all = vec![("Content-Type", "application/json")];
        all.extend_from_slice(headers);
        let (status, _, answer) =
            self.request("POST", path, &all, &serde_json::to_vec(body).unwrap());
        (status, json_of(&answer))
    }

    /// A customer's control (`/_wa-hook/say` ...).
    pub fn control(&self, action: &str, body: &Value) -> (u16, Value) {
        self.post(&format!("/_wa-hook/{action}"), &[], body)
    }

    /// The customer's side (`emulate say|read|fail ...`): its output.
    pub fn customer(&self, args: &[&str]) -> std::process::Output {
        wa_hook()
            .args(["emulate", args[0], "--emulator", &self.base])
            .args(&args[1..])
            .output()
            .unwrap()
    }

    /// SIGINT (Ctrl-C), then the exit code, the rest of stdout and stderr.
    pub fn interrupt(mut self) -> (Option<i32>, String, String) {
        // SAFETY: kill with this test's own child's pid.
        unsafe {
            libc::kill(self.child.id() as i32, libc::SIGINT);
        }
        // stderr is read beside stdout: read after it, a pipe that fills (4 KiB when the
        // machine's pipe pages run short) would hold the emulator until its stop cuts it short.
        let mut stderr = self.child.stderr.take().unwrap();
        let err = std::thread::spawn(move || {
            let mut err = String::new();
            stderr.read_to_string(&mut err).unwrap();
            err
        });
        let mut out = String::new();
        self.stdout.read_to_string(&mut out).unwrap();
        let err = err.join().unwrap();
        let status = self.child.wait().unwrap();
        (status.code(), out, err)
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One request on a connection of its own, read to its end.
pub fn http(
    base: &str,
    method: &str,
    target: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> (u16, Vec<(String, String)>, Vec<u8>) {
    let host = base.trim_start_matches("http://");
    let mut stream = TcpStream::connect(host).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let mut head = format!("{method} {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n");
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(body).unwrap();
    let mut reader = BufReader::new(stream);
    let mut status_line = String::new();
    reader.read_line(&mut status_line).unwrap();
    let status = status_line
        .split_whitespace()
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let mut headers = Vec::new();
    let mut length = None;
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        let (name, value) = line.split_once(':').unwrap();
        if name.eq_ignore_ascii_case("content-length") {
            length = value.trim().parse::<usize>().ok();
        }
        headers.push((name.to_string(), value.trim().to_string()));
    }
    let mut answer = Vec::new();
    match length {
        Some(length) => {
            answer.resize(length, 0);
            reader.read_exact(&mut answer).unwrap();
        }
        None => {
            reader.read_to_end(&mut answer).unwrap();
        }
    }
    (status, headers, answer)
}

pub fn json_of(bytes: &[u8]) -> Value {
    serde_json::from_slice(bytes)
        .unwrap_or_else(|err| panic!("not JSON ({err}): {}", String::from_utf8_lossy(bytes)))
}

/// wa-hook's own verdict on a webhook body: `valid meta status:sent`.
pub fn verdict(body: &[u8]) -> String {
    let check =
        wa_hook::validation::check_bytes(body, None, &wa_hook::validation::CheckOptions::default());
    format!("{} {}", check.verdict.word(), check.label())
}

/// The statuses a Meta webhook body carries (several when the emulator merged them): each
/// message id and status, in order.
pub fn meta_statuses(body: &Value) -> Vec<(String, String)> {
    let mut found = Vec::new();
    for entry in body["entry"].as_array().into_iter().flatten() {
        for change in entry["changes"].as_array().into_iter().flatten() {
            for status in change["value"]["statuses"].as_array().into_iter().flatten() {
                found.push((
                    status["id"].as_str().unwrap_or_default().to_string(),
                    status["status"].as_str().unwrap_or_default().to_string(),
                ));
            }
        }
    }
    found
}
