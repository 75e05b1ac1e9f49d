//! `wa-hook validate`: check bodies against the documented shapes, in parallel, in order.
use std::io::{BufWriter, Write};

use colored::Colorize;
use rayon::prelude::*;
use serde::Serialize;

use crate::cli::{Format, ValidateArgs};
use crate::error::Outcome;
use crate::inputs::{self, Loaded, Unit};
use crate::output;
use crate::output::format_issue;
use crate::providers;
use crate::validation::{self, Check, CheckOptions, Forced, RecordCheck, Verdict};

/// One body's verdict, as printed with `--format json`.
#[derive(Serialize)]
struct BodyReport<'a> {
    origin: &'a str,
    #[serde(flatten)]
    check: &'a Check,
}

/// From this many bodies on, they are checked in parallel.
const PARALLEL_FROM: usize = 16;

/// A captured request with nothing to check, as printed with `--format json`.
#[derive(Serialize)]
struct SkippedReport<'a> {
    origin: &'a str,
    skipped: &'a str,
}

#[derive(Default, Serialize)]
struct Summary {
    bodies: usize,
    valid: usize,
    /// Captured requests with nothing to check (a GET without a body, a body not kept).
    skipped: usize,
    /// Bodies of a known provider with no schema for their part (a Meta field not covered).
    unchecked: usize,
    invalid: usize,
    /// Of the invalid ones: not JSON at all.
    malformed: usize,
    unknown: usize,
}

pub fn run(args: ValidateArgs) -> anyhow::Result<Outcome> {
    let force = match (&args.provider, &args.schema) {
        (Some(provider), _) => Some(Forced::Provider(*provider)),
        (None, Some(id)) => Some(Forced::Schema(providers::require_schema(id)?)),
        (None, None) => None,
    };
    let options = CheckOptions {
        strict: args.strict,
        force,
    };
    let sources = inputs::expand(&args.inputs)?;
    let loaded: Vec<Loaded> = sources
        .iter()
        .map(inputs::load)
        .collect::<anyhow::Result<_>>()?;
    // Every body of every source, as slices of what was read: a JSON Lines file of 200,000
    // bodies is checked in place, in parallel, without copying a line.
    let units: Vec<(&Loaded, Option<usize>, &[u8])> = loaded
        .iter()
        .flat_map(|source| {
            source
                .units()
                .into_iter()
                .map(move |(line, bytes)| (source, line, bytes))
        })
        .collect();
    if units.is_empty() {
        return Err(inputs::no_bodies(&sources));
    }

    // A few bodies are checked on this thread: starting a thread pool would cost more than the
    // work (bench/run startup).
    let check = |(_, _, bytes): &(&Loaded, Option<usize>, &[u8])| check_unit(bytes, &options);
    let checks: Vec<RecordCheck> = if units.len() < PARALLEL_FROM {
        units.iter().map(check).collect()
    } else {
        units.par_iter().map(check).collect()
    };

    let mut summary = Summary {
        bodies: checks.len(),
        ..Summary::default()
    };
    let mut out = BufWriter::new(std::io::stdout().lock());
    for ((source, line, _), judged) in units.iter().zip(&checks) {
        let check = match judged {
            RecordCheck::Checked(check) => check,
            RecordCheck::Skipped(why) => {
                summary.skipped += 1;
                if !args.quiet {
                    let origin = source.origin(*line);
                    match args.format {
                        Format::Json => output::json_line(
                            &mut out,
                            &SkippedReport {
                                origin: &origin,
                                skipped: why,
                            },
                        )?,
                        Format::Text => writeln!(
                            out,
                            "- {}  {}",
                            origin.bold(),
                            format!("not checked: {why}").dimmed()
                        )?,
                    }
                }
                continue;
            }
        };
        match check.verdict {
            Verdict::Valid => summary.valid += 1,
            Verdict::Invalid => summary.invalid += 1,
            Verdict::Malformed => {
                summary.invalid += 1;
                summary.malformed += 1;
            }
            Verdict::Unchecked => summary.unchecked += 1,
            Verdict::Unknown => summary.unknown += 1,
        }
        if args.quiet && !check.verdict.fails() {
            continue;
        }
        let origin = source.origin(*line);
        match args.format {
            Format::Json => output::json_line(
                &mut out,
                &BodyReport {
                    origin: &origin,
                    check,
                },
            )?,
            Format::Text => print_check(&mut out, &origin, check)?,
        }
    }
    match args.format {
        Format::Json => output::json_line(&mut out, &serde_json::json!({ "summary": summary }))?,
        Format::Text => print_summary(&mut out, &summary)?,
    }
    out.flush()?;
    Ok(Outcome::from_ok(
        summary.valid + summary.skipped + summary.unchecked == summary.bodies,
    ))
}

/// A body, or a capture record's body judged as `listen` judged it.
fn check_unit(bytes: &[u8], options: &CheckOptions) -> RecordCheck {
    match inputs::read_unit(bytes) {
        Unit::Body(body) => RecordCheck::Checked(validation::check_bytes(body, None, options)),
        Unit::Record(record) => validation::check_record(&record, options),
        Unit::Unreadable(why) => {
            RecordCheck::Checked(Check::malformed("a wa-hook capture record", why))
        }
    }
}

/// `✓ path  qikchat message:text`, and for a failure every error indented below.
pub fn print_check(out: &mut impl Write, origin: &str, check: &Check) -> anyhow::Result<()> {
    let (mark, label) = match check.verdict {
        Verdict::Valid => (output::ok_mark(), check.label().normal()),
        Verdict::Invalid => (output::fail_mark(), check.label().normal()),
        Verdict::Malformed => (output::fail_mark(), "not JSON".red()),
        Verdict::Unchecked => (output::unchecked_mark(), check.label().normal()),
        Verdict::Unknown => (output::unknown_mark(), "unknown shape".yellow()),
    };
    writeln!(out, "{mark} {}  {label}", origin.bold())?;
    if let Some(note) = &check.note {
        writeln!(out, "    {}", note.dimmed())?;
    }
    for issue in &check.errors {
        writeln!(out, "    {}", format_issue(issue))?;
    }
    Ok(())
}

fn print_summary(out: &mut impl Write, summary: &Summary) -> anyhow::Result<()> {
    let bodies = if summary.bodies == 1 {
        "body"
    } else {
        "bodies"
    };
    let malformed = if summary.malformed > 0 {
        format!(" ({} not JSON)", summary.malformed)
    } else {
        String::new()
    };
    let valid = format!("{} valid", summary.valid);
    let invalid = format!("{} invalid{malformed}", summary.invalid);
    let unknown = format!("{} unknown", summary.unknown);
    let not_checked = summary.skipped + summary.unchecked;
    let skipped = if not_checked > 0 {
        format!(", {not_checked} not checked")
    } else {
        String::new()
    };
    writeln!(
        out,
        "\n{} {bodies}: {}, {}, {}{skipped}",
        summary.bodies,
        if summary.valid + not_checked == summary.bodies {
            valid.green()
        } else {
            valid.normal()
        },
        if summary.invalid > 0 {
            invalid.red()
        } else {
            invalid.normal()
        },
        if summary.unknown > 0 {
            unknown.yellow()
        } else {
            unknown.normal()
        },
    )?;
    Ok(())
}
