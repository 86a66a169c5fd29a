/**
 * fedstr CIDs: CIDv1, sha2-256, codec raw (0x55) for single-block content or
 * dag-pb (0x70) for chunked UnixFS files. The on-chain program stores the
 * 36-byte binary form: 0x01, codec, 0x12, 0x20, 32-byte digest.
 * Computing a CID from bytes (the UnixFS importer) is in unixfs-import.ts, so
 * that code which only reads CIDs (the web app's pages) does not bundle it.
 */
import { CID } from "multiformats/cid";
import * as raw from "multiformats/codecs/raw";
import { sha256 } from "multiformats/hashes/sha2";
import { InvalidCidError } from "./errors.js";

export { CID };

export const RAW_CODEC = raw.code; // 0x55
export const DAG_PB_CODEC = 0x70; // @ipld/dag-pb's code (not imported: reading a CID needs no codec)
export const SHA2_256 = sha256.code; // 0x12
export const CID_BYTES_LENGTH = 36;

/** UnixFS chunk size used by fedstr (Kubo's classic default, `--chunker=size-262144`). */
export const CHUNK_SIZE = 262_144;
/** Links per dag-pb node in the balanced layout (Kubo's classic default). */
export const MAX_CHILDREN_PER_NODE = 174;

/**
 * Parse and check a CID (string, CID, or anything with `toString()`).
 * Accepts only CIDv1 + sha2-256 + (raw | dag-pb).
 */
export function parseCid(cid: CID | string): CID {
  let parsed: CID;
  if (typeof cid === "string") {
    try {
      parsed = CID.parse(cid.trim());
    } catch (err) {
      throw new InvalidCidError(`not a CID: ${JSON.stringify(cid.slice(0, 80))} (${(err as Error).message})`);
    }
  } else {
    const asCid = CID.asCID(cid);
    if (asCid == null) throw new InvalidCidError("not a CID object");
    parsed = asCid;
  }
  assertFedstrCid(parsed);
  return parsed;
}

/** Throws InvalidCidError unless `cid` is CIDv1 / sha2-256 (32 bytes) / raw or dag-pb. */
export function assertFedstrCid(cid: CID): void {
  if (cid.version !== 1)
    throw new InvalidCidError(`CIDv${cid.version} is not accepted, fedstr uses CIDv1 (${cid.toString()})`);
  if (cid.code !== RAW_CODEC && cid.code !== DAG_PB_CODEC) {
    throw new InvalidCidError(
      `codec 0x${cid.code.toString(16)} is not accepted, fedstr uses raw (0x55) or dag-pb (0x70) (${cid.toString()})`,
    );
  }
  if (cid.multihash.code !== SHA2_256 || cid.multihash.digest.length !== 32) {
    throw new InvalidCidError(
      `multihash 0x${cid.multihash.code.toString(16)}/${cid.multihash.digest.length} bytes is not accepted, fedstr uses sha2-256 (${cid.toString()})`,
    );
  }
}

/** The 36-byte binary form the on-chain program stores: 0x01, codec, 0x12, 0x20, digest. */
export function cidToBytes(cid: CID | string): Uint8Array {
  const parsed = parseCid(cid);
  const bytes = parsed.bytes;
  if (bytes.length !== CID_BYTES_LENGTH)
    throw new InvalidCidError(`CID encodes to ${bytes.length} bytes, expected ${CID_BYTES_LENGTH}`);
  return Uint8Array.from(bytes);
}

/** Inverse of `cidToBytes`; rejects anything but exactly the 36-byte fedstr form. */
export function cidFromBytes(input: Uint8Array | readonly number[]): CID {
  // Anchor decodes a `[u8; 36]` account field as number[]
  if (!(input instanceof Uint8Array) && !Array.isArray(input))
    throw new InvalidCidError("CID bytes must be a Uint8Array or an array of bytes");
  const bytes = Uint8Array.from(input);
  if (bytes.length !== CID_BYTES_LENGTH) {
    throw new InvalidCidError(
      `CID bytes must be exactly ${CID_BYTES_LENGTH} long (0x01, codec, 0x12, 0x20, digest), got ${bytes.length}`,
    );
  }
  if (bytes[0] !== 0x01)
    throw new InvalidCidError(`CID bytes must start with version 0x01, got 0x${(bytes[0] ?? 0).toString(16)}`);
  if (bytes[1] !== RAW_CODEC && bytes[1] !== DAG_PB_CODEC)
    throw new InvalidCidError(
      `CID codec byte must be 0x55 (raw) or 0x70 (dag-pb), got 0x${(bytes[1] ?? 0).toString(16)}`,
    );
  if (bytes[2] !== 0x12 || bytes[3] !== 0x20)
    throw new InvalidCidError("CID multihash must be sha2-256 with a 32-byte digest (0x12 0x20)");
  let cid: CID;
  try {
    cid = CID.decode(Uint8Array.from(bytes));
  } catch (err) {
    throw new InvalidCidError(`cannot decode CID bytes: ${(err as Error).message}`);
  }
  assertFedstrCid(cid);
  return cid;
}
