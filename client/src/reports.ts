/**
 * Round reports: `post_round` anchors each round's report on chain (RoundResult.reportCid and
 * reportSha256), so a report is found chain → IPFS only; relays are not asked. The report must
 * also agree with the rest of the posted RoundResult (pool, round, program, model hash, reward root).
 */
import { withRetry, type RetryOptions, type Session } from "@fedstr/sdk/cli";
import { decodeRoundReport, reportMismatch, reportRefOf, type ContentRef, type RoundReport } from "@fedstr/sdk/job";
import { sha256Hex } from "@fedstr/sdk/storage";
import type { RoundResultAccount } from "@fedstr/sdk/program";
import type { LoadedPool } from "./pool.js";

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
    if (sha256Hex(bytes) !== ref.sha256) return { error: `report ${ref.cid}: sha256 ${sha256Hex(bytes)} differs from the one on chain (${ref.sha256})` };
    const report = decodeRoundReport(bytes);
    const why = reportMismatch(report, { programId: session.program.programId.toBase58(), pool: pool.summary.address, round, result });
    if (why !== undefined) return { error: `report ${ref.cid} ${why}` };
    return { report, ref };
  } catch (e) {
    return { error: `report ${ref.cid}: ${(e as Error).message}` };
  }
}
