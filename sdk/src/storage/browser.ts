/**
 * @fedstr/sdk/storage in a browser (the package's "browser" export condition): verified reads from
 * a gateway and the CID/hash code, without the Node-only stores (Helia node, Pinata SDK, env), which
 * the Node entry (index.ts) adds to all of this.
 */

export * from "./cid.js";
export * from "./errors.js";
export { CAR_TYPE, GatewayReader, type GatewayReaderOptions, GatewayStore, RAW_BLOCK_TYPE } from "./gateway.js";
export * from "./hash.js";
export * from "./types.js";
export * from "./unixfs-import.js";
export * from "./verify.js";
