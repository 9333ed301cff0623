import { CliContext } from './cli-context';
import { ExitCode } from './cli-error';
import { checkedWorkflowId } from './gateway.client';
import { jsonObject, reportState } from './workflow.commands';

/** `approve ID STEP [--payload JSON] [--comment TEXT]`: the payload becomes the step's output. */
export async function approveCommand(
  context: CliContext,
  workflowId: string,
  stepId: string,
  options: { payload?: string; comment?: string },
): Promise<ExitCode> {
  const id = checkedWorkflowId(workflowId);
  const payload = options.payload === undefined ? undefined : jsonObject(options.payload, '--payload');
  const { client } = await context.connect();
  return reportState(
    context,
    await client.decide(id, stepId, 'approve', {
      ...(payload ? { payload } : {}),
      ...(options.comment === undefined ? {} : { comment: options.comment }),
    }),
  );
}

/** `reject ID STEP [--comment TEXT]`: the workflow ends FAILED. */
export async function rejectCommand(
  context: CliContext,
  workflowId: string,
  stepId: string,
  options: { comment?: string },
): Promise<ExitCode> {
  const id = checkedWorkflowId(workflowId);
  const { client } = await context.connect();
  return reportState(
    context,
    await client.decide(
      id,
      stepId,
      'reject',
      options.comment === undefined ? {} : { comment: options.comment },
    ),
  );
}

/** `pause ID` and `resume ID`. */
export async function controlCommand(
  context: CliContext,
  workflowId: string,
  action: 'pause' | 'resume',
): Promise<ExitCode> {
  const id = checkedWorkflowId(workflowId);
  const { client } = await context.connect();
  return reportState(context, await client.control(id, action));
}
