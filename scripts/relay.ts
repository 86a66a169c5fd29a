/**
 * Start the embedded Nostr relay (NIP-01, @nostr-relay/core + SQLite) on loopback.
 *
 *   npm run relay -- [--port 7447] [--data-dir .fedstr/relay] [--host 127.0.0.1] [--json]
 *
 * Prints the ws:// URL (or one JSON line with --json) and runs until SIGINT/SIGTERM.
 * Events persist in <data-dir>/events.sqlite3 across restarts.
 */

import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { startRelay } from "../sdk/src/nostr/relay-server.js";
import { closeOnSignals, portFlag } from "./service-cli.js";

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "0" },
    "data-dir": { type: "string", default: ".fedstr/relay" },
    host: { type: "string", default: "127.0.0.1" },
    json: { type: "boolean", default: false },
    help: { type: "boolean", default: false },
  },
});
if (values.help) {
  console.log("usage: npm run relay -- [--port N] [--data-dir DIR] [--host 127.0.0.1] [--json]");
  process.exit(0);
}
const port = portFlag(values.port);
const dataDir = resolve(values["data-dir"]);
const relay = await startRelay({ dataDir, port, host: values.host });
if (values.json)
  console.log(JSON.stringify({ relay: relay.url, port: relay.port, dataDir, db: relay.dbPath, pid: process.pid }));
else console.log(`fedstr relay listening on ${relay.url} (events in ${relay.dbPath})`);

closeOnSignals(() => relay.close());
