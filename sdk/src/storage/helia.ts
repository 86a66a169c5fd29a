/**
 * The embedded IPFS node: a real Helia node with a persistent on-disk
 * blockstore (blockstore-fs) and datastore (datastore-fs, which holds pins).
 *
 * Why "Helia without libp2p": `createHelia()` from the `helia` package wires in
 * libp2p, bitswap and @libp2p/http, and fedstr's local network never needs
 * peer-to-peer block exchange (all processes on the machine talk to one node
 * over HTTP), so we construct Helia's own `Helia` class — the one
 * `createHeliaLight()` returns — directly, with no block brokers and no
 * routers. Because `helia`'s index module imports the libp2p stack eagerly,
 * the class is loaded from the package's `helia.js` next to its entry point.
 */

import type { Helia } from "@helia/interface";
import type { FsBlockstore } from "blockstore-fs";
import type { FsDatastore } from "datastore-fs";
import type { CID } from "multiformats/cid";
import { concatChunks } from "./bytes.js";
import { parseCid } from "./cid.js";
import { CidMismatchError, ContentNotFoundError, ContentTooLargeError } from "./errors.js";
import { type ContentStore, DEFAULT_MAX_BYTES, type GetOptions, type PutOptions, type StoreLimits } from "./types.js";
import { computeCid, importFedstrBytes } from "./unixfs-import.js";
import { readVerifiedDag } from "./verify.js";

export type { Helia };

interface HeliaClassInit {
  name: string;
  version: string;
  blockstore: FsBlockstore;
  datastore: FsDatastore;
  blockBrokers: never[];
  routers: never[];
}
type HeliaClass = new (init: HeliaClassInit) => Helia;

let heliaClass: Promise<HeliaClass> | undefined;
async function loadHeliaClass(): Promise<HeliaClass> {
  heliaClass ??= (async () => {
    const entry = import.meta.resolve("helia");
    const mod = (await import(new URL("./helia.js", entry).href)) as { Helia?: HeliaClass };
    if (typeof mod.Helia !== "function")
      throw new Error(`helia.js next to ${entry} does not export the Helia class (helia version changed?)`);
    return mod.Helia;
  })();
  return await heliaClass;
}

export interface HeliaNodeOptions {
  /** Directory holding `blocks/` and `datastore/`; created if missing. */
  dataDir: string;
}

/** Create and start a Helia node persisting blocks and pins under `dataDir`. */
export async function createHeliaNode(options: HeliaNodeOptions): Promise<Helia> {
  // Node-only modules are loaded here so that browsers can import this package.
  const [{ mkdir }, { join }, { FsBlockstore }, { FsDatastore }] = await Promise.all([
    import("node:fs/promises"),
    import("node:path"),
    import("blockstore-fs"),
    import("datastore-fs"),
  ]);
  const blocksDir = join(options.dataDir, "blocks");
  const dataDir = join(options.dataDir, "datastore");
  await mkdir(blocksDir, { recursive: true });
  await mkdir(dataDir, { recursive: true });
  const Helia = await loadHeliaClass();
  const helia = new Helia({
    name: "helia",
    version: "7",
    blockstore: new FsBlockstore(blocksDir),
    datastore: new FsDatastore(dataDir),
    blockBrokers: [],
    routers: [],
  });
  await helia.start();
  return helia;
}

async function collect(source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let n = 0;
  for await (const p of source) {
    parts.push(p);
    n += p.length;
  }
  return parts.length === 1 ? parts[0]! : concatChunks(parts, n);
}

/** Read one block from the node's local blockstore only (never the network). */
export async function getLocalBlock(helia: Helia, cid: CID, signal?: AbortSignal): Promise<Uint8Array> {
  if (!(await helia.blockstore.has(cid, { signal })))
    throw new ContentNotFoundError(cid.toString(), "block not in the local blockstore");
  return await collect(helia.blockstore.get(cid, { offline: true, signal }));
}

const pinQueues = new WeakMap<object, Promise<unknown>>();
async function withPinLock<T>(helia: Helia, fn: () => Promise<T>): Promise<T> {
  const prev = pinQueues.get(helia) ?? Promise.resolve();
  const run = prev.then(fn, fn);
  pinQueues.set(
    helia,
    run.catch(() => {}),
  );
  return await run;
}

/** Import bytes with fedstr's UnixFS parameters into the node, pin them, return the CID. */
export async function addToHelia(helia: Helia, bytes: Uint8Array, signal?: AbortSignal): Promise<CID> {
  const cid = await importFedstrBytes(bytes, helia.blockstore);
  // Pins are read-modify-write records in the datastore: pin one at a time per node.
  await withPinLock(helia, async () => {
    if (await helia.pins.isPinned(cid, { signal })) return;
    try {
      for await (const _ of helia.pins.add(cid, { signal })) {
        /* drain */
      }
    } catch (err) {
      if ((err as { name?: unknown }).name !== "AlreadyPinnedError") throw err;
    }
  });
  return cid;
}

export interface HeliaStoreOptions extends StoreLimits {
  /** An already running node (the store does not stop it), or… */
  helia?: Helia;
  /** …a directory to open a node on (the store stops it on close). */
  dataDir?: string;
}

/** ContentStore over an in-process Helia node. */
export class HeliaStore implements ContentStore {
  readonly kind = "helia" as const;
  readonly helia: Helia;
  private readonly owned: boolean;
  private readonly maxBytes: number;

  private constructor(helia: Helia, owned: boolean, maxBytes: number) {
    this.helia = helia;
    this.owned = owned;
    this.maxBytes = maxBytes;
  }

  static async open(options: HeliaStoreOptions): Promise<HeliaStore> {
    const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
    if (options.helia != null) return new HeliaStore(options.helia, false, maxBytes);
    if (options.dataDir == null) throw new Error("HeliaStore.open needs `helia` or `dataDir`");
    return new HeliaStore(await createHeliaNode({ dataDir: options.dataDir }), true, maxBytes);
  }

  async put(bytes: Uint8Array, options: PutOptions = {}): Promise<CID> {
    if (bytes.length > this.maxBytes) throw new ContentTooLargeError("put", bytes.length, this.maxBytes);
    const cid = await addToHelia(this.helia, bytes, options.signal);
    const expected = await computeCid(bytes);
    if (expected.toString() !== cid.toString())
      throw new CidMismatchError(expected.toString(), cid.toString(), "Helia import");
    return cid;
  }

  async get(cid: CID | string, options: GetOptions = {}): Promise<Uint8Array> {
    const root = parseCid(cid);
    return await readVerifiedDag(
      root,
      async (c) => await getLocalBlock(this.helia, c, options.signal),
      options.maxBytes ?? this.maxBytes,
    );
  }

  async close(): Promise<void> {
    if (this.owned) await this.helia.stop();
  }
}
