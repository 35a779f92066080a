// The Node worker of the side-by-side benchmark (bench/run.py): rxgate's npm package (built
// by bindings-wasm/build.sh) against ajv 8 (Ajv2020, allErrors, ajv-formats, compiled once)
// on the shared bench bodies. Protocol as the Rust worker: `rows`, `ROW N` → nanoseconds;
// `node worker.mjs check DATA_DIR` prints each row's error count once; `node worker.mjs table
// DATA_DIR [ROUNDS]` measures every row in-process, round-robin (min and median per call).
import { createInterface } from 'node:readline';
import { loadBodies } from './bodies.mjs';
// RXGATE_NPM_PKG: another build of bindings-wasm/pkg (a copy built with other settings).
const rxgate = await import(process.env.RXGATE_NPM_PKG ? `${process.env.RXGATE_NPM_PKG}/rxgate.node.mjs` : '../../bindings-wasm/pkg/rxgate.node.mjs');

const [mode, dir] = process.argv.slice(2);
const { validText, asciiText, invalidText, validObject, schema, options } = loadBodies(dir);

const count = (report) => (report.valid ? 0 : report.violations.length);
const ajvErrors = (object) => (schema(object) ? 0 : schema.errors.length);
const rows = {
  rxgate_text_valid: () => count(rxgate.validate('visit', validText, options)),
  rxgate_text_ascii_valid: () => count(rxgate.validate('visit', asciiText, options)),
  rxgate_text_invalid: () => count(rxgate.validate('visit', invalidText, options)),
  rxgate_object_valid: () => count(rxgate.validate('visit', validObject, options)),
  ajv_text_valid: () => ajvErrors(JSON.parse(validText)),
  ajv_text_invalid: () => ajvErrors(JSON.parse(invalidText)),
  ajv_object_valid: () => ajvErrors(validObject),
  json_parse_only: () => (JSON.parse(validText) === null ? 1 : 0),
};

let sink = 0;
function run(row, n) {
  const f = rows[row];
  if (!f) return '?';
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) sink ^= f();
  return String(process.hrtime.bigint() - start);
}

/** `table` mode: every row in this one process, round-robin, min and median of batch means. */
function table(rounds = 15, batchMs = 20) {
  const names = Object.keys(rows);
  const sizes = {};
  for (const name of names) {
    let n = 1;
    while (Number(run(name, n)) < batchMs * 1e6 / 4) n *= 2;
    sizes[name] = n * 4;
  }
  const means = Object.fromEntries(names.map((n) => [n, []]));
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < names.length; i++) {
      const name = names[(i + r) % names.length];
      means[name].push(Number(run(name, sizes[name])) / sizes[name] / 1000);
    }
  }
  const ajvText = Math.min(...means.ajv_text_valid);
  for (const name of names) {
    const sorted = means[name].sort((a, b) => a - b);
    const min = sorted[0];
    const median = sorted[Math.floor(sorted.length / 2)];
    console.log(`${name.padEnd(22)} min ${min.toFixed(2).padStart(7)} µs  median ${median.toFixed(2).padStart(7)} µs  ${(min / ajvText).toFixed(2)}× ajv_text_valid`);
  }
}

// Warm-up before any measurement: every row in turn until each has run about 200 ms. Without
// it the first row the process measured (rxgate's valid text) ran about 2× slower for the
// whole run, whichever row that was (README "Speed").
function warmUp() {
  for (let pass = 0; pass < 10; pass++) {
    for (const name of Object.keys(rows)) {
      const start = process.hrtime.bigint();
      while (process.hrtime.bigint() - start < 20_000_000n) run(name, 50);
    }
  }
}

if (mode !== 'check') warmUp();
if (mode === 'table') {
  table(Number(process.argv[4] ?? 15));
} else if (mode === 'check') {
  for (const [name, f] of Object.entries(rows)) console.log(`${name} ${f()}`);
} else {
  const lines = createInterface({ input: process.stdin });
  for await (const line of lines) {
    const [row, n] = line.trim().split(/\s+/);
    process.stdout.write(`${row === 'rows' ? Object.keys(rows).join(' ') : run(row, Number(n))}\n`);
  }
  if (sink === 0x7fffffff) console.error('');
}
