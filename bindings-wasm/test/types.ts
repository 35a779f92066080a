// Compiled with `tsc --noEmit` (npm test): real calls of every function through the
// package's own name, so the `exports` map and rxgate.d.ts are what a TypeScript user sees.
import * as rxgate from 'rxgate';
import { RxgateError, type Report, type Violation, type CodeInfo } from 'rxgate';

export async function typed(snapshot: rxgate.OrderSnapshot): Promise<void> {
  await rxgate.init();
  const report: Report = rxgate.validate('visit', { formObj: {} }, { today: '2026-11-23' });
  const fromText: Report = rxgate.validate('lab', '{"formObj": {}}');
  const first: Violation | undefined = report.violations[0];
  const code: string | undefined = first?.code;
  const belugaError: string | null | undefined = first?.beluga_error;
  const valid: boolean = fromText.valid && report.warnings.length === 0;

  const today: string = rxgate.defaultToday();
  const names: string[] = rxgate.ops().map((o) => o.name);
  const registry: CodeInfo[] = rxgate.codes();
  const status: 'stable' | 'deprecated' | 'removed' | undefined = registry[0]?.status;

  const phone = rxgate.normalize('phone', '+1 (737) 204-6619');
  const normalized: string = phone.valid ? phone.value : phone.code;
  const parsed = rxgate.parseResponse('visit', { status: 400, body: { error: 'Dob error' } });
  const retry: boolean = parsed.classification === 'retry_later';

  const readiness = rxgate.checkReadiness(snapshot, { today });
  const ready: boolean = readiness.status === 'ready' && readiness.reasons.every((r) => r.actor !== 'patient');
  const submit = rxgate.decideSubmit(snapshot, { trigger: 'checkout_paid', now: '2026-11-23T10:00:00Z' });
  const submitNow: boolean = submit.decision === 'submit';
  const retryDecision = rxgate.decideRetry(snapshot, { today });
  const built = rxgate.buildVisit(snapshot, { master_id: 'm-1', today });
  const body = built.valid ? built.body : undefined;
  const pharmacy: string | null = rxgate.selectPharmacy(snapshot).pharmacy_id;
  const plan = rxgate.routeFulfillment(snapshot);
  const actions: rxgate.RouteAction[] = plan.routes.map((r) => r.action);
  const boundary = rxgate.checkBoundary(snapshot, { now: '2026-11-23T10:00:00Z' });
  const state = rxgate.orderState(snapshot);
  const applied = rxgate.applyOrderFacts(snapshot, { facts: [] });
  const cancel = rxgate.checkCancel(snapshot, { reason: 'patient asked', confirmed: true });
  const messages = rxgate.messageVisibility(snapshot);
  const view = rxgate.patientView(snapshot, { now: '2026-11-23T10:00:00Z' });
  const diagnosis = rxgate.diagnose(snapshot, { now: '2026-11-23T10:00:00Z' });
  const next: rxgate.Actor = diagnosis.next_action.actor;
  const plan2 = rxgate.planSubmission(snapshot, { trigger: 'checkout_paid', manual: false, master_id: 'm-1', attempt: 0, now: Date.now() });
  const queued: rxgate.PlannedCall | null | undefined = plan2.decision === 'submit' ? plan2.call : undefined;
  const outcome = rxgate.recordCallOutcome(snapshot, {
    call: { kind: 'dispensepro_order', pharmacy_id: 'ph_1', item_ids: ['item_1'], attempt: 1, max_attempts: 5 },
    answer: { unsendable: 'partner_not_configured' },
    now: '2026-11-23T10:00:00Z',
  });
  const retryLater: boolean = outcome.disposition === 'retry';
  const message = rxgate.buildMessage(snapshot, { to: 'cs', content: 'hello', master_id: 'm-1' });
  const internal: boolean = message.activity?.patient_visible === false;
  void [queued, retryLater, internal];
  const cancelAllowed: boolean = diagnosis.allowed_actions.some((a) => a.action === 'cancel' && a.allowed);
  const parts = rxgate.splitOrder(snapshot);
  const assembled: rxgate.OrderSnapshot = rxgate.assembleOrder(parts.clinic, parts.rxgate, {
    beluga_api_key_configured: true,
    pharmacies: { ph_1: { credentials_configured: true } },
  }).snapshot;
  const anything: unknown = rxgate.call('ops', {});
  const event: rxgate.ParseOutcome = rxgate.parseEvent('beluga', { event: 'RX_WRITTEN' });
  const key = rxgate.eventKey('lifefile', {}, { pharmacy_id: 'ph_1' });
  const applied2: rxgate.EventAnswer = rxgate.applyEvent('beluga', {}, { order: snapshot, now: Date.now() });
  const redacted = rxgate.redactEvent('dispensepro', {});
  const verified = rxgate.verifyWebhook('beluga', { headers: {}, body: '{}', config: {}, now: '2026-11-23T10:00:00Z' });
  void [event, key, applied2, redacted, verified];

  try {
    rxgate.validate('visit', '{');
  } catch (e) {
    if (e instanceof RxgateError) {
      const c: rxgate.RxgateErrorCode = e.code;
      const p: string | undefined = e.path;
      void [c, p];
    }
  }
  void [code, belugaError, valid, names, status, normalized, retry, ready, submitNow, retryDecision,
    body, pharmacy, actions, boundary.items, state.order_status, applied.state, cancel.decision,
    messages.rules, view.stage, anything, cancelAllowed, assembled];
}

// Misuse the declarations must reject.
// @ts-expect-error an unknown kind
rxgate.validate('visits', {});
// @ts-expect-error a payload must be an object or text
rxgate.validate('visit', 42);
// @ts-expect-error a decision needs its date
rxgate.checkReadiness({}, {});
// @ts-expect-error an unknown trigger
rxgate.decideSubmit({}, { trigger: 'paid', today: '2026-11-23' });
// @ts-expect-error a message goes to cs or patient
rxgate.buildMessage({}, { to: 'doctor', content: 'x', master_id: 'm-1' });
// @ts-expect-error a call outcome needs the call
rxgate.recordCallOutcome({}, { answer: { status: 200 }, now: '2026-11-23T10:00:00Z' });

// Typed answers of the op table (rxgate.gen.d.ts): the snapshot, an event's answer narrowed
// on `valid`, the diagnosis, and `call` typed by the operation's name.
export function typedAnswers(snapshot: rxgate.OrderSnapshot, body: rxgate.JsonValue): string[] {
  const answer: rxgate.EventAnswer = rxgate.applyEvent('beluga', body, { order: snapshot, now: '2026-11-23T10:00:00Z' });
  const seen: string[] = [];
  if (answer.valid) {
    const after: rxgate.OrderSnapshot = answer.snapshot;
    const status: rxgate.OrderStatus | null | undefined = answer.order_state.order_status;
    seen.push(String(status), after.order.number, answer.outcome);
  } else {
    const rejected: 'rejected' = answer.outcome;
    seen.push(rejected, ...answer.violations.map((v) => v.code), ...answer.keys);
  }
  const diagnosis: rxgate.Diagnosis = rxgate.call('diagnose', { input: snapshot, now: Date.now() });
  const state: rxgate.OrderState = rxgate.call('order_state', { input: snapshot });
  seen.push(diagnosis.stage, diagnosis.next_action.actor, String(state.submit_status));
  return seen;
}
