//! The registry test: what every provider must satisfy, checked by walking the registry.
use std::collections::{BTreeSet, HashSet};

use serde_json::{Value, json};

use super::*;
use crate::catalogue::samples;
use crate::validation::{CheckOptions, check_value};
use crate::verdict::Verdict;

fn strict() -> CheckOptions {
    CheckOptions {
        strict: true,
        force: None,
    }
}

fn lenient() -> CheckOptions {
    CheckOptions::default()
}

#[test]
fn every_declared_kind_has_a_sample() {
    for provider in Provider::all() {
        let sampled: BTreeSet<String> = samples()
            .iter()
            .filter(|sample| sample.provider == provider)
            .map(|sample| Kind::parse(&sample.kind).name().to_string())
            .collect();
        for name in provider.rules().kind_names() {
            assert!(
                sampled.contains(name),
                "{provider} declares kind {name} but samples/{provider}/ has no sample of it"
            );
        }
    }
}

#[test]
fn every_sample_is_its_own_providers_indexed_kind_and_strictly_valid() {
    for sample in samples() {
        assert!(
            !sample.kind.is_empty(),
            "{} has no row in its README",
            sample.name
        );
        let body: Value = serde_json::from_slice(sample.body)
            .unwrap_or_else(|err| panic!("{} is not JSON: {err}", sample.name));
        let object = body.as_object().expect("samples are objects");
        let claimants: Vec<&str> = Provider::all()
            .filter(|p| p.rules().claim(object).is_some())
            .map(Provider::id)
            .collect();
        assert_eq!(
            claimants,
            [sample.provider.id()],
            "{} claimed by",
            sample.name
        );
        let detection = detect(&body).expect("claimed");
        assert_eq!(detection.kind.to_string(), sample.kind, "{}", sample.name);
        assert!(
            detection.provider.schema(detection.schema).is_some(),
            "{}: schema {} is not shipped by {}",
            sample.name,
            detection.schema,
            detection.provider
        );
        let check = check_value(&body, &strict());
        assert_eq!(
            check.verdict,
            Verdict::Valid,
            "{} under --strict: {:?}",
            sample.name,
            check.errors
        );
    }
}

#[test]
fn every_schema_compiles_both_ways_and_ids_are_unique() {
    let mut ids = HashSet::new();
    for provider in Provider::all() {
        assert!(
            provider
                .schema(provider.rules().fallback().schema)
                .is_some(),
            "{provider}'s fallback schema is not shipped"
        );
        for schema in provider.rules().schemas().all() {
            assert!(
                ids.insert(schema.id),
                "schema id {} is used twice",
                schema.id
            );
            assert_eq!(schema.provider, provider.id());
            schema.validator(false);
            schema.validator(true);
            let draft = schema.parsed()["$schema"].as_str().unwrap_or_default();
            assert!(draft.contains("2020-12"), "{}", schema.id);
            assert!(
                !schema.description().is_empty(),
                "{} has no description",
                schema.id
            );
        }
    }
}

/// What `schemas export` writes is self-contained and gives every sample the verdict wa-hook
/// gives it (wa-hook checks Meta's fields part by part; the export dispatches by itself).
#[test]
fn exported_schemas_agree_with_wa_hooks_own_checks() {
    for sample in samples() {
        let body: Value = serde_json::from_slice(sample.body).unwrap();
        let detection = detect(&body).unwrap();
        let schema = detection.provider.schema(detection.schema).unwrap();
        for strict in [false, true] {
            let exported = jsonschema::draft202012::new(&schema.export_document(strict))
                .unwrap_or_else(|err| panic!("{} does not compile: {err}", schema.id));
            assert!(
                exported.is_valid(&body),
                "{} (strict {strict})",
                sample.name
            );
        }
    }
    let mut broken = sample_body("meta/template-status-approved");
    broken["entry"][0]["changes"][0]["value"]
        .as_object_mut()
        .unwrap()
        .remove("event");
    let meta = Provider::from_id("meta").unwrap();
    let exported = jsonschema::draft202012::new(
        &meta
            .schema("meta-notification")
            .unwrap()
            .export_document(false),
    )
    .unwrap();
    assert!(!exported.is_valid(&broken));
}

#[test]
fn provider_ids_and_aliases_are_unique() {
    let mut names = HashSet::new();
    for provider in Provider::all() {
        for name in std::iter::once(provider.id()).chain(provider.rules().aliases().iter().copied())
        {
            assert!(names.insert(name), "{name} names two providers");
            assert_eq!(Provider::from_id(name), Some(provider));
        }
    }
}

/// Other providers' shapes, written from PROVIDERS.md ("Telling providers apart"): nobody's.
#[test]
fn other_providers_shapes_are_unknown() {
    let foreign = [
        // MobTexting: Qikchat's event names, its own payload.
        json!({"event": "whatsapp:message:in", "payload": {"channels": ["whatsapp"],
            "recipient": {"to": "919812345670"},
            "message": {"type": "text", "payload": {"text": "hello"}}}}),
        json!({"event": "whatsapp:message:status", "payload": {"channels": ["whatsapp"],
            "recipient": {"to": "919812345670"}, "message": {"payload": {"status": "read"}}}}),
        // Sinch: a top-level statuses array, not Omni Smartflow's.
        json!({"type": "whatsapp", "statuses": [{"status": "delivered", "state": "DELIVERED",
            "message_id": "01H8Y0W5K9", "recipient": "46732001122"}]}),
        // Gupshup.
        json!({"app": "ShopBot", "timestamp": 1_718_203_423_000u64, "version": 2, "type": "message",
            "payload": {"id": "ABEGkZlgQyWAAgo-sDVSUOa9jH0z", "source": "919812345670",
            "type": "text", "payload": {"text": "Hi"}, "sender": {"phone": "919812345670"}}}),
        // Twilio's JSON-encoded fields.
        json!({"SmsMessageSid": "SM1f0e8ae6ade43cb3c0ce4525424e404f", "From": "whatsapp:+14155238886",
            "Body": "hello", "AccountSid": "AC0123"}),
        // WATI.
        json!({"id": "6541f9a8c4f1", "created": "2024-06-12T10:03:43Z", "waId": "919812345670",
            "text": "hi", "type": "text", "eventType": "message", "senderName": "Priya"}),
        // A Meta Graph webhook of another product.
        json!({"object": "page", "entry": [{"id": "1234", "time": 1_718_203_423, "messaging": []}]}),
        // Partner-like event name without the partner's keys.
        json!({"event": "whatsapp", "data": {"message": "hi"}}),
        // A messages array without Meta's message marks.
        json!({"messages": [{"text": "hi", "sender": "bob"}]}),
    ];
    for body in foreign {
        let check = check_value(&body, &lenient());
        assert_eq!(check.verdict, Verdict::Unknown, "{body}: {}", check.label());
        assert!(check.provider.is_none(), "{body}");
    }
    let mobtexting = json!({"event": "whatsapp:message:in", "payload": {"channels": ["whatsapp"]}});
    let check = check_value(&mobtexting, &lenient());
    assert!(
        check.errors[0].found.contains("Qikchat's event name"),
        "{:?}",
        check.errors
    );
}

fn sample_body(name: &str) -> Value {
    serde_json::from_slice(crate::catalogue::find_sample(name).unwrap().body).unwrap()
}

/// Each rule of Meta's surface, broken once: invalid, with the pointer that says where.
#[test]
fn broken_meta_variants_are_invalid_at_the_right_place() {
    let value = "/entry/0/changes/0/value";
    type Break = Box<dyn Fn(&mut Value)>;
    let cases: Vec<(&str, Break, String, &str)> = vec![
        (
            "meta/message-text",
            Box::new(|b| {
                let v = &mut b["entry"][0]["changes"][0]["value"];
                v["contacts"][0].as_object_mut().unwrap().remove("wa_id");
            }),
            format!("{value}/contacts/0"),
            "no wa_id and no user_id",
        ),
        (
            "meta/message-text",
            Box::new(|b| {
                let m = &mut b["entry"][0]["changes"][0]["value"]["messages"][0];
                m.as_object_mut().unwrap().remove("from");
            }),
            format!("{value}/messages/0"),
            "no from and no from_user_id",
        ),
        (
            "meta/status-failed",
            Box::new(|b| {
                let e = &mut b["entry"][0]["changes"][0]["value"]["statuses"][0]["errors"][0];
                e.as_object_mut().unwrap().remove("code");
            }),
            format!("{value}/statuses/0/errors/0"),
            "an error without code",
        ),
        (
            "meta/status-read",
            Box::new(|b| {
                let s = &mut b["entry"][0]["changes"][0]["value"]["statuses"][0];
                s.as_object_mut().unwrap().remove("recipient_id");
            }),
            format!("{value}/statuses/0"),
            "no recipient_id and no recipient_user_id",
        ),
        (
            "meta/message-text",
            Box::new(|b| {
                b["entry"][0]["changes"][0]["value"]["metadata"]["phone_number_id"] =
                    json!("<BUSINESS_PHONE_NUMBER_ID>");
            }),
            format!("{value}/metadata/phone_number_id"),
            "a placeholder phone number id",
        ),
        (
            "meta/message-text",
            Box::new(|b| {
                b["entry"][0]["changes"][0]["value"]["messages"][0]["timestamp"] =
                    json!("TIMESTAMP");
            }),
            format!("{value}/messages/0/timestamp"),
            "a placeholder timestamp",
        ),
        (
            "meta/template-status-approved",
            Box::new(|b| {
                let v = &mut b["entry"][0]["changes"][0]["value"];
                v.as_object_mut().unwrap().remove("event");
            }),
            value.to_string(),
            "a template status without event",
        ),
        (
            "meta/message-interactive-undelivered",
            Box::new(|b| {
                let m = &mut b["entry"][0]["changes"][0]["value"]["messages"][0];
                m.as_object_mut().unwrap().remove("errors");
            }),
            format!("{value}/messages/0"),
            "an interactive message with neither content nor errors",
        ),
    ];
    let meta = Provider::from_id("meta").unwrap();
    let exported = jsonschema::draft202012::new(
        &meta
            .schema("meta-notification")
            .unwrap()
            .export_document(false),
    )
    .unwrap();
    for (name, breaks, pointer, what) in cases {
        let mut body = sample_body(name);
        breaks(&mut body);
        let check = check_value(&body, &lenient());
        assert_eq!(check.verdict, Verdict::Invalid, "{what}: {}", check.label());
        assert!(
            !exported.is_valid(&body),
            "{what}: the exported schema disagrees"
        );
        assert!(
            check.errors.iter().any(|issue| issue.pointer == pointer),
            "{what}: expected an issue at {pointer}, got {:?}",
            check.errors
        );
    }
}

/// Content left out is accepted when errors explain it, on the message or on the whole value,
/// by wa-hook and by the exported schema alike.
#[test]
fn missing_content_explained_by_errors_is_accepted() {
    let meta = Provider::from_id("meta").unwrap();
    let exported = jsonschema::draft202012::new(
        &meta
            .schema("meta-notification")
            .unwrap()
            .export_document(false),
    )
    .unwrap();
    let mut body = sample_body("meta/message-interactive-undelivered");
    let value = &mut body["entry"][0]["changes"][0]["value"];
    let errors = value["messages"][0]
        .as_object_mut()
        .unwrap()
        .remove("errors")
        .unwrap();
    value["errors"] = errors;
    assert_eq!(check_value(&body, &strict()).verdict, Verdict::Valid);
    assert!(exported.is_valid(&body));
    body["entry"][0]["changes"][0]["value"]
        .as_object_mut()
        .unwrap()
        .remove("errors");
    assert_eq!(check_value(&body, &lenient()).verdict, Verdict::Invalid);
    assert!(!exported.is_valid(&body));
}

#[test]
fn a_meta_field_without_a_schema_is_unchecked_not_invalid() {
    let body = json!({"object": "whatsapp_business_account", "entry": [{"id": "102290129340398",
        "time": 1_760_035_000, "changes": [{"field": "partner_solutions",
        "value": {"anything": ["Meta", "adds"]}}]}]});
    let check = check_value(&body, &strict());
    assert_eq!(check.verdict, Verdict::Unchecked, "{:?}", check.errors);
    assert_eq!(check.label(), "meta partner_solutions");
    assert!(check.note.unwrap().contains("no schema"));
    // The envelope is still checked.
    let mut broken = body.clone();
    broken["entry"][0]["id"] = json!("<WHATSAPP_BUSINESS_ACCOUNT_ID>");
    assert_eq!(check_value(&broken, &lenient()).verdict, Verdict::Invalid);
}

#[test]
fn values_meta_keeps_adding_are_accepted() {
    let mut body = sample_body("meta/status-read");
    body["entry"][0]["changes"][0]["value"]["statuses"][0]["status"] = json!("warned");
    assert_eq!(check_value(&body, &strict()).verdict, Verdict::Valid);
    let mut body = sample_body("meta/message-text");
    let message = &mut body["entry"][0]["changes"][0]["value"]["messages"][0];
    message["type"] = json!("hologram");
    message["hologram"] = json!({"id": "1"});
    let check = check_value(&body, &lenient());
    assert_eq!(check.verdict, Verdict::Valid, "{:?}", check.errors);
    assert_eq!(check.label(), "meta message:hologram");
}

#[test]
fn a_quoted_picky_reply_is_text_not_a_button_reply() {
    let body = json!({"number": "919400550740", "message-in": "Yes%2C+tomorrow",
        "message_in_raw": "Yes, tomorrow", "type": 1, "application": "8",
        "unique-id": "52363301", "project-id": "10129", "context-msg-id": "30486936"});
    assert_eq!(detect(&body).unwrap().label(), "picky message:text");
    let mut button = body.clone();
    button["payload"] = json!("confirmbutton");
    assert_eq!(
        detect(&button).unwrap().label(),
        "picky message:button_reply"
    );
}

#[test]
fn picky_query_method_round_trips() {
    let picky = Provider::from_id("picky").unwrap();
    let method = picky
        .rules()
        .query_method()
        .expect("Picky Assist has a query method");
    let query = method.encode(&sample_body("picky/message-text")).unwrap();
    let fields = query_body(&query).expect("recognised");
    assert_eq!(fields["message-in"], "Hi, is my order #4521 shipped?");
    assert_eq!(fields["type"], "1");
    assert_eq!(detect(&fields).unwrap().label(), "picky message:text");
    assert!(
        crate::validation::check_bytes(b"", Some(&query), &lenient())
            .verdict
            .is_valid()
    );
    assert_eq!(query_body("a=b"), None);
}

#[test]
fn forcing_a_provider_falls_back_to_its_main_schema() {
    let qikchat = Provider::from_id("qikchat").unwrap();
    let detection = detect_within(qikchat, &json!({"payload": {}}));
    assert_eq!(detection.schema, "qikchat-message");
}

/// The live line says what happened, for each family of Meta kinds.
#[test]
fn meta_gists_say_what_happened() {
    let cases = [
        (
            "meta/template-status-rejected",
            "cart_reminder_48h (en) \"INVALID_FORMAT\"",
        ),
        (
            "meta/template-quality-yellow",
            "diwali_sale_offer (en) \"GREEN → YELLOW\"",
        ),
        ("meta/call-terminate", "16505553921 → 15550783881 \"94 s\""),
        (
            "meta/echo-text",
            "15550783881 → 16505553921 \"Your order #4521 ships today.\"",
        ),
        (
            "meta/status-failed",
            "16505553921 \"131047 Re-engagement message\"",
        ),
        (
            "meta/message-text-user-id",
            "US.13491208655302741918 \"Hola, ¿tienen envío a Monterrey?\"",
        ),
        (
            "meta/message-call-permission-reply",
            "16505553921 \"accept\"",
        ),
        (
            "meta/error-rate-limit",
            "15550783881 \"130429 Rate limit hit\"",
        ),
        (
            "picky/event-delivery-report-failed",
            "project 14192 \"msg 55123988 failed 131026 Message undeliverable\"",
        ),
        (
            "smartflow/status-failed",
            "919823456710 \"131026 Message undeliverable\"",
        ),
    ];
    for (name, expected) in cases {
        let body = sample_body(name);
        let detection = detect(&body).unwrap();
        assert_eq!(
            gist(&body, detection.provider, &detection.kind),
            expected,
            "{name}"
        );
    }
}

/// Every novelty starts from a shipped sample of its own provider, and its edits apply.
#[test]
fn novelties_apply_to_their_samples() {
    for provider in Provider::all() {
        for novelty in provider.rules().novelties() {
            let sample = crate::catalogue::find_sample(novelty.sample)
                .unwrap_or_else(|| panic!("{provider}: no sample {}", novelty.sample));
            assert_eq!(sample.provider, provider, "{}", novelty.sample);
            let mut body: Value = serde_json::from_slice(sample.body).unwrap();
            for edit in novelty.edits {
                crate::payload::Edit::parse(edit)
                    .and_then(|edit| edit.apply(&mut body))
                    .unwrap_or_else(|err| panic!("{}: {edit}: {err:#}", novelty.sample));
            }
            let wire = provider.rules().wire_bytes(&body);
            assert_eq!(serde_json::from_slice::<Value>(&wire).unwrap(), body);
        }
    }
}

/// The inspector's timeline follows a message by the id each provider writes, through the
/// statuses it uses.
#[test]
fn message_events_name_each_providers_ids_and_statuses() {
    let events = |name: &str| {
        let body = sample_body(name);
        let detection = detect(&body).unwrap();
        message_events(&body, &detection)
            .into_iter()
            .map(|event| (event.id, event.status, event.error.is_some()))
            .collect::<Vec<_>>()
    };
    let one =
        |id: &str, status: &str, error: bool| vec![(id.to_string(), status.to_string(), error)];
    assert_eq!(
        events("meta/status-read"),
        one(
            "wamid.HBgLMTY1MDU1NTM5MjEVAgARGBIzRUIwNUMxRjBBOUQzQjdFMjEA",
            "read",
            false
        )
    );
    assert_eq!(events("meta/status-failed")[0].1, "failed");
    assert!(
        events("meta/status-failed")[0].2,
        "a failure carries its error"
    );
    assert_eq!(events("meta/message-text")[0].1, "incoming");
    assert_eq!(
        events("qikchat/status-read"),
        one("Rf3Tq8WzN1xK5cYbH7mLs2VdA", "read", false)
    );
    assert_eq!(
        events("qikchat/message-text"),
        one("7hQx2LmPa9VbR3sTnC0wYe5Kd", "incoming", false)
    );
    assert_eq!(
        events("picky/message-text"),
        one("70946013", "incoming", false)
    );
    assert_eq!(
        events("picky/event-delivery-report"),
        one("55123987", "delivered", false)
    );
    assert_eq!(events("picky/event-delivery-report-failed")[0].1, "failed");
    assert_eq!(events("smartflow/status-delivered")[0].1, "delivered");
    assert_eq!(events("smartflow/message-text")[0].1, "incoming");
    assert!(events("partner/event-online").is_empty());
}

/// Every message and status sample of a provider with identity forms, in every form: the
/// result is still a strictly valid body of the same kind, and names its users only the way
/// the form does.
#[test]
fn every_message_and_status_sample_in_every_identity_stays_valid() {
    use super::rules::Identity;
    let mut rewritten = 0;
    let mut left_alone = BTreeSet::new();
    for sample in samples() {
        let Some(identities) = sample.provider.rules().identities() else {
            continue;
        };
        let kind = Kind::parse(&sample.kind);
        if !["message", "status"].contains(&kind.name()) {
            continue;
        }
        let body: Value = serde_json::from_slice(sample.body).unwrap();
        for &identity in identities.forms() {
            let Some(variant) = identities.with_identity(&body, identity) else {
                left_alone.insert(sample.name.as_str());
                continue;
            };
            rewritten += 1;
            let check = check_value(&variant, &strict());
            assert_eq!(
                check.verdict,
                Verdict::Valid,
                "{} as {identity}: {:?}\n{variant:#}",
                sample.name,
                check.errors
            );
            let detection = detect(&variant).unwrap();
            assert_eq!(
                detection.kind.to_string(),
                sample.kind,
                "{} as {identity}",
                sample.name
            );
            let value = &variant["entry"][0]["changes"][0]["value"];
            let names = |list: &str, key: &str| -> Vec<bool> {
                value[list]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter(|item| item["recipient_type"] != "group" && item["type"] != "system")
                    .map(|item| item.pointer(key).is_some())
                    .collect()
            };
            let (phone, bsuid) = match identity {
                Identity::Phone => (true, false),
                Identity::Bsuid => (true, true),
                Identity::Username => (false, true),
            };
            for (list, phone_key, id_key) in [
                ("contacts", "/wa_id", "/user_id"),
                ("messages", "/from", "/from_user_id"),
                ("statuses", "/recipient_id", "/recipient_user_id"),
            ] {
                assert!(
                    names(list, phone_key).iter().all(|has| *has == phone),
                    "{} as {identity}: {list}[]{phone_key}\n{variant:#}",
                    sample.name
                );
                assert!(
                    names(list, id_key).iter().all(|has| *has == bsuid),
                    "{} as {identity}: {list}[]{id_key}\n{variant:#}",
                    sample.name
                );
            }
            if identity == Identity::Username {
                assert!(
                    names("contacts", "/profile/username")
                        .iter()
                        .all(|has| *has),
                    "{} as username: profile.username",
                    sample.name
                );
            }
        }
    }
    // Only the bodies that name no user: a system message, a status about a group.
    assert_eq!(
        left_alone,
        BTreeSet::from([
            "meta/message-system-user-id-changed",
            "meta/status-read-group"
        ])
    );
    assert!(
        rewritten >= 3 * 23,
        "only {rewritten} variants were written"
    );
}

/// One user is one person across a body: the ids written for a contact and its message agree,
/// and what the body said is kept.
#[test]
fn identity_forms_agree_within_a_body_and_keep_what_was_there() {
    use super::rules::Identity;
    let meta = Provider::from_id("meta")
        .unwrap()
        .rules()
        .identities()
        .unwrap();
    let body = sample_body("meta/message-text");
    let username = meta.with_identity(&body, Identity::Username).unwrap();
    let value = &username["entry"][0]["changes"][0]["value"];
    assert_eq!(
        value["contacts"][0]["user_id"],
        value["messages"][0]["from_user_id"]
    );
    assert_eq!(
        value["contacts"][0]["parent_user_id"],
        value["messages"][0]["from_parent_user_id"]
    );
    assert_eq!(value["contacts"][0]["profile"]["username"], "@kerry.fisher");
    assert_eq!(value["contacts"][0]["profile"]["name"], "Kerry Fisher");
    // Back to a phone number: a made-up one, the same for the contact and the sender.
    let phone = meta.with_identity(&username, Identity::Phone).unwrap();
    let value = &phone["entry"][0]["changes"][0]["value"];
    assert_eq!(value["contacts"][0]["wa_id"], value["messages"][0]["from"]);
    // A body already in a form is left as it is.
    let both = sample_body("meta/message-text-phone-and-user-id");
    assert_eq!(meta.with_identity(&both, Identity::Bsuid).unwrap(), both);
    assert_eq!(meta.with_identity(&body, Identity::Phone).unwrap(), body);
    // Nothing to rewrite: a system message, a group's status, another field.
    for name in [
        "meta/message-system-user-id-changed",
        "meta/status-read-group",
        "meta/template-status-approved",
    ] {
        assert!(
            meta.with_identity(&sample_body(name), Identity::Username)
                .is_none(),
            "{name}"
        );
    }
    // The key order of Meta's examples: ids where the ids were.
    let keys: Vec<&String> = value["messages"][0].as_object().unwrap().keys().collect();
    assert_eq!(keys[0], "from");
}

/// Providers without identity forms or batching say so.
#[test]
fn only_providers_that_batch_and_rewrite_identities_claim_to() {
    for provider in Provider::all() {
        if provider.id() == "meta" {
            continue;
        }
        let rules = provider.rules();
        assert!(rules.identities().is_none(), "{provider}");
        assert!(rules.batching().is_none(), "{provider}");
    }
}

/// A batch is one valid notification holding every message, status and change of its bodies:
/// one entry per account, messages of one number in one value, statuses in another.
#[test]
fn batches_merge_the_way_meta_does_and_stay_valid() {
    let meta = Provider::from_id("meta").unwrap().rules();
    let batching = meta.batching().unwrap();
    let lifecycle = meta.lifecycle().unwrap();
    let names = [
        "meta/message-text",
        "meta/message-image",
        "meta/status-read",
        "meta/status-delivered",
        "meta/template-status-approved",
        "meta/error-rate-limit",
        "meta/message-reaction",
    ];
    let bodies: Vec<Value> = names.iter().map(|name| sample_body(name)).collect();
    let batch = batching.batch(&bodies).unwrap();
    let check = check_value(&batch, &strict());
    assert_eq!(
        check.verdict,
        Verdict::Valid,
        "{:?}\n{batch:#}",
        check.errors
    );
    let count = |pointer: &str| {
        batch
            .pointer(pointer)
            .and_then(Value::as_array)
            .map(Vec::len)
    };
    let entries = batch["entry"].as_array().unwrap();
    let accounts: BTreeSet<String> = bodies
        .iter()
        .map(|body| body["entry"][0]["id"].to_string())
        .collect();
    assert_eq!(entries.len(), accounts.len(), "{batch:#}");
    assert!(
        entries.len() >= 2,
        "the template sample is another account's"
    );
    // messages (3 from 2 senders), statuses (2) and the rate-limit error: three changes.
    assert_eq!(count("/entry/0/changes"), Some(3), "{batch:#}");
    assert_eq!(count("/entry/0/changes/0/value/messages"), Some(3));
    assert_eq!(
        count("/entry/0/changes/0/value/contacts"),
        Some(1),
        "one sender, one contact"
    );
    assert_eq!(count("/entry/0/changes/1/value/statuses"), Some(2));
    assert!(batch.pointer("/entry/0/changes/2/value/errors").is_some());
    // Every message and status of every body is in the batch, once.
    let events = |body: &Value| -> Vec<String> {
        lifecycle
            .message_events(body, &Kind::named("message"))
            .into_iter()
            .map(|event| format!("{} {}", event.id, event.status))
            .collect()
    };
    let mut expected: Vec<String> = bodies.iter().flat_map(events).collect();
    let mut found = events(&batch);
    expected.sort();
    found.sort();
    assert_eq!(found, expected);
    // A body that is not Meta's is not batched.
    let qikchat = sample_body("qikchat/message-text");
    assert!(batching.batch(&[bodies[0].clone(), qikchat]).is_none());
}

/// The samples of a provider, parsed, with their kinds.
fn provider_samples(provider: Provider) -> impl Iterator<Item = (&'static str, Kind, Value)> {
    samples()
        .iter()
        .filter(move |sample| sample.provider == provider)
        .map(|sample| {
            let body = serde_json::from_slice(sample.body).unwrap();
            (sample.name.as_str(), Kind::parse(&sample.kind), body)
        })
}

/// What having a capability promises, provider by provider: a command that asks for one can
/// rely on it without knowing the provider.
#[test]
fn capabilities_are_consistent() {
    use crate::ids::IdSource;
    // `sign`, `verify` and `replay --handshake` ask the registry for a provider that has them.
    assert!(Provider::all().any(|p| p.rules().signing().is_some()));
    assert!(Provider::all().any(|p| p.rules().handshake().is_some()));
    for provider in Provider::all() {
        let rules = provider.rules();
        // Protection is what signing and auth say, never written on its own.
        let protection = match (rules.signing(), rules.auth()) {
            (Some(_), _) => Protection::Signature,
            (None, Some(Auth::Basic)) => Protection::BasicAuth,
            (None, None) => Protection::Nothing,
        };
        assert_eq!(rules.protection(), protection, "{provider}");
        check_signing(provider);
        check_handshake(provider);
        check_lifecycle(provider);
        check_answers_and_variants(provider);
        // An emulated send API follows sends with status webhooks: the provider has a
        // lifecycle, and its emulator's webhooks are its own bodies. 99 Digital is the one
        // exception: its statuses are not in wa-hook's facts, so its emulator sends none.
        if rules.send_api().is_some() && provider.id() != "partner" {
            assert!(rules.lifecycle().is_some(), "{provider}");
        }
    }
    // A provider without a lifecycle has nothing to refresh.
    for provider in Provider::all().filter(|p| p.rules().lifecycle().is_none()) {
        for (name, _, mut body) in provider_samples(provider) {
            let refreshed = crate::payload::refresh(
                &mut body,
                provider,
                &mut IdSource::new(),
                std::time::SystemTime::now(),
            );
            assert_eq!(
                refreshed,
                crate::payload::Refreshed::NothingToRefresh,
                "{name}"
            );
        }
    }
}

/// A provider with a lifecycle: each status sample keeps its status item where it says, every
/// step of its ladder is still a status of the provider, and its message samples name a
/// message.
fn check_lifecycle(provider: Provider) {
    let Some(lifecycle) = provider.rules().lifecycle() else {
        return;
    };
    let mut statuses = 0;
    for (name, kind, body) in provider_samples(provider) {
        if kind.name() == "message" {
            assert!(!lifecycle.message_events(&body, &kind).is_empty(), "{name}");
        }
        if !lifecycle.is_status(&kind) {
            continue;
        }
        statuses += 1;
        let item = body.pointer(lifecycle.status_item());
        assert!(item.is_some_and(Value::is_object), "{name}");
        let now = std::time::SystemTime::now();
        let sequence = crate::payload::status_sequence(&body, provider, now).unwrap();
        let failed = lifecycle.is_failed(item.unwrap().as_object().unwrap());
        assert_eq!(sequence.len(), lifecycle.ladder(failed).len(), "{name}");
        for step in &sequence {
            let detection = detect(step).unwrap();
            assert_eq!(detection.provider, provider, "{name}");
            assert!(lifecycle.is_status(&detection.kind), "{name}");
        }
    }
    assert!(
        statuses > 0,
        "{provider}: a lifecycle without a status sample"
    );
}

/// A provider that signs: every sample's wire bytes signed verify, with its secret only.
fn check_signing(provider: Provider) {
    use crate::secret::SecretString;
    let rules = provider.rules();
    if let Some(signing) = rules.signing() {
        assert!(
            reqwest::header::HeaderName::from_bytes(signing.header().as_bytes()).is_ok(),
            "{provider}: {}",
            signing.header()
        );
        let secret = SecretString::new("app-secret");
        for (name, _, body) in provider_samples(provider) {
            let wire = rules.wire_bytes(&body);
            let header = signing.sign(&secret, &wire);
            assert!(signing.verify(&secret, &header, &wire), "{name}");
            let other = SecretString::new("another-secret");
            assert!(!signing.verify(&other, &header, &wire), "{name}");
            assert_eq!(
                signing.diagnose(&other, &header, &wire),
                Mismatch::WrongSecretOrBody,
                "{name}"
            );
        }
    }
}

/// A provider that verifies with a handshake: its own query is recognised, the token can be
/// redacted, and only the challenge alone with 200 is accepted.
fn check_handshake(provider: Provider) {
    if let Some(handshake) = provider.rules().handshake() {
        let query = handshake.query("s3cret token", "1234567");
        let request = handshake
            .parse(&query)
            .expect("its own query is a handshake");
        assert!(request.subscribes(), "{provider}");
        assert_eq!(request.token, "s3cret token", "{provider}");
        assert_eq!(request.challenge, "1234567", "{provider}");
        assert_eq!(find_handshake(&query), Some(request), "{provider}");
        assert!(handshake.parse("a=1").is_none(), "{provider}");
        let redacted = handshake.redact_token(&query, "(redacted)");
        assert!(!redacted.contains("s3cret"), "{provider}: {redacted}");
        assert!(handshake.accepts("1234567", 200, "1234567\n"), "{provider}");
        assert!(!handshake.accepts("1234567", 403, "1234567"), "{provider}");
        assert!(
            !handshake.accepts("1234567", 200, "\"1234567\""),
            "{provider}"
        );
    }
}

/// Query method, instant replies, batching and identity forms: each does what it says on the
/// provider's own samples.
fn check_answers_and_variants(provider: Provider) {
    let rules = provider.rules();
    if let Some(method) = rules.query_method() {
        let (name, _, body) = provider_samples(provider)
            .find(|(_, kind, _)| kind.name() == "message")
            .expect("a provider with a query method has a message sample");
        let query = method.encode(&body).unwrap();
        let fields = method.decode(&query).expect("its own query is its own");
        assert_eq!(detect(&fields).unwrap().provider, provider, "{name}");
        assert_eq!(query_body(&query), Some(fields), "{name}");
    }
    // A provider that reads answers documents them as a `reply` kind, and the other way
    // round; its reply schema is one of its own.
    let replies = rules
        .instant_replies()
        .and_then(|replies| replies.reply_schema(&Kind::named("message")));
    assert_eq!(
        replies.is_some(),
        rules.kind_names().contains(&"reply"),
        "{provider}"
    );
    if let Some(id) = replies {
        assert!(provider.schema(id).is_some(), "{provider}: {id}");
    }
    if let Some(batching) = rules.batching() {
        let (name, _, body) = provider_samples(provider)
            .find(|(_, kind, _)| kind.name() == "message")
            .expect("a provider that batches has a message sample");
        let batch = batching
            .batch(&[body.clone(), body])
            .expect("two messages batch");
        assert_eq!(detect(&batch).unwrap().provider, provider, "{name}");
    }
    if let Some(identities) = rules.identities() {
        assert!(
            identities.forms().len() > 1,
            "{provider}: one form is no choice"
        );
    }
}
