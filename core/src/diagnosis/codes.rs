//! Codes of the `diagnosis` area (see [`crate::issue`]): the escalations the diagnosis
//! raises (decisions.md §3 "Escalations the diagnosis raises") beyond the codes of the
//! other areas it reuses.

crate::define_codes! {
    area = "diagnosis";
    /// The order is ready but the submit status stays FAILED.
    READY_BUT_FAILED = "ready_but_failed" {
        beluga_error: None,
        meaning: "the order meets every requirement but belugaSubmitStatus stays FAILED",
        template: "every requirement is met but belugaSubmitStatus is FAILED",
    },
    /// The submit error is not one rxgate can explain.
    UNCLEAR_SUBMIT_ERROR = "unclear_submit_error" {
        beluga_error: None,
        meaning: "belugaSubmitError is not a known Beluga error",
        template: "belugaSubmitError is not one of Beluga's documented errors",
    },
    /// Product, drug or pharmacy mapping looks wrong.
    MAPPING_PROBLEM = "mapping_problem" {
        beluga_error: None,
        meaning: "product-to-drug, drug medId or pharmacy mapping looks incorrect",
        template: "product/drug/pharmacy mapping needs admin/development: {codes}",
    },
    /// Prescription written but no pharmacy submission or Beluga pharmacy event in time.
    RX_WITHOUT_FULFILLMENT = "rx_without_fulfillment" {
        beluga_error: None,
        meaning: "a prescription was written but no pharmacy submission or Beluga pharmacy event followed in time",
        template: "RX_WRITTEN was received over {hours} h ago and pharmacy fulfillment did not start",
    },
    /// RX_WRITTEN received but no local prescription records.
    RX_WRITTEN_WITHOUT_RECORDS = "rx_written_without_records" {
        beluga_error: None,
        meaning: "RX_WRITTEN was received but no local prescription record exists",
        template: "RX_WRITTEN was received but the app holds no local prescription record",
    },
    /// Shipped without tracking for too long.
    SHIPPED_WITHOUT_TRACKING = "shipped_without_tracking" {
        beluga_error: None,
        meaning: "the order has been SHIPPED for longer than the window with no tracking",
        template: "the order is SHIPPED with no tracking number for over {days} days",
    },
    /// Shipped and not delivered for too long.
    SHIPPED_WITHOUT_DELIVERY = "shipped_without_delivery" {
        beluga_error: None,
        meaning: "the order has been SHIPPED for longer than the window and is not delivered",
        template: "the order is SHIPPED and not delivered for over {days} days",
    },
    /// Order status disagrees with visit or pharmacy status.
    STATUS_MISMATCH = "status_mismatch" {
        beluga_error: None,
        meaning: "the order status disagrees with the visit or pharmacy status",
        template: "order status disagrees with {what}",
    },
    /// A visit canceled or referred on a paid order waiting for fulfillment.
    VISIT_CLOSED_AWAITING_FULFILLMENT = "visit_closed_awaiting_fulfillment" {
        beluga_error: None,
        meaning: "the visit was canceled or referred while a paid order waits for fulfillment",
        template: "the visit is {outcome} but the paid order still waits for fulfillment",
    },
    /// A fulfillment integration submission failed.
    FULFILLMENT_SUBMISSION_FAILED = "fulfillment_submission_failed" {
        beluga_error: None,
        meaning: "a DispensePro or LifeFile submission failed",
        template: "the {route} submission failed",
    },
    /// A flag raised by event processing waits for staff.
    STAFF_FLAG_OPEN = "staff_flag_open" {
        beluga_error: None,
        meaning: "event processing raised a flag that needs a person",
        template: "event processing raised {count} flag(s) for staff",
    },
    /// The carrier reported a failed delivery.
    DELIVERY_FAILED = "delivery_failed" {
        beluga_error: None,
        meaning: "a carrier reported a failed delivery",
        template: "the carrier reported a failed delivery",
    },
    /// A re-armed Beluga call is already pending.
    BELUGA_CALL_PENDING = "beluga_call_pending" {
        beluga_error: None,
        meaning: "the Beluga call is already queued to be sent: re-arming it again changes nothing",
        template: "the call is already pending: it is sent at its next try",
    },
    /// The Beluga call was delivered.
    BELUGA_CALL_DELIVERED = "beluga_call_delivered" {
        beluga_error: None,
        meaning: "Beluga already received the call",
        template: "Beluga already received this call: nothing to send again",
    },
    /// The submission is retried with submit-to-beluga, not re-armed.
    BELUGA_CALL_USE_RETRY = "beluga_call_use_retry" {
        beluga_error: None,
        meaning: "a visit submission or its fetch is re-planned from the corrected order by the staff retry, never re-sent as stored",
        template: "retry the visit submission with submit-to-beluga: it is planned again from the corrected order",
    },
    /// The order is closed: no Beluga call is sent again.
    BELUGA_CALL_ORDER_CLOSED = "beluga_call_order_closed" {
        beluga_error: None,
        meaning: "the order is cancelled or completed, or its Beluga visit canceled",
        template: "the order is closed ({state}): no Beluga call is sent again",
    },
    /// Beluga refused the call for good.
    BELUGA_CALL_PERMANENT = "beluga_call_permanent" {
        beluga_error: None,
        meaning: "Beluga refused the call permanently (a new visit is needed); it is never sent again",
        template: "Beluga refused this call for good: a new visit is needed, never a resend",
    },
    /// Beluga refused the call's data.
    BELUGA_CALL_DATA_REFUSED = "beluga_call_data_refused" {
        beluga_error: None,
        meaning: "Beluga refused the call's data; the same body would be refused again",
        template: "Beluga refused this call's data: send a corrected request instead of the same body",
    },
    /// A later call of the same kind replaced this one.
    BELUGA_CALL_SUPERSEDED = "beluga_call_superseded" {
        beluga_error: None,
        meaning: "a later call of the same kind (photo ID, patient name, update visit) is pending or delivered",
        template: "a later {kind} call replaced this one",
    },
}
