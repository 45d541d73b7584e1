// Prints the README's preset table from the code, so the two cannot drift (a test compares them).
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export function presetsTable(PRESETS, PRESET_NAMES) {
  const fields = Object.keys(PRESETS.default).filter((f) => f !== 'mode');
  const header = `| field | ${PRESET_NAMES.map((p) => `\`${p}\``).join(' | ')} |`;
  const rule = `|---|${PRESET_NAMES.map(() => '---').join('|')}|`;
  const rows = fields.map(
    (f) => `| \`${f}\` | ${PRESET_NAMES.map((p) => String(PRESETS[p][f])).join(' | ')} |`,
  );
  return [header, rule, ...rows].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { PRESETS, PRESET_NAMES } = require('../dist/cjs/core/policy.js');
  console.log(presetsTable(PRESETS, PRESET_NAMES));
}
