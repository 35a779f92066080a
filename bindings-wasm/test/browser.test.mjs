// The package in a real browser: headless Chromium (Debian's `chromium`, driven by
// playwright-core) loads a bundler-free page whose `<script type="module">` imports the
// browser entry, validates a visit from an object and from text, a minor's visit, and
// misuse; the answers must equal Node's for the same inputs. A screenshot is kept in
// test/artifacts/ (not committed).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import * as rxgate from '../pkg/rxgate.node.mjs';
import { start, root, artifacts } from './serve.mjs';

let env;
before(async () => {
  env = await start();
});
after(async () => {
  await env?.close();
});

test('a bundler-free page validates a visit in headless Chromium, as Node does', async () => {
  const page = await env.browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${env.base}/test/browser/index.html`);
  await page.waitForFunction(() => window.__rxgate !== undefined, null, { timeout: 30_000 });
  const results = await page.evaluate(() => window.__rxgate);
  await mkdir(artifacts, { recursive: true });
  await page.screenshot({ path: join(artifacts, 'browser.png'), fullPage: true });
  assert.deepEqual(errors, []);
  assert.equal(results.failure, undefined, results.failure);

  const { today, visit, minorDob } = JSON.parse(await readFile(join(root, 'test/fixtures/visit.json'), 'utf8'));
  assert.equal(results.beforeInit, 'not_initialized');
  assert.equal(results.opCount, rxgate.ops().length);

  assert.equal(results.fromObject.valid, true, JSON.stringify(results.fromObject.violations));
  assert.deepEqual(results.fromObject, rxgate.validate('visit', visit, { today }));
  assert.deepEqual(results.fromText, results.fromObject);

  const minor = structuredClone(visit);
  minor.formObj.dob = minorDob;
  assert.equal(results.minor.valid, false);
  assert.ok(results.minor.violations.some((v) => v.code === 'dob_under_18'), JSON.stringify(results.minor));
  assert.deepEqual(results.minor, rxgate.validate('visit', minor, { today }));

  assert.equal(results.notJson.isRxgateError, true);
  assert.equal(results.notJson.code, 'invalid_json');
  assert.deepEqual(results.badKind, { isRxgateError: true, code: 'invalid_request', path: '/kind' });
});
