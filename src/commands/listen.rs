//! `wa-hook listen`.
use crate::cli::ListenArgs;
use crate::error::Outcome;

pub fn run(_args: ListenArgs) -> anyhow::Result<Outcome> {
    anyhow::bail!("`wa-hook listen` is not yet available in this version")
}
