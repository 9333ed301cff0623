import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

/** The old space's peak over what a full collection keeps of it, in a process whose heap growth is `percent`. */
async function peakOverKept(percent: number): Promise<number> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [
      '--expose-gc',
      '-r',
      'ts-node/register/transpile-only',
      join(__dirname, 'heap-growth.fixture.ts'),
      String(percent),
    ],
    { cwd: join(__dirname, '..', '..', '..') },
  );
  const { peakMb, liveMb } = JSON.parse(stdout) as { peakMb: number; liveMb: number };
  return peakMb / liveMb;
}

describe('limitHeapGrowth', () => {
  jest.setTimeout(60_000);

  it("keeps the old space near what a full collection keeps of it, where V8's own factor lets it grow to several times that", async () => {
    const limited = await peakOverKept(20);
    const unlimited = await peakOverKept(0);

    // 20% over what was kept, plus what is promoted while V8 marks concurrently (measured: 1.5 on
    // Node 20, 2.1 on Node 24); V8's own factor: 3.7 and 3.2.
    expect(limited).toBeLessThan(2.5);
    expect(unlimited).toBeGreaterThan(limited + 0.7);
  });
});
