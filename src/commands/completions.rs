//! `wa-hook completions SHELL|man`: generated from the clap definition, so they cannot drift
//! from the real flags (a test compares them with the committed copies in `completions/`).
use std::io::Write;

use clap::CommandFactory;
use clap_complete::Shell;

use crate::cli::{Cli, CompletionTarget, CompletionsArgs};
use crate::error::Outcome;

pub fn run(args: CompletionsArgs) -> anyhow::Result<Outcome> {
    let text = generate(args.target)?;
    std::io::stdout().lock().write_all(&text)?;
    Ok(Outcome::Success)
}

/// The script (or man page) for `target`, as bytes.
pub fn generate(target: CompletionTarget) -> anyhow::Result<Vec<u8>> {
    let mut command = Cli::command();
    let mut out = Vec::new();
    let shell = match target {
        CompletionTarget::Bash => Shell::Bash,
        CompletionTarget::Zsh => Shell::Zsh,
        CompletionTarget::Fish => Shell::Fish,
        CompletionTarget::Powershell => Shell::PowerShell,
        CompletionTarget::Elvish => Shell::Elvish,
        CompletionTarget::Man => {
            clap_mangen::Man::new(command).render(&mut out)?;
            return Ok(out);
        }
    };
    clap_complete::generate(shell, &mut command, "wa-hook", &mut out);
    Ok(out)
}

/// The file name each target is committed under in `completions/`.
pub fn file_name(target: CompletionTarget) -> &'static str {
    match target {
        CompletionTarget::Bash => "wa-hook.bash",
        CompletionTarget::Zsh => "_wa-hook",
        CompletionTarget::Fish => "wa-hook.fish",
        CompletionTarget::Powershell => "_wa-hook.ps1",
        CompletionTarget::Elvish => "wa-hook.elv",
        CompletionTarget::Man => "wa-hook.1",
    }
}
