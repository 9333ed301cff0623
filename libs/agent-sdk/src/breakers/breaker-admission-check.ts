import type { Admission, AdmissionStep, StepAdmissionCheck } from '@app/flow-control';
import { CircuitBreakers } from './circuit-breakers';

/**
 * The breakers as a check of the worker's admission gate: a step whose agent declares a dependency
 * (its descriptor's `dependencies`) whose breaker is open waits in its queue until the breaker may
 * let it through, its attempt unspent and its `waitingFor` saying
 * `circuit open: http:api.example.com until 12:03:04Z`. While half-open, the steps that begin are
 * the probes (as many as the breaker allows, across every worker); the probe lease taken here is
 * the one the step's own call uses, and goes back unused when the step never made the call.
 */
export class BreakerAdmissionCheck implements StepAdmissionCheck {
  readonly name = 'breakers';

  constructor(
    private readonly breakers: CircuitBreakers,
    /** The dependencies each agent declares, by agent name. */
    private readonly dependenciesByAgent: ReadonlyMap<string, readonly string[]>,
  ) {}

  appliesTo(step: AdmissionStep): boolean {
    return (this.dependenciesByAgent.get(step.agent)?.length ?? 0) > 0;
  }

  async admit(step: AdmissionStep): Promise<Admission> {
    const answer = await this.breakers.admit(this.dependenciesByAgent.get(step.agent) ?? []);
    if (!answer.admitted)
      return {
        admitted: false,
        retryInMs: Math.max(50, answer.retryAt.getTime() - Date.now()),
        reason: answer.reason,
        kind: 'breaker',
      };
    return { admitted: true, release: () => this.breakers.releaseAdmission(answer.tickets) };
  }
}
