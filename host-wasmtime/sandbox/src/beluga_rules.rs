//! Beluga's request rules as the sandbox checks them: a table per endpoint, written from the
//! API reference (`/work/shared/seeds/beluga-api-reference.txt`, cited below as "ref, <section>")
//! and the resolved field table of decisions.md §2 — never from rxgate's own contract
//! validator. The sandbox answers with these verdicts, so a bug in rxgate's validator (a body
//! rxgate passes that Beluga would bounce, or the wrong error string) shows up as a test
//! failure; `host-wasmtime/tests/it/sandbox_rules.rs` compares the two on every shared vector.
//!
//! A [`Verdict`] holds every refusal the body earns (not only the first), each with the stage
//! of Beluga's checking order it belongs to; the endpoint answers [`Verdict::answer`], the
//! first refusal of the earliest stage. Members the reference does not define on an endpoint
//! that does not refuse them are kept as [`Verdict::undocumented`] (the sandbox logs them).

use base64::Engine as _;
use chrono::{Datelike, NaiveDate};
use serde_json::{Map, Value};
use std::collections::BTreeSet;

/// Every Beluga endpoint that takes a request body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    /// ref, "Visit form submission(ID photos)": `POST /visit/createNoPayPhotos`.
    Visit,
    /// ref, "Lab results submission(ID photos)": `POST /lab/receiveLabResults`.
    Lab,
    /// ref, "Patient photos submission": `POST /external/receivePhotos`.
    Photos,
    /// ref, "PDF submission": `POST /external/receivePdf`.
    Pdf,
    /// ref, "Send patient chat message": `POST /external/receiveChat`.
    Chat,
    /// ref, "Customer service message": `POST /external/receiveCSMessage`.
    CsMessage,
    /// ref, "Patient name update": `POST /external/patientName`.
    PatientName,
    /// ref, "Pharmacy list": `POST /external/pharmacies`.
    PharmacySearch,
    /// ref, "Update visit/Resend prescription": `POST /external/updateVisit`.
    UpdateVisit,
}

impl Endpoint {
    /// Every endpoint, in the reference's order.
    pub const ALL: [Endpoint; 9] = [
        Endpoint::Visit,
        Endpoint::Lab,
        Endpoint::Photos,
        Endpoint::Pdf,
        Endpoint::Chat,
        Endpoint::CsMessage,
        Endpoint::PatientName,
        Endpoint::PharmacySearch,
        Endpoint::UpdateVisit,
    ];

    /// The path as the reference spells it.
    pub fn path(self) -> &'static str {
        match self {
            Endpoint::Visit => "/visit/createNoPayPhotos",
            Endpoint::Lab => "/lab/receiveLabResults",
            Endpoint::Photos => "/external/receivePhotos",
            Endpoint::Pdf => "/external/receivePdf",
            Endpoint::Chat => "/external/receiveChat",
            Endpoint::CsMessage => "/external/receiveCSMessage",
            Endpoint::PatientName => "/external/patientName",
            Endpoint::PharmacySearch => "/external/pharmacies",
            Endpoint::UpdateVisit => "/external/updateVisit",
        }
    }

    /// The endpoint of a body kind as rxgate's vectors name it (`visit`, `cs-message`, …).
    pub fn from_kind(kind: &str) -> Option<Endpoint> {
        Some(match kind {
            "visit" => Endpoint::Visit,
            "lab" => Endpoint::Lab,
            "photos" => Endpoint::Photos,
            "pdf" => Endpoint::Pdf,
            "chat" => Endpoint::Chat,
            "cs-message" => Endpoint::CsMessage,
            "patient-name" => Endpoint::PatientName,
            "pharmacy-search" => Endpoint::PharmacySearch,
            "update-visit" => Endpoint::UpdateVisit,
            _ => return None,
        })
    }

    /// The one string the endpoint answers for any malformed body (ref, each endpoint's error
    /// list); `None` for visit and lab creation, whose errors are per field.
    pub fn body_error(self) -> Option<&'static str> {
        match self {
            Endpoint::Visit | Endpoint::Lab => None,
            Endpoint::Photos => Some("Error accepting images"),
            Endpoint::Pdf => Some("Error accepting image"),
            Endpoint::Chat | Endpoint::CsMessage => {
                Some("Incorrect data structure or missing data")
            }
            Endpoint::PatientName => Some("Data format incorrect"),
            Endpoint::PharmacySearch => Some("Invalid search parameters"),
            // ref, "Update visit": only status words are documented; the catch-all is
            // `GENERIC` with `System error: {error}`.
            Endpoint::UpdateVisit => Some(UPDATE_VISIT_ERROR),
        }
    }
}

/// The `{error}` of the `GENERIC` answer the sandbox gives a malformed `updateVisit` body.
pub const UPDATE_VISIT_ERROR: &str = "Incorrect data structure or missing data";

/// ref, visit creation: "If any fields are empty, null, undefined, or empty string".
pub const MISSING_VALUES: &str = "Missing values";
/// ref, visit creation: "If any of the required metadata parameters are missing from req.body".
pub const MISSING_METADATA: &str = "Missing metadata";
/// ref, visit creation: "Generic catch-all error".
pub const CATCH_ALL: &str = "Something went wrong, please check all data";
/// ref, visit creation: "If any patientPreference does not pass validation".
pub const PREFERENCE_ERROR: &str = "patientPreference fields error";
/// ref, visit creation: "not included in our allowable state list".
pub const STATE_NOT_VALID: &str = "State not valid";
/// ref, lab: "If req.body.testToTreat is false and req.body.patientPreference is present".
pub const PREFERENCE_NOT_ALLOWED: &str = "Patient preference not allowed";
/// ref, lab: "If there are any unexpected fields in either req.body or req.body.formObj".
pub const BAD_FIELDS: &str = "Payload contains bad fields: ";

/// Where a refusal falls in Beluga's checking order (the reference lists metadata and the
/// emptiness rule before the per-field errors, the catch-all last).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Stage {
    Metadata,
    MissingValues,
    BadFields,
    Field,
    CatchAll,
}

/// What Beluga makes of one request body.
#[derive(Debug, Clone, Default)]
pub struct Verdict {
    refusals: Vec<(Stage, String)>,
    /// Members the reference does not define for the endpoint, where it does not refuse them
    /// (JSON Pointers; the lab endpoint refuses them instead).
    pub undocumented: Vec<String>,
}

impl Verdict {
    /// Beluga accepts the body.
    pub fn accepted(&self) -> bool {
        self.refusals.is_empty()
    }

    /// The error Beluga answers: the first refusal of the earliest stage.
    pub fn answer(&self) -> Option<&str> {
        self.refusals
            .iter()
            .min_by_key(|(stage, _)| *stage)
            .map(|(_, message)| message.as_str())
    }

    /// Every error string the body earns, sorted and unique.
    pub fn errors(&self) -> BTreeSet<&str> {
        self.refusals.iter().map(|(_, m)| m.as_str()).collect()
    }

    fn refuse(&mut self, stage: Stage, message: &str) {
        self.refusals.push((stage, message.to_owned()));
    }
}

/// Checks `body` as Beluga's `endpoint` would on `today` (the date its 18+ rule counts from).
pub fn check(endpoint: Endpoint, body: &Value, today: NaiveDate) -> Verdict {
    let mut verdict = Verdict::default();
    match endpoint {
        Endpoint::Visit | Endpoint::Lab => creation(endpoint, body, today, &mut verdict),
        _ => {
            let ok = match endpoint {
                Endpoint::Photos => photos(body, &mut verdict),
                Endpoint::Pdf => pdf(body, &mut verdict),
                Endpoint::Chat => chat(body, &mut verdict),
                Endpoint::CsMessage => cs_message(body, &mut verdict),
                Endpoint::PatientName => patient_name(body, &mut verdict),
                Endpoint::PharmacySearch => pharmacy_search(body, &mut verdict),
                _ => update_visit(body, &mut verdict),
            };
            if let (false, Some(message)) = (ok, endpoint.body_error()) {
                verdict.refuse(Stage::Field, message);
            }
        }
    }
    verdict
}

/// Today's date where no US state is ahead: UTC−10 (Hawaii), decisions.md §2 `dob`.
pub fn today() -> NaiveDate {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
    chrono::DateTime::from_timestamp(now.saturating_sub(10 * 3600), 0)
        .unwrap_or_default()
        .date_naive()
}

// ---------------------------------------------------------------------------------------
// Visit and lab creation
// ---------------------------------------------------------------------------------------

/// A rule on one `formObj` member.
#[derive(Debug, Clone, Copy)]
enum Rule {
    /// `Boolean (ONLY true)`.
    ConsentTrue,
    /// `String (100 character limit)`; decisions.md §2: letters of any script, spaces, `'`,
    /// `-`, `.`, `,`.
    Name,
    /// `String (MM/DD/YYYY, 18+ verified in client)`.
    Dob,
    /// `String (10 characters, only digits, … valid US mobile number)`.
    Phone,
    /// `String`; decisions.md §2 `email`.
    Email,
    /// `String`; decisions.md §2 `address, city`: 200 characters, no control characters.
    Place,
    /// `String (2 characters, capitalized, ex. "CA")`, then the allowable state list.
    State,
    /// `String (5 characters, only digits)`.
    Zip,
    /// `String (ONLY "Male", "Female")`.
    Sex,
    /// `String`; decisions.md §2: 2000 characters at most.
    Story,
}

/// ref, visit creation, `formObj`: the standard members with the error each one earns
/// (ref, "If the <field> field does not pass validation").
const FORM: [(&str, &str, Rule); 14] = [
    (
        "consentsSigned",
        "consentsSigned must be true",
        Rule::ConsentTrue,
    ),
    ("firstName", "firstName or lastName error", Rule::Name),
    ("lastName", "firstName or lastName error", Rule::Name),
    ("dob", "Dob error", Rule::Dob),
    ("phone", "Phone number error", Rule::Phone),
    ("email", "Email error", Rule::Email),
    ("address", "Address error", Rule::Place),
    ("city", "City error", Rule::Place),
    ("state", "State error", Rule::State),
    ("zip", "Zip error", Rule::Zip),
    ("sex", "Sex error", Rule::Sex),
    ("selfReportedMeds", "SelfReportedMeds error", Rule::Story),
    ("allergies", "Allergies error", Rule::Story),
    ("medicalConditions", "MedicalConditions error", Rule::Story),
];

/// ref, visit creation: the metadata members of `req.body`.
const METADATA: [&str; 4] = ["pharmacyId", "masterId", "company", "visitType"];

/// ref, lab: the `formObj` members beside the standard ones (Qn/An aside).
const LAB_FORM_EXTRA: [&str; 3] = ["testToTreat", "results", "patientPreference"];

/// ref, visit creation, "allowable state list"; decisions.md §2: the 50 states and DC.
const STATES: [&str; 51] = [
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID", "IL", "IN", "IA",
    "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM",
    "NY", "NC", "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA",
    "WV", "WI", "WY",
];

fn creation(endpoint: Endpoint, body: &Value, today: NaiveDate, v: &mut Verdict) {
    // A body that is no object has none of the metadata.
    let Some(top) = body.as_object() else {
        v.refuse(Stage::Metadata, MISSING_METADATA);
        return;
    };
    for name in METADATA {
        match top.get(name) {
            None => v.refuse(Stage::Metadata, MISSING_METADATA),
            Some(value) => top_level_text(value, v),
        }
    }
    let form = match top.get("formObj") {
        None => {
            v.refuse(Stage::Metadata, MISSING_METADATA);
            None
        }
        Some(Value::Null) => {
            v.refuse(Stage::MissingValues, MISSING_VALUES);
            None
        }
        Some(Value::Object(form)) => Some(form),
        Some(_) => {
            v.refuse(Stage::CatchAll, CATCH_ALL);
            None
        }
    };
    unknown_members(endpoint, top, form, v);
    if let Some(form) = form {
        form_fields(form, today, v);
        match endpoint {
            Endpoint::Lab => lab_members(form, v),
            _ => match form.get("patientPreference") {
                None => v.refuse(Stage::Field, PREFERENCE_ERROR),
                Some(value) => preferences(value, false, v),
            },
        }
        questions(form, v);
    }
}

/// A metadata value: a non-empty string (`pharmacyId` too: decisions.md §2, "Everywhere").
fn top_level_text(value: &Value, v: &mut Verdict) {
    match value {
        Value::Null => v.refuse(Stage::MissingValues, MISSING_VALUES),
        Value::String(s) if s.trim().is_empty() => v.refuse(Stage::MissingValues, MISSING_VALUES),
        Value::String(_) => {}
        _ => v.refuse(Stage::CatchAll, CATCH_ALL),
    }
}

/// Whether `name` is a custom question or answer member (`Q<n>`, `A<n>`).
fn qa_number(name: &str) -> Option<(char, &str)> {
    let mut chars = name.chars();
    let letter = chars.next().filter(|c| *c == 'Q' || *c == 'A')?;
    let digits = chars.as_str();
    (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())).then_some((letter, digits))
}

fn standard_member(name: &str) -> bool {
    FORM.iter().any(|(n, _, _)| *n == name)
}

/// Members the reference does not define: refused on the lab endpoint (ref, lab, "Payload
/// contains bad fields: {FIELD NAMES}", body members first, then formObj's, each in payload
/// order), noted elsewhere (the visit endpoint documents no such error).
fn unknown_members(
    endpoint: Endpoint,
    top: &Map<String, Value>,
    form: Option<&Map<String, Value>>,
    v: &mut Verdict,
) {
    let mut names: Vec<(String, String)> = top
        .keys()
        .filter(|k| *k != "formObj" && !METADATA.contains(&k.as_str()))
        .map(|k| (k.clone(), pointer(&[k])))
        .collect();
    for key in form.into_iter().flat_map(Map::keys) {
        let lab_extra = LAB_FORM_EXTRA.contains(&key.as_str());
        let visit_extra = key == "patientPreference";
        let extra = if endpoint == Endpoint::Lab {
            lab_extra
        } else {
            visit_extra
        };
        if !standard_member(key) && !extra && qa_number(key).is_none() {
            names.push((key.clone(), pointer(&["formObj", key])));
        }
    }
    if names.is_empty() {
        return;
    }
    if endpoint == Endpoint::Lab {
        let list: Vec<&str> = names.iter().map(|(n, _)| n.as_str()).collect();
        v.refuse(
            Stage::BadFields,
            &format!("{BAD_FIELDS}{}", list.join(", ")),
        );
    } else {
        v.undocumented.extend(names.into_iter().map(|(_, p)| p));
    }
}

/// A JSON Pointer from its tokens (`~` and `/` escaped).
fn pointer(tokens: &[&str]) -> String {
    tokens
        .iter()
        .map(|t| format!("/{}", t.replace('~', "~0").replace('/', "~1")))
        .collect()
}

/// The standard members: absent earns the field's own error; null or blank `Missing values`;
/// another type the field's own error; else the field's rule.
fn form_fields(form: &Map<String, Value>, today: NaiveDate, v: &mut Verdict) {
    for (name, error, rule) in FORM {
        match form.get(name) {
            None => v.refuse(Stage::Field, error),
            Some(Value::Null) => v.refuse(Stage::MissingValues, MISSING_VALUES),
            // "empty string" is `Missing values` whatever the member's type.
            Some(Value::String(s)) if s.trim().is_empty() => {
                v.refuse(Stage::MissingValues, MISSING_VALUES);
            }
            Some(Value::Bool(b)) if matches!(rule, Rule::ConsentTrue) => {
                if !b {
                    v.refuse(Stage::Field, error);
                }
            }
            Some(Value::String(s)) if !matches!(rule, Rule::ConsentTrue) => {
                text_rule(rule, s, error, today, v);
            }
            Some(_) => v.refuse(Stage::Field, error),
        }
    }
}

fn text_rule(rule: Rule, s: &str, error: &str, today: NaiveDate, v: &mut Verdict) {
    let ok = match rule {
        Rule::ConsentTrue => false,
        Rule::Name => name_ok(s),
        Rule::Dob => dob_ok(s, today),
        Rule::Phone => phone_ok(s),
        Rule::Email => email_ok(s),
        Rule::Place => s.chars().count() <= 200 && !s.chars().any(char::is_control),
        Rule::State => {
            let format = s.len() == 2 && s.bytes().all(|b| b.is_ascii_uppercase());
            if format && !STATES.contains(&s) {
                v.refuse(Stage::Field, STATE_NOT_VALID);
            }
            format
        }
        Rule::Zip => digits(s, 5),
        Rule::Sex => s == "Male" || s == "Female",
        Rule::Story => s.chars().count() <= 2000,
    };
    if !ok {
        v.refuse(Stage::Field, error);
    }
}

fn digits(s: &str, n: usize) -> bool {
    s.len() == n && s.bytes().all(|b| b.is_ascii_digit())
}

/// ref: `String (100 character limit)`; decisions.md §2: 1–100 characters after trimming,
/// letters of any script, spaces, `'`, `-`, `.`, `,`; no digits, no control characters.
/// A letter may carry combining accents (a decomposed `é` is still a letter).
pub fn name_ok(s: &str) -> bool {
    let t = s.trim();
    let count = t.chars().count();
    (1..=100).contains(&count)
        && !s.chars().any(char::is_control)
        && t.chars().all(|c| {
            c.is_alphabetic() || combining(c) || c == ' ' || matches!(c, '\'' | '-' | '.' | ',')
        })
}

/// The combining diacritical mark blocks.
fn combining(c: char) -> bool {
    matches!(u32::from(c), 0x0300..=0x036F | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF | 0x20D0..=0x20FF | 0xFE20..=0xFE2F)
}

/// `MM/DD/YYYY` with two-digit month and day, as a calendar date.
fn us_date(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    let shape = b.len() == 10
        && b.get(2) == Some(&b'/')
        && b.get(5) == Some(&b'/')
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 2 || i == 5 || c.is_ascii_digit());
    if !shape {
        return None;
    }
    NaiveDate::parse_from_str(s, "%m/%d/%Y").ok()
}

/// ref: `MM/DD/YYYY, 18+`; decisions.md §2: a real date, not in the future, 18 or older on
/// `today`; a 29 February birthday turns 18 on 1 March in common years.
pub fn dob_ok(s: &str, today: NaiveDate) -> bool {
    let Some(born) = us_date(s) else {
        return false;
    };
    if born > today {
        return false;
    }
    let year = born.year() + 18;
    let eighteenth = NaiveDate::from_ymd_opt(year, born.month(), born.day())
        .or_else(|| NaiveDate::from_ymd_opt(year, 3, 1));
    eighteenth.is_some_and(|d| d <= today)
}

/// ref: 10 digits, a valid US mobile number; decisions.md §2: NANP area code and exchange
/// start 2–9 and are not N11; toll-free and premium area codes and 555-01XX are no mobiles.
pub fn phone_ok(s: &str) -> bool {
    if !digits(s, 10) {
        return false;
    }
    let (area, rest) = s.split_at(3);
    let (exchange, line) = rest.split_at(3);
    let nanp = |part: &str| !part.starts_with(['0', '1']) && !part.ends_with("11");
    const NOT_MOBILE: [&str; 8] = ["800", "833", "844", "855", "866", "877", "888", "900"];
    nanp(area)
        && nanp(exchange)
        && !NOT_MOBILE.contains(&area)
        && !(exchange == "555" && line.starts_with("01"))
}

/// decisions.md §2: one `@`, a local part, a domain with a dot and a TLD of 2+ letters, no
/// spaces, 254 characters at most.
pub fn email_ok(s: &str) -> bool {
    let parts: Vec<&str> = s.split('@').collect();
    let [local, domain] = parts.as_slice() else {
        return false;
    };
    let tld_ok = domain.rsplit_once('.').is_some_and(|(host, tld)| {
        !host.is_empty() && tld.chars().count() >= 2 && tld.chars().all(char::is_alphabetic)
    });
    s.chars().count() <= 254 && !local.is_empty() && tld_ok && !s.chars().any(char::is_whitespace)
}

/// ref, visit `patientPreference`: a non-empty array of objects with `name`, `strength`,
/// `quantity`, `refills`, `medId` (and `daysSupply`, optional on creation, required on
/// `updateVisit`) as non-empty strings. Absent members, other types: `patientPreference
/// fields error`; null or blank members: `Missing values`.
fn preferences(value: &Value, days_required: bool, v: &mut Verdict) {
    let items = match value {
        Value::Null => return v.refuse(Stage::MissingValues, MISSING_VALUES),
        Value::Array(items) if !items.is_empty() => items,
        _ => return v.refuse(Stage::Field, PREFERENCE_ERROR),
    };
    for item in items {
        let item = match item {
            Value::Object(item) => item,
            Value::Null => {
                v.refuse(Stage::MissingValues, MISSING_VALUES);
                continue;
            }
            _ => {
                v.refuse(Stage::Field, PREFERENCE_ERROR);
                continue;
            }
        };
        for member in [
            "name",
            "strength",
            "quantity",
            "refills",
            "daysSupply",
            "medId",
        ] {
            let required = member != "daysSupply" || days_required;
            match item.get(member) {
                None if required => v.refuse(Stage::Field, PREFERENCE_ERROR),
                None => {}
                Some(value) => item_text(value, PREFERENCE_ERROR, v),
            }
        }
    }
}

/// A member of an array item: null or blank `Missing values`, another type than a string `wrong`.
fn item_text(value: &Value, wrong: &str, v: &mut Verdict) {
    match value {
        Value::Null => v.refuse(Stage::MissingValues, MISSING_VALUES),
        Value::String(s) if s.trim().is_empty() => v.refuse(Stage::MissingValues, MISSING_VALUES),
        Value::String(_) => {}
        _ => v.refuse(Stage::Field, wrong),
    }
}

/// ref, lab: `testToTreat` (Boolean, required), `results` (required), `patientPreference`
/// (required when `testToTreat` is true, refused when it is false).
fn lab_members(form: &Map<String, Value>, v: &mut Verdict) {
    let treat = match form.get("testToTreat") {
        Some(Value::Bool(b)) => Some(*b),
        // decisions.md §2: absent or not boolean is `Missing values`.
        _ => {
            v.refuse(Stage::MissingValues, MISSING_VALUES);
            None
        }
    };
    match (treat, form.get("patientPreference")) {
        (Some(false), Some(_)) => v.refuse(Stage::Field, PREFERENCE_NOT_ALLOWED),
        (Some(true), None) => v.refuse(Stage::Field, PREFERENCE_ERROR),
        (_, Some(value)) => preferences(value, false, v),
        (_, None) => {}
    }
    match form.get("results") {
        Some(Value::Array(items)) if !items.is_empty() => {
            for item in items {
                lab_result(item, v);
            }
        }
        // Absent, null, empty or not an array: decisions.md §2 `Missing values`.
        _ => v.refuse(Stage::MissingValues, MISSING_VALUES),
    }
}

/// ref, lab `results[]` items; decisions.md §2: absent or empty members `Missing values`,
/// values breaking the rule the catch-all.
fn lab_result(item: &Value, v: &mut Verdict) {
    let Some(item) = item.as_object() else {
        return v.refuse(Stage::MissingValues, MISSING_VALUES);
    };
    const MEMBERS: [&str; 8] = [
        "screeningDate",
        "testName",
        "testResult",
        "testResultUnits",
        "refRange",
        "statusIndicator",
        "reportDate",
        "sampleSource",
    ];
    let mut text = std::collections::BTreeMap::new();
    for member in MEMBERS {
        match item.get(member) {
            None | Some(Value::Null) => v.refuse(Stage::MissingValues, MISSING_VALUES),
            Some(Value::String(s)) if s.trim().is_empty() => {
                v.refuse(Stage::MissingValues, MISSING_VALUES);
            }
            Some(Value::String(s)) => {
                text.insert(member, s.as_str());
            }
            Some(_) => v.refuse(Stage::CatchAll, CATCH_ALL),
        }
    }
    let date_bad = ["screeningDate", "reportDate"]
        .iter()
        .any(|m| text.get(m).is_some_and(|s| us_date(s).is_none()));
    // ref: `sampleSource` ("URINE", "BLOOD", "SALIVA", "VAGINAL", "RECTAL", "SEMEN").
    const SOURCES: [&str; 6] = ["URINE", "BLOOD", "SALIVA", "VAGINAL", "RECTAL", "SEMEN"];
    let source_bad = text
        .get("sampleSource")
        .is_some_and(|s| !SOURCES.contains(s));
    let indicator_bad = text.get("statusIndicator").is_some_and(|ind| {
        !indicator_agrees(
            ind,
            text.get("testResult").copied(),
            text.get("refRange").copied(),
        )
    });
    if date_bad || source_bad || indicator_bad {
        v.refuse(Stage::CatchAll, CATCH_ALL);
    }
}

/// ref: `statusIndicator` "N/A" if not applicable, "H" above, "L" below, "N" inside the
/// range. Agreement is checked when the result is a number and the range is `low-high`,
/// `<x` or `>x` (decisions.md §2).
fn indicator_agrees(indicator: &str, result: Option<&str>, range: Option<&str>) -> bool {
    if !matches!(indicator, "H" | "L" | "N" | "N/A") {
        return false;
    }
    let Some(value) = result.and_then(number) else {
        return true;
    };
    let expected = match range.map(str::trim) {
        Some(r) if r.starts_with('<') => {
            r.get(1..)
                .and_then(number)
                .map(|x| if value < x { "N" } else { "H" })
        }
        Some(r) if r.starts_with('>') => {
            r.get(1..)
                .and_then(number)
                .map(|x| if value > x { "N" } else { "L" })
        }
        Some(r) => range_bounds(r).map(|(low, high)| {
            if value < low {
                "L"
            } else if value > high {
                "H"
            } else {
                "N"
            }
        }),
        None => None,
    };
    expected.is_none_or(|e| e == indicator)
}

/// `low-high` with two decimal numbers.
fn range_bounds(r: &str) -> Option<(f64, f64)> {
    let (low, high) = r.split_once('-')?;
    Some((number(low)?, number(high)?))
}

/// A plain decimal number (`6.1`, `150`, `-2`), nothing else (`inf`, `1e3` are not results).
fn number(s: &str) -> Option<f64> {
    let t = s.trim();
    let unsigned = t.strip_prefix('-').unwrap_or(t);
    let mut parts = unsigned.splitn(2, '.');
    let whole = parts.next().unwrap_or_default();
    let frac = parts.next();
    let digits_ok = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
    (digits_ok(whole) && frac.is_none_or(digits_ok))
        .then(|| t.parse().ok())
        .flatten()
}

/// ref, visit creation, custom questions: `Q1`/`A1` … `Q[n]`/`A[n]` strings; a multiple choice
/// question carries `POSSIBLE ANSWERS: a; b; c` and its answer the chosen choices joined by
/// `; `. decisions.md §2: pairs numbered from 1 without gaps; breaking this is the catch-all.
fn questions(form: &Map<String, Value>, v: &mut Verdict) {
    let mut questions = BTreeSet::new();
    let mut answers = BTreeSet::new();
    let mut broken = false;
    for (key, value) in form {
        let Some((letter, digits)) = qa_number(key) else {
            continue;
        };
        let number = digits
            .parse::<u64>()
            .ok()
            .filter(|n| *n > 0 && !digits.starts_with('0'));
        match (letter, number) {
            ('Q', Some(n)) => {
                questions.insert(n);
            }
            (_, Some(n)) => {
                answers.insert(n);
            }
            (_, None) => broken = true,
        }
        match value {
            Value::Null => v.refuse(Stage::MissingValues, MISSING_VALUES),
            Value::String(s) if s.trim().is_empty() => {
                v.refuse(Stage::MissingValues, MISSING_VALUES);
            }
            Value::String(_) => {}
            _ => broken = true,
        }
    }
    let count = u64::try_from(questions.len()).unwrap_or(u64::MAX);
    let numbered = questions.iter().copied().eq(1..=count);
    if broken || questions != answers || !numbered || !choices_ok(form) {
        v.refuse(Stage::CatchAll, CATCH_ALL);
    }
}

const MARKER: &str = "POSSIBLE ANSWERS:";

/// Every multiple choice question's answer is among its offered choices.
fn choices_ok(form: &Map<String, Value>) -> bool {
    form.iter().all(|(key, value)| {
        let Some(('Q', digits)) = qa_number(key) else {
            return true;
        };
        let Some(question) = value.as_str() else {
            return true;
        };
        let answer = form.get(&format!("A{digits}")).and_then(Value::as_str);
        choice_pair(question, answer)
    })
}

fn choice_pair(question: &str, answer: Option<&str>) -> bool {
    let Some((_, offered)) = question.split_once(MARKER) else {
        // The marker in any other spelling is a malformed multiple choice question.
        return !question.to_uppercase().contains("POSSIBLE ANSWERS");
    };
    let choices: Vec<&str> = offered.split(';').map(str::trim).collect();
    if choices.iter().any(|c| c.is_empty()) {
        return false;
    }
    let Some(answer) = answer.filter(|a| !a.trim().is_empty()) else {
        // A missing or empty answer is refused by its own rule.
        return true;
    };
    answer
        .split(';')
        .map(str::trim)
        .all(|a| choices.contains(&a))
}

// ---------------------------------------------------------------------------------------
// The other seven endpoints: each answers one string for any malformed body
// ---------------------------------------------------------------------------------------

/// A present, non-empty, non-blank string member.
fn has_text(body: &Map<String, Value>, name: &str) -> bool {
    body.get(name)
        .and_then(Value::as_str)
        .is_some_and(|s| !s.trim().is_empty())
}

/// Notes the members of `body` the reference does not define for the endpoint.
fn note_undocumented(body: &Map<String, Value>, known: &[&str], v: &mut Verdict) {
    v.undocumented.extend(
        body.keys()
            .filter(|k| !known.contains(&k.as_str()))
            .map(|k| pointer(&[k])),
    );
}

/// The most a photo may weigh decoded: ref, photos, "ensure that all images are <3MB";
/// decisions.md §2: 3 MiB.
pub const MAX_IMAGE_BYTES: usize = 3 * 1024 * 1024;

/// Plain base64 (no `data:` prefix), decoded.
fn base64_bytes(data: &str) -> Option<Vec<u8>> {
    if data.starts_with("data:") {
        return None;
    }
    base64::engine::general_purpose::STANDARD.decode(data).ok()
}

/// A base64 JPEG (ref, photos: "Convert all images to jpeg format", at most 3 MiB).
fn jpeg_ok(data: &str) -> bool {
    base64_bytes(data)
        .is_some_and(|b| b.starts_with(&[0xFF, 0xD8, 0xFF]) && b.len() <= MAX_IMAGE_BYTES)
}

/// ref, "Patient photos submission": `visitId`, `images` [{`mime`: "image/jpeg", `data`}].
fn photos(body: &Value, v: &mut Verdict) -> bool {
    let Some(body) = body.as_object() else {
        return false;
    };
    note_undocumented(body, &["visitId", "images"], v);
    let images = body.get("images").and_then(Value::as_array);
    has_text(body, "visitId")
        && images.is_some_and(|list| {
            !list.is_empty()
                && list.iter().all(|image| {
                    image.get("mime").and_then(Value::as_str) == Some("image/jpeg")
                        && image
                            .get("data")
                            .and_then(Value::as_str)
                            .is_some_and(jpeg_ok)
                })
        })
}

/// ref, "PDF submission": `visitId`, `image` {`mime`: "application/pdf", `data`}.
fn pdf(body: &Value, v: &mut Verdict) -> bool {
    let Some(body) = body.as_object() else {
        return false;
    };
    note_undocumented(body, &["visitId", "image"], v);
    let image = body.get("image").and_then(Value::as_object);
    has_text(body, "visitId")
        && image.is_some_and(|image| {
            image.get("mime").and_then(Value::as_str) == Some("application/pdf")
                && image
                    .get("data")
                    .and_then(Value::as_str)
                    .and_then(base64_bytes)
                    .is_some_and(|b| b.starts_with(b"%PDF-"))
        })
}

/// ref, "Send patient chat message": `firstName`, `lastName`, `content`, `masterId` strings,
/// `isMedia` Boolean; with `isMedia: true` the content is an image encoded as for photos.
fn chat(body: &Value, v: &mut Verdict) -> bool {
    let Some(body) = body.as_object() else {
        return false;
    };
    const MEMBERS: [&str; 5] = ["firstName", "lastName", "content", "isMedia", "masterId"];
    note_undocumented(body, &MEMBERS, v);
    let texts = ["firstName", "lastName", "content", "masterId"]
        .iter()
        .all(|m| has_text(body, m));
    let media = match body.get("isMedia") {
        Some(Value::Bool(true)) => body
            .get("content")
            .and_then(Value::as_str)
            .is_some_and(jpeg_ok),
        Some(Value::Bool(false)) => true,
        _ => false,
    };
    texts && media
}

/// ref, "Customer service message": `content`, `masterId`.
fn cs_message(body: &Value, v: &mut Verdict) -> bool {
    let Some(body) = body.as_object() else {
        return false;
    };
    note_undocumented(body, &["content", "masterId"], v);
    has_text(body, "content") && has_text(body, "masterId")
}

/// ref, "Patient name update": `masterId`, `firstName` and `lastName` (max length 100).
fn patient_name(body: &Value, v: &mut Verdict) -> bool {
    let Some(body) = body.as_object() else {
        return false;
    };
    note_undocumented(body, &["masterId", "firstName", "lastName"], v);
    let short = |m: &str| {
        body.get(m)
            .and_then(Value::as_str)
            .is_some_and(|s| (1..=100).contains(&s.trim().chars().count()))
    };
    has_text(body, "masterId") && short("firstName") && short("lastName")
}

/// ref, "Pharmacy list": at least one of `name`, `city`, `state` ("XX"), `zip` ("XXXXX");
/// decisions.md §2: a member sent empty is invalid too.
fn pharmacy_search(body: &Value, v: &mut Verdict) -> bool {
    let Some(body) = body.as_object() else {
        return false;
    };
    const MEMBERS: [&str; 4] = ["name", "city", "state", "zip"];
    note_undocumented(body, &MEMBERS, v);
    let present: Vec<&str> = MEMBERS
        .into_iter()
        .filter(|m| body.contains_key(*m))
        .collect();
    !present.is_empty()
        && present.iter().all(|m| has_text(body, m))
        && body
            .get("state")
            .and_then(Value::as_str)
            .is_none_or(|s| s.len() == 2 && s.bytes().all(|b| b.is_ascii_uppercase()))
        && body
            .get("zip")
            .and_then(Value::as_str)
            .is_none_or(|z| digits(z, 5))
}

/// ref, "Update visit/Resend prescription": `patientPreference` (every member required,
/// `daysSupply` too), `pharmacyId`, `masterId`, `apiKey`, none null or empty.
fn update_visit(body: &Value, v: &mut Verdict) -> bool {
    let Some(body) = body.as_object() else {
        return false;
    };
    const MEMBERS: [&str; 4] = ["patientPreference", "pharmacyId", "masterId", "apiKey"];
    note_undocumented(body, &MEMBERS, v);
    let mut inner = Verdict::default();
    match body.get("patientPreference") {
        Some(value) => preferences(value, true, &mut inner),
        None => inner.refuse(Stage::Field, PREFERENCE_ERROR),
    }
    inner.accepted() && MEMBERS.iter().skip(1).all(|m| has_text(body, m))
}

#[cfg(test)]
mod tests;
