//! The prescription boundary: when an item may go to fulfillment.
//!
//! Fulfillment for an item is allowed only after prescription confirmation for its visit —
//! `RX_WRITTEN`, or `NEW_RX_SENT` from `updateVisit` — **and** a local prescription record
//! for the item (decisions.md §3). Checkout, invoice payment, intake submission or approval,
//! Beluga submission, visit creation, chat, refill payment and renewal charges never allow
//! it: none of them is an input here, so none of them can.
//!
//! [`check_boundary`] also finds violations in the snapshot:
//! - a DispensePro or LifeFile submission (by rxgate, a workflow or staff) for an item with
//!   no prescription record, or made before the record's confirmation arrived;
//! - a partner fulfillment event received before `RX_WRITTEN` that no `RX_WRITTEN`
//!   followed within the window (`settings.windows.boundary_hours`, default 24 h; "now" is
//!   an input) — inside the window it is only a warning;
//! - a prescribed `medId` that no item ordered (flagged for staff, never routed).
//!
//! ## Choices where the spec is silent
//! - A record matches an item by `item_id`, else by the drug's `medId` (`belugaMedId`, else
//!   `DIN`).
//! - Items whose product does not require a prescription are always allowed.
//! - A failed submission counts as a submission: the attempt itself crossed the boundary.
//! - Partner fulfillment events are every LifeFile, DispensePro and OWN event plus Beluga's
//!   `PHARMACY_ORDER_*` and `PACKAGE_*` events.

pub mod codes;

use crate::order::reason::{Actor, Reason};
use crate::order::snapshot::{
    EventSource, Item, OrderSnapshot, PharmacyType, Submission, Submitter,
};
use crate::routing::{route_item, ItemRoute};
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

/// The boundary verdict for one item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct ItemBoundary {
    /// The item.
    pub item_id: String,
    /// Whether it may go to fulfillment now.
    pub allowed: bool,
    /// Whether its product needs a prescription at all.
    pub requires_prescription: bool,
    /// Why not.
    pub reasons: Vec<Reason>,
}

/// The boundary verdict for an order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct BoundaryReport {
    /// A prescription confirmation (`RX_WRITTEN` or `NEW_RX_SENT`) exists for the visit.
    pub confirmed: bool,
    /// Per item.
    pub items: Vec<ItemBoundary>,
    /// Boundary violations found in the snapshot.
    pub violations: Vec<Reason>,
    /// Things to watch (a partner event inside the window, a prescribed med not ordered).
    pub warnings: Vec<Reason>,
    /// Whether staff must be told.
    pub escalate: bool,
}

pub use crate::order::rx::{confirmed_at, item_allowed, record_for, rx_confirmed, rx_written_at};

/// Whether a partner's event is a fulfillment event.
fn is_fulfillment_event(source: EventSource, event: &str) -> bool {
    match source {
        EventSource::Beluga => {
            event.starts_with("PHARMACY_ORDER_") || event.starts_with("PACKAGE_")
        }
        EventSource::Lifefile | EventSource::DispensePro | EventSource::Own => true,
    }
}

fn submitter_label(by: Option<Submitter>) -> &'static str {
    match by {
        Some(Submitter::Rxgate) => "by rxgate",
        Some(Submitter::Staff) => "forced by staff",
        Some(Submitter::Workflow) => "by a workflow",
        None => "by an unknown sender",
    }
}

/// The items a submission carried: its `item_ids`, or every item routed to its integration.
fn covered_items<'a>(
    snapshot: &'a OrderSnapshot,
    kind: PharmacyType,
    submission: &'a Submission,
) -> Vec<&'a Item> {
    snapshot
        .items
        .iter()
        .filter(|item| {
            if submission.item_ids.is_empty() {
                matches!(route_item(snapshot, item), ItemRoute::Routed(p) if p.kind == kind
                    && (submission.pharmacy_id.is_none() || submission.pharmacy_id.as_deref() == Some(p.id.as_str())))
            } else {
                submission.item_ids.iter().any(|id| id == &item.id)
            }
        })
        .collect()
}

/// Checks the boundary for every item and finds violations (see the module docs).
pub fn check_boundary(snapshot: &OrderSnapshot, now: DateTime<Utc>) -> BoundaryReport {
    let items: Vec<ItemBoundary> = snapshot
        .items
        .iter()
        .map(|item| {
            let result = item_allowed(snapshot, item);
            ItemBoundary {
                item_id: item.id.clone(),
                allowed: result.is_ok(),
                requires_prescription: item.product.requires_prescription,
                reasons: result.err().unwrap_or_default(),
            }
        })
        .collect();
    let mut violations = Vec::new();
    let mut warnings = Vec::new();
    submissions_before_rx(snapshot, &mut violations);
    partner_events_before_rx(snapshot, now, &mut violations, &mut warnings);
    prescribed_meds_not_ordered(snapshot, &mut warnings);
    let escalate = !violations.is_empty()
        || warnings
            .iter()
            .any(|w| w.code == codes::PRESCRIBED_MED_NOT_ORDERED);
    BoundaryReport {
        confirmed: rx_confirmed(snapshot),
        items,
        violations,
        warnings,
        escalate,
    }
}

/// A DispensePro or LifeFile submission for an item with no prescription record, or made
/// before the record was written.
fn submissions_before_rx(snapshot: &OrderSnapshot, violations: &mut Vec<Reason>) {
    let submissions = snapshot
        .order
        .dispense_pro
        .iter()
        .map(|s| (PharmacyType::DispensePro, "DispensePro", s))
        .chain(
            snapshot
                .order
                .life_file
                .iter()
                .map(|s| (PharmacyType::BelmarLifefile, "Belmar/LifeFile", s)),
        );
    for (kind, label, submission) in submissions {
        for item in covered_items(snapshot, kind, submission) {
            if !item.product.requires_prescription {
                continue;
            }
            let early = match record_for(snapshot, item) {
                None => true,
                Some(record) => match (submission.submitted_at, record.written_at) {
                    (Some(sent), Some(written)) => sent < written,
                    _ => false,
                },
            };
            let already = violations.iter().any(|v: &Reason| {
                v.item_id.as_deref() == Some(item.id.as_str())
                    && v.code == codes::FULFILLMENT_BEFORE_RX
            });
            if early && !already {
                violations.push(Reason::for_item(
                    codes::FULFILLMENT_BEFORE_RX,
                    Actor::MedicalOperations,
                    &item.id,
                    &[
                        ("route", label),
                        ("by", submitter_label(submission.submitted_by)),
                    ],
                ));
            }
        }
    }
}

/// The first partner fulfillment event, when it came before the prescription: a warning
/// inside the window, a violation after it.
fn partner_events_before_rx(
    snapshot: &OrderSnapshot,
    now: DateTime<Utc>,
    violations: &mut Vec<Reason>,
    warnings: &mut Vec<Reason>,
) {
    let hours = snapshot.settings.windows.boundary_hours;
    let hours_text = hours.to_string();
    let first_partner = snapshot
        .events
        .iter()
        .filter(|e| is_fulfillment_event(e.source, &e.event))
        .min_by_key(|e| e.received_at);
    if let Some(event) = first_partner {
        let rx_at = confirmed_at(snapshot);
        let deadline = event.received_at + Duration::hours(i64::from(hours));
        let before_rx = rx_at.is_none_or(|rx| event.received_at < rx);
        if before_rx {
            let followed_in_time = rx_at.is_some_and(|rx| rx <= deadline);
            let params = [
                ("event", event.event.as_str()),
                ("hours", hours_text.as_str()),
            ];
            if followed_in_time {
                // RX_WRITTEN followed within the window: nothing to report.
            } else if rx_at.is_none() && now <= deadline {
                warnings.push(Reason::new(
                    codes::PARTNER_EVENT_BEFORE_RX_PENDING,
                    Actor::Cs,
                    &params,
                ));
            } else {
                violations.push(Reason::new(
                    codes::PARTNER_EVENT_BEFORE_RX,
                    Actor::MedicalOperations,
                    &params,
                ));
            }
        }
    }
}

/// A prescribed `medId` that no item ordered (reported once).
fn prescribed_meds_not_ordered(snapshot: &OrderSnapshot, warnings: &mut Vec<Reason>) {
    for prescription in &snapshot.order.prescriptions {
        let Some(med_id) = prescription.med_id.as_deref() else {
            continue;
        };
        if prescription.item_id.is_none()
            && snapshot.item_by_med_id(med_id).is_none()
            && !warnings
                .iter()
                .any(|w: &Reason| w.code == codes::PRESCRIBED_MED_NOT_ORDERED)
        {
            warnings.push(Reason::new(
                codes::PRESCRIBED_MED_NOT_ORDERED,
                Actor::MedicalOperations,
                &[],
            ));
        }
    }
}
