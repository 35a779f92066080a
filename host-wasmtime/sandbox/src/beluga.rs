//! The Beluga API on loopback: every endpoint of the reference, the doctor, the webhooks.

use crate::beluga_rules::{self, Endpoint, Verdict};
use crate::{DoctorWrites, Scenario, Shared};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};
use std::sync::Arc;

/// One visit Beluga holds.
#[derive(Debug, Clone)]
pub struct Visit {
    /// The client's masterId.
    pub master_id: String,
    /// Beluga's visitId.
    pub visit_id: String,
    /// The patient's phone.
    pub phone: String,
    /// The visit type.
    pub visit_type: String,
    /// The pharmacy the visit names (`pharmacyId`).
    pub pharmacy_id: String,
    /// `pending`, `active`, `resolved`, `canceled`.
    pub status: &'static str,
    /// When the status last changed (Unix ms; each change strictly later than the last).
    pub updated_at: i64,
    /// `open` or `closed`.
    pub resolved: &'static str,
    /// The form as submitted.
    pub form: Value,
    /// Prescriptions written: (medId, rxId, name, strength).
    pub rx: Vec<Value>,
    /// The doctor concluded `referred`.
    pub referred: bool,
}

/// Beluga's visits.
#[derive(Debug, Default)]
pub struct Visits {
    /// In creation order.
    pub list: Vec<Visit>,
}

impl Visit {
    /// Moves the visit to `status` with an `updateTimestamp` later than the last one.
    pub fn set_status(&mut self, status: &'static str) {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
        self.status = status;
        self.updated_at = now.max(self.updated_at.saturating_add(1_000));
    }

    /// `updateTimestamp` as Beluga writes it (`2026-11-23T12:00:00.000Z`).
    fn update_timestamp(&self) -> String {
        chrono::DateTime::from_timestamp_millis(self.updated_at)
            .unwrap_or_default()
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
    }
}

impl Visits {
    fn by_master(&self, id: &str) -> Option<&Visit> {
        self.list.iter().find(|v| v.master_id == id)
    }
}

pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/visit/createNoPayPhotos", post(create_visit))
        .route("/lab/receiveLabResults", post(create_lab))
        .route("/external/receivePhotos", post(photos))
        .route("/external/receivePdf", post(pdf))
        .route("/external/receiveChat", post(patient_chat))
        .route("/external/receiveCSMessage", post(cs_message))
        .route("/external/patientName", post(patient_name))
        .route("/external/pharmacies", post(pharmacies))
        .route("/external/updateVisit", post(update_visit))
        .route("/visit/externalFetch/{master_id}", get(fetch_visit))
        .route("/patient/externalFetch/{phone}", get(fetch_patient))
        .with_state(shared)
}

/// HTTP 400 with an empty body: how Beluga refuses a wrong API key.
fn authorized(shared: &Shared, headers: &HeaderMap) -> Result<(), StatusCode> {
    let expected = format!("Bearer {}", shared.config.beluga_api_key);
    match headers.get("authorization").and_then(|v| v.to_str().ok()) {
        Some(value) if value == expected => Ok(()),
        _ => Err(StatusCode::BAD_REQUEST),
    }
}

/// The key check, then the faults of `endpoint`.
async fn guard(shared: &Shared, headers: &HeaderMap, endpoint: &str) -> Result<(), StatusCode> {
    if shared.beluga_down.load(std::sync::atomic::Ordering::SeqCst) {
        shared.record("beluga", "refused_down", "");
        return Err(StatusCode::SERVICE_UNAVAILABLE);
    }
    authorized(shared, headers)?;
    shared
        .before_call(shared.faults(&shared.config.beluga_faults, endpoint))
        .await
}

fn error(message: &str) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Json(json!({"status": 400, "error": message})),
    )
        .into_response()
}

fn info(status: u16, message: &str) -> Response {
    let code = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    (code, Json(json!({"status": status, "info": message}))).into_response()
}

fn parse(body: &Bytes) -> Value {
    serde_json::from_slice(body).unwrap_or(Value::Null)
}

async fn create_visit(State(s): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> Response {
    create(s, headers, body, Endpoint::Visit).await
}

async fn create_lab(State(s): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> Response {
    create(s, headers, body, Endpoint::Lab).await
}

/// Checks `body` against Beluga's documented rules for `endpoint` (`beluga_rules`, the
/// sandbox's own table, not rxgate's validator); members the reference does not define are
/// logged as `undocumented_members` with their JSON Pointers.
fn verdict(s: &Shared, endpoint: Endpoint, body: &Value) -> Verdict {
    let verdict = beluga_rules::check(endpoint, body, beluga_rules::today());
    if !verdict.undocumented.is_empty() {
        let what = format!(
            "undocumented_members {} {}",
            endpoint.path(),
            verdict.undocumented.join(",")
        );
        s.record("beluga", what, "");
    }
    verdict
}

/// The first documented error a body meets, in the order Beluga checks them.
fn refusal(s: &Shared, endpoint: Endpoint, body: &Value) -> Option<String> {
    if let Some(first) = verdict(s, endpoint, body).answer() {
        return Some(first.to_owned());
    }
    let text = |p: &str| {
        body.pointer(p)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    if text("/company") != s.config.company {
        return Some("No company found".into());
    }
    let visit_type = text("/visitType");
    if !s.config.visit_types.contains(&visit_type) {
        return Some("Company does not have that visit type".into());
    }
    let preferences = body
        .pointer("/formObj/patientPreference")
        .and_then(Value::as_array);
    for med in preferences.into_iter().flatten() {
        let med_id = med.get("medId").and_then(Value::as_str).unwrap_or_default();
        if !s.config.med_ids.iter().any(|m| m == med_id) {
            return Some(format!("No match for {med_id}"));
        }
    }
    let phone = text("/formObj/phone");
    if s.config
        .refused_phones
        .iter()
        .any(|p| same_phone(p, &phone))
    {
        return Some("Phone number error".into());
    }
    if s.config
        .taken_elsewhere
        .iter()
        .any(|(p, t)| same_phone(p, &phone) && *t == visit_type)
    {
        return Some("Patient not eligible for new visit".into());
    }
    None
}

async fn create(s: Arc<Shared>, headers: HeaderMap, body: Bytes, kind: Endpoint) -> Response {
    if let Err(code) = guard(&s, &headers, kind.path()).await {
        return code.into_response();
    }
    let body = parse(&body);
    if let Some(message) = refusal(&s, kind, &body) {
        return error(&message);
    }
    let text = |p: &str| {
        body.pointer(p)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    let master_id = text("/masterId");
    let created = {
        let Ok(mut visits) = s.beluga.lock() else {
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        };
        if visits.by_master(&master_id).is_some() {
            None
        } else {
            let visit = Visit {
                master_id: master_id.clone(),
                visit_id: format!("bv-{}", visits.list.len() + 1001),
                phone: text("/formObj/phone"),
                visit_type: text("/visitType"),
                pharmacy_id: text("/pharmacyId"),
                status: "pending",
                updated_at: 0,
                resolved: "open",
                form: body.get("formObj").cloned().unwrap_or(Value::Null),
                rx: Vec::new(),
                referred: false,
            };
            let id = visit.visit_id.clone();
            let mut visit = visit;
            visit.set_status("pending");
            visits.list.push(visit);
            Some(id)
        }
    };
    s.count_post(format!("beluga:{master_id}"), created.is_none());
    let Some(visit_id) = created else {
        return error("Duplicate masterId");
    };
    s.record("beluga", "visit_created", &master_id);
    tokio::spawn(doctor(s.clone(), master_id.clone()));
    if s.drop_after_commit(s.faults(&s.config.beluga_faults, kind.path())) {
        s.record("beluga", "answer_dropped", &master_id);
        return StatusCode::BAD_GATEWAY.into_response();
    }
    Json(
        json!({"status": 200, "info": "Patient visit created successfully",
        "data": {"masterId": master_id, "visitId": visit_id}}),
    )
    .into_response()
}

/// Whether two phones are the same number: the configuration may spell a phone as the clinic
/// does (`(737) 204-6619`, `+1 737…`), the visit carries its 10 digits.
fn same_phone(configured: &str, sent: &str) -> bool {
    let digits: String = configured.chars().filter(char::is_ascii_digit).collect();
    let national = match digits.strip_prefix('1') {
        Some(rest) if digits.len() == 11 => rest,
        _ => digits.as_str(),
    };
    national.len() == 10 && national == sent
}

/// The doctor: after the delay, concludes the visit per its scenario and sends the webhooks;
/// when the visit names one of Beluga's own pharmacies, that pharmacy's events follow.
async fn doctor(s: Arc<Shared>, master_id: String) {
    // Halfway the doctor picks the visit up (`active`), then concludes it.
    let half = std::time::Duration::from_millis(s.config.doctor_delay_ms / 2);
    tokio::time::sleep(half).await;
    if let Ok(mut visits) = s.beluga.lock() {
        if let Some(v) = visits.list.iter_mut().find(|v| v.master_id == master_id) {
            if v.status == "pending" {
                v.set_status("active");
            }
        }
    }
    tokio::time::sleep(half).await;
    let (events, shipping) = {
        let Ok(mut visits) = s.beluga.lock() else {
            return;
        };
        let Some(visit) = visits.list.iter_mut().find(|v| v.master_id == master_id) else {
            return;
        };
        let scenario = s
            .config
            .scenarios
            .iter()
            .find(|(phone, _)| same_phone(phone, &visit.phone))
            .map(|(_, scenario)| *scenario)
            .unwrap_or_default();
        let events = conclude(visit, scenario, s.config.doctor_writes.as_ref());
        if scenario == Scenario::SilentPrescribe {
            s.record("beluga", "webhooks_withheld", &master_id);
            return;
        }
        let fills = !visit.rx.is_empty() && s.config.beluga_pharmacies.contains(&visit.pharmacy_id);
        (events, fills.then(|| beluga_pharmacy(visit)))
    };
    send_beluga_webhooks(&s, &master_id, events).await;
    if let Some(shipping) = shipping {
        tokio::time::sleep(std::time::Duration::from_millis(s.config.pharmacy_delay_ms)).await;
        send_beluga_webhooks(&s, &master_id, shipping).await;
    }
}

/// The webhooks of the doctor's work on `visit` under `scenario`, updating the visit.
pub(crate) fn conclude(
    visit: &mut Visit,
    scenario: Scenario,
    writes: Option<&DoctorWrites>,
) -> Vec<Value> {
    let master = visit.master_id.clone();
    let mut events = Vec::new();
    match scenario {
        Scenario::Cancel => {
            visit.set_status("canceled");
            visit.resolved = "closed";
            events.push(json!({"event": "CONSULT_CANCELED", "masterId": master}));
            return events;
        }
        Scenario::ChatThenPrescribe => {
            events.push(json!({"event": "DOCTOR_CHAT", "masterId": master,
                "content": "Hello, I reviewed your intake. Please take the medication with food."}));
        }
        Scenario::LabsThenPrescribe => events.extend(labs(visit)),
        Scenario::Prescribe | Scenario::Refer | Scenario::SilentPrescribe => {}
    }
    visit.set_status("resolved");
    visit.resolved = "closed";
    if scenario == Scenario::Refer {
        visit.referred = true;
        events.push(
            json!({"event": "CONSULT_CONCLUDED", "masterId": master, "visitOutcome": "referred"}),
        );
        return events;
    }
    let meds: Vec<Value> = visit
        .form
        .get("patientPreference")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
        .map(|(i, p)| {
            let field = |k: &str| p.get(k).cloned().unwrap_or(Value::Null);
            let mut med = json!({"name": field("name"), "strength": field("strength"), "refills": field("refills"),
                "quantity": field("quantity"), "medId": field("medId"),
                "rxId": format!("RX-{}-{}", visit.visit_id, i + 1)});
            if let Some(w) = writes {
                med["quantity"] = json!(w.quantity);
                med["refills"] = json!(w.refills);
                med["pharmacyNotes"] = json!(w.pharmacy_notes);
            }
            med
        })
        .collect();
    visit.rx = meds.clone();
    events.push(
        json!({"event": "RX_WRITTEN", "masterId": master, "docName": "Dr. Alan Whitaker",
        "medsPrescribed": meds}),
    );
    events.push(
        json!({"event": "CONSULT_CONCLUDED", "masterId": master, "visitOutcome": "prescribed"}),
    );
    events
}

/// A requisition the sandbox's lab sends: a minimal one-page PDF, base64 (webhooks.md §1).
const REQUISITION_PDF_BASE64: &str = "JVBERi0xLjQKMSAwIG9iajw8L1R5cGUvQ2F0YWxvZy9QYWdlcyAyIDAgUj4+ZW5kb2JqCjIgMCBvYmo8PC9UeXBlL1BhZ2VzL0tpZHNbMyAwIFJdL0NvdW50IDE+PmVuZG9iagozIDAgb2JqPDwvVHlwZS9QYWdlL1BhcmVudCAyIDAgUi9NZWRpYUJveFswIDAgNjEyIDc5Ml0+PmVuZG9iagp0cmFpbGVyPDwvUm9vdCAxIDAgUj4+CiUlRU9G";

/// The lab milestones of a visit whose doctor orders labs, then the follow-up booking.
fn labs(visit: &Visit) -> Vec<Value> {
    let master = &visit.master_id;
    let order = format!("LAB-{}", visit.visit_id);
    let n = visit.visit_id.trim_start_matches("bv-");
    let kit = json!({"carrier": "USPS", "tracking": format!("94001118{n}")});
    let sample = json!({"carrier": "FedEx", "tracking": format!("77120042{n}")});
    vec![
        json!({"event": "LAB_ORDER_REQUISITION_CREATED", "masterId": master, "orderId": order,
            "labReqPdf": REQUISITION_PDF_BASE64}),
        json!({"event": "LAB_ORDER_SHIPPED_TO_PATIENT", "masterId": master, "orderId": order, "info": kit}),
        json!({"event": "LAB_ORDER_DELIVERED_TO_PATIENT", "masterId": master, "orderId": order}),
        json!({"event": "LAB_ORDER_SHIPPED_TO_LAB", "masterId": master, "orderId": order, "info": sample}),
        json!({"event": "LAB_ORDER_RECEIVED_BY_LAB", "masterId": master, "orderId": order}),
        json!({"event": "LAB_ORDER_RESULTS", "masterId": master, "orderId": order,
            "bookingLink": format!("https://sandbox.beluga.invalid/book/{}", visit.visit_id)}),
        json!({"event": "BOOKING_CREATED", "masterId": master, "docName": "Dr. Alan Whitaker",
            "scheduledDate": "2026-12-08T17:30:00Z", "location": "Video visit"}),
    ]
}

/// Beluga's own pharmacy filling `visit`'s prescriptions: its order and package events.
fn beluga_pharmacy(visit: &Visit) -> Vec<Value> {
    let master = &visit.master_id;
    let order = format!("BPO-{}", visit.visit_id);
    let tracking = format!("1Z999BG{}", visit.visit_id.trim_start_matches("bv-"));
    let info = json!({"carrier": "UPS", "tracking": tracking});
    let package = |status: &str| {
        json!({"trackerStatus": status, "trackerId": format!("trk_{}", visit.visit_id),
            "carrier": "UPS", "tracking": tracking})
    };
    vec![
        json!({"event": "PHARMACY_ORDER_CREATED", "masterId": master, "orderId": order}),
        json!({"event": "PHARMACY_ORDER_IN_FULFILLMENT", "masterId": master, "orderId": order}),
        json!({"event": "PHARMACY_ORDER_SHIPPED", "masterId": master, "orderId": order, "info": info}),
        json!({"event": "PACKAGE_IN_TRANSIT", "masterId": master, "orderId": order, "info": package("in_transit")}),
        json!({"event": "PACKAGE_OUT_FOR_DELIVERY", "masterId": master, "orderId": order, "info": package("out_for_delivery")}),
        json!({"event": "PACKAGE_DELIVERED", "masterId": master, "orderId": order, "info": package("delivered")}),
        json!({"event": "PHARMACY_ORDER_DELIVERED", "masterId": master, "orderId": order}),
    ]
}

async fn send_beluga_webhooks(s: &Arc<Shared>, master_id: &str, mut events: Vec<Value>) {
    let faults = &s.config.beluga_faults;
    if faults.shuffle_webhooks {
        s.shuffle(&mut events);
    }
    if faults.late_webhooks_ms > 0 {
        tokio::time::sleep(std::time::Duration::from_millis(faults.late_webhooks_ms)).await;
    }
    let copies = if faults.duplicate_webhooks { 2 } else { 1 };
    let bearer = format!("Bearer {}", s.config.beluga_webhook_secret);
    for event in &events {
        let name = event
            .get("event")
            .and_then(Value::as_str)
            .unwrap_or("?")
            .to_owned();
        for _ in 0..copies {
            // Beluga retries a webhook the app did not acknowledge.
            let out = crate::Outgoing {
                source: "beluga",
                path: "/api/webhooks/beluga".into(),
                subject: master_id,
                event: &name,
                body: event,
            };
            if s.deliver(out, |_| vec![("authorization", bearer.clone())])
                .await
            {
                s.record("beluga", format!("webhook {name}"), master_id);
            }
        }
    }
}

fn visit_exists(s: &Shared, id: &str) -> bool {
    s.beluga
        .lock()
        .map(|v| v.list.iter().any(|x| x.master_id == id || x.visit_id == id))
        .unwrap_or(false)
}

async fn photos(State(s): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> Response {
    media(
        s,
        headers,
        body,
        Endpoint::Photos,
        "Successfully received images",
        "Error accepting images",
    )
    .await
}

async fn pdf(State(s): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> Response {
    media(
        s,
        headers,
        body,
        Endpoint::Pdf,
        "Successfully received image",
        "Error accepting image",
    )
    .await
}

async fn media(
    s: Arc<Shared>,
    headers: HeaderMap,
    body: Bytes,
    kind: Endpoint,
    ok: &str,
    bad: &str,
) -> Response {
    if let Err(code) = guard(&s, &headers, kind.path()).await {
        return code.into_response();
    }
    let body = parse(&body);
    let id = body
        .get("visitId")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if !visit_exists(&s, id) {
        return info(400, "Visit does not exist");
    }
    if !verdict(&s, kind, &body).accepted() {
        return info(400, bad);
    }
    s.record("beluga", "photo_received", id);
    info(200, ok)
}

async fn patient_chat(State(s): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> Response {
    message(s, headers, body, Endpoint::Chat).await
}

async fn cs_message(State(s): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> Response {
    message(s, headers, body, Endpoint::CsMessage).await
}

/// A patient chat or CS message, validated as the endpoint's own body.
async fn message(s: Arc<Shared>, headers: HeaderMap, body: Bytes, kind: Endpoint) -> Response {
    if let Err(code) = guard(&s, &headers, kind.path()).await {
        return code.into_response();
    }
    let body = parse(&body);
    let id = body
        .get("masterId")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if !verdict(&s, kind, &body).accepted() {
        return info(400, "Incorrect data structure or missing data");
    }
    if !visit_exists(&s, id) {
        return info(400, "Visit does not exist");
    }
    let media = body.get("isMedia") == Some(&Value::Bool(true));
    let what = if kind == Endpoint::Chat && media {
        "chat_media_received"
    } else if kind == Endpoint::Chat {
        "chat_received"
    } else {
        "cs_message_received"
    };
    s.record("beluga", what, id);
    info(200, "Message received successfully")
}

async fn patient_name(State(s): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> Response {
    if let Err(code) = guard(&s, &headers, Endpoint::PatientName.path()).await {
        return code.into_response();
    }
    let body = parse(&body);
    let id = body
        .get("masterId")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let resolved = s
        .beluga
        .lock()
        .ok()
        .and_then(|v| v.by_master(id).map(|x| x.status == "resolved"));
    match resolved {
        None => info(400, "Visit does not exist"),
        Some(_) if !verdict(&s, Endpoint::PatientName, &body).accepted() => {
            info(400, "Data format incorrect")
        }
        Some(true) => info(400, "Name change no longer allowed"),
        Some(false) => info(200, "Successfully updated patient name"),
    }
}

async fn pharmacies(State(s): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> Response {
    if let Err(code) = guard(&s, &headers, Endpoint::PharmacySearch.path()).await {
        return code.into_response();
    }
    let body = parse(&body);
    if !verdict(&s, Endpoint::PharmacySearch, &body).accepted() {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({"status": 400, "data": "Invalid search parameters"})),
        )
            .into_response();
    }
    Json(json!({"status": 200, "data": [{
        "PharmacyId": 100482, "StoreName": "MDScripts Central Fill", "Address1": "100 Congress Ave",
        "Address2": "", "City": "Austin", "State": "TX", "ZipCode": "78701",
        "PrimaryPhone": "5125550100", "PrimaryPhoneType": 1, "PrimaryFax": "5125550101",
        "PhoneAdditional1": null, "PhoneAdditionalType1": 0, "PhoneAdditional2": null,
        "PhoneAdditionalType2": 0, "PhoneAdditional3": null, "PhoneAdditionalType3": 0,
        "PharmacySpecialties": ["Compounding"], "ServiceLevel": 1, "Latitude": 30.26, "Longitude": -97.74}]}))
    .into_response()
}

async fn update_visit(State(s): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> Response {
    if let Err(code) = guard(&s, &headers, Endpoint::UpdateVisit.path()).await {
        return code.into_response();
    }
    let body = parse(&body);
    if !verdict(&s, Endpoint::UpdateVisit, &body).accepted() {
        // ref, updateVisit: "If any other error occurs": `GENERIC`, `System error: {error}`.
        let message = format!("System error: {}", beluga_rules::UPDATE_VISIT_ERROR);
        return Json(json!({"status": "GENERIC", "info": message})).into_response();
    }
    let id = body
        .get("masterId")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let visit = s.beluga.lock().ok().and_then(|v| v.by_master(&id).cloned());
    let answer = match visit {
        None => json!({"status": "NO_VISIT", "info": format!("No visit found for masterId {id}")}),
        Some(v) if v.referred => {
            json!({"status": "VISIT_WAS_REFERRED", "info": format!("The visit {id} was referred by a doctor")})
        }
        Some(v) if v.status != "resolved" => {
            json!({"status": "VISIT_DATA_UPDATED", "info": format!("Visit data updated for {id}")})
        }
        Some(v) => json!({"status": "NEW_RX_SENT", "info": "Successfully prescribed",
            "medsPrescribed": v.rx.iter().map(|m| json!({"rxName": m["name"], "rxStrength": m["strength"],
                "rxRefills": m["refills"], "rxQuantity": m["quantity"], "rxId": m["rxId"],
                "rxDirections": "As directed", "medId": m["medId"]})).collect::<Vec<_>>()}),
    };
    Json(answer).into_response()
}

async fn fetch_visit(
    State(s): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(master_id): Path<String>,
) -> Response {
    if let Err(code) = guard(&s, &headers, "/visit/externalFetch").await {
        return code.into_response();
    }
    let visit = s
        .beluga
        .lock()
        .ok()
        .and_then(|v| v.by_master(&master_id).cloned());
    let Some(v) = visit else {
        return Json(json!({"status": 400, "error": "Visit not found"})).into_response();
    };
    Json(
        json!({"status": 200, "masterId": v.master_id, "visitStatus": v.status,
        "updateTimestamp": v.update_timestamp(), "resolvedStatus": v.resolved,
        "data": {"formObj": v.form, "visitType": v.visit_type, "rxHistory": v.rx}}),
    )
    .into_response()
}

async fn fetch_patient(
    State(s): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(phone): Path<String>,
) -> Response {
    if let Err(code) = guard(&s, &headers, "/patient/externalFetch").await {
        return code.into_response();
    }
    let visits: Vec<Visit> = s
        .beluga
        .lock()
        .map(|v| {
            v.list
                .iter()
                .filter(|x| x.phone == phone)
                .cloned()
                .collect()
        })
        .unwrap_or_default();
    let Some(first) = visits.first() else {
        return Json(json!({"status": 400, "error": "Patient not found"})).into_response();
    };
    let mut data = first.form.clone();
    if let Some(obj) = data.as_object_mut() {
        obj.remove("patientPreference");
        obj.insert(
            "visits".into(),
            json!(visits
                .iter()
                .map(|v| v.master_id.clone())
                .collect::<Vec<_>>()),
        );
    }
    Json(json!({"status": 200, "data": data})).into_response()
}
