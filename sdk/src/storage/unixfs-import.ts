/**
 * Importing bytes as a fedstr UnixFS file: the CID a backend's `put` returns.
 * Kept apart from cid.ts (parsing and the on-chain form) because the importer
 * is large and only writers and verifiers need it.
 */
import { type ImporterOptions, importBytes, type WritableStorage } from "ipfs-unixfs-importer";
import { fixedSize } from "ipfs-unixfs-importer/chunker";
import { balanced } from "ipfs-unixfs-importer/layout";
import { CHUNK_SIZE, type CID, MAX_CHILDREN_PER_NODE } from "./cid.js";

/**
 * The importer parameters every fedstr backend uses, so that the same bytes
 * give the same CID as `ipfs add --cid-version=1` (Kubo) and Pinata's v3 upload:
 * CIDv1, raw leaves, 256 KiB fixed-size chunks, balanced DAG of width 174, a
 * single-chunk file is the raw leaf itself.
 */
export function fedstrImporterOptions(): Partial<ImporterOptions> {
  return {
    cidVersion: 1,
    rawLeaves: true,
    reduceSingleLeafToSelf: true,
    wrapWithDirectory: false,
    chunker: fixedSize({ chunkSize: CHUNK_SIZE }),
    layout: balanced({ maxChildrenPerNode: MAX_CHILDREN_PER_NODE }),
    fieldOrder: "links-first",
  };
}

/** Import `bytes` as a UnixFS file into `blockstore` with fedstr's parameters. */
export async function importFedstrBytes(bytes: Uint8Array, blockstore: WritableStorage): Promise<CID> {
  const { cid } = await importBytes(bytes, dedupePuts(blockstore), fedstrImporterOptions());
  return cid as unknown as CID;
}

/**
 * The importer writes up to 10 blocks concurrently; identical chunks (zeroed
 * tensors!) give identical CIDs, and two concurrent writes of the same block
 * make blockstore-fs' atomic writer collide on its temp file and back off for
 * about a second. So each block is written once per import, and a write
 * already in flight to the same store (another import of the same bytes) is
 * awaited instead of repeated.
 */
const inflightByStore = new WeakMap<object, Map<string, Promise<unknown>>>();

function dedupePuts(store: WritableStorage): WritableStorage {
  let inflight = inflightByStore.get(store);
  if (inflight == null) {
    inflight = new Map();
    inflightByStore.set(store, inflight);
  }
  const shared = inflight;
  const done = new Set<string>();
  return {
    put: async (cid, block, options) => {
      const key = cid.toString();
      if (done.has(key)) return cid;
      let p = shared.get(key);
      if (p == null) {
        p = Promise.resolve(store.put(cid, block, options)).finally(() => {
          shared.delete(key);
        });
        shared.set(key, p);
      }
      await p;
      done.add(key);
      return cid;
    },
  };
}

/** The CID `put(bytes)` will return on any fedstr backend, computed locally without storing. */
export async function computeCid(bytes: Uint8Array): Promise<CID> {
  return await importFedstrBytes(bytes, { put: (cid) => cid });
}
