//! `wa-hook emulate test` and `emulate record` (issue 25): conversation files played against
//! real apps through `wa-hook emulate meta`, started by the runner itself.
//!
//! The apps: tests/receivers/python/standin_bot.py (Python's standard library) and
//! tests/receivers/python/pywa_bot.py (pywa 4.5 from PyPI, installed as for the receivers
//! tests), each told where the emulator is through the runner's environment. Each can be broken
//! on purpose (an argument), and the conversation that should then fail fails at the step that
//! shows it, with the reason. Every app listens on a port picked free by the test and sends only
//! to the emulator on 127.0.0.1.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::common::*;
use crate::receivers::install::{self, Kind};

const APP_SECRET_ENV: &str = "CONVO_APP_SECRET";
const APP_SECRET: &str = "convo-app-secret-4b1e77";

fn manifest() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn sample_conversation() -> String {
    manifest()
        .join("samples/conversations/meta.toml")
        .display()
        .to_string()
}

fn bot(name: &str) -> String {
    manifest()
        .join("tests/receivers/python")
        .join(name)
        .display()
        .to_string()
}

/// `wa-hook emulate test FILES --webhook 127.0.0.1:PORT/webhook ARGS -- APP`, with the app secret
/// in its variable (the bots read it as APP_SECRET).
fn play(files: &[&str], args: &[&str], app: &[&str], env: &[(&str, &str)]) -> Output {
    let webhook = format!("127.0.0.1:{}/webhook", closed_port());
    let mut command = wa_hook();
    command
        .args(["emulate", "test"])
        .args(files)
        .args(["--webhook", &webhook, "--app-secret-env", APP_SECRET_ENV])
        .args(args)
        .arg("--")
        .args(app)
        .env(APP_SECRET_ENV, APP_SECRET)
        .env("APP_SECRET", APP_SECRET)
        .timeout(Duration::from_secs(120));
    for (name, value) in env {
        command.env(name, value);
    }
    command.output().unwrap()
}

/// The JSON lines of a `--format json` run: the steps, then the summary.
fn json_lines(output: &Output) -> Vec<Value> {
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .collect()
}

fn statuses(lines: &[Value]) -> Vec<String> {
    lines
        .iter()
        .filter(|line| line.get("step").is_some())
        .map(|line| line["status"].as_str().unwrap().to_string())
        .collect()
}

fn step(lines: &[Value], number: u64) -> &Value {
    lines
        .iter()
        .find(|line| line["step"] == number)
        .unwrap_or_else(|| panic!("no step {number} in {lines:?}"))
}

fn standin(mode: &[&str]) -> Vec<String> {
    let mut app = vec!["python3".to_string(), bot("standin_bot.py")];
    app.extend(mode.iter().map(ToString::to_string));
    app
}

#[test]
fn the_sample_conversation_passes_against_the_standin_bot() {
    let dir = tempfile::tempdir().unwrap();
    let junit = dir.path().join("conversations.xml");
    let app = standin(&[]);
    let app: Vec<&str> = app.iter().map(String::as_str).collect();
    let output = play(
        &[&sample_conversation()],
        &["--format", "json", "--junit", junit.to_str().unwrap()],
        &app,
        &[],
    );
    let lines = json_lines(&output);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{lines:#?}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(statuses(&lines), vec!["passed"; 8]);
    assert_eq!(
        step(&lines, 2)["seen"],
        "a text \"Order 1234 ships tomorrow.\""
    );
    let summary = lines.last().unwrap();
    assert_eq!(summary["ok"], true);
    assert_eq!(summary["summary"]["passed"], 8);
    let xml = std::fs::read_to_string(&junit).unwrap();
    let document = roxmltree::Document::parse(&xml).unwrap();
    let suite = document
        .descendants()
        .find(|node| node.has_tag_name("testsuite"))
        .unwrap();
    assert_eq!(suite.attribute("tests"), Some("8"));
    assert_eq!(suite.attribute("failures"), Some("0"));
    assert_eq!(
        suite.attribute("name"),
        Some("Order status, a photo, and a follow-up after the window")
    );
    // The app secret reaches the app and the emulator, never the report.
    assert!(!contains_bytes(&output.stdout, APP_SECRET.as_bytes()));
    assert!(!xml.contains(APP_SECRET));
}

/// A bot broken on purpose fails the conversation at the step that shows it, with the reason,
/// and the rest of the conversation still plays (exit 1).
#[test]
fn a_broken_bot_fails_at_the_step_and_says_why() {
    let cases: &[(&str, u64, &str)] = &[
        (
            "no-quote",
            2,
            "it quotes no message; it should reply to question (wamid.",
        ),
        (
            "text-follow-up",
            7,
            "the app sent a text \"How did we do?\", not a template",
        ),
        (
            "bad-send",
            2,
            "the emulator refused the app's text (400): /text: expected required property \"text\"",
        ),
    ];
    for (mode, failing, cause) in cases {
        let app = standin(&[mode]);
        let app: Vec<&str> = app.iter().map(String::as_str).collect();
        let output = play(&[&sample_conversation()], &["--format", "json"], &app, &[]);
        let lines = json_lines(&output);
        assert_eq!(output.status.code(), Some(1), "{mode}: {lines:#?}");
        let failed = step(&lines, *failing);
        assert_eq!(failed["status"], "failed", "{mode}: {lines:#?}");
        let said = failed["cause"].as_str().unwrap();
        assert!(said.starts_with(cause), "{mode}: {said}");
        assert_eq!(
            statuses(&lines).iter().filter(|s| *s == "failed").count(),
            if *mode == "bad-send" { 3 } else { 1 },
            "{mode}: {lines:#?}"
        );
    }
}

/// A text after the window is accepted, then fails: the step that expected it says so.
#[test]
fn a_message_that_fails_after_the_window_fails_its_step() {
    let dir = tempfile::tempdir().unwrap();
    let conversation = dir.path().join("window.toml");
    std::fs::write(
        &conversation,
        r#"provider = "meta"
[emulator]
window = "24h"
[[steps]]
say = "Where is order 55512?"
[[steps]]
expect = "text"
id = "answer"
[[steps]]
advance = "25h"
[[steps]]
read = "answer"
[[steps]]
expect = "any"
"#,
    )
    .unwrap();
    // An app slow to answer the `failed` status (its record comes once answered) fails too.
    for modes in [&["text-follow-up"][..], &["text-follow-up", "slow-failed"]] {
        let app = standin(modes);
        let app: Vec<&str> = app.iter().map(String::as_str).collect();
        let output = play(
            &[conversation.to_str().unwrap()],
            &["--format", "json"],
            &app,
            &[],
        );
        let lines = json_lines(&output);
        assert_eq!(output.status.code(), Some(1), "{modes:?}: {lines:#?}");
        assert_eq!(
            statuses(&lines),
            ["passed", "passed", "passed", "passed", "failed"],
            "{modes:?}"
        );
        let cause = step(&lines, 5)["cause"].as_str().unwrap();
        assert!(
            cause.starts_with(
                "the emulator accepted a text \"How did we do?\", then reported it failed"
            ),
            "{cause}"
        );
    }
}

/// The text report, whole, for an app that crashes on the photo: the step, the exit, the
/// error it logged, and the steps after it not run.
#[test]
fn a_crash_is_named_at_its_step_and_the_rest_is_not_run() {
    let app = standin(&["crash-on-image"]);
    let app: Vec<&str> = app.iter().map(String::as_str).collect();
    let output = play(&[&sample_conversation()], &[], &app, &[]);
    assert_eq!(output.status.code(), Some(1));
    let text = String::from_utf8_lossy(&output.stdout);
    let timing = regex::Regex::new(r"  [0-9.]+ (ms|s)\n").unwrap();
    let text = timing.replace_all(&text, "  TIME\n");
    let text = regex::Regex::new(r"listening on \d+")
        .unwrap()
        .replace_all(&text, "listening on PORT");
    let text = regex::Regex::new(r"\([0-9.]+ (ms|s)\)")
        .unwrap()
        .replace_all(&text, "(TIME)");
    let text = text.replace(&sample_conversation(), "meta.toml");
    insta::assert_snapshot!(text);
}

#[test]
fn a_file_that_is_not_a_conversation_exits_2_before_anything_starts() {
    let dir = tempfile::tempdir().unwrap();
    let cases: &[(&str, &str)] = &[
        (
            "[[steps]]\nsay = \"hi\"\nexpect = \"text\"\n",
            "step 1 has 2 actions (say, expect)",
        ),
        (
            "[[steps]]\nread = \"greeting\"\n",
            "step 1: `greeting` names no earlier app message",
        ),
        ("[[steps]]\nshout = \"hi\"\n", "step 1 has no action"),
        (
            "[[steps]]\nexpect = \"text\"\nwithin = \"soon\"\n",
            "within: `soon` is not a duration",
        ),
        (
            "provider = 3\n[[steps]]\nwait = \"1s\"\n",
            "/provider: expected string",
        ),
    ];
    for (text, error) in cases {
        let file = dir.path().join("bad.toml");
        std::fs::write(&file, text).unwrap();
        // The app would leave a mark if it were started.
        let marker = dir.path().join("started");
        let output = wa_hook()
            .args([
                "emulate",
                "test",
                file.to_str().unwrap(),
                "--provider",
                "meta",
            ])
            .args(["--webhook", &closed_port().to_string(), "--"])
            .args(["touch", marker.to_str().unwrap()])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{text}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains("is not a conversation wa-hook can play"),
            "{stderr}"
        );
        assert!(stderr.contains(error), "{text}: {stderr}");
        assert!(!marker.exists(), "the app was started for a bad file");
    }
}

/// An app that never answers at its webhook URL: exit 2, the file reported as not played,
/// the secret it printed scrubbed.
#[test]
fn an_app_that_never_comes_up_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let junit = dir.path().join("j.xml");
    let script = format!("echo \"starting with ${APP_SECRET_ENV}\"; sleep 30");
    let output = play(
        &[&sample_conversation()],
        &["--start-timeout", "1s", "--junit", junit.to_str().unwrap()],
        &["sh", "-c", &script],
        &[],
    );
    assert_eq!(output.status.code(), Some(2));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stdout.contains("could not be played"), "{stdout}");
    assert!(stdout.contains("did not answer at"), "{stdout}");
    assert!(
        stderr.contains("1 conversation could not be played"),
        "{stderr}"
    );
    assert!(stdout.contains("starting with (redacted)"), "{stdout}");
    // The app's last lines each on a line of their own, not run together with `\n`.
    assert!(!stdout.contains("\\n"), "{stdout}");
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert!(xml.contains("<error message="), "{xml}");
    for text in [&*stdout, &*stderr, &xml] {
        assert!(!text.contains(APP_SECRET), "{text}");
    }
}

#[test]
fn the_conversation_schema_is_listed_and_shown() {
    wa_hook()
        .args(["schemas", "list"])
        .assert()
        .success()
        .stdout(predicate::str::contains("conversation"));
    let output = wa_hook()
        .args(["schemas", "show", "conversation"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let schema: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        schema["$id"],
        "https://wa-hook.dev/schemas/conversation.json"
    );
    assert!(schema["$defs"]["step"]["properties"]["expect"].is_object());
}

/// A running process, killed by its pid when dropped.
struct Running(std::process::Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Records of `capture` once `done` holds for them (the emulator writes them as they happen).
fn records_when(capture: &Path, done: impl Fn(&[Value]) -> bool) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let records: Vec<Value> = std::fs::read_to_string(capture)
            .unwrap_or_default()
            .lines()
            .filter_map(|line| serde_json::from_str(line).ok())
            .collect();
        if done(&records) {
            return records;
        }
        assert!(
            Instant::now() < deadline,
            "the session never got there: {records:#?}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A session chatted by hand (`emulate meta --out`, `emulate say`, `emulate read`) becomes a
/// conversation file that passes against the same bot.
#[test]
fn a_recorded_session_plays_back() {
    let dir = tempfile::tempdir().unwrap();
    let capture = dir.path().join("session.jsonl");
    let port = closed_port();
    let mut emulator = wa_hook_process()
        .args([
            "emulate",
            "meta",
            "--webhook",
            &format!("127.0.0.1:{port}/webhook"),
        ])
        .args(["--out", capture.to_str().unwrap(), "--format", "json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut first = String::new();
    // Kept open: the emulator writes its inspector's URL after the first line.
    let mut stdout = BufReader::new(emulator.stdout.take().unwrap());
    stdout.read_line(&mut first).unwrap();
    let _emulator = Running(emulator);
    let start: Value = serde_json::from_str(&first).unwrap();
    let base = start["base_url"].as_str().unwrap().to_string();
    let mut app = std::process::Command::new("python3")
        .arg(bot("standin_bot.py"))
        .env("PORT", port.to_string())
        .env("WA_HOOK_BASE_URL", &base)
        .env(
            "WA_HOOK_PHONE_NUMBER_ID",
            start["phone_number_id"].as_str().unwrap(),
        )
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut listening = String::new();
    BufReader::new(app.stdout.take().unwrap())
        .read_line(&mut listening)
        .unwrap();
    let _app = Running(app);
    assert!(listening.starts_with("listening"), "{listening}");
    let say = |args: &[&str]| {
        wa_hook()
            .args(["emulate"])
            .args(args)
            .args(["--emulator", &base])
            .assert()
            .success();
    };
    say(&["say", "Where is order 777?"]);
    let records = records_when(&capture, |records| {
        records.iter().any(|r| r["kind"] == "send:text")
    });
    let reply = records.iter().find(|r| r["kind"] == "send:text").unwrap();
    let answer: Value = serde_json::from_str(reply["answer"].as_str().unwrap()).unwrap();
    say(&["read", answer["messages"][0]["id"].as_str().unwrap()]);
    records_when(&capture, |records| {
        records.iter().any(|r| r["kind"] == "send:template")
    });
    let recorded = dir.path().join("recorded.toml");
    wa_hook()
        .args(["emulate", "record", capture.to_str().unwrap()])
        .args(["--out", recorded.to_str().unwrap(), "--name", "order 777"])
        .assert()
        .success()
        .stderr(predicate::str::contains("wrote 4 steps"));
    let text = std::fs::read_to_string(&recorded).unwrap();
    let text = regex::Regex::new(r"127\.0\.0\.1:\d+")
        .unwrap()
        .replace(&text, "127.0.0.1:PORT");
    insta::assert_snapshot!(text);
    let app = standin(&[]);
    let app: Vec<&str> = app.iter().map(String::as_str).collect();
    let output = play(
        &[recorded.to_str().unwrap()],
        &["--format", "json"],
        &app,
        &[],
    );
    let lines = json_lines(&output);
    assert_eq!(output.status.code(), Some(0), "{lines:#?}");
    assert_eq!(statuses(&lines), vec!["passed"; 4]);
}

/// The runner tells the app where the emulator is: WA_HOOK_BASE_URL, the ids, PORT.
#[test]
fn the_app_is_told_where_the_emulator_is() {
    let dir = tempfile::tempdir().unwrap();
    let conversation = dir.path().join("env.toml");
    std::fs::write(
        &conversation,
        "provider = \"meta\"\n[[steps]]\nwait = \"10ms\"\n",
    )
    .unwrap();
    let seen = dir.path().join("env.txt");
    let script = format!(
        "env | grep -E '^(WA_HOOK_|PORT=)' | sort > {}; exec python3 -m http.server --bind 127.0.0.1 $PORT",
        seen.display()
    );
    let output = play(
        &[conversation.to_str().unwrap()],
        &[],
        &["sh", "-c", &script],
        &[],
    );
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let env = std::fs::read_to_string(&seen).unwrap();
    let names: Vec<&str> = env
        .lines()
        .filter_map(|line| line.split('=').next())
        .collect();
    assert_eq!(
        names,
        [
            "PORT",
            "WA_HOOK_BASE_URL",
            "WA_HOOK_CUSTOMER",
            "WA_HOOK_PHONE_NUMBER_ID",
            "WA_HOOK_PROVIDER",
            "WA_HOOK_WABA_ID",
            "WA_HOOK_WEBHOOK"
        ]
    );
    assert!(env.contains("WA_HOOK_BASE_URL=http://127.0.0.1:"), "{env}");
    assert!(env.contains("WA_HOOK_PROVIDER=meta"), "{env}");
}

/// pywa 4.5, a real SDK: its bot passes the conversation's first half (its status handlers
/// cannot read the emulator's statuses yet: docs/emulate-design.md, "statuses' missing
/// contacts"), and fails where it is broken.
#[test]
fn a_pywa_bot_plays_the_conversation() {
    let Some(installed) = install::installed(Kind::PywaFlask) else {
        return;
    };
    let conversation = manifest()
        .join("tests/fixtures/conversations/pywa.toml")
        .display()
        .to_string();
    let pythonpath = installed.display().to_string();
    let env = [
        ("PYTHONPATH", pythonpath.as_str()),
        ("PYTHONDONTWRITEBYTECODE", "1"),
    ];
    let app = ["python3".to_string(), bot("pywa_bot.py")];
    let app: Vec<&str> = app.iter().map(String::as_str).collect();
    let output = play(&[&conversation], &["--format", "json"], &app, &env);
    let lines = json_lines(&output);
    assert_eq!(output.status.code(), Some(0), "{lines:#?}");
    assert_eq!(statuses(&lines), vec!["passed"; 5]);
    let broken = [
        "python3".to_string(),
        bot("pywa_bot.py"),
        "no-quote".to_string(),
    ];
    let broken: Vec<&str> = broken.iter().map(String::as_str).collect();
    let output = play(&[&conversation], &["--format", "json"], &broken, &env);
    let lines = json_lines(&output);
    assert_eq!(output.status.code(), Some(1), "{lines:#?}");
    assert_eq!(
        statuses(&lines),
        ["passed", "failed", "passed", "passed", "passed"]
    );
    let cause = step(&lines, 2)["cause"].as_str().unwrap();
    assert!(
        cause.starts_with("it quotes no message; it should reply to question"),
        "{cause}"
    );
}

/// Ctrl-C (SIGINT to the process and its group) during a step: the step ends, the rest are not
/// run, the report and --junit are written, the app and the emulator are stopped, exit 130.
#[test]
fn ctrl_c_reports_the_steps_done_and_exits_130() {
    use std::os::unix::process::CommandExt;
    let dir = tempfile::tempdir().unwrap();
    let conversation = dir.path().join("long.toml");
    std::fs::write(
        &conversation,
        "provider = \"meta\"\n[[steps]]\nsay = \"hi\"\n[[steps]]\nwait = \"60s\"\n[[steps]]\nsay = \"bye\"\n",
    )
    .unwrap();
    let junit = dir.path().join("j.xml");
    let mut child = wa_hook_process()
        .process_group(0)
        .args(["emulate", "test", conversation.to_str().unwrap()])
        .args(["--webhook", &format!("127.0.0.1:{}/webhook", closed_port())])
        .args(["--format", "json", "--junit", junit.to_str().unwrap(), "--"])
        .args(standin(&[]))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    stdout.read_line(&mut first).unwrap();
    assert!(first.contains("\"step\":1"), "{first}");
    crate::signals::signal_like_timeout(child.id());
    let rest: Vec<String> = stdout.lines().map(Result::unwrap).collect();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130), "{rest:?}");
    let lines: Vec<Value> = std::iter::once(first.as_str())
        .chain(rest.iter().map(String::as_str))
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(statuses(&lines), ["passed", "not_run", "not_run"]);
    assert_eq!(step(&lines, 2)["cause"], "not finished: interrupted");
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert!(xml.contains("skipped=\"2\""), "{xml}");
}

/// An app already running (no `-- CMD`), its API base set to the emulator's fixed `--port`.
#[test]
fn an_app_already_running_is_played_on_a_fixed_port() {
    let (emulator_port, app_port) = (closed_port(), closed_port());
    let mut app = std::process::Command::new("python3")
        .arg(bot("standin_bot.py"))
        .env("PORT", app_port.to_string())
        .env(
            "WA_HOOK_BASE_URL",
            format!("http://127.0.0.1:{emulator_port}"),
        )
        .env("WA_HOOK_PHONE_NUMBER_ID", "106540352242922")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut listening = String::new();
    BufReader::new(app.stdout.take().unwrap())
        .read_line(&mut listening)
        .unwrap();
    let _app = Running(app);
    let output = wa_hook()
        .args([
            "emulate",
            "test",
            &sample_conversation(),
            "--format",
            "json",
        ])
        .args(["--app", &format!("127.0.0.1:{app_port}/webhook")])
        .args(["--port", &emulator_port.to_string()])
        .timeout(Duration::from_secs(120))
        .output()
        .unwrap();
    let lines = json_lines(&output);
    assert_eq!(output.status.code(), Some(0), "{lines:#?}");
    assert_eq!(statuses(&lines), vec!["passed"; 8]);
    assert_eq!(lines.last().unwrap()["summary"]["app"], Value::Null);
}

/// A capture of real traffic (`listen --out`) seeds the customer's side of a conversation.
#[test]
fn a_capture_of_real_traffic_seeds_the_customers_steps() {
    let dir = tempfile::tempdir().unwrap();
    let capture = dir.path().join("real.jsonl");
    let listener = Listener::start(&["--out", capture.to_str().unwrap(), "--no-ui"]);
    for sample in [
        "meta/message-text",
        "meta/status-read",
        "meta/message-image",
    ] {
        wa_hook()
            .args(["replay", sample, "--to", &listener.url])
            .assert()
            .success();
    }
    let records = records_when(&capture, |records| records.len() == 3);
    assert_eq!(records.len(), 3);
    drop(listener);
    let output = wa_hook()
        .args(["emulate", "record", capture.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = String::from_utf8(output.stdout).unwrap();
    let said: Value = serde_json::to_value(text.parse::<toml::Table>().unwrap()).unwrap();
    let steps = said["steps"].as_array().unwrap();
    assert_eq!(steps.len(), 2, "{text}");
    assert!(steps[0]["say"].is_string(), "{text}");
    assert_eq!(steps[1]["send"], "message:image", "{text}");
    assert_eq!(said["provider"], "meta");
}

/// `record --out` naming the capture file it reads (by any path) is refused before anything is
/// written: the session is kept. A line past the cap is an error naming it, not a read of it
/// whole.
#[test]
fn record_never_writes_over_its_capture_and_bounds_its_lines() {
    let dir = tempfile::tempdir().unwrap();
    let capture = dir.path().join("session.jsonl");
    let listener = Listener::start(&["--out", capture.to_str().unwrap(), "--no-ui"]);
    wa_hook()
        .args(["replay", "meta/message-text", "--to", &listener.url])
        .assert()
        .success();
    records_when(&capture, |records| records.len() == 1);
    drop(listener);
    let before = std::fs::read(&capture).unwrap();
    let other_path = dir.path().join(".").join("session.jsonl");
    for out in [capture.clone(), other_path] {
        wa_hook()
            .args(["emulate", "record", capture.to_str().unwrap()])
            .args(["--out", out.to_str().unwrap()])
            .assert()
            .code(2)
            .stderr(predicate::str::contains("is the capture file being read"));
        assert_eq!(std::fs::read(&capture).unwrap(), before);
    }

    let long = dir.path().join("long.jsonl");
    let mut text = before.clone();
    text.extend(std::iter::repeat_n(b'x', 33 << 20));
    std::fs::write(&long, text).unwrap();
    wa_hook()
        .args(["emulate", "record", long.to_str().unwrap()])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("line 2 is longer than 32 MiB"));
}

/// The runner names no provider: Qikchat's emulator plays its sample conversation against a
/// Qikchat stand-in bot, and a wrong answer fails its step.
#[test]
fn the_qikchat_conversation_plays_through_qikchats_emulator() {
    let conversation = manifest()
        .join("samples/conversations/qikchat.toml")
        .display()
        .to_string();
    for (mode, expected) in [
        ("", vec!["passed"; 7]),
        (
            "wrong-text",
            vec![
                "passed", "failed", "passed", "passed", "passed", "passed", "passed",
            ],
        ),
        (
            "wrong-contact",
            vec![
                "passed", "failed", "passed", "passed", "passed", "passed", "passed",
            ],
        ),
    ] {
        let webhook = format!("127.0.0.1:{}/webhook", closed_port());
        let output = wa_hook()
            .args(["emulate", "test", &conversation, "--format", "json"])
            .args(["--webhook", &webhook, "--"])
            .args(["python3", &bot("qikchat_standin_bot.py"), mode])
            .timeout(Duration::from_secs(120))
            .output()
            .unwrap();
        let lines = json_lines(&output);
        assert_eq!(statuses(&lines), expected, "{mode}: {lines:#?}");
        assert_eq!(lines.last().unwrap()["summary"]["provider"], "qikchat");
        if mode == "wrong-text" {
            assert_eq!(output.status.code(), Some(1));
            assert_eq!(
                step(&lines, 2)["cause"],
                "its text \"Hello\" is not text matching /(?i)order 1234/"
            );
        } else if mode == "wrong-contact" {
            assert_eq!(output.status.code(), Some(1));
            assert_eq!(
                step(&lines, 2)["cause"],
                "the app sent a text \"Order 1234 ships tomorrow.\" to +919800000000, not to \
                 the customer (918451276390)"
            );
        } else {
            assert_eq!(output.status.code(), Some(0));
        }
    }
}

/// `fail` makes the app's message fail (a `failed` status the app must take); a code the
/// provider does not have fails the step with the emulator's reason.
#[test]
fn a_fail_step_sends_a_failed_status_or_says_why_not() {
    let dir = tempfile::tempdir().unwrap();
    let conversation = dir.path().join("fail.toml");
    std::fs::write(
        &conversation,
        r#"provider = "meta"
[[steps]]
say = "Where is order 4242?"
[[steps]]
expect = "text"
id = "answer"
[[steps]]
fail = "answer"
code = 131026
[[steps]]
fail = "last"
code = 999999
"#,
    )
    .unwrap();
    let app = standin(&[]);
    let app: Vec<&str> = app.iter().map(String::as_str).collect();
    let output = play(
        &[conversation.to_str().unwrap()],
        &["--format", "json"],
        &app,
        &[],
    );
    let lines = json_lines(&output);
    assert_eq!(output.status.code(), Some(1), "{lines:#?}");
    assert_eq!(statuses(&lines), ["passed", "passed", "passed", "failed"]);
    assert_eq!(step(&lines, 3)["name"], "answer fails (131026)");
    let cause = step(&lines, 4)["cause"].as_str().unwrap();
    assert!(
        cause.starts_with("the emulator refused fail (400): 999999 is not in wa-hook's table"),
        "{cause}"
    );
}

/// Picky Assist's instant replies are the app's messages too: its sample conversation expects
/// one, then a push, then a push that follows the customer's read report.
#[test]
fn the_picky_conversation_takes_instant_replies_as_messages() {
    let conversation = manifest()
        .join("samples/conversations/picky.toml")
        .display()
        .to_string();
    let webhook = format!("127.0.0.1:{}/webhook", closed_port());
    let output = wa_hook()
        .args(["emulate", "test", &conversation, "--format", "json"])
        .args(["--webhook", &webhook, "--"])
        .args(["python3", &bot("picky_standin_bot.py")])
        .timeout(Duration::from_secs(120))
        .output()
        .unwrap();
    let lines = json_lines(&output);
    assert_eq!(output.status.code(), Some(0), "{lines:#?}");
    assert_eq!(statuses(&lines), vec!["passed"; 7]);
    assert_eq!(
        step(&lines, 2)["seen"],
        "a text \"Order 1234 ships tomorrow.\""
    );
}

/// An app that answers someone other than the customer who wrote fails the steps that expect
/// its answers, naming both numbers (a ✓ there would be a false verdict); the template it sends
/// to the customer still passes. Meta's customer writes by business-scoped id and phone number;
/// the answer may go to either.
#[test]
fn a_message_to_someone_else_fails_its_step() {
    let app = standin(&["wrong-recipient"]);
    let app: Vec<&str> = app.iter().map(String::as_str).collect();
    let output = play(&[&sample_conversation()], &["--format", "json"], &app, &[]);
    let lines = json_lines(&output);
    assert_eq!(output.status.code(), Some(1), "{lines:#?}");
    let failed: Vec<u64> = lines
        .iter()
        .filter(|line| line["status"] == "failed")
        .filter_map(|line| line["step"].as_u64())
        .collect();
    assert_eq!(failed, [2, 4], "{lines:#?}");
    let cause = step(&lines, 2)["cause"].as_str().unwrap();
    assert!(
        cause.starts_with(
            "the app sent a text \"Order 1234 ships tomorrow.\" to 15550001111, not to the customer ("
        ),
        "{cause}"
    );
    assert_eq!(step(&lines, 7)["status"], "passed", "{lines:#?}");

    let conversation = manifest()
        .join("samples/conversations/picky.toml")
        .display()
        .to_string();
    let (output, lines) = play_bot(&conversation, &[], "picky_standin_bot.py", "wrong-number");
    assert_eq!(output.status.code(), Some(1), "{lines:#?}");
    let cause = step(&lines, 4)["cause"].as_str().unwrap();
    assert_eq!(
        cause,
        "the app sent a text \"We will call you back.\" to 919800000000, not to the customer \
         (919846012345)"
    );
}

/// `wa-hook emulate test FILE --format json --webhook ... [ARGS] -- python3 BOT MODE`: its
/// output, and the JSON lines.
fn play_bot(conversation: &str, args: &[&str], bot_file: &str, mode: &str) -> (Output, Vec<Value>) {
    let port = closed_port();
    let webhook = format!("127.0.0.1:{port}/webhook");
    let args: Vec<String> = args
        .iter()
        .map(|arg| arg.replace("PORT", &port.to_string()))
        .collect();
    let output = wa_hook()
        .args(["emulate", "test", conversation, "--format", "json"])
        .args(["--webhook", &webhook])
        .args(&args)
        .arg("--")
        .args(["python3", &bot(bot_file), mode])
        .timeout(Duration::from_secs(120))
        .output()
        .unwrap();
    let lines = json_lines(&output);
    (output, lines)
}

fn sample(name: &str) -> String {
    manifest()
        .join("samples/conversations")
        .join(name)
        .display()
        .to_string()
}

/// 99 Digital: the customer's side is its partner events; the app's v2 `body` and v1 `text`
/// are its messages, its readStatus is passed over; a wrong text or a refused event fails its
/// step.
#[test]
fn the_partner_conversation_plays_through_99_digitals_emulator() {
    let conversation = sample("partner.toml");
    let (output, lines) = play_bot(&conversation, &[], "partner_standin_bot.py", "");
    assert_eq!(output.status.code(), Some(0), "{lines:#?}");
    assert_eq!(statuses(&lines), vec!["passed"; 5]);
    assert_eq!(lines.last().unwrap()["summary"]["provider"], "partner");
    assert_eq!(
        step(&lines, 2)["seen"],
        "a text \"Line 972501234567 is connected: welcome aboard.\""
    );
    // 99 Digital refuses with HTTP 200 and "status": "FAIL": the step fails all the same.
    let (output, lines) = play_bot(&conversation, &[], "partner_standin_bot.py", "empty-text");
    assert_eq!(output.status.code(), Some(1), "{lines:#?}");
    let cause = step(&lines, 3)["cause"].as_str().unwrap();
    assert!(
        cause.starts_with("the emulator refused the app's text (200): reason 5: "),
        "{cause}"
    );
    let (output, lines) = play_bot(&conversation, &[], "partner_standin_bot.py", "wrong-text");
    assert_eq!(output.status.code(), Some(1), "{lines:#?}");
    assert_eq!(
        step(&lines, 3)["cause"],
        "its text \"Hello\" is not the text \"Daily limit: 1000 messages.\""
    );
    let (output, lines) = play_bot(
        &conversation,
        &[],
        "partner_standin_bot.py",
        "refuse-builder",
    );
    assert_eq!(output.status.code(), Some(1), "{lines:#?}");
    assert_eq!(
        statuses(&lines),
        ["passed", "passed", "passed", "failed", "passed"]
    );
    assert_eq!(step(&lines, 4)["cause"], "the app answered the webhook 500");
}

/// Omni Smartflow has no send API: its conversation plays the customer (a text, a photo, a read
/// and a failed status of a message named by its id) and each step passes when the app answers
/// 2xx at the callback it goes to.
#[test]
fn the_smartflow_conversation_plays_the_customer_only() {
    let conversation = sample("smartflow.toml");
    let events = ["--events-webhook", "127.0.0.1:PORT/status"];
    let (output, lines) = play_bot(&conversation, &events, "smartflow_standin_bot.py", "");
    assert_eq!(output.status.code(), Some(0), "{lines:#?}");
    assert_eq!(statuses(&lines), vec!["passed"; 4]);
    assert_eq!(lines.last().unwrap()["summary"]["provider"], "smartflow");
    for (mode, failed) in [("refuse-images", 2), ("refuse-failed", 4)] {
        let (output, lines) = play_bot(&conversation, &events, "smartflow_standin_bot.py", mode);
        assert_eq!(output.status.code(), Some(1), "{mode}: {lines:#?}");
        let cause = step(&lines, failed)["cause"].as_str().unwrap();
        assert!(
            cause.starts_with("the app answered the webhook"),
            "{mode}: {cause}"
        );
        assert_eq!(
            statuses(&lines)
                .iter()
                .filter(|status| *status == "failed")
                .count(),
            1,
            "{mode}: {lines:#?}"
        );
    }
}

/// A step about the app's messages in a Smartflow conversation is refused before anything
/// starts, in one line that says why: exit 2.
#[test]
fn a_smartflow_conversation_that_expects_a_message_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    for (text, action) in [
        (
            "[[steps]]\nsay = \"hi\"\n[[steps]]\nexpect = \"text\"\n",
            "step 2 (expect)",
        ),
        ("[[steps]]\nexpect_none = \"1s\"\n", "step 1 (expect_none)"),
        (
            "[[steps]]\nsay = \"hi\"\nchaos = \"reorder\"\n",
            "step 1 (chaos = \"reorder\", of a send's statuses)",
        ),
    ] {
        let file = dir.path().join("smartflow.toml");
        std::fs::write(&file, format!("provider = \"smartflow\"\n{text}")).unwrap();
        let marker = dir.path().join("started");
        let output = wa_hook()
            .args(["emulate", "test", file.to_str().unwrap()])
            .args(["--webhook", &closed_port().to_string(), "--"])
            .args(["touch", marker.to_str().unwrap()])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{text}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
        assert!(stderr.contains(action), "{stderr}");
        assert!(
            stderr.contains("Omni Smartflow has no public send API"),
            "{stderr}"
        );
        assert!(!marker.exists(), "the app was started for a refused file");
    }
}

/// `chaos = "duplicate"`: the customer's webhook is delivered twice; a bot that answers the
/// copy too fails at the step that shows it, with the duplicate named as the likely cause.
/// (`chaos = "reorder"` plays too: what it does to the statuses is tested in emulate_chaos.rs.)
#[test]
fn a_duplicate_delivery_passes_a_bot_that_answers_once_and_fails_one_that_answers_twice() {
    let dir = tempfile::tempdir().unwrap();
    let conversation = dir.path().join("dup.toml");
    std::fs::write(
        &conversation,
        r#"provider = "meta"
[[steps]]
say = "Hi there"
chaos = "reorder"
[[steps]]
expect = "text"
[[steps]]
say = "Where is order 4242?"
chaos = "duplicate"
[[steps]]
expect = "text"
contains = "4242"
[[steps]]
expect_none = "1s"
"#,
    )
    .unwrap();
    let file = conversation.to_str().unwrap();
    for (mode, code) in [("", 0), ("no-dedupe", 1)] {
        let app = standin(&[mode]);
        let app: Vec<&str> = app.iter().map(String::as_str).collect();
        let output = play(&[file], &["--format", "json"], &app, &[]);
        let lines = json_lines(&output);
        assert_eq!(output.status.code(), Some(code), "{mode}: {lines:#?}");
        if mode.is_empty() {
            assert_eq!(statuses(&lines), ["passed"; 5]);
        } else {
            assert_eq!(
                statuses(&lines),
                ["passed", "passed", "passed", "passed", "failed"]
            );
            assert_eq!(
                step(&lines, 5)["cause"],
                "the app sent a text \"Order 4242 ships tomorrow.\" within 1 s; step 3 delivered \
                 its webhook twice (chaos = \"duplicate\"): did the app answer the copy as a new message?"
            );
        }
    }
}

/// An instant reply Picky Assist would not send (its `delay` not a number) is answered 200 by
/// nobody's choice but the app's: the step that expects it fails, with the field at fault.
#[test]
fn an_invalid_instant_reply_fails_its_step() {
    let conversation = manifest()
        .join("samples/conversations/picky.toml")
        .display()
        .to_string();
    let webhook = format!("127.0.0.1:{}/webhook", closed_port());
    let output = wa_hook()
        .args(["emulate", "test", &conversation, "--format", "json"])
        .args(["--webhook", &webhook, "--"])
        .args(["python3", &bot("picky_standin_bot.py"), "bad-delay"])
        .timeout(Duration::from_secs(120))
        .output()
        .unwrap();
    let lines = json_lines(&output);
    assert_eq!(output.status.code(), Some(1), "{lines:#?}");
    assert_eq!(statuses(&lines)[..2], ["passed", "failed"], "{lines:#?}");
    let cause = step(&lines, 2)["cause"].as_str().unwrap();
    assert!(cause.contains("not sent: /delay"), "{cause}");
}

/// `emulate record` leaves out the sends the emulator refused: played back, an `expect` made
/// of one would fail against the very app that was recorded.
#[test]
fn a_refused_send_is_not_recorded_as_an_expectation() {
    use crate::emulator::{App, Running};
    let app = App::start();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("session.jsonl");
    let emulator = Running::start(
        "qikchat",
        &app,
        &["--no-ui", "--out", out.to_str().unwrap()],
        &[],
    );
    let key = [("QIKCHAT-API-KEY", "any-key")];
    let wrong = serde_json::json!({"type": "text", "text": {"body": "Hello?"}});
    let right = serde_json::json!({"to_contact": "919000000000", "type": "text", "text": {"body": "Hello"}});
    assert_eq!(emulator.post("/v1/messages", &key, &wrong).0, 400);
    assert_eq!(emulator.post("/v1/messages", &key, &right).0, 200);
    let (code, _, stderr) = emulator.interrupt();
    assert_eq!(code, Some(0), "{stderr}");
    let output = wa_hook()
        .args(["emulate", "record", out.to_str().unwrap()])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{text}");
    assert_eq!(text.matches("[[steps]]").count(), 1, "{text}");
    assert!(text.contains("text = \"Hello\""), "{text}");
}
