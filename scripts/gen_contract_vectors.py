#!/usr/bin/env python3
"""Writes tests/vectors/contract/*.json: the contract test vectors.

Each case is a valid body with one deliberate change and the outcome decisions.md §2 gives
for it, written out by hand here (never produced by running rxgate). Re-run after editing:
    python3 scripts/gen_contract_vectors.py
"""
import copy
import json
import pathlib

OUT = pathlib.Path(__file__).resolve().parent.parent / "tests" / "vectors" / "contract"
TODAY = "2026-11-23"
CATCH_ALL = "Something went wrong, please check all data"
JPEG = "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8UHRofHh0aHBwgJC4nICIsIxwcKDcpLDAxNDQ0Hyc5PTgyPC4zNDL/wAALCAABAAEBAREA/8QAFAABAAAAAAAAAAAAAAAAAAAACf/EABQQAQAAAAAAAAAAAAAAAAAAAAD/2gAIAQEAAD8AKp//2Q=="
PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
PDF = "JVBERi0xLjQKJcOkw7zDtsOfCjIgMCBvYmoKPDwvTGVuZ3RoIDMgMCBSPj4Kc3RyZWFtCg=="

VISIT = {
    "formObj": {
        "consentsSigned": True,
        "firstName": "Maria",
        "lastName": "Alvarez",
        "dob": "03/14/1986",
        "phone": "7372046619",
        "email": "maria.alvarez@example.com",
        "address": "4105 Speedway, Apt 3",
        "city": "Austin",
        "state": "TX",
        "zip": "78751",
        "sex": "Female",
        "selfReportedMeds": "Lisinopril 10 mg daily",
        "allergies": "Penicillin",
        "medicalConditions": "Hypertension",
        "patientPreference": [
            {"name": "Semaglutide", "strength": "0.25 mg/0.5 mL", "quantity": "2", "refills": "0",
             "daysSupply": "28", "medId": "SEMA-025"}
        ],
        "Q1": "Have you experienced any of these things? POSSIBLE ANSWERS: nausea; headache; none of these",
        "A1": "nausea; headache",
        "Q2": "What is your goal weight in pounds?",
        "A2": "150",
    },
    "pharmacyId": "13012",
    "masterId": "5f0c1d2e-8a7b-4c3d-9e1f-2a3b4c5d6e7f",
    "company": "fuseHealthTestCompany",
    "visitType": "weightLoss",
}

LAB = copy.deepcopy(VISIT)
del LAB["formObj"]["patientPreference"]
for k in ["Q1", "A1", "Q2", "A2"]:
    del LAB["formObj"][k]
LAB["formObj"]["testToTreat"] = False
LAB["formObj"]["results"] = [
    {"screeningDate": "11/02/2026", "testName": "Hemoglobin A1c", "testResult": "5.4",
     "testResultUnits": "%", "refRange": "4.0-5.6", "statusIndicator": "N",
     "reportDate": "11/04/2026", "sampleSource": "BLOOD"},
    {"screeningDate": "11/02/2026", "testName": "Chlamydia", "testResult": "Negative",
     "testResultUnits": "N/A", "refRange": "N/A", "statusIndicator": "N/A",
     "reportDate": "11/04/2026", "sampleSource": "URINE"},
]

OWN = {
    "consentsSigned": "consentsSigned must be true", "firstName": "firstName or lastName error",
    "lastName": "firstName or lastName error", "dob": "Dob error", "phone": "Phone number error",
    "email": "Email error", "address": "Address error", "city": "City error", "state": "State error",
    "zip": "Zip error", "sex": "Sex error", "selfReportedMeds": "SelfReportedMeds error",
    "allergies": "Allergies error", "medicalConditions": "MedicalConditions error",
    "patientPreference": "patientPreference fields error",
}


def with_form(base, **changes):
    body = copy.deepcopy(base)
    for key, value in changes.items():
        if value is DELETE:
            body["formObj"].pop(key, None)
        else:
            body["formObj"][key] = value
    return body


def with_top(base, **changes):
    body = copy.deepcopy(base)
    for key, value in changes.items():
        if value is DELETE:
            body.pop(key, None)
        else:
            body[key] = value
    return body


DELETE = object()


def bad(name, body, codes, errors, **extra):
    case = {"name": name, "input": body, "today": TODAY,
            "expect": {"valid": False, "codes": sorted(set(codes)), "beluga_errors": sorted(set(errors))}}
    case.update(extra)
    return case


def good(name, body, warnings=(), **extra):
    case = {"name": name, "input": body, "today": TODAY,
            "expect": {"valid": True, "codes": [], "beluga_errors": [], "warnings": sorted(set(warnings))}}
    case.update(extra)
    return case


def visit_cases():
    cases = [good("a complete, valid visit", VISIT)]
    # Every required formObj member: absent, null, blank.
    for field, own in OWN.items():
        cases.append(bad(f"{field} absent", with_form(VISIT, **{field: DELETE}), ["field_missing"], [own]))
        cases.append(bad(f"{field} null", with_form(VISIT, **{field: None}), ["field_null"], ["Missing values"]))
        if field not in ("consentsSigned", "patientPreference"):
            cases.append(bad(f"{field} only whitespace", with_form(VISIT, **{field: "   "}),
                             ["field_blank"], ["Missing values"]))
    cases += [
        bad("consentsSigned false", with_form(VISIT, consentsSigned=False), ["consents_not_signed"],
            ["consentsSigned must be true"]),
        bad("consentsSigned as the string \"true\"", with_form(VISIT, consentsSigned="true"),
            ["field_wrong_type"], ["consentsSigned must be true"]),
        bad("firstName with digits", with_form(VISIT, firstName="R2D2"), ["name_invalid_characters"],
            ["firstName or lastName error"]),
        bad("lastName of 101 characters", with_form(VISIT, lastName="a" * 101), ["text_too_long"],
            ["firstName or lastName error"]),
        bad("firstName with a tab", with_form(VISIT, firstName="Ma\tria"), ["text_control_characters"],
            ["firstName or lastName error"]),
        good("names in other scripts, hyphens and apostrophes",
             with_form(VISIT, firstName="José-María", lastName="O'Neil-Åström")),
        good("a name of exactly 100 characters", with_form(VISIT, lastName="b" * 100)),
        bad("dob in ISO form", with_form(VISIT, dob="1986-03-14"), ["dob_format"], ["Dob error"]),
        bad("dob without leading zeros", with_form(VISIT, dob="3/14/1986"), ["dob_format"], ["Dob error"]),
        bad("dob 30 February", with_form(VISIT, dob="02/30/1990"), ["dob_not_a_date"], ["Dob error"]),
        bad("dob in the future", with_form(VISIT, dob="01/01/2027"), ["dob_in_future"], ["Dob error"]),
        bad("patient turns 18 tomorrow", with_form(VISIT, dob="11/24/2008"), ["dob_under_18"], ["Dob error"]),
        good("patient turns 18 today", with_form(VISIT, dob="11/23/2008")),
        bad("29 February birthday, 28 February of the 18th year",
            with_form(VISIT, dob="02/29/2008"), ["dob_under_18"], ["Dob error"], today="2026-02-28"),
        good("29 February birthday is 18 on 1 March", with_form(VISIT, dob="02/29/2008"), today="2026-03-01"),
        bad("dob as a number", with_form(VISIT, dob=19860314), ["field_wrong_type"], ["Dob error"]),
        bad("phone not normalised", with_form(VISIT, phone="+1 (737) 204-6619"), ["phone_format"],
            ["Phone number error"]),
        bad("phone of 9 digits", with_form(VISIT, phone="737204661"), ["phone_format"], ["Phone number error"]),
        bad("phone area code starting with 1", with_form(VISIT, phone="1372046619"), ["phone_not_nanp"],
            ["Phone number error"]),
        bad("phone exchange starting with 0", with_form(VISIT, phone="7370046619"), ["phone_not_nanp"],
            ["Phone number error"]),
        bad("phone with an N11 exchange", with_form(VISIT, phone="7374116619"), ["phone_not_nanp"],
            ["Phone number error"]),
        bad("toll-free phone", with_form(VISIT, phone="8882046619"), ["phone_not_mobile"], ["Phone number error"]),
        bad("premium-rate phone", with_form(VISIT, phone="9002046619"), ["phone_not_mobile"], ["Phone number error"]),
        bad("fictional 555-01XX phone", with_form(VISIT, phone="7375550123"), ["phone_not_mobile"],
            ["Phone number error"]),
        good("555 exchange outside 01XX", with_form(VISIT, phone="7375554123")),
        bad("phone as a number", with_form(VISIT, phone=7372046619), ["field_wrong_type"], ["Phone number error"]),
        bad("email without @", with_form(VISIT, email="maria.example.com"), ["email_invalid"], ["Email error"]),
        bad("email with two @", with_form(VISIT, email="maria@@example.com"), ["email_invalid"], ["Email error"]),
        bad("email with a space", with_form(VISIT, email="maria alvarez@example.com"), ["email_invalid"],
            ["Email error"]),
        bad("email without a TLD", with_form(VISIT, email="maria@example"), ["email_invalid"], ["Email error"]),
        bad("email with a one-letter TLD", with_form(VISIT, email="maria@example.c"), ["email_invalid"],
            ["Email error"]),
        bad("email longer than 254", with_form(VISIT, email="m" * 250 + "@example.com"), ["email_invalid"],
            ["Email error"]),
        bad("address of 201 characters", with_form(VISIT, address="a" * 201), ["text_too_long"], ["Address error"]),
        bad("city with a line break", with_form(VISIT, city="Aus\ntin"), ["text_control_characters"],
            ["City error"]),
        bad("state in lower case", with_form(VISIT, state="tx"), ["state_format"], ["State error"]),
        bad("state spelt out", with_form(VISIT, state="Texas"), ["state_format"], ["State error"]),
        bad("state outside the 50 and DC", with_form(VISIT, state="PR"), ["state_not_allowed"], ["State not valid"]),
        good("DC is allowed", with_form(VISIT, state="DC")),
        bad("state outside a narrowed list", VISIT, ["state_not_allowed"], ["State not valid"],
            allowed_states=["CA", "NY"]),
        good("state inside a narrowed list", VISIT, allowed_states=["CA", "TX"]),
        bad("zip of 4 digits", with_form(VISIT, zip="7875"), ["zip_format"], ["Zip error"]),
        bad("zip+4", with_form(VISIT, zip="78751-1234"), ["zip_format"], ["Zip error"]),
        bad("zip as a number", with_form(VISIT, zip=78751), ["field_wrong_type"], ["Zip error"]),
        bad("sex in lower case", with_form(VISIT, sex="female"), ["sex_invalid"], ["Sex error"]),
        bad("sex Other (fetch only)", with_form(VISIT, sex="Other"), ["sex_invalid"], ["Sex error"]),
        bad("selfReportedMeds of 2001 characters", with_form(VISIT, selfReportedMeds="x" * 2001),
            ["text_too_long"], ["SelfReportedMeds error"]),
        good("medications as the literal None", with_form(VISIT, selfReportedMeds="None", allergies="None",
                                                           medicalConditions="None")),
        good("medications over several lines", with_form(VISIT, selfReportedMeds="Lisinopril\nMetformin")),
        bad("allergies as an array", with_form(VISIT, allergies=["Penicillin"]), ["field_wrong_type"],
            ["Allergies error"]),
        bad("patientPreference empty", with_form(VISIT, patientPreference=[]), ["preference_empty"],
            ["patientPreference fields error"]),
        bad("patientPreference as an object", with_form(VISIT, patientPreference={"name": "x"}),
            ["field_wrong_type"], ["patientPreference fields error"]),
        bad("patientPreference item is a string", with_form(VISIT, patientPreference=["Semaglutide"]),
            ["field_wrong_type"], ["patientPreference fields error"]),
        good("daysSupply is optional on visit creation",
             with_form(VISIT, patientPreference=[{k: v for k, v in VISIT["formObj"]["patientPreference"][0].items()
                                                  if k != "daysSupply"}])),
    ]
    for member in ["name", "strength", "quantity", "refills", "medId"]:
        item = dict(VISIT["formObj"]["patientPreference"][0])
        del item[member]
        cases.append(bad(f"preference without {member}", with_form(VISIT, patientPreference=[item]),
                         ["field_missing"], ["patientPreference fields error"]))
        item = dict(VISIT["formObj"]["patientPreference"][0])
        item[member] = ""
        cases.append(bad(f"preference with empty {member}", with_form(VISIT, patientPreference=[item]),
                         ["field_blank"], ["Missing values"]))
    item = dict(VISIT["formObj"]["patientPreference"][0])
    item["quantity"] = 2
    cases.append(bad("preference quantity as a number", with_form(VISIT, patientPreference=[item]),
                     ["field_wrong_type"], ["patientPreference fields error"]))
    # Custom questions.
    cases += [
        bad("Q2 without A2", with_form(VISIT, A2=DELETE), ["qa_unpaired"], [CATCH_ALL]),
        bad("A2 without Q2", with_form(VISIT, Q2=DELETE), ["qa_unpaired"], [CATCH_ALL]),
        bad("questions numbered with a gap", with_form(VISIT, Q2=DELETE, A2=DELETE, Q3="Height?", A3="170 cm"),
            ["qa_numbering"], [CATCH_ALL]),
        bad("a question numbered 999999999 leaves one wide gap",
            with_form(VISIT, Q999999999="Last?", A999999999="Yes"), ["qa_numbering"], [CATCH_ALL]),
        bad("question numbered 0", with_form(VISIT, Q0="Age?", A0="40"), ["qa_numbering"], [CATCH_ALL]),
        bad("question number with a leading zero", with_form(VISIT, Q2=DELETE, A2=DELETE, Q02="x", A02="y"),
            ["qa_numbering"], [CATCH_ALL]),
        bad("multiple choice marker in lower case",
            with_form(VISIT, Q1="Any of these? possible answers: nausea; headache", A1="nausea"),
            ["choices_malformed"], [CATCH_ALL]),
        bad("multiple choice marker with no choices", with_form(VISIT, Q1="Any of these? POSSIBLE ANSWERS:  ", A1="x"),
            ["choices_malformed"], [CATCH_ALL]),
        bad("multiple choice with an empty choice",
            with_form(VISIT, Q1="Any of these? POSSIBLE ANSWERS: nausea;; headache", A1="nausea"),
            ["choices_malformed"], [CATCH_ALL]),
        bad("answer not among the choices", with_form(VISIT, A1="dizziness"), ["answer_not_offered"], [CATCH_ALL]),
        bad("one of two answers not among the choices", with_form(VISIT, A1="nausea; dizziness"),
            ["answer_not_offered"], [CATCH_ALL]),
        good("single offered answer", with_form(VISIT, A1="none of these")),
        bad("answer null", with_form(VISIT, A2=None), ["field_null"], ["Missing values"]),
        bad("answer empty", with_form(VISIT, A2=""), ["field_blank"], ["Missing values"]),
        bad("question as a number", with_form(VISIT, Q2=2), ["field_wrong_type"], [CATCH_ALL]),
        good("a question about medications is only a warning",
             with_form(VISIT, Q3="Do you take any other medications?", A3="No"),
             warnings=["question_repeats_standard_field"]),
        good("a question about allergies is only a warning",
             with_form(VISIT, Q3="Any allergies to latex?", A3="No"),
             warnings=["question_repeats_standard_field"]),
        good("a visit without custom questions", with_form(VISIT, Q1=DELETE, A1=DELETE, Q2=DELETE, A2=DELETE)),
    ]
    # Metadata and body shape.
    for member in ["pharmacyId", "masterId", "company", "visitType"]:
        cases.append(bad(f"{member} absent", with_top(VISIT, **{member: DELETE}), ["field_missing"],
                         ["Missing metadata"]))
        cases.append(bad(f"{member} empty", with_top(VISIT, **{member: ""}), ["field_blank"], ["Missing values"]))
    cases += [
        bad("pharmacyId as a number", with_top(VISIT, pharmacyId=13012), ["field_wrong_type"], [CATCH_ALL]),
        bad("company null", with_top(VISIT, company=None), ["field_null"], ["Missing values"]),
        bad("formObj absent", with_top(VISIT, formObj=DELETE), ["field_missing"], ["Missing metadata"]),
        bad("formObj as an array", with_top(VISIT, formObj=[]), ["field_wrong_type"], [CATCH_ALL]),
        bad("body is an array", [], ["body_not_object"], ["Missing metadata"]),
        bad("body is a string", "visit", ["body_not_object"], ["Missing metadata"]),
        good("an unknown top-level member is a warning on visit creation", with_top(VISIT, notes="x"),
             warnings=["unknown_field"]),
        good("lab members on a visit are a warning", with_form(VISIT, testToTreat=True),
             warnings=["unknown_field"]),
        good("no evaluation date: the 18+ rule is skipped with a warning",
             {"__no_today__": True}, warnings=["age_not_checked"]),
        bad("every problem is reported, not only the first",
            with_top(with_form(VISIT, dob="1986-03-14", phone="555", email="x", state="tx", sex="F",
                               consentsSigned=False, A2=DELETE), masterId=DELETE),
            ["dob_format", "phone_format", "email_invalid", "state_format", "sex_invalid",
             "consents_not_signed", "qa_unpaired", "field_missing"],
            ["Dob error", "Phone number error", "Email error", "State error", "Sex error",
             "consentsSigned must be true", CATCH_ALL, "Missing metadata"]),
    ]
    for case in cases:
        if case["input"] == {"__no_today__": True}:
            case["input"] = VISIT
            del case["today"]
    return cases


def lab_cases():
    with_pref = with_form(LAB, testToTreat=True, patientPreference=copy.deepcopy(VISIT["formObj"]["patientPreference"]))
    cases = [
        good("lab results without treatment", LAB),
        good("lab results with treatment and a preference", with_pref),
        bad("testToTreat absent", with_form(LAB, testToTreat=DELETE), ["field_missing"], ["Missing values"]),
        bad("testToTreat as a string", with_form(LAB, testToTreat="no"), ["field_wrong_type"], ["Missing values"]),
        bad("preference with testToTreat false", with_form(LAB, patientPreference=VISIT["formObj"]["patientPreference"]),
            ["preference_not_allowed"], ["Patient preference not allowed"]),
        bad("testToTreat true without a preference", with_form(LAB, testToTreat=True), ["field_missing"],
            ["patientPreference fields error"]),
        bad("results absent", with_form(LAB, results=DELETE), ["field_missing"], ["Missing values"]),
        bad("results empty", with_form(LAB, results=[]), ["array_empty"], ["Missing values"]),
        bad("dob under 18 on a lab payload", with_form(LAB, dob="12/01/2010"), ["dob_under_18"], ["Dob error"]),
        bad("unknown members name every bad field",
            with_form(with_top(LAB, notes="x"), extra="y"), ["unknown_field"],
            ["Payload contains bad fields: notes, extra"]),
        bad("phone problem on the lab endpoint", with_form(LAB, phone="8002046619"), ["phone_not_mobile"],
            ["Phone number error"]),
        bad("lab metadata absent", with_top(LAB, visitType=DELETE), ["field_missing"], ["Missing metadata"]),
    ]
    base_result = LAB["formObj"]["results"][0]
    for member in base_result:
        result = dict(base_result)
        del result[member]
        cases.append(bad(f"result without {member}", with_form(LAB, results=[result]), ["field_missing"],
                         ["Missing values"]))
    for member, value, code in [
        ("screeningDate", "2026-11-02", "lab_date_format"),
        ("reportDate", "11/31/2026", "lab_date_format"),
        ("statusIndicator", "HIGH", "lab_status_indicator_invalid"),
        ("statusIndicator", "H", "lab_status_indicator_disagrees"),
        ("sampleSource", "blood", "lab_sample_source_invalid"),
        ("sampleSource", "SWAB", "lab_sample_source_invalid"),
    ]:
        result = dict(base_result)
        result[member] = value
        cases.append(bad(f"result {member} {value}", with_form(LAB, results=[result]), [code], [CATCH_ALL]))
    for result_value, ref, status, ok in [
        ("6.1", "4.0-5.6", "H", True), ("3.2", "4.0-5.6", "L", True), ("3.2", "4.0-5.6", "N", False),
        ("150", "<200", "N", True), ("250", "<200", "N", False), ("30", ">40", "L", True),
        ("Positive", "Negative", "H", True), ("6.1", "N/A", "N/A", True),
    ]:
        result = dict(base_result, testResult=result_value, refRange=ref, statusIndicator=status)
        body = with_form(LAB, results=[result])
        name = f"result {result_value} against {ref} marked {status}"
        cases.append(good(name, body) if ok else
                     bad(name, body, ["lab_status_indicator_disagrees"], [CATCH_ALL]))
    result = dict(base_result, testName="")
    cases.append(bad("result with an empty testName", with_form(LAB, results=[result]), ["field_blank"],
                     ["Missing values"]))
    cases.append(bad("result item is a string", with_form(LAB, results=["A1c 5.4"]), ["field_wrong_type"],
                     ["Missing values"]))
    return cases


def photo_cases():
    ok = {"visitId": "v-1001", "images": [{"mime": "image/jpeg", "data": JPEG}]}
    err = "Error accepting images"

    def img(**kw):
        body = copy.deepcopy(ok)
        body["images"][0].update(kw)
        return body
    return [
        good("one JPEG photo ID", ok),
        good("the masterId may stand for the visitId", dict(ok, visitId="5f0c1d2e-8a7b-4c3d-9e1f-2a3b4c5d6e7f")),
        bad("visitId absent", {"images": ok["images"]}, ["field_missing"], [err]),
        bad("images empty", {"visitId": "v-1001", "images": []}, ["array_empty"], [err]),
        bad("images absent", {"visitId": "v-1001"}, ["field_missing"], [err]),
        bad("mime png", img(mime="image/png"), ["media_mime"], [err]),
        bad("data with a data: prefix", img(data="data:image/jpeg;base64," + JPEG), ["media_data_uri"], [err]),
        bad("data not base64", img(data="not base64!"), ["media_base64"], [err]),
        bad("data is a PNG", img(data=PNG), ["media_wrong_format"], [err]),
        bad("image larger than the limit", ok, ["media_too_large"], [err], max_image_bytes=100),
        bad("image item without data", {"visitId": "v", "images": [{"mime": "image/jpeg"}]}, ["field_missing"], [err]),
        bad("body is an array", [ok], ["body_not_object"], [err]),
    ]


def pdf_cases():
    ok = {"visitId": "v-1001", "image": {"mime": "application/pdf", "data": PDF}}
    err = "Error accepting image"
    return [
        good("a PDF", ok),
        bad("visitId empty", dict(ok, visitId=""), ["field_blank"], [err]),
        bad("mime jpeg", dict(ok, image={"mime": "image/jpeg", "data": PDF}), ["media_mime"], [err]),
        bad("data is a JPEG", dict(ok, image={"mime": "application/pdf", "data": JPEG}), ["media_wrong_format"], [err]),
        bad("image absent", {"visitId": "v-1001"}, ["field_missing"], [err]),
        bad("image as a list", dict(ok, image=[ok["image"]]), ["field_wrong_type"], [err]),
    ]


def chat_cases():
    ok = {"firstName": "Maria", "lastName": "Alvarez", "content": "When will my order ship?", "isMedia": False,
          "masterId": "m-1"}
    err = "Incorrect data structure or missing data"
    return [
        good("a text message", ok),
        good("an image message", dict(ok, content=JPEG, isMedia=True)),
        bad("isMedia absent", {k: v for k, v in ok.items() if k != "isMedia"}, ["field_missing"], [err]),
        bad("isMedia as a string", dict(ok, isMedia="false"), ["field_wrong_type"], [err]),
        bad("content empty", dict(ok, content=""), ["field_blank"], [err]),
        bad("isMedia true with text content", dict(ok, isMedia=True), ["media_base64"], [err]),
        bad("isMedia true with a PNG", dict(ok, isMedia=True, content=PNG), ["media_wrong_format"], [err]),
        bad("masterId null", dict(ok, masterId=None), ["field_null"], [err]),
    ]


def cs_cases():
    ok = {"content": "Patient asks to change pharmacy", "masterId": "m-1"}
    err = "Incorrect data structure or missing data"
    return [
        good("a CS message", ok),
        bad("content absent", {"masterId": "m-1"}, ["field_missing"], [err]),
        bad("masterId as a number", dict(ok, masterId=12), ["field_wrong_type"], [err]),
    ]


def name_cases():
    ok = {"masterId": "m-1", "firstName": "Maria", "lastName": "Alvarez-Soto"}
    err = "Data format incorrect"
    return [
        good("a name change", ok),
        bad("firstName of 101 characters", dict(ok, firstName="a" * 101), ["text_too_long"], [err]),
        bad("lastName empty", dict(ok, lastName=""), ["field_blank"], [err]),
        bad("masterId absent", {"firstName": "Maria", "lastName": "Alvarez"}, ["field_missing"], [err]),
    ]


def search_cases():
    err = "Invalid search parameters"
    return [
        good("search by zip", {"zip": "78751"}),
        good("search by every parameter", {"name": "CVS", "city": "Austin", "state": "TX", "zip": "78751"}),
        bad("empty search", {}, ["search_no_parameters"], [err]),
        bad("state spelt out", {"state": "Texas"}, ["state_format"], [err]),
        bad("zip of 3 digits", {"zip": "787"}, ["zip_format"], [err]),
        bad("only an empty name", {"name": ""}, ["field_blank"], [err]),
    ]


def update_cases():
    pref = copy.deepcopy(VISIT["formObj"]["patientPreference"])
    ok = {"patientPreference": pref, "pharmacyId": "13012", "masterId": "m-1", "apiKey": "test-key"}
    no_days = copy.deepcopy(ok)
    del no_days["patientPreference"][0]["daysSupply"]

    def bad_update(name, body, codes):
        case = bad(name, body, codes, [])
        return case
    return [
        good("an update with daysSupply", ok),
        bad_update("daysSupply is required on updateVisit", no_days, ["field_missing"]),
        bad_update("apiKey absent", {k: v for k, v in ok.items() if k != "apiKey"}, ["field_missing"]),
        bad_update("pharmacyId as a number", dict(ok, pharmacyId=13012), ["field_wrong_type"]),
        bad_update("patientPreference empty", dict(ok, patientPreference=[]), ["preference_empty"]),
    ]


def text_cases():
    text = json.dumps(VISIT)
    dup = text.replace('"firstName": "Maria",', '"firstName": "Maria", "firstName": "Mar",')
    dup_item = text.replace('"medId": "SEMA-025"', '"medId": "SEMA-025", "medId": "X"')
    return [
        {"name": "valid visit as text", "text": text, "today": TODAY,
         "expect": {"valid": True, "violations": []}},
        {"name": "a member name repeated in formObj", "text": dup, "today": TODAY,
         "expect": {"valid": False, "violations": [{"code": "duplicate_member", "path": "/formObj/firstName"}]}},
        {"name": "a member name repeated inside a preference item", "text": dup_item, "today": TODAY,
         "expect": {"valid": False, "violations": [{"code": "duplicate_member", "path": "/medId"}]}},
        {"name": "text that is not JSON", "text": '{"formObj": ', "today": TODAY, "expect_error": "invalid_json"},
        {"name": "trailing characters after the body", "text": text + " x", "today": TODAY,
         "expect_error": "invalid_json"},
        {"name": "a path points at the exact member", "text": json.dumps(with_form(VISIT, zip="7875")),
         "today": TODAY,
         "expect": {"valid": False, "violations": [{"code": "zip_format", "path": "/formObj/zip",
                                                     "beluga_error": "Zip error",
                                                     "message": "`zip` must be exactly 5 digits"}]}},
        {"name": "preference item paths carry the index", "text": json.dumps(
            with_form(VISIT, patientPreference=[VISIT["formObj"]["patientPreference"][0], {"name": "x"}])),
         "today": TODAY,
         "expect": {"valid": False, "violations": [
             {"code": "field_missing", "path": "/formObj/patientPreference/1/strength"},
             {"code": "field_missing", "path": "/formObj/patientPreference/1/quantity"},
             {"code": "field_missing", "path": "/formObj/patientPreference/1/refills"},
             {"code": "field_missing", "path": "/formObj/patientPreference/1/medId"}]}},
        # RFC 6901: a member name holding `~` and `/` is one token, `~` written `~0`, `/` `~1`.
        {"name": "a member name with ~ and / is one escaped pointer token",
         "text": text.replace('"firstName": "Maria",', '"a~b/c": "1", "a~b/c": "2", "firstName": "Maria",'),
         "today": TODAY,
         "expect": {"valid": False,
                    "violations": [{"code": "duplicate_member", "path": "/formObj/a~0b~1c"}],
                    "warnings": [{"code": "unknown_field", "path": "/formObj/a~0b~1c"}]}},
        {"name": "unknown kind", "kind": "prescription", "text": "{}", "expect_error": "invalid_request"},
        {"name": "today not an ISO date", "text": text, "today": "11/23/2026", "expect_error": "invalid_request"},
    ]


def normalize_cases():
    def ok(name, field, value, out, **kw):
        return dict({"name": name, "field": field, "input": value, "expect": {"valid": True, "value": out}}, **kw)

    def no(name, field, value, code, **kw):
        return dict({"name": name, "field": field, "input": value, "expect": {"valid": False, "code": code}}, **kw)
    return [
        ok("phone with country code and punctuation", "phone", "+1 (555) 456-7890", "5554567890"),
        ok("phone with dots", "phone", "555.456.7890", "5554567890"),
        no("phone too short", "phone", "456-7890", "phone_digits"),
        no("phone with letters", "phone", "555-GET-FOOD", "phone_digits"),
        ok("ISO date", "date", "1990-04-02", "04/02/1990"),
        ok("already MM/DD/YYYY", "date", "04/02/1990", "04/02/1990"),
        no("not a date", "date", "1990-02-30", "date_format"),
        ok("state lower case", "state", "ca", "CA"),
        ok("state with spaces", "state", " tx ", "TX"),
        no("state spelt out", "state", "Texas", "state_format"),
        ok("trim inner and outer whitespace", "trim", "  Maria   del  Carmen ", "Maria del Carmen"),
        ok("multiple choice question", "multiple_choice_question", "Have you experienced any of these things?",
           "Have you experienced any of these things? POSSIBLE ANSWERS: answer1; answer2; answer3",
           choices=["answer1", "answer2", "answer3"]),
        no("multiple choice question without choices", "multiple_choice_question", "Any?", "no_choices",
           choices=[]),
        ok("multiple choice answer", "multiple_choice_answer", ["answer2", "answer3"], "answer2; answer3",
           choices=["answer1", "answer2", "answer3"]),
        no("answer not offered", "multiple_choice_answer", ["answer4"], "choice_not_offered",
           choices=["answer1", "answer2"]),
        {"name": "unknown field", "field": "ssn", "input": "x", "expect_error": "invalid_request"},
        {"name": "phone input not a string", "field": "phone", "input": 5554567890, "expect_error": "invalid_request"},
    ]


def response_cases():
    cases = []

    def case(name, kind, status, body, expect, **kw):
        inp = {"status": status, "body": body}
        inp.update(kw)
        cases.append({"name": name, "kind": kind, "input": inp, "expect": expect})
    case("visit created", "visit", 200,
         {"status": 200, "info": "Patient visit created successfully", "data": {"masterId": "m-1", "visitId": "v-9"}},
         {"outcome": "visit_created", "classification": "success", "data": {"masterId": "m-1", "visitId": "v-9"}})
    case("lab visit created", "lab", 200,
         {"status": 200, "info": "Patient visit created successfully", "data": {"masterId": "m-2", "visitId": "v-8"}},
         {"outcome": "visit_created", "classification": "success"})
    table = [
        ("Dob error", "fix_patient_data"), ("Phone number error", "fix_patient_data"),
        ("Email error", "fix_patient_data"), ("Missing values", "fix_patient_data"),
        ("consentsSigned must be true", "fix_patient_data"), ("firstName or lastName error", "fix_patient_data"),
        ("Sex error", "fix_patient_data"), ("Address error", "fix_patient_data"), ("City error", "fix_patient_data"),
        ("State error", "fix_patient_data"), ("State not valid", "fix_patient_data"), ("Zip error", "fix_patient_data"),
        ("Allergies error", "fix_patient_data"), ("SelfReportedMeds error", "fix_patient_data"),
        ("MedicalConditions error", "fix_patient_data"), (CATCH_ALL, "fix_patient_data"),
        ("Missing metadata", "fix_configuration"), ("No company found", "fix_configuration"),
        ("Company does not have that visit type", "fix_configuration"),
        ("No match for SEMA-025", "fix_configuration"), ("Pharmacy mismatch in patientPreference", "fix_configuration"),
        ("Branded med with compounding pharmacy", "fix_configuration"),
        ("patientPreference fields error", "fix_configuration"),
        ("Duplicate masterId", "duplicate"), ("Patient not eligible for new visit", "not_eligible"),
    ]
    for message, cls in table:
        case(f"visit answer {message}", "visit", 400, {"status": 400, "error": message},
             {"outcome": "error", "classification": cls, "beluga_error": message, "recognized": True})
    case("lab bad fields", "lab", 400, {"status": 400, "error": "Payload contains bad fields: notes"},
         {"classification": "fix_configuration", "recognized": True})
    case("lab preference not allowed", "lab", 400, {"status": 400, "error": "Patient preference not allowed"},
         {"classification": "fix_configuration"})
    case("an error string the reference does not document", "visit", 400, {"status": 400, "error": "Quota exceeded"},
         {"outcome": "error", "classification": "fix_configuration", "recognized": False})
    case("API key refused: HTTP 400 with an empty body", "visit", 400, "",
         {"outcome": "unauthorized", "classification": "fix_configuration"})
    case("API key refused: no body at all", "photos", 400, None,
         {"outcome": "unauthorized", "classification": "fix_configuration"})
    case("server error", "visit", 503, "<html>Service Unavailable</html>",
         {"outcome": "server_error", "classification": "retry_later"})
    cases.append({"name": "timeout", "kind": "visit", "input": {"network_error": "timeout"},
                  "expect": {"outcome": "network_error", "classification": "retry_later"}})
    case("success status without ids", "visit", 200, {"status": 200, "data": {}},
         {"outcome": "unexpected", "classification": "retry_later", "recognized": False})
    case("photos received", "photos", 200, {"status": 200, "info": "Successfully received images"},
         {"outcome": "received", "classification": "success"})
    case("photos visit missing", "photos", 400, {"status": 400, "info": "Visit does not exist"},
         {"outcome": "error", "classification": "fix_configuration"})
    case("photos not accepted", "photos", 400, {"status": 400, "info": "Error accepting images"},
         {"classification": "retry_later"})
    case("pdf received", "pdf", 200, {"status": 200, "info": "Successfully received image"},
         {"outcome": "received", "classification": "success"})
    case("pdf not accepted", "pdf", 400, {"status": 400, "info": "Error accepting image"},
         {"classification": "retry_later"})
    case("chat received", "chat", 200, {"status": 200, "info": "Message received successfully"},
         {"outcome": "message_received", "classification": "success"})
    case("chat malformed", "chat", 400, {"status": 400, "info": "Incorrect data structure or missing data"},
         {"classification": "fix_configuration"})
    case("CS message received", "cs-message", 200, {"status": 200, "info": "Message received successfully"},
         {"outcome": "message_received"})
    case("name updated", "patient-name", 200, {"status": 200, "info": "Successfully updated patient name"},
         {"outcome": "name_updated", "classification": "success"})
    case("name change too late", "patient-name", 400, {"status": 400, "info": "Name change no longer allowed"},
         {"classification": "permanent"})
    case("name change failed", "patient-name", 400, {"status": 400, "info": "Error accepting name change"},
         {"classification": "retry_later"})
    case("name data format", "patient-name", 400, {"status": 400, "info": "Data format incorrect"},
         {"classification": "fix_patient_data"})
    case("pharmacies found, PharmacyId kept as a string", "pharmacy-search", 200,
         {"status": 200, "data": [{"PharmacyId": 13012, "StoreName": "Speedway Pharmacy", "City": "Austin",
                                   "State": "TX", "ZipCode": "78751", "PharmacySpecialties": ["Retail"],
                                   "Latitude": 30.3, "Longitude": -97.7, "PhoneAdditional1": None}]},
         {"outcome": "pharmacies", "classification": "success",
          "data": {"pharmacies": [{"PharmacyId": "13012", "StoreName": "Speedway Pharmacy"}]}})
    case("empty pharmacy search", "pharmacy-search", 400, {"status": 400, "data": "Invalid search parameters"},
         {"outcome": "error", "classification": "fix_configuration"})
    case("visit data updated", "update-visit", 200, {"status": "VISIT_DATA_UPDATED", "info": "Visit data updated for m-1"},
         {"outcome": "visit_data_updated", "classification": "success"})
    case("new prescription sent", "update-visit", 200,
         {"status": "NEW_RX_SENT", "info": "Successfully prescribed SEMA-025",
          "medsPrescribed": [{"rxName": "Semaglutide", "rxStrength": "0.25 mg", "rxRefills": "0", "rxQuantity": "2",
                              "rxId": "rx-1", "rxDirections": "Inject weekly", "medId": "SEMA-025"}]},
         {"outcome": "new_rx_sent", "classification": "success",
          "data": {"medsPrescribed": [{"rxId": "rx-1", "medId": "SEMA-025"}]}})
    for word, cls in [("NO_VISIT", "fix_configuration"), ("CATEGORY_MISMATCH", "fix_configuration"),
                      ("PHARMACY_MISMATCH", "fix_configuration"), ("RX_ERROR", "retry_later"),
                      ("GENERIC", "retry_later"), ("VISIT_WAS_REFERRED", "permanent"),
                      ("TOO_MANY_RETRIES", "permanent"), ("TOO_LONG_AGO", "permanent")]:
        case(f"update visit {word}", "update-visit", 200, {"status": word, "info": "…"},
             {"outcome": "error", "classification": cls, "beluga_error": word})
    case("patient found", "fetch-patient", 200,
         {"status": 200, "data": {"firstName": "Maria", "lastName": "Alvarez", "dob": "03/14/1986",
                                  "phone": "7372046619", "sex": "Other", "visits": ["m-1", "m-2"]}},
         {"outcome": "patient", "classification": "success", "data": {"visits": ["m-1", "m-2"]}})
    case("patient not found is not an error (HTTP 200, status 400)", "fetch-patient", 200,
         {"status": 400, "error": "Patient not found"}, {"outcome": "not_found", "classification": "success"})
    case("fetch with a refused key", "fetch-patient", 400, "", {"outcome": "unauthorized"})
    case("visit found", "fetch-visit", 200,
         {"status": 200, "masterId": "m-1", "visitStatus": "resolved", "updateTimestamp": "2026-11-20T10:00:00.000Z",
          "resolvedStatus": "closed", "resolvedTimestamp": "2026-11-20T10:00:00.000Z",
          "data": {"formObj": {"firstName": "Maria"}, "visitType": "weightLoss",
                   "rxHistory": [{"rxTimestamp": "2026-11-20T10:00:00.000Z", "name": "Semaglutide",
                                  "medId": "SEMA-025", "rxId": "rx-1"}]}},
         {"outcome": "visit", "classification": "success",
          "data": {"masterId": "m-1", "visitStatus": "resolved", "resolvedStatus": "closed",
                   "visitType": "weightLoss", "rxHistory": [{"rxId": "rx-1"}]}})
    case("visit not found (HTTP 200, status 400)", "fetch-visit", 200, {"status": 400, "error": "Visit not found"},
         {"outcome": "error", "classification": "fix_configuration"})
    case("visit with an undocumented status", "fetch-visit", 200,
         {"status": 200, "masterId": "m-1", "visitStatus": "archived"}, {"outcome": "unexpected"})
    case("body given as JSON text", "visit", 400, '{"status": 400, "error": "Duplicate masterId"}',
         {"classification": "duplicate"})
    cases.append({"name": "unknown endpoint", "kind": "refund", "input": {"status": 200, "body": {}},
                  "expect_error": "invalid_request"})
    cases.append({"name": "neither status nor network error", "kind": "visit", "input": {"body": {}},
                  "expect_error": "invalid_request"})
    return cases


def size_cases():
    """One image a byte over the limit (the file is large: ~4 MB of base64)."""
    import base64
    over = b"\xff\xd8\xff\xe0" + bytes(3 * 1024 * 1024 + 1 - 4)
    body = {"visitId": "v-1001", "images": [{"mime": "image/jpeg", "data": base64.b64encode(over).decode()}]}
    at_limit = {"visitId": "v-1001", "images": [{"mime": "image/jpeg", "data": JPEG}]}
    exact = len(base64.b64decode(JPEG))
    return [
        bad("a JPEG of 3 MiB + 1 byte", body, ["media_too_large"], ["Error accepting images"]),
        good("a JPEG exactly at a narrowed limit", at_limit, max_image_bytes=exact),
        bad("a JPEG one byte over a narrowed limit", at_limit, ["media_too_large"], ["Error accepting images"],
            max_image_bytes=exact - 1),
    ]


def write(name, description, op, params, cases):
    OUT.mkdir(parents=True, exist_ok=True)
    doc = {"description": description, "op": op, "params": params, "cases": cases}
    (OUT / f"{name}.json").write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n")
    return len(cases)


def main():
    total = 0
    total += write("visit", "visit/createNoPayPhotos: every field rule of decisions.md §2", "validate",
                   {"kind": "visit"}, visit_cases())
    total += write("lab", "lab/receiveLabResults: the visit rules plus testToTreat, results and bad fields",
                   "validate", {"kind": "lab"}, lab_cases())
    total += write("photos", "external/receivePhotos", "validate", {"kind": "photos"}, photo_cases())
    total += write("pdf", "external/receivePdf", "validate", {"kind": "pdf"}, pdf_cases())
    total += write("chat", "external/receiveChat", "validate", {"kind": "chat"}, chat_cases())
    total += write("cs_message", "external/receiveCSMessage", "validate", {"kind": "cs-message"}, cs_cases())
    total += write("patient_name", "external/patientName", "validate", {"kind": "patient-name"}, name_cases())
    total += write("pharmacy_search", "external/pharmacies", "validate", {"kind": "pharmacy-search"}, search_cases())
    total += write("update_visit", "external/updateVisit (answers status words: no beluga_error)", "validate",
                   {"kind": "update-visit"}, update_cases())
    total += write("validate_text", "validation from JSON text: paths, messages, duplicates, syntax errors",
                   "validate_text", {"kind": "visit"}, text_cases())
    total += write("normalize", "the normalisers", "normalize", {}, normalize_cases())
    total += write("parse_response", "typed parsing and classification of every answer (decisions.md §2)",
                   "parse_response", {}, response_cases())
    total += write("photos_size", "the 3 MiB photo limit at its edge: 3,145,728 + 1 decoded bytes",
                   "validate", {"kind": "photos"}, size_cases())
    fixtures = OUT.parent.parent / "fixtures"
    (fixtures / "visit.json").write_text(json.dumps(VISIT, indent=2) + "\n")
    print(f"{total} contract cases written to {OUT}")


if __name__ == "__main__":
    main()
