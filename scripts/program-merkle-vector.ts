import { createHash } from "node:crypto";
import { writeFileSync } from "node:fs";
import { PublicKey } from "@solana/web3.js";
import { buildRewardTree } from "../sdk/src/program/merkle.js";

// Regenerates tests/program/vectors/reward-merkle.json (committed). The Rust host test
// (programs/fedstr/src/merkle.rs) and tests/program/merkle.test.ts both check it.
// Run: npx tsx scripts/program-merkle-vector.ts
const h = (s: string) => createHash("sha256").update(s).digest();
const pool = new PublicKey(h("vector pool"));
const round = 3;
const leaves = [0, 1, 2, 3, 4].map((i) => ({
  participant: new PublicKey(h(`vector participant ${i}`)),
  updateHash: h(`vector update ${i}`),
  weight: BigInt(1000 + i * 17),
  reward: BigInt(250_000 + i * 1_001),
}));
const t = buildRewardTree(pool, round, leaves);
const v = {
  description:
    "Reward Merkle tree test vector shared by the TS builder (sdk/src/program/merkle.ts) and the on-chain verifier (programs/fedstr/src/merkle.rs). leaf = sha256(0x00 || pool || round u32 LE || participant || update_hash || weight u64 LE || reward u64 LE); node = sha256(0x01 || min || max); odd node carried up.",
  pool: pool.toBuffer().toString("hex"),
  round,
  root: t.root.toString("hex"),
  leaves: leaves.map((l, i) => ({
    participant: l.participant.toBuffer().toString("hex"),
    update_hash: Buffer.from(l.updateHash).toString("hex"),
    weight: l.weight.toString(),
    reward: l.reward.toString(),
    leaf: t.leafHashes[i]!.toString("hex"),
    proof: t.proofs[i]!.map((x) => x.toString("hex")),
  })),
};
writeFileSync("tests/program/vectors/reward-merkle.json", `${JSON.stringify(v, null, 2)}\n`);
console.log(v.root);
