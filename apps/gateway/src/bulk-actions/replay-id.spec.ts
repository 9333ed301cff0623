import { isUUID } from 'class-validator';
import { WorkflowKeys } from '@app/workflow-store';
import { replayIdOf } from './replay-id';

describe('replayIdOf (the id a bulk job gives each replay it starts)', () => {
  const original = '7f1b5a0e-2b1c-4c3d-9e8f-0a1b2c3d4e5f';
  const keys = new WorkflowKeys('ao');

  it('is the same when the job runs again, so a replay it had started is found, not started twice', () => {
    expect(replayIdOf('42', original, keys)).toBe(replayIdOf('42', original, keys));
  });

  it('differs per job and per original', () => {
    const ids = new Set([
      replayIdOf('42', original, keys),
      replayIdOf('43', original, keys),
      replayIdOf('42', '0d0c8a4e-1b1c-4c3d-9e8f-0a1b2c3d4e5f', keys),
    ]);
    expect(ids.size).toBe(3);
  });

  it('is a UUID the routes accept', () => {
    expect(isUUID(replayIdOf('42', original, keys))).toBe(true);
    expect(replayIdOf('42', original, keys)).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });

  it("is in the original's shard, as the replay's creation reads the original", () => {
    for (const job of ['1', '2', '3', '4', '5'])
      expect(keys.shardOf(replayIdOf(job, original, keys))).toBe(keys.shardOf(original));
  });
});
