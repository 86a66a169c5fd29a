// Reward Merkle tree, identical to the on-chain verification (programs/fedstr/src/merkle.rs):
//   leaf = sha256(0x00 || pool || round u32 LE || participant || update_hash || weight u64 LE || reward u64 LE)
//   node = sha256(0x01 || min(a, b) || max(a, b))   (sorted pairs: a proof is just the sibling list)
// An odd node at the end of a level is carried up unchanged.
import { sha256 as sha256Noble } from "@noble/hashes/sha256";
import { PublicKey } from "@solana/web3.js";

export interface RewardLeaf {
  participant: PublicKey;
  /** sha256 of the participant's update (32 bytes). */
  updateHash: Uint8Array;
  /** Aggregation weight (e.g. number of samples). */
  weight: bigint;
  /** Reward amount in token base units. */
  reward: bigint;
}

export interface RewardTree {
  root: Buffer;
  leaves: RewardLeaf[];
  leafHashes: Buffer[];
  /** proofs[i] is the proof of leaves[i]. */
  proofs: Buffer[][];
  /** Sum of the leaves' rewards: what `post_round` must allocate at least. */
  totalReward: bigint;
}

// @noble/hashes rather than node:crypto so the web app claims with this same code in the browser.
const sha256 = (...parts: Uint8Array[]) => {
  const h = sha256Noble.create();
  for (const p of parts) h.update(p);
  return Buffer.from(h.digest());
};

export function rewardLeafHash(pool: PublicKey, round: number, leaf: RewardLeaf): Buffer {
  if (leaf.updateHash.length !== 32) throw new Error("updateHash must be 32 bytes");
  const r = Buffer.alloc(4);
  r.writeUInt32LE(round);
  const w = Buffer.alloc(8);
  w.writeBigUInt64LE(leaf.weight);
  const a = Buffer.alloc(8);
  a.writeBigUInt64LE(leaf.reward);
  return sha256(Buffer.from([0x00]), pool.toBuffer(), r, leaf.participant.toBuffer(), leaf.updateHash, w, a);
}

export function hashPair(a: Uint8Array, b: Uint8Array): Buffer {
  return Buffer.compare(Buffer.from(a), Buffer.from(b)) <= 0
    ? sha256(Buffer.from([0x01]), a, b)
    : sha256(Buffer.from([0x01]), b, a);
}

/** Builds the tree and every leaf's proof. An empty tree has an all-zero root. */
export function buildRewardTree(pool: PublicKey, round: number, leaves: RewardLeaf[]): RewardTree {
  const leafHashes = leaves.map((l) => rewardLeafHash(pool, round, l));
  const proofs: Buffer[][] = leaves.map(() => []);
  let level = leafHashes.map((h, i) => ({ hash: h, members: [i] }));
  while (level.length > 1) {
    const next: typeof level = [];
    for (let i = 0; i < level.length; i += 2) {
      const a = level[i]!;
      const b = level[i + 1];
      if (!b) {
        next.push(a);
        continue;
      }
      for (const m of a.members) proofs[m]!.push(b.hash);
      for (const m of b.members) proofs[m]!.push(a.hash);
      next.push({ hash: hashPair(a.hash, b.hash), members: [...a.members, ...b.members] });
    }
    level = next;
  }
  const root = level[0]?.hash ?? Buffer.alloc(32);
  const totalReward = leaves.reduce((s, l) => s + l.reward, 0n);
  return { root, leaves, leafHashes, proofs, totalReward };
}

export function verifyRewardProof(leafHash: Uint8Array, proof: Uint8Array[], root: Uint8Array): boolean {
  let node: Buffer = Buffer.from(leafHash);
  for (const s of proof) node = hashPair(node, s);
  return node.equals(Buffer.from(root));
}

/** Portable form of a round's reward tree, for the aggregator to publish (IPFS/Nostr) and clients to claim from. */
export interface RewardTreeJson {
  pool: string;
  round: number;
  root: string;
  totalReward: string;
  leaves: { participant: string; updateHash: string; weight: string; reward: string; proof: string[] }[];
}

export function rewardTreeToJson(pool: PublicKey, round: number, tree: RewardTree): RewardTreeJson {
  return {
    pool: pool.toBase58(),
    round,
    root: tree.root.toString("hex"),
    totalReward: tree.totalReward.toString(),
    leaves: tree.leaves.map((l, i) => ({
      participant: l.participant.toBase58(),
      updateHash: Buffer.from(l.updateHash).toString("hex"),
      weight: l.weight.toString(),
      reward: l.reward.toString(),
      proof: tree.proofs[i]!.map((p) => p.toString("hex")),
    })),
  };
}

/**
 * The claim arguments for `participant` from a published tree, after checking the
 * proof against the published root (and against `expectedRoot`, e.g. the on-chain
 * RoundResult.merkleRoot, when given). Returns null when the participant has no leaf.
 */
export function rewardClaimFromJson(
  json: RewardTreeJson,
  participant: PublicKey,
  expectedRoot?: Uint8Array,
): { round: number; weight: bigint; amount: bigint; updateHash: Buffer; proof: Buffer[] } | null {
  const leaf = json.leaves.find((l) => l.participant === participant.toBase58());
  if (!leaf) return null;
  const root = Buffer.from(json.root, "hex");
  if (expectedRoot && !root.equals(Buffer.from(expectedRoot)))
    throw new Error("published root does not match the on-chain root");
  const claim = {
    round: json.round,
    weight: BigInt(leaf.weight),
    amount: BigInt(leaf.reward),
    updateHash: Buffer.from(leaf.updateHash, "hex"),
    proof: leaf.proof.map((p) => Buffer.from(p, "hex")),
  };
  const hash = rewardLeafHash(new PublicKey(json.pool), json.round, {
    participant,
    updateHash: claim.updateHash,
    weight: claim.weight,
    reward: claim.amount,
  });
  if (!verifyRewardProof(hash, claim.proof, root)) throw new Error("proof does not verify against the published root");
  return claim;
}
