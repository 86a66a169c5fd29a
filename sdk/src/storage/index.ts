/**
 * @fedstr/sdk/storage — content-addressed storage with verified reads: the browser-safe part
 * (browser.ts) and the Node-only stores. See docs/storage.md.
 */

export * from "./browser.js";
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
// Shadows browser.js's (noble) sha256Hex: the same function, native in Node.
export { sha256Hex } from "./hash-node.js";
export {
  addToHelia,
  createHeliaNode,
  getLocalBlock,
  type Helia,
  type HeliaNodeOptions,
  HeliaStore,
  type HeliaStoreOptions,
} from "./helia.js";
export { IpfsHttpStore, type IpfsHttpStoreOptions } from "./ipfs-http.js";
export type { IpfsNodeHandle, IpfsNodeOptions } from "./ipfs-node.js";
export { PinataStore, type PinataStoreOptions } from "./pinata.js";

/** Start the embedded IPFS node's HTTP service (Node only; loaded lazily so browsers can import this module). */
export async function startIpfsNode(
  options: import("./ipfs-node.js").IpfsNodeOptions,
): Promise<import("./ipfs-node.js").IpfsNodeHandle> {
  return await (await import("./ipfs-node.js")).startIpfsNode(options);
}
