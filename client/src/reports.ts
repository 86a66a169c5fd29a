/**
 * Round reports: `post_round` anchors each round's report on chain (RoundResult.reportCid and
 * reportSha256), so a report is found chain → IPFS only; relays are not asked. The report must
 * also agree with the rest of the posted RoundResult (pool, round, program, model hash, reward root).
 */
import { type RetryOptions, type Session, withRetry } from "@fedstr/sdk/cli";
import { type ContentRef, decodeRoundReport, type RoundReport, reportMismatch, reportRefOf } from "@fedstr/sdk/job";
import type { RoundResultAccount } from "@fedstr/sdk/program";
import { sha256Hex } from "@fedstr/sdk/storage";
import type { LoadedPool } from "./pool.js";
import { checkpointPath, loadCheckpoint } from "./state.js";

export interface FoundReport {
  report: RoundReport;
  ref: ContentRef;
}

/**
 * The report of `round` named by its posted RoundResult, fetched from IPFS and checked: the
 * sha256 the chain records, this pool, round and program, the posted model hash and reward root;
 * or why it does not check out.
 */
export async function findRoundReport(
  session: Session,
  pool: LoadedPool,
  round: number,
  result: RoundResultAccount,
  retry: RetryOptions = {},
): Promise<FoundReport | { error: string }> {
  const ref = reportRefOf(result);
  try {
    const store = await session.store();
    const bytes = await withRetry(`fetching report ${ref.cid}`, () => store.get(ref.cid), retry);
    if (sha256Hex(bytes) !== ref.sha256)
      return { error: `report ${ref.cid}: sha256 ${sha256Hex(bytes)} differs from the one on chain (${ref.sha256})` };
    const report = decodeRoundReport(bytes);
    const why = reportMismatch(report, {
      programId: session.program.programId.toBase58(),
      pool: pool.summary.address,
      round,
      result,
    });
    if (why !== undefined) return { error: `report ${ref.cid} ${why}` };
    return { report, ref };
  } catch (e) {
    return { error: `report ${ref.cid}: ${(e as Error).message}` };
  }
}

/** What became of one round for one participant, as `train`, `status` and `claim` report it. */
export interface RoundOutcome {
  round: number;
  /**
   * accepted / rejected: the posted round report's verdict on my update; committed: committed, no
   * verdict known (the round not posted yet, or its report unreadable); missed: no update of mine in
   * the round; pending: the round is still to come.
   */
  outcome: "accepted" | "rejected" | "committed" | "missed" | "pending";
  /** Why it was rejected or missed (the report's reason, or the trainer's own record). */
  reason?: string;
  /** My reward in the round report (base units), when posted. */
  reward?: string;
}

/**
 * The outcome of `round` for wallet `me`: the posted report first (its verdict is final), then my
 * commitment, then the reason my trainer recorded for missing the round (`localReason`).
 */
export function roundOutcome(
  round: number,
  me: string,
  facts: {
    posted: boolean;
    report?: RoundReport | undefined;
    reportError?: string | undefined;
    committed: boolean;
    deadlinePassed: boolean;
    localReason?: string | undefined;
  },
): RoundOutcome {
  const mine = facts.report?.updates.find((u) => u.participant === me);
  const reward = facts.report?.rewards.leaves.find((l) => l.participant === me)?.reward;
  if (mine !== undefined) {
    if (mine.accepted) return { round, outcome: "accepted", reward: reward ?? "0" };
    return {
      round,
      outcome: "rejected",
      reason: `${mine.reason ?? "REJECTED"}${mine.detail ? `: ${mine.detail}` : ""}`,
      reward: "0",
    };
  }
  if (facts.posted) {
    const why =
      facts.reportError !== undefined
        ? `the round report could not be read (${facts.reportError})`
        : facts.committed
          ? "committed, but the round report does not list the update"
          : (facts.localReason ?? "no commitment for this round");
    return {
      round,
      outcome: facts.committed ? "committed" : "missed",
      reason: why,
      ...(facts.report !== undefined ? { reward: "0" } : {}),
    };
  }
  if (facts.committed) return { round, outcome: "committed" };
  if (facts.deadlinePassed)
    return { round, outcome: "missed", reason: facts.localReason ?? "no commitment by the round's deadline" };
  return { round, outcome: "pending" };
}

/** One line for people: "round 2: missed — round 2 closed … while uploading the update (…)". */
export function describeOutcome(o: RoundOutcome): string {
  return `round ${o.round}: ${o.outcome}${o.reason !== undefined ? ` — ${o.reason}` : ""}`;
}

/** The reasons this wallet's `fedstr train` recorded for rounds it missed (its checkpoint, when on this machine). */
export function localReasons(dataDir: string, pool: string, wallet: string, jobId: string): Map<number, string> {
  try {
    const cp = loadCheckpoint(checkpointPath(dataDir, pool, wallet), { pool, wallet, jobId });
    return new Map(
      Object.values(cp.rounds).flatMap((e) =>
        e.skipped !== undefined && e.committed !== true ? [[e.round, e.skipped] as const] : [],
      ),
    );
  } catch {
    return new Map(); // a damaged checkpoint is train's to report; the chain's view still stands
  }
}
