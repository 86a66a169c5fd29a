/**
 * @fedstr/sdk/nostr — fedstr's NIP-90 job protocol over Nostr relays.
 * See docs/protocol.md for the event kinds and an example of each.
 */
// Everything a browser may use is in browser.ts (the "browser" export condition); Node adds the relay.
export * from "./browser.js";
export type { RelayLimits, RelayServerHandle, RelayServerOptions } from "./relay-server.js";

/**
 * Start the embedded relay (Node only). Loaded lazily so that importing
 * `@fedstr/sdk/nostr` in a browser does not pull in SQLite and `ws`.
 */
export async function startRelay(
  options: import("./relay-server.js").RelayServerOptions,
): Promise<import("./relay-server.js").RelayServerHandle> {
  return await (await import("./relay-server.js")).startRelay(options);
}
