#!/usr/bin/env node
// One command for a developer's machine: Redis, PostgreSQL and the three services.
//
//   npm start           boots everything and keeps running (Ctrl-C stops it all)
//   npm run demo        boots everything, runs a real CREATE_SITE workflow with a progress bar,
//                       opens the published site, stops everything, exits 0 on success
//
// REDIS_URL unset    → a private redis-server from the PATH on a free port (nothing kept on disk)
// DATABASE_URL unset → an embedded PostgreSQL kept in .data/postgres (ESM-only package: hence .mjs)
// DEV_DATA_DIR       → another folder than .data for that database and the published sites
// Variables come from the environment and from .env (see .env.example); the environment wins.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseEnv } from 'node:util';
import pinoPretty from 'pino-pretty';
import { freePort, startEmbeddedPostgres, startRedisServer, waitFor } from './private-services.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const ENV_FILE = join(ROOT, '.env');
// As the apps read it (libs/config/src/environment-file.ts): .env under the real environment.
const ENV = { ...(existsSync(ENV_FILE) ? parseEnv(readFileSync(ENV_FILE, 'utf8')) : {}), ...process.env };
const DATA = ENV.DEV_DATA_DIR ? resolve(ENV.DEV_DATA_DIR) : join(ROOT, '.data');
const shownData = DATA.startsWith(`${ROOT}/`) ? relative(ROOT, DATA) : DATA;
const isDemo = process.argv.includes('--demo');
const cleanups = [];
let stopping = false;

const say = (message) => process.stdout.write(`${message}\n`);
// The apps log JSON lines, what a log pipeline reads; a person reads them as text, one per line.
const formatLogLine = pinoPretty.prettyFactory({
  colorize: Boolean(process.stdout.isTTY),
  translateTime: 'SYS:HH:MM:ss.l',
  ignore: 'pid,hostname,service,context,req,res,responseTime',
  messageFormat: '{if context}{context}: {end}{if req.url}{req.method} {req.url} {res.statusCode} ({responseTime} ms) {end}{msg}',
  singleLine: true,
});
const fail = (message) => {
  process.stderr.write(`\n${message}\n`);
  return shutdown(1);
};

async function startRedis() {
  if (ENV.REDIS_URL) return ENV.REDIS_URL;
  const dir = join(DATA, 'redis');
  mkdirSync(dir, { recursive: true });
  const redis = await startRedisServer({
    port: await freePort(6390),
    dir,
    runningHint: 'REDIS_URL=redis://127.0.0.1:6379 npm start',
    // shutdown() stops it after the apps.
    ownsSignals: true,
  });
  cleanups.push(redis.stop);
  say(`• Redis          ${redis.url} (private redis-server)`);
  return redis.url;
}

async function startPostgres() {
  if (ENV.DATABASE_URL) return ENV.DATABASE_URL;
  const postgres = await startEmbeddedPostgres({
    databaseDir: join(DATA, 'postgres'),
    port: await freePort(5439),
    database: 'orchestrator',
    persistent: true,
    onError: (error) => process.stderr.write(`[postgres] ${String(error)}\n`),
    // shutdown() stops the apps first, then the database they write to.
    ownsSignals: true,
  });
  cleanups.push(postgres.stop);
  say(`• PostgreSQL     ${postgres.url} (embedded, data in ${join(shownData, 'postgres')})`);
  return postgres.url;
}

function startApp(name, env) {
  const child = spawn(
    process.execPath,
    ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', `apps/${name}/src/main.ts`],
    { cwd: ROOT, env: { ...ENV, ...env, TS_NODE_PROJECT: join(ROOT, 'tsconfig.json') }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const relay = (stream, target) => {
    let rest = '';
    stream.on('data', (chunk) => {
      const lines = (rest + chunk.toString()).split('\n');
      rest = lines.pop();
      for (const line of lines) {
        if (isDemo && !/"level":(40|50|60)|Error/.test(line)) continue;
        target.write(`[${name}] ${line.startsWith('{') ? formatLogLine(line) : `${line}\n`}`);
      }
    });
  };
  relay(child.stdout, process.stdout);
  relay(child.stderr, process.stderr);
  // Awaited at shutdown, not listened for then: a Ctrl-C reaches the apps too, and one that has
  // already ended (by the signal, so with no exit code) would never emit 'exit' again.
  const exited = new Promise((done) =>
    child.once('exit', (code, signal) => {
      if (!stopping) void fail(`${name} exited unexpectedly (${signal ?? code}); see its output above.`);
      done();
    }),
  );
  cleanups.push(() => {
    child.kill('SIGTERM'); // a no-op once it has ended
    const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    return exited.finally(() => clearTimeout(killer));
  });
  return child;
}

/** The dashboard's static build, which the gateway serves at /dashboard (a few seconds). */
function buildDashboard() {
  return new Promise((done, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'apps/dashboard/vite.config.mts', '--logLevel', 'warn'], {
      cwd: ROOT,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.on('exit', (code) => (code === 0 ? done() : reject(new Error(`building the dashboard failed (exit ${code})`))));
  });
}

async function shutdown(code) {
  if (stopping) return;
  stopping = true;
  // The apps log little as they stop: a person at Ctrl-C sees what the wait is for and its end.
  const hasStarted = cleanups.length > 0;
  if (hasStarted) say('\nStopping...');
  for (const cleanup of cleanups.reverse()) await Promise.resolve(cleanup()).catch(() => {});
  if (hasStarted) say('Everything stopped.');
  process.exit(code);
}

async function runDemo({ gatewayUrl, adminKey }) {
  const { io } = await import('socket.io-client');
  const { SingleBar, Presets } = await import('cli-progress');
  const request = 'Create a portfolio website for a wildlife photographer, dark theme';
  say(`\nStarting CREATE_SITE: "${request}"`);
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${adminKey}` };
  const response = await fetch(`${gatewayUrl}/workflows`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ type: 'CREATE_SITE', input: { request }, sessionId: `demo-${Date.now()}` }),
  });
  if (response.status !== 202) throw new Error(`POST /workflows answered ${response.status}: ${await response.text()}`);
  const { workflowId } = await response.json();
  say(`workflow ${workflowId}`);

  const bar = new SingleBar({ format: ' {bar} {percentage}% | {step}', hideCursor: true }, Presets.shades_classic);
  bar.start(100, 0, { step: 'queued' });
  const socket = io(gatewayUrl, { transports: ['websocket'], auth: { token: adminKey } });
  const final = await new Promise((resolveFinal, reject) => {
    socket.on('progress', (event) => bar.update(event.percent));
    socket.on('agent_status', (event) => bar.update({ step: `${event.stepId}: ${event.lifecycle.toLowerCase()}` }));
    socket.on('complete', resolveFinal);
    socket.on('error', (event) => (event.workflowId ? resolveFinal(event) : reject(new Error(JSON.stringify(event)))));
    socket.emit('workflow.subscribe', { workflowId }, (ack) => {
      if (!ack?.ok) reject(new Error(`subscribe failed: ${JSON.stringify(ack)}`));
    });
    setTimeout(() => reject(new Error('the workflow did not finish within 5 minutes')), 300_000).unref();
  });
  bar.update(final.type === 'complete' ? 100 : bar.value, { step: final.type === 'complete' ? 'done' : 'failed' });
  bar.stop();
  socket.close();
  if (final.type !== 'complete') throw new Error(`the workflow failed: ${final.message}`);

  const state = await (await fetch(`${gatewayUrl}/workflows/${workflowId}`, { headers })).json();
  say(`\nstatus ${state.status} in ${state.metrics.totalDurationMs} ms`);
  for (const step of state.steps) say(`  ${step.stepId.padEnd(8)} ${step.lifecycle.padEnd(9)} ${state.metrics.agentDurationsMs[step.stepId] ?? 0} ms`);
  const { siteId, version } = final.result.deploy;
  const siteUrl = `${gatewayUrl}/sites/${siteId}/`;
  const page = await fetch(siteUrl);
  const title = /<title>([^<]*)<\/title>/.exec(await page.text())?.[1];
  if (!page.ok) throw new Error(`the published site answered ${page.status} at ${siteUrl}`);
  say(`\nPublished version ${version}: ${siteUrl}  ("${title}")`);
}

async function main() {
  mkdirSync(DATA, { recursive: true });
  say('Starting the agent orchestrator...');
  const redisUrl = await startRedis();
  const databaseUrl = await startPostgres();
  // A key of the developer's own is a secret this script does not print; a generated one is printed to be used.
  const isOwnAdminKey = Boolean(ENV.BOOTSTRAP_ADMIN_KEY);
  const adminKey = ENV.BOOTSTRAP_ADMIN_KEY || `dev-${randomBytes(16).toString('hex')}`;
  const shownKey = isOwnAdminKey ? '$BOOTSTRAP_ADMIN_KEY' : adminKey;
  const ports = { gateway: await freePort(3000), orchestrator: await freePort(3001), metrics: await freePort(3002) };
  const env = {
    REDIS_URL: redisUrl,
    DATABASE_URL: databaseUrl,
    BOOTSTRAP_ADMIN_KEY: adminKey,
    SITES_DIR: ENV.SITES_DIR || join(DATA, 'sites'),
    LOG_LEVEL: ENV.LOG_LEVEL || 'info',
  };
  // The demo talks to the API only; a person at `npm start` gets the dashboard too.
  if (!isDemo) {
    say('• dashboard      building (vite)...');
    await buildDashboard();
  }
  // The metrics service applies the migrations before it listens; the others wait for it.
  startApp('metrics', { ...env, PORT: String(ports.metrics), RUN_MIGRATIONS: 'true' });
  await waitFor(async () => (await fetch(`http://127.0.0.1:${ports.metrics}/health`)).ok, 'the metrics service');
  startApp('orchestrator', { ...env, PORT: String(ports.orchestrator), RUN_MIGRATIONS: 'false' });
  startApp('gateway', { ...env, PORT: String(ports.gateway), RUN_MIGRATIONS: 'false' });
  const gatewayUrl = `http://127.0.0.1:${ports.gateway}`;
  await Promise.all(
    Object.entries(ports).map(([name, port]) => waitFor(async () => (await fetch(`http://127.0.0.1:${port}/health`)).ok, name)),
  );
  say(`• metrics        http://127.0.0.1:${ports.metrics}  (/metrics, /health)`);
  say(`• orchestrator   http://127.0.0.1:${ports.orchestrator}  (/metrics, /health)`);
  say(`• gateway        ${gatewayUrl}  (REST, Socket.IO, /docs)`);
  if (!isDemo) say(`• dashboard      ${gatewayUrl}/dashboard/  (sign in with the admin key)`);
  say(`• admin key      ${isOwnAdminKey ? 'BOOTSTRAP_ADMIN_KEY (yours, not shown)' : adminKey}`);

  if (isDemo) {
    await runDemo({ gatewayUrl, adminKey });
    return shutdown(0);
  }
  say(`\nThe gateway listens on ${gatewayUrl}. Try:`);
  say(`  curl -s -X POST ${gatewayUrl}/workflows -H "authorization: Bearer ${shownKey}" -H 'content-type: application/json' \\`);
  say(`    -d '{"type":"CREATE_SITE","input":{"request":"Create a blog about mountain cooking"},"sessionId":"me"}'`);
  say(`  curl -s ${gatewayUrl}/workflows/<workflowId> -H "authorization: Bearer ${shownKey}"`);
  say('Ctrl-C stops everything.');
}

process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));
main().catch((error) => fail(`Start-up failed: ${error instanceof Error ? error.message : String(error)}`));
