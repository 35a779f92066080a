// The portal example end to end in headless Chromium: a patient types a bad phone and a
// minor's birth date, sees the rule messages next to those fields, fixes them, reloads and
// finds every answer kept, walks to review, and the body shown there is one the package (and
// so the native core, see native-parity.test.mjs) accepts. Screenshots of each step go to
// test/artifacts/portal-*.png (not committed).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import * as rxgate from '../pkg/rxgate.node.mjs';
import { start, artifacts } from './serve.mjs';

let env;
before(async () => {
  env = await start();
  await mkdir(artifacts, { recursive: true });
});
after(async () => {
  await env?.close();
});

const demographics = {
  firstName: 'Maria', lastName: 'Alvarez', email: 'maria.alvarez@example.com',
  address: '4105 Speedway, Apt 3', city: 'Austin', state: 'TX', zip: '78751',
};

test('the intake wizard validates as the patient types, keeps answers across a reload, and ends with a valid body', async () => {
  const page = await env.browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  const shot = (name) => page.screenshot({ path: join(artifacts, `portal-${name}.png`), fullPage: true });
  const ready = () => page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
  const error = (field) => page.textContent(`#${field}-error`);

  await page.goto(`${env.base}/examples/portal/index.html`);
  await ready();
  for (const [field, value] of Object.entries(demographics)) await page.fill(`#${field}`, value);
  await page.selectOption('#sex', 'Female');
  await page.fill('#phone', '555-12');
  await page.fill('#dob', '03/14/2015');
  await shot('1-demographics-errors');
  assert.notEqual((await error('phone')).trim(), '', 'no message next to a bad phone');
  assert.notEqual((await error('dob')).trim(), '', "no message next to a minor's birth date");
  assert.equal(await page.isDisabled('#next'), true, 'Next is enabled with errors on the step');

  await page.fill('#phone', '(737) 204-6619'.replace(/\D/g, ''));
  await page.fill('#dob', '03/14/1986');
  assert.equal((await error('phone')).trim(), '');
  assert.equal((await error('dob')).trim(), '');
  assert.equal(await page.isDisabled('#next'), false, 'Next stays disabled once the step is clean');
  await shot('2-demographics-fixed');

  await page.reload();
  await ready();
  for (const [field, value] of Object.entries(demographics)) assert.equal(await page.inputValue(`#${field}`), value);
  assert.equal(await page.inputValue('#dob'), '03/14/1986');
  assert.equal(await page.inputValue('#phone'), '7372046619');
  await shot('3-after-reload');

  await page.click('#next');
  await page.selectOption('#medication', 'Semaglutide 0.25 mg/0.5 mL');
  await shot('4-medication');
  await page.click('#next');
  await page.fill('#allergies', 'Penicillin');
  await page.fill('#selfReportedMeds', 'Metformin 500 mg daily');
  await page.fill('#medicalConditions', 'Hypertension');
  await page.fill('#A1', '212');
  await page.selectOption('#A2', 'No');
  await shot('5-screening');
  await page.click('#next');
  await shot('6-review');

  const sent = JSON.parse(await page.textContent('#body'));
  assert.equal(sent.formObj.phone, '7372046619');
  assert.equal(sent.formObj.patientPreference[0].medId, 'SEMA-025');
  const report = rxgate.validate('visit', sent);
  assert.equal(report.valid, true, JSON.stringify(report.violations));
  assert.equal((await page.textContent('#verdict')).trim(), 'Ready to send.');
  assert.deepEqual(errors, []);
});
