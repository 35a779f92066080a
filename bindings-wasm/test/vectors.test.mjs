// Parity: every case of tests/vectors/ through the package, matched by the README's rules,
// exactly as the native runner (core/tests/vectors.rs) matches them. For `validate` cases the
// entry point `validate()` must also give the same full report from an object and from text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as rxgate from '../pkg/rxgate.node.mjs';
import { vectorFiles, runCase, skipsOp, opLists } from './vectors.mjs';

const files = vectorFiles();

test('the vector folder is not empty', () => {
  assert.ok(files.reduce((n, f) => n + (f.doc.cases?.length ?? 0), 0) > 0);
});

test('the package has every operation of the table but the service-only ones', () => {
  const has = rxgate.ops().map((o) => o.name);
  const expected = opLists.ops.filter((op) => !opLists.service_only.includes(op));
  assert.deepEqual(has, expected);
  for (const op of opLists.service_only) {
    assert.equal(skipsOp(rxgate, op), true);
    assert.throws(() => rxgate.call(op, {}), (e) => e instanceof rxgate.RxgateError && e.code === 'unknown_op');
  }
  for (const op of expected) assert.equal(skipsOp(rxgate, op), false);
});

for (const { rel, doc } of files) {
  test(rel, { skip: skipsOp(rxgate, doc.op) && 'a service-only operation (ops.gen.json)' }, async (t) => {
    assert.equal(typeof doc.op, 'string', 'a vector file needs `op`');
    assert.ok(Array.isArray(doc.cases) && doc.cases.length > 0, 'a vector file needs `cases`');
    for (const [index, testCase] of doc.cases.entries()) {
      await t.test(testCase.name ?? `case ${index}`, () => runCase(rxgate, doc.op, doc.params, testCase));
    }
  });
}

