// Reading tests/vectors/ and matching answers, by the rules of tests/vectors/README.md
// (the same rules as the native runner core/tests/vectors.rs).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';

/** The op lists gen_bindings writes from the core's op table (`ops.gen.json`). */
export const opLists = JSON.parse(readFileSync(new URL('../ops.gen.json', import.meta.url), 'utf8'));

/**
 * Whether the vector files of `op` are skipped: exactly the operations the browser build
 * leaves out (`service_only`). Checked both ways, so the list cannot hide a missing op or
 * skip one the package has: throws when a skipped op is in the package, or when the package
 * lacks an op that is not on the list (an op of the table or of a vector file).
 */
export function skipsOp(rxgate, op) {
  const has = new Set(rxgate.ops().map((o) => o.name));
  const serviceOnly = opLists.service_only.includes(op);
  if (serviceOnly && has.has(op)) {
    throw new Error(`${op} is skipped as service-only but the package has it`);
  }
  if (!serviceOnly && !has.has(op) && op !== 'no_such_operation') {
    throw new Error(`the package lacks ${op}, which is not on the service-only list`);
  }
  return serviceOnly;
}

export const vectorsDir = fileURLToPath(new URL('../../tests/vectors/', import.meta.url));

/** Every vector file under tests/vectors/, sorted, as {rel, doc}. */
export function vectorFiles(dir = vectorsDir, out = []) {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      vectorFiles(path, out);
    } else if (name.endsWith('.json')) {
      out.push({ rel: relative(vectorsDir, path), doc: JSON.parse(readFileSync(path, 'utf8')) });
    }
  }
  return out;
}

/** The request of a case: `params` merged with every member but name/description/expect*. */
export function caseRequest(params, testCase) {
  const request = { ...(params ?? {}) };
  for (const [key, value] of Object.entries(testCase)) {
    if (!['name', 'description', 'expect', 'expect_error'].includes(key)) {
      request[key] = value;
    }
  }
  return request;
}

/** The summary of a validation report that `validate` vectors are matched against. */
export function summarizeReport(report) {
  const collect = (list, field) =>
    [...new Set((report[list] ?? []).map((v) => v[field]).filter((v) => typeof v === 'string'))].sort();
  return {
    valid: report.valid ?? null,
    beluga_errors: collect('violations', 'beluga_error'),
    codes: collect('violations', 'code'),
    warnings: collect('warnings', 'code'),
  };
}

function isObject(v) {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Subset pattern match; returns null or the JSON Pointer and reason of the first mismatch. */
export function mismatch(expected, actual, at = '') {
  if (isObject(expected) && isObject(actual)) {
    for (const [key, ev] of Object.entries(expected)) {
      if (!Object.hasOwn(actual, key)) return `${at}/${key} is missing`;
      const why = mismatch(ev, actual[key], `${at}/${key}`);
      if (why) return why;
    }
    return null;
  }
  if (Array.isArray(expected) && Array.isArray(actual)) {
    if (expected.length !== actual.length) {
      return `${at}: expected ${expected.length} items, got ${actual.length}`;
    }
    for (let i = 0; i < expected.length; i++) {
      const why = mismatch(expected[i], actual[i], `${at}/${i}`);
      if (why) return why;
    }
    return null;
  }
  if (expected === actual) return null;
  return `${at}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`;
}

/** Runs one case through the package; throws (an assertion) when it does not match. */
export function runCase(rxgate, op, params, testCase) {
  const request = caseRequest(params, testCase);
  const hasExpect = Object.hasOwn(testCase, 'expect');
  const hasError = Object.hasOwn(testCase, 'expect_error');
  assert.ok(hasExpect !== hasError, 'a case needs exactly one of `expect` or `expect_error`');
  if (hasError) {
    assert.throws(
      () => rxgate.call(op, request),
      (e) => e instanceof rxgate.RxgateError && e.code === testCase.expect_error,
      `expected error ${testCase.expect_error}`,
    );
    return;
  }
  const output = rxgate.call(op, request);
  const actual = op === 'validate' ? summarizeReport(output) : output;
  const why = mismatch(testCase.expect, actual);
  assert.equal(why, null, `${why}\nexpected: ${JSON.stringify(testCase.expect)}\nactual:   ${JSON.stringify(actual)}`);
  // The entry point must give the same report, in the same order, from the object and from
  // its JSON text (the core keeps members in document order either way). A string `input`
  // is JSON text to validate(), so those cases are call()-only.
  if (op === 'validate' && typeof request.today === 'string' && typeof request.input !== 'string') {
    const { kind, input, ...options } = request;
    const fromObject = rxgate.validate(kind, input, options);
    const fromText = rxgate.validate(kind, JSON.stringify(input), options);
    assert.deepEqual(fromObject, output, 'validate(object) differs from call');
    assert.deepEqual(fromText, output, 'validate(text) differs from call');
  }
}


