/**
 * @fedstr/sdk/storage — content-addressed storage with verified reads.
 * See docs/storage.md.
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
export { sha256Hex } from "./hash.js";
export {
  addToHelia,
  createHeliaNode,
  getLocalBlock,
  type Helia,
  type HeliaNodeOptions,
  HeliaStore,
  type HeliaStoreOptions,
} from "./helia.js";
export type { IpfsNodeHandle, IpfsNodeOptions } from "./ipfs-node.js";
export {
  type ContentStore,
  DEFAULT_MAX_BYTES,
  DEFAULT_TIMEOUT_MS,
  type GetOptions,
  type PutOptions,
  type StoreLimits,
} from "./types.js";
export { computeCid, fedstrImporterOptions, importFedstrBytes } from "./unixfs-import.js";
export {
  assertDeclaredSize,
  type BlockFetcher,
  decodeFileNode,
  readVerifiedDag,
  verifyBlock,
  verifyWholeFile,
} from "./verify.js";

/** Start the embedded IPFS node's HTTP service (Node only; loaded lazily so browsers can import this module). */
export async function startIpfsNode(
  options: import("./ipfs-node.js").IpfsNodeOptions,
): Promise<import("./ipfs-node.js").IpfsNodeHandle> {
  return await (await import("./ipfs-node.js")).startIpfsNode(options);
}
export {
  IPFS_ENV_NAMES,
  IPFS_FLAG_NAMES,
  IpfsEndpointError,
  type IpfsEndpointNames,
  type IpfsEndpointSettings,
  type IpfsEndpoints,
  ipfsBaseUrl,
  KUBO_DEFAULT_API_URL,
  KUBO_DEFAULT_GATEWAY_URL,
  namesIpfsEndpoint,
  resolveIpfsEndpoints,
} from "./endpoints.js";
export { storeFromEnv } from "./env.js";
export { CAR_TYPE, GatewayReader, type GatewayReaderOptions, GatewayStore, RAW_BLOCK_TYPE } from "./gateway.js";
export { IpfsHttpStore, type IpfsHttpStoreOptions } from "./ipfs-http.js";
export { PinataStore, type PinataStoreOptions } from "./pinata.js";
