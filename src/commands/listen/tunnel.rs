//! `listen --tunnel`: a public URL for the listener, through a tunnel client the user has
//! installed — cloudflared's quick tunnels, ngrok, or an SSH service that takes `ssh -R
//! 80:HOST:PORT` (localhost.run, serveo). wa-hook starts the client against the listener's port, reads its public URL, prints
//! it with where each provider takes it, and stops the client when listen stops.
//!
//! The client is started, read and stopped by `crate::child`: its output keeps being read
//! after the URL is found (a client blocked on a full pipe would stall the tunnel). Nothing
//! here sends a request anywhere but to ngrok's local API on loopback.
use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::process::{Child, Command};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use anyhow::bail;

/// How long a client may take to print its public URL.
pub const URL_TIMEOUT: Duration = Duration::from_secs(30);
/// How long a client may take to stop after SIGTERM before SIGKILL.
const STOP_GRACE: Duration = Duration::from_secs(2);
/// Lines kept to explain a client that printed no URL.
const KEPT_LINES: usize = 8;
/// ngrok's local API (`WA_HOOK_NGROK_API` overrides it; it must stay on loopback).
const NGROK_API: &str = "127.0.0.1:4040";

/// Which client, as `--tunnel` names it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TunnelKind {
    Cloudflared,
    Ngrok,
    /// `ssh:HOST`, e.g. `ssh:nokey@localhost.run`.
    Ssh(String),
}

impl std::fmt::Display for TunnelKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TunnelKind::Ssh(host) => write!(f, "ssh {host}"),
            other => f.write_str(other.program()),
        }
    }
}

impl TunnelKind {
    pub fn parse(text: &str) -> anyhow::Result<TunnelKind> {
        match text.trim() {
            "cloudflared" | "cloudflare" => Ok(TunnelKind::Cloudflared),
            "ngrok" => Ok(TunnelKind::Ngrok),
            other => match other.strip_prefix("ssh:") {
                Some(host) if !host.is_empty() && !host.starts_with('-') => {
                    Ok(TunnelKind::Ssh(host.to_string()))
                }
                _ => bail!(
                    "--tunnel `{other}` is not a tunnel wa-hook knows; use cloudflared, ngrok or \
                     ssh:HOST (e.g. ssh:nokey@localhost.run)"
                ),
            },
        }
    }

    /// [`TunnelKind::parse`], and the client found on PATH: checked before listen binds its
    /// port or prints a URL, so a missing client is the only thing said (exit 2).
    pub fn parse_installed(text: &str) -> anyhow::Result<TunnelKind> {
        let kind = TunnelKind::parse(text)?;
        if !on_path(kind.program()) {
            bail!(
                "--tunnel {}: `{}` is not on PATH; {}",
                kind.program(),
                kind.program(),
                kind.install_hint()
            );
        }
        Ok(kind)
    }

    fn program(&self) -> &'static str {
        match self {
            TunnelKind::Cloudflared => "cloudflared",
            TunnelKind::Ngrok => "ngrok",
            TunnelKind::Ssh(_) => "ssh",
        }
    }

    /// The client's arguments to expose `local`, the address listen is bound to (loopback
    /// when it listens on every address).
    pub fn args(&self, local: std::net::SocketAddr) -> Vec<String> {
        let ip = match local.ip() {
            ip if ip.is_unspecified() => std::net::IpAddr::from([127, 0, 0, 1]),
            ip => ip,
        };
        let address = std::net::SocketAddr::new(ip, local.port()).to_string();
        match self {
            TunnelKind::Cloudflared => {
                vec!["tunnel".into(), "--url".into(), format!("http://{address}")]
            }
            TunnelKind::Ngrok => vec!["http".into(), address, "--log".into(), "stdout".into()],
            TunnelKind::Ssh(host) => vec![
                "-o".into(),
                "ExitOnForwardFailure=yes".into(),
                "-o".into(),
                "ServerAliveInterval=30".into(),
                "-o".into(),
                "StrictHostKeyChecking=accept-new".into(),
                // A shared connection would keep the forward after listen stops.
                "-o".into(),
                "ControlMaster=no".into(),
                "-o".into(),
                "ControlPath=none".into(),
                "-R".into(),
                format!("80:{address}"),
                host.clone(),
            ],
        }
    }

    fn install_hint(&self) -> &'static str {
        match self {
            TunnelKind::Cloudflared => {
                "install cloudflared (Cloudflare's apt repository, `brew install cloudflared`, or the \
                 release binary from github.com/cloudflare/cloudflared); quick tunnels need no account"
            }
            TunnelKind::Ngrok => {
                "install ngrok (ngrok.com/download) and run `ngrok config add-authtoken TOKEN` once"
            }
            TunnelKind::Ssh(_) => "install an OpenSSH client (`apt-get install openssh-client`)",
        }
    }
}

/// True when `program` is an executable file in one of PATH's folders (what `Command` would
/// run).
fn on_path(program: &str) -> bool {
    let Some(path) = std::env::var_os("PATH") else {
        return false;
    };
    std::env::split_paths(&path).any(|folder| {
        let candidate = folder.join(program);
        let Ok(metadata) = std::fs::metadata(&candidate) else {
            return false;
        };
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            metadata.is_file() && metadata.permissions().mode() & 0o111 != 0
        }
        #[cfg(not(unix))]
        {
            metadata.is_file()
        }
    })
}

/// A running tunnel client; stopped when dropped.
pub struct Tunnel {
    child: Child,
    /// The local port it exposes.
    port: u16,
    /// Set once listen stops it, so its end is not reported as a failure.
    stopping: std::sync::Arc<std::sync::atomic::AtomicBool>,
    /// Says when the watcher has said what it had to (see [`Tunnel::watch`]).
    watched: Option<Receiver<()>>,
    pub public_url: String,
    pub kind: TunnelKind,
}

impl Tunnel {
    /// Start the client for `port` and wait for its public URL. `interrupted` returns true
    /// when the user pressed Ctrl-C meanwhile.
    pub fn start(
        kind: TunnelKind,
        local: std::net::SocketAddr,
        secret_vars: &[&str],
        interrupted: &dyn Fn() -> bool,
    ) -> anyhow::Result<Tunnel> {
        let port = local.port();
        let mut command = Command::new(kind.program());
        command.args(kind.args(local));
        // The client needs none of wa-hook's secrets.
        for var in secret_vars {
            command.env_remove(var);
        }
        let (lines_tx, lines) = mpsc::channel();
        // Read to the end, also once nobody waits for the URL any more.
        let on_line = move |line| {
            let _ = lines_tx.send(line);
        };
        let spawned = crate::child::spawn(&mut command, "wa-hook-tunnel-output", on_line);
        let child = spawned.map_err(|err| match err.kind() {
            std::io::ErrorKind::NotFound => anyhow::anyhow!(
                "--tunnel {}: `{}` is not on PATH; {}",
                kind.program(),
                kind.program(),
                kind.install_hint()
            ),
            _ => anyhow::anyhow!("--tunnel: starting {}: {err}", kind.program()),
        })?;

        let mut tunnel = Tunnel {
            child,
            port,
            stopping: std::sync::Arc::default(),
            watched: None,
            public_url: String::new(),
            kind,
        };
        tunnel.public_url = tunnel.wait_for_url(&lines, interrupted)?;
        tunnel.watch(lines);
        Ok(tunnel)
    }

    /// The public URL, if this line of the client's output gives it (ngrok's is read from its
    /// API instead).
    fn read_url(&self, line: &str) -> Option<String> {
        match &self.kind {
            TunnelKind::Cloudflared => cloudflared_url(line),
            TunnelKind::Ssh(_) => ssh_url(line),
            TunnelKind::Ngrok => None,
        }
    }

    /// Say so when the client ends while listen goes on: the public URL then leads nowhere.
    fn watch(&mut self, lines: Receiver<String>) {
        let program = self.kind.to_string();
        let stopping = std::sync::Arc::clone(&self.stopping);
        let (done_tx, done) = mpsc::channel();
        self.watched = Some(done);
        let _ = std::thread::Builder::new()
            .name("wa-hook-tunnel-watch".into())
            .spawn(move || {
                let mut kept = Vec::new();
                // The client's streams close when it ends (or hands them on and exits).
                while let Ok(line) = lines.recv() {
                    remember(&mut kept, line);
                }
                if !stopping.load(std::sync::atomic::Ordering::SeqCst) {
                    crate::output::warn(format!(
                        "the tunnel client ({program}) stopped: the public URL no longer reaches \
                         listen{}",
                        last_lines(&kept)
                    ));
                }
                let _ = done_tx.send(());
            });
    }

    fn wait_for_url(
        &mut self,
        lines: &Receiver<String>,
        interrupted: &dyn Fn() -> bool,
    ) -> anyhow::Result<String> {
        let deadline = Instant::now() + URL_TIMEOUT;
        let mut kept: Vec<String> = Vec::new();
        let program = self.kind.program();
        loop {
            if interrupted() {
                bail!("stopped while waiting for {program}'s public URL");
            }
            if let Some(status) = crate::child::exited(&self.child) {
                // Read what it said before it ended: its streams close once their readers
                // have sent everything (a second at most, if it left a child holding them).
                let until = Instant::now() + Duration::from_secs(1);
                while let Some(left) = until.checked_duration_since(Instant::now()) {
                    match lines.recv_timeout(left) {
                        Ok(line) => match self.read_url(&line) {
                            Some(url) => return Ok(url),
                            None => remember(&mut kept, line),
                        },
                        Err(_) => break,
                    }
                }
                bail!(
                    "{program} stopped ({status}) before printing a public URL{}",
                    last_lines(&kept)
                );
            }
            let now = Instant::now();
            if now >= deadline {
                bail!(
                    "{program} printed no public URL within {} s{}",
                    URL_TIMEOUT.as_secs(),
                    last_lines(&kept)
                );
            }
            let wait = (deadline - now).min(Duration::from_millis(200));
            match lines.recv_timeout(wait) {
                Ok(line) => match self.read_url(&line) {
                    Some(url) => return Ok(url),
                    None => remember(&mut kept, line),
                },
                Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => {}
            }
            if self.kind == TunnelKind::Ngrok {
                if let Some(url) = ngrok_api_url(self.port) {
                    return Ok(url);
                }
            }
        }
    }

    /// Stop the client and its group: SIGTERM, [`STOP_GRACE`], then SIGKILL. A client that
    /// had already ended has been reported by the watcher before this returns (a second at
    /// most).
    pub fn stop(&mut self) {
        if crate::child::exited(&self.child).is_some() {
            if let Some(watched) = self.watched.take() {
                let _ = watched.recv_timeout(Duration::from_secs(1));
            }
            // Reaped, after what it left in its group is ended.
            crate::child::stop_group(&mut self.child, Duration::ZERO);
            return;
        }
        self.stopping
            .store(true, std::sync::atomic::Ordering::SeqCst);
        crate::child::stop_group(&mut self.child, STOP_GRACE);
    }

    /// True while the client runs.
    pub fn is_running(&mut self) -> bool {
        crate::child::exited(&self.child).is_none()
    }
}

impl Drop for Tunnel {
    fn drop(&mut self) {
        self.stop();
    }
}

fn remember(kept: &mut Vec<String>, line: String) {
    if line.trim().is_empty() {
        return;
    }
    if kept.len() == KEPT_LINES {
        kept.remove(0);
    }
    kept.push(crate::output::excerpt(&line, 200));
}

fn last_lines(kept: &[String]) -> String {
    if kept.is_empty() {
        String::new()
    } else {
        format!("; its last lines:\n  {}", kept.join("\n  "))
    }
}

/// Every `https://…` URL in a line, up to whitespace or a table's `|`.
fn https_urls(line: &str) -> impl Iterator<Item = &str> {
    line.match_indices("https://").map(move |(start, _)| {
        let rest = &line[start..];
        let end = rest
            .find(|c: char| c.is_whitespace() || matches!(c, '|' | '"' | '\'' | ',' | ')'))
            .unwrap_or(rest.len());
        &rest[..end]
    })
}

fn host_of(url: &str) -> &str {
    let rest = url.trim_start_matches("https://");
    &rest[..rest.find(['/', ':']).unwrap_or(rest.len())]
}

/// A quick tunnel's URL, as cloudflared prints it on stderr in a box:
/// `INF |  https://random-words.trycloudflare.com  |`.
pub fn cloudflared_url(line: &str) -> Option<String> {
    // Only the boxed line: its own errors name https://api.trycloudflare.com/... too.
    if !line.contains('|') {
        return None;
    }
    https_urls(line)
        .find(|url| {
            let host = host_of(url);
            host.ends_with(".trycloudflare.com")
                && host.len() > ".trycloudflare.com".len()
                && host != "api.trycloudflare.com"
                && url.len() == "https://".len() + host.len()
        })
        .map(with_slash)
}

/// The URL an SSH tunnel service prints in its banner (localhost.run: `abc.lhr.life tunneled
/// with tls termination, https://abc.lhr.life`; serveo: `Forwarding HTTP traffic from
/// https://abc.serveo.net`; pinggy: `https://abc.a.free.pinggy.link`). Links to the services'
/// own pages (admin, docs, dashboard) and URLs with a path are not it.
pub fn ssh_url(line: &str) -> Option<String> {
    https_urls(line)
        .find(|url| {
            let host = host_of(url);
            let path = url
                .trim_start_matches("https://")
                .get(host.len()..)
                .unwrap_or("");
            let own_page = ["admin.", "www.", "docs.", "dashboard.", "help."]
                .iter()
                .any(|prefix| host.starts_with(prefix));
            host.split('.').count() >= 3 && !own_page && matches!(path, "" | "/")
        })
        .map(with_slash)
}

/// The https tunnel ngrok's local API lists for `port`, if it is up yet.
pub fn ngrok_api_url(port: u16) -> Option<String> {
    let api = std::env::var("WA_HOOK_NGROK_API").unwrap_or_else(|_| NGROK_API.to_string());
    let body = loopback_get(&api, "/api/tunnels")?;
    ngrok_tunnels_url(&body, port)
}

/// `tunnels[].public_url` from ngrok's `/api/tunnels` answer, https first — only tunnels to
/// `port` on this machine (another ngrok agent may be answering on 4040 with its own).
pub fn ngrok_tunnels_url(body: &str, port: u16) -> Option<String> {
    let answer: serde_json::Value = serde_json::from_str(body).ok()?;
    let ours = |tunnel: &&serde_json::Value| {
        tunnel["config"]["addr"].as_str().is_some_and(|addr| {
            let addr = addr.trim_end_matches('/');
            addr.rsplit_once(':')
                .is_some_and(|(_, p)| p == port.to_string())
        })
    };
    let urls: Vec<&str> = answer["tunnels"]
        .as_array()?
        .iter()
        .filter(ours)
        .filter_map(|tunnel| tunnel["public_url"].as_str())
        .collect();
    urls.iter()
        .find(|url| url.starts_with("https://"))
        .or_else(|| urls.first())
        .map(|url| with_slash(url))
}

/// `address` as a socket address on this machine, or `None` (ngrok's API is only ever asked
/// on loopback, whatever the environment says).
fn loopback_socket(address: &str) -> Option<std::net::SocketAddr> {
    let socket = address.to_socket_addrs().ok()?.next()?;
    socket.ip().is_loopback().then_some(socket)
}

/// A plain HTTP/1.0 GET to an address on this machine, answer capped at 1 MiB; `None` on any
/// failure (the API is simply not up yet).
fn loopback_get(address: &str, path: &str) -> Option<String> {
    let socket = loopback_socket(address)?;
    let mut stream = TcpStream::connect_timeout(&socket, Duration::from_millis(300)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(1))).ok()?;
    stream
        .set_write_timeout(Some(Duration::from_secs(1)))
        .ok()?;
    write!(stream, "GET {path} HTTP/1.0\r\nHost: {address}\r\n\r\n").ok()?;
    let mut answer = Vec::new();
    stream.take(1 << 20).read_to_end(&mut answer).ok()?;
    let answer = String::from_utf8_lossy(&answer);
    let (head, body) = answer.split_once("\r\n\r\n")?;
    head.starts_with("HTTP/1.")
        .then(|| head.split(' ').nth(1) == Some("200"))?
        .then(|| body.to_string())
}

fn with_slash(url: &str) -> String {
    if url.ends_with('/') {
        url.to_string()
    } else {
        format!("{url}/")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cloudflared_prints_its_url_in_a_box() {
        let lines = [
            "2024-06-12T10:03:43Z INF Thank you for trying Cloudflare Tunnel. Doing so, without a Cloudflare account, is a quick way to experiment and try it out. However, be aware that these account-less Tunnels have no uptime guarantee. If you intend to use Tunnels in production you should use a pre-created named tunnel by following: https://developers.cloudflare.com/cloudflare-one/connections/connect-networks",
            "2024-06-12T10:03:43Z INF Requesting new quick Tunnel on trycloudflare.com...",
            "2024-06-12T10:03:47Z INF +--------------------------------------------------------------------------------------------+",
            "2024-06-12T10:03:47Z INF |  Your quick Tunnel has been created! Visit it at (it may take some time to be reachable):  |",
            "2024-06-12T10:03:47Z INF |  https://seasonal-deck-organisms-sf.trycloudflare.com                                      |",
        ];
        let found: Vec<_> = lines.iter().filter_map(|l| cloudflared_url(l)).collect();
        assert_eq!(
            found,
            ["https://seasonal-deck-organisms-sf.trycloudflare.com/"]
        );
        // Its own error names its API: not a tunnel.
        let error = "2024-06-12T10:03:45Z ERR failed to request quick Tunnel: Post \"https://api.trycloudflare.com/tunnel\": dial tcp: lookup api.trycloudflare.com: no such host";
        assert_eq!(cloudflared_url(error), None);
        assert_eq!(cloudflared_url("|  https://api.trycloudflare.com  |"), None);
    }

    #[test]
    fn ssh_services_print_theirs_in_a_banner() {
        let cases = [
            (
                "To set up and manage custom domains go to https://admin.localhost.run/",
                None,
            ),
            (
                "More details on custom domains (and how to enable subdomains) at https://localhost.run/docs/custom-domains",
                None,
            ),
            (
                "4c3d7a1f2b9e0d.lhr.life tunneled with tls termination, https://4c3d7a1f2b9e0d.lhr.life",
                Some("https://4c3d7a1f2b9e0d.lhr.life/"),
            ),
            (
                "Forwarding HTTP traffic from https://f1e2d3c4b5a6.serveo.net",
                Some("https://f1e2d3c4b5a6.serveo.net/"),
            ),
            (
                "You are not authenticated. Your tunnel will expire in 60 minutes. Upgrade at https://dashboard.pinggy.io",
                None,
            ),
            ("http://rnqza-203-0-113-5.a.free.pinggy.link", None),
            (
                "https://rnqza-203-0-113-5.a.free.pinggy.link",
                Some("https://rnqza-203-0-113-5.a.free.pinggy.link/"),
            ),
        ];
        for (line, expected) in cases {
            assert_eq!(ssh_url(line).as_deref(), expected, "{line}");
        }
    }

    #[test]
    fn ngrok_lists_its_tunnels_as_json() {
        let body = r#"{"tunnels":[{"name":"command_line (http)","public_url":"http://9c1d-203-0-113-5.ngrok-free.app","proto":"http","config":{"addr":"http://127.0.0.1:8787","inspect":true}},{"name":"command_line","public_url":"https://9c1d-203-0-113-5.ngrok-free.app","proto":"https","config":{"addr":"http://127.0.0.1:8787","inspect":true}}],"uri":"/api/tunnels"}"#;
        assert_eq!(
            ngrok_tunnels_url(body, 8787).as_deref(),
            Some("https://9c1d-203-0-113-5.ngrok-free.app/")
        );
        // Another agent's tunnel, to another port, is not ours.
        assert_eq!(ngrok_tunnels_url(body, 3000), None);
        assert_eq!(ngrok_tunnels_url(r#"{"tunnels":[]}"#, 8787), None);
        assert_eq!(ngrok_tunnels_url("not json", 8787), None);
    }

    #[test]
    fn tunnel_names_are_checked() {
        assert_eq!(TunnelKind::parse("ngrok").unwrap(), TunnelKind::Ngrok);
        assert_eq!(
            TunnelKind::parse("ssh:nokey@localhost.run").unwrap(),
            TunnelKind::Ssh("nokey@localhost.run".into())
        );
        assert!(TunnelKind::parse("ssh:").is_err());
        assert!(TunnelKind::parse("ssh:-oProxyCommand=x").is_err());
        assert!(TunnelKind::parse("frp").is_err());
        assert_eq!(
            TunnelKind::Cloudflared.args("0.0.0.0:8787".parse().unwrap()),
            ["tunnel", "--url", "http://127.0.0.1:8787"]
        );
        assert_eq!(
            TunnelKind::Cloudflared.args("[::1]:8787".parse().unwrap()),
            ["tunnel", "--url", "http://[::1]:8787"]
        );
    }

    #[test]
    fn the_ngrok_api_is_only_asked_on_loopback() {
        assert!(loopback_socket("127.0.0.1:4040").is_some());
        assert!(loopback_socket("[::1]:4040").is_some());
        assert_eq!(loopback_socket("192.0.2.1:4040"), None);
        assert_eq!(loopback_socket("0.0.34.83:4040"), None);
    }
}
