/**
 * @fedstr/sdk/storage — content-addressed storage with verified reads.
 * See docs/storage.md.
 */
export * from './errors.js'
export {
  CID, RAW_CODEC, DAG_PB_CODEC, SHA2_256, CID_BYTES_LENGTH, CHUNK_SIZE, MAX_CHILDREN_PER_NODE,
  parseCid, assertFedstrCid, cidToBytes, cidFromBytes
} from './cid.js'
export { fedstrImporterOptions, importFedstrBytes, computeCid } from './unixfs-import.js'
export { sha256Hex } from './hash.js'
export { verifyBlock, readVerifiedDag, verifyWholeFile, decodeFileNode, assertDeclaredSize, type BlockFetcher } from './verify.js'
export { DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT_MS, type ContentStore, type GetOptions, type PutOptions, type StoreLimits } from './types.js'
export { createHeliaNode, addToHelia, getLocalBlock, HeliaStore, type Helia, type HeliaNodeOptions, type HeliaStoreOptions } from './helia.js'
export type { IpfsNodeOptions, IpfsNodeHandle } from './ipfs-node.js'

/** Start the embedded IPFS node's HTTP service (Node only; loaded lazily so browsers can import this module). */
export async function startIpfsNode (options: import('./ipfs-node.js').IpfsNodeOptions): Promise<import('./ipfs-node.js').IpfsNodeHandle> {
  return await (await import('./ipfs-node.js')).startIpfsNode(options)
}
export { GatewayReader, GatewayStore, RAW_BLOCK_TYPE, CAR_TYPE, type GatewayReaderOptions } from './gateway.js'
export { IpfsHttpStore, type IpfsHttpStoreOptions } from './ipfs-http.js'
export { PinataStore, type PinataStoreOptions } from './pinata.js'
export { storeFromEnv } from './env.js'
export {
  KUBO_DEFAULT_API_URL, KUBO_DEFAULT_GATEWAY_URL, IPFS_ENV_NAMES, IPFS_FLAG_NAMES, IpfsEndpointError,
  resolveIpfsEndpoints, namesIpfsEndpoint, ipfsBaseUrl, type IpfsEndpoints, type IpfsEndpointSettings, type IpfsEndpointNames
} from './endpoints.js'
