/**
 * fedstr CIDs: CIDv1, sha2-256, codec raw (0x55) for single-block content or
 * dag-pb (0x70) for chunked UnixFS files. The on-chain program stores the
 * 36-byte binary form: 0x01, codec, 0x12, 0x20, 32-byte digest.
 */
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { sha256 } from 'multiformats/hashes/sha2'
import * as dagPb from '@ipld/dag-pb'
import { importBytes } from 'ipfs-unixfs-importer'
import { fixedSize } from 'ipfs-unixfs-importer/chunker'
import { balanced } from 'ipfs-unixfs-importer/layout'
import type { ImporterOptions, WritableStorage } from 'ipfs-unixfs-importer'
import { InvalidCidError } from './errors.js'

export { CID }

export const RAW_CODEC = raw.code // 0x55
export const DAG_PB_CODEC = dagPb.code // 0x70
export const SHA2_256 = sha256.code // 0x12
export const CID_BYTES_LENGTH = 36

/** UnixFS chunk size used by fedstr (Kubo's classic default, `--chunker=size-262144`). */
export const CHUNK_SIZE = 262_144
/** Links per dag-pb node in the balanced layout (Kubo's classic default). */
export const MAX_CHILDREN_PER_NODE = 174

/**
 * The importer parameters every fedstr backend uses, so that the same bytes
 * give the same CID as `ipfs add --cid-version=1` (Kubo) and Pinata's v3 upload:
 * CIDv1, raw leaves, 256 KiB fixed-size chunks, balanced DAG of width 174, a
 * single-chunk file is the raw leaf itself.
 */
export function fedstrImporterOptions (): Partial<ImporterOptions> {
  return {
    cidVersion: 1,
    rawLeaves: true,
    reduceSingleLeafToSelf: true,
    wrapWithDirectory: false,
    chunker: fixedSize({ chunkSize: CHUNK_SIZE }),
    layout: balanced({ maxChildrenPerNode: MAX_CHILDREN_PER_NODE }),
    fieldOrder: 'links-first'
  }
}

/** Import `bytes` as a UnixFS file into `blockstore` with fedstr's parameters. */
export async function importFedstrBytes (bytes: Uint8Array, blockstore: WritableStorage): Promise<CID> {
  const { cid } = await importBytes(bytes, dedupePuts(blockstore), fedstrImporterOptions())
  return cid as unknown as CID
}

/**
 * The importer writes up to 10 blocks concurrently; identical chunks (zeroed
 * tensors!) give identical CIDs, and two concurrent writes of the same block
 * make blockstore-fs' atomic writer collide on its temp file and back off for
 * about a second. So each block is written once per import, and a write
 * already in flight to the same store (another import of the same bytes) is
 * awaited instead of repeated.
 */
const inflightByStore = new WeakMap<object, Map<string, Promise<unknown>>>()

function dedupePuts (store: WritableStorage): WritableStorage {
  let inflight = inflightByStore.get(store)
  if (inflight == null) { inflight = new Map(); inflightByStore.set(store, inflight) }
  const shared = inflight
  const done = new Set<string>()
  return {
    put: async (cid, block, options) => {
      const key = cid.toString()
      if (done.has(key)) return cid
      let p = shared.get(key)
      if (p == null) {
        p = Promise.resolve(store.put(cid, block, options)).finally(() => { shared.delete(key) })
        shared.set(key, p)
      }
      await p
      done.add(key)
      return cid
    }
  }
}

/** The CID `put(bytes)` will return on any fedstr backend, computed locally without storing. */
export async function computeCid (bytes: Uint8Array): Promise<CID> {
  return await importFedstrBytes(bytes, { put: (cid) => cid })
}

/**
 * Parse and check a CID (string, CID, or anything with `toString()`).
 * Accepts only CIDv1 + sha2-256 + (raw | dag-pb).
 */
export function parseCid (cid: CID | string): CID {
  let parsed: CID
  if (typeof cid === 'string') {
    try {
      parsed = CID.parse(cid.trim())
    } catch (err) {
      throw new InvalidCidError(`not a CID: ${JSON.stringify(cid.slice(0, 80))} (${(err as Error).message})`)
    }
  } else {
    const asCid = CID.asCID(cid)
    if (asCid == null) throw new InvalidCidError('not a CID object')
    parsed = asCid
  }
  assertFedstrCid(parsed)
  return parsed
}

/** Throws InvalidCidError unless `cid` is CIDv1 / sha2-256 (32 bytes) / raw or dag-pb. */
export function assertFedstrCid (cid: CID): void {
  if (cid.version !== 1) throw new InvalidCidError(`CIDv${cid.version} is not accepted, fedstr uses CIDv1 (${cid.toString()})`)
  if (cid.code !== RAW_CODEC && cid.code !== DAG_PB_CODEC) {
    throw new InvalidCidError(`codec 0x${cid.code.toString(16)} is not accepted, fedstr uses raw (0x55) or dag-pb (0x70) (${cid.toString()})`)
  }
  if (cid.multihash.code !== SHA2_256 || cid.multihash.digest.length !== 32) {
    throw new InvalidCidError(`multihash 0x${cid.multihash.code.toString(16)}/${cid.multihash.digest.length} bytes is not accepted, fedstr uses sha2-256 (${cid.toString()})`)
  }
}

/** The 36-byte binary form the on-chain program stores: 0x01, codec, 0x12, 0x20, digest. */
export function cidToBytes (cid: CID | string): Uint8Array {
  const parsed = parseCid(cid)
  const bytes = parsed.bytes
  if (bytes.length !== CID_BYTES_LENGTH) throw new InvalidCidError(`CID encodes to ${bytes.length} bytes, expected ${CID_BYTES_LENGTH}`)
  return Uint8Array.from(bytes)
}

/** Inverse of `cidToBytes`; rejects anything but exactly the 36-byte fedstr form. */
export function cidFromBytes (input: Uint8Array | readonly number[]): CID {
  // Anchor decodes a `[u8; 36]` account field as number[]
  if (!(input instanceof Uint8Array) && !Array.isArray(input)) throw new InvalidCidError('CID bytes must be a Uint8Array or an array of bytes')
  const bytes = Uint8Array.from(input)
  if (bytes.length !== CID_BYTES_LENGTH) {
    throw new InvalidCidError(`CID bytes must be exactly ${CID_BYTES_LENGTH} long (0x01, codec, 0x12, 0x20, digest), got ${bytes.length}`)
  }
  if (bytes[0] !== 0x01) throw new InvalidCidError(`CID bytes must start with version 0x01, got 0x${(bytes[0] ?? 0).toString(16)}`)
  if (bytes[1] !== RAW_CODEC && bytes[1] !== DAG_PB_CODEC) throw new InvalidCidError(`CID codec byte must be 0x55 (raw) or 0x70 (dag-pb), got 0x${(bytes[1] ?? 0).toString(16)}`)
  if (bytes[2] !== 0x12 || bytes[3] !== 0x20) throw new InvalidCidError('CID multihash must be sha2-256 with a 32-byte digest (0x12 0x20)')
  let cid: CID
  try {
    cid = CID.decode(Uint8Array.from(bytes))
  } catch (err) {
    throw new InvalidCidError(`cannot decode CID bytes: ${(err as Error).message}`)
  }
  assertFedstrCid(cid)
  return cid
}

