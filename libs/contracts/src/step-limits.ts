/**
 * What a limit's key may be built from. `input.<path>` reads a field of the workflow's input by
 * dot-separated keys (`input.site.id`); `model` is the workflow's `preferences.model`, else its
 * `input.model`. Each distinct key value has its own budget: `['tenant']` limits each tenant apart.
 */
export const STEP_LIMIT_KEY_FIELDS = ['agent', 'tenant', 'workflowType', 'model'] as const;

/** A key field: one of {@link STEP_LIMIT_KEY_FIELDS} or `input.<path>`. */
export type StepLimitKeyField = (typeof STEP_LIMIT_KEY_FIELDS)[number] | `input.${string}`;

/** Steps that may begin per period, by GCRA: evenly spaced, with up to `burst` at once. */
export class StepRateLimit {
  /** Steps per period, > 0. */
  requests!: number;
  /** The period in seconds, > 0 (so `{ requests: 2, periodSeconds: 1 }` is 2/s). */
  periodSeconds!: number;
  /** Steps that may begin at once after a quiet spell, >= 1; 1 (evenly spaced) when absent. */
  burst?: number;
}

/** Steps that may run at once, each holding a slot leased for `leaseSeconds`, renewed while it runs. */
export class StepConcurrencyLimit {
  /** Slots, an integer > 0. */
  slots!: number;
  /**
   * How long a slot stays taken after its holder stops renewing it (its process died), > 0;
   * 30 s when absent. A running step renews it at a third of this.
   */
  leaseSeconds?: number;
}

/**
 * A limit on when steps may begin, declared by an agent (its descriptor's `limits`, for every
 * step it runs) or by a workflow definition (for every step of that workflow type). A step that
 * may not begin yet waits in its queue (READY, `waitingFor` saying which limit) and never fails.
 */
export class StepLimit {
  /**
   * Names the limit in waiting reasons, metrics and per-deployment overrides
   * (`FLOW_CONTROL_LIMITS`); unique among the limits of its agent or definition.
   */
  name!: string;
  /** What one budget is shared by, e.g. `['agent', 'tenant']` or `['input.siteId']`; `[]`: everyone. */
  key!: StepLimitKeyField[];
  rate?: StepRateLimit;
  concurrency?: StepConcurrencyLimit;
}
