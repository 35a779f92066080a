//! The cancel guard for a Beluga visit (decisions.md §3 "Cancel").
//!
//! Cancelling a Beluga visit changes only the app's visit state — the reference has no
//! cancel endpoint — and it does not refund the patient, cancel the order or stop a
//! subscription. So:
//! - **refused** when there is no visit (never accepted by Beluga) or it is already
//!   `resolved` / `canceled`;
//! - **needs confirmation** when the order has payment, fulfillment, subscription or
//!   medical-review consequences and the caller has not confirmed with a reason;
//! - **allowed** otherwise, always listing the consequences that are *not* undone.
//!
//! ## Choices where the spec is silent
//! - Medical-review consequences: a provider is on it (`active`, `admin`, `holding`), a
//!   prescription exists, or an appointment was booked. A `pending` visit (or one not yet
//!   fetched) has not reached a provider.
//! - Fulfillment consequences: any DispensePro or LifeFile submission, or an order already
//!   `SHIPPED`.

use super::codes;
use super::reason::{Actor, Reason};
use super::snapshot::{
    non_blank, OrderSnapshot, OrderStatus, PaymentStatus, SubmitStatus, VisitStatus,
};
use serde::Serialize;

/// The guard's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CancelVerdict {
    /// The caller may cancel.
    Allowed,
    /// The caller must confirm with a reason first.
    NeedsConfirmation,
    /// Cancelling is not possible.
    Refused,
}

/// The answer of [`check_cancel`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct CancelDecision {
    /// The verdict.
    pub decision: CancelVerdict,
    /// Why refused or what is missing.
    pub reasons: Vec<Reason>,
    /// What cancelling does not undo.
    pub consequences: Vec<Reason>,
    /// Escalate before cancelling (the guide: payment, fulfillment, subscription or
    /// medical-review consequences).
    pub escalate_first: bool,
}

/// The consequences cancelling the visit would leave in place.
pub fn consequences(snapshot: &OrderSnapshot) -> Vec<Reason> {
    let order = &snapshot.order;
    let mut out = Vec::new();
    if matches!(
        order.payment_status,
        PaymentStatus::Paid | PaymentStatus::PartiallyRefunded
    ) || order.invoice_status == Some(super::snapshot::InvoiceStatus::Paid)
    {
        out.push(Reason::new(codes::CONSEQUENCE_PAYMENT, Actor::Cs, &[]));
    }
    if !order.dispense_pro.is_empty()
        || !order.life_file.is_empty()
        || order.status >= OrderStatus::Shipped
    {
        out.push(Reason::new(
            codes::CONSEQUENCE_FULFILLMENT,
            Actor::AdminDevelopment,
            &[],
        ));
    }
    if order.subscription {
        out.push(Reason::new(codes::CONSEQUENCE_SUBSCRIPTION, Actor::Cs, &[]));
    }
    let under_review = matches!(
        order.beluga.visit_status,
        Some(VisitStatus::Active | VisitStatus::Admin | VisitStatus::Holding)
    );
    if under_review || !order.prescriptions.is_empty() || order.appointment.is_some() {
        out.push(Reason::new(
            codes::CONSEQUENCE_MEDICAL_REVIEW,
            Actor::MedicalOperations,
            &[],
        ));
    }
    out
}

/// Decides whether the visit may be cancelled (see the module docs). `reason` is the
/// caller's stated reason (its text is never echoed), `confirmed` their explicit
/// confirmation.
pub fn check_cancel(
    snapshot: &OrderSnapshot,
    reason: Option<&str>,
    confirmed: bool,
) -> CancelDecision {
    let beluga = &snapshot.order.beluga;
    let has_visit = beluga.submit_status == Some(SubmitStatus::Submitted)
        || non_blank(beluga.visit_id.as_ref()).is_some();
    let refuse = |r: Reason| CancelDecision {
        decision: CancelVerdict::Refused,
        reasons: vec![r],
        consequences: Vec::new(),
        escalate_first: false,
    };
    if !has_visit {
        return refuse(Reason::new(codes::CANCEL_NO_VISIT, Actor::Cs, &[]));
    }
    if let Some(status) = beluga.visit_status.filter(|s| s.is_terminal()) {
        let word = match status {
            VisitStatus::Resolved => "resolved",
            _ => "canceled",
        };
        return refuse(Reason::new(
            codes::CANCEL_VISIT_CLOSED,
            Actor::Cs,
            &[("status", word)],
        ));
    }
    let consequences = consequences(snapshot);
    let mut reasons = Vec::new();
    if !consequences.is_empty() {
        if !confirmed {
            reasons.push(Reason::new(
                codes::CANCEL_CONFIRMATION_REQUIRED,
                Actor::Cs,
                &[],
            ));
        }
        if reason.is_none_or(|r| r.trim().is_empty()) {
            reasons.push(Reason::new(codes::CANCEL_REASON_REQUIRED, Actor::Cs, &[]));
        }
    }
    CancelDecision {
        decision: if reasons.is_empty() {
            CancelVerdict::Allowed
        } else {
            CancelVerdict::NeedsConfirmation
        },
        reasons,
        escalate_first: !consequences.is_empty(),
        consequences,
    }
}
