/**
 * @fedstr/sdk/cli — what the `fedstr` and `fedstr-aggregator` commands share: flag parsing with the
 * common configuration flags, output (--json, progress on stderr, clear errors) and the session
 * (connection, wallet, program, store, relays, Nostr key), retries, and atomic file writes.
 */
export * from "./args.js";
export * from "./files.js";
export * from "./output.js";
export * from "./retry.js";
export * from "./session.js";
