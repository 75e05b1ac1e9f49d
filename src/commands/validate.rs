//! `wa-hook validate`: check bodies against the documented shapes, in parallel, in order.
use std::io::{BufWriter, Write};

use colored::Colorize;
use rayon::prelude::*;
use serde::Serialize;

use crate::capture::BodyEncoding;
use crate::cli::{Format, ValidateArgs};
use crate::error::Outcome;
use crate::inputs::{self, Batch, Piece, Source, StreamUnit, Unit, UnitStream};
use crate::output;
use crate::output::format_issue;
use crate::providers;
use crate::validation::{self, Check, CheckOptions, Forced, MAX_VALUES, RecordCheck, Verdict};

/// One body's verdict, as printed with `--format json`.
#[derive(Serialize)]
struct BodyReport<'a> {
    origin: &'a str,
    #[serde(flatten)]
    check: &'a Check,
}

/// From this many bodies in a batch on, they are checked in parallel.
const PARALLEL_FROM: usize = 16;

/// Bodies up to this size are checked in parallel; a larger one is checked alone, so the
/// memory its parsed form takes (up to tens of times its size) is held once, not per thread.
const PARALLEL_BODY_MAX: usize = 64 << 10;

/// A captured request with nothing to check, as printed with `--format json`.
#[derive(Serialize)]
struct SkippedReport<'a> {
    origin: &'a str,
    skipped: &'a str,
}

/// Something that could not be read, as printed with `--format json`.
#[derive(Serialize)]
struct UnreadReport<'a> {
    origin: &'a str,
    unread: &'a str,
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
    /// Bodies over `--max-body`, and files or folder entries that could not be read: the run
    /// could not do all of its job (exit 2).
    unread: usize,
}

/// What happened to one unit of input.
enum Judged {
    Record(RecordCheck),
    TooLarge {
        size: u64,
        exact: bool,
    },
    TooComplex {
        values: usize,
    },
    /// A capture record that cannot be read (cut short, edited by hand).
    Damaged(String),
}

pub fn run(args: ValidateArgs) -> anyhow::Result<Outcome> {
    let options = check_options(&args)?;
    let expansion = inputs::expand(&args.inputs)?;
    let mut printer = Printer {
        out: BufWriter::new(output::stdout()),
        args: &args,
        summary: Summary::default(),
    };
    for note in &expansion.notes {
        output::warn(note);
    }
    for (name, why) in &expansion.problems {
        printer.unread(name, why)?;
    }
    check_sources(&mut printer, &expansion.sources, &options)?;
    let Printer {
        mut out, summary, ..
    } = printer;
    if summary.bodies == 0 && summary.unread == 0 {
        return Err(inputs::no_bodies(&expansion.sources));
    }
    match args.format {
        Format::Json => output::json_line(&mut out, &serde_json::json!({ "summary": summary }))?,
        Format::Text => print_summary(&mut out, &summary)?,
    }
    out.flush()?;
    if summary.unread > 0 {
        anyhow::bail!(
            "{} could not be read or checked (see above); the rest was checked",
            output::plural(summary.unread as u64, "input or body", "inputs or bodies")
        );
    }
    Ok(Outcome::from_ok(
        summary.valid + summary.skipped + summary.unchecked == summary.bodies,
    ))
}

/// What `--strict`, `--provider` and `--schema` ask of every check.
fn check_options(args: &ValidateArgs) -> anyhow::Result<CheckOptions> {
    let force = match (&args.provider, &args.schema) {
        (Some(provider), _) => Some(Forced::Provider(*provider)),
        (None, Some(id)) => Some(Forced::Schema(providers::require_schema(id)?)),
        (None, None) => None,
    };
    Ok(CheckOptions {
        strict: args.strict,
        force,
    })
}

/// Files checked in parallel at a time (a folder's): each read whole and judged by a worker, the
/// verdicts printed in order, so memory holds a few files and these verdicts.
const FILES_AT_ONCE: usize = 256;

/// What one small file held, as a worker found it, to be printed in order.
enum Found {
    Unread {
        origin: String,
        why: String,
    },
    Judged {
        origin: String,
        judged: Judged,
    },
    /// Not a small regular file: checked by [`check_source`] in its turn.
    Later,
}

/// Check and print every source in order. A run of files (a folder's) is read and checked
/// in parallel, a file to a worker: one body each, they would leave a core idle; a file larger
/// than [`PARALLEL_BODY_MAX`], or anything but a regular file, is checked on its own.
fn check_sources<W: Write>(
    printer: &mut Printer<'_, W>,
    sources: &[Source],
    options: &CheckOptions,
) -> anyhow::Result<()> {
    let max_body = printer.args.max_body;
    let mut rest = sources;
    while let Some(source) = rest.first() {
        let files = rest
            .iter()
            .take(FILES_AT_ONCE)
            .take_while(|source| matches!(source, Source::File(_)))
            .count();
        // A few files are checked on this thread: starting a thread pool would cost more than
        // the work (bench/run startup).
        if files < PARALLEL_FROM {
            check_source(printer, source, options)?;
            rest = &rest[1..];
            continue;
        }
        let (chunk, after) = rest.split_at(files);
        let found: Vec<Vec<Found>> = chunk
            .par_iter()
            .map(|source| check_small_file(source, options, max_body))
            .collect();
        for (source, found) in chunk.iter().zip(found) {
            for found in found {
                match found {
                    Found::Unread { origin, why } => printer.unread(&origin, &why)?,
                    Found::Judged { origin, judged } => printer.report(|| origin, &judged)?,
                    Found::Later => check_source(printer, source, options)?,
                }
            }
        }
        rest = after;
    }
    Ok(())
}

/// [`check_source`] for a worker: the verdicts on a regular file of at most
/// [`PARALLEL_BODY_MAX`] bytes, or [`Found::Later`] for anything else (read nothing of it).
fn check_small_file(source: &Source, options: &CheckOptions, max_body: u64) -> Vec<Found> {
    let Source::File(path) = source else {
        return vec![Found::Later];
    };
    let small = std::fs::metadata(path)
        .is_ok_and(|metadata| metadata.is_file() && metadata.len() <= PARALLEL_BODY_MAX as u64);
    if !small {
        return vec![Found::Later];
    }
    let mut stream = match UnitStream::open(source, max_body) {
        Ok(stream) => stream,
        Err(err) => {
            return vec![Found::Unread {
                origin: source.describe(),
                why: format!("cannot read it: {}", err.root_cause()),
            }];
        }
    };
    let mut found = Vec::new();
    loop {
        match stream.next_batch() {
            Ok(Some(batch)) => {
                let judged = judge_batch(&batch, options, max_body);
                for (unit, judged) in batch.units.iter().zip(judged) {
                    found.push(Found::Judged {
                        origin: batch.origin(unit),
                        judged,
                    });
                }
            }
            Ok(None) => return found,
            Err(err) => {
                found.push(Found::Unread {
                    origin: stream.name().to_string(),
                    why: format!("{err:#}"),
                });
                return found;
            }
        }
    }
}

/// Check and print every body of one source; a source that cannot be read is reported as
/// unread, and the run goes on.
fn check_source<W: Write>(
    printer: &mut Printer<'_, W>,
    source: &Source,
    options: &CheckOptions,
) -> anyhow::Result<()> {
    let max_body = printer.args.max_body;
    let mut stream = match UnitStream::open(source, max_body) {
        Ok(stream) => stream,
        Err(err) => {
            // The name is printed already: the cause alone says why.
            let why = format!("cannot read it: {}", err.root_cause());
            return printer.unread(&source.describe(), &why);
        }
    };
    // Each batch is checked (in parallel when large), printed in order, then dropped. A large
    // batch of a regular file is checked while the next is read, so both cores check bodies
    // rather than one waiting for the read.
    let name = stream.name().to_string();
    let mut next = stream.next_owned_batch();
    loop {
        let batch = match next {
            Ok(Some(batch)) => batch,
            Ok(None) => return Ok(()),
            Err(err) => return printer.unread(&name, &format!("{err:#}")),
        };
        let view = batch.view(&name);
        let read_ahead = stream.reads_ahead() && batch.units.len() >= PARALLEL_FROM;
        let (judged, ahead) = if read_ahead {
            let (judged, ahead) = rayon::join(
                || judge_batch(&view, options, max_body),
                || stream.next_owned_batch(),
            );
            (judged, Some(ahead))
        } else {
            (judge_batch(&view, options, max_body), None)
        };
        for (unit, judged) in batch.units.iter().zip(&judged) {
            // The origin is written out only for what is printed (`--quiet` prints no valid body).
            printer.report(|| view.origin(unit), judged)?;
        }
        stream.give_back(batch);
        next = ahead.unwrap_or_else(|| stream.next_owned_batch());
    }
}

/// The verdict on each body of a batch, in order.
fn judge_batch(batch: &Batch<'_>, options: &CheckOptions, max_body: u64) -> Vec<Judged> {
    let judge = |unit: &StreamUnit| match (&unit.piece, batch.bytes(unit)) {
        (_, Some(bytes)) => check_unit(bytes, options, max_body),
        (Piece::TooLarge { size, exact }, None) => Judged::TooLarge {
            size: *size,
            exact: *exact,
        },
        (Piece::Bytes(_), None) => unreachable!("a range always has bytes"),
    };
    let is_small = |unit: &StreamUnit| matches!(&unit.piece, Piece::Bytes(range) if range.len() <= PARALLEL_BODY_MAX);
    // A few bodies are checked on this thread: starting a thread pool would cost more than the
    // work (bench/run startup).
    if batch.units.len() < PARALLEL_FROM {
        return batch.units.iter().map(judge).collect();
    }
    let mut parallel: Vec<Option<Judged>> = batch
        .units
        .par_iter()
        .map(|unit| is_small(unit).then(|| judge(unit)))
        .collect();
    for (unit, slot) in batch.units.iter().zip(&mut parallel) {
        if slot.is_none() {
            *slot = Some(judge(unit));
        }
    }
    parallel.into_iter().flatten().collect()
}

/// Prints each verdict as it comes and keeps the counts.
struct Printer<'a, W: Write> {
    out: W,
    args: &'a ValidateArgs,
    summary: Summary,
}

impl<W: Write> Printer<'_, W> {
    /// A source, folder entry or body that could not be read or checked: always printed.
    fn unread(&mut self, origin: &str, why: &str) -> anyhow::Result<()> {
        self.summary.unread += 1;
        match self.args.format {
            Format::Json => output::json_line(
                &mut self.out,
                &UnreadReport {
                    origin,
                    unread: why,
                },
            ),
            Format::Text => {
                writeln!(
                    self.out,
                    "{} {}  {}",
                    output::fail_mark(),
                    origin.bold(),
                    why.red()
                )?;
                Ok(())
            }
        }
    }

    fn report(&mut self, origin: impl FnOnce() -> String, judged: &Judged) -> anyhow::Result<()> {
        let check = match judged {
            Judged::TooLarge { size: bytes, exact } => {
                let (mut size, mut limit) =
                    (output::size(*bytes), output::size(self.args.max_body));
                if size == limit && *exact {
                    // Just over the limit: the rounded figures would look equal.
                    (size, limit) = (
                        format!("{bytes} bytes"),
                        format!("{limit} ({} bytes)", self.args.max_body),
                    );
                }
                if !*exact {
                    size = format!("more than {size}");
                }
                let why = format!(
                    "not checked: {size}, over --max-body {limit}; raise it to check this body"
                );
                return self.unread(&origin(), &why);
            }
            Judged::Damaged(why) => {
                let why = format!("a damaged capture record, not read: {why}");
                return self.unread(&origin(), &why);
            }
            Judged::TooComplex { values } => {
                let why = format!(
                    "not checked: {values} JSON values, more than the {MAX_VALUES} wa-hook holds in memory at once"
                );
                return self.unread(&origin(), &why);
            }
            Judged::Record(RecordCheck::Skipped(why)) => {
                self.summary.bodies += 1;
                self.summary.skipped += 1;
                if self.args.quiet {
                    return Ok(());
                }
                let origin = origin();
                return match self.args.format {
                    Format::Json => output::json_line(
                        &mut self.out,
                        &SkippedReport {
                            origin: &origin,
                            skipped: why,
                        },
                    ),
                    Format::Text => {
                        writeln!(
                            self.out,
                            "- {}  {}",
                            origin.bold(),
                            format!("not checked: {why}").dimmed()
                        )?;
                        Ok(())
                    }
                };
            }
            Judged::Record(RecordCheck::Checked(check)) => check,
        };
        let summary = &mut self.summary;
        summary.bodies += 1;
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
        if self.args.quiet && !check.verdict.fails() {
            return Ok(());
        }
        let origin = origin();
        match self.args.format {
            Format::Json => output::json_line(
                &mut self.out,
                &BodyReport {
                    origin: &origin,
                    check,
                },
            ),
            Format::Text => print_check(&mut self.out, &origin, check),
        }
    }
}

/// A body, or a capture record's body judged as `listen` judged it.
fn check_unit(bytes: &[u8], options: &CheckOptions, max_body: u64) -> Judged {
    let checked = |check| Judged::Record(RecordCheck::Checked(check));
    match inputs::read_unit_to_check(bytes) {
        Unit::Body(body) => match too_complex(body) {
            Some(values) => Judged::TooComplex { values },
            None => checked(validation::check_bytes(body, None, options)),
        },
        Unit::Record(record) => {
            // A captured body is held to the same limit as any other, by the body the record
            // holds: its own `body_bytes` is what it claims, and is not trusted (a record
            // claiming 0 bytes must not skip the limits, nor one claiming 2^64 be refused).
            let kept = record
                .body
                .as_ref()
                .map_or(0, |body| match record.body_encoding {
                    BodyEncoding::Base64 => {
                        let padding = body.bytes().rev().take_while(|b| *b == b'=').count();
                        (body.len() as u64 / 4 * 3).saturating_sub(padding as u64)
                    }
                    BodyEncoding::Utf8 => body.len() as u64,
                    BodyEncoding::None => 0,
                });
            if kept > max_body {
                return Judged::TooLarge {
                    size: kept,
                    exact: true,
                };
            }
            if kept > PARALLEL_BODY_MAX as u64 {
                if let Some(values) = record
                    .body_bytes()
                    .ok()
                    .flatten()
                    .as_deref()
                    .and_then(too_complex)
                {
                    return Judged::TooComplex { values };
                }
            }
            Judged::Record(validation::check_record(&record, options))
        }
        // A record cut short (a crash mid-write) is damage to the file, not a body the
        // provider sent: it is not read, and said so.
        Unit::Unreadable(why) => Judged::Damaged(why),
    }
}

/// The number of JSON values in a large body when over [`MAX_VALUES`]; `None` when it is
/// within the limit (or small enough that it must be).
fn too_complex(body: &[u8]) -> Option<usize> {
    if body.len() <= PARALLEL_BODY_MAX {
        return None;
    }
    let values = validation::count_values(body);
    (values > MAX_VALUES).then_some(values)
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
    if check.more_errors > 0 {
        writeln!(
            out,
            "    {}",
            format!("… and {} more errors", check.more_errors).dimmed()
        )?;
    }
    Ok(())
}

fn print_summary(out: &mut impl Write, summary: &Summary) -> anyhow::Result<()> {
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
    let unread = if summary.unread > 0 {
        format!(", {}", format!("{} not read", summary.unread).red())
    } else {
        String::new()
    };
    writeln!(
        out,
        "\n{}: {}, {}, {}{skipped}{unread}",
        output::plural(summary.bodies as u64, "body", "bodies"),
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
