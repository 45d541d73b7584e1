import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Transition } from '../core/transition.js';
import type { BreakerRegistry } from '../registry/breaker-registry.js';
import type { AdminSnapshot } from './admin-snapshot.js';
import { API_CSP, BASE_SECURITY_HEADERS } from './http-responses.js';

export interface SnapshotStreamOptions {
  /** Period of the regular snapshot push. Default 1000. */
  readonly intervalMs?: number;
  /** Concurrent streams at most; more get a 503. Default 32. */
  readonly maxClients?: number;
}

/** A client that stopped reading is dropped once this much is queued for it. */
const MAX_QUEUED_BYTES = 1 << 20;

/**
 * Server-sent events for the status page (`GET /events`): a `snapshot` event (AdminSnapshot) on
 * connect, every `intervalMs`, and right after every transition, which is also sent on its own as a
 * `transition` event. One timer and one registry listener serve all clients, and only while at
 * least one is connected, so an idle endpoint costs nothing.
 */
export class SnapshotStream {
  private readonly clients = new Set<ServerResponse>();
  private readonly intervalMs: number;
  private readonly maxClients: number;
  private timer: ReturnType<typeof setInterval> | undefined;
  private unsubscribe: (() => void) | undefined;
  private snapshotRunning = false;
  private snapshotPending = false;

  constructor(
    private readonly registry: BreakerRegistry,
    private readonly takeSnapshot: () => Promise<AdminSnapshot>,
    options: SnapshotStreamOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? 1000;
    this.maxClients = options.maxClients ?? 32;
  }

  get clientCount(): number {
    return this.clients.size;
  }

  /** Starts streaming to `res`; false (nothing written) when the client limit is reached. */
  attach(req: IncomingMessage, res: ServerResponse): boolean {
    if (this.clients.size >= this.maxClients) return false;
    res.writeHead(200, {
      ...BASE_SECURITY_HEADERS,
      'content-security-policy': API_CSP,
      'content-type': 'text/event-stream; charset=utf-8',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    // Tells EventSource how soon to reconnect after the stream drops.
    res.write('retry: 2000\n\n');
    this.clients.add(res);
    const drop = (): void => this.detach(res);
    req.on('close', drop);
    res.on('close', drop);
    res.on('error', drop);
    if (this.clients.size === 1) this.start();
    this.pushSnapshot();
    return true;
  }

  /** Ends every stream and stops the timer. */
  close(): void {
    for (const res of this.clients) res.end();
    this.clients.clear();
    this.stop();
  }

  private detach(res: ServerResponse): void {
    if (!this.clients.delete(res)) return;
    if (this.clients.size === 0) this.stop();
  }

  private start(): void {
    this.timer = setInterval(() => this.pushSnapshot(), this.intervalMs);
    this.timer.unref();
    this.unsubscribe = this.registry.onTransition(this.onTransition);
  }

  private stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  private readonly onTransition = (transition: Transition): void => {
    // Called synchronously inside the breaker's transition: only queue work, never do it here.
    this.broadcast('transition', JSON.stringify(transition));
    this.pushSnapshot();
  };

  /** Takes and sends a snapshot; calls arriving while one is being taken coalesce into one more. */
  private pushSnapshot(): void {
    if (this.snapshotRunning) {
      this.snapshotPending = true;
      return;
    }
    this.snapshotRunning = true;
    setImmediate(() => {
      this.takeSnapshot()
        .then((snapshot) => this.broadcast('snapshot', JSON.stringify(snapshot)))
        .catch(() => {
          // takeSnapshot does not reject; if it ever did, the next tick tries again.
        })
        .finally(() => {
          this.snapshotRunning = false;
          if (this.snapshotPending) {
            this.snapshotPending = false;
            if (this.clients.size > 0) this.pushSnapshot();
          }
        });
    });
  }

  private broadcast(event: string, data: string): void {
    const frame = `event: ${event}\ndata: ${data}\n\n`;
    for (const res of this.clients) {
      if (res.destroyed || res.writableEnded || res.writableLength > MAX_QUEUED_BYTES) {
        this.detach(res);
        res.destroy();
        continue;
      }
      res.write(frame);
    }
  }
}
