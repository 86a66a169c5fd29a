/**
 * verifyRoundReport — anyone's check of a round report against the chain, the committed updates and
 * the plan's strategy (what `fedstr verify` runs); buildRoundReport (round-report.ts) is the side
 * that makes it. In a sealed job the committed updates are ciphertext: the verifier opens them with
 * the disclosed round key (`open`). Node only: the recomputation loads the aggregation kernel.
 */
import { PublicKey } from "@solana/web3.js";
import { decode, toHex } from "../fl/codec.js";
import type { AggregationConfig } from "../fl/plan.js";
import { recompute } from "../fl/round.js";
import { buildRewardTree } from "../program/merkle.js";
import { type ContentRef, type RoundReport, splitReward } from "./report.js";

/** Why a round does not verify (any other error is a failure to check, not a verdict). */
export class RoundMismatch extends Error {
  override name = "RoundMismatch";
}

export interface VerifyRoundReportParams {
  report: RoundReport;
  pool: PublicKey;
  round: number;
  aggregation: AggregationConfig;
  /** The round result on chain. */
  onChain: { model: ContentRef; reward: bigint; acceptedCount: number; merkleRoot: string };
  /** The model round r trained from, as the chain says (round 1: the plan's initial weights). */
  previous: ContentRef;
  /** Round r-1's report's server state (undefined for round 1 or when that report is not available). */
  previousRoundState?: ContentRef | null;
  /** The participant's on-chain commitment of this round, or null. */
  commitment: (participant: string) => Promise<{ cid: string; sha256: string; samples: bigint } | null>;
  /** Bytes by CID, checked against the sha256 (throw RoundMismatch when they are not there or differ). */
  fetch: (ref: ContentRef, what: string) => Promise<Uint8Array>;
  /** Sealed job: the plaintext of a committed (sealed) update; throw RoundMismatch when it does not open. */
  open?: (sealed: Uint8Array, participant: string) => Promise<Uint8Array>;
}

export interface RoundReportVerification {
  ok: boolean;
  recomputedHash: string | null;
  accepted: number;
  detail: string;
}

/**
 * Check a round report against the chain and recompute the round: the report names the posted model
 * and reward; its previous model (and state) are what the round trained from; every accepted update
 * matches its commitment (hash, CID, samples) and its bytes; the plan's strategy over them gives the
 * posted model hash; the reward shares are the round's reward split by committed samples and the
 * reward tree rebuilds to the posted root.
 */
export async function verifyRoundReport(p: VerifyRoundReportParams): Promise<RoundReportVerification> {
  const { report, onChain } = p;
  const acceptedUpdates = report.updates.filter((u) => u.accepted);
  const accepted = acceptedUpdates.length;
  let recomputedHash: string | null = null;
  try {
    if (report.model.cid !== onChain.model.cid)
      throw new RoundMismatch(`the report names model ${report.model.cid}, the chain ${onChain.model.cid}`);
    if (accepted !== onChain.acceptedCount)
      throw new RoundMismatch(`the report accepts ${accepted} updates, the chain says ${onChain.acceptedCount}`);
    if (report.reward !== onChain.reward.toString())
      throw new RoundMismatch(
        `the report's round reward is ${report.reward}, the chain's ${onChain.reward.toString()}`,
      );
    if (report.previousModel.cid !== p.previous.cid || report.previousModel.sha256 !== p.previous.sha256)
      throw new RoundMismatch(
        `the report's previous model ${report.previousModel.cid} is not the model round ${p.round} trained from (${p.previous.cid})`,
      );
    if (p.round > 1 && report.previousState !== undefined && p.previousRoundState !== undefined) {
      const s = p.previousRoundState;
      if (s?.cid !== report.previousState.cid || s?.sha256 !== report.previousState.sha256)
        throw new RoundMismatch(
          `the report's previous server state ${report.previousState.cid} is not round ${p.round - 1}'s state`,
        );
    }
    const global = decode(await p.fetch(p.previous, "the previous model"), { copy: true });
    const state =
      report.previousState !== undefined
        ? decode(await p.fetch(report.previousState, "the previous server state"), { copy: true })
        : undefined;

    // Every accepted update: committed on chain with this hash and CID, and these bytes on IPFS.
    const updates: { bytes: Uint8Array; numSamples: number }[] = [];
    const committedSamples: bigint[] = [];
    for (const u of acceptedUpdates) {
      const c = await p.commitment(u.participant);
      if (c === null) throw new RoundMismatch(`accepted update of ${u.participant} has no commitment on chain`);
      if (c.sha256 !== u.sha256 || c.cid !== u.cid)
        throw new RoundMismatch(`accepted update of ${u.participant} (${u.cid}) differs from its on-chain commitment`);
      if (c.samples.toString() !== String(u.samples))
        throw new RoundMismatch(
          `accepted update of ${u.participant} is weighted by ${u.samples} samples, its commitment says ${c.samples.toString()}`,
        );
      committedSamples.push(c.samples);
      const bytes = await p.fetch({ cid: u.cid, sha256: u.sha256 }, `the update of ${u.participant}`);
      updates.push({ bytes: p.open !== undefined ? await p.open(bytes, u.participant) : bytes, numSamples: u.samples });
    }

    // Rewards: the tree rebuilt from its leaves gives the posted root; every leaf is an accepted update.
    const leaves = report.rewards.leaves.map((l) => ({
      participant: new PublicKey(l.participant),
      updateHash: Buffer.from(l.updateHash, "hex"),
      weight: BigInt(l.weight),
      reward: BigInt(l.reward),
    }));
    const root = buildRewardTree(p.pool, p.round, leaves).root.toString("hex");
    if (root !== onChain.merkleRoot)
      throw new RoundMismatch(`the reward tree rebuilds to root ${root}, the chain has ${onChain.merkleRoot}`);
    for (const l of report.rewards.leaves) {
      if (!acceptedUpdates.some((u) => u.participant === l.participant && u.sha256 === l.updateHash))
        throw new RoundMismatch(`reward leaf of ${l.participant} is not an accepted update`);
    }
    const total = leaves.reduce((s, l) => s + l.reward, 0n);
    if (total > onChain.reward)
      throw new RoundMismatch(`the reward leaves sum to ${total}, above the round reward ${onChain.reward.toString()}`);
    // Every share: the round's on-chain reward split by the committed sample counts (in report order).
    const shares = splitReward(onChain.reward, committedSamples);
    for (const [k, u] of acceptedUpdates.entries()) {
      const leaf = report.rewards.leaves.find((l) => l.participant === u.participant && l.updateHash === u.sha256);
      if (leaf === undefined) throw new RoundMismatch(`accepted update of ${u.participant} has no reward leaf`);
      if (BigInt(leaf.weight) !== committedSamples[k])
        throw new RoundMismatch(
          `reward leaf of ${u.participant} has weight ${leaf.weight}, its commitment ${committedSamples[k]} samples`,
        );
      if (BigInt(leaf.reward) !== shares[k] || u.reward !== shares[k]!.toString())
        throw new RoundMismatch(
          `reward share of ${u.participant} is ${leaf.reward} (report entry ${u.reward}), the round reward ${onChain.reward.toString()} split by sample counts gives ${shares[k]}`,
        );
    }
    for (const u of report.updates) {
      if (!u.accepted && u.reward !== "0")
        throw new RoundMismatch(`rejected update of ${u.participant} has reward ${u.reward}`);
    }

    if (updates.length === 0) {
      recomputedHash = p.previous.sha256;
      if (onChain.model.sha256 !== p.previous.sha256)
        throw new RoundMismatch("no update was accepted, yet the posted model differs from the previous one");
    } else {
      recomputedHash = toHex(
        recompute({ aggregation: p.aggregation, global, ...(state !== undefined ? { state } : {}), updates }),
      );
      if (recomputedHash !== onChain.model.sha256)
        throw new RoundMismatch(
          `aggregating the ${updates.length} accepted updates with ${p.aggregation.strategy} gives ${recomputedHash}, the chain has ${onChain.model.sha256}`,
        );
    }
    return {
      ok: true,
      recomputedHash,
      accepted,
      detail: `${accepted} accepted update(s) aggregate to the posted model; reward root matches`,
    };
  } catch (e) {
    if (!(e instanceof RoundMismatch)) throw e;
    return { ok: false, recomputedHash, accepted, detail: e.message };
  }
}
