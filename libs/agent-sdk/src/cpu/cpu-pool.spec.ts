import { readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { CpuThreadError, ErrorKind } from '../agent-errors';
import { CpuPool, CpuTaskReport, createCpuPool } from '.';
import { THREAD_YOUNG_GENERATION_MB } from './worker-thread-pool';
import { getPriority } from 'node:os';
import { defineCpuTask } from './cpu-task';
import {
  churnTask,
  crashTask,
  exhaustHeapTask,
  leakTask,
  nicenessTask,
  rejectTask,
  spinTask,
  takeTurnTask,
} from './cpu-pool.fixture';
import { WARM_GATE, warmedTask } from './cpu-pool.gated-warm.fixture';
import { waitFor } from '../../../../test/support/wait-for';

// A replacement thread (after a crash, an abort or a heap overrun) loads ts-node before it serves:
// seconds on a busy machine, where jest's default 5 s is too tight.
jest.setTimeout(30_000);

describe('the CPU pool on worker threads', () => {
  let pool: CpuPool;
  const reports: CpuTaskReport[] = [];
  const recycles: string[] = [];

  beforeAll(() => {
    pool = createCpuPool({
      threads: 2,
      maxHeapMb: 96,
      // Well above a fresh thread's heap with ts-node loaded (about 29 MB on Node 20, 41 MB on
      // Node 24, more after a few tasks), or tasks would recycle the pool mid-spec and the new
      // threads' start would blur the order of tasks; below one more 16 MB leak.
      recycleHeapMb: 64,
      threadNiceness: 10,
      warmTasks: [spinTask],
      onTaskFinished: (report) => reports.push(report),
      onRecycled: (reason) => recycles.push(reason),
    });
  });

  afterAll(() => pool.close());

  it('runs a task on another thread and returns its output', async () => {
    const { threadId: ranOn } = await pool.run(spinTask, { ms: 1 });
    expect(ranOn).not.toBe(threadId);
    expect(reports.at(-1)).toMatchObject({ task: 'cpu-pool.fixture#spin', outcome: 'success' });
  });

  it('runs two tasks at once on its two threads', async () => {
    const [first, second] = await Promise.all([
      pool.run(spinTask, { ms: 300 }),
      pool.run(spinTask, { ms: 300 }),
    ]);
    expect(first.threadId).not.toBe(second.threadId);
  });

  it('starts the tasks waiting for a thread in the order they were asked for', async () => {
    // Each step's task carries its step's signal, which piscina's own queue does not keep in order.
    // Both threads serve first: a thread still starting would take its task late.
    await Promise.all([pool.run(spinTask, { ms: 1 }), pool.run(spinTask, { ms: 1 })]);
    const turns = new Int32Array(new SharedArrayBuffer(4));
    const signal = new AbortController().signal;
    const started = await Promise.all(
      Array.from({ length: 12 }, () => pool.run(takeTurnTask, { turns, ms: 20 }, { signal })),
    );
    // Two threads: two tasks handed over one after the other may start in either order.
    started.forEach((turn, asked) => expect(Math.abs(turn - asked)).toBeLessThanOrEqual(1));
  });

  (process.platform === 'linux' ? it : it.skip)(
    'runs its threads at a lower priority than the event loop they serve',
    async () => {
      expect(await pool.run(nicenessTask, undefined)).toBe(10);
      expect(getPriority()).toBeLessThan(10);
    },
  );

  it('keeps the kind of an error the task throws, so the retry policy still applies', async () => {
    await expect(pool.run(rejectTask, undefined)).rejects.toMatchObject({
      kind: ErrorKind.Validation,
      name: 'ValidationError',
      message: 'the input names no site',
    });
  });

  it('stops a busy task when its signal fires, and goes on serving', async () => {
    const controller = new AbortController();
    const busy = pool.run(spinTask, { ms: 120_000 }, { signal: controller.signal });
    controller.abort(new Error('cancelled'));
    await expect(busy).rejects.toMatchObject({ name: 'AbortError' });
    expect(reports.at(-1)).toMatchObject({ outcome: 'aborted' });
    await expect(pool.run(spinTask, { ms: 1 })).resolves.toHaveProperty('threadId');
  });

  it('fails only the task whose thread crashed, with a CpuThreadError, and replaces the thread', async () => {
    const [crashed, beside] = await Promise.allSettled([
      pool.run(crashTask, undefined),
      pool.run(spinTask, { ms: 200 }),
    ]);
    expect(crashed).toMatchObject({ status: 'rejected', reason: expect.any(CpuThreadError) });
    expect((crashed as PromiseRejectedResult).reason.message).toMatch(/exited with code/);
    expect(beside.status).toBe('fulfilled');
    await expect(pool.run(spinTask, { ms: 1 })).resolves.toHaveProperty('threadId');
    expect(pool.state().threads).toBe(2);
  });

  it('fails a task that exhausts its thread heap, and goes on serving', async () => {
    await expect(pool.run(exhaustHeapTask, undefined)).rejects.toThrow(/memory/);
    await expect(pool.run(spinTask, { ms: 1 })).resolves.toHaveProperty('threadId');
  });

  it("bounds each thread's young generation, which Node 24 would let take 192 MB", async () => {
    const { newSpaceMb } = await pool.run(churnTask, { mb: 600 });
    expect(newSpaceMb).toBeLessThanOrEqual(THREAD_YOUNG_GENERATION_MB);
  });

  it('replaces its threads once a heap stays above the recycle mark, and the heap comes back down', async () => {
    const threadsSeen = new Set<number>();
    const heaps: number[] = [];
    for (let call = 0; call < 8; call++) {
      threadsSeen.add((await pool.run(leakTask, { mb: 16 })).threadId);
      heaps.push(reports.at(-1)!.heapUsedBytes!);
    }
    expect(recycles.length).toBeGreaterThan(0);
    // 8 × 16 MB would be 128 MB held by two threads; recycling keeps every thread under its limit.
    expect(Math.max(...heaps)).toBeLessThan(96 * 1024 * 1024);
    expect(threadsSeen.size).toBeGreaterThan(2);
  }, 60_000);
});

describe('the CPU pool warming its threads', () => {
  const marks = () =>
    readdir(tmpdir()).then((names) => names.filter((name) => name.startsWith(`${basename(WARM_GATE)}.`)));
  afterAll(async () => {
    for (const name of await marks()) await rm(join(tmpdir(), name), { force: true });
    await rm(WARM_GATE, { force: true });
  });

  it('runs no task on a thread before its warm-up ends, and says when every thread is warm', async () => {
    const pool = createCpuPool({ threads: 2, maxHeapMb: 64, recycleHeapMb: 48, warmTasks: [warmedTask] });
    let isWarm = false;
    const warm = pool.whenWarm().then(() => (isWarm = true));
    try {
      const answers = Promise.all([pool.run(warmedTask, undefined), pool.run(warmedTask, undefined)]);
      // Both threads are warming (each marked it), and the gate holds them there.
      await waitFor(async () => ((await marks()).length === 2 ? true : undefined), 'both threads warming');
      expect(isWarm).toBe(false);
      await writeFile(WARM_GATE, '');
      await warm;
      // Asked for while the threads warmed, the tasks ran after: the async warm-up did not stall.
      expect(await answers).toEqual([true, true]);
    } finally {
      await pool.close();
    }
  });

  it('is warm at once when switched off', async () => {
    const pool = createCpuPool({ threads: 0, maxHeapMb: 64, recycleHeapMb: 48, warmTasks: [warmedTask] });
    await expect(pool.whenWarm()).resolves.toBeUndefined();
  });
});

describe('the CPU pool with a task module that cannot load', () => {
  it("fails that module's tasks with its own error, and keeps its threads serving the others", async () => {
    const broken = defineCpuTask<void, never>(__dirname, 'cpu-pool.broken.fixture', 'never');
    const threadErrors: string[] = [];
    const pool = createCpuPool({
      threads: 1,
      maxHeapMb: 64,
      recycleHeapMb: 48,
      warmTasks: [broken, spinTask],
      onThreadError: (message) => threadErrors.push(message),
    });
    try {
      // A module that cannot load does not keep the thread from saying it is warm.
      await pool.whenWarm();
      await expect(pool.run(broken, undefined)).rejects.toThrow('this task module cannot load');
      await expect(pool.run(spinTask, { ms: 1 })).resolves.toHaveProperty('threadId');
      expect(threadErrors).toEqual([]);
    } finally {
      await pool.close();
    }
  });
});

describe('the CPU pool replacing its threads', () => {
  it('lets the tasks its old threads run finish', async () => {
    const recycles: string[] = [];
    const pool = createCpuPool({
      threads: 2,
      maxHeapMb: 128,
      recycleHeapMb: 64,
      warmTasks: [spinTask],
      onRecycled: (reason) => recycles.push(reason),
    });
    try {
      await Promise.all([pool.run(spinTask, { ms: 1 }), pool.run(spinTask, { ms: 1 })]);
      // The leak passes the mark while the first spin runs beside it and the second takes its
      // thread, so the old threads are busy with two tasks when they are retired. piscina's own
      // close() ended one of them as soon as the other finished.
      const outcomes = await Promise.allSettled([
        pool.run(spinTask, { ms: 600 }),
        pool.run(leakTask, { mb: 40 }),
        pool.run(spinTask, { ms: 200 }),
      ]);
      expect(recycles.length).toBeGreaterThan(0);
      expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
    } finally {
      await pool.close();
    }
  });
});

describe('the CPU pool switched off', () => {
  it('runs the task on the calling thread', async () => {
    const pool = createCpuPool({ threads: 0, maxHeapMb: 64, recycleHeapMb: 40 });
    await expect(pool.run(spinTask, { ms: 1 })).resolves.toEqual({ threadId });
    await expect(pool.run(rejectTask, undefined)).rejects.toMatchObject({ kind: ErrorKind.Validation });
    await pool.close();
  });

  it('does not start a task whose signal already fired', async () => {
    const pool = createCpuPool({ threads: 0, maxHeapMb: 64, recycleHeapMb: 40 });
    const controller = new AbortController();
    controller.abort(new Error('cancelled'));
    await expect(pool.run(spinTask, { ms: 1 }, { signal: controller.signal })).rejects.toThrow('cancelled');
  });
});
