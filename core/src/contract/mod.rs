//! The Beluga API contract: typed request bodies, their validators, the normalisers callers
//! use before validating, and typed response parsing with its classification.
//!
//! Entry points: [`validate_value`] (a parsed JSON payload) and [`validate_slice`] (raw bytes,
//! the fast path), both answering a [`Report`] with every violation.

pub mod codes;
pub mod normalize;

use crate::issue::Report;
use chrono::NaiveDate;
use serde_json::Value;

/// The nine outbound Beluga bodies, named as the CLI names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// `visit/createNoPayPhotos`
    Visit,
    /// `lab/receiveLabResults`
    Lab,
    /// `external/receivePhotos`
    Photos,
    /// `external/receivePdf`
    Pdf,
    /// `external/receiveChat`
    Chat,
    /// `external/receiveCSMessage`
    CsMessage,
    /// `external/patientName`
    PatientName,
    /// `external/pharmacies`
    PharmacySearch,
    /// `external/updateVisit`
    UpdateVisit,
}

impl Kind {
    /// Every kind, in the reference's order.
    pub const ALL: [Kind; 9] = [
        Kind::Visit,
        Kind::Lab,
        Kind::Photos,
        Kind::Pdf,
        Kind::Chat,
        Kind::CsMessage,
        Kind::PatientName,
        Kind::PharmacySearch,
        Kind::UpdateVisit,
    ];

    /// The CLI name: `visit`, `lab`, `photos`, `pdf`, `chat`, `cs-message`, `patient-name`,
    /// `pharmacy-search`, `update-visit`.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Visit => "visit",
            Kind::Lab => "lab",
            Kind::Photos => "photos",
            Kind::Pdf => "pdf",
            Kind::Chat => "chat",
            Kind::CsMessage => "cs-message",
            Kind::PatientName => "patient-name",
            Kind::PharmacySearch => "pharmacy-search",
            Kind::UpdateVisit => "update-visit",
        }
    }

    /// Parses a CLI name.
    pub fn from_name(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.name() == name)
    }

    /// The endpoint path below the base URL, e.g. `/visit/createNoPayPhotos`.
    pub fn endpoint(self) -> &'static str {
        match self {
            Kind::Visit => "/visit/createNoPayPhotos",
            Kind::Lab => "/lab/receiveLabResults",
            Kind::Photos => "/external/receivePhotos",
            Kind::Pdf => "/external/receivePdf",
            Kind::Chat => "/external/receiveChat",
            Kind::CsMessage => "/external/receiveCSMessage",
            Kind::PatientName => "/external/patientName",
            Kind::PharmacySearch => "/external/pharmacies",
            Kind::UpdateVisit => "/external/updateVisit",
        }
    }
}

/// Options of a validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidateOptions {
    /// The evaluation date for the age rule ("today" is always an input).
    pub today: NaiveDate,
    /// The allowable states; `None` means the 50 states and DC.
    pub allowed_states: Option<Vec<String>>,
}

impl ValidateOptions {
    /// Options with the given evaluation date and the default state list.
    pub fn new(today: NaiveDate) -> Self {
        Self {
            today,
            allowed_states: None,
        }
    }
}

/// Validates an already parsed payload of `kind`, reporting every violation.
pub fn validate_value(kind: Kind, payload: &Value, options: &ValidateOptions) -> Report {
    // Filled in by the contract validators.
    let _ = (kind, payload, options);
    Report::new(Vec::new(), Vec::new())
}

/// Validates a payload given as JSON bytes: the fast path parses into typed structs and
/// walks raw JSON only to explain a body that fails. Text that is not JSON is an error.
pub fn validate_slice(
    kind: Kind,
    bytes: &[u8],
    options: &ValidateOptions,
) -> Result<Report, serde_json::Error> {
    let value: Value = serde_json::from_slice(bytes)?;
    Ok(validate_value(kind, &value, options))
}
