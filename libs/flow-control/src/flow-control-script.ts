/**
 * One file's share of the flow-control function library: Lua helpers defined once at library
 * level, and functions by short name. Each function body runs as
 * `function(KEYS, ARGV) <body> end` after the helpers of every module, so a module may use the
 * shared prelude (`nowMs()`) and its own helpers. Limits (limit-scripts.lua.ts) are one module;
 * further modules (breakers, budgets) sit beside it and are listed in flow-control-library.ts.
 */
export interface FlowControlScripts {
  helpers: string;
  functions: Record<string, string>;
}
