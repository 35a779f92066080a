//! Each rule of the table accepts a body built from the reference's own examples and refuses a
//! crafted violation with the reference's error string.

use super::*;
use serde_json::json;

/// A JPEG's first bytes (FF D8 FF E0 00 10), base64.
const JPEG: &str = "/9j/4AAQ";
/// `%PDF-1.4\n`, base64.
const PDF: &str = "JVBERi0xLjQK";
/// A PNG's signature, base64.
const PNG: &str = "iVBORw0KGgo=";

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
}

/// ref, "Visit form submission(ID photos)", filled with the reference's examples ("5554567890",
/// "CA", "54321", the POSSIBLE ANSWERS question, `fuseHealthTestCompany`, `testVisitType`).
fn visit() -> Value {
    json!({
        "formObj": {
            "consentsSigned": true,
            "firstName": "Maria", "lastName": "Alvarez",
            "dob": "03/14/1986", "phone": "5554567890", "email": "maria@example.com",
            "address": "1 Main St", "city": "Fresno", "state": "CA", "zip": "54321",
            "sex": "Female", "selfReportedMeds": "None", "allergies": "None",
            "medicalConditions": "None",
            "patientPreference": [{"name": "Semaglutide", "strength": "0.25 mg", "quantity": "2",
                "refills": "0", "daysSupply": "28", "medId": "SEMA-025"}],
            "Q1": "Have you experienced any of these things? POSSIBLE ANSWERS: answer1; answer2; answer3",
            "A1": "answer2; answer3"
        },
        "pharmacyId": "13012", "masterId": "m-1",
        "company": "fuseHealthTestCompany", "visitType": "testVisitType"
    })
}

/// ref, "Lab results submission(ID photos)": one result, no treatment.
fn lab() -> Value {
    let mut body = visit();
    let form = body["formObj"].as_object_mut().unwrap();
    form.remove("patientPreference");
    form.insert("testToTreat".into(), json!(false));
    form.insert(
        "results".into(),
        json!([{"screeningDate": "11/02/2026", "testName": "Hemoglobin A1c", "testResult": "5.4",
        "testResultUnits": "%", "refRange": "4.0-5.6", "statusIndicator": "N",
        "reportDate": "11/04/2026", "sampleSource": "BLOOD"}]),
    );
    body
}

/// `body` with the member at `ptr` set to `value`, or removed when `value` is `None`.
fn with(mut body: Value, ptr: &str, value: Option<Value>) -> Value {
    let (parent, last) = ptr.rsplit_once('/').unwrap();
    let target = if parent.is_empty() {
        &mut body
    } else {
        body.pointer_mut(parent).unwrap()
    };
    match (target, value) {
        (Value::Object(map), Some(v)) => {
            map.insert(last.to_owned(), v);
        }
        (Value::Object(map), None) => {
            map.remove(last);
        }
        (Value::Array(items), Some(v)) => items[last.parse::<usize>().unwrap()] = v,
        (other, _) => panic!("cannot edit {other}"),
    }
    body
}

fn answer(endpoint: Endpoint, body: &Value) -> Option<String> {
    check(endpoint, body, today()).answer().map(str::to_owned)
}

#[test]
fn the_guides_examples_are_accepted() {
    for (endpoint, body) in [(Endpoint::Visit, visit()), (Endpoint::Lab, lab())] {
        let verdict = check(endpoint, &body, today());
        assert!(verdict.accepted(), "{endpoint:?}: {:?}", verdict.errors());
        assert!(verdict.undocumented.is_empty());
    }
}

/// (what, pointer, new value or removal, the error Beluga answers).
type Case = (&'static str, &'static str, Option<Value>, &'static str);

fn visit_cases() -> Vec<Case> {
    vec![
        ("metadata absent", "/masterId", None, "Missing metadata"),
        ("formObj absent", "/formObj", None, "Missing metadata"),
        (
            "company empty",
            "/company",
            Some(json!("")),
            "Missing values",
        ),
        (
            "pharmacyId a number",
            "/pharmacyId",
            Some(json!(13012)),
            CATCH_ALL,
        ),
        (
            "a field null",
            "/formObj/city",
            Some(Value::Null),
            "Missing values",
        ),
        (
            "a field blank",
            "/formObj/email",
            Some(json!("  ")),
            "Missing values",
        ),
        (
            "consents false",
            "/formObj/consentsSigned",
            Some(json!(false)),
            "consentsSigned must be true",
        ),
        (
            "consents \"true\"",
            "/formObj/consentsSigned",
            Some(json!("true")),
            "consentsSigned must be true",
        ),
        (
            "consents absent",
            "/formObj/consentsSigned",
            None,
            "consentsSigned must be true",
        ),
        (
            "name with digits",
            "/formObj/firstName",
            Some(json!("Mar1a")),
            "firstName or lastName error",
        ),
        (
            "name of 101",
            "/formObj/lastName",
            Some(json!("a".repeat(101))),
            "firstName or lastName error",
        ),
        (
            "dob ISO",
            "/formObj/dob",
            Some(json!("1986-03-14")),
            "Dob error",
        ),
        (
            "dob 30 February",
            "/formObj/dob",
            Some(json!("02/30/1990")),
            "Dob error",
        ),
        (
            "dob under 18",
            "/formObj/dob",
            Some(json!("11/24/2008")),
            "Dob error",
        ),
        (
            "dob in the future",
            "/formObj/dob",
            Some(json!("01/01/2027")),
            "Dob error",
        ),
        (
            "phone punctuated",
            "/formObj/phone",
            Some(json!("555-456-7890")),
            "Phone number error",
        ),
        (
            "phone toll-free",
            "/formObj/phone",
            Some(json!("8005550199")),
            "Phone number error",
        ),
        (
            "phone 555-01XX",
            "/formObj/phone",
            Some(json!("2125550123")),
            "Phone number error",
        ),
        (
            "phone N11 area",
            "/formObj/phone",
            Some(json!("4112345678")),
            "Phone number error",
        ),
        (
            "email without @",
            "/formObj/email",
            Some(json!("maria.example.com")),
            "Email error",
        ),
        (
            "email one-letter TLD",
            "/formObj/email",
            Some(json!("m@example.c")),
            "Email error",
        ),
        (
            "address 201",
            "/formObj/address",
            Some(json!("a".repeat(201))),
            "Address error",
        ),
        (
            "city with a line break",
            "/formObj/city",
            Some(json!("Fres\nno")),
            "City error",
        ),
        (
            "state lower case",
            "/formObj/state",
            Some(json!("ca")),
            "State error",
        ),
        (
            "state outside the list",
            "/formObj/state",
            Some(json!("PR")),
            STATE_NOT_VALID,
        ),
        (
            "zip+4",
            "/formObj/zip",
            Some(json!("54321-1234")),
            "Zip error",
        ),
        (
            "sex Other",
            "/formObj/sex",
            Some(json!("Other")),
            "Sex error",
        ),
        (
            "meds 2001",
            "/formObj/selfReportedMeds",
            Some(json!("a".repeat(2001))),
            "SelfReportedMeds error",
        ),
        (
            "allergies an array",
            "/formObj/allergies",
            Some(json!(["None"])),
            "Allergies error",
        ),
        (
            "conditions absent",
            "/formObj/medicalConditions",
            None,
            "MedicalConditions error",
        ),
        (
            "preference empty",
            "/formObj/patientPreference",
            Some(json!([])),
            PREFERENCE_ERROR,
        ),
        (
            "preference absent",
            "/formObj/patientPreference",
            None,
            PREFERENCE_ERROR,
        ),
        (
            "preference without medId",
            "/formObj/patientPreference/0/medId",
            None,
            PREFERENCE_ERROR,
        ),
        (
            "preference quantity a number",
            "/formObj/patientPreference/0/quantity",
            Some(json!(2)),
            PREFERENCE_ERROR,
        ),
        (
            "preference name empty",
            "/formObj/patientPreference/0/name",
            Some(json!("")),
            "Missing values",
        ),
        ("Q1 without A1", "/formObj/A1", None, CATCH_ALL),
        (
            "Q2 before Q1",
            "/formObj/Q2",
            Some(json!("Another?")),
            CATCH_ALL,
        ),
        (
            "answer not offered",
            "/formObj/A1",
            Some(json!("answer4")),
            CATCH_ALL,
        ),
        (
            "marker in lower case",
            "/formObj/Q1",
            Some(json!("Any? possible answers: a; b")),
            CATCH_ALL,
        ),
        (
            "an empty choice",
            "/formObj/Q1",
            Some(json!("Any? POSSIBLE ANSWERS: answer2; ; answer3")),
            CATCH_ALL,
        ),
    ]
}

#[test]
fn every_visit_rule_refuses_its_violation_with_the_reference_string() {
    for (what, ptr, value, expected) in visit_cases() {
        let body = with(visit(), ptr, value);
        assert_eq!(
            answer(Endpoint::Visit, &body).as_deref(),
            Some(expected),
            "{what}"
        );
    }
}

#[test]
fn the_same_rules_hold_on_the_lab_endpoint() {
    for (what, ptr, value, expected) in visit_cases() {
        if ptr.contains("patientPreference") {
            continue;
        }
        let body = with(lab(), ptr, value);
        assert_eq!(
            answer(Endpoint::Lab, &body).as_deref(),
            Some(expected),
            "lab: {what}"
        );
    }
}

#[test]
fn lab_rules_refuse_with_the_reference_strings() {
    let r = "/formObj/results/0";
    let pref = json!([{"name": "N/A", "strength": "N/A", "refills": "N/A", "quantity": "N/A", "medId": "N/A"}]);
    let cases: Vec<(&str, Value, &str)> = vec![
        (
            "testToTreat absent",
            with(lab(), "/formObj/testToTreat", None),
            "Missing values",
        ),
        (
            "testToTreat a string",
            with(lab(), "/formObj/testToTreat", Some(json!("false"))),
            "Missing values",
        ),
        (
            "preference with testToTreat false",
            with(lab(), "/formObj/patientPreference", Some(pref.clone())),
            PREFERENCE_NOT_ALLOWED,
        ),
        (
            "testToTreat true without preference",
            with(lab(), "/formObj/testToTreat", Some(json!(true))),
            PREFERENCE_ERROR,
        ),
        (
            "results empty",
            with(lab(), "/formObj/results", Some(json!([]))),
            "Missing values",
        ),
        (
            "result without testName",
            with(lab(), &format!("{r}/testName"), None),
            "Missing values",
        ),
        (
            "screeningDate ISO",
            with(
                lab(),
                &format!("{r}/screeningDate"),
                Some(json!("2026-11-02")),
            ),
            CATCH_ALL,
        ),
        (
            "sampleSource lower case",
            with(lab(), &format!("{r}/sampleSource"), Some(json!("blood"))),
            CATCH_ALL,
        ),
        (
            "statusIndicator HIGH",
            with(lab(), &format!("{r}/statusIndicator"), Some(json!("HIGH"))),
            CATCH_ALL,
        ),
        (
            "5.4 in 4.0-5.6 marked H",
            with(lab(), &format!("{r}/statusIndicator"), Some(json!("H"))),
            CATCH_ALL,
        ),
        (
            "an unexpected member",
            with(
                with(lab(), "/notes", Some(json!("x"))),
                "/formObj/extra",
                Some(json!("y")),
            ),
            "Payload contains bad fields: notes, extra",
        ),
    ];
    for (what, body, expected) in cases {
        assert_eq!(
            answer(Endpoint::Lab, &body).as_deref(),
            Some(expected),
            "{what}"
        );
    }
    let treated = with(
        with(lab(), "/formObj/testToTreat", Some(json!(true))),
        "/formObj/patientPreference",
        Some(pref),
    );
    assert!(check(Endpoint::Lab, &treated, today()).accepted());
}

#[test]
fn status_indicators_agree_with_numeric_ranges() {
    assert!(indicator_agrees("H", Some("6.1"), Some("4.0-5.6")));
    assert!(indicator_agrees("L", Some("3.2"), Some("4.0-5.6")));
    assert!(!indicator_agrees("N", Some("3.2"), Some("4.0-5.6")));
    assert!(indicator_agrees("N", Some("150"), Some("<200")));
    assert!(!indicator_agrees("N", Some("250"), Some("<200")));
    assert!(indicator_agrees("L", Some("30"), Some(">40")));
    assert!(indicator_agrees("H", Some("Positive"), Some("Negative")));
    assert!(!indicator_agrees("X", Some("Positive"), Some("Negative")));
}

#[test]
fn the_18th_birthday_counts_from_today() {
    let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
    assert!(dob_ok("11/23/2008", day(2026, 11, 23)));
    assert!(!dob_ok("11/24/2008", day(2026, 11, 23)));
    assert!(!dob_ok("02/29/2008", day(2026, 2, 28)));
    assert!(dob_ok("02/29/2008", day(2026, 3, 1)));
    assert!(!dob_ok("3/14/1986", day(2026, 11, 23)));
}

#[test]
fn names_of_any_script_pass_and_others_do_not() {
    assert!(name_ok("José-María O'Neil, Jr."));
    assert!(name_ok("Jose\u{301}"));
    assert!(name_ok("李 小龍"));
    assert!(!name_ok("Ann\t"));
    assert!(!name_ok("R2D2"));
    assert!(!name_ok("a@b"));
}

#[test]
fn the_other_endpoints_answer_their_one_string() {
    let cases: Vec<(Endpoint, Value, Value)> = vec![
        (
            Endpoint::Photos,
            json!({"visitId": "bv-1", "images": [{"mime": "image/jpeg", "data": JPEG}]}),
            json!({"visitId": "bv-1", "images": [{"mime": "image/jpeg", "data": PNG}]}),
        ),
        (
            Endpoint::Pdf,
            json!({"visitId": "bv-1", "image": {"mime": "application/pdf", "data": PDF}}),
            json!({"visitId": "bv-1", "image": {"mime": "application/pdf", "data": JPEG}}),
        ),
        (
            Endpoint::Chat,
            json!({"firstName": "Maria", "lastName": "Alvarez", "content": JPEG, "isMedia": true, "masterId": "m-1"}),
            json!({"firstName": "Maria", "lastName": "Alvarez", "content": "hello", "isMedia": true, "masterId": "m-1"}),
        ),
        (
            Endpoint::CsMessage,
            json!({"content": "Please call the patient", "masterId": "m-1"}),
            json!({"content": "Please call the patient", "masterId": 1}),
        ),
        (
            Endpoint::PatientName,
            json!({"masterId": "m-1", "firstName": "Maria", "lastName": "Alvarez"}),
            json!({"masterId": "m-1", "firstName": "a".repeat(101), "lastName": "Alvarez"}),
        ),
        (Endpoint::PharmacySearch, json!({"zip": "54321"}), json!({})),
        (
            Endpoint::UpdateVisit,
            json!({"patientPreference": [{"name": "S", "strength": "1", "refills": "0", "quantity": "1", "daysSupply": "28", "medId": "M"}],
                "pharmacyId": "13012", "masterId": "m-1", "apiKey": "k"}),
            json!({"patientPreference": [{"name": "S", "strength": "1", "refills": "0", "quantity": "1", "medId": "M"}],
                "pharmacyId": "13012", "masterId": "m-1", "apiKey": "k"}),
        ),
    ];
    for (endpoint, good, bad) in cases {
        assert!(
            check(endpoint, &good, today()).accepted(),
            "{endpoint:?} valid body"
        );
        assert_eq!(
            answer(endpoint, &bad).as_deref(),
            endpoint.body_error(),
            "{endpoint:?}"
        );
        assert_eq!(
            answer(endpoint, &json!([])).as_deref(),
            endpoint.body_error()
        );
    }
}

#[test]
fn the_earliest_stage_answers_and_every_error_is_kept() {
    let body = with(
        with(visit(), "/masterId", None),
        "/formObj/zip",
        Some(json!("1")),
    );
    let body = with(body, "/formObj/city", Some(json!("")));
    let verdict = check(Endpoint::Visit, &body, today());
    assert_eq!(verdict.answer(), Some("Missing metadata"));
    let all: Vec<&str> = verdict.errors().into_iter().collect();
    assert_eq!(all, ["Missing metadata", "Missing values", "Zip error"]);
}

#[test]
fn undocumented_members_are_noted_not_refused_outside_the_lab() {
    let photos = json!({"visitId": "bv-1", "masterId": "m-1",
        "images": [{"mime": "image/jpeg", "data": JPEG}]});
    let verdict = check(Endpoint::Photos, &photos, today());
    assert!(verdict.accepted());
    assert_eq!(verdict.undocumented, ["/masterId"]);
    let visit = with(visit(), "/formObj/testToTreat", Some(json!(true)));
    assert_eq!(
        check(Endpoint::Visit, &visit, today()).undocumented,
        ["/formObj/testToTreat"]
    );
}

#[test]
fn endpoints_name_their_paths_and_kinds() {
    for endpoint in Endpoint::ALL {
        assert!(endpoint.path().starts_with('/'));
    }
    assert_eq!(Endpoint::from_kind("cs-message"), Some(Endpoint::CsMessage));
    assert_eq!(Endpoint::from_kind("prescription"), None);
}
