//! DispensePro manual actions (issue 15 item 3; webhooks.md §3): staff get an accepted
//! order's status, ask for a refill, or void it. [`decide_dispensepro_action`] says whether
//! the action is allowed now and answers the partner call to make; after the call,
//! [`record_dispensepro_action`] says what DispensePro's answer means and answers the facts
//! that update the route's submission (applied to the snapshot here, so the host files them
//! with its audit entry in one change).
//!
//! ## When an action is allowed
//! Checked in this order; the first group that refuses is the answer's reasons.
//! 1. The route: a route of the order goes to `pharmacy_id` (`route_action_no_route`) and it
//!    is a DispensePro route (`dispensepro_action_not_dispensepro`).
//! 2. The prescription boundary (decisions.md §3): no pharmacy action for an item without a
//!    prescription confirmation — the route's boundary reasons (`rx_not_confirmed`, …). It
//!    holds for all three actions, get-status included (the issue: "each obeying the
//!    prescription boundary").
//! 3. The submission: DispensePro accepted the route's order (`dispensepro_not_accepted`:
//!    never sent, or failed) and answered its id (`dispensepro_order_id_missing`).
//! 4. The order's state:
//!    - `status`: always, once accepted.
//!    - `void`: a reason (`dispensepro_void_reason_missing`); not voided already
//!      (`dispensepro_already_voided`); not shipped or delivered
//!      (`dispensepro_void_after_shipped`).
//!    - `refill`: not voided (`dispensepro_already_voided`); delivered
//!      (`dispensepro_refill_not_delivered`); a refill left (`dispensepro_no_refills_left`):
//!      the refills written on the route's prescriptions (the lowest of its items; the drug's
//!      DispensePro configuration when the doctor wrote none; none: 0) minus the refills
//!      already accepted on the submission.
//!
//! The route's configuration blockers (patient data, the drug's configuration, the switch)
//! do not refuse an action on an order DispensePro already holds: they concern the
//! submission, and voiding an order must stay possible when the integration is switched off.
//!
//! ## Where the order stands
//! The submission's partner status ([`partner_status_rank`]) — learned from the submit
//! answer, a get-status or (issue 15 item 7) a status webhook — and, until status webhooks
//! record it on the submission, the order's own progress: `SHIPPED` or a shipped instant
//! counts as shipped, `COMPLETED` or a delivered instant as delivered.
//!
//! ## What an answer records
//! A 2xx answer is a success; no answer, HTTP 408, 429 or 5xx is `retry_later` (staff press
//! again); any other status `fix_configuration`. On success the route's accepted submission
//! takes DispensePro's status (a status outside the seven is not recorded; a void that
//! names none is `voided`), and a refill appends a [`RefillRecord`] (when, who, DispensePro's
//! refill id). A failure records nothing: the order did not change at DispensePro.

use super::codes;
use super::partner_orders::{
    prescription_of, DispenseProAction, DispenseProOrderAnswer, DispenseProRefill, DispenseProVoid,
};
use super::{route_fulfillment, Route, RouteAction, RouteStatus};
use crate::contract::response::Class;
use crate::issue::render;
use crate::order::calls::codes as call_codes;
use crate::order::calls::{CallError, HttpMethod, HttpReply};
use crate::order::reason::{Actor, Reason};
use crate::order::snapshot::{
    non_blank, OrderSnapshot, OrderStatus, RefillRecord, Submission, SubmissionState,
};
use crate::order::state::{apply_facts, partner_status_rank, Fact};
use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The request of `decide_dispensepro_action`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DispenseProActionRequest {
    /// The order snapshot.
    pub input: OrderSnapshot,
    /// `status`, `refill` or `void`.
    pub action: DispenseProAction,
    /// The app's id of the route's pharmacy.
    pub pharmacy_id: String,
    /// Why (required to void; sent to DispensePro with the void, never logged).
    #[serde(default)]
    pub reason: Option<String>,
}

/// The partner call of an allowed action.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct DispenseProCall {
    /// `GET` (status) or `POST`.
    pub method: HttpMethod,
    /// The path below the pharmacy's DispensePro base URL.
    pub path: String,
    /// The JSON body (refill, void).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
}

/// The verdict on a DispensePro manual action.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct DispenseProActionDecision {
    /// The action.
    pub action: DispenseProAction,
    /// The route's pharmacy.
    pub pharmacy_id: String,
    /// The action may be taken now.
    pub allowed: bool,
    /// Why it is refused.
    pub reasons: Vec<Reason>,
    /// The route's status (absent: no such route).
    pub route_status: Option<RouteStatus>,
    /// Where DispensePro's order stands, as rxgate knows it (`delivered`, `shipped`, the
    /// partner status, or absent before acceptance).
    pub order_progress: Option<String>,
    /// Refills left on the prescription (refill only, once accepted).
    pub refills_left: Option<u32>,
    /// The call to make when allowed.
    pub call: Option<DispenseProCall>,
}

/// The route's accepted DispensePro submission: the highest-ranked one covering its items.
fn accepted<'a>(snapshot: &'a OrderSnapshot, route: &Route) -> Option<&'a Submission> {
    snapshot
        .order
        .dispense_pro
        .iter()
        .filter(|s| s.state == SubmissionState::Submitted)
        .filter(|s| s.pharmacy_id.is_none() || s.pharmacy_id == route.pharmacy_id)
        .filter(|s| s.item_ids.is_empty() || s.item_ids.iter().any(|i| route.item_ids.contains(i)))
        .max_by_key(|s| partner_status_rank(s.partner_status.as_deref()))
}

const SHIPPED: u8 = 6;
const DELIVERED: u8 = 7;
const VOIDED: u8 = 5;

/// The order's progress: the rank of the submission's partner status, raised by the order's
/// own shipped / delivered progress (see the module docs).
fn progress(snapshot: &OrderSnapshot, submission: &Submission) -> (u8, String) {
    let partner = submission.partner_status.as_deref();
    let shipping = snapshot.order.shipping.as_ref();
    let order = match snapshot.order.status {
        OrderStatus::Completed => DELIVERED,
        _ if shipping.is_some_and(|s| s.delivered_at.is_some()) => DELIVERED,
        OrderStatus::Shipped => SHIPPED,
        _ if shipping.is_some_and(|s| s.shipped_at.is_some()) => SHIPPED,
        _ => 0,
    };
    let rank = partner_status_rank(partner);
    if order > rank {
        let name = if order == DELIVERED {
            "delivered"
        } else {
            "shipped"
        };
        return (order, name.to_owned());
    }
    let name = partner
        .map(|p| p.trim().to_ascii_lowercase())
        .filter(|_| rank > 0)
        .unwrap_or_else(|| "accepted".to_owned());
    (rank, name)
}

/// Refills written on the route's prescriptions (the lowest of its items).
fn refills_written(snapshot: &OrderSnapshot, route: &Route) -> u32 {
    route
        .item_ids
        .iter()
        .filter_map(|id| snapshot.items.iter().find(|i| &i.id == id))
        .map(|item| {
            let written =
                prescription_of(snapshot, item).and_then(|p| non_blank(p.refills.as_ref()));
            let configured = item
                .drug
                .as_ref()
                .and_then(|d| d.dispense_pro.as_ref())
                .and_then(|rx| non_blank(rx.refills.as_ref()));
            written
                .or(configured)
                .and_then(|r| r.trim().parse::<u32>().ok())
                .unwrap_or(0)
        })
        .min()
        .unwrap_or(0)
}

/// The reasons of the order's state for `action` (group 4 of the module docs).
fn state_reasons(
    action: DispenseProAction,
    (rank, name): (u8, &str),
    reason: Option<&str>,
    refills: (u32, u32),
) -> Vec<Reason> {
    let mut reasons = Vec::new();
    let act = [("action", action.as_str())];
    let status = [("status", name)];
    let voided = rank == VOIDED;
    match action {
        DispenseProAction::Status => {}
        DispenseProAction::Void => {
            if reason.is_none_or(|r| r.trim().is_empty()) {
                let code = codes::DISPENSEPRO_VOID_REASON_MISSING;
                reasons.push(Reason::new(code, Actor::Cs, &[]));
            }
            if voided {
                let code = codes::DISPENSEPRO_ALREADY_VOIDED;
                reasons.push(Reason::new(code, Actor::Cs, &act));
            } else if rank >= SHIPPED {
                let code = codes::DISPENSEPRO_VOID_AFTER_SHIPPED;
                reasons.push(Reason::new(code, Actor::Cs, &status));
            }
        }
        DispenseProAction::Refill => {
            let (written, used) = refills;
            if voided {
                let code = codes::DISPENSEPRO_ALREADY_VOIDED;
                reasons.push(Reason::new(code, Actor::Cs, &act));
            } else if rank < DELIVERED {
                let code = codes::DISPENSEPRO_REFILL_NOT_DELIVERED;
                reasons.push(Reason::new(code, Actor::Cs, &status));
            } else if used >= written {
                let (w, u) = (written.to_string(), used.to_string());
                let params = [("prescribed", w.as_str()), ("used", u.as_str())];
                let code = codes::DISPENSEPRO_NO_REFILLS_LEFT;
                reasons.push(Reason::new(code, Actor::Cs, &params));
            }
        }
    }
    reasons
}

/// The partner call of an allowed action on DispensePro's order `id`.
fn action_call(
    snapshot: &OrderSnapshot,
    action: DispenseProAction,
    id: &str,
    reason: Option<&str>,
    used: u32,
) -> DispenseProCall {
    let external_id = snapshot
        .order
        .id
        .clone()
        .unwrap_or_else(|| snapshot.order.number.clone());
    let body = match action {
        DispenseProAction::Status => None,
        DispenseProAction::Refill => serde_json::to_value(DispenseProRefill {
            request_id: format!("{external_id}:refill:{}", used.saturating_add(1)),
            external_id,
        })
        .ok(),
        DispenseProAction::Void => serde_json::to_value(DispenseProVoid {
            external_id,
            reason: reason.map(str::trim).unwrap_or_default().to_owned(),
        })
        .ok(),
    };
    DispenseProCall {
        method: match action {
            DispenseProAction::Status => HttpMethod::Get,
            _ => HttpMethod::Post,
        },
        path: action.path(id),
        body,
    }
}

/// The route to `pharmacy_id`, or why there is none to act on (group 1).
fn dispensepro_route(
    snapshot: &OrderSnapshot,
    action: DispenseProAction,
    pharmacy_id: &str,
) -> Result<Route, (Option<RouteStatus>, Reason)> {
    let plan = route_fulfillment(snapshot);
    let Some(route) = plan
        .routes
        .into_iter()
        .find(|r| r.pharmacy_id.as_deref() == Some(pharmacy_id))
    else {
        let params = [("pharmacy", pharmacy_id)];
        let reason = Reason::new(codes::ROUTE_ACTION_NO_ROUTE, Actor::Cs, &params);
        return Err((None, reason));
    };
    if route.action != RouteAction::SubmitToDispensePro {
        let params = [("pharmacy", pharmacy_id), ("action", action.as_str())];
        let code = codes::DISPENSEPRO_ACTION_NOT_DISPENSEPRO;
        return Err((Some(route.status), Reason::new(code, Actor::Cs, &params)));
    }
    Ok(route)
}

/// Whether staff may take `action` on the DispensePro route to `pharmacy_id` now, and the
/// call to make (see the module docs).
pub fn decide_dispensepro_action(request: &DispenseProActionRequest) -> DispenseProActionDecision {
    let (snapshot, action, pharmacy_id) = (&request.input, request.action, &request.pharmacy_id);
    let reason = request.reason.as_deref();
    let mut decision = DispenseProActionDecision {
        action,
        pharmacy_id: pharmacy_id.clone(),
        allowed: false,
        reasons: Vec::new(),
        route_status: None,
        order_progress: None,
        refills_left: None,
        call: None,
    };
    let route = match dispensepro_route(snapshot, action, pharmacy_id) {
        Ok(route) => route,
        Err((status, reason)) => {
            decision.route_status = status;
            decision.reasons = vec![reason];
            return decision;
        }
    };
    decision.route_status = Some(route.status);
    if !route.boundary.is_empty() {
        decision.reasons = route.boundary;
        return decision;
    }
    let params = [
        ("pharmacy", pharmacy_id.as_str()),
        ("action", action.as_str()),
    ];
    let Some(submission) = accepted(snapshot, &route) else {
        let status = if route.status == RouteStatus::Failed {
            "failed"
        } else {
            "not sent"
        };
        let params = [params[0], params[1], ("status", status)];
        decision.reasons = vec![Reason::new(
            codes::DISPENSEPRO_NOT_ACCEPTED,
            Actor::Cs,
            &params,
        )];
        return decision;
    };
    let (rank, name) = progress(snapshot, submission);
    decision.order_progress = Some(name.clone());
    let Some(id) = non_blank(submission.partner_order_id.as_ref()) else {
        let code = codes::DISPENSEPRO_ORDER_ID_MISSING;
        decision.reasons = vec![Reason::new(code, Actor::AdminDevelopment, &params)];
        return decision;
    };
    let used = u32::try_from(submission.refills.len()).unwrap_or(u32::MAX);
    let written = refills_written(snapshot, &route);
    if action == DispenseProAction::Refill {
        decision.refills_left = Some(written.saturating_sub(used));
    }
    decision.reasons = state_reasons(action, (rank, &name), reason, (written, used));
    if decision.reasons.is_empty() {
        decision.allowed = true;
        decision.call = Some(action_call(snapshot, action, id, reason, used));
    }
    decision
}

/// The request of `record_dispensepro_action`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RecordDispenseProActionRequest {
    /// The order snapshot as it is now.
    pub input: OrderSnapshot,
    /// The action that was sent.
    pub action: DispenseProAction,
    /// The app's id of the route's pharmacy.
    pub pharmacy_id: String,
    /// Who asked (the staff API key id).
    #[serde(default)]
    pub by: Option<String>,
    /// DispensePro's HTTP answer, or the network error.
    pub answer: HttpReply,
    /// When the answer arrived.
    #[serde(deserialize_with = "crate::order::calls::instant")]
    #[schemars(with = "crate::api::wire::Instant")]
    pub now: DateTime<Utc>,
}

/// What DispensePro's answer to a manual action means.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct DispenseProActionOutcome {
    /// The action.
    pub action: DispenseProAction,
    /// `success`, `retry_later` or `fix_configuration`.
    pub classification: Class,
    /// DispensePro's status of the order, when it answered one of the seven.
    pub partner_status: Option<String>,
    /// DispensePro's id of an accepted refill.
    pub refill_id: Option<String>,
    /// The facts the answer established.
    pub facts: Vec<Fact>,
    /// The snapshot with `facts` applied.
    pub snapshot: OrderSnapshot,
    /// Why it did not succeed; absent on success.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<CallError>,
}

/// The class and error of an answer (see the module docs).
fn classify(reply: &HttpReply) -> (Class, Option<CallError>) {
    let own = |class: Class, code: crate::issue::Code, status: &str| {
        let params = [("partner", "DispensePro"), ("status", status)];
        let error = CallError {
            class,
            code: Some(code.as_str().to_owned()),
            message: Some(render(code.info().template, &params)),
            guidance: None,
        };
        (class, Some(error))
    };
    match (reply.status, &reply.network_error) {
        (Some(200..=299), None) => (Class::Success, None),
        (Some(status @ (408 | 429 | 500..=599)), None) => own(
            Class::RetryLater,
            call_codes::PARTNER_SERVER_ERROR,
            &status.to_string(),
        ),
        (Some(status), None) => own(
            Class::FixConfiguration,
            call_codes::PARTNER_CALL_REFUSED,
            &status.to_string(),
        ),
        _ => own(Class::RetryLater, call_codes::PARTNER_UNREACHABLE, ""),
    }
}

/// DispensePro's answer body, read leniently.
fn answer_body(reply: &HttpReply) -> DispenseProOrderAnswer {
    let value = match &reply.body {
        Some(Value::String(text)) => serde_json::from_str(text).ok(),
        Some(other) => Some(other.clone()),
        None => None,
    };
    value
        .and_then(|v| serde_json::from_value(v).ok())
        .unwrap_or_default()
}

/// A partner id worth keeping: letters, digits, `-`, `_`, `.`, at most 64.
fn identifier(id: Option<String>) -> Option<String> {
    id.map(|s| s.trim().to_owned()).filter(|s| {
        !s.is_empty()
            && s.len() <= 64
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    })
}

/// Classifies DispensePro's answer to a manual action and derives the facts (see the module
/// docs).
pub fn record_dispensepro_action(
    request: &RecordDispenseProActionRequest,
) -> DispenseProActionOutcome {
    let (class, error) = classify(&request.answer);
    let body = answer_body(&request.answer);
    let success = class == Class::Success;
    let status = body
        .status
        .as_deref()
        .map(|s| s.trim().to_ascii_lowercase())
        .filter(|s| partner_status_rank(Some(s)) > 0)
        .or_else(|| (request.action == DispenseProAction::Void).then(|| "voided".to_owned()))
        .filter(|_| success);
    let refill_id = identifier(body.refill_id).filter(|_| success);
    let route = dispensepro_route(&request.input, request.action, &request.pharmacy_id).ok();
    let submission = route
        .as_ref()
        .and_then(|route| accepted(&request.input, route))
        .filter(|_| success);
    let facts: Vec<Fact> = submission
        .map(|s| {
            let mut record = s.clone();
            if status.is_some() {
                record.partner_status.clone_from(&status);
            }
            if request.action == DispenseProAction::Refill {
                record.refills.push(RefillRecord {
                    at: request.now,
                    by: request.by.clone(),
                    partner_id: refill_id.clone(),
                });
            }
            Fact::DispensePro(record)
        })
        .into_iter()
        .collect();
    let mut snapshot = request.input.clone();
    apply_facts(&mut snapshot, &facts);
    DispenseProActionOutcome {
        action: request.action,
        classification: class,
        partner_status: status,
        refill_id,
        facts,
        snapshot,
        error,
    }
}
