/**
 * `fedstr withdraw <pool>`: take back the stake once the pool has ended (expiring it first when the
 * aggregator went silent), and the rent of the wallet's accounts: commitments of posted rounds, and
 * once the pool is finalized every commitment and the participant account.
 */

import { COMMON_HELP, formatAmount, type Output } from "@fedstr/sdk/cli";
import { chainTime } from "@fedstr/sdk/job";
import {
  closeParticipantIx,
  expirePoolIx,
  findParticipantAddress,
  type ParticipantAccount,
  ParticipantStatus,
  PoolStatus,
  withdrawStakeIx,
} from "@fedstr/sdk/program";
import { createAssociatedTokenAccountIdempotentInstruction, getAssociatedTokenAddressSync } from "@solana/spl-token";
import type { PublicKey } from "@solana/web3.js";
import { ClientError } from "../errors.js";
import { formatTime, requireParticipant, tokenAccountOf } from "../pool.js";
import { CommitmentCloser, formatSol } from "../rent.js";
import { poolCommand } from "../session.js";

export const help = `fedstr withdraw <pool> — return your stake (what was not slashed) and your accounts' rent

Stakes are locked while the pool is active. If the aggregator missed a round's posting deadline, the
pool is expired first (expire_pool: unallocated rewards go back to the creator), then the stake is withdrawn.
Your commitment accounts of posted rounds are closed in the same transaction as far as they fit
(close_commitment). Once the pool is finalized, every commitment left and then your participant account
are closed (close_participant, which also pays a stake not yet withdrawn): all their rent comes back.

${COMMON_HELP}`;

export async function main(argv: string[], out: Output): Promise<void> {
  await poolCommand(argv, out, help, {}, async ({ session, pool, poolAddress, decimals }) => {
    const { account, summary, schedule } = pool;
    const me = session.wallet.publicKey;
    const state = await requireParticipant(session, pool);
    const stake = state.status === ParticipantStatus.Withdrawn ? 0n : BigInt(state.stake.toString());
    const finalized = account.status === PoolStatus.Finalized;
    if (stake === 0n && account.status === PoolStatus.Active) throw nothingToWithdraw(state, me, summary.address);
    let expired: string | undefined;
    if (account.status === PoolStatus.Active) {
      const next = account.roundsPosted + 1;
      const limit = schedule.postDeadline(next);
      const now = await chainTime(session.connection);
      if (now <= limit) {
        const where =
          now < summary.joinDeadline
            ? `joins are open until ${formatTime(summary.joinDeadline)}`
            : `round ${Math.min(next, summary.rounds)} of ${summary.rounds}`;
        throw new ClientError(
          "StakeLocked",
          `stake is locked until the pool ends (${where}); if the aggregator does not post round ${next}, it can be expired after ${formatTime(limit)}`,
        );
      }
      out.info(`the aggregator missed round ${next} (deadline ${formatTime(limit)}): expiring the pool`);
      const creatorToken = getAssociatedTokenAddressSync(account.mint, account.creator, true);
      expired = await session.send("expire_pool", [
        createAssociatedTokenAccountIdempotentInstruction(me, creatorToken, account.creator, account.mint),
        await expirePoolIx(session.program, { caller: me, pool: poolAddress, creatorToken }),
      ]);
    }
    const closer = await CommitmentCloser.load(session, poolAddress, account);
    if (stake === 0n && !finalized && closer.pendingCount === 0) throw nothingToWithdraw(state, me, summary.address);
    const token = await tokenAccountOf(session.connection, me, account.mint);
    const ataIxs =
      token.amount === null && stake > 0n
        ? [createAssociatedTokenAccountIdempotentInstruction(me, token.address, me, account.mint)]
        : [];
    const signatures: string[] = [];
    let participantRent = 0n;
    if (finalized) {
      // close_participant pays a stake left to the wallet's own token account and returns the account's rent.
      const stateAddress = findParticipantAddress(poolAddress, me, session.program.programId)[0];
      participantRent = BigInt((await session.connection.getBalance(stateAddress)).toString());
      const closeIx = await closeParticipantIx(session.program, {
        caller: me,
        participant: me,
        pool: poolAddress,
        destination: token.address,
      });
      signatures.push(...(await closer.sendBefore("close_participant", [...ataIxs, closeIx])));
    } else if (stake > 0n) {
      const withdrawIx = await withdrawStakeIx(session.program, {
        participant: me,
        pool: poolAddress,
        destination: token.address,
      });
      signatures.push(await closer.sendWith("withdraw_stake", [...ataIxs, withdrawIx]));
    } else signatures.push(...(await closer.flush()));
    const closedCommitments = closer.closedRounds.sort((a, b) => a - b);
    const rentReturned = closer.rentReturned + participantRent;
    const signature = signatures[signatures.length - 1]!;
    const closedWhat = [
      ...(closedCommitments.length > 0
        ? [
            `the commitment account${closedCommitments.length > 1 ? "s" : ""} of round${closedCommitments.length > 1 ? "s" : ""} ${closedCommitments.join(", ")}`,
          ]
        : []),
      ...(finalized ? ["the participant account"] : []),
    ];
    out.result(
      {
        amount: stake.toString(),
        signature,
        ...(expired !== undefined ? { expired } : {}),
        closedCommitments,
        closedParticipant: finalized,
        rentReturned: rentReturned.toString(),
        signatures,
      },
      [
        ...(expired !== undefined ? [`pool expired (${expired})`] : []),
        stake > 0n
          ? `withdrew ${formatAmount(stake, decimals)} to ${token.address.toBase58()} (${signature})`
          : `no stake left to withdraw (${signature})`,
        ...(closedWhat.length > 0
          ? [`rent returned: ${formatSol(rentReturned)} (closed ${closedWhat.join(" and ")})`]
          : []),
      ].join("\n"),
    );
  });
}

function nothingToWithdraw(state: ParticipantAccount, me: PublicKey, pool: string): ClientError {
  return new ClientError(
    "NothingToWithdraw",
    `nothing to withdraw: the stake of ${me.toBase58()} in pool ${pool} is ${state.status === ParticipantStatus.Withdrawn ? "already withdrawn" : "0"}`,
  );
}
