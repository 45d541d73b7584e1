import { spawn, type ChildProcess } from 'node:child_process';
import { get, type IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startAdminServer, type AdminServer } from '../../src/admin/admin-server.js';
import { MAX_BODY_BYTES } from '../../src/admin/read-json-body.js';
import { BreakerRegistry } from '../../src/registry/breaker-registry.js';
import { ROOT } from '../cli/cli-harness.js';

const cleanup: Array<() => void | Promise<void>> = [];
afterEach(async () => {
  for (const undo of cleanup.splice(0).reverse()) await undo();
});

/** Runs TypeScript with tsx as a loader in one process, so signals reach the script itself. */
function spawnTsx(args: string[]): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  cleanup.push(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return child;
}

/** Resolves with the first stdout line `matches` accepts. */
function firstLine(child: ChildProcess, matches: (line: string) => boolean): Promise<string> {
  return new Promise((done, fail) => {
    let out = '';
    child.once('exit', (code) => fail(new Error(`exited early (${code})`)));
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split('\n').find(matches);
      if (line !== undefined) done(line);
    });
  });
}

describe('the admin endpoint never keeps the app alive', () => {
  it('an app exits by itself when its work ends, while an event stream and `watch` are attached', async () => {
    const app = spawnTsx(['test/admin/fixtures/short-lived-app.ts']);
    const { url } = JSON.parse(await firstLine(app, (l) => l.startsWith('{'))) as { url: string };

    // An SSE client, connected and receiving snapshots.
    const stream = await new Promise<IncomingMessage>((done, fail) =>
      get(`${url}/events`, done).on('error', fail),
    );
    cleanup.push(() => void stream.destroy());
    await new Promise<void>((done) => {
      let text = '';
      const onData = (chunk: Buffer): void => {
        text += chunk.toString();
        if (text.includes('event: snapshot')) {
          stream.off('data', onData);
          stream.resume();
          done();
        }
      };
      stream.on('data', onData);
    });
    stream.on('error', () => {});

    // The CLI watching it (keep-alive polling).
    const watch = spawnTsx([
      'src/cli/main.ts',
      'watch',
      '--url',
      url,
      '--interval',
      '100',
      '--json',
    ]);
    await firstLine(watch, (l) => l.startsWith('{'));

    const exited = new Promise<number | null>((done) => app.once('exit', (code) => done(code)));
    app.kill('SIGUSR2');
    // Generous bound: the app has nothing left to do but exit, which takes milliseconds.
    const code = await Promise.race([
      exited,
      new Promise<'still running'>((r) => setTimeout(() => r('still running'), 10_000)),
    ]);
    expect(code).toBe(0);
  }, 30_000);
});

describe('request bodies before authentication', () => {
  let admin: AdminServer;
  afterEach(() => admin?.close());

  it('answers 401 to an unauthenticated POST and closes without reading its large body', async () => {
    const registry = new BreakerRegistry();
    registry.get('payments');
    admin = await startAdminServer({ registry, port: 0, token: 'correct-horse-battery-staple' });
    const declared = 256 * 1024 * 1024;
    const socket = connect(admin.port, '127.0.0.1');
    cleanup.push(() => void socket.destroy());
    await new Promise<void>((r) => socket.once('connect', r));
    let response = '';
    socket.on('data', (chunk: Buffer) => (response += chunk.toString('latin1')));
    socket.on('error', () => {});
    const closed = new Promise<void>((r) => socket.once('close', () => r()));
    let isClosed = false;
    void closed.then(() => (isClosed = true));

    socket.write(
      `POST /circuit-breakers/payments/open HTTP/1.1\r\nHost: 127.0.0.1\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${declared}\r\n\r\n`,
    );
    const chunk = Buffer.alloc(256 * 1024, 0x20);
    let written = 0;
    while (!isClosed && written < declared) {
      written += chunk.length;
      if (!socket.write(chunk)) {
        await Promise.race([new Promise((r) => socket.once('drain', r)), closed]);
      }
    }
    await Promise.race([closed, new Promise((r) => setTimeout(r, 5_000))]);
    expect(response).toMatch(/^HTTP\/1\.1 401 /);
    expect(isClosed).toBe(true);
    // The server stopped at once: what got through is what the kernel buffers hold, not the body.
    expect(written).toBeLessThan(32 * 1024 * 1024);
    expect(registry.peek('payments')?.currentState).toBe('closed');
  }, 60_000);

  it('an authorised POST with a body larger than the cap gets 413 without it being read', async () => {
    const registry = new BreakerRegistry();
    registry.get('payments');
    admin = await startAdminServer({ registry, port: 0, token: 'correct-horse-battery-staple' });
    const socket = connect(admin.port, '127.0.0.1');
    cleanup.push(() => void socket.destroy());
    let response = '';
    socket.on('data', (chunk: Buffer) => (response += chunk.toString('latin1')));
    socket.on('error', () => {});
    const closed = new Promise<void>((r) => socket.once('close', () => r()));
    socket.write(
      `POST /circuit-breakers/payments/open HTTP/1.1\r\nHost: 127.0.0.1\r\n` +
        `Authorization: Bearer correct-horse-battery-staple\r\n` +
        `Content-Length: ${MAX_BODY_BYTES * 1000}\r\n\r\n{`,
    );
    await closed;
    expect(response).toMatch(/^HTTP\/1\.1 413 /);
    expect(registry.peek('payments')?.currentState).toBe('closed');
  });
});
