//! End to end through real HTTP (issue 7): the service, its rules in wasmtime and SQLite,
//! against the partner sandbox on loopback. A phone Beluga refuses makes the submission
//! `FAILED` with class `fix_patient_data`; staff correct the phone and retry with the same
//! masterId, and the order is `SUBMITTED`, then fulfilled. (The paid order's walk to
//! `COMPLETED` is `faults.rs`, with and without faults.)

use crate::common::{ready_order, JPEG};
use rxgate_host::demo::{Demo, Harness};
use rxgate_sandbox::Scenario;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// Stores `order`, pays it, and waits (up to a minute) until `done` holds for its panel.
async fn pay_and_wait(
    client: &Demo,
    order: &Value,
    done: impl Fn(&Value) -> bool,
) -> (bool, Value) {
    let (_, reached, panel) = client
        .pay_and_wait(order, Duration::from_secs(60), done)
        .await
        .expect("order stored, paid and watched");
    (reached, panel)
}

/// A harness for `order` (calm partners), its client, and the order stored; answers its id.
async fn stored(order: &Value) -> (Harness, Demo, String) {
    let harness = Harness::start(&[order], |_| {})
        .await
        .expect("harness starts");
    let client = harness.client(Instant::now());
    let id = order["order"]["id"].as_str().unwrap_or_default().to_owned();
    client.put_order(&id, order).await.expect("order stored");
    (harness, client, id)
}

/// The ready order with the doctor's `scenario` (keyed by its patient's phone).
async fn start_with(order: &Value, scenario: Scenario) -> Harness {
    let phone = order["patient"]["phone"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    Harness::start(&[order], |c| {
        c.scenarios.insert(phone, scenario);
    })
    .await
    .expect("harness starts")
}

/// The kinds of an order's activities, as staff see them, with their patient visibility.
async fn activities(client: &Demo, id: &str) -> Vec<(String, bool)> {
    let (status, list) = client
        .api(
            reqwest::Method::GET,
            &format!("/api/emr/orders/{id}/messages"),
            None,
        )
        .await
        .expect("messages");
    assert_eq!(status, 200, "{list}");
    list.as_array()
        .into_iter()
        .flatten()
        .map(|a| {
            (
                a["kind"].as_str().unwrap_or_default().to_owned(),
                a["patient_visible"] == true,
            )
        })
        .collect()
}

fn notification_kinds(panel: &Value) -> Vec<String> {
    panel["notifications"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|n| n["kind"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn phone_error_then_staff_fix_and_retry_submits_with_the_same_master_id() {
    let mut order = ready_order();
    order["patient"]["phone"] = json!("5129460183");
    let harness = Harness::start(&[&order], |c| c.refused_phones = vec!["5129460183".into()])
        .await
        .expect("harness starts");
    let client = harness.client(Instant::now());
    let id = order["order"]["id"].as_str().unwrap_or_default().to_owned();
    let (failed, panel) =
        pay_and_wait(&client, &order, |p| p["belugaSubmitStatus"] == "FAILED").await;
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
    let order = ready_order();
    let (harness, client, id) = stored(&order).await;

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
            Some(&json!({"content": "Please confirm the shipping address."})),
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
    let mut order = ready_order();
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
    let (prescribed, panel) = pay_and_wait(&client, &order, |p| {
        p["prescriptions"].as_array().is_some_and(|a| !a.is_empty())
    })
    .await;
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn beluga_own_pharmacy_ships_and_delivers_through_beluga_events() {
    let mut order = ready_order();
    order["pharmacies"][0]["type"] = json!("BELUGA");
    let harness = Harness::start(&[&order], |_| {})
        .await
        .expect("harness starts");
    let client = harness.client(Instant::now());
    let (completed, panel) =
        pay_and_wait(&client, &order, |p| p["orderStatus"] == "COMPLETED").await;
    assert!(completed, "{panel}");
    // Beluga fills it: no pharmacy order was sent anywhere, the tracking is Beluga's.
    assert!(panel["calls"]
        .as_array()
        .into_iter()
        .flatten()
        .all(|c| c["kind"] != "dispensepro_order" && c["kind"] != "lifefile_order"));
    let tracking = panel["shipping"]["tracking"].as_str().unwrap_or_default();
    assert!(tracking.starts_with("1Z999BG"), "{panel}");
    assert_eq!(panel["shipping"]["carrier"], "UPS");
    let log = harness.sandbox.log();
    assert!(log
        .iter()
        .any(|r| r.what == "webhook PHARMACY_ORDER_DELIVERED"));
    assert!(!log.iter().any(|r| r.what == "order_created"));
    // Shipped and delivered each notify the patient once, although both the pharmacy and the
    // package events report them.
    let mut kinds = notification_kinds(&panel);
    kinds.sort();
    assert_eq!(kinds, ["delivered", "shipped"], "{panel}");

    // The clinic app's messaging pulls them and reports each once.
    let list = |query: &'static str| {
        let client = &client;
        async move {
            let (status, list) = client
                .api(
                    reqwest::Method::GET,
                    &format!("/api/emr/notifications{query}"),
                    None,
                )
                .await
                .expect("notifications");
            assert_eq!(status, 200, "{list}");
            list.as_array().cloned().unwrap_or_default()
        }
    };
    let pending = list("").await;
    assert_eq!(pending.len(), 2, "{pending:?}");
    assert!(pending
        .iter()
        .all(|n| n["status"] == "pending" && n["order_id"] == "ord_5521"));
    let first = pending[0]["id"].as_i64().unwrap_or_default();
    let settle = |id: i64, status: &'static str| {
        let client = &client;
        async move {
            client
                .api(
                    reqwest::Method::POST,
                    &format!("/api/emr/notifications/{id}/settle"),
                    Some(&json!({ "status": status })),
                )
                .await
                .expect("settle")
                .0
        }
    };
    assert_eq!(settle(first, "sent").await, 200);
    assert_eq!(settle(first, "sent").await, 409, "settled once only");
    assert_eq!(settle(first, "lost").await, 422);
    assert_eq!(list("").await.len(), 1);
    assert_eq!(list("?status=sent").await[0]["id"], first);
    let (status, _) = client
        .api(
            reqwest::Method::GET,
            "/api/emr/notifications?status=maybe",
            None,
        )
        .await
        .expect("notifications");
    assert_eq!(status, 400);
    harness.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn labs_keep_the_requisition_and_the_booking_before_the_prescription() {
    let order = ready_order();
    let harness = start_with(&order, Scenario::LabsThenPrescribe).await;
    let client = harness.client(Instant::now());
    let id = order["order"]["id"].as_str().unwrap_or_default().to_owned();
    let (done, panel) = pay_and_wait(&client, &order, |p| {
        p["orderStatus"] == "COMPLETED" && p["labMilestone"] == "results"
    })
    .await;
    assert!(done, "{panel}");
    // The requisition PDF is stored as a document (listed without its content).
    let documents = panel["documents"].as_array().cloned().unwrap_or_default();
    assert_eq!(documents.len(), 1, "{panel}");
    assert_eq!(documents[0]["kind"], "lab_requisition");
    assert_eq!(documents[0]["mime"], "application/pdf");
    assert!(documents[0]["base64Length"].as_u64().unwrap_or(0) > 100);
    assert!(documents[0].get("content_base64").is_none());
    let kinds = activities(&client, &id).await;
    assert!(
        kinds.contains(&("APPOINTMENT_UPDATE".to_owned(), true)),
        "{kinds:?}"
    );
    // Issue 16 item 3: the kit's and the sample's trips with carrier and tracking; the booking
    // link reaches the patient (a notification, the portal view); the requisition downloads
    // as a PDF for staff and for the patient, and not for another patient.
    let trips: Vec<(&str, &str)> = panel["labShipments"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|s| {
            (
                s["milestone"].as_str().unwrap_or_default(),
                s["carrier"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    assert!(
        trips
            .iter()
            .any(|(m, c)| *m == "lab_kit_shipped" && !c.is_empty()),
        "{panel}"
    );
    assert!(
        trips
            .iter()
            .any(|(m, c)| *m == "lab_sample_shipped" && !c.is_empty()),
        "{panel}"
    );
    assert!(
        panel["labShipments"].to_string().contains("tracking"),
        "{panel}"
    );
    let link = panel["labBookingLink"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(link.starts_with("https://"), "{panel}");
    assert!(
        notification_kinds(&panel).contains(&"lab_results".to_owned()),
        "{panel}"
    );
    let path = format!("/api/emr/orders/{id}/documents/0");
    let (status, mime, pdf) = client.download(&path, None).await.expect("staff download");
    assert_eq!((status, mime.as_str()), (200, "application/pdf"));
    assert!(pdf.starts_with(b"%PDF"), "a PDF");
    let patient = order["patient"]["id"].as_str().unwrap_or_default();
    let mine = client.portal_token(patient).await.expect("token");
    let (status, view) = client
        .portal(
            reqwest::Method::GET,
            &format!("/api/portal/orders/{id}"),
            &mine,
            None,
        )
        .await
        .expect("view");
    assert_eq!(status, 200, "{view}");
    assert_eq!(view["lab"]["bookingLink"], link.as_str(), "{view}");
    assert_eq!(
        view["lab"]["documents"][0]["kind"], "lab_requisition",
        "{view}"
    );
    let path = format!("/api/portal/orders/{id}/documents/0");
    let (status, mime, bytes) = client
        .download(&path, Some(&mine))
        .await
        .expect("patient download");
    assert_eq!((status, mime.as_str()), (200, "application/pdf"));
    assert_eq!(bytes, pdf);
    let theirs = client
        .portal_token("pat_someone_else")
        .await
        .expect("token");
    let (status, _, _) = client
        .download(&path, Some(&theirs))
        .await
        .expect("other patient");
    assert_eq!(status, 404);
    harness.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn doctor_chat_reaches_the_portal_and_the_patient_answers_with_a_picture() {
    let order = ready_order();
    let harness = start_with(&order, Scenario::ChatThenPrescribe).await;
    let client = harness.client(Instant::now());
    let id = order["order"]["id"].as_str().unwrap_or_default().to_owned();
    let (prescribed, panel) = pay_and_wait(&client, &order, |p| {
        p["prescriptions"].as_array().is_some_and(|a| !a.is_empty())
    })
    .await;
    assert!(prescribed, "{panel}");
    let kinds = activities(&client, &id).await;
    assert!(
        kinds.contains(&("BELUGA_DOCTOR_CHAT".to_owned(), true)),
        "the doctor's chat is patient-visible: {kinds:?}"
    );
    assert!(
        notification_kinds(&panel).contains(&"doctor_message".to_owned()),
        "{panel}"
    );
    // The stored, visible doctor message is what the rules read: no escalation for it
    // (issue 16 item 5; before, every doctor chat raised one).
    let codes: Vec<&str> = panel["diagnosis"]["escalations"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| r["code"].as_str())
        .collect();
    assert!(!codes.contains(&"doctor_message_not_visible"), "{codes:?}");
    let diagnosis = panel["diagnosis"].to_string();
    assert!(
        !diagnosis.contains("doctor_message_not_visible"),
        "{diagnosis}"
    );
    // Staff write to Beluga admin; the patient answers the doctor from the portal, with a
    // picture: each reaches its own endpoint, the picture as an isMedia chat.
    let (status, queued) = client
        .api(
            reqwest::Method::POST,
            &format!("/api/emr/orders/{id}/messages"),
            Some(&json!({"content": "Please confirm the shipping address."})),
        )
        .await
        .expect("message");
    assert_eq!(status, 202, "{queued}");
    let patient = order["patient"]["id"].as_str().unwrap_or_default();
    let token = &client.portal_token(patient).await.expect("token");
    let thread = format!("/api/portal/orders/{id}/messages");
    let chat = json!({"content": "Thank you, noted.", "images": [JPEG]});
    let (status, queued) = client
        .portal(reqwest::Method::POST, &thread, token, Some(&chat))
        .await
        .expect("chat");
    assert_eq!(status, 202, "{queued}");
    let deadline = Instant::now() + Duration::from_secs(30);
    let received = |what: &str| harness.sandbox.log().iter().any(|r| r.what == what);
    while !(received("chat_received")
        && received("chat_media_received")
        && received("cs_message_received"))
    {
        assert!(Instant::now() < deadline, "{:?}", harness.sandbox.log());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // The thread shows the doctor's message and the patient's.
    let (status, list) = client
        .portal(reqwest::Method::GET, &thread, token, None)
        .await
        .expect("thread");
    assert_eq!(status, 200, "{list}");
    let kinds: Vec<&str> = list
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|a| a["kind"].as_str())
        .collect();
    assert!(kinds.contains(&"BELUGA_DOCTOR_CHAT"), "{list}");
    assert!(kinds.contains(&"PATIENT_CHAT_SENT"), "{list}");
    harness.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_visit_the_doctor_cancels_is_closed_without_prescription_or_pharmacy_order() {
    let order = ready_order();
    let harness = start_with(&order, Scenario::Cancel).await;
    let client = harness.client(Instant::now());
    let (canceled, panel) =
        pay_and_wait(&client, &order, |p| p["belugaVisitStatus"] == "canceled").await;
    assert!(canceled, "{panel}");
    assert_eq!(panel["belugaResolvedStatus"], "closed");
    assert_eq!(panel["prescriptions"], json!([]));
    // Give a wrongly queued pharmacy order time to show, then check there is none.
    tokio::time::sleep(Duration::from_millis(800)).await;
    let panel = client
        .panel(order["order"]["id"].as_str().unwrap_or_default())
        .await
        .expect("panel");
    assert!(
        panel["calls"]
            .as_array()
            .into_iter()
            .flatten()
            .all(|c| c["kind"] != "dispensepro_order"),
        "{panel}"
    );
    assert!(!harness
        .sandbox
        .log()
        .iter()
        .any(|r| r.what == "order_created"));
    harness.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_photo_id_follows_the_visit_and_its_status_is_kept() {
    let order = ready_order();
    let (harness, client, id) = stored(&order).await;
    let path = format!("/api/emr/orders/{id}/photo-id");
    // Not a JPEG: refused with the violation's path, nothing stored.
    let (status, refused) = client
        .api(
            reqwest::Method::PUT,
            &path,
            Some(&json!({"images": [{"mime": "image/jpeg", "data": "aGVsbG8="}]})),
        )
        .await
        .expect("upload");
    assert_eq!(status, 422, "{refused}");
    assert!(refused.to_string().contains("/images/0/data"), "{refused}");
    // Before the visit exists the photo ID is stored, not sent.
    let photo =
        json!({"images": [{"mime": "image/jpeg", "data": "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAA=="}]});
    let (status, stored) = client
        .api(reqwest::Method::PUT, &path, Some(&photo))
        .await
        .expect("upload");
    assert_eq!(status, 202, "{stored}");
    assert_eq!(stored["status"], "stored");
    // Paid: the visit is created, then the photo ID goes to Beluga with its visitId.
    let (sent, panel) = pay_and_wait(&client, &order, |p| {
        crate::common::has_call(p, "beluga_photo_id", "done")
    })
    .await;
    assert!(sent, "{panel}");
    let visit_id = panel["belugaVisitId"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(harness
        .sandbox
        .log()
        .iter()
        .any(|r| r.what == "photo_received" && r.subject == visit_id));
    let snapshot = client.snapshot(&id).await.expect("snapshot");
    assert_eq!(snapshot["order"]["photo_id_status"], "SENT", "{snapshot}");
    harness.stop().await;
}

/// Issue 16 item 1: Beluga sends no webhook for a visit's progress; the panel follows it
/// (pending → active → resolved, each with its `updateTimestamp`) from the scheduler's visit
/// fetches alone, and the schedule stops at the terminal status. The sandbox's doctor is
/// stepped by the test (`advance_visit`), so nothing here waits on a timer to be right.
#[tokio::test(flavor = "multi_thread")]
async fn visit_status_moves_in_the_panel_from_fetches_alone() {
    let order = ready_order();
    let phone = order["patient"]["phone"].as_str().unwrap().to_owned();
    let (sandbox, mut config) = Harness::partners(&[&order], |c| {
        c.scenarios.insert(phone, Scenario::SilentPrescribe);
        c.doctor_delay_ms = 3_600_000;
    })
    .await
    .expect("partners start");
    config.visit_fetch.tick_ms = 20;
    config.visit_fetch.base_ms = 50;
    config.visit_fetch.max_ms = 200;
    let data_dir = config.data_dir.clone();
    let service = rxgate_host::service::start(config)
        .await
        .expect("service starts");
    sandbox.set_service_url(&service.url());
    let harness = Harness {
        sandbox,
        service,
        data_dir,
    };
    let client = harness.client(Instant::now());
    let id = order["order"]["id"].as_str().unwrap().to_owned();
    let status = |p: &Value, s: &str| p["belugaVisitStatus"] == s;

    let (pending, panel) = pay_and_wait(&client, &order, |p| status(p, "pending")).await;
    assert!(pending, "{panel}");
    let first_at = panel["belugaVisitUpdatedAt"].as_str().unwrap().to_owned();
    let master = panel["masterId"].as_str().unwrap().to_owned();
    assert_eq!(panel["visitFetch"]["state"], "open", "{panel}");

    // Staff refresh: a visit fetch queued now, the patient fetched while staff wait (counts
    // only); the same Idempotency-Key replays the answer.
    let refresh = || async {
        reqwest::Client::new()
            .post(format!(
                "{}/api/emr/orders/{id}/beluga/refresh",
                harness.service.url()
            ))
            .bearer_auth(rxgate_host::demo::EMR_KEY)
            .header("idempotency-key", "refresh-1")
            .send()
            .await
            .expect("refresh answers")
    };
    let first = refresh().await;
    assert_eq!(first.status(), 202);
    let body: Value = first.json().await.unwrap();
    assert_eq!(body["visit"], "queued", "{body}");
    assert_eq!(body["patient"]["found"], true, "{body}");
    assert_eq!(body["patient"]["includesThisVisit"], true, "{body}");
    assert!(
        !body.to_string().contains("Maria"),
        "no patient data: {body}"
    );
    let again = refresh().await;
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    let logs = client.logs(&id).await.expect("logs");
    let refreshes: Vec<&Value> = logs
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["event"] == "beluga_refresh")
        .collect();
    assert_eq!(refreshes.len(), 1, "one refresh queued: {logs}");
    assert!(refreshes[0]["actor"].is_string(), "{logs}");

    assert_eq!(harness.sandbox.advance_visit(&master), Some("active"));
    let (active, panel) = client
        .wait_for(&id, Duration::from_secs(60), |p| status(p, "active"))
        .await
        .expect("panel");
    assert!(active, "{panel}");
    let active_at = panel["belugaVisitUpdatedAt"].as_str().unwrap().to_owned();
    assert!(active_at > first_at, "{first_at} then {active_at}");

    assert_eq!(harness.sandbox.advance_visit(&master), Some("resolved"));
    let (resolved, panel) = client
        .wait_for(&id, Duration::from_secs(60), |p| {
            status(p, "resolved") && p["visitFetch"]["state"] == "terminal"
        })
        .await
        .expect("panel");
    assert!(resolved, "{panel}");
    assert_eq!(panel["belugaResolvedStatus"], "closed", "{panel}");
    // rxHistory reaches staff from the fetch; it is no prescription record (the boundary
    // waits for RX_WRITTEN / NEW_RX_SENT).
    let history = panel["rxHistory"].as_array().cloned().unwrap_or_default();
    assert!(
        !history.is_empty() && history[0]["rxId"].is_string(),
        "{panel}"
    );
    assert_eq!(panel["prescriptions"], json!([]), "{panel}");
    assert!(panel["visitFetch"]["nextAt"].is_null(), "{panel}");
    // Nothing came by webhook: every status is the fetches'.
    assert!(harness.sandbox.deliveries().is_empty());
    let fetches = panel["calls"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["kind"] == "beluga_fetch")
        .count();
    assert!(fetches >= 3, "{panel}");
    harness.stop().await;
}

/// A harness whose calls park after two failed attempts, for `order` with its visit left open
/// (the doctor never concludes during the test), started with `order` stored, paid and
/// submitted; answers it with the client, the order id and its masterId.
async fn open_visit(order: &Value) -> (Harness, Demo, String, String) {
    let (sandbox, mut config) = Harness::partners(&[order], |c| c.doctor_delay_ms = 600_000)
        .await
        .expect("partners start");
    config.outbox.max_attempts = 2;
    let data_dir = config.data_dir.clone();
    let service = rxgate_host::service::start(config)
        .await
        .expect("service starts");
    sandbox.set_service_url(&service.url());
    let harness = Harness {
        sandbox,
        service,
        data_dir,
    };
    let client = harness.client(Instant::now());
    let (submitted, panel) =
        pay_and_wait(&client, order, |p| p["belugaSubmitStatus"] == "SUBMITTED").await;
    assert!(submitted, "{panel}");
    let id = order["order"]["id"].as_str().unwrap_or_default().to_owned();
    let master = panel["masterId"].as_str().unwrap_or_default().to_owned();
    (harness, client, id, master)
}

/// Waits until the panel's calls of `kind` satisfy `done`; answers the panel.
async fn calls_until(
    client: &Demo,
    id: &str,
    kind: &str,
    done: impl Fn(&[&Value]) -> bool,
) -> Value {
    let (reached, panel) = client
        .wait_for(id, Duration::from_secs(60), |p| {
            let calls: Vec<&Value> = p["calls"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|c| c["kind"] == kind)
                .collect();
            done(&calls)
        })
        .await
        .expect("panel");
    assert!(reached, "{kind}: {panel}");
    panel
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_passthrough_routes_reach_beluga_with_only_documented_members() {
    use base64::Engine;
    let order = ready_order();
    let (harness, client, id, _master) = open_visit(&order).await;
    let pdf = base64::engine::general_purpose::STANDARD
        .encode(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n");
    let drug = &order["items"][0]["drug"];
    let routes = [
        (
            "photos",
            json!({"images": [{"mime": "image/jpeg", "data": JPEG}]}),
        ),
        (
            "pdf",
            json!({"image": {"mime": "application/pdf", "data": pdf}}),
        ),
        (
            "patient-name",
            json!({"firstName": "Maria", "lastName": "Lopez"}),
        ),
        (
            "update-visit",
            json!({
                "pharmacyId": order["pharmacies"][0]["beluga_id"],
                "patientPreference": [{
                    "name": drug["name"], "strength": drug["strength"], "quantity": drug["quantity"],
                    "refills": drug["refills"], "medId": drug["beluga_med_id"],
                    "daysSupply": drug["days_supply"],
                }],
            }),
        ),
    ];
    for (route, body) in &routes {
        let (status, answer) = client
            .api(
                reqwest::Method::POST,
                &format!("/api/emr/orders/{id}/{route}"),
                Some(body),
            )
            .await
            .expect("passthrough");
        assert_eq!(status, 202, "{route}: {answer}");
    }
    for kind in [
        "beluga_photos",
        "beluga_pdf",
        "beluga_patient_name",
        "beluga_update_visit",
    ] {
        calls_until(&client, &id, kind, |calls| {
            calls.len() == 1 && calls[0]["status"] == "done"
        })
        .await;
    }
    // What Beluga received: each body's members exactly as the reference documents them.
    let requests = harness.sandbox.beluga_requests();
    let members = |path: &str| -> Vec<std::collections::BTreeSet<String>> {
        requests
            .iter()
            .filter(|r| r.path == path)
            .map(|r| {
                assert_eq!(r.status, 200, "{path}: {r:?}");
                r.members.iter().cloned().collect()
            })
            .collect()
    };
    let set = |names: &[&str]| names.iter().map(|n| (*n).to_owned()).collect();
    assert_eq!(
        members("/external/receivePhotos"),
        vec![set(&["visitId", "images"])]
    );
    assert_eq!(
        members("/external/receivePdf"),
        vec![set(&["visitId", "image"])]
    );
    assert_eq!(
        members("/external/patientName"),
        vec![set(&["masterId", "firstName", "lastName"])]
    );
    assert_eq!(
        members("/external/updateVisit"),
        vec![set(&[
            "patientPreference",
            "pharmacyId",
            "masterId",
            "apiKey"
        ])]
    );
    harness.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_parked_by_an_outage_is_re_armed_by_staff_and_delivered_once() {
    let order = ready_order();
    let (harness, client, id, _master) = open_visit(&order).await;
    // Beluga goes down: the staff photos are tried twice, then parked for staff.
    harness.sandbox.set_beluga_down(true);
    let body = json!({"images": [{"mime": "image/jpeg", "data": JPEG}]});
    let (status, answer) = client
        .api(
            reqwest::Method::POST,
            &format!("/api/emr/orders/{id}/photos"),
            Some(&body),
        )
        .await
        .expect("photos");
    assert_eq!(status, 202, "{answer}");
    let panel = calls_until(&client, &id, "beluga_photos", |calls| {
        calls.len() == 1 && calls[0]["status"] == "failed"
    })
    .await;
    let failure = panel["failures"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|f| f["kind"] == "beluga_photos")
        .cloned()
        .unwrap_or_default();
    assert_eq!(failure["class"], "retry_later", "{panel}");
    assert_eq!(failure["retry"]["allowed"], true, "{failure}");
    let call_id = failure["callId"].as_i64().unwrap_or_default();
    // Fixed (Beluga is back), then re-armed by staff: sent once more and delivered.
    harness.sandbox.set_beluga_down(false);
    let retry = format!("/api/emr/orders/{id}/beluga/calls/{call_id}/retry");
    let (status, answer) = client
        .api(reqwest::Method::POST, &retry, None)
        .await
        .expect("retry");
    assert_eq!(status, 202, "{answer}");
    calls_until(&client, &id, "beluga_photos", |calls| {
        calls.len() == 1 && calls[0]["status"] == "done"
    })
    .await;
    let delivered = harness
        .sandbox
        .beluga_requests()
        .iter()
        .filter(|r| r.path == "/external/receivePhotos" && r.status == 200)
        .count();
    assert_eq!(delivered, 1, "{:?}", harness.sandbox.beluga_requests());
    // Delivered: another retry changes nothing.
    let (status, answer) = client
        .api(reqwest::Method::POST, &retry, None)
        .await
        .expect("retry");
    assert_eq!(status, 409, "{answer}");
    assert_eq!(answer["code"], "beluga_call_delivered", "{answer}");
    let logs = client.logs(&id).await.expect("logs");
    let rearmed: Vec<&Value> = logs
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["outcome"] == "rearmed")
        .collect();
    assert_eq!(rearmed.len(), 1, "{logs}");
    assert!(
        rearmed[0]["actor"]
            .as_str()
            .is_some_and(|a| a.starts_with("key_")),
        "{logs}"
    );
    harness.stop().await;
}
