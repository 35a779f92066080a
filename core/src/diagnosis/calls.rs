//! Staff re-arm of a parked Beluga call (issue 16 item 6): `decide_beluga_call_retry`.
//!
//! The worker parks a Beluga call (`failed`) when the response classifier says it will not
//! succeed by waiting (`fix_patient_data`, `fix_configuration`, `permanent`), when its
//! attempts ran out (`retry_later` at `outbox.max_attempts`), or when sending it broke the
//! worker. Staff fix the cause, then re-arm the same call (same body, same dedupe key): it is
//! pending again, due now, with a fresh attempt budget. The rules say for each Beluga call of
//! the order whether that is allowed now ([`beluga_call_actions`]); the panel lists the
//! verdicts of the parked ones among its allowed actions (`retry_beluga_call`, with the
//! `call_id`), and `POST /api/emr/orders/{id}/beluga/calls/{call_id}/retry` runs the rule.
//!
//! | refused when | code |
//! | --- | --- |
//! | the call is pending (queued, backing off or being sent): a second re-arm is a no-op | `beluga_call_pending` |
//! | it was delivered | `beluga_call_delivered` |
//! | it is the visit submission or its reconciling fetch: those are re-planned from the corrected order by `submit-to-beluga` (the stored body would send the data Beluga refused) | `beluga_call_use_retry` |
//! | the order is `CANCELLED` or `COMPLETED`, or its Beluga visit `canceled` | `beluga_call_order_closed` |
//! | Beluga refused it for good (`permanent`: `Name change no longer allowed`, `VISIT_WAS_REFERRED`, `TOO_MANY_RETRIES`, `TOO_LONG_AGO`): like LifeFile's never-resend, a permanent refusal is never sent again (decisions.md §2: a new visit is needed) | `beluga_call_permanent` |
//! | Beluga refused its data (`fix_patient_data`): the same body would be refused again; staff send a corrected request instead | `beluga_call_data_refused` |
//! | a later call of the same kind replaced it (photo ID, patient name, update visit: the latest one stands) and is pending or delivered | `beluga_call_superseded` |
//!
//! ## Choices where the spec is silent
//! - `fix_configuration` and exhausted `retry_later` calls may be re-armed: their cause lies
//!   outside the body (the API key, the company's visit types or medIds, an outage).
//! - Chat, CS messages, staff photos and PDFs are never superseded: each is its own message
//!   or document.
//! - A parked call whose error names no class (the worker broke sending it) may be re-armed.

use super::actions::{AllowedAction, StaffAction};
use super::codes;
use crate::contract::response::Class;
use crate::order::calls::CallKind;
use crate::order::reason::{Actor, Reason};
use crate::order::snapshot::{OrderSnapshot, OrderStatus, VisitStatus};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Where a call stands in the outbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CallStatus {
    /// Queued, backing off or being sent.
    Pending,
    /// Delivered (its answer recorded).
    Done,
    /// Parked for staff.
    Failed,
}

/// One outbox call of the order, as the rule reads it (no payload).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OrderCall {
    /// The outbox row id (later calls have higher ids).
    pub id: i64,
    /// The outbox kind (`beluga_photo_id`, `beluga_update_visit`, …; pharmacy kinds are
    /// ignored).
    pub kind: String,
    /// Its status.
    pub status: CallStatus,
    /// The error it was parked with (`{class}: …`, as the worker keeps it).
    #[serde(default)]
    pub last_error: Option<String>,
}

impl OrderCall {
    /// The Beluga kind, `None` for pharmacy and unknown kinds.
    fn beluga_kind(&self) -> Option<CallKind> {
        let kind: CallKind =
            serde_json::from_value(serde_json::Value::String(self.kind.clone())).ok()?;
        (kind.default_endpoint().is_some()).then_some(kind)
    }

    /// The failure class named by its error, if any.
    fn class(&self) -> Option<Class> {
        let error = self.last_error.as_deref()?;
        let word = error.split(':').next().unwrap_or(error).trim();
        serde_json::from_value(serde_json::Value::String(word.to_owned())).ok()
    }
}

/// The request of `decide_beluga_call_retry`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BelugaCallRetryRequest {
    /// The order snapshot.
    pub input: OrderSnapshot,
    /// Every outbox call of the order.
    #[serde(default)]
    pub calls: Vec<OrderCall>,
}

/// The answer of `decide_beluga_call_retry`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct BelugaCallRetry {
    /// One `retry_beluga_call` verdict per Beluga call of the request, in its order, each
    /// with its `call_id`.
    pub actions: Vec<AllowedAction>,
}

/// `decide_beluga_call_retry`.
pub fn decide_beluga_call_retry(request: &BelugaCallRetryRequest) -> BelugaCallRetry {
    BelugaCallRetry {
        actions: beluga_call_actions(&request.input, &request.calls),
    }
}

/// Whether staff may re-arm each Beluga call of `calls` now (see the module docs).
pub fn beluga_call_actions(snapshot: &OrderSnapshot, calls: &[OrderCall]) -> Vec<AllowedAction> {
    calls
        .iter()
        .filter_map(|call| {
            let kind = call.beluga_kind()?;
            let reasons = refusals(snapshot, calls, call, kind);
            let mut action =
                AllowedAction::new(StaffAction::RetryBelugaCall, reasons.is_empty(), reasons);
            action.call_id = Some(call.id);
            Some(action)
        })
        .collect()
}

fn refusals(
    snapshot: &OrderSnapshot,
    calls: &[OrderCall],
    call: &OrderCall,
    kind: CallKind,
) -> Vec<Reason> {
    let mut out = Vec::new();
    let mut refuse =
        |code, actor, params: &[(&str, &str)]| out.push(Reason::new(code, actor, params));
    match call.status {
        CallStatus::Pending => refuse(codes::BELUGA_CALL_PENDING, Actor::Partner, &[]),
        CallStatus::Done => refuse(codes::BELUGA_CALL_DELIVERED, Actor::Cs, &[]),
        CallStatus::Failed => {}
    }
    if matches!(kind, CallKind::BelugaSubmit | CallKind::BelugaFetch) {
        // The staff retry re-plans it: nothing else about the stored call matters.
        refuse(codes::BELUGA_CALL_USE_RETRY, Actor::Cs, &[]);
        return out;
    }
    if let Some(state) = closed(snapshot) {
        refuse(
            codes::BELUGA_CALL_ORDER_CLOSED,
            Actor::Cs,
            &[("state", state)],
        );
    }
    match call.class() {
        Some(Class::Permanent) => {
            refuse(codes::BELUGA_CALL_PERMANENT, Actor::MedicalOperations, &[]);
        }
        Some(Class::FixPatientData) => refuse(codes::BELUGA_CALL_DATA_REFUSED, Actor::Cs, &[]),
        _ => {}
    }
    if call.status == CallStatus::Failed && superseded(calls, call, kind) {
        refuse(
            codes::BELUGA_CALL_SUPERSEDED,
            Actor::Cs,
            &[("kind", &call.kind)],
        );
    }
    out
}

/// The order's terminal state, if it is in one.
fn closed(snapshot: &OrderSnapshot) -> Option<&'static str> {
    match snapshot.order.status {
        OrderStatus::Cancelled => return Some("CANCELLED"),
        OrderStatus::Completed => return Some("COMPLETED"),
        _ => {}
    }
    (snapshot.order.beluga.visit_status == Some(VisitStatus::Canceled)).then_some("visit canceled")
}

/// Whether a later call of a kind where the latest stands is pending or delivered.
fn superseded(calls: &[OrderCall], call: &OrderCall, kind: CallKind) -> bool {
    let replaces = matches!(
        kind,
        CallKind::BelugaPhotoId | CallKind::BelugaPatientName | CallKind::BelugaUpdateVisit
    );
    replaces
        && calls.iter().any(|other| {
            other.id > call.id && other.kind == call.kind && other.status != CallStatus::Failed
        })
}
