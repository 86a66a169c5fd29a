/** `fedstr claim <pool>`: claim every posted round's reward the round reports give me (claim_reward, Merkle proof). */

import { COMMON_HELP, formatAmount, type Output, TransactionError } from "@fedstr/sdk/cli";
import { chainTime } from "@fedstr/sdk/job";
import {
  claimRewardIx,
  findRoundAddress,
  hasClaimed,
  PoolStatus,
  type RoundResultAccount,
  rewardClaimFromJson,
} from "@fedstr/sdk/program";
import { createAssociatedTokenAccountIdempotentInstruction } from "@solana/spl-token";
import { ClientError } from "../errors.js";
import { formatTime, requireParticipant, tokenAccountOf } from "../pool.js";
import { CommitmentCloser, formatSol } from "../rent.js";
import { findRoundReport, localReasons } from "../reports.js";
import { poolCommand } from "../session.js";

export const help = `fedstr claim <pool> — claim your rewards for every posted round, and the rent of your commitments

For each posted round not yet claimed: fetch the round report the round result names on chain (CID
and sha256, from IPFS; no relay is asked), check your leaf's Merkle proof against the on-chain root, and send claim_reward to your associated
token account of the pool mint. Rounds already claimed, or where you have no reward, are listed as
skipped; running it again is harmless.

Your commitment accounts of posted rounds are closed in the same transactions (close_commitment,
as many as fit; the rest in transactions of their own), so their rent comes back to your wallet.

${COMMON_HELP}`;

export async function main(argv: string[], out: Output): Promise<void> {
  await poolCommand(argv, out, help, {}, async ({ session, pool, poolAddress, decimals }) => {
    const { account, summary } = pool;
    const me = session.wallet.publicKey;
    const state = await requireParticipant(session, pool);
    if (account.status === PoolStatus.Cancelled || account.status === PoolStatus.Finalized) {
      throw new ClientError(
        "PoolNotActive",
        `pool ${summary.address} is ${summary.status.toLowerCase()}: no more claims`,
      );
    }
    if (account.status !== PoolStatus.Active) {
      const end = Number(account.endedAt.toString()) + summary.claimWindow;
      if ((await chainTime(session.connection)) > end)
        throw new ClientError(
          "DeadlinePassed",
          `the claim window of pool ${summary.address} closed at ${formatTime(end)}`,
        );
    }
    const pid = session.program.programId;
    const posted = Array.from({ length: account.roundsPosted }, (_, i) => i + 1);
    const results = (await session.program.account.roundResult.fetchMultiple(
      posted.map((r) => findRoundAddress(poolAddress, r, pid)[0]),
    )) as (RoundResultAccount | null)[];

    const closer = await CommitmentCloser.load(session, poolAddress, account);
    const missedReasons = localReasons(session.config.dataDir, summary.address, me.toBase58(), summary.jobId);
    const claimed: { round: number; amount: string; signature: string }[] = [];
    const skipped: { round: number; reason: string }[] = [];
    const open = posted.filter((r) => {
      if (!hasClaimed(state, r)) return true;
      skipped.push({ round: r, reason: "already claimed" });
      return false;
    });
    if (open.length > 0) {
      const token = await tokenAccountOf(session.connection, me, account.mint);
      let ensureAta = token.amount === null;
      for (const r of open) {
        const result = results[r - 1];
        if (!result) {
          skipped.push({ round: r, reason: "round result not found on chain" });
          continue;
        }
        const found = await findRoundReport(session, pool, r, result);
        if ("error" in found) {
          skipped.push({ round: r, reason: found.error });
          continue;
        }
        let leaf;
        try {
          leaf = rewardClaimFromJson(found.report.rewards, me, Uint8Array.from(result.merkleRoot));
        } catch (e) {
          skipped.push({ round: r, reason: `report ${found.ref.cid}: ${(e as Error).message}` });
          continue;
        }
        if (leaf === null) {
          const mine = found.report.updates.find((u) => u.participant === me.toBase58());
          const missed = missedReasons.get(r);
          skipped.push({
            round: r,
            reason: mine
              ? `no reward: update ${mine.accepted ? "accepted without a reward leaf" : `rejected (${mine.reason ?? "?"}${mine.detail ? `: ${mine.detail}` : ""})`}`
              : `no reward: no update of yours in the round report${missed !== undefined ? ` (missed: ${missed})` : ""}`,
          });
          continue;
        }
        if (leaf.amount === 0n) {
          skipped.push({ round: r, reason: "no reward: the leaf's amount is 0" });
          continue;
        }
        const ixs = [];
        if (ensureAta) ixs.push(createAssociatedTokenAccountIdempotentInstruction(me, token.address, me, account.mint));
        ixs.push(
          await claimRewardIx(session.program, {
            participant: me,
            pool: poolAddress,
            round: r,
            weight: leaf.weight,
            amount: leaf.amount,
            updateHash: leaf.updateHash,
            proof: leaf.proof,
            destination: token.address,
          }),
        );
        try {
          const signature = await closer.sendWith(`claim_reward (round ${r})`, ixs, r);
          ensureAta = false;
          claimed.push({ round: r, amount: leaf.amount.toString(), signature });
          out.info(`round ${r}: claimed ${formatAmount(leaf.amount, decimals)} (${signature})`);
        } catch (e) {
          if (e instanceof TransactionError && e.programError !== undefined) {
            skipped.push({ round: r, reason: e.message });
            continue;
          }
          throw e;
        }
      }
    }
    // Commitments the claims did not carry (rounds without a reward, or more than fit) close on their own.
    const closeSignatures = await closer.flush();
    skipped.sort((a, b) => a.round - b.round);
    const total = claimed.reduce((s, c) => s + BigInt(c.amount), 0n);
    const closedCommitments = closer.closedRounds.sort((a, b) => a - b);
    const rentReturned = closer.rentReturned;
    const human = [
      claimed.length === 0
        ? "nothing claimed"
        : `claimed ${formatAmount(total, decimals)} over ${claimed.length} round(s)`,
      ...claimed.map((c) => `  round ${c.round}: ${formatAmount(c.amount, decimals)}  ${c.signature}`),
      ...skipped.map((s) => `  round ${s.round}: skipped — ${s.reason}`),
      ...(closedCommitments.length > 0
        ? [
            `rent returned: ${formatSol(rentReturned)} (commitment account${closedCommitments.length > 1 ? "s" : ""} of round${closedCommitments.length > 1 ? "s" : ""} ${closedCommitments.join(", ")} closed)`,
          ]
        : []),
    ].join("\n");
    out.result(
      {
        claimed,
        total: total.toString(),
        skipped,
        closedCommitments,
        rentReturned: rentReturned.toString(),
        closeSignatures,
      },
      human,
    );
  });
}
