//! Printing a conversation's results: a line per step (✓ / ✗ / -) with the cause under each ✗,
//! then a line per file; or one JSON object per step and a summary per file; and the `--junit`
//! file (a test suite per conversation, a test case per step) through `output::junit`.
use std::io::Write;
use std::path::Path;
use std::time::Duration;

use colored::Colorize;
use serde_json::json;

use super::play::{Status, StepResult};
use crate::cli::Format;
use crate::output::junit::{Case, Outcome, Suite};
use crate::output::{self, Notation, ms};

/// What one file came to.
pub struct FileReport {
    pub file: String,
    pub conversation: String,
    pub provider: &'static str,
    pub app: Option<String>,
    pub results: Vec<StepResult>,
    /// Why the conversation could not be played (the emulator or the app did not start).
    pub error: Option<String>,
    pub elapsed: Duration,
}

impl FileReport {
    pub fn passed(&self) -> bool {
        self.error.is_none() && self.results.iter().all(|r| r.status == Status::Passed)
    }

    fn count(&self, status: Status) -> usize {
        self.results.iter().filter(|r| r.status == status).count()
    }
}

pub fn header(format: Format, file: &Path, conversation: &str, steps: usize) -> anyhow::Result<()> {
    if format == Format::Text {
        let mut out = std::io::stdout().lock();
        writeln!(
            out,
            "{}  {} ({})",
            file.display().to_string().bold(),
            output::printable(conversation),
            output::plural(steps as u64, "step", "steps")
        )?;
    }
    Ok(())
}

pub fn step(format: Format, file: &str, result: &StepResult) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    if format == Format::Json {
        let mut line = serde_json::to_value(result)?;
        line["file"] = file.into();
        return output::json_line(&mut out, &line);
    }
    let mark = match result.status {
        Status::Passed => output::ok_mark(),
        Status::Failed => output::fail_mark(),
        Status::NotRun => "-".dimmed(),
    };
    let took = output::duration(
        Duration::from_secs_f64(result.duration_ms / 1000.0),
        Notation::Measured,
    );
    let name = output::printable(&result.name);
    match result.status {
        Status::NotRun => writeln!(out, "  {mark} {:>2}  {}", result.step, name.dimmed())?,
        _ => writeln!(
            out,
            "  {mark} {:>2}  {name}  {}",
            result.step,
            took.dimmed()
        )?,
    }
    if result.status == Status::Passed {
        for line in &result.app_log {
            let said = format!("(answered, but the app logged: {line})");
            writeln!(out, "        {}", said.dimmed())?;
        }
    } else {
        if let Some(cause) = &result.cause {
            // A cause may end with the app's last lines, one per line.
            let mut lines = cause.lines();
            let first = lines.next().unwrap_or_default();
            writeln!(
                out,
                "        {} {}",
                "cause:".dimmed(),
                output::printable(first)
            )?;
            for line in lines {
                writeln!(out, "        {}", output::printable(line))?;
            }
        }
        for line in &result.app_log {
            writeln!(out, "        {} {}", "the app logged:".dimmed(), line)?;
        }
    }
    Ok(())
}

pub fn file_end(format: Format, report: &FileReport) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    let (passed, failed, not_run) = (
        report.count(Status::Passed),
        report.count(Status::Failed),
        report.count(Status::NotRun),
    );
    match format {
        Format::Json => output::json_line(
            &mut out,
            &json!({"summary": {
                "file": report.file, "conversation": report.conversation,
                "provider": report.provider, "app": report.app,
                "steps": report.results.len(), "passed": passed, "failed": failed,
                "not_run": not_run, "error": report.error,
            }, "ok": report.passed(), "duration_ms": ms(report.elapsed)}),
        )?,
        Format::Text => {
            if let Some(error) = &report.error {
                // Line by line: the emulator's or the app's last lines keep their breaks.
                let error: Vec<_> = error.lines().map(output::printable).collect();
                writeln!(
                    out,
                    "  {} could not be played: {}",
                    output::fail_mark(),
                    error.join("\n")
                )?;
            }
            let mut parts = vec![format!("{passed} passed")];
            if failed > 0 {
                parts.push(format!("{failed} failed").red().bold().to_string());
            }
            if not_run > 0 {
                parts.push(format!("{not_run} not run"));
            }
            writeln!(
                out,
                "  {}: {} ({})\n",
                output::plural(report.results.len() as u64, "step", "steps"),
                parts.join(", "),
                output::duration(report.elapsed, Notation::Measured)
            )?;
        }
    }
    Ok(())
}

/// The last line, under every file: how many conversations passed.
pub fn total(format: Format, reports: &[FileReport]) -> anyhow::Result<()> {
    if format == Format::Text && reports.len() > 1 {
        let passed = reports.iter().filter(|r| r.passed()).count();
        writeln!(
            std::io::stdout().lock(),
            "{} of {} passed",
            passed,
            output::plural(reports.len() as u64, "conversation", "conversations")
        )?;
    }
    Ok(())
}

/// The JUnit suite of one file.
pub fn suite(report: &FileReport) -> Suite<'_> {
    let mut cases: Vec<Case> = report
        .results
        .iter()
        .map(|result| Case {
            name: format!("{:02} {}", result.step, result.name),
            seconds: result.duration_ms / 1000.0,
            outcome: match result.status {
                Status::Passed => Outcome::Passed(None),
                Status::NotRun => {
                    Outcome::Skipped(result.cause.clone().unwrap_or_else(|| "not run".into()))
                }
                Status::Failed => {
                    let cause = result.cause.clone().unwrap_or_default();
                    let mut text = format!("{}\ncause: {cause}", result.name);
                    if let Some(seen) = &result.seen {
                        text.push_str(&format!("\nthe app sent: {seen}"));
                    }
                    Outcome::Failed(cause, text)
                }
            },
            app_log: result.app_log.clone(),
        })
        .collect();
    if let Some(error) = &report.error {
        cases.push(Case {
            name: "conversation".to_string(),
            seconds: 0.0,
            outcome: Outcome::Error(error.clone()),
            app_log: Vec::new(),
        });
    }
    let mut properties = vec![
        ("file", report.file.clone()),
        ("provider", report.provider.to_string()),
    ];
    if let Some(app) = &report.app {
        properties.push(("app", app.clone()));
    }
    Suite {
        name: &report.conversation,
        classname: "wa-hook.emulate-test",
        properties,
        elapsed: report.elapsed,
        cases,
    }
}
