import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './test-environment';
import { untilRedisAnswers } from './redis-server';
import { hasExited } from './child-exit';

/**
 * A redis-server of a spec's own, on a free port, that fault tests may crash and restart (never
 * the machine's shared one). Every write is in its append-only file before Redis answers, as
 * in a deployment that must not lose state, so a restart comes back with all it acknowledged.
 */
export class PrivateRedis {
  private server: ChildProcess | null = null;

  private constructor(
    readonly port: number,
    private readonly dir: string,
  ) {}

  static async start(): Promise<PrivateRedis> {
    const redis = new PrivateRedis(await freePort(), mkdtempSync(join(tmpdir(), 'private-redis-')));
    await redis.restart();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Starts the server (again) on the same port and data folder; resolves once it answers. */
  async restart(): Promise<void> {
    const options = ['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir, '--save', ''];
    options.push('--appendonly', 'yes', '--appendfsync', 'always');
    this.server = spawn('redis-server', options, { stdio: 'ignore' });
    await untilRedisAnswers(this.port);
  }

  /** Kills the server at once (SIGKILL): a crash, not a shutdown. */
  async crash(): Promise<void> {
    const server = this.server;
    if (!server || hasExited(server)) return;
    const exited = new Promise((resolve) => server.once('exit', resolve));
    server.kill('SIGKILL');
    await exited;
  }

  async stop(): Promise<void> {
    await this.crash();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
