//! The staff actions the diagnosis offers (issue 12, item 7): which of them are allowed now,
//! and why not. Each one is the verdict of the rule that owns the action, never a second
//! copy of it:
//!
//! | action | rule | allowed when |
//! | --- | --- | --- |
//! | `submit` | [`decide_retry`](crate::order::submit::decide_retry) (the staff endpoint), first submission only | never attempted (no `belugaSubmitStatus`), and the submission would pass every requirement |
//! | `retry` | [`decide_retry`](crate::order::submit::decide_retry) | `FAILED` or never attempted, and the retry would pass every requirement |
//! | `cancel` | [`check_cancel`] without, then with, confirmation | there is a visit to cancel and it is not over; `needs_confirmation` when it has consequences |
//! | `resend_prescription` | [`check_resend`] | a prescribed visit, not referred or canceled, within Beluga's 7 days, the request's requirements met |
//!
//! ## Choices where the spec is silent
//! - `allowed` means the action would be accepted *and* pass the core's checks now. When
//!   `decide_retry` lets staff press the button but the retry would still fail
//!   (`would_succeed: false`), the action is refused with the reasons it would fail: the
//!   panel shows what to fix instead of a button that only records another `FAILED`.
//! - `submit` is the first submission; once an attempt failed the same request is `retry`
//!   (same `masterId`), and `submit` is refused with `submit_already_attempted`.
//! - A `cancel` with consequences is allowed with `needs_confirmation: true`; its `reasons`
//!   then say what the caller must supply (the confirmation, a reason) and `consequences`
//!   what cancelling does not undo.

use crate::order::cancel::{check_cancel, CancelVerdict};
use crate::order::codes as order_codes;
use crate::order::readiness::Readiness;
use crate::order::reason::{Actor, Reason};
use crate::order::resend::check_resend;
use crate::order::snapshot::{OrderSnapshot, SubmitStatus};
use crate::order::submit::{decide_retry_with, RetryDecision};
use chrono::{DateTime, Utc};
use serde::Serialize;

/// A staff action of the order panel. Later issues add their own actions here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum StaffAction {
    /// The first Beluga submission (`POST /api/emr/orders/{id}/submit-to-beluga`).
    Submit,
    /// Retry a failed or not yet made submission (same endpoint, same `masterId`).
    Retry,
    /// Cancel the Beluga visit (the app's visit state only).
    Cancel,
    /// Resend the prescription through `updateVisit`.
    ResendPrescription,
}

/// Whether one staff action is allowed now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct AllowedAction {
    /// The action.
    pub action: StaffAction,
    /// It may be taken now and would pass the core's checks.
    pub allowed: bool,
    /// The caller must confirm with a reason (a cancel with consequences).
    pub needs_confirmation: bool,
    /// Why it is refused; for an allowed action that needs confirmation, what to supply.
    pub reasons: Vec<Reason>,
    /// What the action does not undo (cancel).
    pub consequences: Vec<Reason>,
}

impl AllowedAction {
    fn new(action: StaffAction, allowed: bool, reasons: Vec<Reason>) -> Self {
        Self {
            action,
            allowed,
            needs_confirmation: false,
            reasons,
            consequences: Vec::new(),
        }
    }
}

/// Stands for the reason staff type when confirming; `check_cancel` only checks that one is
/// given and never echoes it.
const STAFF_REASON: &str = "reason given by staff";

fn from_retry(action: StaffAction, retry: &RetryDecision) -> AllowedAction {
    AllowedAction::new(
        action,
        retry.allowed && retry.would_succeed,
        retry.reasons.clone(),
    )
}

fn submit(snapshot: &OrderSnapshot, retry: &RetryDecision) -> AllowedAction {
    let attempted = snapshot.order.beluga.submit_status == Some(SubmitStatus::Failed);
    if retry.allowed && attempted {
        return AllowedAction::new(
            StaffAction::Submit,
            false,
            vec![Reason::new(
                order_codes::SUBMIT_ALREADY_ATTEMPTED,
                Actor::Cs,
                &[],
            )],
        );
    }
    from_retry(StaffAction::Submit, retry)
}

fn cancel(snapshot: &OrderSnapshot) -> AllowedAction {
    let unconfirmed = check_cancel(snapshot, None, false);
    let (allowed, needs_confirmation) = match unconfirmed.decision {
        CancelVerdict::Refused => (false, false),
        CancelVerdict::Allowed => (true, false),
        CancelVerdict::NeedsConfirmation => {
            let confirmed = check_cancel(snapshot, Some(STAFF_REASON), true);
            (confirmed.decision == CancelVerdict::Allowed, true)
        }
    };
    AllowedAction {
        action: StaffAction::Cancel,
        allowed,
        needs_confirmation,
        reasons: unconfirmed.reasons,
        consequences: unconfirmed.consequences,
    }
}

/// The staff actions and whether each is allowed at `now`; `readiness` is the snapshot's
/// readiness at `now`'s business date, shared with the diagnosis.
pub fn allowed_actions(
    snapshot: &OrderSnapshot,
    readiness: &Readiness,
    now: DateTime<Utc>,
) -> Vec<AllowedAction> {
    let retry = decide_retry_with(snapshot, readiness);
    let resend = check_resend(snapshot, readiness, now);
    vec![
        submit(snapshot, &retry),
        from_retry(StaffAction::Retry, &retry),
        cancel(snapshot),
        AllowedAction::new(
            StaffAction::ResendPrescription,
            resend.allowed,
            resend.reasons,
        ),
    ]
}
