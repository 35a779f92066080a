//! Staff re-arm of a parked Beluga call (issue 16 item 6; docs/host.md, "Parked Beluga
//! calls").
//!
//! The worker parks a Beluga call (`failed`, with `{class}: …` as its error) that waiting will
//! not fix. After staff fixed the cause, `POST /api/emr/orders/{id}/beluga/calls/{call_id}/retry`
//! asks the rules (`decide_beluga_call_retry`) and, when they allow it, re-arms the same call —
//! pending, due now, a fresh attempt budget, the same body and dedupe key — with the audit
//! entry naming the actor, in one transaction. A call that is no longer parked (a second
//! retry, a concurrent one) is a 409 `beluga_call_pending`/`beluga_call_delivered`: nothing is
//! sent twice. The panel lists the same verdicts among its allowed actions ([`verdicts`]).

use super::app::{entry, STAFF};
use super::idempotency;
use super::orders::{self, Loaded};
use super::problem::Problem;
use super::AppState;
use crate::store::{Change, OutboxItem};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use rxgate_core::diagnosis::calls::{BelugaCallRetryRequest, CallStatus, OrderCall};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// The staff route.
pub fn routes() -> aide::axum::ApiRouter<AppState> {
    use super::openapi::{op, Answer, STAFF_SECURITY as STAFF_DOC};
    aide::axum::ApiRouter::new().api_route(
        "/api/emr/orders/{id}/beluga/calls/{call_id}/retry",
        aide::axum::routing::post_with(retry, |t| {
            super::openapi::idempotent(op(t, "retryBelugaCall", "orders",
                "Re-arm a parked Beluga call after a fix (the rules' decide_beluga_call_retry): the same call is sent again, once; 409 when it is already pending or delivered, 422 when the rules refuse (submission, closed order, permanent or data refusal, superseded), 404 for a call of another order",
                &STAFF_DOC))
            .answer::<202, Json<Rearmed>>()
        }),
    )
}

/// One verdict of `decide_beluga_call_retry` as the service reads it (the rest of the
/// allowed action is passed through to the panel as the rules wrote it).
#[derive(Debug, Clone, Deserialize)]
pub struct Verdict {
    /// The outbox call.
    pub call_id: i64,
    /// Whether staff may re-arm it now.
    pub allowed: bool,
    /// Why not (`{code, message, actor, …}`).
    #[serde(default)]
    pub reasons: Vec<Value>,
}

#[derive(Deserialize)]
struct Verdicts {
    actions: Vec<Value>,
}

/// The call as the rule reads it (kind, status, error; never the body).
fn order_call(call: &OutboxItem) -> Option<OrderCall> {
    let status = match call.status.as_str() {
        "pending" => CallStatus::Pending,
        "done" => CallStatus::Done,
        "failed" => CallStatus::Failed,
        _ => return None,
    };
    Some(OrderCall {
        id: call.id,
        kind: call.kind.clone(),
        status,
        last_error: call.last_error.clone(),
    })
}

/// The rules' `retry_beluga_call` verdict for every Beluga call of the order, as they wrote
/// them (allowed actions of the panel).
pub async fn verdicts(
    state: &AppState,
    loaded: &Loaded,
    calls: &[OutboxItem],
) -> Result<Vec<Value>, Problem> {
    let request = BelugaCallRetryRequest {
        input: serde_json::from_value(loaded.snapshot.clone()).map_err(Problem::internal)?,
        calls: calls.iter().filter_map(order_call).collect(),
    };
    let answer: Verdicts = orders::call(state, "decide_beluga_call_retry", &request).await?;
    Ok(answer.actions)
}

#[derive(Deserialize, schemars::JsonSchema)]
struct CallPath {
    id: String,
    call_id: i64,
}

/// A re-armed call.
#[derive(Debug, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Rearmed {
    /// `queued`: the call is pending again and sent at the worker's next pass.
    pub status: String,
    /// The outbox call.
    pub call_id: i64,
    /// Its kind (`beluga_photo_id`, `beluga_update_visit`, …).
    pub kind: String,
}

/// The refusal of a verdict: 409 when the call is not parked (pending or delivered: a repeat
/// changes nothing), 422 with the rules' reasons otherwise.
fn refused(verdict: &Verdict) -> Problem {
    let code = |c: &str| verdict.reasons.iter().any(|r| r["code"] == c);
    let problem = Problem::violations(
        "the rules refuse to re-arm this Beluga call",
        verdict.reasons.clone(),
    );
    if code("beluga_call_pending") {
        problem
            .with_status(StatusCode::CONFLICT)
            .code("beluga_call_pending")
    } else if code("beluga_call_delivered") {
        problem
            .with_status(StatusCode::CONFLICT)
            .code("beluga_call_delivered")
    } else {
        problem
    }
}

async fn retry(
    State(state): State<AppState>,
    Path(CallPath { id, call_id }): Path<CallPath>,
    headers: HeaderMap,
) -> Result<Response, Problem> {
    let caller = state.authorize(&headers, STAFF).await?;
    let route = "/api/emr/orders/{id}/beluga/calls/{call_id}/retry";
    let key = idempotency::key(&headers, &caller, route, &format!("{id}/{call_id}"))?;
    let answer = orders::commit(&state, &id, |loaded| {
        let (state, caller, key) = (&state, &caller, key.as_deref());
        async move {
            if let Some(stored) = idempotency::stored(state, key).await? {
                return Ok((None, Err(stored)));
            }
            let (change, answer) = rearm(state, caller, &loaded, call_id).await?;
            let body = serde_json::to_value(&answer).map_err(Problem::internal)?;
            let change = Change {
                idempotency: idempotency::record(key, StatusCode::ACCEPTED, &body),
                ..change
            };
            Ok((Some(change), Ok(answer)))
        }
    })
    .await?;
    match answer {
        Err(stored) => Ok(idempotency::replay(stored)),
        Ok(answer) => {
            state.wake.notify_one();
            Ok((StatusCode::ACCEPTED, Json(answer)).into_response())
        }
    }
}

/// The re-arm of `call_id` the rules allow, or their refusal.
async fn rearm(
    state: &AppState,
    caller: &super::Caller,
    loaded: &Loaded,
    call_id: i64,
) -> Result<(Change, Rearmed), Problem> {
    let key = loaded.record.id.clone();
    let calls = state.db.run(move |s| s.calls_of(&key)).await?;
    let call = calls
        .iter()
        .find(|c| c.id == call_id)
        .ok_or_else(|| Problem::not_found("call"))?;
    let verdict = verdicts(state, loaded, &calls)
        .await?
        .into_iter()
        .filter_map(|v| serde_json::from_value::<Verdict>(v).ok())
        .find(|v| v.call_id == call_id)
        .ok_or_else(|| {
            Problem::client(
                StatusCode::UNPROCESSABLE_ENTITY,
                "only a Beluga call is re-armed here (a pharmacy route has its own retry)",
            )
            .code("not_a_beluga_call")
        })?;
    if !verdict.allowed {
        return Err(refused(&verdict));
    }
    let now = state.now_ms();
    let change = Change {
        order_id: Some(loaded.record.id.clone()),
        rearm_call: Some(call_id),
        audit: vec![entry(
            caller,
            &loaded.record.id,
            &call.kind,
            "rearmed",
            Some(json!({ "call_id": call_id, "was": call.last_error })),
        )],
        now,
        ..Change::default()
    };
    let answer = Rearmed {
        status: "queued".into(),
        call_id,
        kind: call.kind.clone(),
    };
    Ok((change, answer))
}
