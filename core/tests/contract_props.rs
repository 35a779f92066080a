//! Properties of the contract validators over generated input:
//! - reading bytes and reading a parsed `Value` give the same report, for every kind;
//! - no input, however malformed, panics;
//! - no message, path or Beluga string ever echoes an input value (patient data);
//! - the normalisers produce what the validators accept.

use proptest::prelude::*;
use rxgate_core::contract::model::IntakeRequest;
use rxgate_core::contract::wire::Slot;
use rxgate_core::contract::{normalize, validate_slice, validate_value, Kind, ValidateOptions};
use serde::Deserialize;
use serde_json::{json, Map, Value};

fn options() -> ValidateOptions {
    ValidateOptions::new(chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap_or_default())
}

/// Any JSON value, a few levels deep, with member names drawn from the real ones so that
/// the generated bodies reach the rules.
fn any_json() -> impl Strategy<Value = Value> {
    let names = prop::sample::select(vec![
        "formObj",
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
        "consentsSigned",
        "selfReportedMeds",
        "allergies",
        "medicalConditions",
        "patientPreference",
        "medId",
        "name",
        "strength",
        "quantity",
        "refills",
        "daysSupply",
        "testToTreat",
        "results",
        "statusIndicator",
        "refRange",
        "testResult",
        "Q1",
        "A1",
        "Q2",
        "visitId",
        "images",
        "image",
        "mime",
        "data",
        "content",
        "isMedia",
        "masterId",
        "pharmacyId",
        "company",
        "visitType",
        "apiKey",
        "other",
    ]);
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i32>().prop_map(Value::from),
        "[ -~]{0,12}".prop_map(Value::from),
        prop::sample::select(vec![
            "Male",
            "TX",
            "78751",
            "03/14/1986",
            "5124567890",
            "/9j/4AAQ",
            "a@b.co"
        ])
        .prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 64, 8, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((names.clone(), inner), 0..8).prop_map(|pairs| {
                Value::Object(
                    pairs
                        .into_iter()
                        .map(|(k, v)| (k.to_owned(), v))
                        .collect::<Map<_, _>>(),
                )
            }),
        ]
    })
}

fn kind() -> impl Strategy<Value = Kind> {
    prop::sample::select(Kind::ALL.to_vec())
}

proptest! {
    #[test]
    fn bytes_and_values_give_the_same_report(kind in kind(), body in any_json()) {
        let bytes = serde_json::to_vec(&body).unwrap_or_default();
        let from_bytes = validate_slice(kind, &bytes, &options());
        prop_assert!(from_bytes.is_ok());
        let from_value = validate_value(kind, &body, &options());
        prop_assert_eq!(from_bytes.ok(), Some(from_value));
    }

    #[test]
    fn reports_never_echo_input_values(
        secret in "[A-Za-z]{6}",
        kind in kind(),
    ) {
        // Every string member carries the secret, in shapes that break most rules.
        let s = format!("Zq{secret}9");
        let body = json!({
            "formObj": {"firstName": s, "lastName": s, "dob": s, "phone": s, "email": s,
                "address": format!("{s}\n"), "city": s, "state": s, "zip": s, "sex": s,
                "selfReportedMeds": s, "allergies": s, "medicalConditions": s,
                "consentsSigned": s, "patientPreference": [{"name": s, "medId": 1}],
                "Q1": format!("{s} POSSIBLE ANSWERS: x"), "A1": s, "testToTreat": s,
                "results": [{"testName": s, "statusIndicator": s, "sampleSource": s, "screeningDate": s}]},
            "visitId": s, "images": [{"mime": s, "data": s}], "image": {"mime": s, "data": s},
            "content": s, "isMedia": true, "masterId": s, "state": s, "zip": s, "name": s,
            "pharmacyId": s, "apiKey": s, "company": s, "visitType": s,
        });
        let report = validate_value(kind, &body, &options());
        let text = serde_json::to_string(&report).unwrap_or_default();
        prop_assert!(!text.contains(&secret), "{}", text);
    }

    #[test]
    fn normalised_phones_pass_the_format_rule(area in 200u32..1000, exchange in 200u32..1000, line in 0u32..10000) {
        let pretty = format!("+1 ({area:03}) {exchange:03}-{line:04}");
        let digits = normalize::phone(&pretty);
        let expected = format!("{area:03}{exchange:03}{line:04}");
        prop_assert_eq!(digits.ok(), Some(expected));
    }

    #[test]
    fn normalised_iso_dates_pass_the_dob_format(days in 0i64..40000) {
        let day = chrono::NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or_default() + chrono::Duration::days(days);
        let us = normalize::date(&day.format("%Y-%m-%d").to_string());
        prop_assert!(us.is_ok());
        let body = json!({"formObj": {"dob": us.unwrap_or_default()}});
        let report = validate_value(Kind::Visit, &body, &ValidateOptions::default());
        let codes: Vec<&str> = report.violations.iter().map(|v| v.code.as_str()).collect();
        prop_assert!(!codes.contains(&"dob_format") && !codes.contains(&"dob_not_a_date"));
    }

    #[test]
    fn valid_visits_stay_valid_after_a_round_trip_through_the_model(
        first in "[A-Z][a-z]{1,20}( [A-Z][a-z]{1,10})?",
        last in "[A-Z][a-z'\\-]{1,30}",
        area in prop::sample::select(vec![2u32, 3, 4, 5, 6, 7]), rest in 20u32..100, exchange in 200u32..1000, line in 0u32..10000,
        state in prop::sample::select(vec!["CA", "TX", "NY", "DC", "WY"]),
        zip in "[0-9]{5}",
        sex in prop::sample::select(vec!["Male", "Female"]),
        questions in prop::collection::vec(("[A-Za-z ?]{1,40}", "[A-Za-z0-9 ]{1,20}"), 0..6),
        year in 1930i32..2008,
    ) {
        let phone = format!("{area}{rest:02}{exchange:03}{line:04}");
        prop_assume!(exchange % 100 != 11 && !(exchange == 555 && line < 200));
        let mut form = json!({
            "consentsSigned": true, "firstName": first, "lastName": last,
            "dob": format!("06/15/{year}"), "phone": phone, "email": "p@example.com",
            "address": "1 Main St", "city": "Springfield", "state": state, "zip": zip, "sex": sex,
            "selfReportedMeds": "None", "allergies": "None", "medicalConditions": "None",
            "patientPreference": [{"name": "A", "strength": "1 mg", "quantity": "1", "refills": "0", "medId": "m"}],
        });
        for (i, (q, a)) in questions.iter().enumerate() {
            let q = q.trim();
            prop_assume!(!q.is_empty() && !a.trim().is_empty());
            let lower = q.to_lowercase();
            prop_assume!(!lower.contains("possible answers") && !lower.contains("medication") && !lower.contains("allerg") && !lower.contains("condition"));
            if let Some(obj) = form.as_object_mut() {
                obj.insert(format!("Q{}", i + 1), json!(q));
                obj.insert(format!("A{}", i + 1), json!(a));
            }
        }
        let body = json!({"formObj": form, "pharmacyId": "1", "masterId": "m", "company": "c", "visitType": "v"});
        let first_report = validate_value(Kind::Visit, &body, &options());
        prop_assert!(first_report.valid, "{:?}", first_report.violations);
        let model = Slot::<IntakeRequest>::deserialize(&body).unwrap_or_default();
        let back = serde_json::to_value(&model).unwrap_or_default();
        prop_assert_eq!(&back, &body);
        let again = validate_value(Kind::Visit, &back, &options());
        prop_assert!(again.valid);
    }

    #[test]
    fn normalise_then_validate_never_panics(
        phone in "[ -~]{0,20}", date in "[ -~]{0,12}", state in "[ -~]{0,4}", name in "\\PC{0,30}",
    ) {
        let field = |r: Result<String, normalize::NormalizeError>, raw: &str| r.unwrap_or_else(|_| raw.to_owned());
        let body = json!({"formObj": {
            "firstName": normalize::trim(&name), "phone": field(normalize::phone(&phone), &phone),
            "dob": field(normalize::date(&date), &date), "state": field(normalize::state(&state), &state),
        }});
        for kind in Kind::ALL {
            let report = validate_value(kind, &body, &options());
            prop_assert!(!report.valid);
        }
    }
}

/// Every normaliser is reachable through the JSON API (the contract layer cannot call the
/// API from its own tests: the API is above it).
#[test]
fn the_api_runs_every_normaliser() {
    for field in normalize::Field::ALL {
        let input = match field {
            normalize::Field::MultipleChoiceAnswer => json!(["Yes"]),
            _ => json!("Yes"),
        };
        let request = json!({"field": field.name(), "input": input, "choices": ["Yes", "No"]});
        assert!(
            rxgate_core::api::call("normalize", &request).is_ok(),
            "{}",
            field.name()
        );
    }
}
