//! Checks for a provider that verifies an endpoint with a GET before sending anything
//! ([`providers::Handshake`], Meta's `hub.challenge`): the right token and a wrong one. The
//! query is the provider's; this reads the answers.
use serde_json::Value;

use super::Doctor;
use super::probe::{Answer, FailureKind, Halt, Reply, Request};
use super::verdict::{CheckResult, Problem, delivery_problem, redirect_problem};
use crate::output;
use crate::providers;

/// The provider's handshake: the handshake checks run only for providers that verify.
fn handshake_of(doctor: &Doctor) -> &'static dyn providers::Handshake {
    doctor
        .provider
        .rules()
        .handshake()
        .expect("the handshake checks apply to providers that verify")
}

fn handshake_url(doctor: &Doctor, token: &str, challenge: &str) -> url::Url {
    let mut url = doctor.probe.target_url().clone();
    let query = handshake_of(doctor).query(token, challenge);
    let query = match url.query() {
        Some(own) if !own.is_empty() => format!("{own}&{query}"),
        _ => query,
    };
    url.set_query(Some(&query));
    url
}

/// The handshake GET with this token and challenge.
fn send_handshake(doctor: &mut Doctor, token: &str, challenge: &str) -> Result<Reply, Halt> {
    let url = handshake_url(doctor, token, challenge);
    doctor
        .probe
        .send(Request::get(url).named("the handshake GET"))
}

/// The handshake's answer, or the check failed because none came.
fn answer_of<'a>(
    doctor: &Doctor,
    check: &'static str,
    reply: &'a Reply,
) -> Result<&'a Answer, Box<CheckResult>> {
    match reply {
        Reply::Failed(failure) => {
            let mut problem = delivery_problem(doctor, "the handshake GET", reply)
                .expect("a failed request is a problem");
            // A GET that hangs is no slow acknowledgement: nothing answers it.
            if failure.crashed.is_none()
                && matches!(failure.kind, FailureKind::Timeout | FailureKind::NoAnswer)
            {
                problem.cause = "nothing answered Meta's verification GET at this URL: the app \
                                 has no GET route at this path (a wrong path?), or its handler \
                                 never answers"
                    .to_string();
                problem.fix = if check == "handshake" {
                    "answer the GET on the webhook's own path at once: 200 with hub.challenge \
                     when hub.verify_token equals your verify token, else 403"
                } else {
                    "answer the GET on the webhook's own path at once: 403 unless \
                     hub.verify_token equals your verify token"
                }
                .to_string();
            }
            Err(Box::new(CheckResult::failed(check, problem).requests(1)))
        }
        Reply::Answer(answer) => Ok(answer),
    }
}

/// The start of an answer's body, on one line, secrets scrubbed.
fn excerpt(doctor: &Doctor, answer: &Answer) -> String {
    let text = answer.text();
    let shown = output::excerpt(&doctor.probe.scrub(&text), 60);
    if shown.is_empty() {
        "(empty)".to_string()
    } else {
        shown
    }
}

pub(super) fn handshake(doctor: &mut Doctor) -> Result<CheckResult, Halt> {
    const CHECK: &str = "handshake";
    let Some((token, var)) = doctor.verify_token.clone() else {
        return Ok(CheckResult::skipped(
            CHECK,
            "give --verify-token-env VAR (the verify token set in Meta's App Dashboard) to \
             check the handshake",
        ));
    };
    let challenge = doctor.ids.challenge();
    let reply = send_handshake(doctor, token.expose(), &challenge)?;
    let answer = match answer_of(doctor, CHECK, &reply) {
        Ok(answer) => answer,
        Err(failed) => return Ok(*failed),
    };
    let result = match diagnose_handshake(doctor, answer, &challenge, &var) {
        None => CheckResult::passed(
            CHECK,
            format!(
                "200 with the challenge alone, as plain text, in {}",
                output::duration(answer.latency, output::Notation::Measured)
            ),
        ),
        Some(problem) => CheckResult::failed(CHECK, problem),
    };
    Ok(result.requests(1))
}

/// Why an answer to the handshake with the right token is not what Meta accepts.
fn diagnose_handshake(
    doctor: &Doctor,
    answer: &Answer,
    challenge: &str,
    var: &str,
) -> Option<Problem> {
    let status = answer.status;
    if answer.is_redirect() {
        return Some(redirect_problem(doctor, "the handshake GET", answer));
    }
    if status != 200 {
        return Some(refusal_problem(status, var));
    }
    if handshake_of(doctor).accepts(challenge, status, &answer.text()) {
        return None;
    }
    Some(body_problem(doctor, answer, challenge))
}

/// A handshake with the right token answered with another status than 200.
fn refusal_problem(status: u16, var: &str) -> Problem {
    let summary = format!("the handshake with the right token was answered {status}");
    match status {
        401 | 403 => Problem::new(
            summary,
            format!(
                "the app refused the right token: it compares hub.verify_token with another \
                 value than {var}, or checks a signature on the GET (Meta signs only POSTs)"
            ),
            "answer 200 with hub.challenge when hub.verify_token equals your verify token; \
             check signatures on POSTs only",
        ),
        404 | 405 => Problem::new(
            summary,
            "nothing answers a GET at this URL",
            "add a GET handler on the webhook route that answers the handshake",
        ),
        500..=599 => Problem::new(
            summary,
            "the app failed on the handshake (an exception?)",
            "see the app's log; read hub.mode, hub.verify_token and hub.challenge (with dots)",
        ),
        _ => Problem::new(
            summary,
            "Meta accepts only 200 with the challenge",
            "answer 200 with the value of hub.challenge as the body",
        ),
    }
}

/// A 200 whose body is not the challenge alone: quoted, wrapped in JSON, a page, empty, with
/// other text, or something else.
fn body_problem(doctor: &Doctor, answer: &Answer, challenge: &str) -> Problem {
    let body = answer.text();
    let trimmed = body.trim();
    let shown = excerpt(doctor, answer);
    let plain =
        "answer with hub.challenge alone, as plain text (e.g. res.type('text').send(challenge))";
    let json: Option<Value> = serde_json::from_str(trimmed).ok();
    if let Some(Value::String(text)) = &json {
        if text.trim() == challenge {
            return Problem::new(
                format!("200, but the challenge came back quoted: {shown}"),
                "the app sent the challenge as a JSON string; Meta compares the body with the \
                 challenge exactly",
                plain,
            );
        }
    }
    if let Some(value) = json.as_ref().filter(|v| v.is_object() || v.is_array()) {
        if contains_challenge(value, challenge) {
            return Problem::new(
                format!("200, but the challenge came back wrapped in JSON: {shown}"),
                "the app answered a JSON object holding the challenge; Meta wants the \
                 challenge alone",
                plain,
            );
        }
    }
    let html = answer
        .content_type
        .as_deref()
        .is_some_and(|ct| ct.to_ascii_lowercase().contains("html"))
        || trimmed.starts_with('<');
    if html {
        return page_problem(doctor, &body);
    }
    if trimmed.is_empty() {
        return Problem::new(
            "200, but with an empty body",
            "the app answered without echoing hub.challenge",
            plain,
        );
    }
    if trimmed.contains(challenge) {
        return Problem::new(
            format!("200, but the challenge came with other text: {shown}"),
            "Meta compares the body with the challenge exactly",
            plain,
        );
    }
    Problem::new(
        format!("200, but the body is not the challenge: {shown}"),
        "the app does not echo hub.challenge (it reads another parameter, or answers a fixed \
         text)",
        plain,
    )
}

/// An HTML page answered the handshake: something other than the app did.
fn page_problem(doctor: &Doctor, body: &str) -> Problem {
    let title = page_title(body)
        .map(|title| format!(" \"{}\"", output::excerpt(&doctor.probe.scrub(&title), 40)))
        .unwrap_or_default();
    Problem::new(
        format!("200, but with an HTML page{title}, not the challenge"),
        "a page answered instead of the app: a tunnel's or host's warning or login page, or \
         the framework's default page",
        "make the URL reach the app's handshake route directly, with nothing in between",
    )
}

fn contains_challenge(value: &Value, challenge: &str) -> bool {
    match value {
        Value::String(text) => text == challenge,
        Value::Number(number) => number.to_string() == challenge,
        Value::Array(items) => items.iter().any(|item| contains_challenge(item, challenge)),
        Value::Object(object) => object
            .values()
            .any(|item| contains_challenge(item, challenge)),
        _ => false,
    }
}

fn page_title(html: &str) -> Option<String> {
    let lower = html.to_ascii_lowercase();
    let start = lower.find("<title")?;
    let open_end = lower[start..].find('>')? + start + 1;
    let end = lower[open_end..].find("</title")? + open_end;
    let title = html.get(open_end..end)?.trim();
    (!title.is_empty()).then(|| title.to_string())
}

pub(super) fn handshake_wrong_token(doctor: &mut Doctor) -> Result<CheckResult, Halt> {
    const CHECK: &str = "handshake-wrong-token";
    let challenge = doctor.ids.challenge();
    let mut wrong = format!("wa-hook-doctor-wrong-{}", doctor.ids.alphanumeric(12));
    if let Some((token, _)) = &doctor.verify_token {
        if token.expose() == wrong {
            wrong.push('x');
        }
    }
    let reply = send_handshake(doctor, &wrong, &challenge)?;
    let answer = match answer_of(doctor, CHECK, &reply) {
        Ok(answer) => answer,
        Err(failed) => return Ok(*failed),
    };
    let status = answer.status;
    let result = if answer.is_redirect() {
        CheckResult::failed(CHECK, redirect_problem(doctor, "the handshake GET", answer))
    } else if status == 200 && answer.text().contains(&challenge) {
        CheckResult::failed(
            CHECK,
            Problem::new(
                "a wrong verify token got 200 and the challenge",
                "the app answers the handshake without comparing hub.verify_token with its own: \
                 anyone can verify your URL for their Meta app",
                "answer 403 unless hub.verify_token equals your verify token",
            ),
        )
    } else if (200..300).contains(&status) {
        CheckResult::warning(
            CHECK,
            Problem::new(
                format!("a wrong verify token was answered {status}"),
                "Meta expects a wrong token to be refused",
                "answer 403 unless hub.verify_token equals your verify token",
            ),
        )
    } else if status == 403 {
        CheckResult::passed(CHECK, "a wrong verify token was refused (403)")
    } else if (400..500).contains(&status) {
        CheckResult::passed(
            CHECK,
            format!("a wrong verify token was refused ({status}; Meta's examples answer 403)"),
        )
    } else {
        CheckResult::warning(
            CHECK,
            Problem::new(
                format!("a wrong verify token was answered {status}"),
                "the app fails on a wrong token instead of refusing it",
                "answer 403 unless hub.verify_token equals your verify token",
            ),
        )
    };
    Ok(result.requests(1))
}
