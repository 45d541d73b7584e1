import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM build script without types
import { makeImportsLazy } from '../../scripts/lazy-imports.mjs';

// The build step behind `// On first use:` imports, on CommonJS as tsc writes it.
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ocb-lazy-'));
  writeFileSync(
    join(dir, 'dep.js'),
    `globalThis.depLoads = (globalThis.depLoads ?? 0) + 1;
     class Thing { constructor(n) { this.n = n; } }
     exports.Thing = Thing;
     exports.twice = (n) => n * 2;`,
  );
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const compiled = (body: string) =>
  `"use strict";
// On first use: only when asked.
const dep_js_1 = require("./dep.js");
${body}`;

describe('lazy imports (scripts/lazy-imports.mjs)', () => {
  it('loads a marked import with the first read of one of its exports', () => {
    const file = join(dir, 'user.js');
    writeFileSync(
      file,
      compiled(
        `exports.make = (n) => new dep_js_1.Thing((0, dep_js_1.twice)(n));
         exports.loads = () => globalThis.depLoads ?? 0;`,
      ),
    );
    expect(makeImportsLazy(file)).toBe(1);
    const user = createRequire(file)(file) as {
      make: (n: number) => { n: number };
      loads: () => number;
    };
    expect(user.loads()).toBe(0);
    expect(user.make(21).n).toBe(42);
    expect(user.make(1).n).toBe(2);
    expect(user.loads()).toBe(1);
  });

  it('fails the build when the module is used other than through its exports', () => {
    const file = join(dir, 'whole.js');
    writeFileSync(file, compiled(`exports.all = dep_js_1;`));
    expect(() => makeImportsLazy(file)).toThrow(/used other than through its exports/);
  });

  it('fails the build when a marker is not followed by an import', () => {
    const file = join(dir, 'stray.js');
    writeFileSync(file, `"use strict";\n// On first use: nothing follows\nexports.x = 1;\n`);
    expect(() => makeImportsLazy(file)).toThrow(/comments but 0 imports/);
  });
});
