//! End to end through real HTTP (issue 7): the service, its rules in wasmtime and SQLite,
//! against the partner sandbox on loopback. A phone Beluga refuses makes the submission
//! `FAILED` with class `fix_patient_data`; staff correct the phone and retry with the same
//! masterId, and the order is `SUBMITTED`, then fulfilled. (The paid order's walk to
//! `COMPLETED` is `faults.rs`, with and without faults.)

use rxgate_host::demo::Harness;
use serde_json::{json, Value};
use std::path::Path;
use std::time::{Duration, Instant};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn phone_error_then_staff_fix_and_retry_submits_with_the_same_master_id() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures/order-dispensepro-ready.json");
    let mut order: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap_or_default())
        .unwrap_or(Value::Null);
    order["patient"]["phone"] = json!("5129460183");
    let harness = Harness::start(&[&order], |c| c.refused_phones = vec!["5129460183".into()])
        .await
        .expect("harness starts");
    let client = harness.client(Instant::now());
    let id = order["order"]["id"].as_str().unwrap_or_default().to_owned();
    client.put_order(&id, &order).await.expect("order stored");
    client
        .trigger(&id, "checkout_paid")
        .await
        .expect("trigger accepted");
    let (failed, panel) = client
        .wait_for(&id, Duration::from_secs(60), |p| {
            p["belugaSubmitStatus"] == "FAILED"
        })
        .await
        .expect("panel");
    assert!(failed, "{panel}");
    assert_eq!(panel["submitError"]["class"], "fix_patient_data");
    assert_eq!(panel["submitError"]["message"], "Phone number error");
    let master_id = panel["masterId"].clone();

    // Staff fix the patient's phone first, as the guide says, then retry the same order.
    let mut fixed = client.snapshot(&id).await.expect("snapshot");
    fixed["patient"]["phone"] = json!("5129460184");
    client.put_order(&id, &fixed).await.expect("order updated");
    let (status, answer) = client
        .api(
            reqwest::Method::POST,
            &format!("/api/emr/orders/{id}/submit-to-beluga"),
            None,
        )
        .await
        .expect("retry");
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["masterId"], master_id, "a retry keeps the masterId");
    let (submitted, panel) = client
        .wait_for(&id, Duration::from_secs(60), |p| {
            p["belugaSubmitStatus"] == "SUBMITTED"
        })
        .await
        .expect("panel");
    assert!(submitted, "{panel}");
    let visits = harness
        .sandbox
        .log()
        .iter()
        .filter(|r| r.what == "visit_created")
        .count();
    assert_eq!(
        visits, 1,
        "the refused attempt created no visit; the retry created one"
    );
    harness.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_routes_reach_beluga_through_the_rules() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures/order-dispensepro-ready.json");
    let order: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap_or_default())
        .unwrap_or(Value::Null);
    let harness = Harness::start(&[&order], |_| {})
        .await
        .expect("harness starts");
    let client = harness.client(Instant::now());
    let id = order["order"]["id"].as_str().unwrap_or_default().to_owned();
    client.put_order(&id, &order).await.expect("order stored");

    // Pharmacy search: validated, forwarded, the answer typed (PharmacyId as a string).
    let (status, found) = client
        .api(
            reqwest::Method::POST,
            "/api/emr/pharmacies/search",
            Some(&json!({"zip": "78701"})),
        )
        .await
        .expect("search");
    assert_eq!(status, 200, "{found}");
    assert_eq!(found["classification"], "success");
    assert_eq!(found["data"]["pharmacies"][0]["PharmacyId"], "100482");
    let (status, refused) = client
        .api(
            reqwest::Method::POST,
            "/api/emr/pharmacies/search",
            Some(&json!({})),
        )
        .await
        .expect("search");
    assert_eq!(status, 422, "{refused}");
    assert_eq!(refused["violations"][0]["code"], "search_no_parameters");

    // Once the visit exists: a CS message is validated and queued; cancelling a concluded
    // visit is refused with the guard's reasons.
    client.trigger(&id, "checkout_paid").await.expect("trigger");
    let (resolved, panel) = client
        .wait_for(&id, Duration::from_secs(60), |p| {
            p["belugaVisitStatus"] == "resolved"
        })
        .await
        .expect("panel");
    assert!(resolved, "{panel}");
    let (status, queued) = client
        .api(
            reqwest::Method::POST,
            &format!("/api/emr/orders/{id}/messages"),
            Some(&json!({"to": "cs", "content": "Please confirm the shipping address."})),
        )
        .await
        .expect("message");
    assert_eq!(status, 202, "{queued}");
    let (status, guard) = client
        .api(
            reqwest::Method::POST,
            &format!("/api/emr/orders/{id}/beluga/cancel"),
            Some(&json!({"confirm": true, "reason": "patient request"})),
        )
        .await
        .expect("cancel");
    assert_eq!(status, 422, "{guard}");
    assert_eq!(guard["guard"]["decision"], "refused");
    harness.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_own_pharmacy_order_completes_from_its_signed_webhooks() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures/order-dispensepro-ready.json");
    let mut order: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap_or_default())
        .unwrap_or(Value::Null);
    order["pharmacies"][0]["type"] = json!("OWN");
    let harness = Harness::start(&[&order], |_| {})
        .await
        .expect("harness starts");
    let client = harness.client(Instant::now());
    let id = order["order"]["id"].as_str().unwrap_or_default().to_owned();
    let pharmacy = order["pharmacies"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    client.put_order(&id, &order).await.expect("order stored");
    client.trigger(&id, "checkout_paid").await.expect("trigger");
    let (prescribed, panel) = client
        .wait_for(&id, Duration::from_secs(60), |p| {
            p["prescriptions"].as_array().is_some_and(|a| !a.is_empty())
        })
        .await
        .expect("panel");
    assert!(prescribed, "{panel}");
    // The OWN route waits for the pharmacy: nothing is sent to it.
    assert!(panel["calls"]
        .as_array()
        .into_iter()
        .flatten()
        .all(|c| c["kind"] != "dispensepro_order"));
    harness
        .sandbox
        .own_ship(&pharmacy, &id)
        .expect("pharmacy known");
    let (completed, panel) = client
        .wait_for(&id, Duration::from_secs(60), |p| {
            p["orderStatus"] == "COMPLETED"
        })
        .await
        .expect("panel");
    assert!(completed, "{panel}");
    assert_eq!(panel["shipping"]["carrier"], "USPS");
    harness.stop().await;
}
