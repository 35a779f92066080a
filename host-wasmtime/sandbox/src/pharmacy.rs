//! DispensePro on loopback: `POST /orders` (webhooks.md §3), then signed status webhooks to
//! `/api/webhooks/dispensepro/{pharmacyId}`: shipped with tracking, then delivered. The
//! manual actions of rxgate's adapter contract (`routing::partner_orders`): `GET
//! /orders/{id}` (the status), `POST /orders/{id}/refill` (a delivered order; one refill per
//! `requestId`) and `POST /orders/{id}/void` (before shipment; a voided order ships nothing).

use crate::{sign_standard, unix_now, Shared};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};
use std::sync::Arc;

/// An order DispensePro accepted.
#[derive(Debug, Clone)]
pub struct PharmacyOrder {
    /// DispensePro's id.
    pub id: String,
    /// The app's order id (`externalId`).
    pub external_id: String,
    /// The pharmacy it was sent to.
    pub pharmacy_id: String,
    /// DispensePro's status of the order (`submitted`, `shipped`, `delivered`, `voided`).
    pub status: String,
    /// The request ids of the refills accepted, in order.
    pub refills: Vec<String>,
    /// Its prescription lines (LifeFile `rxs`; 0 for DispensePro).
    pub lines: usize,
}

/// The endpoint names of [`crate::SandboxConfig::endpoint_faults`] for the pharmacies.
const DISPENSEPRO_ORDERS: &str = "/dispensepro/orders";
const LIFEFILE_ORDER: &str = "/lifefile/order";

pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/orders", post(create_order))
        .route("/{pharmacy}/orders", post(create_order_for))
        .route("/orders/{id}", get(order_status))
        .route("/orders/{id}/refill", post(order_refill))
        .route("/orders/{id}/void", post(order_void))
        .route("/lifefile/{pharmacy}/order", post(lifefile_order))
        .with_state(shared)
}

async fn create_order(State(s): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> Response {
    let pharmacy = s
        .config
        .dispensepro
        .keys()
        .next()
        .cloned()
        .unwrap_or_default();
    accept(s, headers, body, pharmacy).await
}

async fn create_order_for(
    State(s): State<Arc<Shared>>,
    Path(pharmacy): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    accept(s, headers, body, pharmacy).await
}

async fn accept(s: Arc<Shared>, headers: HeaderMap, body: Bytes, pharmacy: String) -> Response {
    let Some((key, secret)) = s.config.dispensepro.get(&pharmacy).cloned() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let expected = format!("Bearer {key}");
    if headers.get("authorization").and_then(|v| v.to_str().ok()) != Some(expected.as_str()) {
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({"error": "unauthorized"})),
        )
            .into_response();
    }
    if let Err(code) = s
        .before_call(s.faults(&s.config.pharmacy_faults, DISPENSEPRO_ORDERS))
        .await
    {
        return code.into_response();
    }
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let Some(external_id) = body
        .get("externalId")
        .and_then(Value::as_str)
        .map(str::to_owned)
    else {
        return (
            StatusCode::UNPROCESSABLE_ENTITY,
            Json(json!({"error": "externalId is required"})),
        )
            .into_response();
    };
    let lines = body
        .get("lines")
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    if lines == 0 {
        return (
            StatusCode::UNPROCESSABLE_ENTITY,
            Json(json!({"error": "lines are required"})),
        )
            .into_response();
    }
    let npi = body.pointer("/prescriber/npi").and_then(Value::as_str);
    if npi.is_some_and(|npi| s.config.dispensepro_refused_npis.iter().any(|r| r == npi)) {
        s.count_post(format!("dispensepro:{pharmacy}:{external_id}"), false);
        s.record("dispensepro", "order_refused", &external_id);
        return (
            StatusCode::UNPROCESSABLE_ENTITY,
            Json(json!({"error": "prescriber not accepted"})),
        )
            .into_response();
    }
    // An order is unique per externalId: a retry answers the order already accepted.
    let (order, created) = {
        let Ok(mut orders) = s.orders.lock() else {
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        };
        match orders
            .iter()
            .find(|o| o.external_id == external_id && o.pharmacy_id == pharmacy)
        {
            Some(o) => (o.clone(), false),
            None => {
                let order = PharmacyOrder {
                    id: format!("dp-{}", orders.len() + 5001),
                    external_id: external_id.clone(),
                    pharmacy_id: pharmacy.clone(),
                    status: "submitted".to_owned(),
                    refills: Vec::new(),
                    lines: 0,
                };
                orders.push(order.clone());
                (order, true)
            }
        }
    };
    s.count_post(format!("dispensepro:{pharmacy}:{external_id}"), !created);
    if created {
        if let Ok(mut bodies) = s.dispensepro_bodies.lock() {
            bodies.push(body.clone());
        }
        s.record("dispensepro", "order_created", &external_id);
        tokio::spawn(fulfil(s.clone(), order.clone(), secret));
    }
    if s.drop_after_commit(s.faults(&s.config.pharmacy_faults, DISPENSEPRO_ORDERS)) {
        return StatusCode::BAD_GATEWAY.into_response();
    }
    (
        StatusCode::CREATED,
        Json(json!({"id": order.id, "externalId": external_id, "status": "submitted"})),
    )
        .into_response()
}

/// Ships, then delivers, sending one signed status webhook for each.
async fn fulfil(s: Arc<Shared>, order: PharmacyOrder, secret: String) {
    let faults = &s.config.pharmacy_faults;
    let delay =
        std::time::Duration::from_millis(s.config.pharmacy_delay_ms + faults.late_webhooks_ms);
    tokio::time::sleep(delay).await;
    let tracking = format!("1Z999AA1{}", order.id.trim_start_matches("dp-"));
    let mut events = vec![
        (
            "shipped",
            json!({"event": "dispensepro.status",
            "order": {"id": order.id, "externalId": order.external_id, "status": "shipped"},
            "shipping": {"carrier": "UPS", "tracking": tracking,
                "trackingUrl": format!("https://www.ups.com/track?tracknum={tracking}")},
            "occurredAt": "2026-11-23T15:00:00Z"}),
        ),
        (
            "delivered",
            json!({"event": "dispensepro.status",
            "order": {"id": order.id, "externalId": order.external_id, "status": "delivered"},
            "shipping": {"carrier": "UPS", "tracking": tracking},
            "occurredAt": "2026-11-25T18:30:00Z"}),
        ),
    ];
    if faults.shuffle_webhooks {
        s.shuffle(&mut events);
    }
    let url = format!("/api/webhooks/dispensepro/{}", order.pharmacy_id);
    let events: Vec<(String, Value)> = events.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
    send_signed(&s, &url, &order.id, &order.external_id, events, &secret).await;
}

/// Sends status events to the service, signed the Standard Webhooks way (one `webhook-id`
/// per event, reused by a duplicate delivery), retried until acknowledged, with the pharmacy
/// faults (duplicates) applied.
async fn send_signed(
    s: &Arc<Shared>,
    path: &str,
    id: &str,
    subject: &str,
    events: Vec<(String, Value)>,
    secret: &str,
) {
    let faults = &s.config.pharmacy_faults;
    let copies = if faults.duplicate_webhooks { 2 } else { 1 };
    let source = if path.starts_with("/api/webhooks/dispensepro/") {
        "dispensepro"
    } else {
        "pharmacy"
    };
    for (status, event) in events {
        if source == "dispensepro" && !s.advance(id, &status) {
            break;
        }
        let webhook_id = format!("msg_{id}_{status}");
        for _ in 0..copies {
            let out = crate::Outgoing {
                source,
                path: path.to_owned(),
                subject,
                event: &status,
                body: &event,
            };
            let sign = |body: &str| {
                let ts = unix_now();
                vec![
                    ("webhook-id", webhook_id.clone()),
                    ("webhook-timestamp", ts.to_string()),
                    (
                        "webhook-signature",
                        sign_standard(&webhook_id, ts, body, secret),
                    ),
                ]
            };
            if s.deliver(out, sign).await {
                s.record("pharmacy", format!("webhook {status}"), subject);
            }
        }
        tokio::time::sleep(std::time::Duration::from_millis(s.config.pharmacy_delay_ms)).await;
    }
}

/// An OWN pharmacy ships and delivers an order (webhooks.md §4).
pub(crate) async fn own_ship(
    s: Arc<Shared>,
    pharmacy: String,
    external_order_id: String,
    secret: String,
) {
    let id = format!("own-{external_order_id}");
    let tracking = format!("9400111{}", external_order_id.len() * 7919);
    let mut events = vec![
        (
            "shipped".to_owned(),
            json!({"event": "order.shipped",
            "order": {"id": id, "externalOrderId": external_order_id, "status": "shipped"},
            "shipping": {"carrier": "USPS", "tracking": tracking}, "occurredAt": "2026-11-23T16:00:00Z"}),
        ),
        (
            "delivered".to_owned(),
            json!({"event": "order.delivered",
            "order": {"id": id, "externalOrderId": external_order_id, "status": "delivered"},
            "shipping": {"carrier": "USPS", "tracking": tracking}, "occurredAt": "2026-11-26T12:00:00Z"}),
        ),
    ];
    if s.config.pharmacy_faults.shuffle_webhooks {
        s.shuffle(&mut events);
    }
    let path = format!("/api/webhooks/pharmacy/{pharmacy}");
    send_signed(&s, &path, &id, &external_order_id, events, &secret).await;
}

fn basic(user: &str, password: &str) -> String {
    use base64::Engine as _;
    let encoded = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
    format!("Basic {encoded}")
}

/// LifeFile's `POST /order`: Basic auth and the vendor headers; one order per `referenceId`.
async fn lifefile_order(
    State(s): State<Arc<Shared>>,
    Path(pharmacy): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(creds) = s.config.lifefile.get(&pharmacy).cloned() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    if header("authorization") != basic(&creds.username, &creds.password)
        || header("x-vendor-id").is_empty()
        || header("x-location-id").is_empty()
        || header("x-api-network-id").is_empty()
    {
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({"type": "error", "messages": ["authentication failed"]})),
        )
            .into_response();
    }
    if let Err(code) = s
        .before_call(s.faults(&s.config.pharmacy_faults, LIFEFILE_ORDER))
        .await
    {
        return code.into_response();
    }
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let reference = body
        .pointer("/order/general/referenceId")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let rxs = body
        .pointer("/order/rxs")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if let Some(messages) = s.config.lifefile_refusals.get(&pharmacy) {
        // LifeFile's error shape, with HTTP 200: the order is refused, nothing is created.
        s.count_post(format!("lifefile:{pharmacy}:{reference}"), false);
        s.record("lifefile", "order_refused", &reference);
        return Json(json!({"type": "error", "messages": messages})).into_response();
    }
    if reference.is_empty()
        || rxs.is_empty()
        || rxs
            .iter()
            .any(|rx| rx.get("lfProductID").is_none_or(Value::is_null))
    {
        return (StatusCode::BAD_REQUEST, Json(json!({"type": "error", "messages": ["referenceId and rxs with lfProductID are required"]}))).into_response();
    }
    let (order, created) = {
        let Ok(mut orders) = s.orders.lock() else {
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        };
        match orders
            .iter()
            .find(|o| o.external_id == reference && o.pharmacy_id == pharmacy)
        {
            Some(o) => (o.clone(), false),
            None => {
                let order = PharmacyOrder {
                    id: format!("{}", 880_000 + orders.len()),
                    external_id: reference.clone(),
                    pharmacy_id: pharmacy.clone(),
                    status: "submitted".to_owned(),
                    refills: Vec::new(),
                    lines: rxs.len(),
                };
                orders.push(order.clone());
                (order, true)
            }
        }
    };
    s.count_post(format!("lifefile:{pharmacy}:{reference}"), !created);
    if created {
        s.record("lifefile", "order_created", &reference);
        let mut pushes = vec![
            ("Shipped", "2026-11-23T17:10:00"),
            ("Delivered", "2026-11-26T11:45:00"),
        ];
        if s.config.lifefile_held_deliveries.contains(&pharmacy) {
            pushes.retain(|(status, _)| *status != "Delivered");
        }
        tokio::spawn(lifefile_pushes(s.clone(), order.clone(), creds, pushes));
    }
    if s.drop_after_commit(s.faults(&s.config.pharmacy_faults, LIFEFILE_ORDER)) {
        return StatusCode::BAD_GATEWAY.into_response();
    }
    Json(json!({"type": "success", "data": {"orderId": order.id}})).into_response()
}

/// LifeFile's status pushes: an array of prescription lines per status (webhooks.md §2), one
/// push per `(rxStatus, rxStatusDateTime)`.
pub(crate) async fn lifefile_pushes(
    s: Arc<Shared>,
    order: PharmacyOrder,
    creds: crate::LifeFileCredentials,
    mut pushes: Vec<(&'static str, &'static str)>,
) {
    let faults = &s.config.pharmacy_faults;
    tokio::time::sleep(std::time::Duration::from_millis(
        s.config.pharmacy_delay_ms + faults.late_webhooks_ms,
    ))
    .await;
    let tracking = format!("7712{}", order.id);
    let lines = order.lines.max(1);
    if faults.shuffle_webhooks {
        s.shuffle(&mut pushes);
    }
    let copies = if faults.duplicate_webhooks { 2 } else { 1 };
    let path = format!("/api/webhooks/lifefile/{}", order.pharmacy_id);
    let auth = basic(&creds.webhook_username, &creds.webhook_password);
    for (status, at) in pushes {
        let body: Value = (0..lines)
            .map(|i| json!({"pharmacyLocation": order.pharmacy_id, "fillId": format!("F{}-{i}", order.id),
                "rxNumber": format!("R{}-{i}", order.id), "foreignRxNumber": null, "orderId": order.id,
                "referenceId": order.external_id, "practiceId": null, "lfdrugId": null, "rxStatus": status,
                "rxStatusDateTime": at, "deliveryService": "UPS Ground", "service": null,
                "trackingNumber": tracking, "shipCarrier": "UPS", "foreignOrderId": order.external_id}))
            .collect();
        for _ in 0..copies {
            let out = crate::Outgoing {
                source: "lifefile",
                path: path.clone(),
                subject: &order.external_id,
                event: status,
                body: &body,
            };
            if s.deliver(out, |_| vec![("authorization", auth.clone())])
                .await
            {
                s.record("lifefile", format!("webhook {status}"), &order.external_id);
            }
        }
        tokio::time::sleep(std::time::Duration::from_millis(s.config.pharmacy_delay_ms)).await;
    }
}

// ---------------------------------------------------------------------------------------
// Manual actions
// ---------------------------------------------------------------------------------------

impl Shared {
    /// Moves a DispensePro order to `status` as its webhook goes out; `false` when the order
    /// was voided (nothing ships after a void).
    pub(crate) fn advance(&self, id: &str, status: &str) -> bool {
        let Ok(mut orders) = self.orders.lock() else {
            return false;
        };
        match orders.iter_mut().find(|o| o.id == id) {
            Some(o) if o.status == "voided" => false,
            Some(o) => {
                if o.status != "delivered" {
                    o.status = status.to_owned();
                }
                true
            }
            None => true,
        }
    }
}

/// A refusal: its status and error text.
type Refusal = (StatusCode, &'static str);

fn refuse((status, error): Refusal) -> Response {
    (status, Json(json!({ "error": error }))).into_response()
}

/// The order `id` when the caller holds its pharmacy's key; else the refusal.
fn authorized(s: &Shared, headers: &HeaderMap, id: &str) -> Result<PharmacyOrder, Refusal> {
    let order = s
        .orders
        .lock()
        .ok()
        .and_then(|orders| orders.iter().find(|o| o.id == id).cloned());
    let Some(order) = order else {
        return Err((StatusCode::NOT_FOUND, "no such order"));
    };
    let key = s
        .config
        .dispensepro
        .get(&order.pharmacy_id)
        .map(|(k, _)| format!("Bearer {k}"));
    if key.is_none() || headers.get("authorization").and_then(|v| v.to_str().ok()) != key.as_deref()
    {
        return Err((StatusCode::UNAUTHORIZED, "unauthorized"));
    }
    Ok(order)
}

fn order_answer(order: &PharmacyOrder) -> Value {
    json!({"id": order.id, "externalId": order.external_id, "status": order.status})
}

/// `GET /orders/{id}`.
async fn order_status(
    State(s): State<Arc<Shared>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    match authorized(&s, &headers, &id) {
        Ok(order) => {
            s.record("dispensepro", "order_status", &order.external_id);
            Json(order_answer(&order)).into_response()
        }
        Err(refusal) => refuse(refusal),
    }
}

/// `POST /orders/{id}/refill` `{externalId, requestId}`: a delivered order only; a
/// `requestId` already accepted answers its refill again.
async fn order_refill(
    State(s): State<Arc<Shared>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Err(refusal) = authorized(&s, &headers, &id) {
        return refuse(refusal);
    }
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let Some(request_id) = body
        .get("requestId")
        .and_then(Value::as_str)
        .map(str::to_owned)
    else {
        return (
            StatusCode::UNPROCESSABLE_ENTITY,
            Json(json!({"error": "requestId is required"})),
        )
            .into_response();
    };
    let Ok(mut orders) = s.orders.lock() else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let Some(order) = orders.iter_mut().find(|o| o.id == id) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    if order.status != "delivered" {
        return (
            StatusCode::CONFLICT,
            Json(json!({"error": "only a delivered order is refilled"})),
        )
            .into_response();
    }
    let number = match order.refills.iter().position(|r| *r == request_id) {
        Some(i) => i + 1,
        None => {
            order.refills.push(request_id);
            order.refills.len()
        }
    };
    let mut answer = order_answer(order);
    answer["refillId"] = json!(format!("rf-{}-{number}", order.id));
    let external_id = order.external_id.clone();
    drop(orders);
    s.record("dispensepro", "order_refill", &external_id);
    (StatusCode::CREATED, Json(answer)).into_response()
}

/// `POST /orders/{id}/void` `{externalId, reason}`: before shipment only.
async fn order_void(
    State(s): State<Arc<Shared>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    if let Err(refusal) = authorized(&s, &headers, &id) {
        return refuse(refusal);
    }
    let Ok(mut orders) = s.orders.lock() else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let Some(order) = orders.iter_mut().find(|o| o.id == id) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    if matches!(order.status.as_str(), "shipped" | "delivered") {
        return (
            StatusCode::CONFLICT,
            Json(json!({"error": "a shipped order cannot be voided"})),
        )
            .into_response();
    }
    order.status = "voided".to_owned();
    let answer = order_answer(order);
    let external_id = order.external_id.clone();
    drop(orders);
    s.record("dispensepro", "order_void", &external_id);
    Json(answer).into_response()
}
