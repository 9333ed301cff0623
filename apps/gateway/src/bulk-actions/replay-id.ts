import { createHash } from 'node:crypto';
import { WorkflowKeys } from '@app/workflow-store';

/**
 * A UUID (version 5 layout, SHA-1 of the name) that is the same for the same job and original,
 * in the original's shard (a replay is created in the call that reads its original): the first
 * of the names `bulk-replay:<job>:<original>:<n>` whose UUID hashes there.
 */
export function replayIdOf(jobId: string, workflowId: string, keys: WorkflowKeys): string {
  const shard = keys.shardOf(workflowId);
  for (let n = 0; ; n++) {
    const id = uuidOf(`bulk-replay:${jobId}:${workflowId}:${n}`);
    if (keys.shardOf(id) === shard) return id;
  }
}

function uuidOf(name: string): string {
  const bytes = createHash('sha1').update(name).digest().subarray(0, 16);
  bytes[6] = (bytes[6] & 0x0f) | 0x50;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
