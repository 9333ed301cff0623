import { randomUUID } from 'node:crypto';
import { WorkflowStore, compileWorkflowGraph, pinWorkflowGraph } from '@app/workflow-store';
import Redis from 'ioredis';
import { CancelledError } from '../agent-errors';
import { Cancellations } from './cancellations';
import { WorkflowHooks } from './workflow-hooks';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

const single = pinWorkflowGraph(
  compileWorkflowGraph(
    { type: 'ONE', description: '', steps: [{ id: 'a', agent: 'echo', dependsOn: [] }] },
    () => null,
  ),
  () => 1,
);

describe('Cancellations (real Redis)', () => {
  const prefix = `test-${randomUUID().slice(0, 8)}`;
  const silent = { log: () => undefined, warn: () => undefined, error: () => undefined };
  let redis: Redis;
  let store: WorkflowStore;
  const started: Cancellations[] = [];

  /** Cancellations listening on `channel`, sweeping every 50 ms. */
  const listening = async (channel: string) => {
    const cancellations = new Cancellations(
      new Redis(REDIS_URL),
      channel,
      (ids) => store.cancelledAmong(ids),
      new WorkflowHooks(silent),
      silent,
      50,
    );
    await cancellations.start();
    started.push(cancellations);
    return cancellations;
  };

  const runningWorkflow = async () => {
    const { workflowId } = await store.create(
      { workflowId: randomUUID(), type: 'ONE', tenantId: 't1', sessionId: 's1', input: {}, preferences: {} },
      single,
    );
    const begun = await store.beginStep(workflowId, 'a', 1);
    if (begun.outcome !== 'run') throw new Error(`expected to run a, got ${begun.outcome}`);
    return workflowId;
  };

  const aborted = (signal: AbortSignal) =>
    new Promise<unknown>((resolve) => signal.addEventListener('abort', () => resolve(signal.reason)));

  beforeAll(() => {
    redis = new Redis(REDIS_URL);
    store = new WorkflowStore(redis, { prefix, finishedTtlSeconds: 3600 });
  });

  afterAll(async () => {
    await Promise.all(started.map((cancellations) => cancellations.close()));
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  it('aborts a running step when the store publishes its workflow cancelled', async () => {
    const cancellations = await listening(store.cancellationsChannel);
    const workflowId = await runningWorkflow();
    const { controller, release } = cancellations.track(workflowId);
    await store.cancel(workflowId);
    expect(await aborted(controller.signal)).toBeInstanceOf(CancelledError);
    release();
  });

  it("aborts it from the store's status when the message never arrives (pub/sub lost it)", async () => {
    const cancellations = await listening(`${prefix}:a-channel-nobody-publishes-on`);
    const workflowId = await runningWorkflow();
    const other = await runningWorkflow();
    const cancelled = cancellations.track(workflowId);
    const running = cancellations.track(other);
    await store.cancel(workflowId);
    expect(await aborted(cancelled.controller.signal)).toBeInstanceOf(CancelledError);
    expect(running.controller.signal.aborted).toBe(false);
    cancelled.release();
    running.release();
  });
});
