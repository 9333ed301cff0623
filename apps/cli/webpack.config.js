// The CLI's bundle, dist/apps/cli/main.js, made executable by its shebang: package.json's `bin`
// (`ao`) and the gateway image point at it.
const { BannerPlugin } = require('webpack');

module.exports = (defaults) => ({
  ...defaults,
  plugins: [...defaults.plugins, new BannerPlugin({ banner: '#!/usr/bin/env node', raw: true, entryOnly: true })],
});
