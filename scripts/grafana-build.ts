/**
 * Writes the Grafana dashboards generated from code (scripts/grafana/) to grafana/dashboards/.
 *   npx tsx scripts/grafana-build.ts          # write
 *   npx tsx scripts/grafana-build.ts --check  # exit 1 when a committed file differs
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DASHBOARD_DIR, renderDashboards } from './grafana/dashboards.js';

const root = join(__dirname, '..');
const check = process.argv.includes('--check');
const dir = join(root, DASHBOARD_DIR);
mkdirSync(dir, { recursive: true });

let stale = 0;
for (const [file, text] of Object.entries(renderDashboards())) {
  const path = join(dir, file);
  let current: string | undefined;
  try {
    current = readFileSync(path, 'utf8');
  } catch {
    current = undefined;
  }
  if (current === text) {
    console.log(`unchanged ${DASHBOARD_DIR}/${file}`);
  } else if (check) {
    stale++;
    console.error(`stale     ${DASHBOARD_DIR}/${file} (run: npx tsx scripts/grafana-build.ts)`);
  } else {
    writeFileSync(path, text);
    console.log(`wrote     ${DASHBOARD_DIR}/${file}`);
  }
}
if (stale > 0) process.exitCode = 1;
