/**
 * A client over several relays, built on nostr-tools' AbstractRelay (one per
 * connection attempt):
 *  - `publish` sends to every relay; relays that are down get the event queued
 *    and re-sent when they come back;
 *  - a relay that drops or cannot be reached is retried with exponential
 *    back-off (injectable timer, clock and random source, so tests need no sleeps);
 *  - "reconnect now": queueing an event for a relay that is down, or a caller
 *    that cannot wait (`reconnectNow`, e.g. a round about to close), replaces
 *    the pending back-off with an attempt at once (at most one per
 *    `minReconnectMs` per relay), and the back-off stays under `queuedMaxMs`
 *    while events are queued, so a queued event does not sit out a 30 s
 *    back-off after the relay is back;
 *  - `waitForConnection` wakes its callers (publishers, trainers) as soon as
 *    a relay (re)connects and has been sent its queue, instead of them
 *    sleeping a back-off of their own;
 *  - open subscriptions are re-sent after a reconnect with `since` set to the
 *    newest `created_at` seen from that relay, so nothing is missed and little
 *    is repeated (the EventReader drops the repeats);
 *  - events are NOT verified here: every event goes to the subscriber, whose
 *    EventReader verifies and counts.
 */
import { AbstractRelay, type Subscription } from "nostr-tools/abstract-relay";
import type { Filter } from "nostr-tools/filter";
import type { Event } from "nostr-tools/pure";

export interface BackoffOptions {
  /** First retry delay (ms), default 500. */
  initialMs?: number;
  /** Cap (ms), default 30 000. */
  maxMs?: number;
  /** Growth per attempt, default 2. */
  factor?: number;
  /** ± fraction of randomness, default 0.2. */
  jitter?: number;
}

/** Delay before reconnect attempt number `attempt` (0-based). */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions = {},
  random: () => number = Math.random,
): number {
  const initial = options.initialMs ?? 500;
  const max = options.maxMs ?? 30_000;
  const factor = options.factor ?? 2;
  const jitter = options.jitter ?? 0.2;
  const base = Math.min(max, initial * factor ** Math.max(0, attempt));
  const spread = base * jitter * (2 * random() - 1);
  return Math.max(0, Math.round(Math.min(max, base + spread)));
}

export interface Timers {
  setTimeout: (fn: () => void, ms: number) => unknown;
  clearTimeout: (handle: unknown) => void;
}

const realTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => {
    clearTimeout(h as ReturnType<typeof setTimeout>);
  },
};

export interface RelayPoolOptions {
  backoff?: BackoffOptions;
  timers?: Timers;
  random?: () => number;
  /** Wall clock in ms (inject for tests), default Date.now. */
  now?: () => number;
  /** Fewest ms between two connection attempts to one relay when reconnecting now, default 1000. */
  minReconnectMs?: number;
  /** Longest back-off (ms) while events are queued for a relay, default 5000: they go out soon after it is back. */
  queuedMaxMs?: number;
  /** Connection attempt timeout (ms), default 5000. */
  connectTimeoutMs?: number;
  /** Max events queued per relay while it is down, default 1000. */
  maxQueued?: number;
  /** WebSocket implementation (default: the global WebSocket in browsers / Node >= 22, else `ws`). */
  websocket?: unknown;
  /** Called on every state change (logging). */
  onStatus?: (status: RelayStatus) => void;
}

export interface RelayStatus {
  url: string;
  connected: boolean;
  /** Consecutive failed attempts since the last successful connection. */
  attempts: number;
  /** Delay (ms) of the pending reconnect, if any. */
  retryInMs: number | undefined;
  queued: number;
  lastError: string | undefined;
}

export interface PublishOutcome {
  url: string;
  ok: boolean;
  /** The relay's OK message, or why it was not sent (then it is queued if `queued`). */
  message: string;
  queued: boolean;
}

export interface SubscribeParams {
  onevent: (event: Event, relayUrl: string) => void;
  /** Called once per relay on its first EOSE. */
  oneose?: (relayUrl: string) => void;
}

export interface PoolSubscription {
  close: () => void;
  /** Newest created_at seen per relay (what `since` resumes from). */
  readonly lastSeen: ReadonlyMap<string, number>;
}

interface SubState {
  id: number;
  filters: Filter[];
  params: SubscribeParams;
  lastSeen: Map<string, number>;
  eosed: Set<string>;
  live: Map<string, Subscription>;
  closed: boolean;
}

class RelayConn {
  relay: AbstractRelay | undefined;
  connected = false;
  attempts = 0;
  retryHandle: unknown;
  retryInMs: number | undefined;
  queue: Event[] = [];
  lastError: string | undefined;
  connecting = false;
  /**
   * Publishes awaiting the relay's OK, by event id: nostr-tools keeps one pending OK per id, so a
   * second publish of the same event while the first is in flight would leave one of them unanswered.
   */
  inflight = new Map<string, Promise<string>>();
  /** When the last connection attempt started (pool clock, ms). */
  lastAttemptAt = Number.NEGATIVE_INFINITY;
  constructor(readonly url: string) {}
}

export class RelayPool {
  private readonly conns = new Map<string, RelayConn>();
  private readonly subs = new Set<SubState>();
  private readonly timers: Timers;
  private readonly random: () => number;
  private readonly backoff: BackoffOptions;
  private readonly connectTimeoutMs: number;
  private readonly maxQueued: number;
  private websocket: unknown;
  private readonly onStatus: ((s: RelayStatus) => void) | undefined;
  private readonly now: () => number;
  private readonly minReconnectMs: number;
  private readonly queuedMaxMs: number;
  /** Callers of waitForConnection, woken when any relay has (re)connected and flushed its queue. */
  private readonly connectWaiters = new Set<(connected: boolean) => void>();
  private nextSubId = 1;
  private closed = false;

  constructor(urls: string[], options: RelayPoolOptions = {}) {
    if (urls.length === 0) throw new Error("RelayPool needs at least one relay url");
    for (const u of urls) this.conns.set(u, new RelayConn(u));
    this.timers = options.timers ?? realTimers;
    this.random = options.random ?? Math.random;
    this.backoff = options.backoff ?? {};
    this.connectTimeoutMs = options.connectTimeoutMs ?? 5000;
    this.maxQueued = options.maxQueued ?? 1000;
    this.websocket = options.websocket;
    this.onStatus = options.onStatus;
    this.now = options.now ?? Date.now;
    this.minReconnectMs = options.minReconnectMs ?? 1000;
    this.queuedMaxMs = options.queuedMaxMs ?? 5000;
  }

  get urls(): string[] {
    return [...this.conns.keys()];
  }

  /** Try every relay once; resolves when each attempt has finished (connected or scheduled for retry). */
  async start(): Promise<RelayStatus[]> {
    await Promise.all(
      [...this.conns.values()].map(async (c) => {
        await this.connect(c);
      }),
    );
    return this.status();
  }

  status(): RelayStatus[] {
    return [...this.conns.values()].map((c) => this.statusOf(c));
  }

  private statusOf(c: RelayConn): RelayStatus {
    return {
      url: c.url,
      connected: c.connected,
      attempts: c.attempts,
      retryInMs: c.retryInMs,
      queued: c.queue.length,
      lastError: c.lastError,
    };
  }

  private emit(c: RelayConn): void {
    try {
      this.onStatus?.(this.statusOf(c));
    } catch {
      /* ignore */
    }
  }

  private async websocketImpl(): Promise<unknown> {
    if (this.websocket == null) {
      const g = (globalThis as { WebSocket?: unknown }).WebSocket;
      if (g != null) this.websocket = g;
      else {
        // nostr-tools clears `onerror` when a connection attempt times out and then closes the
        // socket, whose 'error' event would then have no listener and crash the process (Node's
        // EventEmitter): keep one listener on every socket; failures still reach the relay's onclose.
        const WS = (await import("ws")).default;
        this.websocket = class extends WS {
          constructor(...args: ConstructorParameters<typeof WS>) {
            super(...args);
            this.on("error", () => {});
          }
        };
      }
    }
    return this.websocket;
  }

  private async connect(c: RelayConn): Promise<void> {
    if (this.closed || c.connected || c.connecting) return;
    c.connecting = true;
    c.lastAttemptAt = this.now();
    try {
      await this.attempt(c);
    } finally {
      c.connecting = false;
    }
  }

  private async attempt(c: RelayConn): Promise<void> {
    const websocket = await this.websocketImpl();
    if (c.retryHandle != null) this.timers.clearTimeout(c.retryHandle);
    c.retryHandle = undefined;
    c.retryInMs = undefined;
    const relay = new AbstractRelay(c.url, {
      verifyEvent: () => true, // verification happens in the EventReader, which counts failures
      websocketImplementation: websocket as typeof globalThis.WebSocket,
      enablePing: false,
      enableReconnect: false,
    });
    relay.onnotice = () => {};
    c.relay = relay;
    try {
      await relay.connect({ timeout: this.connectTimeoutMs });
    } catch (err) {
      c.lastError = typeof err === "string" ? err : ((err as Error)?.message ?? String(err));
      if (c.relay === relay) {
        c.relay = undefined;
        this.scheduleRetry(c);
      }
      try {
        relay.close();
      } catch {
        /* ignore */
      }
      return;
    }
    if (this.closed) {
      relay.close();
      return;
    }
    c.connected = true;
    c.attempts = 0;
    c.lastError = undefined;
    c.inflight = new Map();
    relay.onclose = () => {
      if (c.relay !== relay) return;
      c.connected = false;
      c.relay = undefined;
      for (const s of this.subs) s.live.delete(c.url);
      if (!this.closed) {
        c.lastError = "connection closed";
        this.scheduleRetry(c);
      }
    };
    this.emit(c);
    for (const s of this.subs) this.openOn(s, c);
    await this.flushQueue(c);
    if (c.connected) this.wake(true);
  }

  private wake(connected: boolean): void {
    const waiters = [...this.connectWaiters];
    this.connectWaiters.clear();
    for (const w of waiters) w(connected);
  }

  /**
   * Replace the pending back-off of every relay that is down with an attempt now (or as soon as
   * `minReconnectMs` has passed since its last attempt). Resolves when those attempts have finished.
   */
  async reconnectNow(): Promise<void> {
    await Promise.all(
      [...this.conns.values()].map(async (c) => {
        await this.reconnect(c);
      }),
    );
  }

  private async reconnect(c: RelayConn): Promise<void> {
    if (this.closed || c.connected || c.connecting) return;
    const wait = c.lastAttemptAt + this.minReconnectMs - this.now();
    if (wait > 0) {
      // Too soon for another attempt: bring the pending retry forward instead.
      if (c.retryInMs != null && c.retryInMs <= wait) return;
      if (c.retryHandle != null) this.timers.clearTimeout(c.retryHandle);
      c.retryInMs = wait;
      c.retryHandle = this.timers.setTimeout(() => {
        void this.connect(c);
      }, wait);
      this.emit(c);
      return;
    }
    await this.connect(c);
  }

  /**
   * Resolves true as soon as some relay is connected (at once if one is), after asking the relays
   * that are down to reconnect now; false after `timeoutMs` (pool timers) or when the signal aborts.
   */
  async waitForConnection(opts: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<boolean> {
    if (this.closed) return false;
    if ([...this.conns.values()].some((c) => c.connected)) return true;
    if (opts.signal?.aborted === true) return false;
    return await new Promise<boolean>((resolve) => {
      let timer: unknown;
      const done = (ok: boolean): void => {
        this.connectWaiters.delete(onConnect);
        if (timer != null) this.timers.clearTimeout(timer);
        opts.signal?.removeEventListener("abort", onAbort);
        resolve(ok);
      };
      const onConnect = (connected: boolean): void => {
        done(connected);
      };
      const onAbort = (): void => {
        done(false);
      };
      this.connectWaiters.add(onConnect);
      if (opts.timeoutMs != null)
        timer = this.timers.setTimeout(() => {
          done(false);
        }, opts.timeoutMs);
      opts.signal?.addEventListener("abort", onAbort, { once: true });
      void this.reconnectNow();
    });
  }

  private scheduleRetry(c: RelayConn): void {
    if (this.closed || c.retryHandle != null) return;
    // Something is waiting to be sent: the back-off stays short.
    const backoff = backoffDelay(c.attempts, this.backoff, this.random);
    const delay = c.queue.length > 0 ? Math.min(backoff, this.queuedMaxMs) : backoff;
    c.attempts++;
    c.retryInMs = delay;
    c.retryHandle = this.timers.setTimeout(() => {
      void this.connect(c);
    }, delay);
    this.emit(c);
  }

  private async flushQueue(c: RelayConn): Promise<void> {
    while (c.connected && c.relay != null && c.queue.length > 0) {
      const ev = c.queue[0] as Event;
      try {
        await this.send(c, c.relay, ev);
      } catch {
        if (!c.connected) return; // keep it queued for the next connection
        // The relay refused it (OK false): drop it, it will not change its mind.
      }
      c.queue.shift();
    }
    if (c.connected) this.emit(c);
  }

  /** Publish to every relay. Never rejects; relays that are down get the event queued. */
  async publish(event: Event): Promise<PublishOutcome[]> {
    return await Promise.all(
      [...this.conns.values()].map(async (c): Promise<PublishOutcome> => {
        if (!c.connected || c.relay == null) return this.enqueue(c, event, "not connected");
        try {
          const message = await this.send(c, c.relay, event);
          return { url: c.url, ok: true, message, queued: false };
        } catch (err) {
          const message = (err as Error)?.message ?? String(err);
          if (!c.connected) return this.enqueue(c, event, message);
          return { url: c.url, ok: false, message, queued: false };
        }
      }),
    );
  }

  /** One publish per event id in flight on a connection; a second caller shares the first's answer. */
  private async send(c: RelayConn, relay: AbstractRelay, event: Event): Promise<string> {
    const pending = c.inflight.get(event.id);
    if (pending != null) return await pending;
    const p = relay.publish(event).finally(() => {
      if (c.inflight.get(event.id) === p) c.inflight.delete(event.id);
    });
    c.inflight.set(event.id, p);
    return await p;
  }

  private enqueue(c: RelayConn, event: Event, why: string): PublishOutcome {
    if (c.queue.some((q) => q.id === event.id)) {
      void this.reconnect(c);
      return { url: c.url, ok: false, message: why, queued: true };
    }
    if (c.queue.length >= this.maxQueued)
      return { url: c.url, ok: false, message: `${why}; queue full`, queued: false };
    c.queue.push(event);
    void this.reconnect(c);
    return { url: c.url, ok: false, message: why, queued: true };
  }

  /** Subscribe on every relay (now and after every reconnect). */
  subscribe(filters: Filter[], params: SubscribeParams): PoolSubscription {
    const s: SubState = {
      id: this.nextSubId++,
      filters: filters.map((f) => ({ ...f })),
      params,
      lastSeen: new Map(),
      eosed: new Set(),
      live: new Map(),
      closed: false,
    };
    this.subs.add(s);
    for (const c of this.conns.values()) if (c.connected) this.openOn(s, c);
    return {
      lastSeen: s.lastSeen,
      close: () => {
        s.closed = true;
        this.subs.delete(s);
        for (const sub of s.live.values()) {
          try {
            sub.close();
          } catch {
            /* already closed */
          }
        }
        s.live.clear();
      },
    };
  }

  private openOn(s: SubState, c: RelayConn): void {
    if (s.closed || c.relay == null) return;
    const last = s.lastSeen.get(c.url);
    // Resume: `since` = newest created_at already seen from this relay (inclusive; repeats are de-duplicated by the reader).
    const filters = s.filters.map((f) => (last != null ? { ...f, since: Math.max(f.since ?? 0, last) } : { ...f }));
    const relay = c.relay;
    const sub = relay.subscribe(filters, {
      id: `fedstr-${s.id}`,
      onevent: (ev) => {
        if (s.closed) return;
        const prev = s.lastSeen.get(c.url);
        if (typeof ev.created_at === "number" && (prev == null || ev.created_at > prev))
          s.lastSeen.set(c.url, ev.created_at);
        try {
          s.params.onevent(ev, c.url);
        } catch {
          /* a subscriber bug must not kill the connection */
        }
      },
      oneose: () => {
        if (s.eosed.has(c.url)) return;
        s.eosed.add(c.url);
        try {
          s.params.oneose?.(c.url);
        } catch {
          /* ignore */
        }
      },
      onclose: () => {
        if (s.live.get(c.url) === sub) s.live.delete(c.url);
      },
    });
    s.live.set(c.url, sub);
  }

  /** Close everything; pending retries are cancelled. */
  close(): void {
    this.closed = true;
    this.wake(false);
    for (const s of this.subs) s.closed = true;
    this.subs.clear();
    for (const c of this.conns.values()) {
      if (c.retryHandle != null) this.timers.clearTimeout(c.retryHandle);
      c.retryHandle = undefined;
      const r = c.relay;
      c.relay = undefined;
      c.connected = false;
      try {
        r?.close();
      } catch {
        /* ignore */
      }
    }
  }
}
