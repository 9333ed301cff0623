// `npm run build:sdk`: the agent SDK as an npm package of its own, for agent services outside
// this repository (see examples/agent-service). Into dist/packages/agent-sdk it writes
//   index.js + index.d.ts     what agent authors import: Agent, errors, CPU tasks (no Redis, no BullMQ)
//   worker.js + worker.d.ts   createAgentWorker, the runtime that serves agents from any process
//   cpu-task.worker.js        the CPU pool's thread entry, which a worker thread loads from a file
//   *.js, types/*.d.ts        code and types both entries share, so an error class thrown by an
//                             agent is the one the worker tests with instanceof
//   package.json              its dependencies: the npm packages the bundle requires, pinned to
//                             the versions this repository runs with
// `npm run build:sdk -- --configOutDir <dir>` writes it elsewhere (the example's test does).
// The monorepo libraries it imports (@app/contracts, @app/workflow-store, @app/redis...) are
// bundled, their unused modules (Nest modules, DTOs) left out; npm packages stay external.
import { readFileSync, rmSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, resolve } from 'node:path';
import typescript from '@rollup/plugin-typescript';
import { dts } from 'rollup-plugin-dts';

const ROOT = join(import.meta.dirname, '../..');
const DEFAULT_OUT = join(ROOT, 'dist/packages/agent-sdk');
const TSCONFIG = join(import.meta.dirname, 'tsconfig.package.json');
const PACKAGE_NAME = '@agent-orchestrator/agent-sdk';
const ENTRIES = {
  index: join(import.meta.dirname, 'src/index.ts'),
  worker: join(import.meta.dirname, 'src/worker/index.ts'),
};
// Loaded by file name from the pool (`${__dirname}/cpu-task.worker`), so it sits beside the chunk
// holding the pool: every chunk is written at the top of the package.
const THREAD_ENTRY = join(import.meta.dirname, 'src/cpu/cpu-task.worker.ts');

const rootPackage = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const BUILTINS = new Set([...builtinModules, ...builtinModules.map((name) => `node:${name}`)]);

/** Bare specifiers are npm packages or Node's own modules; `@app/*` are this repository's libraries. */
const isExternal = (id) => !/^(\.|\/|@app\/|\0)/.test(id);
/** The TypeScript plugin imports its helpers (decorators) from tslib: bundled, like the libraries. */
const isExternalToCode = (id) => isExternal(id) && id !== 'tslib';
const packageNameOf = (id) =>
  id
    .split('/')
    .slice(0, id.startsWith('@') ? 2 : 1)
    .join('/');

/** The packages the output requires, each at the exact version of the root package.json. */
function pinnedDependencies(chunks) {
  const names = new Set(
    chunks
      .flatMap((chunk) => chunk.imports ?? [])
      .filter((id) => !chunks.some((chunk) => chunk.fileName === id) && !BUILTINS.has(id))
      .map(packageNameOf),
  );
  const missing = [...names].filter((name) => !rootPackage.dependencies[name]);
  if (missing.length > 0) {
    throw new Error(
      `the agent SDK requires ${missing.join(', ')}, which the root package.json does not list in ` +
        'dependencies: add it there (a package the SDK needs at run time is a production dependency)',
    );
  }
  return Object.fromEntries([...names].sort().map((name) => [name, rootPackage.dependencies[name]]));
}

let dependencies = {};

/** Writes the package's package.json from what the JavaScript bundle really imports. */
const packageManifest = () => ({
  name: 'agent-sdk-package-manifest',
  generateBundle(_options, bundle) {
    dependencies = pinnedDependencies(Object.values(bundle));
    const manifest = {
      name: PACKAGE_NAME,
      version: rootPackage.version,
      description: 'Write agents for the agent orchestrator, and serve them from a process of your own.',
      license: rootPackage.license,
      type: 'commonjs',
      engines: rootPackage.engines,
      main: './index.js',
      types: './index.d.ts',
      exports: {
        '.': { types: './index.d.ts', default: './index.js' },
        './worker': { types: './worker.d.ts', default: './worker.js' },
        './package.json': './package.json',
      },
      dependencies,
    };
    this.emitFile({
      type: 'asset',
      fileName: 'package.json',
      source: `${JSON.stringify(manifest, null, 2)}\n`,
    });
  },
});

/** Fails the build when the declarations refer to a package that installing the SDK would not bring. */
const typesNeedOnlyDependencies = () => ({
  name: 'agent-sdk-types-check',
  generateBundle(_options, bundle) {
    const referenced = Object.values(bundle)
      .flatMap((chunk) => chunk.imports ?? [])
      .filter((id) => !(id in bundle) && !BUILTINS.has(id))
      .map(packageNameOf);
    const missing = [...new Set(referenced)].filter((name) => !dependencies[name]);
    if (missing.length > 0)
      throw new Error(`the SDK's types refer to ${missing.join(', ')}, not among its dependencies`);
  },
});

export default ({ configOutDir }) => {
  const out = configOutDir ? resolve(configOutDir) : DEFAULT_OUT;
  rmSync(out, { recursive: true, force: true });
  return [
    {
      input: { ...ENTRIES, 'cpu-task.worker': THREAD_ENTRY },
      external: isExternalToCode,
      // The libraries' modules do nothing when loaded, so one whose exports go unused (a Nest
      // module, a DTO) is left out with its imports; the packages the bundle requires keep theirs
      // (`import 'reflect-metadata'`), and the thread entry runs its top level when a thread starts.
      treeshake: { moduleSideEffects: (id, external) => external || id === THREAD_ENTRY },
      plugins: [
        typescript({
          tsconfig: TSCONFIG,
          compilerOptions: { outDir: out },
          noEmitOnError: true,
          outputToFilesystem: false,
        }),
        packageManifest(),
      ],
      output: {
        dir: out,
        format: 'cjs',
        entryFileNames: '[name].js',
        chunkFileNames: 'shared-[hash].js',
        exports: 'named',
        interop: 'auto',
      },
    },
    {
      input: ENTRIES,
      external: isExternal,
      plugins: [dts({ tsconfig: TSCONFIG }), typesNeedOnlyDependencies()],
      output: {
        dir: out,
        format: 'es',
        entryFileNames: '[name].d.ts',
        chunkFileNames: 'types/shared-[hash].d.ts',
      },
    },
  ];
};
