import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAdminServer, type AdminServer } from '../../src/admin/admin-server.js';
import { BreakerRegistry } from '../../src/registry/breaker-registry.js';
import {
  fetchThrough,
  startFailingUpstream,
  type FailingUpstream,
} from '../utils/failing-upstream.js';

const TOKEN = 'browser-test-token-0123456789';
const NAME = 'flaky-upstream.local';
const XSS_NAME = '<img src=x onerror="document.title=\'pwned\'">';
const ARTIFACTS = resolve(__dirname, '../../test-artifacts');

let upstream: FailingUpstream | undefined;
let admin: AdminServer;
let context: BrowserContext;
let profile: string;
const registry = new BreakerRegistry({ defaults: { failureThreshold: 3, openSeconds: 300 } });
const breaker = registry.get(NAME);
registry.get('api.openai.com:443');
// The code API refuses such a name; one this process did not create (a fleet-only name read from
// Redis) can still be anything, so the page must render it as text.
Object.defineProperty(registry.get('xss-probe'), 'name', { value: XSS_NAME });

beforeAll(async () => {
  upstream = await startFailingUpstream();
  admin = await startAdminServer({ registry, port: 0, token: TOKEN });
  profile = mkdtempSync(join(tmpdir(), 'ocb-chromium-'));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1280, height: 520 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
});

afterAll(async () => {
  await context?.close();
  await admin?.close();
  await upstream?.close();
  if (profile !== undefined) rmSync(profile, { recursive: true, force: true });
});

const row = (page: Page, name: string) =>
  page.locator('tr').filter({ has: page.getByRole('cell', { name, exact: true }) });

describe('live status page in Chromium', () => {
  it('shows a circuit opening as its upstream fails, and resets it with the right token', async () => {
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(admin.url);

    const flaky = row(page, NAME);
    await expect.poll(() => page.locator('#conn').textContent()).toBe('live');
    await expect.poll(() => flaky.getAttribute('data-state')).toBe('closed');

    // Breaker names are user input: shown as text, never as markup.
    await expect.poll(() => row(page, XSS_NAME).count()).toBe(1);
    expect(await page.locator('td.name img').count()).toBe(0);
    expect(await page.title()).toBe('Circuit breakers');

    for (let i = 0; i < 3; i++) await fetchThrough(breaker, upstream!.url);
    expect(breaker.currentState).toBe('open');
    await expect.poll(() => flaky.getAttribute('data-state')).toBe('open');
    expect(await flaky.locator('.state').textContent()).toBe('open');
    expect(await flaky.locator('td').nth(2).textContent()).toBe('100.0 %');
    expect(await flaky.locator('td').nth(4).textContent()).toBe('3');
    expect(await flaky.locator('td').nth(6).textContent()).toMatch(/^\d+\.\d s$/);
    // The error column names the kind, the error's class and its redacted message.
    expect(await flaky.locator('td.err').textContent()).toBe('error: Error HTTP 500');
    expect(await page.locator('#summary').textContent()).toContain('1 open');

    mkdirSync(ARTIFACTS, { recursive: true });
    const shot = join(ARTIFACTS, 'status-page.png');
    await page.screenshot({ path: shot, fullPage: true });
    console.log(`status page screenshot (circuit open): ${shot}`);

    // A wrong token is refused, nothing changes, and the token is not kept.
    await flaky.getByRole('button', { name: `Reset ${NAME}` }).click();
    await page.locator('#token-input').fill('not-the-token');
    await page.locator('#token-ok').click();
    await expect.poll(() => page.locator('#message').textContent()).toContain('failed (401)');
    expect(breaker.currentState).toBe('open');
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);

    // The right token closes it; the page shows the result and the new state.
    await flaky.getByRole('button', { name: `Reset ${NAME}` }).click();
    await page.locator('#token-input').fill(TOKEN);
    await page.locator('#token-ok').click();
    await expect
      .poll(() => page.locator('#message').textContent())
      .toBe(`Reset "${NAME}": open → closed`);
    await expect.poll(() => flaky.getAttribute('data-state')).toBe('closed');
    expect(breaker.currentState).toBe('closed');

    // The token is kept for this tab only (sessionStorage), so the next change needs no prompt.
    await row(page, 'api.openai.com:443')
      .getByRole('button', { name: 'Open api.openai.com:443' })
      .click();
    await expect
      .poll(() => row(page, 'api.openai.com:443').getAttribute('data-state'))
      .toBe('forced_open');
    expect(await page.evaluate(() => localStorage.length)).toBe(0);

    const after = join(ARTIFACTS, 'status-page-after-reset.png');
    await page.screenshot({ path: after, fullPage: true });
    console.log(`status page screenshot (after reset): ${after}`);
    // Only the expected 401 may show in the console; no CSP violation, no script error.
    expect(problems.filter((p) => !p.includes('401'))).toEqual([]);
  });
});
