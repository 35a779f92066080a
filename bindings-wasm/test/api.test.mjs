// The package's own surface: every core operation has a function, both Node entry points
// export the same API, answers are plain objects, misuse throws RxgateError with a code, and
// no input value leaks into an error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import * as esm from '../pkg/rxgate.node.mjs';

const cjs = createRequire(import.meta.url)('../pkg/rxgate.node.cjs');
const camel = (name) => name.replace(/_([a-z])/g, (_, c) => c.toUpperCase());
const SENTINEL = 'PHI-SENTINEL-7731';

function throwsCode(run, code) {
  assert.throws(run, (e) => {
    assert.ok(e instanceof esm.RxgateError, `not an RxgateError: ${e}`);
    assert.equal(e.name, 'RxgateError');
    assert.equal(e.code, code, e.message);
    assert.ok(!e.message.includes(SENTINEL), 'an error message echoes input');
    return true;
  });
}

test('every operation the core lists has a function of the same name in camelCase', () => {
  const names = esm.ops().map((o) => o.name);
  assert.ok(names.includes('ops') && names.includes('codes'));
  for (const name of names) {
    // validate_text is reached through validate() with a string payload.
    const fn = name === 'validate_text' ? 'validate' : camel(name);
    assert.equal(typeof esm[fn], 'function', `no function ${fn} for op ${name}`);
  }
});

test('the CommonJS and ES module entries export the same API and agree', () => {
  assert.deepEqual(Object.keys(cjs).sort(), Object.keys(esm).sort());
  assert.deepEqual(cjs.ops(), esm.ops());
  assert.deepEqual(cjs.codes(), esm.codes());
});

test('answers are plain objects and arrays, never Maps', () => {
  const codes = esm.codes();
  assert.ok(Array.isArray(codes) && codes.length > 0);
  for (const info of codes) {
    assert.equal(Object.getPrototypeOf(info), Object.prototype);
    assert.equal(typeof info.code, 'string');
    assert.equal(typeof info.template, 'string');
  }
  assert.deepEqual(esm.call('codes', {}), codes);
});

test('defaultToday is the date at UTC-10 by the JS clock', () => {
  const before = new Date(Date.now() - 36e6).toISOString().slice(0, 10);
  const today = esm.defaultToday();
  const after = new Date(Date.now() - 36e6).toISOString().slice(0, 10);
  assert.match(today, /^\d{4}-\d{2}-\d{2}$/);
  assert.ok(today === before || today === after, `${today} vs ${before}/${after}`);
});

test('misuse throws RxgateError with a code', () => {
  throwsCode(() => esm.call('no_such_op', {}), 'unknown_op');
  throwsCode(() => esm.call(42, {}), 'invalid_request');
  throwsCode(() => esm.validate(42, {}), 'invalid_request');
  throwsCode(() => esm.validate('visit'), 'invalid_request');
  throwsCode(() => esm.validate('visit', {}, 'not options'), 'invalid_request');
  throwsCode(() => esm.normalize('phone', '808 555 0100', 'not params'), 'invalid_request');
  throwsCode(() => esm.parseResponse('visit', { status: SENTINEL }), 'schema_error');
  // A service-only operation is not in the browser build (ops.gen.json).
  throwsCode(() => esm.call('check_readiness', { input: { [SENTINEL]: SENTINEL }, today: '2026-11-23' }), 'unknown_op');
  throwsCode(() => esm.call('ops', { f: () => SENTINEL }), 'invalid_request');
});

test('a misuse error carries the JSON Pointer of the offending parameter', () => {
  try {
    esm.validate(42, {});
    assert.fail('no error');
  } catch (e) {
    assert.equal(e.path, '/kind');
  }
});

test('a request parameter error of the core keeps its path', () => {
  try {
    esm.validate('visit', {}, { today: 'not a date' });
    assert.fail('no error');
  } catch (e) {
    assert.ok(e instanceof esm.RxgateError);
    assert.equal(e.code, 'invalid_request');
    assert.equal(e.path, '/today');
  }
});

test('validate: text that is not JSON is invalid_json and names no input', () => {
  throwsCode(() => esm.validate('visit', `{"formObj": {"firstName": "${SENTINEL}"`, { today: '2026-11-23' }), 'invalid_json');
});

test('validate: an invalid body is a report, not an exception', () => {
  const report = esm.validate('visit', { formObj: { firstName: SENTINEL } }, { today: '2026-11-23' });
  assert.equal(report.valid, false);
  assert.ok(report.violations.length > 0);
  for (const v of [...report.violations, ...report.warnings]) {
    assert.deepEqual(Object.keys(v).sort(), ['beluga_error', 'code', 'message', 'path']);
  }
  assert.ok(!JSON.stringify(report).includes(SENTINEL), 'the report echoes input');
});

test('validate: without options.today the clock date is used, so the age is checked', () => {
  const body = { formObj: { dob: '01/01/1990' } };
  const implicit = esm.validate('visit', body);
  assert.deepEqual(implicit, esm.validate('visit', body, { today: esm.defaultToday() }));
  assert.ok(!implicit.warnings.some((w) => w.code === 'age_not_checked'));
});

test('validate: the same report from an object and from its JSON text', () => {
  const body = { formObj: { dob: '02/30/1990', phone: '12' }, visitType: 7 };
  const options = { today: '2026-11-23' };
  assert.deepEqual(esm.validate('visit', JSON.stringify(body), options), esm.validate('visit', body, options));
});

test('validate: JSON text of any characters and any size answers as validate_text, which takes it inside the request', () => {
  const options = { today: '2026-11-23' };
  const form = (firstName, city) => JSON.stringify({ formObj: { firstName, city, dob: '02/30/1990' }, visitType: 'x' });
  const texts = [
    form('Ana', 'Austin'), // all ASCII
    form('María-José', 'Zürich'), // Latin-1
    form('李娜 👩‍⚕️', 'Tōkyō'), // three- and four-byte UTF-8
    '{"formObj": {"firstName": "A\ud800"}}', // a lone surrogate, unescaped: U+FFFD both ways
    form('A\ud800', 'Austin'), // escaped by JSON.stringify: refused both ways
    form('Ana', 'x'.repeat(200_000)), // above the reused buffer's size
    form('Ana', 'é'.repeat(30_000)), // below it in characters, above it in bytes
    '{"formObj": {"firstName": "Ana"', // not JSON: the same error and offset
    '{"formObj": {"firstName": "é"}} x',
  ];
  for (const text of texts) {
    const run = (f) => {
      try {
        return { ok: f() };
      } catch (e) {
        // `call` names the operation in its messages; the entry point has none to name.
        return { err: [e.code, e.message.replace(/^validate_text: /, ''), e.path] };
      }
    };
    const expected = run(() => esm.validateText({ kind: 'visit', text, ...options }));
    assert.deepEqual(run(() => esm.validate('visit', text, options)), expected, text.slice(0, 60));
  }
});

test('validate: what JSON.stringify would change (undefined, Map, Date, NaN, a lone surrogate inside) keeps the module conversion', () => {
  const options = { today: '2026-11-23' };
  const bodies = [
    { formObj: { firstName: undefined } },
    { formObj: new Map([['firstName', 'Ana']]) },
    { formObj: { dob: new Date(0) } },
    { formObj: { weight: NaN } },
    { formObj: { firstName: 'A\ud800' } },
    { patientPreference: [undefined] },
  ];
  for (const body of bodies) {
    const expected = esm.call('validate', { kind: 'visit', input: body, ...options });
    assert.deepEqual(esm.validate('visit', body, options), expected);
    assert.deepEqual(esm.validate('visit', body, { ...options, extra: undefined }), expected);
  }
  throwsCode(() => esm.validate('visit', { formObj: { f: () => SENTINEL } }, options), 'invalid_request');
  throwsCode(() => esm.validate('visit', '{}', { today: () => SENTINEL }), 'invalid_request');
});
