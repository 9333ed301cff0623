import { PATH_METADATA } from '@nestjs/common/constants';
import { HealthController } from '@app/observability';
import { ConfigurationError, loadConfig } from '@app/config';
import { BUILT_IN_WORKFLOWS } from '@app/agents/website-workflows';
import { agentStepsQueue, queueKeyPrefix } from '@app/contracts';
import { ScaledObject, TriggerAuthentication } from '@kubernetes-models/keda/keda.sh/v1alpha1';
import { Deployment, StatefulSet } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { Job } from 'kubernetes-models/batch/v1';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, Namespace, PersistentVolumeClaim, Secret, Service } from 'kubernetes-models/v1';
import {
  APP_NAMES,
  APPS,
  AppName,
  knownVariables,
  KubernetesObject,
  renderKustomization,
} from './deployment-files';

/** The agents of the built-in workflows, which the orchestrator serves, in their order. */
const WEBSITE_AGENT_NAMES = [
  ...new Set(
    BUILT_IN_WORKFLOWS.flatMap((definition) => definition.steps.flatMap((step) => step.agent ?? [])),
  ),
];

/** The schema of every kind the manifests may hold; a kind missing here fails the render test. */
const SCHEMAS: Record<string, new (object: never) => { validate(): void }> = {
  'v1/ConfigMap': ConfigMap,
  'v1/Namespace': Namespace,
  'v1/PersistentVolumeClaim': PersistentVolumeClaim,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'apps/v1/StatefulSet': StatefulSet,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'batch/v1/Job': Job,
  'networking.k8s.io/v1/Ingress': Ingress,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'keda.sh/v1alpha1/ScaledObject': ScaledObject,
  'keda.sh/v1alpha1/TriggerAuthentication': TriggerAuthentication,
};

/** Made by the operator in production (docker/README.md), so absent from the prod render. */
const OPERATOR_SECRET = 'agent-orchestrator-secrets';
const SECRET_VARIABLES: Record<AppName, string[]> = {
  gateway: ['REDIS_URL', 'DATABASE_URL', 'BOOTSTRAP_ADMIN_KEY'],
  orchestrator: ['REDIS_URL', 'DATABASE_URL'],
  metrics: ['REDIS_URL', 'DATABASE_URL'],
};

interface Probe {
  httpGet?: { path?: string; port?: number | string };
}
interface Container {
  name: string;
  image: string;
  command?: string[];
  ports?: { name?: string; containerPort: number }[];
  env?: { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: {
    runAsNonRoot?: boolean;
    runAsUser?: number;
    allowPrivilegeEscalation?: boolean;
    readOnlyRootFilesystem?: boolean;
    capabilities?: { drop?: string[] };
  };
  volumeMounts?: { name: string; mountPath: string }[];
}
interface PodSpec {
  containers: Container[];
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number };
  terminationGracePeriodSeconds?: number;
  volumes?: { name: string; emptyDir?: object; persistentVolumeClaim?: { claimName: string } }[];
}
interface PodTemplate {
  metadata: { labels: Record<string, string>; annotations?: Record<string, string> };
  spec: PodSpec;
}
type Workload = KubernetesObject & {
  spec: { replicas?: number; selector: { matchLabels: Record<string, string> }; template: PodTemplate };
};
type JobObject = KubernetesObject & { spec: { template: PodTemplate } };

/**
 * kustomize wraps a long Secret value's base64 over several lines; the API server's decoder skips
 * the line breaks, the schema's strict `byte` format does not.
 */
function asTheApiServerReadsIt(object: KubernetesObject): KubernetesObject {
  if (object.kind !== 'Secret' || !object.data) return object;
  const data = Object.fromEntries(
    Object.entries(object.data as Record<string, string>).map(([name, value]) => [
      name,
      value.replace(/\s+/g, ''),
    ]),
  );
  return { ...object, data };
}

const key = (object: KubernetesObject) => `${object.apiVersion}/${object.kind}`;
const ofKind = <T extends KubernetesObject>(objects: KubernetesObject[], kind: string) =>
  objects.filter((object) => object.kind === kind) as T[];
const matches = (selector: Record<string, string>, labels: Record<string, string>) =>
  Object.keys(selector).length > 0 &&
  Object.entries(selector).every(([name, value]) => labels[name] === value);
const imageName = (image: string) => image.replace(/@sha256:.*$/, '').replace(/:[^:/]+$/, '');

function resolvePort(container: Container, port: number | string | undefined): number | undefined {
  if (typeof port === 'number') return port;
  return container.ports?.find((candidate) => candidate.name === port)?.containerPort;
}

/** The environment a container starts with, ConfigMaps and Secrets looked up in the render. */
function containerEnvironment(
  container: Container,
  objects: KubernetesObject[],
  secretValues: Record<string, string>,
) {
  const environment: Record<string, string> = {};
  for (const source of container.envFrom ?? []) {
    const configMap = ofKind<KubernetesObject & { data?: Record<string, string> }>(objects, 'ConfigMap').find(
      (candidate) => candidate.metadata.name === source.configMapRef?.name,
    );
    Object.assign(environment, configMap?.data);
  }
  for (const variable of container.env ?? []) {
    const secretKey = variable.valueFrom?.secretKeyRef?.key;
    environment[variable.name] = variable.value ?? (secretKey ? secretValues[secretKey] : undefined) ?? '';
  }
  return environment;
}

/** Values of the Secret in the render (dev), or stand-ins of the right shape for one the operator makes (prod). */
function secretValues(objects: KubernetesObject[]): Record<string, string> {
  const secret = ofKind<KubernetesObject & { data?: Record<string, string> }>(objects, 'Secret').find(
    (candidate) => candidate.metadata.name.startsWith(OPERATOR_SECRET),
  );
  if (!secret) {
    return {
      REDIS_URL: 'redis://redis.example:6379',
      DATABASE_URL: 'postgres://user:password@postgres.example:5432/agent_orchestrator',
      BOOTSTRAP_ADMIN_KEY: 'an-operator-made-admin-key',
    };
  }
  return Object.fromEntries(
    Object.entries(secret.data ?? {}).map(([name, value]) => [
      name,
      Buffer.from(value, 'base64').toString('utf8'),
    ]),
  );
}

/** The paths every app's HealthController serves, read from its route metadata. */
function healthRoutes(): string[] {
  const base = Reflect.getMetadata(PATH_METADATA, HealthController) as string;
  return Object.getOwnPropertyNames(HealthController.prototype)
    .map(
      (method) =>
        Reflect.getMetadata(
          PATH_METADATA,
          (HealthController.prototype as unknown as Record<string, object>)[method],
        ) as string | undefined,
    )
    .filter((path): path is string => path !== undefined)
    .map((path) => `/${[base, path].filter((part) => part && part !== '/').join('/')}`);
}

describe('base renders without KEDA', () => {
  it('renders only core Kubernetes kinds, so a cluster without KEDA can apply it', () => {
    const kinds = renderKustomization('base').map(key);
    expect(kinds.filter((kind) => kind.startsWith('keda.sh/'))).toEqual([]);
    expect(kinds).toEqual(expect.arrayContaining(['apps/v1/Deployment', 'batch/v1/Job', 'v1/Service']));
  });
});

describe.each(['dev', 'prod', 'prod-keda'])('overlay %s', (overlay) => {
  let objects: KubernetesObject[];
  let deployments: Workload[];
  const deployment = (name: AppName) => {
    const found = deployments.find((candidate) => candidate.metadata.name === name);
    if (!found) throw new Error(`no Deployment ${name}`);
    return found;
  };
  const container = (name: AppName) => deployment(name).spec.template.spec.containers[0];
  const configData = () =>
    ofKind<KubernetesObject & { data: Record<string, string> }>(objects, 'ConfigMap').find((configMap) =>
      configMap.metadata.name.startsWith('agent-orchestrator-config'),
    )?.data ?? {};

  beforeAll(() => {
    objects = renderKustomization(`overlays/${overlay}`);
    deployments = ofKind<Workload>(objects, 'Deployment');
  });

  it('renders objects that all validate against the Kubernetes (and KEDA) schemas', () => {
    expect(objects.length).toBeGreaterThan(0);
    for (const object of objects) {
      const Schema = SCHEMAS[key(object)];
      if (!Schema)
        throw new Error(`no schema for ${key(object)} ${object.metadata.name}: add one to SCHEMAS`);
      expect(() => new Schema(asTheApiServerReadsIt(object) as never).validate()).not.toThrow();
    }
  });

  it('puts every namespaced object in one namespace', () => {
    const namespaces = new Set(
      objects.filter((object) => object.kind !== 'Namespace').map((object) => object.metadata.namespace),
    );
    expect([...namespaces]).toHaveLength(1);
    expect([...namespaces][0]).toMatch(/^agent-orchestrator/);
  });

  it('has one Deployment per app, each with one container running its own image', () => {
    expect(deployments.map((candidate) => candidate.metadata.name).sort()).toEqual([...APP_NAMES].sort());
    const images = APP_NAMES.map((name) => {
      const { containers } = deployment(name).spec.template.spec;
      expect(containers).toHaveLength(1);
      expect(imageName(containers[0].image)).toMatch(new RegExp(`(^|/)${name}$`));
      expect(containers[0].image).toMatch(/:[\w.-]+$/);
      expect(containers[0].image).not.toMatch(/:latest$/);
      return imageName(containers[0].image);
    });
    expect(new Set(images).size).toBe(APP_NAMES.length);
  });

  it.each(APP_NAMES)(
    'probes %s: liveness /health/live and readiness /health/ready, routes the app serves',
    (name) => {
      const app = container(name);
      const port = APPS[name].port;
      const served = healthRoutes();
      expect(app.ports?.map((candidate) => candidate.containerPort)).toEqual([
        port,
        Number(configData().METRICS_PORT),
      ]);
      expect(app.livenessProbe?.httpGet?.path).toBe('/health/live');
      expect(app.readinessProbe?.httpGet?.path).toBe('/health/ready');
      expect(served).toContain(app.livenessProbe?.httpGet?.path);
      expect(served).toContain(app.readinessProbe?.httpGet?.path);
      expect(resolvePort(app, app.livenessProbe?.httpGet?.port)).toBe(port);
      expect(resolvePort(app, app.readinessProbe?.httpGet?.port)).toBe(port);
    },
  );

  it.each(APP_NAMES)('limits %s: cpu and memory requested and capped', (name) => {
    const { resources } = container(name);
    for (const bound of [resources?.requests, resources?.limits]) {
      expect(bound?.cpu).toBeDefined();
      expect(bound?.memory).toBeDefined();
    }
  });

  it.each(APP_NAMES)(
    'locks %s down: non-root, read-only root with an emptyDir /tmp, no capabilities',
    (name) => {
      const pod = deployment(name).spec.template.spec;
      const app = pod.containers[0];
      expect(app.securityContext?.runAsNonRoot ?? pod.securityContext?.runAsNonRoot).toBe(true);
      expect(app.securityContext?.runAsUser ?? pod.securityContext?.runAsUser).toBeGreaterThan(0);
      expect(app.securityContext?.allowPrivilegeEscalation).toBe(false);
      expect(app.securityContext?.readOnlyRootFilesystem).toBe(true);
      expect(app.securityContext?.capabilities?.drop).toEqual(['ALL']);
      const tmp = app.volumeMounts?.find((mount) => mount.mountPath === '/tmp');
      expect(pod.volumes?.find((volume) => volume.name === tmp?.name)?.emptyDir).toBeDefined();
    },
  );

  it.each(APP_NAMES)(
    'lets Prometheus scrape %s at /metrics on METRICS_PORT, a port of its own no Service exposes',
    (name) => {
      const metricsPort = configData().METRICS_PORT;
      expect(Number(metricsPort)).not.toBe(APPS[name].port);
      const annotations = deployment(name).spec.template.metadata.annotations ?? {};
      expect(annotations).toMatchObject({
        'prometheus.io/scrape': 'true',
        'prometheus.io/port': metricsPort,
        'prometheus.io/path': '/metrics',
      });
      expect(resolvePort(container(name), 'metrics')).toBe(Number(metricsPort));
      const services = ofKind<
        KubernetesObject & { spec: { ports: { port: number; targetPort: number | string }[] } }
      >(objects, 'Service');
      for (const service of services) {
        for (const port of service.spec.ports) {
          expect([port.port, port.targetPort]).not.toContain('metrics');
          expect([port.port, port.targetPort]).not.toContain(Number(metricsPort));
        }
      }
    },
  );

  it.each(APP_NAMES)(
    'configures %s with an environment its validation accepts, secrets from a Secret',
    (name) => {
      const app = container(name);
      const known = knownVariables();
      const environment = containerEnvironment(app, objects, secretValues(objects));
      expect(Object.keys(environment).filter((variable) => !known.has(variable))).toEqual([]);
      for (const variable of APPS[name].requiredVariables) expect(environment).toHaveProperty(variable);
      expect(environment.PORT).toBe(String(APPS[name].port));
      expect(environment.RUN_MIGRATIONS).toBe('false');
      for (const variable of SECRET_VARIABLES[name]) {
        const reference = app.env?.find((candidate) => candidate.name === variable)?.valueFrom?.secretKeyRef;
        expect(reference?.name).toMatch(new RegExp(`^${OPERATOR_SECRET}`));
      }
      let error: unknown;
      try {
        loadConfig(APPS[name].schema, environment);
      } catch (thrown) {
        error = thrown;
      }
      expect(error instanceof ConfigurationError ? error.message : error).toBeUndefined();
    },
  );

  it('refers only to ConfigMaps and Secrets it renders, or to the one Secret the operator makes', () => {
    const names = new Set(objects.map((object) => `${object.kind}/${object.metadata.name}`));
    const workloads = [
      ...deployments,
      ...ofKind<Workload>(objects, 'StatefulSet'),
      ...ofKind<JobObject>(objects, 'Job'),
    ];
    for (const workload of workloads) {
      for (const app of workload.spec.template.spec.containers) {
        for (const source of app.envFrom ?? []) {
          if (source.configMapRef) expect(names).toContain(`ConfigMap/${source.configMapRef.name}`);
        }
        for (const variable of app.env ?? []) {
          const secret = variable.valueFrom?.secretKeyRef?.name;
          if (secret && !names.has(`Secret/${secret}`)) expect(secret).toBe(OPERATOR_SECRET);
        }
      }
    }
  });

  it('gives the orchestrator more grace than a step may take (AGENT_TIMEOUT_SECONDS)', () => {
    const grace = deployment('orchestrator').spec.template.spec.terminationGracePeriodSeconds ?? 30;
    expect(grace).toBeGreaterThan(Number(configData().AGENT_TIMEOUT_SECONDS));
  });

  it('mounts one sites volume claim at SITES_DIR in the gateway and the orchestrator', () => {
    const claims = (['gateway', 'orchestrator'] as const).map((name) => {
      const pod = deployment(name).spec.template.spec;
      const mount = pod.containers[0].volumeMounts?.find(
        (candidate) => candidate.mountPath === configData().SITES_DIR,
      );
      return pod.volumes?.find((volume) => volume.name === mount?.name)?.persistentVolumeClaim?.claimName;
    });
    expect(claims[0]).toBeDefined();
    expect(claims[1]).toBe(claims[0]);
    const claim = ofKind<KubernetesObject & { spec: { accessModes: string[] } }>(
      objects,
      'PersistentVolumeClaim',
    ).find((candidate) => candidate.metadata.name === claims[0]);
    expect(claim?.spec.accessModes).toEqual(overlay === 'dev' ? ['ReadWriteOnce'] : ['ReadWriteMany']);
  });

  it('selects exactly one workload with every Service, on a port its container has', () => {
    const workloads = [...deployments, ...ofKind<Workload>(objects, 'StatefulSet')];
    const services = ofKind<
      KubernetesObject & {
        spec: { selector: Record<string, string>; ports: { targetPort: number | string }[] };
      }
    >(objects, 'Service');
    expect(services.map((service) => service.metadata.name)).toEqual(expect.arrayContaining([...APP_NAMES]));
    for (const service of services) {
      const selected = workloads.filter((workload) =>
        matches(service.spec.selector, workload.spec.template.metadata.labels),
      );
      expect(selected.map((workload) => workload.metadata.name)).toHaveLength(1);
      for (const port of service.spec.ports) {
        expect(resolvePort(selected[0].spec.template.spec.containers[0], port.targetPort)).toBeDefined();
      }
    }
  });

  it('keeps every Deployment selector on its own pod labels', () => {
    for (const workload of deployments) {
      expect(matches(workload.spec.selector.matchLabels, workload.spec.template.metadata.labels)).toBe(true);
    }
  });

  it('guards every app with a PodDisruptionBudget', () => {
    const budgets = ofKind<
      KubernetesObject & { spec: { selector: { matchLabels: Record<string, string> } } }
    >(objects, 'PodDisruptionBudget');
    for (const name of APP_NAMES) {
      const labels = deployment(name).spec.template.metadata.labels;
      expect(budgets.filter((budget) => matches(budget.spec.selector.matchLabels, labels))).toHaveLength(1);
    }
  });

  it('autoscales the gateway with a HorizontalPodAutoscaler that owns its replica count', () => {
    const autoscalers = ofKind<
      KubernetesObject & { spec: { scaleTargetRef: { kind: string; name: string } } }
    >(objects, 'HorizontalPodAutoscaler');
    expect(autoscalers.map((autoscaler) => autoscaler.spec.scaleTargetRef)).toEqual([
      expect.objectContaining({ kind: 'Deployment', name: 'gateway' }),
    ]);
    expect(deployment('gateway').spec.replicas).toBeUndefined();
  });

  it('runs the migrations in a Job with the metrics image, locked down like the apps', () => {
    const jobs = ofKind<JobObject>(objects, 'Job');
    expect(jobs).toHaveLength(1);
    const pod = jobs[0].spec.template.spec;
    const [migrate] = pod.containers;
    expect(migrate.command).toEqual(['node', 'dist/apps/metrics/main.js', 'migrate']);
    expect(migrate.image).toBe(container('metrics').image);
    expect(migrate.securityContext?.readOnlyRootFilesystem).toBe(true);
    expect(migrate.resources?.limits?.memory).toBeDefined();
    expect(pod.securityContext?.runAsNonRoot).toBe(true);
  });

  if (overlay !== 'dev') {
    it('routes the Ingress to the gateway with cookie affinity for Socket.IO long-polling', () => {
      const [ingress] = ofKind<
        KubernetesObject & {
          spec: { rules: { http: { paths: { backend: { service: { name: string } } }[] } }[] };
        }
      >(objects, 'Ingress');
      expect(ingress.metadata.annotations?.['nginx.ingress.kubernetes.io/affinity']).toBe('cookie');
      expect(ingress.spec.rules[0].http.paths[0].backend.service.name).toBe('gateway');
    });
  }

  if (overlay === 'prod-keda') {
    it('scales the orchestrator with KEDA on the wait list of its workflow-steps queue', () => {
      const [scaledObject] = ofKind<
        KubernetesObject & {
          spec: {
            scaleTargetRef: { name: string };
            triggers: { type: string; metadata: Record<string, string> }[];
          };
        }
      >(objects, 'ScaledObject');
      expect(scaledObject.spec.scaleTargetRef.name).toBe('orchestrator');
      // A trigger per queue of the agents the orchestrator serves: any of them may back up.
      expect(scaledObject.spec.triggers.map((trigger) => [trigger.type, trigger.metadata.listName])).toEqual(
        WEBSITE_AGENT_NAMES.map((agent) => [
          'redis',
          `${queueKeyPrefix(configData().REDIS_PREFIX, agentStepsQueue(agent, 1))}:${agentStepsQueue(agent, 1)}:wait`,
        ]),
      );
      expect(deployment('orchestrator').spec.replicas).toBeUndefined();
    });
  } else {
    it('leaves the orchestrator without an autoscaler (KEDA is opt-in)', () => {
      expect(ofKind(objects, 'ScaledObject')).toEqual([]);
    });
  }
});
