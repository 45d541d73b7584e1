// Regenerates test/fixtures/metrics.prom from a real scrape of the fixture scenario.
// Run: npx tsx scripts/update-metrics-fixture.ts   (then review the diff: it is a public contract)
import { writeFileSync } from 'node:fs';
import {
  FIXTURE_PATH,
  normaliseExposition,
  scrapeScenario,
} from '../test/telemetry/metrics-scenario.js';

async function main(): Promise<void> {
  const text = normaliseExposition(await scrapeScenario());
  writeFileSync(FIXTURE_PATH, text);
  console.log(`wrote ${FIXTURE_PATH} (${text.split('\n').length - 1} lines)`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
