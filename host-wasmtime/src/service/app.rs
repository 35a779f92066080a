//! The clinic app's API (`/api/emr/...` for staff; the patient portal is `portal.rs`).
//!
//! Every decision is the guest's: `decide_submit` says whether an order goes to Beluga,
//! `build_visit` builds the payload, `validate` checks staff input, `check_cancel` guards a
//! cancel, `patient_view` / `message_visibility` filter what the portal sees. The host stores
//! the result and queues partner calls in the outbox; it never builds a partner payload or
//! classifies an outcome itself.

use super::idempotency;
use super::openapi::{EventPath, NotificationPath, OrderPath};
use super::orders::{self, Loaded};
use super::problem::{JsonBody, Problem, QueryOf};
use super::{now_ms, AppState, Caller};
use crate::keys::Scope;
use crate::store::{
    AuditEntry, AuditFilter, Change, Committed, IdempotentAnswer, NewActivity, NewCall, PutOutcome,
    RecordTable,
};
use aide::axum::routing::{get_with, post_with, put_with, ApiMethodRouter};
use aide::axum::ApiRouter;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use rxgate_core::issue::ReportRecord;
use rxgate_core::order::calls::message::{BuildMessageRequest, MessagePlan, Recipient};
use rxgate_core::order::calls::plan::{PlanSubmissionRequest, SubmissionPlan};
use rxgate_core::order::calls::PlannedCall;
use serde_json::{json, Value};

pub(super) const STAFF: &[Scope] = &[Scope::Emr, Scope::Admin];

/// The app routes.
pub fn routes() -> ApiRouter<AppState> {
    use super::openapi::{self as doc, op, Answer, STAFF_SECURITY as STAFF_DOC};
    ApiRouter::new()
        .api_route(
            "/api/emr/orders/{id}",
            put_with(upsert_order, |t| {
                op(t, "putOrder", "orders",
                    "Store the clinic's input of an order (If-Match: the version its ETag gave; 412 when stale)",
                    &STAFF_DOC)
                .answer::<201, Json<doc::Stored>>()
                .answer::<200, Json<doc::Stored>>()
            })
            .get_with(get_order, |t| {
                op(t, "getOrder", "orders", "The order: snapshot and rxgate's state (ETag: its version)", &STAFF_DOC)
                    .answer::<200, Json<doc::OrderView>>()
            }),
        )
        .api_route(
            "/api/emr/orders/{id}/triggers",
            post_with(trigger, |t| {
                doc::idempotent(op(t, "postTrigger", "orders",
                    "Post a trigger event; the order is submitted when the rules say submit",
                    &STAFF_DOC))
                .answer::<200, Json<doc::SubmitAnswer>>()
            }),
        )
        .api_route(
            "/api/emr/orders/{id}/submit-to-beluga",
            post_with(submit_to_beluga, |t| {
                doc::idempotent(op(t, "submitToBeluga", "orders",
                    "Staff retry of the Beluga submission (same masterId); 422 when the rules refuse",
                    &STAFF_DOC))
                .answer::<200, Json<doc::SubmitAnswer>>()
            }),
        )
        .api_route(
            "/api/emr/orders/{id}/beluga",
            get_with(panel, |t| {
                op(t, "getBelugaPanel", "orders",
                    "The Beluga Telehealth panel: statuses, ids, submit error, pharmacy submissions (with a refusal's messages) and each route's status, prescriptions, documents (metadata), notifications, calls, diagnosis, allowed actions",
                    &STAFF_DOC)
                .answer::<200, Json<doc::Panel>>()
            }),
        )
        .api_route(
            "/api/emr/orders/{id}/beluga/cancel",
            post_with(cancel_visit, |t| {
                op(t, "cancelBelugaVisit", "orders", "Cancel the Beluga visit under the rules' cancel guard", &STAFF_DOC)
                    .answer::<200, Json<doc::Cancelled>>()
            }),
        )
        .api_route(
            "/api/emr/orders/{id}/flags/settle",
            post_with(settle_flag, |t| {
                op(t, "settleFlag", "orders",
                    "Acknowledge or resolve one flag with a reason ({code, raisedAt, action: acknowledged|resolved, reason}); 422 when the rules refuse",
                    &STAFF_DOC)
                .answer::<200, Json<doc::FlagSettled>>()
            }),
        )
        .api_route(
            "/api/emr/orders/{id}/beluga/logs",
            get_with(logs, |t| {
                op(t, "getBelugaLogs", "orders", "The order's audit trail, newest first", &STAFF_DOC)
                    .answer::<200, Json<Vec<crate::store::AuditEntry>>>()
            }),
        )
        .api_route(
            "/api/emr/orders/{id}/messages",
            get_with(staff_messages, |t| {
                op(t, "listStaffMessages", "messages", "All messages of the order (patient and CS)", &STAFF_DOC)
                    .answer::<200, Json<Vec<doc::ActivityDoc>>>()
            })
            .post_with(send_message, |t| {
                doc::idempotent(op(t, "sendMessage", "messages", "Send a CS message to Beluga admin (validated, queued; the patient's chat is the portal's)", &STAFF_DOC))
                    .answer::<202, Json<doc::Queued>>()
            }),
        )
        .api_route(
            "/api/emr/orders/{id}/photos",
            passthrough("photos", "external/receivePhotos", "sendPhotos", "Upload photos to Beluga (validated, queued)")
                .layer(DefaultBodyLimit::max(16 << 20)),
        )
        .api_route(
            "/api/emr/orders/{id}/photo-id",
            put_with(super::photo_id::upload, |t| {
                op(t, "putPhotoId", "orders",
                    "Store the patient's photo ID ({images: [{mime, data}]}); sent to Beluga once the visit exists",
                    &STAFF_DOC)
                .answer::<202, Json<doc::Queued>>()
            })
            .layer(DefaultBodyLimit::max(16 << 20)),
        )
        .api_route(
            "/api/emr/orders/{id}/pdf",
            passthrough("pdf", "external/receivePdf", "sendPdf", "Upload a PDF to Beluga (validated, queued)")
                .layer(DefaultBodyLimit::max(16 << 20)),
        )
        .api_route(
            "/api/emr/orders/{id}/patient-name",
            passthrough("patient-name", "external/patientName", "updatePatientName", "Update the patient name at Beluga (validated, queued)"),
        )
        .api_route(
            "/api/emr/orders/{id}/update-visit",
            passthrough("update-visit", "external/updateVisit", "updateVisit", "Update the visit or resend a prescription (validated, queued)"),
        )
        .api_route(
            "/api/emr/pharmacies/search",
            post_with(pharmacy_search, |t| {
                op(t, "searchPharmacies", "orders", "Beluga pharmacy search (validated, forwarded, answer parsed)", &STAFF_DOC)
                    .answer::<200, Json<doc::ParsedAnswer>>()
            }),
        )
        .api_route(
            "/api/emr/worklist",
            get_with(worklist, |t| {
                op(t, "getWorklist", "orders",
                    "Stuck orders the periodic sweep found escalating: stage, next actor and action, reasons (codes and staff texts, no patient data)",
                    &STAFF_DOC)
                .answer::<200, Json<Vec<super::sweep::WorklistEntry>>>()
            }),
        )
        .api_route(
            "/api/emr/notifications",
            get_with(pending_notifications, |t| {
                op(t, "listNotifications", "notifications",
                    "Patient notifications for the clinic app's messaging to send, oldest first (metadata only)",
                    &STAFF_DOC)
                .answer::<200, Json<Vec<doc::NotificationDoc>>>()
            }),
        )
        .api_route(
            "/api/emr/notifications/{notification_id}/settle",
            post_with(settle_notification, |t| {
                op(t, "settleNotification", "notifications",
                    "Report what became of a pending notification; once only (409 otherwise)",
                    &STAFF_DOC)
                .answer::<200, Json<doc::Settled>>()
            }),
        )
        .api_route(
            "/admin/events",
            get_with(admin_events, |t| {
                op(t, "listEvents", "admin", "Stored inbound events (metadata only)", &STAFF_DOC)
                    .answer::<200, Json<Vec<doc::EventMeta>>>()
            }),
        )
        .api_route(
            "/admin/events/{event_id}/raw",
            get_with(admin_event_raw, |t| {
                op(t, "getEventRaw", "admin",
                    "The raw body of one stored event (PHI: admin only, audited; 410 once purged)",
                    &STAFF_DOC)
                .answer::<200, Json<doc::RawEvent>>()
            }),
        )
}

pub(super) async fn load(state: &AppState, id: &str) -> Result<Loaded, Problem> {
    orders::load(state, id).await
}

/// Answers the guest's response, or a 4xx/5xx problem for its misuse envelope.
pub(super) async fn decide_ok(
    state: &AppState,
    op: &str,
    request: Value,
) -> Result<Value, Problem> {
    ok_or_problem(op, state.decide(op, request).await?)
}

/// The report of `validate` on an outbound `body` of `kind` (dated by `now` when given),
/// misuse a [`Problem`] as for [`decide_ok`]. The body goes to the guest as JSON text beside
/// the parameters (`call-document`): serialized once, read straight into the typed model.
pub(super) async fn validate_body(
    state: &AppState,
    kind: &str,
    body: &Value,
    now: Option<i64>,
) -> Result<ReportRecord, Problem> {
    let mut params = json!({ "kind": kind });
    if let (Some(now), Some(members)) = (now, params.as_object_mut()) {
        members.insert("now".to_owned(), json!(super::rfc3339(now)));
    }
    let answer = state
        .decide_document("validate", params, body.to_string())
        .await?;
    serde_json::from_value(ok_or_problem("validate", answer)?)
        .map_err(|_| Problem::internal("the rules answered `validate` with no report"))
}

/// An answer of the rules, or the [`Problem`] of its misuse envelope.
fn ok_or_problem(op: &str, answer: Result<Value, Value>) -> Result<Value, Problem> {
    match answer {
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
                )
                .code("rules_op_missing"));
            }
            Err(Problem::client(
                StatusCode::BAD_REQUEST,
                format!("the rules refused the request to `{op}`"),
            )
            .code(code.to_owned()))
        }
    }
}

/// Refuses a body the rules found invalid: a `violations` problem titled `title`, carrying
/// the report's violations.
pub(super) fn refuse_invalid(
    report: &ReportRecord,
    title: impl Into<String>,
) -> Result<(), Problem> {
    if report.valid {
        return Ok(());
    }
    let violations = report
        .violations
        .iter()
        .filter_map(|v| serde_json::to_value(v).ok())
        .collect();
    Err(Problem::violations(title, violations))
}

/// An audit entry of a staff action: who (the key's id), what, on which order.
pub(super) fn entry(
    caller: &Caller,
    order_id: &str,
    event: &str,
    outcome: &str,
    detail: Option<Value>,
) -> AuditEntry {
    AuditEntry {
        at: now_ms(),
        source: "api".into(),
        actor: Some(caller.key_id.clone()),
        request_id: Some(caller.request_id.clone()),
        event: event.into(),
        order_id: Some(order_id.into()),
        outcome: outcome.into(),
        detail,
        ..Default::default()
    }
}

/// The version an `If-Match` header names (`"v7"`, `W/"v7"` or `7`); a header that names
/// none is a 400.
fn if_match(headers: &HeaderMap) -> Result<Option<i64>, Problem> {
    let Some(value) = headers.get(axum::http::header::IF_MATCH) else {
        return Ok(None);
    };
    value
        .to_str()
        .ok()
        .map(|v| v.trim().trim_start_matches("W/").trim_matches('"'))
        .map(|v| v.strip_prefix('v').unwrap_or(v))
        .and_then(|v| v.parse::<i64>().ok())
        .map(Some)
        .ok_or_else(|| {
            Problem::client(
                StatusCode::BAD_REQUEST,
                "If-Match must name an order version as its ETag gives it (\"v7\")",
            )
            .code("invalid_if_match")
        })
}

/// The ETag of an order version.
fn etag(version: i64) -> [(axum::http::HeaderName, String); 1] {
    [(axum::http::header::ETAG, format!("\"v{version}\""))]
}

/// `PUT /api/emr/orders/{id}`: the clinic's input of an order. The rules split the snapshot
/// (a snapshot that breaks their schema is refused); only the clinic's members are stored.
/// A new order brings its history: the members rxgate owns become rxgate's initial state. On
/// an existing order they are ignored — rxgate's state changes only through facts and events.
/// `If-Match` makes the write conditional (412 when stale); without it the clinic's input is
/// replaced (last writer wins on the clinic's own data).
async fn upsert_order(
    State(state): State<AppState>,
    Path(OrderPath { id }): Path<OrderPath>,
    headers: HeaderMap,
    super::openapi::JsonAs(snapshot, _): super::openapi::JsonAs<
        rxgate_core::order::snapshot::OrderSnapshot,
    >,
) -> Result<axum::response::Response, Problem> {
    use axum::response::IntoResponse;
    let caller = state.authorize(&headers, STAFF).await?;
    let expected = if_match(&headers)?;
    if !snapshot.is_object() {
        return Err(Problem::client(
            StatusCode::BAD_REQUEST,
            "the order snapshot must be a JSON object",
        ));
    }
    let parts = orders::split(&state, &snapshot).await?;
    let audit = entry(&caller, &id, "order_upserted", "stored", None);
    let outcome = orders::put_clinic(&state, &id, &parts, expected, &audit).await?;
    let (status, version) = match outcome {
        PutOutcome::Created(v) => (StatusCode::CREATED, v),
        PutOutcome::Updated(v) => (StatusCode::OK, v),
        PutOutcome::Stale(current) => {
            return Err(Problem::client(
                StatusCode::PRECONDITION_FAILED,
                "the order changed since the version If-Match names",
            )
            .code("stale_version")
            .with(json!({ "currentVersion": current })))
        }
    };
    state.wake.notify_one();
    Ok((
        status,
        etag(version),
        Json(json!({ "id": id, "status": "stored", "version": version })),
    )
        .into_response())
}

async fn get_order(
    State(state): State<AppState>,
    Path(OrderPath { id }): Path<OrderPath>,
    headers: HeaderMap,
) -> Result<axum::response::Response, Problem> {
    use axum::response::IntoResponse;
    state.authorize(&headers, STAFF).await?;
    let loaded = load(&state, &id).await?;
    Ok((etag(loaded.record.version), Json(orders::public(&loaded))).into_response())
}

#[derive(serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct TriggerBody {
    /// The event (the submission guide's list).
    #[schemars(with = "rxgate_core::order::submit::Trigger")]
    trigger: String,
}

async fn trigger(
    State(state): State<AppState>,
    Path(OrderPath { id }): Path<OrderPath>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<TriggerBody>,
) -> Result<Response, Problem> {
    let caller = state.authorize(&headers, STAFF).await?;
    let key = idempotency::key(&headers, &caller, "/api/emr/orders/{id}/triggers", &id)?;
    let trigger = serde_json::from_value(json!(body.trigger)).map_err(|_| {
        Problem::client(
            StatusCode::BAD_REQUEST,
            "`trigger` is not a trigger the rules know",
        )
        .code("unknown_trigger")
    })?;
    submit(&state, &caller, &id, Some(trigger), key).await
}

async fn submit_to_beluga(
    State(state): State<AppState>,
    Path(OrderPath { id }): Path<OrderPath>,
    headers: HeaderMap,
) -> Result<Response, Problem> {
    let caller = state.authorize(&headers, STAFF).await?;
    let key = idempotency::key(
        &headers,
        &caller,
        "/api/emr/orders/{id}/submit-to-beluga",
        &id,
    )?;
    submit(&state, &caller, &id, None, key).await
}

/// The submission flow: the rules plan it (`plan_submission`: decide, build, validate once);
/// the host supplies a fresh masterId candidate and commits the masterId fact, the call and the
/// audit entry in one change. `trigger` `None` is a staff retry.
async fn submit(
    state: &AppState,
    caller: &Caller,
    id: &str,
    trigger: Option<rxgate_core::order::submit::Trigger>,
    key: Option<String>,
) -> Result<Response, Problem> {
    let manual = trigger.is_none();
    let key = key.as_deref();
    let answer = orders::commit(state, id, |loaded| async move {
        if let Some(stored) = idempotency::stored(state, key).await? {
            return Ok((None, Err(stored)));
        }
        let (plan, change) = plan_change(state, caller, &loaded, trigger, manual).await?;
        let change = change.map(|c| Change {
            idempotency: idempotency::record(key, StatusCode::OK, &plan),
            ..c
        });
        Ok((change, Ok(plan)))
    })
    .await?;
    let answer = match answer {
        Ok(answer) => answer,
        Err(stored) => return Ok(idempotency::replay(stored)),
    };
    if manual && answer.get("decision").and_then(Value::as_str) != Some("submit") {
        let violations = answer
            .get("violations")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        return Err(
            Problem::violations("the order cannot be submitted to Beluga", violations)
                .with(json!({ "decision": answer.get("decision") })),
        );
    }
    Ok(Json(answer).into_response())
}

/// The plan for one read of the order and the change that carries it out.
async fn plan_change(
    state: &AppState,
    caller: &Caller,
    loaded: &Loaded,
    trigger: Option<rxgate_core::order::submit::Trigger>,
    manual: bool,
) -> Result<(Value, Option<Change>), Problem> {
    let id = loaded.record.id.clone();
    let key = id.clone();
    let calls = state.db.run(move |s| s.calls_of(&key)).await?;
    let submits = calls.iter().filter(|c| c.kind == "beluga_submit");
    if submits.clone().any(|c| c.status == "pending") {
        return Err(Problem::client(
            StatusCode::CONFLICT,
            "a Beluga submission for this order is already queued",
        )
        .code("submission_queued"));
    }
    let now = state.now_ms();
    let request = PlanSubmissionRequest {
        input: serde_json::from_value(loaded.snapshot.clone()).map_err(Problem::internal)?,
        trigger,
        manual,
        // The master id is random, generated once per visit; the rules keep an existing one.
        master_id: uuid::Uuid::new_v4().to_string(),
        attempt: u32::try_from(submits.count()).unwrap_or(u32::MAX),
        now: super::instant(now),
    };
    let plan: SubmissionPlan = orders::call(state, "plan_submission", &request).await?;
    let answer = serde_json::to_value(&plan).map_err(Problem::internal)?;
    let verdict = answer
        .get("decision")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_owned();
    let detail = json!({ "trigger": trigger, "manual": manual });
    let Some(call) = plan.call.filter(|_| verdict == "submit") else {
        let audit = entry(caller, &id, "submit_decision", &verdict, Some(detail));
        state.db.run(move |s| s.audit(&audit)).await?;
        return Ok((
            json!({ "decision": verdict, "queued": false, "violations": answer.get("violations") }),
            None,
        ));
    };
    let snapshot = if plan.facts.is_empty() {
        None
    } else {
        let applied = decide_ok(
            state,
            "apply_order_facts",
            json!({ "input": loaded.snapshot, "facts": plan.facts }),
        )
        .await?;
        applied.get("snapshot").cloned()
    };
    let change = Change {
        order_id: Some(id.clone()),
        order: Some(orders::write(state, loaded, snapshot.as_ref(), None).await?),
        calls: planned(&[call]),
        audit: vec![entry(caller, &id, "beluga_submit", "queued", Some(detail))],
        now,
        ..Change::default()
    };
    Ok((
        json!({ "decision": "submit", "queued": true, "masterId": plan.master_id }),
        Some(change),
    ))
}

/// Planned calls as outbox entries; a call the rules gave no key gets a fresh one (messages
/// are sent once per request).
pub(super) fn planned(calls: &[PlannedCall]) -> Vec<NewCall> {
    calls
        .iter()
        .filter_map(|call| {
            let kind = serde_json::to_value(call.kind).ok()?.as_str()?.to_owned();
            let dedupe_key = call
                .dedupe_key
                .clone()
                .unwrap_or_else(|| format!("{kind}:{}", uuid::Uuid::new_v4()));
            Some(NewCall {
                payload: json!({
                    "method": call.method, "path": call.path,
                    "endpoint": call.endpoint, "body": call.body,
                }),
                kind,
                dedupe_key,
            })
        })
        .collect()
}

/// A partner call as the panel lists it: what, where it stands, never its payload (patient
/// data, images) nor any credential.
fn call_summary(call: &crate::store::OutboxItem) -> Value {
    let failure = call.last_error.as_deref().map(Failure::of);
    json!({
        "id": call.id,
        "kind": call.kind,
        "status": call.status,
        "class": failure.as_ref().map(|f| f.class),
        "lastError": call.last_error,
        "guidance": failure.as_ref().and_then(|f| f.guidance),
        "attempts": call.attempts,
        "nextAttemptAt": (call.status == "pending").then(|| super::rfc3339(call.next_try_at)),
        "pharmacyId": call.payload.get("pharmacy_id"),
    })
}

/// A stored call error read back: the worker keeps `{class}: {code}` for rxgate's own
/// messages and `{class}: {Beluga's documented string} — {guidance}` for a documented Beluga
/// error (`worker::failure_text`), the CS guidance the rules' classifier gave.
struct Failure<'a> {
    class: &'a str,
    message: Option<&'a str>,
    guidance: Option<&'a str>,
}

impl<'a> Failure<'a> {
    fn of(error: &'a str) -> Self {
        let (class, rest) = match error.split_once(':') {
            Some((class, rest)) => (class.trim(), Some(rest.trim())),
            None => (error.trim(), None),
        };
        let (message, guidance) = match rest.and_then(|r| r.split_once(" — ")) {
            Some((message, guidance)) => (Some(message.trim()), Some(guidance.trim())),
            None => (rest, None),
        };
        Self {
            class,
            message,
            guidance,
        }
    }
}

/// The panel's failure list: every parked call with its class, Beluga's message or rxgate's
/// code, the CS guidance, and whether staff may re-arm it (`retry`, the rules' verdict).
fn failures(calls: &[crate::store::OutboxItem], verdicts: &[Value]) -> Vec<Value> {
    calls
        .iter()
        .filter(|c| c.status == "failed")
        .map(|call| {
            let failure = Failure::of(call.last_error.as_deref().unwrap_or_default());
            let retry = verdicts.iter().find(|v| v["call_id"] == call.id);
            json!({
                "callId": call.id,
                "kind": call.kind,
                "class": failure.class,
                "message": failure.message,
                "guidance": failure.guidance,
                "retry": retry,
            })
        })
        .collect()
}

async fn panel(
    State(state): State<AppState>,
    Path(OrderPath { id }): Path<OrderPath>,
    headers: HeaderMap,
) -> Result<Json<Value>, Problem> {
    state.authorize(&headers, STAFF).await?;
    let loaded = load(&state, &id).await?;
    let key = id.clone();
    let (calls, prescriptions, documents, notifications, shipments) = state
        .db
        .run(move |s| {
            Ok((
                s.calls_of(&key)?,
                s.records(RecordTable::Prescriptions, &key)?,
                s.records(RecordTable::Documents, &key)?,
                s.records(RecordTable::Notifications, &key)?,
                s.records(RecordTable::Shipments, &key)?,
            ))
        })
        .await?;
    // The lab kit's and sample's trips (carrier, tracking), as the rules recorded them.
    let lab_shipments: Vec<&Value> = shipments
        .iter()
        .filter(|r| {
            r.get("milestone")
                .and_then(Value::as_str)
                .is_some_and(|m| m.starts_with("lab_"))
        })
        .collect();
    // Documents are listed without their content (PHI, and large).
    let documents: Vec<Value> = documents
        .iter()
        .map(|d| json!({"kind": d.get("kind"), "mime": d.get("mime"), "base64Length": d.get("base64_length")}))
        .collect();
    let diagnosis = decide_ok(
        &state,
        "diagnose",
        json!({ "input": loaded.snapshot, "now": super::rfc3339(state.now_ms()) }),
    )
    .await
    .unwrap_or(Value::Null);
    // The re-arm verdicts of the Beluga calls (the diagnosis sees no outbox); the parked
    // ones join the allowed actions.
    let verdicts = super::beluga_calls::verdicts(&state, &loaded, &calls)
        .await
        .unwrap_or_default();
    let mut allowed_actions: Vec<Value> = diagnosis
        .get("allowed_actions")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    allowed_actions.extend(
        verdicts
            .iter()
            .filter(|v| {
                calls
                    .iter()
                    .any(|c| v["call_id"] == c.id && c.status == "failed")
            })
            .cloned(),
    );
    let snap = &loaded.snapshot;
    let beluga = |k: &str| snap.pointer(&format!("/order/beluga/{k}")).cloned();
    // The last submission's failure: its class (the outbox's classified outcome) and the
    // message the rules kept on the order (Beluga's fixed error text, never other answer text).
    let submit_error = beluga("submit_error")
        .filter(|m| !m.is_null())
        .map(|message| {
            let class = calls
                .iter()
                .rev()
                .find(|c| c.kind == "beluga_submit")
                .and_then(|c| c.last_error.as_deref())
                .map(|e| e.split(':').next().unwrap_or(e).trim().to_owned());
            json!({ "class": class, "message": message })
        });
    Ok(Json(json!({
        "orderId": loaded.record.id,
        "version": loaded.record.version,
        "masterId": loaded.record.master_id,
        "orderStatus": snap.pointer("/order/status"),
        "belugaSubmitStatus": beluga("submit_status"),
        "belugaVisitStatus": beluga("visit_status"),
        "belugaVisitUpdatedAt": beluga("visit_updated_at"),
        "visitFetch": loaded.record.state.get("visitFetch"),
        "nameUpdates": loaded.record.state.get("nameUpdates"),
        "rxHistory": loaded.record.state.get("rxHistory"),
        "belugaResolvedStatus": beluga("resolved_status"),
        "belugaVisitId": beluga("visit_id"),
        "submitError": submit_error,
        "dispensePro": snap.pointer("/order/dispense_pro"),
        "lifeFile": snap.pointer("/order/life_file"),
        "routeStatuses": snap.pointer("/order/route_statuses"),
        "shipping": snap.pointer("/order/shipping"),
        "prescriptions": prescriptions,
        "labMilestone": loaded.record.state.get("lab_milestone"),
        "labShipments": lab_shipments,
        "labBookingLink": loaded.record.state.get("labBookingLink"),
        "documents": documents,
        "notifications": notifications,
        "calls": calls.iter().map(call_summary).collect::<Vec<_>>(),
        "failures": failures(&calls, &verdicts),
        "allowedActions": allowed_actions,
        "diagnosis": diagnosis,
    })))
}

#[derive(serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct CancelBody {
    #[serde(default)]
    confirm: bool,
    #[serde(default)]
    reason: Option<String>,
}

async fn cancel_visit(
    State(state): State<AppState>,
    Path(OrderPath { id }): Path<OrderPath>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<CancelBody>,
) -> Result<Json<Value>, Problem> {
    let caller = state.authorize(&headers, STAFF).await?;
    let guard = orders::commit(&state, &id, |loaded| {
        let (state, caller, body) = (&state, &caller, &body);
        async move {
            let guard = decide_ok(
                state,
                "check_cancel",
                json!({ "input": loaded.snapshot, "confirmed": body.confirm, "reason": body.reason }),
            )
            .await?;
            if guard.get("decision").and_then(Value::as_str) != Some("allowed") {
                return Ok((None, guard));
            }
            // The visit's new status is a fact of the order, applied forward-only by the rules.
            let facts = json!([{"fact": "visit", "status": "canceled"}, {"fact": "resolved", "status": "closed"}]);
            let applied = decide_ok(
                state,
                "apply_order_facts",
                json!({ "input": loaded.snapshot, "facts": facts }),
            )
            .await?;
            // The reason is staff's words about the case: kept in the audit, never logged.
            let detail = json!({ "reason": body.reason });
            let change = Change {
                order_id: Some(loaded.record.id.clone()),
                order: Some(orders::write(state, &loaded, applied.get("snapshot"), None).await?),
                audit: vec![entry(caller, &loaded.record.id, "beluga_cancel", "canceled", Some(detail))],
                now: state.now_ms(),
                ..Change::default()
            };
            Ok((Some(change), guard))
        }
    })
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
    Ok(Json(json!({ "status": "canceled", "guard": guard })))
}

#[derive(serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct FlagBody {
    /// The flag's code.
    code: String,
    /// When it was raised (RFC 3339), as the order lists it.
    #[serde(default)]
    raised_at: Option<String>,
    /// `acknowledged` or `resolved`.
    action: String,
    /// Why (required).
    #[serde(default)]
    reason: Option<String>,
}

/// Staff acknowledge or resolve a flag: the rules decide (`decide_flag_action`) and answer the
/// fact, applied like any other; the audit names the key and keeps the reason.
async fn settle_flag(
    State(state): State<AppState>,
    Path(OrderPath { id }): Path<OrderPath>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<FlagBody>,
) -> Result<Json<Value>, Problem> {
    let caller = state.authorize(&headers, STAFF).await?;
    let decision = orders::commit(&state, &id, |loaded| {
        let (state, caller, body) = (&state, &caller, &body);
        async move {
            let decision = decide_ok(
                state,
                "decide_flag_action",
                json!({ "input": loaded.snapshot, "action": body.action, "code": body.code,
                        "raised_at": body.raised_at, "reason": body.reason,
                        "by": caller.key_id, "now": super::rfc3339(state.now_ms()) }),
            )
            .await?;
            let Some(fact) = decision.get("fact").filter(|f| !f.is_null()) else {
                return Ok((None, decision));
            };
            let applied = decide_ok(
                state,
                "apply_order_facts",
                json!({ "input": loaded.snapshot, "facts": [fact] }),
            )
            .await?;
            // The reason is staff's words about the case: kept in the audit, never logged.
            let detail =
                json!({ "code": body.code, "raisedAt": body.raised_at, "reason": body.reason });
            let now = state.now_ms();
            let snapshot = applied.get("snapshot").cloned().unwrap_or(Value::Null);
            let change = Change {
                order_id: Some(loaded.record.id.clone()),
                order: Some(orders::write(state, &loaded, Some(&snapshot), None).await?),
                // A settled flag is an order change: every route ready after it is queued
                // with it (the outbox keeps one call per route key).
                calls: orders::route_calls(state, &snapshot, now).await?,
                audit: vec![entry(
                    caller,
                    &loaded.record.id,
                    "flag",
                    &body.action,
                    Some(detail),
                )],
                now,
                ..Change::default()
            };
            Ok((Some(change), decision))
        }
    })
    .await?;
    if decision.get("allowed").and_then(Value::as_bool) != Some(true) {
        let reasons = decision
            .get("reasons")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        return Err(Problem::violations("the flag action is refused", reasons)
            .with(json!({ "decision": decision })));
    }
    Ok(Json(json!({ "status": body.action, "decision": decision })))
}

async fn logs(
    State(state): State<AppState>,
    Path(OrderPath { id }): Path<OrderPath>,
    headers: HeaderMap,
    QueryOf(mut filter): QueryOf<AuditFilter>,
) -> Result<Json<Value>, Problem> {
    state.authorize(&headers, STAFF).await?;
    filter.order_id = Some(id);
    Ok(Json(json!(
        state.db.run(move |s| s.audit_log(&filter)).await?
    )))
}

async fn staff_messages(
    State(state): State<AppState>,
    Path(OrderPath { id }): Path<OrderPath>,
    headers: HeaderMap,
) -> Result<Json<Value>, Problem> {
    state.authorize(&headers, STAFF).await?;
    Ok(Json(json!(
        state.db.run(move |s| s.activities(&id, false)).await?
    )))
}

#[derive(serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct MessageBody {
    /// The text, to Beluga admin (internal). The patient's doctor chat is the portal's
    /// (`POST /api/portal/orders/{id}/messages`): no staff request reaches `receiveChat`.
    content: String,
}

/// Queues a CS message to Beluga admin: the rules build the payload and say which activity it leaves
/// (`build_message`); the call, the activity and the audit entry are one change.
async fn send_message(
    State(state): State<AppState>,
    Path(OrderPath { id }): Path<OrderPath>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<MessageBody>,
) -> Result<Response, Problem> {
    let caller = state.authorize(&headers, STAFF).await?;
    let key = idempotency::key(&headers, &caller, "/api/emr/orders/{id}/messages", &id)?;
    let queued = json!({ "status": "queued" });
    let outcome: Result<Option<Vec<Value>>, IdempotentAnswer> =
        orders::commit(&state, &id, |loaded| {
            let (state, caller, body, key, queued) =
                (&state, &caller, &body, key.as_deref(), &queued);
            async move {
                if let Some(stored) = idempotency::stored(state, key).await? {
                    return Ok((None, Err(stored)));
                }
                let master = loaded.record.master_id.clone().ok_or_else(|| {
                    Problem::client(StatusCode::CONFLICT, "the order has no Beluga visit yet")
                        .code("no_visit")
                })?;
                let request = BuildMessageRequest {
                    input: serde_json::from_value(loaded.snapshot.clone())
                        .map_err(Problem::internal)?,
                    to: Recipient::Cs,
                    content: body.content.clone(),
                    master_id: master,
                    images: Vec::new(),
                };
                message_change(state, caller, &loaded, &request, key, queued).await
            }
        })
        .await?;
    match outcome {
        Err(stored) => Ok(idempotency::replay(stored)),
        Ok(Some(violations)) => Err(Problem::violations(
            "the message breaks the rules",
            violations,
        )),
        Ok(None) => Ok((StatusCode::ACCEPTED, Json(queued)).into_response()),
    }
}

/// A message's change, or the rules' violations (then nothing is written).
pub(super) type MessageOutcome = (Option<Change>, Result<Option<Vec<Value>>, IdempotentAnswer>);

/// Builds a message with the rules (`build_message`) and the change a valid one makes: its
/// calls, the activity (the text and, for a patient's chat, how many images went — never the
/// images), the audit entry and the idempotent answer. An invalid one answers its violations.
pub(super) async fn message_change(
    state: &AppState,
    caller: &Caller,
    loaded: &Loaded,
    request: &BuildMessageRequest,
    key: Option<&str>,
    queued: &Value,
) -> Result<MessageOutcome, Problem> {
    let plan: MessagePlan = orders::call(state, "build_message", request).await?;
    let Some(activity) = plan.activity.filter(|_| plan.valid) else {
        let violations = plan
            .violations
            .iter()
            .filter_map(|v| serde_json::to_value(v).ok())
            .collect();
        return Ok((None, Ok(Some(violations))));
    };
    let kind = serde_json::to_value(activity.kind)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    let mut body = json!({ "kind": kind, "content": request.content });
    let detail = match request.to {
        Recipient::Patient => {
            body["images"] = json!(request.images.len());
            Some(json!({ "via": "portal", "images": request.images.len() }))
        }
        Recipient::Cs => None,
    };
    let id = loaded.record.id.clone();
    let change = Change {
        order_id: Some(id.clone()),
        calls: planned(&plan.calls),
        activities: vec![NewActivity {
            body,
            kind: kind.clone(),
            patient_visible: activity.patient_visible,
        }],
        audit: vec![entry(caller, &id, &kind, "queued", detail)],
        idempotency: idempotency::record(key, StatusCode::ACCEPTED, queued),
        now: state.now_ms(),
        ..Change::default()
    };
    Ok((Some(change), Ok(None)))
}

/// Validates a staff payload with the rules and queues it for Beluga with its audit entry in
/// one commit. `update-visit`'s `apiKey` is checked with the configured key in a copy and
/// added again only when the call is sent: the key is never stored.
async fn queue_validated(
    state: &AppState,
    caller: &Caller,
    id: &str,
    call: QueuedCall<'_>,
    answer: Option<IdempotentAnswer>,
) -> Result<Option<IdempotentAnswer>, Problem> {
    let QueuedCall {
        kind,
        path,
        payload,
    } = call;
    let now = state.now_ms();
    let mut checked = payload.clone();
    if let (Some(map), Some(key), "update-visit") = (
        checked.as_object_mut(),
        state.config.beluga.api_key.as_ref(),
        kind,
    ) {
        map.insert("apiKey".into(), json!(key.expose()));
    }
    let report = validate_body(state, kind, &checked, Some(now)).await?;
    drop(checked);
    refuse_invalid(&report, format!("the `{kind}` payload breaks the rules"))?;
    let call_kind = format!("beluga_{}", kind.replace('-', "_"));
    let change = Change {
        order_id: Some(id.to_owned()),
        calls: vec![NewCall {
            dedupe_key: format!("{call_kind}:{id}:{}", uuid::Uuid::new_v4()),
            payload: json!({ "path": path, "endpoint": kind, "body": payload }),
            kind: call_kind.clone(),
        }],
        audit: vec![entry(caller, id, &call_kind, "queued", None)],
        idempotency: answer,
        now,
        ..Change::default()
    };
    let key = change.idempotency.as_ref().map(|a| a.key.clone());
    match state.db.run(move |s| s.commit(&change)).await? {
        Committed::Done(_) => {
            state.wake.notify_one();
            Ok(None)
        }
        // The same key was committed meanwhile (a concurrent retry): its answer stands.
        Committed::Conflict => match idempotency::stored(state, key.as_deref()).await? {
            Some(stored) => Ok(Some(stored)),
            None => Err(Problem::internal("a pass-through commit conflicted")),
        },
        // Only a change finishing claimed work can be settled by another worker; this one
        // finishes none, so the store broke its contract.
        Committed::Settled => Err(Problem::internal("a pass-through commit was settled")),
    }
}

async fn beluga_passthrough(
    state: AppState,
    id: String,
    headers: HeaderMap,
    kind: &str,
    path: &str,
    mut payload: Value,
) -> Result<Response, Problem> {
    let caller = state.authorize(&headers, STAFF).await?;
    let route = format!("/api/emr/orders/{{id}}/{kind}");
    let key = idempotency::key(&headers, &caller, &route, &id)?;
    if let Some(stored) = idempotency::stored(&state, key.as_deref()).await? {
        return Ok(idempotency::replay(stored));
    }
    let loaded = load(&state, &id).await?;
    if let Some(map) = payload.as_object_mut() {
        // A client-sent key is never stored: the configured one is added when sending.
        map.remove("apiKey");
    }
    // Only the members the reference documents for each endpoint: `patientName` and
    // `updateVisit` name the visit by `masterId`; `receivePhotos` and `receivePdf` by
    // `visitId` (the visit id, or the masterId Beluga also accepts) and have no `masterId`.
    if let (Some(map), Some(master)) = (payload.as_object_mut(), loaded.record.master_id.as_ref()) {
        if matches!(kind, "photos" | "pdf") {
            map.entry("visitId").or_insert_with(|| {
                loaded
                    .snapshot
                    .pointer("/order/beluga/visit_id")
                    .filter(|v| v.is_string())
                    .cloned()
                    .unwrap_or_else(|| json!(master))
            });
        } else {
            map.entry("masterId").or_insert_with(|| json!(master));
        }
    }
    let queued = json!({ "status": "queued" });
    let answer = idempotency::record(key.as_deref(), StatusCode::ACCEPTED, &queued);
    let call = QueuedCall {
        kind,
        path,
        payload,
    };
    if let Some(stored) = queue_validated(&state, &caller, &id, call, answer).await? {
        return Ok(idempotency::replay(stored));
    }
    Ok((StatusCode::ACCEPTED, Json(queued)).into_response())
}

/// A Beluga call a staff route queues.
struct QueuedCall<'a> {
    kind: &'a str,
    path: &'a str,
    payload: Value,
}

/// A staff route that validates a Beluga payload with the guest and queues it.
fn passthrough(
    kind: &'static str,
    path: &'static str,
    id: &'static str,
    summary: &'static str,
) -> ApiMethodRouter<AppState> {
    post_with(
        move |State(state): State<AppState>,
              Path(OrderPath { id }): Path<OrderPath>,
              headers: HeaderMap,
              JsonBody(payload): JsonBody<serde_json::Map<String, Value>>| async move {
            beluga_passthrough(state, id, headers, kind, path, Value::Object(payload)).await
        },
        move |t| {
            use super::openapi::Answer;
            super::openapi::idempotent(super::openapi::op(
                t,
                id,
                "orders",
                summary,
                &super::openapi::STAFF_SECURITY,
            ))
            .answer::<202, Json<super::openapi::Queued>>()
        },
    )
}

/// Pharmacy search is a synchronous pass-through: validated by the guest, answered by Beluga.
async fn pharmacy_search(
    State(state): State<AppState>,
    headers: HeaderMap,
    super::openapi::JsonAs(query, _): super::openapi::JsonAs<serde_json::Map<String, Value>>,
) -> Result<Json<Value>, Problem> {
    state.authorize(&headers, STAFF).await?;
    let report = validate_body(&state, "pharmacy-search", &query, None).await?;
    refuse_invalid(&report, "the pharmacy search breaks the rules")?;
    let cfg = &state.config.beluga;
    let key = cfg
        .api_key
        .as_ref()
        .map(|k| k.expose().to_owned())
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

#[derive(serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct NotificationsQuery {
    /// `pending` (the default), `sent`, `failed`, `skipped`, or `expired` (still pending
    /// after `notification_ttl_hours`; no longer settled).
    status: Option<String>,
    /// At most this many (default 100, at most 1 000).
    limit: Option<u32>,
}

/// The statuses a notification can be in.
const NOTIFICATION_STATUSES: [&str; 5] = ["pending", "sent", "failed", "skipped", "expired"];

/// Patient notifications for the clinic app's messaging to send (email, SMS, in-app):
/// `pending` by default, oldest first. Metadata only — the app reads the order for the
/// content it sends.
async fn worklist(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Json<Vec<super::sweep::WorklistEntry>>, Problem> {
    state.authorize(&headers, STAFF).await?;
    let list = super::sweep::worklist(&state)
        .await
        .map_err(Problem::internal)?;
    Ok(Json(list))
}

async fn pending_notifications(
    State(state): State<AppState>,
    headers: HeaderMap,
    QueryOf(q): QueryOf<NotificationsQuery>,
) -> Result<Json<Value>, Problem> {
    state.authorize(&headers, STAFF).await?;
    let status = q.status.unwrap_or_else(|| "pending".to_owned());
    if !NOTIFICATION_STATUSES.contains(&status.as_str()) {
        return Err(Problem::client(
            StatusCode::BAD_REQUEST,
            "`status` is one of pending, sent, failed, skipped, expired",
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

#[derive(serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct SettleBody {
    /// `sent`, `failed` or `skipped`.
    status: String,
}

/// The clinic app reports what became of a pending notification; once only.
async fn settle_notification(
    State(state): State<AppState>,
    Path(NotificationPath { notification_id }): Path<NotificationPath>,
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
        return Err(
            Problem::client(StatusCode::CONFLICT, "no pending notification with this id")
                .code("notification_not_pending"),
        );
    }
    Ok(Json(json!({"id": notification_id, "status": body.status})))
}

#[derive(serde::Deserialize, schemars::JsonSchema)]
struct EventsQuery {
    limit: Option<u32>,
}

/// Stored events (metadata only; raw bodies hold PHI and are not listed).
async fn admin_events(
    State(state): State<AppState>,
    headers: HeaderMap,
    QueryOf(q): QueryOf<EventsQuery>,
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
    Path(EventPath { event_id }): Path<EventPath>,
    headers: HeaderMap,
) -> Result<axum::response::Response, Problem> {
    use axum::response::IntoResponse;
    let caller = state.authorize(&headers, &[Scope::Admin]).await?;
    let Ok(event_id) = event_id.parse::<i64>() else {
        return Err(Problem::client(
            StatusCode::BAD_REQUEST,
            "the event id is an integer",
        ));
    };
    let event = state
        .db
        .run(move |s| s.get_event(event_id))
        .await?
        .ok_or_else(|| Problem::not_found("event"))?;
    let raw = event.raw.ok_or_else(|| {
        Problem::client(StatusCode::GONE, "the raw body was purged after retention")
            .code("raw_purged")
    })?;
    let entry = AuditEntry {
        at: now_ms(),
        source: "admin".into(),
        actor: Some(caller.key_id.clone()),
        request_id: Some(caller.request_id.clone()),
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
