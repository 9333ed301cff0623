import { StepLimit } from '@app/contracts';

/** What a limit's key is computed from: one step of one workflow. */
export interface StepSubject {
  agent: string;
  tenant: string;
  workflowType: string;
  input: Readonly<Record<string, unknown>>;
  preferences: Readonly<Record<string, unknown>>;
}

/** A key field's value where the step has none (see {@link limitKeyOf}). */
export const MISSING_KEY_VALUE = '-';

/**
 * A limit's key value for a step, as `field=value` pairs (`agent=content tenant=acme`), and the
 * fields the step lacks. The documented rule for a missing field (an `input.<path>` the input does
 * not have, a `model` no one set): it takes the value `-`, so every such step shares one budget;
 * the limit still holds and nothing fails, and the caller logs it.
 */
export function limitKeyOf(limit: StepLimit, subject: StepSubject): { value: string; missing: string[] } {
  const missing: string[] = [];
  const parts = limit.key.map((field) => {
    const value = fieldValue(field, subject);
    if (value === undefined) missing.push(field);
    return `${field}=${value ?? MISSING_KEY_VALUE}`;
  });
  return { value: parts.join(' '), missing };
}

function fieldValue(field: string, subject: StepSubject): string | undefined {
  switch (field) {
    case 'agent':
      return subject.agent;
    case 'tenant':
      return subject.tenant;
    case 'workflowType':
      return subject.workflowType;
    case 'model':
      return scalar(subject.preferences.model) ?? scalar(subject.input.model);
    default: {
      let value: unknown = subject.input;
      for (const key of field.split('.').slice(1)) {
        if (value === null || typeof value !== 'object') return undefined;
        value = (value as Record<string, unknown>)[key];
      }
      return scalar(value);
    }
  }
}

/** A value a key may hold: a string, a number or a boolean; anything else counts as missing. */
function scalar(value: unknown): string | undefined {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
    return String(value);
  return undefined;
}

/** A limit's numbers as a reason shows them: `2/s`, `10/60s`, `3 at once`. */
export function describeLimit(
  limit: Pick<StepLimit, 'rate' | 'concurrency'>,
  kind: 'rate' | 'concurrency',
): string {
  if (kind === 'concurrency') return `${limit.concurrency?.slots ?? 0} at once`;
  const { requests = 0, periodSeconds = 1 } = limit.rate ?? {};
  return `${requests}/${periodSeconds === 1 ? '' : periodSeconds}s`;
}
