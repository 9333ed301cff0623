import { setFlagsFromString } from 'node:v8';

/**
 * Caps how far V8 lets the heap grow past what its last full collection kept before it collects
 * again: `percent` of it (V8's `--heap-growing-percent`; 0 keeps V8's own factor). Under a steady
 * load the apps promote data that lives through a few young collections (a workflow's steps,
 * outputs, Redis replies) and dies soon after; with V8's own factor, picked from how fast it
 * collects, the old generation then saws between its live size and up to three or four times
 * that, and the first saw, from V8's initial limit, is the highest. What a container limit must
 * hold is the top of that saw. A lower factor means more full collections, which V8 marks
 * concurrently: at 50, the orchestrator's heap under 20 CREATE_SITE in flight stays within 57-94
 * MB instead of 58-158 on Node 20, and 71-132 MB instead of 68-195 on Node 24, with the same
 * throughput (docker/README.md, "Memory").
 *
 * Node accepts this flag on its command line but not in NODE_OPTIONS, and the apps start under
 * several commands (the image's, `npm run start:*`, the tests'): each sets it first thing, before
 * its heap has grown. V8 reads the flag at every full collection, and its flags are the process's,
 * so the CPU pool's threads follow it too.
 */
export function limitHeapGrowth(percent: number): void {
  if (percent > 0) setFlagsFromString(`--heap-growing-percent=${percent}`);
}
