//! `decide_erase`: may an admin erase one patient's data now (issue 18 item 5, a deletion
//! request; docs/security.md, "Per-patient export and erase").
//!
//! The facts are the partner calls of the patient's orders (kind and status; no payload). A
//! call still `pending` is in flight: due, waiting for its backoff, or being sent. Erasing
//! then would drop what it is about to send (or has sent: its answer could no longer be
//! applied), so:
//! - no call in flight: **allowed** (`force` and `reason` are not needed);
//! - calls in flight and no `force`: **refused**, `erase_calls_in_flight` (wait for them, or
//!   force);
//! - `force` without a non-blank reason: **refused**, `erase_reason_missing`;
//! - `force` with a reason: **allowed**, `forced`, and the calls in flight are parked (never
//!   sent); `parked` counts them. The reason goes into the audit entry of the erase.

use super::calls::Finding;
use super::codes;
use super::reason::{Actor, Reason};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// One partner call of the patient's orders, as the erase reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EraseCall {
    /// The order it belongs to.
    pub order_id: String,
    /// The outbox kind (`beluga_submit`, …).
    pub kind: String,
    /// `pending`, `done` or `failed`.
    pub status: String,
}

impl EraseCall {
    /// Whether the call may still be sent (or is being sent).
    pub fn in_flight(&self) -> bool {
        self.status == "pending"
    }
}

/// The request of `decide_erase`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DecideEraseRequest {
    /// The partner calls of every order of the patient.
    #[serde(default)]
    pub calls: Vec<EraseCall>,
    /// Erase although calls are in flight (they are parked, never sent).
    #[serde(default)]
    pub force: bool,
    /// Why (required with `force`; kept in the audit entry: no patient data).
    #[serde(default)]
    pub reason: Option<String>,
}

/// The answer of `decide_erase`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct EraseDecision {
    /// Whether the erase may go ahead.
    pub allowed: bool,
    /// Whether it goes ahead past calls in flight.
    pub forced: bool,
    /// The calls in flight (parked when the erase goes ahead).
    pub in_flight: u32,
    /// The orders with a call in flight, sorted, once each.
    pub in_flight_orders: Vec<String>,
    /// Why refused (codes as strings: a host reads the answers of newer rules).
    pub reasons: Vec<Finding>,
}

/// Decides a per-patient erase.
pub fn decide_erase(r: &DecideEraseRequest) -> EraseDecision {
    let flying: Vec<&EraseCall> = r.calls.iter().filter(|c| c.in_flight()).collect();
    let count = u32::try_from(flying.len()).unwrap_or(u32::MAX);
    let mut orders: Vec<String> = flying.iter().map(|c| c.order_id.clone()).collect();
    orders.sort();
    orders.dedup();
    let reason = r.reason.as_deref().map(str::trim).filter(|t| !t.is_empty());
    let mut reasons = Vec::new();
    if count > 0 && !r.force {
        let n = count.to_string();
        reasons.push(Reason::new(
            codes::ERASE_CALLS_IN_FLIGHT,
            Actor::AdminDevelopment,
            &[("count", n.as_str())],
        ));
    }
    if r.force && reason.is_none() {
        reasons.push(Reason::new(
            codes::ERASE_REASON_MISSING,
            Actor::AdminDevelopment,
            &[],
        ));
    }
    let allowed = reasons.is_empty();
    EraseDecision {
        allowed,
        forced: allowed && count > 0,
        in_flight: count,
        in_flight_orders: orders,
        reasons: reasons.iter().map(Finding::from).collect(),
    }
}
