//! wa-hook: see, reproduce and check WhatsApp provider webhooks.
//!
//! One module per shared mechanism — provider catalogue ([`catalogue`]), detection
//! ([`detect`]), schemas ([`schemas`]), validation ([`validation`]), capture records
//! ([`capture`]), inputs ([`inputs`]), the HTTP client ([`http`]), printing ([`output`]),
//! secrets ([`secret`]), Meta signatures ([`signature`]), payload edits ([`payload`]) and the
//! partner API client ([`partner_api`]) — and one module per command under [`commands`], each
//! using those.
pub mod capture;
pub mod catalogue;
pub mod cli;
pub mod commands;
pub mod detect;
pub mod error;
pub mod http;
pub mod inputs;
pub mod output;
pub mod partner_api;
pub mod payload;
pub mod schemas;
pub mod secret;
pub mod signature;
pub mod validation;

use cli::{Cli, Command};
use error::Outcome;

/// Run a parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<Outcome> {
    output::init_color(cli.color);
    match cli.command {
        Command::Listen(args) => commands::listen::run(args),
        Command::Replay(args) => commands::replay::run(args),
        Command::Validate(args) => commands::validate::run(args),
        Command::Samples(args) => commands::samples::run(args),
        Command::Schemas(args) => commands::schemas::run(args),
        Command::Partner(args) => commands::partner::run(args),
        Command::Sign(args) => commands::sign::run_sign(args),
        Command::Verify(args) => commands::sign::run_verify(args),
        Command::Completions(args) => commands::completions::run(args),
    }
}
