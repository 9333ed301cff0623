import { Agent } from '@app/agent-sdk';

/** When each no-op step started and ended, in this process's clock (the bench runs in-process). */
export const stepTimes: { workflowId: string; stepId: string; startedAt: number; endedAt: number }[] = [];

const noop: Agent = {
  descriptor: { name: 'bench-noop', version: '1.0.0', description: 'does nothing, records when' },
  async execute(context) {
    const startedAt = performance.now();
    stepTimes.push({
      workflowId: context.workflowId,
      stepId: context.stepId,
      startedAt,
      endedAt: performance.now(),
    });
    return null;
  },
};

export function createAgents(): Agent[] {
  return [noop];
}
