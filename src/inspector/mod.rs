//! The inspector: a page in the browser over capture files — a live list of requests, each
//! one's detail (headers, the body with each validation error at its line, the app's reply),
//! a message's timeline, and replay (as captured or edited). `listen` starts it beside the
//! webhook port; `wa-hook inspect FILE...` serves it over files.
//!
//! Safe by construction: it listens on 127.0.0.1 only, on a port of its own (never the
//! webhook port, never through a tunnel); it answers only requests whose `Host` names this
//! machine and its port, so a web page elsewhere cannot reach it through DNS rebinding; calls
//! that act (replay, validate) need the run's token, which only the page (same origin) can
//! read, and a cross-origin `Origin` is refused. It shows records as `listen` saved them, with
//! what `listen` redacted left redacted. Bounded: summaries of at most [`index::RING_MAX`]
//! records, [`server::EVENT_CLIENTS_MAX`] live-list clients, request bodies of at most
//! [`server::REQUEST_BODY_MAX`].
mod index;
mod pretty;
mod server;
mod timeline;

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use url::Url;

pub use index::{Filter, Index, Summary};
pub use pretty::Pretty;

/// What to serve.
pub struct InspectorConfig {
    pub files: Vec<PathBuf>,
    /// Where the replay button sends to unless told otherwise (`listen --forward-to`, or the
    /// listener itself).
    pub replay_target: Option<Url>,
    /// How long a replay may take.
    pub replay_timeout: Duration,
}

/// A running inspector; it serves until the process ends.
pub struct Inspector {
    /// `http://127.0.0.1:PORT/`
    pub url: String,
}

/// The inspector's port and token, taken before it serves: `listen` takes them before it
/// accepts a connection, so a crowd of connections that uses up the open-file limit cannot
/// leave the inspector without a socket (and end the run) halfway through starting.
pub struct BoundInspector {
    listener: std::net::TcpListener,
    port: u16,
    token: String,
}

impl Inspector {
    /// Take a loopback port (0 picks a free one) and the run's token.
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
        let token = server::new_token()?;
        Ok(BoundInspector {
            listener,
            port,
            token,
        })
    }
}

impl BoundInspector {
    /// Serve `config` until the process ends.
    pub fn serve(self, config: InspectorConfig) -> anyhow::Result<Inspector> {
        let index = Index::follow(config.files.clone());
        let server = server::Server::start(self.listener, self.port, self.token, index, config)?;
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
