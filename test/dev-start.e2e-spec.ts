import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Descendant, DevStartProcess } from './support/dev-start-process';

/** Three apps from TypeScript sources, a database created the first time, a pool warmed: on a slow machine, minutes. */
const BOOT_TIMEOUT_MS = 240_000;
/** The script gives an app 15 s after SIGTERM before it kills it; everything else stops at once. */
const STOP_GRACE_MS = 30_000;

const describeSurvivors = (survivors: Descendant[]) =>
  survivors.map(({ pid, commandLine }) => `${pid} ${commandLine}`).join('\n');

/**
 * The README's first command, and `npm start` stopped as people stop it: a private redis-server,
 * an embedded PostgreSQL and the three apps from their sources, all started by
 * scripts/dev-start.mjs, with none of the machine's services or the suite's settings. Whatever
 * ends it, nothing it started may keep running: a stray orchestrator keeps taking steps from
 * whatever Redis it knew, and stray stacks skew every measurement made on the machine after.
 */
describe('npm run demo and npm start (scripts/dev-start.mjs)', () => {
  let dataDir: string;
  let running: DevStartProcess | null = null;

  const start = (args: string[]) => {
    running = new DevStartProcess(args, {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? '/tmp',
      // The database is created by the first test and kept for the others, as .data is.
      DEV_DATA_DIR: dataDir,
    });
    return running;
  };

  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'dev-start-'));
    // Run as root, PostgreSQL runs as its own user, which must reach its folder inside.
    chmodSync(dataDir, 0o755);
  });

  afterEach(() => {
    running?.killAll();
    running = null;
  });

  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it(
    'npm run demo builds and publishes a site, then stops everything it started and exits 0',
    async () => {
      const demo = start(['--demo']);
      const { code } = await demo.exited;
      expect({ code, output: demo.output }).toEqual({
        code: 0,
        output: expect.stringContaining('status COMPLETED'),
      });
      expect(demo.output).toMatch(
        /Published version 1: http:\/\/127\.0\.0\.1:\d+\/sites\/[^/]+\/ {2}\("[^"]+"\)/,
      );
      // It started at least Redis, PostgreSQL and the three apps.
      const started = demo.started.map(({ commandLine }) => commandLine).join('\n');
      for (const expected of [
        'redis-server',
        'postgres',
        'apps/metrics/src/main.ts',
        'apps/orchestrator/src/main.ts',
        'apps/gateway/src/main.ts',
      ])
        expect(started).toContain(expected);
      const survivors = await demo.survivors(STOP_GRACE_MS);
      expect(describeSurvivors(survivors)).toBe('');
    },
    BOOT_TIMEOUT_MS + STOP_GRACE_MS,
  );

  it.each([
    [
      'SIGTERM to the script alone (an IDE stop button, kill)',
      (dev: DevStartProcess) => dev.signalScript('SIGTERM'),
    ],
    [
      "Ctrl-C in a terminal (SIGINT to the script's whole process group)",
      (dev: DevStartProcess) => dev.signalGroup('SIGINT'),
    ],
  ])(
    'npm start stopped by %s stops everything it started',
    async (_how, stop) => {
      const dev = start([]);
      await dev.waitForOutput('Ctrl-C stops everything.', BOOT_TIMEOUT_MS);
      stop(dev);
      await dev.exited;
      expect(dev.output).toContain('Everything stopped.');
      const survivors = await dev.survivors(STOP_GRACE_MS);
      expect(describeSurvivors(survivors)).toBe('');
    },
    BOOT_TIMEOUT_MS + 2 * STOP_GRACE_MS,
  );

  it(
    'npm start with an app killed under it (SIGKILL, as the OOM killer kills) names it, stops the rest and exits 1',
    async () => {
      const dev = start([]);
      await dev.waitForOutput('Ctrl-C stops everything.', BOOT_TIMEOUT_MS);
      // The app the script stops last: an app that ended by a signal has no exit code, and
      // shutdown used to wait for good for its exit, which had already happened.
      const metrics = dev.started.find(({ commandLine }) => commandLine.includes('apps/metrics/src/main.ts'));
      process.kill(metrics!.pid, 'SIGKILL');
      const { code } = await dev.exited;
      expect({ code, output: dev.output }).toEqual({
        code: 1,
        output: expect.stringContaining('metrics exited unexpectedly (SIGKILL)'),
      });
      expect(dev.output).toContain('Everything stopped.');
      const survivors = await dev.survivors(STOP_GRACE_MS);
      expect(describeSurvivors(survivors)).toBe('');
    },
    BOOT_TIMEOUT_MS + 2 * STOP_GRACE_MS,
  );
});
