/**
 * @fedstr/sdk/storage — content-addressed storage with verified reads.
 * See docs/storage.md.
 */
export * from './errors.js'
export {
  CID, RAW_CODEC, DAG_PB_CODEC, SHA2_256, CID_BYTES_LENGTH, CHUNK_SIZE, MAX_CHILDREN_PER_NODE,
  fedstrImporterOptions, importFedstrBytes, computeCid, parseCid, assertFedstrCid, cidToBytes, cidFromBytes
} from './cid.js'
export { sha256Hex } from './hash.js'
export { verifyBlock, readVerifiedDag, verifyWholeFile, type BlockFetcher } from './verify.js'
export { DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT_MS, type ContentStore, type GetOptions, type PutOptions, type StoreLimits } from './types.js'
export { createHeliaNode, addToHelia, getLocalBlock, HeliaStore, type Helia, type HeliaNodeOptions, type HeliaStoreOptions } from './helia.js'
export { startIpfsNode, type IpfsNodeOptions, type IpfsNodeHandle } from './ipfs-node.js'
export { GatewayReader, GatewayStore, RAW_BLOCK_TYPE, type GatewayReaderOptions } from './gateway.js'
export { IpfsHttpStore, type IpfsHttpStoreOptions } from './ipfs-http.js'
export { PinataStore, type PinataStoreOptions } from './pinata.js'
export { storeFromEnv } from './env.js'
