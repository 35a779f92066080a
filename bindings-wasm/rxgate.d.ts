// Type declarations of the npm package `rxgate` (hand-written; checked by `tsc --noEmit`
// against real calls in test/types.ts and against every answer the shared vectors produce).
//
// Every function is a thin call into rxgate-core's JSON API. Verdicts (an invalid body, a
// refused cancel) are returned as data; only misuse throws, as an `RxgateError`.

// ---------------------------------------------------------------- common

/** A JSON value as the core reads and writes it. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Misuse codes: the core's `ApiErrorCode`, plus `not_initialized` (browser, before `init()`). */
export type RxgateErrorCode =
  | 'unknown_op'
  | 'invalid_json'
  | 'invalid_request'
  | 'schema_error'
  | 'internal'
  | 'not_initialized';

/** Misuse of the API: wrong argument type, unknown operation, text that is not JSON. */
export class RxgateError extends Error {
  constructor(code: RxgateErrorCode, message: string, path?: string);
  readonly name: 'RxgateError';
  /** What kind of misuse. */
  readonly code: RxgateErrorCode;
  /** JSON Pointer of the offending part of the request, when known (e.g. `/kind`). */
  readonly path?: string;
}

/**
 * Loads the WebAssembly module. Required once in the browser before any other call
 * (`input`: the `.wasm` URL, a `Response`, its bytes or a compiled `WebAssembly.Module`;
 * default: the file next to the module). In Node the
 * module is loaded at import time and this is a resolved no-op.
 */
export function init(input?: string | ArrayBuffer | ArrayBufferView | object): Promise<void>;

/** Runs any operation of the core API by name (see `ops()`); the escape hatch for new ops. */
export function call(op: string, request?: { [key: string]: unknown }): unknown;

/** Who acts on a reason. */
export type Actor = 'patient' | 'cs' | 'admin_development' | 'medical_operations' | 'partner';

// ---------------------------------------------------------------- validation

/** The outbound Beluga bodies, by their CLI names. */
export type Kind =
  | 'visit'
  | 'lab'
  | 'photos'
  | 'pdf'
  | 'chat'
  | 'cs-message'
  | 'patient-name'
  | 'pharmacy-search'
  | 'update-visit';

/** One rule broken (or, among warnings, one thing worth a look). Never holds input values. */
export interface Violation {
  /** Stable snake_case code, e.g. `dob_under_18` (registry: `codes()`). */
  code: string;
  /** JSON Pointer into the body, e.g. `/formObj/dob`. */
  path: string;
  /** Human text from the code's template. */
  message: string;
  /** The exact error Beluga would answer, when the code has one. */
  beluga_error: string | null;
}

/** The answer of `validate`: exactly what `rxgate validate` prints. */
export interface Report {
  valid: boolean;
  violations: Violation[];
  warnings: Violation[];
}

/** Options of `validate`: further request parameters of the core. */
export interface ValidateOptions {
  /** Evaluation date `YYYY-MM-DD` (age rules); default: today at UTC−10 by the JS clock. */
  today?: string;
  /** Two-letter states the program serves; others are violations. */
  allowed_states?: string[];
  /** Largest image (decoded bytes) the photo bodies may carry. */
  max_image_bytes?: number;
}

/**
 * Validates an outbound body of `kind`. `payload` is the body as an object, or its JSON text
 * (parsed inside the module: the fast path for a server holding the raw body). Throws
 * `RxgateError` (`invalid_json`) only when text is not JSON; an invalid body is a report.
 */
export function validate(kind: Kind, payload: object | string, options?: ValidateOptions): Report;

/** Today's date (`YYYY-MM-DD`) at UTC−10 by the JS clock: `validate`'s default `today`. */
export function defaultToday(): string;

/** The fields `normalize` knows. */
export type NormalizeField =
  | 'phone'
  | 'date'
  | 'state'
  | 'trim'
  | 'multiple_choice_question'
  | 'multiple_choice_answer';

/** The answer of `normalize`. */
export type Normalized =
  | { valid: true; value: string }
  | { valid: false; code: string; message: string };

/**
 * Normalises one value of `field`: a string, or for `multiple_choice_answer` the chosen
 * answers (`options.choices`, the allowed answers, for both multiple-choice fields).
 */
export function normalize(field: NormalizeField, input: string | string[], options?: { choices?: string[] }): Normalized;

/** How a Beluga response is to be handled. */
export type Classification =
  | 'success'
  | 'fix_patient_data'
  | 'fix_configuration'
  | 'duplicate'
  | 'not_eligible'
  | 'retry_later'
  | 'permanent';

/** A Beluga HTTP answer as `parseResponse` reads it: `status`, or `network_error` when none came. */
export interface BelugaResponse {
  /** HTTP status. */
  status?: number;
  /** The response body: parsed JSON, or the raw text (parsed by the core). */
  body?: Json;
  /** Set when no answer arrived (`timeout`, `connect`, …). */
  network_error?: string;
}

/** What a Beluga answer means. */
export type Outcome =
  | 'visit_created'
  | 'received'
  | 'message_received'
  | 'name_updated'
  | 'pharmacies'
  | 'visit_data_updated'
  | 'new_rx_sent'
  | 'patient'
  | 'visit'
  | 'not_found'
  | 'error'
  | 'unauthorized'
  | 'network_error'
  | 'server_error'
  | 'unexpected';

/** The answer of `parseResponse`. */
export interface ParsedResponse {
  /** The endpoint name (`visit`, `fetch-visit`, …). */
  endpoint: string;
  outcome: Outcome;
  /** Who acts on it. */
  classification: Classification;
  /** Whether Beluga's error string is one the reference documents. */
  recognized: boolean;
  /** Beluga's message, when it sent one. */
  beluga_error: string | null;
  /** What customer support does next. */
  guidance: string;
  /** The typed content of a success (`{masterId, visitId}`, `{pharmacies}`, a visit, …). */
  data: { [key: string]: Json } | null;
}

/** Types and classifies Beluga's answer to a request (`kind` a `Kind`) or a fetch (`fetch-visit`, `fetch-patient`). */
export function parseResponse(kind: Kind | 'fetch-visit' | 'fetch-patient', response: BelugaResponse): ParsedResponse;

// ---------------------------------------------------------------- registry

/** One operation of the core API. */
export interface OpInfo {
  name: string;
  summary: string;
}

/** One violation or decision code of the registry. */
export interface CodeInfo {
  code: string;
  /** The rule area: `contract`, `readiness`, `routing`, `boundary`, `events`, … */
  area: string;
  beluga_error: string | null;
  meaning: string;
  template: string;
  since: string;
  status: 'stable' | 'deprecated' | 'removed';
}

/** Every operation of the core API. */
export function ops(): OpInfo[];
/** The registry of violation and decision codes. */
export function codes(): CodeInfo[];

// ---------------------------------------------------------------- order decisions

/**
 * An order snapshot: the order, its patient, items, products, pharmacies, settings and Beluga
 * state, as rxgate's own schema defines it (unknown fields are a `schema_error`). Kept
 * structural here; the core's schema is the reference.
 */
export type OrderSnapshot = { [key: string]: unknown };

/** The evaluation date or instant of an order decision: `today` (`YYYY-MM-DD`) or `now` (RFC 3339). */
export type When = { today: string; now?: string } | { now: string; today?: string };

/** Why a decision is what it is, and who acts on it. */
export interface Reason {
  code: string;
  actor: Actor;
  message: string;
  /** What the patient is told, when the patient acts. */
  patient_message?: string;
  /** The fields concerned. */
  fields?: string[];
  /** The order item concerned. */
  item_id?: string;
}

/** A rule note that has no patient message. */
export interface Note {
  code: string;
  actor: Actor;
  message: string;
  item_id?: string;
}

export interface Readiness {
  /** Absent when no Beluga request is needed or the kind is unknown. */
  kind?: 'visit' | 'lab';
  ready: boolean;
  status: 'ready' | 'not_ready' | 'not_required';
  reasons: Reason[];
}
/** May the order go to Beluga now. */
export function checkReadiness(input: OrderSnapshot, params: When): Readiness;

/** What starts an auto-submit. */
export type Trigger =
  | 'checkout_paid'
  | 'intake_completed'
  | 'intake_resubmitted'
  | 'intake_approved'
  | 'invoice_paid'
  | 'subscription_payment_succeeded'
  | 'refill_payment_succeeded'
  | 'manual_order_created';

export interface SubmitDecision {
  decision: 'submit' | 'wait' | 'skip';
  /** Present when a request is due. */
  kind?: 'visit' | 'lab';
  /** Present when a request is due. */
  master_id?: string;
  trigger: string;
  resubmit_after_failure: boolean;
  reasons: Reason[];
}
/** The auto-submit decision for a trigger. */
export function decideSubmit(input: OrderSnapshot, params: When & { trigger: Trigger }): SubmitDecision;

export interface RetryDecision {
  allowed: boolean;
  would_succeed: boolean;
  /** The masterId a retry reuses, when there is one. */
  master_id?: string;
  reasons: Reason[];
}
/** May staff retry the Beluga submission, and would it still fail. */
export function decideRetry(input: OrderSnapshot, params: When): RetryDecision;

export interface BuiltVisit {
  valid: boolean;
  kind?: 'visit' | 'lab';
  endpoint?: string;
  /** The body to send; present when `valid`. */
  body?: { [key: string]: Json };
  reasons: Reason[];
  violations: Violation[];
  warnings: Violation[];
}
/** The createNoPayPhotos (or lab) body, validated; the reasons instead when it cannot be built. */
export function buildVisit(input: OrderSnapshot, params: When & { master_id: string }): BuiltVisit;

export interface PharmacySelection {
  selected: boolean;
  pharmacy_id: string | null;
  beluga_pharmacy_id: string | null;
  pharmacy_type: string | null;
  source: string | null;
  reasons: Note[];
}
/** The Beluga pharmacy by the priority rule. */
export function selectPharmacy(input: OrderSnapshot, params?: {}): PharmacySelection;

export type RouteStatus =
  | 'ready'
  | 'blocked'
  | 'awaiting_prescription'
  | 'failed'
  | 'submitted'
  | 'awaiting_partner'
  | 'held';
export type RouteAction =
  | 'submit_to_dispense_pro'
  | 'submit_to_lifefile'
  | 'await_beluga_pharmacy_events'
  | 'await_pharmacy_webhooks'
  | 'hold_for_staff';
export interface Route {
  action: RouteAction;
  status: RouteStatus;
  pharmacy_id: string | null;
  pharmacy_type: string | null;
  item_ids: string[];
  escalate: boolean;
  blockers: Reason[];
  boundary: Note[];
  warnings: Note[];
}
export interface RoutePlan {
  ready: boolean;
  escalate: boolean;
  split_required: boolean;
  routes: Route[];
  notes: Note[];
}
/** The per-item fulfillment routing plan with each route's requirements. */
export function routeFulfillment(input: OrderSnapshot, params?: {}): RoutePlan;

export interface BoundaryItem {
  item_id: string;
  allowed: boolean;
  requires_prescription: boolean;
  reasons: Note[];
}
export interface BoundaryReport {
  confirmed: boolean;
  escalate: boolean;
  items: BoundaryItem[];
  violations: Note[];
  warnings: Note[];
}
/** The prescription boundary per item. */
export function checkBoundary(input: OrderSnapshot, params: { now: string }): BoundaryReport;

export type OrderStatus = 'PENDING' | 'PROCESSING' | 'SHIPPED' | 'CANCELLED' | 'COMPLETED';
export type VisitStatus = 'active' | 'pending' | 'admin' | 'holding' | 'resolved' | 'canceled';
export interface Shipping {
  carrier: string | null;
  tracking: string | null;
  tracking_url: string | null;
  shipped_at: string | null;
  delivered_at: string | null;
  delivery_failed: boolean;
  tracking_updated_at: string | null;
}
export interface Appointment {
  status: string;
  scheduled_date: string | null;
  doc_name: string | null;
  location: string | null;
  contradiction: boolean;
}
export interface OrderState {
  order_status: OrderStatus;
  submit_status: 'FAILED' | 'SUBMITTED' | null;
  visit_status: VisitStatus | null;
  visit_updated_at: string | null;
  resolved_status: 'open' | 'closed' | null;
  visit_outcome: 'referred' | 'prescribed' | null;
  photo_id_status: 'FAILED' | 'SENT' | null;
  prescriptions: number;
  dispense_pro: 'FAILED' | 'SUBMITTED' | null;
  life_file: 'FAILED' | 'SUBMITTED' | null;
  shipping: Shipping | null;
  appointment: Appointment | null;
  flags: Json[];
}
/** The order's status fields. */
export function orderState(input: OrderSnapshot, params?: {}): OrderState;

/** Applies facts forward-only; answers the new snapshot and its state. */
export function applyOrderFacts(
  input: OrderSnapshot,
  params: { facts: Json[] },
): { state: OrderState; snapshot: OrderSnapshot };

export interface CancelDecision {
  decision: 'allowed' | 'needs_confirmation' | 'refused';
  escalate_first: boolean;
  reasons: Note[];
  consequences: Note[];
}
/** May the Beluga visit be cancelled. */
export function checkCancel(input: OrderSnapshot, params?: { reason?: string; confirmed?: boolean }): CancelDecision;

export type Channel = 'doctor_chat' | 'cs_admin';
export interface MessageVisibility {
  escalate: boolean;
  rules: {
    kind: string;
    channel: Channel;
    beluga: string;
    direction: string;
    notify_patient: boolean;
    patient_location?: string;
    patient_visible: boolean;
    staff_location: string;
  }[];
  activities: {
    index: number;
    kind: string;
    channel: Channel;
    ok: boolean;
    patient_visible: boolean;
    shown_to_patient: boolean;
  }[];
  issues: Note[];
}
/** Message channels and visibility, checked against the snapshot's activities. */
export function messageVisibility(input: OrderSnapshot, params?: {}): MessageVisibility;

export type Stage =
  | 'payment'
  | 'intake'
  | 'beluga_submission'
  | 'medical_review'
  | 'prescription'
  | 'pharmacy_submission'
  | 'shipped'
  | 'delivered'
  | 'cancelled';
export interface PatientView {
  order_number: string;
  stage: Stage;
  status_text: string;
  items: string[];
  actions: string[];
  reply_in: string;
  messages: { at: string; from: string; content: string }[];
  tracking?: { carrier: string; tracking: string; tracking_url: string; shipped: boolean; delivered: boolean };
  appointment?: { status: string; scheduled_date: string; doc_name: string; location: string };
}
/** The order as its patient may see it. */
export function patientView(input: OrderSnapshot, params: { now: string }): PatientView;

export interface Diagnosis {
  stage: Stage;
  state: 'ready_to_proceed' | 'waiting' | 'blocked' | 'done';
  summary: string;
  escalate: boolean;
  next_action: { action: string; actor: Actor };
  blockers: Reason[];
  escalations: Note[];
  answers: {
    delivered: boolean;
    pharmacies: string[];
    pharmacy_started: boolean;
    prescription_written: boolean;
    sent_to_medical_team: boolean;
    shipped: boolean;
    tracking_available: boolean;
  };
  /** The staff actions and whether each is allowed now, always in this order: submit, retry, cancel, resend_prescription. */
  allowed_actions: AllowedAction[];
  /** The support bundle: the order's identifiers and statuses for staff, when there is an order to describe. */
  bundle?: { [key: string]: Json };
}
/** A staff action of the order panel; later versions add actions. */
export type StaffAction = 'submit' | 'retry' | 'cancel' | 'resend_prescription';
export interface AllowedAction {
  action: StaffAction;
  /** It may be taken now and would pass the core's checks. */
  allowed: boolean;
  /** The caller must confirm with a reason (a cancel with consequences). */
  needs_confirmation: boolean;
  /** Why it is refused; for an allowed action that needs confirmation, what to supply. */
  reasons: Reason[];
  /** What the action does not undo (cancel). */
  consequences: Note[];
}
/** Stage, blockers, next action and actor, escalations, allowed staff actions and the support bundle. */
export function diagnose(input: OrderSnapshot, params: { now: string }): Diagnosis;

// ---------------------------------------------------------------- partner calls

/** The outbox kinds of partner calls. */
export type CallKind =
  | 'beluga_submit'
  | 'beluga_fetch'
  | 'beluga_photo_id'
  | 'beluga_chat'
  | 'beluga_cs_message'
  | 'beluga_update_visit'
  | 'beluga_patient_name'
  | 'beluga_pdf'
  | 'dispensepro_order'
  | 'lifefile_order';

/** A call for the host to queue. */
export interface PlannedCall {
  kind: CallKind;
  method: 'POST' | 'GET';
  /** Below the partner's base URL, no leading `/`. */
  path: string;
  /** The `parseResponse` kind to hand back with the answer. */
  endpoint: string;
  /** The JSON body (patient data); absent for GET. */
  body?: { [key: string]: Json };
  /** Enqueue once under this key; absent when the host keys the call (messages). */
  dedupe_key?: string;
}

/** A readiness reason or a contract violation, in one shape. */
export interface Finding {
  code: string;
  message: string;
  path?: string;
  beluga_error?: string;
  actor?: Actor;
  fields?: string[];
  item_id?: string;
}

/** A fact that moves the order's state (`applyOrderFacts`), tagged by `fact`. */
export type Fact = { fact: string; [key: string]: Json };

export interface SubmissionPlan {
  decision: 'submit' | 'wait' | 'skip';
  violations: Finding[];
  /** The visit's masterId, when submitting. */
  master_id?: string;
  /** Facts to apply and store before sending (a new masterId). */
  facts: Fact[];
  call?: PlannedCall;
}
/** Plans a Beluga submission: `trigger` for auto-submit, `manual: true` (no trigger) for a staff retry. */
export function planSubmission(
  input: OrderSnapshot,
  params: { trigger?: Trigger; manual: boolean; master_id: string; attempt: number; now: string | number },
): SubmissionPlan;

/** The call an answer belongs to. */
export interface CallRef {
  kind: CallKind;
  endpoint?: string;
  pharmacy_id?: string;
  item_ids?: string[];
  /** This send's number, 1 for the first. */
  attempt: number;
  max_attempts: number;
}
/** What came back: an HTTP answer or network error, or why the call was not sent. */
export type CallAnswer =
  | { status?: number; body?: Json; network_error?: string }
  | { unsendable: 'partner_not_configured' };

export interface CallOutcome {
  classification: Classification;
  disposition: 'done' | 'retry' | 'failed';
  snapshot: OrderSnapshot;
  facts: Fact[];
  follow_up: PlannedCall[];
  /** Absent on success. */
  error?: { class: Classification; code?: string; message?: string };
}
/** What a partner call's answer means: classification, disposition, facts applied, follow-up calls. */
export function recordCallOutcome(
  input: OrderSnapshot,
  params: { call: CallRef; answer: CallAnswer; now: string | number },
): CallOutcome;

export interface MessagePlan {
  valid: boolean;
  violations: Finding[];
  /** Present when valid. */
  calls?: PlannedCall[];
  /** Present when valid. */
  activity?: { kind: 'BELUGA_CS_SENT' | 'PATIENT_CHAT_SENT'; patient_visible: boolean };
}
/** A CS message to Beluga admin or the patient's chat reply to the doctor, checked; the call and the activity. */
export function buildMessage(
  input: OrderSnapshot,
  params: { to: 'cs' | 'patient'; content: string; master_id: string },
): MessagePlan;
/** rxgate's part of an order: only the members rxgate owns, nested as in the snapshot. */
export interface RxgateOwned {
  order?: { [key: string]: unknown };
  events?: unknown[];
  activities?: unknown[];
}
/** Splits a snapshot into the clinic's input and the members rxgate owns. */
export function splitOrder(input: OrderSnapshot, params?: {}): { clinic: OrderSnapshot; rxgate: RxgateOwned };

/** The integration facts of the service's configuration; absent members are not configured. */
export interface IntegrationFacts {
  beluga_api_key_configured?: boolean;
  beluga_company?: string | null;
  environment?: 'TEST' | 'PRODUCTION' | null;
  dispense_pro_configured?: boolean;
  pharmacies?: { [pharmacyId: string]: { credentials_configured?: boolean; webhook_secret_configured?: boolean } };
}
/** The snapshot the rules read: the clinic's input, rxgate's owned members (status joined) and the service's integration facts. */
export function assembleOrder(
  clinic: OrderSnapshot,
  rxgate: RxgateOwned,
  integration: IntegrationFacts,
): { snapshot: OrderSnapshot };

// ---------------------------------------------------------------- partner webhooks

/** Who sent a webhook. */
export type Source = 'beluga' | 'lifefile' | 'dispensepro' | 'pharmacy';

/**
 * The answer of a webhook operation. The events domain is new in the core; its answers are
 * declared structurally until their shapes settle (the vector type test checks them as such).
 */
export type EventAnswer = Json;

/** A partner webhook body into a typed event, or every violation. */
export function parseEvent(source: Source, input: Json, params?: { body_bytes?: number }): EventAnswer;
/** The idempotency key(s) of a webhook body. */
export function eventKey(source: Source, input: Json, params?: { pharmacy_id?: string; webhook_id?: string }): EventAnswer;
/** What an event changes: new snapshot and state, records, activities, notifications, outbox, flags, audit. */
export function applyEvent(
  source: Source,
  input: Json,
  params: { order: OrderSnapshot; state?: Json; now: string | number; pharmacy_id?: string; webhook_id?: string },
): EventAnswer;
/** The audit/log form of a webhook body with PHI removed. */
export function redactEvent(source: Source, input: Json, params?: {}): EventAnswer;
/** Authenticates a webhook request: headers, raw body, configured secrets, now. */
export function verifyWebhook(
  source: Source,
  params: { headers: { [name: string]: string }; body?: string; body_base64?: string; config: Json; now: string | number },
): EventAnswer;
