import { describe, expect, it } from 'vitest';
import type { SyntheticResponse } from '../../../src/transport/circuit-open-response.js';
import { rejectRequest, respondToRequest } from '../../../src/transport/undici/early-reply.js';
import type {
  DispatchController,
  DispatchHandler,
} from '../../../src/transport/undici/handler-types.js';

// Answers are delivered with setImmediate; one more setImmediate queued after it runs after them.
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

const RESPONSE: SyntheticResponse = {
  status: 503,
  statusText: 'Service Unavailable',
  headers: [
    ['content-type', 'application/json'],
    ['retry-after', '30'],
  ],
  body: Buffer.from('{"error":"open"}'),
};

/** A handler of the new API that logs each callback; `act` runs inside the named callback. */
function newApiHandler(
  log: string[],
  act: Partial<Record<string, (c: DispatchController) => void>> = {},
): DispatchHandler {
  return {
    onRequestStart: (c) => (log.push('requestStart'), act.requestStart?.(c)),
    onResponseStart: (c, status, headers, statusText) => {
      log.push(`responseStart ${status} ${statusText} ${JSON.stringify(headers)}`);
      act.responseStart?.(c);
    },
    onResponseData: (c, chunk) => (log.push(`data ${chunk.toString()}`), act.data?.(c)),
    onResponseEnd: (c) => (log.push('end'), act.end?.(c)),
    onResponseError: (_c, error) => log.push(`error ${(error as Error).message}`),
  };
}

describe('rejectRequest', () => {
  it('fails a new-API request on a later turn, never inside dispatch', async () => {
    const seen: Array<{ controller: DispatchController | null; error: unknown }> = [];
    const error = new Error('circuit open');
    rejectRequest(
      { onResponseError: (controller, e) => seen.push({ controller, error: e }) },
      true,
      error,
    );
    expect(seen).toEqual([]);
    await nextTurn();
    expect(seen).toHaveLength(1);
    expect(seen[0]!.error).toBe(error);
    expect(seen[0]!.controller?.aborted).toBe(false);
  });

  it('fails a legacy request through onError', async () => {
    const errors: unknown[] = [];
    const error = new Error('circuit open');
    rejectRequest(
      { onError: (e) => errors.push(e), onResponseError: () => errors.push('wrong API') },
      false,
      error,
    );
    await nextTurn();
    expect(errors).toEqual([error]);
  });
});

describe('respondToRequest, new API', () => {
  it('plays start, headers, the body and the end, in order, on a later turn', async () => {
    const log: string[] = [];
    let controller: DispatchController | undefined;
    respondToRequest(newApiHandler(log, { requestStart: (c) => (controller = c) }), true, RESPONSE);
    expect(log).toEqual([]);
    await nextTurn();
    expect(log).toEqual([
      'requestStart',
      'responseStart 503 Service Unavailable {"content-type":"application/json","retry-after":"30"}',
      'data {"error":"open"}',
      'end',
    ]);
    // Raw headers are Buffers, as fetch lower-cases names with a Buffer helper.
    expect(controller!.rawHeaders!.map(String)).toEqual([
      'content-type',
      'application/json',
      'retry-after',
      '30',
    ]);
    expect(controller!.rawHeaders!.every((h) => Buffer.isBuffer(h))).toBe(true);
  });

  it('a handler that pauses at the headers gets the body only when it resumes', async () => {
    const log: string[] = [];
    let controller: DispatchController | undefined;
    respondToRequest(
      newApiHandler(log, { responseStart: (c) => ((controller = c), c.pause()) }),
      true,
      RESPONSE,
    );
    await nextTurn();
    await nextTurn();
    expect(log).toHaveLength(2);
    controller!.resume();
    expect(log.slice(2)).toEqual(['data {"error":"open"}', 'end']);
  });

  it('an abort ends the request with one error callback and nothing after it', async () => {
    const log: string[] = [];
    respondToRequest(
      newApiHandler(log, { responseStart: (c) => c.abort(new Error('caller gave up')) }),
      true,
      RESPONSE,
    );
    await nextTurn();
    expect(log.slice(1)).toEqual([
      expect.stringMatching(/^responseStart 503/),
      'error caller gave up',
    ]);
  });

  it('a callback that throws fails the request with what it threw, its controller not aborted', async () => {
    const log: string[] = [];
    let controller: DispatchController | undefined;
    respondToRequest(
      newApiHandler(log, {
        end: (c) => {
          controller = c;
          throw new Error('retry please');
        },
      }),
      true,
      RESPONSE,
    );
    await nextTurn();
    expect(log.slice(2)).toEqual(['data {"error":"open"}', 'end', 'error retry please']);
    expect(controller!.aborted).toBe(false);
  });
});

describe('respondToRequest, legacy API', () => {
  function legacyHandler(
    log: string[],
    headersResult = true,
  ): DispatchHandler & { resume?: () => void; abort?: (r?: unknown) => void } {
    const handler: DispatchHandler & { resume?: () => void; abort?: (r?: unknown) => void } = {
      onConnect: (abort) => (log.push('connect'), (handler.abort = abort)),
      onHeaders: (status, raw, resume, statusText) => {
        log.push(`headers ${status} ${statusText} ${raw.map(String).join(',')}`);
        handler.resume = resume;
        return headersResult;
      },
      onData: (chunk) => (log.push(`data ${chunk.toString()}`), true),
      onComplete: (trailers) => log.push(`complete ${JSON.stringify(trailers)}`),
      onError: (error) => log.push(`error ${(error as Error).message}`),
    };
    return handler;
  }

  it('plays connect, raw headers, the body and completion on a later turn', async () => {
    const log: string[] = [];
    respondToRequest(legacyHandler(log), false, RESPONSE);
    expect(log).toEqual([]);
    await nextTurn();
    expect(log).toEqual([
      'connect',
      'headers 503 Service Unavailable content-type,application/json,retry-after,30',
      'data {"error":"open"}',
      'complete []',
    ]);
  });

  it('onHeaders returning false waits for resume() before the body', async () => {
    const log: string[] = [];
    const handler = legacyHandler(log, false);
    respondToRequest(handler, false, RESPONSE);
    await nextTurn();
    await nextTurn();
    expect(log).toHaveLength(2);
    handler.resume!();
    expect(log.slice(2)).toEqual(['data {"error":"open"}', 'complete []']);
  });

  it('an abort from onConnect fails the request once, before any header', async () => {
    const log: string[] = [];
    const handler = legacyHandler(log);
    handler.onConnect = (abort) => (log.push('connect'), abort(new Error('aborted by caller')));
    respondToRequest(handler, false, RESPONSE);
    await nextTurn();
    expect(log).toEqual(['connect', 'error aborted by caller']);
  });
});
