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

use super::apply::OutboxItem;
use crate::order::snapshot::OrderSnapshot;
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

/// The submission of one route, whatever its status (the staff retry and force send it too).
pub fn route_submission(
    snapshot: &OrderSnapshot,
    route: &Route,
    at: DateTime<Utc>,
) -> Option<OutboxItem> {
    let (kind, path) = route_call(route.action)?;
    let dedupe_key = route_key(snapshot, kind, route);
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
        .filter_map(|route| route_submission(snapshot, route, at))
        .collect();
    QueuedRoutes { outbox }
}
