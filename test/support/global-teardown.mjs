// Stops what global-setup.mjs had to start.
export default async function globalTeardown() {
  for (const stop of (globalThis.__privateServices ?? []).reverse()) await stop();
}
