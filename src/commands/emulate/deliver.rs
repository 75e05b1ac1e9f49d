//! Webhooks to the app: each one signed as the provider signs (its [`Signing`] over its
//! [`Rules::wire_bytes`]), sent with `--webhook-timeout`, recorded with the app's answer.
//! Status webhooks wait in bounded queues, each served by a thread of its own, in the order of
//! their due times (`--statuses`): a hung app holds those threads only, never an answer to a
//! send; a full queue drops the webhook and counts it.
//!
//! [`Signing`]: crate::providers::Signing
//! [`Rules::wire_bytes`]: crate::providers::Rules::wire_bytes
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, SyncSender, TrySendError};
use std::time::{Duration, Instant};

use reqwest::Method;
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};
use url::Url;

use super::Recorder;
use crate::capture::{CaptureRecord, Direction, ForwardResult};
use crate::net::{self, FailureKind};
use crate::providers::{Destination, Provider, Webhook};
use crate::secret::{BasicAuth, SecretString};

/// Status webhooks waiting at most; one more is dropped (and counted).
const QUEUE_MAX: usize = 10_000;

/// How the app answered one webhook.
pub struct Delivered {
    /// The app's HTTP status; `None` when no answer came.
    pub status: Option<u16>,
    /// The body of the app's answer (at most [`net::send`]'s cap).
    pub body: Vec<u8>,
}

/// Sends webhooks to the app.
pub struct Delivery {
    pub client: reqwest::Client,
    pub url: Url,
    /// `--events-webhook`: where [`Destination::Events`] webhooks go (`url` when `None`).
    pub events_url: Option<Url>,
    pub provider: Provider,
    pub app_secret: Option<SecretString>,
    /// `--basic-auth-env`: sent on every webhook.
    pub basic_auth: Option<BasicAuth>,
    pub recorder: Arc<Recorder>,
}

impl Delivery {
    /// Send one webhook and wait for the app's answer (at most the client's timeout); record
    /// it and count it.
    pub fn deliver(&self, webhook: &Webhook) -> Delivered {
        let url = match (webhook.destination, &self.events_url) {
            (Destination::Events, Some(events)) => events,
            _ => &self.url,
        };
        let rules = self.provider.rules();
        let body = rules.wire_bytes(&webhook.body);
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        if let (Some(secret), Some(signing)) = (&self.app_secret, rules.signing()) {
            if let (Ok(name), Ok(value)) = (
                HeaderName::from_bytes(signing.header().as_bytes()),
                HeaderValue::from_str(&signing.sign(secret, &body)),
            ) {
                headers.insert(name, value);
            }
        }
        let sent_at = crate::capture::now_rfc3339();
        let listed: Vec<(String, String)> = headers
            .iter()
            .map(|(name, value)| {
                (
                    name.as_str().to_string(),
                    value.to_str().unwrap_or_default().to_string(),
                )
            })
            .collect();
        if let Some(auth) = &self.basic_auth {
            if let Ok(value) = HeaderValue::from_str(auth.header_value().expose()) {
                headers.insert(AUTHORIZATION, value);
            }
        }
        let (record_headers, redacted_headers) = crate::capture::redacted_headers(
            &listed
                .into_iter()
                .chain(self.basic_auth.as_ref().map(|auth| {
                    (
                        "authorization".to_string(),
                        auth.header_value().expose().to_string(),
                    )
                }))
                .collect::<Vec<_>>(),
            false,
        );
        let request = net::Request {
            method: Method::POST,
            url: url.clone(),
            headers,
            body: body.clone().into(),
        };
        let reply = crate::http::runtime().block_on(net::send(&self.client, request, url, true));
        let mut secrets: Vec<&SecretString> = self.app_secret.iter().collect();
        if let Some(auth) = &self.basic_auth {
            secrets.extend(auth.secrets());
        }
        let failure = reply.failure.map(|failure| failure.scrubbed(&secrets));
        let status = reply.status.filter(|_| failure.is_none());
        let response_status = match (&status, &failure) {
            (Some(status), _) => *status,
            (None, Some(failure)) if failure.kind == FailureKind::Timeout => 504,
            _ => 502,
        };
        let mut record = CaptureRecord {
            direction: Some(Direction::Webhook),
            received_at: sent_at,
            remote_addr: format!(
                "{}:{}",
                url.host_str().unwrap_or_default(),
                url.port_or_known_default().unwrap_or_default()
            ),
            method: "POST".to_string(),
            path: url.path().to_string(),
            query: url.query().unwrap_or_default().to_string(),
            headers: record_headers,
            redacted_headers,
            body_bytes: body.len() as u64,
            response_status,
            forward: Some(ForwardResult {
                url: url.to_string(),
                status,
                latency_ms: crate::output::ms(reply.latency),
                body: (!reply.body.is_empty())
                    .then(|| crate::secret::scrub(&String::from_utf8_lossy(&reply.body), &secrets)),
                error: failure.as_ref().map(|failure| failure.message.clone()),
            }),
            ..CaptureRecord::default()
        };
        (record.body, record.body_encoding) = CaptureRecord::encode_body(&body);
        let check = crate::validation::check_value(
            &webhook.body,
            &crate::validation::CheckOptions::default(),
        );
        check.record_into(&mut record);
        self.recorder.webhook(record, status);
        Delivered {
            status,
            body: reply.body,
        }
    }
}

/// A status webhook waiting for its time.
struct Job {
    due: Instant,
    order: u64,
    webhook: Webhook,
}

impl PartialEq for Job {
    fn eq(&self, other: &Self) -> bool {
        (self.due, self.order) == (other.due, other.order)
    }
}
impl Eq for Job {}
impl PartialOrd for Job {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Job {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.due, self.order).cmp(&(other.due, other.order))
    }
}

/// The status webhooks of one lane and the thread that sends them.
struct Lane {
    sender: SyncSender<(Instant, Webhook)>,
    /// Webhooks queued and not sent yet (one being sent included).
    waiting: Arc<AtomicUsize>,
    /// Signalled when the thread ends (behind a lock only to make the queue shareable).
    done: std::sync::Mutex<Receiver<()>>,
}

/// The queues of status webhooks: `LANES` lanes, each served by a thread of its own. The
/// webhooks of one send go down one lane, in order (sent before delivered); sends take the
/// lanes in turn, so one app round trip does not pace every message's statuses.
pub struct Queue {
    lanes: Vec<Lane>,
    next: AtomicUsize,
}

/// Threads sending status webhooks.
const LANES: usize = 4;

impl Queue {
    pub fn start(delivery: &Arc<Delivery>) -> anyhow::Result<Queue> {
        let mut lanes = Vec::with_capacity(LANES);
        for lane in 0..LANES {
            let (sender, receiver) = mpsc::sync_channel(QUEUE_MAX / LANES);
            let (done_sender, done) = mpsc::channel();
            let waiting = Arc::new(AtomicUsize::new(0));
            let counted = Arc::clone(&waiting);
            let delivery = Arc::clone(delivery);
            std::thread::Builder::new()
                .name(format!("wa-hook-webhooks-{lane}"))
                .spawn(move || {
                    serve(&delivery, &receiver, &counted);
                    let _ = done_sender.send(());
                })?;
            lanes.push(Lane {
                sender,
                waiting,
                done: std::sync::Mutex::new(done),
            });
        }
        Ok(Queue {
            lanes,
            next: AtomicUsize::new(0),
        })
    }

    /// Queue the webhooks of one send, each for its time, down one lane; how many were
    /// dropped because the lane was full.
    pub fn push(&self, webhooks: impl IntoIterator<Item = (Instant, Webhook)>) -> usize {
        let lane = &self.lanes[self.next.fetch_add(1, Ordering::Relaxed) % self.lanes.len()];
        let mut dropped = 0;
        for job in webhooks {
            match lane.sender.try_send(job) {
                Ok(()) => {
                    lane.waiting.fetch_add(1, Ordering::Relaxed);
                }
                Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) => dropped += 1,
            }
        }
        dropped
    }

    /// Stop taking webhooks; wait until `deadline` at most for the threads to end. The
    /// webhooks still waiting then (never sent).
    pub fn finish(self, deadline: Instant) -> usize {
        let mut waiting = Vec::new();
        for lane in self.lanes {
            let Lane {
                sender,
                waiting: count,
                done,
            } = lane;
            drop(sender);
            waiting.push((count, done));
        }
        waiting
            .into_iter()
            .map(|(count, done)| {
                let done = done
                    .into_inner()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                let _ = done.recv_timeout(deadline.saturating_duration_since(Instant::now()));
                count.load(Ordering::Relaxed)
            })
            .sum()
    }
}

/// Send each webhook when due, in order of due time then arrival, until the queue closes.
/// At the close, the ones not due yet are left (the stop does not wait for delays).
fn serve(delivery: &Delivery, receiver: &Receiver<(Instant, Webhook)>, waiting: &AtomicUsize) {
    let mut pending: BinaryHeap<Reverse<Job>> = BinaryHeap::new();
    let mut order = 0u64;
    loop {
        let now = Instant::now();
        while pending.peek().is_some_and(|Reverse(job)| job.due <= now) {
            if let Some(Reverse(job)) = pending.pop() {
                delivery.deliver(&job.webhook);
                waiting.fetch_sub(1, Ordering::Relaxed);
            }
        }
        let wait = pending
            .peek()
            .map_or(Duration::from_millis(500), |Reverse(job)| {
                job.due.saturating_duration_since(Instant::now())
            });
        match receiver.recv_timeout(wait) {
            Ok((due, webhook)) => {
                order += 1;
                pending.push(Reverse(Job {
                    due,
                    order,
                    webhook,
                }));
                // Take everything already queued before sending, so order holds.
                while let Ok((due, webhook)) = receiver.try_recv() {
                    order += 1;
                    pending.push(Reverse(Job {
                        due,
                        order,
                        webhook,
                    }));
                }
            }
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => return,
        }
    }
}
