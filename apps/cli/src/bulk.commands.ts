import { setTimeout as sleep } from 'node:timers/promises';
import { BulkActionKind, BulkActionProgress, BulkActionState } from '@app/contracts';
import { CliContext } from './cli-context';
import { CliError, ExitCode } from './cli-error';
import { checkedWorkflowId } from './gateway.client';
import { WorkflowFilterOptions, workflowFilterOf } from './workflow.commands';

/** How often `bulk --wait` asks how far the action has come. */
const BULK_POLL_MS = 500;

/** `bulk ACTION (--ids ID,... | filters) [--from-step STEP] [--wait]`. */
export async function bulkCommand(
  context: CliContext,
  action: string,
  options: WorkflowFilterOptions & { ids?: string; fromStep?: string; wait?: boolean },
): Promise<ExitCode> {
  if (!Object.values<string>(BulkActionKind).includes(action))
    throw new CliError(`action must be one of ${Object.values(BulkActionKind).join(', ')}`, ExitCode.Usage);
  const filter = workflowFilterOf(options);
  const ids = options.ids?.split(',').map((id) => checkedWorkflowId(id.trim()));
  if (ids && Object.keys(filter).length > 0)
    throw new CliError('give --ids or filters, not both', ExitCode.Usage);
  const { client } = await context.connect();
  const started = await client.bulk({
    action: action as BulkActionKind,
    ...(ids ? { ids } : { filter }),
    ...(options.fromStep === undefined ? {} : { fromStep: options.fromStep }),
  });
  const { output } = context;
  if (!options.wait) {
    if (output.isMachine) output.value(started);
    else output.line(`bulk ${action} ${started.jobId} queued (ao bulk-status ${started.jobId} to follow it)`);
    return ExitCode.Ok;
  }
  let isInterrupted = false;
  void context.interrupted.then(() => (isInterrupted = true));
  let progress: BulkActionProgress;
  for (;;) {
    progress = await client.bulkProgress(started.jobId);
    if (progress.state === BulkActionState.Completed || progress.state === BulkActionState.Failed) break;
    if (isInterrupted) {
      process.stderr.write(
        `stopped waiting; bulk action ${started.jobId} goes on (ao bulk-status ${started.jobId})\n`,
      );
      return ExitCode.Interrupted;
    }
    await sleep(BULK_POLL_MS);
  }
  return reportBulk(context, progress);
}

/** `bulk-status JOB`: how far a bulk action has come. */
export async function bulkStatusCommand(context: CliContext, jobId: string): Promise<ExitCode> {
  const { client } = await context.connect();
  return reportBulk(context, await client.bulkProgress(jobId));
}

/** Exit 0 unless the action failed, or failed for some workflow. */
function reportBulk(context: CliContext, progress: BulkActionProgress): ExitCode {
  const { output } = context;
  if (output.isMachine) output.value(progress);
  else {
    output.line(
      `bulk ${progress.action} ${progress.jobId} ${progress.state}: ${progress.succeeded} succeeded, ${progress.failed} failed, ${progress.skipped} skipped of ${progress.total ?? '?'}`,
    );
    for (const problem of progress.problems) output.line(`  ${problem.workflowId}: ${problem.message}`);
    if (progress.error) output.line(`  ${progress.error}`);
  }
  return progress.state === BulkActionState.Failed || progress.failed > 0
    ? ExitCode.WorkflowNotCompleted
    : ExitCode.Ok;
}
