//! Every command-line type. The `///` comments are the `--help` text.
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::http;
use crate::output::ColorChoice;
use crate::providers::Provider;
use crate::secret::{self, BasicAuth, Credentials, SecretString};

const EXIT_CODES: &str = "\
Exit codes:
  0  everything checked out
  1  the check failed: an invalid or unknown body, a reply that did not match
     --expect-status, a partner API FAIL, a signature that does not match
  2  wa-hook could not do its job: usage error, unreadable input, network error
  130  replay or doctor stopped by Ctrl-C or SIGTERM (after printing what was done)";

const ABOUT_LONG: &str = "\
See, reproduce and check the webhooks that WhatsApp business-messaging providers send:
Picky Assist, Qikchat, Omni Smartflow, 99 Digital's partner API and Meta's WhatsApp Cloud API.

  wa-hook listen                      capture every webhook to a JSON Lines file, live
  wa-hook replay qikchat/message-text --to 3000
  wa-hook validate payload.json       check a body against the documented shape
  wa-hook doctor 3000/webhook --provider qikchat    test your endpoint as the provider will
  wa-hook emulate meta --webhook 3000/webhook   Meta's send API locally; statuses to your app
  wa-hook samples                     list the built-in sample payloads";

#[derive(Parser, Debug)]
#[command(
    name = "wa-hook",
    version,
    about = "Capture, replay, validate and configure WhatsApp provider webhooks",
    long_about = ABOUT_LONG,
    after_help = EXIT_CODES,
    propagate_version = true,
    max_term_width = 100
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,

    /// When to colour the output: auto colours only on a terminal (and honours NO_COLOR)
    #[arg(long, value_enum, global = true, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Capture webhooks: acknowledge, save, detect, validate, show and forward every request
    #[command(after_help = LISTEN_EXAMPLES)]
    Listen(ListenArgs),
    /// Send built-in samples, files or captured requests to a URL and report what came back
    #[command(after_help = REPLAY_EXAMPLES)]
    Replay(ReplayArgs),
    /// Check bodies against the providers' documented shapes (JSON Schemas shipped with wa-hook)
    #[command(after_help = VALIDATE_EXAMPLES)]
    Validate(ValidateArgs),
    /// List the built-in sample payloads, or print one
    #[command(after_help = SAMPLES_EXAMPLES)]
    Samples(SamplesArgs),
    /// List the JSON Schemas wa-hook validates with, print one, or export them all
    #[command(after_help = SCHEMAS_EXAMPLES)]
    Schemas(SchemasArgs),
    /// Read or set the webhook URL through 99 Digital's partner API
    #[command(after_help = PARTNER_EXAMPLES)]
    Partner(PartnerArgs),
    /// Test your webhook endpoint the way the provider will, and say why a check fails
    #[command(after_help = DOCTOR_EXAMPLES)]
    Doctor(DoctorArgs),
    /// Print the X-Hub-Signature-256 header Meta would send for a body
    #[command(after_help = SIGN_EXAMPLES)]
    Sign(SignArgs),
    /// Check an X-Hub-Signature-256 header against a body, and explain a mismatch
    #[command(after_help = VERIFY_EXAMPLES)]
    Verify(VerifyArgs),
    /// Serve the inspector over capture files: a page in the browser to see, filter, follow and
    /// replay captured webhooks
    #[command(after_help = INSPECT_EXAMPLES)]
    Inspect(InspectArgs),
    /// Print one captured request readably: headers, body, verdict and errors (FILE:SEQ)
    #[command(after_help = SHOW_EXAMPLES)]
    Show(ShowArgs),
    /// Run a provider's send API on this machine: answer the app's sends as the provider does,
    /// then send the webhooks that follow; play the customer
    #[command(after_help = EMULATE_EXAMPLES)]
    Emulate(EmulateArgs),
    /// Print a shell completion script or the man page
    #[command(after_help = COMPLETIONS_EXAMPLES)]
    Completions(CompletionsArgs),
}

/// Output format shared by every command.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Human-readable lines
    #[default]
    Text,
    /// Machine-readable JSON (one object per line where there are many)
    Json,
}

// ---------------------------------------------------------------------------------------------
// Flag groups several commands share: each declared once, flattened where it is used, and
// read by one function into the checked value the command works with. A group's `///` text
// says what the value is; a command whose use of it needs saying gives its own words in a
// table for [`own_help`] (listen *requires* Basic auth where replay *sends* it).

/// A command's own `--help` words for flags of the shared groups: `(arg id, help)`, applied in
/// place (the flags keep their order); a test checks every id names a flag of its command.
fn own_help(texts: &'static [(&'static str, &'static str)]) -> impl FnMut(clap::Arg) -> clap::Arg {
    move |arg| match texts.iter().find(|(id, _)| arg.get_id() == *id) {
        Some((_, help)) => arg.help(*help),
        None => arg,
    }
}

/// `--app-secret-env VAR`: Meta's app secret (listen, replay, doctor, inspect, sign, verify).
#[derive(Args, Debug, Clone)]
pub struct AppSecretEnvArg {
    /// The Meta app secret (X-Hub-Signature-256), from this environment variable
    #[arg(long, value_name = "VAR")]
    pub app_secret_env: Option<String>,
}

impl AppSecretEnvArg {
    /// The secret from the variable named, when one was.
    pub fn resolve(&self) -> anyhow::Result<Option<SecretString>> {
        secret::from_env_flag(self.app_secret_env.as_deref(), "Meta app secret")
    }
}

/// The secrets a command that talks to an app is given, each through an environment variable
/// (doctor's set; listen and replay add `--basic-auth` in [`CredentialArgs`]).
#[derive(Args, Debug)]
pub struct CredentialEnvArgs {
    /// HTTP Basic auth, reading USER:PASS from this environment variable
    #[arg(long, value_name = "VAR")]
    pub basic_auth_env: Option<String>,

    #[command(flatten)]
    pub app_secret: AppSecretEnvArg,

    /// Meta's verify token (the verification handshake), from this environment variable
    #[arg(long, value_name = "VAR")]
    pub verify_token_env: Option<String>,
}

impl CredentialEnvArgs {
    pub fn resolve(&self) -> anyhow::Result<Credentials> {
        self.resolve_with(None)
    }

    /// The variables named: a child process started beside the run does not inherit them.
    pub fn variables(&self) -> impl Iterator<Item = &str> {
        [
            self.basic_auth_env.as_deref(),
            self.app_secret.app_secret_env.as_deref(),
            self.verify_token_env.as_deref(),
        ]
        .into_iter()
        .flatten()
    }

    fn resolve_with(&self, basic_auth: Option<&str>) -> anyhow::Result<Credentials> {
        Ok(Credentials {
            basic_auth: BasicAuth::from_args(basic_auth, self.basic_auth_env.as_deref())?,
            app_secret: self.app_secret.resolve()?,
            verify_token: secret::from_env_flag(self.verify_token_env.as_deref(), "verify token")?,
        })
    }
}

/// Every credential flag: [`CredentialEnvArgs`] and `--basic-auth USER:PASS` (listen, replay).
#[derive(Args, Debug)]
pub struct CredentialArgs {
    /// HTTP Basic auth as USER:PASS (prefer --basic-auth-env: arguments show in `ps`)
    #[arg(long, value_name = "USER:PASS", conflicts_with = "basic_auth_env")]
    pub basic_auth: Option<String>,

    #[command(flatten)]
    pub env: CredentialEnvArgs,
}

impl CredentialArgs {
    pub fn resolve(&self) -> anyhow::Result<Credentials> {
        self.env.resolve_with(self.basic_auth.as_deref())
    }
}

/// How requests go out: timeout, extra headers, TLS (replay, doctor).
#[derive(Args, Debug)]
pub struct HttpArgs {
    /// Give up on a request after this long
    #[arg(long, default_value = "10s", value_parser = parse_duration, value_name = "DURATION")]
    pub timeout: Duration,

    /// Extra header on every request, `Name: value` (repeatable)
    #[arg(short = 'H', long = "header", value_name = "NAME: VALUE")]
    pub headers: Vec<String>,

    /// Accept invalid TLS certificates (self-signed HTTPS targets)
    #[arg(long)]
    pub insecure: bool,
}

impl HttpArgs {
    /// The headers parsed (a bad one fails here, before anything is sent), with the client's
    /// options.
    pub fn resolve(&self) -> anyhow::Result<http::RequestSettings> {
        http::RequestSettings::new(
            http::HttpOptions {
                timeout: self.timeout,
                insecure: self.insecure,
            },
            &self.headers,
        )
    }
}

/// `--budget`: how long an answer may take (listen --forward-to, replay, doctor), judged by
/// [`providers::budget`](crate::providers::budget) with the provider's own limit as default.
#[derive(Args, Debug, Clone, Copy)]
pub struct BudgetArg {
    /// How fast every answer must come [default: the provider's own limit (Qikchat 2s, Picky
    /// Assist 3m), else 2s]
    #[arg(long, value_parser = parse_duration, value_name = "DURATION")]
    budget: Option<Duration>,
}

impl BudgetArg {
    /// The budget given, if any; without it each provider's own applies.
    pub fn given(self) -> Option<Duration> {
        self.budget
    }
}

// ---------------------------------------------------------------------------------------------
// listen

const LISTEN_EXAMPLES: &str = "\
Examples:
  wa-hook listen                              127.0.0.1:8787, every path, saves to ./wa-hook-captures.jsonl
  wa-hook listen --port 0 --out run.jsonl     a free port; the first line printed is the URL
  wa-hook listen --forward-to 3000            also forward every request to http://127.0.0.1:3000
  wa-hook listen --forward-to 3000 --forward-timeout 2s
                                              answer 504 when the app takes over 2 s
  wa-hook listen --max-connections 64 --read-timeout 5s --fsync
                                              tighter bounds for a public tunnel; records on disk
  wa-hook listen --basic-auth-env QIK_AUTH    require HTTP Basic auth (QIK_AUTH=user:pass)
  wa-hook listen --reply picky/reply-text     answer Picky Assist with an instant reply
  wa-hook listen --status 500 --delay 3s      rehearse a failing, slow endpoint
  wa-hook listen --events status --format json
  wa-hook listen --tunnel cloudflared         a public URL, and where each provider takes it
  wa-hook listen --tunnel ssh:nokey@localhost.run --register partner
                                              99 Digital's webhook points here until listen stops";

const LISTEN_HELP: &[(&str, &str)] = &[
    (
        "basic_auth",
        "Require HTTP Basic auth as USER:PASS (prefer --basic-auth-env: arguments show in `ps`)",
    ),
    (
        "basic_auth_env",
        "Require HTTP Basic auth, reading USER:PASS from this environment variable",
    ),
    (
        "app_secret_env",
        "Check X-Hub-Signature-256 on every POST with the Meta app secret in this environment \
         variable (the inspector's \"Replay edited\" re-signs with it too)",
    ),
    (
        "verify_token_env",
        "Answer Meta's verification handshake with the verify token in this environment variable",
    ),
    (
        "budget",
        "Warn when the forward target takes longer than this [default: the provider's own \
         limit, else 2s — the rule replay follows too]",
    ),
];

#[derive(Args, Debug)]
#[command(
    mut_args(own_help(LISTEN_HELP)),
    // listen's --budget judges what the forward target answers.
    mut_args(|arg| if arg.get_id() == "budget" { arg.requires("forward_to") } else { arg }),
)]
pub struct ListenArgs {
    /// Address to bind; use 0.0.0.0 to accept requests from other machines
    #[arg(long, default_value = "127.0.0.1")]
    pub host: String,

    /// Port to listen on; 0 picks a free one (the URL is printed on the first line; with --format json as {"listening": URL})
    #[arg(short, long, default_value_t = 8787)]
    pub port: u16,

    /// Capture file (JSON Lines, appended); `-` writes the records to stdout
    #[arg(
        short,
        long,
        default_value = "wa-hook-captures.jsonl",
        value_name = "FILE"
    )]
    pub out: PathBuf,

    /// Do not save captures at all
    #[arg(long, conflicts_with = "out")]
    pub no_save: bool,

    /// Largest body accepted; larger ones are answered 413 and recorded without their body
    #[arg(long, default_value = "4MiB", value_parser = parse_size, value_name = "SIZE")]
    pub max_body: u64,

    /// Answer with this Picky Assist instant-reply body (a sample name or a JSON file); checked
    /// at start-up
    #[arg(long, value_name = "SAMPLE|FILE", conflicts_with = "forward_to")]
    pub reply: Option<String>,

    /// HTTP status to acknowledge with [default: 200]; a status outside 2xx answers `{"ok":false}`
    /// (--reply's body, when given, is answered as it is)
    #[arg(long, value_parser = clap::value_parser!(u16).range(200..=599), conflicts_with = "forward_to")]
    pub status: Option<u16>,

    /// Wait this long before acknowledging (e.g. 500ms, 3s), to rehearse a slow endpoint
    #[arg(long, value_parser = parse_duration, value_name = "DURATION")]
    pub delay: Option<Duration>,

    #[command(flatten)]
    pub credentials: CredentialArgs,

    /// Keep Authorization and other secret-bearing headers in the capture file
    #[arg(long)]
    pub keep_secrets: bool,

    /// Show and forward only these kinds (e.g. message:text,status; a prefix matches), providers
    /// (qikchat), verdicts (invalid), rejected, or Meta's webhook field names (account_alerts);
    /// all are saved. A word that matches nothing is refused
    #[arg(long, value_delimiter = ',', value_name = "KIND,...")]
    pub events: Vec<String>,

    /// Forward every request to your app (a URL, or a local port: 3000, 3000/webhook, :3000) and relay its answer
    #[arg(long, value_name = "URL|PORT")]
    pub forward_to: Option<String>,

    #[command(flatten)]
    pub budget: BudgetArg,

    /// Give up on the app after this long and answer 504 [default: the budget, at most 10s]
    #[arg(long, value_parser = parse_duration, value_name = "DURATION", requires = "forward_to")]
    pub forward_timeout: Option<Duration>,

    /// Connections open at once; one more is answered 503 at once [default: 512, fewer when
    /// the open-file limit (ulimit -n) is lower]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub max_connections: Option<u32>,

    /// Longest wait for a request's head, for more of its body, or on an idle keep-alive
    /// connection (a whole body gets 3 times it)
    #[arg(long, default_value = "10s", value_parser = parse_duration, value_name = "DURATION")]
    pub read_timeout: Duration,

    /// Wait until each record is on the disk (fdatasync) before answering: survives a power
    /// loss, at a cost per request
    #[arg(long, conflicts_with = "no_save")]
    pub fsync: bool,

    /// Also report properties the documentation does not name
    #[arg(long)]
    pub strict: bool,

    /// Worker threads answering requests [default: one per core, at least 2; 32 with --delay,
    /// whose requests each hold a worker while they wait (a forwarded request waits for the app
    /// on a thread of its own, up to 256 at once, then 503)]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub threads: Option<u16>,

    /// Answer 401 to a request whose signature does not match (needs --app-secret-env)
    #[arg(long, requires = "app_secret_env")]
    pub reject_bad_signature: bool,

    /// Give the listener a public URL through a tunnel client on PATH: cloudflared (no
    /// account), ngrok, or ssh:HOST (e.g. ssh:nokey@localhost.run); its URL is printed on the
    /// second line, with where each provider takes it
    #[arg(long, value_name = "cloudflared|ngrok|ssh:HOST", value_parser = TunnelNames)]
    pub tunnel: Option<String>,

    /// With --tunnel: point this provider's webhook at the public URL while listen runs and put
    /// the previous URL back when it stops (partner: 99 Digital's partner API, with the token
    /// `wa-hook partner` uses)
    #[arg(long, value_name = "PROVIDER", requires = "tunnel", value_parser = ["partner"])]
    pub register: Option<String>,

    /// With --register: print the API calls a real run makes, and make none
    #[arg(long, requires = "register")]
    pub dry_run: bool,

    /// The partner API's base URL, for --register partner
    #[arg(
        long,
        env = "WA_HOOK_PARTNER_API",
        default_value = crate::partner_api::DEFAULT_BASE,
        value_name = "URL"
    )]
    pub api_base: String,

    /// Do not serve the inspector (the page in the browser over this run's captures)
    #[arg(long)]
    pub no_ui: bool,

    /// The inspector's port on 127.0.0.1 (never the webhook port, never through the tunnel);
    /// 0 picks a free one. Its URL is printed after the listen URL (with --format json as
    /// {"inspector": URL})
    #[arg(
        long,
        default_value_t = 0,
        value_name = "PORT",
        conflicts_with = "no_ui"
    )]
    pub ui_port: u16,

    /// text: one line per request; json: the capture records as JSON lines
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

// ---------------------------------------------------------------------------------------------
// replay

const REPLAY_EXAMPLES: &str = "\
Examples:
  wa-hook replay qikchat/message-text --to http://localhost:3000/webhook
  wa-hook replay 'smartflow/*' --to 3000/webhook            a port (or :PORT) means http://127.0.0.1:PORT
  wa-hook replay captures.jsonl --to http://localhost:3000  re-send what `listen` captured
  wa-hook replay captures.jsonl:5 --to 3000                 re-send the captured request with seq 5
  wa-hook replay qikchat/status-read -n 10000 -c 64 --to 3000 --fresh
  wa-hook replay meta/status-sent --sequence --to 3000      sent, delivered, read for one message
  wa-hook replay picky/message-text --set message_in_raw=hi --to 3000
  wa-hook replay meta/message-text --app-secret-env META_APP_SECRET --to 3000    signed, as Meta
  wa-hook replay 'meta/message-*' --batch 3 --to 3000       3 messages in each notification
  wa-hook replay 'meta/status-*' --identity username --to 3000    no phone numbers: user ids
  wa-hook replay body.json --raw-bytes --to 3000            the file's bytes, as they are
  wa-hook replay --handshake --verify-token-env META_VERIFY_TOKEN --to localhost:3000/webhook
  wa-hook replay                                            on a terminal: pick samples

Bodies go as their provider writes them on the wire: compact JSON, and for Meta every non-ASCII
character as \\uXXXX and / as \\/ (what Meta sends and signs). A captured request that was not
edited goes byte for byte; --raw-bytes sends files and samples byte for byte too.

With 20 requests or fewer each gets a line (status, latency, the response's gist); with more, a
progress bar on a terminal. Either way a summary follows: statuses, errors, latency percentiles,
the count over --budget and a histogram.";

/// `replay --identity`: how a body names its users (see `providers::rules::Identity`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum IdentityForm {
    Phone,
    Bsuid,
    Username,
}

const REPLAY_HELP: &[(&str, &str)] = &[
    (
        "basic_auth",
        "Send HTTP Basic auth as USER:PASS (prefer --basic-auth-env: arguments show in `ps`)",
    ),
    (
        "basic_auth_env",
        "Send HTTP Basic auth, reading USER:PASS from this environment variable",
    ),
    (
        "app_secret_env",
        "Sign every body with the Meta app secret in this environment variable (X-Hub-Signature-256)",
    ),
    (
        "verify_token_env",
        "The verify token for --handshake, from this environment variable",
    ),
    (
        "budget",
        "Count responses slower than this [default: the provider's own limit (Qikchat 2s, \
         Picky Assist 3m), else 2s] — the rule listen --forward-to follows too",
    ),
];

#[derive(Args, Debug)]
#[command(mut_args(own_help(REPLAY_HELP)))]
pub struct ReplayArgs {
    /// Sample names or globs (`all`, `picky/*`), JSON files, folders, JSON Lines or capture files
    #[arg(value_name = "INPUT")]
    pub inputs: Vec<String>,

    /// Target: a URL, or a local port with an optional path (3000, 3000/webhook, :3000/webhook) for http://127.0.0.1:PORT
    #[arg(long, short = 't', value_name = "URL|PORT")]
    pub to: Option<String>,

    /// Requests in flight at once
    #[arg(short, long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub concurrency: u32,

    /// Send every input this many times
    #[arg(short = 'n', long, default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..))]
    pub repeat: u64,

    /// Send at most this many requests per second (e.g. 50 or 50/s)
    #[arg(long, value_parser = parse_rate, value_name = "N/s")]
    pub rate: Option<f64>,

    #[command(flatten)]
    pub http: HttpArgs,

    #[command(flatten)]
    pub credentials: CredentialArgs,

    /// Edit the payload before sending: PATH=VALUE, PATH dotted (a.b.0.c) or a JSON pointer; VALUE JSON or a string
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub set: Vec<String>,

    /// Give every send new message ids and current timestamps, in the fields the provider uses
    #[arg(long)]
    pub fresh: bool,

    /// For a status sample: send one message's statuses in order (sent, delivered, read; or sent, failed for a failed sample)
    #[arg(long)]
    pub sequence: bool,

    /// Send Picky Assist samples the deprecated way, as query parameters
    #[arg(long)]
    pub picky_query: bool,

    /// Status codes that count as success: 2xx, 200, 200-299, or a list (200,204)
    #[arg(long, default_value = "2xx", value_name = "CODES")]
    pub expect_status: String,

    #[command(flatten)]
    pub budget: BudgetArg,

    /// Send each file's (and sample's) bytes exactly as they are, instead of as the provider
    /// writes them on the wire (compact; Meta escapes non-ASCII and /)
    #[arg(long, conflicts_with_all = ["set", "fresh", "sequence", "picky_query", "batch", "identity"])]
    pub raw_bytes: bool,

    /// Merge every N inputs into one notification, as Meta batches them: one entry per
    /// account, messages (and statuses) of one number in one value
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(2..=1000), conflicts_with = "sequence")]
    pub batch: Option<u32>,

    /// Rewrite Meta messages and statuses so users are named by phone number only (phone),
    /// phone number and business-scoped user id (bsuid), or user id and username, no phone
    /// number (username)
    #[arg(long, value_enum, value_name = "FORM")]
    pub identity: Option<IdentityForm>,

    /// Send Meta's verification handshake (GET) instead of bodies and check the challenge comes back
    #[arg(long, requires = "verify_token_env")]
    pub handshake: bool,

    /// Show every result, also with many requests (and include them in --format json)
    #[arg(short, long)]
    pub verbose: bool,

    /// Do not ask for confirmation in interactive mode
    #[arg(short, long)]
    pub yes: bool,

    /// text: lines and a summary; json: the summary (and with -v every result) as JSON
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

// ---------------------------------------------------------------------------------------------
// validate

const VALIDATE_EXAMPLES: &str = "\
Examples:
  wa-hook validate body.json                   detect the provider and kind, then validate
  wa-hook validate samples/ captures.jsonl     folders (*.json, *.jsonl) and capture files
  curl -s https://... | wa-hook validate -     standard input
  wa-hook validate --provider qikchat body.json
  wa-hook validate --strict --quiet bodies/    also flag undocumented properties; only failures
  wa-hook validate captures.jsonl:5            one captured request (FILE:SEQ, as validate prints it)
  tail -n +1 -f captures.jsonl | wa-hook validate -   follow a capture as it grows";

const INSPECT_EXAMPLES: &str = "\
Examples:
  wa-hook inspect wa-hook-captures.jsonl           serve the page; open the URL printed first
  wa-hook inspect --port 0 a.jsonl b.jsonl         a free port; several files in one list
  wa-hook inspect captures.jsonl --replay-to 3000/webhook    the replay button's default target
  APP_SECRET=... wa-hook inspect captures.jsonl --app-secret-env APP_SECRET
                                                   Replay edited re-signs Meta bodies

The page lists every record (new ones as the file grows), shows a request's headers, body and
errors at their lines, follows one message through its statuses, and replays a request as
captured or edited. It listens on 127.0.0.1 only and answers only the browser that opened the
URL printed (its ?key= is exchanged for a cookie); see README.md for its JSON API.";

const INSPECT_HELP: &[(&str, &str)] = &[(
    "app_secret_env",
    "\"Replay edited\" re-signs an edited Meta body (X-Hub-Signature-256) with the app secret \
     in this environment variable, over the bytes Meta would send",
)];

#[derive(Args, Debug)]
#[command(mut_args(own_help(INSPECT_HELP)))]
pub struct InspectArgs {
    /// Capture files written by `wa-hook listen` (followed as they grow)
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,

    /// Port on 127.0.0.1; 0 picks a free one (the URL is the first line printed; with
    /// --format json as {"inspector": URL})
    #[arg(short, long, default_value_t = 8788)]
    pub port: u16,

    /// Where the replay button sends by default: a URL or a local port (3000/webhook)
    #[arg(long, value_name = "URL")]
    pub replay_to: Option<String>,

    /// How long a replay may take
    #[arg(long, default_value = "10s", value_parser = parse_duration, value_name = "DURATION")]
    pub timeout: Duration,

    #[command(flatten)]
    pub app_secret: AppSecretEnvArg,

    /// text: the URL; json: {"inspector": URL}
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

const SHOW_EXAMPLES: &str = "\
Examples:
  wa-hook show wa-hook-captures.jsonl:5            the request with seq 5
  wa-hook show captures.jsonl:5 --format json      the record itself, as one JSON line

SEQ is the record's seq: validate and replay print captured requests as FILE:SEQ, listen's JSON
lines and the inspector show it; it continues across runs of listen on the same file.";

#[derive(Args, Debug)]
pub struct ShowArgs {
    /// The captured request: FILE:SEQ
    #[arg(value_name = "FILE:SEQ")]
    pub record: String,

    /// text: readable; json: the capture record as one line
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

#[derive(Args, Debug)]
pub struct ValidateArgs {
    /// Files, folders (searched for *.json and *.jsonl), capture files, one captured request
    /// (FILE:SEQ), or `-` for standard input
    #[arg(value_name = "INPUT", required = true)]
    pub inputs: Vec<String>,

    /// Validate as this provider instead of detecting it
    #[arg(long, value_parser = provider_parser(), conflicts_with = "schema")]
    pub provider: Option<Provider>,

    /// Validate against this schema (see `wa-hook schemas`) instead of detecting it
    #[arg(long, value_name = "SCHEMA")]
    pub schema: Option<String>,

    /// Also report properties the documentation does not name
    #[arg(long)]
    pub strict: bool,

    /// Print only bodies that are not valid (and the summary)
    #[arg(short, long)]
    pub quiet: bool,

    /// Largest body checked; a larger one is reported and not read (exit 2)
    #[arg(long, default_value = "4MiB", value_parser = parse_size, value_name = "SIZE")]
    pub max_body: u64,

    /// text: a line per body; json: one JSON object per body, then a summary object
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// `--tunnel`: any text (`ssh:HOST` has a host of the user's), with the client names offered
/// to shell completion.
#[derive(Clone)]
struct TunnelNames;

impl clap::builder::TypedValueParser for TunnelNames {
    type Value = String;

    fn parse_ref(
        &self,
        command: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<String, clap::Error> {
        clap::builder::StringValueParser::new().parse_ref(command, arg, value)
    }

    fn possible_values(
        &self,
    ) -> Option<Box<dyn Iterator<Item = clap::builder::PossibleValue> + '_>> {
        Some(Box::new(
            [
                ("cloudflared", "Cloudflare quick tunnel, no account"),
                ("ngrok", "ngrok (authtoken configured)"),
                (
                    "ssh:",
                    "an SSH tunnel service: ssh:nokey@localhost.run, ssh:serveo.net",
                ),
            ]
            .into_iter()
            .map(|(name, help)| clap::builder::PossibleValue::new(name).help(help)),
        ))
    }
}

/// `--provider`: any provider of the registry, by id or alias; completions list the ids.
fn provider_parser() -> impl clap::builder::TypedValueParser<Value = Provider> {
    let ids: Vec<clap::builder::PossibleValue> = Provider::all()
        .map(|provider| {
            let aliases = provider.rules().aliases();
            clap::builder::PossibleValue::new(provider.id())
                .help(provider.display_name())
                .aliases(aliases.iter().copied())
        })
        .collect();
    clap::builder::TypedValueParser::map(clap::builder::PossibleValuesParser::new(ids), |id| {
        Provider::from_id(&id).expect("a listed provider id")
    })
}

// ---------------------------------------------------------------------------------------------
// samples, schemas

const SAMPLES_EXAMPLES: &str = "\
Examples:
  wa-hook samples                         every sample: name, provider, kind, description
  wa-hook samples show meta/status-failed
  wa-hook samples show qikchat/message-text > body.json";

#[derive(Args, Debug)]
pub struct SamplesArgs {
    #[command(subcommand)]
    pub action: Option<SamplesAction>,

    /// text: a table; json: one object per sample
    #[arg(long, value_enum, default_value_t = Format::Text, global = true)]
    pub format: Format,
}

#[derive(Subcommand, Debug)]
pub enum SamplesAction {
    /// List the samples (the default)
    List {
        /// Only samples whose name matches this glob (e.g. 'meta/*')
        pattern: Option<String>,
    },
    /// Print one sample's body exactly as wa-hook sends it
    Show {
        /// Sample name, e.g. qikchat/message-text
        name: String,
    },
}

const SCHEMAS_EXAMPLES: &str = "\
Examples:
  wa-hook schemas                       every schema with what it covers
  wa-hook schemas show qikchat-message
  wa-hook schemas export schemas/       files for ajv, check-jsonschema and editors";

#[derive(Args, Debug)]
pub struct SchemasArgs {
    #[command(subcommand)]
    pub action: Option<SchemasAction>,

    /// text: a table; json: one object per schema
    #[arg(long, value_enum, default_value_t = Format::Text, global = true)]
    pub format: Format,
}

#[derive(Subcommand, Debug)]
pub enum SchemasAction {
    /// List the schemas (the default)
    List,
    /// Print one schema
    Show {
        /// Schema id, e.g. meta-notification
        id: String,
        /// Print the --strict variant (undocumented properties not allowed)
        #[arg(long)]
        strict: bool,
    },
    /// Write every schema as DIR/<id>.json
    #[allow(rustdoc::invalid_html_tags, reason = "--help text, not HTML")]
    Export {
        /// Folder to write into (created if missing)
        dir: PathBuf,
        /// Export the --strict variants
        #[arg(long)]
        strict: bool,
    },
}

// ---------------------------------------------------------------------------------------------
// partner

const PARTNER_EXAMPLES: &str = "\
Examples:
  wa-hook partner token --client-id ID     get and save a token (the client secret is asked for)
  wa-hook partner get-url                  the webhook URL set now
  wa-hook partner set-url https://example.com/hooks/99
  wa-hook partner set-url https://example.com/hooks/99 --dry-run
  echo \"$TOKEN\" | wa-hook partner set-url https://example.com/hooks/99 --token-stdin --yes

The bearer token comes from, in order: --token-stdin, WA_HOOK_PARTNER_TOKEN, the token saved by
`partner token` while it is valid, then a hidden prompt on a terminal. It is never an argument.

Exit codes: 0 the API answered OK; 1 it answered FAIL (the reason code is explained), or the change
was declined; 2 no token, a bad URL, or no answer from the API (HTTP error, not JSON, timeout).";

const PARTNER_TOKEN_EXAMPLES: &str = "\
Examples:
  wa-hook partner token --client-id 4821                  asks for the client secret
  WA_HOOK_CLIENT_SECRET=... wa-hook partner token --client-id 4821
  pass show 99digital | wa-hook partner token --client-id 4821 --client-secret-stdin
  export WA_HOOK_PARTNER_TOKEN=$(wa-hook partner token --client-id 4821 --print)

The token is saved, readable by you only (0600), in partner-token.json in your config folder
(~/.config/wa-hook on Linux; WA_HOOK_CONFIG_DIR overrides it) with its expiry and --api-base.";

const PARTNER_SET_URL_EXAMPLES: &str = "\
Examples:
  wa-hook partner set-url https://example.com/hooks/99              shows the URL now set, asks first
  wa-hook partner set-url https://example.com/hooks/99 --dry-run    print the request, send nothing
  wa-hook partner set-url https://example.com/hooks/99 --yes --format json

The URL is checked before anything is sent: http:// or https://, a valid URL, at most 512
characters. set-url never retries on its own.";

const PARTNER_GET_URL_EXAMPLES: &str = "\
Examples:
  wa-hook partner get-url                   prints the URL alone
  wa-hook partner get-url --format json     the API's answer as it came

A connection that fails or drops is tried once more.";

#[derive(Args, Debug)]
pub struct PartnerArgs {
    #[command(subcommand)]
    pub action: PartnerAction,

    /// The partner API's base URL
    #[arg(
        long,
        env = "WA_HOOK_PARTNER_API",
        default_value = "https://partners.99digital.co.il/api",
        global = true,
        value_name = "URL"
    )]
    pub api_base: String,

    /// Read the bearer token from standard input (else WA_HOOK_PARTNER_TOKEN, the saved token, a prompt)
    #[arg(long, global = true)]
    pub token_stdin: bool,

    /// Give up on a request after this long
    #[arg(long, default_value = "15s", value_parser = parse_duration, global = true, value_name = "DURATION")]
    pub timeout: Duration,

    /// text: a sentence; json: the API's JSON response as it came (the token redacted unless --print)
    #[arg(long, value_enum, default_value_t = Format::Text, global = true)]
    pub format: Format,
}

#[derive(Subcommand, Debug)]
pub enum PartnerAction {
    /// Get an access token (valid one hour) and save it for the other partner commands
    #[command(after_help = PARTNER_TOKEN_EXAMPLES)]
    Token {
        /// Your partner client id
        #[arg(long, env = "WA_HOOK_CLIENT_ID", value_name = "ID")]
        client_id: String,
        /// Read the client secret from standard input (else WA_HOOK_CLIENT_SECRET, else a prompt)
        #[arg(long)]
        client_secret_stdin: bool,
        /// Also write the token to standard output, for scripts (nothing else prints it)
        #[arg(long)]
        print: bool,
    },
    /// Set the webhook URL the partner API calls
    #[command(after_help = PARTNER_SET_URL_EXAMPLES)]
    SetUrl {
        /// The new webhook URL (http:// or https://, at most 512 characters)
        url: String,
        /// Do not show the URL set now nor ask to confirm; required without a terminal
        #[arg(short, long)]
        yes: bool,
        /// Print the request that would be sent (token redacted) and send nothing
        #[arg(long)]
        dry_run: bool,
    },
    /// Print the webhook URL that is set now
    #[command(after_help = PARTNER_GET_URL_EXAMPLES)]
    GetUrl,
}

// ---------------------------------------------------------------------------------------------
// doctor

const DOCTOR_EXAMPLES: &str = "\
Examples:
  wa-hook doctor 3000/webhook --provider qikchat --basic-auth-env QIK_AUTH
  wa-hook doctor https://example.com/webhook --provider meta \\
      --verify-token-env META_VERIFY_TOKEN --app-secret-env META_APP_SECRET
  wa-hook doctor 3000 --provider picky --only instant-reply,query-method
  wa-hook doctor 3000 --provider smartflow --skip burst --junit doctor.xml   # in CI
  wa-hook doctor 3000 --provider partner --format json
  wa-hook doctor 8000/webhook --provider meta --app-secret-env META_APP_SECRET -- python app.py
                         doctor starts the app, ties the errors it logs to each delivery
                         (\"answered 200, but the app logged: KeyError: 'user_id'\"), and
                         starts it again after a crash

Checks (those that apply to the provider run, in this order):
  handshake              Meta's verification GET with the right token gets 200 and the challenge
  handshake-wrong-token  the same with a wrong token is refused (403)
  signed-post            a body signed as Meta signs it (X-Hub-Signature-256) gets 2xx
  wrong-signature        a wrongly signed body is refused (a warning when accepted)
  unsigned-post          an unsigned body is refused (a warning when accepted)
  basic-auth-missing     Qikchat: a request without the Basic credentials is refused
  basic-auth-wrong       Qikchat: a request with wrong Basic credentials is refused
  query-method           Picky Assist's deprecated query-string method gets 2xx
  instant-reply          an answer to a Picky Assist message is a valid instant reply, or none
  kinds                  every documented kind gets 2xx within the budget
  identities             Meta: each message and status with the user named by phone number,
                         by business-scoped user id beside it, and by user id and username alone
  batched                Meta: one notification holding several entries, changes, messages and
                         statuses, as Meta batches them, gets 2xx (and no error in the app's log)
  duplicate              the same delivery twice (providers retry) gets 2xx both times
  out-of-order           one message's statuses in reverse order get 2xx
  unknown-kind           kinds, fields and statuses not documented yet get 2xx
  extra-property         a body with a property not documented yet gets 2xx
  large-body             a body near the provider's size limit gets 2xx
  burst                  many messages' statuses at once, all 2xx within the budget (p50, p99)

Marks: ✓ passed, ✗ failed (with the likely cause and a fix), ! warning, - skipped or not run
(and why). An app that refuses every delivery with 401/403 while doctor has no --app-secret-env
(Meta) or --basic-auth-env (Qikchat) is doing its job: those checks are skipped and say what to
give. When the app stops (it crashed), doctor says during which check and on which delivery;
the bodies left are \"not sent\" and the checks left \"not run\" (the stop fails the run). With
`-- CMD`, doctor starts the app again instead and goes on; it stops the app (its whole process
group: SIGTERM, then SIGKILL) at the end, on an error and on Ctrl-C. The app's output is shown
only with -v, secrets scrubbed; PYTHONUNBUFFERED=1 is set so Python's lines come at once.

Exit codes: 0 every check passed (warnings and skips allowed); 1 a check failed or the app
stopped; 2 the endpoint could not be tested at all (connection refused, TLS failure, no such
host, every request refused for want of credentials, the app given after -- did not start) or a
usage error; 130 stopped by Ctrl-C or SIGTERM, after printing (and writing to --junit) the
checks done.";

/// A doctor check's name: any text is taken (doctor's own message lists the checks that apply
/// to the provider), and shells complete the names of the checks.
#[derive(Clone, Debug)]
struct CheckName;

impl clap::builder::TypedValueParser for CheckName {
    type Value = String;

    fn parse_ref(
        &self,
        _command: &clap::Command,
        _arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<String, clap::Error> {
        value
            .to_str()
            .map(str::to_string)
            .ok_or_else(|| clap::Error::new(clap::error::ErrorKind::InvalidUtf8))
    }

    fn possible_values(
        &self,
    ) -> Option<Box<dyn Iterator<Item = clap::builder::PossibleValue> + '_>> {
        Some(Box::new(
            crate::commands::doctor::CHECKS
                .iter()
                .map(|check| clap::builder::PossibleValue::new(check.name)),
        ))
    }
}

const DOCTOR_HELP: &[(&str, &str)] = &[
    (
        "verify_token_env",
        "Meta: the verify token your app expects, from this environment variable (for handshake)",
    ),
    (
        "app_secret_env",
        "Meta: sign bodies with the app secret in this environment variable, as Meta does",
    ),
    (
        "basic_auth_env",
        "Qikchat: send HTTP Basic auth, reading USER:PASS from this environment variable",
    ),
];

#[derive(Args, Debug)]
#[command(mut_args(own_help(DOCTOR_HELP)))]
pub struct DoctorArgs {
    /// Your endpoint: a URL, or a local port with an optional path (3000, 3000/webhook, :3000/webhook)
    #[arg(value_name = "URL|PORT")]
    pub url: String,

    /// The provider whose traffic to send
    #[arg(long, value_parser = provider_parser())]
    pub provider: Provider,

    #[command(flatten)]
    pub credentials: CredentialEnvArgs,

    #[command(flatten)]
    pub http: HttpArgs,

    #[command(flatten)]
    pub budget: BudgetArg,

    /// Run only these checks (comma-separated names; see the list below)
    #[arg(long, value_delimiter = ',', value_name = "CHECK,...", value_parser = CheckName, hide_possible_values = true)]
    pub only: Vec<String>,

    /// Leave out these checks
    #[arg(long, value_delimiter = ',', value_name = "CHECK,...", value_parser = CheckName, hide_possible_values = true)]
    pub skip: Vec<String>,

    /// Also write the results as JUnit XML to this file (one test case per check), for CI
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,

    /// text: a checklist; json: one object per check, then a summary object
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,

    #[command(flatten)]
    pub app_start: AppStartArgs,

    /// The command that starts your app: doctor starts it in its own process group, reads its
    /// output, ties the errors it logs to the delivery in flight, starts it again after a crash,
    /// and stops it at the end
    #[arg(last = true, value_name = "CMD")]
    pub app: Vec<String>,
}

/// How `doctor -- CMD` and `emulate test -- CMD` start the app (src/app.rs).
#[derive(Args, Debug)]
pub struct AppStartArgs {
    /// With `-- CMD`: how long the app may take to answer at its webhook URL after it starts
    #[arg(long, default_value = "30s", value_parser = parse_duration, value_name = "DURATION")]
    pub start_timeout: Duration,

    /// With `-- CMD`: show the app's output as it comes (secrets scrubbed)
    #[arg(short, long)]
    pub verbose: bool,
}

// ---------------------------------------------------------------------------------------------
// sign, verify

const SIGN_EXAMPLES: &str = "\
Examples:
  wa-hook sign --app-secret-env META_APP_SECRET body.json
  curl ... -H \"$(wa-hook sign --app-secret-env META_APP_SECRET body.json)\" --data-binary @body.json";

const VERIFY_EXAMPLES: &str = "\
Examples:
  wa-hook verify --app-secret-env META_APP_SECRET --signature 'sha256=4f2c...' body.json
  wa-hook verify --app-secret-file secret.txt --signature \"$SIG\" -";

/// Where the Meta app secret comes from; never a plain argument value.
#[derive(Args, Debug, Clone)]
#[command(mut_args(|arg| if arg.get_id() == "app_secret_env" {
    arg.conflicts_with("app_secret_file")
        .help("Read the app secret from this environment variable")
} else {
    arg
}))]
pub struct AppSecretArgs {
    #[command(flatten)]
    pub env: AppSecretEnvArg,
    /// Read the app secret from this file (surrounding whitespace is ignored)
    #[arg(long, value_name = "FILE")]
    pub app_secret_file: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct SignArgs {
    #[command(flatten)]
    pub secret: AppSecretArgs,
    /// The body, byte for byte: a file or `-` for standard input
    #[arg(value_name = "FILE|-")]
    pub input: String,
    /// text: the header line; json: {"header", "signature"}
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

#[derive(Args, Debug)]
pub struct VerifyArgs {
    #[command(flatten)]
    pub secret: AppSecretArgs,
    /// The X-Hub-Signature-256 value received, e.g. sha256=4f2c...
    #[arg(long, value_name = "SIGNATURE")]
    pub signature: String,
    /// The body, byte for byte: a file or `-` for standard input
    #[arg(value_name = "FILE|-")]
    pub input: String,
    /// text: a verdict and its likely cause; json: {"valid", "cause"}
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

// ---------------------------------------------------------------------------------------------
// completions

const COMPLETIONS_EXAMPLES: &str = "\
Examples:
  wa-hook completions bash > ~/.local/share/bash-completion/completions/wa-hook
  wa-hook completions zsh > ~/.zfunc/_wa-hook
  wa-hook completions fish > ~/.config/fish/completions/wa-hook.fish
  wa-hook completions man > wa-hook.1";

#[derive(Args, Debug)]
pub struct CompletionsArgs {
    /// The shell (or `man` for the man page)
    #[arg(value_enum)]
    pub target: CompletionTarget,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum CompletionTarget {
    Bash,
    Zsh,
    Fish,
    Powershell,
    Elvish,
    /// The man page (roff)
    Man,
}

// ---------------------------------------------------------------------------------------------
// value parsers

/// `4MiB`, `512k`, `1000000`, `2MB`: binary units for KiB/MiB/GiB and k/m/g, decimal for KB/MB/GB.
pub fn parse_size(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (digits, unit) = text.split_at(split);
    let number: u64 = digits
        .parse()
        .map_err(|_| format!("`{text}` is not a size; try 4MiB, 512k or 1000000"))?;
    let factor: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kib" => 1 << 10,
        "m" | "mib" => 1 << 20,
        "g" | "gib" => 1 << 30,
        "kb" => 1_000,
        "mb" => 1_000_000,
        "gb" => 1_000_000_000,
        other => {
            return Err(format!(
                "unknown size unit `{other}`; use k, MiB, MB, GiB ..."
            ));
        }
    };
    number
        .checked_mul(factor)
        .ok_or_else(|| format!("`{text}` is too large"))
}

/// `500ms`, `3s`, `1m 30s`, or a bare number of seconds.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    if let Ok(seconds) = text.parse::<f64>() {
        if seconds.is_finite() && seconds >= 0.0 {
            return Ok(Duration::from_secs_f64(seconds));
        }
    }
    humantime::parse_duration(text)
        .map_err(|err| format!("`{text}` is not a duration ({err}); try 500ms, 3s or 2m"))
}

/// `50`, `50/s`, `2.5/s`, `600/m`: requests per second.
pub fn parse_rate(text: &str) -> Result<f64, String> {
    let (number, per) = match text.split_once('/') {
        Some((number, unit)) => (number, unit.trim()),
        None => (text, "s"),
    };
    let per_seconds = match per {
        "s" | "sec" => 1.0,
        "m" | "min" => 60.0,
        "h" => 3600.0,
        other => return Err(format!("unknown rate unit `/{other}`; use 50/s or 600/m")),
    };
    match number.trim().parse::<f64>() {
        Ok(n) if n > 0.0 && n.is_finite() => Ok(n / per_seconds),
        _ => Err(format!("`{text}` is not a rate; try 50 or 50/s")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn own_help_names_flags_of_its_command() {
        let cli = Cli::command();
        for (name, texts) in [
            ("listen", LISTEN_HELP),
            ("replay", REPLAY_HELP),
            ("inspect", INSPECT_HELP),
            ("doctor", DOCTOR_HELP),
            ("emulate meta", EMULATE_HELP),
        ] {
            let command = name
                .split(' ')
                .fold(&cli, |command, word| command.find_subcommand(word).unwrap());
            for (id, text) in texts {
                let arg = command
                    .get_arguments()
                    .find(|arg| arg.get_id() == *id)
                    .unwrap_or_else(|| panic!("{name} has no flag {id}"));
                assert_eq!(
                    arg.get_help().map(ToString::to_string).as_deref(),
                    Some(*text)
                );
            }
        }
    }

    #[test]
    fn shared_flag_groups_are_read_by_their_own_functions() {
        let unset = "WA_HOOK_TEST_NEVER_SET_0D1E";
        let cli = Cli::try_parse_from([
            "wa-hook",
            "replay",
            "x",
            "--basic-auth",
            "user:pass",
            "--app-secret-env",
            unset,
            "-H",
            "X-Note: yes",
            "-H",
            "Authorization: Bearer tok-123",
        ])
        .unwrap();
        let Command::Replay(args) = cli.command else {
            panic!("not replay");
        };
        let variables: Vec<&str> = args.credentials.env.variables().collect();
        assert_eq!(variables, [unset]);
        let err = args.credentials.resolve().unwrap_err().to_string();
        assert!(
            err.contains(&format!("{unset} (the Meta app secret) is not set")),
            "{err}"
        );
        let requests = args.http.resolve().unwrap();
        assert_eq!(requests.headers.len(), 2);
        assert_eq!(requests.options.timeout, Duration::from_secs(10));
        assert!(
            requests
                .header_secrets
                .iter()
                .any(|secret| secret.expose() == "tok-123")
        );
        assert_eq!(args.budget.given(), None);
        // Each command takes the flags of its groups, and no others.
        let cli = Cli::try_parse_from(["wa-hook", "listen", "--basic-auth", "user:pass"]).unwrap();
        let Command::Listen(args) = cli.command else {
            panic!("not listen");
        };
        let credentials = args.credentials.resolve().unwrap();
        assert_eq!(credentials.basic_auth.unwrap().user, "user");
        assert!(credentials.app_secret.is_none() && credentials.verify_token.is_none());
        for refused in [
            &[
                "doctor",
                "3000",
                "--provider",
                "meta",
                "--basic-auth",
                "u:p",
            ][..],
            &["inspect", "f.jsonl", "--verify-token-env", "V"],
            &["listen", "--header", "X: y"],
        ] {
            let line = std::iter::once("wa-hook").chain(refused.iter().copied());
            assert!(Cli::try_parse_from(line).is_err(), "{refused:?}");
        }
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("4MiB"), Ok(4 << 20));
        assert_eq!(parse_size("512k"), Ok(512 << 10));
        assert_eq!(parse_size("2MB"), Ok(2_000_000));
        assert_eq!(parse_size("17"), Ok(17));
        assert!(parse_size("lots").is_err());
        assert!(parse_size("3 parsecs").is_err());
    }

    #[test]
    fn durations_and_rates() {
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("2"), Ok(Duration::from_secs(2)));
        assert!(parse_duration("soon").is_err());
        assert_eq!(parse_rate("50/s"), Ok(50.0));
        assert_eq!(parse_rate("120/m"), Ok(2.0));
        assert!(parse_rate("0").is_err());
    }
}

// ---------------------------------------------------------------------------------------------
// emulate

const EMULATE_EXAMPLES: &str = "\
Examples:
  wa-hook emulate meta --webhook 3000/webhook --app-secret-env META_APP_SECRET
                                    answer the app's Graph API calls; statuses to its webhook
  wa-hook emulate say --emulator http://127.0.0.1:PORT 'Hi, is the jacket in stock?'
  wa-hook emulate say --emulator http://127.0.0.1:PORT --kind message:image --identity username
  wa-hook emulate react --emulator http://127.0.0.1:PORT wamid.HBgL... --emoji '❤️'
  wa-hook emulate read --emulator http://127.0.0.1:PORT wamid.HBgL...
  wa-hook emulate fail --emulator http://127.0.0.1:PORT wamid.HBgL... --code 131047";

const EMULATE_META_HELP: &str = "\
What is emulated (facts from wa-hook's SEND-APIS.md; each source is in docs/emulate-design.md):
  POST /{vNN.N}/{phone-number-id}/messages (the version is optional; also /marketing_messages):
    text, template, media (id or link), interactive, reaction, location, contacts, with `to` or
    `recipient`; checked against the send schema (meta-send.json, shipped). Accepted:
    {messaging_product, contacts[{input, wa_id | user_id}], messages[{id, message_status:
    accepted}]}, then the `sent` and `delivered` status webhooks (biz_opaque_callback_data
    echoed), signed with X-Hub-Signature-256 when --app-secret-env is given. `read` comes only
    when the customer reads (`wa-hook emulate read`); `failed` with `wa-hook emulate fail`.
    Mark as read / typing: {\"success\": true} and no webhook; an id the customer did not send
    is (#131009).
  POST /{id}/media (multipart, both SDK forms) -> {id}; GET /{media-id} -> {url, mime_type,
    sha256, file_size, id}; GET <url> (bearer token needed, expires after 5 minutes);
    DELETE /{media-id} -> {success: true}. An unknown id is (#100) with error_subcode 33.
  Tokens: any non-empty bearer token, or only the one --token-env names; otherwise 401 (#190).
  --templates FILE: template sends checked for existence, approval and language (132001),
    positional parameter counts per component (132000, with the details text Meta is quoted
    giving) and named parameters carrying parameter_name (100 \"Parameter name is missing or
    empty\"). Whether Meta answers 132001 at once or later is unknown: it is answered at once.
  --throughput N, --pair-interval 6s: 130429 (HTTP 429, Retry-After: 1, which is whaloc's
    design, not a Meta quote) and 131056 (HTTP 400). Meta's burst allowance for the pair rate
    (up to 45 in 6 s, borrowed from later) is not modelled.
  --inject CODE:next=N | CODE:every=N: injected failures; failed-status codes (131026,
    131047 ...) are accepted then fail later, others answer the send.
  --window 24h: outside the customer-service window a free-form send is accepted, then a
    `failed` status with 131047 follows (its texts from the status a public issue quotes); no
    `sent` before it (whether Meta sends one is unknown).
  The customer, on the same port: POST /_wa-hook/say {\"text\"} or {\"kind\": \"message:image\"}
    (optionally \"identity\": phone, bsuid or username), /_wa-hook/react {\"message_id\",
    \"emoji\"}, /_wa-hook/read {\"message_id\"}, /_wa-hook/fail {\"message_id\", \"code\"}; each
    takes \"chaos\": \"duplicate\" (the webhook delivered twice). POST /_wa-hook/chaos
    {\"next_send\": \"reorder\"}: the statuses of the next send come in reverse order.

wa-hook's own choices, where Meta's behaviour is unknown:
  A send that breaks the schema is answered HTTP 400, code 100 \"(#100) Invalid parameter\" (Meta
  may use 131009 or another code), and error_data.details is wa-hook's text: the JSON pointer
  of the field at fault, then what was expected and found (e.g.
  \"/interactive/action/buttons/0/reply/title: expected at most 20 characters, found ...\").
  error.type is OAuthException for every code (the only type quoted); messages not quoted
  anywhere are \"(#code) <meaning>\" from errors.json; fbtrace_id is random. Codes with no
  documented HTTP status are answered 400. Unknown routes are 404 and other methods 405, both
  in the error envelope with code 100. An expired media URL is 404 with code 100. The media
  URL's form (/whatsapp_business/attachments/?mid=...) is wa-hook's. Status webhooks copy
  conversation and pricing from wa-hook's samples; failed statuses other than 131047 use the
  code's meaning from errors.json as title, message and details (Meta's texts are unknown).
  Which envelope members Meta requires, and whether it accepts whatsapp-api-js's contacts as a
  JSON string or pywa's upper-case component types, is unknown: they are accepted. A reaction
  to a message the emulator never saw: Meta does not deliver it, with no documented code; it is
  accepted here with its statuses. A webhook the app answers non-2xx is retried only with
  --retries (Meta retries for up to 7 days with a backoff whose steps it does not give).

Stdout's first line is the base URL (`http://127.0.0.1:PORT`, or with --format json
{\"emulating\", \"base_url\", \"phone_number_id\", \"waba_id\", \"customer\"}); the second is the
inspector's URL (`inspector: URL`, or {\"inspector\": URL}): the records of the run (saved to
--out, wa-hook-captures.jsonl as listen's) and a chat pane, the conversation as WhatsApp shows it,
where you play the customer (say any message kind, in each identity; read, fail or react to the
app's messages). Ids and SDK set-up go to stderr. Ctrl-C prints the summary (sends by type and
outcome, webhooks delivered and refused by the app) and exits 0 (a second Ctrl-C exits 130 at
once).";

/// `emulate qikchat --help`: what it answers, and what is unknown.
const EMULATE_QIKCHAT_HELP: &str = "\
What is emulated (facts from wa-hook's SEND-APIS.md, \"Qikchat send API\", and Qikchat's API pages):
  POST /v1/messages with a QIKCHAT-API-KEY header: any non-empty key, or only the one
    --token-env names; a missing, empty or other key is refused (401).
  Sends: {to_contact, type, <type>: {...}} for text ({body} of at most 4096 characters;
    preview_url), image and video ({link, caption}), audio and sticker ({link}), document
    ({link, caption, filename}), contact (one card: name, phones, emails, addresses, org, urls,
    birthday) and location ({latitude, longitude, name, address}); media by http(s) link only
    (there is no upload). Checked against the send schema (qikchat-send.json, shipped).
  Accepted: {\"status\": true, \"message\": \"Messages queued successfully\", \"data\": [{id,
    channel, from, recipient, created_at, \"status\": \"queued\"}]} with a fresh 25-character id
    (drawn from --seed when given), then the `sent` and `delivered` callbacks
    (whatsapp:message:status, payload.id = that id), with Authorization: Basic when
    --basic-auth-env is given. `read` comes when the customer reads (`wa-hook emulate read`),
    `failed` with `wa-hook emulate fail` (Qikchat's callbacks document no error: --code is not
    carried).
  --window 24h: \"free-form only within 24 hours of the user's last message\": outside it a
    non-template send is queued, then a `failed` callback follows (no `sent`).
  The customer, on the same port: say (text, or --kind message:text | message:image, the
    kinds of wa-hook's Qikchat samples), react, read, fail, as whatsapp:message:in and
    whatsapp:message:status bodies. --identity is Meta's: refused here.

Unknown, and what wa-hook does instead:
  Qikchat's error answers are not documented. Every refusal is wa-hook's: HTTP 400 (a send
  that breaks the schema, or not JSON), 401 (the key), 404 (another route), 405 (another
  method), 413 (over --max-body), shaped like the success envelope: {\"status\": false,
  \"message\": \"<JSON pointer of the field at fault>: expected ..., found ...\"}.
  Types other than those listed are refused at /type (Qikchat may take more; its pages list
  these). The template send's shape is not documented: any `template` object is accepted
  unchecked, and --templates is refused. Whether Qikchat refuses a send outside the window or
  fails it later is unknown (it fails later here, as Meta does). The send answer's `credits`
  (a price: 0.80 on the text page, absent on the media pages) is left out. Which numbers a
  status callback's `from` and `to` hold is not said: here `from` is the business number and
  `to` the recipient as sent, as in the send answer. Inbound types beyond text and image, a
  reaction included, follow Meta's shapes (PROVIDERS.md); a reaction names the message by the
  id the send was answered with.
  Refused, with the reason: --inject (Qikchat documents no error codes), --throughput and
  --pair-interval (no documented limits), --templates, --app-secret-env (Qikchat signs
  nothing), --verify-token-env (no handshake), --events-webhook (one callback URL).

No public Qikchat client library was found (PyPI, npm): the app calls the API with its own
HTTP client. Stdout's first line is the base URL (or with --format json {\"emulating\",
\"base_url\", \"business_number\", \"customer\"}); Ctrl-C prints the summary and exits 0.";

/// `emulate picky --help`: what it answers, and what is unknown.
const EMULATE_PICKY_HELP: &str = "\
What is emulated (facts from wa-hook's SEND-APIS.md and PROVIDERS.md, \"Picky Assist\"):
  POST /api/v2/push (V4) or /app/api/v2/push (V3): JSON, or the normal POST form with the JSON
    in the query (?data=JSON). The body: token (any non-empty one, or only the one --token-env
    names), application, globalmessage, globalmedia, priority (\"0\" or \"1\"), data[] of
    {number, message}: numbers with the country code, digits only, no + and no leading 0; a
    number needs its own message unless globalmessage or globalmedia is given. Checked against
    the send schema (picky-push.json, shipped). Accepted: {\"status\": 100, \"push_id\",
    \"message\": \"Success\", \"data\": [{\"msg_id\", \"number\", \"credit\"}]}, then for each number
    a delivery report (event_id 1) with status 4 submitted, then 1 delivered, on the event
    webhook (--events-webhook, else --webhook); 3 read comes when the customer reads
    (`wa-hook emulate read MSG_ID`), 2 failed with `wa-hook emulate fail MSG_ID --code N`.
  Instant replies: a 200 with a JSON body to a message webhook is read as an instant reply
    (the picky-reply schema): a valid one is sent to the customer (recorded as a send, with its
    delivery reports), an invalid one is recorded with its issues and not sent, and a body that
    is not JSON is not delivered (recorded so).
  The customer, on the same port: POST /_wa-hook/say {\"text\"} or {\"kind\": \"message:media\"}
    (any Picky message sample kind), /_wa-hook/read {\"message_id\"}, /_wa-hook/fail
    {\"message_id\", \"code\"}, where message_id is a msg_id. Picky documents no reactions.
  --statuses submitted=0ms,delivered=2s delays the reports; --seed N draws push_id and msg_id
    from the seed (the same pushes get the same ids on every run).

Unknown, and wa-hook's choices:
  Picky Assist's error codes (its \"Status & Error Codes\" were not read into wa-hook's
  sources). A wrong push is answered HTTP 400 {\"status\": 400, \"message\": \"<JSON pointer of
  the field at fault>: expected ..., found ...\"}, a missing or wrong token 401, unknown routes
  404 and other methods 405, in the same form: those statuses are wa-hook's, not Picky's; an
  app should treat any status other than 100 as a failure. --inject is refused for this reason.
  Whether Picky requires application (required here); which text wins when both globalmessage
  and a number's message are given (globalmessage here); what credit a message costs (the
  documentation's 0.005 here); whether Picky batches reports (one report per message and
  status here) and reports instant replies (it does here, with a push_id of their own); where
  a push carries reference_number (data[] or the top level, echoed on the reports here); the
  report's message_type (guessed from globalmedia's extension) and error_message for codes
  other than 131026 (wa-hook's text). The answer's ids are strings and the reports' numbers,
  as in Picky's own samples. An instant reply's delay is not waited; a webhook the app
  answers non-200 is retried only with --retries (Picky retries after 1 min, 15 min, 2 h and
  6 h).
  --templates, --window, --throughput and --pair-interval are refused: none is documented for
  Picky's Push API. Picky signs nothing and sends no auth: --app-secret-env, --basic-auth-env
  and --verify-token-env are refused.

Stdout's first line is the base URL (`http://127.0.0.1:PORT`, or with --format json
{\"emulating\", \"base_url\", \"project_id\", \"customer\"}). Ctrl-C prints the summary and exits 0.";

/// `emulate 99digital --help`: what it answers, and what is unknown.
const EMULATE_PARTNER_HELP: &str = "\
What is emulated (facts from wa-hook's SEND-APIS.md and the 99 Digital pages it names):
  POST /whatsapp/sendMessage (v1) {apiKey, from, to, text}: `to` a private number or a group id
    (9725001234567-157483929384). Accepted: {status: \"OK\", unique, text, timestamp, from, to,
    reason: 1}.
  POST /whatsapp/v2/sendMessage (v2) {apiKey, from, to, body, replyTo?, showRequest?}: private
    numbers only. --window 24h: the test customer is taken to have written when the emulator
    started; a v2 send later than the window is refused (a short one, 10s, is a fast clock).
  POST /whatsapp/v2/readStatus (mark as read; the path is from 99 Digital's mark-as-read page)
    {apiKey, from, to} -> {status: \"OK\", reason: 1, from, to}.
  Each body is checked against the send schema (partner-send.json, shipped) and refused with
  {status: \"FAIL\", reason} and the documented reason: 2 `from` is not the emulated account
  (or the body is not JSON), 3 a wrong apiKey, 4 `to` empty or malformed (numbers are
  international without +), 5 empty text / body. The apiKey: any non-empty one, or only the
  one --token-env names; it is never repeated in an answer, a line of output or the capture
  file (recorded as \"(redacted)\").
  --inject REASON:next=N | REASON:every=N with reasons 2 to 7 (6 \"WhatsApp error - try
    again\", 7 \"'to' number is valid, but doesn't have WhatsApp installed\") fails message sends.
  Webhooks: the partner events of 99 Digital's Partner Webhook API page, to --webhook, when the
  customer's side asks: wa-hook emulate say --emulator URL --kind event:whatsapp (also
  event:builder, event:online). 99 Digital's delivery statuses and incoming messages are not
  in wa-hook's facts, so no webhook follows a send, and `say TEXT`, `read`, `fail` and `react`
  are refused. With --token-env, the whatsapp event leaves out whatsapp_apiKey (the key is
  never sent); otherwise it carries a fresh one. Events are unsigned: the page documents no
  signature (only the address they come from, 34.165.99.212).
  No public 99 Digital client was found on PyPI or npm to point at the emulator.

wa-hook's own choices, where 99 Digital's behaviour is unknown:
  FAIL answers are HTTP 200 (the pages show no HTTP status) and add `wa_hook_details`: the
  JSON pointer of the member at fault, then what was expected and found. Several faults: the
  lowest reason wins. Reason 0, which no page uses, marks what 99 Digital gives no reason for:
  a v2 send outside the window (its answer is not documented; the pages say to use Send
  Template Message), an unknown route (404), a member with no reason (replyTo, showRequest).
  v2's success answer is v1's without `text`; showRequest: 1 adds the request without the
  apiKey as `request` (the page does not name the member). A body that is not JSON is reason
  2, as the mark-as-read page says. v1's page says \"POST\" only: the emulator takes JSON, as
  for v2. The digit counts of a number (8 to 15) are wa-hook's reading of the examples.
  --templates, --throughput and --pair-interval are refused (nothing documented to check).

Stdout's first line is the base URL (with --format json {\"emulating\", \"base_url\", \"from\",
\"customer\"}); Ctrl-C prints the summary (sends by endpoint and reason) and exits 0.";

/// `emulate smartflow --help`: what it answers, and what is unknown.
const EMULATE_SMARTFLOW_HELP: &str = "\
Omni Smartflow has no public send API (none was found: wa-hook's SEND-APIS.md), so only its
webhook side is emulated: every request to the emulator's API is answered HTTP 501 with a JSON
{\"error\"} saying so, and recorded.
  The customer's message, to the incoming-message callback (--webhook):
    wa-hook emulate say --emulator URL 'Is the jacket in stock?'
    wa-hook emulate say --emulator URL --kind message:image   (any smartflow/message-* sample)
  A status of a message the app sent through Omni Smartflow, to the status callback
  (--events-webhook; --webhook when it is not given):
    wa-hook emulate read --emulator URL wamid.HBgM...
    wa-hook emulate fail --emulator URL wamid.HBgM... --code 131026
  Bodies are Omni Smartflow's (Meta's On-Premises format, no envelope), built from wa-hook's
  smartflow samples with fresh ids and times; each is checked with wa-hook's Smartflow schemas
  and recorded with its verdict. Any message id is taken (the app's sends do not go through
  the emulator). A failed status carries a code of wa-hook's Meta error table (Omni Smartflow
  passes on Meta's errors); 131026 keeps the sample's texts, other codes use the code's meaning.
  React is refused: no reaction callback is documented. Webhooks are unsigned: the seed
  documents no signature or credentials.
  Flags about sends (--token-env, --templates, --window, --throughput, --pair-interval,
  --inject) are refused; --statuses has no effect (no send is followed by statuses).

Stdout's first line is the base URL; Ctrl-C prints the summary and exits 0.";

#[derive(Args, Debug)]
pub struct EmulateArgs {
    #[command(subcommand)]
    pub command: EmulateCommand,
}

#[derive(Subcommand, Debug)]
pub enum EmulateCommand {
    /// Meta's WhatsApp Cloud API: /messages, /media and the status webhooks that follow
    #[command(after_help = EMULATE_META_HELP)]
    Meta(Box<EmulateServeArgs>),
    /// Qikchat: /v1/messages and the status callbacks that follow
    #[command(after_help = EMULATE_QIKCHAT_HELP)]
    Qikchat(Box<EmulateServeArgs>),
    /// Picky Assist: the Push API (/api/v2/push) and the delivery reports on the event webhook
    #[command(after_help = EMULATE_PICKY_HELP)]
    Picky(Box<EmulateServeArgs>),
    /// 99 Digital: sendMessage (v1, v2), mark-as-read (readStatus) and its partner events
    #[command(name = "99digital", after_help = EMULATE_PARTNER_HELP)]
    Partner(Box<EmulateServeArgs>),
    /// Omni Smartflow: no public send API; the customer's messages and the status callbacks
    #[command(after_help = EMULATE_SMARTFLOW_HELP)]
    Smartflow(Box<EmulateServeArgs>),
    /// The test customer sends the app a message, through a running emulator
    Say(EmulateSayArgs),
    /// The test customer reacts to a message the app sent: a reaction message webhook
    React(EmulateReactArgs),
    /// The test customer reads a message the app sent: a `read` status webhook
    Read(EmulateMessageArgs),
    /// A message the app sent fails later: a `failed` status webhook with the error code
    Fail(EmulateFailArgs),
    /// Play conversation files against your app through the emulator, as a CI test: each step
    /// passes (✓) or fails (✗) with its cause
    #[command(after_help = EMULATE_TEST_HELP)]
    Test(EmulateTestArgs),
    /// Write a conversation file from the capture file of an emulate session (`--out`), so a
    /// test can be written by chatting
    #[command(after_help = EMULATE_RECORD_HELP)]
    Record(EmulateRecordArgs),
}

/// `emulate`'s words for the shared app-secret flag: it signs, where listen checks.
const EMULATE_HELP: &[(&str, &str)] = &[(
    "app_secret_env",
    "Sign every webhook with the Meta app secret from this environment variable \
     (X-Hub-Signature-256) [default: unsigned]",
)];

/// Where `listen` and `emulate` save their records unless told otherwise.
pub const DEFAULT_CAPTURE_FILE: &str = "wa-hook-captures.jsonl";

/// Running an emulator.
#[derive(Args, Debug)]
#[command(mut_args(own_help(EMULATE_HELP)))]
pub struct EmulateServeArgs {
    /// The app's webhook URL (a URL, host:port/path or a port): status and message webhooks go there
    #[arg(long, value_name = "URL")]
    pub webhook: String,

    #[command(flatten)]
    pub app_secret: AppSecretEnvArg,

    /// The one API credential accepted (Meta's bearer token, Qikchat's API key, Picky Assist's
    /// token, 99 Digital's apiKey), from this environment variable [default: any non-empty one]
    #[arg(long, value_name = "VAR")]
    pub token_env: Option<String>,

    /// Where the provider's second callback URL points (Picky Assist's event webhook, Omni
    /// Smartflow's status callbacks) [default: --webhook]
    #[arg(long, value_name = "URL")]
    pub events_webhook: Option<String>,

    /// Send every webhook with HTTP Basic auth, USER:PASS from this environment variable, as
    /// Qikchat does when its dashboard sets it
    #[arg(long, value_name = "VAR")]
    pub basic_auth_env: Option<String>,

    /// Verify the app's webhook first, as Meta does when a webhook is set: a GET with
    /// hub.mode=subscribe, this environment variable's verify token and a hub.challenge, which
    /// the app must answer 200 with exactly the challenge (otherwise exit 1)
    #[arg(long, value_name = "VAR")]
    pub verify_token_env: Option<String>,

    /// Address to bind
    #[arg(long, default_value = "127.0.0.1")]
    pub host: String,

    /// Port to listen on; 0 picks a free one (the base URL is printed on the first line)
    #[arg(short, long, default_value_t = 0)]
    pub port: u16,

    /// Capture file (JSON Lines, appended, the file listen writes): the app's sends with the
    /// answers, and the webhooks with the app's answers, each marked with its `direction`. The
    /// default file being written by another run (listen's), this run saves nothing and says so
    #[arg(short, long, default_value = DEFAULT_CAPTURE_FILE, value_name = "FILE")]
    pub out: PathBuf,

    /// Do not save the records at all (and serve no inspector, which reads them)
    #[arg(long, conflicts_with = "out")]
    pub no_save: bool,

    /// Do not serve the inspector (the page in the browser over this run's records, with the
    /// chat: the conversation as WhatsApp shows it, and the customer's controls)
    #[arg(long)]
    pub no_ui: bool,

    /// The inspector's port on 127.0.0.1; 0 picks a free one. Its URL is printed after the base
    /// URL (with --format json as {"inspector": URL})
    #[arg(
        long,
        default_value_t = 0,
        value_name = "PORT",
        conflicts_with = "no_ui"
    )]
    pub ui_port: u16,

    /// When each status webhook follows an accepted send, after the answer: `sent=0ms,delivered=200ms`
    /// [default: at once, in order]
    #[arg(long, value_name = "STATUS=DURATION,...")]
    pub statuses: Option<String>,

    /// Meta: the app's templates (JSON: [{"name", "language", "status", "components": [{"type":
    /// "BODY", "text": "Hi {{1}}"}]}]): template sends are checked against them (132001 no such
    /// template, language or not approved; 132000 parameter count; 100 parameter name missing)
    #[arg(long, value_name = "FILE")]
    pub templates: Option<PathBuf>,

    /// The customer-service window: a non-template send more than this after the customer's
    /// last message (or before any) fails as the provider fails it (Meta: accepted, then a
    /// 131047 `failed` status) [Meta, Qikchat, 99 Digital v2: 24h; default: not checked]. A
    /// short one (10s) is a fast clock for tests
    #[arg(long, value_parser = parse_duration, value_name = "DURATION")]
    pub window: Option<Duration>,

    /// Meta: at most this many message sends per second; more are answered 429 with code 130429 and
    /// Retry-After: 1 [Meta: 80 per number by default; default: not limited]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub throughput: Option<u32>,

    /// Meta: the least time between two messages to the same user; sooner is answered 400 with code
    /// 131056 [Meta: about 6s, with bursts Meta does not specify; default: not limited]
    #[arg(long, value_parser = parse_duration, value_name = "DURATION")]
    pub pair_interval: Option<Duration>,

    /// Fail message sends with one of the provider's documented codes (Meta's error codes, 99
    /// Digital's reasons): CODE:next=N (the next N sends) or CODE:every=N (every Nth);
    /// repeatable. Codes Meta reports later (131047, 131026) are accepted, then get a `failed`
    /// status; others are the send's answer. Refused for providers that document no codes. Also at run time:
    /// POST /_wa-hook/inject {"code", "next" | "every"}
    #[arg(long, value_name = "CODE:next=N", value_parser = crate::providers::Injection::parse)]
    pub inject: Vec<crate::providers::Injection>,

    /// Draw every id (message ids, media ids, Meta's fbtrace_id) from this seed: the same sends get the
    /// same ids on every run [default: fresh ids]
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,

    /// What goes wrong on the way to the app, each a probability from 0 to 1, drawn from
    /// --seed (the same sends, the same chaos): dup=P sends a webhook twice, reorder=P sends a
    /// send's status webhooks in reverse order, late=P or late=P:DURATION sends one late (2s)
    /// so later ones pass it. Each act is marked on its line and in its record [default: none]
    #[arg(long, value_name = "dup=P,reorder=P,late=P[:DURATION]")]
    pub chaos: Option<String>,

    /// Send a webhook the app did not answer 2xx again, on the provider's schedule: off, real,
    /// compressed (1000 times faster: a minute becomes 60 ms) or Nx (N times faster). Meta:
    /// backoff for up to 7 days (doubling from 1 min, wa-hook's choice: Meta does not give its
    /// steps); Picky Assist: 1 min, 15 min, 2 h, 6 h (beta); Qikchat, 99 Digital and Omni
    /// Smartflow document none, so none [default: off]
    #[arg(long, value_name = "off|real|compressed|Nx")]
    pub retries: Option<String>,

    /// How long a webhook waits for the app's answer; a later answer counts as none, as the
    /// provider counts it [default: the provider's documented budget (Qikchat 2s, Picky Assist
    /// 180s), else 10s]
    #[arg(long, value_parser = parse_duration, value_name = "DURATION")]
    pub webhook_timeout: Option<Duration>,

    /// Longest wait for a request's head or more of its body (a whole body gets 3 times it)
    #[arg(long, default_value = "10s", value_parser = parse_duration, value_name = "DURATION")]
    pub read_timeout: Duration,

    /// Largest request body read (media uploads included); larger ones are answered 413
    #[arg(long, default_value = "100MiB", value_parser = parse_size, value_name = "SIZE")]
    pub max_body: u64,

    /// text: the base URL, then a line per request and webhook on stderr; json: JSON lines
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// Where a running emulator is.
#[derive(Args, Debug)]
pub struct EmulatorArg {
    /// The emulator's base URL, as it printed it (`http://127.0.0.1:PORT`)
    #[arg(long, value_name = "URL")]
    pub emulator: String,

    /// text: a line; json: the emulator's answer
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

#[derive(Args, Debug)]
pub struct EmulateSayArgs {
    #[command(flatten)]
    pub emulator: EmulatorArg,

    /// What the customer writes
    #[arg(value_name = "TEXT", required_unless_present = "kind")]
    pub text: Option<String>,

    /// Send a message like the provider's sample of this kind instead (`message:image`)
    #[arg(long, value_name = "KIND", conflicts_with = "text")]
    pub kind: Option<String>,

    /// Name the customer this way: phone (wa_id), bsuid (phone and business-scoped user id) or
    /// username (no phone number) [default: phone]
    #[arg(long, value_name = "FORM", value_parser = ["phone", "bsuid", "username"])]
    pub identity: Option<String>,
}

#[derive(Args, Debug)]
pub struct EmulateReactArgs {
    #[command(flatten)]
    pub message: EmulateMessageArgs,

    /// The reaction
    #[arg(long, default_value = "👍", value_name = "EMOJI")]
    pub emoji: String,
}

#[derive(Args, Debug)]
pub struct EmulateMessageArgs {
    #[command(flatten)]
    pub emulator: EmulatorArg,

    /// The message id the emulator answered the app's send with (wamid....)
    #[arg(value_name = "MESSAGE_ID")]
    pub message_id: String,
}

#[derive(Args, Debug)]
pub struct EmulateFailArgs {
    #[command(flatten)]
    pub message: EmulateMessageArgs,

    /// The error code of the failure (131047: outside the 24-hour window; 131026: undeliverable)
    #[arg(long, default_value_t = 131_026, value_name = "CODE")]
    pub code: u32,
}

// ---------------------------------------------------------------------------------------------
// emulate test, emulate record

const EMULATE_TEST_HELP: &str = "\
Examples:
  wa-hook emulate test samples/conversations/meta.toml --webhook 8000/webhook \\
      --app-secret-env APP_SECRET -- python bot.py
  wa-hook emulate test conversations/*.toml --junit conversations.xml -- node bot.js   # in CI
  wa-hook emulate test order.toml --webhook 8000/webhook --port 8089   # an app already running,
                                              # its Graph API base set to http://127.0.0.1:8089

For each FILE: the provider's emulator starts (`wa-hook emulate P`, on --port), the app given
after -- starts (in its own process group, stopped at the end of the file; it must answer at
the webhook URL within --start-timeout), and the steps play in order. The app is told where
the emulator is through its environment:
  WA_HOOK_BASE_URL      the emulator's base URL (http://127.0.0.1:PORT): the app's API base
  WA_HOOK_PROVIDER      the provider's id (meta)
  WA_HOOK_WEBHOOK       the app's own webhook URL, as given; PORT its port
  WA_HOOK_<ID>          each id the emulator names, upper-cased: Meta's
                        WA_HOOK_PHONE_NUMBER_ID, WA_HOOK_WABA_ID, WA_HOOK_CUSTOMER
The app's webhook URL: --webhook, else the file's `webhook`. A file's `provider` and
`[emulator]` (window, templates, seed) start the emulator; --provider overrides the file.

Steps (`wa-hook schemas show conversation` is the whole format; samples/conversations/ has
examples):
  say = \"TEXT\" / send = \"message:image\"   the customer writes (set = {PATH = VALUE} edits
                                           the webhook; id = \"NAME\" names the message)
  expect = \"text\"|\"template\"|...|\"any\"    the app's next message (read receipts and typing
                                           are passed over): text, contains, matches (regex),
                                           template, parameters, reply_to = \"NAME\" (quotes that
                                           message), within = \"5s\" [default]; it must go to
                                           the customer (a number or id their webhooks gave)
  expect_none = \"2s\"                      the app sends nothing for that long
  read / fail = \"NAME\" / react = \"NAME\"   the customer reads the app's message, it fails
                                           (code = 131047), the customer reacts (emoji)
  wait = \"1s\"; advance = \"25h\"            wait; move the emulator's clock past the window
  chaos = \"duplicate\" | \"reorder\"         on say, send, react, read or fail: this step's
                                           webhook delivered twice (both answers must be 2xx;
                                           follow with expect and expect_none to see the app
                                           answers once), or the statuses of the app's next send
                                           in reverse order (--chaos, for this step only)

Providers: meta, qikchat, picky, 99digital (partner: the customer's side is its partner events,
send = \"event:whatsapp\"; v1 `text` and v2 `body` sends are texts; no message ids, so no read,
fail or react) and smartflow (no send API: the conversation plays the customer only, read /
fail = \"id:MESSAGE_ID\" names a message the app sent outside the emulator; expect and
expect_none are refused, exit 2).

Output: a line per step, ✓ or ✗ with the cause (what the app sent instead, the emulator's
refusal of its send with the field at fault, the app's answer to the webhook and the error it
logged); --format json: one object per step, then one summary per file. The app's output is
shown only with -v, secrets scrubbed.

Exit codes: 0 every step of every file passed; 1 a step failed; 2 a file could not be played
(not a conversation, the emulator or the app did not start, the app never answered at its
webhook URL) or a usage error; 130 stopped by Ctrl-C or SIGTERM, after reporting (and writing
to --junit) the steps done.";

const EMULATE_RECORD_HELP: &str = "\
Examples:
  wa-hook emulate meta --webhook 8000/webhook --out session.jsonl     # then chat:
  wa-hook emulate say --emulator http://127.0.0.1:PORT 'Where is order 1234?'
  wa-hook emulate record session.jsonl --out order.toml
  wa-hook emulate test order.toml --webhook 8000/webhook -- python bot.py

Each message the customer sent becomes a `say` (a text) or a `send` (another kind); each
message the app sent becomes an `expect` of its type, with its text, template and parameters,
and `reply_to` where it quoted the customer; a `read` status becomes a `read` step. Statuses
the emulator sends by itself (sent, delivered, failed) are left out. Edit the result: exact
texts are often better as `contains` or `matches`. A capture of real traffic (`listen --out`)
seeds the customer's steps only.";

/// `emulate test`'s words for the shared app-secret flag.
const EMULATE_TEST_FLAGS_HELP: &[(&str, &str)] = &[(
    "app_secret_env",
    "The emulator signs every webhook with the Meta app secret from this environment variable \
     (the app is started with the same environment) [default: unsigned]",
)];

#[derive(Args, Debug)]
#[command(mut_args(own_help(EMULATE_TEST_FLAGS_HELP)))]
pub struct EmulateTestArgs {
    /// Conversation files (TOML; `wa-hook schemas show conversation`)
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<PathBuf>,

    /// The provider whose emulator plays the conversations [default: each file's `provider`]
    #[arg(long, value_parser = provider_parser())]
    pub provider: Option<Provider>,

    /// The app's webhook URL (a URL, host:port/path or a port) [default: each file's `webhook`]
    #[arg(long, visible_alias = "app", value_name = "URL")]
    pub webhook: Option<String>,

    /// Where the provider's second callback URL points (Picky Assist's event webhook, Omni
    /// Smartflow's status callbacks) [default: each file's `events_webhook`, else --webhook]
    #[arg(long, value_name = "URL")]
    pub events_webhook: Option<String>,

    /// The emulator's port; 0 picks a free one (give one when the app is already running and
    /// its API base is set to it)
    #[arg(short, long, default_value_t = 0)]
    pub port: u16,

    #[command(flatten)]
    pub app_secret: AppSecretEnvArg,

    /// The one bearer token the emulator accepts, from this environment variable [default: any
    /// non-empty token]
    #[arg(long, value_name = "VAR")]
    pub token_env: Option<String>,

    /// Also write the results as JUnit XML to this file (a test suite per file, a test case
    /// per step), for CI
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,

    /// text: a line per step; json: one object per step, then a summary per file
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,

    #[command(flatten)]
    pub app_start: AppStartArgs,

    /// The command that starts your app, once per file, with the emulator's base URL and ids in
    /// its environment (see below)
    #[arg(last = true, value_name = "CMD")]
    pub app: Vec<String>,
}

#[derive(Args, Debug)]
pub struct EmulateRecordArgs {
    /// A capture file an emulator wrote (`wa-hook emulate P --out FILE`)
    #[arg(value_name = "CAPTURE")]
    pub capture: PathBuf,

    /// Write the conversation here [default: standard output]
    #[arg(short, long, value_name = "FILE")]
    pub out: Option<PathBuf>,

    /// The conversation's name [default: the capture file's name]
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
}
