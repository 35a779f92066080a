//! Per-patient access and deletion requests (admin scope; docs/security.md, "Per-patient
//! export and erase").
//!
//! A patient is the clinic's patient id, the `patient.id` of an order's clinic input; their
//! orders are every order whose input names it.
//! - `GET /admin/patients/{patient_id}/export`: everything rxgate holds for those orders, as
//!   one JSON document — the clinic's input, rxgate's state, the events with their raw bodies
//!   (while kept), activities, partner calls with their payloads (while kept), prescription,
//!   shipment, appointment and notification records, documents (metadata only: the images
//!   and PDFs are the clinic's and the partners' to hand over) and the audit trail (the
//!   newest 1,000 entries per order). The read is audited (`patient_exported`, one entry per
//!   order).
//! - `POST /admin/patients/{patient_id}/erase` `{force?, reason?}`: the rules' `decide_erase`
//!   refuses while a partner call of those orders is in flight (409 `erase_calls_in_flight`)
//!   unless forced with a reason (422 `erase_reason_missing` without one); then the store
//!   erases them in one transaction ([`crate::store::Storage::erase_orders`]), re-checking that
//!   no call became due in between unless forced. The audit trail stays, with one
//!   `patient_erased` entry per order naming the caller, whether it was forced and the reason.
//!
//! Neither answer nor any audit entry repeats the patient id (order ids only).

use super::openapi::PatientPath;
use super::problem::{JsonBody, Problem};
use super::{now_ms, AppState, Caller};
use crate::keys::Scope;
use crate::store::{AuditEntry, AuditFilter, Erase, Erased, EventRecord, OrderRecord, RecordTable};
use aide::axum::routing::{get_with, post_with};
use aide::axum::ApiRouter;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use rxgate_core::order::erase::{DecideEraseRequest, EraseCall, EraseDecision};
use serde_json::{json, Value};

const ADMIN: &[Scope] = &[Scope::Admin];

/// The longest reason a forced erase keeps, in characters.
const MAX_REASON_CHARS: usize = 500;

/// The routes.
pub fn routes() -> ApiRouter<AppState> {
    use super::openapi::{op, Answer, STAFF_SECURITY as KEY};
    ApiRouter::new()
        .api_route(
            "/admin/patients/{patient_id}/export",
            get_with(export, |t| {
                op(t, "exportPatient", "admin",
                    "Everything rxgate holds for one patient's orders, as JSON (PHI: admin only, audited; 404 when no order names the patient)",
                    &KEY)
                .answer::<200, Json<PatientExport>>()
            }),
        )
        .api_route(
            "/admin/patients/{patient_id}/erase",
            post_with(erase, |t| {
                op(t, "erasePatient", "admin",
                    "Erase one patient's orders (refused while partner calls are in flight unless forced with a reason; the audit trail stays)",
                    &KEY)
                .answer::<200, Json<PatientErased>>()
            }),
        )
}

/// The answer of an export (documented shape; each order's members are the stored JSON).
#[derive(serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PatientExport {
    /// When (RFC 3339).
    pub exported_at: String,
    /// Each order of the patient with everything filed under it.
    pub orders: Vec<serde_json::Map<String, Value>>,
}

/// The answer of an erase.
#[derive(serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PatientErased {
    /// `erased`.
    pub status: String,
    /// The orders erased.
    pub orders: Vec<String>,
    /// Whether it went ahead past calls in flight (parked, never sent).
    pub forced: bool,
    /// What went, by table.
    pub erased: Erased,
}

/// The body of an erase.
#[derive(serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct EraseBody {
    /// Erase although partner calls are in flight (they are parked, never sent).
    #[serde(default)]
    force: bool,
    /// Why (required with `force`; kept in the audit log: write no patient data in it).
    #[serde(default)]
    reason: Option<String>,
}

/// The patient's orders; 404 when none.
async fn orders_of(state: &AppState, patient_id: &str) -> Result<Vec<OrderRecord>, Problem> {
    let patient = patient_id.to_owned();
    let orders = state.db.run(move |s| s.patient_orders(&patient)).await?;
    if patient_id.trim().is_empty() || orders.is_empty() {
        return Err(Problem::not_found("patient"));
    }
    Ok(orders)
}

/// An admin entry about one order of the patient.
fn admin_entry(caller: &Caller, order_id: &str, event: &str, outcome: &str) -> AuditEntry {
    AuditEntry {
        at: now_ms(),
        source: "admin".into(),
        actor: Some(caller.key_id.clone()),
        request_id: Some(caller.request_id.clone()),
        event: event.into(),
        order_id: Some(order_id.into()),
        outcome: outcome.into(),
        ..Default::default()
    }
}

/// An event as exported: its metadata and its raw body (JSON when it is, else text; null once
/// purged).
fn exported_event(e: EventRecord) -> Value {
    let raw = e.raw.as_deref().map(|bytes| {
        serde_json::from_slice::<Value>(bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(bytes).into_owned()))
    });
    let mut out = json!(e);
    if let Some(map) = out.as_object_mut() {
        map.insert("raw".into(), raw.unwrap_or(Value::Null));
    }
    out
}

/// Everything filed under one order.
fn export_order(
    s: &dyn crate::store::Storage,
    order: OrderRecord,
) -> crate::store::StoreResult<Value> {
    let id = order.id.clone();
    let mut out = json!(order);
    let Some(map) = out.as_object_mut() else {
        return Ok(out);
    };
    let events: Vec<Value> = s.events_of(&id)?.into_iter().map(exported_event).collect();
    map.insert("events".into(), json!(events));
    map.insert("activities".into(), json!(s.activities(&id, false)?));
    map.insert("calls".into(), json!(s.calls_of(&id)?));
    for table in RecordTable::ALL {
        let records = s.records(table, &id)?;
        let records: Vec<Value> = if table == RecordTable::Documents {
            records.iter().map(document_metadata).collect()
        } else {
            records
        };
        map.insert(table.name().into(), json!(records));
    }
    let filter = AuditFilter {
        order_id: Some(id),
        limit: Some(1000),
        ..AuditFilter::default()
    };
    map.insert("audit".into(), json!(s.audit_log(&filter)?));
    Ok(out)
}

/// A document without its content.
fn document_metadata(d: &Value) -> Value {
    let mut out = d.clone();
    if let Some(map) = out.as_object_mut() {
        map.remove("images");
        map.remove("content_base64");
    }
    out
}

/// `GET /admin/patients/{patient_id}/export`.
async fn export(
    State(state): State<AppState>,
    Path(PatientPath { patient_id }): Path<PatientPath>,
    headers: HeaderMap,
) -> Result<Json<Value>, Problem> {
    let caller = state.authorize(&headers, ADMIN).await?;
    let orders = orders_of(&state, &patient_id).await?;
    let audit: Vec<AuditEntry> = orders
        .iter()
        .map(|o| admin_entry(&caller, &o.id, "patient_exported", "read"))
        .collect();
    let exported = state
        .db
        .run(move |s| {
            let out = orders
                .into_iter()
                .map(|o| export_order(s, o))
                .collect::<Result<Vec<_>, _>>()?;
            for entry in &audit {
                s.audit(entry)?;
            }
            Ok(out)
        })
        .await?;
    Ok(Json(json!({
        "exportedAt": super::rfc3339(now_ms()),
        "orders": exported,
    })))
}

/// The rules' verdict on erasing `orders` now.
async fn decide(
    state: &AppState,
    orders: &[OrderRecord],
    body: &EraseBody,
) -> Result<EraseDecision, Problem> {
    let ids: Vec<String> = orders.iter().map(|o| o.id.clone()).collect();
    let calls = state
        .db
        .run(move |s| {
            let mut calls = Vec::new();
            for id in &ids {
                calls.extend(s.calls_of(id)?.into_iter().map(|c| EraseCall {
                    order_id: id.clone(),
                    kind: c.kind,
                    status: c.status,
                }));
            }
            Ok(calls)
        })
        .await?;
    let request = DecideEraseRequest {
        calls,
        force: body.force,
        reason: body.reason.clone(),
    };
    let answer = super::app::decide_ok(state, "decide_erase", json!(request)).await?;
    serde_json::from_value(answer).map_err(Problem::internal)
}

/// The problem of a refused erase: 422 for a missing reason, else 409 (calls in flight).
fn refused(decision: &EraseDecision) -> Problem {
    let missing_reason = decision
        .reasons
        .iter()
        .any(|r| r.code == "erase_reason_missing");
    let (status, code) = if missing_reason {
        (StatusCode::UNPROCESSABLE_ENTITY, "erase_reason_missing")
    } else {
        (StatusCode::CONFLICT, "erase_calls_in_flight")
    };
    Problem::client(status, "the rules refuse the erase now")
        .code(code)
        .with(json!({
            "reasons": decision.reasons,
            "inFlight": decision.in_flight,
            "inFlightOrders": decision.in_flight_orders,
        }))
}

/// `POST /admin/patients/{patient_id}/erase`.
async fn erase(
    State(state): State<AppState>,
    Path(PatientPath { patient_id }): Path<PatientPath>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<EraseBody>,
) -> Result<Json<Value>, Problem> {
    let caller = state.authorize(&headers, ADMIN).await?;
    let orders = orders_of(&state, &patient_id).await?;
    let decision = decide(&state, &orders, &body).await?;
    if !decision.allowed {
        return Err(refused(&decision));
    }
    let reason: Option<String> = body
        .reason
        .as_deref()
        .map(|r| r.trim().chars().take(MAX_REASON_CHARS).collect());
    let outcome = if decision.forced {
        "erased_forced"
    } else {
        "erased"
    };
    let audit: Vec<AuditEntry> = orders
        .iter()
        .map(|o| AuditEntry {
            detail: Some(json!({"forced": decision.forced, "reason": reason})),
            ..admin_entry(&caller, &o.id, "patient_erased", outcome)
        })
        .collect();
    let ids: Vec<String> = orders.iter().map(|o| o.id.clone()).collect();
    let (keys, force, now) = (ids.clone(), decision.forced, now_ms());
    let erased = state
        .db
        .run(move |s| s.erase_orders(&keys, force, &audit, now))
        .await?;
    let erased = match erased {
        Erase::Done(erased) => erased,
        Erase::InFlight(n) => {
            // A call became due between the rules' check and the erase: nothing was written.
            return Err(refused(&EraseDecision {
                in_flight: u32::try_from(n).unwrap_or(u32::MAX),
                ..decision
            }));
        }
    };
    tracing::info!(orders = ids.len(), forced = force, "patient erased");
    Ok(Json(json!(PatientErased {
        status: "erased".into(),
        orders: ids,
        forced: force,
        erased,
    })))
}
