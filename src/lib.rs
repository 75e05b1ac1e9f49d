//! `wa-hook`: see, reproduce and check WhatsApp provider webhooks.
//!
//! The providers, one folder each behind one trait, listed by one registry ([`providers`]:
//! detection, kinds, schemas, gists, ids, lifecycles, budgets); one module per shared
//! mechanism — samples ([`catalogue`]), schema loading (`schemas`), verdicts ([`verdict`],
//! a leaf), validation ([`validation`]), capture records ([`capture`]), inputs (`inputs`),
//! a body's lean parsed form for checking (`tape`),
//! the HTTP client (`http`), printing (`output`), text escaped in one scan (`escape`), secrets
//! ([`secret`]), fresh ids (`ids`),
//! payload edits (`payload`) and the partner API client (`partner_api`) — and one module per
//! command under `commands`, each using those; exit codes are chosen in [`error`].
//!
//! The modules the integration tests use are public; the rest are `pub(crate)`, so the
//! compiler reports what nothing uses (`cargo doc --document-private-items` shows them all).
pub(crate) mod app;
pub mod capture;
pub mod catalogue;
mod child;
pub mod cli;
pub(crate) mod commands;
pub(crate) mod conversation;
pub mod error;
pub(crate) mod escape;
pub(crate) mod http;
pub(crate) mod ids;
pub(crate) mod inputs;
pub(crate) mod inspector;
pub(crate) mod net;
pub(crate) mod output;
pub(crate) mod partner_api;
pub(crate) mod payload;
pub mod providers;
pub(crate) mod schemas;
pub mod secret;
pub(crate) mod serve;
mod signals;
pub(crate) mod tape;
pub mod validation;
pub mod verdict;

use cli::{Cli, Command};
use error::Outcome;

/// Run a parsed command line.
///
/// # Errors
///
/// When the command could not do its job (exit 2; see [`error`]).
pub fn run(cli: Cli) -> anyhow::Result<Outcome> {
    output::init_color(cli.color);
    output::require_open_stdout()?;
    let result = match cli.command {
        Command::Listen(args) => commands::listen::run(args),
        Command::Replay(args) => commands::replay::run(args),
        Command::Validate(args) => commands::validate::run(args),
        Command::Samples(args) => commands::samples::run(args),
        Command::Schemas(args) => commands::schemas::run(args),
        Command::Partner(args) => commands::partner::run(args),
        Command::Doctor(args) => commands::doctor::run(args),
        Command::Sign(args) => commands::sign::run_sign(args),
        Command::Verify(args) => commands::sign::run_verify(args),
        Command::Inspect(args) => commands::inspect::run(args),
        Command::Show(args) => commands::show::run(args),
        Command::Emulate(args) => commands::emulate::run(args),
        Command::Completions(args) => commands::completions::run(args),
    };
    output::judge_closed_stdout(result)
}
