//! `wa-hook replay`.
use crate::cli::ReplayArgs;
use crate::error::Outcome;

pub fn run(_args: ReplayArgs) -> anyhow::Result<Outcome> {
    anyhow::bail!("`wa-hook replay` is not yet available in this version")
}
