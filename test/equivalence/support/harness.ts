// Runs one scenario three times in this process: on undici without our hook, then with the hook in
// observe mode, then in enforce mode with thresholds that never trip. What the scenario's caller
// can see (the sequence of handler callbacks and whether each ran inside `dispatch()`, results,
// errors with class, code, message and cause) must be the same every time.
import { expect } from 'vitest';
import type { CircuitBreaker } from '../../../src/core/breaker.js';
import {
  disableUndiciTransport,
  enableUndiciTransport,
} from '../../../src/transport/undici/undici-transport.js';
import { rule, transportFixture } from '../../transport/support/transport-fixture.js';
import { describeError } from './describe-error.js';

export { describeError };

export type Mode = 'plain' | 'observe' | 'enforce';
export const MODES: readonly Mode[] = ['plain', 'observe', 'enforce'];

/** Every loopback request is to a configured host, so every request meets the hook. */
const LOOPBACK_HOSTS = ['127.0.0.1', 'localhost'];
/** Every trip rule off (0), so enforce mode decides every request and still never trips. */
const NEVER_TRIPS = {
  failureThreshold: 0,
  failureRateThreshold: 0,
  slowCallRateThreshold: 0,
  honorRetryAfter: false,
} as const;

/** What a scenario records; `[sync]` marks an event that happened inside a `dispatch()` call. */
export class Recorder {
  readonly events: string[] = [];
  private inside = 0;
  /** Resolves when the scenario logged its last event (or an assertion gave up). */
  private finish: (() => void) | undefined;
  readonly finished = new Promise<void>((resolve) => (this.finish = resolve));

  log(event: string): void {
    this.events.push(this.inside > 0 ? `${event} [sync]` : event);
  }
  /** Runs `fn` (a `dispatch()` call) so events it triggers synchronously are marked. */
  sync<T>(fn: () => T): T {
    this.inside++;
    try {
      return fn();
    } finally {
      this.inside--;
    }
  }
  done(): void {
    this.finish?.();
  }
}

export interface ScenarioOptions {
  /**
   * Whether the hook decides this request (false: one undici refuses, passed through untouched;
   * 'any': rejected by undici before dispatch on some majors only).
   */
  readonly observed?: boolean | 'any';
  /** How long the scenario may take before it counts as hanging. */
  readonly timeoutMs?: number;
}

export type Scenario = (rec: Recorder) => Promise<void> | void;

const table = new Map<string, Map<string, string>>();

function enable(mode: Mode): CircuitBreaker[] {
  disableUndiciTransport();
  if (mode === 'plain') return [];
  const fixture = transportFixture(LOOPBACK_HOSTS.map((h) => rule(h, { mode, ...NEVER_TRIPS })));
  enableUndiciTransport(fixture.resolve);
  return LOOPBACK_HOSTS.map((h) => fixture.breaker(h));
}

function calls(breakers: CircuitBreaker[]): number {
  let n = 0;
  for (const b of breakers) n += b.counters.successes + b.counters.failures + b.counters.ignored;
  return n;
}

async function runOnce(mode: Mode, scenario: Scenario, timeoutMs: number) {
  const breakers = enable(mode);
  const rec = new Recorder();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      (async () => {
        await scenario(rec);
        await rec.finished;
      })(),
      new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          rec.log(`no outcome within ${timeoutMs} ms`);
          resolve();
        }, timeoutMs);
      }),
    ]);
  } catch (error) {
    rec.log(`scenario threw ${describeError(error)}`);
  } finally {
    clearTimeout(timer);
  }
  // Outcomes are counted at headers or error; let callbacks still queued run first.
  await new Promise((resolve) => setImmediate(resolve));
  const counted = calls(breakers);
  disableUndiciTransport();
  return { events: rec.events, counted };
}

/**
 * Runs `scenario` in every mode, records the table cell `feature` x `column`, and asserts that
 * observe and enforce show exactly what plain shows, and that the hook did see the request.
 * Returns what plain recorded, for a scenario that also pins what undici itself does.
 */
export async function expectSameEverywhere(
  feature: string,
  column: string,
  scenario: Scenario,
  options: ScenarioOptions = {},
): Promise<readonly string[]> {
  const { observed = true, timeoutMs = 3_000 } = options;
  const plain = await runOnce('plain', scenario, timeoutMs);
  const row = table.get(feature) ?? new Map<string, string>();
  table.set(feature, row);
  for (const mode of MODES.slice(1)) {
    const hooked = await runOnce(mode, scenario, timeoutMs);
    const equal = JSON.stringify(hooked.events) === JSON.stringify(plain.events);
    row.set(`${column} ${mode}`, equal ? 'equal' : 'DIFFERENT');
    expect(hooked.events, `${feature}, ${column}, ${mode}`).toEqual(plain.events);
    if (observed === true) {
      expect(hooked.counted, `${mode}: the hook saw no request`).toBeGreaterThan(0);
    } else if (observed === false)
      expect(hooked.counted, `${mode}: a refused handler was counted`).toBe(0);
  }
  expect(plain.events.length, 'the scenario recorded nothing').toBeGreaterThan(0);
  return plain.events;
}

/** The table of this file's results: feature x (undici major, mode), each cell "equal" or not. */
export function printTable(title: string): void {
  const columns = [...new Set([...table.values()].flatMap((row) => [...row.keys()]))];
  const rows: Record<string, Record<string, string>> = {};
  for (const [feature, row] of table) {
    rows[feature] = Object.fromEntries(columns.map((c) => [c, row.get(c) ?? '-']));
  }
  console.log(`\n${title}`);
  console.table(rows);
}
