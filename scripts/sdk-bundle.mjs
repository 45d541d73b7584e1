// Bundles src/auto/sdk-parts.ts with the OpenTelemetry SDK packages it re-exports into one CommonJS
// module, dist/cjs/auto/sdk-parts.js, in place of tsc's output (which requires each package):
// register then reads one file instead of resolving, reading and compiling about 170. The packages'
// ES module builds are bundled, so only what the file exports is kept (of
// @opentelemetry/semantic-conventions, a few names). `@opentelemetry/api` is left a require: the
// app and every SDK must share the one that holds the global providers.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

/** `name@version (license)` of every package in the bundle, from esbuild's list of its inputs. */
function bundledPackages(root, inputs) {
  const folders = new Set();
  for (const input of Object.keys(inputs)) {
    const match = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (match !== null) folders.add(match[1]);
  }
  return [...folders].sort().map((folder) => {
    const manifest = JSON.parse(readFileSync(join(root, folder, 'package.json'), 'utf8'));
    return `${manifest.name}@${manifest.version} (${manifest.license})`;
  });
}

export async function bundleSdkParts(root, distCjs) {
  const outfile = join(distCjs, 'auto/sdk-parts.js');
  const result = await build({
    absWorkingDir: root,
    entryPoints: ['src/auto/sdk-parts.ts'],
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    external: ['@opentelemetry/api'],
    outfile,
    metafile: true,
    legalComments: 'inline',
    // Class and function names as in the packages' own builds, not renamed apart by the bundler.
    keepNames: true,
    logLevel: 'warning',
    write: false,
  });
  const packages = bundledPackages(root, result.metafile.inputs);
  const banner = [
    '// Built from src/auto/sdk-parts.ts by scripts/sdk-bundle.mjs. Contains code of these packages',
    '// of https://github.com/open-telemetry/opentelemetry-js, under their licenses:',
    ...packages.map((p) => `//   ${p}`),
  ].join('\n');
  const [file] = result.outputFiles;
  writeFileSync(outfile, `${banner}\n${file.text}`);
  // tsc's source map describes the file this replaces.
  rmSync(`${outfile}.map`, { force: true });
  return packages;
}
