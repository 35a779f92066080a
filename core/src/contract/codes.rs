//! Codes of the `contract` area (see [`crate::issue`]): the field rules of decisions.md §2
//! for the nine outbound Beluga bodies.
//!
//! A code's `beluga_error` is the string Beluga answers on visit creation; the same rule on
//! another endpoint carries that endpoint's string (the violation says which).

crate::define_codes! {
    area = "contract";
    /// The body is not a JSON object.
    BODY_NOT_OBJECT = "body_not_object" {
        beluga_error: Some(beluga::MISSING_METADATA),
        meaning: "the request body is not a JSON object",
        template: "the {endpoint} body must be a JSON object, found {found}",
    },
    /// A member name appears twice in one object.
    DUPLICATE_MEMBER = "duplicate_member" {
        beluga_error: Some(beluga::SOMETHING_WENT_WRONG),
        meaning: "a member name appears more than once in one object",
        template: "`{field}` appears more than once; only one may be sent",
    },
    /// A required member is absent.
    FIELD_MISSING = "field_missing" {
        beluga_error: Some(beluga::MISSING_VALUES),
        meaning: "a required member is absent",
        template: "`{field}` is required",
    },
    /// A member is JSON null.
    FIELD_NULL = "field_null" {
        beluga_error: Some(beluga::MISSING_VALUES),
        meaning: "a member is null; Beluga refuses null values",
        template: "`{field}` is null; send a value or fix the source data",
    },
    /// A string member is empty or whitespace only.
    FIELD_BLANK = "field_blank" {
        beluga_error: Some(beluga::MISSING_VALUES),
        meaning: "a string member is empty or only whitespace",
        template: "`{field}` is empty or only whitespace",
    },
    /// A member has the wrong JSON type.
    FIELD_WRONG_TYPE = "field_wrong_type" {
        beluga_error: Some(beluga::SOMETHING_WENT_WRONG),
        meaning: "a member has the wrong JSON type",
        template: "`{field}` must be {expected}, found {found}",
    },
    /// A member the lab endpoint does not define.
    UNKNOWN_FIELD = "unknown_field" {
        beluga_error: Some("Payload contains bad fields: {fields}"),
        meaning: "a member the endpoint does not define (an error on the lab endpoint, a warning elsewhere)",
        template: "`{field}` is not a member of the {endpoint} body",
    },
    /// `consentsSigned` is not `true`.
    CONSENTS_NOT_SIGNED = "consents_not_signed" {
        beluga_error: Some(beluga::CONSENTS_SIGNED_MUST_BE_TRUE),
        meaning: "consentsSigned is false: the patient has not signed the consents",
        template: "`{field}` must be true: the patient has to sign the consents before the visit is sent",
    },
    /// A text member is longer than its limit.
    TEXT_TOO_LONG = "text_too_long" {
        beluga_error: Some(beluga::SOMETHING_WENT_WRONG),
        meaning: "a text member is longer than its limit",
        template: "`{field}` is longer than {max} characters",
    },
    /// A text member holds control characters.
    TEXT_CONTROL_CHARACTERS = "text_control_characters" {
        beluga_error: Some(beluga::SOMETHING_WENT_WRONG),
        meaning: "a text member holds control characters (line breaks, tabs, NUL)",
        template: "`{field}` contains control characters",
    },
    /// A name holds characters other than letters, spaces, `'`, `-`, `.`, `,`.
    NAME_INVALID_CHARACTERS = "name_invalid_characters" {
        beluga_error: Some(beluga::FIRST_NAME_OR_LAST_NAME_ERROR),
        meaning: "a name holds digits or symbols",
        template: "`{field}` may hold only letters, spaces and ' - . ,",
    },
    /// `dob` is not written `MM/DD/YYYY`.
    DOB_FORMAT = "dob_format" {
        beluga_error: Some(beluga::DOB_ERROR),
        meaning: "dob is not written MM/DD/YYYY",
        template: "`{field}` must be written MM/DD/YYYY (normalise ISO dates with the date helper)",
    },
    /// `dob` is not a real calendar date.
    DOB_NOT_A_DATE = "dob_not_a_date" {
        beluga_error: Some(beluga::DOB_ERROR),
        meaning: "dob is not a real calendar date",
        template: "`{field}` is not a real calendar date",
    },
    /// `dob` is after the evaluation date.
    DOB_IN_FUTURE = "dob_in_future" {
        beluga_error: Some(beluga::DOB_ERROR),
        meaning: "dob is after the evaluation date",
        template: "`{field}` is after the evaluation date {today}",
    },
    /// The patient is under 18 on the evaluation date.
    DOB_UNDER_18 = "dob_under_18" {
        beluga_error: Some(beluga::DOB_ERROR),
        meaning: "the patient is under 18 on the evaluation date",
        template: "`{field}`: the patient is under 18 on {today}; Beluga treats adults only",
    },
    /// The age rule was not run because no evaluation date was given.
    AGE_NOT_CHECKED = "age_not_checked" {
        beluga_error: None,
        meaning: "no evaluation date was given, so the 18+ rule was not checked",
        template: "`{field}`: no evaluation date was given, so the 18+ rule was not checked",
    },
    /// `phone` is not exactly ten ASCII digits.
    PHONE_FORMAT = "phone_format" {
        beluga_error: Some(beluga::PHONE_NUMBER_ERROR),
        meaning: "phone is not exactly 10 digits",
        template: "`{field}` must be exactly 10 digits (normalise `+1 (555) 456-7890` with the phone helper)",
    },
    /// Not a valid NANP number.
    PHONE_NOT_NANP = "phone_not_nanp" {
        beluga_error: Some(beluga::PHONE_NUMBER_ERROR),
        meaning: "phone is not a valid North American number (area code or exchange)",
        template: "`{field}` is not a valid US number: {rule}",
    },
    /// A number that cannot be a patient's mobile.
    PHONE_NOT_MOBILE = "phone_not_mobile" {
        beluga_error: Some(beluga::PHONE_NUMBER_ERROR),
        meaning: "phone is toll-free, premium-rate or a fictional 555-01XX number",
        template: "`{field}` cannot be a patient's mobile number: {rule}",
    },
    /// `email` is not a plausible address.
    EMAIL_INVALID = "email_invalid" {
        beluga_error: Some(beluga::EMAIL_ERROR),
        meaning: "email is not a valid address",
        template: "`{field}` is not a valid email address: {rule}",
    },
    /// `state` is not two capital letters.
    STATE_FORMAT = "state_format" {
        beluga_error: Some(beluga::STATE_ERROR),
        meaning: "state is not two capital letters",
        template: "`{field}` must be two capital letters such as CA (normalise with the state helper)",
    },
    /// `state` is not in the allowable list.
    STATE_NOT_ALLOWED = "state_not_allowed" {
        beluga_error: Some(beluga::STATE_NOT_VALID),
        meaning: "state is not in the allowable list",
        template: "`{field}` is not one of the {count} allowable states",
    },
    /// `zip` is not five ASCII digits.
    ZIP_FORMAT = "zip_format" {
        beluga_error: Some(beluga::ZIP_ERROR),
        meaning: "zip is not exactly 5 digits",
        template: "`{field}` must be exactly 5 digits",
    },
    /// `sex` is not `Male` or `Female`.
    SEX_INVALID = "sex_invalid" {
        beluga_error: Some(beluga::SEX_ERROR),
        meaning: "sex is not exactly Male or Female",
        template: "`{field}` must be exactly `Male` or `Female`",
    },
    /// `patientPreference` is an empty array.
    PREFERENCE_EMPTY = "preference_empty" {
        beluga_error: Some(beluga::PATIENT_PREFERENCE_FIELDS_ERROR),
        meaning: "patientPreference is an empty array",
        template: "`{field}` must list at least one medication",
    },
    /// Lab: `patientPreference` sent with `testToTreat: false`.
    PREFERENCE_NOT_ALLOWED = "preference_not_allowed" {
        beluga_error: Some(beluga::PATIENT_PREFERENCE_NOT_ALLOWED),
        meaning: "lab results with testToTreat false must not carry patientPreference",
        template: "`{field}` must be left out when testToTreat is false",
    },
    /// A `Qn` without its `An`, or the reverse.
    QA_UNPAIRED = "qa_unpaired" {
        beluga_error: Some(beluga::SOMETHING_WENT_WRONG),
        meaning: "a custom question has no answer, or an answer no question",
        template: "`{field}` has no matching `{other}`",
    },
    /// Question numbers do not run from 1 without gaps.
    QA_NUMBERING = "qa_numbering" {
        beluga_error: Some(beluga::SOMETHING_WENT_WRONG),
        meaning: "custom questions are not numbered 1..n without gaps",
        template: "`{field}`: custom questions must be numbered from 1 without gaps ({rule})",
    },
    /// The `POSSIBLE ANSWERS:` marker is misspelt or lists nothing.
    CHOICES_MALFORMED = "choices_malformed" {
        beluga_error: Some(beluga::SOMETHING_WENT_WRONG),
        meaning: "a multiple-choice question does not use the `POSSIBLE ANSWERS: a; b` form",
        template: "`{field}`: {rule} (format with the multiple_choice_question helper)",
    },
    /// An answer lists a choice the question does not offer.
    ANSWER_NOT_OFFERED = "answer_not_offered" {
        beluga_error: Some(beluga::SOMETHING_WENT_WRONG),
        meaning: "a multiple-choice answer lists a choice the question does not offer",
        template: "`{field}`: answer {position} is not one of the choices `{question}` offers",
    },
    /// A custom question repeats a standard field (warning).
    QUESTION_REPEATS_STANDARD_FIELD = "question_repeats_standard_field" {
        beluga_error: None,
        meaning: "a custom question asks about medications, allergies or conditions, which have their own fields",
        template: "`{field}` looks like it asks about {topic}; map that answer to `{standard}` only",
    },
    /// A lab date is not a real `MM/DD/YYYY` date.
    LAB_DATE_FORMAT = "lab_date_format" {
        beluga_error: Some(beluga::SOMETHING_WENT_WRONG),
        meaning: "a lab result date is not a real MM/DD/YYYY date",
        template: "`{field}` must be a real date written MM/DD/YYYY",
    },
    /// `statusIndicator` is not `H`, `L`, `N` or `N/A`.
    LAB_STATUS_INDICATOR_INVALID = "lab_status_indicator_invalid" {
        beluga_error: Some(beluga::SOMETHING_WENT_WRONG),
        meaning: "statusIndicator is not H, L, N or N/A",
        template: "`{field}` must be one of H, L, N, N/A",
    },
    /// `statusIndicator` disagrees with the numeric result and range.
    LAB_STATUS_INDICATOR_DISAGREES = "lab_status_indicator_disagrees" {
        beluga_error: Some(beluga::SOMETHING_WENT_WRONG),
        meaning: "statusIndicator disagrees with the numeric testResult and refRange",
        template: "`{field}` says {found} but the result against the range means {expected}",
    },
    /// `sampleSource` is not one of the six sources.
    LAB_SAMPLE_SOURCE_INVALID = "lab_sample_source_invalid" {
        beluga_error: Some(beluga::SOMETHING_WENT_WRONG),
        meaning: "sampleSource is not URINE, BLOOD, SALIVA, VAGINAL, RECTAL or SEMEN",
        template: "`{field}` must be one of URINE, BLOOD, SALIVA, VAGINAL, RECTAL, SEMEN",
    },
    /// An array that must not be empty is empty.
    ARRAY_EMPTY = "array_empty" {
        beluga_error: Some(beluga::MISSING_VALUES),
        meaning: "an array that needs at least one item is empty",
        template: "`{field}` must hold at least one item",
    },
    /// The media type is not the one the endpoint accepts.
    MEDIA_MIME = "media_mime" {
        beluga_error: Some(beluga::ERROR_ACCEPTING_IMAGES),
        meaning: "the mime member is not the type the endpoint accepts",
        template: "`{field}` must be `{expected}`",
    },
    /// Base64 data carries a `data:` URI prefix.
    MEDIA_DATA_URI = "media_data_uri" {
        beluga_error: Some(beluga::ERROR_ACCEPTING_IMAGES),
        meaning: "base64 data starts with a data: URI prefix",
        template: "`{field}` must be plain base64 without the `data:…;base64,` prefix",
    },
    /// The data is not valid base64.
    MEDIA_BASE64 = "media_base64" {
        beluga_error: Some(beluga::ERROR_ACCEPTING_IMAGES),
        meaning: "the data is not valid base64",
        template: "`{field}` is not valid base64",
    },
    /// The decoded data is not the file type the endpoint accepts.
    MEDIA_WRONG_FORMAT = "media_wrong_format" {
        beluga_error: Some(beluga::ERROR_ACCEPTING_IMAGES),
        meaning: "the decoded data is not a JPEG (photos, chat) or a PDF (PDF endpoint)",
        template: "`{field}` does not decode to a {expected} file",
    },
    /// The decoded image is larger than 3 MiB.
    MEDIA_TOO_LARGE = "media_too_large" {
        beluga_error: Some(beluga::ERROR_ACCEPTING_IMAGES),
        meaning: "the decoded image is larger than 3 MiB",
        template: "`{field}` decodes to more than {max} bytes; compress to 1000 px wide",
    },
    /// A pharmacy search with no parameter.
    SEARCH_NO_PARAMETERS = "search_no_parameters" {
        beluga_error: Some(beluga::INVALID_SEARCH_PARAMETERS),
        meaning: "a pharmacy search names none of name, city, state, zip",
        template: "give at least one of name, city, state, zip",
    },
}

/// Beluga's error vocabulary: every error string the API reference documents, written once.
/// The codes' `beluga_error`, the validators, the response classifier
/// ([`crate::contract::response`]) and the diagnosis all name these constants. `NO_MATCH_FOR`
/// and `PAYLOAD_CONTAINS_BAD_FIELDS` are prefixes (Beluga appends the medId or the fields).
pub mod beluga {
    /// `Duplicate masterId`
    pub const DUPLICATE_MASTER_ID: &str = "Duplicate masterId";
    /// `Patient not eligible for new visit`
    pub const PATIENT_NOT_ELIGIBLE: &str = "Patient not eligible for new visit";
    /// `Missing metadata`
    pub const MISSING_METADATA: &str = "Missing metadata";
    /// `No company found`
    pub const NO_COMPANY_FOUND: &str = "No company found";
    /// `Company does not have that visit type`
    pub const COMPANY_DOES_NOT_HAVE_THAT_VISIT_TYPE: &str = "Company does not have that visit type";
    /// `No match for`
    pub const NO_MATCH_FOR: &str = "No match for ";
    /// `Pharmacy mismatch in patientPreference`
    pub const PHARMACY_MISMATCH_IN_PATIENT_PREFERENCE: &str =
        "Pharmacy mismatch in patientPreference";
    /// `Branded med with compounding pharmacy`
    pub const BRANDED_MED_WITH_COMPOUNDING_PHARMACY: &str = "Branded med with compounding pharmacy";
    /// `patientPreference fields error`
    pub const PATIENT_PREFERENCE_FIELDS_ERROR: &str = "patientPreference fields error";
    /// `Patient preference not allowed`
    pub const PATIENT_PREFERENCE_NOT_ALLOWED: &str = "Patient preference not allowed";
    /// `Payload contains bad fields:`
    pub const PAYLOAD_CONTAINS_BAD_FIELDS: &str = "Payload contains bad fields: ";
    /// `Invalid search parameters`
    pub const INVALID_SEARCH_PARAMETERS: &str = "Invalid search parameters";
    /// `Incorrect data structure or missing data`
    pub const INCORRECT_DATA_STRUCTURE_OR_MISSING_DATA: &str =
        "Incorrect data structure or missing data";
    /// `Visit does not exist`
    pub const VISIT_DOES_NOT_EXIST: &str = "Visit does not exist";
    /// `Visit not found`
    pub const VISIT_NOT_FOUND: &str = "Visit not found";
    /// `Name change no longer allowed`
    pub const NAME_CHANGE_NO_LONGER_ALLOWED: &str = "Name change no longer allowed";
    /// `Error accepting name change`
    pub const ERROR_ACCEPTING_NAME_CHANGE: &str = "Error accepting name change";
    /// `Error accepting images`
    pub const ERROR_ACCEPTING_IMAGES: &str = "Error accepting images";
    /// `Error accepting image`
    pub const ERROR_ACCEPTING_IMAGE: &str = "Error accepting image";
    /// `Missing values`
    pub const MISSING_VALUES: &str = "Missing values";
    /// `Data format incorrect`
    pub const DATA_FORMAT_INCORRECT: &str = "Data format incorrect";
    /// `consentsSigned must be true`
    pub const CONSENTS_SIGNED_MUST_BE_TRUE: &str = "consentsSigned must be true";
    /// `firstName or lastName error`
    pub const FIRST_NAME_OR_LAST_NAME_ERROR: &str = "firstName or lastName error";
    /// `Dob error`
    pub const DOB_ERROR: &str = "Dob error";
    /// `Phone number error`
    pub const PHONE_NUMBER_ERROR: &str = "Phone number error";
    /// `Email error`
    pub const EMAIL_ERROR: &str = "Email error";
    /// `Address error`
    pub const ADDRESS_ERROR: &str = "Address error";
    /// `City error`
    pub const CITY_ERROR: &str = "City error";
    /// `State error`
    pub const STATE_ERROR: &str = "State error";
    /// `State not valid`
    pub const STATE_NOT_VALID: &str = "State not valid";
    /// `Zip error`
    pub const ZIP_ERROR: &str = "Zip error";
    /// `Sex error`
    pub const SEX_ERROR: &str = "Sex error";
    /// `SelfReportedMeds error`
    pub const SELF_REPORTED_MEDS_ERROR: &str = "SelfReportedMeds error";
    /// `Allergies error`
    pub const ALLERGIES_ERROR: &str = "Allergies error";
    /// `MedicalConditions error`
    pub const MEDICAL_CONDITIONS_ERROR: &str = "MedicalConditions error";
    /// `Something went wrong, please check all data`
    pub const SOMETHING_WENT_WRONG: &str = "Something went wrong, please check all data";
}
