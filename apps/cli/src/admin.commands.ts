import { API_KEY_ROLES, AgentVersion, AgentWorkerStatus, ApiKeySummary, CreatedApiKey } from '@app/contracts';
import { CliContext } from './cli-context';
import { CliError, ExitCode } from './cli-error';

/** `agents`: the agents the workers serve, by version. */
export async function agentsCommand(context: CliContext): Promise<ExitCode> {
  const { client } = await context.connect();
  const agents = (await client.agents()) as (Partial<AgentVersion> & { name: string })[];
  context.output.list(agents, {
    name: (agent) => agent.name,
    version: (agent) => agent.version,
    workers: (agent) => agent.liveWorkers,
    description: (agent) => agent.description,
  });
  return ExitCode.Ok;
}

/** `workers`: the agent workers, alive and recently gone. */
export async function workersCommand(context: CliContext): Promise<ExitCode> {
  const { client } = await context.connect();
  const workers = (await client.workers()) as AgentWorkerStatus[];
  context.output.list(workers, {
    name: (worker) => worker.name,
    worker: (worker) => worker.workerId,
    status: (worker) => worker.status,
    host: (worker) => `${worker.host}:${worker.pid}`,
    concurrency: (worker) => worker.concurrency,
    gone: (worker) => worker.goneAt ?? '',
    // Last: the longest, free to run past the terminal's width.
    agents: (worker) => worker.agents.map((agent) => `${agent.name}@${agent.version}`).join(', '),
  });
  return ExitCode.Ok;
}

/** `queues`: the job counts of every queue (admin keys). */
export async function queuesCommand(context: CliContext): Promise<ExitCode> {
  const { client } = await context.connect();
  const queues = await client.queues();
  context.output.list(queues, {
    queue: (queue) => queue.name,
    paused: (queue) => (queue.isPaused ? 'yes' : ''),
    waiting: (queue) => queue.counts.waiting,
    active: (queue) => queue.counts.active,
    delayed: (queue) => queue.counts.delayed,
    failed: (queue) => queue.counts.failed,
    completed: (queue) => queue.counts.completed,
    // An agent's step queue split by STEP_QUEUE_PARTITIONS: its counts are the partitions' sum.
    partitions: (queue) => queue.partitions,
  });
  return ExitCode.Ok;
}

/** `keys [list]`: API keys (admin keys). */
export async function listKeysCommand(context: CliContext, options: { tenant?: string }): Promise<ExitCode> {
  const { client } = await context.connect();
  const keys = (await client.keys(options.tenant)) as ApiKeySummary[];
  context.output.list(keys, {
    id: (key) => key.id,
    tenant: (key) => key.tenantId,
    role: (key) => key.role,
    state: (key) => (key.revokedAt ? `revoked ${key.revokedAt}` : 'active'),
    name: (key) => key.name,
  });
  return ExitCode.Ok;
}

/** `keys create`: the key is shown once, on stdout alone (the rest on stderr), for `$(…)`. */
export async function createKeyCommand(
  context: CliContext,
  options: { tenant: string; role: string; name?: string },
): Promise<ExitCode> {
  if (!API_KEY_ROLES.includes(options.role as never)) {
    throw new CliError(`unknown role "${options.role}": use ${API_KEY_ROLES.join(' or ')}`, ExitCode.Usage);
  }
  const { client } = await context.connect();
  const created = (await client.createKey({
    tenantId: options.tenant,
    role: options.role,
    name: options.name ?? `${options.role} key for ${options.tenant}`,
  })) as unknown as CreatedApiKey;
  if (context.output.isMachine) return (context.output.value(created), ExitCode.Ok);
  process.stderr.write(
    `created ${created.role} key ${created.id} for tenant ${created.tenantId}; it is shown only this once:\n`,
  );
  context.output.line(created.key);
  return ExitCode.Ok;
}

/** `keys revoke ID`. */
export async function revokeKeyCommand(context: CliContext, id: string): Promise<ExitCode> {
  const { client } = await context.connect();
  await client.revokeKey(id);
  if (context.output.isMachine) context.output.value({ id, isRevoked: true });
  else context.output.line(`revoked ${id}`);
  return ExitCode.Ok;
}
