//! With no inputs on a terminal, replay asks: which samples (a fuzzy search over every sample
//! and provider, or a multi-select list), and where to send them.
use anyhow::{Context, bail};
use dialoguer::theme::ColorfulTheme;
use dialoguer::{Confirm, FuzzySelect, Input as TextInput, MultiSelect};
use url::Url;

use super::Input;
use crate::catalogue;
use crate::cli::ReplayArgs;
use crate::http;
use crate::output;
use crate::providers::Provider;

/// Where `wa-hook listen` listens by default: the likeliest target for someone trying things.
const DEFAULT_TARGET: &str = "http://127.0.0.1:8787/";

/// What was picked: the inputs, where to send them, and the words that name them on a
/// command line (`'meta/*'`, or each sample's name).
pub(super) struct Choice {
    pub inputs: Vec<Input>,
    pub target: Url,
    pub words: Vec<String>,
}

impl Choice {
    /// The command that does the same without asking: what the user typed, with the picked
    /// inputs and target added, ready to paste into a shell. Secrets (a `--basic-auth`
    /// password, an Authorization header) are left out by the caller's scrub.
    pub fn command_line(&self, typed: &[String], typed_target: bool) -> String {
        let mut words = vec!["wa-hook".to_string()];
        words.extend(typed.iter().cloned());
        words.extend(self.words.iter().cloned());
        if !typed_target {
            words.push("--to".into());
            words.push(self.target.to_string());
        }
        words
            .iter()
            .map(|word| shell_word(word))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// A word as a POSIX shell reads it back: as it is when it holds no special character,
/// otherwise in single quotes.
fn shell_word(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_./:=@%+,-".contains(c));
    if plain {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}

/// Pick samples and a target (`to`, `--to` as given, is confirmed; without it, asked for) on
/// the terminal; without one, a usage error (exit 2).
pub(super) fn choose(args: &ReplayArgs, to: Option<Url>) -> anyhow::Result<Choice> {
    if !output::can_prompt() {
        bail!(
            "nothing to send: name samples or files, e.g. `wa-hook replay qikchat/message-text --to 3000` \
             (`wa-hook samples` lists the samples; on a terminal replay asks)"
        );
    }
    let theme = ColorfulTheme::default();
    let (inputs, words) = pick_samples(&theme)?;
    let target = match to {
        Some(target) => {
            if !args.yes {
                confirm_send(&theme, inputs.len() as u64 * args.repeat, &target)?;
            }
            target
        }
        None => prompt_target(&theme)?,
    };
    Ok(Choice {
        inputs,
        target,
        words,
    })
}

/// The samples picked, and the words that name them on a command line.
fn pick_samples(theme: &ColorfulTheme) -> anyhow::Result<(Vec<Input>, Vec<String>)> {
    let samples = catalogue::samples();
    let mut choices = vec!["pick several from the list…".to_string()];
    for provider in Provider::all() {
        let count = samples.iter().filter(|s| s.provider == provider).count();
        if count > 0 {
            choices.push(format!(
                "{}/*  every {} sample ({count})",
                provider.id(),
                provider.display_name()
            ));
        }
    }
    let first_sample = choices.len();
    choices.extend(
        samples
            .iter()
            .map(|sample| format!("{:<36} {}", sample.name, sample.description)),
    );
    let picked = FuzzySelect::with_theme(theme)
        .with_prompt("Send which samples? (type to search)")
        .items(&choices)
        .default(0)
        .max_length(15)
        .interact_opt()
        .context("reading the choice from the terminal")?;
    Ok(match picked {
        None => bail!("nothing picked; nothing sent"),
        Some(0) => pick_several(theme, &choices[first_sample..])?
            .into_iter()
            .map(|index| {
                let sample = &samples[index];
                (Input::Sample(sample), sample.name.clone())
            })
            .unzip(),
        Some(index) if index < first_sample => {
            let provider = choices[index].split('/').next().unwrap_or_default();
            let pattern = format!("{provider}/*");
            let inputs = catalogue::select_samples(&pattern)?
                .into_iter()
                .map(Input::Sample)
                .collect();
            (inputs, vec![pattern])
        }
        Some(index) => {
            let sample = &samples[index - first_sample];
            (vec![Input::Sample(sample)], vec![sample.name.clone()])
        }
    })
}

/// The indexes of the samples picked from the list (`labels`, one per sample).
fn pick_several(theme: &ColorfulTheme, labels: &[String]) -> anyhow::Result<Vec<usize>> {
    let picked = MultiSelect::with_theme(theme)
        .with_prompt("Samples to send (space picks, enter sends)")
        .items(labels)
        .max_length(15)
        .interact_opt()
        .context("reading the choice from the terminal")?
        .unwrap_or_default();
    if picked.is_empty() {
        bail!("nothing picked; nothing sent");
    }
    Ok(picked)
}

/// Ask before sending to a target given with `--to` (`--yes` skips this).
fn confirm_send(theme: &ColorfulTheme, requests: u64, target: &Url) -> anyhow::Result<()> {
    let go = Confirm::with_theme(theme)
        .with_prompt(format!("Send {requests} request(s) to {target}?"))
        .default(true)
        .interact_opt()
        .context("reading the answer from the terminal")?;
    if go != Some(true) {
        bail!("nothing sent");
    }
    Ok(())
}

/// The target, asked for when inputs were given without `--to`.
pub(super) fn ask_target() -> anyhow::Result<Url> {
    if !output::can_prompt() {
        bail!(
            "--to is required: where to send, e.g. --to 3000 or --to http://localhost:3000/webhook"
        );
    }
    prompt_target(&ColorfulTheme::default())
}

fn prompt_target(theme: &ColorfulTheme) -> anyhow::Result<Url> {
    let text: String = TextInput::with_theme(theme)
        .with_prompt("Send to (a URL, or a port on this machine)")
        .default(DEFAULT_TARGET.to_string())
        .validate_with(|text: &String| {
            http::parse_target(text)
                .map(|_| ())
                .map_err(|e| e.to_string())
        })
        .interact_text()
        .context("reading the target from the terminal")?;
    http::parse_target(&text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_line_reads_back_in_a_shell() {
        let choice = Choice {
            inputs: Vec::new(),
            target: Url::parse("http://127.0.0.1:8787/").unwrap(),
            words: vec!["meta/*".into(), "qikchat/message-text".into()],
        };
        let typed = ["replay".to_string(), "-H".into(), "X-Note: it's".into()];
        assert_eq!(
            choice.command_line(&typed, false),
            "wa-hook replay -H 'X-Note: it'\\''s' 'meta/*' qikchat/message-text --to http://127.0.0.1:8787/"
        );
    }
}
