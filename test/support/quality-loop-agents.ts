import { AgentContext, RevisionRequested } from '@app/agent-sdk';
import { recordingAgent } from './test-agents';

/**
 * A draft and a check of it, for the quality-loop spec; loaded into orchestrators through
 * `AGENT_MODULES` beside test-agents.ts (whose recorder counts their executions).
 */

/** A draft with as many findings as iterations are left before `input.passOnIteration`. */
interface Draft {
  iteration: number;
  /** What the check said about the previous draft, as `context.feedback` gave it. */
  fixing: unknown;
}

/**
 * Writes draft number `context.feedback.iteration` (1 without feedback), keeping the feedback it
 * was sent back with, so the spec sees that the check's findings reached it.
 */
const draft = recordingAgent('test-draft', async (context: AgentContext): Promise<Draft> => ({
  iteration: context.feedback?.iteration ?? 1,
  fixing: context.feedback ?? null,
}));

/**
 * Passes a draft of iteration `input.passOnIteration` or later (0: never); sends an earlier one
 * back with one finding per iteration still missing.
 */
const check = recordingAgent('test-check', async (context: AgentContext) => {
  const { iteration } = Object.values(context.dependencies).find(
    (output): output is Draft => typeof (output as Draft | null)?.iteration === 'number',
  ) ?? { iteration: 0 };
  const passOn = Number(context.input.passOnIteration ?? 0);
  if (passOn > 0 && iteration >= passOn) return { passed: true, iteration };
  const findings = Array.from(
    { length: (passOn || 4) - iteration },
    (_, n) => `finding ${n + 1} of draft ${iteration}`,
  );
  throw new RevisionRequested(`draft ${iteration} has ${findings.length} finding(s)`, { findings });
});

export function createAgents() {
  return [draft, check];
}
