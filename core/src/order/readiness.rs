//! Readiness: may this order go to Beluga now? The submission guide's checklist, one stable
//! code per unmet item, plus payment (decisions.md §3 "Readiness").
//!
//! Patient data is checked by building the visit's `formObj` and running the contract
//! validator on it — the same rules the builder's output must pass — so there is one set of
//! field rules, and `patient_data_invalid` names exactly the fields the validator refuses.
//!
//! ## Choices where the spec is silent
//! - An order with no item needing Beluga is `not_required`, unless an item that needs a
//!   prescription lacks a visit type (`visit_type_missing`): such an order can go nowhere.
//! - A cancelled or completed order is not ready (`order_closed`).
//! - Payment: manual EMR orders count as paid; an invoice order (or any order carrying an
//!   invoice status) needs the invoice `PAID`; every other order needs `payment_status`
//!   `PAID`.
//! - Contract violations outside the demographic fields (e.g. a drug with no strength) are
//!   reported as `visit_body_invalid` naming the paths, for admin/development.

use super::codes;
use super::intake::{check_intakes, check_labs};
use super::reason::{Actor, Reason};
use super::snapshot::{
    InvoiceStatus, OrderSnapshot, OrderSource, OrderStatus, PaymentStatus, Settings,
};
use super::visit::{
    assemble, form_field, validate_options, Assembled, VisitKind, DEMOGRAPHIC_FIELDS,
};
use crate::contract::validate_value;
use chrono::NaiveDate;
use serde::Serialize;

/// The readiness verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReadinessStatus {
    /// Every requirement is met.
    Ready,
    /// At least one requirement is unmet.
    NotReady,
    /// No item needs Beluga review.
    NotRequired,
}

/// The answer of [`check_readiness`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Readiness {
    /// The verdict.
    pub status: ReadinessStatus,
    /// `status == ready`.
    pub ready: bool,
    /// The endpoint the visit would use (absent when not required).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<VisitKind>,
    /// Unmet requirements, in checklist order.
    pub reasons: Vec<Reason>,
}

fn status_word<T: Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// The payment requirement, when unmet.
pub fn payment_reason(snapshot: &OrderSnapshot) -> Option<Reason> {
    let order = &snapshot.order;
    if order.source == OrderSource::ManualEmr {
        return None;
    }
    if order.source == OrderSource::Invoice || order.invoice_status.is_some() {
        if order.invoice_status == Some(InvoiceStatus::Paid) {
            return None;
        }
        let status = order
            .invoice_status
            .map(|s| status_word(&s))
            .unwrap_or_else(|| "no invoice status".to_owned());
        return Some(Reason::new(
            codes::UNPAID,
            Actor::Patient,
            &[("what", "invoice"), ("status", &status)],
        ));
    }
    if order.payment_status == PaymentStatus::Paid {
        return None;
    }
    let status = status_word(&order.payment_status);
    Some(Reason::new(
        codes::UNPAID,
        Actor::Patient,
        &[("what", "order"), ("status", &status)],
    ))
}

/// Whether the order is cancelled or completed.
pub fn order_closed(snapshot: &OrderSnapshot) -> Option<Reason> {
    match snapshot.order.status {
        OrderStatus::Cancelled | OrderStatus::Completed => {
            let status = status_word(&snapshot.order.status);
            Some(Reason::new(
                codes::ORDER_CLOSED,
                Actor::Cs,
                &[("status", &status)],
            ))
        }
        _ => None,
    }
}

/// Whether a contract violation outside the demographic fields is already explained by a
/// reason found earlier (so it is not reported twice as `visit_body_invalid`).
fn explained(path: &str, reasons: &[Reason]) -> bool {
    let has = |codes: &[crate::issue::Code]| reasons.iter().any(|r| codes.contains(&r.code));
    let field = form_field(path);
    match (path, field) {
        ("/pharmacyId" | "/company" | "/visitType" | "/masterId", _) => has(&[
            crate::routing::codes::PHARMACY_MISSING,
            crate::routing::codes::PHARMACY_MISSING_BELUGA_ID,
            crate::routing::codes::PHARMACY_CONFLICT,
            crate::routing::codes::PHARMACY_UNKNOWN,
            codes::BELUGA_COMPANY_MISSING,
            codes::VISIT_TYPE_CONFLICT,
        ]),
        (_, Some("patientPreference")) => has(&[codes::DRUG_UNMAPPED, codes::DRUG_MED_ID_MISSING]),
        (_, Some("results")) => has(&[codes::LAB_RESULTS_MISSING]),
        (_, Some(f)) if f.starts_with('Q') || f.starts_with('A') => {
            has(&[codes::INTAKE_ANSWER_INVALID])
        }
        _ => false,
    }
}

/// Checks every requirement of Beluga submission (see the module docs). `today` is the
/// evaluation date of the age rule.
pub fn check_readiness(snapshot: &OrderSnapshot, today: NaiveDate) -> Readiness {
    let mut reasons = Vec::new();
    if let Some(closed) = order_closed(snapshot) {
        reasons.push(closed);
    }

    // Items: visit types.
    for item in &snapshot.items {
        if item.product.requires_prescription && item.product.visit_type().is_none() {
            reasons.push(Reason::for_item(
                codes::VISIT_TYPE_MISSING,
                Actor::AdminDevelopment,
                &item.id,
                &[],
            ));
        }
    }
    if !snapshot.needs_beluga() {
        return not_required(reasons);
    }

    settings_reasons(&snapshot.settings, &mut reasons);

    // The assembled body carries the company, visit type, drug, pharmacy and intake-answer
    // reasons in checklist order.
    let assembled = assemble(snapshot, "readiness-check");
    reasons.extend(
        assembled
            .reasons
            .iter()
            .filter(|r| r.code != codes::INTAKE_ANSWER_INVALID)
            .cloned(),
    );

    // Intakes and labs.
    let intakes = check_intakes(snapshot);
    reasons.extend(intakes.reasons.iter().cloned());
    reasons.extend(check_labs(snapshot, &intakes.intakes));
    reasons.extend(
        assembled
            .reasons
            .iter()
            .filter(|r| r.code == codes::INTAKE_ANSWER_INVALID)
            .cloned(),
    );

    patient_data_reasons(snapshot, today, &assembled, &mut reasons);

    // Payment.
    if let Some(unpaid) = payment_reason(snapshot) {
        reasons.push(unpaid);
    }

    let ready = reasons.is_empty();
    Readiness {
        status: if ready {
            ReadinessStatus::Ready
        } else {
            ReadinessStatus::NotReady
        },
        ready,
        kind: Some(assembled.kind),
        reasons,
    }
}

/// The readiness of an order Beluga does not review: not required, unless a product lacks
/// its visit type.
fn not_required(mut reasons: Vec<Reason>) -> Readiness {
    let status = if reasons.iter().any(|r| r.code == codes::VISIT_TYPE_MISSING) {
        ReadinessStatus::NotReady
    } else {
        ReadinessStatus::NotRequired
    };
    if status == ReadinessStatus::NotRequired {
        reasons.push(Reason::new(codes::BELUGA_NOT_REQUIRED, Actor::Cs, &[]));
    }
    Readiness {
        status,
        ready: false,
        kind: None,
        reasons,
    }
}

/// Beluga switched on, and an API key present.
fn settings_reasons(settings: &Settings, reasons: &mut Vec<Reason>) {
    if !settings.beluga_enabled {
        reasons.push(Reason::new(
            codes::BELUGA_DISABLED,
            Actor::AdminDevelopment,
            &[],
        ));
    }
    if !settings.api_key_present {
        reasons.push(Reason::new(
            codes::BELUGA_API_KEY_MISSING,
            Actor::AdminDevelopment,
            &[],
        ));
    }
}

/// Patient data, through the contract validator: missing and invalid demographics, a
/// shared phone, and any other part of the body the validator refuses.
fn patient_data_reasons(
    snapshot: &OrderSnapshot,
    today: NaiveDate,
    assembled: &Assembled,
    reasons: &mut Vec<Reason>,
) {
    let report = validate_value(
        assembled.kind.contract_kind(),
        &assembled.body,
        &validate_options(snapshot, today),
    );
    let mut invalid: Vec<String> = assembled.unnormalisable.clone();
    let mut other_paths: Vec<String> = Vec::new();
    for violation in &report.violations {
        match form_field(&violation.path) {
            Some(field) if DEMOGRAPHIC_FIELDS.contains(&field) => {
                if !assembled.missing.iter().any(|m| m == field)
                    && !invalid.iter().any(|f| f == field)
                {
                    invalid.push(field.to_owned());
                }
            }
            _ => {
                if !explained(&violation.path, reasons) && !other_paths.contains(&violation.path) {
                    other_paths.push(violation.path.clone());
                }
            }
        }
    }
    if !assembled.missing.is_empty() {
        reasons.push(Reason::with_fields(
            codes::PATIENT_DATA_INCOMPLETE,
            Actor::Patient,
            assembled.missing.clone(),
            &[],
        ));
    }
    if !invalid.is_empty() {
        invalid.sort_by_key(|f| DEMOGRAPHIC_FIELDS.iter().position(|d| d == f));
        reasons.push(Reason::with_fields(
            codes::PATIENT_DATA_INVALID,
            Actor::Patient,
            invalid,
            &[],
        ));
    }
    if snapshot.patient.phone_used_by_other_patient {
        reasons.push(Reason::new(codes::PHONE_NOT_UNIQUE, Actor::Patient, &[]));
    }
    if !other_paths.is_empty() {
        let kind = match assembled.kind {
            VisitKind::Visit => "visit",
            VisitKind::Lab => "lab",
        };
        reasons.push(Reason::with_fields(
            codes::VISIT_BODY_INVALID,
            Actor::AdminDevelopment,
            other_paths,
            &[("kind", kind)],
        ));
    }
}
