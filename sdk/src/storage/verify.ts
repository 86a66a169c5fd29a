/**
 * Verified reads. Every byte handed back by `get` has been checked against the
 * CID asked for: raw blocks are re-hashed, dag-pb (UnixFS) DAGs are verified
 * block by block while walking them; whole-file answers from deserializing
 * gateways are re-imported with fedstr's parameters and the CIDs compared.
 */
import * as dagPb from "@ipld/dag-pb";
import { UnixFS } from "ipfs-unixfs";
import { CID } from "multiformats/cid";
import { sha256 } from "multiformats/hashes/sha2";
import { concatChunks } from "./bytes.js";
import { assertFedstrCid, DAG_PB_CODEC, RAW_CODEC } from "./cid.js";
import { BackendError, CidMismatchError, ContentTooLargeError, InvalidCidError } from "./errors.js";
import { computeCid } from "./unixfs-import.js";

/** Fetches one block's bytes (unverified); throws a StorageError when it cannot. */
export type BlockFetcher = (cid: CID) => Promise<Uint8Array>;

const MAX_DEPTH = 32;

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Throws CidMismatchError unless sha2-256(bytes) is the digest inside `cid`. */
export async function verifyBlock(cid: CID, bytes: Uint8Array): Promise<void> {
  const digest = await sha256.digest(bytes);
  if (!sameBytes(digest.digest, cid.multihash.digest)) {
    throw new CidMismatchError(cid.toString(), CID.createV1(cid.code, digest).toString(), "block hash");
  }
}

/** Decode a (verified) dag-pb block of the file `root` as a UnixFS file node; BackendError if it is not one. */
export function decodeFileNode(root: CID, cid: CID, bytes: Uint8Array): { node: dagPb.PBNode; fs: UnixFS } {
  let node: dagPb.PBNode;
  let fs: UnixFS;
  try {
    node = dagPb.decode(bytes);
    if (node.Data == null) throw new Error("dag-pb node has no UnixFS data");
    fs = UnixFS.unmarshal(node.Data);
  } catch (err) {
    throw new BackendError(
      `block ${cid.toString()} of ${root.toString()} is not a UnixFS node: ${(err as Error).message}`,
    );
  }
  if (fs.type !== "file" && fs.type !== "raw") {
    throw new BackendError(`${root.toString()} is a UnixFS ${fs.type}, fedstr stores single files only`);
  }
  return { node, fs };
}

/** TOO_LARGE when the file size a verified root node declares is over `maxBytes`. */
export function assertDeclaredSize(root: CID, fs: UnixFS, maxBytes: number): void {
  const size = fs.fileSize();
  if (size > BigInt(maxBytes)) throw new ContentTooLargeError(`content ${root.toString()}`, size.toString(), maxBytes);
}

/**
 * Read the file behind `root`, fetching blocks with `fetchBlock` and verifying
 * each one before using it. Refuses content over `maxBytes` (checked against the
 * UnixFS file size announced by the verified root before fetching any leaves,
 * and again while assembling).
 */
export async function readVerifiedDag(root: CID, fetchBlock: BlockFetcher, maxBytes: number): Promise<Uint8Array> {
  assertFedstrCid(root);
  const chunks: Uint8Array[] = [];
  let total = 0;
  const push = (bytes: Uint8Array): void => {
    total += bytes.length;
    if (total > maxBytes)
      throw new ContentTooLargeError(`content ${root.toString()}`, `more than ${maxBytes}`, maxBytes);
    chunks.push(bytes);
  };

  const visit = async (cid: CID, depth: number): Promise<void> => {
    if (depth > MAX_DEPTH) throw new BackendError(`UnixFS DAG ${root.toString()} is deeper than ${MAX_DEPTH} levels`);
    const bytes = await fetchBlock(cid);
    await verifyBlock(cid, bytes);
    if (cid.code === RAW_CODEC) {
      push(bytes);
      return;
    }
    if (cid.code !== DAG_PB_CODEC)
      throw new InvalidCidError(`unexpected codec 0x${cid.code.toString(16)} in ${root.toString()}`);
    const { node, fs } = decodeFileNode(root, cid, bytes);
    if (depth === 0) assertDeclaredSize(root, fs, maxBytes);
    if (fs.data != null && fs.data.length > 0) push(fs.data);
    for (const link of node.Links) {
      const child = CID.asCID(link.Hash);
      if (child == null) throw new BackendError(`bad link in ${cid.toString()}`);
      assertFedstrCid(child);
      await visit(child, depth + 1);
    }
  };

  await visit(root, 0);
  return concatChunks(chunks, total);
}

/**
 * Verify a whole file returned by a deserializing gateway: raw CIDs are
 * re-hashed, dag-pb CIDs are recomputed with fedstr's importer parameters
 * (content added elsewhere with other chunking cannot be verified this way and
 * is reported as a mismatch).
 */
export async function verifyWholeFile(root: CID, bytes: Uint8Array): Promise<void> {
  if (root.code === RAW_CODEC) {
    await verifyBlock(root, bytes);
    return;
  }
  const actual = await computeCid(bytes);
  if (actual.toString() !== root.toString()) {
    throw new CidMismatchError(
      root.toString(),
      actual.toString(),
      "re-imported with fedstr parameters: CIDv1, raw leaves, 256 KiB chunks",
    );
  }
}
