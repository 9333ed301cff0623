// The gateway's bundle, plus the keys CLI as a second entry: the gateway image ships
// dist/apps/gateway/cli.js beside main.js, runnable with `node` alone (no ts-node in the image).
const { dirname, join } = require('node:path');

module.exports = (defaults) => ({
  ...defaults,
  entry: { main: defaults.entry, cli: join(dirname(defaults.entry), 'cli.ts') },
  output: { ...defaults.output, filename: join(dirname(defaults.output.filename), '[name].js') },
});
