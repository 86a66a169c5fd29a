/**
 * @fedstr/sdk/storage in a browser (the package's "browser" export condition): verified reads from
 * a gateway and the CID/hash code, without the Node-only stores (Helia node, Pinata SDK, env).
 */
export * from './errors.js'
export {
  CID, RAW_CODEC, DAG_PB_CODEC, SHA2_256, CID_BYTES_LENGTH, CHUNK_SIZE, MAX_CHILDREN_PER_NODE,
  parseCid, assertFedstrCid, cidToBytes, cidFromBytes
} from './cid.js'
export { fedstrImporterOptions, importFedstrBytes, computeCid } from './unixfs-import.js'
export { sha256Hex } from './hash.js'
export { verifyBlock, readVerifiedDag, verifyWholeFile, type BlockFetcher } from './verify.js'
export { DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT_MS, type ContentStore, type GetOptions, type PutOptions, type StoreLimits } from './types.js'
export { GatewayReader, GatewayStore, RAW_BLOCK_TYPE, CAR_TYPE, type GatewayReaderOptions } from './gateway.js'
