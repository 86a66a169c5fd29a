/**
 * @fedstr/sdk/storage in a browser (the package's "browser" export condition): verified reads from
 * a gateway and the CID/hash code, without the Node-only stores (Helia node, Pinata SDK, env).
 */

export {
  assertFedstrCid,
  CHUNK_SIZE,
  CID,
  CID_BYTES_LENGTH,
  cidFromBytes,
  cidToBytes,
  DAG_PB_CODEC,
  MAX_CHILDREN_PER_NODE,
  parseCid,
  RAW_CODEC,
  SHA2_256,
} from "./cid.js";
export * from "./errors.js";
export { CAR_TYPE, GatewayReader, type GatewayReaderOptions, GatewayStore, RAW_BLOCK_TYPE } from "./gateway.js";
export { sha256Hex } from "./hash.js";
export {
  type ContentStore,
  DEFAULT_MAX_BYTES,
  DEFAULT_TIMEOUT_MS,
  type GetOptions,
  type PutOptions,
  type StoreLimits,
} from "./types.js";
export { computeCid, fedstrImporterOptions, importFedstrBytes } from "./unixfs-import.js";
export { type BlockFetcher, readVerifiedDag, verifyBlock, verifyWholeFile } from "./verify.js";
