//! The escalation rules of [`super::diagnose`], one function each, run in [`RULES`] order.
//!
//! Each rule reads the [`Facts`] the diagnosis gathered once (readiness, boundary, plan,
//! message visibility) and adds its escalations; the order of [`RULES`] is the order of the
//! answer's `escalations`. Escalations are independent of the stage.

use super::codes;
use super::submit_error_is_clear;
use crate::boundary::{self, BoundaryReport};
use crate::order::codes as order_codes;
use crate::order::messages::MessageVisibility;
use crate::order::readiness::{payment_reason, Readiness};
use crate::order::reason::{Actor, Reason};
use crate::order::snapshot::{
    non_blank, OrderSnapshot, OrderStatus, PharmacyType, SubmitStatus, VisitOutcome, VisitStatus,
};
use crate::routing::{codes as routing_codes, RoutePlan};
use chrono::{DateTime, Duration, Utc};

/// What the rules read: the snapshot, "now" and the decisions computed once.
pub(super) struct Facts<'a> {
    pub snapshot: &'a OrderSnapshot,
    pub now: DateTime<Utc>,
    pub readiness: &'a Readiness,
    pub boundary: &'a BoundaryReport,
    pub plan: &'a RoutePlan,
    pub visibility: &'a MessageVisibility,
    /// A pharmacy submission was accepted, a pharmacy event arrived or the order shipped.
    pub pharmacy_started: bool,
}

/// One escalation rule.
pub(super) type Rule = fn(&Facts<'_>, &mut Vec<Reason>);

/// Every escalation rule, in the order their escalations are listed.
pub(super) const RULES: &[Rule] = &[
    ready_but_failed,
    unclear_submit_error,
    mapping_problem,
    rx_written_without_records,
    rx_without_fulfillment,
    boundary_violations,
    prescribed_med_not_ordered,
    shipped_without_tracking,
    shipped_without_delivery,
    pharmacy_status_ahead,
    visit_closed_but_shipped,
    visit_closed_awaiting_fulfillment,
    route_failures,
    message_visibility_issues,
    staff_flag_open,
    delivery_failed,
];

/// Runs every rule.
pub(super) fn escalations(facts: &Facts<'_>) -> Vec<Reason> {
    let mut out = Vec::new();
    for rule in RULES {
        rule(facts, &mut out);
    }
    out
}

/// The codes that mean a product, drug or pharmacy mapping looks wrong.
const MAPPING_CODES: &[crate::issue::Code] = &[
    order_codes::VISIT_TYPE_MISSING,
    order_codes::DRUG_UNMAPPED,
    order_codes::DRUG_MED_ID_MISSING,
    routing_codes::PHARMACY_MISSING_BELUGA_ID,
    routing_codes::PHARMACY_UNKNOWN,
    routing_codes::ROUTE_TYPE_CONFLICT,
    routing_codes::ROUTE_PHARMACY_MISSING,
    routing_codes::DISPENSEPRO_CONFIG_INCOMPLETE,
    routing_codes::LIFEFILE_MAPPING_INCOMPLETE,
    routing_codes::PRESCRIBER_NOT_FOUND,
];

fn push_unique(list: &mut Vec<Reason>, reason: Reason) {
    if !list
        .iter()
        .any(|r| r.code == reason.code && r.item_id == reason.item_id)
    {
        list.push(reason);
    }
}

/// Ready, yet the submit status stays FAILED.
fn ready_but_failed(f: &Facts<'_>, out: &mut Vec<Reason>) {
    let beluga = &f.snapshot.order.beluga;
    if f.readiness.ready && beluga.submit_status == Some(SubmitStatus::Failed) {
        out.push(Reason::new(
            codes::READY_BUT_FAILED,
            Actor::AdminDevelopment,
            &[],
        ));
    }
}

/// A submit error rxgate cannot explain.
fn unclear_submit_error(f: &Facts<'_>, out: &mut Vec<Reason>) {
    let beluga = &f.snapshot.order.beluga;
    if beluga.submit_status == Some(SubmitStatus::Submitted) {
        return;
    }
    if let Some(error) = non_blank(beluga.submit_error.as_ref()) {
        if !submit_error_is_clear(error) {
            out.push(Reason::new(
                codes::UNCLEAR_SUBMIT_ERROR,
                Actor::AdminDevelopment,
                &[],
            ));
        }
    }
}

/// A product, drug or pharmacy mapping looks wrong (readiness or route blockers).
fn mapping_problem(f: &Facts<'_>, out: &mut Vec<Reason>) {
    let mut mapping: Vec<&str> = Vec::new();
    let route_blockers = f.plan.routes.iter().flat_map(|r| r.blockers.iter());
    for reason in f.readiness.reasons.iter().chain(route_blockers) {
        if MAPPING_CODES.contains(&reason.code) && !mapping.contains(&reason.code.as_str()) {
            mapping.push(reason.code.as_str());
        }
    }
    if !mapping.is_empty() {
        let joined = mapping.join(", ");
        out.push(Reason::new(
            codes::MAPPING_PROBLEM,
            Actor::AdminDevelopment,
            &[("codes", &joined)],
        ));
    }
}

/// A prescription confirmed with no local record.
fn rx_written_without_records(f: &Facts<'_>, out: &mut Vec<Reason>) {
    if f.boundary.confirmed && f.snapshot.order.prescriptions.is_empty() {
        out.push(Reason::new(
            codes::RX_WRITTEN_WITHOUT_RECORDS,
            Actor::AdminDevelopment,
            &[],
        ));
    }
}

/// Prescription written, and no pharmacy fulfillment within the window.
fn rx_without_fulfillment(f: &Facts<'_>, out: &mut Vec<Reason>) {
    let order = &f.snapshot.order;
    let hours = f.snapshot.settings.windows.rx_to_pharmacy_hours;
    let rx_at = boundary::rx_written_at(f.snapshot).or_else(|| {
        order
            .prescriptions
            .iter()
            .filter_map(|p| p.written_at)
            .min()
    });
    let Some(rx_at) = rx_at else {
        return;
    };
    let late = f.now > rx_at + Duration::hours(i64::from(hours));
    if late && !f.pharmacy_started && order.status < OrderStatus::Cancelled {
        let hours = hours.to_string();
        out.push(Reason::new(
            codes::RX_WITHOUT_FULFILLMENT,
            Actor::AdminDevelopment,
            &[("hours", &hours)],
        ));
    }
}

/// Every boundary violation.
fn boundary_violations(f: &Facts<'_>, out: &mut Vec<Reason>) {
    for v in &f.boundary.violations {
        push_unique(out, v.clone());
    }
}

/// A prescribed med no item ordered.
fn prescribed_med_not_ordered(f: &Facts<'_>, out: &mut Vec<Reason>) {
    for w in f
        .boundary
        .warnings
        .iter()
        .filter(|w| w.code == boundary::codes::PRESCRIBED_MED_NOT_ORDERED)
    {
        push_unique(out, w.clone());
    }
}

/// Shipped, and still no tracking after the window.
fn shipped_without_tracking(f: &Facts<'_>, out: &mut Vec<Reason>) {
    let order = &f.snapshot.order;
    if order.status != OrderStatus::Shipped {
        return;
    }
    let days = f.snapshot.settings.windows.shipped_without_tracking_days;
    let shipping = order.shipping.as_ref();
    let no_tracking = shipping.is_none_or(|s| non_blank(s.tracking.as_ref()).is_none());
    let Some(at) = shipping.and_then(|s| s.shipped_at) else {
        return;
    };
    if no_tracking && f.now > at + Duration::days(i64::from(days)) {
        let days = days.to_string();
        out.push(Reason::new(
            codes::SHIPPED_WITHOUT_TRACKING,
            Actor::AdminDevelopment,
            &[("days", &days)],
        ));
    }
}

/// Shipped, and still not delivered after the window (tracking or not).
fn shipped_without_delivery(f: &Facts<'_>, out: &mut Vec<Reason>) {
    let order = &f.snapshot.order;
    if order.status != OrderStatus::Shipped {
        return;
    }
    let days = f.snapshot.settings.windows.shipped_without_delivery_days;
    let Some(at) = order.shipping.as_ref().and_then(|s| s.shipped_at) else {
        return;
    };
    if f.now > at + Duration::days(i64::from(days)) {
        let days = days.to_string();
        out.push(Reason::new(
            codes::SHIPPED_WITHOUT_DELIVERY,
            Actor::Cs,
            &[("days", &days)],
        ));
    }
}

/// A pharmacy reports a status its route has not reached: each submission's partner status
/// against its route's status (the order's when the route has none recorded), so one split
/// route delivered ahead of the other is no mismatch.
fn pharmacy_status_ahead(f: &Facts<'_>, out: &mut Vec<Reason>) {
    let order = &f.snapshot.order;
    let reached = |pharmacy: Option<&str>| {
        order
            .route_statuses
            .iter()
            .find(|r| Some(r.pharmacy_id.as_str()) == pharmacy)
            .map_or(order.status, |r| r.status.max(order.status))
    };
    let ahead = order
        .dispense_pro
        .iter()
        .chain(&order.life_file)
        .filter_map(|s| {
            let says = partner_says(s.partner_status.as_deref()?)?;
            Some(says > reached(s.pharmacy_id.as_deref()))
        })
        .any(|ahead| ahead);
    if ahead {
        out.push(Reason::new(
            codes::STATUS_MISMATCH,
            Actor::AdminDevelopment,
            &[("what", "the pharmacy status")],
        ));
    }
}

/// The order status a partner's status word means, when it means one.
fn partner_says(status: &str) -> Option<OrderStatus> {
    match status.to_ascii_lowercase().as_str() {
        "delivered" => Some(OrderStatus::Completed),
        "shipped" | "shipping" | "in transit" | "out for delivery" => Some(OrderStatus::Shipped),
        "cancelled" => Some(OrderStatus::Cancelled),
        _ => None,
    }
}

/// The visit was canceled or referred without a prescription.
fn visit_closed_without_rx(f: &Facts<'_>) -> bool {
    let beluga = &f.snapshot.order.beluga;
    !f.boundary.confirmed
        && (beluga.visit_status == Some(VisitStatus::Canceled)
            || beluga.visit_outcome == Some(VisitOutcome::Referred))
}

/// The visit closed without a prescription, yet the order shipped.
fn visit_closed_but_shipped(f: &Facts<'_>, out: &mut Vec<Reason>) {
    let status = f.snapshot.order.status;
    if visit_closed_without_rx(f) && matches!(status, OrderStatus::Shipped | OrderStatus::Completed)
    {
        out.push(Reason::new(
            codes::STATUS_MISMATCH,
            Actor::MedicalOperations,
            &[("what", "the Beluga visit status")],
        ));
    }
}

/// The visit closed without a prescription on a paid order still waiting for fulfillment.
fn visit_closed_awaiting_fulfillment(f: &Facts<'_>, out: &mut Vec<Reason>) {
    let order = &f.snapshot.order;
    if visit_closed_without_rx(f)
        && payment_reason(f.snapshot).is_none()
        && order.status < OrderStatus::Shipped
    {
        let outcome = if order.beluga.visit_outcome == Some(VisitOutcome::Referred) {
            "referred"
        } else {
            "canceled"
        };
        out.push(Reason::new(
            codes::VISIT_CLOSED_AWAITING_FULFILLMENT,
            Actor::MedicalOperations,
            &[("outcome", outcome)],
        ));
    }
}

/// Per route: a failed pharmacy submission, and LifeFile's hard-copy PDF requirement.
fn route_failures(f: &Facts<'_>, out: &mut Vec<Reason>) {
    for route in &f.plan.routes {
        if route
            .warnings
            .iter()
            .any(|w| w.code == routing_codes::ROUTE_SUBMISSION_FAILED)
        {
            let label = match route.pharmacy_type {
                Some(PharmacyType::DispensePro) => "DispensePro",
                _ => "Belmar/LifeFile",
            };
            let failed = Reason::new(
                codes::FULFILLMENT_SUBMISSION_FAILED,
                Actor::AdminDevelopment,
                &[("route", label)],
            );
            push_unique(out, failed);
        }
        for b in route
            .blockers
            .iter()
            .filter(|b| b.code == routing_codes::LIFEFILE_HARDCOPY_PDF_REQUIRED)
        {
            push_unique(out, b.clone());
        }
    }
}

/// Messages shown to the wrong audience.
fn message_visibility_issues(f: &Facts<'_>, out: &mut Vec<Reason>) {
    for issue in &f.visibility.issues {
        push_unique(out, issue.clone());
    }
}

/// Open staff flags (acknowledged and resolved ones are no longer escalated).
fn staff_flag_open(f: &Facts<'_>, out: &mut Vec<Reason>) {
    let open = f
        .snapshot
        .order
        .flags
        .iter()
        .filter(|flag| flag.settled.is_none())
        .count();
    if open > 0 {
        let count = open.to_string();
        out.push(Reason::new(
            codes::STAFF_FLAG_OPEN,
            Actor::Cs,
            &[("count", &count)],
        ));
    }
}

/// A failed delivery on an order not completed.
fn delivery_failed(f: &Facts<'_>, out: &mut Vec<Reason>) {
    let order = &f.snapshot.order;
    if order.shipping.as_ref().is_some_and(|s| s.delivery_failed)
        && order.status != OrderStatus::Completed
    {
        out.push(Reason::new(codes::DELIVERY_FAILED, Actor::Cs, &[]));
    }
}
