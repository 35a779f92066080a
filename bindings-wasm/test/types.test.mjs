// The declarations against real answers: every answer the shared vectors produce is written
// into a TypeScript file as a literal of its declared type and compiled with `tsc --noEmit`,
// so a field the core adds, drops or retypes without rxgate.d.ts following fails here
// (object literals get excess-property checks at every depth).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as rxgate from '../pkg/rxgate.node.mjs';
import { vectorFiles, caseRequest } from './vectors.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const dir = fileURLToPath(new URL('./artifacts/', import.meta.url));

/** The declared answer type of an op: the generated table's (rxgate.gen.d.ts, re-exported). */
const typeOf = (op) => `rx.OpAnswers['${op}']`;

test('every operation has a declared answer type', () => {
  const lines = ["import type * as rx from 'rxgate';", ''];
  for (const { name } of rxgate.ops()) {
    lines.push(`export type T_${name} = ${typeOf(name)};`);
  }
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${dir}ops.ts`, lines.join('\n') + '\n');
  writeFileSync(`${dir}tsconfig.ops.json`, JSON.stringify({
    compilerOptions: { target: 'es2022', module: 'nodenext', moduleResolution: 'nodenext', strict: true, noEmit: true },
    files: ['ops.ts'],
  }));
  try {
    execFileSync(`${root}node_modules/.bin/tsc`, ['-p', `${dir}tsconfig.ops.json`], { encoding: 'utf8' });
  } catch (e) {
    assert.fail(`an operation has no declared answer type:\n${e.stdout}`);
  }
});

test('every answer of the shared vectors compiles against rxgate.d.ts', () => {
  const lines = ["import type * as rx from 'rxgate';", ''];
  let n = 0;
  const add = (op, answer) => {
    lines.push(`export const a${n++}: ${typeOf(op)} = ${JSON.stringify(answer)};`);
  };
  add('ops', rxgate.ops());
  add('codes', rxgate.codes());
  // Files of ops the core does not list are the parity test's business (vectors.test.mjs).
  const known = new Set(rxgate.ops().map((o) => o.name));
  for (const { doc } of vectorFiles()) {
    if (!known.has(doc.op)) continue;
    for (const testCase of doc.cases) {
      if (Object.hasOwn(testCase, 'expect_error')) continue;
      add(doc.op, rxgate.call(doc.op, caseRequest(doc.params, testCase)));
    }
  }
  assert.ok(n > 2, 'no vector answers to check');
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${dir}answers.ts`, lines.join('\n') + '\n');
  writeFileSync(`${dir}tsconfig.json`, JSON.stringify({
    compilerOptions: { target: 'es2022', module: 'nodenext', moduleResolution: 'nodenext', strict: true, noEmit: true, lib: ['es2022', 'dom'], types: [] },
    files: ['answers.ts'],
  }));
  try {
    execFileSync(`${root}node_modules/.bin/tsc`, ['-p', `${dir}tsconfig.json`], { encoding: 'utf8' });
  } catch (e) {
    assert.fail(`answers do not match rxgate.d.ts:\n${e.stdout}`);
  }
});
