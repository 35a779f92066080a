//! Auto-submit and manual retry decisions (decisions.md §3 "Submission and retry").
//!
//! Auto-submit runs on the triggers the submission guide lists. For any trigger the answer
//! is `skip` when the visit already exists (`SUBMITTED`), the order is closed or needs no
//! Beluga review; `wait` with the unmet requirements when the order is not ready; otherwise
//! `submit` — including a `FAILED` order, re-submitted with the same `masterId`. A new
//! `masterId` is generated (a random UUID, stored on the order *before* the call) only when
//! the order has none.
//!
//! Manual retry (`POST /api/emr/orders/{id}/submit-to-beluga`) is allowed for orders not
//! yet submitted and for `FAILED` ones, and lists the reasons it would still fail.

use super::codes;
use super::readiness::{check_readiness, order_closed, Readiness, ReadinessStatus};
use super::reason::{Actor, Reason};
use super::snapshot::{non_blank, OrderSnapshot, SubmitStatus};
use super::visit::VisitKind;
use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The events that may auto-submit an order (the submission guide's list).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Trigger {
    /// Checkout created a paid order.
    CheckoutPaid,
    /// The patient completed the required intake.
    IntakeCompleted,
    /// The patient resubmitted a corrected intake.
    IntakeResubmitted,
    /// Staff approved the intake.
    IntakeApproved,
    /// The patient paid an invoice.
    InvoicePaid,
    /// A subscription cycle payment succeeded.
    SubscriptionPaymentSucceeded,
    /// A refill payment succeeded.
    RefillPaymentSucceeded,
    /// Staff created a manual EMR order.
    ManualOrderCreated,
}

impl Trigger {
    /// Every trigger.
    pub const ALL: [Trigger; 8] = [
        Trigger::CheckoutPaid,
        Trigger::IntakeCompleted,
        Trigger::IntakeResubmitted,
        Trigger::IntakeApproved,
        Trigger::InvoicePaid,
        Trigger::SubscriptionPaymentSucceeded,
        Trigger::RefillPaymentSucceeded,
        Trigger::ManualOrderCreated,
    ];

    /// The snake_case name.
    pub fn name(self) -> &'static str {
        match self {
            Trigger::CheckoutPaid => "checkout_paid",
            Trigger::IntakeCompleted => "intake_completed",
            Trigger::IntakeResubmitted => "intake_resubmitted",
            Trigger::IntakeApproved => "intake_approved",
            Trigger::InvoicePaid => "invoice_paid",
            Trigger::SubscriptionPaymentSucceeded => "subscription_payment_succeeded",
            Trigger::RefillPaymentSucceeded => "refill_payment_succeeded",
            Trigger::ManualOrderCreated => "manual_order_created",
        }
    }

    /// Parses a name.
    pub fn from_name(name: &str) -> Option<Trigger> {
        Trigger::ALL.into_iter().find(|t| t.name() == name)
    }
}

/// The auto-submit verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SubmitVerdict {
    /// Submit now.
    Submit,
    /// Not ready: wait for the reasons to be resolved.
    Wait,
    /// Nothing to do (already submitted, closed, or not a Beluga order).
    Skip,
}

/// What to do about the `masterId`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum MasterIdAction {
    /// Generate a random UUID and store it on the order before the call.
    Generate,
    /// Reuse the order's `masterId` (every retry of the same visit).
    Reuse,
}

/// The answer of [`decide_submit`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct SubmitDecision {
    /// The verdict.
    pub decision: SubmitVerdict,
    /// The trigger that asked.
    pub trigger: Trigger,
    /// Why not `submit`.
    pub reasons: Vec<Reason>,
    /// The `masterId` to use, when submitting.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub master_id: Option<MasterIdAction>,
    /// The endpoint, when submitting.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<VisitKind>,
    /// The order was `FAILED` and is submitted again with the same `masterId`.
    pub resubmit_after_failure: bool,
}

fn master_id_action(snapshot: &OrderSnapshot) -> MasterIdAction {
    if non_blank(snapshot.order.beluga.master_id.as_ref()).is_some() {
        MasterIdAction::Reuse
    } else {
        MasterIdAction::Generate
    }
}

/// Skip reasons shared by auto-submit and retry: already submitted, closed, not required.
fn skip_reason(snapshot: &OrderSnapshot) -> Option<Reason> {
    if snapshot.order.beluga.submit_status == Some(SubmitStatus::Submitted) {
        return Some(Reason::new(codes::ALREADY_SUBMITTED, Actor::Cs, &[]));
    }
    if let Some(closed) = order_closed(snapshot) {
        return Some(closed);
    }
    None
}

/// Decides what auto-submit does for `trigger` (see the module docs).
pub fn decide_submit(
    snapshot: &OrderSnapshot,
    trigger: Trigger,
    today: NaiveDate,
) -> SubmitDecision {
    let mut decision = SubmitDecision {
        decision: SubmitVerdict::Skip,
        trigger,
        reasons: Vec::new(),
        master_id: None,
        kind: None,
        resubmit_after_failure: false,
    };
    if let Some(reason) = skip_reason(snapshot) {
        decision.reasons.push(reason);
        return decision;
    }
    let readiness = check_readiness(snapshot, today);
    match readiness.status {
        ReadinessStatus::NotRequired => {
            decision.reasons = readiness.reasons;
        }
        ReadinessStatus::NotReady => {
            decision.decision = SubmitVerdict::Wait;
            decision.reasons = readiness.reasons;
        }
        ReadinessStatus::Ready => {
            decision.decision = SubmitVerdict::Submit;
            decision.master_id = Some(master_id_action(snapshot));
            decision.kind = readiness.kind;
            decision.resubmit_after_failure =
                snapshot.order.beluga.submit_status == Some(SubmitStatus::Failed);
        }
    }
    decision
}

/// The answer of [`decide_retry`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct RetryDecision {
    /// Staff may press "Retry Beluga Submission".
    pub allowed: bool,
    /// The retry would pass every requirement.
    pub would_succeed: bool,
    /// Why it is refused, or why it would still fail.
    pub reasons: Vec<Reason>,
    /// The `masterId` to use.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub master_id: Option<MasterIdAction>,
}

fn retry_refused(reason: Reason) -> RetryDecision {
    RetryDecision {
        allowed: false,
        would_succeed: false,
        reasons: vec![reason],
        master_id: None,
    }
}

/// Decides whether staff may retry the submission, and whether it would succeed.
pub fn decide_retry(snapshot: &OrderSnapshot, today: NaiveDate) -> RetryDecision {
    match skip_reason(snapshot) {
        Some(reason) => retry_refused(reason),
        None => decide_retry_with(snapshot, &check_readiness(snapshot, today)),
    }
}

/// [`decide_retry`] for a caller that already holds the snapshot's readiness (the
/// diagnosis), so readiness is not evaluated twice.
pub fn decide_retry_with(snapshot: &OrderSnapshot, readiness: &Readiness) -> RetryDecision {
    if let Some(reason) = skip_reason(snapshot) {
        return retry_refused(reason);
    }
    let allowed = readiness.status != ReadinessStatus::NotRequired;
    RetryDecision {
        allowed,
        would_succeed: readiness.ready,
        reasons: readiness.reasons.clone(),
        master_id: allowed.then(|| master_id_action(snapshot)),
    }
}
