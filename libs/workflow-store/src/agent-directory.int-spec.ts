import { randomUUID } from 'node:crypto';
import { WorkerAnnouncement } from '@app/contracts';
import Redis from 'ioredis';
import { AgentDirectory, InvalidAnnouncementError } from './agent-directory';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('AgentDirectory (real Redis)', () => {
  const prefix = `test-${randomUUID().slice(0, 8)}`;
  let redis: Redis;
  let directory: AgentDirectory;

  const announcement = (overrides: Partial<WorkerAnnouncement> = {}): WorkerAnnouncement => ({
    workerId: `w-${randomUUID().slice(0, 8)}`,
    name: 'translations',
    host: 'pod-1',
    pid: 42,
    startedAt: new Date().toISOString(),
    concurrency: 4,
    heartbeatMs: 100,
    agents: [{ name: 'translator', version: '1.2.0', description: 'translates copy' }],
    ...overrides,
  });
  const keys = () => redis.keys(`${prefix}:*`);

  beforeAll(() => {
    redis = new Redis(REDIS_URL);
    directory = new AgentDirectory(redis, prefix);
  });

  afterEach(async () => {
    const written = await keys();
    if (written.length > 0) await redis.del(...written);
  });

  afterAll(() => redis.quit());

  it.each([
    [
      'an agent name that is not kebab-case',
      { agents: [{ name: 'Translator', version: '1.0.0', description: '' }] },
      '/agents/0/name must match pattern',
    ],
    [
      'a version that is not semantic',
      { agents: [{ name: 'translator', version: 'v2', description: '' }] },
      '/agents/0/version must match pattern',
    ],
    ['no agents at all', { agents: [] }, '/agents must NOT have fewer than 1 items'],
    ['a concurrency of zero', { concurrency: 0 }, '/concurrency must be >= 1'],
    [
      'an unknown field on an agent',
      { agents: [{ name: 'translator', version: '1.0.0', description: '', secret: 'x' }] },
      '/agents/0 must NOT have additional properties',
    ],
    [
      'the same agent major twice',
      {
        agents: [
          { name: 'translator', version: '1.0.0', description: '' },
          { name: 'translator', version: '1.1.0', description: '' },
        ],
      },
      'agent translator@1 is listed twice',
    ],
  ])('refuses %s, naming it, and writes nothing', async (_, overrides, message) => {
    const refused = directory.announce(announcement(overrides as Partial<WorkerAnnouncement>));
    await expect(refused).rejects.toThrow(InvalidAnnouncementError);
    await expect(refused).rejects.toThrow(message);
    expect(await keys()).toEqual([]);
  });

  it('lists a worker alive while it beats, gone after three missed heartbeats or at once when it withdraws', async () => {
    const beating = announcement({ heartbeatMs: 60_000 });
    const silent = announcement({ name: 'other', heartbeatMs: 100 });
    const leaving = announcement({ name: 'leaving', heartbeatMs: 60_000 });
    for (const worker of [beating, silent, leaving]) await directory.announce(worker);
    await directory.withdraw(leaving.workerId);
    const statuses = async () =>
      Object.fromEntries((await directory.workers()).map((worker) => [worker.name, worker.status]));
    // The silent worker announced a 100 ms heartbeat and sends none: gone once 300 ms have passed.
    while ((await statuses()).other === 'alive') await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await directory.heartbeat(beating.workerId)).toBe(true);
    expect(await statuses()).toEqual({ translations: 'alive', other: 'gone', leaving: 'gone' });
    const [gone] = (await directory.workers()).filter((worker) => worker.name === 'other');
    expect(Date.parse(gone.goneAt ?? '')).toBe(Date.parse(gone.lastHeartbeatAt) + 300);
    expect(await directory.heartbeat('never-announced')).toBe(false);
  });

  it("picks the major a new workflow's step runs on: the highest served now, else the highest registered", async () => {
    const v1 = announcement({ agents: [{ name: 'planner', version: '1.9.0', description: '' }] });
    const v2 = announcement({ agents: [{ name: 'planner', version: '2.0.1', description: '' }] });
    const v3 = announcement({ agents: [{ name: 'planner', version: '3.0.0', description: '' }] });
    for (const worker of [v1, v2, v3]) await directory.announce(worker);
    await directory.withdraw(v3.workerId);
    const fresh = () => new AgentDirectory(redis, prefix);
    expect((await fresh().currentMajors()).get('planner')).toBe(2);
    expect([...(await fresh().liveQueues())].sort()).toEqual(['steps.planner@1', 'steps.planner@2']);
    await directory.withdraw(v1.workerId);
    await directory.withdraw(v2.workerId);
    expect((await fresh().currentMajors()).get('planner')).toBe(3);
    expect(
      (await directory.catalogue()).map((agent) => [agent.version, agent.queue, agent.liveWorkers]),
    ).toEqual([
      ['1.9.0', 'steps.planner@1', 0],
      ['2.0.1', 'steps.planner@2', 0],
      ['3.0.0', 'steps.planner@3', 0],
    ]);
  });
});
