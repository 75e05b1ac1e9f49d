//! `doctor URL --provider P -- CMD`, and what doctor says when the app stops: stand-in apps
//! for what real receivers do (exit on one kind, log a traceback and answer 200, hang on an
//! unsigned body, drop a large body), run as real processes on 127.0.0.1.
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::{
    APP_SECRET, META_SECRETS, VERIFY_TOKEN, assert_nowhere, json_results, plain, result, text,
};
use crate::common::*;

/// A Meta receiver in Python's standard library: the handshake, signatures checked, and the
/// misbehaviours the tests ask for.
const STANDIN: &str = r#"
import hashlib, hmac, json, os, sys, time, traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlparse, parse_qs

port = int(sys.argv[1])
opts = sys.argv[2:]
def opt(name):
    return opts[opts.index(name) + 1] if name in opts else None
EXIT_ON = opt("--exit-on")
LOG_ON = opt("--log-on")
PID_FILE = opt("--pid-file")
HANG_UNSIGNED = "--hang-unsigned" in opts
ONE_PER_WEBHOOK = "--one-per-webhook" in opts
NEEDS_PHONE = "--needs-phone" in opts
SECRET = os.environ.get("DOCTOR_APP_SECRET", "").encode()
TOKEN = os.environ.get("DOCTOR_VERIFY_TOKEN", "")
if PID_FILE:
    with open(PID_FILE, "w") as f:
        f.write(str(os.getpid()))

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *args):
        pass
    def answer(self, status, body=b"ok", kind="text/plain"):
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def do_GET(self):
        q = parse_qs(urlparse(self.path).query)
        if TOKEN and q.get("hub.verify_token", [""])[0] == TOKEN:
            self.answer(200, q.get("hub.challenge", [""])[0].encode())
        else:
            self.answer(403, b"forbidden")
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        signature = self.headers.get("X-Hub-Signature-256")
        if signature is None and HANG_UNSIGNED:
            if PID_FILE:
                with open(PID_FILE + ".hanging", "w") as f:
                    f.write("hanging")
            time.sleep(60)
            return
        expected = "sha256=" + hmac.new(SECRET, body, hashlib.sha256).hexdigest()
        if not signature or not hmac.compare_digest(signature, expected):
            self.answer(401, b"bad signature")
            return
        text = body.decode("utf-8", "replace")
        if EXIT_ON and EXIT_ON in text:
            print("cannot handle this one, exiting", flush=True)
            os._exit(3)
        value = json.loads(body)["entry"][0]["changes"][0]["value"]
        try:
            # The first-only pattern: one entry, one change, one message assumed.
            if ONE_PER_WEBHOOK and "messages" in value:
                (message,) = value["messages"]
            # A user always named by phone number.
            if NEEDS_PHONE and "contacts" in value:
                value["contacts"][0]["wa_id"]
        except Exception:
            traceback.print_exc()
        if LOG_ON and LOG_ON in text:
            # A handler that fails, logs it (with the secret it holds) and acknowledges.
            print("handling with secret " + SECRET.decode(), file=sys.stderr)
            try:
                json.loads(body)["user_id"]
            except KeyError:
                traceback.print_exc()
        self.answer(200, b'{"ok":true}', "application/json")

print(f"listening on {port} with secret {SECRET.decode()}", flush=True)
ThreadingHTTPServer.request_queue_size = 128  # werkzeug's backlog; socketserver's 5 drops part of a 25-connection burst on a busy machine (answers 2 s late)
ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
"#;

/// The stand-in written to a temporary folder, or `None` (the test is skipped) without python3.
fn standin() -> Option<(tempfile::TempDir, String)> {
    let python = std::process::Command::new("python3")
        .arg("--version")
        .output();
    if !python.is_ok_and(|output| output.status.success()) {
        eprintln!("skipped: python3 is not installed (the stand-in apps are Python)");
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("standin.py");
    std::fs::write(&path, STANDIN).unwrap();
    let path = path.to_str().unwrap().to_string();
    Some((dir, path))
}

fn doctor_with(args: &[&str]) -> std::process::Output {
    wa_hook()
        .arg("doctor")
        .args(args)
        .env("DOCTOR_VERIFY_TOKEN", VERIFY_TOKEN)
        .env("DOCTOR_APP_SECRET", APP_SECRET)
        .timeout(Duration::from_secs(120))
        .output()
        .expect("run wa-hook doctor")
}

/// doctor checking the stand-in it starts itself (`-- python3 STANDIN PORT APP_ARGS`), with
/// Meta's app secret and `doctor_args`; `None` (the test is skipped) without python3.
fn doctor_runs_standin(doctor_args: &[&str], app_args: &[&str]) -> Option<std::process::Output> {
    let (_dir, script) = standin()?;
    let port = closed_port().to_string();
    let mut args = vec![
        &*port,
        "--provider",
        "meta",
        "--app-secret-env",
        "DOCTOR_APP_SECRET",
    ];
    args.extend(doctor_args);
    args.extend(["--", "python3", &script, &port]);
    args.extend(app_args);
    Some(doctor_with(&args))
}

/// The stand-in started by the test (not by doctor), once it says it listens.
fn start_standin(script: &str, port: u16, options: &[&str]) -> Child {
    let mut child = std::process::Command::new("python3")
        .arg(script)
        .arg(port.to_string())
        .args(options)
        .env("DOCTOR_VERIFY_TOKEN", VERIFY_TOKEN)
        .env("DOCTOR_APP_SECRET", APP_SECRET)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    assert!(line.starts_with("listening"), "{line}");
    // The rest is read (and dropped) until it ends, so the app never writes to a closed pipe.
    std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
    child
}

/// The result of check `name`, once asserted to have `status`.
fn result_with<'a>(checks: &'a [Value], name: &str, status: &str) -> &'a Value {
    let check = result(checks, name);
    assert_eq!(check["status"], status, "{check}");
    check
}

/// The text of `field` ("summary", "fix", "cause") in a check's result.
fn says<'a>(check: &'a Value, field: &str) -> &'a str {
    check[field]
        .as_str()
        .unwrap_or_else(|| panic!("no {field}: {check}"))
}

fn refuses_connections(port: u16) -> bool {
    std::net::TcpStream::connect(("127.0.0.1", port)).is_err()
}

/// An app that dies on one kind, started by hand: doctor names the delivery once, counts the
/// bodies after it as not sent (not as failures), marks the checks left "not run", and fails.
#[test]
fn a_crash_is_named_and_the_checks_after_it_are_not_run() {
    let Some((_dir, script)) = standin() else {
        return;
    };
    let port = closed_port();
    let mut app = start_standin(&script, port, &["--exit-on", "account_alerts"]);
    let junit_dir = tempfile::tempdir().unwrap();
    let junit = junit_dir.path().join("doctor.xml");
    let output = doctor_with(&[
        &port.to_string(),
        "--provider",
        "meta",
        "--app-secret-env",
        "DOCTOR_APP_SECRET",
        "--skip",
        "handshake,handshake-wrong-token",
        "--format",
        "json",
        "--junit",
        junit.to_str().unwrap(),
    ]);
    let _ = app.kill();
    let _ = app.wait();
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    let (checks, summary) = json_results(&output);
    let kinds = result_with(&checks, "kinds", "failed");
    let said = says(kinds, "summary");
    assert!(
        said.contains("meta/account-alert") && said.contains("stopped"),
        "{kinds}"
    );
    // Only what reached the app is counted; the rest was not sent.
    let sent = kinds["requests"].as_u64().unwrap();
    assert!(sent < 62, "{kinds}");
    assert!(!said.contains("of 62"), "{kinds}");
    assert!(
        kinds["details"].to_string().contains("more not sent"),
        "{kinds}"
    );
    for name in [
        "identities",
        "batched",
        "duplicate",
        "out-of-order",
        "unknown-kind",
        "extra-property",
        "large-body",
        "burst",
    ] {
        let check = result_with(&checks, name, "not_run");
        assert!(
            says(check, "summary").contains("the app stopped during kinds, on meta/account-alert"),
            "{check}"
        );
    }
    assert_eq!(summary["summary"]["not_run"], 8, "{summary}");
    assert_eq!(summary["ok"], false);
    let stops = summary["app_stops"].as_array().unwrap();
    assert_eq!(stops.len(), 1, "{summary}");
    assert_eq!(stops[0]["on"], "meta/account-alert");
    assert_eq!(stops[0]["restarted"], false);
    // JUnit: the checks not run are skipped, with why.
    let xml = std::fs::read_to_string(&junit).unwrap();
    let document = roxmltree::Document::parse(&xml).unwrap();
    let burst = document
        .descendants()
        .find(|node| node.has_tag_name("testcase") && node.attribute("name") == Some("burst"))
        .unwrap();
    let skipped = burst
        .children()
        .find(|node| node.has_tag_name("skipped"))
        .expect("burst skipped");
    assert!(
        skipped.attribute("message").unwrap().contains("not run"),
        "{xml}"
    );
}

/// The crash cascade with `-- CMD`: doctor starts the app, starts it again after it dies on
/// one kind, and every later check runs against the fresh process and passes. A traceback
/// logged behind a 200 is a failure that names the exception. The app's output, with the
/// secret it prints, is shown only scrubbed; the app is stopped at the end.
#[test]
fn with_the_command_doctor_restarts_the_app_and_ties_its_errors_to_deliveries() {
    let Some((dir, script)) = standin() else {
        return;
    };
    let port = closed_port();
    let pid_file = dir.path().join("pid");
    let junit = dir.path().join("doctor.xml");
    let url = format!("http://127.0.0.1:{port}/webhook");
    let output = doctor_with(&[
        &url,
        "--provider",
        "meta",
        META_SECRETS[0],
        META_SECRETS[1],
        META_SECRETS[2],
        META_SECRETS[3],
        "--format",
        "json",
        "-v",
        "--junit",
        junit.to_str().unwrap(),
        "--",
        "python3",
        &script,
        &port.to_string(),
        "--exit-on",
        "account_alerts",
        "--log-on",
        "\"reaction\"",
        "--pid-file",
        pid_file.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    let (checks, summary) = json_results(&output);
    for check in &checks {
        // The reaction fails behind a 200 in kinds, and in every identity form.
        // A batch answered 2xx is a warning: HTTP cannot show that every item was handled.
        let expected = if check["check"] == "kinds" || check["check"] == "identities" {
            "failed"
        } else if check["check"] == "batched" {
            "warning"
        } else {
            "passed"
        };
        assert_eq!(check["status"], expected, "{check}");
    }
    let kinds = result(&checks, "kinds");
    let details = kinds["details"].to_string();
    assert!(
        details.contains("meta/account-alert: the app stopped on it: it exited with status 3"),
        "{kinds}"
    );
    assert!(
        details.contains(
            "meta/message-reaction: answered 200, but the app logged: KeyError: 'user_id'"
        ),
        "{kinds}"
    );
    // Every sample was sent: the app was started again after account-alert.
    assert_eq!(kinds["requests"], 62, "{kinds}");
    assert!(kinds["app_log"].to_string().contains("KeyError"), "{kinds}");
    let stops = summary["app_stops"].as_array().unwrap();
    assert_eq!(stops.len(), 1, "{summary}");
    assert_eq!(stops[0]["check"], "kinds");
    assert_eq!(stops[0]["on"], "meta/account-alert");
    assert_eq!(stops[0]["restarted"], true);
    let header: Value = serde_json::from_str(
        String::from_utf8_lossy(&output.stdout)
            .lines()
            .next()
            .unwrap(),
    )
    .unwrap();
    assert!(
        header["app"].as_str().unwrap().starts_with("python3 "),
        "{header}"
    );
    // -v showed the app's output, scrubbed; the secret it printed appears nowhere.
    let junit = std::fs::read(&junit).unwrap();
    assert_nowhere(APP_SECRET, &output, &junit, "the -v run's");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("app | listening on") && stderr.contains("(redacted)"),
        "{stderr}"
    );
    let xml = String::from_utf8_lossy(&junit);
    assert!(
        xml.contains("<system-err>") && xml.contains("KeyError"),
        "{xml}"
    );
    // Stopped at the end: its port is closed and its process gone.
    assert!(refuses_connections(port));
    let pid = std::fs::read_to_string(&pid_file).unwrap();
    assert!(
        !std::path::Path::new(&format!("/proc/{}", pid.trim())).exists(),
        "the app ({pid}) still runs"
    );
}

/// Without -v the app's output is not shown at all.
#[test]
fn the_apps_output_is_not_echoed_without_verbose() {
    let Some(output) = doctor_runs_standin(&["--only", "signed-post"], &[]) else {
        return;
    };
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert!(
        !contains_bytes(&output.stderr, b"listening on"),
        "{}",
        text(&output)
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("doctor started `python3 "), "{stdout}");
}

/// An app that never answers at the URL, or exits at once, or cannot be found: a bounded wait,
/// then exit 2 with its last lines.
#[test]
fn an_app_that_does_not_start_is_a_clear_error() {
    let port = closed_port().to_string();
    let run = |command: &[&str], extra: &[&str]| {
        let mut args = vec![port.as_str(), "--provider", "smartflow"];
        args.extend(extra);
        args.push("--");
        args.extend(command);
        doctor_with(&args)
    };
    let started = std::time::Instant::now();
    let output = run(
        &["sh", "-c", "echo starting on the wrong port; sleep 30"],
        &["--start-timeout", "1s"],
    );
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    assert!(started.elapsed() < Duration::from_secs(15));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("did not answer at") && stderr.contains("within 1 s"),
        "{stderr}"
    );
    assert!(stderr.contains("starting on the wrong port"), "{stderr}");

    let output = run(&["sh", "-c", "echo boom: no such module; exit 4"], &[]);
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("exited with status 4") && stderr.contains("boom: no such module"),
        "{stderr}"
    );

    let output = run(&["wa-hook-no-such-program-xyz"], &[]);
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("was not found"),
        "{}",
        text(&output)
    );

    // Something else already on the port would be tested in the app's place.
    let other = RecordingServer::start();
    let output = doctor_with(&[
        &other.port.to_string(),
        "--provider",
        "smartflow",
        "--",
        "sh",
        "-c",
        "sleep 30",
    ]);
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("something already answers"),
        "{}",
        text(&output)
    );
    assert!(other.requests().is_empty());
}

/// Ctrl-C while doctor runs the app: the results so far are printed, exit 130, and the app's
/// whole process group is stopped.
#[test]
fn ctrl_c_stops_the_app_too() {
    let Some((dir, script)) = standin() else {
        return;
    };
    let port = closed_port();
    let pid_file = dir.path().join("pid");
    let mut child = wa_hook_process()
        .args([
            "doctor",
            &port.to_string(),
            "--provider",
            "meta",
            "--app-secret-env",
            "DOCTOR_APP_SECRET",
            "--only",
            "unsigned-post",
            "--timeout",
            "10min",
            "--",
            "python3",
            &script,
            &port.to_string(),
            "--hang-unsigned",
            "--pid-file",
            pid_file.to_str().unwrap(),
        ])
        .env("DOCTOR_APP_SECRET", APP_SECRET)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The header is printed once the app answers; the unsigned post then hangs.
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    while !line.contains("doctor started") {
        line.clear();
        assert!(
            stdout.read_line(&mut line).unwrap() > 0,
            "doctor ended early"
        );
    }
    let pid = std::fs::read_to_string(&pid_file).unwrap();
    // Ctrl-C while the check is under way: once the app holds the unsigned post.
    let hanging = dir.path().join("pid.hanging");
    let deadline = Instant::now() + Duration::from_secs(60);
    while !hanging.exists() {
        assert!(
            Instant::now() < deadline,
            "the unsigned post never reached the app"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    let status = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let mut rest = String::new();
    stdout.read_to_string(&mut rest).unwrap();
    let exit = child.wait().unwrap();
    assert_eq!(exit.code(), Some(130), "{rest}");
    assert!(rest.contains("interrupted"), "{rest}");
    assert!(refuses_connections(port));
    assert!(
        !std::path::Path::new(&format!("/proc/{}", pid.trim())).exists(),
        "the app ({pid}) still runs"
    );
}

/// An app that hangs on an unsigned POST: the fix is to refuse it with 401, not to answer
/// sooner; and the hang says nothing about deliveries, which are still checked.
#[test]
fn a_hang_on_an_unsigned_post_is_told_to_refuse_it() {
    let app = RecordingServer::with_responder(|request| {
        if request.header("X-Hub-Signature-256").is_none() {
            std::thread::sleep(Duration::from_millis(1500));
        }
        Reply::ok()
    });
    let output = doctor_with(&[
        &app.url,
        "--provider",
        "meta",
        "--app-secret-env",
        "DOCTOR_APP_SECRET",
        "--only",
        "unsigned-post,wrong-signature,duplicate",
        "--timeout",
        "300ms",
        "--format",
        "json",
    ]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    let (checks, _) = json_results(&output);
    let unsigned = result_with(&checks, "unsigned-post", "failed");
    let fix = says(unsigned, "fix");
    assert!(fix.contains("answer 401 at once"), "{unsigned}");
    assert!(!fix.contains("process afterwards"), "{unsigned}");
    assert_eq!(result(&checks, "duplicate")["status"], "passed");
}

/// A handshake GET that hangs (a wrong path): the fix is about the GET route, not about
/// answering sooner.
#[test]
fn a_handshake_that_hangs_names_the_get_route() {
    let app = RecordingServer::with_responder(|request| {
        if request.method == "GET" {
            std::thread::sleep(Duration::from_millis(1500));
        }
        Reply::ok()
    });
    let output = doctor_with(&[
        &app.url,
        "--provider",
        "meta",
        "--verify-token-env",
        "DOCTOR_VERIFY_TOKEN",
        "--only",
        "handshake",
        "--timeout",
        "300ms",
        "--format",
        "json",
    ]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    let (checks, _) = json_results(&output);
    let check = result(&checks, "handshake");
    assert!(says(check, "cause").contains("GET"), "{check}");
    assert!(
        !says(check, "fix").contains("process afterwards"),
        "{check}"
    );
}

/// FastAPI answers 422 to a body without a required header: that is a refusal, as any 4xx to
/// an unsigned or wrongly signed body is.
#[test]
fn any_4xx_to_a_forgery_is_a_refusal() {
    let app = RecordingServer::with_responder(|request| {
        if request.header("X-Hub-Signature-256").is_none() {
            return Reply::new(
                422,
                br#"{"detail":[{"type":"missing","loc":["header","x-hub-signature-256"]}]}"#,
            );
        }
        if super::signed_correctly(request) {
            Reply::ok()
        } else {
            plain(400, "bad signature")
        }
    });
    let output = doctor_with(&[
        &app.url,
        "--provider",
        "meta",
        "--app-secret-env",
        "DOCTOR_APP_SECRET",
        "--only",
        "unsigned-post,wrong-signature",
        "--format",
        "json",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let (checks, _) = json_results(&output);
    let unsigned = result_with(&checks, "unsigned-post", "passed");
    assert!(
        says(unsigned, "summary").contains("refused (422"),
        "{unsigned}"
    );
    assert_eq!(result(&checks, "wrong-signature")["status"], "passed");
}

/// A server that resets the connection on a body over 1 MB, and goes on serving: a body-size
/// limit, not a crash.
#[test]
fn a_reset_on_the_large_body_is_a_size_limit() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    // Not joined: it serves until the test process ends.
    std::thread::spawn(move || {
        for stream in listener.incoming().take(50) {
            let Ok(mut stream) = stream else { continue };
            let mut head = Vec::new();
            let mut byte = [0u8; 1];
            while !head.ends_with(b"\r\n\r\n") && stream.read(&mut byte).unwrap_or(0) == 1 {
                head.push(byte[0]);
            }
            let head = String::from_utf8_lossy(&head).to_ascii_lowercase();
            let length: usize = head
                .lines()
                .find_map(|line| line.strip_prefix("content-length:"))
                .and_then(|value| value.trim().parse().ok())
                .unwrap_or(0);
            if length > 1_000_000 {
                // Dropped unread: the kernel resets the connection.
                continue;
            }
            let mut body = vec![0u8; length];
            let _ = stream.read_exact(&mut body);
            let _ = stream
                .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
        }
    });
    let output = doctor_with(&[
        &port.to_string(),
        "--provider",
        "meta",
        "--only",
        "large-body,duplicate",
        "--format",
        "json",
    ]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    let (checks, summary) = json_results(&output);
    let large = result_with(&checks, "large-body", "failed");
    let cause = says(large, "cause");
    assert!(cause.contains("body-size limit"), "{large}");
    assert!(!cause.contains("crash"), "{large}");
    assert!(summary.get("app_stops").is_none(), "{summary}");
    assert_eq!(result(&checks, "duplicate")["status"], "passed");
}

/// The first-only pattern (`(message,) = value["messages"]`) fails on Meta's batches behind a
/// 200, and code that needs a phone number fails on a user named by user id and username: both
/// are failures, named from the app's log, with fixes that say what to loop over and what to
/// read.
#[test]
fn batches_and_identities_find_what_one_body_per_user_hides() {
    let Some(output) = doctor_runs_standin(
        &["--only", "kinds,identities,batched", "--format", "json"],
        &["--one-per-webhook", "--needs-phone"],
    ) else {
        return;
    };
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    let (checks, _) = json_results(&output);
    // One body per delivery, with phone numbers: the samples pass but for the user-id ones.
    let batched = result_with(&checks, "batched", "failed");
    assert!(
        says(batched, "summary")
            .contains("answered 200, but the app logged: ValueError: too many values to unpack"),
        "{batched}"
    );
    assert!(
        says(batched, "fix").contains("entry[0].changes[0].value.messages[0]"),
        "{batched}"
    );
    let identities = result_with(&checks, "identities", "failed");
    let details = identities["details"].to_string();
    assert!(
        details.contains("as username: answered 200, but the app logged: KeyError: 'wa_id'"),
        "{identities}"
    );
    assert!(!details.contains("as phone:"), "{identities}");
    assert!(says(identities, "fix").contains("user_id"), "{identities}");
    // Every body was sent and counted.
    let summary = says(identities, "summary");
    let sent = identities["requests"].as_u64().unwrap();
    assert!(
        summary.contains(&format!("of {sent} not accepted")),
        "{identities}"
    );
}

/// The app dies during the burst (25 requests at once): the callbacks it never received are not
/// sent, and none is named as the one that ended it (which one did is not known).
#[test]
fn a_crash_during_the_burst_is_the_bursts_not_one_callbacks() {
    let Some(output) = doctor_runs_standin(
        &["--only", "burst,duplicate", "--format", "json"],
        &["--exit-on", "\"status\":\"read\""],
    ) else {
        return;
    };
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    let (checks, summary) = json_results(&output);
    let burst = result_with(&checks, "burst", "failed");
    let details = burst["details"].to_string();
    assert!(details.contains("more not sent"), "{burst}");
    assert!(!details.contains("the app stopped on it"), "{burst}");
    assert!(burst["requests"].as_u64().unwrap() < 75, "{burst}");
    // The duplicate ran first; the burst is the last check: the app was started again, and
    // a check after it would run against the fresh process (see the crash cascade test).
    assert_eq!(result(&checks, "duplicate")["status"], "passed");
    let stops = summary["app_stops"].as_array().unwrap();
    assert_eq!(stops[0]["on"], "the burst", "{summary}");
    assert_eq!(stops[0]["restarted"], true, "{summary}");
}
