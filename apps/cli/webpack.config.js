// The CLI's bundle, dist/apps/cli/main.js, made executable (a shebang, mode 0755): package.json's
// `bin` (`ao`) and the gateway image point at it.
const { chmod } = require('node:fs/promises');
const { join } = require('node:path');
const { BannerPlugin } = require('webpack');

const executable = {
  apply(compiler) {
    compiler.hooks.afterEmit.tapPromise('ExecutableBundle', async (compilation) => {
      const bundles = compilation.getAssets().filter((asset) => asset.name.endsWith('main.js'));
      await Promise.all(bundles.map((asset) => chmod(join(compilation.outputOptions.path, asset.name), 0o755)));
    });
  },
};

module.exports = (defaults) => ({
  ...defaults,
  plugins: [
    ...defaults.plugins,
    new BannerPlugin({ banner: '#!/usr/bin/env node', raw: true, entryOnly: true }),
    executable,
  ],
});
