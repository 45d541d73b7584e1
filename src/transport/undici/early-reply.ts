import type { SyntheticResponse } from '../circuit-open-response.js';
import {
  isNewApiHandler,
  type DispatchHandler,
  type HeaderRecord,
  type RawHeaders,
} from './handler-types.js';
import { SyntheticController } from './synthetic-controller.js';
import { onLaterTurn } from '../../core/later-turn.js';

/**
 * Answers a request without dispatching it, in whatever API the caller's handler speaks (which
 * need not be the API of the dispatcher it was given to). Always on a later event-loop turn: a
 * caller never sees its callbacks before `dispatch()` returned, and a retry loop without any delay
 * against an open circuit still lets timers, I/O and signals run between its attempts.
 */

/** Fails the request with `error`: fetch turns it into `TypeError('fetch failed', { cause })`. */
export function rejectRequest(handler: DispatchHandler, error: unknown): void {
  onLaterTurn(deliverError, { handler, error });
}

function deliverError({ handler, error }: { handler: DispatchHandler; error: unknown }): void {
  if (isNewApiHandler(handler)) handler.onResponseError?.(new SyntheticController(), error);
  else handler.onError?.(error);
}

/** Plays a complete response (headers, one body chunk, end), honouring pause and abort. */
export function respondToRequest(handler: DispatchHandler, response: SyntheticResponse): void {
  onLaterTurn(play, { handler, response });
}

function play({ handler, response }: { handler: DispatchHandler; response: SyntheticResponse }) {
  if (isNewApiHandler(handler)) playNewApi(handler, response);
  else playLegacy(handler, response);
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

function playNewApi(handler: DispatchHandler, response: SyntheticResponse): void {
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

function playLegacy(handler: DispatchHandler, response: SyntheticResponse): void {
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
