// The calls of the store's Redis function library (workflow-scripts.lua.ts), in the one shape its
// functions all take: KEYS the workflow's key (which routes the call to its slot), then the
// function's own keys; ARGV the shard's base (under which a function finds the shard's other keys,
// in the same slot), the workflow id and the time. Both kinds of transitions call through it; the
// library's loading is FunctionLibraryClient's (@app/redis).
import { FunctionLibraryClient } from '@app/redis/function-library';
import { RedisClient } from '@app/redis';
import { WorkflowRecords } from './workflow-records';
import { WORKFLOW_LIBRARY, WorkflowScript } from './workflow-scripts.lua';

export class WorkflowFunctions {
  /** The state machine's function library, loaded where Redis lacks it. */
  private readonly library: FunctionLibraryClient;

  constructor(
    redis: RedisClient,
    private readonly records: WorkflowRecords,
  ) {
    this.library = new FunctionLibraryClient(redis, WORKFLOW_LIBRARY, 'the workflow store');
  }

  /**
   * Calls one of the state machine's functions, loading the library first where Redis lacks it.
   * `extraKeys` follow the workflow's key (KEYS[2], ...) for a function that reads another
   * workflow of the same shard.
   */
  async run(
    script: WorkflowScript,
    workflowId: string,
    args: (string | number)[],
    extraKeys: string[] = [],
  ): Promise<unknown> {
    const { keys } = this.records;
    const shard = keys.shardOf(workflowId);
    return this.library.fcall(
      WORKFLOW_LIBRARY.functionName(script),
      [keys.workflow(workflowId), ...extraKeys],
      [keys.shardBase(shard), workflowId, new Date().toISOString(), Date.now(), ...args],
    );
  }
}
