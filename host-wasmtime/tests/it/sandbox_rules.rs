//! The sandbox's Beluga rules (`rxgate_sandbox::beluga_rules`, written from the API reference
//! and decisions.md §2, not from rxgate's contract validator) against rxgate's validator on
//! every shared validation vector: both must accept or refuse the body, with the same set of
//! Beluga error strings, and both must meet the vector's expectation. A validator bug in
//! either shows up here, named by its vector. Deliberate differences are the allow list below.

use rxgate_host::rules::vectors::{self, Case};
use rxgate_sandbox::beluga_rules::{self, Endpoint};
use serde_json::Value;
use std::collections::BTreeSet;

/// Vectors on which the sandbox and rxgate differ on purpose, each with the decision that
/// settles it (docs/sandbox.md, "Independent request rules"). An entry that stops differing
/// fails the test, so the list cannot go stale.
const ALLOWED: &[(&str, &str)] = &[
    // Beluga's limits are fixed; rxgate's options narrow them for one clinic or a test.
    (
        "contract/visit.json::state outside a narrowed list",
        "decisions.md §2 state: the allowable list is the 50 states and DC, \
         'a configuration can narrow it' (rxgate's allowed_states); Beluga's list is not narrowed",
    ),
    (
        "contract/photos.json::image larger than the limit",
        "decisions.md §2 photos: 3 MiB decoded is Beluga's limit; rxgate's max_image_bytes \
         narrows it (docs/contract.md, Image size), the sandbox keeps Beluga's",
    ),
    (
        "contract/photos_size.json::a JPEG one byte over a narrowed limit",
        "decisions.md §2 photos: 3 MiB decoded is Beluga's limit; rxgate's max_image_bytes \
         narrows it (docs/contract.md, Image size), the sandbox keeps Beluga's",
    ),
    // A member named twice in JSON text: Beluga's JSON parser keeps the last one and the
    // reference documents nothing; rxgate refuses the ambiguity (stricter on purpose).
    (
        "contract/validate_text.json::a member name repeated in formObj",
        "docs/contract.md, Duplicate member names: rxgate's duplicate_member, stricter than \
         the reference (decisions.md: a careful integrator's choice where the seeds are silent)",
    ),
    (
        "contract/validate_text.json::a member name repeated inside a preference item",
        "docs/contract.md, Duplicate member names: rxgate's duplicate_member, stricter than \
         the reference (decisions.md: a careful integrator's choice where the seeds are silent)",
    ),
    (
        "contract/validate_text.json::a member name with ~ and / is one escaped pointer token",
        "docs/contract.md, Duplicate member names: rxgate's duplicate_member, stricter than \
         the reference (decisions.md: a careful integrator's choice where the seeds are silent)",
    ),
];

/// What one side makes of a body: accepted, and the Beluga error strings it earns.
#[derive(Debug, PartialEq, Eq)]
struct Verdict {
    accepted: bool,
    errors: BTreeSet<String>,
}

fn sandbox_verdict(endpoint: Endpoint, case: &Case, input: &Value) -> Verdict {
    let today = case
        .request
        .get("today")
        .and_then(Value::as_str)
        .and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        .unwrap_or_else(beluga_rules::today);
    let verdict = beluga_rules::check(endpoint, input, today);
    if let Some(answer) = verdict.answer() {
        assert!(
            verdict.errors().contains(answer),
            "{}: the answer is one of the errors",
            case.id
        );
    }
    Verdict {
        accepted: verdict.accepted(),
        errors: verdict.errors().into_iter().map(str::to_owned).collect(),
    }
}

fn rxgate_verdict(case: &Case) -> Result<Verdict, String> {
    let answer = rxgate_core::api::call_json_str(&case.op, &case.request.to_string());
    let answer: Value = serde_json::from_str(&answer).map_err(|e| e.to_string())?;
    let report = answer
        .get("ok")
        .ok_or_else(|| format!("rxgate refused: {answer}"))?;
    let errors = report
        .get("violations")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|v| v.get("beluga_error").and_then(Value::as_str))
        .map(str::to_owned)
        .collect();
    Ok(Verdict {
        accepted: report.get("valid") == Some(&Value::Bool(true)),
        errors,
    })
}

/// The vector's own expectation, where it states one.
fn expected_verdict(case: &Case) -> Option<Verdict> {
    let expect = case.expect.as_ref()?;
    let accepted = expect.get("valid")?.as_bool()?;
    let errors = match expect.get("beluga_errors") {
        Some(list) => list
            .as_array()?
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        None => return None,
    };
    Some(Verdict { accepted, errors })
}

/// The body of a case: `input`, or `text` parsed (as Beluga's JSON parser would).
fn body_of(case: &Case) -> Option<Value> {
    match (case.request.get("input"), case.request.get("text")) {
        (Some(input), _) => Some(input.clone()),
        (None, Some(Value::String(text))) => serde_json::from_str(text).ok(),
        _ => None,
    }
}

/// Compares the two sides on one case; `Err` names the disagreement.
fn compare(case: &Case) -> Result<(), String> {
    let kind = case
        .request
        .get("kind")
        .and_then(Value::as_str)
        .unwrap_or("");
    let endpoint = Endpoint::from_kind(kind).ok_or_else(|| format!("no endpoint for {kind}"))?;
    let body = body_of(case).ok_or("no body")?;
    let sandbox = sandbox_verdict(endpoint, case, &body);
    let rxgate = rxgate_verdict(case)?;
    // updateVisit answers status words, not error strings (decisions.md §2, last row):
    // only the verdicts are compared there.
    let same = |a: &Verdict, b: &Verdict| {
        a.accepted == b.accepted && (endpoint == Endpoint::UpdateVisit || a.errors == b.errors)
    };
    if !same(&sandbox, &rxgate) {
        return Err(format!("sandbox {sandbox:?} but rxgate {rxgate:?}"));
    }
    if let Some(expected) = expected_verdict(case) {
        if !same(&sandbox, &expected) {
            return Err(format!(
                "sandbox {sandbox:?} but the vector expects {expected:?}"
            ));
        }
    }
    Ok(())
}

#[test]
fn sandbox_rules_agree_with_rxgate_on_every_validation_vector() {
    let cases = vectors::bundled_cases().expect("vector files parse");
    let mut failures = Vec::new();
    let mut compared = 0;
    for case in &cases {
        let validation = case.op == "validate" || case.op == "validate_text";
        if !validation || case.expect_error.is_some() {
            continue;
        }
        compared += 1;
        let allowed = ALLOWED.iter().find(|(id, _)| *id == case.id);
        match (compare(case), allowed) {
            (Ok(()), None) | (Err(_), Some(_)) => {}
            (Err(why), None) => failures.push(format!("{}: {why}", case.id)),
            (Ok(()), Some(_)) => failures.push(format!(
                "{}: on the allow list but the two sides agree now",
                case.id
            )),
        }
    }
    assert!(compared > 200, "only {compared} validation vectors found");
    assert!(
        failures.is_empty(),
        "{} of {compared} validation vectors disagree:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_allow_list_entry_names_a_vector() {
    let cases = vectors::bundled_cases().expect("vector files parse");
    for (id, why) in ALLOWED {
        assert!(cases.iter().any(|c| c.id == *id), "{id} is no vector");
        assert!(
            why.contains("decisions.md") || why.contains("ref,"),
            "{id}: cite the decision"
        );
    }
}
