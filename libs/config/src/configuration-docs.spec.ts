import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { getMetadataStorage, ValidationTypes } from 'class-validator';
import { GatewayConfig } from './gateway.config';
import { ConfigSchema, configVariables } from './load-config';
import { MetricsConfig } from './metrics.config';
import { MigrationConfig } from './migration.config';
import { OrchestratorConfig } from './orchestrator.config';

const APPS = { gateway: GatewayConfig, orchestrator: OrchestratorConfig, metrics: MetricsConfig } as const;
type AppName = keyof typeof APPS;
const APP_NAMES = Object.keys(APPS) as AppName[];
const TABLE = join(__dirname, '..', '..', '..', 'docs', 'configuration.md');
/** Defaults the table words because they depend on the machine. */
const COMPUTED_DEFAULTS: Record<string, string> = {
  'the CPUs this process may use': String(availableParallelism()),
};

interface Row {
  variable: string;
  /** 'required', 'unset', or the default as written, per app reading it. */
  defaults: Record<string, string>;
  readBy: string[];
}

/** The rows of the "every variable" table in docs/configuration.md. */
function readTable(): Row[] {
  return readFileSync(TABLE, 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .map((line) => {
      const [variable, defaults, readBy] = line.split(' | ').map((cell) => cell.replace(/^\| /, '').trim());
      const readers = readBy.split(', ');
      const perApp = [...defaults.matchAll(/`([^`]*)` (gateway|orchestrator|metrics)/g)];
      const single = COMPUTED_DEFAULTS[defaults] ?? /^`([^`]*)`$/.exec(defaults)?.[1] ?? defaults;
      return {
        variable: variable.replace(/`/g, ''),
        defaults: Object.fromEntries(
          perApp.length > 0
            ? perApp.map(([, value, app]) => [app, value])
            : readers.map((app) => [app, single]),
        ),
        readBy: readers,
      };
    });
}

/** How the table writes the default of `variable` in `schema`. */
function documentedDefault(schema: ConfigSchema, variable: string): string {
  const value = (new schema() as Record<string, unknown>)[variable];
  if (value !== undefined) return String(value);
  const isOptional = getMetadataStorage()
    .getTargetValidationMetadatas(schema, '', true, false)
    .some(
      (entry) => entry.propertyName === variable && entry.type === ValidationTypes.CONDITIONAL_VALIDATION,
    );
  return isOptional ? 'unset' : 'required';
}

describe('docs/configuration.md', () => {
  const rows = readTable();

  it('has one row per variable some service reads, and no other', () => {
    const variables = rows.map((row) => row.variable);
    expect(new Set(variables).size).toBe(variables.length);
    const read = new Set(APP_NAMES.flatMap((app) => configVariables(APPS[app])));
    expect([...variables].sort()).toEqual([...read].sort());
  });

  it.each(APP_NAMES)('says which variables %s reads, with its defaults', (app) => {
    const documented = Object.fromEntries(
      rows.filter((row) => row.readBy.includes(app)).map((row) => [row.variable, row.defaults[app]]),
    );
    const actual = Object.fromEntries(
      configVariables(APPS[app]).map((variable) => [variable, documentedDefault(APPS[app], variable)]),
    );
    expect(documented).toEqual(actual);
  });

  it('documents the migrate command’s variables as the metrics service’s, with the same defaults', () => {
    for (const variable of configVariables(MigrationConfig)) {
      const row = rows.find((candidate) => candidate.variable === variable);
      expect(row?.readBy).toContain('metrics');
      expect(row?.defaults.metrics).toBe(documentedDefault(MigrationConfig, variable));
    }
  });
});
