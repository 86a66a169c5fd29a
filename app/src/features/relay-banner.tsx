"use client";
import { useRelayStatus } from "@/data-access/nostr";

/** Shown while no relay is reachable; the relay pool reconnects with back-off and the banner goes away. */
export function RelayBanner() {
  const { statuses, anyConnected, started } = useRelayStatus();
  if (!started || anyConnected) return null;
  return (
    <div role="alert" className="banner" data-testid="relay-banner">
      No Nostr relay is reachable ({statuses.map((s) => `${s.url}${s.lastError ? `: ${s.lastError}` : ""}`).join("; ")}
      ). Job requests, results and round reports cannot be read or published; reconnecting
      {statuses[0]?.retryInMs !== undefined ? ` in ${Math.ceil(statuses[0].retryInMs / 1000)}s` : ""}…
    </div>
  );
}
