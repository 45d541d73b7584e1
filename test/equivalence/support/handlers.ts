// Dispatch handlers that record every callback undici makes, in the old (undici 6/7) or the new
// (undici 7/8) handler API, with optional omissions and body hooks.
import { describeError, type Recorder } from './harness.js';

export type HandlerApi = 'old' | 'new';

export interface HandlerOptions {
  /** Callback names to leave out (an invalid handler). */
  readonly omit?: readonly string[];
  /** Include onBodySent / onRequestSent. */
  readonly bodyHooks?: boolean;
  /** Pause at headers, resume after `ms`. */
  readonly pauseMs?: number;
  /** Abort with this error at request start or at headers. */
  readonly abortAt?: 'start' | 'headers';
  /** Throw from onRequestSent (undici aborts the request with the thrown error). */
  readonly throwOnRequestSent?: boolean;
}

type Controller = {
  abort(reason?: unknown): void;
  pause(): void;
  resume(): void;
};

export function recordingHandler(
  api: HandlerApi,
  rec: Recorder,
  options: HandlerOptions = {},
): Record<string, unknown> {
  const chunks: Buffer[] = [];
  const body = () => Buffer.concat(chunks).toString().slice(0, 60);
  const stop = new Error('stopped by the caller');
  let abort: ((reason?: unknown) => void) | undefined;
  const handler: Record<string, unknown> =
    api === 'old'
      ? {
          onConnect(fn: (reason?: unknown) => void) {
            rec.log('onConnect');
            abort = fn;
            if (options.abortAt === 'start') fn(stop);
          },
          onHeaders(status: number, raw: Buffer[], resume: () => void, text: string) {
            rec.log(`onHeaders ${status} ${text} ${raw.length / 2} headers`);
            if (options.abortAt === 'headers') abort?.(stop);
            if (options.pauseMs !== undefined) {
              setTimeout(resume, options.pauseMs);
              return false;
            }
            return true;
          },
          onData(chunk: Buffer) {
            chunks.push(chunk);
            return true;
          },
          onComplete() {
            rec.log(`onComplete ${body()}`);
            rec.done();
          },
          onError(error: unknown) {
            rec.log(`onError ${describeError(error)}`);
            rec.done();
          },
          onUpgrade(status: number, _raw: Buffer[], socket: { destroy(): void }) {
            rec.log(`onUpgrade ${status}`);
            socket.destroy();
            rec.done();
          },
          onResponseStarted() {
            rec.log('onResponseStarted');
          },
        }
      : {
          onRequestStart(controller: Controller) {
            rec.log('onRequestStart');
            if (options.abortAt === 'start') controller.abort(stop);
          },
          onResponseStart(controller: Controller, status: number, headers: object, text: string) {
            rec.log(`onResponseStart ${status} ${text} ${Object.keys(headers).length} headers`);
            if (options.abortAt === 'headers') controller.abort(stop);
            if (options.pauseMs !== undefined) {
              controller.pause();
              setTimeout(() => controller.resume(), options.pauseMs);
            }
          },
          onResponseData(_controller: Controller, chunk: Buffer) {
            chunks.push(chunk);
          },
          onResponseEnd() {
            rec.log(`onResponseEnd ${body()}`);
            rec.done();
          },
          onResponseError(_controller: Controller | null, error: unknown) {
            rec.log(`onResponseError ${describeError(error)}`);
            rec.done();
          },
          onRequestUpgrade(
            _c: Controller,
            status: number,
            _h: object,
            socket: { destroy(): void },
          ) {
            rec.log(`onRequestUpgrade ${status}`);
            socket.destroy();
            rec.done();
          },
          onResponseStarted() {
            rec.log('onResponseStarted');
          },
        };
  if (options.bodyHooks === true) {
    handler.onBodySent = (chunk: unknown) => {
      rec.log(`onBodySent ${String(chunk).length}`);
    };
    handler.onRequestSent = () => {
      rec.log('onRequestSent');
      if (options.throwOnRequestSent === true) throw new Error('refused after sending');
    };
  }
  for (const name of options.omit ?? []) delete handler[name];
  return handler;
}

interface Dispatching {
  dispatch(opts: object, handler: object): boolean;
}

/** Calls `dispatch()`, recording what it returned or threw; callbacks inside it are `[sync]`. */
export function dispatchRecorded(
  rec: Recorder,
  dispatcher: Dispatching,
  opts: object,
  handler: object,
): void {
  let returned: string;
  try {
    returned = String(rec.sync(() => dispatcher.dispatch(opts, handler)));
  } catch (error) {
    returned = `threw ${describeError(error)}`;
    rec.done();
  }
  rec.log(`dispatch() ${returned}`);
}
