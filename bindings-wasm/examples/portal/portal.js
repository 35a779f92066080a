// The intake wizard of the portal example: every keystroke rebuilds the visit body and
// validates it with rxgate (the very rules the server runs); each violation's message is
// shown next to its field; answers live in localStorage so a refresh loses nothing.
import { init, validate } from '../../pkg/rxgate.js';

const STORAGE = 'rxgate-portal-intake';
const MEDICATIONS = {
  'Semaglutide 0.25 mg/0.5 mL': { name: 'Semaglutide', strength: '0.25 mg/0.5 mL', quantity: '1', refills: '0', daysSupply: '28', medId: 'SEMA-025' },
  'Tirzepatide 2.5 mg/0.5 mL': { name: 'Tirzepatide', strength: '2.5 mg/0.5 mL', quantity: '1', refills: '0', daysSupply: '28', medId: 'TIRZ-25' },
};
const QUESTIONS = { Q1: 'What is your current weight in pounds?', Q2: 'Have you taken a GLP-1 medication before? POSSIBLE ANSWERS: No; Yes' };

const state = JSON.parse(localStorage.getItem(STORAGE) ?? 'null') ?? { step: 0, values: {}, masterId: crypto.randomUUID() };
const steps = [...document.querySelectorAll('.step')];

function render() {
  for (const slot of document.querySelectorAll('[data-field]')) {
    const name = slot.dataset.field;
    const choices = slot.dataset.choices?.split(';');
    const control = choices
      ? `<select id="${name}" name="${name}"><option value="">Choose…</option>${choices.map((c) => `<option>${c}</option>`).join('')}</select>`
      : `<input id="${name}" name="${name}" autocomplete="off">`;
    slot.innerHTML = `<label for="${name}">${slot.dataset.label}</label>${control}<div class="error" id="${name}-error"></div>`;
    slot.querySelector('input, select').value = state.values[name] ?? '';
  }
}

function body() {
  const v = state.values;
  const formObj = {
    consentsSigned: true,
    firstName: v.firstName ?? '', lastName: v.lastName ?? '', dob: v.dob ?? '', sex: v.sex ?? '',
    phone: v.phone ?? '', email: v.email ?? '', address: v.address ?? '', city: v.city ?? '',
    state: v.state ?? '', zip: v.zip ?? '',
    allergies: v.allergies ?? '', selfReportedMeds: v.selfReportedMeds ?? '', medicalConditions: v.medicalConditions ?? '',
    patientPreference: MEDICATIONS[v.medication] ? [MEDICATIONS[v.medication]] : [],
  };
  if (v.A1) Object.assign(formObj, { Q1: QUESTIONS.Q1, A1: v.A1 });
  if (v.A2) Object.assign(formObj, { Q2: QUESTIONS.Q2, A2: v.A2 });
  return { masterId: state.masterId, pharmacyId: '100482', company: 'fuseHealthTestCompany', visitType: 'weightLossGLP1', formObj };
}

/** Validates the body; shows each violation next to its field; true when this step is clean. */
function check() {
  const report = validate('visit', body());
  const step = steps[state.step];
  let clean = true;
  for (const slot of document.querySelectorAll('[data-field]')) {
    const path = slot.dataset.path ?? `/formObj/${slot.dataset.field}`;
    const mine = report.violations.filter((v) => v.path === path || v.path.startsWith(`${path}/`));
    const touched = (state.values[slot.dataset.field] ?? '') !== '';
    // An untouched field shows nothing yet, but still keeps the step from going on.
    slot.querySelector('.error').textContent = touched ? mine.map((v) => v.message).join(' ') : '';
    if (step.contains(slot) && mine.length > 0) clean = false;
  }
  return { clean, report };
}

function show() {
  steps.forEach((s, i) => { s.hidden = i !== state.step; });
  document.getElementById('progress').textContent = `Step ${state.step + 1} of ${steps.length}: ${steps[state.step].dataset.step}`;
  document.getElementById('back').disabled = state.step === 0;
  const last = state.step === steps.length - 1;
  document.getElementById('next').hidden = last;
  const { clean, report } = check();
  document.getElementById('next').disabled = !clean;
  if (last) {
    document.getElementById('body').textContent = JSON.stringify(body(), null, 2);
    document.getElementById('verdict').textContent = report.valid ? 'Ready to send.' : `Not ready: ${report.violations.map((v) => v.message).join(' ')}`;
  }
  localStorage.setItem(STORAGE, JSON.stringify(state));
}

await init();
render();
document.getElementById('wizard').addEventListener('input', (e) => {
  state.values[e.target.name] = e.target.value;
  show();
});
document.getElementById('next').addEventListener('click', () => { state.step = Math.min(state.step + 1, steps.length - 1); show(); });
document.getElementById('back').addEventListener('click', () => { state.step = Math.max(state.step - 1, 0); show(); });
show();
document.body.dataset.ready = 'true';
