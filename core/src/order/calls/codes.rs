//! Codes of the `calls` area (see [`crate::issue`]): why a partner call failed when the
//! failure is rxgate's to describe (no answer, a server error, a refusal without a documented
//! Beluga string, a partner that is not configured), and why a message cannot go to Beluga.
//! Their messages name the partner and the HTTP status, never partner text: an answer
//! rxgate does not recognise may echo patient data.

crate::define_codes! {
    area = "calls";
    /// The service has no configuration for the call's partner.
    PARTNER_NOT_CONFIGURED = "partner_not_configured" {
        beluga_error: None,
        meaning: "the service has no configuration for the partner a call goes to, so the call was not sent",
        template: "partner not configured: the service has no {partner} configuration for this call; fix the service configuration, then retry",
    },
    /// No answer: network error or timeout.
    PARTNER_UNREACHABLE = "partner_unreachable" {
        beluga_error: None,
        meaning: "the partner did not answer (network error or timeout)",
        template: "network error: {partner} did not answer (timeout or connection failure)",
    },
    /// HTTP 5xx (or 408/429 from a pharmacy).
    PARTNER_SERVER_ERROR = "partner_server_error" {
        beluga_error: None,
        meaning: "the partner answered a server error or asked to come back later (HTTP 5xx, 408, 429)",
        template: "HTTP {status}: {partner} could not take the call (server error or overload)",
    },
    /// A pharmacy refused the order with an HTTP status.
    PARTNER_CALL_REFUSED = "partner_call_refused" {
        beluga_error: None,
        meaning: "a pharmacy integration refused the order (HTTP 4xx other than 408/429, or a redirect)",
        template: "HTTP {status}: {partner} refused the order; check the pharmacy's credentials, the route's configuration and the drug mapping, then retry",
    },
    /// LifeFile answered `{type: "error", messages}` (even with HTTP 200).
    LIFEFILE_ORDER_ERROR = "lifefile_order_error" {
        beluga_error: None,
        meaning: "LifeFile answered the order with type error; its messages are kept on the route's submission for staff (never logged)",
        template: "LifeFile answered the order with an error ({count} messages, kept on the route's submission for staff); check the pharmacy's LifeFile mapping and the order's data, then retry",
    },
    /// HTTP 400 with an empty body from Beluga.
    BELUGA_API_KEY_REFUSED = "beluga_api_key_refused" {
        beluga_error: None,
        meaning: "Beluga answered HTTP 400 with an empty body: the API key was refused",
        template: "HTTP 400 with an empty body: Beluga refused the API key; check the key for this environment in the service configuration",
    },
    /// Beluga answered in no documented shape.
    BELUGA_ANSWER_UNEXPECTED = "beluga_answer_unexpected" {
        beluga_error: None,
        meaning: "Beluga answered in a shape the reference does not document",
        template: "Beluga answered in a shape the reference does not document; escalate to development if it repeats",
    },
    /// Beluga answered an error string rxgate does not know.
    BELUGA_ERROR_UNRECOGNIZED = "beluga_error_unrecognized" {
        beluga_error: None,
        meaning: "Beluga answered an error string rxgate does not recognise (not copied)",
        template: "Beluga answered an error rxgate does not recognise (not copied: it may hold patient data); escalate to development with the order number",
    },
    /// A message needs the Beluga visit.
    MESSAGE_VISIT_MISSING = "message_visit_missing" {
        beluga_error: None,
        meaning: "a message to Beluga needs the order's visit, and Beluga has not accepted it",
        template: "the order has no Beluga visit yet (submit status is not SUBMITTED): messages go to Beluga once the visit exists",
    },
    /// Images go only in the patient's doctor chat.
    MESSAGE_MEDIA_NOT_ALLOWED = "message_media_not_allowed" {
        beluga_error: None,
        meaning: "images travel only in the patient's doctor chat (receiveChat with isMedia), never in a CS message",
        template: "a CS message carries text only: images are sent by the patient in the doctor chat",
    },
}
