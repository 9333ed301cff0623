import 'reflect-metadata';
import { LogEvent, LogLevel, WorkflowEventType } from '@app/contracts';
import { WorkflowStore } from '@app/workflow-store';
import Redis from 'ioredis';
import { Socket, io } from 'socket.io-client';
import { ApiClient } from '../test/support/api-client';
import { AppProcess } from '../test/support/app-process';
import { TEST_ADMIN_KEY, TEST_REDIS_URL, TestNamespace } from '../test/support/test-environment';
import { BenchRow, percentile, row } from './bench-row';

const WORKFLOWS = 100;
const CLIENTS_PER_WORKFLOW = 10;
/** Events per workflow in the throughput phase, all emitted as fast as the store takes them. */
const BURST_EVENTS_PER_WORKFLOW = 30;
/** Rounds of one event per workflow in the latency phase, one round every PACED_INTERVAL_MS. */
const PACED_ROUNDS = 40;
const PACED_INTERVAL_MS = 50;
const DEADLINE_MS = 60_000;

/**
 * Socket.IO fan-out through a real gateway process: 1,000 clients subscribed across 100 workflows,
 * events published through the WorkflowStore as an orchestrator does (one Lua function that records
 * and publishes), latency measured from just before the publish to the client's receipt.
 */
export default async function socketFanout(): Promise<BenchRow[]> {
  const namespace = await new TestNamespace().prepare();
  const redis = new Redis(TEST_REDIS_URL);
  const sockets: Socket[] = [];
  let gateway: AppProcess | undefined;
  try {
    gateway = await AppProcess.start('gateway', namespace.env({ RATE_LIMIT_PER_MINUTE: '100000' }));
    const api = new ApiClient(gateway.url, TEST_ADMIN_KEY);
    const store = new WorkflowStore(redis, { prefix: namespace.redisPrefix, finishedTtlSeconds: 3600 });
    const workflowIds = await Promise.all(
      Array.from({ length: WORKFLOWS }, (_, index) =>
        api.startWorkflow({ type: 'CREATE_SITE', input: { request: 'bench' }, sessionId: `bench-${index}` }),
      ),
    );

    let received = 0;
    let latencies: number[] = [];
    const onLog = (event: LogEvent) => {
      received += 1;
      latencies.push(Date.now() - Number(event.metadata.sentAt));
    };
    for (let batch = 0; batch < WORKFLOWS; batch += 10) {
      await Promise.all(
        workflowIds.slice(batch, batch + 10).flatMap((workflowId) =>
          Array.from({ length: CLIENTS_PER_WORKFLOW }, async () => {
            const socket = io(gateway!.url, {
              transports: ['websocket'],
              reconnection: false,
              auth: { token: TEST_ADMIN_KEY },
            });
            sockets.push(socket);
            socket.on(WorkflowEventType.Log, onLog);
            const ack = (await socket.timeout(20_000).emitWithAck('workflow.subscribe', { workflowId })) as {
              ok: boolean;
            };
            if (!ack.ok) throw new Error(`subscribe failed: ${JSON.stringify(ack)}`);
          }),
        ),
      );
    }

    const publish = (workflowId: string) =>
      store.appendLog({
        workflowId,
        level: LogLevel.Info,
        message: 'bench event',
        metadata: { sentAt: Date.now() },
      });
    const waitForDeliveries = async (expected: number) => {
      const deadline = Date.now() + DEADLINE_MS;
      while (received < expected) {
        if (Date.now() > deadline) throw new Error(`only ${received} of ${expected} events delivered`);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    };

    // Throughput: every workflow's events at once.
    received = 0;
    latencies = [];
    const burstStart = Date.now();
    await Promise.all(
      workflowIds.map(async (workflowId) => {
        for (let index = 0; index < BURST_EVENTS_PER_WORKFLOW; index += 1) await publish(workflowId);
      }),
    );
    const burstExpected = WORKFLOWS * BURST_EVENTS_PER_WORKFLOW * CLIENTS_PER_WORKFLOW;
    await waitForDeliveries(burstExpected);
    const burstSeconds = (Date.now() - burstStart) / 1000;
    const burstLatencies = [...latencies].sort((a, b) => a - b);

    // Latency at a steady rate well under the throughput limit.
    received = 0;
    latencies = [];
    for (let round = 0; round < PACED_ROUNDS; round += 1) {
      const roundStart = Date.now();
      await Promise.all(workflowIds.map(publish));
      await new Promise((resolve) =>
        setTimeout(resolve, Math.max(0, PACED_INTERVAL_MS - (Date.now() - roundStart))),
      );
    }
    await waitForDeliveries(PACED_ROUNDS * WORKFLOWS * CLIENTS_PER_WORKFLOW);
    const pacedLatencies = [...latencies].sort((a, b) => a - b);
    const pacedRate = (WORKFLOWS * 1000) / PACED_INTERVAL_MS;

    const info = (metric: string, unit: string, ours: number): BenchRow =>
      row({
        benchmark: 'socket fan-out (1,000 clients, 100 workflows)',
        metric,
        unit,
        ours,
        baseline: null,
        baselineName: null,
        target: null,
      });
    return [
      info('deliveries per second, burst', 'events/s', burstExpected / burstSeconds),
      info('p50 latency, burst', 'ms', percentile(burstLatencies, 50)),
      info('p99 latency, burst', 'ms', percentile(burstLatencies, 99)),
      info(
        `p50 latency, ${pacedRate} events/s published (x${CLIENTS_PER_WORKFLOW} delivered)`,
        'ms',
        percentile(pacedLatencies, 50),
      ),
      info(
        `p99 latency, ${pacedRate} events/s published (x${CLIENTS_PER_WORKFLOW} delivered)`,
        'ms',
        percentile(pacedLatencies, 99),
      ),
    ];
  } finally {
    for (const socket of sockets) socket.close();
    await gateway?.stop();
    await redis.quit();
    await namespace.dispose();
  }
}
