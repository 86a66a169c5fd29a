/** Publishing an event until a relay has it: the relay pool queues while relays are down; this waits and re-sends with back-off. */
import type { RelayPool, VerifiedEvent } from "@fedstr/sdk/nostr";
import { ClientError } from "./errors.js";
import { sleep } from "@fedstr/sdk/cli";

/** A transient failure the caller may retry later (e.g. no relay reachable yet). */
export class NetworkError extends Error {
  override name = "NetworkError";
}

export async function publishEvent(relays: RelayPool, event: VerifiedEvent, opts: { what: string; attempts?: number; info?: (m: string) => void }): Promise<string[]> {
  const attempts = opts.attempts ?? 8;
  for (let attempt = 1; ; attempt++) {
    const outcomes = await relays.publish(event);
    const ok = outcomes.filter((o) => o.ok).map((o) => o.url);
    if (ok.length > 0) return ok;
    const refused = outcomes.filter((o) => !o.queued);
    if (refused.length === outcomes.length) throw new ClientError("PublishFailed", `the relays refused the ${opts.what}: ${refused.map((o) => `${o.url}: ${o.message}`).join("; ")}`);
    if (attempt >= attempts) throw new NetworkError(`no relay accepted the ${opts.what} (${outcomes.map((o) => `${o.url}: ${o.message}`).join("; ")})`);
    const delay = Math.min(30_000, 500 * 2 ** attempt);
    opts.info?.(`  no relay reachable for the ${opts.what}; retrying in ${(delay / 1000).toFixed(1)}s`);
    await sleep(delay);
  }
}
