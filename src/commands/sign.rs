//! `wa-hook sign` and `wa-hook verify`.
use crate::cli::{SignArgs, VerifyArgs};
use crate::error::Outcome;

pub fn run_sign(_args: SignArgs) -> anyhow::Result<Outcome> {
    anyhow::bail!("`wa-hook sign` is not yet available in this version")
}

pub fn run_verify(_args: VerifyArgs) -> anyhow::Result<Outcome> {
    anyhow::bail!("`wa-hook verify` is not yet available in this version")
}
