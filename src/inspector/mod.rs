//! The inspector: a page in the browser over capture files — a live list of requests, each
//! one's detail (headers, the body with each validation error at its line, the app's reply),
//! a message's timeline, and replay (as captured or edited). `listen` starts it beside the
//! webhook port; `emulate` beside the emulator, with the chat ([`chat`]: the conversation
//! and the customer's controls); `wa-hook inspect FILE...` serves it over files.
//!
//! Safe by construction: it listens on 127.0.0.1 only, on a port of its own (never the
//! webhook port, never through a tunnel); it answers only requests whose `Host` names this
//! machine and its port, so a web page elsewhere cannot reach it through DNS rebinding. Every
//! call needs the run's session cookie (HttpOnly, SameSite=Strict), which only the URL printed
//! at start-up gives: it carries a key (`/?key=...`) that `GET /` exchanges for the cookie
//! before sending the browser on to the clean URL, so another local user (who can reach the
//! port but not read this run's output) and other pages get nothing. The key is made once per
//! run and stays good while the run lives, so the printed URL opens the page again in another
//! tab, another browser or after a restart of the browser; it is taken only on `GET /`, never
//! in place of the cookie. Calls that act (replay, validate, curl) also need the run's token,
//! which only the page (same origin) can read, and a cross-origin `Origin` is refused; a replay
//! goes only to loopback or the target given on the command line unless the page's user
//! confirmed the host. It shows records as `listen` saved them, with what `listen` redacted left
//! redacted. `listen` hands it the summary of each record as its workers saved it ([`feed`]),
//! rather than have it read and parse the file again. Bounded: summaries of at most
//! [`index::RING_MAX`] records, [`server::EVENT_CLIENTS_MAX`] live-list clients (one that left
//! is noticed within about two [`server::HEARTBEAT`]s), request bodies of at most
//! [`server::REQUEST_BODY_MAX`].
mod chat;
mod feed;
mod index;
mod pretty;
mod replay;
mod server;
mod timeline;

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use url::Url;

use crate::secret::SecretString;

pub use chat::EmulatorLink;
pub use feed::{Feed, FeedSender, feed};
pub use index::{BodyFacts, Index, Summary};
pub use pretty::Pretty;

/// What to serve.
pub struct InspectorConfig {
    pub files: Vec<PathBuf>,
    /// Where the replay button sends to unless told otherwise (`listen --forward-to`, or the
    /// listener itself).
    pub replay_target: Option<Url>,
    /// How long a replay may take.
    pub replay_timeout: Duration,
    /// The Meta app secret (`--app-secret-env`): "Replay edited" re-signs an edited body with
    /// it. It never leaves the process.
    pub app_secret: Option<SecretString>,
    /// The emulator this inspector runs beside (`wa-hook emulate`): the page shows the chat
    /// and plays the customer through its controls.
    pub emulator: Option<EmulatorLink>,
}

/// A running inspector; it serves until the process ends.
pub struct Inspector {
    /// `http://127.0.0.1:PORT/?key=KEY`: opens the page (the key is exchanged for the session
    /// cookie).
    pub url: String,
}

/// The inspector's port and secrets, taken before it serves: `listen` takes them before it
/// accepts a connection, so a crowd of connections that uses up the open-file limit cannot
/// leave the inspector without a socket (and end the run) halfway through starting.
pub struct BoundInspector {
    listener: std::net::TcpListener,
    port: u16,
    secrets: server::Secrets,
}

impl Inspector {
    /// Take a loopback port (0 picks a free one) and the run's key, session and token.
    pub fn bind(port: u16) -> anyhow::Result<BoundInspector> {
        let listener = std::net::TcpListener::bind(("127.0.0.1", port)).map_err(|err| {
            match err.kind() {
                std::io::ErrorKind::AddrInUse => anyhow::anyhow!(
                    "the inspector's port {port} on 127.0.0.1 is already in use; choose another, or 0 for a free one"
                ),
                _ => anyhow::anyhow!("cannot serve the inspector on 127.0.0.1:{port}: {err}"),
            }
        })?;
        let port = listener
            .local_addr()
            .context("reading the inspector's address")?
            .port();
        let secrets = server::Secrets::new()?;
        Ok(BoundInspector {
            listener,
            port,
            secrets,
        })
    }
}

/// The inspector's port for a run that writes `out` (unless `--no-ui`): `None`, said in a
/// warning, when there is no file for it to follow (`--no-save`, `--out -`, a FIFO or a
/// device, which the inspector would read from and take what the run writes).
pub fn bind_following(
    no_ui: bool,
    out: Option<&std::path::Path>,
    port: u16,
) -> anyhow::Result<Option<BoundInspector>> {
    if no_ui {
        return Ok(None);
    }
    let Some(out) = out.filter(|out| out.as_os_str() != "-") else {
        crate::output::warn(
            "no inspector: it reads the capture file, and --no-save or --out - leaves none \
             (`wa-hook inspect FILE` serves it over a file)",
        );
        return Ok(None);
    };
    if std::fs::metadata(out).is_ok_and(|meta| !meta.is_file()) {
        crate::output::warn(format!(
            "no inspector: --out {} is not a regular file, and the inspector reads one",
            out.display()
        ));
        return Ok(None);
    }
    Inspector::bind(port).map(Some)
}

impl BoundInspector {
    /// Serve `config` until the process ends.
    pub fn serve(self, config: InspectorConfig) -> anyhow::Result<Inspector> {
        let index = Index::follow(config.files.clone());
        let server = server::Server::start(self.listener, self.port, self.secrets, index, config)?;
        Ok(Inspector { url: server.url() })
    }

    /// Serve `config`'s one file (`listen`'s capture file) until the process ends, its new
    /// records taken from `feed` rather than read from the file.
    pub fn serve_fed(self, config: InspectorConfig, feed: Feed) -> anyhow::Result<Inspector> {
        let file = config.files.first().cloned().unwrap_or_default();
        let index = Index::fed(file, feed);
        let server = server::Server::start(self.listener, self.port, self.secrets, index, config)?;
        Ok(Inspector { url: server.url() })
    }
}

/// Run the calling thread at the lowest CPU priority. The inspector is a viewer: under a flood
/// of webhooks it falls behind and catches up after, rather than taking CPU from the threads
/// that acknowledge them (`bench/run listen` with a live list connected). Linux applies a nice
/// value per thread; elsewhere this does nothing.
pub(crate) fn yield_to_webhooks() {
    #[cfg(target_os = "linux")]
    // SAFETY: setpriority on this thread's own id; a failure only leaves the priority as it was.
    unsafe {
        let tid = libc::gettid();
        let _ = libc::setpriority(libc::PRIO_PROCESS, tid as libc::id_t, 19);
    }
}
