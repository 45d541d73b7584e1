import type { SyntheticResponse } from '../circuit-open-response.js';
import { type DispatchHandler, type HeaderRecord, type RawHeaders } from './handler-types.js';
import { SyntheticController } from './synthetic-controller.js';
import { onLaterTurn } from '../../core/later-turn.js';

/**
 * Answers a request without dispatching it, in the API the dispatcher it was given to would
 * use with that handler. Always on a later event-loop turn: a
 * caller never sees its callbacks before `dispatch()` returned, and a retry loop without any delay
 * against an open circuit still lets timers, I/O and signals run between its attempts.
 */

/** Fails the request with `error`: fetch turns it into `TypeError('fetch failed', { cause })`. */
export function rejectRequest(handler: DispatchHandler, newApi: boolean, error: unknown): void {
  onLaterTurn(newApi ? deliverNewApiError : deliverLegacyError, { handler, error });
}

interface Rejection {
  readonly handler: DispatchHandler;
  readonly error: unknown;
}
function deliverNewApiError({ handler, error }: Rejection): void {
  handler.onResponseError?.(new SyntheticController(), error);
}
function deliverLegacyError({ handler, error }: Rejection): void {
  handler.onError?.(error);
}

/** Plays a complete response (headers, one body chunk, end), honouring pause and abort. */
export function respondToRequest(
  handler: DispatchHandler,
  newApi: boolean,
  response: SyntheticResponse,
): void {
  onLaterTurn(newApi ? playNewApi : playLegacy, { handler, response });
}

interface Reply {
  readonly handler: DispatchHandler;
  readonly response: SyntheticResponse;
}

function rawHeadersOf(response: SyntheticResponse): RawHeaders {
  const raw: RawHeaders = [];
  // fetch lower-cases names with a Buffer helper: raw headers must be Buffers.
  for (const [name, value] of response.headers) raw.push(Buffer.from(name), Buffer.from(value));
  return raw;
}

function recordOf(response: SyntheticResponse): HeaderRecord {
  const record: HeaderRecord = {};
  for (const [name, value] of response.headers) record[name] = value;
  return record;
}

function playNewApi({ handler, response }: Reply): void {
  const controller = new SyntheticController();
  controller.rawHeaders = rawHeadersOf(response);
  const fail = (): void => handler.onResponseError?.(controller, controller.reason);
  handler.onRequestStart?.(controller, {});
  if (controller.aborted) return fail();
  handler.onResponseStart?.(controller, response.status, recordOf(response), response.statusText);
  const finish = (): void => {
    if (controller.aborted) return fail();
    handler.onResponseData?.(controller, response.body);
    handler.onResponseEnd?.(controller, {});
  };
  if (controller.paused) controller.onResume = finish;
  else finish();
}

function playLegacy({ handler, response }: Reply): void {
  const controller = new SyntheticController();
  const fail = (): void => handler.onError?.(controller.reason);
  handler.onConnect?.((reason) => controller.abort(reason), {});
  if (controller.aborted) return fail();
  const more =
    handler.onHeaders?.(
      response.status,
      rawHeadersOf(response),
      () => controller.resume(),
      response.statusText,
    ) !== false;
  const finish = (): void => {
    if (controller.aborted) return fail();
    handler.onData?.(response.body);
    handler.onComplete?.([]);
  };
  if (more) {
    finish();
  } else {
    controller.paused = true;
    controller.onResume = finish;
  }
}
