//! Receiving HTTP: the vendored tiny_http server with the bounds every wa-hook server keeps
//! (`listen`, `emulate`). One place for the port's errors, the head, body and keep-alive
//! timeouts, the connection cap and the answers a reader that never reads may hold.
use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;

/// At most this many answers wait for a client that does not read them; its connection is
/// read no further meanwhile, and closes when an answer waits the read timeout.
const MAX_UNANSWERED: usize = 8;

/// What a server allows each connection.
pub struct Bounds {
    pub max_connections: usize,
    /// The head, keep-alive and write timeout; a body gets three times it.
    pub read_timeout: Duration,
    /// The body of the 503 a connection over `max_connections` gets (`None`: tiny_http's).
    pub busy_body: Option<Vec<u8>>,
}

/// Bind the port, with an error that names it when it is taken.
pub fn bind(host: &str, port: u16) -> anyhow::Result<TcpListener> {
    TcpListener::bind((host, port)).map_err(|err| match err.kind() {
        std::io::ErrorKind::AddrInUse => anyhow::anyhow!(
            "port {port} on {host} is already in use (another wa-hook?); \
             choose another with --port, or --port 0 for a free one"
        ),
        std::io::ErrorKind::PermissionDenied => anyhow::anyhow!(
            "not allowed to listen on port {port}; ports below 1024 need privileges, \
             choose another with --port"
        ),
        std::io::ErrorKind::AddrNotAvailable => anyhow::anyhow!(
            "cannot listen on {host}: not an address of this machine; try --host 127.0.0.1"
        ),
        _ => anyhow::anyhow!("cannot listen on {host}:{port}: {err}; try another --host or --port"),
    })
}

/// Serve `listener` within `bounds`: the server and the address it listens on.
pub fn start(
    listener: TcpListener,
    bounds: Bounds,
) -> anyhow::Result<(Arc<tiny_http::Server>, SocketAddr)> {
    let address = listener
        .local_addr()
        .context("reading the address listened on")?;
    let limits = tiny_http::Limits {
        max_connections: bounds.max_connections,
        keep_alive_timeout: Some(bounds.read_timeout),
        head_timeout: Some(bounds.read_timeout),
        body_timeout: Some(bounds.read_timeout.saturating_mul(3)),
        max_head_bytes: 64 * 1024,
        max_headers: 128,
    };
    // A client that does not read its answers: each answer is sent without waiting, or
    // finished by a thread of its own (tiny_http), so it never holds a worker.
    let answers = tiny_http::AnswerLimits {
        write_timeout: Some(bounds.read_timeout),
        max_unanswered: MAX_UNANSWERED,
        busy_body: bounds.busy_body,
    };
    let server = tiny_http::Server::from_listener_with_all_limits(listener, None, limits, answers)
        .map_err(|err| anyhow::anyhow!("starting the HTTP server: {err}"))?;
    Ok((Arc::new(server), address))
}
