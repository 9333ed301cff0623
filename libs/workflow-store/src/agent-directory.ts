import {
  AgentVersion,
  AgentWorkerStatus,
  PublishedAgent,
  WorkerAnnouncement,
  agentStepsQueue,
} from '@app/contracts';
import Ajv, { ErrorObject } from 'ajv';
import { RedisClient } from '@app/redis';

/** A worker's announcement refused; the message names what is wrong, and nothing was written. */
export class InvalidAnnouncementError extends Error {
  override name = 'InvalidAnnouncementError';
}

const AGENT_NAME = '^[a-z][a-z0-9-]{0,62}$';
const SEMVER =
  '^(0|[1-9]\\d{0,5})\\.(0|[1-9]\\d*)\\.(0|[1-9]\\d*)(?:-[0-9A-Za-z.-]+)?(?:\\+[0-9A-Za-z.-]+)?$';

const ANNOUNCEMENT_SCHEMA = {
  type: 'object',
  required: ['workerId', 'name', 'host', 'pid', 'startedAt', 'concurrency', 'heartbeatMs', 'agents'],
  additionalProperties: false,
  properties: {
    workerId: { type: 'string', pattern: '^[A-Za-z0-9._:-]{1,128}$' },
    name: { type: 'string', minLength: 1, maxLength: 128 },
    host: { type: 'string', minLength: 1, maxLength: 255 },
    pid: { type: 'integer', minimum: 0 },
    startedAt: { type: 'string', format: 'date-time' },
    concurrency: { type: 'integer', minimum: 1, maximum: 10000 },
    heartbeatMs: { type: 'integer', minimum: 100, maximum: 60000 },
    agents: {
      type: 'array',
      minItems: 1,
      maxItems: 500,
      items: {
        type: 'object',
        required: ['name', 'version', 'description'],
        additionalProperties: false,
        properties: {
          name: { type: 'string', pattern: AGENT_NAME },
          version: { type: 'string', pattern: SEMVER },
          description: { type: 'string', maxLength: 2000 },
          timeoutSeconds: { type: 'number', exclusiveMinimum: 0, maximum: 86400 },
          retry: { type: 'object' },
          inputSchema: { type: 'object' },
          outputSchema: { type: 'object' },
          dependencies: {
            type: 'array',
            maxItems: 100,
            items: { type: 'string', minLength: 1, maxLength: 200 },
          },
          breakers: { type: 'object' },
          // Checked by the worker that declares them (stepLimitProblems); here only their shape.
          limits: { type: 'array', maxItems: 50, items: { type: 'object' } },
        },
      },
    },
  },
} as const;

const ajv = new Ajv({
  allErrors: true,
  formats: { 'date-time': (value: string) => !Number.isNaN(Date.parse(value)) },
});
const validateAnnouncement = ajv.compile<WorkerAnnouncement>(ANNOUNCEMENT_SCHEMA);

const describe = (errors: ErrorObject[]) =>
  errors
    .map((error) => `${error.instancePath || '(announcement)'} ${error.message ?? 'is invalid'}`)
    .join('; ');

export function majorOf(version: string): number {
  return Number(version.split('.')[0]);
}

/** Heartbeats a worker may miss before it is taken for gone. */
const MISSED_HEARTBEATS = 3;
/** How long a gone worker is still listed. */
const GONE_KEPT_MS = 60 * 60 * 1000;
/** How old the view of who serves what may be when a producer routes a step by it. */
const ROUTING_VIEW_MAX_AGE_MS = 1000;

/** What producers route steps by: read together, kept for a second. */
interface RoutingView {
  liveQueues: ReadonlySet<string>;
  /** The major a new workflow's step of each agent runs on. */
  currentMajors: ReadonlyMap<string, number>;
}

/**
 * Who serves which agents, in Redis: workers announce themselves and their agents, send
 * heartbeats and withdraw; every process reads the same view. The agent catalogue keeps every
 * agent version ever announced (a definition may name one whose workers are all gone for now).
 * Its keys are agentDirectoryKeys'.
 */
export class AgentDirectory {
  private routingRead: { at: number; view: Promise<RoutingView> } | null = null;
  private readonly keys: ReturnType<typeof agentDirectoryKeys>;

  constructor(
    private readonly redis: RedisClient,
    prefix: string,
  ) {
    this.keys = agentDirectoryKeys(prefix);
  }

  /** Checks an announcement whole, then records it and its agents in one transaction. */
  async announce(announcement: WorkerAnnouncement): Promise<void> {
    if (!validateAnnouncement(announcement))
      throw new InvalidAnnouncementError(
        `worker announcement refused: ${describe(validateAnnouncement.errors ?? [])}`,
      );
    const refs = announcement.agents.map((agent) => `${agent.name}@${majorOf(agent.version)}`);
    const repeated = refs.find((ref, index) => refs.indexOf(ref) !== index);
    if (repeated)
      throw new InvalidAnnouncementError(`worker announcement refused: agent ${repeated} is listed twice`);
    await this.redis
      .multi()
      .hset(
        this.keys.catalogue,
        ...announcement.agents.flatMap((agent, index) => [refs[index], JSON.stringify(agent)]),
      )
      .hset(this.keys.workers, announcement.workerId, JSON.stringify(announcement))
      .zadd(this.keys.heartbeats, Date.now(), announcement.workerId)
      .exec();
    this.routingRead = null;
  }

  /**
   * Records that a worker is alive, and forgets workers gone for long. False when the directory
   * no longer knows the worker (its record was removed): it should announce itself again.
   */
  async heartbeat(workerId: string): Promise<boolean> {
    const now = Date.now();
    const [[, known]] = (await this.redis
      .multi()
      .hexists(this.keys.workers, workerId)
      .zadd(this.keys.heartbeats, 'XX', now, workerId)
      .exec()) as [[Error | null, number], [Error | null, number]];
    const forgotten = await this.redis.zrangebyscore(this.keys.heartbeats, '-inf', now - GONE_KEPT_MS);
    if (forgotten.length > 0)
      await this.redis
        .multi()
        .hdel(this.keys.workers, ...forgotten)
        .zrem(this.keys.heartbeats, ...forgotten)
        .exec();
    return known === 1;
  }

  /** A worker that stops on purpose says so at once rather than missing its heartbeats. */
  async withdraw(workerId: string): Promise<void> {
    const json = await this.redis.hget(this.keys.workers, workerId);
    if (!json) return;
    const record = { ...(JSON.parse(json) as WorkerAnnouncement), goneAt: new Date().toISOString() };
    await this.redis.hset(this.keys.workers, workerId, JSON.stringify(record));
    this.routingRead = null;
  }

  /** Every worker known, alive first, then by name. */
  async workers(): Promise<AgentWorkerStatus[]> {
    const [records, beats] = await Promise.all([
      this.redis.hgetall(this.keys.workers),
      this.redis.zrange(this.keys.heartbeats, 0, -1, 'WITHSCORES'),
    ]);
    const lastBeat = new Map<string, number>();
    for (let i = 0; i < beats.length; i += 2) lastBeat.set(beats[i], Number(beats[i + 1]));
    const now = Date.now();
    return Object.values(records)
      .map((json) => {
        const stored = JSON.parse(json) as WorkerAnnouncement & { goneAt?: string };
        const last = lastBeat.get(stored.workerId) ?? 0;
        const silentSince = last + stored.heartbeatMs * MISSED_HEARTBEATS;
        const goneAt = stored.goneAt ?? (now > silentSince ? new Date(silentSince).toISOString() : null);
        return {
          ...stored,
          status: goneAt === null ? 'alive' : 'gone',
          lastHeartbeatAt: new Date(last).toISOString(),
          goneAt,
          queues: stored.agents.map((agent) => agentStepsQueue(agent.name, majorOf(agent.version))),
        } satisfies AgentWorkerStatus;
      })
      .sort((a, b) => a.status.localeCompare(b.status) || a.name.localeCompare(b.name));
  }

  /** Every agent version registered, by name then major, with its live workers. */
  async catalogue(): Promise<AgentVersion[]> {
    const [agents, workers] = await Promise.all([this.redis.hgetall(this.keys.catalogue), this.workers()]);
    const live = new Map<string, number>();
    for (const worker of workers.filter((candidate) => candidate.status === 'alive'))
      for (const queue of worker.queues) live.set(queue, (live.get(queue) ?? 0) + 1);
    return Object.values(agents)
      .map((json) => {
        const agent = JSON.parse(json) as PublishedAgent;
        const major = majorOf(agent.version);
        const queue = agentStepsQueue(agent.name, major);
        return { ...agent, major, queue, liveWorkers: live.get(queue) ?? 0 };
      })
      .sort((a, b) => a.name.localeCompare(b.name) || a.major - b.major);
  }

  /** The queues some live worker consumes. */
  async liveQueues(): Promise<ReadonlySet<string>> {
    return (await this.routingView()).liveQueues;
  }

  /**
   * The major version each agent's steps run on in a workflow started now, when its definition
   * names none: the highest some live worker serves, else the highest registered.
   */
  async currentMajors(): Promise<ReadonlyMap<string, number>> {
    return (await this.routingView()).currentMajors;
  }

  /** Read at most once a second per process: producers consult it for every workflow they route. */
  private routingView(): Promise<RoutingView> {
    const now = Date.now();
    if (!this.routingRead || now - this.routingRead.at > ROUTING_VIEW_MAX_AGE_MS) {
      const view = this.catalogue().then((entries) => {
        const liveQueues = new Set(
          entries.filter((entry) => entry.liveWorkers > 0).map((entry) => entry.queue),
        );
        const currentMajors = new Map<string, number>();
        // By name, then major: the last one kept is the highest live, or the highest of all.
        for (const entry of entries) {
          const kept = currentMajors.get(entry.name);
          if (
            kept === undefined ||
            entry.liveWorkers > 0 ||
            !liveQueues.has(agentStepsQueue(entry.name, kept))
          )
            currentMajors.set(entry.name, entry.major);
        }
        return { liveQueues, currentMajors };
      });
      // A failed read is not kept: the next call reads again.
      view.catch(() => (this.routingRead = null));
      this.routingRead = { at: now, view };
    }
    return this.routingRead.view;
  }
}

/**
 * The agent directory's keys (P = prefix), under one hash tag so that one transaction may write
 * them together on a Redis Cluster:
 * P:{agents}:catalogue hash `<name>@<major>` → the agent as last announced;
 * P:{agents}:workers hash workerId → announcement (with `goneAt` once withdrawn);
 * P:{agents}:heartbeats sorted set workerId → time of its last heartbeat (ms).
 */
export function agentDirectoryKeys(prefix: string): {
  catalogue: string;
  workers: string;
  heartbeats: string;
} {
  const tag = `${prefix}:{agents}`;
  return { catalogue: `${tag}:catalogue`, workers: `${tag}:workers`, heartbeats: `${tag}:heartbeats` };
}
