//! Codes of the `events` area (see [`crate::issue`]): parsing, authentication and the flags
//! that applying a partner event raises for staff.
//!
//! Messages name sources, fields, headers and rules — never a header value, a secret or a
//! payload value (partner bodies are patient data).

crate::define_codes! {
    area = "events";

    // ---- parsing --------------------------------------------------------------------
    /// The body is not the JSON type the source sends (object, or array for LifeFile).
    EVENT_BODY_SHAPE = "event_body_shape" {
        beluga_error: None,
        meaning: "the webhook body is not the JSON type its source sends",
        template: "the {source} webhook body must be {expected}",
    },
    /// A field the rules depend on is absent or null.
    EVENT_FIELD_MISSING = "event_field_missing" {
        beluga_error: None,
        meaning: "a field the rules depend on is absent or null",
        template: "{source} webhook: `{field}` is required",
    },
    /// A field has the wrong JSON type.
    EVENT_FIELD_TYPE = "event_field_type" {
        beluga_error: None,
        meaning: "a field of the webhook body has the wrong JSON type",
        template: "{source} webhook: `{field}` must be {expected}",
    },
    /// A required string is empty or white space, or a required array is empty.
    EVENT_FIELD_EMPTY = "event_field_empty" {
        beluga_error: None,
        meaning: "a required field is present but empty",
        template: "{source} webhook: `{field}` must not be empty",
    },
    /// A field holds a value outside its allowed set.
    EVENT_FIELD_VALUE = "event_field_value" {
        beluga_error: None,
        meaning: "a field holds a value outside its allowed set",
        template: "{source} webhook: `{field}` must be one of {allowed}",
    },
    /// A timestamp field is not an RFC 3339 instant.
    EVENT_TIMESTAMP_INVALID = "event_timestamp_invalid" {
        beluga_error: None,
        meaning: "a timestamp field of the webhook body is not an RFC 3339 instant",
        template: "{source} webhook: `{field}` must be an RFC 3339 instant with a zone",
    },
    /// A Beluga body over 1 MiB that is not a lab requisition (answer 413).
    EVENT_BODY_TOO_LARGE = "event_body_too_large" {
        beluga_error: None,
        meaning: "a Beluga body over 1 MiB that is not LAB_ORDER_REQUISITION_CREATED (HTTP 413)",
        template: "{source} webhook bodies over {limit} bytes are accepted only for {allowed}",
    },

    // ---- authentication -------------------------------------------------------------
    /// No secret or credential is configured: every request is refused (fail closed).
    AUTH_NOT_CONFIGURED = "auth_not_configured" {
        beluga_error: None,
        meaning: "no webhook secret or credential is configured for the route: refused (fail closed, HTTP 500)",
        template: "no {scheme} secret is configured for {source} webhooks: every request is refused",
    },
    /// A configured secret cannot be used (bad `whsec_` base64, blank).
    AUTH_SECRET_INVALID = "auth_secret_invalid" {
        beluga_error: None,
        meaning: "a configured webhook secret is malformed (configuration error, HTTP 500)",
        template: "configured {scheme} secret number {index} for {source} webhooks is malformed: {expected}",
    },
    /// `allow_unsigned` was configured in production: refused.
    AUTH_UNSIGNED_FORBIDDEN = "auth_unsigned_forbidden" {
        beluga_error: None,
        meaning: "allow_unsigned is set for a production pharmacy; rxgate refuses unsigned requests in production",
        template: "allow_unsigned is ignored in production: configure a {scheme} secret for {source} webhooks",
    },
    /// An unsigned request accepted outside production (audit warning).
    AUTH_UNSIGNED_ACCEPTED = "auth_unsigned_accepted" {
        beluga_error: None,
        meaning: "an unsigned request was accepted because allow_unsigned is set outside production; audited as unsigned",
        template: "{source} webhook accepted unsigned (allow_unsigned outside production): mark it unsigned in the audit log",
    },
    /// A required authentication header is absent.
    AUTH_HEADER_MISSING = "auth_header_missing" {
        beluga_error: None,
        meaning: "a required authentication header is absent (HTTP 401)",
        template: "{source} webhook: header `{header}` is required",
    },
    /// An authentication header does not have the expected format.
    AUTH_HEADER_MALFORMED = "auth_header_malformed" {
        beluga_error: None,
        meaning: "an authentication header does not have the expected format (HTTP 401)",
        template: "{source} webhook: header `{header}` must be {expected}",
    },
    /// The shared secret or Basic credentials do not match any configured one.
    AUTH_SECRET_MISMATCH = "auth_secret_mismatch" {
        beluga_error: None,
        meaning: "the shared secret or credentials do not match any configured one (HTTP 401)",
        template: "{source} webhook: the credential in `{header}` matches no configured secret",
    },
    /// No signature matches the body under any configured secret.
    AUTH_SIGNATURE_MISMATCH = "auth_signature_mismatch" {
        beluga_error: None,
        meaning: "no HMAC-SHA256 signature matches the raw body under any configured secret (HTTP 401)",
        template: "{source} webhook: no signature in `{header}` matches the raw body",
    },
    /// The signed timestamp is older than the tolerance.
    AUTH_TIMESTAMP_STALE = "auth_timestamp_stale" {
        beluga_error: None,
        meaning: "the signed timestamp is more than the tolerance in the past (replay protection, HTTP 401)",
        template: "{source} webhook: `webhook-timestamp` is more than {tolerance} seconds in the past",
    },
    /// The signed timestamp is ahead of now by more than the tolerance.
    AUTH_TIMESTAMP_FUTURE = "auth_timestamp_future" {
        beluga_error: None,
        meaning: "the signed timestamp is more than the tolerance in the future (HTTP 401)",
        template: "{source} webhook: `webhook-timestamp` is more than {tolerance} seconds in the future",
    },

    // ---- flags raised while applying ------------------------------------------------
    /// The event names no order of this snapshot.
    EVENT_ORDER_UNMATCHED = "event_order_unmatched" {
        beluga_error: None,
        meaning: "an authenticated event matches no order; stored as unmatched, answered 2xx, applied if the order appears",
        template: "{source} event {event} matches this order on none of {matched_on}: kept unmatched for staff",
    },
    /// An event name rxgate does not know: recorded, nothing changed.
    EVENT_UNKNOWN = "event_unknown" {
        beluga_error: None,
        meaning: "an event name rxgate does not know; recorded and answered 2xx, nothing changed",
        template: "{source} sent an event rxgate does not know: recorded, no state change",
    },
    /// RX_WRITTEN prescribed a medId that no order item has.
    RX_MED_NOT_ORDERED = "rx_med_not_ordered" {
        beluga_error: None,
        meaning: "RX_WRITTEN prescribes a medId that no order item has: flagged for staff, never routed",
        template: "medsPrescribed item {index} names a medId no order item has: flagged for staff, never routed",
    },
    /// A fulfillment submission was made before this prescription confirmation.
    FULFILLMENT_BEFORE_CONFIRMATION = "fulfillment_before_confirmation" {
        beluga_error: None,
        meaning: "the app made a fulfillment submission before the prescription confirmation (RX_WRITTEN) arrived",
        template: "a {route} submission predates this RX_WRITTEN: fulfillment started before prescription confirmation",
    },
    /// A partner event that changes nothing it should (failed delivery, return, void, failure).
    PARTNER_EXCEPTION = "partner_exception" {
        beluga_error: None,
        meaning: "a partner event that changes no status but needs a person (failed delivery, return, void, failure)",
        template: "{source} reported {status}: no status change, staff must follow up",
    },
    /// NAME_UPDATE: recorded for staff to confirm; the app's name stays the source of truth.
    NAME_UPDATE_REVIEW = "name_update_review" {
        beluga_error: None,
        meaning: "Beluga reported a patient name change; staff confirm it (never triggers a patientName call)",
        template: "Beluga reported a patient name change: staff confirm it; the app's name stays the source of truth",
    },
    /// A reschedule that contradicts the stored booking.
    BOOKING_CONTRADICTION = "booking_contradiction" {
        beluga_error: None,
        meaning: "BOOKING_RESCHEDULED arrived with no active stored booking",
        template: "a reschedule arrived with no active booking stored: staff confirm the appointment",
    },
}
