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

/**
 * Runs the callbacks of one synthetic response as undici's `Request` does: a callback that throws
 * fails the request with what it threw, its controller left unaborted (undici's retry handler
 * throws from `onResponseEnd` to ask for a retry, and treats an aborted controller as the caller
 * giving up); an aborted request ends with one error callback and nothing after it.
 */
class Playback {
  private over = false;
  private thrown: { error: unknown } | undefined;
  constructor(
    private readonly controller: SyntheticController,
    private readonly fail: (reason: unknown) => void,
  ) {}

  /** Runs `callback` unless the request is over; false when it is (then or now). */
  step<T>(callback: () => T): T | false {
    if (this.stopped()) return false;
    let result: T | false = false;
    try {
      result = callback();
    } catch (error) {
      this.thrown = { error };
    }
    return this.stopped() ? false : result;
  }

  /** Whether the request is over; the first time it is, the error callback runs. */
  stopped(): boolean {
    if (this.over) return true;
    if (this.thrown === undefined && !this.controller.aborted) return false;
    this.over = true;
    this.fail(this.thrown === undefined ? this.controller.reason : this.thrown.error);
    return true;
  }
}

function playNewApi({ handler, response }: Reply): void {
  const controller = new SyntheticController();
  controller.rawHeaders = rawHeadersOf(response);
  const play = new Playback(controller, (reason) => handler.onResponseError?.(controller, reason));
  play.step(() => handler.onRequestStart?.(controller, {}));
  play.step(() =>
    handler.onResponseStart?.(controller, response.status, recordOf(response), response.statusText),
  );
  const finish = (): void => {
    play.step(() => handler.onResponseData?.(controller, response.body));
    play.step(() => handler.onResponseEnd?.(controller, {}));
  };
  if (play.stopped()) return;
  if (controller.paused) controller.onResume = finish;
  else finish();
}

function playLegacy({ handler, response }: Reply): void {
  const controller = new SyntheticController();
  const play = new Playback(controller, (reason) => handler.onError?.(reason));
  play.step(() => handler.onConnect?.((reason) => controller.abort(reason), {}));
  const more = play.step(() =>
    handler.onHeaders?.(
      response.status,
      rawHeadersOf(response),
      () => controller.resume(),
      response.statusText,
    ),
  );
  const finish = (): void => {
    play.step(() => handler.onData?.(response.body));
    play.step(() => handler.onComplete?.([]));
  };
  if (play.stopped()) return;
  if (more !== false) {
    finish();
  } else {
    controller.paused = true;
    controller.onResume = finish;
  }
}
