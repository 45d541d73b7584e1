import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PRESETS, PRESET_NAMES } from '../../src/core/policy.js';
// @ts-expect-error plain ESM helper without types
import { presetsTable } from '../../scripts/presets-table.mjs';

const readme = readFileSync(resolve(__dirname, '../../README.md'), 'utf8');

describe('README stays true to the code', () => {
  it('has the preset table generated from PRESETS', () => {
    expect(readme).toContain(presetsTable(PRESETS, PRESET_NAMES));
  });

  it('gives exactly the two quickstart commands', () => {
    expect(readme).toContain('npm install && npm run demo');
    expect(readme).toMatch(/^npm test\s/m);
  });
});
