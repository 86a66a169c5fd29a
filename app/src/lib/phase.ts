// Where a pool is in its life, judged on the chain clock with the program's schedule (@fedstr/sdk/job).

import { scheduleOf } from "@fedstr/sdk/job";
import { type PoolAccount, PoolStatus } from "@fedstr/sdk/program";

export type Phase = "open" | "training" | "awaiting-post" | "claiming" | "claim-closed" | "finalized" | "cancelled";
export type PhaseFilter = "all" | "open" | "training" | "finished";

export interface PhaseInfo {
  phase: Phase;
  filter: Exclude<PhaseFilter, "all">;
  label: string;
  /** The next deadline that matters (chain unix seconds) and what it is. */
  deadline?: { at: number; what: string };
  /** The round whose commit window is open now (0 when none). */
  openRound: number;
}

const n = (v: { toString(): string }) => Number(v.toString());

export function phaseOf(p: PoolAccount, now: number): PhaseInfo {
  const s = scheduleOf(p);
  const endedAt = n(p.endedAt);
  const claimEnd = endedAt + s.claimWindow;
  if (p.status === PoolStatus.Finalized)
    return { phase: "finalized", filter: "finished", label: "Finalized", openRound: 0 };
  if (p.status === PoolStatus.Cancelled)
    return { phase: "cancelled", filter: "finished", label: "Cancelled", openRound: 0 };
  if (p.status === PoolStatus.Finished || p.status === PoolStatus.Expired) {
    const what = p.status === PoolStatus.Expired ? "Expired" : "Finished";
    return now <= claimEnd
      ? {
          phase: "claiming",
          filter: "finished",
          label: `${what} — claims open`,
          deadline: { at: claimEnd, what: "claim window closes" },
          openRound: 0,
        }
      : { phase: "claim-closed", filter: "finished", label: `${what} — claim window closed`, openRound: 0 };
  }
  if (now < s.joinDeadline)
    return {
      phase: "open",
      filter: "open",
      label: "Open for joining",
      deadline: { at: s.joinDeadline, what: "joins close, round 1 starts" },
      openRound: 0,
    };
  const next = p.roundsPosted + 1;
  if (now < s.roundDeadline(next))
    return {
      phase: "training",
      filter: "training",
      label: `Training round ${next} of ${p.numRounds}`,
      deadline: { at: s.roundDeadline(next), what: `round ${next} commits close` },
      openRound: next,
    };
  return {
    phase: "awaiting-post",
    filter: "training",
    label: `Waiting for round ${next} to be posted`,
    deadline: { at: s.postDeadline(next), what: `aggregator must post round ${next} (then anyone may expire)` },
    openRound: 0,
  };
}
