// Compiled with `tsc --noEmit` (npm test): real calls of every function through the
// package's own name, so the `exports` map and rxgate.d.ts are what a TypeScript user sees.
import * as rxgate from 'rxgate';
import { RxgateError, type Report, type Violation, type CodeInfo } from 'rxgate';

export async function typed(): Promise<void> {
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

  const anything: unknown = rxgate.call('ops', {});
  try {
    rxgate.validate('visit', '{');
  } catch (e) {
    if (e instanceof RxgateError) {
      const c: rxgate.RxgateErrorCode = e.code;
      const p: string | undefined = e.path;
      void [c, p];
    }
  }
  void [code, belugaError, valid, names, status, normalized, retry, anything];
}

// Misuse the declarations must reject.
// @ts-expect-error an unknown kind
rxgate.validate('visits', {});
// @ts-expect-error a payload must be an object or text
rxgate.validate('visit', 42);
// The service-only operations are not in the package (ops.gen.json).
// @ts-expect-error an order decision is the service's
rxgate.checkReadiness({}, { today: '2026-11-23' });
// @ts-expect-error a webhook is the service's
rxgate.applyEvent('beluga', {}, { order: {}, now: '2026-11-23T10:00:00Z' });
// @ts-expect-error and so is its typed call
rxgate.call('diagnose', { input: {}, now: '2026-11-23T10:00:00Z' }).stage;

// Typed answers of the op table (rxgate.gen.d.ts): `call` typed by the operation's name.
export function typedAnswers(): string[] {
  const report: rxgate.Report = rxgate.call('validate_text', { kind: 'visit', text: '{}', today: '2026-11-23' });
  const normalized: rxgate.NormalizeAnswer = rxgate.call('normalize', { field: 'state', input: 'hi' });
  const parsed: rxgate.ParsedResponse = rxgate.call('parse_response', { kind: 'visit', input: { status: 200 } });
  return [String(report.valid), String(normalized.valid), parsed.classification];
}
