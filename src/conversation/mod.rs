//! Conversation files: a WhatsApp conversation written down as a test (`emulate test` plays
//! them, `emulate record` writes them). The file is TOML, since its crate is kept up by the
//! Rust project's own people (serde_yaml, YAML's usual crate, is unmaintained); once parsed it
//! is held to a committed JSON Schema (`schemas/conversation.json`, `wa-hook schemas show
//! conversation`), so an editor can check it and a mistake is reported at its step and field.
//! What the file says becomes a [`Conversation`] before anything runs: every duration parsed,
//! every regular expression compiled, every message a step names named by an earlier step.
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, bail};
use include_dir::{Dir, include_dir};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::schemas::{Schema, SchemaSet};

static SCHEMA_DIR: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/src/conversation/schemas");
static SCHEMAS: SchemaSet = SchemaSet::new("wa-hook", &SCHEMA_DIR);

/// How long an `expect` waits when the step does not say.
pub const DEFAULT_WITHIN: Duration = Duration::from_secs(5);

/// The label for the last message: the customer's (reply_to) or the app's (read, fail, react).
pub const LAST: &str = "last";

/// How a `read`, `fail` or `react` names a message of the app's by its id rather than by a
/// step's label (`id:wamid.HBg...`): one the app sent outside the emulator (Omni Smartflow,
/// whose send API wa-hook does not emulate).
pub const ID_PREFIX: &str = "id:";

/// The JSON Schema of a conversation file (`conversation`), shipped with the others.
///
/// # Panics
/// Never: the schema is embedded at build time, and a test reads it.
pub fn schema() -> &'static Schema {
    SCHEMAS
        .get("conversation")
        .expect("src/conversation/schemas/conversation.json is embedded")
}

/// The file as written: what TOML parses into and what `record` writes.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ConversationFile {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub webhook: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub events_webhook: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub emulator: Option<EmulatorSettings>,
    pub steps: Vec<StepFile>,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct EmulatorSettings {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub window: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub templates: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
}

/// One step as written: exactly one action, and the fields that go with it.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct StepFile {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub say: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub send: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub set: Option<Map<String, Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identity: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub react: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub emoji: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expect: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contains: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub matches: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub template: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parameters: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reply_to: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub within: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expect_none: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub read: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fail: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wait: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub advance: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub chaos: Option<String>,
}

/// The actions a step may hold (one each), and the fields that may go with each.
const ACTIONS: &[(&str, &[&str])] = &[
    ("say", &["set", "identity", "id", "chaos"]),
    ("send", &["set", "identity", "id", "chaos"]),
    ("react", &["emoji", "chaos"]),
    (
        "expect",
        &[
            "text",
            "contains",
            "matches",
            "template",
            "parameters",
            "reply_to",
            "within",
            "id",
        ],
    ),
    ("expect_none", &[]),
    ("read", &["chaos"]),
    ("fail", &["code", "chaos"]),
    ("wait", &[]),
    ("advance", &[]),
];

/// A conversation, checked and ready to play.
#[derive(Debug)]
pub struct Conversation {
    pub name: String,
    pub provider: Option<String>,
    pub webhook: Option<String>,
    /// The emulator's `--events-webhook`.
    pub events_webhook: Option<String>,
    /// The emulator's `--window`.
    pub window: Option<Duration>,
    /// The emulator's `--templates`, relative to the working directory.
    pub templates: Option<PathBuf>,
    pub seed: Option<u64>,
    pub steps: Vec<Step>,
}

#[derive(Debug)]
pub struct Step {
    /// What the step does, for the report.
    pub name: String,
    /// The name later steps give the message this step sends or expects.
    pub label: Option<String>,
    pub action: Action,
    /// What happens on the way, for this step only (a customer's step).
    pub chaos: Option<StepChaos>,
}

/// A step's `chaos`: what the provider does on the way this once, as `emulate --chaos` does at
/// random for a whole run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StepChaos {
    /// The step's webhook is delivered twice (the copy right after the app answered it).
    Duplicate,
    /// The statuses of the app's next send (the one it makes for this step) come in reverse
    /// order.
    Reorder,
}

#[derive(Debug)]
pub enum Action {
    /// The customer writes text, or sends a sample of a kind; `set` edits the webhook.
    Say {
        text: Option<String>,
        kind: Option<String>,
        set: Vec<String>,
        identity: Option<String>,
    },
    React {
        to: String,
        emoji: String,
    },
    Expect(Box<Expectation>),
    ExpectNone(Duration),
    Read(String),
    Fail {
        message: String,
        code: Option<u32>,
    },
    Wait(Duration),
    Advance(Duration),
}

/// What the app's next message must be.
#[derive(Debug)]
pub struct Expectation {
    /// Its type; `None` for `any`.
    pub kind: Option<String>,
    pub text: Vec<TextCheck>,
    pub template: Option<String>,
    pub parameters: Option<Vec<String>>,
    /// The label of the customer's message it must reply to.
    pub reply_to: Option<String>,
    pub within: Duration,
}

#[derive(Debug)]
pub enum TextCheck {
    Exactly(String),
    Contains(String),
    Matches(regex::Regex),
}

impl TextCheck {
    pub fn accepts(&self, text: &str) -> bool {
        match self {
            TextCheck::Exactly(expected) => text == expected,
            TextCheck::Contains(part) => text.contains(part.as_str()),
            TextCheck::Matches(pattern) => pattern.is_match(text),
        }
    }
}

impl std::fmt::Display for TextCheck {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TextCheck::Exactly(text) => write!(f, "the text {text:?}"),
            TextCheck::Contains(part) => write!(f, "text containing {part:?}"),
            TextCheck::Matches(pattern) => write!(f, "text matching /{pattern}/"),
        }
    }
}

/// A duration as the file writes it (`500ms`, `5s`, `25h`).
fn duration(text: &str, what: &str) -> anyhow::Result<Duration> {
    humantime::parse_duration(text.trim()).map_err(|err| {
        anyhow::anyhow!("{what}: `{text}` is not a duration ({err}); write 500ms, 5s or 25h")
    })
}

/// Read and check the conversation file at `path`.
pub fn load(path: &Path) -> anyhow::Result<Conversation> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let fallback = path.file_stem().map_or_else(
        || "conversation".to_string(),
        |stem| stem.to_string_lossy().into_owned(),
    );
    parse(&text, &fallback, path.parent().unwrap_or(Path::new("")))
        .with_context(|| format!("{} is not a conversation wa-hook can play", path.display()))
}

/// Check a conversation written in TOML; `name` when it names none, `dir` for its relative
/// paths.
pub fn parse(text: &str, name: &str, dir: &Path) -> anyhow::Result<Conversation> {
    let value: Value = toml::from_str(text).map_err(|err| anyhow::anyhow!("not TOML: {err}"))?;
    check_actions(&value)?;
    let issues: Vec<String> = schema()
        .validator(false)
        .iter_errors(&value)
        .take(crate::validation::MAX_ISSUES)
        .map(|error| crate::output::format_issue(&crate::validation::describe_error(&error, "")))
        .collect();
    if !issues.is_empty() {
        bail!("{}", issues.join("; "));
    }
    let file: ConversationFile =
        serde_json::from_value(value).context("the file does not match its schema")?;
    build(file, name, dir)
}

/// Each step holds exactly one action, and only the fields that go with it: said before the
/// schema, whose words for this are less plain.
fn check_actions(value: &Value) -> anyhow::Result<()> {
    let Some(steps) = value.get("steps").and_then(Value::as_array) else {
        return Ok(());
    };
    for (index, step) in steps.iter().enumerate() {
        let Some(step) = step.as_object() else {
            continue;
        };
        let number = index + 1;
        let actions: Vec<&str> = ACTIONS
            .iter()
            .map(|(action, _)| *action)
            .filter(|action| step.contains_key(*action))
            .collect();
        let names: Vec<&str> = ACTIONS.iter().map(|(action, _)| *action).collect();
        match actions.as_slice() {
            [] => bail!(
                "step {number} has no action: give it one of {}",
                names.join(", ")
            ),
            [action] => {
                let allowed = ACTIONS
                    .iter()
                    .find(|(name, _)| name == action)
                    .map_or(&[][..], |(_, fields)| fields);
                if let Some(stray) = step.keys().find(|key| {
                    key.as_str() != *action
                        && key.as_str() != "name"
                        && !allowed.contains(&key.as_str())
                        && !names.contains(&key.as_str())
                }) {
                    bail!(
                        "step {number} ({action}): `{stray}` does not go with {action}{}",
                        if allowed.is_empty() {
                            String::new()
                        } else {
                            format!(" (it takes {})", allowed.join(", "))
                        }
                    );
                }
            }
            several => bail!(
                "step {number} has {} actions ({}): write each in a step of its own",
                several.len(),
                several.join(", ")
            ),
        }
    }
    Ok(())
}

fn build(file: ConversationFile, name: &str, dir: &Path) -> anyhow::Result<Conversation> {
    let emulator = file.emulator.unwrap_or_default();
    let mut customer_labels: Vec<String> = Vec::new();
    let mut app_labels: Vec<String> = Vec::new();
    let mut steps = Vec::with_capacity(file.steps.len());
    for (index, step) in file.steps.into_iter().enumerate() {
        let number = index + 1;
        let built = build_step(step, &customer_labels, &app_labels)
            .with_context(|| format!("step {number}"))?;
        if let Some(label) = &built.label {
            if customer_labels.contains(label) || app_labels.contains(label) {
                bail!("step {number}: the id `{label}` is given twice");
            }
            if matches!(built.action, Action::Expect(_)) {
                app_labels.push(label.clone());
            } else {
                customer_labels.push(label.clone());
            }
        }
        steps.push(built);
    }
    Ok(Conversation {
        name: file.name.unwrap_or_else(|| name.to_string()),
        provider: file.provider,
        webhook: file.webhook,
        events_webhook: file.events_webhook,
        window: emulator
            .window
            .as_deref()
            .map(|window| duration(window, "emulator.window"))
            .transpose()?,
        templates: emulator.templates.map(|path| dir.join(path)),
        seed: emulator.seed,
        steps,
    })
}

/// `label` is `last` or named by an earlier step of the right side.
fn known(label: &str, labels: &[String], side: &str) -> anyhow::Result<String> {
    if label == LAST || labels.iter().any(|known| known == label) {
        return Ok(label.to_string());
    }
    if side == "app" && label.len() > ID_PREFIX.len() && label.starts_with(ID_PREFIX) {
        return Ok(label.to_string());
    }
    if labels.is_empty() {
        bail!(
            "`{label}` names no earlier {side} message (no earlier step gives one an id; `last` names the last)"
        );
    }
    bail!(
        "`{label}` names no earlier {side} message (the ids given so far: {}; `last` names the last)",
        labels.join(", ")
    )
}

fn build_step(step: StepFile, customer: &[String], app: &[String]) -> anyhow::Result<Step> {
    let set: Vec<String> = step
        .set
        .iter()
        .flatten()
        .map(|(path, value)| format!("{path}={value}"))
        .collect();
    for edit in &set {
        crate::payload::Edit::parse(edit)?;
    }
    let (action, name) = if let Some(text) = step.say {
        let name = format!("the customer says {:?}", crate::output::excerpt(&text, 60));
        let action = Action::Say {
            text: Some(text),
            kind: None,
            set,
            identity: step.identity,
        };
        (action, name)
    } else if let Some(kind) = step.send {
        let name = format!("the customer sends {}", crate::output::a(&kind));
        let action = Action::Say {
            text: None,
            kind: Some(kind),
            set,
            identity: step.identity,
        };
        (action, name)
    } else if let Some(to) = step.react {
        let to = known(&to, app, "app")?;
        let emoji = step.emoji.unwrap_or_else(|| "👍".to_string());
        (
            Action::React {
                to: to.clone(),
                emoji: emoji.clone(),
            },
            format!("the customer reacts {emoji} to {to}"),
        )
    } else if let Some(kind) = step.expect {
        let mut text = Vec::new();
        if let Some(exact) = step.text {
            text.push(TextCheck::Exactly(exact));
        }
        if let Some(part) = step.contains {
            text.push(TextCheck::Contains(part));
        }
        if let Some(pattern) = step.matches {
            let regex = regex::Regex::new(&pattern).map_err(|err| {
                anyhow::anyhow!("matches: /{pattern}/ is not a regular expression: {err}")
            })?;
            text.push(TextCheck::Matches(regex));
        }
        let expectation = Expectation {
            kind: (kind != "any").then_some(kind),
            text,
            template: step.template,
            parameters: step.parameters,
            reply_to: step
                .reply_to
                .map(|label| known(&label, customer, "customer"))
                .transpose()?,
            within: step
                .within
                .as_deref()
                .map(|within| duration(within, "within"))
                .transpose()?
                .unwrap_or(DEFAULT_WITHIN),
        };
        let name = expectation.describe();
        (Action::Expect(Box::new(expectation)), name)
    } else if let Some(within) = step.expect_none {
        let within = duration(&within, "expect_none")?;
        (
            Action::ExpectNone(within),
            format!(
                "the app sends nothing for {}",
                crate::output::duration(within, crate::output::Notation::Words)
            ),
        )
    } else if let Some(message) = step.read {
        let message = known(&message, app, "app")?;
        let name = format!("the customer reads {message}");
        (Action::Read(message), name)
    } else if let Some(message) = step.fail {
        let message = known(&message, app, "app")?;
        let name = match step.code {
            Some(code) => format!("{message} fails ({code})"),
            None => format!("{message} fails"),
        };
        (
            Action::Fail {
                message,
                code: step.code,
            },
            name,
        )
    } else if let Some(wait) = step.wait {
        let wait = duration(&wait, "wait")?;
        (
            Action::Wait(wait),
            format!(
                "wait {}",
                crate::output::duration(wait, crate::output::Notation::Words)
            ),
        )
    } else if let Some(advance) = step.advance {
        // Named as written: `25h` reads better than any unit chosen for it.
        let name = format!("the clock moves {} forward", advance.trim());
        (Action::Advance(duration(&advance, "advance")?), name)
    } else {
        bail!("no action");
    };
    let chaos = match step.chaos.as_deref() {
        None => None,
        Some("duplicate") => Some(StepChaos::Duplicate),
        Some("reorder") => Some(StepChaos::Reorder),
        Some(other) => bail!("chaos: `{other}` is neither duplicate nor reorder"),
    };
    Ok(Step {
        name: step.name.unwrap_or(name),
        label: step.id,
        action,
        chaos,
    })
}

impl Expectation {
    /// "the app sends a text containing "order" replying to question, within 5 s".
    pub fn describe(&self) -> String {
        let mut words = match &self.kind {
            Some(kind) => format!("the app sends {}", crate::output::a(kind)),
            None => "the app sends a message".to_string(),
        };
        if let Some(template) = &self.template {
            words.push_str(&format!(" `{template}`"));
        }
        if let Some(parameters) = &self.parameters {
            words.push_str(&format!(" with parameters {parameters:?}"));
        }
        for check in &self.text {
            words.push_str(&format!(" with {check}"));
        }
        if let Some(reply_to) = &self.reply_to {
            words.push_str(&format!(" replying to {reply_to}"));
        }
        words
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_text(text: &str) -> anyhow::Result<Conversation> {
        parse(text, "test", Path::new(""))
    }

    #[test]
    fn a_conversation_parses_into_steps() {
        let conversation = parse_text(
            r#"
name = "order"
[emulator]
window = "24h"
[[steps]]
say = "Where is order 1234?"
id = "question"
[[steps]]
expect = "text"
matches = "(?i)order 1234"
reply_to = "question"
within = "2s"
id = "answer"
[[steps]]
advance = "25h"
[[steps]]
read = "answer"
"#,
        )
        .unwrap();
        assert_eq!(conversation.name, "order");
        assert_eq!(conversation.window, Some(Duration::from_secs(24 * 3600)));
        assert_eq!(conversation.steps.len(), 4);
        let Action::Expect(expectation) = &conversation.steps[1].action else {
            panic!("an expect step");
        };
        assert_eq!(expectation.within, Duration::from_secs(2));
        assert!(expectation.text[0].accepts("Your ORDER 1234 ships"));
        assert_eq!(conversation.steps[1].label.as_deref(), Some("answer"));
    }

    #[test]
    fn mistakes_are_named_at_their_step() {
        let error = |text: &str| format!("{:#}", parse_text(text).unwrap_err());
        assert!(
            error("[[steps]]\nsay = \"a\"\nexpect = \"text\"").contains("step 1 has 2 actions")
        );
        assert!(
            error("[[steps]]\nsay = \"a\"\nwithin = \"2s\"")
                .contains("`within` does not go with say")
        );
        assert!(
            error("[[steps]]\nread = \"greeting\"")
                .contains("`greeting` names no earlier app message")
        );
        assert!(error("[[steps]]\nwait = \"soon\"").contains("not a duration"));
        assert!(
            error("[[steps]]\nexpect = \"text\"\nmatches = \"(\"")
                .contains("not a regular expression")
        );
        assert!(error("[[steps]]\nsay = 3").contains("/steps/0/say"));
        assert!(error("steps = [").contains("TOML"));
        assert!(error("[[steps]]\nread = \"id:\"").contains("`id:` names no earlier app message"));
        assert!(
            error("[[steps]]\nsay = \"a\"\nreply_to = \"id:x\"").contains("does not go with say")
        );
        assert!(
            error("[[steps]]\nwait = \"1s\"\nchaos = \"duplicate\"")
                .contains("`chaos` does not go with wait")
        );
        assert!(error("[[steps]]\nsay = \"a\"\nchaos = \"twice\"").contains("/steps/0/chaos"));
        let chaos = parse_text("[[steps]]\nsay = \"a\"\nchaos = \"duplicate\"").unwrap();
        assert_eq!(chaos.steps[0].chaos, Some(StepChaos::Duplicate));
        let by_id = parse_text("[[steps]]\nfail = \"id:wamid.X\"").unwrap();
        assert!(
            matches!(&by_id.steps[0].action, Action::Fail { message, .. } if message == "id:wamid.X")
        );
    }

    #[test]
    fn a_written_file_reads_back() {
        let file = ConversationFile {
            provider: Some("meta".into()),
            steps: vec![
                StepFile {
                    say: Some("hi".into()),
                    id: Some("m1".into()),
                    ..StepFile::default()
                },
                StepFile {
                    expect: Some("text".into()),
                    text: Some("hello".into()),
                    reply_to: Some("m1".into()),
                    ..StepFile::default()
                },
            ],
            ..ConversationFile::default()
        };
        let text = toml::to_string(&file).unwrap();
        let conversation = parse_text(&text).unwrap();
        assert_eq!(conversation.steps.len(), 2);
    }
}
