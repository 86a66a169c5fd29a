/**
 * Start the embedded IPFS node: Helia with an on-disk blockstore/datastore,
 * served on loopback as a trustless gateway (GET /ipfs/<cid>?format=raw) plus
 * Kubo's `POST /api/v0/add` (cid-version=1). Other processes use it through
 * IpfsHttpStore (FEDSTR_IPFS_URL=<printed url>).
 *
 *   npm run ipfs-node -- [--port 5081] [--data-dir .fedstr/ipfs] [--host 127.0.0.1] [--max-bytes N] [--json]
 */

import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { startIpfsNode } from "../sdk/src/storage/ipfs-node.js";
import { closeOnSignals, portFlag } from "./service-cli.js";

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "0" },
    "data-dir": { type: "string", default: ".fedstr/ipfs" },
    host: { type: "string", default: "127.0.0.1" },
    "max-bytes": { type: "string" },
    json: { type: "boolean", default: false },
    help: { type: "boolean", default: false },
  },
});
if (values.help) {
  console.log("usage: npm run ipfs-node -- [--port N] [--data-dir DIR] [--host 127.0.0.1] [--max-bytes N] [--json]");
  process.exit(0);
}
const port = portFlag(values.port);
const maxBytes = values["max-bytes"] != null ? Number(values["max-bytes"]) : undefined;
if (maxBytes != null && (!Number.isSafeInteger(maxBytes) || maxBytes <= 0)) {
  console.error(`bad --max-bytes ${values["max-bytes"]}`);
  process.exit(2);
}
const dataDir = resolve(values["data-dir"]);
const node = await startIpfsNode({
  dataDir,
  port,
  host: values.host,
  ...(maxBytes != null ? { maxBytes } : {}),
});
if (values.json)
  console.log(
    JSON.stringify({
      ipfs: node.url,
      gateway: `${node.url}/ipfs/`,
      api: `${node.url}/api/v0/`,
      port: node.port,
      dataDir,
      pid: process.pid,
    }),
  );
else
  console.log(
    `fedstr IPFS node (Helia) on ${node.url}  gateway ${node.url}/ipfs/<cid>  api ${node.url}/api/v0/add  (blocks in ${dataDir})`,
  );

closeOnSignals(() => node.close());
