//! Diagnosis: the stage an order is in, what blocks it, who acts next, and escalations.
//!
//! [`diagnose`] answers the questions customer support gets every day ("has it been sent to
//! the doctor?", "why hasn't it shipped?") from one snapshot and "now". It runs the other
//! decisions — readiness, the prescription boundary, the fulfillment plan, message
//! visibility — and places the order on the guides' path:
//!
//! payment → intake → Beluga submission → medical review → prescription → pharmacy
//! submission → shipped → delivered (or cancelled).
//!
//! The stage is the first step not yet done. Its blockers are the reasons of the decision
//! that owns the step; the next action goes to the actor of the first blocker (patient, CS,
//! admin/development, medical operations) or, when nothing blocks, to whoever the step
//! waits on. Escalations follow both guides' escalation checklists and decisions.md §3, and
//! come with the escalation bundle: the fields both guides ask CS to include. The staff
//! actions of the panel (submit, retry, cancel, resend prescription) come with whether each
//! is allowed now ([`actions`]).
//!
//! ## The bundle holds patient data
//! [`EscalationBundle`] carries the patient's name and email because it goes to staff. Its
//! `Debug` output redacts them, and nothing in rxgate logs it; callers must treat the whole
//! bundle as PHI (send it to the staff channel, never to logs or metrics).
//!
//! ## Choices where the spec is silent
//! - "Ready but still FAILED" escalates at once, beside the next action (retry).
//! - A submit error is "unclear" when it is none of Beluga's documented error strings and
//!   not a network/timeout/5xx failure.
//! - "Prescription written but no pharmacy fulfillment" waits
//!   `settings.windows.rx_to_pharmacy_hours` (24 h) after the first confirmation; tracking
//!   missing after `SHIPPED` waits `shipped_without_tracking_days` (3 days); a `SHIPPED`
//!   order not delivered after `shipped_without_delivery_days` (14 days) goes to CS (the
//!   carrier is asked), tracking or not.
//! - "today" for the age rule is `now` at UTC−10 (Hawaii), as the bindings default.

pub mod actions;
pub mod calls;
pub mod codes;
mod escalations;
mod patient;
mod place;
pub use patient::{patient_view, PatientAppointment, PatientMessage, PatientTracking, PatientView};
use place::place;

use crate::boundary::{self, check_boundary, BoundaryReport};
use crate::calendar::today_at_utc_minus_10;
use crate::order::messages::message_visibility;
use crate::order::readiness::check_readiness;
use crate::order::reason::{Actor, Reason};
use crate::order::snapshot::{
    non_blank, EventSource, IntakeStatus, OrderSnapshot, OrderStatus, PaymentStatus,
    SubmissionState, SubmitStatus, VisitStatus,
};
use crate::routing::{route_fulfillment, RoutePlan};
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::fmt;

/// Where an order is on its path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Waiting for payment.
    Payment,
    /// Waiting for the intake.
    Intake,
    /// Waiting to be accepted by Beluga.
    BelugaSubmission,
    /// With a Beluga provider.
    MedicalReview,
    /// Prescription written; local records and routing.
    Prescription,
    /// With the pharmacy integrations.
    PharmacySubmission,
    /// Shipped.
    Shipped,
    /// Delivered.
    Delivered,
    /// Cancelled.
    Cancelled,
}

impl Stage {
    /// Staff label.
    pub fn label(self) -> &'static str {
        match self {
            Stage::Payment => "payment",
            Stage::Intake => "intake",
            Stage::BelugaSubmission => "Beluga submission",
            Stage::MedicalReview => "medical review",
            Stage::Prescription => "prescription",
            Stage::PharmacySubmission => "pharmacy submission",
            Stage::Shipped => "shipped",
            Stage::Delivered => "delivered",
            Stage::Cancelled => "cancelled",
        }
    }

    /// The stage in the patient's words.
    pub fn patient_text(self) -> &'static str {
        match self {
            Stage::Payment => "Waiting for payment",
            Stage::Intake => "Waiting for your medical intake",
            Stage::BelugaSubmission => "Preparing your order for medical review",
            Stage::MedicalReview => "With the medical team for review",
            Stage::Prescription => "Prescription written, preparing for the pharmacy",
            Stage::PharmacySubmission => "With the pharmacy",
            Stage::Shipped => "Shipped",
            Stage::Delivered => "Delivered",
            Stage::Cancelled => "Cancelled",
        }
    }
}

/// How the stage stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum StageState {
    /// Something must be fixed.
    Blocked,
    /// Waiting on a partner or the patient's normal next step.
    Waiting,
    /// The next automatic or staff step can run now.
    ReadyToProceed,
    /// Nothing left to do.
    Done,
}

/// The next action and who takes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct NextAction {
    /// Who acts.
    pub actor: Actor,
    /// What to do (staff text).
    pub action: String,
}

/// Straight answers to the guides' common patient questions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Answers {
    /// "Has my order been sent to the medical team?" — Beluga accepted the visit.
    pub sent_to_medical_team: bool,
    /// "Does submitted mean my prescription is approved?" — only when this is true.
    pub prescription_written: bool,
    /// Pharmacy fulfillment started (a submission accepted or a pharmacy event received).
    pub pharmacy_started: bool,
    /// Shipped.
    pub shipped: bool,
    /// Delivered.
    pub delivered: bool,
    /// A tracking number exists.
    pub tracking_available: bool,
    /// "Which pharmacy is handling my order?" — names of the routed pharmacies.
    pub pharmacies: Vec<String>,
}

/// The diagnosis of an order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Diagnosis {
    /// The stage.
    pub stage: Stage,
    /// How it stands.
    pub state: StageState,
    /// One line for staff.
    pub summary: String,
    /// What blocks the stage.
    pub blockers: Vec<Reason>,
    /// The next action.
    pub next_action: NextAction,
    /// Whether to escalate.
    pub escalate: bool,
    /// Why.
    pub escalations: Vec<Reason>,
    /// Answers to the common patient questions.
    pub answers: Answers,
    /// The staff actions (submit, retry, cancel, resend prescription) and whether each is
    /// allowed now, with the reasons when not ([`actions`]).
    pub allowed_actions: Vec<actions::AllowedAction>,
    /// The escalation bundle (PHI: staff only), when escalating.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bundle: Option<EscalationBundle>,
}

/// One drug line of the bundle.
#[derive(Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct BundleDrug {
    /// Product name.
    pub product: String,
    /// Drug name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub drug: Option<String>,
    /// `belugaMedId`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub beluga_med_id: Option<String>,
    /// `DIN`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub din: Option<String>,
    /// Product Default Pharmacy (name and type).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default_pharmacy: Option<String>,
}

/// One integration line of the bundle.
#[derive(Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct BundleIntegration {
    /// `DispensePro` or `Belmar/LifeFile`.
    pub integration: &'static str,
    /// Pharmacy id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pharmacy_id: Option<String>,
    /// Submission state.
    pub state: SubmissionState,
    /// Partner status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// Submit error.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// What the partner said refusing it (LifeFile `messages`), for CS.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub partner_messages: Vec<String>,
}

/// The fields both guides ask CS to include when escalating. **Contains patient data**
/// (name, email): staff only, never logged; `Debug` redacts them.
#[derive(Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct EscalationBundle {
    /// Patient name.
    pub patient_name: Option<String>,
    /// Patient email.
    pub patient_email: Option<String>,
    /// Order number.
    pub order_number: String,
    /// Products and drugs (name, medId/DIN, default pharmacy).
    pub products: Vec<BundleDrug>,
    /// Current order status.
    pub order_status: OrderStatus,
    /// Payment status.
    pub payment_status: PaymentStatus,
    /// Invoice status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invoice_status: Option<crate::order::snapshot::InvoiceStatus>,
    /// Beluga submit status (`null` = not submitted).
    pub beluga_submit_status: Option<SubmitStatus>,
    /// Beluga visit status.
    pub beluga_visit_status: Option<VisitStatus>,
    /// Beluga resolved status.
    pub beluga_resolved_status: Option<crate::order::snapshot::ResolvedStatus>,
    /// Beluga visit id.
    pub beluga_visit_id: Option<String>,
    /// Master id.
    pub master_id: Option<String>,
    /// Submit error text.
    pub submit_error: Option<String>,
    /// Intake statuses.
    pub intake_status: Vec<IntakeStatus>,
    /// Order assigned pharmacy (name and type).
    pub order_pharmacy: Option<String>,
    /// Whether `RX_WRITTEN` was received.
    pub rx_written_received: bool,
    /// Prescription ids.
    pub prescription_ids: Vec<String>,
    /// DispensePro and LifeFile status/error.
    pub integrations: Vec<BundleIntegration>,
    /// Carrier.
    pub carrier: Option<String>,
    /// Tracking number.
    pub tracking: Option<String>,
    /// The exact staff-facing messages of the escalation.
    pub messages: Vec<String>,
}

impl fmt::Debug for EscalationBundle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EscalationBundle")
            .field("patient_name", &"<redacted>")
            .field("patient_email", &"<redacted>")
            .field("order_number", &self.order_number)
            .field("order_status", &self.order_status)
            .field("beluga_submit_status", &self.beluga_submit_status)
            .field("messages", &self.messages)
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for BundleDrug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BundleDrug")
            .field("product", &self.product)
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for BundleIntegration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BundleIntegration")
            .field("integration", &self.integration)
            .field("state", &self.state)
            .finish_non_exhaustive()
    }
}

/// Whether a submit error is one rxgate can explain (a documented Beluga error or a
/// transient network failure).
pub fn submit_error_is_clear(error: &str) -> bool {
    let e = error.trim();
    let lower = e.to_ascii_lowercase();
    crate::contract::response::starts_with_documented_error(e)
        || crate::order::calls::is_clear_own_error(e)
        || [
            "timeout",
            "timed out",
            "network",
            "http 5",
            "econnreset",
            "503",
            "502",
            "500",
        ]
        .iter()
        .any(|k| lower.contains(k))
}

fn first_actor(reasons: &[Reason], fallback: Actor) -> Actor {
    reasons.first().map(|r| r.actor).unwrap_or(fallback)
}

/// Whether a Beluga or partner pharmacy event shows fulfillment under way.
fn pharmacy_event_seen(snapshot: &OrderSnapshot) -> bool {
    snapshot.events.iter().any(|e| match e.source {
        EventSource::Beluga => {
            e.event.starts_with("PHARMACY_ORDER_") || e.event.starts_with("PACKAGE_")
        }
        _ => true,
    })
}

/// Diagnoses an order at `now` (see the module docs).
pub fn diagnose(snapshot: &OrderSnapshot, now: DateTime<Utc>) -> Diagnosis {
    let today = today_at_utc_minus_10(now);
    let readiness = check_readiness(snapshot, today);
    let boundary = check_boundary(snapshot, now);
    let plan = route_fulfillment(snapshot);
    let visibility = message_visibility(snapshot);
    let answers = answers(snapshot, &boundary, &plan);
    let facts = escalations::Facts {
        snapshot,
        now,
        readiness: &readiness,
        boundary: &boundary,
        plan: &plan,
        visibility: &visibility,
        pharmacy_started: answers.pharmacy_started,
    };
    let escalations = escalations::escalations(&facts);
    let (stage, state, blockers, next) = place(snapshot, &readiness, &boundary, &plan);
    let escalate = !escalations.is_empty();
    let bundle = escalate.then(|| bundle(snapshot, &boundary, &escalations));
    let summary = format!("{}: {}", stage.label(), next.action);
    let allowed_actions = actions::allowed_actions(snapshot, &readiness, now);
    Diagnosis {
        stage,
        state,
        summary,
        blockers,
        next_action: next,
        escalate,
        escalations,
        answers,
        allowed_actions,
        bundle,
    }
}

/// The answers to the common patient questions.
fn answers(snapshot: &OrderSnapshot, boundary: &BoundaryReport, plan: &RoutePlan) -> Answers {
    let order = &snapshot.order;
    let submitted_ok = order
        .dispense_pro
        .iter()
        .chain(&order.life_file)
        .any(|s| s.state == SubmissionState::Submitted);
    let pharmacy_started =
        submitted_ok || pharmacy_event_seen(snapshot) || order.status >= OrderStatus::Shipped;
    let mut pharmacies: Vec<String> = Vec::new();
    for route in &plan.routes {
        if let Some(p) = route
            .pharmacy_id
            .as_deref()
            .and_then(|id| snapshot.pharmacy(id))
        {
            if !pharmacies.contains(&p.name) {
                pharmacies.push(p.name.clone());
            }
        }
    }
    Answers {
        sent_to_medical_team: order.beluga.submit_status == Some(SubmitStatus::Submitted),
        prescription_written: boundary.confirmed,
        pharmacy_started,
        shipped: matches!(order.status, OrderStatus::Shipped | OrderStatus::Completed),
        delivered: order.status == OrderStatus::Completed,
        tracking_available: order
            .shipping
            .as_ref()
            .is_some_and(|s| non_blank(s.tracking.as_ref()).is_some()),
        pharmacies,
    }
}

fn pharmacy_label(snapshot: &OrderSnapshot, id: Option<&String>) -> Option<String> {
    let id = non_blank(id)?;
    Some(match snapshot.pharmacy(id) {
        Some(p) => format!("{} ({})", p.name, p.kind.as_str()),
        None => format!("{id} (unknown record)"),
    })
}

fn bundle(
    snapshot: &OrderSnapshot,
    boundary: &boundary::BoundaryReport,
    escalations: &[Reason],
) -> EscalationBundle {
    let p = &snapshot.patient;
    let order = &snapshot.order;
    let name = match (
        non_blank(p.first_name.as_ref()),
        non_blank(p.last_name.as_ref()),
    ) {
        (Some(f), Some(l)) => Some(format!("{} {}", f.trim(), l.trim())),
        (Some(f), None) => Some(f.trim().to_owned()),
        (None, Some(l)) => Some(l.trim().to_owned()),
        (None, None) => None,
    };
    let products = snapshot
        .items
        .iter()
        .map(|i| BundleDrug {
            product: i.product.name.clone(),
            drug: i.drug.as_ref().map(|d| d.name.clone()),
            beluga_med_id: i.drug.as_ref().and_then(|d| d.beluga_med_id.clone()),
            din: i.drug.as_ref().and_then(|d| d.din.clone()),
            default_pharmacy: pharmacy_label(snapshot, i.product.default_pharmacy_id.as_ref()),
        })
        .collect();
    let integrations = order
        .dispense_pro
        .iter()
        .map(|s| ("DispensePro", s))
        .chain(order.life_file.iter().map(|s| ("Belmar/LifeFile", s)))
        .map(|(integration, s)| BundleIntegration {
            integration,
            pharmacy_id: s.pharmacy_id.clone(),
            state: s.state,
            status: s.partner_status.clone(),
            error: s.submit_error.clone(),
            partner_messages: s.partner_messages.clone(),
        })
        .collect();
    EscalationBundle {
        patient_name: name,
        patient_email: p.email.clone(),
        order_number: order.number.clone(),
        products,
        order_status: order.status,
        payment_status: order.payment_status,
        invoice_status: order.invoice_status,
        beluga_submit_status: order.beluga.submit_status,
        beluga_visit_status: order.beluga.visit_status,
        beluga_resolved_status: order.beluga.resolved_status,
        beluga_visit_id: order.beluga.visit_id.clone(),
        master_id: order.beluga.master_id.clone(),
        submit_error: order.beluga.submit_error.clone(),
        intake_status: snapshot.intakes.iter().map(|i| i.status).collect(),
        order_pharmacy: pharmacy_label(snapshot, order.pharmacy_id.as_ref()),
        rx_written_received: boundary::rx_written_at(snapshot).is_some(),
        prescription_ids: order
            .prescriptions
            .iter()
            .filter_map(|p| p.rx_id.clone())
            .collect(),
        integrations,
        carrier: order.shipping.as_ref().and_then(|s| s.carrier.clone()),
        tracking: order.shipping.as_ref().and_then(|s| s.tracking.clone()),
        messages: escalations
            .iter()
            .map(|r| r.message.clone())
            .chain(boundary.violations.iter().map(|r| r.message.clone()))
            .fold(Vec::new(), |mut acc, m| {
                if !acc.contains(&m) {
                    acc.push(m);
                }
                acc
            }),
    }
}
