declare const __non_webpack_require__: NodeRequire | undefined;

/**
 * Node's own `require`, also inside a webpack bundle, for a module whose path is known only at
 * run time (a CPU task's file, a module listed in `AGENT_MODULES`). Webpack compiles a plain
 * `require(path)` of a computed path into a lookup among the modules it bundled, which fails for
 * every file outside the bundle; `__non_webpack_require__` is the one it leaves alone.
 */
export const requireAtRunTime: NodeRequire =
  typeof __non_webpack_require__ === 'function' ? __non_webpack_require__ : require;
