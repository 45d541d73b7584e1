// npm run check:package — builds, packs the tarball a user would install, and lints that tarball:
// publint (package.json fields, exports, files) and Are the Types Wrong (each entry point's types
// resolve and match its module format for TypeScript's node16 resolution, `import` and `require`).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(import.meta.url), '../..');
const bin = (name) => join(root, 'node_modules', '.bin', name);

execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
const out = mkdtempSync(join(tmpdir(), 'ocb-pack-'));
let failed = false;
try {
  const [packed] = JSON.parse(
    execFileSync('npm', ['pack', '--json', '--pack-destination', out], {
      cwd: root,
      encoding: 'utf8',
    }),
  );
  const tarball = join(out, packed.filename);
  console.log(`check:package: ${packed.filename}, ${packed.entryCount} files`);
  // Files the code reads at run time, which the build copies next to the compiled code.
  const packedPaths = new Set(packed.files.map((f) => f.path));
  for (const asset of [
    'dist/cjs/admin/assets/status-page.js',
    'dist/cjs/admin/assets/status-page-actions.js',
    'dist/cjs/admin/assets/status-page.css',
    'dist/cjs/store/lua/transition-6.lua',
  ]) {
    if (!packedPaths.has(asset)) {
      console.error(`check:package: ${asset} is missing from the tarball`);
      failed = true;
    }
  }
  for (const [name, args] of [
    ['publint', ['run', tarball, '--strict']],
    ['attw', [tarball, '--profile', 'node16']],
  ]) {
    console.log(`\ncheck:package: ${name} ${args.join(' ').replace(out + '/', '')}`);
    const run = spawnSync(bin(name), args, { cwd: root, stdio: 'inherit' });
    if (run.status !== 0) failed = true;
  }
} finally {
  rmSync(out, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
