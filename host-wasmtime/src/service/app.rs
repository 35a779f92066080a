//! The clinic app's API (`/api/emr/...` for staff, `/api/portal/...` for patients).
//!
//! Every decision is the guest's: `decide_submit` says whether an order goes to Beluga,
//! `build_visit` builds the payload, `validate` checks staff input, `check_cancel` guards a
//! cancel, `patient_view` / `message_visibility` filter what the portal sees. The host stores
//! the result and queues partner calls in the outbox; it never builds a partner payload or
//! classifies an outcome itself.

use super::problem::{JsonBody, Problem};
use super::{now_ms, AppState};
use crate::keys::Scope;
use crate::store::{AuditEntry, AuditFilter, Inserted, OrderRecord, RecordTable};
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post, put, MethodRouter};
use axum::{Json, Router};
use serde_json::{json, Value};

pub(super) const STAFF: &[Scope] = &[Scope::Emr, Scope::Admin];
const PORTAL: &[Scope] = &[Scope::Portal];

/// The app routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/emr/orders/{id}", put(upsert_order).get(get_order))
        .route("/api/emr/orders/{id}/triggers", post(trigger))
        .route(
            "/api/emr/orders/{id}/submit-to-beluga",
            post(submit_to_beluga),
        )
        .route("/api/emr/orders/{id}/beluga", get(panel))
        .route("/api/emr/orders/{id}/beluga/cancel", post(cancel_visit))
        .route("/api/emr/orders/{id}/beluga/logs", get(logs))
        .route(
            "/api/emr/orders/{id}/messages",
            get(staff_messages).post(send_message),
        )
        .route(
            "/api/emr/orders/{id}/photos",
            passthrough("photos", "external/receivePhotos").layer(DefaultBodyLimit::max(16 << 20)),
        )
        .route(
            "/api/emr/orders/{id}/photo-id",
            put(super::photo_id::upload).layer(DefaultBodyLimit::max(16 << 20)),
        )
        .route(
            "/api/emr/orders/{id}/pdf",
            passthrough("pdf", "external/receivePdf").layer(DefaultBodyLimit::max(16 << 20)),
        )
        .route(
            "/api/emr/orders/{id}/patient-name",
            passthrough("patient-name", "external/patientName"),
        )
        .route(
            "/api/emr/orders/{id}/update-visit",
            passthrough("update-visit", "external/updateVisit"),
        )
        .route("/api/emr/pharmacies/search", post(pharmacy_search))
        .route("/api/emr/notifications", get(pending_notifications))
        .route(
            "/api/emr/notifications/{notification_id}/settle",
            post(settle_notification),
        )
        .route("/api/portal/orders/{id}/messages", get(portal_messages))
        .route("/admin/events", get(admin_events))
        .route("/admin/events/{event_id}/raw", get(admin_event_raw))
}

pub(super) async fn load(state: &AppState, id: &str) -> Result<OrderRecord, Problem> {
    let key = id.to_owned();
    state
        .db
        .run(move |s| s.get_order(&key))
        .await?
        .ok_or_else(|| Problem::not_found("order"))
}

/// Answers the guest's response, or a 4xx/5xx problem for its misuse envelope.
pub(super) async fn decide_ok(
    state: &AppState,
    op: &str,
    request: Value,
) -> Result<Value, Problem> {
    match state.decide(op, request).await? {
        Ok(answer) => Ok(answer),
        Err(err) => {
            let code = err
                .get("code")
                .and_then(Value::as_str)
                .unwrap_or("invalid_request");
            if code == "unknown_op" {
                return Err(Problem::client(
                    StatusCode::NOT_IMPLEMENTED,
                    format!("the active rules do not provide `{op}`"),
                ));
            }
            Err(Problem::client(
                StatusCode::BAD_REQUEST,
                format!("the rules refused the request to `{op}`"),
            )
            .with(json!({ "code": code })))
        }
    }
}

pub(super) fn violations_of(report: &Value) -> Vec<Value> {
    report
        .get("violations")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}

pub(super) async fn audit(
    state: &AppState,
    order_id: &str,
    event: &str,
    outcome: &str,
    detail: Option<Value>,
) -> Result<(), Problem> {
    let entry = AuditEntry {
        at: now_ms(),
        source: "api".into(),
        event: event.into(),
        order_id: Some(order_id.into()),
        outcome: outcome.into(),
        detail,
        ..Default::default()
    };
    Ok(state.db.run(move |s| s.audit(&entry)).await?)
}

async fn upsert_order(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    JsonBody(snapshot): JsonBody<Value>,
) -> Result<(StatusCode, Json<Value>), Problem> {
    state.authorize(&headers, STAFF).await?;
    if !snapshot.is_object() {
        return Err(Problem::client(
            StatusCode::BAD_REQUEST,
            "the order snapshot must be a JSON object",
        ));
    }
    let key = id.clone();
    let now = now_ms();
    state
        .db
        .run(move |s| s.upsert_order(&key, &snapshot, now))
        .await?;
    audit(&state, &id, "order_upserted", "stored", None).await?;
    state.wake.notify_one();
    Ok((
        StatusCode::OK,
        Json(json!({ "id": id, "status": "stored" })),
    ))
}

async fn get_order(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Json<Value>, Problem> {
    state.authorize(&headers, STAFF).await?;
    Ok(Json(json!(load(&state, &id).await?)))
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct TriggerBody {
    trigger: String,
}

async fn trigger(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<TriggerBody>,
) -> Result<Json<Value>, Problem> {
    state.authorize(&headers, STAFF).await?;
    submit(&state, &id, &body.trigger, false).await.map(Json)
}

async fn submit_to_beluga(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Json<Value>, Problem> {
    state.authorize(&headers, STAFF).await?;
    submit(&state, &id, "manual_retry", true).await.map(Json)
}

/// The submission flow: the guest decides, builds and validates; the host fixes the master
/// id once per visit and queues the call.
async fn submit(state: &AppState, id: &str, trigger: &str, manual: bool) -> Result<Value, Problem> {
    let order = load(state, id).await?;
    let now = now_ms();
    // Staff retries go through `decide_retry` (allowed for not-submitted and FAILED, with the
    // reasons it would still fail); triggers through `decide_submit`.
    let decision = if manual {
        let retry = decide_ok(
            state,
            "decide_retry",
            json!({ "input": order.snapshot, "now": super::rfc3339(now) }),
        )
        .await?;
        let go = retry.get("allowed") == Some(&Value::Bool(true))
            && retry.get("would_succeed") == Some(&Value::Bool(true));
        json!({ "decision": if go { "submit" } else { "refused" }, "readiness": { "violations": retry.get("reasons").cloned().unwrap_or(json!([])) } })
    } else {
        decide_ok(
            state,
            "decide_submit",
            json!({ "input": order.snapshot, "trigger": trigger, "now": super::rfc3339(now) }),
        )
        .await?
    };
    let verdict = decision
        .get("decision")
        .and_then(Value::as_str)
        .unwrap_or("");
    if verdict != "submit" {
        audit(
            state,
            id,
            "submit_decision",
            verdict,
            Some(json!({ "trigger": trigger })),
        )
        .await?;
        if manual {
            let violations = decision
                .get("readiness")
                .map(violations_of)
                .unwrap_or_else(|| violations_of(&decision));
            return Err(
                Problem::violations("the order cannot be submitted to Beluga", violations)
                    .with(json!({ "decision": verdict })),
            );
        }
        return Ok(json!({ "decision": verdict, "queued": false }));
    }
    let pending = {
        let key = id.to_owned();
        state.db.run(move |s| s.calls_of(&key)).await?
    };
    if pending
        .iter()
        .any(|c| c.kind == "beluga_submit" && c.status == "pending")
    {
        return Err(Problem::client(
            StatusCode::CONFLICT,
            "a Beluga submission for this order is already queued",
        ));
    }
    // The master id is generated once per visit (a random UUID, stored before the first call).
    let key = id.to_owned();
    let candidate = uuid::Uuid::new_v4().to_string();
    let master_id = state
        .db
        .run(move |s| s.ensure_master_id(&key, &candidate))
        .await?;
    // The masterId is part of the order's record from now on (snapshot and store).
    let mut snapshot = order.snapshot.clone();
    snapshot["order"]["beluga"]["master_id"] = json!(master_id);
    let (key, stored) = (id.to_owned(), snapshot.clone());
    state
        .db
        .run(move |s| s.upsert_order(&key, &stored, now))
        .await?;
    let built = decide_ok(
        state,
        "build_visit",
        json!({ "input": snapshot, "master_id": master_id, "now": super::rfc3339(now) }),
    )
    .await?;
    if built.get("valid") != Some(&Value::Bool(true)) {
        audit(state, id, "submit_validation", "invalid", None).await?;
        let mut violations = violations_of(&built);
        violations.extend(
            built
                .get("reasons")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .cloned(),
        );
        return Err(Problem::violations(
            "the Beluga payload cannot be built",
            violations,
        ));
    }
    let payload = built.get("body").cloned().unwrap_or(Value::Null);
    let kind = built
        .get("kind")
        .and_then(Value::as_str)
        .unwrap_or("visit")
        .to_owned();
    let report = decide_ok(
        state,
        "validate",
        json!({ "kind": kind, "input": payload, "now": super::rfc3339(now) }),
    )
    .await?;
    if report.get("valid") != Some(&Value::Bool(true)) {
        audit(state, id, "submit_validation", "invalid", None).await?;
        return Err(Problem::violations(
            "the Beluga payload breaks the rules",
            violations_of(&report),
        ));
    }
    let path = built
        .get("endpoint")
        .and_then(Value::as_str)
        .unwrap_or("/visit/createNoPayPhotos")
        .trim_start_matches('/')
        .to_owned();
    let attempts = pending.iter().filter(|c| c.kind == "beluga_submit").count();
    let call = json!({ "path": path, "endpoint": kind, "body": payload, "masterId": master_id });
    let dedupe = format!("beluga_submit:{master_id}:{attempts}");
    let oid = id.to_owned();
    let inserted = state
        .db
        .run(move |s| s.enqueue("beluga_submit", Some(&oid), &dedupe, &call, now))
        .await?;
    state.wake.notify_one();
    audit(
        state,
        id,
        "beluga_submit",
        "queued",
        Some(json!({ "trigger": trigger, "manual": manual })),
    )
    .await?;
    Ok(
        json!({ "decision": "submit", "queued": matches!(inserted, Inserted::New(_)), "masterId": master_id }),
    )
}

async fn panel(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Json<Value>, Problem> {
    state.authorize(&headers, STAFF).await?;
    let order = load(&state, &id).await?;
    let key = id.clone();
    let calls = state.db.run(move |s| s.calls_of(&key)).await?;
    let key = id.clone();
    let prescriptions = state
        .db
        .run(move |s| s.records(RecordTable::Prescriptions, &key))
        .await?;
    let key = id.clone();
    let (documents, notifications) = state
        .db
        .run(move |s| {
            Ok((
                s.records(RecordTable::Documents, &key)?,
                s.records(RecordTable::Notifications, &key)?,
            ))
        })
        .await?;
    // Documents are listed without their content (PHI, and large).
    let documents: Vec<Value> = documents
        .iter()
        .map(|d| json!({"kind": d.get("kind"), "mime": d.get("mime"), "base64Length": d.get("base64_length")}))
        .collect();
    let diagnosis = match state
        .decide(
            "diagnose",
            json!({ "input": order.snapshot, "now": super::rfc3339(now_ms()) }),
        )
        .await?
    {
        Ok(d) => d,
        Err(_) => Value::Null,
    };
    let st = &order.state;
    let beluga = order
        .snapshot
        .pointer("/order/beluga")
        .cloned()
        .unwrap_or(Value::Null);
    let field = |snapshot: &str, state: &str| {
        beluga
            .get(snapshot)
            .filter(|v| !v.is_null())
            .or_else(|| st.get(state))
            .cloned()
            .unwrap_or(Value::Null)
    };
    Ok(Json(json!({
        "orderId": order.id,
        "masterId": order.master_id,
        "orderStatus": order.snapshot.pointer("/order/status"),
        "belugaSubmitStatus": field("submit_status", "belugaSubmitStatus"),
        "belugaVisitStatus": field("visit_status", "belugaVisitStatus"),
        "belugaResolvedStatus": field("resolved_status", "belugaResolvedStatus"),
        "belugaVisitId": field("visit_id", "belugaVisitId"),
        "submitError": st.get("submitError"),
        "shipping": order.snapshot.pointer("/order/shipping"),
        "prescriptions": prescriptions,
        "labMilestone": st.get("lab_milestone"),
        "documents": documents,
        "notifications": notifications,
        "calls": calls,
        "diagnosis": diagnosis,
        "allowedActions": diagnosis.get("allowed_actions").or_else(|| diagnosis.get("allowedActions")),
    })))
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct CancelBody {
    #[serde(default)]
    confirm: bool,
    #[serde(default)]
    reason: Option<String>,
}

async fn cancel_visit(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<CancelBody>,
) -> Result<Json<Value>, Problem> {
    state.authorize(&headers, STAFF).await?;
    let order = load(&state, &id).await?;
    let guard = decide_ok(
        &state,
        "check_cancel",
        json!({ "input": order.snapshot, "confirmed": body.confirm, "reason": body.reason }),
    )
    .await?;
    if guard.get("decision").and_then(Value::as_str) != Some("allowed") {
        let reasons = guard
            .get("reasons")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        return Err(
            Problem::violations("the cancel is refused or needs confirmation", reasons)
                .with(json!({ "guard": guard })),
        );
    }
    // The visit's new status is a fact of the order, applied forward-only by the rules.
    let facts =
        json!([{"fact": "visit", "status": "canceled"}, {"fact": "resolved", "status": "closed"}]);
    if let Ok(answer) = decide_ok(
        &state,
        "apply_order_facts",
        json!({ "input": order.snapshot, "facts": facts }),
    )
    .await
    {
        if let Some(snapshot) = answer.get("snapshot").cloned() {
            let (key, now) = (id.clone(), now_ms());
            state
                .db
                .run(move |s| s.upsert_order(&key, &snapshot, now))
                .await?;
        }
    }
    let mut st = if order.state.is_object() {
        order.state.clone()
    } else {
        json!({})
    };
    st["belugaVisitStatus"] = json!("canceled");
    st["belugaResolvedStatus"] = json!("closed");
    let now = now_ms();
    let key = id.clone();
    state
        .db
        .run(move |s| s.set_order_state(&key, &st, now))
        .await?;
    audit(&state, &id, "beluga_cancel", "canceled", None).await?;
    Ok(Json(json!({ "status": "canceled", "guard": guard })))
}

async fn logs(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Query(mut filter): Query<AuditFilter>,
) -> Result<Json<Value>, Problem> {
    state.authorize(&headers, STAFF).await?;
    filter.order_id = Some(id);
    Ok(Json(json!(
        state.db.run(move |s| s.audit_log(&filter)).await?
    )))
}

async fn staff_messages(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Json<Value>, Problem> {
    state.authorize(&headers, STAFF).await?;
    Ok(Json(json!(
        state.db.run(move |s| s.activities(&id, false)).await?
    )))
}

async fn portal_messages(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Json<Value>, Problem> {
    state.authorize(&headers, PORTAL).await?;
    Ok(Json(json!(
        state.db.run(move |s| s.activities(&id, true)).await?
    )))
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct MessageBody {
    /// `patient` (to the doctor, patient-visible) or `cs` (internal, to Beluga CS).
    to: String,
    content: String,
}

async fn send_message(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<MessageBody>,
) -> Result<(StatusCode, Json<Value>), Problem> {
    state.authorize(&headers, STAFF).await?;
    let order = load(&state, &id).await?;
    let master = order.master_id.clone().ok_or_else(|| {
        Problem::client(StatusCode::CONFLICT, "the order has no Beluga visit yet")
    })?;
    let snap = &order.snapshot;
    let (kind, activity, visible, path, payload) = match body.to.as_str() {
        "patient" => (
            "chat",
            "PATIENT_CHAT_SENT",
            true,
            "external/receiveChat",
            json!({
                "firstName": snap.pointer("/patient/first_name"),
                "lastName": snap.pointer("/patient/last_name"),
                "content": body.content, "masterId": master, "isMedia": false,
            }),
        ),
        "cs" => (
            "cs-message",
            "BELUGA_CS_SENT",
            false,
            "external/receiveCSMessage",
            json!({ "content": body.content, "masterId": master }),
        ),
        _ => {
            return Err(Problem::client(
                StatusCode::BAD_REQUEST,
                "`to` must be `patient` or `cs`",
            ))
        }
    };
    queue_validated(&state, &id, kind, path, payload.clone()).await?;
    let now = now_ms();
    let oid = id.clone();
    let record = json!({ "kind": activity, "content": body.content });
    state
        .db
        .run(move |s| s.add_activity(&oid, activity, visible, &record, now))
        .await?;
    Ok((StatusCode::ACCEPTED, Json(json!({ "status": "queued" }))))
}

/// Validates a payload with the guest and queues it for Beluga.
async fn queue_validated(
    state: &AppState,
    id: &str,
    kind: &str,
    path: &str,
    payload: Value,
) -> Result<(), Problem> {
    let now = now_ms();
    let report = decide_ok(
        state,
        "validate",
        json!({ "kind": kind, "input": payload, "now": super::rfc3339(now) }),
    )
    .await?;
    if report.get("valid") != Some(&Value::Bool(true)) {
        return Err(Problem::violations(
            format!("the `{kind}` payload breaks the rules"),
            violations_of(&report),
        ));
    }
    let call = json!({ "path": path, "endpoint": kind, "body": payload });
    let dedupe = format!("beluga_{kind}:{id}:{}", uuid::Uuid::new_v4());
    let oid = id.to_owned();
    let call_kind = format!("beluga_{kind}");
    state
        .db
        .run(move |s| s.enqueue(&call_kind, Some(&oid), &dedupe, &call, now))
        .await?;
    state.wake.notify_one();
    audit(state, id, &format!("beluga_{kind}"), "queued", None).await
}

async fn beluga_passthrough(
    state: AppState,
    id: String,
    headers: HeaderMap,
    kind: &str,
    path: &str,
    mut payload: Value,
) -> Result<(StatusCode, Json<Value>), Problem> {
    state.authorize(&headers, STAFF).await?;
    let order = load(&state, &id).await?;
    if let (Some(map), Some(key), "update-visit") = (
        payload.as_object_mut(),
        state.config.beluga.api_key.as_ref(),
        kind,
    ) {
        map.insert("apiKey".into(), json!(key));
    }
    if let (Some(map), Some(master)) = (payload.as_object_mut(), order.master_id.as_ref()) {
        map.entry("masterId").or_insert_with(|| json!(master));
        if matches!(kind, "photos" | "pdf") {
            map.entry("visitId").or_insert_with(|| {
                order
                    .snapshot
                    .pointer("/order/beluga/visit_id")
                    .filter(|v| v.is_string())
                    .cloned()
                    .unwrap_or_else(|| json!(master))
            });
        }
    }
    queue_validated(&state, &id, kind, path, payload).await?;
    Ok((StatusCode::ACCEPTED, Json(json!({ "status": "queued" }))))
}

/// A staff route that validates a Beluga payload with the guest and queues it.
fn passthrough(kind: &'static str, path: &'static str) -> MethodRouter<AppState> {
    post(
        move |State(state): State<AppState>,
              Path(id): Path<String>,
              headers: HeaderMap,
              JsonBody(payload): JsonBody<Value>| async move {
            beluga_passthrough(state, id, headers, kind, path, payload).await
        },
    )
}

/// Pharmacy search is a synchronous pass-through: validated by the guest, answered by Beluga.
async fn pharmacy_search(
    State(state): State<AppState>,
    headers: HeaderMap,
    JsonBody(query): JsonBody<Value>,
) -> Result<Json<Value>, Problem> {
    state.authorize(&headers, STAFF).await?;
    let report = decide_ok(
        &state,
        "validate",
        json!({ "kind": "pharmacy-search", "input": query }),
    )
    .await?;
    if report.get("valid") != Some(&Value::Bool(true)) {
        return Err(Problem::violations(
            "the pharmacy search breaks the rules",
            violations_of(&report),
        ));
    }
    let cfg = &state.config.beluga;
    let key = cfg
        .api_key
        .clone()
        .ok_or_else(|| Problem::internal("the Beluga API key is not configured"))?;
    let url = crate::clients::check_base_url(&cfg.base_url, state.config.environment)
        .ok()
        .and_then(|u| u.join("external/pharmacies").ok())
        .ok_or_else(|| Problem::internal("the Beluga base URL is refused"))?;
    let answer = crate::clients::send(
        &state.http,
        reqwest::Method::POST,
        url,
        &crate::clients::Auth::Bearer(key),
        Some(&query),
    )
    .await;
    let body: Value = serde_json::from_str(&answer.body).unwrap_or(Value::Null);
    let parsed = decide_ok(
        &state,
        "parse_response",
        json!({ "kind": "pharmacy-search", "input": { "status": answer.status, "body": body, "network_error": answer.network_error } }),
    )
    .await?;
    Ok(Json(parsed))
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct NotificationsQuery {
    status: Option<String>,
    limit: Option<u32>,
}

/// The statuses a notification can be in.
const NOTIFICATION_STATUSES: [&str; 4] = ["pending", "sent", "failed", "skipped"];

/// Patient notifications for the clinic app's messaging to send (email, SMS, in-app):
/// `pending` by default, oldest first. Metadata only — the app reads the order for the
/// content it sends.
async fn pending_notifications(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<NotificationsQuery>,
) -> Result<Json<Value>, Problem> {
    state.authorize(&headers, STAFF).await?;
    let status = q.status.unwrap_or_else(|| "pending".to_owned());
    if !NOTIFICATION_STATUSES.contains(&status.as_str()) {
        return Err(Problem::client(
            StatusCode::BAD_REQUEST,
            "`status` is one of pending, sent, failed, skipped",
        ));
    }
    let limit = q.limit.unwrap_or(100).min(1000);
    Ok(Json(json!(
        state
            .db
            .run(move |s| s.notifications(&status, limit))
            .await?
    )))
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct SettleBody {
    /// `sent`, `failed` or `skipped`.
    status: String,
}

/// The clinic app reports what became of a pending notification; once only.
async fn settle_notification(
    State(state): State<AppState>,
    Path(notification_id): Path<String>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<SettleBody>,
) -> Result<Json<Value>, Problem> {
    state.authorize(&headers, STAFF).await?;
    let Ok(notification_id) = notification_id.parse::<i64>() else {
        return Err(Problem::client(
            StatusCode::BAD_REQUEST,
            "the notification id is an integer",
        ));
    };
    if !matches!(body.status.as_str(), "sent" | "failed" | "skipped") {
        return Err(Problem::client(
            StatusCode::UNPROCESSABLE_ENTITY,
            "`status` is one of sent, failed, skipped",
        ));
    }
    let status = body.status.clone();
    let moved = state
        .db
        .run(move |s| s.settle_notification(notification_id, &status))
        .await?;
    if !moved {
        return Err(Problem::client(
            StatusCode::CONFLICT,
            "no pending notification with this id",
        ));
    }
    Ok(Json(json!({"id": notification_id, "status": body.status})))
}

#[derive(serde::Deserialize)]
struct EventsQuery {
    limit: Option<u32>,
}

/// Stored events (metadata only; raw bodies hold PHI and are not listed).
async fn admin_events(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<EventsQuery>,
) -> Result<Json<Value>, Problem> {
    state.authorize(&headers, &[Scope::Admin]).await?;
    let limit = q.limit.unwrap_or(100).min(1000);
    Ok(Json(json!(
        state.db.run(move |s| s.list_events(limit)).await?
    )))
}

/// The raw body of one stored event: PHI, so admin only, audited, and gone after retention.
async fn admin_event_raw(
    State(state): State<AppState>,
    Path(event_id): Path<i64>,
    headers: HeaderMap,
) -> Result<axum::response::Response, Problem> {
    use axum::response::IntoResponse;
    state.authorize(&headers, &[Scope::Admin]).await?;
    let event = state
        .db
        .run(move |s| s.get_event(event_id))
        .await?
        .ok_or_else(|| Problem::not_found("event"))?;
    let raw = event.raw.ok_or_else(|| {
        Problem::client(StatusCode::GONE, "the raw body was purged after retention")
    })?;
    let entry = AuditEntry {
        at: now_ms(),
        source: "admin".into(),
        event: "raw_event_read".into(),
        order_id: event.order_id,
        outcome: "read".into(),
        detail: Some(json!({ "event_id": event_id })),
        ..Default::default()
    };
    state.db.run(move |s| s.audit(&entry)).await?;
    Ok((
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        raw,
    )
        .into_response())
}
