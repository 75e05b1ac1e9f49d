//! The programs wa-hook starts and must stop again: the user's app (`doctor -- CMD`) and a
//! tunnel client (`listen --tunnel`). One home, so both are started, read and stopped alike.
//!
//! A child runs in a process group of its own: stopping it stops what it started too, and
//! Ctrl-C in the terminal reaches wa-hook alone, which then stops it in order. Its stdin is
//! closed; its stdout and stderr are read line by line, each line capped at [`MAX_LINE`], by a
//! thread per stream that keeps reading until the stream ends, since a child blocked on a full
//! pipe would stall. What becomes of a line (kept, shown, sent on) is the caller's.
use std::io::{BufRead, BufReader, Read};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// The longest line kept from a child's output; the rest of a longer line is skipped.
const MAX_LINE: u64 = 4096;

/// The children started by [`spawn`] and not yet reaped by [`stop_group`], whose group ids
/// therefore still name their groups: what [`signal_all`] may signal.
static UNREAPED: Mutex<Vec<u32>> = Mutex::new(Vec::new());

/// Start `command` in a new process group, stdin closed; each line of its stdout and stderr
/// (capped, line end trimmed) goes to `on_line`, called from threads named `name`.
pub(crate) fn spawn(
    command: &mut Command,
    name: &str,
    on_line: impl FnMut(String) + Clone + Send + 'static,
) -> std::io::Result<Child> {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .spawn()?;
    UNREAPED
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .push(child.id());
    if let Some(stdout) = child.stdout.take() {
        read_lines(stdout, name, on_line.clone());
    }
    if let Some(stderr) = child.stderr.take() {
        read_lines(stderr, name, on_line);
    }
    Ok(child)
}

/// Send `signal` to the process group of a child started by [`spawn`] (`id` is the child's,
/// which is the group's); nothing for an id that names no child.
pub(crate) fn signal_group(id: u32, signal: libc::c_int) {
    let Ok(group) = i32::try_from(id) else {
        return;
    };
    // 0 would be wa-hook's own group.
    if group > 0 {
        // SAFETY: kill(2) touches no memory; the group is the one `spawn` made for a child of
        // this process. Its id is not handed out again while any process of the group lives.
        unsafe {
            libc::kill(-group, signal);
        }
    }
}

/// Stop `child` and its group: SIGTERM, up to `grace` for it to end, then SIGKILL to what
/// is left of the group (what it started may outlive it). Reaped when this returns.
///
/// The child is reaped only after its group is signalled: until then its id, which is the
/// group's, cannot be handed to another process, so the signals cannot reach a stranger's group
/// (process ids wrap at 32,768 on many machines). Callers ask [`exited`], which does not reap.
pub(crate) fn stop_group(child: &mut Child, grace: Duration) {
    if exited(child).is_none() {
        signal_group(child.id(), libc::SIGTERM);
        let until = Instant::now() + grace;
        while Instant::now() < until && exited(child).is_none() {
            std::thread::sleep(Duration::from_millis(20));
        }
    }
    signal_group(child.id(), libc::SIGKILL);
    // Reaped under the lock: [`signal_all`] never signals a group whose id may be reused.
    let mut unreaped = UNREAPED.lock().unwrap_or_else(PoisonError::into_inner);
    unreaped.retain(|id| *id != child.id());
    let _ = child.kill();
    let _ = child.wait();
}

/// Send `signal` to the group of every child not yet reaped: the last resort of a second
/// Ctrl-C, which exits at once (doctor's app, listen's tunnel client), even while a child is
/// being stopped in order.
pub(crate) fn signal_all(signal: libc::c_int) {
    let unreaped = UNREAPED.lock().unwrap_or_else(PoisonError::into_inner);
    for id in unreaped.iter() {
        signal_group(*id, signal);
    }
}

/// How `child` ended, once it has, without reaping it (see [`stop_group`]): it stays a zombie,
/// holding its process and group id, until `stop_group` or `wait` reaps it.
pub(crate) fn exited(child: &Child) -> Option<ExitStatus> {
    let pid = libc::id_t::from(child.id());
    // SAFETY: waitid writes only into `info`, a zeroed siginfo_t it may fill.
    let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
    let found = unsafe {
        libc::waitid(
            libc::P_PID,
            pid,
            &raw mut info,
            libc::WEXITED | libc::WNOHANG | libc::WNOWAIT,
        )
    };
    // SAFETY: si_pid and si_status are set by waitid for a child that changed state.
    let (ended, status) = unsafe { (info.si_pid(), info.si_status()) };
    if found != 0 || ended == 0 {
        return None;
    }
    let raw = match info.si_code {
        libc::CLD_EXITED => (status & 0xff) << 8,
        libc::CLD_DUMPED => status | 0x80,
        _ => status,
    };
    Some(ExitStatus::from_raw(raw))
}

/// "exited with status 1", "was killed by SIGSEGV (a crash)".
pub(crate) fn exit_words(status: ExitStatus) -> String {
    if let Some(code) = status.code() {
        return format!("exited with status {code}");
    }
    match status.signal() {
        Some(libc::SIGSEGV) => "was killed by SIGSEGV (a crash)".to_string(),
        Some(libc::SIGABRT) => "was killed by SIGABRT (an abort)".to_string(),
        Some(libc::SIGKILL) => "was killed by SIGKILL (out of memory?)".to_string(),
        Some(signal) => format!("was killed by signal {signal}"),
        None => "ended".to_string(),
    }
}

/// Read `stream` line by line into `on_line` on a thread of its own, until it ends.
fn read_lines(
    stream: impl Read + Send + 'static,
    name: &str,
    mut on_line: impl FnMut(String) + Send + 'static,
) {
    let _ = std::thread::Builder::new()
        .name(name.into())
        .spawn(move || {
            let mut reader = BufReader::new(stream);
            let mut buffer = Vec::new();
            loop {
                buffer.clear();
                match (&mut reader).take(MAX_LINE).read_until(b'\n', &mut buffer) {
                    Ok(0) | Err(_) => break,
                    Ok(_) => {
                        if !buffer.ends_with(b"\n") && buffer.len() as u64 == MAX_LINE {
                            skip_line(&mut reader);
                        }
                        on_line(String::from_utf8_lossy(&buffer).trim_end().to_string());
                    }
                }
            }
        });
}

/// Skip to just past the next newline, a buffer at a time, without keeping what is skipped.
fn skip_line(reader: &mut impl BufRead) {
    loop {
        let (done, used) = match reader.fill_buf() {
            Ok([]) | Err(_) => return,
            Ok(buffer) => match buffer.iter().position(|b| *b == b'\n') {
                Some(at) => (true, at + 1),
                None => (false, buffer.len()),
            },
        };
        reader.consume(used);
        if done {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;

    fn spawn_sh(script: &str) -> (Child, mpsc::Receiver<String>) {
        let (sender, lines) = mpsc::channel();
        let child = spawn(
            Command::new("sh").args(["-c", script]),
            "wa-hook-test-output",
            move |line| {
                let _ = sender.send(line);
            },
        )
        .expect("sh runs");
        (child, lines)
    }

    #[test]
    fn exit_statuses_are_worded() {
        assert_eq!(
            exit_words(ExitStatus::from_raw(3 << 8)),
            "exited with status 3"
        );
        assert!(exit_words(ExitStatus::from_raw(libc::SIGSEGV)).contains("SIGSEGV"));
    }

    #[test]
    fn long_lines_are_capped_and_both_streams_read() {
        let (mut child, lines) =
            spawn_sh("head -c 10000 /dev/zero | tr '\\0' x; echo; echo after; echo err >&2");
        let _ = child.wait();
        let mut got: Vec<String> = lines.iter().collect();
        got.sort();
        assert_eq!(got, ["after", "err", &"x".repeat(MAX_LINE as usize)]);
    }

    #[test]
    fn stopping_ends_the_whole_group() {
        // The shell and its child ignore SIGTERM: only SIGKILL to the group ends both.
        let (mut child, lines) = spawn_sh("trap '' TERM; sleep 30 & echo started; wait");
        assert_eq!(
            lines.recv_timeout(Duration::from_secs(10)).as_deref(),
            Ok("started")
        );
        stop_group(&mut child, Duration::from_millis(100));
        assert!(child.try_wait().expect("reaped").is_some());
        // The sleeper holds the pipe too: it closes once the sleeper is gone.
        assert_eq!(
            lines.recv_timeout(Duration::from_secs(10)),
            Err(mpsc::RecvTimeoutError::Disconnected),
            "the group's other process outlived stop_group"
        );
    }
}
