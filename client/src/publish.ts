/**
 * Publishing an event until a relay has it. The relay pool queues it for relays that are down and
 * reconnects at once when something is queued; this waits for a relay to (re)connect — woken by the
 * pool, not sleeping a back-off of its own — and sends it again until a relay says OK.
 */
import type { RelayPool, VerifiedEvent } from "@fedstr/sdk/nostr";
import { ClientError } from "./errors.js";

/** A transient failure the caller may retry later (e.g. no relay reachable yet). */
export class NetworkError extends Error {
  override name = "NetworkError";
}

export interface PublishOptions {
  what: string;
  /** How many times to wait for a relay to come back before giving up (default 8). */
  waits?: number;
  /** Longest wait for a relay each time (ms, default 30 000). */
  waitMs?: number;
  info?: (m: string) => void;
  signal?: AbortSignal;
}

export async function publishEvent(relays: RelayPool, event: VerifiedEvent, opts: PublishOptions): Promise<string[]> {
  const waits = opts.waits ?? 8;
  for (let wait = 0; ; wait++) {
    const outcomes = await relays.publish(event);
    // A relay that already has it (it was queued and flushed on reconnect) says "duplicate".
    const ok = outcomes.filter((o) => o.ok || o.message.startsWith("duplicate")).map((o) => o.url);
    if (ok.length > 0) return ok;
    const refused = outcomes.filter((o) => !o.queued);
    if (refused.length === outcomes.length)
      throw new ClientError(
        "PublishFailed",
        `the relays refused the ${opts.what}: ${refused.map((o) => `${o.url}: ${o.message}`).join("; ")}`,
      );
    if (wait >= waits)
      throw new NetworkError(
        `no relay accepted the ${opts.what} (${outcomes.map((o) => `${o.url}: ${o.message}`).join("; ")})`,
      );
    if (wait === 0) opts.info?.(`  no relay reachable for the ${opts.what}: queued, sent as soon as a relay is back`);
    await relays.waitForConnection({
      timeoutMs: opts.waitMs ?? 30_000,
      ...(opts.signal !== undefined ? { signal: opts.signal } : {}),
    });
    opts.signal?.throwIfAborted();
  }
}
