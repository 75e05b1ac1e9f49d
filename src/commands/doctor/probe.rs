//! Sending one request the way a provider would, and reading what came back, bounded: every
//! request has the `--timeout`, and an answer's body is read up to [`MAX_ANSWER`] (the first
//! [`KEPT`] bytes kept for diagnosis). A request that cannot reach the endpoint at all before
//! anything has answered ends the run ([`Halt::Unreachable`], exit 2); Ctrl-C or SIGTERM stops
//! the request under way at once ([`Halt::Interrupted`], exit 130).
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::Method;
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue, LOCATION};
use serde::Serialize;
use url::Url;

use crate::app::{self, App};
use crate::http;
use crate::output;
use crate::providers;
use crate::secret::{self, BasicAuth, SecretString};

/// The most of an answer read: a larger answer is not read further (providers read little).
const MAX_ANSWER: usize = 1 << 20;
/// The start of an answer kept for diagnosis (a challenge, an instant reply, an error page).
const KEPT: usize = 64 << 10;

/// Why a check could not run to its end.
#[derive(Debug)]
pub(crate) enum Halt {
    /// The endpoint could not be reached before anything answered: nothing can be tested.
    Unreachable(String),
    /// Ctrl-C or SIGTERM: the run stops and says what was done.
    Interrupted,
}

/// Which `X-Hub-Signature-256` a request carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Signing {
    /// Signed with the app secret when one was given, as the provider does; else none.
    AsProvider,
    /// None at all.
    Unsigned,
    /// `sha256=` and 64 hex digits that are not the body's signature.
    Wrong,
    /// Signed over [`Request::signed_bytes`], not the bytes sent (the same JSON re-encoded).
    OverOtherBytes,
}

/// Which Basic credentials a request carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Credentials {
    /// The ones from `--basic-auth-env`, when given.
    Configured,
    /// None.
    Missing,
    /// The configured user with a wrong password.
    Wrong,
}

/// One request to make.
pub(crate) struct Request {
    pub method: Method,
    pub url: Url,
    pub body: Vec<u8>,
    pub json: bool,
    pub signing: Signing,
    pub credentials: Credentials,
    /// For [`Signing::OverOtherBytes`]: the bytes the signature is computed over.
    pub signed_bytes: Option<Vec<u8>>,
    /// What this request is, in words ("meta/message-text"), to say which delivery the app
    /// stopped on; the check's name when empty.
    pub what: String,
}

impl Request {
    pub fn post_json(url: &Url, body: Vec<u8>) -> Request {
        Request {
            method: Method::POST,
            url: url.clone(),
            body,
            json: true,
            signing: Signing::AsProvider,
            credentials: Credentials::Configured,
            signed_bytes: None,
            what: String::new(),
        }
    }

    pub fn get(url: Url) -> Request {
        Request {
            method: Method::GET,
            url,
            body: Vec::new(),
            json: false,
            signing: Signing::Unsigned,
            credentials: Credentials::Configured,
            signed_bytes: None,
            what: String::new(),
        }
    }

    pub fn signing(mut self, signing: Signing) -> Request {
        self.signing = signing;
        self
    }

    pub fn credentials(mut self, credentials: Credentials) -> Request {
        self.credentials = credentials;
        self
    }

    pub fn named(mut self, what: impl Into<String>) -> Request {
        self.what = what.into();
        self
    }

    /// A POST as the provider sends it (signed, with its credentials): what an app must
    /// accept, and whose hanging means the app stopped answering. A forgery or a handshake that
    /// hangs says something about that route alone.
    fn as_provider_sends(&self) -> bool {
        self.method == Method::POST
            && matches!(self.signing, Signing::AsProvider | Signing::OverOtherBytes)
            && self.credentials == Credentials::Configured
    }
}

/// What came back.
#[derive(Clone, Debug)]
pub(crate) struct Answer {
    pub status: u16,
    pub location: Option<String>,
    pub content_type: Option<String>,
    /// The first [`KEPT`] bytes of the body.
    pub body: Vec<u8>,
    /// Why the body could not be read to its end, if it could not.
    pub body_error: Option<String>,
    pub latency: Duration,
    /// The error the app logged while this request was in flight (doctor started the app).
    pub logged: Option<String>,
}

impl Answer {
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    pub fn is_redirect(&self) -> bool {
        (300..400).contains(&self.status)
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Why a request got no answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FailureKind {
    Timeout,
    Refused,
    Tls,
    Connect,
    /// The request went out, and the app reset or closed the connection before answering.
    NoAnswer,
    /// The endpoint answered, but not in HTTP that can be read (headers too large, not HTTP).
    BadAnswer,
    Other,
}

#[derive(Clone, Debug)]
pub(crate) struct Failure {
    pub kind: FailureKind,
    /// One line, secrets scrubbed.
    pub message: String,
    pub latency: Duration,
    /// The error the app logged while this request was in flight (doctor started the app).
    pub logged: Option<String>,
    /// How the app ended on this request, when it did ("exited with status 1").
    pub crashed: Option<String>,
    /// Other requests were in flight when it did (a burst): which one ended it is not known.
    pub crashed_among_others: bool,
}

/// An answer, or why there was none.
#[derive(Clone, Debug)]
pub(crate) enum Reply {
    Answer(Answer),
    Failed(Failure),
}

impl Reply {
    pub fn latency(&self) -> Duration {
        match self {
            Reply::Answer(answer) => answer.latency,
            Reply::Failed(failure) => failure.latency,
        }
    }

    pub fn answer(&self) -> Option<&Answer> {
        match self {
            Reply::Answer(answer) => Some(answer),
            Reply::Failed(_) => None,
        }
    }

    /// The error the app logged while this request was in flight.
    pub fn logged(&self) -> Option<&str> {
        match self {
            Reply::Answer(answer) => answer.logged.as_deref(),
            Reply::Failed(failure) => failure.logged.as_deref(),
        }
    }

    pub(super) fn set_logged(&mut self, logged: Option<String>) {
        match self {
            Reply::Answer(answer) => answer.logged = logged,
            Reply::Failed(failure) => failure.logged = logged,
        }
    }

    /// 2xx, read to its end.
    pub fn accepted(&self) -> bool {
        self.answer()
            .is_some_and(|a| a.is_success() && a.body_error.is_none())
    }
}

/// Everything a request needs, shareable across the tasks of a burst.
struct Shared {
    client: reqwest::Client,
    headers: HeaderMap,
    basic_auth: Option<BasicAuth>,
    app_secret: Option<SecretString>,
    signing: Option<&'static dyn providers::Signing>,
    secrets: Vec<SecretString>,
    target: Url,
}

/// The sender every check uses.
pub(crate) struct Probe {
    shared: Arc<Shared>,
    /// Set once anything has answered (or failed after connecting): from then on a failure is
    /// a check's result, not "could not test".
    reached: bool,
    /// Deliveries in a row that got no answer within the timeout.
    timeouts_in_a_row: usize,
    /// The answers since [`Probe::start_check`].
    tally: Tally,
    /// The check under way, and the last request that reached the app (its check, what it was).
    check: &'static str,
    last_reached: Option<(&'static str, String)>,
    /// The app, when doctor started it (`-- CMD`).
    app: Option<App>,
    /// Times the app stopped, not yet taken by [`Probe::take_stops`].
    stops: Vec<AppStop>,
    /// Set when the app stopped and is not running again: the checks left cannot run.
    down: Option<AppStop>,
    /// The errors the app logged during the check under way.
    logged: Vec<String>,
    /// Errors the app logged again while no delivery was in flight: not any delivery's.
    background: Vec<String>,
    /// Set when the command doctor started ended while the app still answered (a launcher
    /// that leaves the server running): from then on its end is no stop, and a stop is found
    /// as without `-- CMD`.
    detached: bool,
    /// Becomes true on Ctrl-C or SIGTERM.
    stop: tokio::sync::watch::Receiver<bool>,
    pub timeout: Duration,
}

/// The app stopped accepting connections after it had answered.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct AppStop {
    /// The check under way.
    pub check: &'static str,
    /// The delivery in flight, or the last one the app answered.
    pub on: String,
    /// What became of it: "it exited with status 1", "it refuses connections since".
    pub how: String,
    /// The error it logged, if doctor saw one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub logged: Option<String>,
    /// Doctor started it again.
    pub restarted: bool,
}

impl AppStop {
    /// "the app stopped during kinds, on meta/account-alert: it exited with status 1 (it
    /// logged: KeyError: 'user_id')".
    pub fn sentence(&self) -> String {
        let logged = self
            .logged
            .as_ref()
            .map(|line| format!(" (it logged: {line})"))
            .unwrap_or_default();
        format!(
            "the app stopped during {}, on {}: {}{logged}",
            self.check, self.on, self.how
        )
    }
}

/// How the answers to one check's requests went, for what the run does next (an app that
/// refuses everything for want of credentials, or redirects everything).
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Tally {
    pub answers: usize,
    /// 401 or 403.
    pub refused: usize,
    pub redirected: usize,
    /// The last status seen.
    pub last_status: u16,
}

/// After this many deliveries in a row without an answer, the app is taken as stalled: the
/// checks left are not run, so a hung app costs a few timeouts, not one per request.
const STALLED_AFTER: usize = 2;

pub(crate) struct ProbeOptions {
    pub target: Url,
    pub http: http::HttpOptions,
    pub headers: Vec<(HeaderName, HeaderValue)>,
    pub basic_auth: Option<BasicAuth>,
    pub app_secret: Option<SecretString>,
    /// How the provider signs bodies with the app secret, if it does.
    pub signing: Option<&'static dyn providers::Signing>,
    /// Every secret to keep out of what is shown: tokens, secrets, passwords, header values.
    pub secrets: Vec<SecretString>,
    /// Becomes true on Ctrl-C or SIGTERM.
    pub stop: tokio::sync::watch::Receiver<bool>,
    /// The app doctor started, if it did.
    pub app: Option<App>,
}

impl Probe {
    pub fn new(options: ProbeOptions) -> anyhow::Result<Probe> {
        let client = http::client(&options.http)?;
        let mut headers = HeaderMap::new();
        for (name, value) in options.headers {
            headers.append(name, value);
        }
        Ok(Probe {
            timeout: options.http.timeout,
            shared: Arc::new(Shared {
                client,
                headers,
                basic_auth: options.basic_auth,
                app_secret: options.app_secret,
                signing: options.signing,
                secrets: options.secrets,
                target: options.target,
            }),
            reached: false,
            timeouts_in_a_row: 0,
            tally: Tally::default(),
            check: "",
            last_reached: None,
            app: options.app,
            stops: Vec::new(),
            down: None,
            logged: Vec::new(),
            background: Vec::new(),
            detached: false,
            stop: options.stop,
        })
    }

    /// True when the app has stopped answering (see [`STALLED_AFTER`]).
    pub fn stalled(&self) -> bool {
        self.timeouts_in_a_row >= STALLED_AFTER
    }

    /// The app stopped and is not running again, if it did.
    pub fn down(&self) -> Option<&AppStop> {
        self.down.as_ref()
    }

    /// The endpoint under test.
    pub fn target_url(&self) -> &Url {
        &self.shared.target
    }

    /// The app doctor started, if it did.
    pub fn app(&self) -> Option<&App> {
        self.app.as_ref()
    }

    /// Whether requests carry Basic credentials: `--basic-auth-env`, or an `Authorization`
    /// header given with `-H`.
    pub fn has_basic_auth(&self) -> bool {
        self.shared.basic_auth.is_some() || self.shared.headers.contains_key(AUTHORIZATION)
    }

    /// A check starts: count its answers from here on (see [`Tally`]) and its app's errors.
    pub fn start_check(&mut self, check: &'static str) {
        self.check = check;
        self.tally = Tally::default();
        self.logged.clear();
    }

    pub fn tally(&self) -> Tally {
        self.tally
    }

    /// The errors the app logged during the check under way.
    pub fn logged(&self) -> &[String] {
        &self.logged
    }

    /// Whether the app stopped on `what` (and was started again, or not) since the last
    /// [`Probe::take_stops`].
    pub fn stopped_on(&self, what: &str) -> bool {
        self.stops.iter().any(|stop| stop.on == what)
    }

    /// The times the app stopped since the last call.
    pub fn take_stops(&mut self) -> Vec<AppStop> {
        std::mem::take(&mut self.stops)
    }

    /// At a check's end: the app's last words are read, and an app that ended after its last
    /// answer is noted (and started again) now, in the check that made it end.
    pub fn finish_check(&mut self) -> Result<(), Halt> {
        if let Some(app) = &self.app {
            let lines = app.settle();
            if let Some(error) = self.error_in(&lines) {
                self.logged.push(error);
            }
        }
        self.ensure_app_running()
    }

    /// The error `lines` report (see [`app::error_in`]), leaving out the lines of errors the
    /// app also logs while no delivery is in flight.
    fn error_in(&self, lines: &[String]) -> Option<String> {
        if self.background.is_empty() {
            return app::error_in(lines);
        }
        let own: Vec<String> = lines
            .iter()
            .filter(|line| {
                !self
                    .background
                    .iter()
                    .any(|known| same_error(&output::excerpt(line, 160), known))
            })
            .cloned()
            .collect();
        app::error_in(&own)
    }

    /// `error` is not a delivery's (the same body, sent again, went without it): it is left
    /// out from here on.
    pub fn not_a_delivery_error(&mut self, error: String) {
        self.background.push(error);
    }

    /// True once Ctrl-C or SIGTERM came.
    pub fn interrupted(&self) -> bool {
        *self.stop.borrow()
    }

    pub fn has_app_secret(&self) -> bool {
        self.shared.app_secret.is_some()
    }

    /// `text` with every secret replaced by `(redacted)`.
    pub fn scrub(&self, text: &str) -> String {
        scrub(&self.shared, text)
    }

    /// Stop the app doctor started, if it did.
    pub fn stop_app(&mut self) {
        if let Some(mut app) = self.app.take() {
            app.stop();
        }
    }

    /// Before a request: an app doctor started that has ended since the last answer stopped
    /// on that answer's delivery; it is started again.
    fn ensure_app_running(&mut self) -> Result<(), Halt> {
        if self.down.is_some() || self.detached {
            return Ok(());
        }
        let Some(status) = self.app.as_mut().and_then(App::exited) else {
            return Ok(());
        };
        if self.still_accepts_connections() {
            self.detach(status);
            return Ok(());
        }
        let (check, on) = self
            .last_reached
            .clone()
            .unwrap_or((self.check, "its start".to_string()));
        let logged = self
            .app
            .as_ref()
            .and_then(|app| app::error_in(&app.settle()));
        let stop = AppStop {
            check,
            on,
            how: format!("it {} after answering", crate::child::exit_words(status)),
            logged,
            restarted: false,
        };
        self.restart_after(stop)
    }

    /// Start the app again after `stop`; when it cannot be, the app is down.
    fn restart_after(&mut self, mut stop: AppStop) -> Result<(), Halt> {
        let stop_flag = self.stop.clone();
        let interrupted = move || *stop_flag.borrow();
        let Some(app) = self.app.as_mut() else {
            return Ok(());
        };
        match app.restart(&interrupted) {
            Ok(()) => {
                stop.restarted = true;
                self.stops.push(stop);
                Ok(())
            }
            Err(_) if interrupted() => Err(Halt::Interrupted),
            Err(err) => {
                stop.how = format!("{}; it did not start again: {err:#}", stop.how);
                self.stops.push(stop.clone());
                self.down = Some(stop);
                Ok(())
            }
        }
    }

    /// Send one request.
    pub fn send(&mut self, request: Request) -> Result<Reply, Halt> {
        self.ensure_app_running()?;
        if let Some(app) = &self.app {
            app.drain();
        }
        let what = if request.what.is_empty() {
            self.check.to_string()
        } else {
            request.what.clone()
        };
        let as_provider = request.as_provider_sends();
        let shared = Arc::clone(&self.shared);
        let mut stop = self.stop.clone();
        let reply = http::runtime().block_on(async move {
            tokio::select! {
                reply = exchange(shared, request) => Some(reply),
                _ = stop.wait_for(|stopped| *stopped) => None,
            }
        });
        let mut reply = reply.ok_or(Halt::Interrupted)?;
        self.observe(std::slice::from_mut(&mut reply), &what)?;
        self.note(&reply, as_provider)?;
        self.reached_with(std::slice::from_ref(&reply), &what);
        Ok(reply)
    }

    /// What the app did on `replies` (one request, or a burst): the errors it logged, and
    /// whether it stopped. With doctor's app, the app is started again; without, a request
    /// that found the app gone marks it down.
    fn observe(&mut self, replies: &mut [Reply], what: &str) -> Result<(), Halt> {
        if self.app.is_some() {
            if let Some(stop) = self.observe_app(replies, what) {
                return self.restart_after(stop);
            }
        }
        if (self.app.is_none() || self.detached) && self.down.is_none() {
            self.observe_connections(replies, what);
        }
        Ok(())
    }

    /// With doctor's app: the error it logged on `replies`, and the stop, if it ended on them.
    fn observe_app(&mut self, replies: &mut [Reply], what: &str) -> Option<AppStop> {
        let logged = self.logged_error();
        if let Some(error) = &logged {
            self.logged.push(error.clone());
        }
        let failed = replies.iter().any(|r| matches!(r, Reply::Failed(_)));
        let mut ended = if failed && !self.detached {
            self.app.as_mut().and_then(App::exited_within)
        } else {
            None
        };
        if let Some(status) = ended.filter(|_| self.still_accepts_connections()) {
            self.detach(status);
            ended = None;
        }
        for reply in replies.iter_mut() {
            reply.set_logged(logged.clone());
        }
        let status = ended?;
        let how = format!("it {}", crate::child::exit_words(status));
        mark_crashed(replies, &how, |_| true);
        self.last_reached = Some((self.check, what.to_string()));
        Some(AppStop {
            check: self.check,
            on: what.to_string(),
            how,
            logged,
            restarted: false,
        })
    }

    /// The error doctor's app logged since the last request, if any.
    fn logged_error(&mut self) -> Option<String> {
        let lines = self.app.as_ref().map(App::settle).unwrap_or_default();
        let error = self.error_in(&lines)?;
        // Nothing is in flight now: an error the app logs again in this moment (a periodic
        // job's, a health check's) is not this delivery's. It is left out from here on, and
        // the delivery judged by what else it logged.
        let after = self.app.as_ref().map(App::settle).unwrap_or_default();
        let again = after
            .iter()
            .filter_map(|line| app::error_in(std::slice::from_ref(line)))
            .any(|line| same_error(&line, &error));
        if again {
            self.background.push(error);
            return self.error_in(&lines);
        }
        Some(error)
    }

    /// Without doctor's app (or once its command ended, the app answering on): a reset
    /// followed by refused connections is a crash on this delivery; refused connections alone
    /// say the app stopped after the last (in a burst, some of whose requests reached it,
    /// during the burst).
    fn observe_connections(&mut self, replies: &mut [Reply], what: &str) {
        self.reached_with(replies, what);
        let closed = replies
            .iter()
            .any(|r| matches!(r, Reply::Failed(f) if f.kind == FailureKind::NoAnswer));
        let refused = replies
            .iter()
            .any(|r| matches!(r, Reply::Failed(f) if f.kind == FailureKind::Refused));
        if closed && !self.still_accepts_connections() {
            let how = "it closed the connection without answering, and has refused \
                       connections since (a crash?)"
                .to_string();
            mark_crashed(replies, &how, |failure| {
                failure.kind == FailureKind::NoAnswer
            });
            self.last_reached = Some((self.check, what.to_string()));
            self.stop_without_app(how);
        } else if refused && self.reached {
            self.stop_without_app(
                "it refuses connections since (it stopped, or crashed after answering)".to_string(),
            );
        }
    }

    /// The command ended but the app answers on: say so once, and judge stops from here on
    /// by connections, as without `-- CMD`.
    fn detach(&mut self, status: std::process::ExitStatus) {
        self.detached = true;
        self.reached = true;
        eprintln!(
            "wa-hook: the command doctor started {}, but the app still answers at {}: doctor \
             goes on without starting it again (it stops the command's process group at the end)",
            crate::child::exit_words(status),
            self.scrub(self.shared.target.as_str())
        );
    }

    fn stop_without_app(&mut self, how: String) {
        let (check, on) = self
            .last_reached
            .clone()
            .unwrap_or((self.check, "the first request".to_string()));
        let stop = AppStop {
            check,
            on,
            how,
            logged: None,
            restarted: false,
        };
        self.stops.push(stop.clone());
        self.down = Some(stop);
    }

    /// Whether the target still accepts TCP connections a moment after one was closed without
    /// an answer: a process that is ending may still accept a connection into its queue.
    fn still_accepts_connections(&self) -> bool {
        for wait in [0, 50, 100, 150] {
            std::thread::sleep(Duration::from_millis(wait));
            if !self.accepts_connections() {
                return false;
            }
        }
        true
    }

    /// Whether the target accepts TCP connections (for a local target; a remote one is taken
    /// to, as a proxy in front of the app would accept them anyway).
    fn accepts_connections(&self) -> bool {
        let target = &self.shared.target;
        if !http::is_local(target) {
            return true;
        }
        match http::socket_addresses(target) {
            Ok(addresses) => http::accepts_connections(&addresses, Duration::from_secs(1)),
            Err(_) => true,
        }
    }

    /// Send every request, up to `concurrency` at once; replies in the order of `requests`.
    /// `what` names them all ("the burst").
    pub fn send_all(
        &mut self,
        requests: Vec<Request>,
        concurrency: usize,
        what: &str,
    ) -> Result<Vec<Reply>, Halt> {
        self.ensure_app_running()?;
        if let Some(app) = &self.app {
            app.drain();
        }
        let as_provider: Vec<bool> = requests.iter().map(Request::as_provider_sends).collect();
        let count = requests.len();
        let queue = Arc::new(std::sync::Mutex::new(
            requests.into_iter().enumerate().collect::<Vec<_>>(),
        ));
        let shared = Arc::clone(&self.shared);
        let mut stop = self.stop.clone();
        let replies: Option<Vec<(usize, Reply)>> = http::runtime().block_on(async move {
            let mut tasks = tokio::task::JoinSet::new();
            for _ in 0..concurrency.clamp(1, count.max(1)) {
                let queue = Arc::clone(&queue);
                let shared = Arc::clone(&shared);
                tasks.spawn(async move {
                    let mut done = Vec::new();
                    loop {
                        let next = queue.lock().expect("queue lock").pop();
                        let Some((index, request)) = next else { break };
                        done.push((index, exchange(Arc::clone(&shared), request).await));
                    }
                    done
                });
            }
            let mut all = Vec::with_capacity(count);
            loop {
                tokio::select! {
                    done = tasks.join_next() => match done {
                        Some(done) => all.extend(done.expect("a doctor task panicked")),
                        None => break Some(all),
                    },
                    // Dropping the set aborts the requests under way.
                    _ = stop.wait_for(|stopped| *stopped) => break None,
                }
            }
        });
        let mut replies = replies.ok_or(Halt::Interrupted)?;
        replies.sort_by_key(|(index, _)| *index);
        let mut replies: Vec<Reply> = replies.into_iter().map(|(_, reply)| reply).collect();
        self.observe(&mut replies, what)?;
        // One request that reached the app makes the refused ones the app's stop, not an
        // endpoint that cannot be reached.
        self.reached |= replies.iter().any(reached_the_app);
        for (reply, as_provider) in replies.iter().zip(as_provider) {
            self.note(reply, as_provider)?;
        }
        self.reached_with(&replies, what);
        Ok(replies)
    }

    /// Remember that the endpoint answered; or, when nothing has yet and this could not
    /// connect, give up: the endpoint cannot be tested.
    fn note(&mut self, reply: &Reply, as_provider: bool) -> Result<(), Halt> {
        if let Reply::Answer(answer) = reply {
            self.tally.answers += 1;
            self.tally.last_status = answer.status;
            if matches!(answer.status, 401 | 403) {
                self.tally.refused += 1;
            }
            if answer.is_redirect() {
                self.tally.redirected += 1;
            }
        }
        match reply {
            Reply::Failed(failure) if failure.kind == FailureKind::Timeout => {
                // A forgery or a handshake that hangs says nothing about deliveries.
                if as_provider {
                    self.timeouts_in_a_row += 1;
                }
            }
            _ => self.timeouts_in_a_row = 0,
        }
        match reply {
            Reply::Failed(failure)
                if !self.reached
                    && matches!(
                        failure.kind,
                        FailureKind::Refused | FailureKind::Tls | FailureKind::Connect
                    ) =>
            {
                Err(Halt::Unreachable(failure.message.clone()))
            }
            Reply::Failed(failure) if failure.kind == FailureKind::Refused => Ok(()),
            _ => {
                self.reached = true;
                Ok(())
            }
        }
    }

    /// Remember the request that reached the app last (for "the app stopped on ...").
    fn reached_with(&mut self, replies: &[Reply], what: &str) {
        if replies.iter().any(reached_the_app) {
            self.last_reached = Some((self.check, what.to_string()));
        }
    }
}

/// Whether a request reached the app (it answered, or failed after connecting).
fn reached_the_app(reply: &Reply) -> bool {
    match reply {
        Reply::Answer(_) => true,
        Reply::Failed(failure) => !matches!(
            failure.kind,
            FailureKind::Refused | FailureKind::Connect | FailureKind::Tls
        ),
    }
}

fn scrub(shared: &Shared, text: &str) -> String {
    let secrets: Vec<&SecretString> = shared.secrets.iter().collect();
    secret::scrub(text, &secrets)
}

async fn exchange(shared: Arc<Shared>, request: Request) -> Reply {
    let builder = prepare(&shared, &request);
    let started = Instant::now();
    match builder.body(request.body).send().await {
        Ok(response) => Reply::Answer(read_answer(&shared, response, started).await),
        Err(err) => Reply::Failed(failure(&shared, &err.without_url(), started)),
    }
}

/// The request with the shared headers, and the signature and credentials it is to carry.
fn prepare(shared: &Shared, request: &Request) -> reqwest::RequestBuilder {
    let mut builder = shared
        .client
        .request(request.method.clone(), request.url.clone())
        .headers(shared.headers.clone());
    if request.json {
        builder = builder.header(CONTENT_TYPE, "application/json");
    }
    if let Some(signing) = shared.signing {
        let signature = match (request.signing, &shared.app_secret) {
            (Signing::AsProvider, Some(secret)) => Some(signing.sign(secret, &request.body)),
            (Signing::OverOtherBytes, Some(secret)) => {
                Some(signing.sign(secret, request.signed_bytes.as_deref().unwrap_or_default()))
            }
            (Signing::Wrong, _) => Some(format!("sha256={}", "0f".repeat(32))),
            _ => None,
        };
        if let Some(signature) = signature {
            builder = builder.header(signing.header(), signature);
        }
    }
    if let Some(auth) = &shared.basic_auth {
        match request.credentials {
            Credentials::Configured => {
                builder = builder.header(AUTHORIZATION, auth.header_value().expose());
            }
            Credentials::Wrong => {
                let wrong = BasicAuth::parse(&format!("{}:wa-hook-doctor-wrong", auth.user))
                    .expect("USER:PASS");
                builder = builder.header(AUTHORIZATION, wrong.header_value().expose());
            }
            Credentials::Missing => {}
        }
    }
    builder
}

/// The answer's status, the headers diagnosis reads, and the start of its body.
async fn read_answer(shared: &Shared, mut response: reqwest::Response, started: Instant) -> Answer {
    let header = |name| {
        response
            .headers()
            .get(name)
            .map(|v: &HeaderValue| String::from_utf8_lossy(v.as_bytes()).into_owned())
    };
    let location = header(LOCATION).map(|text| scrub(shared, &text));
    let content_type = header(CONTENT_TYPE);
    let status = response.status().as_u16();
    let mut body = Vec::new();
    let body_error = http::read_body_into(&mut response, MAX_ANSWER, KEPT, &mut body)
        .await
        .err()
        .map(|err| {
            err.describe(|broken| scrub(shared, &http::failure_reason(&broken.without_url())))
        });
    Answer {
        status,
        location,
        content_type,
        body,
        body_error,
        latency: started.elapsed(),
        logged: None,
    }
}

/// A request that got no answer: what kind of failure, in words that say what to do.
fn failure(shared: &Shared, err: &reqwest::Error, started: Instant) -> Failure {
    let reason = http::failure_reason(err);
    let lower = reason.to_ascii_lowercase();
    let kind = failure_kind(shared, err, &lower);
    let plain = match kind {
        FailureKind::Tls if lower.contains("corrupt message") => format!(
            "{}: TLS failed ({reason}): the server does not speak TLS on this port; is it \
             an http:// endpoint?",
            shared.target
        ),
        FailureKind::Tls => format!(
            "{}: TLS failed ({reason}); providers need a valid certificate from a public \
             authority (--insecure tests past it)",
            shared.target
        ),
        _ => http::describe_error(err, &shared.target),
    };
    Failure {
        kind,
        message: scrub(shared, &plain),
        latency: started.elapsed(),
        logged: None,
        crashed: None,
        crashed_among_others: false,
    }
}

/// Timeout, refused, TLS, connect, a broken answer or none, from the error and its words
/// (`lower`, the reason in lower case).
fn failure_kind(shared: &Shared, err: &reqwest::Error, lower: &str) -> FailureKind {
    if err.is_timeout() {
        FailureKind::Timeout
    } else if lower.contains("refused") {
        FailureKind::Refused
    } else if lower.contains("certificate")
        || lower.contains("tls")
        || lower.contains("handshake")
        || lower.contains("alert")
        || lower.contains("corrupt message")
        || (err.is_connect()
            && shared.target.scheme() == "https"
            && !lower.contains("dns")
            && !lower.contains("lookup"))
    {
        FailureKind::Tls
    } else if err.is_connect() {
        FailureKind::Connect
    } else {
        match http::classify(err) {
            http::FailureClass::BadAnswer => FailureKind::BadAnswer,
            http::FailureClass::NoAnswer => FailureKind::NoAnswer,
            _ => FailureKind::Other,
        }
    }
}

/// Mark the failed replies that `which` picks as the app's stop (`how`), and whether others
/// were in flight with them.
fn mark_crashed(replies: &mut [Reply], how: &str, which: impl Fn(&Failure) -> bool) {
    let among_others = replies.len() > 1;
    for reply in replies.iter_mut() {
        if let Reply::Failed(failure) = reply {
            if which(failure) {
                failure.crashed = Some(how.to_string());
                failure.crashed_among_others = among_others;
            }
        }
    }
}

/// Whether two logged error lines say the same thing, numbers (times, counts, ids) aside.
fn same_error(a: &str, b: &str) -> bool {
    fn shape(line: &str) -> impl Iterator<Item = char> + '_ {
        let mut last_digit = false;
        line.chars().filter_map(move |c| {
            let digit = c.is_ascii_digit();
            let keep = !(digit && last_digit);
            last_digit = digit;
            keep.then_some(if digit { '#' } else { c })
        })
    }
    shape(a).eq(shape(b))
}

#[cfg(test)]
mod tests {
    use super::same_error;

    #[test]
    fn errors_are_the_same_but_for_their_numbers() {
        assert!(same_error(
            "2026-12-07 05:30:01 ERROR cache refresh failed after 120 ms",
            "2026-12-07 05:30:02 ERROR cache refresh failed after 7 ms"
        ));
        assert!(!same_error("KeyError: 'user_id'", "KeyError: 'wa_id'"));
        assert!(!same_error("ERROR a", "ERROR a1"));
    }
}
