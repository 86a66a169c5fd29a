/** `fedstr withdraw <pool>`: take back the stake once the pool has ended (expiring it first when the aggregator went silent). */

import { COMMON_HELP, formatAmount, type Output } from "@fedstr/sdk/cli";
import { chainTime } from "@fedstr/sdk/job";
import { expirePoolIx, ParticipantStatus, PoolStatus, withdrawStakeIx } from "@fedstr/sdk/program";
import { createAssociatedTokenAccountIdempotentInstruction, getAssociatedTokenAddressSync } from "@solana/spl-token";
import { ClientError } from "../errors.js";
import { formatTime, requireParticipant, tokenAccountOf } from "../pool.js";
import { poolCommand } from "../session.js";

export const help = `fedstr withdraw <pool> — return your stake (what was not slashed) to your token account

Stakes are locked while the pool is active. If the aggregator missed a round's posting deadline, the
pool is expired first (expire_pool: unallocated rewards go back to the creator), then the stake is withdrawn.

${COMMON_HELP}`;

export async function main(argv: string[], out: Output): Promise<void> {
  await poolCommand(argv, out, help, {}, async ({ session, pool, poolAddress, decimals }) => {
    const { account, summary, schedule } = pool;
    const me = session.wallet.publicKey;
    const state = await requireParticipant(session, pool);
    if (state.status === ParticipantStatus.Withdrawn || BigInt(state.stake.toString()) === 0n) {
      throw new ClientError(
        "NothingToWithdraw",
        `nothing to withdraw: the stake of ${me.toBase58()} in pool ${summary.address} is ${state.status === ParticipantStatus.Withdrawn ? "already withdrawn" : "0"}`,
      );
    }
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
    const token = await tokenAccountOf(session.connection, me, account.mint);
    const ixs = [];
    if (token.amount === null)
      ixs.push(createAssociatedTokenAccountIdempotentInstruction(me, token.address, me, account.mint));
    ixs.push(
      await withdrawStakeIx(session.program, { participant: me, pool: poolAddress, destination: token.address }),
    );
    const amount = state.stake.toString();
    const signature = await session.send("withdraw_stake", ixs);
    out.result(
      { amount, signature, ...(expired !== undefined ? { expired } : {}) },
      `${expired !== undefined ? `pool expired (${expired})\n` : ""}withdrew ${formatAmount(amount, decimals)} to ${token.address.toBase58()} (${signature})`,
    );
  });
}
