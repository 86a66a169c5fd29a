/**
 * One-shot reads of stored events: subscribe, collect until every connected relay has sent EOSE
 * (or the timeout), close. Events are returned unverified; pass them to an EventReader.
 */
import type { Filter } from "nostr-tools/filter";
import type { Event } from "nostr-tools/pure";
import type { RelayPool } from "./relay-pool.js";

export async function queryEvents(
  relays: RelayPool,
  filters: Filter[],
  options: { timeoutMs?: number } = {},
): Promise<Event[]> {
  const connected = relays.status().filter((s) => s.connected).length;
  const events: Event[] = [];
  return await new Promise((resolve) => {
    const eosed = new Set<string>();
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sub.close();
      resolve(events);
    };
    const timer = setTimeout(finish, options.timeoutMs ?? 10_000);
    const sub = relays.subscribe(filters, {
      onevent: (e) => {
        events.push(e);
      },
      oneose: (url) => {
        eosed.add(url);
        if (eosed.size >= Math.max(1, connected)) finish();
      },
    });
  });
}
