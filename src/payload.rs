//! Editing payloads before they are sent: `--set PATH=VALUE`, `--fresh` (new message ids and
//! current timestamps), `--sequence` (a status's lifecycle for one message) and
//! `--picky-query` (Picky Assist's deprecated query-string method).
//!
//! Which field holds a provider's message id or timestamp, and how its statuses progress, is
//! the provider's own knowledge ([`crate::providers::Rules`]); this module drives it.
use std::time::{Duration, SystemTime};

use anyhow::{Context, bail};
use serde_json::{Map, Value};

use crate::ids::IdSource;
use crate::providers::{self, Provider};

/// One `--set PATH=VALUE`: a dotted path (`payload.message.text.body`, `statuses.0.id`) or a
/// JSON pointer (`/payload/message/text/body`); VALUE is JSON when it parses as JSON, else text.
#[derive(Clone, Debug, PartialEq)]
pub struct Edit {
    /// The path as the user typed it, for messages.
    pub path: String,
    tokens: Vec<String>,
    pub value: Value,
}

impl Edit {
    pub fn parse(text: &str) -> anyhow::Result<Edit> {
        let Some((path, value)) = text.split_once('=') else {
            bail!("--set `{text}` needs PATH=VALUE, e.g. --set payload.message.text.body=hello");
        };
        let path = path.trim();
        if path.is_empty() {
            bail!("--set `{text}` has no path before `=`");
        }
        let tokens: Vec<String> = if let Some(pointer) = path.strip_prefix('/') {
            pointer
                .split('/')
                .map(|token| token.replace("~1", "/").replace("~0", "~"))
                .collect()
        } else {
            path.split('.').map(str::to_string).collect()
        };
        if tokens.iter().any(String::is_empty) {
            bail!("--set `{path}` has an empty step; write a.b.c or /a/b/c");
        }
        let value = serde_json::from_str(value).unwrap_or_else(|_| Value::String(value.into()));
        Ok(Edit {
            path: path.to_string(),
            tokens,
            value,
        })
    }

    /// Set the value, creating objects for missing steps. An array index may be one past the
    /// end (appends).
    pub fn apply(&self, body: &mut Value) -> anyhow::Result<()> {
        let mut here = body;
        for (depth, token) in self.tokens.iter().enumerate() {
            let last = depth + 1 == self.tokens.len();
            here = match here {
                Value::Object(object) => {
                    if last {
                        object.insert(token.clone(), self.value.clone());
                        return Ok(());
                    }
                    object
                        .entry(token.clone())
                        .or_insert_with(|| Value::Object(Map::new()))
                }
                Value::Array(items) => {
                    let Ok(index) = token.parse::<usize>() else {
                        bail!(
                            "--set {}: `{token}` is not an index into the array at {}",
                            self.path,
                            self.prefix(depth)
                        );
                    };
                    if index > items.len() {
                        bail!(
                            "--set {}: index {index} is past the end of the array at {} ({})",
                            self.path,
                            self.prefix(depth),
                            crate::output::plural(items.len() as u64, "item", "items")
                        );
                    }
                    if index == items.len() {
                        items.push(if last {
                            Value::Null
                        } else {
                            Value::Object(Map::new())
                        });
                    }
                    if last {
                        items[index] = self.value.clone();
                        return Ok(());
                    }
                    &mut items[index]
                }
                other => bail!(
                    "--set {}: {} is {}, not an object or array",
                    self.path,
                    self.prefix(depth),
                    crate::validation::json_type(other)
                ),
            };
        }
        *here = self.value.clone();
        Ok(())
    }

    fn prefix(&self, depth: usize) -> String {
        if depth == 0 {
            "the top level".to_string()
        } else {
            format!("/{}", self.tokens[..depth].join("/"))
        }
    }
}

impl Edit {
    /// When this edit would add an object key the body does not have (the usual sign of a
    /// misspelt path): the path that would be created, and the closest existing key there.
    pub fn new_key_in(&self, body: &Value) -> Option<(String, Option<String>)> {
        let mut here = body;
        for (depth, token) in self.tokens.iter().enumerate() {
            here = match here {
                Value::Object(object) => {
                    let Some(next) = object.get(token) else {
                        let close = object
                            .keys()
                            .map(|key| (strsim::jaro_winkler(key, token), key))
                            .filter(|(score, _)| *score > 0.8)
                            .max_by(|a, b| a.0.total_cmp(&b.0))
                            .map(|(_, key)| {
                                let mut path = self.tokens[..depth].to_vec();
                                path.push(key.clone());
                                path.join(".")
                            });
                        return Some((self.tokens[..=depth].join("."), close));
                    };
                    next
                }
                Value::Array(items) => items.get(token.parse::<usize>().ok()?)?,
                _ => return None,
            };
        }
        None
    }
}

/// Apply every edit in order.
pub fn apply_edits(body: &mut Value, edits: &[Edit]) -> anyhow::Result<()> {
    edits.iter().try_for_each(|edit| edit.apply(body))
}

/// Encode an edited body the way the original was written: pretty with two spaces when the
/// original spread over several lines, compact otherwise, keeping a trailing newline.
pub fn encode_like(body: &Value, original: &[u8]) -> Vec<u8> {
    let trimmed = original.trim_ascii_end();
    let mut bytes = if trimmed.contains(&b'\n') {
        serde_json::to_vec_pretty(body)
    } else {
        serde_json::to_vec(body)
    }
    .expect("a JSON value always encodes");
    if trimmed.len() != original.len() && original.ends_with(b"\n") {
        bytes.push(b'\n');
    }
    bytes
}

/// What `--fresh` changed in a body.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refreshed {
    /// New ids and timestamps were written.
    Changed,
    /// The provider's bodies carry no message id or timestamp (the partner API's events).
    NothingToRefresh,
}

/// Give a body new message ids and the current time, in the fields its provider uses (each
/// provider's [`Lifecycle::refresh`](crate::providers::Lifecycle::refresh) knows which).
pub fn refresh(
    body: &mut Value,
    provider: Provider,
    ids: &mut IdSource,
    now: SystemTime,
) -> Refreshed {
    let lifecycle = provider.rules().lifecycle();
    if lifecycle.is_some_and(|lifecycle| lifecycle.refresh(body, ids, now)) {
        Refreshed::Changed
    } else {
        Refreshed::NothingToRefresh
    }
}

/// The status item of a status body of `provider`, if it is one.
fn status_item(body: &Value, provider: Provider) -> Option<&Map<String, Value>> {
    let lifecycle = provider.rules().lifecycle()?;
    let detection = providers::detect(body).filter(|d| d.provider == provider)?;
    if !lifecycle.is_status(&detection.kind) {
        return None;
    }
    body.pointer(lifecycle.status_item())?.as_object()
}

/// The statuses `--sequence` sends for a status body, in order, as the provider sends them for
/// one message: sent, delivered, read; or sent then failed when the body is a failure. `None`
/// when the body is not a status.
pub fn sequence_statuses(body: &Value, provider: Provider) -> Option<Vec<&'static str>> {
    let item = status_item(body, provider)?;
    let lifecycle = provider.rules().lifecycle()?;
    Some(lifecycle.ladder(lifecycle.is_failed(item)))
}

/// The bodies `--sequence` sends: one per status of [`sequence_statuses`], for the same message
/// id, with timestamps one second apart ending at `now`.
pub fn status_sequence(
    body: &Value,
    provider: Provider,
    now: SystemTime,
) -> anyhow::Result<Vec<Value>> {
    let statuses = sequence_statuses(body, provider).context(
        "--sequence needs a status sample, e.g. meta/status-sent or qikchat/status-read",
    )?;
    let lifecycle = provider
        .rules()
        .lifecycle()
        .context("this provider sends no statuses")?;
    let pointer = lifecycle.status_item();
    let count = statuses.len() as u64;
    statuses
        .iter()
        .enumerate()
        .map(|(step, status)| {
            let mut body = body.clone();
            let at = now - Duration::from_secs(count - 1 - step as u64);
            let Some(item) = body.pointer_mut(pointer).and_then(Value::as_object_mut) else {
                bail!("the status body has no {pointer}");
            };
            lifecycle.set_status(item, status, at);
            Ok(body)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::find_sample;
    use std::time::UNIX_EPOCH;

    fn provider(id: &str) -> Provider {
        Provider::from_id(id).unwrap()
    }
    fn meta() -> Provider {
        provider("meta")
    }
    fn smartflow() -> Provider {
        provider("smartflow")
    }
    fn partner() -> Provider {
        provider("partner")
    }
    fn qikchat() -> Provider {
        provider("qikchat")
    }
    use crate::validation::{CheckOptions, check_value};
    use serde_json::json;

    fn sample(name: &str) -> Value {
        serde_json::from_slice(find_sample(name).unwrap().body).unwrap()
    }

    #[test]
    fn set_dotted_and_pointer() {
        let mut body = json!({"a": {"b": [1, {"c": 2}]}});
        Edit::parse("a.b.1.c=\"x\"")
            .unwrap()
            .apply(&mut body)
            .unwrap();
        Edit::parse("/a/new~1key=5")
            .unwrap()
            .apply(&mut body)
            .unwrap();
        Edit::parse("a.b.2=true").unwrap().apply(&mut body).unwrap();
        Edit::parse("d.e=plain text")
            .unwrap()
            .apply(&mut body)
            .unwrap();
        assert_eq!(
            body,
            json!({"a": {"b": [1, {"c": "x"}, true], "new/key": 5}, "d": {"e": "plain text"}})
        );
        let err = Edit::parse("a.b.0.x=1")
            .unwrap()
            .apply(&mut body)
            .unwrap_err();
        assert!(err.to_string().contains("/a/b/0 is integer"), "{err}");
        assert!(Edit::parse("a.b.9=1").unwrap().apply(&mut body).is_err());
        assert!(Edit::parse("nothing").is_err());
        assert!(Edit::parse("a..b=1").is_err());
    }

    #[test]
    fn encoding_follows_the_original() {
        let body = json!({"a": 1});
        assert_eq!(encode_like(&body, b"{\"a\":2}"), b"{\"a\":1}");
        assert_eq!(
            encode_like(&body, b"{\n  \"a\": 2\n}\n"),
            b"{\n  \"a\": 1\n}\n"
        );
    }

    #[test]
    fn fresh_changes_ids_and_stays_valid() {
        let now = SystemTime::now();
        let mut ids = IdSource::new();
        for name in [
            "meta/message-text",
            "meta/status-read",
            "smartflow/status-sent",
            "smartflow/message-text",
            "qikchat/message-text",
            "qikchat/status-read",
            "picky/message-text",
            "picky/event-delivery-report",
        ] {
            let original = sample(name);
            let mut body = original.clone();
            let provider = find_sample(name).unwrap().provider;
            assert_eq!(
                refresh(&mut body, provider, &mut ids, now),
                Refreshed::Changed
            );
            assert_ne!(body, original, "{name}");
            let check = check_value(&body, &CheckOptions::default());
            assert!(check.verdict.is_valid(), "{name}: {:?}", check.errors);
        }
        let mut body = sample("meta/message-text");
        refresh(&mut body, meta(), &mut ids, now);
        let message = &body["entry"][0]["changes"][0]["value"]["messages"][0];
        assert!(message["id"].as_str().unwrap().starts_with("wamid."));
        let seconds = now.duration_since(UNIX_EPOCH).unwrap().as_secs();
        assert_eq!(message["timestamp"], json!(seconds.to_string()));
        let mut body = sample("smartflow/status-sent");
        refresh(&mut body, smartflow(), &mut ids, now);
        assert_eq!(body["statuses"][1]["id"], body["id"]);
        let mut body = sample("partner/event-online");
        assert_eq!(
            refresh(&mut body, partner(), &mut ids, now),
            Refreshed::NothingToRefresh
        );
    }

    #[test]
    fn every_sample_stays_valid_with_fresh_ids_and_meta_samples_change() {
        let now = SystemTime::now();
        let mut ids = IdSource::new();
        for sample in crate::catalogue::samples() {
            let original: Value = serde_json::from_slice(sample.body).unwrap();
            let mut body = original.clone();
            let refreshed = refresh(&mut body, sample.provider, &mut ids, now);
            let check = check_value(&body, &CheckOptions::default());
            assert!(
                check.verdict.is_valid(),
                "{}: {:?}",
                sample.name,
                check.errors
            );
            // Errors, contact syncs and history chunks carry no message of their own to renew.
            let nothing_to_renew = [
                "meta/error-rate-limit",
                "meta/app-state-sync",
                "meta/history-sync",
                "meta/history-sharing-declined",
            ];
            if sample.provider == meta() && !nothing_to_renew.contains(&sample.name.as_str()) {
                assert_eq!(refreshed, Refreshed::Changed, "{}", sample.name);
                assert_ne!(body, original, "{}", sample.name);
            }
        }
        let mut call = sample("meta/call-status-ringing");
        refresh(&mut call, meta(), &mut ids, now);
        let id = &call["entry"][0]["changes"][0]["value"]["statuses"][0]["id"];
        assert!(id.as_str().unwrap().starts_with("wacid."), "{id}");
    }

    #[test]
    fn sequences_follow_the_lifecycle_and_stay_valid() {
        let now = SystemTime::now();
        for (name, expected) in [
            ("meta/status-sent", vec!["sent", "delivered", "read"]),
            ("meta/status-failed", vec!["sent", "failed"]),
            ("smartflow/status-read", vec!["sent", "delivered", "read"]),
            ("smartflow/status-failed", vec!["sent", "failed"]),
            (
                "qikchat/status-delivered",
                vec!["sent", "delivered", "read"],
            ),
            ("qikchat/status-failed", vec!["sent", "failed"]),
            (
                "picky/event-delivery-report",
                vec!["submitted", "delivered", "read"],
            ),
            (
                "picky/event-delivery-report-failed",
                vec!["submitted", "failed"],
            ),
        ] {
            let provider = find_sample(name).unwrap().provider;
            let body = sample(name);
            assert_eq!(
                sequence_statuses(&body, provider).unwrap(),
                expected,
                "{name}"
            );
            let steps = status_sequence(&body, provider, now).unwrap();
            assert_eq!(steps.len(), expected.len());
            for step in &steps {
                let check = check_value(step, &CheckOptions::default());
                assert!(check.verdict.is_valid(), "{name}: {:?}", check.errors);
            }
        }
        let steps = status_sequence(&sample("meta/status-failed"), meta(), now).unwrap();
        let status = |step: &Value| step["entry"][0]["changes"][0]["value"]["statuses"][0].clone();
        assert!(status(&steps[0]).get("errors").is_none());
        assert!(status(&steps[1]).get("errors").is_some());
        assert!(status(&steps[0])["timestamp"].as_str() < status(&steps[1])["timestamp"].as_str());
        assert!(sequence_statuses(&sample("meta/message-text"), meta()).is_none());
        assert!(status_sequence(&sample("qikchat/message-text"), qikchat(), now).is_err());
    }
}
