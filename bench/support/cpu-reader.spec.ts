import { CpuReader } from './cpu-reader';

describe('CpuReader', () => {
  it("reads a process's main thread apart from the process, which also counts its other threads", () => {
    const reader = new CpuReader({ self: process.pid }, ['self']);
    const before = reader.now();
    // Busy on this thread until the kernel has counted a good many ticks (10 ms each at 100 Hz).
    const until = process.cpuUsage().user + 200_000;
    while (process.cpuUsage().user < until);
    const spent = CpuReader.spent(before, reader.now());

    expect(spent.mainThreadMs.self).toBeGreaterThanOrEqual(150);
    // Read a moment apart, the two may differ by a tick the other way.
    expect(spent.processMs.self).toBeGreaterThanOrEqual(spent.mainThreadMs.self - 10);
    expect(Object.keys(spent.mainThreadMs)).toEqual(['self']);
    expect(CpuReader.sum([spent, spent]).mainThreadMs.self).toBe(2 * spent.mainThreadMs.self);
  });
});
