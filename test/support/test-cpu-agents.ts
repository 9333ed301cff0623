import { Agent } from '@app/agent-sdk';
import { LogLevel } from '@app/contracts';
import { recordingAgent } from './test-agents';
import { crashIfTask, spinTask } from './test-cpu.task';

/**
 * Agents whose work is CPU-bound, for the CPU pool's end-to-end tests (`AGENT_MODULES`). Each
 * records its executions like the other test agents and logs before handing work to the pool.
 */

/** Spins `input.spinMs[stepId]` ms (default 0) in the pool; returns the thread it ran on. */
const spin = recordingAgent(
  'test-cpu-spin',
  async (context) => {
    const ms = ((context.input.spinMs ?? {}) as Record<string, number>)[context.stepId] ?? 0;
    context.log(LogLevel.Info, `spinning ${ms} ms in the CPU pool`);
    return context.runCpuTask(spinTask, { ms });
  },
  { cpuTasks: [spinTask] },
);

/** Crashes its pool thread on the first attempt, then succeeds. */
const crash = recordingAgent(
  'test-cpu-crash',
  async (context) => context.runCpuTask(crashIfTask, { isCrashing: context.attempt === 1 }),
  { cpuTasks: [crashIfTask], retry: { initialDelayMs: 50, maxDelayMs: 100 } },
);

/** Spins a minute under a one-second limit: every attempt times out. */
const overrun = recordingAgent(
  'test-cpu-overrun',
  async (context) => context.runCpuTask(spinTask, { ms: 60_000 }),
  { cpuTasks: [spinTask], timeoutSeconds: 1, retry: { initialDelayMs: 50, maxDelayMs: 100 } },
);

export function createAgents(): Agent[] {
  return [spin, crash, overrun];
}
