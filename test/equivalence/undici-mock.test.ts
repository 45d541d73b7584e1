// MockAgent, MockPool and MockClient of undici 6/7/8 (intercepts, delayed replies,
// disableNetConnect, aborts, body lifecycle hooks) and setGlobalDispatcher(mockAgent) with fetch:
// a test suite built on MockAgent sees the same thing with our hook preloaded.
import { afterAll, describe, it } from 'vitest';
import {
  expectSameEverywhere,
  printTable,
  type Recorder,
  type ScenarioOptions,
} from './support/harness.js';
import { dispatchRecorded, recordingHandler, type HandlerApi } from './support/handlers.js';
import { MAJORS, type Undici } from './support/majors.js';
import { settle } from './support/scenario.js';

afterAll(() => {
  printTable('undici MockAgent / MockPool / MockClient: plain vs hooked');
});

const ORIGIN = 'http://127.0.0.1:4567';

type MockAgent = InstanceType<Undici['MockAgent']>;

async function withMock(
  u: Undici,
  rec: Recorder,
  flow: (agent: MockAgent) => Promise<string | void>,
  options: { connections?: number } = {},
): Promise<void> {
  const agent = new u.MockAgent(options);
  agent.disableNetConnect();
  try {
    await settle(rec, () => flow(agent));
  } finally {
    await agent.close();
  }
}

type Case = [string, (rec: Recorder) => Promise<void>, ScenarioOptions?];

/** A MockPool/MockClient used directly replaces its own dispatch: no request reaches our hook. */
const bypassesDispatcherBase: ScenarioOptions = { observed: false };

function cases(u: Undici, api: HandlerApi): Case[] {
  return [
    [
      'intercept + request',
      (rec) =>
        withMock(u, rec, async (agent) => {
          agent
            .get(ORIGIN)
            .intercept({ path: '/a', method: 'GET' })
            .reply(200, 'mocked', {
              headers: { 'x-mock': '1' },
            });
          const res = await u.request(`${ORIGIN}/a`, { dispatcher: agent });
          return `${res.statusCode} ${String(res.headers['x-mock'])} ${await res.body.text()}`;
        }),
    ],
    [
      'delayed reply',
      (rec) =>
        withMock(u, rec, async (agent) => {
          agent.get(ORIGIN).intercept({ path: '/slow' }).reply(200, 'late').delay(30);
          const res = await u.request(`${ORIGIN}/slow`, { dispatcher: agent });
          return await res.body.text();
        }),
    ],
    [
      'delayed reply, caller aborts first',
      (rec) =>
        withMock(u, rec, async (agent) => {
          agent.get(ORIGIN).intercept({ path: '/slow' }).reply(200, 'late').delay(300);
          await u.request(`${ORIGIN}/slow`, { dispatcher: agent, signal: AbortSignal.timeout(20) });
        }),
    ],
    [
      'disableNetConnect, no intercept',
      (rec) =>
        withMock(u, rec, async (agent) => {
          agent.get(ORIGIN).intercept({ path: '/a' }).reply(200, 'x');
          await u.request(`${ORIGIN}/other`, { dispatcher: agent });
        }),
    ],
    [
      'replyWithError',
      (rec) =>
        withMock(u, rec, async (agent) => {
          agent.get(ORIGIN).intercept({ path: '/e' }).replyWithError(new Error('mocked failure'));
          await u.request(`${ORIGIN}/e`, { dispatcher: agent });
        }),
    ],
    [
      'MockPool used directly',
      (rec) =>
        withMock(u, rec, async (agent) => {
          const pool = agent.get(ORIGIN);
          pool.intercept({ path: '/p', method: 'POST', body: 'ping' }).reply(201, 'pong');
          const res = await pool.request({ path: '/p', method: 'POST', body: 'ping' });
          return `${res.statusCode} ${await res.body.text()}`;
        }),
      bypassesDispatcherBase,
    ],
    [
      'MockClient used directly',
      (rec) =>
        withMock(
          u,
          rec,
          async (agent) => {
            const client = agent.get(ORIGIN);
            client.intercept({ path: '/c' }).reply(200, 'client');
            const res = await client.request({ path: '/c', method: 'GET' });
            return `${client.constructor.name} ${await res.body.text()}`;
          },
          { connections: 1 },
        ),
      bypassesDispatcherBase,
    ],
    [
      'setGlobalDispatcher(mockAgent) + fetch',
      (rec) =>
        withMock(u, rec, async (agent) => {
          agent
            .get(ORIGIN)
            .intercept({ path: '/f' })
            .reply(200, 'fetched', {
              headers: { 'content-type': 'text/plain' },
            });
          const previous = u.getGlobalDispatcher();
          u.setGlobalDispatcher(agent);
          try {
            const res = await u.fetch(`${ORIGIN}/f`);
            return `${res.status} ${await res.text()}`;
          } finally {
            u.setGlobalDispatcher(previous);
          }
        }),
    ],
    ...(['string', 'async iterable'] as const).map((kind): Case => [
      `dispatch with body hooks, ${kind} body`,
      (rec) =>
        withMock(u, rec, async (agent) => {
          agent.get(ORIGIN).intercept({ path: '/b', method: 'POST' }).reply(200, 'ok');
          const body =
            kind === 'string'
              ? 'hello'
              : (async function* () {
                  yield 'hel';
                  yield 'lo';
                })();
          dispatchRecorded(
            rec,
            agent,
            { origin: ORIGIN, path: '/b', method: 'POST', body },
            recordingHandler(api, rec, { bodyHooks: true }),
          );
          await rec.finished;
        }),
    ]),
    [
      'onRequestSent throws before a delayed reply',
      (rec) =>
        withMock(u, rec, async (agent) => {
          agent.get(ORIGIN).intercept({ path: '/b', method: 'POST' }).reply(200, 'ok').delay(50);
          dispatchRecorded(
            rec,
            agent,
            { origin: ORIGIN, path: '/b', method: 'POST', body: 'x' },
            recordingHandler(api, rec, { bodyHooks: true, throwOnRequestSent: true }),
          );
          await rec.finished;
          // A reply sent after the abort would show up here.
          await new Promise((resolve) => setTimeout(resolve, 80));
        }),
    ],
  ];
}

for (const { name, u, apis } of MAJORS) {
  for (const api of apis) {
    const column = `${name} ${api}`;
    describe(column, () => {
      for (const [feature, scenario, options] of cases(u, api)) {
        // The request-API cases do not depend on the handler API: run them once per major.
        if (
          api === 'new' &&
          name === 'undici 7' &&
          !feature.startsWith('dispatch') &&
          !feature.startsWith('onRequestSent')
        )
          continue;
        it(feature, async () => {
          await expectSameEverywhere(feature, column, scenario, options);
        });
      }
    });
  }
}
