//! `wa-hook doctor` tests: reference apps on 127.0.0.1:0 — a correct one per provider, and one
//! per common mistake — each mistake caught by the check that names it.
use std::collections::HashSet;
use std::sync::Mutex;
use std::time::Duration;

use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;

use crate::common::*;

const VERIFY_TOKEN: &str = "sentinel-verify-token-3e1a";
const APP_SECRET: &str = "sentinel-app-secret-c0de";
const BASIC: &str = "qikuser:sentinel-password-77f2";
/// base64 of BASIC.
const BASIC_ENCODED: &str = "cWlrdXNlcjpzZW50aW5lbC1wYXNzd29yZC03N2Yy";

fn doctor(url: &str, provider: &str, args: &[&str]) -> std::process::Output {
    wa_hook()
        .args(["doctor", url, "--provider", provider])
        .args(args)
        .env("DOCTOR_VERIFY_TOKEN", VERIFY_TOKEN)
        .env("DOCTOR_APP_SECRET", APP_SECRET)
        .env("DOCTOR_BASIC", BASIC)
        .timeout(Duration::from_secs(60))
        .output()
        .expect("run wa-hook doctor")
}

const META_SECRETS: [&str; 4] = [
    "--verify-token-env",
    "DOCTOR_VERIFY_TOKEN",
    "--app-secret-env",
    "DOCTOR_APP_SECRET",
];

/// The results of a `--format json` run, by check name, and the summary.
fn json_results(output: &std::process::Output) -> (Vec<Value>, Value) {
    let text = String::from_utf8_lossy(&output.stdout);
    let lines: Vec<Value> = text
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .collect();
    let summary = lines.last().cloned().expect("a summary line");
    let checks = lines
        .into_iter()
        .filter(|line| line.get("check").is_some())
        .collect();
    (checks, summary)
}

fn result<'a>(checks: &'a [Value], name: &str) -> &'a Value {
    checks
        .iter()
        .find(|c| c["check"] == name)
        .unwrap_or_else(|| panic!("no result for {name}: {checks:?}"))
}

fn statuses(checks: &[Value]) -> Vec<(String, String)> {
    checks
        .iter()
        .map(|c| {
            (
                c["check"].as_str().unwrap().to_string(),
                c["status"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn text(output: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// Asserts that `secret` is in none of a doctor run's stdout, stderr and JUnit file; `run` names
/// the run in the failure.
fn assert_nowhere(secret: &str, output: &std::process::Output, junit: &[u8], run: &str) {
    for (place, bytes) in [
        ("stdout", &output.stdout[..]),
        ("stderr", &output.stderr[..]),
        ("junit", junit),
    ] {
        assert!(
            !contains_bytes(bytes, secret.as_bytes()),
            "{secret} in {run} {place}: {}",
            String::from_utf8_lossy(bytes)
        );
    }
}

fn query_param(url: &str, name: &str) -> Option<String> {
    let query = url.split_once('?')?.1;
    url::form_urlencoded::parse(query.as_bytes())
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.into_owned())
}

fn signed_correctly(request: &Recorded) -> bool {
    let Some(header) = request.header("X-Hub-Signature-256") else {
        return false;
    };
    let Some(hex_digest) = header.strip_prefix("sha256=") else {
        return false;
    };
    let mut mac = Hmac::<Sha256>::new_from_slice(APP_SECRET.as_bytes()).unwrap();
    mac.update(&request.body);
    hex::decode(hex_digest).is_ok_and(|digest| mac.verify_slice(&digest).is_ok())
}

fn plain(status: u16, body: &str) -> Reply {
    Reply {
        status,
        body: body.as_bytes().to_vec(),
        headers: vec![("Content-Type".into(), "text/plain".into())],
    }
}

/// Meta's handshake as a correct app answers it.
fn meta_handshake(request: &Recorded) -> Reply {
    if query_param(&request.url, "hub.verify_token").as_deref() == Some(VERIFY_TOKEN) {
        plain(
            200,
            &query_param(&request.url, "hub.challenge").unwrap_or_default(),
        )
    } else {
        plain(403, "forbidden")
    }
}

fn correct_meta(request: &Recorded) -> Reply {
    if request.method == "GET" {
        return meta_handshake(request);
    }
    if !signed_correctly(request) {
        return plain(401, "bad signature");
    }
    Reply::ok()
}

#[test]
fn a_correct_meta_app_passes_every_check() {
    let app = RecordingServer::with_responder(correct_meta);
    let output = doctor(
        &app.url,
        "meta",
        &[&META_SECRETS[..], &["--format", "json"]].concat(),
    );
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let (checks, summary) = json_results(&output);
    let names: Vec<String> = statuses(&checks).into_iter().map(|(n, _)| n).collect();
    assert_eq!(
        names,
        [
            "handshake",
            "handshake-wrong-token",
            "signed-post",
            "wrong-signature",
            "unsigned-post",
            "kinds",
            "identities",
            "batched",
            "duplicate",
            "out-of-order",
            "unknown-kind",
            "extra-property",
            "large-body",
            "burst"
        ]
    );
    // Every check passes but `batched`: a 2xx cannot show that each item of a batch was
    // handled (an app that reads only the first answers the same), so it is a warning, never
    // a ✓ and never a ✗, and the run stays ok.
    for (name, status) in statuses(&checks) {
        let expected = if name == "batched" {
            "warning"
        } else {
            "passed"
        };
        assert_eq!(status, expected, "{name}: {}", text(&output));
    }
    let batched = result(&checks, "batched");
    assert!(
        batched["summary"]
            .as_str()
            .unwrap()
            .contains("whether every item was handled cannot be seen"),
        "{batched}"
    );
    assert!(
        batched["fix"]
            .as_str()
            .unwrap()
            .contains("the app's records hold all 4 messages and 2 statuses"),
        "{batched}"
    );
    assert_eq!(summary["summary"]["failed"], 0);
    assert_eq!(summary["ok"], true);
    // Every documented kind went out, signed, as Meta writes bodies (compact, escaped).
    let requests = app.requests();
    let posts: Vec<&Recorded> = requests.iter().filter(|r| r.method == "POST").collect();
    assert!(posts.len() > 100, "{}", posts.len());
    let signed_post = posts
        .iter()
        .find(|r| contains_bytes(&r.body, b"caf\\u00e9\\/bar"))
        .expect("the signed-post body, escaped as Meta escapes it");
    assert!(signed_correctly(signed_post));
    assert!(result(&checks, "burst")["latency"]["p99_ms"].is_number());
}

#[test]
fn correct_apps_of_every_other_provider_pass() {
    let qikchat = RecordingServer::with_responder(|request| {
        let expected = format!("Basic {BASIC_ENCODED}");
        if request.header("Authorization") == Some(expected.as_str()) {
            Reply::ok()
        } else {
            plain(401, "who are you?")
        }
    });
    let picky =
        RecordingServer::with_responder(|_| Reply::new(200, &sample_bytes("picky/reply-text")));
    let plain_ok = RecordingServer::start();
    for (url, provider, args) in [
        (
            &qikchat.url,
            "qikchat",
            vec!["--basic-auth-env", "DOCTOR_BASIC"],
        ),
        (&picky.url, "picky", vec![]),
        (&plain_ok.url, "smartflow", vec![]),
        (&plain_ok.url, "partner", vec![]),
    ] {
        let output = doctor(url, provider, &[&args[..], &["--format", "json"]].concat());
        assert_eq!(
            output.status.code(),
            Some(0),
            "{provider}: {}",
            text(&output)
        );
        let (checks, _) = json_results(&output);
        for (name, status) in statuses(&checks) {
            assert_eq!(status, "passed", "{provider} {name}: {}", text(&output));
        }
        let names: HashSet<String> = statuses(&checks).into_iter().map(|(n, _)| n).collect();
        for expected in [
            "kinds",
            "duplicate",
            "unknown-kind",
            "extra-property",
            "large-body",
        ] {
            assert!(names.contains(expected), "{provider}: {expected}");
        }
        match provider {
            "qikchat" => {
                assert!(names.contains("basic-auth-wrong") && names.contains("burst"));
                let burst = result(&checks, "burst");
                assert!(
                    burst["summary"].as_str().unwrap().contains("p99"),
                    "{burst}"
                );
            }
            "picky" => {
                assert!(names.contains("query-method") && names.contains("instant-reply"));
                assert!(
                    result(&checks, "instant-reply")["summary"]
                        .as_str()
                        .unwrap()
                        .contains("an instant reply")
                );
            }
            "partner" => assert!(!names.contains("burst") && !names.contains("out-of-order")),
            _ => {}
        }
    }
    // Picky Assist's deprecated method: the fields as query parameters on an empty POST.
    assert!(picky.requests().iter().any(|r| r.method == "POST"
        && r.body.is_empty()
        && query_param(&r.url, "number").is_some()));
}

/// An app's answer to the handshake, given the challenge.
type HandshakeApp = fn(&str) -> Reply;

/// Run the Meta handshake check against an app whose GET answers `reply`.
fn handshake_against(reply: HandshakeApp) -> (std::process::Output, Value) {
    let app = RecordingServer::with_responder(move |request| {
        reply(&query_param(&request.url, "hub.challenge").unwrap_or_default())
    });
    let output = doctor(
        &app.url,
        "meta",
        &[
            "--verify-token-env",
            "DOCTOR_VERIFY_TOKEN",
            "--only",
            "handshake",
            "--format",
            "json",
        ],
    );
    let (checks, _) = json_results(&output);
    (output, result(&checks, "handshake").clone())
}

#[test]
fn handshake_mistakes_are_named() {
    let cases: [(HandshakeApp, &str); 5] = [
        (
            |challenge| {
                Reply::new(
                    200,
                    format!("{{\"hub.challenge\":\"{challenge}\"}}").as_bytes(),
                )
            },
            "wrapped in JSON",
        ),
        (
            |challenge| Reply::new(200, format!("\"{challenge}\"").as_bytes()),
            "quoted",
        ),
        (
            |_| {
                Reply {
                status: 200,
                body: b"<!DOCTYPE html><html><head><title>You are about to visit a tunnel</title></head></html>".to_vec(),
                headers: vec![("Content-Type".into(), "text/html".into())],
            }
            },
            "HTML page \"You are about to visit a tunnel\"",
        ),
        (
            |_| Reply {
                status: 308,
                body: Vec::new(),
                headers: vec![("Location".into(), "/webhook/".into())],
            },
            "redirected (308) to /webhook/",
        ),
        (|_| plain(500, "oops"), "answered 500"),
    ];
    for (reply, expected) in cases {
        let (output, check) = handshake_against(reply);
        assert_eq!(
            output.status.code(),
            Some(1),
            "{expected}: {}",
            text(&output)
        );
        assert_eq!(check["status"], "failed");
        assert!(
            check["summary"].as_str().unwrap().contains(expected),
            "{expected}: {check}"
        );
        assert!(check["fix"].is_string(), "{check}");
    }
}

#[test]
fn a_handshake_that_ignores_the_token_fails() {
    let app = RecordingServer::with_responder(|request| {
        plain(
            200,
            &query_param(&request.url, "hub.challenge").unwrap_or_default(),
        )
    });
    let output = doctor(
        &app.url,
        "meta",
        &["--only", "handshake-wrong-token", "--format", "json"],
    );
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    let (checks, _) = json_results(&output);
    let check = result(&checks, "handshake-wrong-token");
    assert_eq!(check["status"], "failed");
    assert!(
        check["cause"]
            .as_str()
            .unwrap()
            .contains("hub.verify_token")
    );
}

#[test]
fn an_app_without_a_signature_check_is_warned_about_in_text() {
    let app = RecordingServer::with_responder(|request| {
        if request.method == "GET" {
            meta_handshake(request)
        } else {
            Reply::ok()
        }
    });
    let output = doctor(&app.url, "meta", &META_SECRETS);
    // Warnings do not fail the run.
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("! wrong-signature        a wrongly signed body was accepted (200)"),
        "{stdout}"
    );
    assert!(stdout.contains("! unsigned-post"), "{stdout}");
    assert!(stdout.contains("cause: the app does not check X-Hub-Signature-256"));
    assert!(stdout.contains("✓ handshake "), "{stdout}");
    // The two above and `batched` (a 2xx cannot show every item of a batch was handled).
    assert!(stdout.contains("3 warnings"), "{stdout}");
    assert!(stdout.contains("! batched "), "{stdout}");
}

#[test]
fn a_signature_checked_over_reserialised_json_is_diagnosed() {
    // The classic mistake: verify HMAC(JSON.stringify(JSON.parse(body))).
    let app = RecordingServer::with_responder(|request| {
        let value: Value = serde_json::from_slice(&request.body).unwrap_or(Value::Null);
        let mut reencoded = request.clone();
        reencoded.body = serde_json::to_vec(&value).unwrap();
        if signed_correctly(&reencoded) {
            Reply::ok()
        } else {
            plain(401, "bad signature")
        }
    });
    let output = doctor(
        &app.url,
        "meta",
        &[
            &META_SECRETS[..],
            &["--only", "signed-post", "--format", "json"],
        ]
        .concat(),
    );
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    let (checks, _) = json_results(&output);
    let check = result(&checks, "signed-post");
    assert_eq!(check["status"], "failed");
    assert!(
        check["cause"].as_str().unwrap().contains("JSON.stringify"),
        "{check}"
    );
    assert!(check["fix"].as_str().unwrap().contains("raw request body"));
}

#[test]
fn a_slow_acknowledgement_is_over_budget() {
    // Downloads the image before answering.
    let app = RecordingServer::with_responder(|request| {
        if contains_bytes(&request.body, b"\"type\":\"image\"") {
            std::thread::sleep(Duration::from_millis(500));
        }
        Reply::ok()
    });
    let output = doctor(
        &app.url,
        "qikchat",
        &["--budget", "200ms", "--only", "kinds", "--format", "json"],
    );
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    let (checks, _) = json_results(&output);
    let check = result(&checks, "kinds");
    assert_eq!(check["status"], "failed");
    let summary = check["summary"].as_str().unwrap();
    assert!(
        summary.contains("qikchat/message-image")
            && summary.contains("over the --budget of 200 ms"),
        "{check}"
    );
    assert!(check["fix"].as_str().unwrap().contains("at once"));
    // Qikchat documents its limit (2 s), so the cause says what Qikchat does.
    assert!(
        check["cause"]
            .as_str()
            .unwrap()
            .contains("Qikchat counts a slow answer as failed"),
        "{check}"
    );
}

/// Meta documents no time limit: a slow answer is over wa-hook's default budget, and the cause
/// claims nothing Meta does not document.
#[test]
fn a_slow_answer_to_meta_claims_no_undocumented_limit() {
    let app = RecordingServer::with_responder(|request| {
        if request.method == "POST" {
            std::thread::sleep(Duration::from_millis(300));
        }
        correct_meta(request)
    });
    let output = doctor(
        &app.url,
        "meta",
        &[
            &META_SECRETS[..],
            &[
                "--budget",
                "100ms",
                "--only",
                "signed-post",
                "--format",
                "json",
            ],
        ]
        .concat(),
    );
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    let (checks, _) = json_results(&output);
    let check = result(&checks, "signed-post");
    assert_eq!(check["status"], "failed", "{check}");
    let cause = check["cause"].as_str().unwrap();
    assert!(
        cause.contains("Meta WhatsApp Cloud API documents no time limit")
            && !cause.contains("Meta WhatsApp Cloud API counts"),
        "{check}"
    );
}

#[test]
fn a_500_on_a_repeated_delivery_is_caught_by_duplicate_alone() {
    let seen = Mutex::new(HashSet::new());
    let app = RecordingServer::with_responder(move |request| {
        let value: Value = serde_json::from_slice(&request.body).unwrap_or(Value::Null);
        // A unique key on the message id, as in a database table.
        let id = value.pointer("/payload/id").cloned().unwrap_or(Value::Null);
        let status = value
            .pointer("/payload/status")
            .cloned()
            .unwrap_or(Value::Null);
        if !seen
            .lock()
            .unwrap()
            .insert((id.to_string(), status.to_string()))
        {
            return plain(500, "duplicate key value violates unique constraint");
        }
        Reply::ok()
    });
    let output = doctor(&app.url, "qikchat", &["--format", "json"]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    let (checks, summary) = json_results(&output);
    let failed: Vec<String> = statuses(&checks)
        .into_iter()
        .filter(|(_, status)| status == "failed")
        .map(|(name, _)| name)
        .collect();
    assert_eq!(failed, ["duplicate"], "{}", text(&output));
    assert_eq!(summary["summary"]["failed"], 1);
    let check = result(&checks, "duplicate");
    assert!(
        check["cause"].as_str().unwrap().contains("retry"),
        "{check}"
    );
}

#[test]
fn a_crash_on_an_unknown_kind_or_field_is_caught() {
    let app = RecordingServer::with_responder(|request| {
        if request.method == "GET" {
            return meta_handshake(request);
        }
        let value: Value = serde_json::from_slice(&request.body).unwrap_or(Value::Null);
        let field = value
            .pointer("/entry/0/changes/0/field")
            .and_then(Value::as_str);
        let kind = value
            .pointer("/entry/0/changes/0/value/messages/0/type")
            .and_then(Value::as_str);
        // A switch over the fields and types the app knows, throwing otherwise.
        let known_field = field.is_some_and(|f| f != "future_field");
        let known_kind = kind.is_none_or(|k| k != "future_type");
        if known_field && known_kind {
            Reply::ok()
        } else {
            plain(500, "TypeError: cannot read properties of undefined")
        }
    });
    let output = doctor(
        &app.url,
        "meta",
        &["--only", "unknown-kind,kinds", "--format", "json"],
    );
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    let (checks, _) = json_results(&output);
    assert_eq!(result(&checks, "kinds")["status"], "passed");
    let check = result(&checks, "unknown-kind");
    assert_eq!(check["status"], "failed");
    let details = check["details"].to_string();
    assert!(
        details.contains("a message type not documented yet")
            && details.contains("a webhook field not documented yet"),
        "{check}"
    );
    assert!(check["cause"].as_str().unwrap().contains("never seen"));
}

#[test]
fn a_strict_model_that_refuses_extra_properties_is_caught() {
    let app = RecordingServer::with_responder(|request| {
        if contains_bytes(&request.body, b"wa_hook_doctor_new_property") {
            Reply::new(422, b"{\"detail\":\"extra fields not permitted\"}")
        } else {
            Reply::ok()
        }
    });
    let output = doctor(
        &app.url,
        "smartflow",
        &["--skip", "burst", "--format", "json"],
    );
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    let (checks, _) = json_results(&output);
    for (name, status) in statuses(&checks) {
        let expected = if name == "extra-property" {
            "failed"
        } else {
            "passed"
        };
        assert_eq!(status, expected, "{name}");
    }
}

#[test]
fn accepting_wrong_or_missing_basic_auth_is_warned() {
    let app = RecordingServer::start();
    let output = doctor(
        &app.url,
        "qikchat",
        &[
            "--basic-auth-env",
            "DOCTOR_BASIC",
            "--only",
            "basic-auth-missing,basic-auth-wrong",
            "--format",
            "json",
        ],
    );
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let (checks, _) = json_results(&output);
    for name in ["basic-auth-missing", "basic-auth-wrong"] {
        let check = result(&checks, name);
        assert_eq!(check["status"], "warning", "{check}");
        assert!(check["cause"].as_str().unwrap().contains("Authorization"));
    }
    let requests = app.requests();
    assert!(requests.iter().any(|r| r.header("Authorization").is_none()));
    assert!(requests.iter().any(|r| {
        r.header("Authorization")
            .is_some_and(|value| value != format!("Basic {BASIC_ENCODED}"))
    }));
    // Without credentials to send, the checks say what they need.
    let output = doctor(
        &app.url,
        "qikchat",
        &["--only", "basic-auth-wrong", "--format", "json"],
    );
    let (checks, _) = json_results(&output);
    let check = result(&checks, "basic-auth-wrong");
    assert_eq!(check["status"], "skipped");
    assert!(
        check["summary"]
            .as_str()
            .unwrap()
            .contains("--basic-auth-env")
    );
}

#[test]
fn picky_instant_replies_that_are_not_json_or_invalid_are_named() {
    let text_app = RecordingServer::with_responder(|_| plain(200, "Thanks, got it!"));
    let output = doctor(
        &text_app.url,
        "picky",
        &["--only", "instant-reply", "--format", "json"],
    );
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let (checks, _) = json_results(&output);
    let check = result(&checks, "instant-reply");
    assert_eq!(check["status"], "warning");
    assert!(
        check["summary"].as_str().unwrap().contains("not JSON"),
        "{check}"
    );
    assert!(check["cause"].as_str().unwrap().contains("dropped"));

    let invalid = RecordingServer::with_responder(|_| Reply::new(200, b"{\"message-out\": 42}"));
    let output = doctor(
        &invalid.url,
        "picky",
        &["--only", "instant-reply", "--format", "json"],
    );
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    let (checks, _) = json_results(&output);
    let check = result(&checks, "instant-reply");
    assert_eq!(check["status"], "failed");
    assert!(
        check["details"].to_string().contains("message-out"),
        "{check}"
    );
}

#[test]
fn a_redirect_is_named_on_every_delivery() {
    let app = RecordingServer::with_responder(|_| Reply {
        status: 301,
        body: Vec::new(),
        headers: vec![("Location".into(), "https://example.invalid/webhook".into())],
    });
    let output = doctor(&app.url, "partner", &["--only", "kinds,duplicate"]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("✗ kinds"), "{stdout}");
    assert!(
        stdout.contains("redirected (301) to https://example.invalid/webhook"),
        "{stdout}"
    );
    assert!(
        stdout.contains("providers do not follow redirects"),
        "{stdout}"
    );
    // Nothing followed the redirect.
    assert!(app.requests().iter().all(|r| !r.url.contains("example")));
}

#[test]
fn a_refused_connection_means_nothing_could_be_tested() {
    let dir = tempfile::tempdir().unwrap();
    let junit = dir.path().join("doctor.xml");
    let url = format!("http://127.0.0.1:{}/webhook", closed_port());
    let output = doctor(&url, "qikchat", &["--junit", junit.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("cannot test") && stderr.contains("connection refused"),
        "{stderr}"
    );
    let xml = std::fs::read_to_string(&junit).unwrap();
    let document = roxmltree::Document::parse(&xml).unwrap();
    let error = document
        .descendants()
        .find(|node| node.has_tag_name("error"))
        .expect("an error element");
    assert!(
        error
            .attribute("message")
            .unwrap()
            .contains("connection refused")
    );
}

#[test]
fn the_junit_file_parses_with_one_case_per_check() {
    let app = RecordingServer::with_responder(|request| {
        if request.method == "GET" {
            return meta_handshake(request);
        }
        let value: Value = serde_json::from_slice(&request.body).unwrap_or(Value::Null);
        if value.pointer("/entry/0/changes/0/field") == Some(&Value::from("future_field")) {
            return plain(500, "unknown field <future_field> & more");
        }
        Reply::ok()
    });
    let dir = tempfile::tempdir().unwrap();
    let junit = dir.path().join("doctor.xml");
    let output = doctor(
        &app.url,
        "meta",
        &[
            "--verify-token-env",
            "DOCTOR_VERIFY_TOKEN",
            "--skip",
            "burst,large-body",
            "--junit",
            junit.to_str().unwrap(),
        ],
    );
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    let xml = std::fs::read_to_string(&junit).unwrap();
    let document = roxmltree::Document::parse(&xml).expect("the JUnit file is XML");
    let suite = document
        .descendants()
        .find(|node| node.has_tag_name("testsuite"))
        .unwrap();
    let cases: Vec<roxmltree::Node> = suite
        .children()
        .filter(|node| node.has_tag_name("testcase"))
        .collect();
    let names: Vec<&str> = cases.iter().map(|c| c.attribute("name").unwrap()).collect();
    assert_eq!(
        names,
        [
            "handshake",
            "handshake-wrong-token",
            "signed-post",
            "wrong-signature",
            "unsigned-post",
            "kinds",
            "identities",
            "batched",
            "duplicate",
            "out-of-order",
            "unknown-kind",
            "extra-property"
        ]
    );
    assert_eq!(suite.attribute("tests"), Some("12"));
    assert_eq!(suite.attribute("failures"), Some("1"));
    assert_eq!(suite.attribute("skipped"), Some("1"));
    let failing: Vec<&str> = cases
        .iter()
        .filter(|c| c.children().any(|n| n.has_tag_name("failure")))
        .map(|c| c.attribute("name").unwrap())
        .collect();
    assert_eq!(failing, ["unknown-kind"]);
    let skipped = cases
        .iter()
        .find(|c| c.attribute("name") == Some("signed-post"))
        .unwrap();
    assert!(
        skipped
            .children()
            .find(|n| n.has_tag_name("skipped"))
            .unwrap()
            .attribute("message")
            .unwrap()
            .contains("--app-secret-env")
    );
}

#[test]
fn a_bad_junit_path_fails_before_anything_is_sent() {
    let app = RecordingServer::start();
    let output = doctor(
        &app.url,
        "partner",
        &["--junit", "/nonexistent-dir/doctor.xml"],
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("JUnit file"));
    assert!(app.requests().is_empty());
}

#[test]
fn unknown_check_names_are_an_error_that_lists_the_checks() {
    let app = RecordingServer::start();
    let output = doctor(&app.url, "qikchat", &["--only", "kindz"]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("no such check") && stderr.contains("kinds, duplicate"),
        "{stderr}"
    );
    let output = doctor(&app.url, "qikchat", &["--skip", "handshake"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("does not apply to Qikchat"));
    // Meta's flags are refused for a provider that has no use for them.
    let output = doctor(
        &app.url,
        "qikchat",
        &["--app-secret-env", "DOCTOR_APP_SECRET"],
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(app.requests().is_empty());
}

#[test]
fn secrets_never_appear_even_when_the_app_echoes_them() {
    // An app that echoes everything it receives — and its own secret — in every answer.
    let echo = |request: &Recorded| {
        // A Meta app knows its app secret, and may print it in an error.
        let own = if request.method == "GET" || request.header("X-Hub-Signature-256").is_some() {
            format!(" secret={APP_SECRET}")
        } else {
            String::new()
        };
        let mut text = format!("{} {}{own}", request.method, request.url);
        for (name, value) in &request.headers {
            text.push_str(&format!(" {name}: {value}"));
        }
        let status = if request.method == "GET" { 200 } else { 500 };
        plain(status, &text)
    };
    let meta = RecordingServer::with_responder(echo);
    let qikchat = RecordingServer::with_responder(echo);
    let dir = tempfile::tempdir().unwrap();
    for (app, provider, args, secrets) in [
        (
            &meta,
            "meta",
            META_SECRETS.to_vec(),
            vec![VERIFY_TOKEN, APP_SECRET],
        ),
        (
            &qikchat,
            "qikchat",
            vec![
                "--basic-auth-env",
                "DOCTOR_BASIC",
                "-H",
                "X-Api-Key: sentinel-header-key",
            ],
            vec![
                "sentinel-password-77f2",
                BASIC_ENCODED,
                "sentinel-header-key",
            ],
        ),
    ] {
        for format in ["text", "json"] {
            let junit = dir.path().join(format!("{provider}-{format}.xml"));
            let output = doctor(
                &app.url,
                provider,
                &[
                    &args[..],
                    &[
                        "--skip",
                        "burst,large-body",
                        "--format",
                        format,
                        "--junit",
                        junit.to_str().unwrap(),
                    ],
                ]
                .concat(),
            );
            assert_eq!(output.status.code(), Some(1), "{}", text(&output));
            let junit = std::fs::read(&junit).unwrap();
            for secret in &secrets {
                for (place, bytes) in [
                    ("stdout", &output.stdout),
                    ("stderr", &output.stderr),
                    ("junit", &junit),
                ] {
                    assert!(
                        !contains_bytes(bytes, secret.as_bytes()),
                        "{secret} in {provider} {format} {place}: {}",
                        String::from_utf8_lossy(bytes)
                    );
                }
            }
            // The echoed answers were shown, with the secrets redacted.
            assert!(
                contains_bytes(&output.stdout, b"(redact"),
                "{provider} {format}: {}",
                text(&output)
            );
        }
    }
}

#[test]
fn help_lists_the_checks_with_examples() {
    wa_hook()
        .args(["doctor", "--help"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "wa-hook doctor 3000/webhook --provider qikchat",
        ))
        .stdout(predicate::str::contains("handshake-wrong-token"))
        .stdout(predicate::str::contains("Exit codes"));
}

#[test]
fn an_app_that_stops_answering_costs_two_timeouts_not_one_per_request() {
    let app = RecordingServer::with_responder(|_| {
        std::thread::sleep(Duration::from_millis(800));
        Reply::ok()
    });
    let output = doctor(
        &app.url,
        "qikchat",
        &["--timeout", "150ms", "--format", "json"],
    );
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    let (checks, _) = json_results(&output);
    let kinds = result(&checks, "kinds");
    assert_eq!(kinds["status"], "failed");
    assert!(
        kinds["summary"]
            .as_str()
            .unwrap()
            .contains("no answer within 150 ms")
    );
    assert!(
        kinds["details"]
            .to_string()
            .contains("not sent: the app stopped answering")
    );
    assert_eq!(result(&checks, "burst")["status"], "skipped");
    assert_eq!(kinds["requests"], 2);
}

#[test]
fn an_endless_answer_is_read_no_further_than_its_cap() {
    let app = RecordingServer::with_responder(|_| Reply::new(200, &vec![b'x'; 3 << 20]));
    let output = doctor(
        &app.url,
        "partner",
        &["--only", "duplicate", "--format", "json"],
    );
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    let (checks, _) = json_results(&output);
    let check = result(&checks, "duplicate");
    assert!(
        check["summary"].as_str().unwrap().contains("over 1 MiB"),
        "{check}"
    );
}

#[test]
fn a_tls_failure_is_named_plainly() {
    // An https:// URL for a server that speaks plain HTTP: it answers the TLS greeting with
    // an HTTP error, as most servers do.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("https://{}/webhook", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        use std::io::Write;
        for stream in listener.incoming().take(4) {
            let _ = stream
                .unwrap()
                .write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
        }
    });
    let output = doctor(&url, "smartflow", &[]);
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("TLS failed") && stderr.contains("http:// endpoint"),
        "{stderr}"
    );
    assert!(!stderr.contains("is your app running"), "{stderr}");
}

/// A Meta app that checks signatures, tested without `--app-secret-env`: it rightly refuses
/// every unsigned delivery, which is not the app's failure. The delivery checks are skipped
/// with what to give; nothing is ✗.
#[test]
fn an_app_that_refuses_strangers_is_not_failed_when_doctor_has_no_credentials() {
    let meta = RecordingServer::with_responder(correct_meta);
    let output = doctor(
        &meta.url,
        "meta",
        &[
            "--verify-token-env",
            "DOCTOR_VERIFY_TOKEN",
            "--format",
            "json",
        ],
    );
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let (checks, summary) = json_results(&output);
    assert_eq!(summary["summary"]["failed"], 0, "{}", text(&output));
    let kinds = result(&checks, "kinds");
    assert_eq!(kinds["status"], "skipped", "{kinds}");
    assert!(
        kinds["summary"]
            .as_str()
            .unwrap()
            .contains("--app-secret-env"),
        "{kinds}"
    );
    assert!(
        result(&checks, "burst")["summary"]
            .as_str()
            .unwrap()
            .contains("not run"),
        "{}",
        text(&output)
    );
    assert_eq!(result(&checks, "handshake")["status"], "passed");
    assert_eq!(result(&checks, "unsigned-post")["status"], "passed");
    // The checks after the first refusal sent nothing.
    let posts = meta
        .requests()
        .iter()
        .filter(|r| r.method == "POST")
        .count();
    assert!(posts < 70, "{posts} POSTs");

    // A Qikchat app that wants Basic auth, tested without it: nothing could be tested.
    let qikchat = RecordingServer::with_responder(|request| {
        if request.header("Authorization") == Some(&format!("Basic {BASIC_ENCODED}")) {
            Reply::ok()
        } else {
            plain(401, "unauthorized")
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let junit = dir.path().join("doctor.xml");
    let output = doctor(
        &qikchat.url,
        "qikchat",
        &["--junit", junit.to_str().unwrap()],
    );
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(!stdout.contains('✗'), "{stdout}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("nothing could be tested") && stderr.contains("--basic-auth-env"),
        "{stderr}"
    );
    let xml = std::fs::read_to_string(&junit).unwrap();
    let document = roxmltree::Document::parse(&xml).unwrap();
    let suite = document
        .descendants()
        .find(|node| node.has_tag_name("testsuite"))
        .unwrap();
    assert_eq!(suite.attribute("failures"), Some("0"), "{xml}");
    assert_eq!(
        suite.attribute("tests"),
        suite.attribute("skipped"),
        "{xml}"
    );

    // With the credentials, the same app passes.
    let output = doctor(
        &qikchat.url,
        "qikchat",
        &["--basic-auth-env", "DOCTOR_BASIC", "--skip", "burst"],
    );
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
}

/// Express's `strict` routing and many frameworks answer a missing trailing slash with a
/// redirect that carries the query string: the handshake's verify token comes back
/// URL-encoded in the `Location`. It is never shown, the URL to give the provider has no
/// doctor parameters in it, and the checks after a redirected delivery say why they did not run.
#[test]
fn a_redirect_that_carries_the_verify_token_never_shows_it() {
    let token = "tok/en+with space&\"q\"";
    let app = RecordingServer::with_responder(|request| {
        let (path, query) = request.url.split_once('?').unwrap_or((&request.url, ""));
        let location = if query.is_empty() {
            format!("{path}/")
        } else {
            format!("{path}/?{query}")
        };
        Reply {
            status: 301,
            body: format!("Moved Permanently. Redirecting to {location}").into_bytes(),
            headers: vec![("Location".into(), location)],
        }
    });
    let dir = tempfile::tempdir().unwrap();
    for format in ["text", "json"] {
        let junit = dir.path().join(format!("{format}.xml"));
        let output = wa_hook()
            .args([
                "doctor",
                &format!("{}/webhook", app.url),
                "--provider",
                "meta",
            ])
            .args(["--verify-token-env", "ODD_TOKEN", "--format", format])
            .args(["--junit", junit.to_str().unwrap()])
            .env("ODD_TOKEN", token)
            .timeout(Duration::from_secs(60))
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(1), "{}", text(&output));
        let junit = std::fs::read(&junit).unwrap();
        let encoded: String = url::form_urlencoded::byte_serialize(token.as_bytes()).collect();
        for leak in [token, encoded.as_str(), "tok%2F", "tok/en"] {
            for (place, bytes) in [
                ("stdout", &output.stdout),
                ("stderr", &output.stderr),
                ("junit", &junit),
            ] {
                assert!(
                    !contains_bytes(bytes, leak.as_bytes()),
                    "{leak} in {format} {place}: {}",
                    String::from_utf8_lossy(bytes)
                );
            }
        }
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(stdout.contains("(redacted)"), "{stdout}");
        assert!(
            stdout.contains(&format!(
                "give the provider the final URL, {}/webhook/",
                app.url
            )),
            "{stdout}"
        );
        // The URL to give the provider is the app's, without doctor's hub.* parameters.
        for (_, after) in stdout
            .match_indices("final URL, ")
            .map(|(i, _)| stdout.split_at(i))
        {
            let url = after["final URL, ".len()..]
                .split(['"', '\n', ' '])
                .next()
                .unwrap();
            assert_eq!(url, format!("{}/webhook/", app.url), "{stdout}");
        }
        assert!(
            stdout.contains("not run: the app redirects every request"),
            "{stdout}"
        );
    }
}

/// Ctrl-C while a request hangs: the request is dropped, the results so far are printed and
/// written to the JUnit file, and the exit code is 130, as replay's.
#[test]
fn ctrl_c_prints_what_was_done_and_exits_130() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/webhook", listener.local_addr().unwrap());
    let (arrived, first_request) = std::sync::mpsc::channel::<()>();
    std::thread::spawn(move || {
        // Connections are held open and never answered.
        let mut held = Vec::new();
        for stream in listener.incoming().take(16) {
            held.push(stream);
            let _ = arrived.send(());
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let junit = dir.path().join("doctor.xml");
    let child = wa_hook_process()
        .args([
            "doctor",
            &url,
            "--provider",
            "partner",
            "--timeout",
            "10min",
        ])
        .args(["--junit", junit.to_str().unwrap()])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    first_request
        .recv_timeout(Duration::from_secs(30))
        .expect("doctor sent a request");
    let status = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(130), "{}", text(&output));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("kinds") && stdout.contains("interrupted"),
        "{stdout}"
    );
    assert!(stdout.contains("1 check: 0 passed, 1 skipped"), "{stdout}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("stopped by Ctrl-C or SIGTERM"), "{stderr}");
    let xml = std::fs::read_to_string(&junit).unwrap();
    let document = roxmltree::Document::parse(&xml).unwrap();
    let case = document
        .descendants()
        .find(|node| node.has_tag_name("testcase"))
        .expect("the interrupted check's case");
    assert_eq!(case.attribute("name"), Some("kinds"));
}

/// An app that answers every delivery over the budget: a check stops sending its bodies after
/// a few slow answers in a row (it has failed already), so a run against a slow app does not
/// last one `--timeout` per sample.
#[test]
fn slow_answers_in_a_row_end_a_check_early() {
    let app = RecordingServer::with_responder(|_| {
        std::thread::sleep(Duration::from_millis(20));
        Reply::ok()
    });
    let output = doctor(
        &app.url,
        "meta",
        &["--only", "kinds", "--budget", "1ms", "--format", "json"],
    );
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    let (checks, _) = json_results(&output);
    let kinds = result(&checks, "kinds");
    assert_eq!(kinds["requests"], 3, "{kinds}");
    assert!(
        kinds["details"]
            .to_string()
            .contains("not sent: the app answered too slowly"),
        "{kinds}"
    );
    assert_eq!(app.requests().len(), 3);
}

/// The acknowledgements web frameworks' examples answer with are not instant replies gone
/// wrong: only a key that is a reply's but for case, separators or one letter is.
#[test]
fn common_json_acknowledgements_are_not_failed_instant_replies() {
    for (answer, status) in [
        (r#"{"success":true,"message":"received"}"#, "passed"),
        (r#"{"status":"ok"}"#, "passed"),
        (r#"{"message":"EVENT_RECEIVED"}"#, "passed"),
        (r#"{"ok":true,"messages":[]}"#, "passed"),
        (r#"{"messageOut":"Thanks!"}"#, "failed"),
        (r#"{"mesage-out":"Thanks!"}"#, "failed"),
    ] {
        let app = RecordingServer::with_responder(move |_| Reply::new(200, answer.as_bytes()));
        let output = doctor(
            &app.url,
            "picky",
            &["--only", "instant-reply", "--format", "json"],
        );
        let (checks, _) = json_results(&output);
        let check = result(&checks, "instant-reply");
        assert_eq!(check["status"], status, "{answer}: {check}");
    }
}

/// A reader that stops early (`doctor … | head -1` under `set -o pipefail`) does not turn a
/// failure into success: the run finishes and exits with what it found.
#[test]
fn a_closed_stdout_keeps_the_exit_code() {
    let port = closed_port().to_string();
    for args in [
        vec!["doctor", port.as_str(), "--provider", "smartflow"],
        vec!["replay", "qikchat/message-text", "--to", port.as_str()],
    ] {
        let mut child = wa_hook_process()
            .args(&args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        assert_eq!(child.wait().unwrap().code(), Some(2), "{args:?}");
    }
}

/// An app whose answers cannot be read as HTTP (thousands of headers) is named as such.
#[test]
fn an_answer_that_is_not_readable_http_is_named() {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port().to_string();
    // Not joined: it serves until the test process ends.
    std::thread::spawn(move || {
        let head = format!("HTTP/1.1 200 OK\r\n{}", "X-Pad: x\r\n".repeat(6000));
        for stream in listener.incoming().take(500) {
            let Ok(mut stream) = stream else { continue };
            let mut request = vec![0u8; 65536];
            let _ = stream.read(&mut request);
            let _ = stream.write_all(head.as_bytes());
        }
    });
    let output = wa_hook()
        .args([
            "doctor",
            &port,
            "--provider",
            "smartflow",
            "--only",
            "kinds",
        ])
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("an answer that cannot be read as HTTP"),
        "{stdout}"
    );
}

/// `--only` and `--skip` complete check names in bash, not file names.
#[test]
fn only_and_skip_complete_check_names() {
    let script = format!("{}/completions/wa-hook.bash", env!("CARGO_MANIFEST_DIR"));
    for flag in ["--only", "--skip"] {
        let program = format!(
            "source '{script}'; COMP_WORDS=(wa-hook doctor 3000 {flag} kin); COMP_CWORD=4; \
             _wa__hook wa-hook kin {flag}; printf '%s\\n' \"${{COMPREPLY[@]}}\""
        );
        let output = std::process::Command::new("bash")
            .args(["--norc", "--noprofile", "-c", &program])
            .current_dir(std::env::temp_dir())
            .output()
            .expect("bash runs");
        assert_eq!(String::from_utf8_lossy(&output.stdout), "kinds\n", "{flag}");
    }
}

mod app;

/// A stand-in whose own errors have nothing to do with deliveries: with `beat` it logs one
/// every 20 ms (a periodic job failing), with `once` a single one while the 3rd POST is in
/// flight (a job that fails now and then). It answers the handshake and 200 to every POST and,
/// given a third argument, logs a `KeyError` traceback for a body that holds it.
const NOISY_APP: &str = r#"
import os, sys, threading, time, traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlparse, parse_qs
port = int(sys.argv[1])
noise = sys.argv[2]
fail_on = sys.argv[3].encode() if len(sys.argv) > 3 else None
posts = 0
def job_failed():
    print(f"{time.time():.3f} ERROR cache refresh failed (redis timeout)", file=sys.stderr, flush=True)
def beat():
    while True:
        job_failed()
        time.sleep(0.02)
if noise == "beat":
    threading.Thread(target=beat, daemon=True).start()
class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass
    def answer(self, body):
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def do_GET(self):
        self.answer(parse_qs(urlparse(self.path).query).get("hub.challenge", [""])[0].encode())
    def do_POST(self):
        global posts
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        posts += 1
        if noise == "once" and posts == 3:
            job_failed()
        if fail_on and fail_on in body:
            try:
                {}["user_id"]
            except KeyError:
                traceback.print_exc()
        self.answer(b"ok")
ThreadingHTTPServer.request_queue_size = 128  # werkzeug's backlog; socketserver's 5 drops part of a 25-connection burst on a busy machine (answers 2 s late)
ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
"#;

/// An app that logs errors of its own, unrelated to deliveries, all the time or once, is not
/// failed for them (they come again while nothing is in flight, or the same body sent again
/// goes without them); an error it logs for one delivery among that noise still fails the
/// check that sent it.
#[test]
fn errors_the_app_logs_between_deliveries_are_not_tied_to_them() {
    let Some(dir) = python_standin_dir() else {
        return;
    };
    let script = write_noisy_app(&dir, "noisy.py");
    let script = script.to_str().unwrap();
    let run = |noise: &str, extra: &[&str]| {
        let port = closed_port();
        let url = format!("http://127.0.0.1:{port}/webhook");
        let port = port.to_string();
        let args = [
            &META_SECRETS[..],
            &["--only", "duplicate,out-of-order", "--format", "json"],
            &["--", "python3", script, &port, noise],
            extra,
        ]
        .concat();
        let output = doctor(&url, "meta", &args);
        let (checks, _) = json_results(&output);
        (output, checks)
    };
    for noise in ["beat", "once"] {
        let (output, checks) = run(noise, &[]);
        assert_eq!(output.status.code(), Some(0), "{noise}: {}", text(&output));
        for name in ["duplicate", "out-of-order"] {
            let status = &result(&checks, name)["status"];
            assert_eq!(status, "passed", "{noise}: {}", text(&output));
        }
    }
    let (output, checks) = run("beat", &["\"read\""]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    let statuses = result(&checks, "out-of-order");
    assert_eq!(statuses["status"], "failed", "{statuses}");
    let summary = statuses["summary"].as_str().unwrap();
    assert!(
        summary.starts_with("1 of 3 not accepted: status read: answered 200, but the app logged: KeyError: 'user_id'"),
        "{statuses}"
    );
    assert_eq!(
        result(&checks, "duplicate")["status"],
        "passed",
        "{}",
        text(&output)
    );
}

/// `batched` and `identities` name a batch or a way of naming the user as the cause only when
/// the plain body is accepted: an app that refuses every body with 400 gets the refusal's own
/// cause, an app that refuses only batches gets the batch's.
#[test]
fn batched_and_identities_blame_the_batch_or_identity_only_when_the_plain_body_passes() {
    let refuse_all = RecordingServer::with_responder(|request| {
        if request.method == "GET" {
            meta_handshake(request)
        } else {
            plain(400, "bad request")
        }
    });
    let refuse_batches = RecordingServer::with_responder(|request| {
        if request.method == "GET" {
            return meta_handshake(request);
        }
        let value: Value = serde_json::from_slice(&request.body).unwrap_or(Value::Null);
        if value["entry"]
            .as_array()
            .is_some_and(|entries| entries.len() > 1)
        {
            return plain(400, "one entry only");
        }
        correct_meta(request)
    });
    let run = |url: &str| {
        let output = doctor(
            url,
            "meta",
            &[
                &META_SECRETS[..],
                &["--only", "identities,batched", "--format", "json"],
            ]
            .concat(),
        );
        assert_eq!(output.status.code(), Some(1), "{}", text(&output));
        json_results(&output).0
    };
    let checks = run(&refuse_all.url);
    let batched = result(&checks, "batched");
    assert_eq!(batched["status"], "failed", "{batched}");
    assert!(
        batched["cause"]
            .as_str()
            .unwrap()
            .starts_with("not the batch: the app fails on a single message as well"),
        "{batched}"
    );
    let identities = result(&checks, "identities");
    assert_eq!(identities["status"], "failed", "{identities}");
    assert!(
        !identities["cause"]
            .as_str()
            .unwrap()
            .contains("a user named another way"),
        "{identities}"
    );

    let checks = run(&refuse_batches.url);
    assert_eq!(result(&checks, "identities")["status"], "passed");
    let batched = result(&checks, "batched");
    assert_eq!(batched["status"], "failed", "{batched}");
    assert!(
        batched["cause"]
            .as_str()
            .unwrap()
            .starts_with("the app fails on a notification that holds several entries"),
        "{batched}"
    );
    assert!(
        batched["details"]
            .to_string()
            .contains("alone: accepted (2xx), so the batch is the cause"),
        "{batched}"
    );
}

/// A launcher: starts the app given after it (same process group), waits until the port
/// accepts connections, and a second later exits 0, leaving the app running (as `docker compose up -d`, a
/// daemonising server or a wrapper script with `&` do).
const LAUNCHER: &str = r#"
import socket, subprocess, sys, time
port = int(sys.argv[1])
subprocess.Popen(sys.argv[2:])
deadline = time.time() + 30
while time.time() < deadline:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        break
    except OSError:
        time.sleep(0.02)
# A moment for doctor to see the app answer while the launcher still runs.
time.sleep(1)
"#;

/// The command doctor started ends while the app it launched answers on: that is no crash.
/// doctor says so once and judges the app by its answers; no delivery is blamed for the
/// launcher's end and the app is not started again.
#[test]
fn a_launcher_that_exits_while_the_app_answers_is_no_crash() {
    let Some(dir) = python_standin_dir() else {
        return;
    };
    let app = write_noisy_app(&dir, "app.py");
    let launcher = dir.path().join("launcher.py");
    std::fs::write(&launcher, LAUNCHER).unwrap();
    let port = closed_port();
    let url = format!("http://127.0.0.1:{port}/webhook");
    let port = port.to_string();
    let args = [
        &META_SECRETS[..],
        &[
            "--only",
            "kinds,identities,duplicate",
            "--format",
            "json",
            "--",
        ],
        &["python3", launcher.to_str().unwrap(), &port],
        &["python3", app.to_str().unwrap(), &port, "quiet"],
    ]
    .concat();
    let output = doctor(&url, "meta", &args);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let (checks, summary) = json_results(&output);
    for name in ["kinds", "duplicate"] {
        assert_eq!(
            result(&checks, name)["status"],
            "passed",
            "{}",
            text(&output)
        );
    }
    assert!(summary.get("app_stops").is_none(), "{summary}");
    assert!(
        String::from_utf8_lossy(&output.stderr)
            .contains("the command doctor started exited with status 0, but the app still answers"),
        "{}",
        text(&output)
    );
}

/// An app (started by the test, not by doctor) that dies on a notification of several entries
/// and answers 200 to anything else; it prints its port first.
const DIES_ON_BATCHES: &str = r#"
import json, os
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if len(json.loads(body).get("entry", [])) > 1:
            os._exit(3)
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()
ThreadingHTTPServer.request_queue_size = 128  # werkzeug's backlog; socketserver's 5 drops part of a 25-connection burst on a busy machine (answers 2 s late)
server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
"#;

/// An app that dies on the batch, not run by doctor, is not said to fail on a single message:
/// the message sent alone afterwards finds it gone, which says nothing.
#[test]
fn a_batch_that_kills_the_app_is_blamed_on_the_batch() {
    use std::io::BufRead;
    let python = std::process::Command::new("python3")
        .arg("--version")
        .output();
    if !python.is_ok_and(|output| output.status.success()) {
        eprintln!("skipped: python3 is not installed (the stand-in app is Python)");
        return;
    }
    let mut app = std::process::Command::new("python3")
        .args(["-c", DIES_ON_BATCHES])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut port = String::new();
    std::io::BufReader::new(app.stdout.take().unwrap())
        .read_line(&mut port)
        .unwrap();
    let url = format!("http://127.0.0.1:{}/", port.trim());
    let output = doctor(
        &url,
        "meta",
        &[
            &META_SECRETS[..],
            &["--only", "batched", "--format", "json"],
        ]
        .concat(),
    );
    let _ = app.kill();
    let _ = app.wait();
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    let (checks, _) = json_results(&output);
    let batched = result(&checks, "batched");
    assert_eq!(batched["status"], "failed", "{batched}");
    assert!(
        batched["cause"]
            .as_str()
            .unwrap()
            .starts_with("the app fails on a notification that holds several entries"),
        "{batched}"
    );
}

/// burst, with `-- CMD`: an error the app logs once during the burst but not during a second
/// one is not the burst's (a job failing then); an error a single status callback logs too is
/// the body's, not the concurrency's.
#[test]
fn an_error_logged_during_the_burst_is_confirmed_before_it_is_blamed() {
    let Some(dir) = python_standin_dir() else {
        return;
    };
    let script = write_noisy_app(&dir, "noisy.py");
    let script = script.to_str().unwrap();
    let run = |app: &[&str]| {
        let port = closed_port();
        let url = format!("http://127.0.0.1:{port}/webhook");
        let port = port.to_string();
        let args = [
            &META_SECRETS[..],
            &["--only", "burst", "--format", "json"],
            &["--", "python3", script, &port],
            app,
        ]
        .concat();
        let output = doctor(&url, "meta", &args);
        let (checks, _) = json_results(&output);
        (output, result(&checks, "burst").clone())
    };
    let (output, burst) = run(&["once"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert_eq!(burst["status"], "passed", "{burst}");

    let (output, burst) = run(&["quiet", "\"statuses\""]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    assert_eq!(burst["status"], "failed", "{burst}");
    // All were accepted: the summary says what was logged, not "1 of 75 not accepted".
    assert!(
        burst["summary"]
            .as_str()
            .unwrap()
            .starts_with("all answered 2xx, but the app logged during the burst: "),
        "{burst}"
    );
    assert!(
        burst["cause"].as_str().unwrap().starts_with(
            "not the concurrency: the app fails on a status callback even when it comes alone"
        ),
        "{burst}"
    );
}

/// A folder for a Python stand-in app, or `None` (saying why) when python3 is missing.
fn python_standin_dir() -> Option<tempfile::TempDir> {
    let python = std::process::Command::new("python3")
        .arg("--version")
        .output();
    if !python.is_ok_and(|output| output.status.success()) {
        eprintln!("skipped: python3 is not installed (the stand-in app is Python)");
        return None;
    }
    Some(tempfile::tempdir().unwrap())
}

/// [`NOISY_APP`] written into `dir` as `name`.
fn write_noisy_app(dir: &tempfile::TempDir, name: &str) -> std::path::PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, NOISY_APP).unwrap();
    path
}
