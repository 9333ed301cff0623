import { FunctionLibraryClient } from '@app/redis/function-library';
import { RedisClient } from '@app/redis';
import { FLOW_CONTROL_LIBRARY, FlowControlFunction } from './flow-control-library';

/**
 * Calls the flow-control function library, loading it first where Redis lacks it, as the workflow
 * store does for its own. The only place that sends flow-control commands; keys come from
 * {@link FlowControlKeys}.
 */
export class FlowControlRedis {
  private readonly library: FunctionLibraryClient;

  constructor(readonly redis: RedisClient) {
    this.library = new FunctionLibraryClient(redis, FLOW_CONTROL_LIBRARY, 'flow control');
  }

  /** Calls function `fn` (a short name, as its module declares it) on `keys` with `args`. */
  call(fn: FlowControlFunction, keys: string[], args: (string | number)[]): Promise<unknown> {
    if (!FLOW_CONTROL_LIBRARY.has(fn)) throw new Error(`no flow-control function ${fn}`);
    return this.library.fcall(FLOW_CONTROL_LIBRARY.functionName(fn), keys, args);
  }
}
