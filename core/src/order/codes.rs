//! Codes of the `order` area (see [`crate::issue`]): readiness, submission, visit building,
//! the cancel guard, message visibility and the staff actions' own refusals (submit, resend).

crate::define_codes! {
    area = "order";
    /// Beluga is switched off in Admin settings.
    BELUGA_DISABLED = "beluga_disabled" {
        beluga_error: None,
        meaning: "Beluga is disabled in Admin settings",
        template: "Beluga is disabled in Admin → Settings; enable it, then retry the same order",
    },
    /// No Beluga API key is configured.
    BELUGA_API_KEY_MISSING = "beluga_api_key_missing" {
        beluga_error: None,
        meaning: "no Beluga API key is configured",
        template: "no Beluga API key is configured in Admin → Settings (Beluga would answer HTTP 400 with an empty body)",
    },
    /// No Beluga company identifier is configured.
    BELUGA_COMPANY_MISSING = "beluga_company_missing" {
        beluga_error: Some(crate::contract::codes::beluga::MISSING_METADATA),
        meaning: "no Beluga company identifier is configured",
        template: "no Beluga company identifier is configured in Admin → Settings",
    },
    /// A prescription product has no Beluga visit type.
    VISIT_TYPE_MISSING = "visit_type_missing" {
        beluga_error: Some(crate::contract::codes::beluga::MISSING_METADATA),
        meaning: "a product that needs a prescription has no Beluga visit type",
        template: "the product of item {item} needs a prescription but has no Beluga visit type (CRM → Store → Products)",
    },
    /// Items carry different visit types.
    VISIT_TYPE_CONFLICT = "visit_type_conflict" {
        beluga_error: None,
        meaning: "the order's items carry different Beluga visit types",
        template: "items carry {count} different Beluga visit types but one visit has one visitType: split the order",
    },
    /// A Beluga item's product maps to no drug.
    DRUG_UNMAPPED = "drug_unmapped" {
        beluga_error: Some(crate::contract::codes::beluga::PATIENT_PREFERENCE_FIELDS_ERROR),
        meaning: "a product sent to Beluga is not mapped to a drug",
        template: "the product of item {item} is not mapped to a drug (CRM → Store → Products)",
    },
    /// A drug has neither `belugaMedId` nor `DIN`.
    DRUG_MED_ID_MISSING = "drug_med_id_missing" {
        beluga_error: Some(crate::contract::codes::beluga::PATIENT_PREFERENCE_FIELDS_ERROR),
        meaning: "a drug sent to Beluga has neither a belugaMedId nor a DIN",
        template: "the drug of item {item} has neither a Beluga medId nor a DIN (EMR → Drugs)",
    },
    /// A required intake is missing or not submitted.
    INTAKE_MISSING = "intake_missing" {
        beluga_error: None,
        meaning: "a required intake is missing or not submitted",
        template: "the required intake ({questionnaire}) is missing or not submitted",
    },
    /// An intake waits for the patient's correction.
    INTAKE_NEEDS_CORRECTION = "intake_needs_correction" {
        beluga_error: None,
        meaning: "an intake is in NEEDS_CORRECTION",
        template: "intake {intake} is NEEDS_CORRECTION: the patient must correct and resubmit it",
    },
    /// An intake was rejected.
    INTAKE_REJECTED = "intake_rejected" {
        beluga_error: None,
        meaning: "an intake is REJECTED",
        template: "intake {intake} is REJECTED: the order cannot go to medical review",
    },
    /// Labs apply and no lab method answer exists.
    LAB_METHOD_MISSING = "lab_method_missing" {
        beluga_error: None,
        meaning: "labs apply but the intake has no lab method answer",
        template: "labs apply to item {item} but no intake says how lab results are obtained",
    },
    /// The patient supplies lab results but none are recorded.
    LAB_RESULTS_MISSING = "lab_results_missing" {
        beluga_error: Some(crate::contract::codes::beluga::MISSING_VALUES),
        meaning: "the lab method says the patient supplies results but none are recorded",
        template: "the lab method is patient-supplied results but the intake holds no lab results",
    },
    /// Patient fields Beluga requires are absent.
    PATIENT_DATA_INCOMPLETE = "patient_data_incomplete" {
        beluga_error: Some(crate::contract::codes::beluga::MISSING_VALUES),
        meaning: "patient demographic or contact fields Beluga requires are missing",
        template: "patient profile is missing: {fields}",
    },
    /// Patient fields fail the Beluga field rules.
    PATIENT_DATA_INVALID = "patient_data_invalid" {
        beluga_error: None,
        meaning: "patient demographic or contact fields fail Beluga's field rules",
        template: "patient profile fields fail Beluga's rules: {fields}",
    },
    /// Another patient already has this phone.
    PHONE_NOT_UNIQUE = "phone_not_unique" {
        beluga_error: Some(crate::contract::codes::beluga::PHONE_NUMBER_ERROR),
        meaning: "another patient already uses this phone; Beluga needs one phone per patient",
        template: "another patient already has this phone number; Beluga requires a unique phone per patient",
    },
    /// The order is not paid.
    UNPAID = "unpaid" {
        beluga_error: None,
        meaning: "the order or its invoice is not paid",
        template: "the {what} is not paid ({status})",
    },
    /// An intake answer cannot be mapped to Beluga's Q/A form.
    INTAKE_ANSWER_INVALID = "intake_answer_invalid" {
        beluga_error: Some(crate::contract::codes::beluga::SOMETHING_WENT_WRONG),
        meaning: "an intake answer cannot be written in Beluga's Q/A form",
        template: "intake answer {index} cannot be sent: {rule}",
    },
    /// The order is cancelled or completed.
    ORDER_CLOSED = "order_closed" {
        beluga_error: None,
        meaning: "the order is cancelled or completed",
        template: "the order is {status}; nothing is submitted for it",
    },
    /// No item needs Beluga review.
    BELUGA_NOT_REQUIRED = "beluga_not_required" {
        beluga_error: None,
        meaning: "no item of the order has a Beluga visit type",
        template: "no item's product has a Beluga visit type: the order does not go to Beluga",
    },
    /// The order was already accepted by Beluga.
    ALREADY_SUBMITTED = "already_submitted" {
        beluga_error: None,
        meaning: "Beluga already accepted this order's visit",
        template: "belugaSubmitStatus is SUBMITTED: the visit exists; never create a second one",
    },
    /// The built body failed contract validation.
    VISIT_BODY_INVALID = "visit_body_invalid" {
        beluga_error: None,
        meaning: "the built visit body fails the contract validator",
        template: "the built {kind} body fails validation at {fields}",
    },
    /// Erase: partner calls of the patient's orders are still in flight.
    ERASE_CALLS_IN_FLIGHT = "erase_calls_in_flight" {
        beluga_error: None,
        meaning: "partner calls of the patient's orders are still in flight",
        template: "{count} partner call(s) of the patient's orders are still in flight: wait until they finish, or force the erase with a reason (they are then parked, never sent)",
    },
    /// Erase: forced without a reason.
    ERASE_REASON_MISSING = "erase_reason_missing" {
        beluga_error: None,
        meaning: "a forced erase needs a reason",
        template: "a forced erase needs a reason (kept in the audit log; no patient data)",
    },
    /// Cancel: there is no Beluga visit to cancel.
    CANCEL_NO_VISIT = "cancel_no_visit" {
        beluga_error: None,
        meaning: "the order has no Beluga visit to cancel",
        template: "the order was never accepted by Beluga; there is no visit to cancel",
    },
    /// Cancel: the visit is already over.
    CANCEL_VISIT_CLOSED = "cancel_visit_closed" {
        beluga_error: None,
        meaning: "the Beluga visit is already resolved or canceled",
        template: "the Beluga visit is already {status}; it cannot be cancelled",
    },
    /// Cancel: consequences need an explicit confirmation.
    CANCEL_CONFIRMATION_REQUIRED = "cancel_confirmation_required" {
        beluga_error: None,
        meaning: "cancelling has consequences that need explicit confirmation",
        template: "cancelling this visit has consequences that are not undone; confirm explicitly",
    },
    /// Cancel: a reason is required.
    CANCEL_REASON_REQUIRED = "cancel_reason_required" {
        beluga_error: None,
        meaning: "a cancel with consequences needs a reason",
        template: "give a reason for cancelling; it goes to the audit log",
    },
    /// Cancel consequence: payment is not refunded.
    CONSEQUENCE_PAYMENT = "consequence_payment" {
        beluga_error: None,
        meaning: "the order is paid and cancelling the visit does not refund it",
        template: "the payment is not refunded by cancelling the visit",
    },
    /// Cancel consequence: fulfillment is not unwound.
    CONSEQUENCE_FULFILLMENT = "consequence_fulfillment" {
        beluga_error: None,
        meaning: "fulfillment started and cancelling the visit does not unwind it",
        template: "pharmacy submissions and shipments are not cancelled by cancelling the visit",
    },
    /// Cancel consequence: the subscription continues.
    CONSEQUENCE_SUBSCRIPTION = "consequence_subscription" {
        beluga_error: None,
        meaning: "the order belongs to a subscription that cancelling the visit does not stop",
        template: "the subscription is not cancelled by cancelling the visit",
    },
    /// Cancel consequence: medical review is under way or done.
    CONSEQUENCE_MEDICAL_REVIEW = "consequence_medical_review" {
        beluga_error: None,
        meaning: "a provider is reviewing or already prescribed",
        template: "medical review is under way or a prescription exists; tell medical operations",
    },
    /// A doctor message is not visible to the patient.
    DOCTOR_MESSAGE_NOT_VISIBLE = "doctor_message_not_visible" {
        beluga_error: None,
        meaning: "a Beluga doctor message is not shown to the patient",
        template: "a BELUGA_DOCTOR_CHAT message is not shown in Patient Portal → Messages",
    },
    /// An internal message is visible to the patient.
    INTERNAL_MESSAGE_VISIBLE = "internal_message_visible" {
        beluga_error: None,
        meaning: "an internal CS or Beluga admin message is shown to the patient",
        template: "a {kind} message is internal but is shown to the patient",
    },
    /// Submit: the first submission was already made; staff retry it instead.
    SUBMIT_ALREADY_ATTEMPTED = "submit_already_attempted" {
        beluga_error: None,
        meaning: "the first Beluga submission was already made and failed; staff retry it instead",
        template: "belugaSubmitStatus is FAILED: the first submission was made; use Retry Beluga Submission (same masterId)",
    },
    /// Resend: there is no Beluga visit.
    RESEND_NO_VISIT = "resend_no_visit" {
        beluga_error: None,
        meaning: "the order has no visit accepted by Beluga, so no prescription can be resent",
        template: "belugaSubmitStatus is not SUBMITTED: there is no Beluga visit whose prescription could be resent (Beluga would answer NO_VISIT)",
    },
    /// Resend: no prescription was written yet.
    RESEND_NO_PRESCRIPTION = "resend_no_prescription" {
        beluga_error: None,
        meaning: "no prescription was written for the visit yet; updateVisit would only update the visit data",
        template: "no prescription was written for this visit yet (no RX_WRITTEN or NEW_RX_SENT): updateVisit would only update the visit data (VISIT_DATA_UPDATED)",
    },
    /// Resend: the original prescription is too old.
    RESEND_TOO_LONG_AGO = "resend_too_long_ago" {
        beluga_error: None,
        meaning: "the original prescription was sent more than 7 days ago; Beluga refuses a resend",
        template: "the original prescription was sent over {days} days ago: Beluga refuses a resend (TOO_LONG_AGO); medical operations decide on a new visit",
    },
    /// Flag action: no flag of that code raised at that instant.
    FLAG_NOT_FOUND = "flag_not_found" {
        beluga_error: None,
        meaning: "staff named a flag the order does not have (code and raised instant)",
        template: "the order has no flag of that code raised at that instant",
    },
    /// Flag action: no reason given.
    FLAG_REASON_MISSING = "flag_reason_missing" {
        beluga_error: None,
        meaning: "acknowledging or resolving a flag needs a reason",
        template: "a reason is required to acknowledge or resolve a flag",
    },
    /// Flag action: the flag is already settled that far.
    FLAG_ALREADY_SETTLED = "flag_already_settled" {
        beluga_error: None,
        meaning: "the flag was already acknowledged or resolved (a resolved flag is final)",
        template: "the flag is already {outcome}",
    },
}
