// Type declarations of the npm package `rxgate`, checked by `tsc --noEmit` against real
// calls in test/types.ts and against every answer the shared vectors produce. The request and
// answer types of every operation, and the wrappers of the operations below that are not
// written by hand here, are generated from the core's op table into `rxgate.gen.d.ts`
// (`cargo run -p rxgate-core --example gen_bindings`) and re-exported; this file keeps the
// hand-written conveniences (`validate`, `normalize`, `parseResponse`, …). The package is the
// browser build: the operations only the service calls (order decisions, partner calls,
// webhooks; `ops.gen.json`'s `service_only`) are not in it.
//
// Every function is a thin call into rxgate-core's JSON API. Verdicts (an invalid body, a
// refused cancel) are returned as data; only misuse throws, as an `RxgateError`.

// ---------------------------------------------------------------- common

export * from './rxgate.gen.js';
import type {
  CodeInfo,
  JsonValue,
  Kind,
  OpAnswers,
  OpInfo,
  OpRequests,
  ParsedResponse,
  Report,
} from './rxgate.gen.js';

/** A JSON value as the core reads and writes it. */
export type Json = JsonValue;

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

/** Runs an operation of the core's table by name on its typed request. */
export function call<K extends keyof OpAnswers>(op: K, request: OpRequests[K]): OpAnswers[K];
/** Runs any operation by name (see `ops()`): an answer is JSON. */
export function call(op: string, request?: { [key: string]: JsonValue }): JsonValue;

// ---------------------------------------------------------------- validation

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

/** Types and classifies Beluga's answer to a request (`kind` a `Kind`) or a fetch (`fetch-visit`, `fetch-patient`). */
export function parseResponse(kind: Kind | 'fetch-visit' | 'fetch-patient', response: BelugaResponse): ParsedResponse;

// ---------------------------------------------------------------- registry

/** Every operation of the core API. */
export function ops(): OpInfo[];
/** The registry of violation and decision codes. */
export function codes(): CodeInfo[];
