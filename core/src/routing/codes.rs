//! Codes of the `routing` area (see [`crate::issue`]): the Beluga pharmacy and the
//! per-item fulfillment routes with their requirements.

crate::define_codes! {
    area = "routing";
    /// No pharmacy for the Beluga visit.
    PHARMACY_MISSING = "pharmacy_missing" {
        beluga_error: Some(crate::contract::codes::beluga::MISSING_METADATA),
        meaning: "neither the order, the products nor the legacy field name a pharmacy",
        template: "no pharmacy: assign one on the order or set the product Default Pharmacy",
    },
    /// The winning pharmacy has no Beluga id.
    PHARMACY_MISSING_BELUGA_ID = "pharmacy_missing_beluga_id" {
        beluga_error: Some(crate::contract::codes::beluga::MISSING_METADATA),
        meaning: "the pharmacy chosen by the priority rule has no Beluga id",
        template: "the {source} pharmacy has no Beluga pharmacy id (Admin → Settings → Pharmacies)",
    },
    /// Items name different default pharmacies and the order names none.
    PHARMACY_CONFLICT = "pharmacy_conflict" {
        beluga_error: None,
        meaning: "items have different product default pharmacies and the order has no pharmacy",
        template: "items name {count} different default pharmacies: assign one on the order or split it",
    },
    /// A pharmacy id names no pharmacy record.
    PHARMACY_UNKNOWN = "pharmacy_unknown" {
        beluga_error: None,
        meaning: "a pharmacy id names no pharmacy record of the snapshot",
        template: "the {source} pharmacy id names no pharmacy record",
    },
    /// No pharmacy to route an item to.
    ROUTE_PHARMACY_MISSING = "route_pharmacy_missing" {
        beluga_error: None,
        meaning: "an item has neither a product default pharmacy nor an order pharmacy",
        template: "item {item} has no product Default Pharmacy and the order has no pharmacy: held for staff",
    },
    /// The product and order pharmacies have different types.
    ROUTE_TYPE_CONFLICT = "route_type_conflict" {
        beluga_error: None,
        meaning: "the product default pharmacy and the order pharmacy have different types",
        template: "item {item}: product Default Pharmacy is {product_type} but the order pharmacy is {order_type}: held for staff",
    },
    /// The DispensePro integration is off or unconfigured.
    DISPENSEPRO_DISABLED = "dispensepro_disabled" {
        beluga_error: None,
        meaning: "the DispensePro integration is not enabled or not configured",
        template: "DispensePro is not enabled/configured (Admin → Settings → Medical Integrations → DispensePro)",
    },
    /// The drug has no (complete) DispensePro Rx configuration.
    DISPENSEPRO_CONFIG_INCOMPLETE = "dispensepro_config_incomplete" {
        beluga_error: None,
        meaning: "the drug's DispensePro Rx configuration is missing or incomplete",
        template: "item {item}: the drug's DispensePro Rx Configuration lacks {fields} (EMR → Drugs)",
    },
    /// Patient fields the route needs are missing.
    ROUTE_PATIENT_DATA_MISSING = "route_patient_data_missing" {
        beluga_error: None,
        meaning: "patient fields a pharmacy route needs are missing",
        template: "{route} needs patient {fields}",
    },
    /// No prescriber in the directory matches the prescribing doctor.
    PRESCRIBER_NOT_FOUND = "prescriber_not_found" {
        beluga_error: None,
        meaning: "the Beluga doctor of the prescription matches no prescriber of the directory",
        template: "the prescribing doctor matches no prescriber in the clinic's directory",
    },
    /// The prescriber has no NPI.
    PRESCRIBER_NPI_MISSING = "prescriber_npi_missing" {
        beluga_error: None,
        meaning: "the matched prescriber has no NPI",
        template: "the prescriber has no NPI",
    },
    /// The prescriber's NPI fails the format or check digit.
    PRESCRIBER_NPI_INVALID = "prescriber_npi_invalid" {
        beluga_error: None,
        meaning: "the prescriber's NPI is not 10 digits passing the Luhn check over the 80840 prefix",
        template: "the prescriber's NPI must be 10 digits with a valid check digit (Luhn over prefix 80840)",
    },
    /// The prescriber lacks licence or address data LifeFile needs.
    PRESCRIBER_DATA_INCOMPLETE = "prescriber_data_incomplete" {
        beluga_error: None,
        meaning: "the prescriber lacks licence, address or phone data the route needs",
        template: "the prescriber lacks {fields}",
    },
    /// LifeFile credentials are not configured.
    LIFEFILE_CREDENTIALS_MISSING = "lifefile_credentials_missing" {
        beluga_error: None,
        meaning: "the LifeFile pharmacy's API URL and credentials are not configured",
        template: "pharmacy {pharmacy}: LifeFile API URL and credentials are not configured",
    },
    /// LifeFile account ids are missing.
    LIFEFILE_IDS_MISSING = "lifefile_ids_missing" {
        beluga_error: None,
        meaning: "LifeFile vendor, location, network or practice ids are missing",
        template: "pharmacy {pharmacy}: LifeFile {fields} missing",
    },
    /// The LifeFile pharmacy's environment does not match the app's.
    LIFEFILE_ENVIRONMENT_MISMATCH = "lifefile_environment_mismatch" {
        beluga_error: None,
        meaning: "the LifeFile pharmacy environment (TEST/PRODUCTION) is missing or not the app's",
        template: "pharmacy {pharmacy}: environment must be {expected}",
    },
    /// The drug has no LifeFile Product ID or mapping fields.
    LIFEFILE_MAPPING_INCOMPLETE = "lifefile_mapping_incomplete" {
        beluga_error: None,
        meaning: "the drug's LifeFile Rx Mapping is missing or incomplete",
        template: "item {item}: the drug's LifeFile Rx Mapping lacks {fields} (EMR → Drugs)",
    },
    /// The LifeFile pharmacy requires a signed hardcopy PDF, which cannot be sent.
    LIFEFILE_HARDCOPY_PDF_REQUIRED = "lifefile_hardcopy_pdf_required" {
        beluga_error: None,
        meaning: "the pharmacy requires a signed hardcopy PDF the app cannot generate or send",
        template: "pharmacy {pharmacy} requires a signed hardcopy PDF that the app cannot send: escalate to admin/development",
    },
    /// Items go to several LifeFile pharmacies: one LifeFile order each.
    LIFEFILE_SPLIT = "lifefile_split" {
        beluga_error: None,
        meaning: "the order's LifeFile items go to several pharmacies and become one LifeFile order each",
        template: "items go to {count} Belmar/LifeFile pharmacies: one LifeFile order per pharmacy",
    },
    /// An OWN pharmacy has no webhook secret.
    OWN_WEBHOOK_SECRET_MISSING = "own_webhook_secret_missing" {
        beluga_error: None,
        meaning: "an OWN pharmacy has no webhook secret; its shipping updates would be refused",
        template: "pharmacy {pharmacy} has no webhook secret configured; its updates are refused in production",
    },
    /// The route was already accepted by the integration.
    ROUTE_ALREADY_SUBMITTED = "route_already_submitted" {
        beluga_error: None,
        meaning: "the integration already accepted these items; never sent again unless staff force it",
        template: "{route} already accepted these items; not sent again unless staff force it",
    },
    /// A previous submission of the route failed.
    ROUTE_SUBMISSION_FAILED = "route_submission_failed" {
        beluga_error: None,
        meaning: "the last submission to this integration failed",
        template: "the last {route} submission failed; fix the cause and retry",
    },
    /// A staff retry or force names no route of the order.
    ROUTE_ACTION_NO_ROUTE = "route_action_no_route" {
        beluga_error: None,
        meaning: "a staff retry or force names a pharmacy no item of the order routes to",
        template: "no item of the order routes to pharmacy {pharmacy}",
    },
    /// A staff retry or force names a route with nothing to submit.
    ROUTE_ACTION_NOT_SUBMITTABLE = "route_action_not_submittable" {
        beluga_error: None,
        meaning: "the route waits for partner events or is held: rxgate sends it nothing",
        template: "the route to pharmacy {pharmacy} has nothing rxgate submits ({action})",
    },
    /// A retry of a route whose last submission did not fail.
    ROUTE_RETRY_NOT_FAILED = "route_retry_not_failed" {
        beluga_error: None,
        meaning: "only a FAILED route is retried; a ready one is being sent, an accepted one is forced",
        template: "the route to pharmacy {pharmacy} is {status}, not failed: nothing to retry",
    },
    /// A force without a reason.
    ROUTE_FORCE_REASON_MISSING = "route_force_reason_missing" {
        beluga_error: None,
        meaning: "forcing a submission again needs the reason staff give",
        template: "forcing a submission needs a reason",
    },
    /// A force of a route not sent yet.
    ROUTE_FORCE_NOT_SENT = "route_force_not_sent" {
        beluga_error: None,
        meaning: "force re-sends an order the pharmacy accepted (or that failed); a route never sent is sent by the rules once it is ready",
        template: "the route to pharmacy {pharmacy} is {status}: force re-sends only a route already sent",
    },
    /// A DispensePro manual action on a route that is not DispensePro's.
    DISPENSEPRO_ACTION_NOT_DISPENSEPRO = "dispensepro_action_not_dispensepro" {
        beluga_error: None,
        meaning: "a DispensePro manual action (status, refill, void) names a route that does not go to DispensePro",
        template: "the route to pharmacy {pharmacy} is not a DispensePro route: no {action}",
    },
    /// A DispensePro manual action before DispensePro accepted the route's order.
    DISPENSEPRO_NOT_ACCEPTED = "dispensepro_not_accepted" {
        beluga_error: None,
        meaning: "DispensePro has not accepted an order for the route (never sent, or the submission failed): nothing to act on",
        template: "DispensePro has not accepted the order of the route to pharmacy {pharmacy} ({status}): no {action}",
    },
    /// The accepted DispensePro order has no recorded DispensePro id.
    DISPENSEPRO_ORDER_ID_MISSING = "dispensepro_order_id_missing" {
        beluga_error: None,
        meaning: "DispensePro accepted the order but its answer carried no order id, which the manual actions address",
        template: "DispensePro's order id was not recorded for pharmacy {pharmacy}: run the action in DispensePro's portal",
    },
    /// A void without a reason.
    DISPENSEPRO_VOID_REASON_MISSING = "dispensepro_void_reason_missing" {
        beluga_error: None,
        meaning: "voiding a DispensePro order needs the reason staff give",
        template: "voiding a DispensePro order needs a reason",
    },
    /// A void or refill of a voided order.
    DISPENSEPRO_ALREADY_VOIDED = "dispensepro_already_voided" {
        beluga_error: None,
        meaning: "the DispensePro order was voided: it is neither voided again nor refilled",
        template: "the DispensePro order was voided: no {action}",
    },
    /// A void of an order that shipped.
    DISPENSEPRO_VOID_AFTER_SHIPPED = "dispensepro_void_after_shipped" {
        beluga_error: None,
        meaning: "a shipped or delivered DispensePro order cannot be voided (the package left the pharmacy)",
        template: "the DispensePro order is {status}: a shipped order cannot be voided",
    },
    /// A refill before the fill was delivered.
    DISPENSEPRO_REFILL_NOT_DELIVERED = "dispensepro_refill_not_delivered" {
        beluga_error: None,
        meaning: "a refill follows a delivered fill; the DispensePro order is not delivered yet",
        template: "the DispensePro order is {status}: a refill follows a delivered fill",
    },
    /// A refill with no refills left on the prescription.
    DISPENSEPRO_NO_REFILLS_LEFT = "dispensepro_no_refills_left" {
        beluga_error: None,
        meaning: "the prescription's refills are used up (refills written minus refills requested)",
        template: "no refills left: the prescription allows {prescribed} and {used} were requested",
    },
}
