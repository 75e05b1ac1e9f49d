//! Checks for a provider that signs its bodies ([`providers::Signing`]): a body signed as the
//! provider signs it, a wrong signature, none. How to sign is the provider's; this reads the
//! answers.
use serde_json::Value;

use super::Doctor;
use super::deliveries::{delivery, fresh, message_sample};
use super::probe::{Halt, Reply, Signing};
use super::verdict::{CheckResult, Problem, delivery_problem, redirect_problem};
use crate::providers;

/// The provider's signing: the signature checks run only for providers that sign.
fn provider_signing(doctor: &Doctor) -> &'static dyn providers::Signing {
    doctor
        .provider
        .rules()
        .signing()
        .expect("the signature checks apply to providers that sign")
}

/// A text with characters Meta escapes (`é`, `/`, an emoji), so the bytes Meta sends differ
/// from what an app gets by writing the parsed body back.
const ESCAPED_TEXT: &str = "Olá! Is the café/bar open today? 👍";

pub(super) fn signed_post(doctor: &mut Doctor) -> Result<CheckResult, Halt> {
    const CHECK: &str = "signed-post";
    let Some(var) = doctor.app_secret_var.clone() else {
        return Ok(CheckResult::skipped(
            CHECK,
            "give --app-secret-env VAR (the App Secret from the Meta app's Basic settings) to \
             check signed bodies",
        ));
    };
    let sample = message_sample(doctor.provider);
    let mut value = fresh(doctor, sample);
    if let Some(text) = value.pointer_mut("/entry/0/changes/0/value/messages/0/text/body") {
        *text = Value::String(ESCAPED_TEXT.to_string());
    }
    let request = delivery(doctor, &value).named("a signed body");
    let sent = request.body.clone();
    let reply = doctor.probe.send(request)?;
    let mut requests = 1;
    let result = match &reply {
        Reply::Answer(answer) if matches!(answer.status, 401 | 403) => {
            // Which bytes does the app verify? Sign the same body over what a JSON library
            // writes back, and see whether that is accepted.
            let mut reserialised = None;
            for (library, bytes) in provider_signing(doctor).reencodings(&sent) {
                let mut probe = delivery(doctor, &value).signing(Signing::OverOtherBytes);
                probe.body.clone_from(&sent);
                probe.signed_bytes = Some(bytes);
                requests += 1;
                if doctor.probe.send(probe)?.accepted() {
                    reserialised = Some(library);
                    break;
                }
            }
            let summary = format!(
                "a body signed with the app secret in {var} was refused ({})",
                answer.status
            );
            CheckResult::failed(
                CHECK,
                match reserialised {
                    Some(library) => Problem::new(
                        summary,
                        format!(
                            "the app verifies the signature over the body written back as \
                             {library} writes it, not the raw bytes Meta signed (Meta escapes \
                             é, / and emoji)"
                        ),
                        "compute the HMAC over the raw request body, before any JSON parsing",
                    ),
                    None => Problem::new(
                        summary,
                        format!(
                            "the app expects another app secret than {var}, or verifies other \
                             bytes than the raw body"
                        ),
                        "HMAC-SHA256 the raw body with the App Secret (Meta app, Basic \
                         settings); compare it with the header after `sha256=`",
                    ),
                },
            )
        }
        _ => match delivery_problem(doctor, "a signed body", &reply) {
            Some(problem) => CheckResult::failed(CHECK, problem),
            None => CheckResult::passed(
                CHECK,
                format!(
                    "a body signed as Meta signs it (escaped é, / and emoji) got {}",
                    reply.answer().map_or(0, |a| a.status)
                ),
            ),
        },
    };
    Ok(result.requests(requests))
}

pub(super) fn wrong_signature(doctor: &mut Doctor) -> Result<CheckResult, Halt> {
    refuses_forgeries(
        doctor,
        "wrong-signature",
        Signing::Wrong,
        "a wrongly signed body",
    )
}

pub(super) fn unsigned_post(doctor: &mut Doctor) -> Result<CheckResult, Halt> {
    refuses_forgeries(
        doctor,
        "unsigned-post",
        Signing::Unsigned,
        "an unsigned body",
    )
}

fn refuses_forgeries(
    doctor: &mut Doctor,
    check: &'static str,
    signing: Signing,
    what: &str,
) -> Result<CheckResult, Halt> {
    let value = fresh(doctor, message_sample(doctor.provider));
    let reply = doctor
        .probe
        .send(delivery(doctor, &value).signing(signing))?;
    let header = provider_signing(doctor).header();
    let secret_hint = match &doctor.app_secret_var {
        Some(var) => format!("the App Secret in {var}"),
        None => "your App Secret".to_string(),
    };
    let result = match &reply {
        Reply::Answer(answer) if matches!(answer.status, 401 | 403) => {
            CheckResult::passed(check, format!("{what} was refused ({})", answer.status))
        }
        // Any 4xx refuses the body (FastAPI answers 422 for a missing required header).
        Reply::Answer(answer) if (400..500).contains(&answer.status) => CheckResult::passed(
            check,
            format!(
                "{what} was refused ({}; 401 is the usual answer)",
                answer.status
            ),
        ),
        Reply::Answer(answer) if answer.is_success() => CheckResult::warning(
            check,
            Problem::new(
                format!("{what} was accepted ({})", answer.status),
                format!(
                    "the app does not check {header}: anyone who finds the URL can post fake \
                     messages"
                ),
                format!(
                    "answer 401 unless {header} is sha256= the HMAC-SHA256 of the raw body with {secret_hint}"
                ),
            ),
        ),
        Reply::Answer(answer) if answer.is_redirect() => {
            CheckResult::failed(check, redirect_problem(doctor, what, answer))
        }
        Reply::Answer(answer) => CheckResult::warning(
            check,
            Problem::new(
                format!("{what} was answered {}", answer.status),
                format!(
                    "the app failed on it instead of refusing it (an error on the missing or \
                     wrong {header}?)"
                ),
                "answer 401 when the signature is missing or wrong",
            ),
        ),
        Reply::Failed(failure) => {
            let mut problem =
                delivery_problem(doctor, what, &reply).expect("a failed request is a problem");
            // A hang or a dropped connection on a forgery is no slow acknowledgement: the
            // answer is to refuse it, at once.
            if failure.crashed.is_none() {
                problem.cause = format!(
                    "the app gave no answer to {what} (it waits for something, or fails without \
                     answering)"
                );
                problem.fix = format!(
                    "answer 401 at once unless {header} is sha256= the HMAC-SHA256 of the raw \
                     body with {secret_hint}"
                );
            }
            CheckResult::failed(check, problem)
        }
    };
    Ok(result.requests(1))
}
