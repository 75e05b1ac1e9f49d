//! One stop handle for every command (issue 23): a signal to the process and to its process
//! group (as GNU `timeout -s INT` and a terminal send) is one stop, after which the command
//! prints what it did; a second signal, later, exits 130 at once.
use std::io::Read;
use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::process::{Child, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use crate::common::*;

/// What GNU `timeout -s INT` does when its time is up: SIGINT to the child, then to the
/// process group (the child leads its own here). Sent back to back, the kernel often merges
/// the two into one (the second arrives while the first is pending); a few milliseconds apart,
/// the process surely receives two, as it did when `timeout` stopped replay silently.
pub fn signal_like_timeout(pid: u32) {
    let pid = libc::pid_t::try_from(pid).unwrap();
    // SAFETY: kill with the id of a child this test started (and leads its own group).
    assert_eq!(unsafe { libc::kill(pid, libc::SIGINT) }, 0);
    std::thread::sleep(Duration::from_millis(10));
    // SAFETY: as above.
    assert_eq!(unsafe { libc::kill(-pid, libc::SIGINT) }, 0);
}

/// One SIGINT to the process alone, as a second Ctrl-C.
pub fn interrupt(pid: u32) {
    let pid = libc::pid_t::try_from(pid).unwrap();
    // SAFETY: as above.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGINT) }, 0);
}

/// The child's output once it has exited, failing (and killing it) if it has not within
/// `timeout`.
pub fn output_within(child: Child, timeout: Duration) -> Output {
    let pid = child.id();
    let (done, output) = mpsc::channel();
    std::thread::spawn(move || done.send(child.wait_with_output()));
    let Ok(output) = output.recv_timeout(timeout) else {
        // SAFETY: the child this test started, not yet reaped (its waiter is blocked).
        unsafe { libc::kill(pid as libc::pid_t, libc::SIGKILL) };
        panic!("the process did not exit within {timeout:?}");
    };
    output.unwrap()
}

/// A server that takes connections, reads what comes, and never answers; says when the first
/// bytes of a request arrived.
fn silent_server() -> (String, mpsc::Receiver<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/webhook", listener.local_addr().unwrap());
    let (arrived, first_request) = mpsc::channel();
    std::thread::spawn(move || {
        for mut stream in listener.incoming().take(16).flatten() {
            let arrived = arrived.clone();
            std::thread::spawn(move || {
                let mut buffer = [0; 4096];
                while stream.read(&mut buffer).is_ok_and(|n| n > 0) {
                    let _ = arrived.send(());
                }
            });
        }
    });
    (url, first_request)
}

fn text(output: &Output) -> String {
    format!(
        "stdout:\n{}\nstderr:\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// `timeout -s INT 2 wa-hook replay ... -n 100000` printed nothing: the two SIGINTs were taken
/// for two Ctrl-Cs. Now they are one stop: sending stops, the summary says what was sent, 130.
#[test]
fn replay_signalled_with_its_group_prints_its_summary() {
    let (arrived, first_request) = mpsc::channel::<()>();
    let arrived = std::sync::Mutex::new(arrived);
    // A slow answer: the request under way at the signal is still under way at its repeat.
    let server = RecordingServer::with_responder(move |_| {
        let _ = arrived.lock().unwrap().send(());
        std::thread::sleep(Duration::from_millis(50));
        Reply::ok()
    });
    let child = wa_hook_process()
        .process_group(0)
        .args(["replay", "qikchat/message-text", "-n", "1000000"])
        .args(["--format", "json", "--to", &server.url])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    first_request
        .recv_timeout(Duration::from_secs(30))
        .expect("replay sent a request");
    signal_like_timeout(child.id());
    let output = output_within(child, Duration::from_secs(30));
    assert_eq!(output.status.code(), Some(130), "{}", text(&output));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let summary: serde_json::Value = serde_json::from_str(stdout.lines().last().unwrap())
        .unwrap_or_else(|err| panic!("no JSON summary ({err}): {}", text(&output)));
    let sent = summary["sent"].as_u64().unwrap();
    assert!((1..1_000_000).contains(&sent), "{summary}");
    assert_eq!(summary["responses"].as_u64().unwrap(), sent);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("stopped by Ctrl-C or SIGTERM after"),
        "{stderr}"
    );
}

/// A second Ctrl-C, well after the first, stops at once: the request under way (which the
/// first lets finish) is not waited for.
#[test]
fn replay_stops_at_once_on_a_second_signal() {
    let (url, first_request) = silent_server();
    let mut child = wa_hook_process()
        .args([
            "replay",
            "qikchat/message-text",
            "-n",
            "5",
            "--timeout",
            "10min",
        ])
        .args(["--format", "json", "--to", &url])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    first_request
        .recv_timeout(Duration::from_secs(30))
        .expect("replay sent a request");
    interrupt(child.id());
    // Longer than a signal delivered twice takes; the request under way holds replay.
    std::thread::sleep(Duration::from_millis(300));
    assert!(child.try_wait().unwrap().is_none(), "replay did not wait");
    interrupt(child.id());
    let output = output_within(child, Duration::from_secs(10));
    assert_eq!(output.status.code(), Some(130), "{}", text(&output));
}

/// doctor, signalled as `timeout` does while a request hangs: one stop, the checks done are
/// printed, 130.
#[test]
fn doctor_signalled_with_its_group_prints_what_was_done() {
    let (url, first_request) = silent_server();
    let child = wa_hook_process()
        .process_group(0)
        .args([
            "doctor",
            &url,
            "--provider",
            "partner",
            "--timeout",
            "10min",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    first_request
        .recv_timeout(Duration::from_secs(30))
        .expect("doctor sent a request");
    signal_like_timeout(child.id());
    let output = output_within(child, Duration::from_secs(30));
    assert_eq!(output.status.code(), Some(130), "{}", text(&output));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("interrupted"), "{}", text(&output));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("doctor stopped by Ctrl-C or SIGTERM;"),
        "{stderr}"
    );
}

/// Whether process `pid` has ended (gone, or a zombie nobody reaped yet), waiting up to 10 s.
fn ends(pid: &str) -> bool {
    let give_up = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let ended = std::fs::read_to_string(format!("/proc/{pid}/stat")).map_or(true, |stat| {
            stat.rsplit(')')
                .next()
                .unwrap_or("")
                .trim_start()
                .starts_with('Z')
        });
        if ended || std::time::Instant::now() > give_up {
            return ended;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A second Ctrl-C while doctor stops an app that ignores SIGTERM (it waits 3 s before
/// SIGKILL) exits 130 at once, and the app's group is killed all the same.
#[test]
fn doctor_kills_the_app_on_a_second_signal() {
    let dir = tempfile::tempdir().unwrap();
    let pid_file = dir.path().join("pid");
    let port = closed_port().to_string();
    let app = format!(
        "trap '' TERM; echo $$ > {}; exec sleep 60",
        pid_file.display()
    );
    let mut child = wa_hook_process()
        .args(["doctor", &port, "--provider", "partner"])
        .args(["--start-timeout", "10min", "--", "sh", "-c", &app])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let give_up = std::time::Instant::now() + Duration::from_secs(30);
    let pid = loop {
        match std::fs::read_to_string(&pid_file) {
            Ok(pid) if pid.ends_with('\n') => break pid.trim().to_string(),
            _ => assert!(std::time::Instant::now() < give_up, "the app never started"),
        }
        std::thread::yield_now();
    };
    interrupt(child.id());
    // Longer than a signal delivered twice takes; doctor now stops the app, which ignores
    // SIGTERM, for 3 s.
    std::thread::sleep(Duration::from_millis(300));
    assert!(child.try_wait().unwrap().is_none(), "doctor did not wait");
    interrupt(child.id());
    let output = output_within(child, Duration::from_secs(2));
    assert_eq!(output.status.code(), Some(130), "{}", text(&output));
    assert!(ends(&pid), "the app ({pid}) still runs");
}
