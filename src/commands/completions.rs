//! `wa-hook completions SHELL|man`: generated from the clap definition, so they cannot drift
//! from the real flags (a test compares them with the committed copies in `completions/`).
use std::fmt::Write as _;
use std::io::Write;

use clap::CommandFactory;
use clap_complete::Shell;

use crate::catalogue;
use crate::cli::{Cli, CompletionTarget, CompletionsArgs};
use crate::error::Outcome;

pub fn run(args: CompletionsArgs) -> anyhow::Result<Outcome> {
    let text = generate(args.target)?;
    crate::output::stdout().write_all(&text)?;
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
    Ok(match shell {
        Shell::Bash => bash_fixes(&String::from_utf8(out)?).into_bytes(),
        Shell::Fish => fish_samples(String::from_utf8(out)?).into_bytes(),
        Shell::Zsh => zsh_samples(&String::from_utf8(out)?).into_bytes(),
        _ => out,
    })
}

/// What completes a sample argument: every sample name, and `all` where it means something.
fn sample_words(with_all: bool) -> String {
    let mut words = Vec::new();
    if with_all {
        words.push("all".to_string());
    }
    words.extend(
        catalogue::samples()
            .iter()
            .map(|sample| sample.name.clone()),
    );
    words.join(" ")
}

/// The commands whose first argument may be a sample name (bash function-name form).
const SAMPLE_COMMANDS: [&str; 2] = ["replay", "samples__subcmd__show"];

/// `clap_complete`'s bash script names its per-command sections after the binary with `-` turned
/// into `__subcmd__` but looks them up with `-` turned into `__` (clap-rs/clap#6421), so nothing
/// after the subcommand ever completed; and it knows no sample names. Fix both here.
fn bash_fixes(script: &str) -> String {
    let mut script = script.replace("wa__subcmd__hook", "wa__hook");
    for command in SAMPLE_COMMANDS {
        let replay = command == "replay";
        let words = sample_words(replay);
        let label = format!("\n        wa__hook__subcmd__{command})\n");
        let Some(start) = script.find(&label) else {
            continue;
        };
        let opts_at = start + script[start..].find("opts=\"").unwrap_or(0) + "opts=\"".len();
        script.insert_str(opts_at, &format!("{words} "));
        let last = "            COMPREPLY=( $(compgen -W \"${opts}\" -- \"${cur}\") )\n            return 0\n            ;;";
        if let Some(end) = script[start..].find(last).filter(|_| replay) {
            let with_files = "            COMPREPLY=( $(compgen -W \"${opts}\" -- \"${cur}\") $(compgen -f -- \"${cur}\") )\n            return 0\n            ;;";
            script.replace_range(start + end..start + end + last.len(), with_files);
        }
    }
    script
}

/// Sample names (and files) for `replay`, sample names for `samples show`, in zsh.
fn zsh_samples(script: &str) -> String {
    let (with_all, names) = (sample_words(true), sample_words(false));
    let mut script = script.to_string();
    for (argument, action) in [
        (
            "capture files:_default' \\",
            format!(
                "capture files:{{_alternative \"samples:sample:({with_all})\" \"files:file:_files\"}}' \\"
            ),
        ),
        (
            "e.g. qikchat/message-text:_default' \\",
            format!("e.g. qikchat/message-text:({names})' \\"),
        ),
    ] {
        // Only replay's positional ends with "capture files"; validate's reads
        // "capture files, or `-` ...".
        if let Some(at) = script.find(argument) {
            script.replace_range(at..at + argument.len(), &action);
        }
    }
    script
}

/// Sample names for `replay` and `samples show` in fish.
fn fish_samples(mut script: String) -> String {
    let (words, names) = (sample_words(true), sample_words(false));
    // Writing to a String cannot fail.
    let _ = write!(
        script,
        "complete -c wa-hook -n \"__fish_wa_hook_using_subcommand replay\" -f -a \"{words}\"\n\
         complete -c wa-hook -n \"__fish_wa_hook_using_subcommand replay\" -F\n\
         complete -c wa-hook -n \"__fish_wa_hook_using_subcommand samples; and __fish_seen_subcommand_from show\" -f -a \"{names}\"\n"
    );
    script
}
