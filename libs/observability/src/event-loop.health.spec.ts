import { HealthIndicatorService } from '@nestjs/terminus';
import { OrchestratorConfig } from '@app/config';
import { EventLoopHealthIndicator } from './event-loop.health';

/**
 * Holds the event loop in slices of `sliceMs` for `totalMs`, yielding between slices, as
 * synchronous agent work run back to back on the main thread does.
 */
async function holdLoop({ totalMs, sliceMs }: { totalMs: number; sliceMs: number }): Promise<void> {
  const end = Date.now() + totalMs;
  while (Date.now() < end) {
    const sliceEnd = Date.now() + sliceMs;
    while (Date.now() < sliceEnd);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

const idle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the event-loop health indicator', () => {
  const windowMs = 200;
  let indicator: EventLoopHealthIndicator;

  beforeEach(() => {
    indicator = new EventLoopHealthIndicator(new HealthIndicatorService(), {
      EVENT_LOOP_LAG_LIMIT_MS: 50,
    } as OrchestratorConfig);
    indicator.start(windowMs);
  });

  afterEach(() => indicator.onModuleDestroy());

  it('reports the loop down, with the delay it measured, while it is held', async () => {
    await holdLoop({ totalMs: 4 * windowMs, sliceMs: 150 });
    const result = await indicator.check();
    expect(result.eventLoop.status).toBe('down');
    expect(result.eventLoop.lagP99Ms).toBeGreaterThan(50);
    expect(result.eventLoop.message).toMatch(
      /^event loop starved: p99 delay \d+(\.\d)? ms over the last window, above the 50 ms limit$/,
    );
  });

  it('reports it up again once a window passes with the loop free', async () => {
    await holdLoop({ totalMs: 4 * windowMs, sliceMs: 150 });
    await idle(3 * windowMs);
    expect((await indicator.check()).eventLoop).toMatchObject({ status: 'up', limitMs: 50 });
  });
});
