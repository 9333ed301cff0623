import { StepRunFigures } from '@app/contracts';
import { CliContext } from './cli-context';
import { ExitCode } from './cli-error';
import { checkedWorkflowId } from './gateway.client';
import { follow, jsonObject } from './workflow.commands';

/** `replay ID STEP [--input JSON] [--wait | --watch]`: a new workflow from STEP on, reusing the rest. */
export async function replayCommand(
  context: CliContext,
  workflowId: string,
  fromStep: string,
  options: { input?: string; wait?: boolean; watch?: boolean },
): Promise<ExitCode> {
  const id = checkedWorkflowId(workflowId);
  const input = options.input === undefined ? undefined : jsonObject(options.input, '--input');
  const { client } = await context.connect();
  const started = await client.replay(id, { fromStep, ...(input ? { input } : {}) });
  if (options.wait || options.watch) return follow(context, started.workflowId, { isQuiet: !options.watch });
  if (context.output.isMachine) context.output.value(started);
  else
    context.output.line(
      `workflow ${started.workflowId} replays ${id} from ${fromStep} (reused: ${started.reusedSteps.join(', ') || 'none'})`,
    );
  return ExitCode.Ok;
}

const figures = (step: StepRunFigures | null, value: (step: StepRunFigures) => unknown) =>
  step ? value(step) : '';

/** `diff ID OTHER`: the two workflows step by step. */
export async function diffCommand(
  context: CliContext,
  workflowId: string,
  otherId: string,
): Promise<ExitCode> {
  const { client } = await context.connect();
  const diff = await client.diff(checkedWorkflowId(workflowId), checkedWorkflowId(otherId));
  const { output } = context;
  if (output.isMachine) return (output.value(diff), ExitCode.Ok);
  output.list(diff.steps, {
    step: (step) => step.stepId,
    output: (step) =>
      step.isOutputChanged === null ? '?' : step.isOutputChanged ? output.color('changed', 'yellow') : 'same',
    reused: (step) => (step.workflow?.isReused ? 'yes' : ''),
    ms: (step) => figures(step.workflow, (figure) => figure.durationMs ?? '-'),
    'other ms': (step) => figures(step.other, (figure) => figure.durationMs ?? '-'),
    tokens: (step) => figures(step.workflow, (figure) => figure.llmTokens),
    'other tokens': (step) => figures(step.other, (figure) => figure.llmTokens),
  });
  return ExitCode.Ok;
}
