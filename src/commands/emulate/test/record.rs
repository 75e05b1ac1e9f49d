//! `wa-hook emulate record CAPTURE`: a conversation file from an emulate session's capture file,
//! so a test is written by chatting. The customer's messages (webhooks the provider's
//! [`SendApi::customer_message`] reads) become `say` or `send` steps; the app's messages
//! ([`SendApi::message_sent`]) become `expect` steps with what they carried; a `read` status
//! becomes a `read` step. Statuses the emulator sends on its own are left out. A capture of
//! real traffic (`listen --out`) seeds the customer's side.
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};

use anyhow::{Context, bail};
use serde_json::Value;

use crate::capture::{CaptureRecord, Direction};
use crate::cli::EmulateRecordArgs;
use crate::conversation::{ConversationFile, StepFile};
use crate::error::Outcome;
use crate::providers::{Provider, SendApi};

/// At most this many records are read: a conversation is made of a session, not of a
/// capture of months of traffic (whose memory would grow with it).
const MAX_RECORDS: usize = 100_000;
/// The longest line read (a record holds a body of up to 4 MiB, escaped).
const MAX_LINE: u64 = 32 << 20;

pub fn run(args: &EmulateRecordArgs) -> anyhow::Result<Outcome> {
    let capture = &args.capture;
    let file =
        std::fs::File::open(capture).with_context(|| format!("reading {}", capture.display()))?;
    // The session is read whole before the conversation is written: written over its own
    // capture file, it would be lost.
    if let Some(out) = &args.out {
        if same_file(capture, out) {
            bail!(
                "--out {} is the capture file being read; write the conversation to another \
                 file (e.g. --out conversation.toml)",
                out.display()
            );
        }
    }
    let mut reader = BufReader::new(file);
    let mut records = Vec::new();
    let mut line = Vec::new();
    for number in 1.. {
        line.clear();
        (&mut reader)
            .take(MAX_LINE + 1)
            .read_until(b'\n', &mut line)
            .with_context(|| format!("reading {}", capture.display()))?;
        if line.is_empty() {
            break;
        }
        if line.len() as u64 > MAX_LINE {
            bail!(
                "{} line {number} is longer than {}: not a capture record",
                capture.display(),
                crate::output::size(MAX_LINE)
            );
        }
        if line.trim_ascii().is_empty() {
            continue;
        }
        if records.len() == MAX_RECORDS {
            bail!(
                "{} holds more than {MAX_RECORDS} records; a conversation is made of one session: record \
                 one with `wa-hook emulate P --out FILE`, or cut this one (e.g. `tail -n 1000`)",
                capture.display(),
            );
        }
        let record = crate::capture::parse_record(line.trim_ascii_end())
            .with_context(|| format!("{} line {number}", capture.display()))?;
        records.push(record);
    }
    let name = args.name.clone().unwrap_or_else(|| {
        args.capture
            .file_stem()
            .map_or_else(String::new, |stem| stem.to_string_lossy().into_owned())
    });
    let conversation = conversation_of(&records, name)?;
    let mut text = toml::to_string(&conversation).context("writing the conversation as TOML")?;
    if !text.ends_with('\n') {
        text.push('\n');
    }
    let steps = conversation.steps.len();
    if let Some(path) = &args.out {
        std::fs::write(path, &text).with_context(|| format!("writing {}", path.display()))?;
        eprintln!(
            "wa-hook: wrote {} to {}",
            crate::output::plural(steps as u64, "step", "steps"),
            path.display()
        );
    } else {
        let mut out = std::io::stdout().lock();
        out.write_all(text.as_bytes())?;
        out.flush()?;
    }
    Ok(Outcome::Success)
}

/// The conversation the records of one emulate session make.
fn conversation_of(records: &[CaptureRecord], name: String) -> anyhow::Result<ConversationFile> {
    // A capture of real traffic (`listen`) holds the provider's webhooks only, without a
    // direction: its customer's messages seed the `say` steps; the expectations are left to
    // write.
    let Some(provider) = records.iter().find_map(|record| record.provider) else {
        bail!(
            "no record names a provider: record a session with `wa-hook emulate P --out FILE`, \
             or real traffic with `listen --out`"
        );
    };
    let send_api = provider
        .rules()
        .send_api()
        .with_context(|| format!("wa-hook does not emulate {}", provider.display_name()))?;
    let mut recorder = Recorder {
        send_api,
        steps: Vec::new(),
        customer: HashMap::new(),
        sent: HashMap::new(),
    };
    let mut webhook = None;
    // A webhook is recorded once the app has answered it, after the sends the app made while
    // handling it: in the order things happened, the customer's message comes first.
    let mut ordered: Vec<&CaptureRecord> = records.iter().collect();
    ordered.sort_by(|a, b| a.received_at.cmp(&b.received_at));
    for record in ordered {
        let Some(body) = record
            .body_bytes()
            .ok()
            .flatten()
            .and_then(|bytes| serde_json::from_slice::<Value>(&bytes).ok())
        else {
            continue;
        };
        match record.direction {
            Some(Direction::Webhook) => {
                if webhook.is_none() {
                    webhook = record.forward.as_ref().map(|forward| forward.url.clone());
                }
                recorder.webhook(record, &body);
            }
            Some(Direction::Send) => recorder.send(record, &body),
            None if record.provider == Some(provider) => recorder.webhook(record, &body),
            None => {}
        }
    }
    // Only the ids a later step names are kept.
    let named: Vec<String> = recorder
        .steps
        .iter()
        .flat_map(|step| [step.reply_to.clone(), step.read.clone()])
        .flatten()
        .collect();
    for step in &mut recorder.steps {
        step.id = step.id.take().filter(|id| named.contains(id));
    }
    if recorder.steps.is_empty() {
        bail!("the session holds no message of the customer's or the app's to make steps of");
    }
    Ok(ConversationFile {
        name: Some(name),
        provider: Some(provider_id(provider)),
        webhook,
        events_webhook: None,
        emulator: None,
        steps: recorder.steps,
    })
}

/// Whether `a` and `b` name the same file (the same device and inode, whatever the path).
fn same_file(a: &std::path::Path, b: &std::path::Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (std::fs::metadata(a), std::fs::metadata(b)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

fn provider_id(provider: Provider) -> String {
    provider.id().to_string()
}

struct Recorder<'a> {
    send_api: &'a dyn SendApi,
    steps: Vec<StepFile>,
    /// The labels of the customer's messages and the app's, by message id.
    customer: HashMap<String, String>,
    sent: HashMap<String, String>,
}

impl Recorder<'_> {
    fn webhook(&mut self, record: &CaptureRecord, body: &Value) {
        if let Some(message) = self.send_api.customer_message(body) {
            let label = format!("customer-{}", self.customer.len() + 1);
            let kind = record.kind.as_ref().map(ToString::to_string);
            let mut step = StepFile {
                id: Some(label.clone()),
                ..StepFile::default()
            };
            match (message.text, kind) {
                (Some(text), _) => step.say = Some(text),
                (None, Some(kind)) => step.send = Some(kind),
                (None, None) => return,
            }
            self.customer.insert(message.id, label);
            self.steps.push(step);
            return;
        }
        if let Some((id, status)) = self.send_api.status_of(body) {
            if status == "read" {
                if let Some(label) = self.sent.get(&id) {
                    self.steps.push(StepFile {
                        read: Some(label.clone()),
                        ..StepFile::default()
                    });
                }
            }
        }
    }

    fn send(&mut self, record: &CaptureRecord, body: &Value) {
        let answer: Value = record
            .answer
            .as_deref()
            .and_then(|answer| serde_json::from_str(answer).ok())
            .unwrap_or(Value::Null);
        // A send the emulator refused is no message of the app's: played back, it would fail.
        if super::play::refusal_of(self.send_api, record, &answer).is_some() {
            return;
        }
        let Some(message) = self.send_api.message_sent(body, &answer) else {
            return;
        };
        let label = format!("app-{}", self.sent.len() + 1);
        if let Some(id) = &message.id {
            self.sent.insert(id.clone(), label.clone());
        }
        self.steps.push(StepFile {
            id: Some(label),
            expect: Some(message.kind),
            text: message.text.filter(|_| message.template.is_none()),
            template: message.template,
            parameters: (!message.parameters.is_empty()).then_some(message.parameters),
            reply_to: message
                .reply_to
                .and_then(|quoted| self.customer.get(&quoted).cloned()),
            ..StepFile::default()
        });
    }
}
