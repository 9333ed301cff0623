import Redis from 'ioredis';
import { RedisClient, isCluster } from './redis-connection';

/** A Redis function library as its owner builds it: `#!lua name=...` code, named by a hash of itself. */
export interface FunctionLibraryCode {
  name: string;
  code: string;
}

/**
 * Calls the functions of one Redis function library, loading it first where Redis lacks it (a
 * new Redis, one restarted without persistence, or flushed). On a Redis Cluster it is loaded on
 * every primary, at the first call and again whenever a node answers "Function not found" (a node
 * added, a primary that lost its data); a promoted replica has it already, as replicas receive
 * their primary's functions. The library's name carries a hash of its code, so two versions
 * deployed side by side each load and call their own. `owner` names it in errors ("the workflow
 * store").
 */
export class FunctionLibraryClient {
  /** Set while the library is known to be loaded, or being loaded. */
  private loaded: Promise<void> | null = null;

  constructor(
    private readonly redis: RedisClient,
    private readonly library: FunctionLibraryCode,
    private readonly owner: string,
  ) {}

  async fcall(functionName: string, keys: string[], args: (string | number)[]): Promise<unknown> {
    const send = () => this.redis.fcall(functionName, keys.length, ...keys, ...args);
    await (this.loaded ??= this.load());
    try {
      return await send();
    } catch (error) {
      // Redis lost the library since it was loaded (a restart, a flush): load it again, once.
      if (!String(error).includes('Function not found')) throw error;
      this.loaded = this.load();
      await this.loaded;
      return send();
    }
  }

  private async load(): Promise<void> {
    const { redis } = this;
    if (!isCluster(redis)) return this.loadOn(redis);
    // The primaries are known once the cluster's slots are.
    if (redis.status !== 'ready') await new Promise((resolve) => redis.once('ready', resolve));
    const nodes: Redis[] = redis.nodes('master');
    await Promise.all(nodes.map((node) => this.loadOn(node)));
  }

  private async loadOn(node: Redis): Promise<void> {
    try {
      await node.call('FUNCTION', 'LOAD', this.library.code);
    } catch (error) {
      const message = String(error);
      if (message.includes('already exists')) return;
      this.loaded = null; // tried again on the next call
      if (/unknown command/i.test(message)) {
        throw new Error(`${this.owner} needs Redis 7 or newer (FUNCTION LOAD); Redis answered: ${message}`);
      }
      throw error;
    }
  }
}
