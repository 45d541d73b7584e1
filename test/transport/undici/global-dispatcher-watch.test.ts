// The watch that lets Node's bundled undici load on first use: an undici copy that finds no global
// dispatcher under a watched key creates one, and its DispatcherBase is handed over before the copy
// stores it. Real undici Agents (npm 6, 7, 8); keys unique to this file, so the process's own
// global dispatcher is never touched.
import { afterEach, describe, expect, it } from 'vitest';
import * as undici6 from 'undici6';
import * as undici7 from 'undici7';
import * as undici8 from 'undici';
import { findDispatcherBase } from '../../../src/transport/undici/dispatcher-patch.js';
import {
  globalDispatcherAt,
  unwatchGlobalDispatcher,
  watchGlobalDispatcher,
} from '../../../src/transport/undici/global-dispatcher-watch.js';

const globals = globalThis as Record<symbol, unknown>;
const used: symbol[] = [];
function freshKey(): symbol {
  const key = Symbol(`global-dispatcher-watch test ${used.length}`);
  used.push(key);
  return key;
}
afterEach(() => {
  unwatchGlobalDispatcher();
  for (const key of used.splice(0)) delete globals[key];
});

/** What an undici copy's global.js does on load: create the global Agent unless one is set. */
function loadLikeUndici(key: symbol, createAgent: () => object): object {
  if (globals[key] === undefined) {
    Object.defineProperty(globalThis, key, {
      value: createAgent(),
      writable: true,
      enumerable: false,
      configurable: true,
    });
  }
  return globals[key] as object;
}

describe('watchGlobalDispatcher', () => {
  it.each([
    ['undici 6', () => new undici6.Agent()],
    ['undici 7', () => new undici7.Agent()],
    ['undici 8', () => new undici8.Agent()],
  ])(
    'hands over the DispatcherBase of the Agent an %s copy creates, before it is stored',
    (_, createAgent) => {
      const key = freshKey();
      const seen: Array<{ base: object; stored: unknown }> = [];
      watchGlobalDispatcher([key], (base) => seen.push({ base, stored: globalDispatcherAt(key) }));
      const agent = loadLikeUndici(key, createAgent);
      expect(seen).toEqual([{ base: findDispatcherBase(agent), stored: undefined }]);
      // The copy's own definition replaced the watch's accessor.
      expect(Object.getOwnPropertyDescriptor(globalThis, key)).toMatchObject({ value: agent });
    },
  );

  it('leaves a key that is already set alone', () => {
    const key = freshKey();
    const agent = new undici8.Agent();
    globals[key] = agent;
    const seen: object[] = [];
    watchGlobalDispatcher([key], (base) => seen.push(base));
    expect(Object.getOwnPropertyDescriptor(globalThis, key)).toMatchObject({ value: agent });
    expect(globalDispatcherAt(key)).toBe(agent);
    expect(seen).toEqual([]);
  });

  it('takes a plain assignment as the value, and hands over its DispatcherBase', () => {
    const key = freshKey();
    const seen: object[] = [];
    watchGlobalDispatcher([key], (base) => seen.push(base));
    const agent = new undici7.Agent();
    globals[key] = agent;
    expect(Object.getOwnPropertyDescriptor(globalThis, key)).toEqual({
      value: agent,
      writable: true,
      enumerable: true,
      configurable: true,
    });
    expect(seen).toEqual([findDispatcherBase(agent)]);
  });

  it('sees only dispatchers: a reader that creates none leaves the watch armed for the next', async () => {
    const key = freshKey();
    const seen: object[] = [];
    watchGlobalDispatcher([key], (base) => seen.push(base));
    expect(globals[key]).toBeUndefined();
    await Promise.resolve();
    expect(seen).toEqual([]);
    const agent = loadLikeUndici(key, () => new undici8.Agent());
    expect(seen).toEqual([findDispatcherBase(agent)]);
  });

  it('unwatch removes the accessors still in place', () => {
    const key = freshKey();
    const seen: object[] = [];
    watchGlobalDispatcher([key], (base) => seen.push(base));
    unwatchGlobalDispatcher();
    expect(Object.getOwnPropertyDescriptor(globalThis, key)).toBeUndefined();
    loadLikeUndici(key, () => new undici8.Agent());
    expect(seen).toEqual([]);
  });
});
