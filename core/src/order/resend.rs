//! May staff resend the prescription to Beluga (`POST /external/updateVisit`, "Update
//! visit/Resend prescription" of the API reference) now?
//!
//! The reference answers a resend with a status word; the ones rxgate can foresee from the
//! snapshot refuse the action here, so staff never send a request Beluga would refuse:
//! - `NO_VISIT` — the order has no visit Beluga accepted (`belugaSubmitStatus` is not
//!   `SUBMITTED`): `resend_no_visit`;
//! - `VISIT_WAS_REFERRED` — the doctor referred the visit: `visit_referred`; a canceled visit
//!   (`visit_canceled`) is refused the same way;
//! - `VISIT_DATA_UPDATED` instead of a new prescription — the visit has no prescription yet
//!   (no `RX_WRITTEN` or `NEW_RX_SENT`, outcome not `prescribed`): `resend_no_prescription`;
//! - `TOO_LONG_AGO` — the original prescription was sent more than
//!   [`RESEND_WINDOW_DAYS`] days before now: `resend_too_long_ago`;
//! - the request itself needs what visit creation needed: Beluga enabled with an API key, a
//!   pharmacy with a Beluga id (`pharmacyId`) and each drug's `medId` — readiness's reasons
//!   of those codes, reused as they are.
//!
//! ## Choices where the spec is silent
//! - A cancelled or completed order is refused (`order_closed`): nothing waits for a
//!   prescription any more.
//! - The 7 days run from the first confirmation rxgate holds (the `RX_WRITTEN` receipt or the
//!   earliest record's `written_at`); with none (outcome `prescribed`, `RX_WRITTEN` not yet
//!   in) the age is not checked.
//! - `TOO_MANY_RETRIES`: the agreed number of resends is not in the reference, so it is not
//!   foreseen; Beluga's answer says so.
//! - `CATEGORY_MISMATCH` and `PHARMACY_MISMATCH` depend on Beluga's catalogue and are left to
//!   its answer.

use super::codes;
use super::readiness::{order_closed, Readiness};
use super::reason::{Actor, Reason};
use super::rx;
use super::snapshot::{OrderSnapshot, SubmitStatus, VisitOutcome, VisitStatus};
use crate::boundary::codes as boundary_codes;
use crate::routing::codes as routing_codes;
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

/// Days after the original prescription during which Beluga accepts a resend (`TOO_LONG_AGO`
/// beyond).
pub const RESEND_WINDOW_DAYS: i64 = 7;

/// The readiness codes that are requirements of an `updateVisit` request too.
const REQUEST_REQUIREMENTS: &[crate::issue::Code] = &[
    codes::BELUGA_DISABLED,
    codes::BELUGA_API_KEY_MISSING,
    codes::DRUG_UNMAPPED,
    codes::DRUG_MED_ID_MISSING,
    routing_codes::PHARMACY_MISSING,
    routing_codes::PHARMACY_MISSING_BELUGA_ID,
    routing_codes::PHARMACY_CONFLICT,
    routing_codes::PHARMACY_UNKNOWN,
];

/// The answer of [`check_resend`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct ResendDecision {
    /// Staff may resend the prescription now.
    pub allowed: bool,
    /// Why not.
    pub reasons: Vec<Reason>,
}

fn refused(reason: Reason) -> ResendDecision {
    ResendDecision {
        allowed: false,
        reasons: vec![reason],
    }
}

/// Decides whether the prescription may be resent at `now` (see the module docs).
/// `readiness` is [`super::readiness::check_readiness`] of the same snapshot: its
/// configuration, pharmacy and drug reasons are the request's requirements too.
pub fn check_resend(
    snapshot: &OrderSnapshot,
    readiness: &Readiness,
    now: DateTime<Utc>,
) -> ResendDecision {
    if let Some(closed) = order_closed(snapshot) {
        return refused(closed);
    }
    let beluga = &snapshot.order.beluga;
    if beluga.submit_status != Some(SubmitStatus::Submitted) {
        return refused(Reason::new(codes::RESEND_NO_VISIT, Actor::Cs, &[]));
    }
    if beluga.visit_outcome == Some(VisitOutcome::Referred) {
        return refused(Reason::new(
            boundary_codes::VISIT_REFERRED,
            Actor::MedicalOperations,
            &[],
        ));
    }
    if beluga.visit_status == Some(VisitStatus::Canceled) {
        return refused(Reason::new(
            boundary_codes::VISIT_CANCELED,
            Actor::MedicalOperations,
            &[],
        ));
    }
    if !rx::rx_confirmed(snapshot) && beluga.visit_outcome != Some(VisitOutcome::Prescribed) {
        return refused(Reason::new(
            codes::RESEND_NO_PRESCRIPTION,
            Actor::Partner,
            &[],
        ));
    }
    let mut reasons = Vec::new();
    if let Some(first) = rx::confirmed_at(snapshot) {
        if now > first + Duration::days(RESEND_WINDOW_DAYS) {
            let days = RESEND_WINDOW_DAYS.to_string();
            reasons.push(Reason::new(
                codes::RESEND_TOO_LONG_AGO,
                Actor::MedicalOperations,
                &[("days", &days)],
            ));
        }
    }
    reasons.extend(
        readiness
            .reasons
            .iter()
            .filter(|r| REQUEST_REQUIREMENTS.contains(&r.code))
            .cloned(),
    );
    ResendDecision {
        allowed: reasons.is_empty(),
        reasons,
    }
}
