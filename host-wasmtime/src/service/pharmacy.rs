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
