import { HttpAgentDefinition } from '@app/agent-sdk/http';
import { RedisClient } from '@app/redis';

/** The registered HTTP agents and their change counter, read all together. */
export interface HttpAgentSnapshot {
  /** The change counter when it was read: the definitions are at least this new. */
  version: number;
  /** By name. */
  definitions: HttpAgentDefinition[];
}

/**
 * The HTTP agents registered through the admin API, in Redis so every gateway and orchestrator
 * sees them: `<prefix>:http-agents`, a hash of name → definition (JSON, secret included), and
 * `<prefix>:http-agents:version`, a counter bumped after every change, which is then published on
 * {@link changesChannel}. A reader that serves the agents reloads a {@link snapshot} when it hears
 * a change, or when {@link version} moved since its last snapshot.
 *
 * Writes touch one key at a time (no MULTI, so it works on a Redis Cluster), in an order that keeps
 * readers right: a definition is written before the counter moves, and a snapshot reads the
 * counter before the definitions, so it is never older than the version it reports.
 */
export class HttpAgentRepository {
  /** Publishes the new version after each change; the message is that version, in decimal. */
  readonly changesChannel: string;
  private readonly definitionsKey: string;
  private readonly versionKey: string;

  constructor(
    private readonly redis: RedisClient,
    { prefix }: { prefix: string },
  ) {
    this.definitionsKey = `${prefix}:http-agents`;
    this.versionKey = `${prefix}:http-agents:version`;
    this.changesChannel = `${prefix}:http-agents:changed`;
  }

  /** Every registered HTTP agent, by name. */
  async list(): Promise<HttpAgentDefinition[]> {
    return parseAll(await this.redis.hgetall(this.definitionsKey));
  }

  async get(name: string): Promise<HttpAgentDefinition | undefined> {
    const stored = await this.redis.hget(this.definitionsKey, name);
    return stored === null ? undefined : (JSON.parse(stored) as HttpAgentDefinition);
  }

  /** Registers an HTTP agent, or replaces the one of that name. */
  async save(definition: HttpAgentDefinition): Promise<void> {
    await this.redis.hset(this.definitionsKey, definition.name, JSON.stringify(definition));
    await this.changed();
  }

  /** Removes an HTTP agent; false when there was none of that name. */
  async remove(name: string): Promise<boolean> {
    if ((await this.redis.hdel(this.definitionsKey, name)) === 0) return false;
    await this.changed();
    return true;
  }

  /** The change counter: 0 before the first change, then one more after each. */
  async version(): Promise<number> {
    return Number((await this.redis.get(this.versionKey)) ?? 0);
  }

  async snapshot(): Promise<HttpAgentSnapshot> {
    const version = await this.version();
    return { version, definitions: await this.list() };
  }

  private async changed(): Promise<void> {
    const version = await this.redis.incr(this.versionKey);
    await this.redis.publish(this.changesChannel, String(version));
  }
}

function parseAll(stored: Record<string, string>): HttpAgentDefinition[] {
  return Object.keys(stored)
    .sort()
    .map((name) => JSON.parse(stored[name]) as HttpAgentDefinition);
}
