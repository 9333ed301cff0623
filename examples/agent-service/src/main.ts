import { consoleLogger, createAgentWorker } from '@agent-orchestrator/agent-sdk/worker';
import { LivenessFile } from './liveness-file';
import { readServiceConfig } from './service.config';
import { TextSummaryAgent } from './text-summary.agent';

const SERVICE_NAME = 'text-summary-service';

const logger = consoleLogger(SERVICE_NAME);

async function main(): Promise<void> {
  const config = readServiceConfig(process.env);
  const worker = createAgentWorker({
    redisUrl: config.redisUrl,
    prefix: config.redisPrefix,
    agents: [new TextSummaryAgent()],
    name: SERVICE_NAME,
    concurrency: config.concurrency,
    // The agent does no CPU-pool work: no threads to start.
    cpuPool: { threads: 0 },
    logger,
  });
  const liveness = new LivenessFile(config.livenessFile, logger);

  // On SIGTERM (Kubernetes, docker stop) or Ctrl-C: take no new steps, finish those in hand,
  // withdraw from the worker list, then exit.
  let isClosing = false;
  const close = async (signal: NodeJS.Signals) => {
    if (isClosing) return;
    isClosing = true;
    logger.log(`${signal}: finishing the steps in hand`);
    await liveness.stop();
    await worker.close();
    process.exit(0);
  };
  process.once('SIGTERM', (signal) => void close(signal));
  process.once('SIGINT', (signal) => void close(signal));

  await worker.start();
  await liveness.start();
  logger.log(`ready: worker ${worker.id} serves ${worker.queues.join(', ')}`);
}

main().catch((error: unknown) => {
  logger.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
