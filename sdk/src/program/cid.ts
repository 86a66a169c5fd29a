// CIDs on chain: 36-byte binary CIDv1 with a sha2-256 multihash:
// 0x01, codec (0x55 raw or 0x70 dag-pb), 0x12, 0x20, 32-byte digest.
import { CID } from "multiformats/cid";
import { CID_LEN } from "./constants.js";

export const RAW_CODEC = 0x55;
export const DAG_PB_CODEC = 0x70;

/** True when `bytes` is a CID the program accepts. */
export function isOnChainCid(bytes: Uint8Array): boolean {
  return (
    bytes.length === CID_LEN &&
    bytes[0] === 0x01 &&
    (bytes[1] === RAW_CODEC || bytes[1] === DAG_PB_CODEC) &&
    bytes[2] === 0x12 &&
    bytes[3] === 0x20
  );
}

/** A CID (string, CID object or bytes) as the 36 bytes stored on chain; throws if unsupported. */
export function cidToBytes(cid: string | CID | Uint8Array): Uint8Array {
  const bytes = cid instanceof Uint8Array ? cid : (typeof cid === "string" ? CID.parse(cid) : cid).bytes;
  if (!isOnChainCid(bytes)) throw new Error("CID must be CIDv1 (raw or dag-pb) with a sha2-256 digest");
  return new Uint8Array(bytes);
}

/** The 36 on-chain bytes as a CID (string form via `.toString()`). */
export function bytesToCid(bytes: Uint8Array | number[]): CID {
  return CID.decode(Uint8Array.from(bytes));
}
