
// ---- shared body of every entry point (build.sh prepends the entry's head) ----
// Every function is a thin call into the core's JSON API: no rules live here.

/** Misuse of the API (wrong argument type, unknown operation, text that is not JSON). */
export class RxgateError extends Error {
  constructor(code, message, path) {
    super(message);
    this.name = 'RxgateError';
    /** snake_case error code: unknown_op, invalid_json, invalid_request, schema_error, internal, not_initialized */
    this.code = code;
    if (path !== undefined) {
      /** JSON Pointer of the offending part of the request, when known */
      this.path = path;
    }
  }
}

let initialized = preloaded;

/** Loads the WebAssembly module; required once in the browser, a no-op in Node. */
export async function init(input) {
  if (!initialized) {
    await load(input);
    initialized = true;
  }
}

function guard(run) {
  if (!initialized) {
    throw new RxgateError('not_initialized', 'call and await init() before using rxgate');
  }
  try {
    return run();
  } catch (e) {
    if (e !== null && typeof e === 'object' && e.name === 'RxgateError' && !(e instanceof RxgateError)) {
      throw new RxgateError(e.code, e.message, e.path);
    }
    throw e;
  }
}

function request(params, fixed) {
  if (params !== undefined && params !== null && (typeof params !== 'object' || Array.isArray(params))) {
    throw new RxgateError('invalid_request', 'the parameters must be an object');
  }
  return Object.assign({}, params, fixed);
}

/** Runs any operation of the core API by name on a request object. */
export function call(op, req) {
  return guard(() => glue.call(op, req));
}

/** The entry point: validates an outbound body of `kind`, given as an object or as JSON text. */
export function validate(kind, payload, options) {
  return guard(() => glue.validate(kind, payload, options));
}

/** The default `today` of `validate`: today's date at UTC−10, as the CLI uses. */
export function defaultToday() {
  return guard(() => glue.defaultToday());
}

/** Every operation of the core API with its summary. */
export function ops() {
  return call('ops', {});
}

/** The registry of violation and decision codes. */
export function codes() {
  return call('codes', {});
}

/** Normalises one field value (phone, date, state, trim, multiple_choice_question, multiple_choice_answer). */
export function normalize(field, input, options) {
  return guard(() => glue.call('normalize', request(options, { field, input })));
}

/** Classifies a Beluga response ({status, body, network_error?}) to a request or fetch of `kind`. */
export function parseResponse(kind, response, options) {
  return guard(() => glue.call('parse_response', request(options, { kind, input: response })));
}

function orderOp(op) {
  return (input, params) => guard(() => glue.call(op, request(params, { input })));
}

/** May the order go to Beluga now ({today} or {now}). */
export const checkReadiness = orderOp('check_readiness');
/** Auto-submit decision for a trigger ({trigger, today|now}). */
export const decideSubmit = orderOp('decide_submit');
/** May staff retry the Beluga submission ({today|now}). */
export const decideRetry = orderOp('decide_retry');
/** The visit body for Beluga, validated ({master_id, today|now}). */
export const buildVisit = orderOp('build_visit');
/** The Beluga pharmacy by the priority rule. */
export const selectPharmacy = orderOp('select_pharmacy');
/** The per-item fulfillment routing plan. */
export const routeFulfillment = orderOp('route_fulfillment');
/** The prescription boundary per item ({now}). */
export const checkBoundary = orderOp('check_boundary');
/** The order's status fields. */
export const orderState = orderOp('order_state');
/** Applies facts forward-only ({facts}). */
export const applyOrderFacts = orderOp('apply_order_facts');
/** May the Beluga visit be cancelled ({reason?, confirmed?}). */
export const checkCancel = orderOp('check_cancel');
/** Message channels and visibility. */
export const messageVisibility = orderOp('message_visibility');
/** The order as its patient may see it ({now}). */
export const patientView = orderOp('patient_view');
/** Stage, blockers, next action, escalations and allowed staff actions ({now}). */
export const diagnose = orderOp('diagnose');
/** Plans a Beluga submission ({trigger? | manual, master_id, attempt, now}). */
export const planSubmission = orderOp('plan_submission');
/** What a partner call's answer means ({call, answer, now}). */
export const recordCallOutcome = orderOp('record_call_outcome');
/** A CS or patient chat message to Beluga, checked ({to, content, master_id}). */
export const buildMessage = orderOp('build_message');
/** Splits a snapshot into the clinic's input and the members rxgate owns. */
export const splitOrder = orderOp('split_order');

/**
 * The snapshot the rules read: the clinic's input, rxgate's owned members (the order status
 * joined by rank) and the service's integration facts.
 */
export function assembleOrder(clinic, rxgate, integration) {
  return guard(() => glue.call('assemble_order', { clinic, rxgate, integration }));
}

function eventOp(op) {
  return (source, input, params) => guard(() => glue.call(op, request(params, { source, input })));
}

/** A partner webhook body into a typed event, or every violation ({body_bytes?}). */
export const parseEvent = eventOp('parse_event');
/** The idempotency key(s) of a webhook body ({pharmacy_id?, webhook_id?}). */
export const eventKey = eventOp('event_key');
/** What an event changes ({order, state?, now, pharmacy_id?, webhook_id?}). */
export const applyEvent = eventOp('apply_event');
/** The audit/log form of a webhook body with PHI removed. */
export const redactEvent = eventOp('redact_event');

/** Authenticates a webhook request ({headers, body | body_base64, config, now}). */
export function verifyWebhook(source, params) {
  return guard(() => glue.call('verify_webhook', request(params, { source })));
}
