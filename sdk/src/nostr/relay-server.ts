/**
 * The embedded relay: a real NIP-01 relay (@nostr-relay/core) with its SQLite
 * event repository, served over WebSockets (`ws`) on loopback. Events persist
 * in `<dataDir>/events.sqlite3` across restarts.
 *
 * Per-connection limits, as public relays have: EVENTs beyond a token bucket
 * (`eventsPerSecond`, `eventBurst`) are refused with `OK false "rate-limited: …"`,
 * and a REQ that would open more than `maxSubscriptions` subscriptions is
 * answered `CLOSED "rate-limited: …"` (the older ones stay open).
 */
import { mkdirSync } from "node:fs";
import type { IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { LogLevel, type IncomingMessage as RelayMessage } from "@nostr-relay/common";
import { NostrRelay } from "@nostr-relay/core";
import { EventRepositorySqlite } from "@nostr-relay/event-repository-sqlite";
import { type WebSocket, WebSocketServer } from "ws";

export interface RelayServerOptions {
  /** Directory for the SQLite file; created if missing. */
  dataDir: string;
  /** Loopback only by default. */
  host?: string;
  /** 0 = ephemeral. */
  port?: number;
  /** Largest WebSocket message accepted (bytes); bigger messages close the connection. */
  maxMessageBytes?: number;
  /** @nostr-relay log level (default: errors only). */
  logLevel?: LogLevel;
  /** Per-connection limits (defaults: RELAY_LIMITS). */
  limits?: Partial<RelayLimits>;
}

export interface RelayLimits {
  /** Sustained EVENTs per second per connection. */
  eventsPerSecond: number;
  /** EVENTs a connection may send at once before the rate applies. */
  eventBurst: number;
  /** Open subscriptions per connection. */
  maxSubscriptions: number;
}

/** Defaults: ample for a participant or an aggregator (a round's feedback to hundreds of participants fits the burst), not for a flood. */
export const RELAY_LIMITS: RelayLimits = { eventsPerSecond: 100, eventBurst: 500, maxSubscriptions: 20 };

/** A token bucket per connection; `now` in ms. */
class EventBucket {
  private tokens: number;
  private last: number;
  constructor(
    private readonly limits: RelayLimits,
    now: number,
  ) {
    this.tokens = limits.eventBurst;
    this.last = now;
  }
  take(now: number): boolean {
    this.tokens = Math.min(
      this.limits.eventBurst,
      this.tokens + ((now - this.last) / 1000) * this.limits.eventsPerSecond,
    );
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

export interface RelayServerHandle {
  /** ws://host:port */
  url: string;
  port: number;
  dbPath: string;
  close: () => Promise<void>;
}

const HEX64 = /^[0-9a-f]{64}$/;
const HEX128 = /^[0-9a-f]{128}$/;

/** Shape check before handing a message to @nostr-relay/core (which expects validated input). */
function checkMessage(msg: unknown): string | undefined {
  if (!Array.isArray(msg) || typeof msg[0] !== "string")
    return "invalid: message must be a JSON array starting with a type";
  const type = msg[0];
  if (type === "EVENT" || type === "AUTH") {
    const e = msg[1] as Record<string, unknown> | undefined;
    if (e == null || typeof e !== "object") return "invalid: missing event";
    if (typeof e.id !== "string" || !HEX64.test(e.id)) return "invalid: bad id";
    if (typeof e.pubkey !== "string" || !HEX64.test(e.pubkey)) return "invalid: bad pubkey";
    if (typeof e.sig !== "string" || !HEX128.test(e.sig)) return "invalid: bad sig";
    if (!Number.isSafeInteger(e.created_at) || (e.created_at as number) < 0) return "invalid: bad created_at";
    if (!Number.isSafeInteger(e.kind) || (e.kind as number) < 0 || (e.kind as number) > 65535)
      return "invalid: bad kind";
    if (typeof e.content !== "string") return "invalid: bad content";
    if (!Array.isArray(e.tags) || !e.tags.every((t) => Array.isArray(t) && t.every((v) => typeof v === "string")))
      return "invalid: bad tags";
    return undefined;
  }
  if (type === "REQ") {
    if (typeof msg[1] !== "string" || msg[1] === "" || msg[1].length > 64) return "invalid: bad subscription id";
    if (msg.length < 3) return "invalid: REQ needs at least one filter";
    for (const f of msg.slice(2)) {
      if (f == null || typeof f !== "object" || Array.isArray(f)) return "invalid: filter must be an object";
      for (const [k, v] of Object.entries(f as Record<string, unknown>)) {
        if (k === "since" || k === "until" || k === "limit") {
          if (!Number.isSafeInteger(v) || (v as number) < 0) return `invalid: bad ${k}`;
        } else if (k === "search") {
          if (typeof v !== "string") return "invalid: bad search";
        } else if (k === "kinds") {
          if (!Array.isArray(v) || !v.every((x) => Number.isSafeInteger(x))) return "invalid: bad kinds";
        } else if (k === "ids" || k === "authors" || k.startsWith("#")) {
          if (!Array.isArray(v) || !v.every((x) => typeof x === "string")) return `invalid: bad ${k}`;
        } else return `invalid: unknown filter field ${k}`;
      }
    }
    return undefined;
  }
  if (type === "CLOSE") return typeof msg[1] === "string" ? undefined : "invalid: bad subscription id";
  return `invalid: unknown message type ${type}`;
}

/** Start the relay. Resolves once it is listening. */
export async function startRelay(options: RelayServerOptions): Promise<RelayServerHandle> {
  mkdirSync(options.dataDir, { recursive: true });
  const dbPath = join(options.dataDir, "events.sqlite3");
  const repository = new EventRepositorySqlite(dbPath);
  await repository.init();
  const limits: RelayLimits = { ...RELAY_LIMITS, ...options.limits };
  const relay = new NostrRelay(repository, {
    logLevel: options.logLevel ?? LogLevel.ERROR,
    // Above our own limit, so @nostr-relay's LRU never silently evicts a subscription: we refuse the extra REQ instead.
    maxSubscriptionsPerClient: limits.maxSubscriptions + 1,
    // No result caches: a REQ right after an EVENT must see it.
    filterResultCacheTtl: 0,
    eventHandlingResultCacheTtl: 0,
  });
  const host = options.host ?? "127.0.0.1";
  const wss = new WebSocketServer({ host, port: options.port ?? 0, maxPayload: options.maxMessageBytes ?? 512 * 1024 });
  await new Promise<void>((resolve, reject) => {
    wss.once("listening", resolve);
    wss.once("error", reject);
  });
  wss.on("connection", (ws: WebSocket, req: IncomingMessage) => {
    relay.handleConnection(ws, req.socket.remoteAddress);
    const bucket = new EventBucket(limits, Date.now());
    const subscriptions = new Set<string>();
    ws.on("message", (data) => {
      let msg: unknown;
      try {
        msg = JSON.parse(data.toString());
      } catch {
        ws.send(JSON.stringify(["NOTICE", "invalid: message is not JSON"]));
        return;
      }
      const problem = checkMessage(msg);
      if (problem != null) {
        const m = msg as unknown[];
        if (Array.isArray(m) && m[0] === "EVENT" && typeof (m[1] as { id?: unknown } | undefined)?.id === "string") {
          ws.send(JSON.stringify(["OK", (m[1] as { id: string }).id, false, problem]));
        } else ws.send(JSON.stringify(["NOTICE", problem]));
        return;
      }
      const m = msg as unknown[];
      if (m[0] === "EVENT" && !bucket.take(Date.now())) {
        ws.send(
          JSON.stringify([
            "OK",
            (m[1] as { id: string }).id,
            false,
            `rate-limited: more than ${limits.eventsPerSecond} events per second (burst ${limits.eventBurst}) on this connection`,
          ]),
        );
        return;
      }
      if (m[0] === "REQ") {
        const id = m[1] as string;
        if (!subscriptions.has(id) && subscriptions.size >= limits.maxSubscriptions) {
          ws.send(
            JSON.stringify([
              "CLOSED",
              id,
              `rate-limited: at most ${limits.maxSubscriptions} subscriptions per connection`,
            ]),
          );
          return;
        }
        subscriptions.add(id);
      } else if (m[0] === "CLOSE") subscriptions.delete(m[1] as string);
      relay.handleMessage(ws, msg as RelayMessage).catch((err: unknown) => {
        ws.send(JSON.stringify(["NOTICE", `error: ${(err as Error).message}`]));
      });
    });
    ws.on("close", () => {
      relay.handleDisconnect(ws);
    });
    ws.on("error", () => {
      relay.handleDisconnect(ws);
    });
  });
  const port = (wss.address() as AddressInfo).port;
  return {
    url: `ws://${host.includes(":") ? `[${host}]` : host}:${port}`,
    port,
    dbPath,
    close: async () => {
      for (const c of wss.clients) c.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await relay.destroy();
      await repository.destroy();
    },
  };
}
