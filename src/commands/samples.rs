//! `wa-hook samples`: list the built-in payloads, or print one.
use std::io::Write;

use colored::Colorize;
use serde::Serialize;

use crate::catalogue::{self, Sample};
use crate::cli::{Format, SamplesAction, SamplesArgs};
use crate::error::Outcome;
use crate::output;

#[derive(Serialize)]
struct SampleEntry<'a> {
    #[serde(flatten)]
    sample: &'a Sample,
    provider_name: &'static str,
    bytes: usize,
}

pub fn run(args: SamplesArgs) -> anyhow::Result<Outcome> {
    let mut out = output::stdout();
    match args.action {
        None | Some(SamplesAction::List { pattern: None }) => {
            list(&mut out, catalogue::samples().iter().collect(), args.format)?;
        }
        Some(SamplesAction::List {
            pattern: Some(pattern),
        }) => list(&mut out, catalogue::select_samples(&pattern)?, args.format)?,
        Some(SamplesAction::Show { name }) => {
            let Some(sample) = catalogue::find_sample(&name) else {
                let close = catalogue::close_sample_names(&name);
                if close.is_empty() {
                    anyhow::bail!("there is no sample `{name}`; `wa-hook samples` lists them");
                }
                anyhow::bail!(
                    "there is no sample `{name}`; did you mean {}?",
                    close.join(", ")
                );
            };
            match args.format {
                // The body exactly as shipped (and as `replay` sends it).
                Format::Text => out.write_all(sample.body)?,
                Format::Json => {
                    let body: serde_json::Value = serde_json::from_slice(sample.body)?;
                    output::json_line(
                        &mut out,
                        &serde_json::json!({
                            "name": sample.name, "provider": sample.provider, "kind": sample.kind,
                            "description": sample.description, "body": body,
                        }),
                    )?;
                }
            }
        }
    }
    out.flush()?;
    Ok(Outcome::Success)
}

fn list(out: &mut impl Write, samples: Vec<&Sample>, format: Format) -> anyhow::Result<()> {
    if format == Format::Json {
        for sample in samples {
            let entry = SampleEntry {
                sample,
                provider_name: sample.provider.display_name(),
                bytes: sample.body.len(),
            };
            output::json_line(out, &entry)?;
        }
        return Ok(());
    }
    let name_width = samples.iter().map(|s| s.name.len()).max().unwrap_or(0);
    let kind_width = samples.iter().map(|s| s.kind.len()).max().unwrap_or(0);
    let mut provider = None;
    for sample in &samples {
        if provider != Some(sample.provider) {
            if provider.is_some() {
                writeln!(out)?;
            }
            writeln!(out, "{}", sample.provider.display_name().bold())?;
            provider = Some(sample.provider);
        }
        writeln!(
            out,
            "  {:name_width$}  {:kind_width$}  {}",
            sample.name.cyan(),
            sample.kind,
            sample.description.dimmed(),
        )?;
    }
    writeln!(
        out,
        "\n{}. `wa-hook samples show NAME` prints one; `wa-hook replay NAME --to URL` sends it.",
        output::plural(samples.len() as u64, "sample", "samples")
    )?;
    Ok(())
}
