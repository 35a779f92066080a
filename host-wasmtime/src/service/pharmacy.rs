//! Staff actions on the order's fulfillment routes (issue 15, item 2): retry a FAILED route
//! once its cause is fixed, force a route the pharmacy accepted (with a reason).
//!
//! The rules decide (`decide_route_action`: allowed, the reasons when refused, the submission
//! to queue); the service files the decision's submission and the audit entry (the caller's
//! key id, the action, the pharmacy, the staff's reason, the outcome) in one change checked
//! against the order's version. A refused action answers 422 with the rules' reasons and is
//! audited too. The submission's key makes a second press of the same retry queue nothing;
//! an `Idempotency-Key` replays an accepted retry or force (a refusal stores nothing).

use super::app::{decide_ok, entry, STAFF};
use super::idempotency;
use super::openapi::{self as doc, op, Answer, STAFF_SECURITY as STAFF_DOC};
use super::orders;
use super::problem::{JsonBody, Problem};
use super::{AppState, Caller};
use crate::store::Change;
use aide::axum::routing::post_with;
use aide::axum::ApiRouter;
use aide::transform::TransformOperation;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use rxgate_core::events::apply::OutboxItem;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{json, Value};

/// `{id}/routes/{pharmacy_id}`: an order and the pharmacy of one of its routes.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct RoutePath {
    /// The clinic's order id.
    pub id: String,
    /// The app's id of the route's pharmacy.
    pub pharmacy_id: String,
}

/// The body of a retry (`{}` or a note) or force (`{"reason": …}`).
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RouteActionBody {
    /// Why (required to force; kept in the audit, never logged).
    #[serde(default)]
    pub reason: Option<String>,
}

/// The part of the rules' decision the service acts on.
#[derive(Deserialize)]
struct Decision {
    allowed: bool,
    #[serde(default)]
    reasons: Vec<Value>,
    outbox: Option<OutboxItem>,
}

const RETRY: &str = "/api/emr/orders/{id}/routes/{pharmacy_id}/retry";
const FORCE: &str = "/api/emr/orders/{id}/routes/{pharmacy_id}/force";

/// The routes of this module.
pub fn routes() -> ApiRouter<AppState> {
    ApiRouter::new()
        .api_route(
            RETRY,
            post_with(retry, |t| {
                doc::idempotent(op(t, "retryRoute", "orders",
                    "Staff retry of a FAILED fulfillment route once its cause is fixed; 422 with the rules' reasons when refused",
                    &STAFF_DOC))
                .answer::<202, Json<doc::RouteActionAnswer>>()
            }),
        )
        .api_route(
            FORCE,
            post_with(force, |t| {
                doc::idempotent(op(t, "forceRoute", "orders",
                    "Staff force of a fulfillment route the pharmacy accepted (a reason is required; never past a block or the prescription boundary); 422 when refused",
                    &STAFF_DOC))
                .answer::<202, Json<doc::RouteActionAnswer>>()
            }),
        )
}

async fn retry(
    State(state): State<AppState>,
    Path(path): Path<RoutePath>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<RouteActionBody>,
) -> Result<Response, Problem> {
    let caller = state.authorize(&headers, STAFF).await?;
    let key = idempotency::key(&headers, &caller, RETRY, &path.id)?;
    act(&state, &caller, &path, "retry", body.reason, key).await
}

async fn force(
    State(state): State<AppState>,
    Path(path): Path<RoutePath>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<RouteActionBody>,
) -> Result<Response, Problem> {
    let caller = state.authorize(&headers, STAFF).await?;
    let key = idempotency::key(&headers, &caller, FORCE, &path.id)?;
    act(&state, &caller, &path, "force", body.reason, key).await
}

/// Asks the rules, files the submission and the audit entry in one change, answers the
/// decision (202) or its reasons (422).
async fn act(
    state: &AppState,
    caller: &Caller,
    path: &RoutePath,
    action: &str,
    reason: Option<String>,
    key: Option<String>,
) -> Result<Response, Problem> {
    let key = key.as_deref();
    let decision = orders::commit(state, &path.id, |loaded| {
        let reason = reason.clone();
        async move {
            if let Some(stored) = idempotency::stored(state, key).await? {
                return Ok((None, Err(stored)));
            }
            let now = state.now_ms();
            let request = json!({
                "input": loaded.snapshot, "action": action, "pharmacy_id": path.pharmacy_id,
                "reason": reason, "now": super::rfc3339(now),
            });
            let answer = decide_ok(state, "decide_route_action", request).await?;
            let decision: Decision =
                serde_json::from_value(answer.clone()).map_err(Problem::internal)?;
            let codes: Vec<&Value> = decision.reasons.iter().map(|r| &r["code"]).collect();
            let outcome = if decision.allowed {
                "queued"
            } else {
                "refused"
            };
            // The reason is staff's words about the case: kept in the audit, never logged.
            let detail =
                json!({ "pharmacy_id": path.pharmacy_id, "reason": reason, "codes": codes });
            let audit = entry(
                caller,
                &loaded.record.id,
                &format!("route_{action}"),
                outcome,
                Some(detail),
            );
            let body = json!({ "status": "queued", "decision": answer });
            let change = Change {
                idempotency: decision
                    .allowed
                    .then(|| idempotency::record(key, StatusCode::ACCEPTED, &body))
                    .flatten(),
                order_id: Some(loaded.record.id.clone()),
                order: Some(orders::write(state, &loaded, None, None).await?),
                calls: decision
                    .outbox
                    .map(orders::outbox_call)
                    .into_iter()
                    .collect(),
                audit: vec![audit],
                now,
                ..Change::default()
            };
            Ok((Some(change), Ok((decision.allowed, decision.reasons, body))))
        }
    })
    .await?;
    let (allowed, reasons, body) = match decision {
        Ok(decision) => decision,
        Err(stored) => return Ok(idempotency::replay(stored)),
    };
    if !allowed {
        return Err(
            Problem::violations(format!("the {action} is refused"), reasons)
                .with(json!({ "decision": body["decision"] })),
        );
    }
    Ok((StatusCode::ACCEPTED, Json(body)).into_response())
}

// ---------------------------------------------------------------------------------------
// DispensePro manual actions (issue 15 item 3): get status, refill, void
// ---------------------------------------------------------------------------------------

const DP_STATUS: &str = "/api/emr/orders/{id}/routes/{pharmacy_id}/dispensepro/status";
const DP_REFILL: &str = "/api/emr/orders/{id}/routes/{pharmacy_id}/dispensepro/refill";
const DP_VOID: &str = "/api/emr/orders/{id}/routes/{pharmacy_id}/dispensepro/void";

/// The documentation of a DispensePro manual action's route.
fn dp_doc<'a>(t: TransformOperation<'a>, id: &str, summary: &str) -> TransformOperation<'a> {
    doc::idempotent(op(t, id, "orders", summary, &STAFF_DOC))
        .answer::<200, Json<doc::DispenseProActionAnswer>>()
}

/// The routes of the DispensePro manual actions.
pub fn dispensepro_routes() -> ApiRouter<AppState> {
    ApiRouter::new()
        .api_route(
            DP_STATUS,
            post_with(dp_status, |t| dp_doc(t, "dispenseProStatus",
                "Staff get the status of the order DispensePro accepted for the route; the submission takes it. 422 with the rules' reasons when refused (nothing is sent), 502 when DispensePro fails")),
        )
        .api_route(
            DP_REFILL,
            post_with(dp_refill, |t| dp_doc(t, "dispenseProRefill",
                "Staff ask DispensePro for a refill of a delivered order with refills left (after the prescription confirmation, never of a voided order); 422 when refused, 502 when DispensePro fails")),
        )
        .api_route(
            DP_VOID,
            post_with(dp_void, |t| dp_doc(t, "dispenseProVoid",
                "Staff void the order DispensePro accepted, before it ships, with a reason (after the prescription confirmation); 422 when refused, 502 when DispensePro fails")),
        )
}

async fn dp_status(
    State(state): State<AppState>,
    Path(path): Path<RoutePath>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<RouteActionBody>,
) -> Result<Response, Problem> {
    dp_route(&state, &headers, path, DP_STATUS, "status", body.reason).await
}

async fn dp_refill(
    State(state): State<AppState>,
    Path(path): Path<RoutePath>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<RouteActionBody>,
) -> Result<Response, Problem> {
    dp_route(&state, &headers, path, DP_REFILL, "refill", body.reason).await
}

async fn dp_void(
    State(state): State<AppState>,
    Path(path): Path<RoutePath>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<RouteActionBody>,
) -> Result<Response, Problem> {
    dp_route(&state, &headers, path, DP_VOID, "void", body.reason).await
}

async fn dp_route(
    state: &AppState,
    headers: &HeaderMap,
    path: RoutePath,
    route: &str,
    action: &'static str,
    reason: Option<String>,
) -> Result<Response, Problem> {
    let caller = state.authorize(headers, STAFF).await?;
    let key = idempotency::key(headers, &caller, route, &path.id)?;
    if let Some(stored) = idempotency::stored(state, key.as_deref()).await? {
        return Ok(idempotency::replay(stored));
    }
    let action = DpAction {
        caller: &caller,
        path: &path,
        name: action,
        reason,
        key,
    };
    action.run(state).await
}

/// The call the rules allow (`decide_dispensepro_action`'s `call`).
#[derive(Deserialize)]
struct DpCall {
    method: String,
    path: String,
    #[serde(default)]
    body: Option<Value>,
}

/// The part of `record_dispensepro_action`'s answer the service acts on.
#[derive(Deserialize)]
struct DpOutcome {
    classification: String,
    partner_status: Option<String>,
    refill_id: Option<String>,
    snapshot: Value,
    #[serde(default)]
    error: Option<rxgate_core::order::calls::CallError>,
}

/// One DispensePro manual action asked by staff.
struct DpAction<'a> {
    caller: &'a Caller,
    path: &'a RoutePath,
    name: &'static str,
    reason: Option<String>,
    key: Option<String>,
}

impl DpAction<'_> {
    /// The audit entry of the action (the void's reason is staff's words: kept in the audit,
    /// never logged).
    fn audit(&self, outcome: &str, extra: Value) -> crate::store::AuditEntry {
        let mut detail = json!({ "pharmacy_id": self.path.pharmacy_id });
        if self.name == "void" {
            detail["reason"] = json!(self.reason);
        }
        if let (Some(map), Value::Object(extra)) = (detail.as_object_mut(), extra) {
            map.extend(extra);
        }
        let event = format!("dispensepro_{}", self.name);
        entry(self.caller, &self.path.id, &event, outcome, Some(detail))
    }

    /// Files an audit entry alone.
    async fn file(&self, state: &AppState, audit: crate::store::AuditEntry) -> Result<(), Problem> {
        let change = Change {
            order_id: Some(self.path.id.clone()),
            audit: vec![audit],
            now: state.now_ms(),
            ..Change::default()
        };
        state.db.run(move |s| s.commit(&change)).await?;
        Ok(())
    }

    /// Asks the rules; refused: audited, 422 and nothing sent; allowed: sends the call and
    /// records DispensePro's answer.
    async fn run(&self, state: &AppState) -> Result<Response, Problem> {
        let loaded = orders::load(state, &self.path.id).await?;
        let request = json!({
            "input": loaded.snapshot, "action": self.name,
            "pharmacy_id": self.path.pharmacy_id, "reason": self.reason,
        });
        let decision = decide_ok(state, "decide_dispensepro_action", request).await?;
        let reasons: Vec<Value> = decision["reasons"].as_array().cloned().unwrap_or_default();
        let call = decision
            .get("call")
            .filter(|c| !c.is_null())
            .map(|c| serde_json::from_value::<DpCall>(c.clone()))
            .transpose()
            .map_err(Problem::internal)?;
        let Some(call) = call.filter(|_| decision["allowed"] == true) else {
            let codes: Vec<&Value> = reasons.iter().map(|r| &r["code"]).collect();
            self.file(state, self.audit("refused", json!({ "codes": codes })))
                .await?;
            return Err(Problem::violations(
                format!("the DispensePro {} is refused", self.name),
                reasons,
            )
            .with(json!({ "decision": decision })));
        };
        let Some((url, auth)) =
            super::worker::dispensepro_target(state, &self.path.pharmacy_id, &call.path)
        else {
            self.file(state, self.audit("partner_not_configured", json!({})))
                .await?;
            return Err(Problem::client(
                StatusCode::SERVICE_UNAVAILABLE,
                "the service has no DispensePro configuration for this pharmacy",
            )
            .code("partner_not_configured"));
        };
        let method = match call.method.as_str() {
            "GET" => reqwest::Method::GET,
            _ => reqwest::Method::POST,
        };
        let raw = crate::clients::send(&state.http, method, url, &auth, call.body.as_ref()).await;
        self.record(state, decision, raw).await
    }

    /// Records DispensePro's answer through the rules (the submission's new status, a refill
    /// record) with the audit entry, in one change; answers 200, or 502 with the error.
    async fn record(
        &self,
        state: &AppState,
        decision: Value,
        raw: crate::clients::RawAnswer,
    ) -> Result<Response, Problem> {
        let answer = json!({
            "status": (raw.status != 0).then_some(raw.status),
            "body": (!raw.body.is_empty()).then(|| serde_json::from_str::<Value>(&raw.body)
                .unwrap_or(Value::String(raw.body.clone()))),
            "network_error": raw.network_error,
        });
        let answer = strip_nulls(answer);
        let key = self.key.as_deref();
        let (outcome, body) = orders::commit(state, &self.path.id, |loaded| {
            let (answer, decision) = (answer.clone(), decision.clone());
            async move {
                let now = state.now_ms();
                let request = json!({
                    "input": loaded.snapshot, "action": self.name,
                    "pharmacy_id": self.path.pharmacy_id, "by": self.caller.key_id,
                    "answer": answer, "now": super::rfc3339(now),
                });
                let value = decide_ok(state, "record_dispensepro_action", request).await?;
                let outcome: DpOutcome =
                    serde_json::from_value(value).map_err(Problem::internal)?;
                let body = json!({
                    "action": self.name, "decision": decision,
                    "outcome": { "classification": outcome.classification,
                        "partner_status": outcome.partner_status, "refill_id": outcome.refill_id },
                });
                let success = outcome.classification == "success";
                let code = outcome.error.as_ref().and_then(|e| e.code.clone());
                let audit = self.audit(
                    &outcome.classification,
                    json!({ "http_status": raw.status, "partner_status": outcome.partner_status, "code": code }),
                );
                let change = Change {
                    idempotency: success
                        .then(|| idempotency::record(key, StatusCode::OK, &body))
                        .flatten(),
                    order_id: Some(loaded.record.id.clone()),
                    order: Some(orders::write(state, &loaded, Some(&outcome.snapshot), None).await?),
                    calls: orders::route_calls(state, &outcome.snapshot, now).await?,
                    audit: vec![audit],
                    now,
                    ..Change::default()
                };
                Ok((Some(change), (outcome, body)))
            }
        })
        .await?;
        match outcome.error {
            None => Ok((StatusCode::OK, Json(body)).into_response()),
            Some(error) => Err(Problem::client(
                StatusCode::BAD_GATEWAY,
                error
                    .message
                    .unwrap_or_else(|| "DispensePro did not accept the action".to_owned()),
            )
            .code(error.code.unwrap_or_else(|| "partner_error".to_owned()))),
        }
    }
}

/// The object without its `null` members (the rules' `HttpReply` has no nullable member).
fn strip_nulls(value: Value) -> Value {
    match value {
        Value::Object(map) => {
            Value::Object(map.into_iter().filter(|(_, v)| !v.is_null()).collect())
        }
        other => other,
    }
}
