/** `fedstr status <pool>`: the pool, my participation, and every round (posted, model, metric, reward, my reward, claimed). */
import { COMMON_HELP, formatAmount, type Output } from "@fedstr/sdk/cli";
import { toHex } from "@fedstr/sdk/fl";
import { chainTime, type RoundReport } from "@fedstr/sdk/job";
import {
  cidFromBytes,
  findCommitmentAddress,
  findParticipantAddress,
  findRoundAddress,
  findUpdateCommitted,
  hasClaimed,
  ParticipantStatus,
  type RoundResultAccount,
} from "@fedstr/sdk/program";
import { fetchParticipantState, formatDuration, formatTime, table } from "../pool.js";
import { findRoundReport, localReasons, type RoundOutcome, roundOutcome } from "../reports.js";
import { poolCommand } from "../session.js";

export const help = `fedstr status <pool> — the pool's terms and progress, your stake, and per round:
posted or not, the global model, its metric, the round reward, your reward (from the round report
the round result names on chain), whether you claimed it, and the round's outcome for you
(accepted, rejected or missed, with the reason: the report's verdict, or why your \`fedstr train\`
on this machine missed it).

${COMMON_HELP}`;

export interface RoundStatus {
  round: number;
  posted: boolean;
  modelCid: string | null;
  modelSha256: string | null;
  /** plan.evaluation.metric of the new model (on chain ×1e6, here as a number). */
  metric: number | null;
  reward: string | null;
  acceptedCount: number | null;
  /** I committed an update for this round (its account, or after it was closed the report, a claim or the ledger says so). */
  committed: boolean | null;
  /** My reward in the round report (base units); null when not known (no report, not a participant). */
  myReward: string | null;
  claimed: boolean | null;
  /** What became of the round for me (null when not a participant); `reason` says why a round was rejected or missed. */
  outcome: RoundOutcome["outcome"] | null;
  reason: string | null;
}

export async function main(argv: string[], out: Output): Promise<void> {
  await poolCommand(argv, out, help, {}, async ({ session, pool, poolAddress, decimals }) => {
    const { summary, schedule } = pool;
    const me = session.wallet.publicKey;
    const [now, state] = await Promise.all([
      chainTime(session.connection),
      fetchParticipantState(session, poolAddress, me),
    ]);
    const pid = session.program.programId;
    const roundsList = Array.from({ length: summary.rounds }, (_, i) => i + 1);
    const results = (await session.program.account.roundResult.fetchMultiple(
      roundsList.map((r) => findRoundAddress(poolAddress, r, pid)[0]),
    )) as (RoundResultAccount | null)[];
    const commitments =
      state === null
        ? []
        : await session.program.account.commitment.fetchMultiple(
            roundsList.map((r) => findCommitmentAddress(poolAddress, me, r, pid)[0]),
          );

    // My rewards and verdicts come from the round reports each round result names on chain.
    const myRewards = new Map<number, string>();
    const reports = new Map<number, { report?: RoundReport; error?: string }>();
    if (state !== null && results.some((r) => r !== null)) {
      try {
        for (const [i, result] of results.entries()) {
          if (result === null) continue;
          const found = await findRoundReport(session, pool, i + 1, result, { attempts: 2 });
          if ("error" in found) {
            out.info(`round ${i + 1}: ${found.error}`);
            reports.set(i + 1, { error: found.error });
            continue;
          }
          reports.set(i + 1, { report: found.report });
          const leaf = found.report.rewards.leaves.find((l) => l.participant === me.toBase58());
          myRewards.set(i + 1, leaf?.reward ?? "0");
        }
      } catch (e) {
        out.info(`rewards unknown: ${(e as Error).message}`);
      }
    }

    // My commitment of a round: its account, or — once closed (the tools close it after the round is
    // posted) — my update in the round report, a claim, or else the UpdateCommitted event in the ledger,
    // asked only while the participant's commit count is not yet accounted for.
    const committed = roundsList.map((r, i) => {
      if (state === null) return false;
      if (commitments[i] != null) return true;
      if (results[i] == null) return false;
      const report = reports.get(r)?.report;
      return hasClaimed(state, r) || (report?.updates.some((u) => u.participant === me.toBase58()) ?? false);
    });
    if (state !== null) {
      let missing = state.commitCount - committed.filter(Boolean).length;
      for (let r = Math.min(state.lastCommittedRound, summary.rounds); missing > 0 && r >= 1; r--) {
        if (committed[r - 1] || results[r - 1] == null) continue;
        if ((await findUpdateCommitted(session.program, poolAddress, me, r)) !== null) {
          committed[r - 1] = true;
          missing--;
        }
      }
    }

    const reasons =
      state === null
        ? new Map<number, string>()
        : localReasons(session.config.dataDir, summary.address, me.toBase58(), summary.jobId);
    const rounds: RoundStatus[] = roundsList.map((r, i) => {
      const res = results[i] ?? null;
      const o =
        state === null
          ? null
          : roundOutcome(r, me.toBase58(), {
              posted: res !== null,
              report: reports.get(r)?.report,
              reportError: reports.get(r)?.error,
              committed: committed[i]!,
              deadlinePassed: now >= schedule.roundDeadline(r),
              localReason: reasons.get(r),
            });
      return {
        round: r,
        posted: res !== null,
        modelCid: res ? cidFromBytes(res.globalModelCid).toString() : null,
        modelSha256: res ? toHex(res.globalModelHash) : null,
        metric: res ? Number(res.metric.toString()) / 1e6 : null,
        reward: res ? res.reward.toString() : null,
        acceptedCount: res ? res.acceptedCount : null,
        committed: state === null ? null : committed[i]!,
        myReward: myRewards.get(r) ?? null,
        claimed: state === null || res === null ? null : hasClaimed(state, r),
        outcome: o?.outcome ?? null,
        reason: o?.reason ?? null,
      };
    });
    const participant =
      state === null
        ? null
        : {
            address: findParticipantAddress(poolAddress, me, pid)[0].toBase58(),
            wallet: me.toBase58(),
            nostrPubkey: session.nostr.pubkey,
            stake: state.stake.toString(),
            initialStake: state.initialStake.toString(),
            slashed: state.slashed.toString(),
            joinedAt: Number(state.joinedAt.toString()),
            lastCommittedRound: state.lastCommittedRound,
            commitCount: state.commitCount,
            status: state.status === ParticipantStatus.Withdrawn ? "withdrawn" : "active",
          };

    const fmt = (v: string | null) => (v === null ? "-" : formatAmount(v, decimals));
    const round = schedule.roundAt(now);
    const phase =
      summary.status !== "Active"
        ? summary.status.toLowerCase()
        : round === 0
          ? `joining (closes in ${formatDuration(summary.joinDeadline - now)})`
          : round > summary.rounds
            ? "waiting for the last round to be posted"
            : `round ${round} of ${summary.rounds} (window ends in ${formatDuration(schedule.roundDeadline(round) - now)})`;
    const human = [
      `pool ${summary.address} — ${phase}`,
      `  reward ${fmt(summary.funded)}  min stake ${fmt(summary.minStake)}  participants ${summary.participants}/${summary.maxParticipants}  rounds posted ${summary.roundsPosted}/${summary.rounds}`,
      `  join deadline ${formatTime(summary.joinDeadline)}, end ${formatTime(summary.endDeadline)}; chain time ${formatTime(now)}`,
      participant === null
        ? "  you have not joined this pool"
        : `  your stake ${fmt(participant.stake)} (slashed ${fmt(participant.slashed)}), ${participant.commitCount} commitments, ${participant.status}`,
      "",
      table(
        ["round", "posted", "metric", "reward", "committed", "my reward", "claimed", "outcome"],
        rounds.map((r) => [
          String(r.round),
          r.posted ? "yes" : "no",
          r.metric === null ? "-" : r.metric.toFixed(4),
          fmt(r.reward),
          r.committed === null ? "-" : r.committed ? "yes" : "no",
          fmt(r.myReward),
          r.claimed === null ? "-" : r.claimed ? "yes" : "no",
          r.outcome ?? "-",
        ]),
      ),
      ...rounds.filter((r) => r.reason !== null).map((r) => `  round ${r.round}: ${r.outcome} — ${r.reason}`),
    ].join("\n");
    out.result({ pool: summary, participant, rounds, chainTime: now }, human);
  });
}
