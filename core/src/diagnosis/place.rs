//! Where an order stands on its path ([`place`]): the stage, how it stands, its blockers and
//! the next action, one function per part of the path.

use super::{first_actor, NextAction, Stage, StageState};
use crate::boundary::{self, BoundaryReport};
use crate::order::codes as order_codes;
use crate::order::readiness::{payment_reason, Readiness, ReadinessStatus};
use crate::order::reason::{Actor, Reason};
use crate::order::snapshot::{OrderSnapshot, OrderStatus, SubmitStatus};
use crate::routing::{RoutePlan, RouteStatus};

type Placement = (Stage, StageState, Vec<Reason>, NextAction);

fn action(actor: Actor, text: &str) -> NextAction {
    NextAction {
        actor,
        action: text.to_owned(),
    }
}

/// Places the order on its path.
pub(super) fn place(
    snapshot: &OrderSnapshot,
    readiness: &Readiness,
    boundary: &BoundaryReport,
    plan: &RoutePlan,
) -> Placement {
    let order = &snapshot.order;
    let beluga = &order.beluga;
    match order.status {
        OrderStatus::Cancelled => {
            return (
                Stage::Cancelled,
                StageState::Done,
                Vec::new(),
                action(Actor::Cs, "nothing to do: the order is cancelled"),
            )
        }
        OrderStatus::Completed => {
            return (
                Stage::Delivered,
                StageState::Done,
                Vec::new(),
                action(Actor::Cs, "nothing to do: the order was delivered"),
            )
        }
        OrderStatus::Shipped => {
            return (
                Stage::Shipped,
                StageState::Waiting,
                Vec::new(),
                action(
                    Actor::Partner,
                    "wait for the carrier to deliver; share the tracking with the patient",
                ),
            )
        }
        OrderStatus::Pending | OrderStatus::Processing => {}
    }
    if let Some(unpaid) = payment_reason(snapshot) {
        let actor = unpaid.actor;
        return (
            Stage::Payment,
            StageState::Blocked,
            vec![unpaid],
            action(
                actor,
                "the patient pays the order or invoice; auto-submit runs on payment",
            ),
        );
    }
    let needs_beluga = readiness.status != ReadinessStatus::NotRequired;
    if needs_beluga && beluga.submit_status != Some(SubmitStatus::Submitted) {
        return before_review(readiness, beluga.submit_status);
    }
    if needs_beluga && !boundary.confirmed {
        return in_review(boundary);
    }
    fulfillment(needs_beluga, boundary, plan)
}

/// Not yet accepted by Beluga: the intake first, then the other requirements.
fn before_review(readiness: &Readiness, submit_status: Option<SubmitStatus>) -> Placement {
    let intake_codes = [
        order_codes::INTAKE_MISSING,
        order_codes::INTAKE_NEEDS_CORRECTION,
        order_codes::INTAKE_REJECTED,
        order_codes::LAB_METHOD_MISSING,
        order_codes::LAB_RESULTS_MISSING,
    ];
    let intake: Vec<Reason> = readiness
        .reasons
        .iter()
        .filter(|r| intake_codes.contains(&r.code))
        .cloned()
        .collect();
    if !intake.is_empty() {
        let actor = first_actor(&intake, Actor::Patient);
        // Everything else that must be fixed before submission follows the intake.
        let mut intake = intake;
        intake.extend(
            readiness
                .reasons
                .iter()
                .filter(|r| !intake_codes.contains(&r.code))
                .cloned(),
        );
        let text = if intake
            .iter()
            .any(|r| r.code == order_codes::INTAKE_REJECTED)
        {
            "medical operations decide on the rejected intake; it cannot go to review as is"
        } else {
            "the patient completes or corrects the intake in the portal; auto-submit runs when they submit"
        };
        return (
            Stage::Intake,
            StageState::Blocked,
            intake,
            action(actor, text),
        );
    }
    if !readiness.ready {
        let blockers: Vec<Reason> = readiness.reasons.clone();
        let actor = first_actor(&blockers, Actor::AdminDevelopment);
        return (Stage::BelugaSubmission, StageState::Blocked, blockers, action(actor, "fix the listed requirements, then retry the same order from EMR → Orders → Beluga Telehealth (never create a duplicate order)"));
    }
    let text = if submit_status == Some(SubmitStatus::Failed) {
        "retry the same order: EMR → Orders → Beluga Telehealth → Retry Beluga Submission (same masterId)"
    } else {
        "the order is ready: auto-submit should send it; if it has not, use Submit to Beluga in EMR"
    };
    (
        Stage::BelugaSubmission,
        StageState::ReadyToProceed,
        Vec::new(),
        action(Actor::Cs, text),
    )
}

/// With the Beluga provider, no prescription yet.
fn in_review(boundary: &BoundaryReport) -> Placement {
    let closed: Vec<Reason> = boundary
        .items
        .iter()
        .flat_map(|i| i.reasons.iter())
        .filter(|r| {
            r.code == boundary::codes::VISIT_REFERRED || r.code == boundary::codes::VISIT_CANCELED
        })
        .take(1)
        .cloned()
        .collect();
    if !closed.is_empty() {
        return (Stage::MedicalReview, StageState::Blocked, closed, action(Actor::MedicalOperations, "the visit ended without a prescription: medical operations decide on refund or a new visit"));
    }
    (Stage::MedicalReview, StageState::Waiting, Vec::new(), action(Actor::Partner, "a Beluga provider reviews the visit; submitted does not mean prescribed. The patient can reply to the doctor in Patient Portal → Messages"))
}

/// Prescription confirmed (or no Beluga review needed): records, then routing.
fn fulfillment(needs_beluga: bool, boundary: &BoundaryReport, plan: &RoutePlan) -> Placement {
    let records_missing: Vec<Reason> = boundary
        .items
        .iter()
        .flat_map(|i| i.reasons.iter())
        .filter(|r| r.code == boundary::codes::RX_RECORD_MISSING)
        .cloned()
        .collect();
    if needs_beluga && !records_missing.is_empty() {
        return (Stage::Prescription, StageState::Blocked, records_missing, action(Actor::AdminDevelopment, "RX_WRITTEN is in but local prescription records are missing: admin/development check the webhook processing"));
    }
    let mut blockers: Vec<Reason> = Vec::new();
    for route in &plan.routes {
        if matches!(route.status, RouteStatus::Held | RouteStatus::Blocked) {
            blockers.extend(route.blockers.iter().cloned());
        }
        if route.status == RouteStatus::AwaitingPrescription {
            blockers.extend(route.boundary.iter().cloned());
        }
    }
    if !blockers.is_empty() {
        let actor = first_actor(&blockers, Actor::AdminDevelopment);
        return (
            Stage::PharmacySubmission,
            StageState::Blocked,
            blockers,
            action(
                actor,
                "fix the pharmacy route requirements, then retry the pharmacy submission",
            ),
        );
    }
    if plan
        .routes
        .iter()
        .any(|r| matches!(r.status, RouteStatus::Ready | RouteStatus::Failed))
    {
        return (Stage::PharmacySubmission, StageState::ReadyToProceed, Vec::new(), action(Actor::AdminDevelopment, "the pharmacy submission can run now; if it has not, check the integration status and retry"));
    }
    (
        Stage::PharmacySubmission,
        StageState::Waiting,
        Vec::new(),
        action(
            Actor::Partner,
            "the pharmacy is preparing the order; tracking arrives with the shipped event",
        ),
    )
}
