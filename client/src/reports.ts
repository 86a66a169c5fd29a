/**
 * Round reports: the aggregator's kind-7000 feedback for a job carries `["report", cid, sha256]`
 * for each posted round. These helpers read that feedback (from the job's aggregator only), fetch
 * the reports by CID, and keep the one that agrees with the chain.
 */
import type { Session } from "@fedstr/sdk/cli";
import { EventReader, jobFeedbackFilter, KIND_JOB_FEEDBACK, queryEvents } from "@fedstr/sdk/nostr";
import { decodeRoundReport, type ContentRef, type RoundReport } from "@fedstr/sdk/job";
import { sha256Hex } from "@fedstr/sdk/storage";
import type { RoundResultAccount } from "@fedstr/sdk/program";
import type { LoadedJob, LoadedPool } from "./pool.js";
import { withRetry, type RetryOptions } from "@fedstr/sdk/cli";

const hex = (b: Uint8Array | number[]) => Buffer.from(b).toString("hex");

/** Report references per round from the job aggregator's feedback (verified events only). */
export async function fetchReportRefs(session: Session, job: LoadedJob): Promise<Map<number, ContentRef[]>> {
  const relays = await session.relays();
  const jobId = job.event.id;
  const events = await queryEvents(relays, [jobFeedbackFilter(jobId, { from: [job.job.aggregator] })]);
  // History matters here, so no age limit (the reader's default drops events older than a day).
  const reader = new EventReader({ kinds: [KIND_JOB_FEEDBACK], maxAgeSec: 10 * 365 * 86400 });
  reader.followJob(jobId, [job.job.aggregator]);
  const refs = new Map<number, ContentRef[]>();
  for (const e of events) {
    const a = reader.accept(e);
    if (a?.type !== "feedback" || a.feedback.report === undefined || a.feedback.round === undefined) continue;
    const list = refs.get(a.feedback.round) ?? [];
    if (!list.some((r) => r.cid === a.feedback.report!.cid)) list.push(a.feedback.report);
    refs.set(a.feedback.round, list);
  }
  return refs;
}

export interface FoundReport {
  report: RoundReport;
  ref: ContentRef;
}

/**
 * The report of `round` among `refs` that is for this pool and round and agrees with the posted
 * RoundResult (model hash and reward root); or why none does.
 */
export async function findRoundReport(
  session: Session,
  pool: LoadedPool,
  round: number,
  result: RoundResultAccount,
  refs: ContentRef[] | undefined,
  retry: RetryOptions = {},
): Promise<FoundReport | { error: string }> {
  if (refs === undefined || refs.length === 0) return { error: `no round report for round ${round} in the aggregator's feedback` };
  const store = await session.store();
  const problems: string[] = [];
  for (const ref of refs) {
    try {
      const bytes = await withRetry(`fetching report ${ref.cid}`, () => store.get(ref.cid), retry);
      if (sha256Hex(bytes) !== ref.sha256) { problems.push(`report ${ref.cid}: sha256 differs from the feedback's`); continue; }
      const report = decodeRoundReport(bytes);
      const why =
        report.pool !== pool.summary.address || report.round !== round ? `is for pool ${report.pool} round ${report.round}` :
        report.programId !== session.program.programId.toBase58() ? `is for program ${report.programId}` :
        report.model.sha256 !== hex(result.globalModelHash) ? `names model ${report.model.sha256}, the chain ${hex(result.globalModelHash)}` :
        report.rewards.root !== hex(result.merkleRoot) ? `has reward root ${report.rewards.root}, the chain ${hex(result.merkleRoot)}` :
        undefined;
      if (why !== undefined) { problems.push(`report ${ref.cid} ${why}`); continue; }
      return { report, ref };
    } catch (e) {
      problems.push(`report ${ref.cid}: ${(e as Error).message}`);
    }
  }
  return { error: problems.join("; ") };
}
