//! Issue 15, "No prescription stalls before the pharmacy", end to end against the sandbox:
//! routes are re-evaluated on every order change, so a DispensePro route blocked when
//! `RX_WRITTEN` arrived (the prescriber had no NPI) is sent once the EMR's PUT fixes it, and
//! never again on later changes. Each test counts what the sandbox received.

use crate::common::ready_order;
use rxgate_host::demo::{Demo, Harness};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// How many DispensePro orders the sandbox created.
fn pharmacy_orders(harness: &Harness) -> usize {
    harness
        .sandbox
        .log()
        .iter()
        .filter(|r| r.what == "order_created")
        .count()
}

/// The diagnosis codes of the panel's blockers (anywhere under `diagnosis`).
fn mentions(panel: &Value, code: &str) -> bool {
    panel["diagnosis"].to_string().contains(code)
}

/// Waits until `done` holds for the sandbox (up to `timeout`).
async fn until(harness: &Harness, timeout: Duration, done: impl Fn(&Harness) -> bool) -> bool {
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        if done(harness) {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    done(harness)
}

/// Stores the ready DispensePro order with its prescriber's NPI removed, pays it and waits
/// until the prescription is recorded and the route is blocked on the NPI.
async fn blocked_at_rx_written() -> (Harness, Demo, String) {
    let mut order = ready_order();
    if let Some(p) = order["prescribers"][0].as_object_mut() {
        p.remove("npi");
    }
    let harness = Harness::start(&[&order], |_| {})
        .await
        .expect("harness starts");
    let client = harness.client(Instant::now());
    let id = order["order"]["id"].as_str().unwrap_or_default().to_owned();
    let (_, blocked, panel) = client
        .pay_and_wait(&order, Duration::from_secs(60), |p| {
            p["prescriptions"].as_array().is_some_and(|a| !a.is_empty())
                && mentions(p, "prescriber_npi_missing")
        })
        .await
        .expect("order stored, paid and watched");
    assert!(blocked, "the route is blocked on the NPI: {panel}");
    (harness, client, id)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_route_blocked_at_rx_written_is_sent_once_after_the_emr_fixes_it() {
    let (harness, client, id) = blocked_at_rx_written().await;
    // The event that confirmed the prescription left the route blocked: nothing was sent.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(pharmacy_orders(&harness), 0, "{:?}", harness.sandbox.log());

    // The EMR fixes the prescriber's NPI: the PUT re-evaluates the routes and queues the order.
    let mut fixed = client.snapshot(&id).await.expect("snapshot");
    fixed["prescribers"][0]["npi"] = json!("1234567893");
    client.put_order(&id, &fixed).await.expect("order updated");
    let sent = until(&harness, Duration::from_secs(30), |h| {
        pharmacy_orders(h) >= 1
    })
    .await;
    assert!(
        sent,
        "the fixed route was never sent: {:?}",
        harness.sandbox.log()
    );

    // Later changes re-evaluate the routes too, and never send the order again.
    client
        .put_order(&id, &fixed)
        .await
        .expect("order stored again");
    let (done, panel) = client
        .wait_for(&id, Duration::from_secs(60), |p| {
            p["orderStatus"] == "COMPLETED"
        })
        .await
        .expect("panel");
    assert!(
        done,
        "the order completes from the pharmacy's webhooks: {panel}"
    );
    // DispensePro's status webhooks reached the route's submission, with their event time.
    let sub = submission(&panel, "dispensePro", "ph_dp_1")
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        (
            &sub["state"],
            &sub["submitted_by"],
            &sub["partner_status"],
            &sub["partner_status_at"]
        ),
        (
            &json!("SUBMITTED"),
            &json!("RXGATE"),
            &json!("delivered"),
            &json!("2026-11-25T18:30:00Z")
        ),
        "{panel}"
    );
    assert_eq!(route_status(&panel, "ph_dp_1"), "COMPLETED", "{panel}");
    client
        .put_order(&id, &fixed)
        .await
        .expect("order stored after delivery");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(pharmacy_orders(&harness), 1, "{:?}", harness.sandbox.log());
    harness.stop().await;
}

/// The state of the order's first DispensePro submission, as the rules recorded it.
async fn dispensepro_state(client: &Demo, id: &str) -> Value {
    let snapshot = client.snapshot(id).await.expect("snapshot");
    snapshot["order"]["dispense_pro"][0]["state"].clone()
}

/// Pays the order, waits for its prescription, then until its DispensePro submission is
/// `state` (`SUBMITTED` or `FAILED`).
async fn pay_until_submission(client: &Demo, order: &Value, id: &str, state: &str) {
    client
        .pay_and_wait(order, Duration::from_secs(60), |p| {
            p["prescriptions"].as_array().is_some_and(|a| !a.is_empty())
        })
        .await
        .expect("order stored, paid and watched");
    let deadline = Instant::now() + Duration::from_secs(30);
    while dispensepro_state(client, id).await != state && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(dispensepro_state(client, id).await, state);
}

/// POSTs a staff action on the order's DispensePro route.
async fn route_action(client: &Demo, id: &str, action: &str, body: &Value) -> (u16, Value) {
    client
        .api(
            reqwest::Method::POST,
            &format!("/api/emr/orders/{id}/routes/ph_dp_1/{action}"),
            Some(body),
        )
        .await
        .expect("route action answered")
}

fn codes(problem: &Value) -> Vec<String> {
    problem["violations"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v["code"].as_str().map(str::to_owned))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dispensepro_4xx_fails_then_staff_fix_and_retry_sends_it_once_more() {
    const REFUSED_NPI: &str = "1987654328";
    let mut order = ready_order();
    order["prescribers"][0]["npi"] = json!(REFUSED_NPI);
    let harness = Harness::start(&[&order], |c| {
        c.dispensepro_refused_npis = vec![REFUSED_NPI.into()];
    })
    .await
    .expect("harness starts");
    let client = harness.client(Instant::now());
    let id = order["order"]["id"].as_str().unwrap_or_default().to_owned();
    pay_until_submission(&client, &order, &id, "FAILED").await;
    let posts = |h: &Harness| {
        h.sandbox
            .posts()
            .iter()
            .filter(|(key, _)| key.starts_with("dispensepro:"))
            .map(|(_, c)| c.posts)
            .sum::<u32>()
    };
    assert_eq!(posts(&harness), 1, "the 4xx: {:?}", harness.sandbox.log());

    // Force needs a reason; a FAILED route is not re-sent by a later change (the fix's PUT).
    let (status, problem) = route_action(&client, &id, "force", &json!({})).await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(codes(&problem), ["route_force_reason_missing"]);
    let mut fixed = client.snapshot(&id).await.expect("snapshot");
    fixed["prescribers"][0]["npi"] = json!("1234567893");
    client.put_order(&id, &fixed).await.expect("order updated");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(posts(&harness), 1, "a FAILED route waits for staff");

    // Staff retry: the rules allow it, the order goes out once more and is accepted.
    let (status, answer) = route_action(&client, &id, "retry", &json!({})).await;
    assert_eq!(status, 202, "{answer}");
    assert_eq!(answer["decision"]["allowed"], true);
    let deadline = Instant::now() + Duration::from_secs(30);
    while dispensepro_state(&client, &id).await != "SUBMITTED" && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(dispensepro_state(&client, &id).await, "SUBMITTED");
    // Once accepted, a second retry is refused: force is the way to send it again.
    let (status, problem) = route_action(&client, &id, "retry", &json!({})).await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(codes(&problem), ["route_retry_not_failed"]);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(posts(&harness), 2, "the 4xx, then one accepted");
    assert_eq!(harness.sandbox.dispensepro_orders(), 1);

    // The audit names the action, the actor and the outcome.
    let (_, logs) = client
        .api(
            reqwest::Method::GET,
            &format!("/api/emr/orders/{id}/beluga/logs"),
            None,
        )
        .await
        .expect("logs");
    let entries: Vec<(String, String, bool)> = logs
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["event"].as_str().is_some_and(|e| e.starts_with("route_")))
        .map(|e| {
            (
                e["event"].as_str().unwrap_or_default().to_owned(),
                e["outcome"].as_str().unwrap_or_default().to_owned(),
                e["actor"].is_string(),
            )
        })
        .collect();
    let expected = [
        ("route_retry", "refused"),
        ("route_retry", "queued"),
        ("route_force", "refused"),
    ];
    let expected: Vec<(String, String, bool)> = expected
        .iter()
        .map(|(e, o)| ((*e).to_owned(), (*o).to_owned(), true))
        .collect();
    assert_eq!(entries, expected, "{logs}");
    harness.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pharmacy_receives_the_prescribed_quantity_refills_and_notes() {
    let order = ready_order();
    let harness = Harness::start(&[&order], |c| {
        c.doctor_writes = Some(rxgate_sandbox::DoctorWrites {
            quantity: "3".into(),
            refills: "4".into(),
            pharmacy_notes: "Deliver to the front desk".into(),
        });
    })
    .await
    .expect("harness starts");
    let client = harness.client(Instant::now());
    client
        .pay_and_wait(&order, Duration::from_secs(60), |p| {
            p["prescriptions"].as_array().is_some_and(|a| !a.is_empty())
        })
        .await
        .expect("order stored, paid and watched");
    let sent = until(&harness, Duration::from_secs(30), |h| {
        !h.sandbox.dispensepro_bodies().is_empty()
    })
    .await;
    assert!(sent, "{:?}", harness.sandbox.log());
    let bodies = harness.sandbox.dispensepro_bodies();
    assert_eq!(bodies.len(), 1, "{bodies:?}");
    let line = &bodies[0]["lines"][0];
    // The drug configuration says quantity 1 and refills 0: the doctor's numbers win.
    assert_eq!(
        (&line["quantity"], &line["refills"]),
        (&json!("3"), &json!("4"))
    );
    assert_eq!(bodies[0]["notes"], "Deliver to the front desk");
    harness.stop().await;
}

// ---------------------------------------------------------------------------------------
// DispensePro manual actions (issue 15 item 3)
// ---------------------------------------------------------------------------------------

/// The doctor writes `quantity` and `refills` on every med, no pharmacy notes.
fn doctor_writes(quantity: &str, refills: &str) -> Option<rxgate_sandbox::DoctorWrites> {
    Some(rxgate_sandbox::DoctorWrites {
        quantity: quantity.into(),
        refills: refills.into(),
        pharmacy_notes: String::new(),
    })
}

/// POSTs a DispensePro manual action on the order's DispensePro route.
async fn dispensepro_action(client: &Demo, id: &str, action: &str, body: &Value) -> (u16, Value) {
    route_action(client, id, &format!("dispensepro/{action}"), body).await
}

/// How many manual-action requests of `what` (`order_status`, `order_refill`, `order_void`)
/// the sandbox's DispensePro received.
fn sandbox_actions(harness: &Harness, what: &str) -> usize {
    harness
        .sandbox
        .log()
        .iter()
        .filter(|r| r.partner == "dispensepro" && r.what == what)
        .count()
}

/// The order's first DispensePro submission as the rules recorded it.
async fn dispensepro_submission(client: &Demo, id: &str) -> Value {
    let snapshot = client.snapshot(id).await.expect("snapshot");
    snapshot["order"]["dispense_pro"][0].clone()
}

/// The audit entries of the DispensePro manual actions: (event, outcome, actor present).
async fn dispensepro_audit(client: &Demo, id: &str) -> Vec<(String, String, bool)> {
    let (_, logs) = client
        .api(
            reqwest::Method::GET,
            &format!("/api/emr/orders/{id}/beluga/logs?limit=100"),
            None,
        )
        .await
        .expect("logs");
    let mut entries: Vec<Value> = logs.as_array().cloned().unwrap_or_default();
    entries.sort_by_key(|e| e["at"].as_i64().unwrap_or(0));
    entries
        .iter()
        .filter(|e| {
            let actions = [
                "dispensepro_status",
                "dispensepro_refill",
                "dispensepro_void",
            ];
            e["event"].as_str().is_some_and(|e| actions.contains(&e))
        })
        .map(|e| {
            (
                e["event"].as_str().unwrap_or_default().to_owned(),
                e["outcome"].as_str().unwrap_or_default().to_owned(),
                e["actor"].is_string(),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dispensepro_actions_before_the_prescription_are_refused_and_nothing_is_sent() {
    let order = ready_order();
    let harness = Harness::start(&[&order], |_| {})
        .await
        .expect("harness starts");
    let client = harness.client(Instant::now());
    let id = order["order"]["id"].as_str().unwrap_or_default().to_owned();
    // Stored, never paid: no visit, no prescription confirmation.
    client.put_order(&id, &order).await.expect("order stored");
    for (action, body) in [
        ("status", json!({})),
        ("refill", json!({})),
        ("void", json!({"reason": "patient changed their mind"})),
    ] {
        let (status, problem) = dispensepro_action(&client, &id, action, &body).await;
        assert_eq!(status, 422, "{action}: {problem}");
        assert_eq!(codes(&problem), ["rx_not_confirmed"], "{action}: {problem}");
        assert_eq!(problem["decision"]["allowed"], false);
    }
    for what in ["order_status", "order_refill", "order_void"] {
        assert_eq!(sandbox_actions(&harness, what), 0, "{what}");
    }
    let audit = dispensepro_audit(&client, &id).await;
    let expected: Vec<(String, String, bool)> = ["status", "refill", "void"]
        .iter()
        .map(|a| (format!("dispensepro_{a}"), "refused".to_owned(), true))
        .collect();
    assert_eq!(audit, expected);
    harness.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dispensepro_order_is_voided_before_it_ships_and_never_refilled() {
    let order = ready_order();
    // DispensePro takes a minute to ship: the order stays `submitted` for the test.
    let harness = Harness::start(&[&order], |c| c.pharmacy_delay_ms = 60_000)
        .await
        .expect("harness starts");
    let client = harness.client(Instant::now());
    let id = order["order"]["id"].as_str().unwrap_or_default().to_owned();
    pay_until_submission(&client, &order, &id, "SUBMITTED").await;

    // Get status: DispensePro's answer lands on the submission.
    let (status, answer) = dispensepro_action(&client, &id, "status", &json!({})).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["outcome"]["partner_status"], "submitted");
    assert_eq!(sandbox_actions(&harness, "order_status"), 1);

    // A void needs a reason (nothing sent without one); with one, DispensePro voids it.
    let (status, problem) = dispensepro_action(&client, &id, "void", &json!({})).await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(codes(&problem), ["dispensepro_void_reason_missing"]);
    assert_eq!(sandbox_actions(&harness, "order_void"), 0);
    let reason = json!({"reason": "patient cancelled before shipment"});
    let (status, answer) = dispensepro_action(&client, &id, "void", &reason).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["outcome"]["partner_status"], "voided");
    assert_eq!(
        dispensepro_submission(&client, &id).await["partner_status"],
        "voided"
    );

    // A voided order is neither refilled nor voided again: refused, nothing sent.
    let (status, problem) = dispensepro_action(&client, &id, "refill", &json!({})).await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(codes(&problem), ["dispensepro_already_voided"]);
    let (status, problem) = dispensepro_action(&client, &id, "void", &reason).await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(codes(&problem), ["dispensepro_already_voided"]);
    assert_eq!(sandbox_actions(&harness, "order_void"), 1);
    assert_eq!(sandbox_actions(&harness, "order_refill"), 0);

    let audit = dispensepro_audit(&client, &id).await;
    let outcomes: Vec<(&str, &str)> = audit
        .iter()
        .map(|(e, o, actor)| {
            assert!(actor, "every entry names its actor");
            (e.as_str(), o.as_str())
        })
        .collect();
    assert_eq!(
        outcomes,
        [
            ("dispensepro_status", "success"),
            ("dispensepro_void", "refused"),
            ("dispensepro_void", "success"),
            ("dispensepro_refill", "refused"),
            ("dispensepro_void", "refused"),
        ]
    );
    harness.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_delivered_dispensepro_order_is_refilled_while_refills_last_and_never_voided() {
    let order = ready_order();
    let harness = Harness::start(&[&order], |c| {
        c.doctor_writes = doctor_writes("1", "1");
    })
    .await
    .expect("harness starts");
    let client = harness.client(Instant::now());
    let id = order["order"]["id"].as_str().unwrap_or_default().to_owned();
    let (_, done, panel) = client
        .pay_and_wait(&order, Duration::from_secs(90), |p| {
            p["orderStatus"] == "COMPLETED"
        })
        .await
        .expect("order stored, paid and watched");
    assert!(done, "the order is delivered: {panel}");

    // Before a refill: voiding a delivered order is refused.
    let reason = json!({"reason": "too late"});
    let (status, problem) = dispensepro_action(&client, &id, "void", &reason).await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(codes(&problem), ["dispensepro_void_after_shipped"]);

    // One refill written, one refill sent.
    let (status, answer) = dispensepro_action(&client, &id, "refill", &json!({})).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["decision"]["refills_left"], 1);
    assert!(answer["outcome"]["refill_id"].is_string(), "{answer}");
    let refills = dispensepro_submission(&client, &id).await["refills"].clone();
    assert_eq!(refills.as_array().map(Vec::len), Some(1), "{refills}");
    assert!(refills[0]["by"].is_string(), "the refill names who asked");
    let (status, problem) = dispensepro_action(&client, &id, "refill", &json!({})).await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(codes(&problem), ["dispensepro_no_refills_left"]);
    assert_eq!(sandbox_actions(&harness, "order_refill"), 1);
    assert_eq!(sandbox_actions(&harness, "order_void"), 0);

    // The status of the delivered order lands on the submission.
    let (status, answer) = dispensepro_action(&client, &id, "status", &json!({})).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["outcome"]["partner_status"], "delivered");
    assert_eq!(
        dispensepro_submission(&client, &id).await["partner_status"],
        "delivered"
    );
    harness.stop().await;
}

// ---------------------------------------------------------------------------------------
// NEW_RX_SENT end to end (issue 15 item 4)
// ---------------------------------------------------------------------------------------

/// The staff's updateVisit resend of the order's visit: its preference (from the order's
/// items), its Beluga pharmacy and `masterId`.
fn resend_body(order: &Value, master_id: &str) -> Value {
    let drug = &order["items"][0]["drug"];
    json!({
        "masterId": master_id,
        "pharmacyId": order["pharmacies"][0]["beluga_id"],
        "patientPreference": [{
            "name": drug["name"], "strength": drug["strength"], "quantity": drug["quantity"],
            "refills": drug["refills"], "medId": drug["beluga_med_id"],
            "daysSupply": drug["days_supply"],
        }],
    })
}

/// Pays the order and waits until the sandbox doctor's `event` webhook is delivered or given
/// up; answers the order's `masterId`.
async fn concluded(harness: &Harness, client: &Demo, order: &Value, event: &str) -> String {
    let id = order["order"]["id"].as_str().unwrap_or_default();
    client
        .pay_and_wait(order, Duration::from_secs(60), |p| {
            p["masterId"].is_string()
        })
        .await
        .expect("order stored and paid");
    let delivered = until(harness, Duration::from_secs(60), |h| {
        h.sandbox.deliveries().iter().any(|d| d.event == event)
    })
    .await;
    assert!(delivered, "{:?}", harness.sandbox.deliveries());
    let snapshot = client.snapshot(id).await.expect("snapshot");
    snapshot["order"]["beluga"]["master_id"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resend_answered_new_rx_sent_reaches_the_pharmacy_once() {
    let order = ready_order();
    // Beluga's webhooks are lost (a secret the service does not know): the doctor's
    // RX_WRITTEN never arrives, so only the resend can confirm the prescription.
    let harness = Harness::start(&[&order], |c| {
        c.beluga_webhook_secret = "a secret the service does not hold".into();
        c.webhook_attempts = 1;
        c.webhook_retry_ms = 10;
        c.doctor_writes = doctor_writes("2", "3");
    })
    .await
    .expect("harness starts");
    let client = harness.client(Instant::now());
    let id = order["order"]["id"].as_str().unwrap_or_default().to_owned();
    let master_id = concluded(&harness, &client, &order, "RX_WRITTEN").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(pharmacy_orders(&harness), 0, "no confirmation, no order");

    let (status, answer) = client
        .api(
            reqwest::Method::POST,
            &format!("/api/emr/orders/{id}/update-visit"),
            Some(&resend_body(&order, &master_id)),
        )
        .await
        .expect("resend answered");
    assert_eq!(status, 202, "{answer}");
    let sent = until(&harness, Duration::from_secs(30), |h| {
        pharmacy_orders(h) >= 1
    })
    .await;
    assert!(
        sent,
        "NEW_RX_SENT never reached the pharmacy: {:?}",
        harness.sandbox.log()
    );
    let snapshot = client.snapshot(&id).await.expect("snapshot");
    let prescriptions = snapshot["order"]["prescriptions"].as_array().cloned();
    assert_eq!(
        prescriptions
            .unwrap_or_default()
            .iter()
            .map(|p| (p["source"].clone(), p["item_id"].clone()))
            .collect::<Vec<_>>(),
        [(json!("NEW_RX_SENT"), json!("item_1"))]
    );
    // The pharmacy holds one order with the prescribed item as the doctor wrote it.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(pharmacy_orders(&harness), 1);
    let bodies = harness.sandbox.dispensepro_bodies();
    let lines = bodies[0]["lines"].as_array().cloned().unwrap_or_default();
    let line = |k: &str| lines.first().map(|l| l[k].clone());
    assert_eq!(lines.len(), 1, "{bodies:?}");
    assert_eq!(
        line("ndc"),
        Some(order["items"][0]["drug"]["dispense_pro"]["ndc"].clone())
    );
    assert_eq!(
        (line("quantity"), line("refills")),
        (Some(json!("2")), Some(json!("3")))
    );
    harness.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resend_refused_as_referred_is_shown_to_staff_with_its_class_and_guidance() {
    let order = ready_order();
    let phone = order["patient"]["phone"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let harness = Harness::start(&[&order], |c| {
        c.scenarios.insert(phone, rxgate_sandbox::Scenario::Refer);
    })
    .await
    .expect("harness starts");
    let client = harness.client(Instant::now());
    let id = order["order"]["id"].as_str().unwrap_or_default().to_owned();
    let master_id = concluded(&harness, &client, &order, "CONSULT_CONCLUDED").await;
    let (status, answer) = client
        .api(
            reqwest::Method::POST,
            &format!("/api/emr/orders/{id}/update-visit"),
            Some(&resend_body(&order, &master_id)),
        )
        .await
        .expect("resend answered");
    assert_eq!(status, 202, "{answer}");
    let (parked, panel) = client
        .wait_for(&id, Duration::from_secs(30), |p| {
            crate::common::has_call(p, "beluga_update_visit", "failed")
        })
        .await
        .expect("panel");
    assert!(parked, "{panel}");
    let call = panel["calls"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|c| c["kind"] == "beluga_update_visit")
        .cloned()
        .unwrap_or_default();
    // The class and the guidance are the core's (decisions.md §2: permanent, a new visit).
    assert_eq!(call["class"], "permanent", "{call}");
    let error = call["lastError"].as_str().unwrap_or_default();
    assert!(
        error.starts_with("permanent: VISIT_WAS_REFERRED — "),
        "{error}"
    );
    assert!(error.contains("new visit"), "{error}");
    assert_eq!(
        call["guidance"],
        error.split(" — ").nth(1).unwrap_or("?"),
        "{call}"
    );
    // The failure list shows it with its CS guidance, and the rules never re-arm it.
    let failure = panel["failures"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|f| f["kind"] == "beluga_update_visit")
        .cloned()
        .unwrap_or_default();
    assert_eq!(failure["class"], "permanent", "{panel}");
    assert_eq!(failure["message"], "VISIT_WAS_REFERRED", "{failure}");
    assert!(
        failure["guidance"]
            .as_str()
            .unwrap_or_default()
            .contains("new visit"),
        "{failure}"
    );
    assert_eq!(failure["retry"]["allowed"], false, "{failure}");
    let (status, refused) = client
        .api(
            reqwest::Method::POST,
            &format!(
                "/api/emr/orders/{id}/beluga/calls/{}/retry",
                failure["callId"]
            ),
            None,
        )
        .await
        .expect("retry answered");
    assert_eq!(status, 422, "{refused}");
    let codes = refused["violations"].to_string();
    assert!(codes.contains("beluga_call_permanent"), "{refused}");
    assert_eq!(pharmacy_orders(&harness), 0);
    harness.stop().await;
}

/// The Belmar order whose items go to two LifeFile pharmacies, from the checkout (the fixture
/// is captured after the prescription), as the demo starts it.
fn split_order() -> Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures/order-belmar-split.json");
    let mut order: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap_or_default())
        .unwrap_or(Value::Null);
    order["order"]["beluga"] = json!({});
    order["order"]["prescriptions"] = json!([]);
    order["order"]["life_file"] = json!([]);
    if let Some(o) = order["order"].as_object_mut() {
        o.remove("photo_id_status");
    }
    order
}

/// The LifeFile orders the sandbox created for `pharmacy`.
fn lifefile_orders(harness: &Harness, pharmacy: &str) -> u32 {
    harness
        .sandbox
        .posts()
        .iter()
        .filter(|(key, _)| key.starts_with(&format!("lifefile:{pharmacy}:")))
        .map(|(_, count)| count.posts)
        .sum()
}

/// The panel's submission of `pharmacy` in `list` (`lifeFile` or `dispensePro`).
fn submission<'a>(panel: &'a Value, list: &str, pharmacy: &str) -> Option<&'a Value> {
    panel[list]
        .as_array()?
        .iter()
        .find(|s| s["pharmacy_id"] == pharmacy)
}

/// The status the panel shows for the route to `pharmacy`.
fn route_status<'a>(panel: &'a Value, pharmacy: &str) -> &'a Value {
    panel["routeStatuses"]
        .as_array()
        .and_then(|routes| routes.iter().find(|r| r["pharmacy_id"] == pharmacy))
        .map_or(&Value::Null, |r| &r["status"])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lifefile_error_answer_leaves_the_route_failed_with_its_messages_shown() {
    const MESSAGE: &str = "lfProductID 88120 is not active for practice 1123";
    let order = split_order();
    let harness = Harness::start(&[&order], |c| {
        c.lifefile_refusals
            .insert("ph_belmar_fl".into(), vec![MESSAGE.into()]);
    })
    .await
    .expect("harness starts");
    let client = harness.client(Instant::now());
    let (_, failed, panel) = client
        .pay_and_wait(&order, Duration::from_secs(60), |p| {
            submission(p, "lifeFile", "ph_belmar_fl").is_some_and(|s| s["state"] == "FAILED")
        })
        .await
        .expect("order stored, paid and watched");
    assert!(failed, "the refused LifeFile order is FAILED: {panel}");
    // HTTP 200 with LifeFile's error shape is a failure, never a submission; its messages are
    // on the route's submission and in the escalation bundle, for staff.
    let refused = submission(&panel, "lifeFile", "ph_belmar_fl").cloned();
    assert_eq!(
        refused.as_ref().map(|s| &s["partner_messages"]),
        Some(&json!([MESSAGE])),
        "{panel}"
    );
    assert!(mentions(&panel, "fulfillment_submission_failed"), "{panel}");
    let bundle = panel["diagnosis"]["bundle"]["integrations"].to_string();
    assert!(bundle.contains(MESSAGE), "{bundle}");
    // The error text is rxgate's own; the outbox's summary carries no partner text.
    let error = refused
        .map(|s| s["submit_error"].to_string())
        .unwrap_or_default();
    assert!(
        error.contains("lifefile") || error.contains("LifeFile"),
        "{error}"
    );
    assert!(!error.contains("88120"), "{error}");
    assert!(!panel["calls"].to_string().contains("88120"), "{panel}");
    // Refused once, not retried by itself (a fix and a staff retry send it again); the other
    // pharmacy's order went through.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        lifefile_orders(&harness, "ph_belmar_fl"),
        1,
        "{:?}",
        harness.sandbox.posts()
    );
    assert_eq!(
        lifefile_orders(&harness, "ph_belmar_co"),
        1,
        "{:?}",
        harness.sandbox.posts()
    );
    harness.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_split_order_completes_only_when_both_lifefile_orders_are_delivered() {
    let order = split_order();
    let harness = Harness::start(&[&order], |c| {
        c.lifefile_held_deliveries = vec!["ph_belmar_fl".into()];
    })
    .await
    .expect("harness starts");
    let client = harness.client(Instant::now());
    let id = order["order"]["id"].as_str().unwrap_or_default().to_owned();
    let (_, one_delivered, panel) = client
        .pay_and_wait(&order, Duration::from_secs(60), |p| {
            route_status(p, "ph_belmar_co") == "COMPLETED"
                && route_status(p, "ph_belmar_fl") == "SHIPPED"
        })
        .await
        .expect("order stored, paid and watched");
    assert!(
        one_delivered,
        "one route delivered, the other shipped: {panel}"
    );
    // One LifeFile order delivered does not complete the split order.
    assert_eq!(panel["orderStatus"], "SHIPPED", "{panel}");
    tokio::time::sleep(Duration::from_millis(500)).await;
    let panel = client.panel(&id).await.expect("panel");
    assert_eq!(panel["orderStatus"], "SHIPPED", "{panel}");
    assert!(!mentions(&panel, "status_mismatch"), "{panel}");

    // The second pharmacy delivers: now every route is delivered.
    assert_eq!(
        harness.sandbox.lifefile_deliver("ph_belmar_fl").ok(),
        Some(1)
    );
    let (done, panel) = client
        .wait_for(&id, Duration::from_secs(30), |p| {
            p["orderStatus"] == "COMPLETED"
        })
        .await
        .expect("panel");
    assert!(
        done,
        "both LifeFile orders delivered complete the order: {panel}"
    );
    assert_eq!(route_status(&panel, "ph_belmar_fl"), "COMPLETED", "{panel}");
    assert_eq!(lifefile_orders(&harness, "ph_belmar_co"), 1);
    assert_eq!(lifefile_orders(&harness, "ph_belmar_fl"), 1);
    harness.stop().await;
}
