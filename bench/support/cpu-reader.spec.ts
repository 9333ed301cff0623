import { readProcStat } from '../../test/support/proc-stat';
import { CpuReader } from './cpu-reader';

describe('CpuReader', () => {
  it("reads a process's main thread apart from the process, which also counts its other threads", () => {
    const reader = new CpuReader({ self: process.pid }, ['self']);
    const before = reader.now();
    // Busy on this thread until the kernel has counted 20 ticks for it alone (what process.cpuUsage()
    // counts includes the other threads: GC and libuv time would end the wait early).
    const mainThreadTicks = () => readProcStat(`/proc/${process.pid}/task/${process.pid}/stat`).cpuTicks;
    const until = mainThreadTicks() + 20;
    while (mainThreadTicks() < until);
    const spent = CpuReader.spent(before, reader.now());

    // 20 ticks are 200 ms at Linux's usual 100 Hz, and never less than 20 ms.
    expect(spent.mainThreadMs.self).toBeGreaterThanOrEqual(20);
    // Read a moment apart, the two may differ by a tick the other way.
    expect(spent.processMs.self).toBeGreaterThanOrEqual(spent.mainThreadMs.self - 10);
    expect(Object.keys(spent.mainThreadMs)).toEqual(['self']);
    expect(CpuReader.sum([spent, spent]).mainThreadMs.self).toBe(2 * spent.mainThreadMs.self);
  });
});
