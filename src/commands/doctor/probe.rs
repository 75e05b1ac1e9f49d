//! Sending one request the way a provider would, and reading what came back, bounded: every
//! request has the `--timeout`, and an answer's body is read up to [`MAX_ANSWER`] (the first
//! [`KEPT`] bytes kept for diagnosis). A request that cannot reach the endpoint at all before
//! anything has answered ends the run ([`Halt::Unreachable`], exit 2); Ctrl-C or SIGTERM stops
//! the request under way at once ([`Halt::Interrupted`], exit 130).
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::Method;
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue, LOCATION};
use url::Url;

use crate::http;
use crate::providers::meta::signature;
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
    secrets: Vec<SecretString>,
    target: Url,
}

/// The sender every check uses.
pub(crate) struct Probe {
    shared: Arc<Shared>,
    /// Set once anything has answered (or failed after connecting): from then on a failure is
    /// a check's result, not "could not test".
    reached: bool,
    /// Requests in a row that got no answer within the timeout.
    timeouts_in_a_row: usize,
    /// The answers since [`Probe::start_tally`].
    tally: Tally,
    /// Becomes true on Ctrl-C or SIGTERM.
    stop: tokio::sync::watch::Receiver<bool>,
    pub timeout: Duration,
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

/// After this many requests in a row without an answer, the app is taken as stalled: the
/// checks left are not run, so a hung app costs a few timeouts, not one per request.
const STALLED_AFTER: usize = 2;

pub(crate) struct ProbeOptions {
    pub target: Url,
    pub http: http::HttpOptions,
    pub headers: Vec<(HeaderName, HeaderValue)>,
    pub basic_auth: Option<BasicAuth>,
    pub app_secret: Option<SecretString>,
    /// Every secret to keep out of what is shown: tokens, secrets, passwords, header values.
    pub secrets: Vec<SecretString>,
    /// Becomes true on Ctrl-C or SIGTERM.
    pub stop: tokio::sync::watch::Receiver<bool>,
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
                secrets: options.secrets,
                target: options.target,
            }),
            reached: false,
            timeouts_in_a_row: 0,
            tally: Tally::default(),
            stop: options.stop,
        })
    }

    /// True when the app has stopped answering (see [`STALLED_AFTER`]).
    pub fn stalled(&self) -> bool {
        self.timeouts_in_a_row >= STALLED_AFTER
    }

    /// The endpoint under test.
    pub fn target_url(&self) -> &Url {
        &self.shared.target
    }

    /// Whether requests carry Basic credentials: `--basic-auth-env`, or an `Authorization`
    /// header given with `-H`.
    pub fn has_basic_auth(&self) -> bool {
        self.shared.basic_auth.is_some() || self.shared.headers.contains_key(AUTHORIZATION)
    }

    /// Count the answers from here on (see [`Tally`]).
    pub fn start_tally(&mut self) {
        self.tally = Tally::default();
    }

    pub fn tally(&self) -> Tally {
        self.tally
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

    /// Send one request.
    pub fn send(&mut self, request: Request) -> Result<Reply, Halt> {
        let shared = Arc::clone(&self.shared);
        let mut stop = self.stop.clone();
        let reply = http::runtime().block_on(async move {
            tokio::select! {
                reply = exchange(shared, request) => Some(reply),
                _ = stop.wait_for(|stopped| *stopped) => None,
            }
        });
        let reply = reply.ok_or(Halt::Interrupted)?;
        self.note(&reply)?;
        Ok(reply)
    }

    /// Send every request, up to `concurrency` at once; replies in the order of `requests`.
    pub fn send_all(
        &mut self,
        requests: Vec<Request>,
        concurrency: usize,
    ) -> Result<Vec<Reply>, Halt> {
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
        let replies: Vec<Reply> = replies.into_iter().map(|(_, reply)| reply).collect();
        for reply in &replies {
            self.note(reply)?;
        }
        Ok(replies)
    }

    /// Remember that the endpoint answered; or, when nothing has yet and this could not
    /// connect, give up: the endpoint cannot be tested.
    fn note(&mut self, reply: &Reply) -> Result<(), Halt> {
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
                self.timeouts_in_a_row += 1;
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
            _ => {
                self.reached = true;
                Ok(())
            }
        }
    }
}

fn scrub(shared: &Shared, text: &str) -> String {
    let secrets: Vec<&SecretString> = shared.secrets.iter().collect();
    secret::scrub(text, &secrets)
}

const SIGNATURE: HeaderName = HeaderName::from_static("x-hub-signature-256");

async fn exchange(shared: Arc<Shared>, request: Request) -> Reply {
    let mut builder = shared
        .client
        .request(request.method, request.url)
        .headers(shared.headers.clone());
    if request.json {
        builder = builder.header(CONTENT_TYPE, "application/json");
    }
    let signature = match (request.signing, &shared.app_secret) {
        (Signing::AsProvider, Some(secret)) => Some(signature::sign(secret, &request.body)),
        (Signing::OverOtherBytes, Some(secret)) => Some(signature::sign(
            secret,
            request.signed_bytes.as_deref().unwrap_or_default(),
        )),
        (Signing::Wrong, _) => Some(format!("sha256={}", "0f".repeat(32))),
        _ => None,
    };
    if let Some(signature) = signature {
        builder = builder.header(SIGNATURE, signature);
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
    let started = Instant::now();
    match builder.body(request.body).send().await {
        Ok(mut response) => {
            let header = |name| {
                response
                    .headers()
                    .get(name)
                    .map(|v: &HeaderValue| String::from_utf8_lossy(v.as_bytes()).into_owned())
            };
            let location = header(LOCATION).map(|text| scrub(&shared, &text));
            let content_type = header(CONTENT_TYPE);
            let status = response.status().as_u16();
            let mut body = Vec::new();
            let body_error = http::read_body_into(&mut response, MAX_ANSWER, KEPT, &mut body)
                .await
                .err()
                .map(|err| {
                    err.describe(|broken| {
                        scrub(&shared, &http::failure_reason(&broken.without_url()))
                    })
                });
            Reply::Answer(Answer {
                status,
                location,
                content_type,
                body,
                body_error,
                latency: started.elapsed(),
            })
        }
        Err(err) => {
            let err = err.without_url();
            let reason = http::failure_reason(&err);
            let lower = reason.to_ascii_lowercase();
            let kind = if err.is_timeout() {
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
            } else if http::classify(&err) == http::FailureClass::BadAnswer {
                FailureKind::BadAnswer
            } else {
                FailureKind::Other
            };
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
                _ => http::describe_error(&err, &shared.target),
            };
            Reply::Failed(Failure {
                kind,
                message: scrub(&shared, &plain),
                latency: started.elapsed(),
            })
        }
    }
}
