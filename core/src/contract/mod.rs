//! The Beluga API contract: typed request bodies, their validators, the normalisers callers
//! use before validating, and typed response parsing with its classification.
//!
//! Entry points: [`validate_value`] (a parsed JSON payload) and [`validate_slice`] (raw bytes,
//! the fast path), both answering a [`Report`] with every violation.

mod check;
pub mod codes;
mod external;
pub use external::MAX_IMAGE_BYTES;
pub mod fields;
mod intake;
pub mod labs;
pub mod model;
pub mod normalize;
pub mod questions;
pub mod response;
pub mod wire;

use crate::issue::Report;
use check::{Checker, Loc};
use chrono::NaiveDate;
use model::{
    ChatRequest, CsMessageRequest, IntakeRequest, PatientNameRequest, PdfRequest,
    PharmacySearchRequest, PhotosRequest, UpdateVisitRequest,
};
use serde::{Deserialize, Deserializer};
use serde_json::Value;
use wire::Slot;

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

    /// The one error string the endpoint answers for every data problem; `None` for visit
    /// and lab (a string per field) and `updateVisit` (status words).
    pub fn data_error(self) -> Option<&'static str> {
        match self {
            Kind::Visit | Kind::Lab | Kind::UpdateVisit => None,
            Kind::Photos => Some(crate::contract::codes::beluga::ERROR_ACCEPTING_IMAGES),
            Kind::Pdf => Some(crate::contract::codes::beluga::ERROR_ACCEPTING_IMAGE),
            Kind::Chat | Kind::CsMessage => {
                Some(crate::contract::codes::beluga::INCORRECT_DATA_STRUCTURE_OR_MISSING_DATA)
            }
            Kind::PatientName => Some(crate::contract::codes::beluga::DATA_FORMAT_INCORRECT),
            Kind::PharmacySearch => Some(crate::contract::codes::beluga::INVALID_SEARCH_PARAMETERS),
        }
    }

    fn checker(self) -> Checker {
        match self {
            Kind::Visit | Kind::Lab => Checker::intake(),
            other => Checker::fixed(other.data_error()),
        }
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
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ValidateOptions {
    /// The evaluation date for the age rule ("today" is always an input). Without it the
    /// 18+ rule is skipped with the warning `age_not_checked`; bindings and the CLI default
    /// it to the current date at UTC−10.
    pub today: Option<NaiveDate>,
    /// The allowable states; `None` means the 50 states and DC.
    pub allowed_states: Option<Vec<String>>,
    /// The largest decoded image accepted; `None` means Beluga's 3 MiB.
    pub max_image_bytes: Option<usize>,
}

impl ValidateOptions {
    /// Options with the given evaluation date and the default state list.
    pub fn new(today: NaiveDate) -> Self {
        Self {
            today: Some(today),
            ..Self::default()
        }
    }
}

/// Answers the body when it is an object; otherwise reports `body_not_object`.
fn body<'s, T>(c: &mut Checker, slot: &'s Slot<T>, kind: Kind) -> Option<&'s T> {
    let found = match slot {
        Slot::Value(body) => return Some(body),
        Slot::Absent => "nothing",
        Slot::Null => "null",
        Slot::Wrong(t) => t.described(),
    };
    c.report(
        codes::BODY_NOT_OBJECT,
        &Loc::Root,
        &[("endpoint", kind.name()), ("found", found)],
        check::Beluga::Code,
    );
    None
}

/// Reads a body of `kind` from `de` and validates it.
fn run<'de, D: Deserializer<'de>>(
    kind: Kind,
    de: D,
    options: &ValidateOptions,
) -> Result<Report, D::Error> {
    fn checked<'de, T: wire::Accept<'de>, D: Deserializer<'de>>(
        kind: Kind,
        de: D,
        rules: impl FnOnce(&mut Checker, &T),
    ) -> Result<Report, D::Error> {
        let slot = Slot::<T>::deserialize(de)?;
        let mut c = kind.checker();
        if let Some(body) = body(&mut c, &slot, kind) {
            rules(&mut c, body);
        }
        Ok(c.finish())
    }
    match kind {
        Kind::Visit => checked(kind, de, |c, b: &IntakeRequest| {
            intake::validate(c, b, false, options)
        }),
        Kind::Lab => checked(kind, de, |c, b: &IntakeRequest| {
            intake::validate(c, b, true, options)
        }),
        Kind::Photos => checked(kind, de, |c, b: &PhotosRequest| {
            external::photos(c, b, options)
        }),
        Kind::Pdf => checked(kind, de, |c, b: &PdfRequest| external::pdf(c, b)),
        Kind::Chat => checked(kind, de, |c, b: &ChatRequest| external::chat(c, b, options)),
        Kind::CsMessage => checked(kind, de, |c, b: &CsMessageRequest| {
            external::cs_message(c, b)
        }),
        Kind::PatientName => checked(kind, de, |c, b: &PatientNameRequest| {
            external::patient_name(c, b)
        }),
        Kind::PharmacySearch => checked(kind, de, |c, b: &PharmacySearchRequest| {
            external::pharmacy_search(c, b)
        }),
        Kind::UpdateVisit => checked(kind, de, |c, b: &UpdateVisitRequest| {
            external::update_visit(c, b)
        }),
    }
}

/// A body that is JSON but cannot be read as one object per member name (a member name
/// repeated inside an item): one `duplicate_member` violation naming the member.
fn unreadable(kind: Kind, error: &serde_json::Error) -> Report {
    let text = error.to_string();
    let name = text.split('`').nth(1).unwrap_or("body");
    let mut c = kind.checker();
    let root = Loc::Root;
    c.report(
        codes::DUPLICATE_MEMBER,
        &root.key(name),
        &[],
        check::Beluga::Code,
    );
    c.finish()
}

/// Validates an already parsed payload of `kind`, reporting every violation.
pub fn validate_value(kind: Kind, payload: &Value, options: &ValidateOptions) -> Report {
    run(kind, payload, options).unwrap_or_else(|e| unreadable(kind, &e))
}

/// Validates a payload read from any serde deserializer in one pass, as [`validate_slice`]
/// reads bytes: a binding walks its own objects (a Python dict) straight into the typed
/// model, with no `serde_json::Value` in between. An error is the deserializer's: it met
/// something JSON cannot hold (the caller explains it its own way).
pub fn validate_deserializer<'de, D: Deserializer<'de>>(
    kind: Kind,
    de: D,
    options: &ValidateOptions,
) -> Result<Report, D::Error> {
    run(kind, de, options)
}

/// Validates a payload given as JSON bytes in one pass: the body is read into the typed
/// request model (every member a [`Slot`]) and the rules walk it. Text that is not JSON is
/// an error (its position, never its content, is in the message).
///
/// Bytes that are UTF-8 (every JSON body) are checked once, whole, and read as text, so the
/// parser does not check each string again; other bytes take the byte reader, whose error
/// names the position of the bad sequence.
pub fn validate_slice(
    kind: Kind,
    bytes: &[u8],
    options: &ValidateOptions,
) -> Result<Report, serde_json::Error> {
    match std::str::from_utf8(bytes) {
        Ok(text) => validate_str(kind, text, options),
        Err(_) => read_validate(kind, serde_json::Deserializer::from_slice(bytes), options),
    }
}

/// Validates a payload given as JSON text (see [`validate_slice`]).
pub fn validate_str(
    kind: Kind,
    text: &str,
    options: &ValidateOptions,
) -> Result<Report, serde_json::Error> {
    read_validate(kind, serde_json::Deserializer::from_str(text), options)
}

fn read_validate<'de, R: serde_json::de::Read<'de>>(
    kind: Kind,
    mut de: serde_json::Deserializer<R>,
    options: &ValidateOptions,
) -> Result<Report, serde_json::Error> {
    match run(kind, &mut de, options) {
        Ok(report) => {
            de.end()?;
            Ok(report)
        }
        Err(e) if e.is_data() => Ok(unreadable(kind, &e)),
        Err(e) => Err(e),
    }
}
