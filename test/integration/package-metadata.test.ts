import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

// What a stranger follows from the package: its licence, its links, and the runbook links in the
// alerts they page on must all lead somewhere real in this repository.
const root = resolve(__dirname, '../..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');
const pkg = JSON.parse(read('package.json')) as {
  version: string;
  license: string;
  repository: { type: string; url: string };
  homepage: string;
  bugs: { url: string };
};
const REPO = 'https://github.com/otel-circuit-breaker/otel-circuit-breaker';

/** GitHub's anchor for a Markdown heading. */
const slug = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\w\- ]/g, '')
    .replace(/ /g, '-');

describe('package metadata', () => {
  it('ships the Apache-2.0 licence its package.json names', () => {
    expect(pkg.license).toBe('Apache-2.0');
    const licence = read('LICENSE');
    expect(licence).toContain('Apache License');
    expect(licence).toContain('Version 2.0, January 2004');
    expect(licence).toContain('END OF TERMS AND CONDITIONS');
  });

  it('links the repository, its home page and its issue tracker', () => {
    expect(pkg.repository).toEqual({ type: 'git', url: `git+${REPO}.git` });
    expect(pkg.homepage).toBe(`${REPO}#readme`);
    expect(pkg.bugs.url).toBe(`${REPO}/issues`);
  });

  it('has a changelog entry for the current version', () => {
    expect(read('CHANGELOG.md')).toMatch(
      new RegExp(`^## ${pkg.version.replace(/\./g, '\\.')}$`, 'm'),
    );
  });

  it("points every alert's runbook_url at a heading of a file in this repository", () => {
    const rules = parse(read('grafana/prometheus/alerts.yml')) as {
      groups: { rules: { alert?: string; annotations?: { runbook_url?: string } }[] }[];
    };
    const alerts = rules.groups.flatMap((g) => g.rules).filter((r) => r.alert !== undefined);
    expect(alerts.length).toBeGreaterThan(0);
    for (const { alert, annotations } of alerts) {
      const url = annotations?.runbook_url ?? '';
      const match = new RegExp(`^${REPO}/blob/main/([^#]+)#(.+)$`).exec(url);
      expect(match, `${alert}: ${url}`).not.toBeNull();
      const [, path, anchor] = match!;
      expect(existsSync(join(root, path!)), `${alert}: ${path}`).toBe(true);
      const anchors = read(path!)
        .split('\n')
        .filter((l) => /^#{1,6} /.test(l))
        .map((l) => slug(l.replace(/^#+ /, '')));
      expect(anchors, `${alert}: #${anchor}`).toContain(anchor);
      expect(anchor).toBe(slug(alert!));
    }
  });
});
