import { createHash } from 'node:crypto';
import { BREAKER_SCRIPTS } from './breakers/breaker-scripts.lua';
import { BUDGET_SCRIPTS } from './budgets/budget-scripts.lua';
import { FlowControlScripts } from './flow-control-script';
import { LIMIT_SCRIPTS } from './limit-scripts.lua';
import { LLM_LIMIT_SCRIPTS } from './llm-limits/llm-limit-scripts.lua';

/**
 * Helpers every module may use. Time comes from Redis, not the caller, so every worker measures
 * rates against one clock (functions may read TIME since Redis 7 replicates their effects).
 */
const PRELUDE = `
local function nowMs()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
`;

/**
 * The modules of the library. Add a module here (one `*-scripts.lua.ts` file each); its
 * function names must not clash with another module's (the assembly refuses a duplicate).
 */
const MODULES: Record<string, FlowControlScripts> = {
  limits: LIMIT_SCRIPTS,
  breakers: BREAKER_SCRIPTS,
  budgets: BUDGET_SCRIPTS,
  llmLimits: LLM_LIMIT_SCRIPTS,
};

/** A function of the library by its short name, as the modules declare it. */
export type FlowControlFunction = string;

/**
 * The flow-control scripts as one Redis function library, beside the workflow store's. Its name
 * and its functions' names carry a hash of its code, so two versions deployed side by side (a
 * rolling deploy) each call their own, as the store's library does.
 */
export const FLOW_CONTROL_LIBRARY = (() => {
  const functions = new Map<string, string>();
  for (const [module, scripts] of Object.entries(MODULES)) {
    for (const [name, body] of Object.entries(scripts.functions)) {
      if (functions.has(name)) throw new Error(`flow-control function ${name} is declared twice (${module})`);
      functions.set(name, body);
    }
  }
  const helpers = Object.values(MODULES).map((scripts) => scripts.helpers);
  const version = createHash('sha1')
    .update(PRELUDE + helpers.join('\n') + [...functions].map(([name, body]) => name + body).join('\n'))
    .digest('hex')
    .slice(0, 12);
  const functionName = (name: FlowControlFunction) => `flow_${name}_${version}`;
  const registered = [...functions].map(
    ([name, body]) => `redis.register_function('${functionName(name)}', function(KEYS, ARGV)\n${body}\nend)`,
  );
  const name = `flow_control_${version}`;
  return {
    name,
    functionName,
    has: (fn: FlowControlFunction) => functions.has(fn),
    code: `#!lua name=${name}\n${PRELUDE}\n${helpers.join('\n')}\n${registered.join('\n')}\n`,
  };
})();
