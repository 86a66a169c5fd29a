/**
 * The round report as the aggregator builds it: verdicts → reward shares, reward tree and report.
 * Its counterpart, verifyRoundReport (verify-round.ts), checks one against the chain.
 */
import { PublicKey } from "@solana/web3.js";
import { buildRewardTree, type RewardLeaf, type RewardTree, rewardTreeToJson } from "../program/merkle.js";
import {
  type ContentRef,
  type ReportSlash,
  type ReportUpdate,
  ROUND_REPORT_FORMAT,
  ROUND_REPORT_VERSION,
  type RoundReport,
  roundReward,
  splitReward,
} from "./report.js";

/** One candidate of the round with its verdict. */
export interface RoundVerdict {
  participant: string;
  nostrPubkey?: string;
  cid: string;
  sha256: string;
  /** The committed sample count (what the reward is split by). */
  samples: number;
  metrics?: Record<string, number>;
  accepted: boolean;
  reason?: string;
  detail?: string;
}

export interface BuildRoundReportParams {
  programId: string;
  pool: PublicKey;
  round: number;
  numRounds: number;
  /** The job's total reward (base units), spread evenly over the rounds. */
  jobReward: bigint;
  /** What the escrow still has unallocated: the round's reward is capped by it. */
  available: bigint;
  strategy: string;
  previousModel: ContentRef;
  previousState?: ContentRef;
  model: ContentRef;
  state?: ContentRef;
  /** In aggregation order (wallet order). */
  verdicts: RoundVerdict[];
  metrics: Record<string, number>;
  slashes: ReportSlash[];
}

/** The report of a round and its reward tree (the root and total go on chain with post_round). */
export function buildRoundReport(p: BuildRoundReportParams): { report: RoundReport; tree: RewardTree } {
  const acceptedIdx = p.verdicts.flatMap((v, i) => (v.accepted ? [i] : []));
  let total = acceptedIdx.length > 0 ? roundReward(p.jobReward, p.numRounds, p.round) : 0n;
  if (total > p.available) total = p.available > 0n ? p.available : 0n;
  const shares = splitReward(
    total,
    acceptedIdx.map((i) => BigInt(p.verdicts[i]!.samples)),
  );
  const rewardOf = new Map(acceptedIdx.map((i, k) => [i, shares[k]!]));
  const leaves: RewardLeaf[] = acceptedIdx.map((i) => ({
    participant: new PublicKey(p.verdicts[i]!.participant),
    updateHash: Buffer.from(p.verdicts[i]!.sha256, "hex"),
    weight: BigInt(p.verdicts[i]!.samples),
    reward: rewardOf.get(i)!,
  }));
  const tree = buildRewardTree(p.pool, p.round, leaves);
  const updates: ReportUpdate[] = p.verdicts.map((c, i) => ({
    participant: c.participant,
    ...(c.nostrPubkey !== undefined ? { nostrPubkey: c.nostrPubkey } : {}),
    cid: c.cid,
    sha256: c.sha256,
    samples: c.samples,
    accepted: c.accepted,
    ...(c.reason !== undefined ? { reason: c.reason } : {}),
    ...(c.detail !== undefined ? { detail: c.detail } : {}),
    reward: (rewardOf.get(i) ?? 0n).toString(),
    ...(c.metrics !== undefined ? { metrics: c.metrics } : {}),
  }));
  const report: RoundReport = {
    format: ROUND_REPORT_FORMAT,
    version: ROUND_REPORT_VERSION,
    programId: p.programId,
    pool: p.pool.toBase58(),
    round: p.round,
    strategy: p.strategy,
    previousModel: p.previousModel,
    ...(p.previousState !== undefined ? { previousState: p.previousState } : {}),
    model: p.model,
    ...(p.state !== undefined ? { state: p.state } : {}),
    updates,
    metrics: p.metrics,
    reward: tree.totalReward.toString(),
    rewards: rewardTreeToJson(p.pool, p.round, tree),
    slashes: p.slashes,
  };
  return { report, tree };
}
