// npm run test:compat — the built-in fetch tests on Node 22 (bundled undici 6) and Node 26
// (undici 8), besides the main run on Node 24 (each Node comes from the npm registry via npx); then
// the lowest and highest @opentelemetry/api of the peer range in a fresh app (compat-otel-api.mjs).
import { spawnSync } from 'node:child_process';
import { checkOtelApiRange } from './compat-otel-api.mjs';

const files = ['test/transport/builtin-fetch.test.ts', 'test/equivalence/builtin-fetch.test.ts'];
let failed = false;
for (const major of [22, 26]) {
  const npx = (args) =>
    spawnSync('npx', ['-y', '-p', `node@${major}`, 'node', ...args], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
  const version = npx(['-p', 'process.version']).stdout.trim();
  if (!version.startsWith(`v${major}.`)) {
    console.error(`test:compat: wanted Node ${major}, npx gave "${version}"`);
    failed = true;
    continue;
  }
  console.log(`\ntest:compat: Node ${version}`);
  const run = spawnSync(
    'npx',
    ['-y', '-p', `node@${major}`, 'node', 'node_modules/vitest/vitest.mjs', 'run', ...files],
    { stdio: 'inherit' },
  );
  if (run.status !== 0) failed = true;
}
if (!(await checkOtelApiRange())) failed = true;
process.exit(failed ? 1 : 0);
