// Builds the package: TypeScript → CommonJS in dist/cjs, then thin ESM wrappers in dist/esm, each
// with its own `.d.mts` types (a `.d.ts` in this CommonJS package would type `import` as CommonJS).
// One CommonJS implementation serves both module systems, so an app that mixes `import` and
// `require` still gets a single breaker registry and patches each transport once (no dual-package hazard).
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeAllImportsLazy, makeIndexLazy } from './lazy-imports.mjs';
import { bundleEntryModules } from './module-bundle.mjs';
import { bundleSdkParts } from './sdk-bundle.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
rmSync(dist, { recursive: true, force: true });
execFileSync(
  process.execPath,
  [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
  {
    cwd: root,
    stdio: 'inherit',
  },
);

// The CLI is run as a program (`npx otel-circuit-breaker`, node_modules/.bin links): tsc writes
// files without the execute bit, and npm only sets it when installing from a registry tarball.
chmodSync(join(dist, 'cjs/cli/main.js'), 0o755);

makeIndexLazy(join(dist, 'cjs/index.js'));
makeAllImportsLazy(join(dist, 'cjs'));
// After the lazy rewrite: what register loads at start, in one file (scripts/module-bundle.mjs).
bundleEntryModules(join(dist, 'cjs'), 'register.js');
// The SDK parts register starts when the app runs no SDK, with their packages, in one file.
await bundleSdkParts(root, join(dist, 'cjs'));

// Lua scripts are loaded at run time from next to the compiled store code.
cpSync(join(root, 'src/store/lua'), join(dist, 'cjs/store/lua'), { recursive: true });
// So are the status page's script and stylesheet, next to the compiled admin code.
cpSync(join(root, 'src/admin/assets'), join(dist, 'cjs/admin/assets'), { recursive: true });

const esm = join(dist, 'esm');
mkdirSync(esm, { recursive: true });
const require = createRequire(import.meta.url);
// ESM wrappers of the CommonJS entry points: the main entry and `./semconv` (package.json exports).
for (const entry of ['index', 'semconv']) {
  const names = Object.keys(require(join(dist, `cjs/${entry}.js`))).filter(
    (n) => n !== 'default' && n !== '__esModule',
  );
  writeFileSync(
    join(esm, `${entry}.mjs`),
    `import cjs from '../cjs/${entry}.js';\nexport const { ${names.join(', ')} } = cjs;\nexport default cjs;\n`,
  );
  writeFileSync(
    join(esm, `${entry}.d.mts`),
    `export * from '../cjs/${entry}.js';\nimport cjs from '../cjs/${entry}.js';\nexport default cjs;\n`,
  );
}
// Hand-written ESM entry points (e.g. register.mjs, which installs the ESM loader hook first).
const srcDir = join(root, 'src');
for (const file of readdirSync(srcDir)) {
  if (file.endsWith('.mjs')) cpSync(join(srcDir, file), join(esm, file));
}
if (!existsSync(join(esm, 'register.mjs'))) {
  writeFileSync(join(esm, 'register.mjs'), `import '../cjs/register.js';\n`);
}
writeFileSync(join(esm, 'register.d.mts'), `export {};\n`);
