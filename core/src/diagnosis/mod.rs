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
//!   missing after `SHIPPED` waits `shipped_without_tracking_days` (3 days).
//! - "today" for the age rule is `now` at UTC−10 (Hawaii), as the bindings default.

pub mod actions;
pub mod codes;

use crate::boundary::{self, check_boundary};
use crate::order::codes as order_codes;
use crate::order::messages::message_visibility;
use crate::order::readiness::{check_readiness, payment_reason, ReadinessStatus};
use crate::order::reason::{Actor, Reason};
use crate::order::snapshot::{
    non_blank, EventSource, IntakeStatus, OrderSnapshot, OrderStatus, PaymentStatus,
    SubmissionState, SubmitStatus, VisitOutcome, VisitStatus,
};
use crate::routing::{self, codes as routing_codes, route_fulfillment, RouteStatus};
use chrono::{DateTime, Duration, NaiveDate, Utc};
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

/// Beluga's documented error strings (the API reference), matched exactly or by prefix.
const KNOWN_BELUGA_ERRORS: &[&str] = &[
    "Missing metadata",
    "State not valid",
    "Patient not eligible for new visit",
    "Missing values",
    "Duplicate masterId",
    "consentsSigned must be true",
    "firstName or lastName error",
    "Phone number error",
    "Email error",
    "Dob error",
    "Sex error",
    "Address error",
    "City error",
    "State error",
    "Zip error",
    "Allergies error",
    "SelfReportedMeds error",
    "MedicalConditions error",
    "patientPreference fields error",
    "No match for ",
    "Pharmacy mismatch in patientPreference",
    "Branded med with compounding pharmacy",
    "No company found",
    "Company does not have that visit type",
    "Something went wrong, please check all data",
    "Patient preference not allowed",
    "Payload contains bad fields",
];

/// Whether a submit error is one rxgate can explain (a documented Beluga error or a
/// transient network failure).
pub fn submit_error_is_clear(error: &str) -> bool {
    let e = error.trim();
    let lower = e.to_ascii_lowercase();
    KNOWN_BELUGA_ERRORS.iter().any(|k| e.starts_with(k))
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

/// The codes that mean a product, drug or pharmacy mapping looks wrong.
const MAPPING_CODES: &[crate::issue::Code] = &[
    order_codes::VISIT_TYPE_MISSING,
    order_codes::DRUG_UNMAPPED,
    order_codes::DRUG_MED_ID_MISSING,
    routing_codes::PHARMACY_MISSING_BELUGA_ID,
    routing_codes::PHARMACY_UNKNOWN,
    routing_codes::ROUTE_TYPE_CONFLICT,
    routing_codes::ROUTE_PHARMACY_MISSING,
    routing_codes::DISPENSEPRO_CONFIG_INCOMPLETE,
    routing_codes::LIFEFILE_MAPPING_INCOMPLETE,
    routing_codes::PRESCRIBER_NOT_FOUND,
];

/// The business date of `now`: its date at UTC−10 (Hawaii), never ahead of any US state's
/// local date. The one calendar rule of rxgate: the age rule, readiness and the bindings'
/// default `today` all use it.
pub fn today_at_utc_minus_10(now: DateTime<Utc>) -> NaiveDate {
    (now - Duration::hours(10)).date_naive()
}

/// [`today_at_utc_minus_10`] of a Unix-milliseconds clock reading, as `YYYY-MM-DD`, for the
/// bindings, which read their platform's clock (`None` outside chrono's range).
pub fn business_date_of_unix_ms(unix_ms: i64) -> Option<String> {
    DateTime::from_timestamp_millis(unix_ms).map(|now| today_at_utc_minus_10(now).to_string())
}

fn first_actor(reasons: &[Reason], fallback: Actor) -> Actor {
    reasons.first().map(|r| r.actor).unwrap_or(fallback)
}

fn push_unique(list: &mut Vec<Reason>, reason: Reason) {
    if !list
        .iter()
        .any(|r| r.code == reason.code && r.item_id == reason.item_id)
    {
        list.push(reason);
    }
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
    let order = &snapshot.order;
    let beluga = &order.beluga;
    let readiness = check_readiness(snapshot, today);
    let boundary = check_boundary(snapshot, now);
    let plan = route_fulfillment(snapshot);
    let visibility = message_visibility(snapshot);
    let windows = snapshot.settings.windows;

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
    let answers = Answers {
        sent_to_medical_team: beluga.submit_status == Some(SubmitStatus::Submitted),
        prescription_written: boundary.confirmed,
        pharmacy_started,
        shipped: matches!(order.status, OrderStatus::Shipped | OrderStatus::Completed),
        delivered: order.status == OrderStatus::Completed,
        tracking_available: order
            .shipping
            .as_ref()
            .is_some_and(|s| non_blank(s.tracking.as_ref()).is_some()),
        pharmacies,
    };

    // ---- Escalations (independent of the stage) ----
    let mut escalations: Vec<Reason> = Vec::new();
    if readiness.ready && beluga.submit_status == Some(SubmitStatus::Failed) {
        escalations.push(Reason::new(
            codes::READY_BUT_FAILED,
            Actor::AdminDevelopment,
            &[],
        ));
    }
    if beluga.submit_status != Some(SubmitStatus::Submitted) {
        if let Some(error) = non_blank(beluga.submit_error.as_ref()) {
            if !submit_error_is_clear(error) {
                escalations.push(Reason::new(
                    codes::UNCLEAR_SUBMIT_ERROR,
                    Actor::AdminDevelopment,
                    &[],
                ));
            }
        }
    }
    let mut mapping: Vec<&str> = Vec::new();
    let route_blockers = plan.routes.iter().flat_map(|r| r.blockers.iter());
    for reason in readiness.reasons.iter().chain(route_blockers) {
        if MAPPING_CODES.contains(&reason.code) && !mapping.contains(&reason.code.as_str()) {
            mapping.push(reason.code.as_str());
        }
    }
    if !mapping.is_empty() {
        let joined = mapping.join(", ");
        escalations.push(Reason::new(
            codes::MAPPING_PROBLEM,
            Actor::AdminDevelopment,
            &[("codes", &joined)],
        ));
    }
    let rx_at = boundary::rx_written_at(snapshot).or_else(|| {
        order
            .prescriptions
            .iter()
            .filter_map(|p| p.written_at)
            .min()
    });
    if boundary.confirmed && order.prescriptions.is_empty() {
        escalations.push(Reason::new(
            codes::RX_WRITTEN_WITHOUT_RECORDS,
            Actor::AdminDevelopment,
            &[],
        ));
    }
    if let Some(rx_at) = rx_at {
        let late = now > rx_at + Duration::hours(i64::from(windows.rx_to_pharmacy_hours));
        if late && !pharmacy_started && order.status < OrderStatus::Cancelled {
            let hours = windows.rx_to_pharmacy_hours.to_string();
            escalations.push(Reason::new(
                codes::RX_WITHOUT_FULFILLMENT,
                Actor::AdminDevelopment,
                &[("hours", &hours)],
            ));
        }
    }
    for v in &boundary.violations {
        push_unique(&mut escalations, v.clone());
    }
    for w in boundary
        .warnings
        .iter()
        .filter(|w| w.code == boundary::codes::PRESCRIBED_MED_NOT_ORDERED)
    {
        push_unique(&mut escalations, w.clone());
    }
    if order.status == OrderStatus::Shipped {
        let shipping = order.shipping.as_ref();
        let no_tracking = shipping.is_none_or(|s| non_blank(s.tracking.as_ref()).is_none());
        let shipped_at = shipping.and_then(|s| s.shipped_at);
        if let Some(at) = shipped_at {
            if no_tracking
                && now > at + Duration::days(i64::from(windows.shipped_without_tracking_days))
            {
                let days = windows.shipped_without_tracking_days.to_string();
                escalations.push(Reason::new(
                    codes::SHIPPED_WITHOUT_TRACKING,
                    Actor::AdminDevelopment,
                    &[("days", &days)],
                ));
            }
        }
    }
    // Order status against pharmacy and visit status.
    let partner_says = order
        .dispense_pro
        .iter()
        .chain(&order.life_file)
        .filter_map(|s| s.partner_status.as_deref())
        .map(str::to_ascii_lowercase)
        .map(|s| match s.as_str() {
            "delivered" => Some(OrderStatus::Completed),
            "shipped" | "shipping" | "in transit" | "out for delivery" => {
                Some(OrderStatus::Shipped)
            }
            "cancelled" => Some(OrderStatus::Cancelled),
            _ => None,
        })
        .max()
        .flatten();
    if let Some(partner) = partner_says {
        if partner > order.status {
            escalations.push(Reason::new(
                codes::STATUS_MISMATCH,
                Actor::AdminDevelopment,
                &[("what", "the pharmacy status")],
            ));
        }
    }
    let visit_closed_without_rx = !boundary.confirmed
        && (beluga.visit_status == Some(VisitStatus::Canceled)
            || beluga.visit_outcome == Some(VisitOutcome::Referred));
    if visit_closed_without_rx
        && matches!(order.status, OrderStatus::Shipped | OrderStatus::Completed)
    {
        escalations.push(Reason::new(
            codes::STATUS_MISMATCH,
            Actor::MedicalOperations,
            &[("what", "the Beluga visit status")],
        ));
    }
    if visit_closed_without_rx
        && payment_reason(snapshot).is_none()
        && order.status < OrderStatus::Shipped
    {
        let outcome = if beluga.visit_outcome == Some(VisitOutcome::Referred) {
            "referred"
        } else {
            "canceled"
        };
        escalations.push(Reason::new(
            codes::VISIT_CLOSED_AWAITING_FULFILLMENT,
            Actor::MedicalOperations,
            &[("outcome", outcome)],
        ));
    }
    for route in &plan.routes {
        if route
            .warnings
            .iter()
            .any(|w| w.code == routing_codes::ROUTE_SUBMISSION_FAILED)
        {
            let label = match route.pharmacy_type {
                Some(crate::order::snapshot::PharmacyType::DispensePro) => "DispensePro",
                _ => "Belmar/LifeFile",
            };
            push_unique(
                &mut escalations,
                Reason::new(
                    codes::FULFILLMENT_SUBMISSION_FAILED,
                    Actor::AdminDevelopment,
                    &[("route", label)],
                ),
            );
        }
        for b in route
            .blockers
            .iter()
            .filter(|b| b.code == routing_codes::LIFEFILE_HARDCOPY_PDF_REQUIRED)
        {
            push_unique(&mut escalations, b.clone());
        }
    }
    for issue in &visibility.issues {
        push_unique(&mut escalations, issue.clone());
    }
    if !order.flags.is_empty() {
        let count = order.flags.len().to_string();
        escalations.push(Reason::new(
            codes::STAFF_FLAG_OPEN,
            Actor::Cs,
            &[("count", &count)],
        ));
    }
    if order.shipping.as_ref().is_some_and(|s| s.delivery_failed)
        && order.status != OrderStatus::Completed
    {
        escalations.push(Reason::new(codes::DELIVERY_FAILED, Actor::Cs, &[]));
    }

    // ---- Stage ----
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

type Placement = (Stage, StageState, Vec<Reason>, NextAction);

fn action(actor: Actor, text: &str) -> NextAction {
    NextAction {
        actor,
        action: text.to_owned(),
    }
}

/// Places the order on its path.
fn place(
    snapshot: &OrderSnapshot,
    readiness: &crate::order::readiness::Readiness,
    boundary: &boundary::BoundaryReport,
    plan: &routing::RoutePlan,
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
        let text = if beluga.submit_status == Some(SubmitStatus::Failed) {
            "retry the same order: EMR → Orders → Beluga Telehealth → Retry Beluga Submission (same masterId)"
        } else {
            "the order is ready: auto-submit should send it; if it has not, use Submit to Beluga in EMR"
        };
        return (
            Stage::BelugaSubmission,
            StageState::ReadyToProceed,
            Vec::new(),
            action(Actor::Cs, text),
        );
    }
    if needs_beluga && !boundary.confirmed {
        let closed: Vec<Reason> = boundary
            .items
            .iter()
            .flat_map(|i| i.reasons.iter())
            .filter(|r| {
                r.code == boundary::codes::VISIT_REFERRED
                    || r.code == boundary::codes::VISIT_CANCELED
            })
            .take(1)
            .cloned()
            .collect();
        if !closed.is_empty() {
            return (Stage::MedicalReview, StageState::Blocked, closed, action(Actor::MedicalOperations, "the visit ended without a prescription: medical operations decide on refund or a new visit"));
        }
        return (Stage::MedicalReview, StageState::Waiting, Vec::new(), action(Actor::Partner, "a Beluga provider reviews the visit; submitted does not mean prescribed. The patient can reply to the doctor in Patient Portal → Messages"));
    }
    // Prescription confirmed (or no Beluga review needed): records, then routing.
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
