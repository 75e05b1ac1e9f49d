//! JUnit XML for CI: one test suite of cases (doctor's checks, a conversation's steps), each
//! passed, skipped, failed or in error, with what the app logged. The file is created before
//! the work starts, so a bad path fails at once.
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;
use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};

/// How a case ended.
pub enum Outcome {
    /// With the warning, if any.
    Passed(Option<String>),
    Skipped(String),
    /// Message and full text.
    Failed(String, String),
    Error(String),
}

pub struct Case {
    pub name: String,
    pub seconds: f64,
    pub outcome: Outcome,
    /// The errors the app logged during the case, as `<system-err>`.
    pub app_log: Vec<String>,
}

/// A suite of cases (`<testsuite>`).
pub struct Suite<'a> {
    /// `<testsuite name>`.
    pub name: &'a str,
    /// Each case's `classname`.
    pub classname: &'a str,
    pub properties: Vec<(&'a str, String)>,
    pub elapsed: Duration,
    pub cases: Vec<Case>,
}

/// The `--junit` file, created before anything is done.
pub struct JunitFile {
    path: PathBuf,
    file: File,
}

impl JunitFile {
    pub fn create(path: &Path) -> anyhow::Result<JunitFile> {
        let file = File::create(path)
            .with_context(|| format!("cannot write the JUnit file {}", path.display()))?;
        Ok(JunitFile {
            path: path.to_path_buf(),
            file,
        })
    }

    /// Write the suites under `<testsuites name="{command}">` (`wa-hook doctor`).
    pub fn write(self, command: &str, suites: &[Suite<'_>]) -> anyhow::Result<()> {
        let path = self.path.clone();
        write_xml(self.file, command, suites)
            .with_context(|| format!("writing the JUnit file {}", path.display()))
    }
}

/// `tests`, `failures`, `errors`, `skipped` and `time` of these cases.
fn counts(cases: &[&Case], elapsed: Duration) -> [(&'static str, String); 5] {
    let count =
        |f: fn(&Outcome) -> bool| cases.iter().filter(|c| f(&c.outcome)).count().to_string();
    [
        ("tests", cases.len().to_string()),
        ("failures", count(|o| matches!(o, Outcome::Failed(..)))),
        ("errors", count(|o| matches!(o, Outcome::Error(_)))),
        ("skipped", count(|o| matches!(o, Outcome::Skipped(_)))),
        ("time", format!("{:.3}", elapsed.as_secs_f64())),
    ]
}

fn write_xml(file: File, command: &str, suites: &[Suite<'_>]) -> anyhow::Result<()> {
    let mut writer = Writer::new_with_indent(BufWriter::new(file), b' ', 2);
    writer.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    let all: Vec<&Case> = suites.iter().flat_map(|suite| &suite.cases).collect();
    let total = counts(&all, suites.iter().map(|suite| suite.elapsed).sum());
    writer.write_event(Event::Start(
        BytesStart::new("testsuites").with_attributes(
            [("name", command)]
                .into_iter()
                .chain(total.iter().map(|(name, value)| (*name, value.as_str()))),
        ),
    ))?;
    for suite in suites {
        write_suite(&mut writer, suite)?;
    }
    writer.write_event(Event::End(BytesEnd::new("testsuites")))?;
    let mut inner = writer.into_inner();
    inner.write_all(b"\n")?;
    inner.flush()?;
    Ok(())
}

fn write_suite<W: Write>(writer: &mut Writer<W>, suite: &Suite<'_>) -> anyhow::Result<()> {
    let cases: Vec<&Case> = suite.cases.iter().collect();
    let attributes = counts(&cases, suite.elapsed);
    writer.write_event(Event::Start(
        BytesStart::new("testsuite").with_attributes(
            [("name", suite.name)].into_iter().chain(
                attributes
                    .iter()
                    .map(|(name, value)| (*name, value.as_str())),
            ),
        ),
    ))?;
    writer.write_event(Event::Start(BytesStart::new("properties")))?;
    for (name, value) in &suite.properties {
        writer.write_event(Event::Empty(
            BytesStart::new("property")
                .with_attributes([("name", *name), ("value", value.as_str())]),
        ))?;
    }
    writer.write_event(Event::End(BytesEnd::new("properties")))?;
    for case in &suite.cases {
        let time = format!("{:.3}", case.seconds);
        let start = BytesStart::new("testcase").with_attributes([
            ("name", case.name.as_str()),
            ("classname", suite.classname),
            ("time", time.as_str()),
        ]);
        if matches!(case.outcome, Outcome::Passed(None)) && case.app_log.is_empty() {
            writer.write_event(Event::Empty(start))?;
            continue;
        }
        writer.write_event(Event::Start(start))?;
        match &case.outcome {
            Outcome::Passed(None) => {}
            Outcome::Passed(Some(warning)) => {
                text_element(writer, "system-out", &format!("warning: {warning}"))?;
            }
            Outcome::Skipped(why) => {
                writer.write_event(Event::Empty(
                    BytesStart::new("skipped").with_attributes([("message", why.as_str())]),
                ))?;
            }
            Outcome::Failed(message, text) => {
                failure_element(writer, "failure", message, text)?;
            }
            Outcome::Error(message) => {
                failure_element(writer, "error", message, message)?;
            }
        }
        if !case.app_log.is_empty() {
            let log: Vec<String> = case
                .app_log
                .iter()
                .map(|line| format!("the app logged: {line}"))
                .collect();
            text_element(writer, "system-err", &log.join("\n"))?;
        }
        writer.write_event(Event::End(BytesEnd::new("testcase")))?;
    }
    writer.write_event(Event::End(BytesEnd::new("testsuite")))?;
    Ok(())
}

fn failure_element<W: Write>(
    writer: &mut Writer<W>,
    element: &str,
    message: &str,
    text: &str,
) -> anyhow::Result<()> {
    writer.write_event(Event::Start(
        BytesStart::new(element).with_attributes([("message", message)]),
    ))?;
    writer.write_event(Event::Text(BytesText::new(text)))?;
    writer.write_event(Event::End(BytesEnd::new(element)))?;
    Ok(())
}

fn text_element<W: Write>(writer: &mut Writer<W>, name: &str, text: &str) -> anyhow::Result<()> {
    writer.write_event(Event::Start(BytesStart::new(name)))?;
    writer.write_event(Event::Text(BytesText::new(text)))?;
    writer.write_event(Event::End(BytesEnd::new(name)))?;
    Ok(())
}
