// The equivalence suite for node:http and node:https: every case runs once without the hook, once
// in observe mode and once in enforce mode with thresholds that never trip, against the same
// loopback servers, and must produce the same events, in the same order and event-loop phase, with
// the same results and errors. Test files run it in different surroundings (with and without the
// OTel SDK).
import http from 'node:http';
import https from 'node:https';
import { isDeepStrictEqual } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { disableHttpTransport } from '../../src/transport/http/http-transport.js';
import { createSelfSignedCertificate } from '../transport/support/certificate.js';
import { deadPort } from '../transport/support/counting-server.js';
import type { CaseContext, EquivalenceCase } from './http-case.js';
import { clientCases } from './http-client-cases.js';
import { lifecycleCases } from './http-lifecycle-cases.js';
import { decidedCalls, enterMode, MODES, type HookMode, type Mode } from './http-modes.js';
import { requestCases } from './http-request-cases.js';
import { EquivalenceServer } from './http-servers.js';
import { Trace } from './http-trace.js';

interface Run {
  readonly events: readonly string[];
  readonly result: unknown;
  readonly decided: number;
  readonly rejected: number;
}

const HOOK_MODES = MODES.slice(1) as HookMode[];

/** Registers the suite's servers, one test per case and a closing table of feature × mode. */
export function httpEquivalenceSuite(surroundings: string): void {
  let context: Omit<CaseContext, 'trace'>;
  const table = new Map<string, Partial<Record<HookMode, string>>>();

  beforeAll(async () => {
    const certificate = createSelfSignedCertificate();
    context = {
      http: await EquivalenceServer.start(),
      https: await EquivalenceServer.start(certificate),
      ca: certificate.cert,
      deadPort: await deadPort(),
    };
  });

  afterAll(async () => {
    disableHttpTransport();
    await Promise.all([context.http.close(), context.https.close()]);
  });

  async function runIn(mode: Mode, testCase: EquivalenceCase): Promise<Run> {
    enterMode(mode);
    const before = decidedCalls(mode);
    const trace = new Trace();
    try {
      const result = await testCase.run({ ...context, trace });
      // A client may settle before its request closed (an abort, a timeout), and the breaker
      // records the call at 'close': wait for that (bounded), however slow the machine is.
      http.globalAgent.destroy();
      https.globalAgent.destroy();
      const seen = mode !== 'without hook' && testCase.unseen !== true;
      for (let waited = 0; waited < 2_000; waited += 10) {
        await new Promise((resolve) => setTimeout(resolve, 10));
        if (!seen || decidedCalls(mode).decided > before.decided) break;
      }
      const after = decidedCalls(mode);
      return {
        events: trace.events,
        result,
        decided: after.decided - before.decided,
        rejected: after.rejected - before.rejected,
      };
    } finally {
      disableHttpTransport();
      // Node's global agents keep sockets alive: each run starts without any, as the first did.
      http.globalAgent.destroy();
      https.globalAgent.destroy();
    }
  }

  describe.each([
    ['node:http / node:https', [...requestCases, ...lifecycleCases]],
    ['clients', clientCases],
  ])(`%s behave the same with the hook, ${surroundings}`, (_group, cases) => {
    it.each(cases.map((c) => [c.name, c] as const))('%s', async (name, testCase) => {
      const bare = await runIn('without hook', testCase);
      const hooked = {
        observe: await runIn('observe', testCase),
        enforce: await runIn('enforce', testCase),
      };
      const cells: Partial<Record<HookMode, string>> = {};
      table.set(name, cells);
      for (const mode of HOOK_MODES) {
        const run = hooked[mode];
        const same =
          isDeepStrictEqual(run.events, bare.events) && isDeepStrictEqual(run.result, bare.result);
        cells[mode] = same ? 'equal' : 'DIFFERS';
      }
      for (const mode of HOOK_MODES) {
        const run = hooked[mode];
        expect({ mode, events: run.events, result: run.result }).toEqual({
          mode,
          events: bare.events,
          result: bare.result,
        });
        // The hook really decided these calls (except where it cannot see them), and let all through.
        expect(run.rejected).toBe(0);
        if (testCase.unseen === true) expect(run.decided).toBe(0);
        else expect(run.decided).toBeGreaterThan(0);
      }
    });
  });

  describe(`summary, ${surroundings}`, () => {
    it('prints feature × mode: every cell equal', () => {
      const names = [...table.keys()];
      const width = Math.max(...names.map((n) => n.length));
      const line = (cells: string[]) =>
        cells.map((c, i) => c.padEnd(i === 0 ? width : 7)).join(' | ');
      const rows = names.map((n) =>
        line([n, ...HOOK_MODES.map((m) => table.get(n)?.[m] ?? 'not run')]),
      );
      console.log(
        [`http/https equivalence, ${surroundings}`, line(['feature', ...HOOK_MODES]), ...rows].join(
          '\n',
        ),
      );
      expect(names).toHaveLength(requestCases.length + lifecycleCases.length + clientCases.length);
      for (const name of names) {
        expect({ name, ...table.get(name) }).toEqual({ name, observe: 'equal', enforce: 'equal' });
      }
    });
  });
}
