// The orchestrator's bundle, plus one module per CPU task and per worker-thread entry: a worker
// thread loads code from a file, so every `*.task.ts` and `*.worker.ts` under libs/ is emitted
// beside main.js (as `<base name>.js`, where `defineCpuTask(__dirname, ...)` looks for it).
const { readdirSync } = require('node:fs');
const { basename, dirname, join, relative } = require('node:path');

const ROOT = join(__dirname, '../..');
const THREAD_MODULE = /\.(task|worker)\.ts$/;

function threadModules(directory) {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : threadModules(path);
    return THREAD_MODULE.test(entry.name) && !entry.name.includes('spec') ? [path] : [];
  });
}

module.exports = (defaults) => {
  const entry = { main: defaults.entry };
  for (const file of threadModules(join(ROOT, 'libs'))) {
    const name = basename(file, '.ts');
    if (entry[name]) throw new Error(`two thread modules are named ${name}: ${entry[name]} and ${file}`);
    entry[name] = `./${relative(ROOT, file)}`;
  }
  return {
    ...defaults,
    entry,
    output: {
      ...defaults.output,
      filename: join(dirname(defaults.output.filename), '[name].js'),
      // A thread reads the task's exports from module.exports.
      library: { type: 'commonjs2' },
    },
  };
};
