# Generated from the core's op table by `cargo run -p rxgate-core --example gen_bindings`.
# Do not edit: change the core's types and regenerate (CI fails when this file is stale).
"""The types of the core's operations: a `TypedDict` per request and answer object."""

from __future__ import annotations

from typing import Dict, List, Literal, NoReturn, Tuple, TypedDict, Union

JsonValue = Union[None, bool, int, float, str, List["JsonValue"], Dict[str, "JsonValue"]]


class _ValidateRequestBase(TypedDict):
    kind: "Kind"
    input: JsonValue


class ValidateRequest(_ValidateRequestBase, total=False):
    """The request of `validate`."""

    today: Union[str, None]
    now: Union["Instant", None]
    allowed_states: Union[List[str], None]
    max_image_bytes: Union[int, None]


class _ValidateTextRequestBase(TypedDict):
    kind: "Kind"
    text: str


class ValidateTextRequest(_ValidateTextRequestBase, total=False):
    """The request of `validate_text`."""

    today: Union[str, None]
    now: Union["Instant", None]
    allowed_states: Union[List[str], None]
    max_image_bytes: Union[int, None]


class _NormalizeRequestBase(TypedDict):
    field: "Field"
    input: "NormalizeInput"


class NormalizeRequest(_NormalizeRequestBase, total=False):
    """The request of `normalize`."""

    choices: Union[List[str], None]


class ParseResponseRequest(TypedDict):
    """The request of `parse_response`."""

    kind: "Endpoint"
    input: "HttpAnswer"


class HttpAnswer(TypedDict, total=False):
    """An HTTP answer as the caller received it."""

    status: Union[int, None]
    body: JsonValue
    network_error: Union[str, None]


class _DatedOrderRequestBase(TypedDict):
    input: "OrderSnapshot"


class DatedOrderRequest(_DatedOrderRequestBase, total=False):
    """The request of the operations that evaluate the snapshot on a date."""

    today: Union[str, None]
    now: Union["Instant", None]


class _OrderSnapshotBase(TypedDict):
    schema_version: "SchemaVersion"
    settings: "Settings"
    patient: "Patient"
    order: "Order"


class OrderSnapshot(_OrderSnapshotBase, total=False):
    """The clinic app's view of one order: everything the order rules read."""

    items: List["Item"]
    intakes: List["Intake"]
    pharmacies: List["Pharmacy"]
    prescribers: List["Prescriber"]
    events: List["ReceivedEvent"]
    activities: List["Activity"]


class _SettingsBase(TypedDict):
    beluga_enabled: bool
    api_key_present: bool


class Settings(_SettingsBase, total=False):
    """Clinic configuration the order rules read."""

    company: Union[str, None]
    allowed_states: Union[List[str], None]
    environment: Union["Environment", None]
    dispense_pro: Union["DispenseProSettings", None]
    windows: "Windows"


class DispenseProSettings(TypedDict):
    """The DispensePro integration (Admin → Settings → Medical Integrations → DispensePro)."""

    enabled: bool
    configured: bool


class Windows(TypedDict, total=False):
    """Escalation windows (decisions.md §3). All have defaults."""

    boundary_hours: int
    rx_to_pharmacy_hours: int
    shipped_without_tracking_days: int
    shipped_without_delivery_days: int


class Patient(TypedDict, total=False):
    """The patient as the clinic app holds them. Every field may be missing; readiness names
the ones Beluga needs."""

    id: Union[str, None]
    first_name: Union[str, None]
    last_name: Union[str, None]
    dob: Union[str, None]
    sex: Union[str, None]
    email: Union[str, None]
    phone: Union[str, None]
    consents_signed: bool
    phone_used_by_other_patient: bool
    address: Union["Address", None]
    shipping_address: Union["Address", None]


class Address(TypedDict, total=False):
    """A postal address."""

    line1: Union[str, None]
    line2: Union[str, None]
    city: Union[str, None]
    state: Union[str, None]
    zip: Union[str, None]
    country: Union[str, None]


class _OrderBase(TypedDict):
    number: str
    status: "OrderStatus"
    source: "OrderSource"
    payment_status: "PaymentStatus"


class Order(_OrderBase, total=False):
    """The order."""

    id: Union[str, None]
    invoice_status: Union["InvoiceStatus", None]
    pharmacy_id: Union[str, None]
    legacy_beluga_pharmacy_id: Union[str, None]
    beluga: "BelugaState"
    subscription: bool
    refill: bool
    prescriptions: List["Prescription"]
    dispense_pro: List["Submission"]
    life_file: List["Submission"]
    route_statuses: List["RouteStatusRecord"]
    photo_id_status: Union["PhotoIdStatus", None]
    shipping: Union["Shipping", None]
    appointment: Union["Appointment", None]
    flags: List["StaffFlag"]
    created_at: Union[str, None]
    paid_at: Union[str, None]


class BelugaState(TypedDict, total=False):
    """The Beluga Telehealth block of an order."""

    submit_status: Union["SubmitStatus", None]
    visit_status: Union["VisitStatus", None]
    visit_updated_at: Union[str, None]
    resolved_status: Union["ResolvedStatus", None]
    visit_outcome: Union["VisitOutcome", None]
    visit_id: Union[str, None]
    master_id: Union[str, None]
    submit_error: Union[str, None]
    submitted_at: Union[str, None]
    last_attempt_at: Union[str, None]


class _PrescriptionBase(TypedDict):
    source: "PrescriptionSource"


class Prescription(_PrescriptionBase, total=False):
    """A local prescription record."""

    item_id: Union[str, None]
    med_id: Union[str, None]
    rx_id: Union[str, None]
    name: Union[str, None]
    strength: Union[str, None]
    quantity: Union[str, None]
    refills: Union[str, None]
    doctor_name: Union[str, None]
    written_at: Union[str, None]
    pharmacy_notes: Union[str, None]


class _SubmissionBase(TypedDict):
    state: "SubmissionState"


class Submission(_SubmissionBase, total=False):
    """One submission to a fulfillment integration (DispensePro or LifeFile)."""

    pharmacy_id: Union[str, None]
    item_ids: List[str]
    submitted_by: Union["Submitter", None]
    submitted_at: Union[str, None]
    partner_order_id: Union[str, None]
    partner_status: Union[str, None]
    partner_status_at: Union[str, None]
    submit_error: Union[str, None]
    refills: List["RefillRecord"]
    partner_messages: List[str]


class _RefillRecordBase(TypedDict):
    at: str


class RefillRecord(_RefillRecordBase, total=False):
    """One refill the partner accepted for a submission."""

    by: Union[str, None]
    partner_id: Union[str, None]


class _RouteStatusRecordBase(TypedDict):
    pharmacy_id: str
    status: "OrderStatus"


class RouteStatusRecord(_RouteStatusRecordBase, total=False):
    """The fulfillment status one route (the items going to one pharmacy) reached, from its
pharmacy's events. Ranked like the order status (`SHIPPED < CANCELLED < COMPLETED`)."""

    at: Union[str, None]


class Shipping(TypedDict, total=False):
    """Shipping and tracking of an order."""

    carrier: Union[str, None]
    tracking: Union[str, None]
    tracking_url: Union[str, None]
    tracking_updated_at: Union[str, None]
    shipped_at: Union[str, None]
    delivered_at: Union[str, None]
    delivery_failed: bool


class _AppointmentBase(TypedDict):
    status: "AppointmentStatus"


class Appointment(_AppointmentBase, total=False):
    """The Beluga appointment."""

    doc_name: Union[str, None]
    scheduled_date: Union[str, None]
    location: Union[str, None]
    contradiction: bool


class _StaffFlagBase(TypedDict):
    code: str


class StaffFlag(_StaffFlagBase, total=False):
    """A flag raised for staff while processing events (codes of the events area)."""

    raised_at: Union[str, None]
    event: Union[str, None]
    settled: Union["FlagSettlement", None]


class FlagSettlement(TypedDict):
    """How staff settled a flag. Ordered so that merging two settlements keeps the later word:
`resolved` over `acknowledged`, then the later instant."""

    outcome: "FlagOutcome"
    at: str
    by: str
    reason: str


class _ItemBase(TypedDict):
    id: str
    product: "Product"


class Item(_ItemBase, total=False):
    """One order line."""

    drug: Union["Drug", None]


class _ProductBase(TypedDict):
    id: str
    name: str


class Product(_ProductBase, total=False):
    """A store product (CRM → Store → Products)."""

    beluga_visit_type: Union[str, None]
    default_pharmacy_id: Union[str, None]
    questionnaire_id: Union[str, None]
    labs_apply: bool
    requires_prescription: bool


class _DrugBase(TypedDict):
    id: str
    name: str


class Drug(_DrugBase, total=False):
    """A drug (EMR → Drugs)."""

    strength: Union[str, None]
    beluga_med_id: Union[str, None]
    din: Union[str, None]
    quantity: Union[str, None]
    refills: Union[str, None]
    days_supply: Union[str, None]
    dispense_pro: Union["DispenseProRx", None]
    life_file: Union["LifeFileRx", None]


class DispenseProRx(TypedDict, total=False):
    """EMR → Drugs → DispensePro Rx Configuration."""

    ndc: Union[str, None]
    quantity: Union[str, None]
    refills: Union[str, None]
    sig: Union[str, None]
    days_supply: Union[str, None]


class LifeFileRx(TypedDict, total=False):
    """EMR → Drugs → LifeFile Rx Mapping."""

    product_id: Union[str, None]
    drug_form: Union[str, None]
    quantity: Union[str, None]
    quantity_units: Union[str, None]
    directions: Union[str, None]
    days_supply: Union[str, None]


class _IntakeBase(TypedDict):
    id: str
    status: "IntakeStatus"


class Intake(_IntakeBase, total=False):
    """A completed (or started) intake questionnaire."""

    questionnaire_id: Union[str, None]
    submitted_at: Union[str, None]
    answers: List["IntakeAnswer"]
    lab_method: Union["LabMethod", None]
    lab_results: List["LabResult"]


class _IntakeAnswerBase(TypedDict):
    question: str
    answer: "AnswerValue"


class IntakeAnswer(_IntakeAnswerBase, total=False):
    """One answer of an intake."""

    choices: List[str]
    maps_to: Union["StandardField", None]


class LabResult(TypedDict, total=False):
    """One supplied lab result, as the lab endpoint names its fields."""

    screening_date: Union[str, None]
    test_name: Union[str, None]
    test_result: Union[str, None]
    test_result_units: Union[str, None]
    ref_range: Union[str, None]
    status_indicator: Union[str, None]
    report_date: Union[str, None]
    sample_source: Union[str, None]


class _PharmacyBase(TypedDict):
    id: str
    name: str
    type: "PharmacyType"


class Pharmacy(_PharmacyBase, total=False):
    """A pharmacy record (Admin → Settings → Pharmacies)."""

    beluga_id: Union[str, None]
    credentials_configured: bool
    environment: Union["Environment", None]
    requires_hardcopy_pdf: bool
    life_file: Union["LifeFileIds", None]
    webhook_secret_configured: bool


class LifeFileIds(TypedDict, total=False):
    """LifeFile account ids of a Belmar/LifeFile pharmacy."""

    vendor_id: Union[str, None]
    location_id: Union[str, None]
    network_id: Union[str, None]
    practice_id: Union[str, None]
    shipping_service: Union[int, None]


class _PrescriberBase(TypedDict):
    name: str


class Prescriber(_PrescriberBase, total=False):
    """A prescriber of the clinic's directory."""

    npi: Union[str, None]
    license_state: Union[str, None]
    license_number: Union[str, None]
    dea: Union[str, None]
    address: Union["Address", None]
    phone: Union[str, None]


class _ReceivedEventBase(TypedDict):
    source: "EventSource"
    event: str
    received_at: str


class ReceivedEvent(_ReceivedEventBase, total=False):
    """A partner event received for this order (the audit entry, without the payload)."""

    master_id: Union[str, None]
    pharmacy_id: Union[str, None]
    status: Union[str, None]
    key: Union[str, None]


class _ActivityBase(TypedDict):
    kind: "ActivityKind"
    at: str


class Activity(_ActivityBase, total=False):
    """A timeline activity."""

    shown_to_patient: Union[bool, None]
    notified: bool
    content: Union[str, None]


class _DecideSubmitRequestBase(TypedDict):
    input: "OrderSnapshot"
    trigger: "Trigger"


class DecideSubmitRequest(_DecideSubmitRequestBase, total=False):
    """The request of `decide_submit`."""

    today: Union[str, None]
    now: Union["Instant", None]


class _BuildVisitRequestBase(TypedDict):
    input: "OrderSnapshot"
    master_id: str


class BuildVisitRequest(_BuildVisitRequestBase, total=False):
    """The request of `build_visit`."""

    today: Union[str, None]
    now: Union["Instant", None]


class OrderRequest(TypedDict):
    """The request of the operations that read only the snapshot."""

    input: "OrderSnapshot"


class TimedOrderRequest(TypedDict):
    """The request of the operations that evaluate the snapshot at an instant."""

    input: "OrderSnapshot"
    now: "Instant"


class _RouteActionRequestBase(TypedDict):
    input: "OrderSnapshot"
    action: "RouteStaffAction"
    pharmacy_id: str
    now: "Instant"


class RouteActionRequest(_RouteActionRequestBase, total=False):
    """The request of `decide_route_action`."""

    reason: Union[str, None]


class _DispenseProActionRequestBase(TypedDict):
    input: "OrderSnapshot"
    action: "DispenseProAction"
    pharmacy_id: str


class DispenseProActionRequest(_DispenseProActionRequestBase, total=False):
    """The request of `decide_dispensepro_action`."""

    reason: Union[str, None]


class _RecordDispenseProActionRequestBase(TypedDict):
    input: "OrderSnapshot"
    action: "DispenseProAction"
    pharmacy_id: str
    answer: "HttpReply"
    now: "Instant"


class RecordDispenseProActionRequest(_RecordDispenseProActionRequestBase, total=False):
    """The request of `record_dispensepro_action`."""

    by: Union[str, None]


class HttpReply(TypedDict, total=False):
    """`{status, body, network_error?}`."""

    status: Union[int, None]
    body: JsonValue
    network_error: Union[str, None]


class _FlagActionRequestBase(TypedDict):
    input: "OrderSnapshot"
    action: "FlagOutcome"
    code: str
    by: str
    now: "Instant"


class FlagActionRequest(_FlagActionRequestBase, total=False):
    """The request of `decide_flag_action`."""

    raised_at: Union[str, None]
    reason: Union[str, None]


class ApplyOrderFactsRequest(TypedDict):
    """The request of `apply_order_facts`."""

    input: "OrderSnapshot"
    facts: List["Fact"]


class _Fact0Base(TypedDict):
    fact: Literal["submit"]
    status: "SubmitStatus"


class Fact0(_Fact0Base, total=False):
    """A visit creation attempt answered (`SUBMITTED` or `FAILED`), with what the answer
taught: the visit id and acceptance instant of a `SUBMITTED`, the error text and
attempt instant of a `FAILED` (see [`merge_submit_fact`])."""

    visit_id: Union[str, None]
    at: Union[str, None]
    error: Union[str, None]


class Fact1(TypedDict):
    """The `masterId` of the order's Beluga visit: generated once by the host, stored before
the first call and reused by every retry."""

    fact: Literal["master_id"]
    master_id: str


class _Fact2Base(TypedDict):
    fact: Literal["visit"]
    status: "VisitStatus"


class Fact2(_Fact2Base, total=False):
    """A visit status (from a visit fetch with its `updateTimestamp`, or from a webhook)."""

    updated_at: Union[str, None]


class Fact3(TypedDict):
    """A resolved status."""

    fact: Literal["resolved"]
    status: "ResolvedStatus"


class Fact4(TypedDict):
    """`CONSULT_CONCLUDED`'s outcome."""

    fact: Literal["outcome"]
    outcome: "VisitOutcome"


class Fact5(TypedDict):
    """An order status from a pharmacy event (already mapped per decisions.md §3) that names
none of the order's routes."""

    fact: Literal["order_status"]
    status: "OrderStatus"


class _Fact6Base(TypedDict):
    fact: Literal["route_status"]
    pharmacy_id: str
    status: "OrderStatus"


class Fact6(_Fact6Base, total=False):
    """The status one route reached from its pharmacy's events (mapped per decisions.md §3);
the order status follows its routes' ([`routes_status`])."""

    at: Union[str, None]


class Fact7(TypedDict):
    """The photo ID upload's result."""

    fact: Literal["photo_id"]
    status: "PhotoIdStatus"


class _Fact8Base(TypedDict):
    fact: Literal["prescription"]
    source: "PrescriptionSource"


class Fact8(_Fact8Base, total=False):
    """A local prescription record (from `RX_WRITTEN` or `NEW_RX_SENT`)."""

    item_id: Union[str, None]
    med_id: Union[str, None]
    rx_id: Union[str, None]
    name: Union[str, None]
    strength: Union[str, None]
    quantity: Union[str, None]
    refills: Union[str, None]
    doctor_name: Union[str, None]
    written_at: Union[str, None]
    pharmacy_notes: Union[str, None]


class _Fact9Base(TypedDict):
    fact: Literal["dispense_pro"]
    state: "SubmissionState"


class Fact9(_Fact9Base, total=False):
    """A DispensePro submission record."""

    pharmacy_id: Union[str, None]
    item_ids: List[str]
    submitted_by: Union["Submitter", None]
    submitted_at: Union[str, None]
    partner_order_id: Union[str, None]
    partner_status: Union[str, None]
    partner_status_at: Union[str, None]
    submit_error: Union[str, None]
    refills: List["RefillRecord"]
    partner_messages: List[str]


class _Fact10Base(TypedDict):
    fact: Literal["life_file"]
    state: "SubmissionState"


class Fact10(_Fact10Base, total=False):
    """A LifeFile submission record."""

    pharmacy_id: Union[str, None]
    item_ids: List[str]
    submitted_by: Union["Submitter", None]
    submitted_at: Union[str, None]
    partner_order_id: Union[str, None]
    partner_status: Union[str, None]
    partner_status_at: Union[str, None]
    submit_error: Union[str, None]
    refills: List["RefillRecord"]
    partner_messages: List[str]


class _Fact11Base(TypedDict):
    fact: Literal["shipping"]


class Fact11(_Fact11Base, total=False):
    """Tracking and shipping facts."""

    carrier: Union[str, None]
    tracking: Union[str, None]
    tracking_url: Union[str, None]
    tracking_updated_at: Union[str, None]
    shipped_at: Union[str, None]
    delivered_at: Union[str, None]
    delivery_failed: bool


class _Fact12Base(TypedDict):
    fact: Literal["flag"]
    code: str


class Fact12(_Fact12Base, total=False):
    """A flag for staff."""

    raised_at: Union[str, None]
    event: Union[str, None]
    settled: Union["FlagSettlement", None]


class _Fact13Base(TypedDict):
    fact: Literal["flag_settled"]
    code: str
    settlement: "FlagSettlement"


class Fact13(_Fact13Base, total=False):
    """Staff settled the flag of `code` raised at `raised_at` (see
[`crate::order::flags::decide_flag_action`])."""

    raised_at: Union[str, None]


class _Fact14Base(TypedDict):
    fact: Literal["booking"]
    status: "AppointmentStatus"


class Fact14(_Fact14Base, total=False):
    """An appointment fact (last applied wins; not part of convergence)."""

    doc_name: Union[str, None]
    scheduled_date: Union[str, None]
    location: Union[str, None]
    contradiction: bool


class _CheckCancelRequestBase(TypedDict):
    input: "OrderSnapshot"


class CheckCancelRequest(_CheckCancelRequestBase, total=False):
    """The request of `check_cancel`."""

    reason: Union[str, None]
    confirmed: Union[bool, None]


class _SplitOrderRequestBase(TypedDict):
    input: "OrderSnapshot"


class SplitOrderRequest(_SplitOrderRequestBase, total=False):
    """The request of `split_order`."""

    activities_recorded: bool


class _AssembleOrderRequestBase(TypedDict):
    clinic: Dict[str, JsonValue]
    rxgate: Dict[str, JsonValue]
    integration: "IntegrationFacts"


class AssembleOrderRequest(_AssembleOrderRequestBase, total=False):
    """The request of `assemble_order`."""

    activities: Union[List["Activity"], None]


class IntegrationFacts(TypedDict, total=False):
    """The integration facts of the service's configuration, sent with every assembly. The
secrets themselves never enter the core: only whether they are configured."""

    beluga_api_key_configured: bool
    beluga_company: Union[str, None]
    environment: Union["Environment", None]
    dispense_pro_configured: bool
    pharmacies: Dict[str, "PharmacyFacts"]


class PharmacyFacts(TypedDict, total=False):
    """What the service's configuration holds for one pharmacy."""

    credentials_configured: bool
    webhook_secret_configured: bool


class _PlanSubmissionRequestBase(TypedDict):
    input: "OrderSnapshot"
    manual: bool
    master_id: str
    attempt: int
    now: "Instant"


class PlanSubmissionRequest(_PlanSubmissionRequestBase, total=False):
    """The request of `plan_submission`."""

    trigger: Union["Trigger", None]


class RecordCallOutcomeRequest(TypedDict):
    """The request of `record_call_outcome`."""

    input: "OrderSnapshot"
    call: "CallRef"
    answer: "CallAnswer"
    now: "Instant"


class _CallRefBase(TypedDict):
    kind: "CallKind"
    attempt: int
    max_attempts: int


class CallRef(_CallRefBase, total=False):
    """The call an answer belongs to."""

    endpoint: Union[str, None]
    pharmacy_id: Union[str, None]
    item_ids: List[str]


class Unsendable(TypedDict):
    """`{unsendable: reason}`."""

    unsendable: "UnsendableReason"


class _PlanVisitFetchRequestBase(TypedDict):
    input: "OrderSnapshot"
    jitter: float
    now: "Instant"


class PlanVisitFetchRequest(_PlanVisitFetchRequestBase, total=False):
    """The request of `plan_visit_fetch`."""

    seen: Union["SeenVisit", None]
    attempt: int
    schedule: "FetchSchedule"


class _SeenVisitBase(TypedDict):
    status: "VisitStatus"


class SeenVisit(_SeenVisitBase, total=False):
    """A visit status as a plan saw it."""

    updated_at: Union["Instant", None]


class FetchSchedule(TypedDict, total=False):
    """The schedule's parameters (the service's configuration)."""

    base_ms: int
    max_ms: int


class _BuildMessageRequestBase(TypedDict):
    input: "OrderSnapshot"
    to: "Recipient"
    content: str
    master_id: str


class BuildMessageRequest(_BuildMessageRequestBase, total=False):
    """The request of `build_message`."""

    images: List[str]


class _BelugaCallRetryRequestBase(TypedDict):
    input: "OrderSnapshot"


class BelugaCallRetryRequest(_BelugaCallRetryRequestBase, total=False):
    """The request of `decide_beluga_call_retry`."""

    calls: List["OrderCall"]


class _OrderCallBase(TypedDict):
    id: int
    kind: str
    status: "CallStatus"


class OrderCall(_OrderCallBase, total=False):
    """One outbox call of the order, as the rule reads it (no payload)."""

    last_error: Union[str, None]


class DecideEraseRequest(TypedDict, total=False):
    """The request of `decide_erase`."""

    calls: List["EraseCall"]
    force: bool
    reason: Union[str, None]


class EraseCall(TypedDict):
    """One partner call of the patient's orders, as the erase reads it."""

    order_id: str
    kind: str
    status: str


class _ParseEventRequestBase(TypedDict):
    source: "RouteName"
    input: JsonValue


class ParseEventRequest(_ParseEventRequestBase, total=False):
    """The request of `parse_event`."""

    body_bytes: Union[int, None]


class _VerifyWebhookRequestBase(TypedDict):
    source: "RouteName"
    headers: Dict[str, str]
    now: "Instant"


class VerifyWebhookRequest(_VerifyWebhookRequestBase, total=False):
    """The request of `verify_webhook`."""

    body: Union[str, None]
    body_base64: Union[str, None]
    config: Union["AuthConfig", None]


class AuthConfig(TypedDict, total=False):
    """The route's authentication configuration (rxgate's own input: unknown fields rejected)."""

    secrets: List[str]
    hmac: Union["HmacHeader", None]
    credentials: List["BasicCredential"]
    allow_unsigned: bool
    production: bool


class HmacHeader(TypedDict):
    """The optional Beluga HMAC header."""

    header: str
    encoding: "HmacEncoding"


class BasicCredential(TypedDict):
    """A LifeFile Basic credential."""

    username: str
    password: str


class CheckPortalTokenRequest(TypedDict):
    """The request of `check_portal_token`."""

    token: str
    secret: str
    now: "Instant"


class _EventKeyRequestBase(TypedDict):
    source: "RouteName"
    input: JsonValue


class EventKeyRequest(_EventKeyRequestBase, total=False):
    """The request of `event_key` (and `redact_event`, which reads `source` and `input` only)."""

    pharmacy_id: Union[str, None]
    webhook_id: Union[str, None]


class EventMatchKeysRequest(TypedDict):
    """The request of `event_match_keys`."""

    source: "RouteName"
    input: JsonValue


class _ApplyEventRequestBase(TypedDict):
    source: "RouteName"
    input: JsonValue
    order: "OrderSnapshot"
    now: "Instant"


class ApplyEventRequest(_ApplyEventRequestBase, total=False):
    """The request of `apply_event`."""

    state: Union[Dict[str, JsonValue], None]
    pharmacy_id: Union[str, None]
    webhook_id: Union[str, None]


class RedactEventRequest(TypedDict):
    """The request of `redact_event`."""

    source: "RouteName"
    input: JsonValue


class CodeInfo(TypedDict):
    """Everything the registry knows about one code."""

    code: str
    area: str
    beluga_error: Union[str, None]
    meaning: str
    template: str
    since: str
    status: "CodeStatus"


class OpInfo(TypedDict):
    """Description of one operation: what the `ops` operation lists."""

    name: str
    summary: str


class Report(TypedDict):
    """The answer of a validation: `{valid, violations, warnings}`."""

    valid: bool
    violations: List["Violation"]
    warnings: List["Violation"]


class Violation(TypedDict):
    """One rule broken (or, in [`Report::warnings`], one thing worth a look).

Serializes as `{code, path, message, beluga_error}`. The message is the code's template
filled with facts from the rules; it never contains the input value."""

    code: "Code"
    path: str
    message: str
    beluga_error: Union[str, None]


class _NormalizeAnswerBase(TypedDict):
    valid: bool


class NormalizeAnswer(_NormalizeAnswerBase, total=False):
    """The answer of `normalize`: the normalised value, or the rule it breaks."""

    value: Union[str, None]
    code: Union[str, None]
    message: Union[str, None]


class ParsedResponse(TypedDict):
    """A classified answer."""

    endpoint: str
    outcome: "Outcome"
    classification: "Class"
    recognized: bool
    beluga_error: Union[str, None]
    guidance: str
    data: Union["ResponseData", None]


class ResponseData1(TypedDict):
    """`{pharmacies: [...]}`."""

    pharmacies: List["PharmacyOutput"]


class ResponseData2(TypedDict):
    """`{medsPrescribed: [...]}`."""

    medsPrescribed: List["PrescribedMed"]


class VisitCreated(TypedDict):
    """The ids of a created visit."""

    masterId: str
    visitId: str


class PharmacyOutput(TypedDict):
    """A pharmacy search result. `PharmacyId` comes as a number and is kept as its decimal
string, the form every request sends."""

    PharmacyId: str
    StoreName: Union[str, None]
    Address1: Union[str, None]
    Address2: Union[str, None]
    City: Union[str, None]
    State: Union[str, None]
    ZipCode: Union[str, None]
    PrimaryPhone: Union[str, None]
    PrimaryFax: Union[str, None]
    PharmacySpecialties: List[str]
    ServiceLevel: Union[float, None]
    Latitude: Union[float, None]
    Longitude: Union[float, None]


class PrescribedMed(TypedDict):
    """A prescription in `NEW_RX_SENT`'s `medsPrescribed`."""

    rxName: Union[str, None]
    rxStrength: Union[str, None]
    rxRefills: Union[str, None]
    rxQuantity: Union[str, None]
    rxId: Union[str, None]
    rxDirections: Union[str, None]
    medId: str


class PatientRecord(TypedDict):
    """The patient record of `patient/externalFetch` (patient data: never logged)."""

    firstName: Union[str, None]
    lastName: Union[str, None]
    dob: Union[str, None]
    phone: Union[str, None]
    email: Union[str, None]
    address: Union[str, None]
    city: Union[str, None]
    state: Union[str, None]
    zip: Union[str, None]
    sex: Union[str, None]
    selfReportedMeds: Union[str, None]
    allergies: Union[str, None]
    medicalConditions: Union[str, None]
    visits: List[str]


class VisitRecord(TypedDict):
    """A fetched visit (`visit/externalFetch`). The form is kept as Beluga sent it."""

    masterId: str
    visitStatus: "VisitStatus"
    updateTimestamp: Union[str, None]
    resolvedStatus: Union["ResolvedStatus", None]
    resolvedTimestamp: Union[str, None]
    visitType: Union[str, None]
    rxHistory: List["RxHistoryEntry"]
    formObj: JsonValue


class RxHistoryEntry(TypedDict):
    """One prescription of a fetched visit's `rxHistory`."""

    rxTimestamp: Union[str, None]
    favoriteName: Union[str, None]
    name: Union[str, None]
    medId: Union[str, None]
    refills: Union[str, None]
    quantity: Union[str, None]
    strength: Union[str, None]
    daysSupply: Union[str, None]
    unit: Union[str, None]
    pharmacyNotes: Union[str, None]
    pharmacyName: Union[str, None]
    rxId: Union[str, None]


class _ReadinessBase(TypedDict):
    status: "ReadinessStatus"
    ready: bool
    reasons: List["Reason"]


class Readiness(_ReadinessBase, total=False):
    """The answer of [`check_readiness`]."""

    kind: Union["VisitKind", None]


class _ReasonBase(TypedDict):
    code: "Code"
    message: str
    actor: "Actor"


class Reason(_ReasonBase, total=False):
    """One reason of a decision."""

    patient_message: Union[str, None]
    fields: List[str]
    item_id: Union[str, None]


class _SubmitDecisionBase(TypedDict):
    decision: "SubmitVerdict"
    trigger: "Trigger"
    reasons: List["Reason"]
    resubmit_after_failure: bool


class SubmitDecision(_SubmitDecisionBase, total=False):
    """The answer of [`decide_submit`]."""

    master_id: Union["MasterIdAction", None]
    kind: Union["VisitKind", None]


class _RetryDecisionBase(TypedDict):
    allowed: bool
    would_succeed: bool
    reasons: List["Reason"]


class RetryDecision(_RetryDecisionBase, total=False):
    """The answer of [`decide_retry`]."""

    master_id: Union["MasterIdAction", None]


class _BuiltVisitBase(TypedDict):
    kind: "VisitKind"
    endpoint: str
    valid: bool
    reasons: List["Reason"]
    violations: List["Violation"]
    warnings: List["Violation"]


class BuiltVisit(_BuiltVisitBase, total=False):
    """The builder's answer."""

    body: JsonValue


class PharmacySelection(TypedDict):
    """The Beluga pharmacy of the visit."""

    selected: bool
    source: Union["PharmacySource", None]
    pharmacy_id: Union[str, None]
    pharmacy_type: Union["PharmacyType", None]
    beluga_pharmacy_id: Union[str, None]
    reasons: List["Reason"]


class RoutePlan(TypedDict):
    """The fulfillment plan of an order."""

    routes: List["Route"]
    notes: List["Reason"]
    split_required: bool
    ready: bool
    escalate: bool


class Route(TypedDict):
    """One route of the plan: items going to one pharmacy."""

    pharmacy_type: Union["PharmacyType", None]
    pharmacy_id: Union[str, None]
    item_ids: List[str]
    action: "RouteAction"
    status: "RouteStatus"
    blockers: List["Reason"]
    boundary: List["Reason"]
    warnings: List["Reason"]
    escalate: bool


class QueuedRoutes(TypedDict):
    """The answer of `queue_routes`."""

    outbox: List["OutboxItem"]


class OutboxItem(TypedDict):
    """A partner submission the event now allows."""

    kind: str
    dedupe_key: str
    pharmacy_id: Union[str, None]
    item_ids: List[str]
    path: str
    body: JsonValue


class RouteActionDecision(TypedDict):
    """The verdict on a staff retry or force of one route."""

    action: "RouteStaffAction"
    pharmacy_id: str
    allowed: bool
    reasons: List["Reason"]
    route_status: Union["RouteStatus", None]
    outbox: Union["OutboxItem", None]


class DispenseProActionDecision(TypedDict):
    """The verdict on a DispensePro manual action."""

    action: "DispenseProAction"
    pharmacy_id: str
    allowed: bool
    reasons: List["Reason"]
    route_status: Union["RouteStatus", None]
    order_progress: Union[str, None]
    refills_left: Union[int, None]
    call: Union["DispenseProCall", None]


class _DispenseProCallBase(TypedDict):
    method: "HttpMethod"
    path: str


class DispenseProCall(_DispenseProCallBase, total=False):
    """The partner call of an allowed action."""

    body: JsonValue


class _DispenseProActionOutcomeBase(TypedDict):
    action: "DispenseProAction"
    classification: "Class"
    partner_status: Union[str, None]
    refill_id: Union[str, None]
    facts: List["FactOutput"]
    snapshot: "OrderSnapshotOutput"


class DispenseProActionOutcome(_DispenseProActionOutcomeBase, total=False):
    """What DispensePro's answer to a manual action means."""

    error: Union["CallError", None]


class _FactOutput0Base(TypedDict):
    fact: Literal["submit"]
    status: "SubmitStatus"


class FactOutput0(_FactOutput0Base, total=False):
    """A visit creation attempt answered (`SUBMITTED` or `FAILED`), with what the answer
taught: the visit id and acceptance instant of a `SUBMITTED`, the error text and
attempt instant of a `FAILED` (see [`merge_submit_fact`])."""

    visit_id: Union[str, None]
    at: Union[str, None]
    error: Union[str, None]


class FactOutput1(TypedDict):
    """The `masterId` of the order's Beluga visit: generated once by the host, stored before
the first call and reused by every retry."""

    fact: Literal["master_id"]
    master_id: str


class FactOutput2(TypedDict):
    """A visit status (from a visit fetch with its `updateTimestamp`, or from a webhook)."""

    fact: Literal["visit"]
    status: "VisitStatus"
    updated_at: Union[str, None]


class FactOutput3(TypedDict):
    """A resolved status."""

    fact: Literal["resolved"]
    status: "ResolvedStatus"


class FactOutput4(TypedDict):
    """`CONSULT_CONCLUDED`'s outcome."""

    fact: Literal["outcome"]
    outcome: "VisitOutcome"


class FactOutput5(TypedDict):
    """An order status from a pharmacy event (already mapped per decisions.md §3) that names
none of the order's routes."""

    fact: Literal["order_status"]
    status: "OrderStatus"


class FactOutput6(TypedDict):
    """The status one route reached from its pharmacy's events (mapped per decisions.md §3);
the order status follows its routes' ([`routes_status`])."""

    fact: Literal["route_status"]
    pharmacy_id: str
    status: "OrderStatus"
    at: Union[str, None]


class FactOutput7(TypedDict):
    """The photo ID upload's result."""

    fact: Literal["photo_id"]
    status: "PhotoIdStatus"


class _FactOutput8Base(TypedDict):
    fact: Literal["prescription"]
    source: "PrescriptionSource"
    item_id: Union[str, None]
    med_id: Union[str, None]
    rx_id: Union[str, None]
    name: Union[str, None]
    strength: Union[str, None]
    quantity: Union[str, None]
    refills: Union[str, None]
    doctor_name: Union[str, None]
    written_at: Union[str, None]


class FactOutput8(_FactOutput8Base, total=False):
    """A local prescription record (from `RX_WRITTEN` or `NEW_RX_SENT`)."""

    pharmacy_notes: Union[str, None]


class _FactOutput9Base(TypedDict):
    fact: Literal["dispense_pro"]
    state: "SubmissionState"
    pharmacy_id: Union[str, None]
    item_ids: List[str]
    submitted_by: Union["Submitter", None]
    submitted_at: Union[str, None]
    partner_order_id: Union[str, None]
    partner_status: Union[str, None]
    submit_error: Union[str, None]


class FactOutput9(_FactOutput9Base, total=False):
    """A DispensePro submission record."""

    partner_status_at: Union[str, None]
    refills: List["RefillRecordOutput"]
    partner_messages: List[str]


class _FactOutput10Base(TypedDict):
    fact: Literal["life_file"]
    state: "SubmissionState"
    pharmacy_id: Union[str, None]
    item_ids: List[str]
    submitted_by: Union["Submitter", None]
    submitted_at: Union[str, None]
    partner_order_id: Union[str, None]
    partner_status: Union[str, None]
    submit_error: Union[str, None]


class FactOutput10(_FactOutput10Base, total=False):
    """A LifeFile submission record."""

    partner_status_at: Union[str, None]
    refills: List["RefillRecordOutput"]
    partner_messages: List[str]


class FactOutput11(TypedDict):
    """Tracking and shipping facts."""

    fact: Literal["shipping"]
    carrier: Union[str, None]
    tracking: Union[str, None]
    tracking_url: Union[str, None]
    tracking_updated_at: Union[str, None]
    shipped_at: Union[str, None]
    delivered_at: Union[str, None]
    delivery_failed: bool


class _FactOutput12Base(TypedDict):
    fact: Literal["flag"]
    code: str
    raised_at: Union[str, None]
    event: Union[str, None]


class FactOutput12(_FactOutput12Base, total=False):
    """A flag for staff."""

    settled: Union["FlagSettlement", None]


class FactOutput13(TypedDict):
    """Staff settled the flag of `code` raised at `raised_at` (see
[`crate::order::flags::decide_flag_action`])."""

    fact: Literal["flag_settled"]
    code: str
    raised_at: Union[str, None]
    settlement: "FlagSettlement"


class FactOutput14(TypedDict):
    """An appointment fact (last applied wins; not part of convergence)."""

    fact: Literal["booking"]
    status: "AppointmentStatus"
    doc_name: Union[str, None]
    scheduled_date: Union[str, None]
    location: Union[str, None]
    contradiction: bool


class RefillRecordOutput(TypedDict):
    """One refill the partner accepted for a submission."""

    at: str
    by: Union[str, None]
    partner_id: Union[str, None]


class OrderSnapshotOutput(TypedDict):
    """The clinic app's view of one order: everything the order rules read."""

    schema_version: "SchemaVersion"
    settings: "SettingsOutput"
    patient: "PatientOutput"
    order: "OrderOutput"
    items: List["ItemOutput"]
    intakes: List["IntakeOutput"]
    pharmacies: List["Pharmacy2"]
    prescribers: List["PrescriberOutput"]
    events: List["ReceivedEventOutput"]
    activities: List["ActivityOutput"]


class SettingsOutput(TypedDict):
    """Clinic configuration the order rules read."""

    beluga_enabled: bool
    api_key_present: bool
    company: Union[str, None]
    allowed_states: Union[List[str], None]
    environment: Union["Environment", None]
    dispense_pro: Union["DispenseProSettings", None]
    windows: "WindowsOutput"


class WindowsOutput(TypedDict):
    """Escalation windows (decisions.md §3). All have defaults."""

    boundary_hours: int
    rx_to_pharmacy_hours: int
    shipped_without_tracking_days: int
    shipped_without_delivery_days: int


class PatientOutput(TypedDict):
    """The patient as the clinic app holds them. Every field may be missing; readiness names
the ones Beluga needs."""

    id: Union[str, None]
    first_name: Union[str, None]
    last_name: Union[str, None]
    dob: Union[str, None]
    sex: Union[str, None]
    email: Union[str, None]
    phone: Union[str, None]
    consents_signed: bool
    phone_used_by_other_patient: bool
    address: Union["AddressOutput", None]
    shipping_address: Union["AddressOutput", None]


class AddressOutput(TypedDict):
    """A postal address."""

    line1: Union[str, None]
    line2: Union[str, None]
    city: Union[str, None]
    state: Union[str, None]
    zip: Union[str, None]
    country: Union[str, None]


class OrderOutput(TypedDict):
    """The order."""

    id: Union[str, None]
    number: str
    status: "OrderStatus"
    source: "OrderSource"
    payment_status: "PaymentStatus"
    invoice_status: Union["InvoiceStatus", None]
    pharmacy_id: Union[str, None]
    legacy_beluga_pharmacy_id: Union[str, None]
    beluga: "BelugaStateOutput"
    subscription: bool
    refill: bool
    prescriptions: List["PrescriptionOutput"]
    dispense_pro: List["SubmissionOutput"]
    life_file: List["SubmissionOutput"]
    route_statuses: List["RouteStatusRecordOutput"]
    photo_id_status: Union["PhotoIdStatus", None]
    shipping: Union["ShippingOutput", None]
    appointment: Union["AppointmentOutput", None]
    flags: List["StaffFlagOutput"]
    created_at: Union[str, None]
    paid_at: Union[str, None]


class BelugaStateOutput(TypedDict):
    """The Beluga Telehealth block of an order."""

    submit_status: Union["SubmitStatus", None]
    visit_status: Union["VisitStatus", None]
    visit_updated_at: Union[str, None]
    resolved_status: Union["ResolvedStatus", None]
    visit_outcome: Union["VisitOutcome", None]
    visit_id: Union[str, None]
    master_id: Union[str, None]
    submit_error: Union[str, None]
    submitted_at: Union[str, None]
    last_attempt_at: Union[str, None]


class _PrescriptionOutputBase(TypedDict):
    source: "PrescriptionSource"
    item_id: Union[str, None]
    med_id: Union[str, None]
    rx_id: Union[str, None]
    name: Union[str, None]
    strength: Union[str, None]
    quantity: Union[str, None]
    refills: Union[str, None]
    doctor_name: Union[str, None]
    written_at: Union[str, None]


class PrescriptionOutput(_PrescriptionOutputBase, total=False):
    """A local prescription record."""

    pharmacy_notes: Union[str, None]


class _SubmissionOutputBase(TypedDict):
    state: "SubmissionState"
    pharmacy_id: Union[str, None]
    item_ids: List[str]
    submitted_by: Union["Submitter", None]
    submitted_at: Union[str, None]
    partner_order_id: Union[str, None]
    partner_status: Union[str, None]
    submit_error: Union[str, None]


class SubmissionOutput(_SubmissionOutputBase, total=False):
    """One submission to a fulfillment integration (DispensePro or LifeFile)."""

    partner_status_at: Union[str, None]
    refills: List["RefillRecordOutput"]
    partner_messages: List[str]


class RouteStatusRecordOutput(TypedDict):
    """The fulfillment status one route (the items going to one pharmacy) reached, from its
pharmacy's events. Ranked like the order status (`SHIPPED < CANCELLED < COMPLETED`)."""

    pharmacy_id: str
    status: "OrderStatus"
    at: Union[str, None]


class ShippingOutput(TypedDict):
    """Shipping and tracking of an order."""

    carrier: Union[str, None]
    tracking: Union[str, None]
    tracking_url: Union[str, None]
    tracking_updated_at: Union[str, None]
    shipped_at: Union[str, None]
    delivered_at: Union[str, None]
    delivery_failed: bool


class AppointmentOutput(TypedDict):
    """The Beluga appointment."""

    status: "AppointmentStatus"
    doc_name: Union[str, None]
    scheduled_date: Union[str, None]
    location: Union[str, None]
    contradiction: bool


class _StaffFlagOutputBase(TypedDict):
    code: str
    raised_at: Union[str, None]
    event: Union[str, None]


class StaffFlagOutput(_StaffFlagOutputBase, total=False):
    """A flag raised for staff while processing events (codes of the events area)."""

    settled: Union["FlagSettlement", None]


class ItemOutput(TypedDict):
    """One order line."""

    id: str
    product: "ProductOutput"
    drug: Union["DrugOutput", None]


class ProductOutput(TypedDict):
    """A store product (CRM → Store → Products)."""

    id: str
    name: str
    beluga_visit_type: Union[str, None]
    default_pharmacy_id: Union[str, None]
    questionnaire_id: Union[str, None]
    labs_apply: bool
    requires_prescription: bool


class DrugOutput(TypedDict):
    """A drug (EMR → Drugs)."""

    id: str
    name: str
    strength: Union[str, None]
    beluga_med_id: Union[str, None]
    din: Union[str, None]
    quantity: Union[str, None]
    refills: Union[str, None]
    days_supply: Union[str, None]
    dispense_pro: Union["DispenseProRxOutput", None]
    life_file: Union["LifeFileRxOutput", None]


class DispenseProRxOutput(TypedDict):
    """EMR → Drugs → DispensePro Rx Configuration."""

    ndc: Union[str, None]
    quantity: Union[str, None]
    refills: Union[str, None]
    sig: Union[str, None]
    days_supply: Union[str, None]


class LifeFileRxOutput(TypedDict):
    """EMR → Drugs → LifeFile Rx Mapping."""

    product_id: Union[str, None]
    drug_form: Union[str, None]
    quantity: Union[str, None]
    quantity_units: Union[str, None]
    directions: Union[str, None]
    days_supply: Union[str, None]


class IntakeOutput(TypedDict):
    """A completed (or started) intake questionnaire."""

    id: str
    questionnaire_id: Union[str, None]
    status: "IntakeStatus"
    submitted_at: Union[str, None]
    answers: List["IntakeAnswerOutput"]
    lab_method: Union["LabMethod", None]
    lab_results: List["LabResultOutput"]


class IntakeAnswerOutput(TypedDict):
    """One answer of an intake."""

    question: str
    choices: List[str]
    answer: "AnswerValue"
    maps_to: Union["StandardField", None]


class LabResultOutput(TypedDict):
    """One supplied lab result, as the lab endpoint names its fields."""

    screening_date: Union[str, None]
    test_name: Union[str, None]
    test_result: Union[str, None]
    test_result_units: Union[str, None]
    ref_range: Union[str, None]
    status_indicator: Union[str, None]
    report_date: Union[str, None]
    sample_source: Union[str, None]


class Pharmacy2(TypedDict):
    """A pharmacy record (Admin → Settings → Pharmacies)."""

    id: str
    name: str
    type: "PharmacyType"
    beluga_id: Union[str, None]
    credentials_configured: bool
    environment: Union["Environment", None]
    requires_hardcopy_pdf: bool
    life_file: Union["LifeFileIdsOutput", None]
    webhook_secret_configured: bool


class LifeFileIdsOutput(TypedDict):
    """LifeFile account ids of a Belmar/LifeFile pharmacy."""

    vendor_id: Union[str, None]
    location_id: Union[str, None]
    network_id: Union[str, None]
    practice_id: Union[str, None]
    shipping_service: Union[int, None]


class PrescriberOutput(TypedDict):
    """A prescriber of the clinic's directory."""

    name: str
    npi: Union[str, None]
    license_state: Union[str, None]
    license_number: Union[str, None]
    dea: Union[str, None]
    address: Union["AddressOutput", None]
    phone: Union[str, None]


class ReceivedEventOutput(TypedDict):
    """A partner event received for this order (the audit entry, without the payload)."""

    source: "EventSource"
    event: str
    received_at: str
    master_id: Union[str, None]
    pharmacy_id: Union[str, None]
    status: Union[str, None]
    key: Union[str, None]


class ActivityOutput(TypedDict):
    """A timeline activity."""

    kind: "ActivityKind"
    at: str
    shown_to_patient: Union[bool, None]
    notified: bool
    content: Union[str, None]


_CallErrorBase = TypedDict("_CallErrorBase", {"class": "Class"})


class CallError(_CallErrorBase, total=False):
    """Why a call did not succeed."""

    code: Union[str, None]
    message: Union[str, None]
    guidance: Union[str, None]


class FlagActionDecision(TypedDict):
    """The verdict on a staff action on a flag."""

    action: "FlagOutcome"
    code: str
    allowed: bool
    reasons: List["Reason"]
    fact: Union["FactOutput", None]


class BoundaryReport(TypedDict):
    """The boundary verdict for an order."""

    confirmed: bool
    items: List["ItemBoundary"]
    violations: List["Reason"]
    warnings: List["Reason"]
    escalate: bool


class ItemBoundary(TypedDict):
    """The boundary verdict for one item."""

    item_id: str
    allowed: bool
    requires_prescription: bool
    reasons: List["Reason"]


class OrderState(TypedDict):
    """The order's status fields, as the state machine sees them."""

    order_status: "OrderStatus"
    submit_status: Union["SubmitStatus", None]
    visit_status: Union["VisitStatus", None]
    visit_updated_at: Union[str, None]
    resolved_status: Union["ResolvedStatus", None]
    visit_outcome: Union["VisitOutcome", None]
    photo_id_status: Union["PhotoIdStatus", None]
    prescriptions: int
    dispense_pro: Union["SubmissionState", None]
    life_file: Union["SubmissionState", None]
    shipping: Union["ShippingOutput", None]
    appointment: Union["AppointmentOutput", None]
    flags: List["StaffFlagOutput"]


class AppliedFacts(TypedDict):
    """The answer of `apply_order_facts`."""

    state: "OrderState"
    snapshot: "OrderSnapshotOutput"


class CancelDecision(TypedDict):
    """The answer of [`check_cancel`]."""

    decision: "CancelVerdict"
    reasons: List["Reason"]
    consequences: List["Reason"]
    escalate_first: bool


class MessageVisibility(TypedDict):
    """The answer of [`message_visibility`]."""

    rules: List["MessageRule"]
    activities: List["ActivityCheck"]
    issues: List["Reason"]
    escalate: bool


class _MessageRuleBase(TypedDict):
    kind: "ActivityKind"
    channel: "Channel"
    direction: "Direction"
    patient_visible: bool
    notify_patient: bool
    beluga: str
    staff_location: str


class MessageRule(_MessageRuleBase, total=False):
    """The rule of one message activity type."""

    patient_location: Union[str, None]


class _ActivityCheckBase(TypedDict):
    index: int
    kind: "ActivityKind"
    patient_visible: bool
    ok: bool


class ActivityCheck(_ActivityCheckBase, total=False):
    """One activity checked against its rule."""

    channel: Union["Channel", None]
    shown_to_patient: Union[bool, None]


class _PatientViewBase(TypedDict):
    order_number: str
    stage: "Stage"
    status_text: str
    items: List[str]
    actions: List[str]
    messages: List["PatientMessage"]
    reply_in: str


class PatientView(_PatientViewBase, total=False):
    """The order as its patient may see it."""

    tracking: Union["PatientTracking", None]
    appointment: Union["PatientAppointment", None]


class _PatientTrackingBase(TypedDict):
    shipped: bool
    delivered: bool


class PatientTracking(_PatientTrackingBase, total=False):
    """Tracking the patient may see."""

    carrier: Union[str, None]
    tracking: Union[str, None]
    tracking_url: Union[str, None]


class _PatientAppointmentBase(TypedDict):
    status: "AppointmentStatus"


class PatientAppointment(_PatientAppointmentBase, total=False):
    """The appointment the patient may see."""

    doc_name: Union[str, None]
    scheduled_date: Union[str, None]
    location: Union[str, None]


_PatientMessageBase = TypedDict("_PatientMessageBase", {"from": "str", "at": "str"})


class PatientMessage(_PatientMessageBase, total=False):
    """A message in the patient's doctor chat."""

    content: Union[str, None]


class _DiagnosisBase(TypedDict):
    stage: "Stage"
    state: "StageState"
    summary: str
    blockers: List["Reason"]
    next_action: "NextAction"
    escalate: bool
    escalations: List["Reason"]
    answers: "Answers"
    allowed_actions: List["AllowedAction"]


class Diagnosis(_DiagnosisBase, total=False):
    """The diagnosis of an order."""

    bundle: Union["EscalationBundle", None]


class NextAction(TypedDict):
    """The next action and who takes it."""

    actor: "Actor"
    action: str


class Answers(TypedDict):
    """Straight answers to the guides' common patient questions."""

    sent_to_medical_team: bool
    prescription_written: bool
    pharmacy_started: bool
    shipped: bool
    delivered: bool
    tracking_available: bool
    pharmacies: List[str]


class _AllowedActionBase(TypedDict):
    action: "StaffAction"
    allowed: bool
    needs_confirmation: bool
    reasons: List["Reason"]
    consequences: List["Reason"]


class AllowedAction(_AllowedActionBase, total=False):
    """Whether one staff action is allowed now."""

    pharmacy_id: Union[str, None]
    call_id: Union[int, None]


class _EscalationBundleBase(TypedDict):
    patient_name: Union[str, None]
    patient_email: Union[str, None]
    order_number: str
    products: List["BundleDrug"]
    order_status: "OrderStatus"
    payment_status: "PaymentStatus"
    beluga_submit_status: Union["SubmitStatus", None]
    beluga_visit_status: Union["VisitStatus", None]
    beluga_resolved_status: Union["ResolvedStatus", None]
    beluga_visit_id: Union[str, None]
    master_id: Union[str, None]
    submit_error: Union[str, None]
    intake_status: List["IntakeStatus"]
    order_pharmacy: Union[str, None]
    rx_written_received: bool
    prescription_ids: List[str]
    integrations: List["BundleIntegration"]
    carrier: Union[str, None]
    tracking: Union[str, None]
    messages: List[str]


class EscalationBundle(_EscalationBundleBase, total=False):
    """The fields both guides ask CS to include when escalating. **Contains patient data**
(name, email): staff only, never logged; `Debug` redacts them."""

    invoice_status: Union["InvoiceStatus", None]


class _BundleDrugBase(TypedDict):
    product: str


class BundleDrug(_BundleDrugBase, total=False):
    """One drug line of the bundle."""

    drug: Union[str, None]
    beluga_med_id: Union[str, None]
    din: Union[str, None]
    default_pharmacy: Union[str, None]


class _BundleIntegrationBase(TypedDict):
    integration: str
    state: "SubmissionState"


class BundleIntegration(_BundleIntegrationBase, total=False):
    """One integration line of the bundle."""

    pharmacy_id: Union[str, None]
    status: Union[str, None]
    error: Union[str, None]
    partner_messages: List[str]


class SplitOrder(TypedDict):
    """The answer of `split_order`: two partial snapshots (JSON objects of snapshot members)."""

    clinic: Dict[str, JsonValue]
    rxgate: Dict[str, JsonValue]


class AssembledOrder(TypedDict):
    """The answer of `assemble_order`."""

    snapshot: "OrderSnapshotOutput"


class _SubmissionPlanBase(TypedDict):
    decision: "SubmitVerdict"
    violations: List["Finding"]
    facts: List["FactOutput"]


class SubmissionPlan(_SubmissionPlanBase, total=False):
    """The answer of `plan_submission`."""

    master_id: Union[str, None]
    call: Union["PlannedCall", None]


class _FindingBase(TypedDict):
    code: str
    message: str


class Finding(_FindingBase, total=False):
    """One reason a plan or message is refused: a readiness reason or a contract violation, in
one shape. `code` is a string so a host linking an older core still reads answers of newer
rules."""

    path: Union[str, None]
    beluga_error: Union[str, None]
    actor: Union["Actor", None]
    fields: List[str]
    item_id: Union[str, None]


class _PlannedCallBase(TypedDict):
    kind: "CallKind"
    method: "HttpMethod"
    path: str
    endpoint: str


class PlannedCall(_PlannedCallBase, total=False):
    """A call for the host to queue: where to send what, and the key it is stored once under."""

    body: JsonValue
    dedupe_key: Union[str, None]


class _CallOutcomeBase(TypedDict):
    classification: "Class"
    disposition: "Disposition"
    snapshot: "OrderSnapshotOutput"
    facts: List["FactOutput"]
    follow_up: List["PlannedCall"]


class CallOutcome(_CallOutcomeBase, total=False):
    """The answer of `record_call_outcome`."""

    error: Union["CallError", None]
    rx_history: List["RxHistoryEntry"]


class _VisitFetchPlanBase(TypedDict):
    poll: bool
    state: "FetchState"
    changed: bool
    attempt: int
    interval_ms: int


class VisitFetchPlan(_VisitFetchPlanBase, total=False):
    """The answer of `plan_visit_fetch`."""

    seen: Union["SeenVisitOutput", None]
    next_at: Union["Instant", None]


class SeenVisitOutput(TypedDict):
    """A visit status as a plan saw it."""

    status: "VisitStatus"
    updated_at: Union["Instant", None]


class _MessagePlanBase(TypedDict):
    valid: bool
    violations: List["Finding"]


class MessagePlan(_MessagePlanBase, total=False):
    """The answer of `build_message`."""

    calls: List["PlannedCall"]
    activity: Union["MessageActivity", None]


class MessageActivity(TypedDict):
    """The timeline activity a sent message leaves."""

    kind: "ActivityKind"
    patient_visible: bool


class BelugaCallRetry(TypedDict):
    """The answer of `decide_beluga_call_retry`."""

    actions: List["AllowedAction"]


class EraseDecision(TypedDict):
    """The answer of `decide_erase`."""

    allowed: bool
    forced: bool
    in_flight: int
    in_flight_orders: List[str]
    reasons: List["Finding"]


class _ParseOutcomeBase(TypedDict):
    valid: bool
    source: "RouteName"
    unknown: bool
    violations: List["Violation"]


class ParseOutcome(_ParseOutcomeBase, total=False):
    """The answer of [`parse`]: the event, or every violation found."""

    event: Union["Event", None]


class Event0(TypedDict):
    """A Beluga webhook."""

    source: Literal["beluga"]
    event: "BelugaEvent"


class Event1(TypedDict):
    """A LifeFile push."""

    source: Literal["lifefile"]
    event: "LifeFilePush"


class Event2(TypedDict):
    """A DispensePro status webhook."""

    source: Literal["dispensepro"]
    event: "DispenseProEvent"


class Event3(TypedDict):
    """An OWN pharmacy webhook."""

    source: Literal["pharmacy"]
    event: "PharmacyEvent"


class BelugaEvent0(TypedDict):
    """`RX_WRITTEN`: prescription confirmation."""

    event: str
    master_id: str
    kind: Literal["rx_written"]
    doctor_name: Union[str, None]
    legacy_doctor_form: bool
    meds: List["PrescribedMed2"]


class BelugaEvent1(TypedDict):
    """`CONSULT_CONCLUDED`."""

    event: str
    master_id: str
    kind: Literal["consult_concluded"]
    outcome: "VisitOutcome"


class BelugaEvent2(TypedDict):
    """`CONSULT_CANCELED`."""

    event: str
    master_id: str
    kind: Literal["consult_canceled"]


class BelugaEvent3(TypedDict):
    """`DOCTOR_CHAT` (patient-visible)."""

    event: str
    master_id: str
    kind: Literal["doctor_chat"]
    content: str


class BelugaEvent4(TypedDict):
    """`CS_MESSAGE` (internal)."""

    event: str
    master_id: str
    kind: Literal["cs_message"]
    content: str


class BelugaEvent5(TypedDict):
    """`NAME_UPDATE`."""

    event: str
    master_id: str
    kind: Literal["name_update"]
    first_name: str
    last_name: str


class BelugaEvent6(TypedDict):
    """`PHARMACY_ORDER_*`."""

    event: str
    master_id: str
    kind: Literal["pharmacy_order"]
    milestone: "PharmacyMilestone"
    order_id: Union[str, None]
    info: "TrackingInfo"


class BelugaEvent7(TypedDict):
    """`PACKAGE_*`."""

    event: str
    master_id: str
    kind: Literal["package"]
    milestone: "PackageMilestone"
    order_id: Union[str, None]
    info: "TrackingInfo"


class BelugaEvent8(TypedDict):
    """`BOOKING_*` and `NO_SHOW`."""

    event: str
    master_id: str
    kind: Literal["booking"]
    status: "AppointmentStatus"
    doc_name: Union[str, None]
    scheduled_date: Union[str, None]
    location: Union[str, None]


class BelugaEvent9(TypedDict):
    """`LAB_ORDER_*`."""

    event: str
    master_id: str
    kind: Literal["lab"]
    milestone: "LabMilestone"
    order_id: Union[str, None]
    info: "TrackingInfo"
    booking_link: Union[str, None]
    requisition_pdf_chars: Union[int, None]


class BelugaEvent10(TypedDict):
    """An event name rxgate does not know (kept, recorded, answered 2xx)."""

    event: str
    master_id: str
    kind: Literal["unknown"]


class PrescribedMed2(TypedDict):
    """One prescribed medication of `RX_WRITTEN`."""

    med_id: str
    name: Union[str, None]
    strength: Union[str, None]
    refills: Union[str, None]
    quantity: Union[str, None]
    rx_id: Union[str, None]
    pharmacy_notes: Union[str, None]


class TrackingInfo(TypedDict):
    """Carrier and tracking facts carried in `info`."""

    carrier: Union[str, None]
    tracking: Union[str, None]
    tracking_url: Union[str, None]
    tracker_status: Union[str, None]
    tracker_id: Union[str, None]
    delivered_date: Union[str, None]


class LifeFilePush(TypedDict):
    """A LifeFile push: its prescription lines."""

    lines: List["LifeFileLine"]


class LifeFileLine(TypedDict):
    """One prescription line (PHI fields — the ship-to address — are not kept)."""

    order_id: Union[str, None]
    reference_id: Union[str, None]
    foreign_order_id: Union[str, None]
    fill_id: Union[str, None]
    rx_number: Union[str, None]
    rx_status: str
    status: "LifeFileStatus"
    rx_status_date_time: Union[str, None]
    tracking_number: Union[str, None]
    ship_carrier: Union[str, None]
    service: Union[str, None]


class DispenseProEvent(TypedDict):
    """A DispensePro status webhook."""

    event: str
    order_id: Union[str, None]
    external_id: Union[str, None]
    status: Union["DispenseProStatus", None]
    shipping: "ShippingInfo"
    occurred_at: Union[str, None]


class ShippingInfo(TypedDict):
    """Shipping block of a pharmacy webhook."""

    carrier: Union[str, None]
    tracking: Union[str, None]
    tracking_url: Union[str, None]
    status: Union[str, None]


class PharmacyEvent(TypedDict):
    """An OWN partner pharmacy webhook."""

    event: str
    kind: "OwnEventKind"
    order_id: Union[str, None]
    external_order_id: Union[str, None]
    order_status: Union[str, None]
    shipping: "ShippingInfo"
    occurred_at: Union[str, None]


class AuthOutcome(TypedDict):
    """The verdict of [`verify`]."""

    authenticated: bool
    scheme: "Scheme"
    unsigned: bool
    http_status: Union[int, None]
    violations: List["Violation"]
    warnings: List["Violation"]


class _PortalTokenCheckBase(TypedDict):
    valid: bool


class PortalTokenCheck(_PortalTokenCheckBase, total=False):
    """The answer of `check_portal_token`."""

    patient_id: Union[str, None]


class EventKeys(TypedDict):
    """The answer of `event_key`."""

    key: Union[str, None]
    keys: List[str]


class EventMatchKeys(TypedDict):
    """The answer of `event_match_keys`."""

    keys: List[str]


class AppliedEvent(TypedDict):
    """An event that parsed, and what it changes."""

    matched: bool
    duplicate: bool
    changed: bool
    facts: List["FactOutput"]
    snapshot: "OrderSnapshotOutput"
    order_state: "OrderState"
    lab_milestone: Union["LabMilestone", None]
    activities: List["ActivityEffect"]
    notifications: List["Notification"]
    prescriptions: List["PrescriptionOutput"]
    shipments: List["ShipmentRecord"]
    appointments: List["AppointmentOutput"]
    documents: List["DocumentRef"]
    name_update: Union["NameUpdate", None]
    booking_link: Union[str, None]
    outbox: List["OutboxItem"]
    flags: List["StaffFlagOutput"]
    warnings: List["ViolationRecord"]
    unmatched_lines: List[int]
    audit: "AuditEntry"
    valid: Literal[True]
    state: "EventState"
    outcome: "Outcome2"


class _ActivityEffectBase(TypedDict):
    kind: "ActivityKind"
    channel: str
    patient_visible: bool
    dedupe_key: str
    event: str
    at: str


class ActivityEffect(_ActivityEffectBase, total=False):
    """An activity to add to the patient timeline or the internal log."""

    content: Union[str, None]


class Notification(TypedDict):
    """A patient notification to send (email, SMS, in-app)."""

    kind: "NotificationKind"
    dedupe_key: str


class ShipmentRecord(TypedDict):
    """A shipment/tracking record."""

    dedupe_key: str
    milestone: str
    carrier: Union[str, None]
    tracking: Union[str, None]
    tracking_url: Union[str, None]
    at: str


class DocumentRef(TypedDict):
    """A document carried in the stored body (never copied here)."""

    kind: str
    pointer: str
    mime: str
    dedupe_key: str


class NameUpdate(TypedDict):
    """`NAME_UPDATE`'s names, for staff to confirm (patient data: never logged)."""

    first_name: str
    last_name: str


class ViolationRecord(TypedDict):
    """A [`Violation`] as data another program reads back: the same JSON, the code a string, so
a host linking an older core reads the answers of newer rules (`apply_event`'s warnings
and violations, which the service deserializes)."""

    code: str
    path: str
    message: str
    beluga_error: Union[str, None]


class AuditEntry(TypedDict):
    """The audit entry of one event (no payload, no PHI)."""

    source: "RouteName"
    event: str
    keys: List[str]
    master_id: Union[str, None]
    order: Union[str, None]
    outcome: "Outcome2"
    received_at: str


class EventState(TypedDict):
    """The service's state of an order after an event."""

    order_state: "OrderState"
    lab_milestone: Union["LabMilestone", None]


class RejectedEvent(TypedDict):
    """An event whose body did not parse."""

    valid: Literal[False]
    outcome: Literal["rejected"]
    violations: List["ViolationRecord"]
    keys: List[str]


NoRequest = Dict[str, JsonValue]
Kind = Union[Literal["visit"], Literal["lab"], Literal["photos"], Literal["pdf"], Literal["chat"], Literal["cs-message"], Literal["patient-name"], Literal["pharmacy-search"], Literal["update-visit"]]
Instant = Union[str, int]
Field = Union[Literal["phone"], Literal["date"], Literal["state"], Literal["trim"], Literal["multiple_choice_question"], Literal["multiple_choice_answer"]]
NormalizeInput = Union[str, List[str]]
Endpoint = Union[Literal["visit"], Literal["lab"], Literal["photos"], Literal["pdf"], Literal["chat"], Literal["cs-message"], Literal["patient-name"], Literal["pharmacy-search"], Literal["update-visit"], Literal["fetch-patient"], Literal["fetch-visit"]]
SchemaVersion = int
Environment = Union[Literal["TEST"], Literal["PRODUCTION"]]
OrderStatus = Union[Literal["PENDING"], Literal["PROCESSING"], Literal["SHIPPED"], Literal["CANCELLED"], Literal["COMPLETED"]]
OrderSource = Union[Literal["CHECKOUT"], Literal["INVOICE"], Literal["SUBSCRIPTION"], Literal["REFILL"], Literal["MANUAL_EMR"]]
PaymentStatus = Union[Literal["UNPAID"], Literal["PENDING"], Literal["PAID"], Literal["FAILED"], Literal["REFUNDED"], Literal["PARTIALLY_REFUNDED"]]
InvoiceStatus = Union[Literal["DRAFT"], Literal["OPEN"], Literal["PAID"], Literal["VOID"]]
SubmitStatus = Union[Literal["FAILED"], Literal["SUBMITTED"]]
VisitStatus = Union[Literal["active"], Literal["pending"], Literal["admin"], Literal["holding"], Literal["resolved"], Literal["canceled"]]
ResolvedStatus = Union[Literal["open"], Literal["closed"]]
VisitOutcome = Union[Literal["referred"], Literal["prescribed"]]
PrescriptionSource = Union[Literal["RX_WRITTEN"], Literal["NEW_RX_SENT"]]
SubmissionState = Union[Literal["FAILED"], Literal["SUBMITTED"]]
Submitter = Union[Literal["RXGATE"], Literal["STAFF"], Literal["WORKFLOW"]]
PhotoIdStatus = Union[Literal["FAILED"], Literal["SENT"]]
AppointmentStatus = Union[Literal["BOOKED"], Literal["RESCHEDULED"], Literal["CANCELLED"], Literal["NO_SHOW"]]
FlagOutcome = Union[Literal["acknowledged"], Literal["resolved"]]
IntakeStatus = Union[Literal["DRAFT"], Literal["SUBMITTED"], Literal["APPROVED"], Literal["NEEDS_CORRECTION"], Literal["REJECTED"]]
AnswerValue = Union[str, List[str]]
StandardField = Union[Literal["self_reported_meds"], Literal["allergies"], Literal["medical_conditions"]]
LabMethod = Union[Literal["PATIENT_SUPPLIED_RESULTS"], Literal["LAB_ORDER"]]
PharmacyType = Union[Literal["BELUGA"], Literal["OWN"], Literal["DISPENSE_PRO"], Literal["BELMAR_LIFEFILE"]]
EventSource = Union[Literal["BELUGA"], Literal["LIFEFILE"], Literal["DISPENSE_PRO"], Literal["OWN"]]
ActivityKind = Union[Literal["BELUGA_DOCTOR_CHAT"], Literal["PATIENT_CHAT_SENT"], Literal["BELUGA_CS_SENT"], Literal["BELUGA_CS_MESSAGE"], Literal["ORDER_STATUS_UPDATE"], Literal["SHIPPING_UPDATE"], Literal["APPOINTMENT_UPDATE"], Literal["INTAKE_REQUIREMENT"], Literal["STAFF_NOTE"]]
Trigger = Union[Literal["checkout_paid"], Literal["intake_completed"], Literal["intake_resubmitted"], Literal["intake_approved"], Literal["invoice_paid"], Literal["subscription_payment_succeeded"], Literal["refill_payment_succeeded"], Literal["manual_order_created"]]
RouteStaffAction = Union[Literal["retry"], Literal["force"]]
DispenseProAction = Union[Literal["status"], Literal["refill"], Literal["void"]]
Fact = Union["Fact0", "Fact1", "Fact2", "Fact3", "Fact4", "Fact5", "Fact6", "Fact7", "Fact8", "Fact9", "Fact10", "Fact11", "Fact12", "Fact13", "Fact14"]
CallKind = Union[Literal["beluga_submit"], Literal["beluga_fetch"], Literal["beluga_photo_id"], Literal["beluga_chat"], Literal["beluga_cs_message"], Literal["beluga_update_visit"], Literal["beluga_patient_name"], Literal["beluga_pdf"], Literal["beluga_photos"], Literal["dispensepro_order"], Literal["lifefile_order"]]
CallAnswer = Union["Unsendable", "HttpReply"]
UnsendableReason = Literal["partner_not_configured"]
Recipient = Union[Literal["cs"], Literal["patient"]]
CallStatus = Union[Literal["pending"], Literal["done"], Literal["failed"]]
RouteName = Union[Literal["beluga"], Literal["lifefile"], Literal["dispensepro"], Literal["pharmacy"]]
HmacEncoding = Union[Literal["hex"], Literal["base64"]]
CodeStatus = Union[Literal["stable"], Literal["deprecated"], Literal["removed"]]
Code = str
Outcome = Union[Literal["visit_created"], Literal["received"], Literal["message_received"], Literal["name_updated"], Literal["pharmacies"], Literal["visit_data_updated"], Literal["new_rx_sent"], Literal["patient"], Literal["visit"], Literal["not_found"], Literal["error"], Literal["unauthorized"], Literal["network_error"], Literal["server_error"], Literal["unexpected"]]
Class = Union[Literal["success"], Literal["fix_patient_data"], Literal["fix_configuration"], Literal["duplicate"], Literal["not_eligible"], Literal["retry_later"], Literal["permanent"]]
ResponseData = Union["VisitCreated", "ResponseData1", "ResponseData2", "PatientRecord", "VisitRecord"]
ReadinessStatus = Union[Literal["ready"], Literal["not_ready"], Literal["not_required"]]
VisitKind = Union[Literal["visit"], Literal["lab"]]
Actor = Union[Literal["patient"], Literal["cs"], Literal["admin_development"], Literal["medical_operations"], Literal["partner"]]
SubmitVerdict = Union[Literal["submit"], Literal["wait"], Literal["skip"]]
MasterIdAction = Union[Literal["generate"], Literal["reuse"]]
PharmacySource = Union[Literal["order"], Literal["product_default"], Literal["legacy"]]
RouteAction = Union[Literal["submit_to_dispense_pro"], Literal["submit_to_lifefile"], Literal["await_beluga_pharmacy_events"], Literal["await_pharmacy_webhooks"], Literal["hold_for_staff"]]
RouteStatus = Union[Literal["ready"], Literal["blocked"], Literal["awaiting_prescription"], Literal["failed"], Literal["submitted"], Literal["awaiting_partner"], Literal["held"]]
HttpMethod = Union[Literal["POST"], Literal["GET"]]
FactOutput = Union["FactOutput0", "FactOutput1", "FactOutput2", "FactOutput3", "FactOutput4", "FactOutput5", "FactOutput6", "FactOutput7", "FactOutput8", "FactOutput9", "FactOutput10", "FactOutput11", "FactOutput12", "FactOutput13", "FactOutput14"]
CancelVerdict = Union[Literal["allowed"], Literal["needs_confirmation"], Literal["refused"]]
Channel = Union[Literal["doctor_chat"], Literal["cs_admin"]]
Direction = Union[Literal["inbound"], Literal["outbound"]]
Stage = Union[Literal["payment"], Literal["intake"], Literal["beluga_submission"], Literal["medical_review"], Literal["prescription"], Literal["pharmacy_submission"], Literal["shipped"], Literal["delivered"], Literal["cancelled"]]
StageState = Union[Literal["blocked"], Literal["waiting"], Literal["ready_to_proceed"], Literal["done"]]
StaffAction = Union[Literal["submit"], Literal["retry"], Literal["cancel"], Literal["resend_prescription"], Literal["retry_route"], Literal["force_route"], Literal["retry_beluga_call"]]
Disposition = Union[Literal["done"], Literal["retry"], Literal["failed"]]
FetchState = Union[Literal["open"], Literal["not_submitted"], Literal["terminal"]]
Event = Union["Event0", "Event1", "Event2", "Event3"]
BelugaEvent = Union["BelugaEvent0", "BelugaEvent1", "BelugaEvent2", "BelugaEvent3", "BelugaEvent4", "BelugaEvent5", "BelugaEvent6", "BelugaEvent7", "BelugaEvent8", "BelugaEvent9", "BelugaEvent10"]
PharmacyMilestone = Union[Literal["created"], Literal["in_fulfillment"], Literal["shipped"], Literal["delivered"]]
PackageMilestone = Union[Literal["in_transit"], Literal["out_for_delivery"], Literal["delivered"], Literal["delivery_failed"]]
LabMilestone = Union[Literal["requisition_created"], Literal["shipped_to_patient"], Literal["delivered_to_patient"], Literal["shipped_to_lab"], Literal["received_by_lab"], Literal["results"]]
LifeFileStatus = Union[Literal["shipped"], Literal["in_transit"], Literal["out_for_delivery"], Literal["delivered"], Literal["cancelled"], Literal["returned"], Literal["other"]]
DispenseProStatus = Union[Literal["authorized"], Literal["submitted"], Literal["filled"], Literal["shipped"], Literal["delivered"], Literal["voided"], Literal["failed"]]
OwnEventKind = Union[Literal["shipped"], Literal["fulfilled"], Literal["out_for_delivery"], Literal["delivered"], Literal["cancelled"], Literal["unknown"]]
Scheme = Union[Literal["shared_secret"], Literal["basic"], Literal["standard_webhooks"]]
EventAnswer = Union["AppliedEvent", "RejectedEvent"]
NotificationKind = Union[Literal["shipped"], Literal["delivered"], Literal["doctor_message"], Literal["lab_results"]]
Outcome2 = Union[Literal["applied"], Literal["recorded"], Literal["duplicate"], Literal["unmatched"]]
