//! Which intakes count for an order, and whether they let it go to medical review.
//!
//! The Beluga items' products name their questionnaires; each named questionnaire needs an
//! intake, and the latest intake of each (by `submitted_at`, then list order) decides: a
//! `SUBMITTED` or `APPROVED` one counts, `NEEDS_CORRECTION` and `REJECTED` block, a `DRAFT`
//! or none is missing. When no product names a questionnaire, the order still needs one
//! intake (the medications, allergies and conditions Beluga requires come from it).

use super::codes;
use super::reason::{Actor, Reason};
use super::snapshot::{non_blank, Intake, IntakeStatus, LabMethod, OrderSnapshot};

/// The outcome of the intake requirements.
#[derive(Debug, Clone)]
pub struct IntakeCheck<'a> {
    /// The intakes that count (submitted or approved), in requirement order.
    pub intakes: Vec<&'a Intake>,
    /// Unmet requirements.
    pub reasons: Vec<Reason>,
}

/// The questionnaires the order's Beluga items require (`None`: any intake).
fn required_questionnaires(snapshot: &OrderSnapshot) -> Vec<Option<&str>> {
    let mut out: Vec<Option<&str>> = Vec::new();
    for item in snapshot.beluga_items() {
        let q = non_blank(item.product.questionnaire_id.as_ref());
        if q.is_some() && !out.contains(&q) {
            out.push(q);
        }
    }
    if out.is_empty() {
        out.push(None);
    }
    out
}

/// Checks the intake requirements of the Beluga items.
pub fn check_intakes(snapshot: &OrderSnapshot) -> IntakeCheck<'_> {
    let mut check = IntakeCheck {
        intakes: Vec::new(),
        reasons: Vec::new(),
    };
    for questionnaire in required_questionnaires(snapshot) {
        let latest = snapshot
            .intakes
            .iter()
            .enumerate()
            .filter(|(_, i)| {
                questionnaire.is_none() || i.questionnaire_id.as_deref() == questionnaire
            })
            .max_by_key(|(index, i)| (i.submitted_at, *index))
            .map(|(_, i)| i);
        let name = questionnaire.unwrap_or("intake");
        match latest {
            None => check.reasons.push(Reason::new(
                codes::INTAKE_MISSING,
                Actor::Patient,
                &[("questionnaire", name)],
            )),
            Some(intake) => match intake.status {
                IntakeStatus::Submitted | IntakeStatus::Approved => check.intakes.push(intake),
                IntakeStatus::Draft => check.reasons.push(Reason::new(
                    codes::INTAKE_MISSING,
                    Actor::Patient,
                    &[("questionnaire", name)],
                )),
                IntakeStatus::NeedsCorrection => check.reasons.push(Reason::new(
                    codes::INTAKE_NEEDS_CORRECTION,
                    Actor::Patient,
                    &[("intake", &intake.id)],
                )),
                IntakeStatus::Rejected => check.reasons.push(Reason::new(
                    codes::INTAKE_REJECTED,
                    Actor::MedicalOperations,
                    &[("intake", &intake.id)],
                )),
            },
        }
    }
    check
}

/// The lab method answered by the counting intakes, if any.
pub fn lab_method(intakes: &[&Intake]) -> Option<LabMethod> {
    intakes.iter().find_map(|i| i.lab_method)
}

/// Whether labs apply to any Beluga item.
pub fn labs_apply(snapshot: &OrderSnapshot) -> bool {
    snapshot.beluga_items().any(|i| i.product.labs_apply)
}

/// The lab requirements: the method must be answered, and supplied results must exist.
pub fn check_labs(snapshot: &OrderSnapshot, intakes: &[&Intake]) -> Vec<Reason> {
    if !labs_apply(snapshot) {
        return Vec::new();
    }
    match lab_method(intakes) {
        None => {
            let item = snapshot
                .beluga_items()
                .find(|i| i.product.labs_apply)
                .map(|i| i.id.as_str())
                .unwrap_or_default();
            vec![Reason::for_item(
                codes::LAB_METHOD_MISSING,
                Actor::Patient,
                item,
                &[],
            )]
        }
        Some(LabMethod::PatientSuppliedResults)
            if intakes.iter().all(|i| i.lab_results.is_empty()) =>
        {
            vec![Reason::new(codes::LAB_RESULTS_MISSING, Actor::Patient, &[])]
        }
        Some(_) => Vec::new(),
    }
}
