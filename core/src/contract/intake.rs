//! Visit creation and lab results: the patient form, the metadata, the medication
//! preferences, and (lab) the test-to-treat flag, results and the bad-fields rule.

use super::check::{Beluga, Checker, Loc, Req, MISSING_VALUES};
use super::model::{IntakeForm, IntakeRequest, Preference};
use super::wire::{JsonType, Slot, Text};
use super::{codes, fields, labs, questions, ValidateOptions};

/// `patientPreference fields error`.
pub(crate) const PREFERENCE_ERROR: &str =
    crate::contract::codes::beluga::PATIENT_PREFERENCE_FIELDS_ERROR;

/// Validates a visit (`lab == false`) or lab results body.
pub(crate) fn validate(
    c: &mut Checker,
    request: &IntakeRequest,
    lab: bool,
    options: &ValidateOptions,
) {
    let root = Loc::Root;
    let endpoint = if lab { "lab" } else { "visit" };
    c.duplicates(&root, &request.duplicates);
    let form_at = root.key("formObj");
    let form = c.present(
        &request.form_obj,
        &form_at,
        Req::metadata(),
        JsonType::Object,
    );
    if let Some(form) = form {
        check_form(c, form, &form_at, lab, options);
    }
    for (slot, name) in [
        (&request.pharmacy_id, "pharmacyId"),
        (&request.master_id, "masterId"),
        (&request.company, "company"),
        (&request.visit_type, "visitType"),
    ] {
        c.text(slot, &root.key(name), Req::metadata());
    }
    let form_unknown: &[String] = form.map_or(&[], |f| f.unknown.as_slice());
    unknown_members(c, &request.unknown, form_unknown, lab, endpoint);
}

/// Unknown members: an error on the lab endpoint (`Payload contains bad fields: …`, names
/// in payload order, top level first), a warning on visit creation.
fn unknown_members(c: &mut Checker, top: &[String], form: &[String], lab: bool, endpoint: &str) {
    if top.is_empty() && form.is_empty() {
        return;
    }
    let root = Loc::Root;
    let form_at = root.key("formObj");
    let all: Vec<(&Loc, &String)> = top
        .iter()
        .map(|n| (&root, n))
        .chain(form.iter().map(|n| (&form_at, n)))
        .collect();
    let names = all
        .iter()
        .map(|(_, n)| n.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    for (parent, name) in all {
        let at = parent.key(name);
        let params = [("endpoint", endpoint), ("fields", names.as_str())];
        if lab {
            c.report(codes::UNKNOWN_FIELD, &at, &params, Beluga::Code);
        } else {
            c.warn(codes::UNKNOWN_FIELD, &at, &params);
        }
    }
}

fn check_form(c: &mut Checker, form: &IntakeForm, at: &Loc, lab: bool, options: &ValidateOptions) {
    c.duplicates(at, &form.duplicates);
    let consents = Req::required(Some(
        crate::contract::codes::beluga::CONSENTS_SIGNED_MUST_BE_TRUE,
    ));
    let consents_at = at.key("consentsSigned");
    if c.flag(&form.consents_signed, &consents_at, consents) == Some(false) {
        c.report(codes::CONSENTS_NOT_SIGNED, &consents_at, &[], Beluga::Code);
    }
    demographics(c, form, at, options);
    for (slot, name, own) in [
        (
            &form.self_reported_meds,
            "selfReportedMeds",
            crate::contract::codes::beluga::SELF_REPORTED_MEDS_ERROR,
        ),
        (
            &form.allergies,
            "allergies",
            crate::contract::codes::beluga::ALLERGIES_ERROR,
        ),
        (
            &form.medical_conditions,
            "medicalConditions",
            crate::contract::codes::beluga::MEDICAL_CONDITIONS_ERROR,
        ),
    ] {
        let member = at.key(name);
        let req = Req::required(Some(own));
        if let Some(value) = c.text(slot, &member, req) {
            c.outcome(fields::text_length(value, 2000), &member, req);
        }
    }
    let preference_at = at.key("patientPreference");
    if lab {
        let test_to_treat = c.flag(
            &form.test_to_treat,
            &at.key("testToTreat"),
            Req::required(Some(MISSING_VALUES)),
        );
        match test_to_treat {
            Some(false) if !form.patient_preference.is_absent() => {
                c.report(
                    codes::PREFERENCE_NOT_ALLOWED,
                    &preference_at,
                    &[],
                    Beluga::Code,
                );
            }
            Some(false) => {}
            Some(true) => preferences(c, &form.patient_preference, &preference_at, true, false),
            None => preferences(c, &form.patient_preference, &preference_at, false, false),
        }
        labs::results(c, &form.results, &at.key("results"));
    } else {
        preferences(c, &form.patient_preference, &preference_at, true, false);
        for (absent, name) in [
            (form.test_to_treat.is_absent(), "testToTreat"),
            (form.results.is_absent(), "results"),
        ] {
            if !absent {
                let params = [("endpoint", "visit"), ("fields", name)];
                c.warn(codes::UNKNOWN_FIELD, &at.key(name), &params);
            }
        }
    }
    questions::check(c, &form.questions, at);
}

/// A value rule of [`fields`].
type Rule = fn(&str) -> Result<(), fields::Broken>;

fn demographics(c: &mut Checker, form: &IntakeForm, at: &Loc, options: &ValidateOptions) {
    let names = Req::required(Some(
        crate::contract::codes::beluga::FIRST_NAME_OR_LAST_NAME_ERROR,
    ));
    for (slot, name) in [
        (&form.first_name, "firstName"),
        (&form.last_name, "lastName"),
    ] {
        let member = at.key(name);
        if let Some(value) = c.text(slot, &member, names) {
            c.outcome(fields::name(value), &member, names);
        }
    }
    let dob_at = at.key("dob");
    let dob = Req::required(Some(crate::contract::codes::beluga::DOB_ERROR));
    if let Some(value) = c.text(&form.dob, &dob_at, dob) {
        let result = fields::dob(value, options.today);
        let parsed = result.is_ok();
        c.outcome(result, &dob_at, dob);
        if parsed && options.today.is_none() {
            c.warn(codes::AGE_NOT_CHECKED, &dob_at, &[]);
        }
    }
    let simple: [(&Slot<Text<'_>>, &str, &'static str, Rule); 5] = [
        (
            &form.phone,
            "phone",
            crate::contract::codes::beluga::PHONE_NUMBER_ERROR,
            fields::phone,
        ),
        (
            &form.email,
            "email",
            crate::contract::codes::beluga::EMAIL_ERROR,
            fields::email,
        ),
        (
            &form.address,
            "address",
            crate::contract::codes::beluga::ADDRESS_ERROR,
            fields::address,
        ),
        (
            &form.city,
            "city",
            crate::contract::codes::beluga::CITY_ERROR,
            fields::address,
        ),
        (
            &form.zip,
            "zip",
            crate::contract::codes::beluga::ZIP_ERROR,
            fields::zip,
        ),
    ];
    for (slot, name, own, rule) in simple {
        let member = at.key(name);
        let req = Req::required(Some(own));
        if let Some(value) = c.text(slot, &member, req) {
            c.outcome(rule(value), &member, req);
        }
    }
    let state_at = at.key("state");
    let state = Req::required(Some(crate::contract::codes::beluga::STATE_ERROR));
    if let Some(value) = c.text(&form.state, &state_at, state) {
        let format = fields::state_format(value);
        let formatted = format.is_ok();
        c.outcome(format, &state_at, state);
        if formatted {
            let allowed = options.allowed_states.as_deref();
            c.outcome(fields::state_allowed(value, allowed), &state_at, state);
        }
    }
    let sex = Req::required(Some(crate::contract::codes::beluga::SEX_ERROR));
    let sex_at = at.key("sex");
    if let Some(value) = c.text(&form.sex, &sex_at, sex) {
        c.outcome(fields::sex(value), &sex_at, sex);
    }
}

/// `patientPreference`: a non-empty array of objects with `name`, `strength`, `quantity`,
/// `refills`, `medId` (and `daysSupply` when `days_supply` is set, as on `updateVisit`).
pub(crate) fn preferences(
    c: &mut Checker,
    slot: &Slot<Vec<Slot<Preference>>>,
    at: &Loc,
    required: bool,
    days_supply: bool,
) {
    let own = Some(PREFERENCE_ERROR);
    let req = Req {
        required,
        own,
        meta: false,
    };
    let empty = (codes::PREFERENCE_EMPTY, Beluga::Code);
    let Some(items) = c.list(slot, at, req, empty) else {
        return;
    };
    for (index, item) in items.iter().enumerate() {
        let item_at = at.index(index);
        let Some(item) = c.present(item, &item_at, Req::required(own), JsonType::Object) else {
            continue;
        };
        let optional = Req::optional(own);
        let members = [
            (&item.name, "name", Req::required(own)),
            (&item.strength, "strength", Req::required(own)),
            (&item.quantity, "quantity", Req::required(own)),
            (&item.refills, "refills", Req::required(own)),
            (
                &item.days_supply,
                "daysSupply",
                if days_supply {
                    Req::required(own)
                } else {
                    optional
                },
            ),
            (&item.med_id, "medId", Req::required(own)),
        ];
        for (slot, name, req) in members {
            c.text(slot, &item_at.key(name), req);
        }
    }
}
