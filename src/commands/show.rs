//! `wa-hook show FILE:SEQ`: one captured request, readably.
use std::io::Write;

use colored::Colorize;

use crate::capture::{BodyEncoding, CaptureRecord};
use crate::cli::{Format, ShowArgs};
use crate::error::Outcome;
use crate::inputs::{self, CaptureAddress};
use crate::inspector::Pretty;
use crate::output;
use crate::secret;
use crate::verdict::Verdict;

pub fn run(args: ShowArgs) -> anyhow::Result<Outcome> {
    let address = CaptureAddress::parse(&args.record).ok_or_else(|| {
        anyhow::anyhow!(
            "`{}` does not name a captured request; write FILE:SEQ, e.g. wa-hook-captures.jsonl:5 (the file must exist)",
            output::printable(&args.record)
        )
    })?;
    let mut record = inputs::find_record(&address)?;
    // A record written without a verdict (by hand, or by another tool) is judged now, the way
    // `listen` would have.
    if record.verdict.is_none() && record.rejected.is_none() {
        let options = crate::validation::CheckOptions::default();
        if let crate::validation::RecordCheck::Checked(check) =
            crate::validation::check_record(&record, &options)
        {
            check.record_into(&mut record);
        }
    }
    let mut out = output::stdout();
    match args.format {
        Format::Json => output::json_line(&mut out, &record)?,
        Format::Text => print_record(&mut out, &record)?,
    }
    out.flush()?;
    Ok(Outcome::Success)
}

fn print_record(out: &mut impl Write, record: &CaptureRecord) -> anyhow::Result<()> {
    print_summary(out, record)?;
    print_headers(out, record)?;
    let pretty = print_body(out, record)?;
    print_errors(out, record, pretty.as_ref())?;
    print_forward(out, record)
}

/// What was received, from where, what it is, its verdict and the answer.
fn print_summary(out: &mut impl Write, record: &CaptureRecord) -> anyhow::Result<()> {
    let query = if record.query.is_empty() {
        String::new()
    } else {
        format!("?{}", record.query)
    };
    writeln!(
        out,
        "{} {} {}{}  {}  from {}",
        format!("#{}", record.seq).bold(),
        record.method.bold(),
        output::printable(&record.path),
        output::printable(&query),
        record.received_at,
        record.remote_addr
    )?;
    let what = match (&record.provider, &record.kind) {
        (Some(provider), Some(kind)) => format!("{provider} {kind}"),
        (Some(provider), None) => provider.to_string(),
        _ => "no provider detected".to_string(),
    };
    // The marks and words `validate` and `listen` use.
    let verdict = match (&record.rejected, record.verdict) {
        (Some(why), _) => format!(
            "{} rejected: {}",
            output::fail_mark(),
            output::printable(&why.to_string())
        ),
        (None, Some(Verdict::Valid)) => format!("{} valid", output::ok_mark()),
        (None, Some(Verdict::Invalid)) => format!("{} invalid", output::fail_mark()),
        (None, Some(Verdict::Malformed)) => format!("{} not JSON", output::fail_mark()),
        (None, Some(Verdict::Unchecked)) => format!("{} unchecked", output::unchecked_mark()),
        (None, Some(Verdict::Unknown)) => format!("{} unknown shape", output::unknown_mark()),
        (None, None) => "not checked".to_string(),
    };
    let mut line = format!("{what}  {verdict}  answered {}", record.response_status);
    if let Some(signature) = &record.signature {
        line.push_str(&format!("  signature {signature}"));
    }
    writeln!(out, "{line}")?;
    if let Some(note) = &record.note {
        writeln!(out, "note: {note}")?;
    }
    Ok(())
}

/// The headers as saved, redacted ones marked.
fn print_headers(out: &mut impl Write, record: &CaptureRecord) -> anyhow::Result<()> {
    writeln!(out, "\n{}", "Headers".bold())?;
    // Records with a direction are emulate's (the app's sends to the emulator, its webhooks).
    let redacted_by = if record.direction.is_some() {
        "(redacted by emulate)"
    } else {
        "(redacted by listen)"
    };
    for (name, value) in &record.headers {
        let redacted = secret::is_redacted(name, value, &record.redacted_headers);
        let value = if redacted {
            redacted_by.yellow().to_string()
        } else {
            output::printable(value).into_owned()
        };
        writeln!(out, "  {}: {value}", output::printable(name))?;
    }
    Ok(())
}

/// The body, pretty-printed when it is JSON (returned, for the errors' line numbers).
fn print_body(out: &mut impl Write, record: &CaptureRecord) -> anyhow::Result<Option<Pretty>> {
    writeln!(
        out,
        "\n{} ({})",
        "Body".bold(),
        output::size(record.body_bytes)
    )?;
    let bytes = record.body_bytes().ok().flatten();
    let pretty = bytes
        .as_deref()
        .and_then(|bytes| crate::validation::parse_json(bytes).ok())
        .map(|value| Pretty::of(&value));
    match (&pretty, &bytes, record.body_encoding) {
        (_, None, _) | (_, _, BodyEncoding::None) => writeln!(out, "  (not kept)")?,
        (Some(pretty), _, _) => {
            for line in pretty.text.lines() {
                writeln!(out, "  {}", output::printable(line))?;
            }
        }
        (None, Some(bytes), BodyEncoding::Utf8) => {
            writeln!(
                out,
                "  {}",
                output::printable(&String::from_utf8_lossy(bytes))
            )?;
        }
        (None, Some(bytes), BodyEncoding::Base64) => {
            writeln!(
                out,
                "  ({} bytes, not UTF-8; --format json shows them in base64)",
                bytes.len()
            )?;
        }
    }
    Ok(pretty)
}

/// The verdict's errors, at their line of the pretty-printed body.
fn print_errors(
    out: &mut impl Write,
    record: &CaptureRecord,
    pretty: Option<&Pretty>,
) -> anyhow::Result<()> {
    if !record.errors.is_empty() {
        writeln!(out, "\n{}", "Errors".bold())?;
        for issue in &record.errors {
            let at = pretty
                .map(|pretty| format!("line {}  ", pretty.line_of(&issue.pointer)))
                .unwrap_or_default();
            writeln!(
                out,
                "  {} {at}{}",
                output::fail_mark(),
                output::format_issue(issue)
            )?;
        }
    }
    Ok(())
}

/// What the app answered when the request was forwarded.
fn print_forward(out: &mut impl Write, record: &CaptureRecord) -> anyhow::Result<()> {
    if let Some(forward) = &record.forward {
        writeln!(out, "\n{}", "App reply".bold())?;
        match (forward.status, &forward.error) {
            (Some(status), _) => writeln!(
                out,
                "  {} answered {status} in {:.0} ms",
                forward.url, forward.latency_ms
            )?,
            (None, error) => writeln!(
                out,
                "  {} did not answer: {}",
                forward.url,
                error.as_deref().unwrap_or("no answer")
            )?,
        }
        if let Some(body) = &forward.body {
            writeln!(out, "  {}", output::printable(body))?;
        }
    }
    Ok(())
}
