// Times `validate('visit', …)` on a ~2 KB createNoPayPhotos body, from JSON text (sent to
// the module as UTF-8 bytes and parsed there, the fast path) and from a plain object
// (serialised once with `JSON.stringify`, then the same path), next to `JSON.parse` of the
// same text alone as a yardstick. A benchmark, not a test:
// run it with `npm run bench` after `bash build.sh`.
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import * as rxgate from '../pkg/rxgate.node.mjs';

const { today, visit } = JSON.parse(readFileSync(new URL('../test/fixtures/visit.json', import.meta.url), 'utf8'));
const text = JSON.stringify(visit);
const options = { today };

const check = rxgate.validate('visit', text, options);
if (!check.valid) {
  throw new Error(`the bench body must be valid: ${JSON.stringify(check.violations.map((v) => v.code))}`);
}

let sink = 0;
function measure(run) {
  const rounds = 7;
  const perRound = 5_000;
  for (let i = 0; i < perRound; i++) sink ^= run() ? 1 : 0; // warm-up
  const samples = [];
  for (let r = 0; r < rounds; r++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < perRound; i++) sink ^= run() ? 1 : 0;
    samples.push(Number(process.hrtime.bigint() - start) / 1_000 / perRound);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(rounds / 2)];
}

const rows = [
  ['validate(visit) from text', () => rxgate.validate('visit', text, options).valid],
  ['validate(visit) from object', () => rxgate.validate('visit', visit, options).valid],
  ['JSON.parse alone (yardstick)', () => JSON.parse(text) !== null],
];

// Every row runs for a second (five passes of 200 ms) before any is measured, as in
// bench/node/worker.mjs (README "Speed"): without it this script measured every row 1.5–1.8×
// slower (2026-12-06, idle: `JSON.parse` of this body 6.2–7.1 µs against 4.2 µs after it).
for (let pass = 0; pass < 5; pass++) {
  for (const [, run] of rows) {
    const start = process.hrtime.bigint();
    while (process.hrtime.bigint() - start < 200_000_000n) {
      for (let i = 0; i < 50; i++) sink ^= run() ? 1 : 0;
    }
  }
}

console.log(`body: ${text.length} bytes; node ${process.version}; ${cpus()[0]?.model ?? 'unknown cpu'} (${cpus().length} cores)`);
for (const [name, run] of rows) {
  console.log(`${name.padEnd(32)} ${measure(run).toFixed(2).padStart(8)} µs/call (median of 7 rounds × 5000)`);
}
if (sink === 42) console.log('');
