//! `queue_routes(snapshot, now) -> outbox`: the partner submissions an order is due now.
//!
//! Routes are re-evaluated whenever the order changes — the clinic's input updated, a fact
//! recorded (a call's answer), an event applied, a flag resolved — and **every** route that is
//! ready (requirements met, prescription confirmed, no submission on the order) is answered
//! here, not only one that *became* ready with the change. The host files each item in the
//! same transaction as the change, under its `dedupe_key`; the outbox refuses a key it already
//! holds, so a route is queued exactly once whatever number of changes re-evaluate it.
//!
//! ## Keys
//! `fulfillment:{kind}:{pharmacyId}:{visit}:{itemIds joined by ","}` with `visit` the order's
//! `masterId`, else its id, else its number — the key earlier versions used when a route
//! became ready with an event, so an upgrade never re-sends an order a pharmacy accepted.
//! A FAILED route stays FAILED here (its submission is on the order): sending it again is the
//! staff retry's decision, never a re-evaluation's.
//!
//! ## Staff retry and force ([`decide_route_action`])
//! | action | allowed when | outbox key |
//! | --- | --- | --- |
//! | `retry` | the route's last submission FAILED and the route is no longer blocked (its cause fixed) and confirmed (the boundary) | `{key}:retry:{the failed submission's instant}` |
//! | `force` | a reason is given, the route was sent (accepted or failed), and it is neither blocked (the hardcopy-PDF block included) nor outside the prescription boundary | `{key}:force:{now}` |
//!
//! Both answer the reasons when refused (the route's blockers and boundary reasons first) and
//! the submission to queue when allowed. A retry is keyed on the failure it answers, so a
//! second press queues nothing new and the next failure allows the next retry; a force is
//! keyed on its instant (the EMR route's `Idempotency-Key` folds a double press).

use super::apply::OutboxItem;
use crate::order::reason::{Actor, Reason};
use crate::order::snapshot::{OrderSnapshot, SubmissionState};
use crate::routing::codes;
use crate::routing::partner_orders::{dispensepro_order, lifefile_order};
use crate::routing::{route_fulfillment, Route, RouteAction, RouteStatus};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The answer of `queue_routes`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct QueuedRoutes {
    /// One partner submission per ready route, in route order.
    pub outbox: Vec<OutboxItem>,
}

/// The visit part of a route's key: `masterId`, else the order id, else its number.
fn visit_ref(snapshot: &OrderSnapshot) -> String {
    let order = &snapshot.order;
    order
        .beluga
        .master_id
        .clone()
        .or_else(|| order.id.clone())
        .unwrap_or_else(|| order.number.clone())
}

/// The outbox key of a route's submission (stable across versions; see the module doc).
pub fn route_key(snapshot: &OrderSnapshot, kind: &str, route: &Route) -> String {
    let pharmacy = route.pharmacy_id.clone().unwrap_or_default();
    format!(
        "fulfillment:{kind}:{pharmacy}:{}:{}",
        visit_ref(snapshot),
        route.item_ids.join(",")
    )
}

/// The outbox kind and partner path of a route's action (`None`: nothing to submit).
pub fn route_call(action: RouteAction) -> Option<(&'static str, &'static str)> {
    match action {
        RouteAction::SubmitToDispensePro => Some(("dispensepro_order", "/orders")),
        RouteAction::SubmitToLifefile => Some(("lifefile_order", "/order")),
        _ => None,
    }
}

/// The submission of one route under its key (`suffix`ed for a staff retry or force),
/// whatever its status.
pub fn route_submission(
    snapshot: &OrderSnapshot,
    route: &Route,
    suffix: Option<&str>,
    at: DateTime<Utc>,
) -> Option<OutboxItem> {
    let (kind, path) = route_call(route.action)?;
    let base = route_key(snapshot, kind, route);
    let dedupe_key = match suffix {
        Some(suffix) => format!("{base}:{suffix}"),
        None => base,
    };
    let body = if route.action == RouteAction::SubmitToDispensePro {
        serde_json::to_value(dispensepro_order(snapshot, &route.item_ids))
    } else {
        let pharmacy = route.pharmacy_id.as_deref().unwrap_or_default();
        let record = snapshot.pharmacies.iter().find(|p| p.id == pharmacy);
        serde_json::to_value(lifefile_order(
            snapshot,
            record,
            &route.item_ids,
            &dedupe_key,
            at,
        ))
    };
    Some(OutboxItem {
        kind: kind.to_owned(),
        dedupe_key,
        pharmacy_id: route.pharmacy_id.clone(),
        item_ids: route.item_ids.clone(),
        path: path.to_owned(),
        body: body.unwrap_or(serde_json::Value::Null),
    })
}

/// Every ready route's submission, each under its stable key.
pub fn queue_routes(snapshot: &OrderSnapshot, at: DateTime<Utc>) -> QueuedRoutes {
    let outbox = route_fulfillment(snapshot)
        .routes
        .iter()
        .filter(|route| route.status == RouteStatus::Ready)
        .filter_map(|route| route_submission(snapshot, route, None, at))
        .collect();
    QueuedRoutes { outbox }
}

/// A staff action on one fulfillment route.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RouteStaffAction {
    /// Send a FAILED route again after its cause was fixed.
    Retry,
    /// Send a route again that the pharmacy accepted (or that failed), with a reason.
    Force,
}

/// The verdict on a staff retry or force of one route.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct RouteActionDecision {
    /// The action.
    pub action: RouteStaffAction,
    /// The route's pharmacy.
    pub pharmacy_id: String,
    /// The action may be taken now.
    pub allowed: bool,
    /// Why it is refused.
    pub reasons: Vec<Reason>,
    /// The route's status (absent: no such route).
    pub route_status: Option<RouteStatus>,
    /// The submission to queue when allowed.
    pub outbox: Option<OutboxItem>,
}

fn status_name(status: RouteStatus) -> String {
    serde_json::to_value(status)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// The instant of the route's latest failed submission (the retry's key part).
fn failure_stamp(snapshot: &OrderSnapshot, route: &Route) -> String {
    let list = match route.action {
        RouteAction::SubmitToDispensePro => &snapshot.order.dispense_pro,
        _ => &snapshot.order.life_file,
    };
    list.iter()
        .filter(|s| s.state == SubmissionState::Failed)
        .filter(|s| s.pharmacy_id.is_none() || s.pharmacy_id == route.pharmacy_id)
        .filter_map(|s| s.submitted_at)
        .max()
        .map_or_else(|| "undated".to_owned(), |at| at.to_rfc3339())
}

/// What refuses `action` on `route` besides its blockers and boundary.
fn action_reasons(
    action: RouteStaffAction,
    route: &Route,
    pharmacy: &str,
    reason: Option<&str>,
) -> Vec<Reason> {
    let status = status_name(route.status);
    let params = [("pharmacy", pharmacy), ("status", status.as_str())];
    let mut reasons = Vec::new();
    match action {
        RouteStaffAction::Retry if route.status != RouteStatus::Failed => {
            reasons.push(Reason::new(
                codes::ROUTE_RETRY_NOT_FAILED,
                Actor::Cs,
                &params,
            ));
        }
        RouteStaffAction::Retry => {}
        RouteStaffAction::Force => {
            if reason.is_none_or(|r| r.trim().is_empty()) {
                reasons.push(Reason::new(
                    codes::ROUTE_FORCE_REASON_MISSING,
                    Actor::Cs,
                    &[],
                ));
            }
            if !matches!(route.status, RouteStatus::Submitted | RouteStatus::Failed) {
                reasons.push(Reason::new(codes::ROUTE_FORCE_NOT_SENT, Actor::Cs, &params));
            }
        }
    }
    reasons
}

/// Whether staff may retry or force the route to `pharmacy_id` now, and what to queue.
pub fn decide_route_action(
    snapshot: &OrderSnapshot,
    action: RouteStaffAction,
    pharmacy_id: &str,
    reason: Option<&str>,
    at: DateTime<Utc>,
) -> RouteActionDecision {
    let mut decision = RouteActionDecision {
        action,
        pharmacy_id: pharmacy_id.to_owned(),
        allowed: false,
        reasons: Vec::new(),
        route_status: None,
        outbox: None,
    };
    let plan = route_fulfillment(snapshot);
    let Some(route) = plan
        .routes
        .iter()
        .find(|r| r.pharmacy_id.as_deref() == Some(pharmacy_id))
    else {
        let params = [("pharmacy", pharmacy_id)];
        decision.reasons = vec![Reason::new(
            codes::ROUTE_ACTION_NO_ROUTE,
            Actor::Cs,
            &params,
        )];
        return decision;
    };
    decision.route_status = Some(route.status);
    if route_call(route.action).is_none() {
        let action_name = serde_json::to_value(route.action)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        let params = [("pharmacy", pharmacy_id), ("action", action_name.as_str())];
        let refusal = Reason::new(codes::ROUTE_ACTION_NOT_SUBMITTABLE, Actor::Cs, &params);
        decision.reasons = vec![refusal];
        return decision;
    }
    // Never past a block (the hardcopy-PDF one included) or the prescription boundary.
    decision.reasons.extend(route.blockers.iter().cloned());
    decision.reasons.extend(route.boundary.iter().cloned());
    if decision.reasons.is_empty() {
        decision.reasons = action_reasons(action, route, pharmacy_id, reason);
    }
    if decision.reasons.is_empty() {
        let suffix = match action {
            RouteStaffAction::Retry => format!("retry:{}", failure_stamp(snapshot, route)),
            RouteStaffAction::Force => format!("force:{}", at.to_rfc3339()),
        };
        decision.outbox = route_submission(snapshot, route, Some(&suffix), at);
        decision.allowed = decision.outbox.is_some();
    }
    decision
}
