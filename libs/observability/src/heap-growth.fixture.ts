import { getHeapSpaceStatistics } from 'node:v8';
import { limitHeapGrowth } from './heap-growth';

// A process under steady load, as the heap-growth spec measures it (run with --expose-gc): a
// long-lived set, and a stream of objects that live long enough to be promoted, then die. Prints
// the old space's peak and what a full collection keeps of it, in MB.
limitHeapGrowth(Number(process.argv[2]));
const collect = (globalThis as { gc?: () => void }).gc!;
const oldSpaceMb = () =>
  getHeapSpaceStatistics().find((space) => space.space_name === 'old_space')!.space_used_size / 2 ** 20;

const longLived = Array.from({ length: 400_000 }, (_, index) => ({ index, text: `kept ${index}` }));
collect();
let peakMb = oldSpaceMb();
// Each batch lives while the next 8,000 (some 30 MB) are made: through a few young collections.
const inFlight: unknown[] = new Array(8_000);
for (let batch = 0; batch < 100_000; batch++) {
  inFlight[batch % inFlight.length] = Array.from({ length: 100 }, (_, index) => ({ batch, index }));
  if (batch % 200 === 0) peakMb = Math.max(peakMb, oldSpaceMb());
}
collect();
process.stdout.write(
  JSON.stringify({ peakMb, liveMb: oldSpaceMb(), held: longLived.length + inFlight.length }),
);
