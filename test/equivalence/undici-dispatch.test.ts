// dispatch() with hand-written handlers, old and new API, on undici 6/7/8: with and without our
// hook, the same callbacks in the same order, the same return value, the same validation errors.
import { Readable } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  disableUndiciTransport,
  enableUndiciTransport,
} from '../../src/transport/undici/undici-transport.js';
import { rule, transportFixture } from '../transport/support/transport-fixture.js';
import { CIRCUIT_OPEN_CODE } from '../../src/core/errors.js';
import { expectSameEverywhere, Recorder } from './support/harness.js';
import { dispatchRecorded, recordingHandler } from './support/handlers.js';
import { MAJORS } from './support/majors.js';
import { httpSuite } from './support/http-suite.js';

const net = httpSuite('undici dispatch(): plain vs hooked');

const REQUIRED = {
  old: ['onConnect', 'onHeaders', 'onData', 'onComplete', 'onError'],
  new: ['onRequestStart', 'onResponseStart', 'onResponseData', 'onResponseEnd', 'onResponseError'],
} as const;

const bodies: Array<[string, () => unknown]> = [
  ['string', () => 'hello body'],
  ['Buffer', () => Buffer.from('hello buffer')],
  ['Readable', () => Readable.from([Buffer.from('ab'), Buffer.from('cd')])],
  [
    'async iterable',
    () =>
      (async function* () {
        yield Buffer.from('it-1');
        yield Buffer.from('it-2');
      })(),
  ],
];

for (const { name, major, u, apis } of MAJORS) {
  for (const api of apis) {
    const column = `${name} ${api}`;
    describe(column, () => {
      let client: InstanceType<typeof u.Client>;
      let agent: InstanceType<typeof u.Agent>;
      beforeAll(() => {
        client = new u.Client(net.server.origin);
        agent = new u.Agent();
      });
      afterAll(async () => {
        await client.destroy();
        await agent.destroy();
      });

      // undici 7 checks nothing on new-API handlers but onResponseError (at failure time).
      const invalid = major === 7 && api === 'new' ? ['onResponseError'] : REQUIRED[api];
      for (const missing of invalid) {
        it(`a handler without ${missing} fails as undici fails it`, async () => {
          await expectSameEverywhere(
            `invalid handler: no ${missing}`,
            column,
            (rec) =>
              dispatchRecorded(
                rec,
                client,
                { path: '/hello', method: 'GET' },
                recordingHandler(api, rec, { omit: [missing] }),
              ),
            { observed: false, timeoutMs: 1_500 },
          );
        });
      }
      if (!(major === 7 && api === 'new')) {
        const upgradeCallback = api === 'old' ? 'onUpgrade' : 'onRequestUpgrade';
        for (const [label, opts] of [
          ['CONNECT', { path: '/', method: 'CONNECT' }],
          ['upgrade', { path: '/', method: 'GET', upgrade: 'echo' }],
        ] as const) {
          it(`${label} without ${upgradeCallback} fails as undici fails it`, async () => {
            await expectSameEverywhere(
              `invalid handler: ${label} without ${upgradeCallback}`,
              column,
              (rec) =>
                dispatchRecorded(
                  rec,
                  client,
                  opts,
                  recordingHandler(api, rec, { omit: [upgradeCallback] }),
                ),
              { observed: false, timeoutMs: 1_500 },
            );
          });
        }
        it('a non-function onBodySent fails as undici fails it', async () => {
          await expectSameEverywhere(
            'invalid handler: onBodySent not a function',
            column,
            (rec) => {
              const handler = { ...recordingHandler(api, rec), onBodySent: 'yes' };
              dispatchRecorded(rec, client, { path: '/hello', method: 'GET' }, handler);
            },
            { observed: false, timeoutMs: 1_500 },
          );
        });
      }

      for (const [label, body] of bodies) {
        for (const bodyHooks of [true, false]) {
          it(`${label} body, ${bodyHooks ? 'with' : 'without'} body hooks`, async () => {
            await expectSameEverywhere(
              `body ${label}${bodyHooks ? ' + body hooks' : ''}`,
              column,
              (rec) =>
                dispatchRecorded(
                  rec,
                  agent,
                  { origin: net.server.origin, path: '/echo', method: 'POST', body: body() },
                  recordingHandler(api, rec, { bodyHooks }),
                ),
            );
          });
        }
      }

      it('back-pressure: paused at headers, resumed later', async () => {
        await expectSameEverywhere('pause/resume', column, (rec) =>
          dispatchRecorded(
            rec,
            client,
            { path: '/big', method: 'GET' },
            recordingHandler(api, rec, { pauseMs: 20 }),
          ),
        );
      });

      for (const abortAt of ['start', 'headers'] as const) {
        it(`the caller aborts at ${abortAt}`, async () => {
          await expectSameEverywhere(`abort at ${abortAt}`, column, (rec) =>
            dispatchRecorded(
              rec,
              client,
              { path: '/slow', method: 'GET' },
              recordingHandler(api, rec, { abortAt }),
            ),
          );
        });
      }

      it('a throwing onRequestSent aborts the request', async () => {
        await expectSameEverywhere('onRequestSent throws', column, (rec) =>
          dispatchRecorded(
            rec,
            client,
            { path: '/echo', method: 'POST', body: 'x' },
            recordingHandler(api, rec, { bodyHooks: true, throwOnRequestSent: true }),
          ),
        );
      });

      it('connection refused', async () => {
        await expectSameEverywhere('connection refused', column, (rec) =>
          dispatchRecorded(
            rec,
            agent,
            { origin: net.refused, path: '/', method: 'GET' },
            recordingHandler(api, rec),
          ),
        );
      });

      for (const [label, opts] of [
        ['upgrade', { path: '/', method: 'GET', upgrade: 'echo' }],
        ['CONNECT', { path: '/', method: 'CONNECT' }],
      ] as const) {
        it(`${label} reaches the upgrade callback`, async () => {
          await expectSameEverywhere(`dispatch ${label}`, column, (rec) =>
            dispatchRecorded(
              rec,
              agent,
              { ...opts, origin: net.server.origin },
              recordingHandler(api, rec),
            ),
          );
        });
      }
    });
  }
}

/**
 * The documented difference: a request rejected while the circuit is open never reaches undici.
 * dispatch() returns true, nothing runs inside it, and the error arrives on a later turn without a
 * start callback before it.
 */
describe('documented difference: rejected while open', () => {
  afterEach(() => disableUndiciTransport());
  for (const { name, u, apis } of MAJORS) {
    for (const api of apis) {
      it(`${name} ${api}`, async () => {
        const fixture = transportFixture([rule('127.0.0.1')]);
        enableUndiciTransport(fixture.resolve);
        fixture.breaker('127.0.0.1').forceOpen();
        const rec = new Recorder();
        const agent = new u.Agent();
        let immediateRan = false;
        setImmediate(() => (immediateRan = true));
        const error = api === 'old' ? 'onError' : 'onResponseError';
        const handler = recordingHandler(api, rec);
        const report = handler[error] as (...args: unknown[]) => void;
        handler[error] = (...args: unknown[]) => {
          rec.log(`a later turn: ${String(immediateRan)}`);
          report(...args);
        };
        dispatchRecorded(
          rec,
          agent,
          { origin: net.server.origin, path: '/hello', method: 'GET' },
          handler,
        );
        await rec.finished;
        await agent.close();
        expect(rec.events.slice(0, 2)).toEqual(['dispatch() true', 'a later turn: true']);
        expect(rec.events[2]).toMatch(
          new RegExp(`^${error} CircuitOpenError/\\w+\\(${CIRCUIT_OPEN_CODE}\\): `),
        );
        expect(rec.events).toHaveLength(3);
      });
    }
  }
});
