import {
  ConfigSchema,
  configVariables,
  GatewayConfig,
  MetricsConfig,
  MigrationConfig,
  OrchestratorConfig,
  ServiceConfig,
} from '@app/config';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';

export const REPO_ROOT = join(__dirname, '..', '..');
export const DOCKER_DIR = join(REPO_ROOT, 'docker');

export type AppName = 'gateway' | 'orchestrator' | 'metrics';

/** What each app needs from its environment, as the apps' configuration and docker/README.md say. */
export const APPS: Record<
  AppName,
  { port: number; schema: ConfigSchema<ServiceConfig>; requiredVariables: string[] }
> = {
  gateway: {
    port: 3000,
    schema: GatewayConfig,
    requiredVariables: [
      'REDIS_URL',
      'DATABASE_URL',
      'PORT',
      'REDIS_PREFIX',
      'RUN_MIGRATIONS',
      'SITES_DIR',
      'BOOTSTRAP_ADMIN_KEY',
    ],
  },
  orchestrator: {
    port: 3001,
    schema: OrchestratorConfig,
    requiredVariables: [
      'REDIS_URL',
      'DATABASE_URL',
      'PORT',
      'REDIS_PREFIX',
      'RUN_MIGRATIONS',
      'SITES_DIR',
      'MAX_RETRIES',
      'AGENT_TIMEOUT_SECONDS',
    ],
  },
  metrics: {
    port: 3002,
    schema: MetricsConfig,
    requiredVariables: [
      'REDIS_URL',
      'DATABASE_URL',
      'PORT',
      'REDIS_PREFIX',
      'RUN_MIGRATIONS',
      'LOG_RETENTION_DAYS',
      'SESSION_CLEANUP_DAYS',
    ],
  },
};
export const APP_NAMES = Object.keys(APPS) as AppName[];

/** Variables the runtime reads that are not the apps' own configuration. */
const RUNTIME_VARIABLES = new Set(['NODE_ENV', 'NODE_OPTIONS']);

/**
 * Every variable some app's validated configuration knows (or the migrate command's). The shared
 * compose and ConfigMap environment reaches every app, so each app ignores the others' variables.
 */
export function knownVariables(): Set<string> {
  const schemas = [...APP_NAMES.map((name) => APPS[name].schema), MigrationConfig];
  return new Set([...schemas.flatMap((schema) => configVariables(schema)), ...RUNTIME_VARIABLES]);
}

export function readRepoFile(relativePath: string): string {
  return readFileSync(join(REPO_ROOT, relativePath), 'utf8');
}

/** One YAML document; `<<` merge keys resolved, as docker-compose does. */
export function readYaml<T = unknown>(relativePath: string): T {
  return parse(readRepoFile(relativePath), { merge: true }) as T;
}

/** kubectl to render with: $KUBECTL, else the one on PATH. */
export function kubectlCommand(): string {
  return process.env.KUBECTL ?? 'kubectl';
}

export interface KubernetesObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  [field: string]: unknown;
}

/** `kubectl kustomize docker/k8s/<path>`, offline, parsed into objects. */
export function renderKustomization(path: string): KubernetesObject[] {
  let output: string;
  try {
    output = execFileSync(kubectlCommand(), ['kustomize', join(DOCKER_DIR, 'k8s', path)], {
      encoding: 'utf8',
      maxBuffer: 32 * 1024 * 1024,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (error) {
    const { code, stderr } = error as { code?: string; stderr?: string };
    if (code === 'ENOENT') {
      throw new Error(
        `kubectl not found (set KUBECTL or put it on PATH; docker/README.md says how to get it)`,
      );
    }
    throw new Error(`kubectl kustomize docker/k8s/${path} failed:\n${stderr ?? String(error)}`);
  }
  return parseAllDocuments(output)
    .map((document) => document.toJS() as KubernetesObject | null)
    .filter((object): object is KubernetesObject => object !== null);
}

/** Replaces `${NAME}`, `${NAME:-default}` and `$$` the way compose interpolates, from `variables`. */
export function interpolateCompose(value: string, variables: Record<string, string> = {}): string {
  return value.replace(
    /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}/g,
    (match, name?: string, fallback?: string) => {
      if (match === '$$') return '$';
      const given = variables[name as string];
      return given !== undefined && given !== '' ? given : (fallback ?? '');
    },
  );
}
