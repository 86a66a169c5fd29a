// The reward Merkle tree: TS builder vs the shared vector (also checked by the
// Rust unit test in programs/fedstr/src/merkle.rs), plus proof properties.

import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { buildRewardTree, cidFromBytes, cidToBytes, rewardLeafHash, verifyRewardProof } from "@fedstr/sdk/program";
import { PublicKey } from "@solana/web3.js";
import { expect } from "chai";
import { cidOf } from "./fixtures.js";

const vector = JSON.parse(
  readFileSync(fileURLToPath(new URL("./vectors/reward-merkle.json", import.meta.url)), "utf8"),
) as {
  pool: string;
  round: number;
  root: string;
  leaves: { participant: string; update_hash: string; weight: string; reward: string; leaf: string; proof: string[] }[];
};

describe("fedstr program: reward Merkle tree and CIDs", () => {
  const pool = new PublicKey(Buffer.from(vector.pool, "hex"));
  const leaves = vector.leaves.map((l) => ({
    participant: new PublicKey(Buffer.from(l.participant, "hex")),
    updateHash: Buffer.from(l.update_hash, "hex"),
    weight: BigInt(l.weight),
    reward: BigInt(l.reward),
  }));

  it("reproduces the shared test vector (leaves, proofs, root)", () => {
    const tree = buildRewardTree(pool, vector.round, leaves);
    expect(tree.root.toString("hex")).to.equal(vector.root);
    vector.leaves.forEach((l, i) => {
      expect(tree.leafHashes[i]!.toString("hex")).to.equal(l.leaf);
      expect(tree.proofs[i]!.map((x) => x.toString("hex"))).to.deep.equal(l.proof);
    });
  });

  it("proofs verify for every leaf and fail for tampered leaves", () => {
    for (let n = 1; n <= 9; n++) {
      const ls = Array.from({ length: n }, (_, i) => ({ ...leaves[i % leaves.length]!, weight: BigInt(i) }));
      const tree = buildRewardTree(pool, 1, ls);
      ls.forEach((l, i) => {
        expect(verifyRewardProof(tree.leafHashes[i]!, tree.proofs[i]!, tree.root)).to.equal(true);
        const forged = rewardLeafHash(pool, 1, { ...l, reward: l.reward + 1n });
        expect(verifyRewardProof(forged, tree.proofs[i]!, tree.root)).to.equal(false);
        expect(verifyRewardProof(rewardLeafHash(pool, 2, l), tree.proofs[i]!, tree.root)).to.equal(n === 0);
      });
    }
    expect(buildRewardTree(pool, 1, []).root.equals(Buffer.alloc(32))).to.equal(true);
  });

  it("converts CIDs to the 36 on-chain bytes and back", () => {
    const raw = cidOf("hello");
    const s = cidFromBytes(raw).toString();
    expect(s.startsWith("bafkrei")).to.equal(true);
    expect(Buffer.from(cidToBytes(s)).equals(Buffer.from(raw))).to.equal(true);
    expect(cidFromBytes(cidOf("x", 0x70)).code).to.equal(0x70);
    expect(() => cidToBytes("QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG")).to.throw(); // CIDv0
  });
});

describe("fedstr program: interface", () => {
  it("uses Anchor discriminators and the generated files are up to date", async () => {
    const { createHash } = await import("node:crypto");
    const { execFileSync } = await import("node:child_process");
    const { IDL } = await import("@fedstr/sdk/program");
    const d = (s: string) => [...createHash("sha256").update(s).digest().subarray(0, 8)];
    const snake = (s: string) => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
    for (const ix of IDL.instructions) expect(ix.discriminator).to.deep.equal(d(`global:${snake(ix.name)}`));
    for (const a of IDL.accounts)
      expect(a.discriminator).to.deep.equal(d(`account:${a.name[0]!.toUpperCase()}${a.name.slice(1)}`));
    for (const e of IDL.events)
      expect(e.discriminator).to.deep.equal(d(`event:${e.name[0]!.toUpperCase()}${e.name.slice(1)}`));
    const root = fileURLToPath(new URL("../..", import.meta.url));
    execFileSync(process.execPath, ["--import", "tsx", "scripts/program-codegen.ts", "--check"], {
      cwd: root,
      stdio: "pipe",
    });
  });
});

describe("fedstr program: Rust side of the shared vector", function () {
  this.timeout(600_000);
  it("cargo test -p fedstr (host) verifies the same vector with the program's own code", async function () {
    const { execFileSync } = await import("node:child_process");
    const { homedir } = await import("node:os");
    const root = fileURLToPath(new URL("../..", import.meta.url));
    const cache = process.env.FEDSTR_CACHE_DIR ?? `${homedir()}/.cache/fedstr`;
    const out = execFileSync("cargo", ["test", "-p", "fedstr", "-j2", "--", "reward_merkle_vector"], {
      cwd: root,
      env: { ...process.env, CARGO_TARGET_DIR: `${cache}/host-target` },
      stdio: "pipe",
    }).toString();
    expect(out).to.match(/test merkle::tests::reward_merkle_vector \.\.\. ok/);
  });
});
