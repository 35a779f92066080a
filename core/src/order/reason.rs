//! [`Reason`]: why a decision came out as it did, shared by every order decision
//! (readiness, submission, routing, the boundary, cancel, messages, diagnosis).
//!
//! A reason carries a stable [`Code`], the staff text rendered from the code's template
//! with facts from the rules (field names, item ids, statuses — never patient values), the
//! person who acts on it, and patient text only for the codes where the patient can act.

use crate::issue::{render, Code};
use serde::Serialize;

/// Who acts on a reason (the guides' escalation targets).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    serde::Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Actor {
    /// The patient (portal: intake, profile, payment, messages).
    Patient,
    /// Customer support.
    Cs,
    /// Admin or development (configuration, mappings, integrations).
    AdminDevelopment,
    /// Medical operations (visits, prescriptions, providers).
    MedicalOperations,
    /// Nobody: a partner's step is pending (a provider's review, a pharmacy's shipment).
    Partner,
}

impl Actor {
    /// Human label.
    pub fn label(self) -> &'static str {
        match self {
            Actor::Patient => "patient",
            Actor::Cs => "customer support",
            Actor::AdminDevelopment => "admin/development",
            Actor::MedicalOperations => "medical operations",
            Actor::Partner => "partner (wait)",
        }
    }
}

/// One reason of a decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Reason {
    /// The stable code.
    pub code: Code,
    /// Staff text.
    pub message: String,
    /// Patient text, only where the patient can act.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub patient_message: Option<&'static str>,
    /// Who acts on it.
    pub actor: Actor,
    /// The fields concerned (names, never values).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<String>,
    /// The order item concerned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item_id: Option<String>,
}

impl Reason {
    /// A reason of `code` for `actor`, its message rendered from `params` (facts only).
    pub fn new(code: Code, actor: Actor, params: &[(&str, &str)]) -> Self {
        Self {
            code,
            message: render(code.info().template, params),
            patient_message: patient_text(code),
            actor,
            fields: Vec::new(),
            item_id: None,
        }
    }

    /// A reason about one order item (`{item}` in the template).
    pub fn for_item(code: Code, actor: Actor, item_id: &str, params: &[(&str, &str)]) -> Self {
        let mut all: Vec<(&str, &str)> = vec![("item", item_id)];
        all.extend_from_slice(params);
        let mut reason = Self::new(code, actor, &all);
        reason.item_id = Some(item_id.to_owned());
        reason
    }

    /// A reason naming fields (`{fields}` in the template, joined with `, `).
    pub fn with_fields(
        code: Code,
        actor: Actor,
        fields: Vec<String>,
        params: &[(&str, &str)],
    ) -> Self {
        let joined = fields.join(", ");
        let mut all: Vec<(&str, &str)> = vec![("fields", joined.as_str())];
        all.extend_from_slice(params);
        let mut reason = Self::new(code, actor, &all);
        reason.fields = fields;
        reason
    }

    /// Sets the item.
    #[must_use]
    pub fn item(mut self, item_id: &str) -> Self {
        self.item_id = Some(item_id.to_owned());
        self
    }
}

/// Patient text for the codes where the patient can act; `None` for the others (staff
/// problems are never shown to patients).
pub fn patient_text(code: Code) -> Option<&'static str> {
    use crate::order::codes as c;
    let text = match code.as_str() {
        n if n == c::INTAKE_MISSING.as_str() => {
            "Please complete your medical intake so the medical team can review your order."
        }
        n if n == c::INTAKE_NEEDS_CORRECTION.as_str() => {
            "Your intake needs a correction. Please review the requested changes and resubmit it."
        }
        n if n == c::LAB_METHOD_MISSING.as_str() => {
            "Please tell us how you will provide your lab results."
        }
        n if n == c::LAB_RESULTS_MISSING.as_str() => {
            "Please upload your lab results so the medical team can review them."
        }
        n if n == c::PATIENT_DATA_INCOMPLETE.as_str() => {
            "Some required details are missing from your profile. Please complete your profile."
        }
        n if n == c::PATIENT_DATA_INVALID.as_str() => {
            "Some details in your profile look incorrect. Please check your profile information."
        }
        n if n == c::PHONE_NOT_UNIQUE.as_str() => {
            "Your mobile number is already linked to another patient. Please use your own mobile number or contact support."
        }
        n if n == c::UNPAID.as_str() => "Your payment is still outstanding. Please complete payment.",
        _ => return None,
    };
    Some(text)
}
