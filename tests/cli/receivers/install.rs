//! Installing the real receivers on first use, and starting them.
//!
//! The pinned packages (tests/receivers/python/requirements.txt, tests/receivers/node/
//! package-lock.json) go into `target/receivers/{python,node}` once per test run: a `OnceLock`
//! per receiver for the test threads, an exclusive `flock` on `target/receivers/.lock` for
//! concurrent test processes, and each install built in a private folder and renamed into
//! place only when finished, so nobody ever sees half an install. An install whose pins no
//! longer match the committed files is replaced. Only PyPI and npm are contacted (by pip and
//! npm, with their own registry settings); the apps themselves never reach beyond 127.0.0.1.

use std::fs;
use std::io::{BufRead, BufReader, Read};
use std::os::unix::io::AsRawFd;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::sync::{Arc, Mutex, OnceLock};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// The verify token and app secret the receivers are started with, from these variables (the
/// same names doctor and replay are pointed at with `--verify-token-env` / `--app-secret-env`).
pub const VERIFY_TOKEN_ENV: &str = "VERIFY_TOKEN";
pub const APP_SECRET_ENV: &str = "APP_SECRET";
pub const VERIFY_TOKEN: &str = "receiver-verify-token-7c1f";
pub const APP_SECRET: &str = "receiver-app-secret-93be0d";

/// How long an install (pip or npm, from the registry) may take before it counts as failed.
const INSTALL_TIMEOUT: Duration = Duration::from_secs(300);
/// How long a receiver may take to print its URL.
pub const START_TIMEOUT: Duration = Duration::from_secs(60);

/// The real receivers the suite runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// pywa 4.5 on Flask (PyPI).
    PywaFlask,
    /// whatsapp-api-js 6.3 with express (npm).
    WhatsappApiJsExpress,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::PywaFlask => "pywa with Flask",
            Kind::WhatsappApiJsExpress => "whatsapp-api-js with express",
        }
    }

    /// The folder under target/receivers it is installed into.
    fn folder(self) -> &'static str {
        match self {
            Kind::PywaFlask => "python",
            Kind::WhatsappApiJsExpress => "node",
        }
    }
}

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn receivers_root() -> PathBuf {
    manifest_dir().join("target").join("receivers")
}

fn sources(kind: Kind) -> PathBuf {
    manifest_dir()
        .join("tests")
        .join("receivers")
        .join(kind.folder())
}

/// Whether this run is CI's, where a receiver that cannot be installed fails the test.
fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|value| !value.is_empty() && value != "false" && value != "0")
}

/// The install folder of `kind`, installing it on first use. `None` (after saying why on
/// stderr) where it cannot be installed outside CI; in CI that panics with the reason.
pub fn installed(kind: Kind) -> Option<&'static Path> {
    static PYTHON: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    static NODE: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    let cell = match kind {
        Kind::PywaFlask => &PYTHON,
        Kind::WhatsappApiJsExpress => &NODE,
    };
    match cell.get_or_init(|| install(kind)) {
        Ok(dir) => Some(dir.as_path()),
        Err(why) if in_ci() => panic!("{}: {why}", kind.name()),
        Err(why) => {
            eprintln!(
                "skipped: {} cannot run here: {why} (in CI, with CI=true, this fails)",
                kind.name()
            );
            None
        }
    }
}

/// What a finished install is made from: its pinned files, byte for byte.
fn pins(kind: Kind) -> Result<Vec<u8>, String> {
    let files: &[&str] = match kind {
        Kind::PywaFlask => &["requirements.txt"],
        Kind::WhatsappApiJsExpress => &["package.json", "package-lock.json"],
    };
    let mut pins = Vec::new();
    for file in files {
        let path = sources(kind).join(file);
        pins.extend(fs::read(&path).map_err(|e| format!("reading {}: {e}", path.display()))?);
    }
    Ok(pins)
}

const PINS_FILE: &str = ".installed-pins";

fn install(kind: Kind) -> Result<PathBuf, String> {
    let root = receivers_root();
    let target = root.join(kind.folder());
    let pins = pins(kind)?;
    fs::create_dir_all(&root).map_err(|e| format!("creating {}: {e}", root.display()))?;
    // The tools first, also where the install is already there: the apps need them to run.
    match kind {
        Kind::PywaFlask => run_tool(
            Command::new("python3").args(["-m", "pip", "--version"]),
            "python3 with pip is needed (python3 -m pip --version)",
        )?,
        Kind::WhatsappApiJsExpress => {
            run_tool(
                Command::new("node").arg("--version"),
                "node is needed (node --version)",
            )?;
            run_tool(
                Command::new("npm").arg("--version"),
                "npm is needed (npm --version)",
            )?;
        }
    }
    let _lock = FolderLock::take(&root.join(".lock"))?;
    // Under the lock nobody else is building: a `.python-*` / `.node-*` folder is what an
    // installer that died left behind.
    if let Ok(entries) = fs::read_dir(&root) {
        let leftover = format!(".{}-", kind.folder());
        for entry in entries.flatten() {
            if entry.file_name().to_string_lossy().starts_with(&leftover) {
                let _ = fs::remove_dir_all(entry.path());
            }
        }
    }
    if fs::read(target.join(PINS_FILE)).ok().as_deref() != Some(&pins[..]) {
        let building = root.join(format!(".{}-{}", kind.folder(), std::process::id()));
        let _ = fs::remove_dir_all(&building);
        fs::create_dir_all(&building)
            .map_err(|e| format!("creating {}: {e}", building.display()))?;
        let built = match kind {
            Kind::PywaFlask => install_python(&building),
            Kind::WhatsappApiJsExpress => install_node(&building),
        }
        .and_then(|()| {
            fs::write(building.join(PINS_FILE), &pins).map_err(|e| format!("writing pins: {e}"))
        });
        if let Err(why) = built {
            let _ = fs::remove_dir_all(&building);
            return Err(why);
        }
        if target.exists() {
            let old = root.join(format!(".{}-old-{}", kind.folder(), std::process::id()));
            fs::rename(&target, &old).map_err(|e| format!("moving the old install away: {e}"))?;
            let _ = fs::remove_dir_all(&old);
        }
        fs::rename(&building, &target)
            .map_err(|e| format!("moving the install into {}: {e}", target.display()))?;
    }
    if kind == Kind::WhatsappApiJsExpress {
        // Node resolves an ES module's imports next to the file: each app runs from a copy
        // beside node_modules, refreshed from the committed file on every run.
        for script in [Script::Receiver, Script::EmulatorClient] {
            let file = script.file(kind);
            let app =
                fs::read(sources(kind).join(file)).map_err(|e| format!("reading {file}: {e}"))?;
            let copy = target.join(file);
            if fs::read(&copy).ok() != Some(app.clone()) {
                let fresh = target.join(format!(".app-{}.mjs", std::process::id()));
                fs::write(&fresh, &app).map_err(|e| format!("writing {}: {e}", fresh.display()))?;
                fs::rename(&fresh, &copy).map_err(|e| format!("placing {file}: {e}"))?;
            }
        }
    }
    Ok(target)
}

fn install_python(into: &Path) -> Result<(), String> {
    let requirements = sources(Kind::PywaFlask).join("requirements.txt");
    run_tool(
        Command::new("python3")
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
            ])
            .args(["--no-input", "--no-warn-script-location", "--timeout", "30"])
            .arg("--target")
            .arg(into)
            .arg("-r")
            .arg(&requirements)
            .env("PIP_ROOT_USER_ACTION", "ignore"),
        "pip could not install tests/receivers/python/requirements.txt",
    )
}

fn install_node(into: &Path) -> Result<(), String> {
    for file in ["package.json", "package-lock.json"] {
        fs::copy(
            sources(Kind::WhatsappApiJsExpress).join(file),
            into.join(file),
        )
        .map_err(|e| format!("copying {file}: {e}"))?;
    }
    run_tool(
        Command::new("npm")
            .args(["ci", "--ignore-scripts", "--no-audit", "--no-fund"])
            .args(["--loglevel", "error", "--no-update-notifier"])
            .current_dir(into),
        "npm ci could not install tests/receivers/node/package-lock.json",
    )
}

/// Run a tool to the end (at most `INSTALL_TIMEOUT`); on failure, `what` and its output.
fn run_tool(command: &mut Command, what: &str) -> Result<(), String> {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| {
            format!(
                "{what}: cannot start {}: {e}",
                command.get_program().display()
            )
        })?;
    let output = collect(child.stdout.take(), child.stderr.take());
    let deadline = Instant::now() + INSTALL_TIMEOUT;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(50));
            }
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("{what}: no result within {INSTALL_TIMEOUT:?}"));
            }
        }
    };
    let output = output.join().unwrap_or_default();
    if status.success() {
        Ok(())
    } else {
        let tail: Vec<&str> = output.lines().rev().take(6).collect();
        let tail: Vec<&str> = tail.into_iter().rev().collect();
        Err(format!("{what} ({status}): {}", tail.join(" / ")))
    }
}

/// Read a child's stdout and stderr to the end in the background.
fn collect(
    stdout: Option<std::process::ChildStdout>,
    stderr: Option<std::process::ChildStderr>,
) -> JoinHandle<String> {
    std::thread::spawn(move || {
        let errors = std::thread::spawn(move || {
            let mut text = String::new();
            if let Some(mut stderr) = stderr {
                let _ = stderr.read_to_string(&mut text);
            }
            text
        });
        let mut text = String::new();
        if let Some(mut stdout) = stdout {
            let _ = stdout.read_to_string(&mut text);
        }
        text + &errors.join().unwrap_or_default()
    })
}

/// An exclusive `flock` on a file, held until dropped: one installer at a time across
/// processes (the kernel releases it if the holder dies).
struct FolderLock(fs::File);

impl FolderLock {
    fn take(path: &Path) -> Result<FolderLock, String> {
        let file = fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(path)
            .map_err(|e| format!("opening {}: {e}", path.display()))?;
        // SAFETY: flock on a descriptor this struct owns; it changes no memory.
        if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX) } != 0 {
            return Err(format!(
                "locking {}: {}",
                path.display(),
                std::io::Error::last_os_error()
            ));
        }
        Ok(FolderLock(file))
    }
}

impl Drop for FolderLock {
    fn drop(&mut self) {
        // SAFETY: as above.
        unsafe { libc::flock(self.0.as_raw_fd(), libc::LOCK_UN) };
    }
}

/// The command line that starts a receiver (for `wa-hook doctor URL -- PROGRAM ARGS`): program,
/// arguments and the environment it needs besides `PORT`, `VERIFY_TOKEN` and `APP_SECRET`.
/// With `PORT=0` the app picks a free port and prints its URL first on stdout; a caller that
/// must know the URL beforehand (doctor's `--`) sets `PORT` itself.
pub struct AppCommand {
    pub program: String,
    pub args: Vec<String>,
    pub env: Vec<(String, String)>,
}

pub fn app_command(kind: Kind, installed: &Path) -> AppCommand {
    script_command(kind, Script::Receiver, installed)
}

/// Which of a kind's apps to run: both use the same installed SDK.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Script {
    /// The receiver from the SDK's README (pywa_flask.py, whatsapp_api_js_express.mjs), whose
    /// Graph API calls go to a stand-in.
    Receiver,
    /// The app that sends through `wa-hook emulate meta` and receives its webhooks
    /// (pywa_app.py, whatsapp_api_js_app.mjs; see receivers/emulate.rs).
    EmulatorClient,
}

impl Script {
    fn file(self, kind: Kind) -> &'static str {
        match (kind, self) {
            (Kind::PywaFlask, Script::Receiver) => "pywa_flask.py",
            (Kind::PywaFlask, Script::EmulatorClient) => "pywa_app.py",
            (Kind::WhatsappApiJsExpress, Script::Receiver) => "whatsapp_api_js_express.mjs",
            (Kind::WhatsappApiJsExpress, Script::EmulatorClient) => "whatsapp_api_js_app.mjs",
        }
    }
}

/// The command line of `kind`'s `script` (see [`app_command`]).
pub fn script_command(kind: Kind, script: Script, installed: &Path) -> AppCommand {
    match kind {
        Kind::PywaFlask => AppCommand {
            program: "python3".into(),
            args: vec![sources(kind).join(script.file(kind)).display().to_string()],
            env: vec![
                ("PYTHONPATH".into(), installed.display().to_string()),
                ("PYTHONDONTWRITEBYTECODE".into(), "1".into()),
                ("PYTHONUNBUFFERED".into(), "1".into()),
            ],
        },
        Kind::WhatsappApiJsExpress => AppCommand {
            program: "node".into(),
            args: vec![installed.join(script.file(kind)).display().to_string()],
            env: vec![],
        },
    }
}

impl AppCommand {
    /// A `std::process::Command` for it, with the secrets and `PORT=0`.
    pub fn command(&self) -> Command {
        let mut command = Command::new(&self.program);
        command
            .args(&self.args)
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .env("PORT", "0")
            .env(VERIFY_TOKEN_ENV, VERIFY_TOKEN)
            .env(APP_SECRET_ENV, APP_SECRET);
        command
    }
}

/// A receiver running on 127.0.0.1, killed (by its pid) when dropped.
pub struct Running {
    /// Its webhook URL, as it printed it.
    pub url: String,
    child: Child,
    log: Arc<Mutex<String>>,
    log_reader: Option<JoinHandle<()>>,
}

impl Running {
    /// Install if needed and start `kind`; `None` where it cannot run here (outside CI).
    pub fn start(kind: Kind) -> Option<Running> {
        let installed = installed(kind)?;
        let mut child = app_command(kind, installed)
            .command()
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("starting {}: {e}", kind.name()));
        let log = Arc::new(Mutex::new(String::new()));
        let mut stderr = BufReader::new(child.stderr.take().expect("stderr"));
        let log_reader = {
            let log = Arc::clone(&log);
            std::thread::spawn(move || {
                let mut line = String::new();
                while stderr.read_line(&mut line).is_ok_and(|read| read > 0) {
                    log.lock().unwrap().push_str(&line);
                    line.clear();
                }
            })
        };
        let first_line = first_line(child.stdout.take().expect("stdout"));
        let mut running = Running {
            url: String::new(),
            child,
            log,
            log_reader: Some(log_reader),
        };
        match first_line.recv_timeout(START_TIMEOUT) {
            Ok(line) if line.starts_with("http://127.0.0.1:") => {
                running.url = line.trim().to_string();
                Some(running)
            }
            other => {
                let log = running.stop();
                panic!(
                    "{} printed no URL ({other:?}); its log:\n{log}",
                    kind.name()
                )
            }
        }
    }

    /// Everything the app logged so far.
    pub fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    /// Stop it and return its whole log.
    pub fn stop(&mut self) -> String {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if let Some(reader) = self.log_reader.take() {
            let _ = reader.join();
        }
        self.log()
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The first line of a child's stdout, read in the background (the rest is drained).
fn first_line(stdout: std::process::ChildStdout) -> Receiver<String> {
    let (sender, receiver) = mpsc::channel();
    std::thread::spawn(move || {
        let mut stdout = BufReader::new(stdout);
        let mut line = String::new();
        let _ = stdout.read_line(&mut line);
        let _ = sender.send(line);
        let _ = std::io::copy(&mut stdout, &mut std::io::sink());
    });
    receiver
}
