//! Codes of the `boundary` area (see [`crate::issue`]): the prescription boundary.

crate::define_codes! {
    area = "boundary";
    /// No prescription confirmation for the visit yet.
    RX_NOT_CONFIRMED = "rx_not_confirmed" {
        beluga_error: None,
        meaning: "no RX_WRITTEN or NEW_RX_SENT confirms a prescription for the item's visit",
        template: "item {item} waits for prescription confirmation (RX_WRITTEN); payment, intake or visit creation never allow fulfillment",
    },
    /// A confirmation exists but no local prescription record for the item.
    RX_RECORD_MISSING = "rx_record_missing" {
        beluga_error: None,
        meaning: "prescription confirmation exists but no local prescription record matches the item",
        template: "item {item} has no local prescription record although the visit's prescription was confirmed",
    },
    /// The visit was referred: no prescription will come.
    VISIT_REFERRED = "visit_referred" {
        beluga_error: None,
        meaning: "the doctor referred the visit; no prescription will be written",
        template: "the visit was concluded as referred: no prescription, no fulfillment",
    },
    /// The visit was cancelled.
    VISIT_CANCELED = "visit_canceled" {
        beluga_error: None,
        meaning: "the Beluga visit was canceled",
        template: "the Beluga visit is canceled: no fulfillment without a new visit",
    },
    /// A fulfillment submission exists for an item without a prescription record.
    FULFILLMENT_BEFORE_RX = "fulfillment_before_rx" {
        beluga_error: None,
        meaning: "a fulfillment submission was made for an item without a prescription record",
        template: "item {item} was submitted to {route} ({by}) without a prescription record",
    },
    /// A partner's fulfillment event preceded RX_WRITTEN beyond the window.
    PARTNER_EVENT_BEFORE_RX = "partner_event_before_rx" {
        beluga_error: None,
        meaning: "a partner fulfillment event arrived and no RX_WRITTEN followed within the window",
        template: "{event} was received and no RX_WRITTEN followed within {hours} h",
    },
    /// A partner's fulfillment event preceded RX_WRITTEN, still within the window.
    PARTNER_EVENT_BEFORE_RX_PENDING = "partner_event_before_rx_pending" {
        beluga_error: None,
        meaning: "a partner fulfillment event arrived before RX_WRITTEN; still within the window",
        template: "{event} was received before RX_WRITTEN; escalated if none follows within {hours} h",
    },
    /// A prescribed medId was not ordered.
    PRESCRIBED_MED_NOT_ORDERED = "prescribed_med_not_ordered" {
        beluga_error: None,
        meaning: "a prescription names a medId that no order item has",
        template: "a prescription names a medId that was not ordered: flagged for staff, never routed",
    },
}
