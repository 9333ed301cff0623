import { randomUUID } from 'node:crypto';
import { LogLevel, WorkflowEventType, WorkflowFilter, WorkflowState, WorkflowStatus } from '@app/contracts';
import { CliContext } from './cli-context';
import { CliError, ExitCode } from './cli-error';
import { checkedWorkflowId } from './gateway.client';
import { WorkflowEventStream, endsFrom } from './workflow-event.stream';
import { WorkflowView, formatDuration, siteAddress } from './workflow-view';
import { outcomeLine, watchWorkflow } from './workflow-watch';

const LEVELS = Object.values(LogLevel);
const STATUSES = Object.values(WorkflowStatus);

export interface StartOptions {
  request?: string;
  input?: string;
  preferences?: string;
  session?: string;
  wait?: boolean;
  watch?: boolean;
}

/** `start TYPE`: the id on stdout, or with --wait/--watch, how it ended. */
export async function startCommand(
  context: CliContext,
  type: string,
  options: StartOptions,
): Promise<ExitCode> {
  const input = {
    ...jsonObject(options.input, '--input'),
    ...(options.request ? { request: options.request } : {}),
  };
  const { client } = await context.connect();
  const { workflowId } = await client.start({
    type,
    input,
    sessionId: options.session ?? `cli-${randomUUID()}`,
    ...(options.preferences ? { preferences: jsonObject(options.preferences, '--preferences') } : {}),
  });
  if (!options.wait && !options.watch) {
    if (context.output.isMachine) context.output.value({ workflowId });
    else context.output.line(workflowId);
    return ExitCode.Ok;
  }
  if (!context.output.isMachine) process.stderr.write(`started ${type} ${workflowId}\n`);
  return follow(context, workflowId, { isQuiet: !options.watch });
}

/** `watch ID`: the live graph until the workflow ends; exits as `start --wait` does. */
export function watchCommand(context: CliContext, workflowId: string): Promise<ExitCode> {
  return follow(context, checkedWorkflowId(workflowId), { isQuiet: false });
}

export async function follow(
  context: CliContext,
  workflowId: string,
  options: { isQuiet: boolean; endsFrom?: number },
): Promise<ExitCode> {
  const { connection, client } = await context.connect();
  const { output } = context;
  const outcome = await watchWorkflow({
    connection,
    client,
    output,
    workflowId,
    isQuiet: options.isQuiet,
    endsFrom: options.endsFrom,
    interrupted: context.interrupted,
  });
  if (!outcome) {
    const { status } = await client.get(workflowId).catch(() => ({ status: 'still running' }));
    process.stderr.write(
      `stopped watching; workflow ${workflowId} is ${status} and goes on (ao watch ${workflowId} to follow it again, ao cancel ${workflowId} to stop it)\n`,
    );
    return ExitCode.Interrupted;
  }
  if (output.isMachine) {
    const state = await client.get(workflowId);
    if (output.format === 'json') output.value(state);
  } else {
    output.line(outcomeLine(outcome, connection.url));
  }
  if (outcome.status === WorkflowStatus.Completed) return ExitCode.Ok;
  const reason = outcome.view.error ? `: ${outcome.view.error}` : '';
  process.stderr.write(`workflow ${workflowId} ${outcome.status}${reason}\n`);
  return ExitCode.WorkflowNotCompleted;
}

/** `logs ID`: its log lines, at `--level` or above; with -f, live until the workflow ends. */
export async function logsCommand(
  context: CliContext,
  workflowId: string,
  options: { follow?: boolean; level?: string },
): Promise<ExitCode> {
  const id = checkedWorkflowId(workflowId);
  const minimum = options.level === undefined ? 0 : LEVELS.indexOf(options.level as LogLevel);
  if (minimum < 0)
    throw new CliError(`unknown level "${options.level}": use ${LEVELS.join(', ')}`, ExitCode.Usage);
  const isShown = (level: LogLevel) => LEVELS.indexOf(level) >= minimum;
  const { connection, client } = await context.connect();
  const { output } = context;
  const collected: unknown[] = [];
  const print = (
    line: { timestamp: string; level: LogLevel; source: string | null; message: string },
    raw: unknown,
  ) => {
    if (!isShown(line.level)) return;
    if (output.format === 'json') return void collected.push(raw);
    if (output.format === 'jsonl') return output.value(raw);
    const level = line.level.toUpperCase().padEnd(7);
    const colored =
      line.level === LogLevel.Error
        ? output.color(level, 'red')
        : line.level === LogLevel.Warning
          ? output.color(level, 'yellow')
          : level;
    output.line(`${line.timestamp} ${colored} ${line.source ? `[${line.source}] ` : ''}${line.message}`);
  };
  if (!options.follow) {
    for (const entry of await client.logs(id)) print({ ...entry, source: entry.agent }, entry);
  } else {
    // An unknown id fails here, with the REST answer's exit code.
    const stream = new WorkflowEventStream(connection, id, endsFrom(await client.events(id)));
    const ended = stream.follow({
      onEvent: (event) => {
        if (event.type === WorkflowEventType.Log)
          print({ ...event, source: event.stepId ?? event.agent }, event);
      },
    });
    const outcome = await Promise.race([ended, context.interrupted.then(() => null)]);
    stream.close();
    if (!outcome) return ExitCode.Interrupted;
  }
  if (output.format === 'json') output.value(collected);
  return ExitCode.Ok;
}

/** The filter options of `list` and `bulk`. */
export interface WorkflowFilterOptions {
  status?: string;
  type?: string;
  tenant?: string;
  search?: string;
  from?: string;
  to?: string;
}

/** The wire filter of those options, without the ones not given. */
export function workflowFilterOf(options: WorkflowFilterOptions): WorkflowFilter {
  const filter = {
    // The gateway validates the status; `bulk` hands it over as typed.
    status: options.status as WorkflowStatus | undefined,
    type: options.type,
    tenantId: options.tenant,
    q: options.search,
    from: options.from,
    to: options.to,
  };
  return Object.fromEntries(Object.entries(filter).filter(([, value]) => value !== undefined));
}

/** `list`: workflows, newest first, filtered. */
export async function listCommand(
  context: CliContext,
  options: WorkflowFilterOptions & { limit?: string; cursor?: string },
): Promise<ExitCode> {
  const status = options.status?.toUpperCase();
  if (status !== undefined && !STATUSES.includes(status as WorkflowStatus)) {
    throw new CliError(`unknown status "${options.status}": use ${STATUSES.join(', ')}`, ExitCode.Usage);
  }
  const limit = integer(options.limit, '--limit', 1, 100);
  const { client } = await context.connect();
  const page = await client.list({
    ...workflowFilterOf({ ...options, status }),
    limit,
    cursor: options.cursor,
  });
  const { output } = context;
  if (output.format === 'json') return (output.value(page), ExitCode.Ok);
  output.list(
    page.items,
    {
      id: (workflow) => workflow.workflowId,
      type: (workflow) => workflow.type,
      status: (workflow) => output.status(workflow.status),
      created: (workflow) => workflow.createdAt,
      took: (workflow) =>
        workflow.finishedAt
          ? formatDuration(Date.parse(workflow.finishedAt) - Date.parse(workflow.createdAt))
          : '',
      error: (workflow) => workflow.error ?? '',
    },
    'no workflows match',
  );
  if (!output.isMachine && page.nextCursor) output.line(`… more: --cursor ${page.nextCursor}`);
  return ExitCode.Ok;
}

/** `get ID`: the workflow's state and its steps. */
export async function getCommand(context: CliContext, workflowId: string): Promise<ExitCode> {
  const { client, connection } = await context.connect();
  const state = await client.get(checkedWorkflowId(workflowId));
  const { output } = context;
  if (output.isMachine) return (output.value(state), ExitCode.Ok);
  describe(context, state);
  const view = new WorkflowView(state);
  output.line();
  output.list(view.steps, {
    step: (step) => `${'  '.repeat(step.depth)}${step.stepId}`,
    agent: (step) => step.agent,
    state: (step) => output.status(step.lifecycle),
    attempts: (step) => step.attempts,
    time: (step) => formatDuration(view.durationOf(step, Date.now())),
    after: (step) => step.dependsOn.join(', '),
    note: (step) => step.error ?? step.waitingFor ?? '',
  });
  const site = siteAddress(state.result, connection.url);
  if (site) output.line(`\nsite: ${site}`);
  return ExitCode.Ok;
}

/** `cancel ID`. */
export async function cancelCommand(context: CliContext, workflowId: string): Promise<ExitCode> {
  const { client } = await context.connect();
  return reportState(context, await client.cancel(checkedWorkflowId(workflowId)));
}

/** A workflow's new state after a command changed it: its status, or the state for machines. */
export function reportState(context: CliContext, state: WorkflowState): ExitCode {
  if (context.output.isMachine) context.output.value(state);
  else context.output.line(`workflow ${state.workflowId} ${state.status}`);
  return ExitCode.Ok;
}

/** `retry ID`: a FAILED workflow resumes from the step that failed. */
export async function retryCommand(
  context: CliContext,
  workflowId: string,
  options: { wait?: boolean; watch?: boolean },
): Promise<ExitCode> {
  const id = checkedWorkflowId(workflowId);
  const { client } = await context.connect();
  const isFollowing = Boolean(options.wait || options.watch);
  // The failed run's events end with its failure: only an end after them counts.
  const firstEnd = isFollowing ? ((await client.events(id)).at(-1)?.eventId ?? 0) + 1 : 0;
  const answer = await client.retry(id);
  if (isFollowing) return follow(context, id, { isQuiet: !options.watch, endsFrom: firstEnd });
  if (context.output.isMachine) context.output.value(answer ?? { workflowId: id });
  else context.output.line(`workflow ${id} retried`);
  return ExitCode.Ok;
}

function describe(context: CliContext, state: WorkflowState): void {
  const { output } = context;
  const rows: [string, string][] = [
    ['workflow', state.workflowId],
    ['type', state.type],
    ['status', output.status(state.status)],
    ['tenant', state.tenantId],
    ['session', state.sessionId],
    ['created', state.createdAt],
    ['finished', state.finishedAt ?? ''],
    ['retries', String(state.metrics.retryCount)],
  ];
  if (state.error) rows.push(['error', state.error]);
  for (const [name, value] of rows) output.line(`${name.padEnd(9)} ${value}`);
}

/** A JSON object given as an option's value; a usage error otherwise. */
export function jsonObject(text: string | undefined, option: string): Record<string, unknown> {
  if (text === undefined) return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new CliError(`${option} is not JSON: ${text.slice(0, 80)}`, ExitCode.Usage);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new CliError(`${option} must be a JSON object`, ExitCode.Usage);
  }
  return value as Record<string, unknown>;
}

function integer(text: string | undefined, option: string, min: number, max: number): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new CliError(
      `${option} must be an integer from ${min}${max < Number.MAX_SAFE_INTEGER ? ` to ${max}` : ''}`,
      ExitCode.Usage,
    );
  }
  return value;
}
