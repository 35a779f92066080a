//! Beluga's answers, typed and classified.
//!
//! Every endpoint answers in its own way: the message sits in `error` (visit, lab, fetches),
//! `info` (photos, PDF, chat, CS, name, `updateVisit`) or `data` (pharmacy search); fetches
//! answer HTTP 200 with `status: 400`; `updateVisit` answers status words; an authorization
//! failure is HTTP 400 with an empty body. [`parse_response`] reads all of that into one
//! [`ParsedResponse`]: the outcome, the typed data of a success, and the class of a failure
//! with the guidance customer support acts on (decisions.md §2). It classifies on the body,
//! never on the HTTP status alone.

use super::Kind;
use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

/// The endpoints whose answers can be parsed: the nine requests and the two fetches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    /// One of the nine request bodies.
    Request(Kind),
    /// `GET /patient/externalFetch/{phone}`.
    FetchPatient,
    /// `GET /visit/externalFetch/{masterId}`.
    FetchVisit,
}

impl Endpoint {
    /// Every endpoint, requests first.
    pub fn all() -> impl Iterator<Item = Endpoint> {
        Kind::ALL
            .into_iter()
            .map(Endpoint::Request)
            .chain([Endpoint::FetchPatient, Endpoint::FetchVisit])
    }

    /// The name: a request kind's name, `fetch-patient` or `fetch-visit`.
    pub fn name(self) -> &'static str {
        match self {
            Endpoint::Request(kind) => kind.name(),
            Endpoint::FetchPatient => "fetch-patient",
            Endpoint::FetchVisit => "fetch-visit",
        }
    }

    /// Parses a name.
    pub fn from_name(name: &str) -> Option<Endpoint> {
        Endpoint::all().find(|e| e.name() == name)
    }
}

/// Who acts on an outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Class {
    /// Nothing to do.
    Success,
    /// Patient data must be corrected (by the patient or staff), then the same order retried.
    FixPatientData,
    /// Clinic configuration or mapping must be fixed (admin), then the same order retried.
    FixConfiguration,
    /// The `masterId` exists already: reconcile by fetching the visit, never create another.
    Duplicate,
    /// Beluga's one-week rule: the patient had this visit type from another client.
    NotEligible,
    /// A transient failure: retry the same call later.
    RetryLater,
    /// Cannot succeed any more: a new visit is needed.
    Permanent,
}

/// What an answer means.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Visit or lab visit created.
    VisitCreated,
    /// Photos or PDF received.
    Received,
    /// Chat or CS message received.
    MessageReceived,
    /// Patient name updated.
    NameUpdated,
    /// Pharmacy search results.
    Pharmacies,
    /// `VISIT_DATA_UPDATED`.
    VisitDataUpdated,
    /// `NEW_RX_SENT`.
    NewRxSent,
    /// Patient fetch found the patient.
    Patient,
    /// Visit fetch found the visit.
    Visit,
    /// Patient fetch found no patient (not an error).
    NotFound,
    /// Beluga refused the call.
    Error,
    /// HTTP 400 with an empty body: the API key was refused.
    Unauthorized,
    /// No answer: network error or timeout.
    NetworkError,
    /// HTTP 5xx.
    ServerError,
    /// An answer of no documented shape.
    Unexpected,
}

/// The ids of a created visit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct VisitCreated {
    /// The `masterId` sent.
    pub master_id: String,
    /// Beluga's `visitId` (used for the photo ID).
    pub visit_id: String,
}

/// A pharmacy search result. `PharmacyId` comes as a number and is kept as its decimal
/// string, the form every request sends.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct Pharmacy {
    /// Beluga pharmacy id, as a string.
    #[serde(deserialize_with = "id_string")]
    pub pharmacy_id: String,
    /// Store name.
    #[serde(default)]
    pub store_name: Option<String>,
    /// Street line 1.
    #[serde(default)]
    pub address1: Option<String>,
    /// Street line 2.
    #[serde(default)]
    pub address2: Option<String>,
    /// City.
    #[serde(default)]
    pub city: Option<String>,
    /// State.
    #[serde(default)]
    pub state: Option<String>,
    /// ZIP code.
    #[serde(default)]
    pub zip_code: Option<String>,
    /// Main phone.
    #[serde(default)]
    pub primary_phone: Option<String>,
    /// Fax.
    #[serde(default)]
    pub primary_fax: Option<String>,
    /// Specialties.
    #[serde(default)]
    pub pharmacy_specialties: Vec<String>,
    /// Service level.
    #[serde(default)]
    pub service_level: Option<f64>,
    /// Latitude.
    #[serde(default)]
    pub latitude: Option<f64>,
    /// Longitude.
    #[serde(default)]
    pub longitude: Option<f64>,
}

fn id_string<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    match Value::deserialize(d)? {
        Value::String(s) => Ok(s),
        Value::Number(n) => Ok(n.to_string()),
        _ => Err(serde::de::Error::custom(
            "PharmacyId must be a number or string",
        )),
    }
}

/// A prescription in `NEW_RX_SENT`'s `medsPrescribed`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PrescribedMed {
    /// Drug name on the prescription.
    #[serde(default)]
    pub rx_name: Option<String>,
    /// Strength.
    #[serde(default)]
    pub rx_strength: Option<String>,
    /// Refills.
    #[serde(default)]
    pub rx_refills: Option<String>,
    /// Quantity.
    #[serde(default)]
    pub rx_quantity: Option<String>,
    /// Prescription id.
    #[serde(default)]
    pub rx_id: Option<String>,
    /// Directions.
    #[serde(default)]
    pub rx_directions: Option<String>,
    /// Beluga medication id.
    pub med_id: String,
}

/// The patient record of `patient/externalFetch` (patient data: never logged).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PatientRecord {
    /// First name.
    #[serde(default)]
    pub first_name: Option<String>,
    /// Last name.
    #[serde(default)]
    pub last_name: Option<String>,
    /// `MM/DD/YYYY`.
    #[serde(default)]
    pub dob: Option<String>,
    /// Ten digits.
    #[serde(default)]
    pub phone: Option<String>,
    /// Email.
    #[serde(default)]
    pub email: Option<String>,
    /// Street address.
    #[serde(default)]
    pub address: Option<String>,
    /// City.
    #[serde(default)]
    pub city: Option<String>,
    /// State.
    #[serde(default)]
    pub state: Option<String>,
    /// ZIP.
    #[serde(default)]
    pub zip: Option<String>,
    /// `Male`, `Female` or `Other`.
    #[serde(default)]
    pub sex: Option<String>,
    /// Self-reported medications.
    #[serde(default)]
    pub self_reported_meds: Option<String>,
    /// Allergies.
    #[serde(default)]
    pub allergies: Option<String>,
    /// Medical conditions.
    #[serde(default)]
    pub medical_conditions: Option<String>,
    /// The patient's visits (`masterId`s).
    #[serde(default)]
    pub visits: Vec<String>,
}

/// One prescription of a fetched visit's `rxHistory`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RxHistoryEntry {
    /// When it was written.
    #[serde(default)]
    pub rx_timestamp: Option<String>,
    /// Beluga's name for the drug.
    #[serde(default)]
    pub favorite_name: Option<String>,
    /// Medication on the prescription.
    #[serde(default)]
    pub name: Option<String>,
    /// Beluga medication id.
    #[serde(default)]
    pub med_id: Option<String>,
    /// Refills.
    #[serde(default)]
    pub refills: Option<String>,
    /// Quantity.
    #[serde(default)]
    pub quantity: Option<String>,
    /// Strength.
    #[serde(default)]
    pub strength: Option<String>,
    /// Days' supply.
    #[serde(default)]
    pub days_supply: Option<String>,
    /// Unit.
    #[serde(default)]
    pub unit: Option<String>,
    /// Notes for the pharmacy.
    #[serde(default)]
    pub pharmacy_notes: Option<String>,
    /// Pharmacy name.
    #[serde(default)]
    pub pharmacy_name: Option<String>,
    /// Prescription id.
    #[serde(default)]
    pub rx_id: Option<String>,
}

/// A fetched visit (`visit/externalFetch`). The form is kept as Beluga sent it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct VisitRecord {
    /// The visit's `masterId`.
    pub master_id: String,
    /// `active`, `pending`, `admin`, `resolved`, `holding` or `canceled`.
    pub visit_status: VisitStatus,
    /// When the status last changed.
    #[serde(default)]
    pub update_timestamp: Option<String>,
    /// `open` or `closed`.
    #[serde(default)]
    pub resolved_status: Option<ResolvedStatus>,
    /// When it was closed.
    #[serde(default)]
    pub resolved_timestamp: Option<String>,
    /// The visit type.
    #[serde(default)]
    pub visit_type: Option<String>,
    /// The prescriptions written.
    #[serde(default)]
    pub rx_history: Vec<RxHistoryEntry>,
    /// The submitted form with its `intakeResults`.
    #[serde(default)]
    pub form_obj: Option<Value>,
}

// One type for the snapshot's `belugaVisitStatus` and a fetched visit's `visitStatus`.
/// `belugaVisitStatus`, as Beluga reports it for the medical visit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum VisitStatus {
    /// The visit is open for review.
    Active,
    /// Waiting (e.g. on the patient or a provider).
    Pending,
    /// With Beluga's admin team.
    Admin,
    /// On hold.
    Holding,
    /// Concluded by a doctor (terminal, highest).
    Resolved,
    /// Cancelled (terminal, below `resolved`).
    Canceled,
}

impl VisitStatus {
    /// Terminal statuses outrank every non-terminal one: `0` for non-terminal,
    /// `1` for `canceled`, `2` for `resolved`.
    pub fn terminal_rank(self) -> u8 {
        match self {
            VisitStatus::Active
            | VisitStatus::Pending
            | VisitStatus::Admin
            | VisitStatus::Holding => 0,
            VisitStatus::Canceled => 1,
            VisitStatus::Resolved => 2,
        }
    }

    /// A fixed tie-break among statuses with the same terminal rank and timestamp.
    pub(crate) fn tie_rank(self) -> u8 {
        match self {
            VisitStatus::Active => 0,
            VisitStatus::Pending => 1,
            VisitStatus::Admin => 2,
            VisitStatus::Holding => 3,
            VisitStatus::Canceled => 4,
            VisitStatus::Resolved => 5,
        }
    }

    /// Whether the visit is over (`resolved` or `canceled`).
    pub fn is_terminal(self) -> bool {
        self.terminal_rank() > 0
    }
}

// One type for the snapshot's `belugaResolvedStatus` and a fetched visit's `resolvedStatus`.
/// `belugaResolvedStatus`. Ranked `open < closed`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum ResolvedStatus {
    /// The visit is open.
    Open,
    /// The visit is closed.
    Closed,
}

/// The typed content of a successful answer.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(untagged)]
pub enum ResponseData {
    /// `{masterId, visitId}`.
    VisitCreated(VisitCreated),
    /// `{pharmacies: [...]}`.
    Pharmacies {
        /// The matches, at most 100.
        pharmacies: Vec<Pharmacy>,
    },
    /// `{medsPrescribed: [...]}`.
    NewRx {
        /// The prescriptions sent.
        #[serde(rename = "medsPrescribed")]
        meds_prescribed: Vec<PrescribedMed>,
    },
    /// The patient.
    Patient(Box<PatientRecord>),
    /// The visit.
    Visit(Box<VisitRecord>),
}

/// An HTTP answer as the caller received it.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, schemars::JsonSchema)]
pub struct HttpAnswer {
    /// The HTTP status (absent with a network error).
    #[serde(default)]
    pub status: Option<u16>,
    /// The body: JSON, or text (parsed here), or absent.
    #[serde(default)]
    pub body: Option<Value>,
    /// Set when there was no answer (`timeout`, `connect`, …).
    #[serde(default)]
    pub network_error: Option<String>,
}

/// A classified answer.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct ParsedResponse {
    /// The endpoint name.
    pub endpoint: &'static str,
    /// What the answer means.
    pub outcome: Outcome,
    /// Who acts on it.
    pub classification: Class,
    /// Whether the error string is one the reference documents.
    pub recognized: bool,
    /// Beluga's message (`error`, `info`, `data` or the status word), when it sent one.
    pub beluga_error: Option<String>,
    /// What customer support does next.
    pub guidance: String,
    /// The typed content of a success.
    pub data: Option<ResponseData>,
}

/// Documented error strings: (string or prefix, is prefix, class, guidance).
const MESSAGES: &[(&str, bool, Class, &str)] = &[
    (crate::contract::codes::beluga::DUPLICATE_MASTER_ID, false, Class::Duplicate, "Beluga already has this masterId: fetch the visit and mark the order submitted; never create another order"),
    (crate::contract::codes::beluga::PATIENT_NOT_ELIGIBLE, false, Class::NotEligible, "the patient had this visit type with another Beluga client within a week; wait for the week to pass or contact Beluga"),
    (crate::contract::codes::beluga::MISSING_METADATA, false, Class::FixConfiguration, "company, visit type, pharmacy or masterId is missing: check Admin → Settings and the product's visit type, then retry the same order"),
    (crate::contract::codes::beluga::NO_COMPANY_FOUND, false, Class::FixConfiguration, "the Beluga company identifier is wrong: fix it in Admin → Settings, then retry the same order"),
    (crate::contract::codes::beluga::COMPANY_DOES_NOT_HAVE_THAT_VISIT_TYPE, false, Class::FixConfiguration, "the product's Beluga visit type is not enabled for the company: fix the product mapping, then retry"),
    (crate::contract::codes::beluga::NO_MATCH_FOR, true, Class::FixConfiguration, "a drug's Beluga medId/DIN is not enabled for the company: fix the drug mapping, then retry"),
    (crate::contract::codes::beluga::PHARMACY_MISMATCH_IN_PATIENT_PREFERENCE, false, Class::FixConfiguration, "the drug is tied to another pharmacy: check the order/product pharmacy and its Beluga id, then retry"),
    (crate::contract::codes::beluga::BRANDED_MED_WITH_COMPOUNDING_PHARMACY, false, Class::FixConfiguration, "a branded drug was sent to a compounding-only pharmacy: assign a retail pharmacy, then retry"),
    (crate::contract::codes::beluga::PATIENT_PREFERENCE_FIELDS_ERROR, false, Class::FixConfiguration, "a medication preference is incomplete: check the product-to-drug mapping (name, strength, quantity, refills, medId)"),
    (crate::contract::codes::beluga::PATIENT_PREFERENCE_NOT_ALLOWED, false, Class::FixConfiguration, "lab visits without treatment must not carry medications: check the product's lab setup"),
    (crate::contract::codes::beluga::PAYLOAD_CONTAINS_BAD_FIELDS, true, Class::FixConfiguration, "the lab payload carries fields Beluga does not accept: escalate to development with the order number"),
    (crate::contract::codes::beluga::INVALID_SEARCH_PARAMETERS, false, Class::FixConfiguration, "give at least one of name, city, state (XX) or zip (XXXXX)"),
    (crate::contract::codes::beluga::INCORRECT_DATA_STRUCTURE_OR_MISSING_DATA, false, Class::FixConfiguration, "the message was malformed or incomplete: escalate to development with the order number"),
    (crate::contract::codes::beluga::VISIT_DOES_NOT_EXIST, false, Class::FixConfiguration, "Beluga has no visit with this id: check the order's visit id / master id"),
    (crate::contract::codes::beluga::VISIT_NOT_FOUND, false, Class::FixConfiguration, "Beluga has no visit with this master id: check the order's master id"),
    (crate::contract::codes::beluga::NAME_CHANGE_NO_LONGER_ALLOWED, false, Class::Permanent, "the doctors already approved the name and photo ID: a new visit is needed to change the name"),
    (crate::contract::codes::beluga::ERROR_ACCEPTING_NAME_CHANGE, false, Class::RetryLater, "Beluga could not take the name change now: retry later"),
    (crate::contract::codes::beluga::ERROR_ACCEPTING_IMAGES, false, Class::RetryLater, "Beluga could not take the photos now: retry the photo upload later (the visit is not affected)"),
    (crate::contract::codes::beluga::ERROR_ACCEPTING_IMAGE, false, Class::RetryLater, "Beluga could not take the PDF now: retry later"),
    (crate::contract::codes::beluga::MISSING_VALUES, false, Class::FixPatientData, "a field is empty: complete the patient's data or intake, then retry the same order"),
    (crate::contract::codes::beluga::DATA_FORMAT_INCORRECT, false, Class::FixPatientData, "the name is empty or longer than 100 characters: correct it, then retry"),
    (crate::contract::codes::beluga::CONSENTS_SIGNED_MUST_BE_TRUE, false, Class::FixPatientData, "the patient has not signed the consents: ask the patient to sign, then retry"),
    (crate::contract::codes::beluga::FIRST_NAME_OR_LAST_NAME_ERROR, false, Class::FixPatientData, "correct the patient's first or last name (letters only, at most 100), then retry"),
    (crate::contract::codes::beluga::DOB_ERROR, false, Class::FixPatientData, "correct the date of birth (the patient must be 18 or older), then retry"),
    (crate::contract::codes::beluga::PHONE_NUMBER_ERROR, false, Class::FixPatientData, "correct the phone: a 10-digit US mobile number unique to this patient, then retry"),
    (crate::contract::codes::beluga::EMAIL_ERROR, false, Class::FixPatientData, "correct the patient's email address, then retry"),
    (crate::contract::codes::beluga::ADDRESS_ERROR, false, Class::FixPatientData, "correct the patient's street address, then retry"),
    (crate::contract::codes::beluga::CITY_ERROR, false, Class::FixPatientData, "correct the patient's city, then retry"),
    (crate::contract::codes::beluga::STATE_ERROR, false, Class::FixPatientData, "correct the patient's state (two capital letters), then retry"),
    (crate::contract::codes::beluga::STATE_NOT_VALID, false, Class::FixPatientData, "Beluga does not serve the patient's state: check the address; the order cannot go to Beluga from there"),
    (crate::contract::codes::beluga::ZIP_ERROR, false, Class::FixPatientData, "correct the ZIP code (5 digits), then retry"),
    (crate::contract::codes::beluga::SEX_ERROR, false, Class::FixPatientData, "correct the patient's sex (Male or Female), then retry"),
    (crate::contract::codes::beluga::SELF_REPORTED_MEDS_ERROR, false, Class::FixPatientData, "check the patient's medications answer, then retry"),
    (crate::contract::codes::beluga::ALLERGIES_ERROR, false, Class::FixPatientData, "check the patient's allergies answer, then retry"),
    (crate::contract::codes::beluga::MEDICAL_CONDITIONS_ERROR, false, Class::FixPatientData, "check the patient's medical conditions answer, then retry"),
    (crate::contract::codes::beluga::SOMETHING_WENT_WRONG, false, Class::FixPatientData, "Beluga's catch-all: check the patient data and the intake answers (multiple-choice format), then retry; escalate if it repeats"),
];

/// `updateVisit` status words: (word, class, guidance).
const STATUS_WORDS: &[(&str, Outcome, Class, &str)] = &[
    ("VISIT_DATA_UPDATED", Outcome::VisitDataUpdated, Class::Success, "the visit was updated; the doctor has not resolved it yet"),
    ("NEW_RX_SENT", Outcome::NewRxSent, Class::Success, "a new prescription was sent"),
    ("NO_VISIT", Outcome::Error, Class::FixConfiguration, "Beluga has no visit for this master id: check the order"),
    ("CATEGORY_MISMATCH", Outcome::Error, Class::FixConfiguration, "the new medication is of another dosage category than the original prescription: choose a matching one"),
    ("PHARMACY_MISMATCH", Outcome::Error, Class::FixConfiguration, "the medication is tied to another pharmacy: check the pharmacy id"),
    ("RX_ERROR", Outcome::Error, Class::RetryLater, "sending the e-prescription failed: retry later"),
    ("GENERIC", Outcome::Error, Class::RetryLater, "Beluga had a system error: retry later"),
    ("VISIT_WAS_REFERRED", Outcome::Error, Class::Permanent, "the doctor referred this visit: a new visit is needed"),
    ("TOO_MANY_RETRIES", Outcome::Error, Class::Permanent, "the prescription retry limit is reached: a new visit is needed"),
    ("TOO_LONG_AGO", Outcome::Error, Class::Permanent, "the prescription is older than 7 days: a new visit is needed"),
];

/// Whether `message` starts with one of Beluga's documented error strings (the vocabulary,
/// [`crate::contract::codes::beluga`]): a stored submit error with context after it still
/// counts as documented.
pub fn starts_with_documented_error(message: &str) -> bool {
    MESSAGES.iter().any(|(text, ..)| message.starts_with(text))
}

/// Classifies a documented error string; unknown strings are `fix_configuration` with
/// `recognized: false` and escalation guidance.
pub fn classify_message(message: &str) -> (Class, &'static str, bool) {
    MESSAGES
        .iter()
        .find(|(text, prefix, _, _)| {
            if *prefix {
                message.starts_with(text)
            } else {
                message == *text
            }
        })
        .map_or(
            (
                Class::FixConfiguration,
                "Beluga answered an error rxgate does not know: escalate to development with the order number and submit status",
                false,
            ),
            |(_, _, class, guidance)| (*class, *guidance, true),
        )
}

struct Answer<'a> {
    endpoint: Endpoint,
    body: Option<&'a Value>,
}

impl Answer<'_> {
    fn field(&self, name: &str) -> Option<&Value> {
        self.body.and_then(|b| b.get(name))
    }

    fn text(&self, name: &str) -> Option<&str> {
        self.field(name).and_then(Value::as_str)
    }

    fn status_number(&self) -> Option<u64> {
        self.field("status").and_then(Value::as_u64)
    }

    fn done(
        &self,
        outcome: Outcome,
        class: Class,
        message: Option<&str>,
        guidance: &str,
        data: Option<ResponseData>,
    ) -> ParsedResponse {
        ParsedResponse {
            endpoint: self.endpoint.name(),
            outcome,
            classification: class,
            recognized: true,
            beluga_error: message.map(str::to_owned),
            guidance: guidance.to_owned(),
            data,
        }
    }

    fn error(&self, message: &str) -> ParsedResponse {
        let (class, guidance, recognized) = classify_message(message);
        let mut parsed = self.done(Outcome::Error, class, Some(message), guidance, None);
        parsed.recognized = recognized;
        parsed
    }

    fn unexpected(&self) -> ParsedResponse {
        let mut parsed = self.done(
            Outcome::Unexpected,
            Class::RetryLater,
            None,
            "Beluga answered in a shape the reference does not document: retry later; escalate to development if it repeats",
            None,
        );
        parsed.recognized = false;
        parsed
    }

    fn typed<T: serde::de::DeserializeOwned>(&self, value: Option<&Value>) -> Option<T> {
        value.and_then(|v| T::deserialize(v).ok())
    }
}

/// Parses and classifies an answer of `endpoint`.
pub fn parse_response(endpoint: Endpoint, http: &HttpAnswer) -> ParsedResponse {
    let text_body;
    let body = match &http.body {
        Some(Value::String(text)) if text.trim().is_empty() => None,
        Some(Value::String(text)) => match serde_json::from_str::<Value>(text) {
            Ok(value) => {
                text_body = value;
                Some(&text_body)
            }
            // Text that is not JSON: an HTML error page or a proxy message.
            Err(_) => {
                let a = Answer {
                    endpoint,
                    body: None,
                };
                return server_or_unexpected(&a, http.status);
            }
        },
        Some(Value::Null) | None => None,
        Some(other) => Some(other),
    };
    let a = Answer { endpoint, body };
    if let Some(parsed) = transport_failure(&a, http) {
        return parsed;
    }
    match endpoint {
        Endpoint::Request(Kind::Visit | Kind::Lab) => visit_created(&a),
        Endpoint::Request(Kind::Photos | Kind::Pdf) => info_answer(
            &a,
            &[
                "Successfully received images",
                "Successfully received image",
            ],
            Outcome::Received,
        ),
        Endpoint::Request(Kind::Chat | Kind::CsMessage) => info_answer(
            &a,
            &["Message received successfully"],
            Outcome::MessageReceived,
        ),
        Endpoint::Request(Kind::PatientName) => info_answer(
            &a,
            &["Successfully updated patient name"],
            Outcome::NameUpdated,
        ),
        Endpoint::Request(Kind::PharmacySearch) => pharmacies_found(&a),
        Endpoint::Request(Kind::UpdateVisit) => visit_updated(&a),
        Endpoint::FetchPatient => patient_fetched(&a),
        Endpoint::FetchVisit => visit_fetched(&a),
    }
}

/// No answer, a server error, or no body: the answer says nothing of the endpoint.
fn transport_failure(a: &Answer, http: &HttpAnswer) -> Option<ParsedResponse> {
    if http.network_error.is_some() {
        return Some(a.done(
            Outcome::NetworkError,
            Class::RetryLater,
            None,
            "Beluga could not be reached or did not answer in time: retry the same call later",
            None,
        ));
    }
    if let Some(parsed) = server_error(a, http.status) {
        return Some(parsed);
    }
    if a.body.is_some() {
        return None;
    }
    if http.status == Some(400) {
        return Some(a.done(Outcome::Unauthorized, Class::FixConfiguration, None, "Beluga refused the API key (HTTP 400, empty body): check the key for this environment in Admin → Settings", None));
    }
    Some(a.unexpected())
}

/// `createVisit` / the lab visit: `{data: {masterId, visitId}}` or `{error}`.
fn visit_created(a: &Answer) -> ParsedResponse {
    if a.status_number() == Some(200) {
        if let Some(created) = a.typed::<VisitCreated>(a.field("data")) {
            return a.done(
                Outcome::VisitCreated,
                Class::Success,
                None,
                "the visit was created; the photo ID goes next",
                Some(ResponseData::VisitCreated(created)),
            );
        }
        return a.unexpected();
    }
    a.text("error")
        .map_or_else(|| a.unexpected(), |m| a.error(m))
}

/// The pharmacy search: `{data: [...]}` or `{data: "<error>"}`.
fn pharmacies_found(a: &Answer) -> ParsedResponse {
    match a.field("data") {
        Some(Value::Array(_)) if a.status_number() == Some(200) => {
            a.typed::<Vec<Pharmacy>>(a.field("data")).map_or_else(
                || a.unexpected(),
                |pharmacies| {
                    a.done(
                        Outcome::Pharmacies,
                        Class::Success,
                        None,
                        "pharmacies found",
                        Some(ResponseData::Pharmacies { pharmacies }),
                    )
                },
            )
        }
        Some(Value::String(message)) => a.error(message),
        // "If there is an error, the endpoint will pass that error back": its `data` is
        // whatever the directory answered. Shown to staff as sent (bounded), never retried.
        Some(data @ (Value::Object(_) | Value::Array(_) | Value::Number(_) | Value::Bool(_)))
            if a.status_number().is_some_and(|s| s != 200) =>
        {
            let shown: String = data.to_string().chars().take(PASSED_BACK_CHARS).collect();
            a.done(
                Outcome::Error,
                Class::FixConfiguration,
                Some(&shown),
                "Beluga passed back the pharmacy directory's error (shown as sent): check the search criteria and search again; escalate to development if it repeats",
                None,
            )
        }
        _ => a.unexpected(),
    }
}

/// The longest passed-back error data kept as `beluga_error`, in characters.
const PASSED_BACK_CHARS: usize = 300;

/// `updateVisit`: a status word, with `medsPrescribed` for `NEW_RX_SENT`.
fn visit_updated(a: &Answer) -> ParsedResponse {
    let Some(word) = a.text("status") else {
        return a.unexpected();
    };
    let Some((_, outcome, class, guidance)) = STATUS_WORDS.iter().find(|(w, ..)| *w == word) else {
        let mut parsed = a.error(word);
        parsed.recognized = false;
        return parsed;
    };
    let data = if *outcome == Outcome::NewRxSent {
        match a.typed::<Vec<PrescribedMed>>(a.field("medsPrescribed")) {
            Some(meds_prescribed) => Some(ResponseData::NewRx { meds_prescribed }),
            None => return a.unexpected(),
        }
    } else {
        None
    };
    let message = (*class != Class::Success).then_some(word);
    a.done(*outcome, *class, message, guidance, data)
}

/// The patient fetch: `{data: patient}`, or `Patient not found` (not an error).
fn patient_fetched(a: &Answer) -> ParsedResponse {
    if a.status_number() == Some(200) {
        return a.typed::<PatientRecord>(a.field("data")).map_or_else(
            || a.unexpected(),
            |p| {
                a.done(
                    Outcome::Patient,
                    Class::Success,
                    None,
                    "patient found",
                    Some(ResponseData::Patient(Box::new(p))),
                )
            },
        );
    }
    match a.text("error") {
        Some("Patient not found") => a.done(
            Outcome::NotFound,
            Class::Success,
            Some("Patient not found"),
            "Beluga has no patient with this phone (not an error)",
            None,
        ),
        Some(message) => a.error(message),
        None => a.unexpected(),
    }
}

/// The visit fetch: the visit, its form and visit type lifted from `data`.
fn visit_fetched(a: &Answer) -> ParsedResponse {
    if a.status_number() == Some(200) {
        let mut record = a.body.cloned().unwrap_or(Value::Null);
        // The form and visit type sit under `data`; lift them beside the status.
        if let Some(data) = record.get("data").cloned() {
            if let Some(obj) = record.as_object_mut() {
                for key in ["formObj", "visitType", "rxHistory"] {
                    if let Some(v) = data.get(key) {
                        obj.insert(key.to_owned(), v.clone());
                    }
                }
            }
        }
        return a.typed::<VisitRecord>(Some(&record)).map_or_else(
            || a.unexpected(),
            |v| {
                a.done(
                    Outcome::Visit,
                    Class::Success,
                    None,
                    "visit found",
                    Some(ResponseData::Visit(Box::new(v))),
                )
            },
        );
    }
    a.text("error")
        .map_or_else(|| a.unexpected(), |m| a.error(m))
}

fn info_answer(a: &Answer, successes: &[&str], outcome: Outcome) -> ParsedResponse {
    match a.text("info") {
        Some(info) if successes.contains(&info) => {
            a.done(outcome, Class::Success, None, "received", None)
        }
        Some(info) => a.error(info),
        None => a.unexpected(),
    }
}

fn server_error(a: &Answer, status: Option<u16>) -> Option<ParsedResponse> {
    status.filter(|s| *s >= 500).map(|_| {
        a.done(
            Outcome::ServerError,
            Class::RetryLater,
            None,
            "Beluga had a server error (HTTP 5xx): retry the same call later",
            None,
        )
    })
}

fn server_or_unexpected(a: &Answer, status: Option<u16>) -> ParsedResponse {
    server_error(a, status).unwrap_or_else(|| a.unexpected())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(endpoint: &str, status: u16, body: Value) -> ParsedResponse {
        let endpoint = Endpoint::from_name(endpoint).unwrap_or(Endpoint::FetchVisit);
        parse_response(
            endpoint,
            &HttpAnswer {
                status: Some(status),
                body: Some(body),
                network_error: None,
            },
        )
    }

    #[test]
    fn classifies_on_the_body_not_the_status() {
        let p = parse(
            "fetch-patient",
            200,
            json!({"status": 400, "error": "Patient not found"}),
        );
        assert_eq!(
            (p.outcome, p.classification),
            (Outcome::NotFound, Class::Success)
        );
        let p = parse(
            "visit",
            400,
            json!({"status": 400, "error": "No match for 123"}),
        );
        assert_eq!(p.classification, Class::FixConfiguration);
        let p = parse("visit", 400, json!(""));
        assert_eq!(p.outcome, Outcome::Unauthorized);
        let p = parse("visit", 502, json!("<html>bad gateway</html>"));
        assert_eq!(p.classification, Class::RetryLater);
        let p = parse(
            "pharmacy-search",
            200,
            json!({"status": 200, "data": [{"PharmacyId": 42, "StoreName": "X"}]}),
        );
        match p.data {
            Some(ResponseData::Pharmacies { pharmacies }) => assert_eq!(
                pharmacies.first().map(|p| p.pharmacy_id.as_str()),
                Some("42")
            ),
            other => assert!(other.is_some(), "no pharmacies"),
        }
    }
}
