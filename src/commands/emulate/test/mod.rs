//! `wa-hook emulate test FILE... -- CMD`: a WhatsApp conversation as a CI test. A bot is a
//! conversation (the customer writes, the app answers within the window with the right message,
//! statuses come back, the customer reads, the app follows up), and nothing tests that without
//! a phone. Each conversation file ([`crate::conversation`]) is played against the app through
//! a fresh emulator ([`emulator`]: `wa-hook emulate P` as a child process, followed through its
//! controls and its capture file) and a fresh start of the app (`crate::app`, as doctor starts
//! it), step by step ([`play`]), each step passing or failing with its cause ([`report`]).
//!
//! Everything about the provider comes through the registry: which emulator runs, and what
//! message a send body carries ([`SendApi::message_sent`](crate::providers::SendApi)); a
//! provider whose emulator lands plays conversations once it says that.
//!
//! Every file is read and checked before anything starts (a bad one exits 2 at once).
mod emulator;
mod play;
pub mod record;
mod report;

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, bail};

use crate::app::{self, App, AppOptions};
use crate::cli::EmulateTestArgs;
use crate::conversation::{self, Action, Conversation, StepChaos};
use crate::error::Outcome;
use crate::output;
use crate::providers::Provider;
use crate::secret::SecretString;
use emulator::{EmulatorOptions, EmulatorProcess};
use play::{Halt, Player, Status, StepResult};
use report::FileReport;

/// One file, checked: what it plays, through which provider, against which URL.
struct Planned {
    path: PathBuf,
    conversation: Conversation,
    provider: Provider,
    webhook: url::Url,
    events_webhook: Option<url::Url>,
}

/// The run, complete before anything starts.
struct Config {
    planned: Vec<Planned>,
    secrets: Vec<SecretString>,
}

impl Config {
    fn from_args(args: &EmulateTestArgs) -> anyhow::Result<Config> {
        let mut planned = Vec::with_capacity(args.files.len());
        for path in &args.files {
            let conversation = conversation::load(path)?;
            let provider = match (args.provider, &conversation.provider) {
                (Some(provider), _) => provider,
                (None, Some(id)) => Provider::from_id(id).with_context(|| {
                    format!(
                        "{}: provider `{id}` is not one wa-hook knows",
                        path.display()
                    )
                })?,
                (None, None) => bail!(
                    "{}: which provider's emulator plays it? give --provider or the file's `provider`",
                    path.display()
                ),
            };
            let Some(send_api) = provider.rules().send_api() else {
                bail!(
                    "{}: wa-hook does not emulate {}'s send API yet",
                    path.display(),
                    provider.display_name()
                );
            };
            if let Some(why) = send_api.no_send_api() {
                customer_only(path, &conversation, provider, why)?;
            }
            let webhook = match (&args.webhook, &conversation.webhook) {
                (Some(url), _) | (None, Some(url)) => crate::http::parse_target(url)?,
                (None, None) => bail!(
                    "{}: where does the app take webhooks? give --webhook URL or the file's `webhook`",
                    path.display()
                ),
            };
            let events_webhook = args
                .events_webhook
                .as_ref()
                .or(conversation.events_webhook.as_ref())
                .map(|url| crate::http::parse_target(url))
                .transpose()?;
            if events_webhook.is_some() && send_api.events_webhook().is_none() {
                bail!(
                    "{}: {} has one callback URL: leave out events_webhook (--events-webhook)",
                    path.display(),
                    provider.display_name()
                );
            }
            if let Some(templates) = &conversation.templates {
                if !templates.is_file() {
                    bail!(
                        "{}: its templates file {} cannot be read",
                        path.display(),
                        templates.display()
                    );
                }
            }
            planned.push(Planned {
                path: path.clone(),
                conversation,
                provider,
                webhook,
                events_webhook,
            });
        }
        let mut secrets: Vec<SecretString> = args.app_secret.resolve()?.into_iter().collect();
        secrets.extend(crate::secret::from_env_flag(
            args.token_env.as_deref(),
            "bearer token",
        )?);
        Ok(Config { planned, secrets })
    }
}

/// A provider whose app messages the emulator never sees (`why`): the file's steps about them
/// are refused, at the first, before anything starts; a `read`/`fail`/`react` may name a message
/// by its id (`id:MESSAGE_ID`), since no step can label one.
fn customer_only(
    path: &Path,
    conversation: &Conversation,
    provider: Provider,
    why: &str,
) -> anyhow::Result<()> {
    let about_app = |label: &str| !label.starts_with(crate::conversation::ID_PREFIX);
    for (index, step) in conversation.steps.iter().enumerate() {
        let action = match &step.action {
            Action::Expect(_) => "expect",
            Action::ExpectNone(_) => "expect_none",
            Action::React { to, .. } if about_app(to) => "react",
            Action::Read(message) if about_app(message) => "read",
            Action::Fail { message, .. } if about_app(message) => "fail",
            _ if step.chaos == Some(StepChaos::Reorder) => {
                "chaos = \"reorder\", of a send's statuses"
            }
            _ => continue,
        };
        bail!(
            "{}: step {} ({action}): {why}; a {} conversation plays the customer only (say, send, \
             read or fail = \"id:MESSAGE_ID\", wait, advance) and checks the app answers each \
             webhook 2xx",
            path.display(),
            index + 1,
            provider.display_name()
        );
    }
    Ok(())
}

pub fn run(args: EmulateTestArgs) -> anyhow::Result<Outcome> {
    let config = Config::from_args(&args)?;
    // Opened before anything starts, so a bad path fails at once.
    let junit = args
        .junit
        .as_deref()
        .map(output::junit::JunitFile::create)
        .transpose()?;
    // Ctrl-C or SIGTERM: the step under way ends, the results so far are reported (and
    // written to --junit), then exit 130. A second one kills the app and the emulator.
    let stop = crate::signals::install()?;
    stop.on_second_signal(app::kill_now);
    let interrupted = move || stop.requested();
    let mut reports = Vec::with_capacity(config.planned.len());
    for planned in &config.planned {
        if interrupted() {
            break;
        }
        let report = play_file(&args, &config, planned, &interrupted)?;
        reports.push(report);
    }
    output::best_effort(report::total(args.format, &reports))?;
    if let Some(junit) = junit {
        let suites: Vec<_> = reports.iter().map(report::suite).collect();
        junit.write("wa-hook emulate test", &suites)?;
    }
    if interrupted() {
        eprintln!("wa-hook: emulate test stopped by Ctrl-C or SIGTERM");
        return Ok(Outcome::Interrupted);
    }
    let unplayed: Vec<&FileReport> = reports.iter().filter(|r| r.error.is_some()).collect();
    if let Some(first) = unplayed.first() {
        bail!(
            "{} could not be played ({}: {})",
            output::plural(unplayed.len() as u64, "conversation", "conversations"),
            first.file,
            first.error.as_deref().unwrap_or_default()
        );
    }
    Ok(Outcome::from_ok(reports.iter().all(FileReport::passed)))
}

/// Start the emulator and the app for one file, play its steps, stop both.
fn play_file(
    args: &EmulateTestArgs,
    config: &Config,
    planned: &Planned,
    interrupted: &dyn Fn() -> bool,
) -> anyhow::Result<FileReport> {
    let started = Instant::now();
    let conversation = &planned.conversation;
    let mut report = FileReport {
        file: planned.path.display().to_string(),
        conversation: conversation.name.clone(),
        provider: planned.provider.id(),
        app: None,
        results: Vec::new(),
        error: None,
        elapsed: std::time::Duration::ZERO,
    };
    output::best_effort(report::header(
        args.format,
        &planned.path,
        &conversation.name,
        conversation.steps.len(),
    ))?;
    match start(args, config, planned, interrupted) {
        Ok((mut emulator, mut app)) => {
            report.app = app.as_ref().map(|app| app.shown.clone());
            play_steps(
                args,
                planned,
                &mut emulator,
                app.as_mut(),
                &mut report,
                interrupted,
            )?;
            if let Some(app) = app.as_mut() {
                app.stop();
            }
            emulator.stop();
        }
        Err(err) => report.error = Some(format!("{err:#}")),
    }
    report.elapsed = started.elapsed();
    output::best_effort(report::file_end(args.format, &report))?;
    Ok(report)
}

fn start(
    args: &EmulateTestArgs,
    config: &Config,
    planned: &Planned,
    interrupted: &dyn Fn() -> bool,
) -> anyhow::Result<(EmulatorProcess, Option<App>)> {
    let conversation = &planned.conversation;
    let emulator = EmulatorProcess::start(
        &EmulatorOptions {
            provider: planned.provider,
            webhook: planned.webhook.clone(),
            events_webhook: planned.events_webhook.clone(),
            port: args.port,
            app_secret_env: args.app_secret.app_secret_env.clone(),
            token_env: args.token_env.clone(),
            window: conversation.window,
            templates: conversation.templates.clone(),
            seed: conversation.seed,
            secrets: config.secrets.clone(),
        },
        interrupted,
    )?;
    if args.app.is_empty() {
        return Ok((emulator, None));
    }
    let mut env = vec![
        (
            "WA_HOOK_BASE_URL".to_string(),
            emulator.base_url.as_str().trim_end_matches('/').to_string(),
        ),
        (
            "WA_HOOK_PROVIDER".to_string(),
            planned.provider.id().to_string(),
        ),
        (
            "WA_HOOK_WEBHOOK".to_string(),
            planned.webhook.as_str().to_string(),
        ),
    ];
    if let Some(port) = planned.webhook.port_or_known_default() {
        env.push(("PORT".to_string(), port.to_string()));
    }
    for (name, value) in &emulator.ids {
        env.push((
            format!("WA_HOOK_{}", name.to_ascii_uppercase()),
            value.clone(),
        ));
    }
    let app = App::start(
        AppOptions {
            command: args.app.clone(),
            target: planned.webhook.clone(),
            start_timeout: args.app_start.start_timeout,
            verbose: args.app_start.verbose,
            secrets: config.secrets.clone(),
            env,
        },
        interrupted,
    )?;
    Ok((emulator, Some(app)))
}

fn play_steps(
    args: &EmulateTestArgs,
    planned: &Planned,
    emulator: &mut EmulatorProcess,
    app: Option<&mut App>,
    report: &mut FileReport,
    interrupted: &dyn Fn() -> bool,
) -> anyhow::Result<()> {
    let send_api = planned
        .provider
        .rules()
        .send_api()
        .expect("checked in Config::from_args");
    let mut player = Player::new(emulator, app, send_api, interrupted);
    let mut halted: Option<String> = None;
    for (index, step) in planned.conversation.steps.iter().enumerate() {
        let number = index + 1;
        let result = if let Some(why) = &halted {
            StepResult {
                step: number,
                name: step.name.clone(),
                status: Status::NotRun,
                cause: Some(why.clone()),
                seen: None,
                app_log: Vec::new(),
                duration_ms: 0.0,
            }
        } else {
            let (result, halt) = player.play(number, step);
            halted = match halt {
                None => None,
                Some(Halt::Interrupted) => Some("not run: interrupted".to_string()),
                Some(Halt::Stopped(_)) => Some(format!(
                    "not run: the app or the emulator stopped during step {number}"
                )),
            };
            result
        };
        output::best_effort(report::step(args.format, &report.file, &result))?;
        report.results.push(result);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_sample_conversations_are_valid() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/conversations");
        let mut seen = 0;
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|ext| ext == "toml") {
                crate::conversation::load(&path).unwrap_or_else(|err| panic!("{err:#}"));
                seen += 1;
            }
        }
        assert!(seen > 0, "no conversations in samples/conversations");
    }
}
