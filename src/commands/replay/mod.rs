//! `wa-hook replay`: send samples, files and captured requests to a target and report what
//! came back.
//!
//! The work is in four steps, each in its own module, so nothing is sent until every input
//! has been read and checked: the flags become a [`Config`], complete before any prompt or
//! file read; the inputs and the target (from the flags, or asked for) become a `Plan`
//! of [`plan::Template`]s (bodies read, edited and signed once); [`send`] runs them with a
//! fixed set of worker tasks (on one thread per core to a plain-http target, else on one);
//! [`report`] prints the lines and the summary.
mod handshake;
mod interactive;
mod plan;
mod report;
mod results;
mod send;

use std::sync::Arc;
use std::time::Duration;

use anyhow::bail;
use url::Url;

use crate::catalogue::{self, Sample};
use crate::cli::{Format, IdentityForm, ReplayArgs};
use crate::error::Outcome;
use crate::http;
use crate::inputs;
use crate::payload::Edit;
use crate::providers::rules::Identity;
use crate::secret::{self, BasicAuth, SecretString};

/// With at most this many requests, each gets its own line (more need `-v`).
const DETAILED_UP_TO: u64 = 20;

/// What the user asked for, checked: everything the later steps need but the target, which
/// the plan holds (it may be asked for once the inputs are known).
pub(crate) struct Config {
    pub concurrency: usize,
    pub repeat: u64,
    pub rate: Option<f64>,
    /// `--budget`; without it each input gets its provider's own (see [`plan::Template`]).
    pub budget: Option<Duration>,
    pub expect: StatusSet,
    /// `-H`, `--timeout`, `--insecure`.
    pub requests: http::RequestSettings,
    pub basic_auth: Option<BasicAuth>,
    pub app_secret: Option<SecretString>,
    pub edits: Vec<Edit>,
    pub fresh: bool,
    pub sequence: bool,
    pub picky_query: bool,
    /// `--raw-bytes`: files and samples go byte for byte, not in their provider's wire form.
    pub raw_bytes: bool,
    /// `--batch N`: every N inputs merged into one notification.
    pub batch: Option<usize>,
    /// `--identity`: users rewritten into this form.
    pub identity: Option<Identity>,
    pub verbose: bool,
    pub format: Format,
}

impl Config {
    /// Secrets that must not appear in anything printed, even when a server echoes them.
    pub fn secrets(&self) -> Vec<&SecretString> {
        self.basic_auth
            .iter()
            .flat_map(BasicAuth::secrets)
            .chain(self.app_secret.iter())
            .chain(self.requests.header_secrets.iter())
            .collect()
    }
}

/// One input, resolved: a built-in sample or a body read from a file.
pub(crate) enum Input {
    Sample(&'static Sample),
    Body(Box<inputs::Body>),
}

pub fn run(args: ReplayArgs) -> anyhow::Result<Outcome> {
    if args.handshake {
        return handshake::run(&args);
    }
    // Flags first, so a typo fails before any prompt or file read.
    let to = args.to.as_deref().map(http::parse_target).transpose()?;
    let config = Config::from_args(&args)?;
    let (inputs, target, again) = inputs_and_target(&args, to, &config)?;
    let plan = Arc::new(plan::build(inputs, target, &config)?);
    let config = Arc::new(config);
    let detailed = config.verbose || plan.total_requests(config.repeat) <= DETAILED_UP_TO;
    let client = http::client(&config.requests.options)?;
    let results = send::run(&client, &plan, &config, detailed)?;
    let outcome = report::finish(&plan, &config, &results);
    if let Some(again) = again {
        eprintln!("to send the same again without the questions:\n  {again}");
    }
    outcome
}

/// The inputs and where they go: as given (`to`, `--to` parsed), or asked for on a terminal;
/// when the inputs were picked there, the command line that does the same without asking.
fn inputs_and_target(
    args: &ReplayArgs,
    to: Option<Url>,
    config: &Config,
) -> anyhow::Result<(Vec<Input>, Url, Option<String>)> {
    if args.inputs.is_empty() {
        let choice = interactive::choose(args, to)?;
        let typed: Vec<String> = std::env::args_os()
            .skip(1)
            .map(|arg| arg.to_string_lossy().into_owned())
            .collect();
        let again = secret::scrub(
            &choice.command_line(&typed, args.to.is_some()),
            &config.secrets(),
        );
        return Ok((choice.inputs, choice.target, Some(again)));
    }
    let inputs = resolve_inputs(&args.inputs)?;
    let target = match to {
        Some(target) => target,
        None => interactive::ask_target()?,
    };
    Ok((inputs, target, None))
}

impl Config {
    /// Check every flag (but `--to`) before anything is read or sent.
    fn from_args(args: &ReplayArgs) -> anyhow::Result<Config> {
        let expect = StatusSet::parse(&args.expect_status)?;
        let edits = args
            .set
            .iter()
            .map(|text| Edit::parse(text))
            .collect::<anyhow::Result<Vec<_>>>()?;
        let requests = args.http.resolve()?;
        // Refused before it is read: the token is for --handshake only.
        if args.credentials.env.verify_token_env.is_some() {
            bail!(
                "--verify-token-env is for --handshake; add --handshake to send the verification GET"
            );
        }
        let credentials = args.credentials.resolve()?;
        Ok(Config {
            concurrency: args.concurrency as usize,
            repeat: args.repeat,
            rate: args.rate,
            budget: args.budget.given(),
            expect,
            requests,
            basic_auth: credentials.basic_auth,
            app_secret: credentials.app_secret,
            edits,
            fresh: args.fresh,
            sequence: args.sequence,
            picky_query: args.picky_query,
            raw_bytes: args.raw_bytes,
            batch: args.batch.map(|n| n as usize),
            identity: args.identity.map(|form| match form {
                IdentityForm::Phone => Identity::Phone,
                IdentityForm::Bsuid => Identity::Bsuid,
                IdentityForm::Username => Identity::Username,
            }),
            verbose: args.verbose,
            format: args.format,
        })
    }
}

/// Sample names and globs, files, folders, JSON Lines and capture files, all read and checked
/// before anything is sent.
pub(crate) fn resolve_inputs(args: &[String]) -> anyhow::Result<Vec<Input>> {
    let mut resolved = Vec::new();
    let mut kept = Kept::default();
    for arg in args {
        if catalogue::looks_like_sample_name(arg) {
            let mut selected = catalogue::select_samples(arg)?;
            // A glob sends webhooks only, unless it names nothing else ('picky/reply-*').
            if selected.iter().any(|sample| sample.is_webhook()) {
                selected.retain(|sample| sample.is_webhook());
            }
            resolved.extend(selected.into_iter().map(Input::Sample));
            continue;
        }
        if arg != "-"
            && std::fs::metadata(arg).is_err()
            && inputs::CaptureAddress::parse(arg).is_none()
        {
            let close = catalogue::close_sample_names(arg);
            if close.is_empty() {
                bail!(
                    "cannot read {arg}: no such file, and not a sample name (`wa-hook samples` lists them)"
                );
            }
            bail!(
                "cannot read {arg}: no such file, and not a sample name; did you mean {}?",
                close.join(", ")
            );
        }
        let expansion = inputs::expand(std::slice::from_ref(arg))?;
        for note in &expansion.notes {
            crate::output::warn(note);
        }
        if let Some((name, why)) = expansion.problems.first() {
            bail!("{name}: {why}");
        }
        let before = resolved.len();
        for source in &expansion.sources {
            let mut stream = inputs::UnitStream::open(source, inputs::DEFAULT_MAX_BODY)?;
            while let Some(batch) = stream.next_batch()? {
                for unit in batch.units {
                    let origin = batch.origin(unit);
                    let Some(bytes) = batch.bytes(unit) else {
                        bail!(
                            "{origin}: the body is larger than {}, the most wa-hook reads",
                            crate::output::size(inputs::DEFAULT_MAX_BODY)
                        );
                    };
                    kept.take(&origin, bytes.len())?;
                    let body = inputs::body_of(origin, bytes);
                    if let Some(why) = &body.unreadable {
                        bail!("{}: {why}; fix or remove that line", body.origin);
                    }
                    resolved.push(Input::Body(Box::new(body)));
                }
            }
        }
        if resolved.len() == before {
            return Err(inputs::no_bodies(&expansion.sources));
        }
    }
    Ok(resolved)
}

/// Every body is read and checked before anything is sent, and kept for the whole run (each
/// is sent `-n` times): at most this many bodies ...
const MAX_BODIES: usize = 50_000;
/// ... holding at most this many bytes, as read (a capture record's whole line), so that no
/// input, however large, makes replay hold more than about 200 MiB.
const MAX_INPUT_BYTES: usize = 64 << 20;

/// What the inputs read so far hold, against [`MAX_BODIES`] and [`MAX_INPUT_BYTES`].
#[derive(Default)]
struct Kept {
    bodies: usize,
    bytes: usize,
}

impl Kept {
    fn take(&mut self, origin: &str, bytes: usize) -> anyhow::Result<()> {
        self.bodies += 1;
        self.bytes = self.bytes.saturating_add(bytes);
        if self.bodies > MAX_BODIES || self.bytes > MAX_INPUT_BYTES {
            bail!(
                "{origin}: replay reads at most {} bodies ({}) in one run, all kept until sent; split the input (e.g. `split -l {} FILE part-`) and replay each part",
                MAX_BODIES,
                crate::output::size(MAX_INPUT_BYTES as u64),
                MAX_BODIES / 2
            );
        }
        Ok(())
    }
}

/// The status codes that count as success: `2xx`, `200`, `200-299`, `200,204`, `2xx,304`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct StatusSet {
    text: String,
    ranges: Vec<(u16, u16)>,
}

impl StatusSet {
    pub fn parse(text: &str) -> anyhow::Result<StatusSet> {
        let bad = || {
            anyhow::anyhow!(
                "--expect-status `{text}` is not a status list; try 2xx, 200, 200-299 or 200,204"
            )
        };
        let mut ranges = Vec::new();
        for part in text.split(',').map(str::trim) {
            let range =
                if let Some(class) = part.strip_suffix("xx").or_else(|| part.strip_suffix("XX")) {
                    let digit: u16 = class.parse().map_err(|_| bad())?;
                    (digit * 100, digit * 100 + 99)
                } else if let Some((low, high)) = part.split_once('-') {
                    let low: u16 = low.trim().parse().map_err(|_| bad())?;
                    let high: u16 = high.trim().parse().map_err(|_| bad())?;
                    (low, high)
                } else {
                    let code: u16 = part.parse().map_err(|_| bad())?;
                    (code, code)
                };
            if range.0 < 100 || range.1 > 599 || range.0 > range.1 {
                return Err(bad());
            }
            ranges.push(range);
        }
        Ok(StatusSet {
            text: text.trim().to_string(),
            ranges,
        })
    }

    pub fn matches(&self, status: u16) -> bool {
        self.ranges
            .iter()
            .any(|(low, high)| (*low..=*high).contains(&status))
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }
}

/// The input's name for output: the sample name, or the file (and line).
pub(crate) fn input_name(input: &Input) -> &str {
    match input {
        Input::Sample(sample) => &sample.name,
        Input::Body(body) => &body.origin,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_sets() {
        let set = StatusSet::parse("2xx").unwrap();
        assert!(set.matches(204) && !set.matches(301));
        let set = StatusSet::parse("200,204").unwrap();
        assert!(set.matches(204) && !set.matches(201));
        let set = StatusSet::parse("200-299, 404").unwrap();
        assert!(set.matches(250) && set.matches(404));
        for bad in ["", "abc", "2xy", "300-200", "99", "7xx"] {
            assert!(StatusSet::parse(bad).is_err(), "{bad}");
        }
    }
}
