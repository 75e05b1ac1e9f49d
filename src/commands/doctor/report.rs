//! Printing the results: a checklist (✓ / ✗ / ! / -) with the cause and a fix under each ✗ and
//! !, or one JSON object per check and a summary; and a `JUnit` XML file for CI, one test case
//! per check. Everything printed was scrubbed of secrets where it came from the app.
use std::io::Write;
use std::path::Path;
use std::time::Duration;

use colored::Colorize;
use serde::Serialize;

use super::Doctor;
use super::probe::AppStop;
use super::verdict::{CheckResult, Status, budget_words};
use crate::cli::Format;
use crate::output::junit::{self, Case, Outcome};
use crate::output::{self, Notation, ms};

pub(crate) struct Printer {
    format: Format,
    /// Wrap cause and fix lines at this width (a terminal's), or not at all.
    width: Option<usize>,
    name_width: usize,
    /// Doctor started the app (`-- CMD`).
    started_app: bool,
}

#[derive(Serialize)]
struct Header<'a> {
    doctor: &'a str,
    provider: &'a str,
    budget_ms: f64,
    /// The command doctor started the app with (`-- CMD`), secrets scrubbed.
    #[serde(skip_serializing_if = "Option::is_none")]
    app: Option<&'a str>,
}

#[derive(Serialize)]
struct Counts {
    checks: usize,
    passed: usize,
    failed: usize,
    warnings: usize,
    skipped: usize,
    not_run: usize,
}

impl Counts {
    fn of(results: &[CheckResult]) -> Counts {
        let count = |status| results.iter().filter(|r| r.status == status).count();
        Counts {
            checks: results.len(),
            passed: count(Status::Passed),
            failed: count(Status::Failed),
            warnings: count(Status::Warning),
            skipped: count(Status::Skipped),
            not_run: count(Status::NotRun),
        }
    }
}

#[derive(Serialize)]
struct Summary<'a> {
    #[serde(rename = "summary")]
    counts: Counts,
    ok: bool,
    duration_ms: f64,
    /// Every time the app stopped (each one fails the run).
    #[serde(skip_serializing_if = "<[AppStop]>::is_empty")]
    app_stops: &'a [AppStop],
}

impl Printer {
    pub fn new(format: Format, doctor: &Doctor) -> Printer {
        let stdout = console::Term::stdout();
        let width = stdout
            .is_term()
            .then(|| usize::from(stdout.size().1).max(40));
        Printer {
            format,
            width,
            name_width: super::CHECKS
                .iter()
                .map(|c| c.name.len())
                .max()
                .unwrap_or(0),
            started_app: doctor.probe.app().is_some(),
        }
    }

    pub fn header(&mut self, doctor: &Doctor) -> anyhow::Result<()> {
        let mut out = std::io::stdout().lock();
        let url = doctor.probe.target_url().as_str();
        match self.format {
            Format::Json => output::json_line(
                &mut out,
                &Header {
                    doctor: url,
                    provider: doctor.provider.id(),
                    budget_ms: ms(doctor.budget),
                    app: doctor.probe.app().map(|app| app.shown.as_str()),
                },
            )?,
            Format::Text => {
                let app = doctor
                    .probe
                    .app()
                    .map(|app| {
                        format!(
                            "\n(doctor started `{}`, reads its output and starts it again if it stops)",
                            app.shown
                        )
                    })
                    .unwrap_or_default();
                writeln!(
                    out,
                    "Testing {url} as {} would\n(answers must come within {}){app}\n",
                    doctor.provider.display_name(),
                    budget_words(doctor)
                )?;
            }
        }
        Ok(())
    }

    pub fn check(&mut self, result: &CheckResult) -> anyhow::Result<()> {
        let mut out = std::io::stdout().lock();
        if self.format == Format::Json {
            output::json_line(&mut out, result)?;
            return Ok(());
        }
        let mark = match result.status {
            Status::Passed => output::ok_mark(),
            Status::Failed => output::fail_mark(),
            Status::Warning => "!".yellow().bold(),
            Status::Skipped | Status::NotRun => "-".dimmed(),
        };
        let name = format!("{:width$}", result.check, width = self.name_width);
        let indent = " ".repeat(self.name_width + 4);
        let summary = self.wrap(&result.summary, &indent, self.name_width + 4);
        match result.status {
            Status::Skipped | Status::NotRun => {
                writeln!(out, "{mark} {}  {}", name.dimmed(), summary.dimmed())?;
            }
            _ => writeln!(out, "{mark} {name}  {summary}")?,
        }
        for detail in &result.details {
            writeln!(
                out,
                "{indent}- {}",
                self.wrap(detail, &format!("{indent}  "), indent.len() + 2)
            )?;
        }
        if let Some(cause) = &result.cause {
            let label = "cause: ";
            writeln!(
                out,
                "{indent}{}{}",
                label.dimmed(),
                self.wrap(
                    cause,
                    &format!("{indent}{}", " ".repeat(label.len())),
                    indent.len() + label.len()
                )
            )?;
        }
        if let Some(fix) = &result.fix {
            let label = "fix:   ";
            writeln!(
                out,
                "{indent}{}{}",
                label.bold(),
                self.wrap(
                    fix,
                    &format!("{indent}{}", " ".repeat(label.len())),
                    indent.len() + label.len()
                )
            )?;
        }
        Ok(())
    }

    /// `text` wrapped at word boundaries to the terminal's width, continuation lines indented.
    fn wrap(&self, text: &str, indent: &str, first_column: usize) -> String {
        let Some(width) = self.width else {
            return text.to_string();
        };
        // A number keeps its unit on its line ("49.7 ms").
        let mut words: Vec<String> = Vec::new();
        for word in text.split(' ') {
            match words.last_mut() {
                Some(last)
                    if ["ms", "s", "MB", "KiB", "min", "bytes"]
                        .contains(&word.trim_end_matches([')', ',', ';', ':', '.'])) =>
                {
                    last.push(' ');
                    last.push_str(word);
                }
                _ => words.push(word.to_string()),
            }
        }
        let mut out = String::new();
        let mut column = first_column;
        for word in &words {
            let len = console::measure_text_width(word);
            if column > first_column.min(indent.len()) && column + 1 + len > width {
                out.push('\n');
                out.push_str(indent);
                column = indent.len();
            } else if !out.is_empty() {
                out.push(' ');
                column += 1;
            }
            out.push_str(word);
            column += len;
        }
        out
    }

    pub fn summary(
        &mut self,
        results: &[CheckResult],
        stops: &[AppStop],
        elapsed: Duration,
    ) -> anyhow::Result<()> {
        let counts = Counts::of(results);
        let mut out = std::io::stdout().lock();
        match self.format {
            Format::Json => output::json_line(
                &mut out,
                &Summary {
                    ok: counts.failed == 0 && stops.is_empty(),
                    counts,
                    duration_ms: ms(elapsed),
                    app_stops: stops,
                },
            )?,
            Format::Text => {
                let mut parts = vec![format!("{} passed", counts.passed)];
                if counts.failed > 0 {
                    parts.push(format!("{} failed", counts.failed).red().bold().to_string());
                }
                if counts.warnings > 0 {
                    let warnings = output::plural(counts.warnings as u64, "warning", "warnings");
                    parts.push(warnings.yellow().to_string());
                }
                if counts.skipped > 0 {
                    parts.push(format!("{} skipped", counts.skipped));
                }
                if counts.not_run > 0 {
                    parts.push(format!("{} not run", counts.not_run).red().to_string());
                }
                writeln!(
                    out,
                    "\n{}: {} ({})",
                    output::plural(counts.checks as u64, "check", "checks"),
                    parts.join(", "),
                    output::duration(elapsed, Notation::Measured)
                )?;
                for stop in stops {
                    let again = if stop.restarted {
                        "; doctor started it again"
                    } else {
                        ""
                    };
                    writeln!(
                        out,
                        "{} {}{again}",
                        output::fail_mark(),
                        self.wrap(&stop.sentence(), "  ", 2)
                    )?;
                }
                if !self.started_app && stops.iter().any(|stop| !stop.restarted) {
                    writeln!(
                        out,
                        "  {}",
                        self.wrap(
                            "give doctor the command that starts your app (doctor URL --provider \
                             P -- CMD ARGS): it starts it again after a crash, and ties the \
                             errors it logs to each delivery",
                            "  ",
                            2
                        )
                    )?;
                }
            }
        }
        Ok(())
    }
}

/// The `--junit` file, created before anything is sent: one test case per check.
pub(crate) struct JunitFile(junit::JunitFile);

impl JunitFile {
    pub fn create(path: &Path) -> anyhow::Result<JunitFile> {
        junit::JunitFile::create(path).map(JunitFile)
    }

    pub fn write(
        self,
        doctor: &Doctor,
        results: &[CheckResult],
        stops: &[AppStop],
        elapsed: Duration,
    ) -> anyhow::Result<()> {
        let mut cases: Vec<Case> = results
            .iter()
            .map(|result| Case {
                name: result.check.to_string(),
                seconds: result.duration_ms / 1000.0,
                outcome: match result.status {
                    Status::Passed => Outcome::Passed(None),
                    Status::Warning => Outcome::Passed(Some(text_of(result))),
                    Status::Skipped | Status::NotRun => Outcome::Skipped(result.summary.clone()),
                    Status::Failed => Outcome::Failed(result.summary.clone(), text_of(result)),
                },
                app_log: result.app_log.clone(),
            })
            .collect();
        // A stop is a failure of the run even where no check failed for it (the app ended
        // after answering, and a later check found it gone): one case says so.
        if !stops.is_empty()
            && !results
                .iter()
                .any(|r| r.status == Status::Failed && !r.app_stops.is_empty())
        {
            let text: Vec<String> = stops.iter().map(AppStop::sentence).collect();
            cases.push(Case {
                name: "app".to_string(),
                seconds: 0.0,
                outcome: Outcome::Failed(text[0].clone(), text.join("\n")),
                app_log: Vec::new(),
            });
        }
        self.write_cases(doctor, cases, elapsed)
    }

    /// The file when nothing could be tested: one test case with the error.
    pub fn write_unreachable(
        self,
        doctor: &Doctor,
        check: &'static str,
        message: &str,
    ) -> anyhow::Result<()> {
        let cases = vec![Case {
            name: check.to_string(),
            seconds: 0.0,
            outcome: Outcome::Error(message.to_string()),
            app_log: Vec::new(),
        }];
        self.write_cases(doctor, cases, Duration::ZERO)
    }

    fn write_cases(
        self,
        doctor: &Doctor,
        cases: Vec<Case>,
        elapsed: Duration,
    ) -> anyhow::Result<()> {
        let name = format!("wa-hook doctor {}", doctor.provider.id());
        let classname = format!("wa-hook.doctor.{}", doctor.provider.id());
        let mut properties = vec![
            ("url", doctor.probe.target_url().to_string()),
            ("provider", doctor.provider.id().to_string()),
            ("budget", output::duration(doctor.budget, Notation::Words)),
        ];
        if let Some(app) = doctor.probe.app() {
            properties.push(("app", app.shown.clone()));
        }
        let suite = junit::Suite {
            name: &name,
            classname: &classname,
            properties,
            elapsed,
            cases,
        };
        self.0.write("wa-hook doctor", &[suite])
    }
}

fn text_of(result: &CheckResult) -> String {
    let mut text = result.summary.clone();
    for detail in &result.details {
        text.push_str("\n- ");
        text.push_str(detail);
    }
    if let Some(cause) = &result.cause {
        text.push_str("\ncause: ");
        text.push_str(cause);
    }
    if let Some(fix) = &result.fix {
        text.push_str("\nfix: ");
        text.push_str(fix);
    }
    text
}
