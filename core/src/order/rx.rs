//! Prescription facts of a snapshot: whether the visit's prescription was confirmed, when,
//! the local record of an item, and whether an item may go to fulfillment now.
//!
//! They live here, below routing and the boundary, because both ask them: the fulfillment
//! plan lists each route's boundary reasons and the boundary report is built from them
//! ([`crate::boundary`] re-exports them under their old names).

use super::reason::{Actor, Reason};
use super::snapshot::{EventSource, Item, OrderSnapshot, Prescription, VisitOutcome, VisitStatus};
use crate::boundary::codes as boundary_codes;
use chrono::{DateTime, Utc};

/// Whether the visit's prescription was confirmed: a local record, or `RX_WRITTEN` received.
pub fn rx_confirmed(snapshot: &OrderSnapshot) -> bool {
    !snapshot.order.prescriptions.is_empty() || rx_written_at(snapshot).is_some()
}

/// When `RX_WRITTEN` for this order's visit was first received.
pub fn rx_written_at(snapshot: &OrderSnapshot) -> Option<DateTime<Utc>> {
    let master = snapshot.order.beluga.master_id.as_deref();
    snapshot
        .events
        .iter()
        .filter(|e| e.source == EventSource::Beluga && e.event == "RX_WRITTEN")
        .filter(|e| e.master_id.is_none() || master.is_none() || e.master_id.as_deref() == master)
        .map(|e| e.received_at)
        .min()
}

/// The earliest moment a prescription was confirmed (event or record).
pub fn confirmed_at(snapshot: &OrderSnapshot) -> Option<DateTime<Utc>> {
    let records = snapshot
        .order
        .prescriptions
        .iter()
        .filter_map(|p| p.written_at)
        .min();
    match (rx_written_at(snapshot), records) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// The local prescription record of an item.
pub fn record_for<'a>(snapshot: &'a OrderSnapshot, item: &Item) -> Option<&'a Prescription> {
    let med_id = item.drug.as_ref().and_then(|d| d.med_id());
    snapshot.order.prescriptions.iter().find(|p| {
        p.item_id.as_deref() == Some(item.id.as_str())
            || (p.item_id.is_none() && med_id.is_some() && p.med_id.as_deref() == med_id)
    })
}

/// Whether `item` may go to fulfillment now, with the reasons it may not.
pub fn item_allowed(snapshot: &OrderSnapshot, item: &Item) -> Result<(), Vec<Reason>> {
    if !item.product.requires_prescription {
        return Ok(());
    }
    if record_for(snapshot, item).is_some() {
        return Ok(());
    }
    let beluga = &snapshot.order.beluga;
    let reason = if rx_confirmed(snapshot) {
        Reason::for_item(
            boundary_codes::RX_RECORD_MISSING,
            Actor::AdminDevelopment,
            &item.id,
            &[],
        )
    } else if beluga.visit_outcome == Some(VisitOutcome::Referred) {
        Reason::new(
            boundary_codes::VISIT_REFERRED,
            Actor::MedicalOperations,
            &[],
        )
        .item(&item.id)
    } else if beluga.visit_status == Some(VisitStatus::Canceled) {
        Reason::new(
            boundary_codes::VISIT_CANCELED,
            Actor::MedicalOperations,
            &[],
        )
        .item(&item.id)
    } else {
        Reason::for_item(
            boundary_codes::RX_NOT_CONFIRMED,
            Actor::Partner,
            &item.id,
            &[],
        )
    };
    Err(vec![reason])
}
