import type { Clock } from '../../core/clock.js';
import type { Permit } from '../../core/permit.js';
import { settleCallError, settleCallResponse, type CallState } from '../transport-call.js';
import type { OriginTarget } from '../targets/origin-cache.js';
import {
  kOurHandler,
  type AbortFn,
  type DispatchController,
  type DispatchHandler,
  type HeaderRecord,
  type RawHeaders,
} from './handler-types.js';
import { rawToRecord } from './raw-headers.js';
import { SyntheticController } from './synthetic-controller.js';
import { notInlined } from '../not-inlined.js';

/**
 * Wrappers that watch an admitted request and pass every callback through untouched: arguments,
 * return values (back-pressure) and exceptions. One per API a DispatcherBase may speak
 * (docs/design/undici-hook.md says why each exists). Each is also the request's call state
 * (transport-call.ts), so an admitted request costs one object of ours. None extends a class: V8
 * inlines a `new` of a class that is not derived, while a `super()` call goes through its generic
 * construct stub, a few hundred instructions on every request. Only handlers undici accepts are
 * wrapped (see handler-check.ts), so the required callbacks exist.
 */
export type ObservedDispatch = LegacyObserver | NewApiObserver | UnwrappingObserver;

/** Old API in and out: undici 6/7 internals, old-API caller handler (fetch, request on 6/7). */
export class LegacyObserver implements CallState {
  settled = false;
  readonly startedAt: number;

  constructor(
    readonly entry: OriginTarget,
    readonly permit: Permit,
    readonly clock: Clock,
    readonly handler: DispatchHandler,
  ) {
    this.startedAt = clock.now();
  }

  private callerAborted = false;

  onConnect(abort: AbortFn, context?: unknown): void {
    this.handler.onConnect!((reason) => {
      this.callerAborted = true;
      abort(reason);
    }, context);
  }
  onHeaders(status: number, raw: RawHeaders, resume: () => void, statusText: string): boolean {
    settleCallResponse(this, status, raw);
    return this.handler.onHeaders!(status, raw, resume, statusText);
  }
  onData(chunk: Buffer): boolean {
    return this.handler.onData!(chunk);
  }
  onComplete(trailers: RawHeaders | null): void {
    this.handler.onComplete!(trailers);
  }
  onError(error: unknown): void {
    settleCallError(this, error, this.callerAborted);
    this.handler.onError!(error);
  }
  onUpgrade(status: number, raw: RawHeaders, socket: unknown): void {
    settleCallResponse(this, status, undefined);
    this.handler.onUpgrade!(status, raw, socket);
  }
  onResponseStarted(): unknown {
    return this.handler.onResponseStarted?.();
  }
}

/** New API in and out: undici 8 internals (which only accept new-API handlers). */
export class NewApiObserver implements CallState {
  settled = false;
  readonly startedAt: number;

  constructor(
    readonly entry: OriginTarget,
    readonly permit: Permit,
    readonly clock: Clock,
    readonly handler: DispatchHandler,
  ) {
    this.startedAt = clock.now();
  }

  onRequestStart(controller: DispatchController, context: unknown): void {
    this.handler.onRequestStart!(controller, context);
  }
  onResponseStart(
    controller: DispatchController,
    status: number,
    headers: HeaderRecord,
    statusText: string,
  ): void {
    settleCallResponse(this, status, headers);
    this.handler.onResponseStart!(controller, status, headers, statusText);
  }
  /** On the prototype, behind `notInlined` (see below). */
  declare onResponseData: (controller: DispatchController, chunk: Buffer) => void;
  onResponseEnd(controller: DispatchController, trailers: HeaderRecord): void {
    this.handler.onResponseEnd!(controller, trailers);
  }
  onResponseError(controller: DispatchController | null, error: unknown): void {
    const aborted = controller != null && controller.aborted && controller.reason === error;
    settleCallError(this, error, aborted);
    this.handler.onResponseError!(controller, error);
  }
  onRequestUpgrade(
    controller: DispatchController,
    status: number,
    headers: HeaderRecord,
    socket: unknown,
  ): void {
    settleCallResponse(this, status, undefined);
    this.handler.onRequestUpgrade!(controller, status, headers, socket);
  }
  onResponseStarted(): unknown {
    return this.handler.onResponseStarted?.();
  }
}

function forwardResponseData(
  this: NewApiObserver,
  controller: DispatchController,
  chunk: Buffer,
): void {
  this.handler.onResponseData!(controller, chunk);
}

/**
 * undici 8's response parser (client-h1 `onBody`) inlines the handler's `onResponseData` with
 * everything it calls, and without us has just enough inlining budget left for the socket's
 * `destroyed` getter. Our forwarding, inlined there too, left too little: the getter was called on
 * every chunk instead, with three megamorphic loads, ~190 CPU instructions a request against ~90
 * for calling the forwarding (not-inlined.ts).
 */
Object.defineProperty(NewApiObserver.prototype, 'onResponseData', {
  value: notInlined(forwardResponseData),
  writable: true,
  configurable: true,
});

/**
 * Old API towards undici 7 internals, new API towards the caller's handler (compose interceptors,
 * undici 7 decorator handlers). A wrapper that itself had `onRequestStart` would be re-wrapped by
 * undici 7's DispatcherBase and lose its marker on the nested Pool/Client dispatch, so this
 * translates as undici 7's own UnwrapHandler does, with the same callbacks (no body hooks: undici 7
 * never shows them to a new-API handler either).
 */
export class UnwrappingObserver implements CallState {
  settled = false;
  readonly startedAt: number;

  constructor(
    readonly entry: OriginTarget,
    readonly permit: Permit,
    readonly clock: Clock,
    readonly handler: DispatchHandler,
  ) {
    this.startedAt = clock.now();
  }

  private controller: SyntheticController | undefined;

  onConnect(abort: AbortFn, context?: unknown): void {
    this.controller = new SyntheticController(abort);
    this.handler.onRequestStart?.(this.controller, context);
  }
  onResponseStarted(): unknown {
    return this.handler.onResponseStarted?.();
  }
  onHeaders(status: number, raw: RawHeaders, resume: () => void, statusText: string): boolean {
    const controller = this.requireController();
    settleCallResponse(this, status, raw);
    controller.onResume = resume;
    controller.rawHeaders = raw;
    this.handler.onResponseStart?.(controller, status, rawToRecord(raw), statusText);
    return !controller.paused;
  }
  onData(chunk: Buffer): boolean {
    const controller = this.requireController();
    this.handler.onResponseData?.(controller, chunk);
    return !controller.paused;
  }
  onComplete(trailers: RawHeaders | null): void {
    const controller = this.requireController();
    controller.rawTrailers = trailers;
    this.handler.onResponseEnd?.(controller, rawToRecord(trailers));
  }
  onError(error: unknown): void {
    const controller = this.controller;
    const aborted = controller !== undefined && controller.aborted && controller.reason === error;
    settleCallError(this, error, aborted);
    // Like UnwrapHandler: no controller when the request failed before it started.
    this.handler.onResponseError!(controller as DispatchController, error);
  }
  onUpgrade(status: number, raw: RawHeaders, socket: unknown): void {
    const controller = this.requireController();
    settleCallResponse(this, status, undefined);
    controller.rawHeaders = raw;
    this.handler.onRequestUpgrade?.(controller, status, rawToRecord(raw), socket);
  }

  private requireController(): SyntheticController {
    return (this.controller ??= new SyntheticController(() => {}));
  }
}

// On the prototypes, not per instance: nested dispatches read it, nothing writes it.
for (const observer of [LegacyObserver, NewApiObserver, UnwrappingObserver]) {
  Object.defineProperty(observer.prototype, kOurHandler, { value: true });
}
