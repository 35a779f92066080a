// Case-for-case agreement with the native reference: runs the native vector runner
// (`cargo test -p rxgate-core --test vectors`, core/tests/vectors.rs) and requires every case
// to pass or fail in the package exactly as it does natively, so the two never drift even
// while some vector is red in both.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as rxgate from '../pkg/rxgate.node.mjs';
import { vectorFiles, runCase, skipsOp } from './vectors.mjs';

const workspace = fileURLToPath(new URL('../../', import.meta.url));

function nativeOutcomes() {
  const run = spawnSync('cargo', ['test', '-q', '-p', 'rxgate-core', '--test', 'vectors', '--', '--test-threads=2'], {
    cwd: workspace,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const outcomes = new Map();
  for (const line of run.stdout.split('\n')) {
    const m = /^test (.+?)\s+\.\.\. (ok|FAILED)$/.exec(line);
    if (m) outcomes.set(m[1], m[2] === 'ok');
  }
  return { outcomes, stderr: run.stderr };
}

test('every vector case passes or fails in wasm exactly as it does natively', () => {
  const { outcomes, stderr } = nativeOutcomes();
  assert.ok(outcomes.size > 0, `the native runner reported no cases:\n${stderr.slice(-2000)}`);
  const disagreements = [];
  let compared = 0;
  let skipped = 0;
  for (const { rel, doc } of vectorFiles()) {
    // Operations the browser build leaves out (checked by skipsOp) are compared natively only.
    if (skipsOp(rxgate, doc.op)) {
      skipped += doc.cases?.length ?? 0;
      continue;
    }
    for (const [index, testCase] of (doc.cases ?? []).entries()) {
      const name = `${rel}::${testCase.name ?? `case ${index}`}`;
      let wasmOk = true;
      try {
        runCase(rxgate, doc.op, doc.params, testCase);
      } catch {
        wasmOk = false;
      }
      if (!outcomes.has(name)) {
        disagreements.push(`${name}: not run natively`);
      } else if (outcomes.get(name) !== wasmOk) {
        disagreements.push(`${name}: native ${outcomes.get(name) ? 'passes' : 'fails'}, wasm ${wasmOk ? 'passes' : 'fails'}`);
      }
      compared++;
    }
  }
  assert.ok(compared > 0 && skipped > 0);
  assert.deepEqual(disagreements, []);
});
