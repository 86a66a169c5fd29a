// CIDs on chain are 36-byte binary CIDv1 with a sha2-256 multihash: 0x01, codec
// (0x55 raw or 0x70 dag-pb), 0x12, 0x20, 32-byte digest. The storage layer owns
// that form; program callers get the same functions from here.
export { cidFromBytes, cidToBytes, DAG_PB_CODEC, RAW_CODEC } from "../storage/cid.js";
