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
//! | `retry_route` (one per DispensePro / LifeFile route, with its `pharmacy_id`) | [`decide_route_action`] `retry` | the route's submission FAILED, its cause is fixed and the prescription is confirmed |
//! | `retry_beluga_call` (one per Beluga outbox call, with its `call_id`; not in `diagnose`, which sees no outbox: `decide_beluga_call_retry`) | [`super::calls::beluga_call_actions`] | the call is parked, not the submission, not superseded, not refused for good or for its data, and the order is open |
//! | `force_route` (likewise) | [`decide_route_action`] `force` with staff's reason | the route was sent, is not blocked (the hardcopy-PDF block included) and is inside the prescription boundary; always `needs_confirmation` (a reason) |
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
//! - `force_route` is judged like a confirmed cancel: `allowed` with a reason standing in for
//!   staff's, `reasons` those of the request without one (`route_force_reason_missing` among
//!   them when nothing else refuses). Routes with nothing rxgate submits (BELUGA, OWN, held
//!   items) offer neither route action.

use crate::events::outbox::{decide_route_action, route_call, RouteStaffAction};
use crate::order::cancel::{check_cancel, CancelVerdict};
use crate::order::codes as order_codes;
use crate::order::readiness::Readiness;
use crate::order::reason::{Actor, Reason};
use crate::order::resend::check_resend;
use crate::order::snapshot::{OrderSnapshot, SubmitStatus};
use crate::order::submit::{decide_retry_with, RetryDecision};
use crate::routing::route_fulfillment;
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
    /// Retry one FAILED fulfillment route (`POST …/routes/{pharmacy_id}/retry`).
    RetryRoute,
    /// Force one fulfillment route again, with a reason (`POST …/routes/{pharmacy_id}/force`).
    ForceRoute,
    /// Re-arm one parked Beluga call after a fix
    /// (`POST …/beluga/calls/{call_id}/retry`; [`super::calls`]).
    RetryBelugaCall,
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
    /// The route's pharmacy (route actions only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pharmacy_id: Option<String>,
    /// The outbox call (`retry_beluga_call` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub call_id: Option<i64>,
}

impl AllowedAction {
    pub(super) fn new(action: StaffAction, allowed: bool, reasons: Vec<Reason>) -> Self {
        Self {
            action,
            allowed,
            needs_confirmation: false,
            reasons,
            consequences: Vec::new(),
            pharmacy_id: None,
            call_id: None,
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
        pharmacy_id: None,
        call_id: None,
    }
}

/// `retry_route` and `force_route` of every route rxgate submits, in route order.
fn route_actions(snapshot: &OrderSnapshot, now: DateTime<Utc>) -> Vec<AllowedAction> {
    let plan = route_fulfillment(snapshot);
    let pharmacies = plan
        .routes
        .iter()
        .filter(|r| route_call(r.action).is_some())
        .filter_map(|r| r.pharmacy_id.clone());
    let mut actions = Vec::new();
    for pharmacy in pharmacies {
        let decide = |action, reason| decide_route_action(snapshot, action, &pharmacy, reason, now);
        let retry = decide(RouteStaffAction::Retry, None);
        let mut retry = AllowedAction::new(StaffAction::RetryRoute, retry.allowed, retry.reasons);
        retry.pharmacy_id = Some(pharmacy.clone());
        let bare = decide(RouteStaffAction::Force, None);
        let confirmed = decide(RouteStaffAction::Force, Some(STAFF_REASON));
        let mut force =
            AllowedAction::new(StaffAction::ForceRoute, confirmed.allowed, bare.reasons);
        force.needs_confirmation = true;
        force.pharmacy_id = Some(pharmacy.clone());
        actions.push(retry);
        actions.push(force);
    }
    actions
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
    let mut actions = vec![
        submit(snapshot, &retry),
        from_retry(StaffAction::Retry, &retry),
        cancel(snapshot),
        AllowedAction::new(
            StaffAction::ResendPrescription,
            resend.allowed,
            resend.reasons,
        ),
    ];
    actions.extend(route_actions(snapshot, now));
    actions
}
