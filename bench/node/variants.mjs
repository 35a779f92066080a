// Compares builds of the npm package side by side in one process (issue 17: the optimisation
// level chosen by measurement): `node variants.mjs DATA_DIR NAME=PKG_DIR …`, each PKG_DIR a
// copy of bindings-wasm/pkg built with other settings (bindings-wasm/build.sh reads
// CARGO_PROFILE_WASM_RELEASE_OPT_LEVEL, CARGO_PROFILE_WASM_RELEASE_OVERFLOW_CHECKS and
// RXGATE_WASM_OPT_LEVEL). Rows: each build's validate() from valid text, invalid text and a
// valid object, and ajv from text; round-robin, min and median of batch means, the ratio of
// each min to ajv's.
import { readFileSync, statSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { loadBodies } from './bodies.mjs';

const [dir, ...builds] = process.argv.slice(2);
const { validText, invalidText, validObject, schema, options } = loadBodies(dir);
const rows = { ajv_text_valid: () => (schema(JSON.parse(validText)) ? 0 : schema.errors.length) };
const sizes = {};
for (const spec of builds) {
  const [name, pkg] = spec.split('=');
  const rx = await import(`${pkg}/rxgate.node.mjs`);
  const count = (r) => (r.valid ? 0 : r.violations.length);
  rows[`${name}_text_valid`] = () => count(rx.validate('visit', validText, options));
  rows[`${name}_text_invalid`] = () => count(rx.validate('visit', invalidText, options));
  rows[`${name}_object_valid`] = () => count(rx.validate('visit', validObject, options));
  const wasm = readFileSync(`${pkg}/web/rxgate_wasm_bg.wasm`);
  sizes[name] = `${statSync(`${pkg}/web/rxgate_wasm_bg.wasm`).size} B raw, ${(gzipSync(wasm, { level: 9 }).length / 1024).toFixed(1)} KiB gzipped`;
}

let sink = 0;
function run(f, n) {
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) sink ^= f();
  return Number(process.hrtime.bigint() - start);
}
const names = Object.keys(rows);
// Every row runs 200 ms before anything is measured (see worker.mjs: the first row measured in
// a process otherwise stays about 2× slow).
for (let pass = 0; pass < 10; pass++) {
  for (const name of names) {
    const start = process.hrtime.bigint();
    while (process.hrtime.bigint() - start < 20_000_000n) run(rows[name], 50);
  }
}
const n = {};
for (const name of names) {
  let k = 1;
  while (run(rows[name], k) < 5e6) k *= 2;
  n[name] = k * 4;
}
const means = Object.fromEntries(names.map((x) => [x, []]));
const rounds = Number(process.env.ROUNDS ?? 15);
for (let r = 0; r < rounds; r++) {
  for (let i = 0; i < names.length; i++) {
    const name = names[(i + r) % names.length];
    means[name].push(run(rows[name], n[name]) / n[name] / 1000);
  }
}
const ajvMin = Math.min(...means.ajv_text_valid);
for (const name of names) {
  const s = means[name].sort((a, b) => a - b);
  console.log(`${name.padEnd(26)} min ${s[0].toFixed(2).padStart(7)} µs  median ${s[Math.floor(s.length / 2)].toFixed(2).padStart(7)} µs  ${(s[0] / ajvMin).toFixed(2)}× ajv`);
}
for (const [name, size] of Object.entries(sizes)) console.log(`${name}: ${size}`);
if (sink === 0x7fffffff) console.log('');
