// An 'error' nobody listens to crashes the process as Node would without the hook: the hook
// watches errors without becoming a listener, so Node throws the error itself, with its own
// uncaught-error report. The one difference: that report lists the frames that emitted the error,
// and an admitted request's own `emit` (see request-observer.ts) is one of them.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { deadPort } from '../transport/support/counting-server.js';

const require = createRequire(import.meta.url);
const tsx = require.resolve('tsx');
const fixture = resolve(__dirname, 'fixtures/http-unhandled-error.ts');

function crash(url: string, mode: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, ['--import', tsx, fixture, url, mode], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('exit', (code) => done({ code, stderr }));
  });
}

describe('http: an error event nobody listens to', () => {
  it('crashes with the same exit code and report as without the hook, plus our emit frame', async () => {
    const url = `http://127.0.0.1:${await deadPort()}/`;
    const [bare, observed] = await Promise.all([crash(url, 'without hook'), crash(url, 'observe')]);
    expect(bare.code).toBe(1);
    expect(bare.stderr).toContain("Emitted 'error' event on ClientRequest instance");
    const ourFrame = /^ {4}at ClientRequest\.watchingEmit \(.*\)\n/m;
    expect(observed.stderr).toMatch(ourFrame);
    expect({ ...observed, stderr: observed.stderr.replace(ourFrame, '') }).toEqual(bare);
  });
});
