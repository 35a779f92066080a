//! The order commands of the `rxgate` binary on the example snapshots: JSON and text output,
//! exit codes (0 ready/allowed, 1 not ready/refused/escalating, 2 misuse or schema error),
//! and no patient value in any error.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures")
        .join(name)
}

fn rxgate(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rxgate"))
        .args(args)
        .output()
        .expect("rxgate runs")
}

fn rxgate_stdin(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_rxgate"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("rxgate runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("writes");
    child.wait_with_output().expect("finishes")
}

fn json(output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout).expect("stdout is JSON")
}

const NOW: &str = "2026-11-23T09:00:00Z";

#[test]
fn readiness_of_a_ready_order_exits_0() {
    let f = fixture("order-dispensepro-ready.json");
    let out = rxgate(&[
        "check",
        "readiness",
        f.to_str().unwrap(),
        "--today",
        "2026-11-23",
    ]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(json(&out)["status"], "ready");
}

#[test]
fn readiness_of_an_order_waiting_on_the_patient_exits_1_with_codes() {
    let f = fixture("order-intake-correction.json");
    let out = rxgate(&[
        "check",
        "readiness",
        f.to_str().unwrap(),
        "--today",
        "2026-11-23",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let codes: Vec<String> = json(&out)["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(codes, ["intake_needs_correction", "patient_data_invalid"]);
}

#[test]
fn diagnose_text_is_readable_by_a_cs_agent() {
    let f = fixture("order-intake-correction.json");
    let out = rxgate(&[
        "check",
        "diagnose",
        f.to_str().unwrap(),
        "--now",
        NOW,
        "--format",
        "text",
    ]);
    assert_eq!(out.status.code(), Some(1), "a blocked order exits 1");
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("stage: intake (blocked)"), "{text}");
    assert!(text.contains("Next: patient"), "{text}");
    assert!(
        text.contains("tell the patient: Your intake needs a correction"),
        "{text}"
    );
    assert!(
        text.contains("sent to the medical team (Beluga SUBMITTED): no"),
        "{text}"
    );
}

#[test]
fn diagnose_escalation_prints_the_bundle_for_staff() {
    let f = fixture("order-belmar-split.json");
    let out = rxgate(&[
        "check",
        "diagnose",
        f.to_str().unwrap(),
        "--now",
        "2026-11-24T09:00:00Z",
        "--format",
        "text",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("ESCALATE:"), "{text}");
    assert!(text.contains("[rx_without_fulfillment]"), "{text}");
    assert!(text.contains("order number: HLC-10977"), "{text}");
}

#[test]
fn route_shows_the_lifefile_split() {
    let f = fixture("order-belmar-split.json");
    let out = rxgate(&["check", "route", f.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0));
    let plan = json(&out);
    assert_eq!(plan["split_required"], true);
    assert_eq!(plan["routes"].as_array().map(Vec::len), Some(2));
}

#[test]
fn boundary_before_the_prescription_exits_1() {
    let f = fixture("order-dispensepro-ready.json");
    let out = rxgate(&["check", "boundary", f.to_str().unwrap(), "--now", NOW]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        json(&out)["items"][0]["reasons"][0]["code"],
        "rx_not_confirmed"
    );
}

#[test]
fn cancel_of_a_resolved_visit_is_refused() {
    let f = fixture("order-belmar-split.json");
    let refused = rxgate(&["check", "cancel", f.to_str().unwrap()]);
    assert_eq!(refused.status.code(), Some(1));
    assert_eq!(
        json(&refused)["decision"],
        "refused",
        "a resolved visit cannot be cancelled"
    );
}

#[test]
fn build_visit_prints_a_valid_body() {
    let f = fixture("order-dispensepro-ready.json");
    let out = rxgate(&[
        "build-visit",
        f.to_str().unwrap(),
        "--master-id",
        "9b1e0c55-2f4d-4a8e-8c61-7d3e2a1b0f99",
        "--today",
        "2026-11-23",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let built = json(&out);
    assert_eq!(
        built["body"]["masterId"],
        "9b1e0c55-2f4d-4a8e-8c61-7d3e2a1b0f99"
    );
    assert_eq!(built["body"]["formObj"]["phone"], "7372046619");
}

#[test]
fn build_visit_of_an_invalid_order_exits_1_without_a_body() {
    let f = fixture("order-intake-correction.json");
    let out = rxgate(&[
        "build-visit",
        f.to_str().unwrap(),
        "--master-id",
        "m-1",
        "--today",
        "2026-11-23",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(json(&out).get("body").is_none());
}

#[test]
fn decide_submit_per_trigger() {
    let f = fixture("order-dispensepro-ready.json");
    let out = rxgate(&[
        "decide-submit",
        f.to_str().unwrap(),
        "--trigger",
        "checkout_paid",
        "--today",
        "2026-11-23",
    ]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(json(&out)["decision"], "submit");
    let bad = rxgate(&["decide-submit", f.to_str().unwrap(), "--trigger", "nope"]);
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn schema_errors_exit_2_with_the_path_and_no_values() {
    let snapshot = r#"{"schema_version":1,"settings":{"beluga_enabled":true,"api_key_present":true},
        "patient":{"first_name":"PHI-SENTINEL","ssn":"PHI-SENTINEL"},
        "order":{"number":"A","status":"PENDING","source":"CHECKOUT","payment_status":"PAID"}}"#;
    let out = rxgate_stdin(&["check", "readiness", "-"], snapshot);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("/patient/ssn"), "{stderr}");
    assert!(!stderr.contains("PHI-SENTINEL"), "{stderr}");
    assert!(out.stdout.is_empty());
}

#[test]
fn duplicate_keys_and_bad_json_exit_2() {
    let dup = rxgate_stdin(
        &["check", "route", "-"],
        r#"{"schema_version":1,"schema_version":1}"#,
    );
    assert_eq!(dup.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&dup.stderr).contains("duplicate"));
    let bad = rxgate_stdin(&["check", "route", "-"], "{ not json");
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("line 1"));
}
