import { existsSync } from 'node:fs';
import { requireAtRunTime } from '../run-time-require';

/**
 * A CPU-bound function an agent runs in the orchestrator's worker-thread pool. It names a module
 * file and one of its exports rather than holding the function, because a worker thread loads
 * code from files: the export receives the input (structured-cloned) and returns the output.
 *
 * Declare one beside the function, in a module named `<subject>.task.ts`:
 * ```ts
 * export function auditSite(input: AuditSiteInput): Promise<AuditReport> { ... }
 * export const auditSiteTask = defineCpuTask<AuditSiteInput, AuditReport>(__dirname, 'site-audit.task', 'auditSite');
 * ```
 * The production bundle emits every `*.task.ts` beside `main.js` (see the orchestrator's webpack
 * config), which is where `__dirname` points there.
 */
export interface CpuTask<Input, Output> {
  /** `<module>#<export>`: the label of the task's logs and metrics. */
  readonly name: string;
  /** Absolute path of the module without its extension (`.js` when built, `.ts` from source). */
  readonly modulePath: string;
  readonly exportName: string;
  /** Phantom fields: they carry the types only. */
  readonly input?: Input;
  readonly output?: Output;
}

/** Declares a {@link CpuTask}: `directory` is the caller's `__dirname`, `module` the file's base name. */
export function defineCpuTask<Input, Output>(
  directory: string,
  module: string,
  exportName: string,
): CpuTask<Input, Output> {
  return { name: `${module}#${exportName}`, modulePath: `${directory}/${module}`, exportName };
}

/** The file a module path names: the built `.js` when there is one, else the `.ts` source. */
export function resolveModuleFile(modulePath: string): string {
  for (const extension of ['.js', '.ts']) {
    if (existsSync(modulePath + extension)) return modulePath + extension;
  }
  throw new Error(
    `no module at ${modulePath}.js or .ts: a CPU task's file must sit where its definition says ` +
      '(in a production bundle, every *.task.ts is emitted beside main.js)',
  );
}

/** The task's function, loaded from its module in this thread. */
export function loadCpuTaskFunction(task: Pick<CpuTask<unknown, unknown>, 'modulePath' | 'exportName'>) {
  const file = resolveModuleFile(task.modulePath);
  const loaded = requireAtRunTime(file) as Record<string, unknown>;
  const run = loaded[task.exportName];
  if (typeof run !== 'function') throw new Error(`${file} does not export a function ${task.exportName}`);
  return run as (input: unknown) => unknown;
}
