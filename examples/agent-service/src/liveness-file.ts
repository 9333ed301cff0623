import { WorkerLogger } from '@agent-orchestrator/agent-sdk/worker';
import { rm, writeFile } from 'node:fs/promises';

/**
 * A file rewritten every few seconds while the worker runs. The service has no HTTP port, so its
 * Kubernetes probes check the file's age: a file gone stale means the event loop is stuck (a step
 * hogging it, or a process wedged) and the pod should be restarted. A Redis outage does not stop
 * it: the worker reconnects by itself, and a restart would not bring Redis back.
 */
export class LivenessFile {
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly path: string,
    private readonly logger: WorkerLogger,
    private readonly intervalMs = 5_000,
  ) {}

  async start(): Promise<void> {
    await this.touch();
    this.timer = setInterval(() => void this.touch(), this.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await rm(this.path, { force: true });
  }

  private async touch(): Promise<void> {
    await writeFile(this.path, new Date().toISOString()).catch((error: unknown) =>
      this.logger.error(`cannot write ${this.path}: ${String(error)}`),
    );
  }
}
