import { FanOutDefinition } from '@app/contracts';

/** A fan-out step as the compiled graph holds it: where its items come from and how many it takes. */
export interface FanOutSpec {
  from: string;
  /** Keys leading to the list in the `from` step's output; empty: the output itself. */
  path: string[];
  maxItems: number;
}

/**
 * A fan-out step's sub-step is a step of its own in the store, with the id `<stepId>#<index>`:
 * a defined step id never holds '#', so the two cannot clash.
 */
export function childStepId(stepId: string, index: number): string {
  return `${stepId}#${index}`;
}

/** The fan-out step and item index of a sub-step's id; null for any other step id. */
export function parseChildStepId(id: string): { stepId: string; index: number } | null {
  // Asked on every step's completion: most ids hold no '#'.
  if (!id.includes('#')) return null;
  const match = /^(.+)#(\d+)$/.exec(id);
  return match ? { stepId: match[1], index: Number(match[2]) } : null;
}

/**
 * Checks a step's `forEach` against its dependencies and the configured ceiling; returns why it is
 * wrong, or null.
 */
export function fanOutProblem(
  forEach: FanOutDefinition,
  dependsOn: string[],
  maxFanOutItems: number,
): string | null {
  if (!dependsOn.includes(forEach.from))
    return `takes its work items from "${forEach.from}", which is not one of its dependencies`;
  const max = forEach.maxItems;
  if (max !== undefined && (!Number.isInteger(max) || max < 1 || max > maxFanOutItems))
    return `allows ${max} work items; forEach.maxItems must be an integer from 1 to ${maxFanOutItems} (FAN_OUT_MAX_ITEMS)`;
  return null;
}

export function fanOutSpecOf(forEach: FanOutDefinition, maxFanOutItems: number): FanOutSpec {
  return {
    from: forEach.from,
    path: forEach.path ? forEach.path.split('.') : [],
    maxItems: Math.min(forEach.maxItems ?? maxFanOutItems, maxFanOutItems),
  };
}

/**
 * The work items of a fan-out step, read from its `from` dependency's output, or why there are
 * none to run (not a list, or more than the step allows): a validation error of the step, which
 * no retry would change.
 */
export function fanOutItems(
  stepId: string,
  spec: FanOutSpec,
  dependencies: Record<string, unknown>,
): { items: unknown[] } | { problem: string } {
  let value: unknown = dependencies[spec.from];
  for (const key of spec.path) {
    value = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
  }
  const where = [spec.from, ...spec.path].join('.');
  if (!Array.isArray(value))
    return { problem: `step ${stepId} expects a list of work items at ${where}, found ${describe(value)}` };
  if (value.length > spec.maxItems)
    return {
      problem: `step ${stepId} got ${value.length} work items at ${where}, more than its maximum of ${spec.maxItems}`,
    };
  return { items: value };
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  return `a${typeof value === 'object' ? 'n object' : ` ${typeof value}`}`;
}
