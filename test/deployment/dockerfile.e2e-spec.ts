import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { APP_NAMES, APPS, DOCKER_DIR, readRepoFile } from './deployment-files';
import { Stage, copiedSources, ignoreFileRules, parseDockerfile } from './dockerfile-instructions';

const dockerfile = parseDockerfile(readRepoFile('docker/Dockerfile'));
const stageNamed = (name: string) => dockerfile.stages.find((stage) => stage.name === name);

/** The stage and the stages it is built FROM, base first: what ends up in the image. */
function imageChain(target: Stage): Stage[] {
  const chain = [target];
  for (let parent = stageNamed(chain[0].base); parent; parent = stageNamed(parent.base))
    chain.unshift(parent);
  return chain;
}
const instructionsOf = (chain: Stage[], keyword: string) =>
  chain.flatMap((stage) => stage.instructions).filter((instruction) => instruction.keyword === keyword);

describe('docker/Dockerfile', () => {
  it('is multi-stage: the build happens in a stage apart from the images that run', () => {
    expect(dockerfile.stages.length).toBeGreaterThanOrEqual(2);
    const build = dockerfile.stages.find((stage) =>
      stage.instructions.some(
        (instruction) => instruction.keyword === 'RUN' && /npm run build/.test(instruction.arguments),
      ),
    );
    expect(build?.name).toBeDefined();
    for (const name of APP_NAMES) expect(imageChain(stageNamed(name) as Stage)).not.toContain(build);
  });

  it('starts every stage from an exactly pinned Node 24 (LTS) bookworm-slim image, never latest', () => {
    const external = dockerfile.stages.filter((stage) => !stageNamed(stage.base));
    expect(external.length).toBeGreaterThan(0);
    for (const stage of external) {
      expect(stage.base).toMatch(/^node:24\.\d+\.\d+-bookworm-slim(@sha256:[0-9a-f]{64})?$/);
    }
  });

  describe.each(APP_NAMES)('target %s', (name) => {
    const target = stageNamed(name) as Stage;
    const chain = target ? imageChain(target) : [];

    it('exists', () => {
      expect(target).toBeDefined();
    });

    it('installs production dependencies only, with npm ci --omit=dev, and copies none from the build', () => {
      const installs = instructionsOf(chain, 'RUN').filter((run) => /\bnpm ci\b/.test(run.arguments));
      expect(installs.length).toBe(1);
      expect(installs[0].arguments).toMatch(/--omit=dev/);
      for (const copy of instructionsOf(chain, 'COPY').filter((candidate) =>
        /--from=/.test(candidate.arguments),
      )) {
        expect(copy.arguments).not.toMatch(/node_modules/);
        // The gateway image also ships the ao CLI (dist/apps/cli), for `docker exec`, and the
        // dashboard's static build (dist/apps/dashboard), which it serves.
        const bundles = name === 'gateway' ? '(gateway|cli|dashboard)' : name;
        expect(copy.arguments).toMatch(new RegExp(`/dist/apps/${bundles} `));
      }
    });

    it('runs as a non-root user', () => {
      const users = instructionsOf(chain, 'USER');
      expect(users.length).toBeGreaterThan(0);
      expect(users[users.length - 1].arguments).not.toMatch(/^(root|0)(:|$)/);
    });

    it('has a HEALTHCHECK that needs no curl', () => {
      const [healthcheck] = instructionsOf(chain, 'HEALTHCHECK').slice(-1);
      expect(healthcheck?.arguments).toMatch(/CMD \["node",/);
    });

    it('runs its own bundle on its own port, its young generation bounded', () => {
      const [command] = instructionsOf(chain, 'CMD').slice(-1);
      expect(JSON.parse(command.arguments)).toEqual([
        'node',
        '--max-semi-space-size=16',
        `dist/apps/${name}/main.js`,
      ]);
      expect(instructionsOf(chain, 'EXPOSE').map((expose) => expose.arguments)).toEqual([
        String(APPS[name].port),
      ]);
      expect(instructionsOf(chain, 'ENV').map((env) => env.arguments)).toContain(`PORT=${APPS[name].port}`);
    });
  });

  it('lets into the build context every file it copies, and nothing by default', () => {
    const ignored = ignoreFileRules(readRepoFile('.dockerignore'));
    expect(ignored[0]).toBe('*');
    const allowed = new Set(
      ignored.filter((line) => line.startsWith('!')).map((line) => line.slice(1).replace(/\/$/, '')),
    );
    const sources = copiedSources(dockerfile);
    expect(sources.length).toBeGreaterThan(0);
    for (const source of sources) expect([...allowed]).toContain(source.replace(/\/$/, ''));
  });
});

describe('docker/healthcheck.js', () => {
  let server: Server;
  let status = 200;

  beforeAll(async () => {
    server = createServer((request, response) => {
      response.statusCode = request.url === '/health' ? status : 404;
      response.end();
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  async function runHealthcheck(port: number): Promise<number | null> {
    const child = spawn(process.execPath, [join(DOCKER_DIR, 'healthcheck.js')], {
      env: { PATH: process.env.PATH, PORT: String(port) },
      stdio: 'ignore',
    });
    const [code] = (await once(child, 'exit')) as [number | null];
    return code;
  }

  it('passes when GET /health answers 200', async () => {
    status = 200;
    expect(await runHealthcheck((server.address() as AddressInfo).port)).toBe(0);
  });

  it('fails when GET /health answers 503', async () => {
    status = 503;
    expect(await runHealthcheck((server.address() as AddressInfo).port)).toBe(1);
  });

  it('fails when nothing listens on PORT', async () => {
    const closed = createServer();
    closed.listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    expect(await runHealthcheck(port)).toBe(1);
  });
});
