import type { Cluster, Redis } from 'ioredis';
import { breakerKeys, channelPattern, nameFromChannel } from './keys.js';
import {
  createClient,
  followProcessLifetime,
  type RedisClient,
  type RedisTarget,
} from './redis-connection.js';
import { toSharedState } from './redis-replies.js';
import type { SharedStateListener, SharedStateMessage } from './state-store.js';
import { ListenerList } from './listener-list.js';

export interface RedisSubscriberOptions {
  readonly target: RedisTarget;
  /** The connection is named `<connectionName>:sub`. */
  readonly connectionName: string;
  readonly keyPrefix: string;
  /** Sharded pub/sub (SSUBSCRIBE per breaker channel) instead of one pattern subscription. */
  readonly sharded: () => boolean;
  /** Messages may have been lost: whatever was seen of the fleet must be read again. */
  readonly onMissed: () => void;
  /** Listening again after a loss: resync now. */
  readonly onResumed: () => void;
}

/**
 * The RedisStore's subscriber connection: receives every committed transition of the breakers
 * being watched (pattern subscription, or one sharded channel per breaker on a Redis 7 Cluster)
 * and hands them to the listeners. Started on first need; never keeps the process alive.
 */
export class RedisSubscriber {
  private client: RedisClient | undefined;
  private readonly listeners = new ListenerList<[SharedStateMessage]>();
  private readonly watched = new Set<string>();
  private wasReady = false;
  /** A subscription was refused or lost before Redis confirmed it: resubscribe on reconnect. */
  private failed = false;
  private closed = false;
  private subscribed: Promise<void> | undefined;

  constructor(private readonly options: RedisSubscriberOptions) {}

  get hasListeners(): boolean {
    return this.listeners.size > 0;
  }

  /** Resolves once the current subscription attempt settled (see RedisStore.whenSubscribed). */
  whenSubscribed(): Promise<void> | undefined {
    return this.subscribed;
  }

  addListener(listener: SharedStateListener): () => void {
    return this.listeners.add(listener);
  }

  watch(name: string): void {
    if (this.watched.has(name)) return;
    this.watched.add(name);
    if (this.options.sharded() && this.client !== undefined)
      this.subscribed = Promise.all([this.subscribed, this.ssubscribe([name])]).then(([, ok]) => {
        if (!ok) this.failed = true;
      });
  }

  /** Connects and subscribes, once. */
  start(): void {
    if (this.client !== undefined || this.closed) return;
    const sharded = this.options.sharded();
    const sub = createClient(this.options.target, {
      connectionName: `${this.options.connectionName}:sub`,
      subscriber: true,
      sharded,
    });
    this.client = sub;
    sub.on('error', () => {});
    followProcessLifetime(sub, () => false);
    sub.on('ready', () => {
      if (this.failed) {
        // Asked for while Redis refused us (e.g. a wrong password), the subscription failed and
        // ioredis does not resend it: ask again now, then resync what was published meanwhile.
        this.failed = false;
        this.options.onMissed();
        this.subscribed = this.listen(sub).then(() => this.options.onResumed());
      } else if (this.wasReady) {
        // Messages published while the subscriber was away are lost: resync on every reconnect.
        this.options.onMissed();
        this.options.onResumed();
      }
      this.wasReady = true;
    });
    if (sharded) {
      sub.on('smessage', (channel: string, message: string) => this.deliver(channel, message));
    } else {
      sub.on('pmessage', (_pattern: string, channel: string, message: string) =>
        this.deliver(channel, message),
      );
    }
    this.subscribed = this.listen(sub);
  }

  close(): void {
    this.closed = true;
    this.client?.disconnect();
  }

  /** Subscribes to every breaker's channel; a failure is retried on the next reconnect. */
  private async listen(sub: RedisClient): Promise<void> {
    const ok = this.options.sharded()
      ? await this.ssubscribe([...this.watched])
      : await (sub as Redis).psubscribe(channelPattern(this.options.keyPrefix)).then(
          () => true,
          () => false,
        );
    if (!ok) this.failed = true;
  }

  /** True when every channel was subscribed to. */
  private async ssubscribe(names: string[]): Promise<boolean> {
    const sub = this.client as Cluster | undefined;
    if (sub === undefined) return false;
    // One SSUBSCRIBE per channel: channels of different breakers live in different slots.
    const results = await Promise.all(
      names.map((n) =>
        sub.ssubscribe(breakerKeys(this.options.keyPrefix, n).channel).then(
          () => true,
          () => false,
        ),
      ),
    );
    return results.every(Boolean);
  }

  private deliver(channel: string, message: string): void {
    const name = nameFromChannel(this.options.keyPrefix, channel);
    if (name === undefined) return;
    const parts = message.split('|');
    if (parts.length < 5) return;
    const state = toSharedState(parts[0], parts[1], parts[2], parts[3], parts[4]);
    this.listeners.emit({ name, ...state });
  }
}
