import { Deployment } from 'kubernetes-models/apps/v1';
import { posix } from 'node:path';
import { parse } from 'yaml';
import { readRepoFile } from './deployment-files';
import { Stage, copiedSources, ignoreFileRules, parseDockerfile } from './dockerfile-instructions';

const EXAMPLE = 'examples/agent-service';
const dockerfile = parseDockerfile(readRepoFile(`${EXAMPLE}/Dockerfile`));
const stageNamed = (name: string) => dockerfile.stages.find((stage) => stage.name === name);
const instructionsOf = (stage: Stage | undefined, keyword: string) =>
  (stage?.instructions ?? []).filter((instruction) => instruction.keyword === keyword);
const runtime = dockerfile.stages[dockerfile.stages.length - 1];
const examplePackage = JSON.parse(readRepoFile(`${EXAMPLE}/package.json`)) as {
  scripts: Record<string, string>;
  dependencies: Record<string, string>;
};
const rootPackage = JSON.parse(readRepoFile('package.json')) as { version: string };

describe('examples/agent-service/Dockerfile', () => {
  it('builds the SDK package and the service in stages apart from the image that runs', () => {
    expect(dockerfile.stages.map((stage) => stage.name)).toEqual(['sdk', 'build', 'runtime']);
    expect(instructionsOf(stageNamed('sdk'), 'RUN')[1]?.arguments).toMatch(
      /^npm run build:sdk && npm pack \.\/dist\/packages\/agent-sdk --pack-destination dist\/packages$/,
    );
    expect(runtime.base).not.toMatch(/^(sdk|build)$/);
  });

  it("starts every stage from the apps' exactly pinned Node 24 bookworm-slim image", () => {
    const apps = parseDockerfile(readRepoFile('docker/Dockerfile'));
    expect(dockerfile.globalArgs.NODE_IMAGE).toBe(apps.globalArgs.NODE_IMAGE);
    for (const stage of dockerfile.stages) expect(stage.base).toMatch(/^node:24\.\d+\.\d+-bookworm-slim$/);
  });

  it('puts the SDK tarball where package.json looks for it, under the name npm pack gives it', () => {
    const build = stageNamed('build');
    const [workdir] = instructionsOf(build, 'WORKDIR');
    const dependency = examplePackage.dependencies['@agent-orchestrator/agent-sdk'];
    expect(dependency).toBe(
      `file:../../dist/packages/agent-orchestrator-agent-sdk-${rootPackage.version}.tgz`,
    );
    const tarball = posix.resolve(workdir.arguments, dependency.replace(/^file:/, ''));
    const copy = instructionsOf(build, 'COPY').find((instruction) =>
      /--from=sdk/.test(instruction.arguments),
    );
    expect(copy?.arguments).toBe(`--from=sdk /repo/dist/packages/*.tgz ${posix.dirname(tarball)}/`);
  });

  it('runs production dependencies only, pruned in the build, as a non-root user', () => {
    expect(instructionsOf(stageNamed('build'), 'RUN').map((run) => run.arguments)).toContainEqual(
      expect.stringMatching(/npm run build && npm prune --omit=dev/),
    );
    expect(instructionsOf(runtime, 'RUN')).toEqual([]);
    const copied = instructionsOf(runtime, 'COPY').map((copy) => copy.arguments.split(' ')[1]);
    expect(copied).toEqual([
      '/repo/examples/agent-service/package.json',
      '/repo/examples/agent-service/node_modules',
      '/repo/examples/agent-service/dist',
    ]);
    expect(instructionsOf(runtime, 'USER').map((user) => user.arguments)).toEqual(['1000:1000']);
  });

  it('starts the service as npm start does, with a health check on its liveness file and no port', () => {
    const [command] = instructionsOf(runtime, 'CMD');
    expect(JSON.parse(command.arguments)).toEqual(examplePackage.scripts.start.split(' '));
    expect(instructionsOf(runtime, 'EXPOSE')).toEqual([]);
    expect(instructionsOf(runtime, 'HEALTHCHECK')[0]?.arguments).toMatch(
      /find \\"\$LIVENESS_FILE\\" -mmin -1/,
    );
    expect(instructionsOf(runtime, 'ENV')[0]?.arguments).toMatch(/LIVENESS_FILE=\/tmp\/\S+/);
  });

  it('lets into its build context (Dockerfile.dockerignore) every file it copies, and nothing by default', () => {
    const rules = ignoreFileRules(readRepoFile(`${EXAMPLE}/Dockerfile.dockerignore`));
    expect(rules[0]).toBe('*');
    const allowed = rules
      .filter((rule) => rule.startsWith('!'))
      .map((rule) => rule.slice(1).replace(/\/$/, ''));
    const sources = copiedSources(dockerfile).map((source) => source.replace(/^\.\//, '').replace(/\/$/, ''));
    expect(sources.length).toBeGreaterThan(0);
    for (const source of sources) expect(allowed).toContain(source);
  });
});

interface Container {
  image: string;
  ports?: unknown[];
  envFrom?: { configMapRef?: { name: string } }[];
  env?: { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[];
  startupProbe?: { exec?: { command: string[] } };
  readinessProbe?: { exec?: { command: string[] } };
  livenessProbe?: { exec?: { command: string[] } };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: { readOnlyRootFilesystem?: boolean; allowPrivilegeEscalation?: boolean };
  volumeMounts?: { name: string; mountPath: string }[];
}

describe('examples/agent-service/k8s/deployment.yaml', () => {
  const manifest = parse(readRepoFile(`${EXAMPLE}/k8s/deployment.yaml`)) as {
    kind: string;
    spec: {
      template: {
        spec: {
          terminationGracePeriodSeconds: number;
          securityContext: { runAsNonRoot: boolean };
          containers: Container[];
          volumes: { name: string; emptyDir?: unknown }[];
        };
      };
    };
  };
  const pod = manifest.spec.template.spec;
  const [container] = pod.containers;
  const env = (name: string) => container.env?.find((variable) => variable.name === name);

  it('is a Deployment that validates against the Kubernetes schema, with one container', () => {
    expect(manifest.kind).toBe('Deployment');
    expect(() => new Deployment(manifest as never).validate()).not.toThrow();
    expect(pod.containers).toHaveLength(1);
    expect(container.image).toMatch(/^agent-orchestrator\/text-summary-service:\d+\.\d+\.\d+$/);
  });

  it("joins the orchestrator's deployment: its ConfigMap (REDIS_PREFIX) and its Secret's REDIS_URL", () => {
    const base = readRepoFile('docker/k8s/base/kustomization.yaml');
    expect(base).toMatch(/name: agent-orchestrator-config/);
    expect(readRepoFile('docker/k8s/base/config.env')).toMatch(/^REDIS_PREFIX=/m);
    expect(container.envFrom).toEqual([{ configMapRef: { name: 'agent-orchestrator-config' } }]);
    expect(env('REDIS_URL')?.valueFrom?.secretKeyRef).toEqual({
      name: 'agent-orchestrator-secrets',
      key: 'REDIS_URL',
    });
    expect(Number(env('CONCURRENCY')?.value)).toBeGreaterThan(0);
  });

  it('gives a stopping pod more grace than the agent lets a step run', () => {
    const agent = readRepoFile(`${EXAMPLE}/src/text-summary.agent.ts`);
    const timeoutSeconds = Number(/timeoutSeconds: (\d+)/.exec(agent)?.[1]);
    expect(timeoutSeconds).toBeGreaterThan(0);
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(timeoutSeconds);
  });

  it('probes the liveness file with exec probes, having no port to probe over HTTP', () => {
    expect(container.ports).toBeUndefined();
    const file = env('LIVENESS_FILE')?.value ?? '';
    expect(file).toMatch(/^\/tmp\//);
    for (const probe of [container.startupProbe, container.readinessProbe, container.livenessProbe])
      expect(probe?.exec?.command.join(' ')).toMatch(/\$LIVENESS_FILE/);
    expect(container.livenessProbe?.exec?.command.join(' ')).toMatch(/-mmin -1/);
    // The file lives on a writable volume although the root filesystem is read-only.
    expect(container.securityContext).toMatchObject({
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
    });
    const tmp = container.volumeMounts?.find((mount) => file.startsWith(`${mount.mountPath}/`));
    expect(pod.volumes.find((volume) => volume.name === tmp?.name)?.emptyDir).toBeDefined();
  });

  it('runs as non-root with requests and limits for CPU and memory', () => {
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    for (const bound of [container.resources?.requests, container.resources?.limits])
      expect(Object.keys(bound ?? {}).sort()).toEqual(['cpu', 'memory']);
  });
});
