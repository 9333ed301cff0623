import { ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './test-environment';
import { askRedis, untilRedisAnswers } from './redis-server';
import { waitFor } from './wait-for';
import { hasExited } from './child-exit';

const run = promisify(execFile);

/** How long a primary may be silent before its replica takes over: short, for fault tests. */
const FAULT_TEST_NODE_TIMEOUT_MS = 1000;

interface ClusterNode {
  port: number;
  dir: string;
  server: ChildProcess;
}

const isRunning = (node: ClusterNode) => !hasExited(node.server);

/**
 * A Redis Cluster of a spec's own, or of `npm run test:cluster` (test/support/with-redis-cluster.ts):
 * `primaries` redis-servers on free ports, each with `replicasEach` replicas, joined by
 * `redis-cli --cluster create` (never the machine's shared Redis). Fault tests may kill a primary
 * and wait for its replica to be promoted, within `nodeTimeoutMs` (`cluster-node-timeout`).
 */
export class RedisCluster {
  private constructor(private readonly nodes: ClusterNode[]) {}

  static async start({
    primaries = 3,
    replicasEach = 1,
    nodeTimeoutMs = FAULT_TEST_NODE_TIMEOUT_MS,
  } = {}): Promise<RedisCluster> {
    const nodes: ClusterNode[] = [];
    for (let i = 0; i < primaries * (1 + replicasEach); i++) {
      const port = await freePort();
      const dir = mkdtempSync(join(tmpdir(), 'redis-cluster-'));
      const server = spawn(
        'redis-server',
        [
          ...['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', ''],
          ...['--appendonly', 'no', '--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf'],
          ...['--cluster-node-timeout', String(nodeTimeoutMs)],
        ],
        { stdio: 'ignore' },
      );
      nodes.push({ port, dir, server });
    }
    const cluster = new RedisCluster(nodes);
    try {
      for (const node of nodes) await untilRedisAnswers(node.port);
      await run('redis-cli', [
        '--cluster',
        'create',
        ...nodes.map((node) => `127.0.0.1:${node.port}`),
        '--cluster-replicas',
        String(replicasEach),
        '--cluster-yes',
      ]);
      await cluster.untilSettled();
    } catch (error) {
      await cluster.stop(); // no redis-server outlives a cluster that did not come up
      throw error;
    }
    return cluster;
  }

  /** `redis+cluster://` with every node as a seed, as REDIS_URL takes it. */
  get url(): string {
    return `redis+cluster://${this.nodes.map((node) => `127.0.0.1:${node.port}`).join(',')}`;
  }

  /** Each node's own `redis://` URL (to read one server's INFO). */
  get nodeUrls(): string[] {
    return this.nodes.map((node) => `redis://127.0.0.1:${node.port}`);
  }

  /** The port of the primary serving `key`'s slot. */
  async primaryOf(key: string): Promise<number> {
    const live = this.nodes.find(isRunning)!;
    const slot = Number(await this.ask(live.port, 'CLUSTER', 'KEYSLOT', key));
    const slots = (await askRedis(live.port, 'CLUSTER', 'SLOTS')) as [number, number, [string, number]][];
    const range = slots.find(([from, to]) => slot >= from && slot <= to);
    if (!range) throw new Error(`no node serves slot ${slot}`);
    return range[2][1];
  }

  /**
   * Resolves once a replica of the primary on `port` has every write the primary acknowledged
   * (its replication offset), so that a failover loses nothing.
   */
  async untilReplicated(port: number): Promise<void> {
    await waitFor(async () => {
      const info = await this.ask(port, 'INFO', 'replication');
      const primaryOffset = Number(/master_repl_offset:(\d+)/.exec(info)?.[1]);
      const replicaOffsets = [...info.matchAll(/slave\d+:.*state=online,offset=(\d+)/g)].map((m) =>
        Number(m[1]),
      );
      return replicaOffsets.some((offset) => offset >= primaryOffset) ? true : undefined;
    }, `a replica of the primary on port ${port} to catch up`);
  }

  /** Kills a node at once (SIGKILL): a crash; resolves once it has exited. */
  async kill(port: number): Promise<void> {
    const node = this.nodes.find((candidate) => candidate.port === port);
    if (!node || !isRunning(node)) return;
    const exited = new Promise((resolve) => node.server.once('exit', resolve));
    node.server.kill('SIGKILL');
    await exited;
  }

  /** Resolves once every slot is served again by a live primary (after a failover). */
  async untilSettled(): Promise<void> {
    await waitFor(async () => ((await this.isSettled()) ? true : undefined), 'the Redis Cluster to settle');
  }

  async stop(): Promise<void> {
    for (const node of this.nodes) {
      if (isRunning(node)) {
        const exited = new Promise((resolve) => node.server.once('exit', resolve));
        node.server.kill('SIGKILL');
        await exited;
      }
      rmSync(node.dir, { recursive: true, force: true });
    }
  }

  /** Whether every live node sees the cluster ok, with every slot served by a live primary. */
  private async isSettled(): Promise<boolean> {
    const live = this.nodes.filter(isRunning);
    const livePorts = new Set(live.map((node) => node.port));
    for (const node of live) {
      const info = await this.ask(node.port, 'CLUSTER', 'INFO').catch(() => '');
      if (!info.includes('cluster_state:ok')) return false;
      const slots = (await askRedis(node.port, 'CLUSTER', 'SLOTS').catch(() => [])) as [
        number,
        number,
        [string, number],
      ][];
      if (slots.length === 0 || slots.some(([, , [, port]]) => !livePorts.has(port))) return false;
    }
    return true;
  }

  private async ask(port: number, ...command: string[]): Promise<string> {
    return String(await askRedis(port, ...command));
  }
}
