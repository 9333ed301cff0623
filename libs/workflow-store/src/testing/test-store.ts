import { randomUUID } from 'node:crypto';
import { WorkflowEvent } from '@app/contracts';
import Redis from 'ioredis';
import { parseEventMessage, subscribeToWorkflowEvents } from '../workflow-events.wire';
import { WorkflowMeta, WorkflowStoreOptions } from '../workflow-records';
import { WorkflowStore } from '../workflow-store';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** What a spec of the store works with; valid from its `beforeAll` on. */
export interface TestStore {
  readonly store: WorkflowStore;
  readonly redis: Redis;
  readonly prefix: string;
  /** Every event published on the store's events channel so far, parsed, in order. */
  readonly published: WorkflowEvent[];
  /** The same, as the raw messages. */
  readonly messages: string[];
  /** Every workflow id published on the store's cancellations channel so far. */
  readonly cancellations: string[];
  /** A new workflow's meta: a fresh id, tenant t1, session s1, no input unless given. */
  meta(type: string, fields?: Partial<WorkflowMeta>): WorkflowMeta;
}

/**
 * A WorkflowStore on the machine's Redis under a key prefix of the spec's own, listening to its
 * events and cancellations channels; registers the spec's `beforeAll` (connect, subscribe) and
 * `afterAll` (remove every key of the prefix, disconnect).
 */
export function useTestStore(options: Pick<WorkflowStoreOptions, 'largeOutputBytes'> = {}): TestStore {
  const prefix = `test-${randomUUID().slice(0, 8)}`;
  const published: WorkflowEvent[] = [];
  const messages: string[] = [];
  const cancellations: string[] = [];
  let redis: Redis | undefined;
  let subscriber: Redis | undefined;
  let store: WorkflowStore | undefined;
  const ready = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('useTestStore: used before its beforeAll ran');
    return value;
  };

  beforeAll(async () => {
    redis = new Redis(REDIS_URL);
    subscriber = new Redis(REDIS_URL);
    const created = new WorkflowStore(redis, { prefix, finishedTtlSeconds: 3600, ...options });
    store = created;
    await subscriber.subscribe(created.cancellationsChannel);
    subscriber.on('message', (_channel: string, message: string) => cancellations.push(message));
    await subscribeToWorkflowEvents(subscriber, created.eventsChannels, (message) => {
      messages.push(message);
      published.push(...parseEventMessage(message));
    });
  });

  afterAll(async () => {
    if (!redis) return;
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    await Promise.all([redis.quit(), subscriber?.quit()]);
  });

  return {
    get store() {
      return ready(store);
    },
    get redis() {
      return ready(redis);
    },
    prefix,
    published,
    messages,
    cancellations,
    meta: (type, fields = {}) => ({
      workflowId: randomUUID(),
      type,
      tenantId: 't1',
      sessionId: 's1',
      input: {},
      preferences: {},
      ...fields,
    }),
  };
}
