//! The check for a provider that can send a body as query parameters on an empty POST
//! ([`providers::QueryMethod`], Picky Assist's deprecated method). The encoding is the
//! provider's; this reads the answer.
//!
//! [`providers::QueryMethod`]: crate::providers::QueryMethod
use reqwest::Method;

use super::Doctor;
use super::deliveries::{fresh, message_sample};
use super::probe::{Halt, Request};
use super::verdict::{CheckResult, delivery_problem};
use crate::http;

pub(super) fn query_method(doctor: &mut Doctor) -> Result<CheckResult, Halt> {
    const CHECK: &str = "query-method";
    let Some(method) = doctor.provider.rules().query_method() else {
        return Ok(CheckResult::skipped(
            CHECK,
            "this provider has no query method",
        ));
    };
    let sample = message_sample(doctor.provider);
    let value = fresh(doctor, sample);
    let query = method.encode(&value).expect("a sample is a JSON object");
    let mut request = Request::post_json(doctor.probe.target_url(), Vec::new());
    request.method = Method::POST;
    request.json = false;
    request.url = http::join_request_url(doctor.probe.target_url(), "", &query);
    let reply = doctor.probe.send(request)?;
    let result = match delivery_problem(doctor, "a message as query parameters", &reply) {
        None => CheckResult::passed(
            CHECK,
            format!(
                "{} as query parameters on an empty POST: {}",
                sample.name,
                reply.answer().map_or(0, |a| a.status)
            ),
        ),
        // Only projects still on the deprecated method send this: a warning, not a failure.
        Some(mut problem) => {
            if reply
                .answer()
                .is_some_and(|a| (400..600).contains(&a.status))
            {
                problem.cause = format!(
                    "the app reads only JSON bodies; {}'s deprecated method sends the fields as \
                     query parameters on a POST without a body",
                    doctor.provider.display_name()
                );
                problem.fix = "read the fields from the query string when the body is empty, \
                               or make sure the project uses the JSON method"
                    .to_string();
            }
            CheckResult::warning(CHECK, problem)
        }
    };
    Ok(result.requests(1))
}
