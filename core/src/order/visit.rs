//! Visit building: snapshot + `masterId` + today → the `createNoPayPhotos` body, or the
//! `receiveLabResults` body when the patient supplies lab results.
//!
//! The builder normalises demographics with the contract's normalisers, maps intake answers
//! to `Qn`/`An` pairs (multiple choice in the `POSSIBLE ANSWERS:` form; medications,
//! allergies and conditions only to their own fields), builds `patientPreference` from the
//! Beluga items' drugs (`medId` = `belugaMedId`, else `DIN`), takes `pharmacyId` from the
//! priority rule and `visitType`/`company` from configuration, and then runs the contract
//! validator on the result. A body is handed out only when it is valid; otherwise the
//! answer is the violations (field names and rules, no values).
//!
//! ## Choices where the spec is silent
//! - `selfReportedMeds`, `allergies` and `medicalConditions` are the text of the intake
//!   answers mapped to them; with no such answer, or a blank one, they are the literal
//!   `"None"` the spec tells callers to send.
//! - Unanswered custom questions are left out (Beluga refuses empty values) and the
//!   remaining pairs are numbered from 1 without gaps.
//! - `address` is street line 1, then line 2 after `", "` when present; the home address is
//!   used, else the shipping address.
//! - `sex` accepts `male`/`m`/`female`/`f` in any case; anything else is passed through for
//!   the validator to name.
//! - `testToTreat` is true when the lab visit carries medication preferences.

use super::codes;
use super::intake::{check_intakes, lab_method};
use super::pharmacy::select_pharmacy;
use super::reason::{Actor, Reason};
use super::snapshot::{
    non_blank, AnswerValue, Intake, IntakeAnswer, LabMethod, OrderSnapshot, StandardField,
};
use crate::contract::{normalize, validate_value, Kind, ValidateOptions};
use crate::issue::Violation;
use chrono::NaiveDate;
use serde::Serialize;
use serde_json::{Map, Value};

/// Which Beluga endpoint the visit goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum VisitKind {
    /// `/visit/createNoPayPhotos`.
    Visit,
    /// `/lab/receiveLabResults`.
    Lab,
}

impl VisitKind {
    /// The contract kind.
    pub fn contract_kind(self) -> Kind {
        match self {
            VisitKind::Visit => Kind::Visit,
            VisitKind::Lab => Kind::Lab,
        }
    }
}

/// The endpoint an order's visit uses: the lab endpoint when the lab method says the
/// patient supplies results.
pub fn visit_kind(snapshot: &OrderSnapshot) -> VisitKind {
    let check = check_intakes(snapshot);
    match lab_method(&check.intakes) {
        Some(LabMethod::PatientSuppliedResults) if super::intake::labs_apply(snapshot) => {
            VisitKind::Lab
        }
        _ => VisitKind::Visit,
    }
}

/// The builder's answer.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct BuiltVisit {
    /// Which endpoint.
    pub kind: VisitKind,
    /// Its path below the Beluga base URL.
    pub endpoint: &'static str,
    /// True when `body` is present: built and valid.
    pub valid: bool,
    /// The body, only when valid.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
    /// Why the body could not be assembled (configuration, mapping, intake answers).
    pub reasons: Vec<Reason>,
    /// The contract violations of the assembled body.
    pub violations: Vec<Violation>,
    /// The contract warnings of the assembled body.
    pub warnings: Vec<Violation>,
}

/// A body assembled from the snapshot, before validation.
#[derive(Debug, Clone)]
pub struct Assembled {
    /// Which endpoint.
    pub kind: VisitKind,
    /// The body (possibly incomplete).
    pub body: Value,
    /// Structural reasons found while assembling.
    pub reasons: Vec<Reason>,
    /// Demographic Beluga fields with no value in the snapshot.
    pub missing: Vec<String>,
    /// Demographic Beluga fields the normalisers refused.
    pub unnormalisable: Vec<String>,
}

/// The demographic fields of `formObj`, in the reference's order.
pub const DEMOGRAPHIC_FIELDS: [&str; 11] = [
    "consentsSigned",
    "firstName",
    "lastName",
    "dob",
    "phone",
    "email",
    "address",
    "city",
    "state",
    "zip",
    "sex",
];

fn text(value: &str) -> Value {
    Value::String(normalize::trim(value))
}

/// Normalises `value` with `f`, recording the field when it cannot be normalised (the raw
/// trimmed value is kept so the validator names the rule).
fn normalised(
    field: &str,
    value: Option<&String>,
    f: fn(&str) -> Result<String, normalize::NormalizeError>,
    form: &mut Map<String, Value>,
    missing: &mut Vec<String>,
    unnormalisable: &mut Vec<String>,
) {
    match non_blank(value) {
        None => missing.push(field.to_owned()),
        Some(raw) => match f(raw) {
            Ok(v) => {
                form.insert(field.to_owned(), Value::String(v));
            }
            Err(_) => {
                unnormalisable.push(field.to_owned());
                form.insert(field.to_owned(), text(raw));
            }
        },
    }
}

fn plain(
    field: &str,
    value: Option<&str>,
    form: &mut Map<String, Value>,
    missing: &mut Vec<String>,
) {
    match value.filter(|v| !v.trim().is_empty()) {
        None => missing.push(field.to_owned()),
        Some(v) => {
            form.insert(field.to_owned(), text(v));
        }
    }
}

fn normalise_sex(raw: &str) -> Result<String, normalize::NormalizeError> {
    match normalize::trim(raw).to_ascii_lowercase().as_str() {
        "male" | "m" => Ok("Male".to_owned()),
        "female" | "f" => Ok("Female".to_owned()),
        _ => Err(normalize::NormalizeError::ChoiceNotOffered),
    }
}

fn answer_text(answer: &IntakeAnswer) -> String {
    match &answer.answer {
        AnswerValue::Text(t) => normalize::trim(t),
        AnswerValue::Choices(c) => c
            .iter()
            .map(|s| normalize::trim(s))
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join("; "),
    }
}

/// Adds the demographic fields of the patient to `form`.
fn demographics(
    snapshot: &OrderSnapshot,
    form: &mut Map<String, Value>,
    missing: &mut Vec<String>,
    unnormalisable: &mut Vec<String>,
) {
    let p = &snapshot.patient;
    if p.consents_signed {
        form.insert("consentsSigned".to_owned(), Value::Bool(true));
    } else {
        missing.push("consentsSigned".to_owned());
    }
    plain("firstName", p.first_name.as_deref(), form, missing);
    plain("lastName", p.last_name.as_deref(), form, missing);
    normalised(
        "dob",
        p.dob.as_ref(),
        normalize::date,
        form,
        missing,
        unnormalisable,
    );
    normalised(
        "phone",
        p.phone.as_ref(),
        normalize::phone,
        form,
        missing,
        unnormalisable,
    );
    plain("email", p.email.as_deref(), form, missing);
    let address = p.address.as_ref().or(p.shipping_address.as_ref());
    let street = address.and_then(|a| {
        let line1 = non_blank(a.line1.as_ref())?;
        Some(match non_blank(a.line2.as_ref()) {
            Some(line2) => format!("{}, {}", normalize::trim(line1), normalize::trim(line2)),
            None => normalize::trim(line1),
        })
    });
    plain("address", street.as_deref(), form, missing);
    plain(
        "city",
        address.and_then(|a| a.city.as_deref()),
        form,
        missing,
    );
    normalised(
        "state",
        address.and_then(|a| a.state.as_ref()),
        normalize::state,
        form,
        missing,
        unnormalisable,
    );
    plain("zip", address.and_then(|a| a.zip.as_deref()), form, missing);
    normalised(
        "sex",
        p.sex.as_ref(),
        normalise_sex,
        form,
        missing,
        unnormalisable,
    );
}

/// Adds the standard fields and the custom `Qn`/`An` pairs of the intakes to `form`.
fn answers(intakes: &[&Intake], form: &mut Map<String, Value>, reasons: &mut Vec<Reason>) {
    let standard = [
        (StandardField::SelfReportedMeds, "selfReportedMeds"),
        (StandardField::Allergies, "allergies"),
        (StandardField::MedicalConditions, "medicalConditions"),
    ];
    for (field, name) in standard {
        let joined = intakes
            .iter()
            .flat_map(|i| i.answers.iter())
            .filter(|a| a.maps_to == Some(field))
            .map(answer_text)
            .filter(|t| !t.is_empty())
            .collect::<Vec<_>>()
            .join("; ");
        let value = if joined.is_empty() {
            "None".to_owned()
        } else {
            joined
        };
        form.insert(name.to_owned(), Value::String(value));
    }
    let mut n = 0usize;
    let mut index = 0usize;
    for intake in intakes {
        for answer in &intake.answers {
            index += 1;
            if answer.maps_to.is_some() {
                continue;
            }
            let pair = if answer.choices.is_empty() {
                let a = answer_text(answer);
                if a.is_empty() {
                    continue;
                }
                Ok((normalize::trim(&answer.question), a))
            } else {
                let chosen: Vec<String> = match &answer.answer {
                    AnswerValue::Text(t) if t.trim().is_empty() => continue,
                    AnswerValue::Text(t) => vec![t.clone()],
                    AnswerValue::Choices(c) if c.is_empty() => continue,
                    AnswerValue::Choices(c) => c.clone(),
                };
                normalize::multiple_choice_question(&answer.question, &answer.choices).and_then(
                    |q| normalize::multiple_choice_answer(&answer.choices, &chosen).map(|a| (q, a)),
                )
            };
            match pair {
                Ok((q, a)) if !q.is_empty() => {
                    n += 1;
                    form.insert(format!("Q{n}"), Value::String(q));
                    form.insert(format!("A{n}"), Value::String(a));
                }
                Ok(_) => {
                    let idx = index.to_string();
                    reasons.push(Reason::new(
                        codes::INTAKE_ANSWER_INVALID,
                        Actor::AdminDevelopment,
                        &[("index", &idx), ("rule", "the question text is empty")],
                    ));
                }
                Err(e) => {
                    let idx = index.to_string();
                    let rule = e.to_string();
                    reasons.push(Reason::new(
                        codes::INTAKE_ANSWER_INVALID,
                        Actor::Patient,
                        &[("index", &idx), ("rule", &rule)],
                    ));
                }
            }
        }
    }
}

/// `patientPreference` items of the Beluga items, with the structural reasons found.
fn preferences(snapshot: &OrderSnapshot, reasons: &mut Vec<Reason>) -> Vec<Value> {
    let mut out = Vec::new();
    for item in snapshot.beluga_items() {
        let Some(drug) = item.drug.as_ref() else {
            reasons.push(Reason::for_item(
                codes::DRUG_UNMAPPED,
                Actor::AdminDevelopment,
                &item.id,
                &[],
            ));
            continue;
        };
        let Some(med_id) = drug.med_id() else {
            reasons.push(Reason::for_item(
                codes::DRUG_MED_ID_MISSING,
                Actor::AdminDevelopment,
                &item.id,
                &[],
            ));
            continue;
        };
        let mut pref = Map::new();
        pref.insert("name".to_owned(), text(&drug.name));
        for (key, value) in [
            ("strength", drug.strength.as_ref()),
            ("quantity", drug.quantity.as_ref()),
            ("refills", drug.refills.as_ref()),
            ("daysSupply", drug.days_supply.as_ref()),
        ] {
            if let Some(v) = non_blank(value) {
                pref.insert(key.to_owned(), text(v));
            }
        }
        pref.insert("medId".to_owned(), text(med_id));
        out.push(Value::Object(pref));
    }
    out
}

fn lab_results(intakes: &[&Intake]) -> Vec<Value> {
    intakes
        .iter()
        .flat_map(|i| i.lab_results.iter())
        .map(|r| {
            let mut m = Map::new();
            for (key, value) in [
                ("screeningDate", r.screening_date.as_ref()),
                ("testName", r.test_name.as_ref()),
                ("testResult", r.test_result.as_ref()),
                ("testResultUnits", r.test_result_units.as_ref()),
                ("refRange", r.ref_range.as_ref()),
                ("statusIndicator", r.status_indicator.as_ref()),
                ("reportDate", r.report_date.as_ref()),
                ("sampleSource", r.sample_source.as_ref()),
            ] {
                if let Some(v) = non_blank(value) {
                    let v = if key.ends_with("Date") {
                        normalize::date(v).unwrap_or_else(|_| normalize::trim(v))
                    } else {
                        normalize::trim(v)
                    };
                    m.insert(key.to_owned(), Value::String(v));
                }
            }
            Value::Object(m)
        })
        .collect()
}

/// Assembles the body from the snapshot without validating it.
pub fn assemble(snapshot: &OrderSnapshot, master_id: &str) -> Assembled {
    let kind = visit_kind(snapshot);
    let mut reasons = Vec::new();
    let mut missing = Vec::new();
    let mut unnormalisable = Vec::new();
    let mut form = Map::new();
    demographics(snapshot, &mut form, &mut missing, &mut unnormalisable);

    let intake_check = check_intakes(snapshot);
    answers(&intake_check.intakes, &mut form, &mut reasons);

    let prefs = preferences(snapshot, &mut reasons);
    match kind {
        VisitKind::Visit => {
            form.insert("patientPreference".to_owned(), Value::Array(prefs));
        }
        VisitKind::Lab => {
            let test_to_treat = !prefs.is_empty();
            form.insert("testToTreat".to_owned(), Value::Bool(test_to_treat));
            form.insert(
                "results".to_owned(),
                Value::Array(lab_results(&intake_check.intakes)),
            );
            if test_to_treat {
                form.insert("patientPreference".to_owned(), Value::Array(prefs));
            }
        }
    }

    let mut body = Map::new();
    body.insert("formObj".to_owned(), Value::Object(form));

    envelope(snapshot, master_id, &mut body, &mut reasons);
    Assembled {
        kind,
        body: Value::Object(body),
        reasons,
        missing,
        unnormalisable,
    }
}

/// The visit's envelope beside `formObj`: the Beluga pharmacy, `masterId`, the company and
/// the visit type, with the reasons any of them is missing.
fn envelope(
    snapshot: &OrderSnapshot,
    master_id: &str,
    body: &mut Map<String, Value>,
    reasons: &mut Vec<Reason>,
) {
    if !snapshot.needs_beluga() {
        reasons.push(Reason::new(codes::BELUGA_NOT_REQUIRED, Actor::Cs, &[]));
    }
    let selection = select_pharmacy(snapshot);
    match selection.beluga_pharmacy_id {
        Some(id) => {
            body.insert("pharmacyId".to_owned(), Value::String(id));
        }
        None => reasons.extend(selection.reasons),
    }
    if !master_id.trim().is_empty() {
        body.insert(
            "masterId".to_owned(),
            Value::String(master_id.trim().to_owned()),
        );
    }
    match non_blank(snapshot.settings.company.as_ref()) {
        Some(company) => {
            body.insert("company".to_owned(), text(company));
        }
        None => reasons.push(Reason::new(
            codes::BELUGA_COMPANY_MISSING,
            Actor::AdminDevelopment,
            &[],
        )),
    }
    let visit_types = distinct_visit_types(snapshot);
    match visit_types.as_slice() {
        [one] => {
            body.insert("visitType".to_owned(), text(one));
        }
        [] => {}
        many => {
            let count = many.len().to_string();
            reasons.push(Reason::new(
                codes::VISIT_TYPE_CONFLICT,
                Actor::Cs,
                &[("count", &count)],
            ));
        }
    }
}

/// The distinct visit types of the Beluga items, in item order.
pub fn distinct_visit_types(snapshot: &OrderSnapshot) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    for item in snapshot.beluga_items() {
        if let Some(t) = item.product.visit_type() {
            if !out.contains(&t) {
                out.push(t);
            }
        }
    }
    out
}

/// Validation options from the snapshot's settings.
pub fn validate_options(snapshot: &OrderSnapshot, today: NaiveDate) -> ValidateOptions {
    let mut options = ValidateOptions::new(today);
    options.allowed_states = snapshot.settings.allowed_states.clone();
    options
}

/// Builds and validates the visit body (see the module docs).
pub fn build_visit(snapshot: &OrderSnapshot, master_id: &str, today: NaiveDate) -> BuiltVisit {
    let assembled = assemble(snapshot, master_id);
    // Without a counting intake the standard fields would claim "None": refuse instead.
    let intake_reasons = check_intakes(snapshot).reasons;
    let report = validate_value(
        assembled.kind.contract_kind(),
        &assembled.body,
        &validate_options(snapshot, today),
    );
    let mut reasons = assembled.reasons;
    reasons.extend(intake_reasons);
    if !assembled.missing.is_empty() {
        reasons.push(Reason::with_fields(
            codes::PATIENT_DATA_INCOMPLETE,
            Actor::Patient,
            assembled.missing,
            &[],
        ));
    }
    if !assembled.unnormalisable.is_empty() {
        reasons.push(Reason::with_fields(
            codes::PATIENT_DATA_INVALID,
            Actor::Patient,
            assembled.unnormalisable,
            &[],
        ));
    }
    let valid = reasons.is_empty() && report.valid;
    let kind = assembled.kind;
    BuiltVisit {
        kind,
        endpoint: kind.contract_kind().endpoint(),
        valid,
        body: valid.then_some(assembled.body),
        reasons,
        violations: report.violations,
        warnings: report.warnings,
    }
}

/// The Beluga field a contract violation path points at inside `formObj`, if any
/// (`/formObj/dob` → `dob`).
pub fn form_field(path: &str) -> Option<&str> {
    path.strip_prefix("/formObj/")
        .map(|rest| rest.split('/').next().unwrap_or(rest))
}
