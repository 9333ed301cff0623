import { Agent, requireAtRunTime } from '@app/agent-sdk';
import { resolve } from 'node:path';

/**
 * The agents of the modules `AGENT_MODULES` lists (comma-separated paths, a relative one taken
 * from the working directory), each exporting `createAgents(): Agent[]`, as `exports.createAgents`
 * or as a member of its default export. The modules are required at run time by Node, not by
 * webpack, so the production bundle loads files that are not part of it. Any fault stops the
 * start with an error that names the module.
 */
export function loadAgentModules(list: string | undefined): Agent[] {
  if (!list) return [];
  return list
    .split(',')
    .map((path) => path.trim())
    .filter(Boolean)
    .flatMap(loadAgentModule);
}

function loadAgentModule(path: string): Agent[] {
  const file = resolve(process.cwd(), path);
  const named = file === path ? path : `${path} (${file})`;
  const createAgents = findCreateAgents(requireModule(path, file));
  if (!createAgents)
    throw new Error(
      `AGENT_MODULES: ${named} does not export createAgents() (as exports.createAgents or exports.default.createAgents)`,
    );
  let agents: unknown;
  try {
    agents = createAgents();
  } catch (error) {
    throw new Error(`AGENT_MODULES: createAgents() of ${named} threw: ${messageOf(error)}`, { cause: error });
  }
  const problem = agentsProblem(agents);
  if (problem)
    throw new Error(
      `AGENT_MODULES: createAgents() of ${named} must return an array of agents ` +
        `({ descriptor: { name, version, description }, execute(context) }), but ${problem}`,
    );
  return agents as Agent[];
}

/** The module's exports; `file` is `path` resolved against the working directory. */
function requireModule(path: string, file: string): unknown {
  let resolved: string;
  try {
    resolved = requireAtRunTime.resolve(file);
  } catch (error) {
    const from = file === path ? '' : ` ("${path}" taken from the working directory, ${process.cwd()})`;
    throw new Error(`AGENT_MODULES: no module at ${file}${from}`, { cause: error });
  }
  try {
    return requireAtRunTime(resolved);
  } catch (error) {
    throw new Error(`AGENT_MODULES: ${resolved} failed to load: ${messageOf(error)}`, { cause: error });
  }
}

/** `exports.createAgents` (CommonJS, or an ES module's named export compiled to CommonJS), else the default export's. */
function findCreateAgents(exported: unknown): (() => unknown) | undefined {
  for (const holder of [exported, memberOf(exported, 'default')]) {
    const createAgents = memberOf(holder, 'createAgents');
    if (typeof createAgents === 'function') return () => Reflect.apply(createAgents, holder, []) as unknown;
  }
  return undefined;
}

/** Why `agents` is not an array of agents, or undefined when it is. */
function agentsProblem(agents: unknown): string | undefined {
  if (!Array.isArray(agents)) return `it returned ${kindOf(agents)}`;
  for (const [index, agent] of agents.entries()) {
    const name = memberOf(memberOf(agent, 'descriptor'), 'name');
    if (typeof name !== 'string' || name === '') return `item ${index} has no descriptor.name`;
    if (typeof memberOf(agent, 'execute') !== 'function') return `agent "${name}" has no execute function`;
  }
  return undefined;
}

function memberOf(value: unknown, key: string): unknown {
  return (typeof value === 'object' || typeof value === 'function') && value !== null
    ? (value as Record<string, unknown>)[key]
    : undefined;
}

function kindOf(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (value instanceof Promise) return 'a promise (createAgents() must return the agents themselves)';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** An error's message, also of one from another realm (where `instanceof Error` is false). */
function messageOf(error: unknown): string {
  const message = memberOf(error, 'message');
  return typeof message === 'string' ? message : String(error);
}
