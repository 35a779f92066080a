//! The patient portal: tokens bound to one patient, every route checked against the order's
//! patient, the patient's chat (with images) queued as `receiveChat` calls, and the staff
//! message box reaching Beluga admin only.

use crate::common::JPEG;
use crate::service::{json_body, send, shared_rules, state_with, test_config, EMR, PORTAL};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use rxgate_host::service::AppState;
use rxgate_host::store::{sqlite::SqliteStore, Storage};
use serde_json::{json, Value};
use std::sync::Arc;

const TOKEN_SECRET: &str = "portal-token-secret-for-tests-0123";

/// A service with token signing configured and three orders: `a1` (patient A, visit
/// submitted), `b1` (patient B, visit submitted), `n1` (no patient id).
fn portal_state() -> (AppState, Arc<SqliteStore>) {
    let mut config = test_config();
    config.portal.token_secret = Some(TOKEN_SECRET.into());
    let (state, store) = state_with(config, shared_rules());
    for (id, patient) in [("a1", Some("pat_A")), ("b1", Some("pat_B")), ("n1", None)] {
        let mut order = crate::common::ready_order();
        order["patient"]["id"] = patient.map_or(Value::Null, |p| json!(p));
        if patient.is_none() {
            if let Some(p) = order["patient"].as_object_mut() {
                p.remove("id");
            }
        }
        order["order"]["id"] = json!(id);
        order["order"]["beluga"]["master_id"] = json!(format!("m-{id}"));
        order["order"]["beluga"]["submit_status"] = json!("SUBMITTED");
        order["order"]["beluga"]["visit_id"] = json!(format!("v-{id}"));
        crate::common::seed_snapshot(&*store, id, &order);
    }
    (state, store)
}

fn request(
    method: &str,
    uri: &str,
    key: &str,
    token: Option<&str>,
    body: Option<&Value>,
) -> Request<Body> {
    let mut builder = Request::builder()
        .method(method)
        .uri(uri)
        .header("x-api-key", key)
        .header("content-type", "application/json");
    if let Some(token) = token {
        builder = builder.header("x-patient-token", token);
    }
    builder
        .body(body.map_or_else(Body::empty, |b| Body::from(b.to_string())))
        .unwrap()
}

/// A token for `patient`, issued to the EMR key.
async fn token(state: &AppState, patient: &str) -> String {
    let uri = format!("/api/emr/patients/{patient}/portal-token");
    let (status, body, _) = send(state, request("POST", &uri, EMR, None, None)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    json_body(&body)["token"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

fn chat(content: &str, images: &[&str]) -> Value {
    json!({ "content": content, "images": images })
}

#[tokio::test]
async fn tokens_are_issued_to_the_emr_key_only_and_need_a_secret() {
    let (state, _) = portal_state();
    let uri = "/api/emr/patients/pat_A/portal-token";
    let (status, body, _) = send(&state, request("POST", uri, EMR, None, None)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let answer = json_body(&body);
    assert!(
        answer["token"].as_str().unwrap().starts_with("rxp1."),
        "{answer}"
    );
    // Default life: 15 minutes from the service's clock.
    let expires =
        chrono::DateTime::parse_from_rfc3339(answer["expiresAt"].as_str().unwrap()).unwrap();
    let now = rxgate_host::service::instant(state.now_ms());
    assert_eq!(
        (expires.with_timezone(&chrono::Utc) - now)
            .num_seconds()
            .div_euclid(60),
        14
    );
    let (status, _, _) = send(&state, request("POST", uri, PORTAL, None, None)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // Without a configured secret no token is issued and no portal route answers.
    let (bare, store) = state_with(test_config(), shared_rules());
    let mut order = crate::common::ready_order();
    order["patient"]["id"] = json!("pat_A");
    crate::common::seed_snapshot(&*store, "a1", &order);
    let (status, body, _) = send(&bare, request("POST", uri, EMR, None, None)).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert_eq!(json_body(&body)["code"], "portal_tokens_unconfigured");
    let forged = rxgate_core::events::auth::sign_portal_token(b"", "pat_A", 1);
    assert_eq!(forged, None);
    let (status, _, _) = send(
        &bare,
        request(
            "GET",
            "/api/portal/orders/a1",
            PORTAL,
            Some("rxp1.x.1.y"),
            None,
        ),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_token_for_patient_a_gets_404_on_every_portal_route_of_patient_b() {
    let (state, store) = portal_state();
    let a = token(&state, "pat_A").await;
    let message = chat("Is it fine to take it with food?", &[]);
    let routes = [
        ("GET", "/api/portal/orders/{id}", None),
        ("GET", "/api/portal/orders/{id}/messages", None),
        ("POST", "/api/portal/orders/{id}/messages", Some(&message)),
    ];
    for (method, route, body) in routes {
        for other in ["b1", "n1", "missing"] {
            let uri = route.replace("{id}", other);
            let (status, text, _) =
                send(&state, request(method, &uri, PORTAL, Some(&a), body)).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{method} {uri}: {text}");
            assert_eq!(json_body(&text)["code"], "order_not_found", "{text}");
        }
        let uri = route.replace("{id}", "a1");
        let (status, text, _) = send(&state, request(method, &uri, PORTAL, Some(&a), body)).await;
        assert!(status.is_success(), "{method} {uri}: {status} {text}");
        // No token, a token signed with another secret, an expired one: 401.
        let expired = rxgate_core::events::auth::sign_portal_token(
            TOKEN_SECRET.as_bytes(),
            "pat_A",
            state.now_ms() / 1000 - 1,
        )
        .unwrap();
        let foreign = rxgate_core::events::auth::sign_portal_token(
            b"another-secret",
            "pat_A",
            state.now_ms() / 1000 + 60,
        )
        .unwrap();
        for bad in [
            None,
            Some(expired.as_str()),
            Some(foreign.as_str()),
            Some("rxp1.garbage"),
        ] {
            let (status, text, _) = send(&state, request(method, &uri, PORTAL, bad, body)).await;
            assert_eq!(
                status,
                StatusCode::UNAUTHORIZED,
                "{method} {uri} {bad:?}: {text}"
            );
        }
        // Staff keys do not reach the portal, with or without a token.
        let (status, _, _) = send(&state, request(method, &uri, EMR, Some(&a), body)).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{method} {uri}");
    }
    // Only patient A's order got the one message.
    assert_eq!(store.calls_of("a1").unwrap().len(), 1);
    assert!(store.calls_of("b1").unwrap().is_empty());
    assert!(store.calls_of("n1").unwrap().is_empty());
}

#[tokio::test]
async fn the_patient_view_comes_from_the_rules() {
    let (state, store) = portal_state();
    let a = token(&state, "pat_A").await;
    let (status, body, _) = send(
        &state,
        request("GET", "/api/portal/orders/a1", PORTAL, Some(&a), None),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let view = json_body(&body);
    assert_eq!(
        view["order_number"],
        crate::common::ready_order()["order"]["number"]
    );
    assert!(
        view["status_text"].as_str().is_some_and(|t| !t.is_empty()),
        "{view}"
    );
    assert!(
        view["items"].as_array().is_some_and(|i| !i.is_empty()),
        "{view}"
    );
    // Nothing staff-only: no masterId, no submit error, no calls.
    for hidden in [
        "masterId",
        "master_id",
        "submit_error",
        "calls",
        "diagnosis",
    ] {
        assert!(!body.contains(hidden), "{hidden} leaked: {body}");
    }
    // Shipped with carrier and tracking: the patient sees them.
    let mut order = crate::common::ready_order();
    order["patient"]["id"] = json!("pat_A");
    order["order"]["status"] = json!("SHIPPED");
    order["order"]["shipping"] = json!({"carrier": "UPS", "tracking": "1Z999AA10123456784"});
    crate::common::seed_snapshot(&*store, "a2", &order);
    let (status, body, _) = send(
        &state,
        request("GET", "/api/portal/orders/a2", PORTAL, Some(&a), None),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let tracking = &json_body(&body)["tracking"];
    assert_eq!(tracking["carrier"], "UPS", "{body}");
    assert_eq!(tracking["tracking"], "1Z999AA10123456784", "{body}");
    assert_eq!(tracking["shipped"], true, "{body}");
    assert_eq!(tracking["delivered"], false, "{body}");
}

#[tokio::test]
async fn the_thread_shows_only_what_the_patient_may_see() {
    let (state, store) = portal_state();
    crate::common::add_activity(
        &*store,
        "a1",
        "BELUGA_DOCTOR_CHAT",
        true,
        json!({"content": "visible"}),
    );
    crate::common::add_activity(
        &*store,
        "a1",
        "BELUGA_CS_MESSAGE",
        false,
        json!({"content": "internal"}),
    );
    let a = token(&state, "pat_A").await;
    let uri = "/api/portal/orders/a1/messages";
    let (status, body, _) = send(&state, request("GET", uri, PORTAL, Some(&a), None)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let list = json_body(&body);
    assert_eq!(list.as_array().map(Vec::len), Some(1), "{list}");
    assert_eq!(list[0]["kind"], "BELUGA_DOCTOR_CHAT");
    let (_, body, _) = send(
        &state,
        request("GET", "/api/emr/orders/a1/messages", EMR, None, None),
    )
    .await;
    assert_eq!(json_body(&body).as_array().map(Vec::len), Some(2));
    let (status, _, _) = send(
        &state,
        request("GET", "/api/emr/orders/a1/messages", PORTAL, Some(&a), None),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_patient_chat_with_images_is_one_receive_chat_call_per_body() {
    let (state, store) = portal_state();
    let a = token(&state, "pat_A").await;
    let uri = "/api/portal/orders/a1/messages";
    let message = chat("Here is the rash.", &[JPEG, JPEG]);
    let (status, body, _) = send(
        &state,
        request("POST", uri, PORTAL, Some(&a), Some(&message)),
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    let calls = store.calls_of("a1").unwrap();
    assert_eq!(calls.len(), 3, "{calls:?}");
    let media: Vec<bool> = calls
        .iter()
        .map(|c| {
            assert_eq!(c.kind, "beluga_chat");
            assert_eq!(c.payload["path"], "external/receiveChat");
            assert_eq!(c.payload["body"]["masterId"], "m-a1");
            assert_eq!(c.payload["body"]["firstName"], "Maria");
            c.payload["body"]["isMedia"].as_bool().unwrap_or(false)
        })
        .collect();
    assert_eq!(media, [false, true, true]);
    assert_eq!(calls[1].payload["body"]["content"], JPEG);
    // One PATIENT_CHAT_SENT activity the patient sees: the text and the image count only.
    let (_, body, _) = send(&state, request("GET", uri, PORTAL, Some(&a), None)).await;
    let list = json_body(&body);
    assert_eq!(list.as_array().map(Vec::len), Some(1), "{list}");
    assert_eq!(list[0]["kind"], "PATIENT_CHAT_SENT");
    assert!(!body.contains(JPEG), "images are not kept in the thread");
    // A picture that is not a JPEG: refused by the rules, nothing queued.
    let pdf = "JVBERi0xLjQKJcfsj6IKNSAwIG9iago8PC9MZW5ndGggNiAwIFI+PgpzdHJlYW0K";
    let (status, body, _) = send(
        &state,
        request("POST", uri, PORTAL, Some(&a), Some(&chat("see", &[pdf]))),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(
        json_body(&body)["violations"][0]["code"],
        "media_wrong_format",
        "{body}"
    );
    assert_eq!(store.calls_of("a1").unwrap().len(), 3);
}

#[tokio::test]
async fn no_emr_request_produces_a_receive_chat_call() {
    let (state, store) = portal_state();
    let uri = "/api/emr/orders/a1/messages";
    // The patient channel is gone from the staff API.
    for refused in [
        json!({"to": "patient", "content": "Your order shipped."}),
        json!({"to": "cs", "content": "Your order shipped."}),
        json!({"content": "x", "images": [JPEG]}),
        json!({"content": "x", "isMedia": true}),
    ] {
        let (status, body, _) = send(&state, request("POST", uri, EMR, None, Some(&refused))).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{refused}: {body}"
        );
        assert_eq!(json_body(&body)["code"], "invalid_body", "{body}");
    }
    let (status, body, _) = send(
        &state,
        request(
            "POST",
            uri,
            EMR,
            None,
            Some(&json!({"content": "Please check the address."})),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    // Every staff pass-through is validated as its own endpoint's body: a chat-shaped body
    // sent to one of them is refused or goes to that endpoint, never to receiveChat.
    let chat_body = json!({"firstName": "Maria", "lastName": "Alvarez", "content": "hi", "masterId": "m-a1", "isMedia": false});
    for route in ["photos", "pdf", "patient-name", "update-visit"] {
        let uri = format!("/api/emr/orders/a1/{route}");
        send(&state, request("POST", &uri, EMR, None, Some(&chat_body))).await;
    }
    let calls = store.calls_of("a1").unwrap();
    assert!(!calls.is_empty());
    assert!(
        calls
            .iter()
            .all(|c| c.payload["path"] != "external/receiveChat" && c.kind != "beluga_chat"),
        "{:?}",
        calls
            .iter()
            .map(|c| (&c.kind, &c.payload["path"]))
            .collect::<Vec<_>>()
    );
    assert_eq!(calls[0].kind, "beluga_cs_message");
    assert_eq!(calls[0].payload["path"], "external/receiveCSMessage");
}
