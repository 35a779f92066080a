// Generated from the core's op table by `cargo run -p rxgate-core --example gen_bindings`.
// Do not edit: change the core's types and regenerate (CI fails when this file is stale).

/** Any JSON value (a partner's body, a document of someone else's shape). */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** The request of operations that read nothing (`codes`, `ops`): any object. */
export type NoRequest = { [key: string]: JsonValue };

/** The request of `validate`. */
export type ValidateRequest = {
  /** The body kind. */
  kind: Kind;
  /** The body to validate (any JSON: a body that is not an object is a violation). */
  input: JsonValue;
  /** The date rules are evaluated on; else the date of `now` at UTC−10. */
  today?: string | null;
  /** The current instant (gives `today` when `today` is absent). */
  now?: Instant | null;
  /** The states the clinic serves (two-letter codes). */
  allowed_states?: string[] | null;
  /** The largest image accepted, in bytes. */
  max_image_bytes?: number | null;
};

/** an outbound Beluga body kind */
export type Kind = "visit" | "lab" | "photos" | "pdf" | "chat" | "cs-message" | "patient-name" | "pharmacy-search" | "update-visit";

/** an RFC 3339 instant or an integer of Unix milliseconds */
export type Instant = string | number;

/** The request of `validate_text`. */
export type ValidateTextRequest = {
  /** The body kind. */
  kind: Kind;
  /** The body as JSON text, parsed inside the core. */
  text: string;
  /** The date rules are evaluated on; else the date of `now` at UTC−10. */
  today?: string | null;
  /** The current instant (gives `today` when `today` is absent). */
  now?: Instant | null;
  /** The states the clinic serves (two-letter codes). */
  allowed_states?: string[] | null;
  /** The largest image accepted, in bytes. */
  max_image_bytes?: number | null;
};

/** The request of `normalize`. */
export type NormalizeRequest = {
  /** The normaliser. */
  field: Field;
  /** The value: a string, or for `multiple_choice_answer` the chosen answers. */
  input: NormalizeInput;
  /** The allowed choices (`multiple_choice_question`, `multiple_choice_answer`). */
  choices?: string[] | null;
};

/** a normaliser */
export type Field = "phone" | "date" | "state" | "trim" | "multiple_choice_question" | "multiple_choice_answer";

/** What `normalize` reads under `input`. */
export type NormalizeInput = string | string[];

/** The request of `parse_response`. */
export type ParseResponseRequest = {
  /** The request kind or fetch the answer belongs to (`endpoint` is accepted too). */
  kind: Endpoint;
  /** The HTTP answer as received. */
  input: HttpAnswer;
};

/** a request kind, fetch-patient or fetch-visit */
export type Endpoint = "visit" | "lab" | "photos" | "pdf" | "chat" | "cs-message" | "patient-name" | "pharmacy-search" | "update-visit" | "fetch-patient" | "fetch-visit";

/** An HTTP answer as the caller received it. */
export type HttpAnswer = {
  /** The HTTP status (absent with a network error). */
  status?: number | null;
  /** The body: JSON, or text (parsed here), or absent. */
  body?: JsonValue;
  /** Set when there was no answer (`timeout`, `connect`, …). */
  network_error?: string | null;
};

/** The request of the operations that evaluate the snapshot on a date. */
export type DatedOrderRequest = {
  /** The order snapshot. */
  input: OrderSnapshot;
  /** The date rules are evaluated on; else the date of `now` at UTC−10 (one is required). */
  today?: string | null;
  /** The current instant (gives `today` when `today` is absent). */
  now?: Instant | null;
};

/** The clinic app's view of one order: everything the order rules read. */
export type OrderSnapshot = {
  /** Format version; must be 1. */
  schema_version: SchemaVersion;
  /** Clinic configuration the rules depend on. */
  settings: Settings;
  /** The patient. */
  patient: Patient;
  /** The order itself. */
  order: Order;
  /** Order lines. */
  items?: Item[];
  /** The patient's intakes for this order. */
  intakes?: Intake[];
  /** Every pharmacy record the order or its products reference. */
  pharmacies?: Pharmacy[];
  /** The clinic's prescriber directory (matched on the Beluga doctor's name). */
  prescribers?: Prescriber[];
  /** Partner events received for this order (audit summary, no payloads). */
  events?: ReceivedEvent[];
  /** Activities on the patient's timeline that concern this order. */
  activities?: Activity[];
};

/** The `schema_version` member: only the current version (1) is accepted. */
export type SchemaVersion = number;

/** Clinic configuration the order rules read. */
export type Settings = {
  /** Beluga is enabled in Admin settings. */
  beluga_enabled: boolean;
  /** A Beluga API key is configured (the key itself never enters rxgate). */
  api_key_present: boolean;
  /** The Beluga company identifier. */
  company?: string | null;
  /** The allowable states; absent means the 50 states and DC. */
  allowed_states?: string[] | null;
  /** The app's environment; pharmacies must match it. */
  environment?: Environment | null;
  /** The DispensePro integration switch. */
  dispense_pro?: DispenseProSettings | null;
  /** Escalation windows. */
  windows?: Windows;
};

/** `TEST` (staging) or `PRODUCTION`. */
export type Environment = "TEST" | "PRODUCTION";

/** The DispensePro integration (Admin → Settings → Medical Integrations → DispensePro). */
export type DispenseProSettings = {
  /** The integration is switched on. */
  enabled: boolean;
  /** Its credentials and endpoint are configured. */
  configured: boolean;
};

/** Escalation windows (decisions.md §3). All have defaults. */
export type Windows = {
  /** Hours a partner fulfillment event may precede `RX_WRITTEN` before it is escalated. */
  boundary_hours?: number;
  /**
   * Hours after `RX_WRITTEN` with no pharmacy submission or Beluga pharmacy event before
   * it is escalated.
   */
  rx_to_pharmacy_hours?: number;
  /** Days an order may stay `SHIPPED` without tracking before it is escalated. */
  shipped_without_tracking_days?: number;
  /** Days an order may stay `SHIPPED` without being delivered before it is escalated. */
  shipped_without_delivery_days?: number;
};

/**
 * The patient as the clinic app holds them. Every field may be missing; readiness names
 * the ones Beluga needs.
 */
export type Patient = {
  /** The app's patient id. */
  id?: string | null;
  /** Given name. */
  first_name?: string | null;
  /** Family name. */
  last_name?: string | null;
  /** Date of birth, ISO `YYYY-MM-DD` or `MM/DD/YYYY`. */
  dob?: string | null;
  /** Sex as recorded (`Male`, `Female`, or `male`/`female`/`M`/`F`, normalised on build). */
  sex?: string | null;
  /** Email address. */
  email?: string | null;
  /** Mobile phone as typed (normalised to 10 digits on build). */
  phone?: string | null;
  /** The patient signed the consents Beluga requires (`consentsSigned`). */
  consents_signed?: boolean;
  /** Another patient of the clinic already has this phone number. */
  phone_used_by_other_patient?: boolean;
  /** Home address. */
  address?: Address | null;
  /** Shipping address, when different from the home address. */
  shipping_address?: Address | null;
};

/** A postal address. */
export type Address = {
  /** Street line 1. */
  line1?: string | null;
  /** Street line 2. */
  line2?: string | null;
  /** City. */
  city?: string | null;
  /** Two-letter state. */
  state?: string | null;
  /** Five-digit ZIP. */
  zip?: string | null;
  /** Country (`US` when absent). */
  country?: string | null;
};

/** The order. */
export type Order = {
  /** The app's order id. */
  id?: string | null;
  /** The order number staff and patients quote. */
  number: string;
  /** The order status. */
  status: OrderStatus;
  /** How the order was created. */
  source: OrderSource;
  /** Payment status of the order's charge. */
  payment_status: PaymentStatus;
  /** Status of the invoice, for invoice orders. */
  invoice_status?: InvoiceStatus | null;
  /** The pharmacy assigned on the order (a [`Pharmacy::id`]). */
  pharmacy_id?: string | null;
  /** The legacy Beluga pharmacy id stored on old orders. */
  legacy_beluga_pharmacy_id?: string | null;
  /** The Beluga Telehealth block of the order detail. */
  beluga?: BelugaState;
  /** The order belongs to a subscription. */
  subscription?: boolean;
  /** The order is a refill. */
  refill?: boolean;
  /** Local prescription records. */
  prescriptions?: Prescription[];
  /** DispensePro submissions (`dispensePro` on the app's order). */
  dispense_pro?: Submission[];
  /** LifeFile submissions, one per Belmar/LifeFile pharmacy (`lifeFile` on the order). */
  life_file?: Submission[];
  /**
   * The fulfillment status of each route (one per pharmacy), from its pharmacy's events;
   * the order's status is a function of them ([`crate::order::state::routes_status`]).
   */
  route_statuses?: RouteStatusRecord[];
  /** Photo ID upload status. */
  photo_id_status?: PhotoIdStatus | null;
  /** Shipping and tracking. */
  shipping?: Shipping | null;
  /** The Beluga appointment, if one was booked. */
  appointment?: Appointment | null;
  /** Flags raised for staff by event processing. */
  flags?: StaffFlag[];
  /** When the order was created. */
  created_at?: string | null;
  /** When it was paid (or created by staff, for manual orders). */
  paid_at?: string | null;
};

/**
 * The order status of the clinic app. Ranked
 * `PENDING < PROCESSING < SHIPPED < CANCELLED < COMPLETED`.
 */
export type OrderStatus = "PENDING" | "PROCESSING" | "SHIPPED" | "CANCELLED" | "COMPLETED";

/** How an order was created. */
export type OrderSource = "CHECKOUT" | "INVOICE" | "SUBSCRIPTION" | "REFILL" | "MANUAL_EMR";

/** Payment status of the order's charge. */
export type PaymentStatus = "UNPAID" | "PENDING" | "PAID" | "FAILED" | "REFUNDED" | "PARTIALLY_REFUNDED";

/** Status of an invoice. */
export type InvoiceStatus = "DRAFT" | "OPEN" | "PAID" | "VOID";

/** The Beluga Telehealth block of an order. */
export type BelugaState = {
  /** `belugaSubmitStatus`; absent = not submitted. */
  submit_status?: SubmitStatus | null;
  /** `belugaVisitStatus`. */
  visit_status?: VisitStatus | null;
  /** Beluga's `updateTimestamp` of the last visit fetch (orders non-terminal statuses). */
  visit_updated_at?: string | null;
  /** `belugaResolvedStatus`. */
  resolved_status?: ResolvedStatus | null;
  /** `CONSULT_CONCLUDED`'s `visitOutcome`. */
  visit_outcome?: VisitOutcome | null;
  /** Beluga's visit id. */
  visit_id?: string | null;
  /** The `masterId` generated once for this visit and reused on every retry. */
  master_id?: string | null;
  /** `belugaSubmitError`: the last error text (internal; never shown to patients). */
  submit_error?: string | null;
  /** When the visit was accepted. */
  submitted_at?: string | null;
  /** When the last submission attempt ran. */
  last_attempt_at?: string | null;
};

/**
 * `belugaSubmitStatus`: whether the app's visit creation reached Beluga. Absent means not
 * submitted. Ranked `FAILED < SUBMITTED`.
 */
export type SubmitStatus = "FAILED" | "SUBMITTED";

/** `belugaVisitStatus`, as Beluga reports it for the medical visit. */
export type VisitStatus = "active" | "pending" | "admin" | "holding" | "resolved" | "canceled";

/** `belugaResolvedStatus`. Ranked `open < closed`. */
export type ResolvedStatus = "open" | "closed";

/**
 * `visitOutcome` of `CONSULT_CONCLUDED`. Ranked `referred < prescribed` (a later
 * prescription outranks a referral; the contradiction itself is the events area's flag).
 */
export type VisitOutcome = "referred" | "prescribed";

/** A local prescription record. */
export type Prescription = {
  /** Where the confirmation came from. */
  source: PrescriptionSource;
  /** The order item it is for, when linked. */
  item_id?: string | null;
  /** The prescribed `medId`. */
  med_id?: string | null;
  /** Beluga's `rxId` (may be `N/A`). */
  rx_id?: string | null;
  /** Medication name. */
  name?: string | null;
  /** Strength. */
  strength?: string | null;
  /** Quantity. */
  quantity?: string | null;
  /** Refills. */
  refills?: string | null;
  /** The prescribing doctor's name as Beluga sent it. */
  doctor_name?: string | null;
  /** When the confirmation was received (`dateWritten` of pharmacy orders). */
  written_at?: string | null;
  /** The doctor's `pharmacyNotes` (patient data: sent to the pharmacy, never logged). */
  pharmacy_notes?: string | null;
};

/** The prescription confirmation a record comes from. */
export type PrescriptionSource = "RX_WRITTEN" | "NEW_RX_SENT";

/** One submission to a fulfillment integration (DispensePro or LifeFile). */
export type Submission = {
  /** Accepted or failed. */
  state: SubmissionState;
  /** The pharmacy it went to. */
  pharmacy_id?: string | null;
  /** The order items it carried (empty: every item routed there). */
  item_ids?: string[];
  /** Who sent it. */
  submitted_by?: Submitter | null;
  /** When. */
  submitted_at?: string | null;
  /** The partner's order id. */
  partner_order_id?: string | null;
  /** The partner's latest status (DispensePro status, LifeFile `rxStatus`). */
  partner_status?: string | null;
  /**
   * When the partner reported `partner_status` (a status webhook's `occurredAt`; absent
   * for the status of the submission's answer).
   */
  partner_status_at?: string | null;
  /** `submitError` (internal). */
  submit_error?: string | null;
  /**
   * Refills staff requested and the partner accepted (DispensePro manual refill), oldest
   * first; the union of every record seen (`routing::dispensepro_actions`).
   */
  refills?: RefillRecord[];
  /**
   * What the partner said when it refused the order (LifeFile's `{type: "error",
   * messages}`), kept for CS: staff only, never logged, audited or shown to patients.
   */
  partner_messages?: string[];
};

/** State of one fulfillment submission (DispensePro or LifeFile). Ranked `FAILED < SUBMITTED`. */
export type SubmissionState = "FAILED" | "SUBMITTED";

/** Who triggered a fulfillment submission. */
export type Submitter = "RXGATE" | "STAFF" | "WORKFLOW";

/** One refill the partner accepted for a submission. */
export type RefillRecord = {
  /** When the partner accepted it. */
  at: string;
  /** Who asked (the staff API key id). */
  by?: string | null;
  /** The partner's id of the refill, when it answered one. */
  partner_id?: string | null;
};

/**
 * The fulfillment status one route (the items going to one pharmacy) reached, from its
 * pharmacy's events. Ranked like the order status (`SHIPPED < CANCELLED < COMPLETED`).
 */
export type RouteStatusRecord = {
  /** The app's pharmacy id of the route. */
  pharmacy_id: string;
  /** The highest status its events reached. */
  status: OrderStatus;
  /** When the route first reached that status. */
  at?: string | null;
};

/** Status of the photo ID upload to `/external/receivePhotos`. Ranked `FAILED < SENT`. */
export type PhotoIdStatus = "FAILED" | "SENT";

/** Shipping and tracking of an order. */
export type Shipping = {
  /** Carrier. */
  carrier?: string | null;
  /** Tracking number. */
  tracking?: string | null;
  /** Tracking URL. */
  tracking_url?: string | null;
  /** When the tracking fields were last updated. */
  tracking_updated_at?: string | null;
  /** First shipped event. */
  shipped_at?: string | null;
  /** Delivered event. */
  delivered_at?: string | null;
  /** A carrier reported a failed delivery. */
  delivery_failed?: boolean;
};

/** The Beluga appointment. */
export type Appointment = {
  /** Status. */
  status: AppointmentStatus;
  /** Doctor's name. */
  doc_name?: string | null;
  /** Scheduled date as Beluga sent it. */
  scheduled_date?: string | null;
  /** Location or link. */
  location?: string | null;
  /** A reschedule contradicted the stored booking (flagged for staff). */
  contradiction?: boolean;
};

/** Appointment status from `BOOKING_*` / `NO_SHOW`. */
export type AppointmentStatus = "BOOKED" | "RESCHEDULED" | "CANCELLED" | "NO_SHOW";

/** A flag raised for staff while processing events (codes of the events area). */
export type StaffFlag = {
  /** The flag's code, e.g. `rx_med_not_ordered`. */
  code: string;
  /** When it was raised. */
  raised_at?: string | null;
  /** The event that raised it. */
  event?: string | null;
  /**
   * Staff acknowledged or resolved it (absent: open). A settled flag is no longer
   * escalated; a later event of the same kind raises a new flag.
   */
  settled?: FlagSettlement | null;
};

/**
 * How staff settled a flag. Ordered so that merging two settlements keeps the later word:
 * `resolved` over `acknowledged`, then the later instant.
 */
export type FlagSettlement = {
  /** `acknowledged` or `resolved`. */
  outcome: FlagOutcome;
  /** When. */
  at: string;
  /** Who (the API key id; never a person's name). */
  by: string;
  /** Why (staff text, kept for staff). */
  reason: string;
};

/** What staff did with a flag. */
export type FlagOutcome = "acknowledged" | "resolved";

/** One order line. */
export type Item = {
  /** The item id. */
  id: string;
  /** The product ordered. */
  product: Product;
  /** The drug the product maps to; absent when the product-to-drug mapping is missing. */
  drug?: Drug | null;
};

/** A store product (CRM → Store → Products). */
export type Product = {
  /** Product id. */
  id: string;
  /** Product name. */
  name: string;
  /** The Beluga visit type; absent means the product needs no Beluga review. */
  beluga_visit_type?: string | null;
  /** The product's Default Pharmacy (a [`Pharmacy::id`]). */
  default_pharmacy_id?: string | null;
  /** The questionnaire (intake form) mapped to the product. */
  questionnaire_id?: string | null;
  /** Labs apply: the intake must say how lab results are obtained. */
  labs_apply?: boolean;
  /** The product is a medication that needs a prescription (default true). */
  requires_prescription?: boolean;
};

/** A drug (EMR → Drugs). */
export type Drug = {
  /** Drug id. */
  id: string;
  /** Name sent as `patientPreference.name`. */
  name: string;
  /** Strength. */
  strength?: string | null;
  /** Beluga's medication id. */
  beluga_med_id?: string | null;
  /** Drug identification number (used when there is no `beluga_med_id`). */
  din?: string | null;
  /** Quantity for the preference. */
  quantity?: string | null;
  /** Refills for the preference. */
  refills?: string | null;
  /** Days' supply for the preference. */
  days_supply?: string | null;
  /** DispensePro Rx configuration. */
  dispense_pro?: DispenseProRx | null;
  /** LifeFile Rx mapping. */
  life_file?: LifeFileRx | null;
};

/** EMR → Drugs → DispensePro Rx Configuration. */
export type DispenseProRx = {
  /** National Drug Code. */
  ndc?: string | null;
  /** Quantity. */
  quantity?: string | null;
  /** Refills. */
  refills?: string | null;
  /** Directions (sig). */
  sig?: string | null;
  /** Days' supply. */
  days_supply?: string | null;
};

/** EMR → Drugs → LifeFile Rx Mapping. */
export type LifeFileRx = {
  /** LifeFile Product ID (`lfProductID`). */
  product_id?: string | null;
  /** Drug form. */
  drug_form?: string | null;
  /** Quantity. */
  quantity?: string | null;
  /** Quantity units. */
  quantity_units?: string | null;
  /** Directions. */
  directions?: string | null;
  /** Days' supply. */
  days_supply?: string | null;
};

/** A completed (or started) intake questionnaire. */
export type Intake = {
  /** Intake id. */
  id: string;
  /** The questionnaire it answers. */
  questionnaire_id?: string | null;
  /** Its review status. */
  status: IntakeStatus;
  /** When submitted. */
  submitted_at?: string | null;
  /** The answers, in questionnaire order. */
  answers?: IntakeAnswer[];
  /** The lab method answer, when labs apply. */
  lab_method?: LabMethod | null;
  /** Lab results the patient supplied (lab flow). */
  lab_results?: LabResult[];
};

/** Review status of an intake. */
export type IntakeStatus = "DRAFT" | "SUBMITTED" | "APPROVED" | "NEEDS_CORRECTION" | "REJECTED";

/** One answer of an intake. */
export type IntakeAnswer = {
  /** The question text. */
  question: string;
  /** The offered choices of a multiple-choice question (empty for free text). */
  choices?: string[];
  /** The answer: text, or the chosen choices. */
  answer: AnswerValue;
  /** The standard Beluga field this answer fills instead of a custom Q/A pair. */
  maps_to?: StandardField | null;
};

/** An answer's value. */
export type AnswerValue = string | string[];

/** Beluga form fields that intake answers fill directly. */
export type StandardField = "self_reported_meds" | "allergies" | "medical_conditions";

/** How lab results are obtained, when labs apply. */
export type LabMethod = "PATIENT_SUPPLIED_RESULTS" | "LAB_ORDER";

/** One supplied lab result, as the lab endpoint names its fields. */
export type LabResult = {
  /** Screening date. */
  screening_date?: string | null;
  /** Test name. */
  test_name?: string | null;
  /** Result. */
  test_result?: string | null;
  /** Units (`N/A` if not applicable). */
  test_result_units?: string | null;
  /** Reference range (`N/A` if not applicable). */
  ref_range?: string | null;
  /** `H`, `L`, `N` or `N/A`. */
  status_indicator?: string | null;
  /** Report date. */
  report_date?: string | null;
  /** `URINE`, `BLOOD`, … */
  sample_source?: string | null;
};

/** A pharmacy record (Admin → Settings → Pharmacies). */
export type Pharmacy = {
  /** The app's pharmacy id. */
  id: string;
  /** Display name. */
  name: string;
  /** The type, which controls routing. */
  type: PharmacyType;
  /** The id Beluga knows the pharmacy by (every type carries one). */
  beluga_id?: string | null;
  /** API URL and credentials are configured (never the credentials themselves). */
  credentials_configured?: boolean;
  /** The pharmacy's environment (LifeFile: test or production status id). */
  environment?: Environment | null;
  /** The pharmacy requires a signed hardcopy PDF with each order. */
  requires_hardcopy_pdf?: boolean;
  /** LifeFile ids. */
  life_file?: LifeFileIds | null;
  /** A webhook secret is configured (OWN and DispensePro webhooks). */
  webhook_secret_configured?: boolean;
};

/** Pharmacy types. */
export type PharmacyType = "BELUGA" | "OWN" | "DISPENSE_PRO" | "BELMAR_LIFEFILE";

/** LifeFile account ids of a Belmar/LifeFile pharmacy. */
export type LifeFileIds = {
  /** `X-Vendor-ID`. */
  vendor_id?: string | null;
  /** `X-Location-ID`. */
  location_id?: string | null;
  /** `X-API-Network-ID`. */
  network_id?: string | null;
  /** `practice.id`. */
  practice_id?: string | null;
  /** The pharmacy-specific shipping service integer. */
  shipping_service?: number | null;
};

/** A prescriber of the clinic's directory. */
export type Prescriber = {
  /** Full name as Beluga writes it in `docName`. */
  name: string;
  /** National Provider Identifier. */
  npi?: string | null;
  /** Licence state. */
  license_state?: string | null;
  /** Licence number. */
  license_number?: string | null;
  /** DEA number. */
  dea?: string | null;
  /** Practice address. */
  address?: Address | null;
  /** Practice phone. */
  phone?: string | null;
};

/** A partner event received for this order (the audit entry, without the payload). */
export type ReceivedEvent = {
  /** Who sent it. */
  source: EventSource;
  /** The event name as sent (`RX_WRITTEN`, `order.shipped`, LifeFile `rxStatus`, …). */
  event: string;
  /** When rxgate received it. */
  received_at: string;
  /** The visit it names, for Beluga events. */
  master_id?: string | null;
  /** The pharmacy it came from, for pharmacy events. */
  pharmacy_id?: string | null;
  /**
   * The partner's status value carried by the event (DispensePro `order.status`,
   * LifeFile `rxStatus`).
   */
  status?: string | null;
  /**
   * The event's idempotency key (`events::dedupe`); an event whose key is already here
   * is a duplicate and changes nothing.
   */
  key?: string | null;
};

/** Event senders. */
export type EventSource = "BELUGA" | "LIFEFILE" | "DISPENSE_PRO" | "OWN";

/** A timeline activity. */
export type Activity = {
  /** Its type. */
  kind: ActivityKind;
  /** When. */
  at: string;
  /** Whether the app currently shows it to the patient. */
  shown_to_patient?: boolean | null;
  /** Whether the patient was notified. */
  notified?: boolean;
  /** The text (patient-visible kinds only reach the patient view). */
  content?: string | null;
};

/** Timeline activity types. */
export type ActivityKind = "BELUGA_DOCTOR_CHAT" | "PATIENT_CHAT_SENT" | "BELUGA_CS_SENT" | "BELUGA_CS_MESSAGE" | "ORDER_STATUS_UPDATE" | "SHIPPING_UPDATE" | "APPOINTMENT_UPDATE" | "INTAKE_REQUIREMENT" | "STAFF_NOTE";

/** The request of `decide_submit`. */
export type DecideSubmitRequest = {
  /** The order snapshot. */
  input: OrderSnapshot;
  /** The event that may auto-submit the order. */
  trigger: Trigger;
  /** The date rules are evaluated on; else the date of `now` at UTC−10 (one is required). */
  today?: string | null;
  /** The current instant (gives `today` when `today` is absent). */
  now?: Instant | null;
};

/** The events that may auto-submit an order (the submission guide's list). */
export type Trigger = "checkout_paid" | "intake_completed" | "intake_resubmitted" | "intake_approved" | "invoice_paid" | "subscription_payment_succeeded" | "refill_payment_succeeded" | "manual_order_created";

/** The request of `build_visit`. */
export type BuildVisitRequest = {
  /** The order snapshot. */
  input: OrderSnapshot;
  /** The `masterId` of the visit (non-empty). */
  master_id: string;
  /** The date rules are evaluated on; else the date of `now` at UTC−10 (one is required). */
  today?: string | null;
  /** The current instant (gives `today` when `today` is absent). */
  now?: Instant | null;
};

/** The request of the operations that read only the snapshot. */
export type OrderRequest = {
  /** The order snapshot. */
  input: OrderSnapshot;
};

/** The request of the operations that evaluate the snapshot at an instant. */
export type TimedOrderRequest = {
  /** The order snapshot. */
  input: OrderSnapshot;
  /** The current instant. */
  now: Instant;
};

/** The request of `decide_route_action`. */
export type RouteActionRequest = {
  /** The order snapshot. */
  input: OrderSnapshot;
  /** `retry` or `force`. */
  action: RouteStaffAction;
  /** The app's id of the route's pharmacy. */
  pharmacy_id: string;
  /** Why staff force it (required for `force`; never echoed). */
  reason?: string | null;
  /** The current instant. */
  now: Instant;
};

/** A staff action on one fulfillment route. */
export type RouteStaffAction = "retry" | "force";

/** The request of `decide_dispensepro_action`. */
export type DispenseProActionRequest = {
  /** The order snapshot. */
  input: OrderSnapshot;
  /** `status`, `refill` or `void`. */
  action: DispenseProAction;
  /** The app's id of the route's pharmacy. */
  pharmacy_id: string;
  /** Why (required to void; sent to DispensePro with the void, never logged). */
  reason?: string | null;
};

/**
 * A staff action on an order DispensePro accepted, addressed by DispensePro's order `id`:
 * 
 * | action | request | body |
 * | --- | --- | --- |
 * | `status` | `GET /orders/{id}` | — |
 * | `refill` | `POST /orders/{id}/refill` | [`DispenseProRefill`] |
 * | `void` | `POST /orders/{id}/void` | [`DispenseProVoid`] |
 * 
 * Every action answers the order as DispensePro holds it ([`DispenseProOrderAnswer`]).
 */
export type DispenseProAction = "status" | "refill" | "void";

/** The request of `record_dispensepro_action`. */
export type RecordDispenseProActionRequest = {
  /** The order snapshot as it is now. */
  input: OrderSnapshot;
  /** The action that was sent. */
  action: DispenseProAction;
  /** The app's id of the route's pharmacy. */
  pharmacy_id: string;
  /** Who asked (the staff API key id). */
  by?: string | null;
  /** DispensePro's HTTP answer, or the network error. */
  answer: HttpReply;
  /** When the answer arrived. */
  now: Instant;
};

/** `{status, body, network_error?}`. */
export type HttpReply = {
  /** The HTTP status (absent with a network error). */
  status?: number | null;
  /** The body: parsed JSON, or the text when it is not JSON. */
  body?: JsonValue;
  /** Set when there was no answer (`timeout`, `connect`, …). */
  network_error?: string | null;
};

/** The request of `decide_flag_action`. */
export type FlagActionRequest = {
  /** The order snapshot. */
  input: OrderSnapshot;
  /** `acknowledged` or `resolved`. */
  action: FlagOutcome;
  /** The flag's code. */
  code: string;
  /** When the flag was raised (RFC 3339; absent for a flag without an instant). */
  raised_at?: string | null;
  /** Why (required, non-blank). */
  reason?: string | null;
  /** Who (the API key id). */
  by: string;
  /** The current instant. */
  now: Instant;
};

/** The request of `apply_order_facts`. */
export type ApplyOrderFactsRequest = {
  /** The order snapshot. */
  input: OrderSnapshot;
  /** The facts to apply, in order. */
  facts: Fact[];
};

/**
 * One fact that moves an order's state. The events area maps each webhook to facts; the
 * `apply_order_facts` operation reads them as JSON objects tagged by `fact`, e.g.
 * `{"fact": "visit", "status": "pending", "updated_at": "2026-11-20T10:00:00Z"}`.
 */
export type Fact = {
  fact: "submit";
  /** The submit status. */
  status: SubmitStatus;
  /** `SUBMITTED`: Beluga's `visitId` from the visit creation answer. */
  visit_id?: string | null;
  /**
   * When the answer arrived: `submitted_at` of a `SUBMITTED`, `last_attempt_at` of a
   * `FAILED`.
   */
  at?: string | null;
  /**
   * `FAILED`: the error shown to staff (Beluga's fixed error string or rxgate's own
   * message; never other partner text).
   */
  error?: string | null;
} | {
  fact: "master_id";
  /** The id. */
  master_id: string;
} | {
  fact: "visit";
  /** The status. */
  status: VisitStatus;
  /** Beluga's `updateTimestamp`, for fetched non-terminal statuses. */
  updated_at?: string | null;
} | {
  fact: "resolved";
  /** The resolved status. */
  status: ResolvedStatus;
} | {
  fact: "outcome";
  /** The outcome. */
  outcome: VisitOutcome;
} | {
  fact: "order_status";
  /** The order status. */
  status: OrderStatus;
} | {
  fact: "route_status";
  /** The app's pharmacy id of the route. */
  pharmacy_id: string;
  /** The highest status its events reached. */
  status: OrderStatus;
  /** When the route first reached that status. */
  at?: string | null;
} | {
  fact: "photo_id";
  /** The upload status. */
  status: PhotoIdStatus;
} | {
  fact: "prescription";
  /** Where the confirmation came from. */
  source: PrescriptionSource;
  /** The order item it is for, when linked. */
  item_id?: string | null;
  /** The prescribed `medId`. */
  med_id?: string | null;
  /** Beluga's `rxId` (may be `N/A`). */
  rx_id?: string | null;
  /** Medication name. */
  name?: string | null;
  /** Strength. */
  strength?: string | null;
  /** Quantity. */
  quantity?: string | null;
  /** Refills. */
  refills?: string | null;
  /** The prescribing doctor's name as Beluga sent it. */
  doctor_name?: string | null;
  /** When the confirmation was received (`dateWritten` of pharmacy orders). */
  written_at?: string | null;
  /** The doctor's `pharmacyNotes` (patient data: sent to the pharmacy, never logged). */
  pharmacy_notes?: string | null;
} | {
  fact: "dispense_pro";
  /** Accepted or failed. */
  state: SubmissionState;
  /** The pharmacy it went to. */
  pharmacy_id?: string | null;
  /** The order items it carried (empty: every item routed there). */
  item_ids?: string[];
  /** Who sent it. */
  submitted_by?: Submitter | null;
  /** When. */
  submitted_at?: string | null;
  /** The partner's order id. */
  partner_order_id?: string | null;
  /** The partner's latest status (DispensePro status, LifeFile `rxStatus`). */
  partner_status?: string | null;
  /**
   * When the partner reported `partner_status` (a status webhook's `occurredAt`; absent
   * for the status of the submission's answer).
   */
  partner_status_at?: string | null;
  /** `submitError` (internal). */
  submit_error?: string | null;
  /**
   * Refills staff requested and the partner accepted (DispensePro manual refill), oldest
   * first; the union of every record seen (`routing::dispensepro_actions`).
   */
  refills?: RefillRecord[];
  /**
   * What the partner said when it refused the order (LifeFile's `{type: "error",
   * messages}`), kept for CS: staff only, never logged, audited or shown to patients.
   */
  partner_messages?: string[];
} | {
  fact: "life_file";
  /** Accepted or failed. */
  state: SubmissionState;
  /** The pharmacy it went to. */
  pharmacy_id?: string | null;
  /** The order items it carried (empty: every item routed there). */
  item_ids?: string[];
  /** Who sent it. */
  submitted_by?: Submitter | null;
  /** When. */
  submitted_at?: string | null;
  /** The partner's order id. */
  partner_order_id?: string | null;
  /** The partner's latest status (DispensePro status, LifeFile `rxStatus`). */
  partner_status?: string | null;
  /**
   * When the partner reported `partner_status` (a status webhook's `occurredAt`; absent
   * for the status of the submission's answer).
   */
  partner_status_at?: string | null;
  /** `submitError` (internal). */
  submit_error?: string | null;
  /**
   * Refills staff requested and the partner accepted (DispensePro manual refill), oldest
   * first; the union of every record seen (`routing::dispensepro_actions`).
   */
  refills?: RefillRecord[];
  /**
   * What the partner said when it refused the order (LifeFile's `{type: "error",
   * messages}`), kept for CS: staff only, never logged, audited or shown to patients.
   */
  partner_messages?: string[];
} | {
  fact: "shipping";
  /** Carrier. */
  carrier?: string | null;
  /** Tracking number. */
  tracking?: string | null;
  /** Tracking URL. */
  tracking_url?: string | null;
  /** When the tracking fields were last updated. */
  tracking_updated_at?: string | null;
  /** First shipped event. */
  shipped_at?: string | null;
  /** Delivered event. */
  delivered_at?: string | null;
  /** A carrier reported a failed delivery. */
  delivery_failed?: boolean;
} | {
  fact: "flag";
  /** The flag's code, e.g. `rx_med_not_ordered`. */
  code: string;
  /** When it was raised. */
  raised_at?: string | null;
  /** The event that raised it. */
  event?: string | null;
  /**
   * Staff acknowledged or resolved it (absent: open). A settled flag is no longer
   * escalated; a later event of the same kind raises a new flag.
   */
  settled?: FlagSettlement | null;
} | {
  fact: "flag_settled";
  /** The flag's code. */
  code: string;
  /** When the flag was raised (which flag of that code). */
  raised_at?: string | null;
  /** The settlement. */
  settlement: FlagSettlement;
} | {
  fact: "booking";
  /** Status. */
  status: AppointmentStatus;
  /** Doctor's name. */
  doc_name?: string | null;
  /** Scheduled date as Beluga sent it. */
  scheduled_date?: string | null;
  /** Location or link. */
  location?: string | null;
  /** A reschedule contradicted the stored booking (flagged for staff). */
  contradiction?: boolean;
};

/** The request of `check_cancel`. */
export type CheckCancelRequest = {
  /** The order snapshot. */
  input: OrderSnapshot;
  /** Why staff cancel (required by some states). */
  reason?: string | null;
  /** Staff confirmed the consequences. */
  confirmed?: boolean | null;
};

/** The request of `split_order`. */
export type SplitOrderRequest = {
  /** The order snapshot (valid; the split keeps its members as given). */
  input: OrderSnapshot;
  /**
   * `true` when the caller keeps the activities in a store of its own (the service's
   * activity records): `activities` is then left out of the `rxgate` part, and the caller
   * hands them to `assemble_order` as its `activities`. Default `false`.
   */
  activities_recorded?: boolean;
};

/** The request of `assemble_order`. */
export type AssembleOrderRequest = {
  /** The clinic's order input (the members the clinic owns; an object). */
  clinic: { [key: string]: JsonValue };
  /** The members rxgate owns (an object; `{}` for a new order). */
  rxgate: { [key: string]: JsonValue };
  /** The service's integration facts. */
  integration: IntegrationFacts;
  /**
   * The activities the service recorded for the order (its activity store), oldest
   * first. When present they are the snapshot's `activities`, in place of any `rxgate`
   * holds: the rules (message visibility, the diagnosis, the patient view) then judge what
   * was really stored. Absent: `rxgate`'s own.
   */
  activities?: Activity[] | null;
};

/**
 * The integration facts of the service's configuration, sent with every assembly. The
 * secrets themselves never enter the core: only whether they are configured.
 */
export type IntegrationFacts = {
  /** A Beluga API key is configured (`settings.api_key_present`). */
  beluga_api_key_configured?: boolean;
  /** The Beluga company id (`settings.company`). */
  beluga_company?: string | null;
  /** The environment the service runs in (`settings.environment`). */
  environment?: Environment | null;
  /** The DispensePro account is configured (`settings.dispense_pro.configured`). */
  dispense_pro_configured?: boolean;
  /** Per pharmacy id: what is configured for it. A pharmacy absent here is not configured. */
  pharmacies?: { [key: string]: PharmacyFacts };
};

/** What the service's configuration holds for one pharmacy. */
export type PharmacyFacts = {
  /** API URL and credentials (LifeFile) are configured (`credentials_configured`). */
  credentials_configured?: boolean;
  /** A webhook secret is configured (`webhook_secret_configured`). */
  webhook_secret_configured?: boolean;
};

/** The request of `plan_submission`. */
export type PlanSubmissionRequest = {
  /** The order snapshot. */
  input: OrderSnapshot;
  /** The auto-submit trigger; absent for a staff retry. */
  trigger?: Trigger | null;
  /** A staff retry (`POST …/submit-to-beluga`) rather than a trigger. */
  manual: boolean;
  /** A fresh random `masterId` candidate; used only when the order has none yet. */
  master_id: string;
  /** Submit calls already queued for this order (0 for the first): the dedupe key's suffix. */
  attempt: number;
  /** The current instant; the rules' date is its date at UTC−10. */
  now: Instant;
};

/** The request of `record_call_outcome`. */
export type RecordCallOutcomeRequest = {
  /** The order snapshot as it is now. */
  input: OrderSnapshot;
  /** The call that was (or could not be) sent. */
  call: CallRef;
  /** What came back. */
  answer: CallAnswer;
  /** When the answer arrived. */
  now: Instant;
};

/** The call an answer belongs to. */
export type CallRef = {
  /** The outbox kind. */
  kind: CallKind;
  /**
   * The response endpoint of a Beluga call (`visit`, `lab`, `fetch-visit`, `photos`, …);
   * absent: the kind's usual one.
   */
  endpoint?: string | null;
  /** The app's pharmacy id (pharmacy calls: required). */
  pharmacy_id?: string | null;
  /** The order items the call carries (pharmacy calls). */
  item_ids?: string[];
  /** This send's number, 1 for the first. */
  attempt: number;
  /** The outbox's limit of sends. */
  max_attempts: number;
};

/** The kinds of outbox call the rules plan or classify. */
export type CallKind = "beluga_submit" | "beluga_fetch" | "beluga_photo_id" | "beluga_chat" | "beluga_cs_message" | "beluga_update_visit" | "beluga_patient_name" | "beluga_pdf" | "beluga_photos" | "dispensepro_order" | "lifefile_order";

/** What came back from a call: an HTTP answer (or none), or the reason it was not sent. */
export type CallAnswer = Unsendable | HttpReply;

/** `{unsendable: reason}`. */
export type Unsendable = {
  /** Why the call was not sent. */
  unsendable: UnsendableReason;
};

/** Why a call could not be sent. */
export type UnsendableReason = "partner_not_configured";

/** The request of `plan_visit_fetch`. */
export type PlanVisitFetchRequest = {
  /** The order snapshot as it is now (after the last fetch's facts were applied). */
  input: OrderSnapshot;
  /** The visit status the previous plan saw (its answer's `seen`); absent the first time. */
  seen?: SeenVisit | null;
  /** Fetches since the status last changed (the previous answer's `attempt`; 0 at first). */
  attempt?: number;
  /** A number in [0, 1] the host draws for the jitter. */
  jitter: number;
  /** The schedule's base interval and cap. */
  schedule?: FetchSchedule;
  /** Now. */
  now: Instant;
};

/** A visit status as a plan saw it. */
export type SeenVisit = {
  /** The status. */
  status: VisitStatus;
  /** Its `updateTimestamp` (non-terminal statuses from a fetch). */
  updated_at?: Instant | null;
};

/** The schedule's parameters (the service's configuration). */
export type FetchSchedule = {
  /** The interval of a new visit with no fruitless fetch, in milliseconds (default 60 000). */
  base_ms?: number;
  /** The longest interval, in milliseconds (default 6 h). */
  max_ms?: number;
};

/** The request of `build_message`. */
export type BuildMessageRequest = {
  /** The order snapshot. */
  input: OrderSnapshot;
  /** The channel. */
  to: Recipient;
  /** The text (patient data: never logged). */
  content: string;
  /** The order's `masterId`. */
  master_id: string;
  /** Images for the patient's chat (base64 JPEG each), one `isMedia` call per image. */
  images?: string[];
};

/** Who a message goes to. */
export type Recipient = "cs" | "patient";

/** The request of `decide_beluga_call_retry`. */
export type BelugaCallRetryRequest = {
  /** The order snapshot. */
  input: OrderSnapshot;
  /** Every outbox call of the order. */
  calls?: OrderCall[];
};

/** One outbox call of the order, as the rule reads it (no payload). */
export type OrderCall = {
  /** The outbox row id (later calls have higher ids). */
  id: number;
  /**
   * The outbox kind (`beluga_photo_id`, `beluga_update_visit`, …; pharmacy kinds are
   * ignored).
   */
  kind: string;
  /** Its status. */
  status: CallStatus;
  /** The error it was parked with (`{class}: …`, as the worker keeps it). */
  last_error?: string | null;
};

/** Where a call stands in the outbox. */
export type CallStatus = "pending" | "done" | "failed";

/** The request of `decide_erase`. */
export type DecideEraseRequest = {
  /** The partner calls of every order of the patient. */
  calls?: EraseCall[];
  /** Erase although calls are in flight (they are parked, never sent). */
  force?: boolean;
  /** Why (required with `force`; kept in the audit entry: no patient data). */
  reason?: string | null;
};

/** One partner call of the patient's orders, as the erase reads it. */
export type EraseCall = {
  /** The order it belongs to. */
  order_id: string;
  /** The outbox kind (`beluga_submit`, …). */
  kind: string;
  /** `pending`, `done` or `failed`. */
  status: string;
};

/** The request of `parse_event`. */
export type ParseEventRequest = {
  /** Who sent the webhook. */
  source: RouteName;
  /** The webhook body, parsed. */
  input: JsonValue;
  /** The size of the raw body in bytes, when known (checked against the limits). */
  body_bytes?: number | null;
};

/**
 * The JSON Schema of a route name, for `#[schemars(with = "route_name::Name")]` beside
 * `#[serde(with = "route_name")]`.
 */
export type RouteName = "beluga" | "lifefile" | "dispensepro" | "pharmacy";

/** The request of `verify_webhook`. */
export type VerifyWebhookRequest = {
  /** Who sent the webhook. */
  source: RouteName;
  /** The request's headers, names to values. */
  headers: { [key: string]: string };
  /** The raw body as text (its exact bytes as UTF-8); or give `body_base64`. */
  body?: string | null;
  /** The raw body in standard base64 (instead of `body`). */
  body_base64?: string | null;
  /** The route's authentication configuration (absent: production with no secret). */
  config?: AuthConfig | null;
  /** The current instant. */
  now: Instant;
};

/** The route's authentication configuration (rxgate's own input: unknown fields rejected). */
export type AuthConfig = {
  /** Beluga shared secrets (two during rotation), or Standard Webhooks `whsec_` secrets. */
  secrets?: string[];
  /** Beluga: verify an HMAC-SHA256 of the raw body in this header too. */
  hmac?: HmacHeader | null;
  /** LifeFile Basic credentials. */
  credentials?: BasicCredential[];
  /** OWN / DispensePro: accept unsigned requests (honoured only outside production). */
  allow_unsigned?: boolean;
  /** The deployment is production (default true: the safe assumption). */
  production?: boolean;
};

/** The optional Beluga HMAC header. */
export type HmacHeader = {
  /** The header's name. */
  header: string;
  /** Its encoding. */
  encoding: HmacEncoding;
};

/** How a Beluga HMAC header encodes the digest. */
export type HmacEncoding = "hex" | "base64";

/** A LifeFile Basic credential. */
export type BasicCredential = {
  /** User name. */
  username: string;
  /** Password. */
  password: string;
};

/** The request of `check_portal_token`. */
export type CheckPortalTokenRequest = {
  /** The token as presented (`X-Patient-Token`). */
  token: string;
  /** The signing secret (`RXGATE_PORTAL_TOKEN_SECRET`). */
  secret: string;
  /** The current instant. */
  now: Instant;
};

/** The request of `event_key` (and `redact_event`, which reads `source` and `input` only). */
export type EventKeyRequest = {
  /** Who sent the webhook. */
  source: RouteName;
  /** The webhook body, parsed. */
  input: JsonValue;
  /** The route's pharmacy id (LifeFile, DispensePro, pharmacy). */
  pharmacy_id?: string | null;
  /** The `webhook-id` header (DispensePro, pharmacy). */
  webhook_id?: string | null;
};

/** The request of `event_match_keys`. */
export type EventMatchKeysRequest = {
  /** Who sent the webhook. */
  source: RouteName;
  /** The stored body, parsed (LifeFile: one line or the array of lines). */
  input: JsonValue;
};

/** The request of `apply_event`. */
export type ApplyEventRequest = {
  /** Who sent the webhook. */
  source: RouteName;
  /** The webhook body, parsed. */
  input: JsonValue;
  /** The order snapshot the event applies to. */
  order: OrderSnapshot;
  /** The service's state of the order, kept and updated (`order_state`, `lab_milestone`). */
  state?: { [key: string]: JsonValue } | null;
  /** When the event was received. */
  now: Instant;
  /** The route's pharmacy id (LifeFile, DispensePro, pharmacy). */
  pharmacy_id?: string | null;
  /** The `webhook-id` header (DispensePro, pharmacy). */
  webhook_id?: string | null;
};

/** The request of `redact_event`. */
export type RedactEventRequest = {
  /** Who sent the webhook. */
  source: RouteName;
  /** The webhook body, parsed. */
  input: JsonValue;
};

/** Everything the registry knows about one code. */
export type CodeInfo = {
  /** Stable snake_case identifier, e.g. `dob_under_18`. */
  code: string;
  /** The rule area: `contract`, `readiness`, `routing`, `boundary`, `events`, … */
  area: string;
  /**
   * The exact error string Beluga answers for this condition, when there is one. May hold
   * `{placeholders}` filled from the violation's context (e.g. `{fields}`).
   */
  beluga_error: string | null;
  /** One line saying what the code means. */
  meaning: string;
  /**
   * The message template; `{placeholders}` are filled with facts from the rules (field
   * names, limits, allowed values), never with input values.
   */
  template: string;
  /** The version that introduced the code. */
  since: string;
  /** Whether the code is stable, deprecated or removed. */
  status: CodeStatus;
};

/** Lifecycle of a code, in the manner of ruff's `RuleStatus`. */
export type CodeStatus = "stable" | "deprecated" | "removed";

/** Description of one operation: what the `ops` operation lists. */
export type OpInfo = {
  /** Operation name, e.g. `validate`. */
  name: string;
  /** One line saying what it does. */
  summary: string;
};

/** The answer of a validation: `{valid, violations, warnings}`. */
export type Report = {
  /** True when there is no violation (warnings do not count). */
  valid: boolean;
  /** Every rule broken, in document order. */
  violations: Violation[];
  /** Things worth a look that Beluga would not refuse. */
  warnings: Violation[];
};

/**
 * One rule broken (or, in [`Report::warnings`], one thing worth a look).
 * 
 * Serializes as `{code, path, message, beluga_error}`. The message is the code's template
 * filled with facts from the rules; it never contains the input value.
 */
export type Violation = {
  /** The stable code. */
  code: Code;
  /** Where, as a JSON Pointer string. */
  path: string;
  /** Human text rendered from the code's template. */
  message: string;
  /** The exact string Beluga would answer, when the code has one. */
  beluga_error: string | null;
};

/** a snake_case code of the registry (`rxgate codes`) */
export type Code = string;

/** The answer of `normalize`: the normalised value, or the rule it breaks. */
export type NormalizeAnswer = {
  /** The value could be normalised. */
  valid: boolean;
  /** The normalised value, when valid. */
  value?: string | null;
  /** The rule's code, when not valid. */
  code?: string | null;
  /** The rule's message (never the value), when not valid. */
  message?: string | null;
};

/** A classified answer. */
export type ParsedResponse = {
  /** The endpoint name. */
  endpoint: string;
  /** What the answer means. */
  outcome: Outcome;
  /** Who acts on it. */
  classification: Class;
  /** Whether the error string is one the reference documents. */
  recognized: boolean;
  /** Beluga's message (`error`, `info`, `data` or the status word), when it sent one. */
  beluga_error: string | null;
  /** What customer support does next. */
  guidance: string;
  /** The typed content of a success. */
  data: ResponseData | null;
};

/** What an answer means. */
export type Outcome = "visit_created" | "received" | "message_received" | "name_updated" | "pharmacies" | "visit_data_updated" | "new_rx_sent" | "patient" | "visit" | "not_found" | "error" | "unauthorized" | "network_error" | "server_error" | "unexpected";

/** Who acts on an outcome. */
export type Class = "success" | "fix_patient_data" | "fix_configuration" | "duplicate" | "not_eligible" | "retry_later" | "permanent";

/** The typed content of a successful answer. */
export type ResponseData = VisitCreated | {
  /** The matches, at most 100. */
  pharmacies: PharmacyOutput[];
} | {
  /** The prescriptions sent. */
  medsPrescribed: PrescribedMed[];
} | PatientRecord | VisitRecord;

/** The ids of a created visit. */
export type VisitCreated = {
  /** The `masterId` sent. */
  masterId: string;
  /** Beluga's `visitId` (used for the photo ID). */
  visitId: string;
};

/**
 * A pharmacy search result. `PharmacyId` comes as a number and is kept as its decimal
 * string, the form every request sends.
 */
export type PharmacyOutput = {
  /** Beluga pharmacy id, as a string. */
  PharmacyId: string;
  /** Store name. */
  StoreName: string | null;
  /** Street line 1. */
  Address1: string | null;
  /** Street line 2. */
  Address2: string | null;
  /** City. */
  City: string | null;
  /** State. */
  State: string | null;
  /** ZIP code. */
  ZipCode: string | null;
  /** Main phone. */
  PrimaryPhone: string | null;
  /** Fax. */
  PrimaryFax: string | null;
  /** Specialties. */
  PharmacySpecialties: string[];
  /** Service level. */
  ServiceLevel: number | null;
  /** Latitude. */
  Latitude: number | null;
  /** Longitude. */
  Longitude: number | null;
};

/** A prescription in `NEW_RX_SENT`'s `medsPrescribed`. */
export type PrescribedMed = {
  /** Drug name on the prescription. */
  rxName: string | null;
  /** Strength. */
  rxStrength: string | null;
  /** Refills. */
  rxRefills: string | null;
  /** Quantity. */
  rxQuantity: string | null;
  /** Prescription id. */
  rxId: string | null;
  /** Directions. */
  rxDirections: string | null;
  /** Beluga medication id. */
  medId: string;
};

/** The patient record of `patient/externalFetch` (patient data: never logged). */
export type PatientRecord = {
  /** First name. */
  firstName: string | null;
  /** Last name. */
  lastName: string | null;
  /** `MM/DD/YYYY`. */
  dob: string | null;
  /** Ten digits. */
  phone: string | null;
  /** Email. */
  email: string | null;
  /** Street address. */
  address: string | null;
  /** City. */
  city: string | null;
  /** State. */
  state: string | null;
  /** ZIP. */
  zip: string | null;
  /** `Male`, `Female` or `Other`. */
  sex: string | null;
  /** Self-reported medications. */
  selfReportedMeds: string | null;
  /** Allergies. */
  allergies: string | null;
  /** Medical conditions. */
  medicalConditions: string | null;
  /** The patient's visits (`masterId`s). */
  visits: string[];
};

/** A fetched visit (`visit/externalFetch`). The form is kept as Beluga sent it. */
export type VisitRecord = {
  /** The visit's `masterId`. */
  masterId: string;
  /** `active`, `pending`, `admin`, `resolved`, `holding` or `canceled`. */
  visitStatus: VisitStatus;
  /** When the status last changed. */
  updateTimestamp: string | null;
  /** `open` or `closed`. */
  resolvedStatus: ResolvedStatus | null;
  /** When it was closed. */
  resolvedTimestamp: string | null;
  /** The visit type. */
  visitType: string | null;
  /** The prescriptions written. */
  rxHistory: RxHistoryEntry[];
  /** The submitted form with its `intakeResults`. */
  formObj: JsonValue;
};

/** One prescription of a fetched visit's `rxHistory`. */
export type RxHistoryEntry = {
  /** When it was written. */
  rxTimestamp: string | null;
  /** Beluga's name for the drug. */
  favoriteName: string | null;
  /** Medication on the prescription. */
  name: string | null;
  /** Beluga medication id. */
  medId: string | null;
  /** Refills. */
  refills: string | null;
  /** Quantity. */
  quantity: string | null;
  /** Strength. */
  strength: string | null;
  /** Days' supply. */
  daysSupply: string | null;
  /** Unit. */
  unit: string | null;
  /** Notes for the pharmacy. */
  pharmacyNotes: string | null;
  /** Pharmacy name. */
  pharmacyName: string | null;
  /** Prescription id. */
  rxId: string | null;
};

/** The answer of [`check_readiness`]. */
export type Readiness = {
  /** The verdict. */
  status: ReadinessStatus;
  /** `status == ready`. */
  ready: boolean;
  /** The endpoint the visit would use (absent when not required). */
  kind?: VisitKind | null;
  /** Unmet requirements, in checklist order. */
  reasons: Reason[];
};

/** The readiness verdict. */
export type ReadinessStatus = "ready" | "not_ready" | "not_required";

/** Which Beluga endpoint the visit goes to. */
export type VisitKind = "visit" | "lab";

/** One reason of a decision. */
export type Reason = {
  /** The stable code. */
  code: Code;
  /** Staff text. */
  message: string;
  /** Patient text, only where the patient can act. */
  patient_message?: string | null;
  /** Who acts on it. */
  actor: Actor;
  /** The fields concerned (names, never values). */
  fields?: string[];
  /** The order item concerned. */
  item_id?: string | null;
};

/** Who acts on a reason (the guides' escalation targets). */
export type Actor = "patient" | "cs" | "admin_development" | "medical_operations" | "partner";

/** The answer of [`decide_submit`]. */
export type SubmitDecision = {
  /** The verdict. */
  decision: SubmitVerdict;
  /** The trigger that asked. */
  trigger: Trigger;
  /** Why not `submit`. */
  reasons: Reason[];
  /** The `masterId` to use, when submitting. */
  master_id?: MasterIdAction | null;
  /** The endpoint, when submitting. */
  kind?: VisitKind | null;
  /** The order was `FAILED` and is submitted again with the same `masterId`. */
  resubmit_after_failure: boolean;
};

/** The auto-submit verdict. */
export type SubmitVerdict = "submit" | "wait" | "skip";

/** What to do about the `masterId`. */
export type MasterIdAction = "generate" | "reuse";

/** The answer of [`decide_retry`]. */
export type RetryDecision = {
  /** Staff may press "Retry Beluga Submission". */
  allowed: boolean;
  /** The retry would pass every requirement. */
  would_succeed: boolean;
  /** Why it is refused, or why it would still fail. */
  reasons: Reason[];
  /** The `masterId` to use. */
  master_id?: MasterIdAction | null;
};

/** The builder's answer. */
export type BuiltVisit = {
  /** Which endpoint. */
  kind: VisitKind;
  /** Its path below the Beluga base URL. */
  endpoint: string;
  /** True when `body` is present: built and valid. */
  valid: boolean;
  /** The body, only when valid. */
  body?: JsonValue;
  /** Why the body could not be assembled (configuration, mapping, intake answers). */
  reasons: Reason[];
  /** The contract violations of the assembled body. */
  violations: Violation[];
  /** The contract warnings of the assembled body. */
  warnings: Violation[];
};

/** The Beluga pharmacy of the visit. */
export type PharmacySelection = {
  /** A pharmacy with a Beluga id was found. */
  selected: boolean;
  /** Which rule picked it. */
  source: PharmacySource | null;
  /** The app's pharmacy record id (absent for the legacy id). */
  pharmacy_id: string | null;
  /** Its type. */
  pharmacy_type: PharmacyType | null;
  /** The `pharmacyId` sent to Beluga. */
  beluga_pharmacy_id: string | null;
  /** Why nothing was selected. */
  reasons: Reason[];
};

/** Where the Beluga pharmacy came from. */
export type PharmacySource = "order" | "product_default" | "legacy";

/** The fulfillment plan of an order. */
export type RoutePlan = {
  /** Routes in item order; held items come as their own routes. */
  routes: Route[];
  /** Plan-level notes (the LifeFile split). */
  notes: Reason[];
  /** LifeFile items for several pharmacies: one LifeFile order per pharmacy. */
  split_required: boolean;
  /** Every route can move now or is already with its partner (nothing blocked or held). */
  ready: boolean;
  /** Whether any route needs escalation. */
  escalate: boolean;
};

/** One route of the plan: items going to one pharmacy. */
export type Route = {
  /** The pharmacy type (absent for held items). */
  pharmacy_type: PharmacyType | null;
  /** The app's pharmacy id. */
  pharmacy_id: string | null;
  /** The items. */
  item_ids: string[];
  /** What happens next. */
  action: RouteAction;
  /** Where it stands. */
  status: RouteStatus;
  /** Unmet requirements. */
  blockers: Reason[];
  /** Prescription-boundary reasons of its items. */
  boundary: Reason[];
  /** Things worth a look. */
  warnings: Reason[];
  /** Whether to escalate (hardcopy PDF, failed submission, held). */
  escalate: boolean;
};

/** What a route does next. */
export type RouteAction = "submit_to_dispense_pro" | "submit_to_lifefile" | "await_beluga_pharmacy_events" | "await_pharmacy_webhooks" | "hold_for_staff";

/** Where a route stands. */
export type RouteStatus = "ready" | "blocked" | "awaiting_prescription" | "failed" | "submitted" | "awaiting_partner" | "held";

/** The answer of `queue_routes`. */
export type QueuedRoutes = {
  /** One partner submission per ready route, in route order. */
  outbox: OutboxItem[];
};

/** A partner submission the event now allows. */
export type OutboxItem = {
  /** `dispensepro_order` or `lifefile_order`. */
  kind: string;
  /** Enqueue once under this key. */
  dedupe_key: string;
  /** The app's pharmacy id. */
  pharmacy_id: string | null;
  /** The items it carries. */
  item_ids: string[];
  /** The partner path (`/orders` for DispensePro, `/order` for LifeFile). */
  path: string;
  /**
   * The partner body ([`crate::routing::partner_orders`]), built from the snapshot as the
   * event left it.
   */
  body: JsonValue;
};

/** The verdict on a staff retry or force of one route. */
export type RouteActionDecision = {
  /** The action. */
  action: RouteStaffAction;
  /** The route's pharmacy. */
  pharmacy_id: string;
  /** The action may be taken now. */
  allowed: boolean;
  /** Why it is refused. */
  reasons: Reason[];
  /** The route's status (absent: no such route). */
  route_status: RouteStatus | null;
  /** The submission to queue when allowed. */
  outbox: OutboxItem | null;
};

/** The verdict on a DispensePro manual action. */
export type DispenseProActionDecision = {
  /** The action. */
  action: DispenseProAction;
  /** The route's pharmacy. */
  pharmacy_id: string;
  /** The action may be taken now. */
  allowed: boolean;
  /** Why it is refused. */
  reasons: Reason[];
  /** The route's status (absent: no such route). */
  route_status: RouteStatus | null;
  /**
   * Where DispensePro's order stands, as rxgate knows it (`delivered`, `shipped`, the
   * partner status, or absent before acceptance).
   */
  order_progress: string | null;
  /** Refills left on the prescription (refill only, once accepted). */
  refills_left: number | null;
  /** The call to make when allowed. */
  call: DispenseProCall | null;
};

/** The partner call of an allowed action. */
export type DispenseProCall = {
  /** `GET` (status) or `POST`. */
  method: HttpMethod;
  /** The path below the pharmacy's DispensePro base URL. */
  path: string;
  /** The JSON body (refill, void). */
  body?: JsonValue;
};

/** HTTP methods of planned calls. */
export type HttpMethod = "POST" | "GET";

/** What DispensePro's answer to a manual action means. */
export type DispenseProActionOutcome = {
  /** The action. */
  action: DispenseProAction;
  /** `success`, `retry_later` or `fix_configuration`. */
  classification: Class;
  /** DispensePro's status of the order, when it answered one of the seven. */
  partner_status: string | null;
  /** DispensePro's id of an accepted refill. */
  refill_id: string | null;
  /** The facts the answer established. */
  facts: FactOutput[];
  /** The snapshot with `facts` applied. */
  snapshot: OrderSnapshotOutput;
  /** Why it did not succeed; absent on success. */
  error?: CallError | null;
};

/**
 * One fact that moves an order's state. The events area maps each webhook to facts; the
 * `apply_order_facts` operation reads them as JSON objects tagged by `fact`, e.g.
 * `{"fact": "visit", "status": "pending", "updated_at": "2026-11-20T10:00:00Z"}`.
 */
export type FactOutput = {
  fact: "submit";
  /** The submit status. */
  status: SubmitStatus;
  /** `SUBMITTED`: Beluga's `visitId` from the visit creation answer. */
  visit_id?: string | null;
  /**
   * When the answer arrived: `submitted_at` of a `SUBMITTED`, `last_attempt_at` of a
   * `FAILED`.
   */
  at?: string | null;
  /**
   * `FAILED`: the error shown to staff (Beluga's fixed error string or rxgate's own
   * message; never other partner text).
   */
  error?: string | null;
} | {
  fact: "master_id";
  /** The id. */
  master_id: string;
} | {
  fact: "visit";
  /** The status. */
  status: VisitStatus;
  /** Beluga's `updateTimestamp`, for fetched non-terminal statuses. */
  updated_at: string | null;
} | {
  fact: "resolved";
  /** The resolved status. */
  status: ResolvedStatus;
} | {
  fact: "outcome";
  /** The outcome. */
  outcome: VisitOutcome;
} | {
  fact: "order_status";
  /** The order status. */
  status: OrderStatus;
} | {
  fact: "route_status";
  /** The app's pharmacy id of the route. */
  pharmacy_id: string;
  /** The highest status its events reached. */
  status: OrderStatus;
  /** When the route first reached that status. */
  at: string | null;
} | {
  fact: "photo_id";
  /** The upload status. */
  status: PhotoIdStatus;
} | {
  fact: "prescription";
  /** Where the confirmation came from. */
  source: PrescriptionSource;
  /** The order item it is for, when linked. */
  item_id: string | null;
  /** The prescribed `medId`. */
  med_id: string | null;
  /** Beluga's `rxId` (may be `N/A`). */
  rx_id: string | null;
  /** Medication name. */
  name: string | null;
  /** Strength. */
  strength: string | null;
  /** Quantity. */
  quantity: string | null;
  /** Refills. */
  refills: string | null;
  /** The prescribing doctor's name as Beluga sent it. */
  doctor_name: string | null;
  /** When the confirmation was received (`dateWritten` of pharmacy orders). */
  written_at: string | null;
  /** The doctor's `pharmacyNotes` (patient data: sent to the pharmacy, never logged). */
  pharmacy_notes?: string | null;
} | {
  fact: "dispense_pro";
  /** Accepted or failed. */
  state: SubmissionState;
  /** The pharmacy it went to. */
  pharmacy_id: string | null;
  /** The order items it carried (empty: every item routed there). */
  item_ids: string[];
  /** Who sent it. */
  submitted_by: Submitter | null;
  /** When. */
  submitted_at: string | null;
  /** The partner's order id. */
  partner_order_id: string | null;
  /** The partner's latest status (DispensePro status, LifeFile `rxStatus`). */
  partner_status: string | null;
  /**
   * When the partner reported `partner_status` (a status webhook's `occurredAt`; absent
   * for the status of the submission's answer).
   */
  partner_status_at?: string | null;
  /** `submitError` (internal). */
  submit_error: string | null;
  /**
   * Refills staff requested and the partner accepted (DispensePro manual refill), oldest
   * first; the union of every record seen (`routing::dispensepro_actions`).
   */
  refills?: RefillRecordOutput[];
  /**
   * What the partner said when it refused the order (LifeFile's `{type: "error",
   * messages}`), kept for CS: staff only, never logged, audited or shown to patients.
   */
  partner_messages?: string[];
} | {
  fact: "life_file";
  /** Accepted or failed. */
  state: SubmissionState;
  /** The pharmacy it went to. */
  pharmacy_id: string | null;
  /** The order items it carried (empty: every item routed there). */
  item_ids: string[];
  /** Who sent it. */
  submitted_by: Submitter | null;
  /** When. */
  submitted_at: string | null;
  /** The partner's order id. */
  partner_order_id: string | null;
  /** The partner's latest status (DispensePro status, LifeFile `rxStatus`). */
  partner_status: string | null;
  /**
   * When the partner reported `partner_status` (a status webhook's `occurredAt`; absent
   * for the status of the submission's answer).
   */
  partner_status_at?: string | null;
  /** `submitError` (internal). */
  submit_error: string | null;
  /**
   * Refills staff requested and the partner accepted (DispensePro manual refill), oldest
   * first; the union of every record seen (`routing::dispensepro_actions`).
   */
  refills?: RefillRecordOutput[];
  /**
   * What the partner said when it refused the order (LifeFile's `{type: "error",
   * messages}`), kept for CS: staff only, never logged, audited or shown to patients.
   */
  partner_messages?: string[];
} | {
  fact: "shipping";
  /** Carrier. */
  carrier: string | null;
  /** Tracking number. */
  tracking: string | null;
  /** Tracking URL. */
  tracking_url: string | null;
  /** When the tracking fields were last updated. */
  tracking_updated_at: string | null;
  /** First shipped event. */
  shipped_at: string | null;
  /** Delivered event. */
  delivered_at: string | null;
  /** A carrier reported a failed delivery. */
  delivery_failed: boolean;
} | {
  fact: "flag";
  /** The flag's code, e.g. `rx_med_not_ordered`. */
  code: string;
  /** When it was raised. */
  raised_at: string | null;
  /** The event that raised it. */
  event: string | null;
  /**
   * Staff acknowledged or resolved it (absent: open). A settled flag is no longer
   * escalated; a later event of the same kind raises a new flag.
   */
  settled?: FlagSettlement | null;
} | {
  fact: "flag_settled";
  /** The flag's code. */
  code: string;
  /** When the flag was raised (which flag of that code). */
  raised_at: string | null;
  /** The settlement. */
  settlement: FlagSettlement;
} | {
  fact: "booking";
  /** Status. */
  status: AppointmentStatus;
  /** Doctor's name. */
  doc_name: string | null;
  /** Scheduled date as Beluga sent it. */
  scheduled_date: string | null;
  /** Location or link. */
  location: string | null;
  /** A reschedule contradicted the stored booking (flagged for staff). */
  contradiction: boolean;
};

/** One refill the partner accepted for a submission. */
export type RefillRecordOutput = {
  /** When the partner accepted it. */
  at: string;
  /** Who asked (the staff API key id). */
  by: string | null;
  /** The partner's id of the refill, when it answered one. */
  partner_id: string | null;
};

/** The clinic app's view of one order: everything the order rules read. */
export type OrderSnapshotOutput = {
  /** Format version; must be 1. */
  schema_version: SchemaVersion;
  /** Clinic configuration the rules depend on. */
  settings: SettingsOutput;
  /** The patient. */
  patient: PatientOutput;
  /** The order itself. */
  order: OrderOutput;
  /** Order lines. */
  items: ItemOutput[];
  /** The patient's intakes for this order. */
  intakes: IntakeOutput[];
  /** Every pharmacy record the order or its products reference. */
  pharmacies: Pharmacy2[];
  /** The clinic's prescriber directory (matched on the Beluga doctor's name). */
  prescribers: PrescriberOutput[];
  /** Partner events received for this order (audit summary, no payloads). */
  events: ReceivedEventOutput[];
  /** Activities on the patient's timeline that concern this order. */
  activities: ActivityOutput[];
};

/** Clinic configuration the order rules read. */
export type SettingsOutput = {
  /** Beluga is enabled in Admin settings. */
  beluga_enabled: boolean;
  /** A Beluga API key is configured (the key itself never enters rxgate). */
  api_key_present: boolean;
  /** The Beluga company identifier. */
  company: string | null;
  /** The allowable states; absent means the 50 states and DC. */
  allowed_states: string[] | null;
  /** The app's environment; pharmacies must match it. */
  environment: Environment | null;
  /** The DispensePro integration switch. */
  dispense_pro: DispenseProSettings | null;
  /** Escalation windows. */
  windows: WindowsOutput;
};

/** Escalation windows (decisions.md §3). All have defaults. */
export type WindowsOutput = {
  /** Hours a partner fulfillment event may precede `RX_WRITTEN` before it is escalated. */
  boundary_hours: number;
  /**
   * Hours after `RX_WRITTEN` with no pharmacy submission or Beluga pharmacy event before
   * it is escalated.
   */
  rx_to_pharmacy_hours: number;
  /** Days an order may stay `SHIPPED` without tracking before it is escalated. */
  shipped_without_tracking_days: number;
  /** Days an order may stay `SHIPPED` without being delivered before it is escalated. */
  shipped_without_delivery_days: number;
};

/**
 * The patient as the clinic app holds them. Every field may be missing; readiness names
 * the ones Beluga needs.
 */
export type PatientOutput = {
  /** The app's patient id. */
  id: string | null;
  /** Given name. */
  first_name: string | null;
  /** Family name. */
  last_name: string | null;
  /** Date of birth, ISO `YYYY-MM-DD` or `MM/DD/YYYY`. */
  dob: string | null;
  /** Sex as recorded (`Male`, `Female`, or `male`/`female`/`M`/`F`, normalised on build). */
  sex: string | null;
  /** Email address. */
  email: string | null;
  /** Mobile phone as typed (normalised to 10 digits on build). */
  phone: string | null;
  /** The patient signed the consents Beluga requires (`consentsSigned`). */
  consents_signed: boolean;
  /** Another patient of the clinic already has this phone number. */
  phone_used_by_other_patient: boolean;
  /** Home address. */
  address: AddressOutput | null;
  /** Shipping address, when different from the home address. */
  shipping_address: AddressOutput | null;
};

/** A postal address. */
export type AddressOutput = {
  /** Street line 1. */
  line1: string | null;
  /** Street line 2. */
  line2: string | null;
  /** City. */
  city: string | null;
  /** Two-letter state. */
  state: string | null;
  /** Five-digit ZIP. */
  zip: string | null;
  /** Country (`US` when absent). */
  country: string | null;
};

/** The order. */
export type OrderOutput = {
  /** The app's order id. */
  id: string | null;
  /** The order number staff and patients quote. */
  number: string;
  /** The order status. */
  status: OrderStatus;
  /** How the order was created. */
  source: OrderSource;
  /** Payment status of the order's charge. */
  payment_status: PaymentStatus;
  /** Status of the invoice, for invoice orders. */
  invoice_status: InvoiceStatus | null;
  /** The pharmacy assigned on the order (a [`Pharmacy::id`]). */
  pharmacy_id: string | null;
  /** The legacy Beluga pharmacy id stored on old orders. */
  legacy_beluga_pharmacy_id: string | null;
  /** The Beluga Telehealth block of the order detail. */
  beluga: BelugaStateOutput;
  /** The order belongs to a subscription. */
  subscription: boolean;
  /** The order is a refill. */
  refill: boolean;
  /** Local prescription records. */
  prescriptions: PrescriptionOutput[];
  /** DispensePro submissions (`dispensePro` on the app's order). */
  dispense_pro: SubmissionOutput[];
  /** LifeFile submissions, one per Belmar/LifeFile pharmacy (`lifeFile` on the order). */
  life_file: SubmissionOutput[];
  /**
   * The fulfillment status of each route (one per pharmacy), from its pharmacy's events;
   * the order's status is a function of them ([`crate::order::state::routes_status`]).
   */
  route_statuses: RouteStatusRecordOutput[];
  /** Photo ID upload status. */
  photo_id_status: PhotoIdStatus | null;
  /** Shipping and tracking. */
  shipping: ShippingOutput | null;
  /** The Beluga appointment, if one was booked. */
  appointment: AppointmentOutput | null;
  /** Flags raised for staff by event processing. */
  flags: StaffFlagOutput[];
  /** When the order was created. */
  created_at: string | null;
  /** When it was paid (or created by staff, for manual orders). */
  paid_at: string | null;
};

/** The Beluga Telehealth block of an order. */
export type BelugaStateOutput = {
  /** `belugaSubmitStatus`; absent = not submitted. */
  submit_status: SubmitStatus | null;
  /** `belugaVisitStatus`. */
  visit_status: VisitStatus | null;
  /** Beluga's `updateTimestamp` of the last visit fetch (orders non-terminal statuses). */
  visit_updated_at: string | null;
  /** `belugaResolvedStatus`. */
  resolved_status: ResolvedStatus | null;
  /** `CONSULT_CONCLUDED`'s `visitOutcome`. */
  visit_outcome: VisitOutcome | null;
  /** Beluga's visit id. */
  visit_id: string | null;
  /** The `masterId` generated once for this visit and reused on every retry. */
  master_id: string | null;
  /** `belugaSubmitError`: the last error text (internal; never shown to patients). */
  submit_error: string | null;
  /** When the visit was accepted. */
  submitted_at: string | null;
  /** When the last submission attempt ran. */
  last_attempt_at: string | null;
};

/** A local prescription record. */
export type PrescriptionOutput = {
  /** Where the confirmation came from. */
  source: PrescriptionSource;
  /** The order item it is for, when linked. */
  item_id: string | null;
  /** The prescribed `medId`. */
  med_id: string | null;
  /** Beluga's `rxId` (may be `N/A`). */
  rx_id: string | null;
  /** Medication name. */
  name: string | null;
  /** Strength. */
  strength: string | null;
  /** Quantity. */
  quantity: string | null;
  /** Refills. */
  refills: string | null;
  /** The prescribing doctor's name as Beluga sent it. */
  doctor_name: string | null;
  /** When the confirmation was received (`dateWritten` of pharmacy orders). */
  written_at: string | null;
  /** The doctor's `pharmacyNotes` (patient data: sent to the pharmacy, never logged). */
  pharmacy_notes?: string | null;
};

/** One submission to a fulfillment integration (DispensePro or LifeFile). */
export type SubmissionOutput = {
  /** Accepted or failed. */
  state: SubmissionState;
  /** The pharmacy it went to. */
  pharmacy_id: string | null;
  /** The order items it carried (empty: every item routed there). */
  item_ids: string[];
  /** Who sent it. */
  submitted_by: Submitter | null;
  /** When. */
  submitted_at: string | null;
  /** The partner's order id. */
  partner_order_id: string | null;
  /** The partner's latest status (DispensePro status, LifeFile `rxStatus`). */
  partner_status: string | null;
  /**
   * When the partner reported `partner_status` (a status webhook's `occurredAt`; absent
   * for the status of the submission's answer).
   */
  partner_status_at?: string | null;
  /** `submitError` (internal). */
  submit_error: string | null;
  /**
   * Refills staff requested and the partner accepted (DispensePro manual refill), oldest
   * first; the union of every record seen (`routing::dispensepro_actions`).
   */
  refills?: RefillRecordOutput[];
  /**
   * What the partner said when it refused the order (LifeFile's `{type: "error",
   * messages}`), kept for CS: staff only, never logged, audited or shown to patients.
   */
  partner_messages?: string[];
};

/**
 * The fulfillment status one route (the items going to one pharmacy) reached, from its
 * pharmacy's events. Ranked like the order status (`SHIPPED < CANCELLED < COMPLETED`).
 */
export type RouteStatusRecordOutput = {
  /** The app's pharmacy id of the route. */
  pharmacy_id: string;
  /** The highest status its events reached. */
  status: OrderStatus;
  /** When the route first reached that status. */
  at: string | null;
};

/** Shipping and tracking of an order. */
export type ShippingOutput = {
  /** Carrier. */
  carrier: string | null;
  /** Tracking number. */
  tracking: string | null;
  /** Tracking URL. */
  tracking_url: string | null;
  /** When the tracking fields were last updated. */
  tracking_updated_at: string | null;
  /** First shipped event. */
  shipped_at: string | null;
  /** Delivered event. */
  delivered_at: string | null;
  /** A carrier reported a failed delivery. */
  delivery_failed: boolean;
};

/** The Beluga appointment. */
export type AppointmentOutput = {
  /** Status. */
  status: AppointmentStatus;
  /** Doctor's name. */
  doc_name: string | null;
  /** Scheduled date as Beluga sent it. */
  scheduled_date: string | null;
  /** Location or link. */
  location: string | null;
  /** A reschedule contradicted the stored booking (flagged for staff). */
  contradiction: boolean;
};

/** A flag raised for staff while processing events (codes of the events area). */
export type StaffFlagOutput = {
  /** The flag's code, e.g. `rx_med_not_ordered`. */
  code: string;
  /** When it was raised. */
  raised_at: string | null;
  /** The event that raised it. */
  event: string | null;
  /**
   * Staff acknowledged or resolved it (absent: open). A settled flag is no longer
   * escalated; a later event of the same kind raises a new flag.
   */
  settled?: FlagSettlement | null;
};

/** One order line. */
export type ItemOutput = {
  /** The item id. */
  id: string;
  /** The product ordered. */
  product: ProductOutput;
  /** The drug the product maps to; absent when the product-to-drug mapping is missing. */
  drug: DrugOutput | null;
};

/** A store product (CRM → Store → Products). */
export type ProductOutput = {
  /** Product id. */
  id: string;
  /** Product name. */
  name: string;
  /** The Beluga visit type; absent means the product needs no Beluga review. */
  beluga_visit_type: string | null;
  /** The product's Default Pharmacy (a [`Pharmacy::id`]). */
  default_pharmacy_id: string | null;
  /** The questionnaire (intake form) mapped to the product. */
  questionnaire_id: string | null;
  /** Labs apply: the intake must say how lab results are obtained. */
  labs_apply: boolean;
  /** The product is a medication that needs a prescription (default true). */
  requires_prescription: boolean;
};

/** A drug (EMR → Drugs). */
export type DrugOutput = {
  /** Drug id. */
  id: string;
  /** Name sent as `patientPreference.name`. */
  name: string;
  /** Strength. */
  strength: string | null;
  /** Beluga's medication id. */
  beluga_med_id: string | null;
  /** Drug identification number (used when there is no `beluga_med_id`). */
  din: string | null;
  /** Quantity for the preference. */
  quantity: string | null;
  /** Refills for the preference. */
  refills: string | null;
  /** Days' supply for the preference. */
  days_supply: string | null;
  /** DispensePro Rx configuration. */
  dispense_pro: DispenseProRxOutput | null;
  /** LifeFile Rx mapping. */
  life_file: LifeFileRxOutput | null;
};

/** EMR → Drugs → DispensePro Rx Configuration. */
export type DispenseProRxOutput = {
  /** National Drug Code. */
  ndc: string | null;
  /** Quantity. */
  quantity: string | null;
  /** Refills. */
  refills: string | null;
  /** Directions (sig). */
  sig: string | null;
  /** Days' supply. */
  days_supply: string | null;
};

/** EMR → Drugs → LifeFile Rx Mapping. */
export type LifeFileRxOutput = {
  /** LifeFile Product ID (`lfProductID`). */
  product_id: string | null;
  /** Drug form. */
  drug_form: string | null;
  /** Quantity. */
  quantity: string | null;
  /** Quantity units. */
  quantity_units: string | null;
  /** Directions. */
  directions: string | null;
  /** Days' supply. */
  days_supply: string | null;
};

/** A completed (or started) intake questionnaire. */
export type IntakeOutput = {
  /** Intake id. */
  id: string;
  /** The questionnaire it answers. */
  questionnaire_id: string | null;
  /** Its review status. */
  status: IntakeStatus;
  /** When submitted. */
  submitted_at: string | null;
  /** The answers, in questionnaire order. */
  answers: IntakeAnswerOutput[];
  /** The lab method answer, when labs apply. */
  lab_method: LabMethod | null;
  /** Lab results the patient supplied (lab flow). */
  lab_results: LabResultOutput[];
};

/** One answer of an intake. */
export type IntakeAnswerOutput = {
  /** The question text. */
  question: string;
  /** The offered choices of a multiple-choice question (empty for free text). */
  choices: string[];
  /** The answer: text, or the chosen choices. */
  answer: AnswerValue;
  /** The standard Beluga field this answer fills instead of a custom Q/A pair. */
  maps_to: StandardField | null;
};

/** One supplied lab result, as the lab endpoint names its fields. */
export type LabResultOutput = {
  /** Screening date. */
  screening_date: string | null;
  /** Test name. */
  test_name: string | null;
  /** Result. */
  test_result: string | null;
  /** Units (`N/A` if not applicable). */
  test_result_units: string | null;
  /** Reference range (`N/A` if not applicable). */
  ref_range: string | null;
  /** `H`, `L`, `N` or `N/A`. */
  status_indicator: string | null;
  /** Report date. */
  report_date: string | null;
  /** `URINE`, `BLOOD`, … */
  sample_source: string | null;
};

/** A pharmacy record (Admin → Settings → Pharmacies). */
export type Pharmacy2 = {
  /** The app's pharmacy id. */
  id: string;
  /** Display name. */
  name: string;
  /** The type, which controls routing. */
  type: PharmacyType;
  /** The id Beluga knows the pharmacy by (every type carries one). */
  beluga_id: string | null;
  /** API URL and credentials are configured (never the credentials themselves). */
  credentials_configured: boolean;
  /** The pharmacy's environment (LifeFile: test or production status id). */
  environment: Environment | null;
  /** The pharmacy requires a signed hardcopy PDF with each order. */
  requires_hardcopy_pdf: boolean;
  /** LifeFile ids. */
  life_file: LifeFileIdsOutput | null;
  /** A webhook secret is configured (OWN and DispensePro webhooks). */
  webhook_secret_configured: boolean;
};

/** LifeFile account ids of a Belmar/LifeFile pharmacy. */
export type LifeFileIdsOutput = {
  /** `X-Vendor-ID`. */
  vendor_id: string | null;
  /** `X-Location-ID`. */
  location_id: string | null;
  /** `X-API-Network-ID`. */
  network_id: string | null;
  /** `practice.id`. */
  practice_id: string | null;
  /** The pharmacy-specific shipping service integer. */
  shipping_service: number | null;
};

/** A prescriber of the clinic's directory. */
export type PrescriberOutput = {
  /** Full name as Beluga writes it in `docName`. */
  name: string;
  /** National Provider Identifier. */
  npi: string | null;
  /** Licence state. */
  license_state: string | null;
  /** Licence number. */
  license_number: string | null;
  /** DEA number. */
  dea: string | null;
  /** Practice address. */
  address: AddressOutput | null;
  /** Practice phone. */
  phone: string | null;
};

/** A partner event received for this order (the audit entry, without the payload). */
export type ReceivedEventOutput = {
  /** Who sent it. */
  source: EventSource;
  /** The event name as sent (`RX_WRITTEN`, `order.shipped`, LifeFile `rxStatus`, …). */
  event: string;
  /** When rxgate received it. */
  received_at: string;
  /** The visit it names, for Beluga events. */
  master_id: string | null;
  /** The pharmacy it came from, for pharmacy events. */
  pharmacy_id: string | null;
  /**
   * The partner's status value carried by the event (DispensePro `order.status`,
   * LifeFile `rxStatus`).
   */
  status: string | null;
  /**
   * The event's idempotency key (`events::dedupe`); an event whose key is already here
   * is a duplicate and changes nothing.
   */
  key: string | null;
};

/** A timeline activity. */
export type ActivityOutput = {
  /** Its type. */
  kind: ActivityKind;
  /** When. */
  at: string;
  /** Whether the app currently shows it to the patient. */
  shown_to_patient: boolean | null;
  /** Whether the patient was notified. */
  notified: boolean;
  /** The text (patient-visible kinds only reach the patient view). */
  content: string | null;
};

/** Why a call did not succeed. */
export type CallError = {
  /** The class of the failure. */
  class: Class;
  /** rxgate's code, when the message is rxgate's own (not a Beluga string). */
  code?: string | null;
  /** The text shown to staff and stored on the order. */
  message?: string | null;
  /**
   * What customer support does about it: the response classifier's guidance for a
   * documented Beluga error (decisions.md §2); absent for rxgate's own messages, whose
   * text already says it.
   */
  guidance?: string | null;
};

/** The verdict on a staff action on a flag. */
export type FlagActionDecision = {
  /** The action. */
  action: FlagOutcome;
  /** The flag's code. */
  code: string;
  /** The action may be taken now. */
  allowed: boolean;
  /** Why it is refused. */
  reasons: Reason[];
  /** The fact to apply when allowed (`apply_order_facts`). */
  fact: FactOutput | null;
};

/** The boundary verdict for an order. */
export type BoundaryReport = {
  /** A prescription confirmation (`RX_WRITTEN` or `NEW_RX_SENT`) exists for the visit. */
  confirmed: boolean;
  /** Per item. */
  items: ItemBoundary[];
  /** Boundary violations found in the snapshot. */
  violations: Reason[];
  /** Things to watch (a partner event inside the window, a prescribed med not ordered). */
  warnings: Reason[];
  /** Whether staff must be told. */
  escalate: boolean;
};

/** The boundary verdict for one item. */
export type ItemBoundary = {
  /** The item. */
  item_id: string;
  /** Whether it may go to fulfillment now. */
  allowed: boolean;
  /** Whether its product needs a prescription at all. */
  requires_prescription: boolean;
  /** Why not. */
  reasons: Reason[];
};

/** The order's status fields, as the state machine sees them. */
export type OrderState = {
  /** Order status. */
  order_status: OrderStatus;
  /** `belugaSubmitStatus` (`null`: not submitted). */
  submit_status: SubmitStatus | null;
  /** `belugaVisitStatus`. */
  visit_status: VisitStatus | null;
  /** The `updateTimestamp` that set a non-terminal visit status. */
  visit_updated_at: string | null;
  /** `belugaResolvedStatus`. */
  resolved_status: ResolvedStatus | null;
  /** Visit outcome. */
  visit_outcome: VisitOutcome | null;
  /** Photo ID upload. */
  photo_id_status: PhotoIdStatus | null;
  /** Local prescription records. */
  prescriptions: number;
  /** Best DispensePro submission state (of the submissions made). */
  dispense_pro: SubmissionState | null;
  /** Best LifeFile submission state (of the submissions made). */
  life_file: SubmissionState | null;
  /** Shipping. */
  shipping: ShippingOutput | null;
  /** Appointment. */
  appointment: AppointmentOutput | null;
  /** Flags for staff. */
  flags: StaffFlagOutput[];
};

/** The answer of `apply_order_facts`. */
export type AppliedFacts = {
  /** The order's status fields after the facts. */
  state: OrderState;
  /** The snapshot after the facts. */
  snapshot: OrderSnapshotOutput;
};

/** The answer of [`check_cancel`]. */
export type CancelDecision = {
  /** The verdict. */
  decision: CancelVerdict;
  /** Why refused or what is missing. */
  reasons: Reason[];
  /** What cancelling does not undo. */
  consequences: Reason[];
  /**
   * Escalate before cancelling (the guide: payment, fulfillment, subscription or
   * medical-review consequences).
   */
  escalate_first: boolean;
};

/** The guard's verdict. */
export type CancelVerdict = "allowed" | "needs_confirmation" | "refused";

/** The answer of [`message_visibility`]. */
export type MessageVisibility = {
  /** The four rules. */
  rules: MessageRule[];
  /** Every activity of the snapshot, checked. */
  activities: ActivityCheck[];
  /** Disagreements. */
  issues: Reason[];
  /** Whether to escalate (messages mixed up, doctor message not visible). */
  escalate: boolean;
};

/** The rule of one message activity type. */
export type MessageRule = {
  /** The activity type. */
  kind: ActivityKind;
  /** Its channel. */
  channel: Channel;
  /** Its direction. */
  direction: Direction;
  /** Whether the patient sees it. */
  patient_visible: boolean;
  /** Whether the patient is notified of it. */
  notify_patient: boolean;
  /** The Beluga webhook or endpoint that carries it. */
  beluga: string;
  /** Where staff find it. */
  staff_location: string;
  /** Where the patient finds it, if they do. */
  patient_location?: string | null;
};

/** The two Beluga message channels. */
export type Channel = "doctor_chat" | "cs_admin";

/** Direction relative to the app. */
export type Direction = "inbound" | "outbound";

/** One activity checked against its rule. */
export type ActivityCheck = {
  /** Position in the snapshot's `activities`. */
  index: number;
  /** Its type. */
  kind: ActivityKind;
  /** Its channel, for messages. */
  channel?: Channel | null;
  /** Whether the rules let the patient see it. */
  patient_visible: boolean;
  /** Whether the app shows it (when known). */
  shown_to_patient?: boolean | null;
  /** The app's display agrees with the rule. */
  ok: boolean;
};

/** The order as its patient may see it. */
export type PatientView = {
  /** Order number. */
  order_number: string;
  /** The stage, as a code. */
  stage: Stage;
  /** The stage in the patient's words. */
  status_text: string;
  /** Product names. */
  items: string[];
  /** What the patient must do, in their words. */
  actions: string[];
  /** Tracking, once shipped. */
  tracking?: PatientTracking | null;
  /** The Beluga appointment. */
  appointment?: PatientAppointment | null;
  /** Doctor chat. */
  messages: PatientMessage[];
  /** Where to reply to the doctor. */
  reply_in: string;
};

/** Where an order is on its path. */
export type Stage = "payment" | "intake" | "beluga_submission" | "medical_review" | "prescription" | "pharmacy_submission" | "shipped" | "delivered" | "cancelled";

/** Tracking the patient may see. */
export type PatientTracking = {
  /** Carrier. */
  carrier?: string | null;
  /** Tracking number. */
  tracking?: string | null;
  /** Tracking link. */
  tracking_url?: string | null;
  /** Shipped. */
  shipped: boolean;
  /** Delivered. */
  delivered: boolean;
};

/** The appointment the patient may see. */
export type PatientAppointment = {
  /** Status. */
  status: AppointmentStatus;
  /** Doctor. */
  doc_name?: string | null;
  /** Date. */
  scheduled_date?: string | null;
  /** Location or link. */
  location?: string | null;
};

/** A message in the patient's doctor chat. */
export type PatientMessage = {
  /** `doctor` or `you`. */
  from: string;
  /** When. */
  at: string;
  /** Text. */
  content?: string | null;
};

/** The diagnosis of an order. */
export type Diagnosis = {
  /** The stage. */
  stage: Stage;
  /** How it stands. */
  state: StageState;
  /** One line for staff. */
  summary: string;
  /** What blocks the stage. */
  blockers: Reason[];
  /** The next action. */
  next_action: NextAction;
  /** Whether to escalate. */
  escalate: boolean;
  /** Why. */
  escalations: Reason[];
  /** Answers to the common patient questions. */
  answers: Answers;
  /**
   * The staff actions (submit, retry, cancel, resend prescription) and whether each is
   * allowed now, with the reasons when not ([`actions`]).
   */
  allowed_actions: AllowedAction[];
  /** The escalation bundle (PHI: staff only), when escalating. */
  bundle?: EscalationBundle | null;
};

/** How the stage stands. */
export type StageState = "blocked" | "waiting" | "ready_to_proceed" | "done";

/** The next action and who takes it. */
export type NextAction = {
  /** Who acts. */
  actor: Actor;
  /** What to do (staff text). */
  action: string;
};

/** Straight answers to the guides' common patient questions. */
export type Answers = {
  /** "Has my order been sent to the medical team?" — Beluga accepted the visit. */
  sent_to_medical_team: boolean;
  /** "Does submitted mean my prescription is approved?" — only when this is true. */
  prescription_written: boolean;
  /** Pharmacy fulfillment started (a submission accepted or a pharmacy event received). */
  pharmacy_started: boolean;
  /** Shipped. */
  shipped: boolean;
  /** Delivered. */
  delivered: boolean;
  /** A tracking number exists. */
  tracking_available: boolean;
  /** "Which pharmacy is handling my order?" — names of the routed pharmacies. */
  pharmacies: string[];
};

/** Whether one staff action is allowed now. */
export type AllowedAction = {
  /** The action. */
  action: StaffAction;
  /** It may be taken now and would pass the core's checks. */
  allowed: boolean;
  /** The caller must confirm with a reason (a cancel with consequences). */
  needs_confirmation: boolean;
  /** Why it is refused; for an allowed action that needs confirmation, what to supply. */
  reasons: Reason[];
  /** What the action does not undo (cancel). */
  consequences: Reason[];
  /** The route's pharmacy (route actions only). */
  pharmacy_id?: string | null;
  /** The outbox call (`retry_beluga_call` only). */
  call_id?: number | null;
};

/** A staff action of the order panel. Later issues add their own actions here. */
export type StaffAction = "submit" | "retry" | "cancel" | "resend_prescription" | "retry_route" | "force_route" | "retry_beluga_call";

/**
 * The fields both guides ask CS to include when escalating. **Contains patient data**
 * (name, email): staff only, never logged; `Debug` redacts them.
 */
export type EscalationBundle = {
  /** Patient name. */
  patient_name: string | null;
  /** Patient email. */
  patient_email: string | null;
  /** Order number. */
  order_number: string;
  /** Products and drugs (name, medId/DIN, default pharmacy). */
  products: BundleDrug[];
  /** Current order status. */
  order_status: OrderStatus;
  /** Payment status. */
  payment_status: PaymentStatus;
  /** Invoice status. */
  invoice_status?: InvoiceStatus | null;
  /** Beluga submit status (`null` = not submitted). */
  beluga_submit_status: SubmitStatus | null;
  /** Beluga visit status. */
  beluga_visit_status: VisitStatus | null;
  /** Beluga resolved status. */
  beluga_resolved_status: ResolvedStatus | null;
  /** Beluga visit id. */
  beluga_visit_id: string | null;
  /** Master id. */
  master_id: string | null;
  /** Submit error text. */
  submit_error: string | null;
  /** Intake statuses. */
  intake_status: IntakeStatus[];
  /** Order assigned pharmacy (name and type). */
  order_pharmacy: string | null;
  /** Whether `RX_WRITTEN` was received. */
  rx_written_received: boolean;
  /** Prescription ids. */
  prescription_ids: string[];
  /** DispensePro and LifeFile status/error. */
  integrations: BundleIntegration[];
  /** Carrier. */
  carrier: string | null;
  /** Tracking number. */
  tracking: string | null;
  /** The exact staff-facing messages of the escalation. */
  messages: string[];
};

/** One drug line of the bundle. */
export type BundleDrug = {
  /** Product name. */
  product: string;
  /** Drug name. */
  drug?: string | null;
  /** `belugaMedId`. */
  beluga_med_id?: string | null;
  /** `DIN`. */
  din?: string | null;
  /** Product Default Pharmacy (name and type). */
  default_pharmacy?: string | null;
};

/** One integration line of the bundle. */
export type BundleIntegration = {
  /** `DispensePro` or `Belmar/LifeFile`. */
  integration: string;
  /** Pharmacy id. */
  pharmacy_id?: string | null;
  /** Submission state. */
  state: SubmissionState;
  /** Partner status. */
  status?: string | null;
  /** Submit error. */
  error?: string | null;
  /** What the partner said refusing it (LifeFile `messages`), for CS. */
  partner_messages?: string[];
};

/** The answer of `split_order`: two partial snapshots (JSON objects of snapshot members). */
export type SplitOrder = {
  /** The clinic's input: the members the clinic owns. */
  clinic: { [key: string]: JsonValue };
  /** The members rxgate owns. */
  rxgate: { [key: string]: JsonValue };
};

/** The answer of `assemble_order`. */
export type AssembledOrder = {
  /** The snapshot the rules read. */
  snapshot: OrderSnapshotOutput;
};

/** The answer of `plan_submission`. */
export type SubmissionPlan = {
  /** `submit`, `wait` or `skip` (the words of `decide_submit`). */
  decision: SubmitVerdict;
  /** Why not `submit`: readiness reasons and the built body's contract violations. */
  violations: Finding[];
  /** The `masterId` of the visit, when submitting. */
  master_id?: string | null;
  /** Facts to apply and store before sending (the new `masterId`); empty otherwise. */
  facts: FactOutput[];
  /** The call to queue, when submitting. */
  call?: PlannedCall | null;
};

/**
 * One reason a plan or message is refused: a readiness reason or a contract violation, in
 * one shape. `code` is a string so a host linking an older core still reads answers of newer
 * rules.
 */
export type Finding = {
  /** The stable code (`rxgate codes`). */
  code: string;
  /** Staff text (field names and rules, never values). */
  message: string;
  /** JSON Pointer into the built body, for contract violations. */
  path?: string | null;
  /** The string Beluga would answer, for contract violations that have one. */
  beluga_error?: string | null;
  /** Who acts on it, for readiness reasons. */
  actor?: Actor | null;
  /** The fields concerned (names, never values). */
  fields?: string[];
  /** The order item concerned. */
  item_id?: string | null;
};

/** A call for the host to queue: where to send what, and the key it is stored once under. */
export type PlannedCall = {
  /** The outbox kind. */
  kind: CallKind;
  /** The HTTP method. */
  method: HttpMethod;
  /** The path below the partner's base URL, without a leading `/`. */
  path: string;
  /** The response endpoint (`parse_response` kind) to hand back with the answer. */
  endpoint: string;
  /** The JSON body (patient data: never logged), absent for `GET`. */
  body?: JsonValue;
  /** Enqueue once under this key; absent when the host keys the call itself (messages). */
  dedupe_key?: string | null;
};

/** The answer of `record_call_outcome`. */
export type CallOutcome = {
  /** The class of the answer (`success`, `retry_later`, `fix_configuration`, …). */
  classification: Class;
  /** What the outbox does with the call. */
  disposition: Disposition;
  /** The snapshot with `facts` applied. */
  snapshot: OrderSnapshotOutput;
  /** The facts the answer established, in application order. */
  facts: FactOutput[];
  /** Calls to queue now (each under its dedupe key). */
  follow_up: PlannedCall[];
  /** Why it did not succeed; absent on success. */
  error?: CallError | null;
  /**
   * A visit fetch's `rxHistory`: what Beluga lists as written for the visit, for staff to
   * see. Never a prescription record: the boundary opens only on `RX_WRITTEN` or
   * `NEW_RX_SENT` (decisions.md §3).
   */
  rx_history?: RxHistoryEntry[];
};

/** What the outbox does with the call. */
export type Disposition = "done" | "retry" | "failed";

/** The answer of `plan_visit_fetch`. */
export type VisitFetchPlan = {
  /** Whether the visit is fetched on schedule. */
  poll: boolean;
  /** Why. */
  state: FetchState;
  /** The order's visit status is newer than `seen` (the last fetch found a change). */
  changed: boolean;
  /** The status to hand back as `seen` next time. */
  seen?: SeenVisitOutput | null;
  /** The `attempt` to hand back next time (the fetch at `next_at` counted). */
  attempt: number;
  /** The interval to the next fetch, in milliseconds (0 when not polled). */
  interval_ms: number;
  /** When to fetch next (absent when not polled). */
  next_at?: Instant | null;
};

/** Why a visit is (not) fetched. */
export type FetchState = "open" | "not_submitted" | "terminal";

/** A visit status as a plan saw it. */
export type SeenVisitOutput = {
  /** The status. */
  status: VisitStatus;
  /** Its `updateTimestamp` (non-terminal statuses from a fetch). */
  updated_at: Instant | null;
};

/** The answer of `build_message`. */
export type MessagePlan = {
  /** True when the calls are present: the body is valid and the visit exists. */
  valid: boolean;
  /** Why not (empty when valid). */
  violations: Finding[];
  /** The call to queue, when valid. */
  calls?: PlannedCall[];
  /** The activity to record once the call is queued, when valid. */
  activity?: MessageActivity | null;
};

/** The timeline activity a sent message leaves. */
export type MessageActivity = {
  /** `BELUGA_CS_SENT` or `PATIENT_CHAT_SENT`. */
  kind: ActivityKind;
  /** Whether the patient sees it. */
  patient_visible: boolean;
};

/** The answer of `decide_beluga_call_retry`. */
export type BelugaCallRetry = {
  /**
   * One `retry_beluga_call` verdict per Beluga call of the request, in its order, each
   * with its `call_id`.
   */
  actions: AllowedAction[];
};

/** The answer of `decide_erase`. */
export type EraseDecision = {
  /** Whether the erase may go ahead. */
  allowed: boolean;
  /** Whether it goes ahead past calls in flight. */
  forced: boolean;
  /** The calls in flight (parked when the erase goes ahead). */
  in_flight: number;
  /** The orders with a call in flight, sorted, once each. */
  in_flight_orders: string[];
  /** Why refused (codes as strings: a host reads the answers of newer rules). */
  reasons: Finding[];
};

/** The answer of [`parse`]: the event, or every violation found. */
export type ParseOutcome = {
  /** True when the body parsed. */
  valid: boolean;
  /** The source. */
  source: RouteName;
  /** The parsed event, when valid. */
  event?: Event | null;
  /** The event name rxgate does not know, when it is one (kept, recorded, 2xx). */
  unknown: boolean;
  /** Every problem, in document order. */
  violations: Violation[];
};

/** A parsed partner event. */
export type Event = {
  source: "beluga";
  event: BelugaEvent;
} | {
  source: "lifefile";
  event: LifeFilePush;
} | {
  source: "dispensepro";
  event: DispenseProEvent;
} | {
  source: "pharmacy";
  event: PharmacyEvent;
};

/** A parsed Beluga webhook. */
export type BelugaEvent = {
  /** The event name as sent (`RX_WRITTEN`, `CONSULT_CANCELED`, …). */
  event: string;
  /** The visit's `masterId`. */
  master_id: string;
  kind: "rx_written";
  /** The doctor's name (`docName`, or `data.docFirstName` + `data.docLastName`). */
  doctor_name: string | null;
  /** Whether the older nested doctor form was used. */
  legacy_doctor_form: boolean;
  /** `medsPrescribed`. */
  meds: PrescribedMed2[];
} | {
  /** The event name as sent (`RX_WRITTEN`, `CONSULT_CANCELED`, …). */
  event: string;
  /** The visit's `masterId`. */
  master_id: string;
  kind: "consult_concluded";
  /** `visitOutcome`. */
  outcome: VisitOutcome;
} | {
  /** The event name as sent (`RX_WRITTEN`, `CONSULT_CANCELED`, …). */
  event: string;
  /** The visit's `masterId`. */
  master_id: string;
  kind: "consult_canceled";
} | {
  /** The event name as sent (`RX_WRITTEN`, `CONSULT_CANCELED`, …). */
  event: string;
  /** The visit's `masterId`. */
  master_id: string;
  kind: "doctor_chat";
  /** `content`. */
  content: string;
} | {
  /** The event name as sent (`RX_WRITTEN`, `CONSULT_CANCELED`, …). */
  event: string;
  /** The visit's `masterId`. */
  master_id: string;
  kind: "cs_message";
  /** `content`. */
  content: string;
} | {
  /** The event name as sent (`RX_WRITTEN`, `CONSULT_CANCELED`, …). */
  event: string;
  /** The visit's `masterId`. */
  master_id: string;
  kind: "name_update";
  /** `firstName`. */
  first_name: string;
  /** `lastName`. */
  last_name: string;
} | {
  /** The event name as sent (`RX_WRITTEN`, `CONSULT_CANCELED`, …). */
  event: string;
  /** The visit's `masterId`. */
  master_id: string;
  kind: "pharmacy_order";
  /** Which milestone. */
  milestone: PharmacyMilestone;
  /** `orderId`. */
  order_id: string | null;
  /** `info`. */
  info: TrackingInfo;
} | {
  /** The event name as sent (`RX_WRITTEN`, `CONSULT_CANCELED`, …). */
  event: string;
  /** The visit's `masterId`. */
  master_id: string;
  kind: "package";
  /** Which milestone. */
  milestone: PackageMilestone;
  /** `orderId`. */
  order_id: string | null;
  /** `info`. */
  info: TrackingInfo;
} | {
  /** The event name as sent (`RX_WRITTEN`, `CONSULT_CANCELED`, …). */
  event: string;
  /** The visit's `masterId`. */
  master_id: string;
  kind: "booking";
  /** The appointment status it sets. */
  status: AppointmentStatus;
  /** `docName`. */
  doc_name: string | null;
  /** `scheduledDate`, as sent. */
  scheduled_date: string | null;
  /** `location`. */
  location: string | null;
} | {
  /** The event name as sent (`RX_WRITTEN`, `CONSULT_CANCELED`, …). */
  event: string;
  /** The visit's `masterId`. */
  master_id: string;
  kind: "lab";
  /** Which milestone. */
  milestone: LabMilestone;
  /** `orderId`. */
  order_id: string | null;
  /** `info` (on the shipped ones). */
  info: TrackingInfo;
  /** `bookingLink` (on results). */
  booking_link: string | null;
  /**
   * Length in characters of the base64 `labReqPdf` (the document itself stays in the
   * stored body at `/labReqPdf`; it is never copied into events or logs).
   */
  requisition_pdf_chars: number | null;
} | {
  /** The event name as sent (`RX_WRITTEN`, `CONSULT_CANCELED`, …). */
  event: string;
  /** The visit's `masterId`. */
  master_id: string;
  kind: "unknown";
};

/** One prescribed medication of `RX_WRITTEN`. */
export type PrescribedMed2 = {
  /** `medId`. */
  med_id: string;
  /** `name`. */
  name: string | null;
  /** `strength`. */
  strength: string | null;
  /** `refills`. */
  refills: string | null;
  /** `quantity`. */
  quantity: string | null;
  /** `rxId` (may be `N/A`, kept as sent). */
  rx_id: string | null;
  /** `pharmacyNotes`. */
  pharmacy_notes: string | null;
};

/** Beluga pharmacy milestones (`PHARMACY_ORDER_*`). */
export type PharmacyMilestone = "created" | "in_fulfillment" | "shipped" | "delivered";

/** Carrier and tracking facts carried in `info`. */
export type TrackingInfo = {
  /** `carrier`. */
  carrier: string | null;
  /** `tracking`. */
  tracking: string | null;
  /** `trackingUrl`. */
  tracking_url: string | null;
  /** `trackerStatus` (package events). */
  tracker_status: string | null;
  /** `trackerId` (package events). */
  tracker_id: string | null;
  /** `deliveredDate` (package events), as sent. */
  delivered_date: string | null;
};

/** Package tracking milestones (`PACKAGE_*`). */
export type PackageMilestone = "in_transit" | "out_for_delivery" | "delivered" | "delivery_failed";

/** Lab order milestones (`LAB_ORDER_*`), ranked in the order a lab order moves. */
export type LabMilestone = "requisition_created" | "shipped_to_patient" | "delivered_to_patient" | "shipped_to_lab" | "received_by_lab" | "results";

/** A LifeFile push: its prescription lines. */
export type LifeFilePush = {
  /** The lines, in body order. */
  lines: LifeFileLine[];
};

/** One prescription line (PHI fields — the ship-to address — are not kept). */
export type LifeFileLine = {
  /** LifeFile's `orderId`. */
  order_id: string | null;
  /** Our `referenceId`. */
  reference_id: string | null;
  /** Our `foreignOrderId`. */
  foreign_order_id: string | null;
  /** `fillId`. */
  fill_id: string | null;
  /** `rxNumber`. */
  rx_number: string | null;
  /** `rxStatus` as sent. */
  rx_status: string;
  /** `rxStatus` mapped. */
  status: LifeFileStatus;
  /** `rxStatusDateTime` as sent (no zone). */
  rx_status_date_time: string | null;
  /** `trackingNumber`. */
  tracking_number: string | null;
  /** `shipCarrier`. */
  ship_carrier: string | null;
  /** `deliveryService` / `service`. */
  service: string | null;
};

/** `rxStatus`, mapped case-insensitively. */
export type LifeFileStatus = "shipped" | "in_transit" | "out_for_delivery" | "delivered" | "cancelled" | "returned" | "other";

/** A DispensePro status webhook. */
export type DispenseProEvent = {
  /** `event` as sent. */
  event: string;
  /** `order.id` (DispensePro's id); absent only for unknown events. */
  order_id: string | null;
  /** `order.externalId` (our order id), which matches the order. */
  external_id: string | null;
  /** `order.status`; `None` for an unknown event. */
  status: DispenseProStatus | null;
  /** `shipping`. */
  shipping: ShippingInfo;
  /** `occurredAt`. */
  occurred_at: string | null;
};

/** DispensePro `order.status`. */
export type DispenseProStatus = "authorized" | "submitted" | "filled" | "shipped" | "delivered" | "voided" | "failed";

/** Shipping block of a pharmacy webhook. */
export type ShippingInfo = {
  /** `carrier`. */
  carrier: string | null;
  /** `tracking`. */
  tracking: string | null;
  /** `trackingUrl`. */
  tracking_url: string | null;
  /** `status` (OWN only). */
  status: string | null;
};

/** An OWN partner pharmacy webhook. */
export type PharmacyEvent = {
  /** `event` as sent. */
  event: string;
  /** `event` mapped. */
  kind: OwnEventKind;
  /** `order.id` (the pharmacy's id). */
  order_id: string | null;
  /** `order.externalOrderId` (our order number or `masterId`), which matches the order. */
  external_order_id: string | null;
  /** `order.status` as sent. */
  order_status: string | null;
  /** `shipping`. */
  shipping: ShippingInfo;
  /** `occurredAt`. */
  occurred_at: string | null;
};

/** OWN pharmacy webhook events. */
export type OwnEventKind = "shipped" | "fulfilled" | "out_for_delivery" | "delivered" | "cancelled" | "unknown";

/** The verdict of [`verify`]. */
export type AuthOutcome = {
  /** True when the request may be stored and processed. */
  authenticated: boolean;
  /** The scheme checked. */
  scheme: Scheme;
  /** Accepted without a signature (`allow_unsigned` outside production): audit it. */
  unsigned: boolean;
  /**
   * The HTTP status to answer on refusal: 500 for configuration errors, 401 otherwise
   * (`null` when authenticated).
   */
  http_status: number | null;
  /** Why it was refused. */
  violations: Violation[];
  /** Things for the audit log. */
  warnings: Violation[];
};

/** The scheme a route uses. */
export type Scheme = "shared_secret" | "basic" | "standard_webhooks";

/** The answer of `check_portal_token`. */
export type PortalTokenCheck = {
  /** The token is the secret's, unexpired and at most an hour ahead. */
  valid: boolean;
  /** The patient it binds, when valid. */
  patient_id?: string | null;
};

/** The answer of `event_key`. */
export type EventKeys = {
  /** The first key (absent when the body has none). */
  key: string | null;
  /** Every key: one, or one per LifeFile line. */
  keys: string[];
};

/** The answer of `event_match_keys`. */
export type EventMatchKeys = {
  /**
   * `m:<master id>` or `o:<order id>`, in the order they are tried; empty when the body
   * names no order.
   */
  keys: string[];
};

/** The answer of `apply_event`: what the event changes, or why it was rejected. */
export type EventAnswer = AppliedEvent | RejectedEvent;

/** An event that parsed, and what it changes. */
export type AppliedEvent = {
  /** The event matched this order. */
  matched: boolean;
  /** Every key was already applied. */
  duplicate: boolean;
  /** Some state field changed. */
  changed: boolean;
  /** The facts merged. */
  facts: FactOutput[];
  /** The snapshot after. */
  snapshot: OrderSnapshotOutput;
  /** Its status fields. */
  order_state: OrderState;
  /** The furthest lab milestone received. */
  lab_milestone: LabMilestone | null;
  /** Activities to add. */
  activities: ActivityEffect[];
  /** Patient notifications to send. */
  notifications: Notification[];
  /** New local prescription records. */
  prescriptions: PrescriptionOutput[];
  /** Shipment records. */
  shipments: ShipmentRecord[];
  /** Appointment records. */
  appointments: AppointmentOutput[];
  /** Documents to store from the stored body. */
  documents: DocumentRef[];
  /** A patient name change to confirm. */
  name_update: NameUpdate | null;
  /** `LAB_ORDER_RESULTS`' `bookingLink` for the patient (an `https` link only). */
  booking_link: string | null;
  /** Partner submissions now allowed. */
  outbox: OutboxItem[];
  /** Flags raised for staff (also merged into the snapshot when matched). */
  flags: StaffFlagOutput[];
  /** The flags as messages. */
  warnings: ViolationRecord[];
  /** LifeFile lines (by index) that matched no order. */
  unmatched_lines: number[];
  /** The audit entry. */
  audit: AuditEntry;
  /** Always true. */
  valid: true;
  /** The request's `state`, with `order_state` and `lab_milestone` updated. */
  state: EventState;
  /** What happened (the audit entry's outcome). */
  outcome: Outcome2;
};

/** An activity to add to the patient timeline or the internal log. */
export type ActivityEffect = {
  /** The activity type. */
  kind: ActivityKind;
  /** `inbound` (every webhook activity comes from a partner). */
  channel: string;
  /** Whether the patient sees it. */
  patient_visible: boolean;
  /** Store once under this key. */
  dedupe_key: string;
  /** The event it comes from. */
  event: string;
  /** When it was received. */
  at: string;
  /** Message text (chat events only; patient data — never logged). */
  content?: string | null;
};

/** A patient notification to send (email, SMS, in-app). */
export type Notification = {
  /** What it is about. */
  kind: NotificationKind;
  /** Send once under this key. */
  dedupe_key: string;
};

/** What a notification is about. */
export type NotificationKind = "shipped" | "delivered" | "doctor_message" | "lab_results";

/** A shipment/tracking record. */
export type ShipmentRecord = {
  /** Store once under this key. */
  dedupe_key: string;
  /** The milestone (`shipped`, `in_transit`, `delivered`, `delivery_failed`, …). */
  milestone: string;
  /** Carrier. */
  carrier: string | null;
  /** Tracking number. */
  tracking: string | null;
  /** Tracking URL. */
  tracking_url: string | null;
  /** When. */
  at: string;
};

/** A document carried in the stored body (never copied here). */
export type DocumentRef = {
  /** `lab_requisition`. */
  kind: string;
  /** JSON Pointer of the base64 content in the stored body. */
  pointer: string;
  /** MIME type. */
  mime: string;
  /** Store once under this key. */
  dedupe_key: string;
};

/** `NAME_UPDATE`'s names, for staff to confirm (patient data: never logged). */
export type NameUpdate = {
  /** `firstName`. */
  first_name: string;
  /** `lastName`. */
  last_name: string;
};

/**
 * A [`Violation`] as data another program reads back: the same JSON, the code a string, so
 * a host linking an older core reads the answers of newer rules (`apply_event`'s warnings
 * and violations, which the service deserializes).
 */
export type ViolationRecord = {
  /** The stable code (`rxgate codes`). */
  code: string;
  /** Where, as a JSON Pointer string. */
  path: string;
  /** Human text rendered from the code's template. */
  message: string;
  /** The exact string Beluga would answer, when the code has one. */
  beluga_error: string | null;
};

/** The audit entry of one event (no payload, no PHI). */
export type AuditEntry = {
  /** Source. */
  source: RouteName;
  /** Event name. */
  event: string;
  /** Idempotency key(s). */
  keys: string[];
  /** The visit, for Beluga events. */
  master_id: string | null;
  /** The order (id, else number). */
  order: string | null;
  /** What happened. */
  outcome: Outcome2;
  /** When it was received. */
  received_at: string;
};

/** What happened to the event. */
export type Outcome2 = "applied" | "recorded" | "duplicate" | "unmatched";

/** The service's state of an order after an event. */
export type EventState = {
  /** The order's status fields. */
  order_state: OrderState;
  /** The furthest lab milestone received. */
  lab_milestone: LabMilestone | null;
} & { [key: string]: JsonValue };

/** An event whose body did not parse. */
export type RejectedEvent = {
  /** Always false. */
  valid: false;
  /** Always `rejected`. */
  outcome: "rejected";
  /** Every problem of the body, in document order. */
  violations: ViolationRecord[];
  /** The idempotency keys. */
  keys: string[];
};

/** The request of every operation, by name. */
export interface OpRequests {
  codes: NoRequest;
  ops: NoRequest;
  validate: ValidateRequest;
  validate_text: ValidateTextRequest;
  normalize: NormalizeRequest;
  parse_response: ParseResponseRequest;
}

/** The answer of every operation, by name. */
export interface OpAnswers {
  codes: CodeInfo[];
  ops: OpInfo[];
  validate: Report;
  validate_text: Report;
  normalize: NormalizeAnswer;
  parse_response: ParsedResponse;
}

/** as validate, the body given as JSON text parsed inside the core, the fast path ({kind, text, today? or now?, allowed_states?}) */
export function validateText(params: OpRequests['validate_text']): OpAnswers['validate_text'];
