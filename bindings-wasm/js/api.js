
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
  return guard(() => {
    // The fast path: JSON text, or a plain JSON object serialised once here (faster than the
    // module walking it member by member), options as JSON text. Anything else (a Map, a
    // Date, undefined or a function inside, a lone surrogate, …) keeps the module's own
    // conversion, so its answer and its errors stay exactly what they were.
    if (typeof kind === 'string' && (options === undefined || options === null || plainObject(options))) {
      const text = typeof payload === 'string' ? payload : plain(payload, 0) ? JSON.stringify(payload) : undefined;
      if (text !== undefined) {
        return report(glue.validateJson(kind, utf8(text), options == null ? undefined : JSON.stringify(options)));
      }
    }
    return report(glue.validate(kind, payload, options));
  });
}

// The body goes to the module as UTF-8 bytes, encoded here by `TextEncoder.encodeInto` into
// one reused buffer. wasm-bindgen's own string transfer copies a string's leading ASCII one
// character at a time in JS (about 2.7 ns a character: 5.6 µs of a 2 KB all-ASCII body's
// 13.7 µs in Node 20) and hands only the rest to `encodeInto` (0.16 µs for that body).
// Bodies above `SCRATCH_MAX` characters get a buffer of their own, so one large body does
// not keep its buffer alive for the rest of the process.
const encoder = new TextEncoder();
const SCRATCH_MAX = 64 * 1024;
let scratch = new Uint8Array(3 * 4096);

function utf8(text) {
  if (text.length > SCRATCH_MAX) return encoder.encode(text);
  // A UTF-16 code unit is at most 3 bytes of UTF-8 (a pair of them, 4).
  if (scratch.length < text.length * 3) scratch = new Uint8Array(text.length * 3);
  const { written } = encoder.encodeInto(text, scratch);
  return scratch.subarray(0, written);
}

/** The module answers '' for a valid report without warnings, JSON text for any other. */
function report(answer) {
  if (typeof answer !== 'string') return answer;
  if (answer === '') return { valid: true, violations: [], warnings: [] };
  return JSON.parse(answer);
}

const wellFormed = typeof String.prototype.isWellFormed === 'function'
  ? (s) => s.isWellFormed()
  : (s) => !/[\ud800-\udfff]/.test(s);

function plainObject(value) {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && plain(value, 0);
}

/** Whether `JSON.stringify(value)` means exactly what the module's own conversion reads. */
function plain(value, depth) {
  switch (typeof value) {
    case 'string':
      return wellFormed(value);
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value);
    case 'object': {
      if (value === null) return true;
      if (depth > 64) return false;
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
          if (!plain(value[i], depth + 1)) return false;
        }
        return true;
      }
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) return false;
      for (const key in value) {
        if (!plain(value[key], depth + 1)) return false;
      }
      return true;
    }
    default:
      return false;
  }
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

// ---- generated by `cargo run -p rxgate-core --example gen_bindings`: begin ----
/** as validate, the body given as JSON text parsed inside the core, the fast path ({kind, text, today? or now?, allowed_states?}) */
export function validateText(params) {
  return guard(() => glue.call('validate_text', request(params, {})));
}

// ---- generated: end ----
