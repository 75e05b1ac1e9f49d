//! `wa-hook partner`.
use crate::cli::PartnerArgs;
use crate::error::Outcome;

pub fn run(_args: PartnerArgs) -> anyhow::Result<Outcome> {
    anyhow::bail!("`wa-hook partner` is not yet available in this version")
}
