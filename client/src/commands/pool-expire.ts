/** `fedstr pool expire <pool>`: anyone expires a pool whose aggregator missed a posting deadline; unallocated rewards go back to the creator. */
import { COMMON_HELP, formatAmount, type Output } from "@fedstr/sdk/cli";
import { chainTime } from "@fedstr/sdk/job";
import { expirePoolIx, PoolStatus } from "@fedstr/sdk/program";
import { ClientError } from "../errors.js";
import { formatTime, sendRefund } from "../pool.js";
import { poolCommand } from "../session.js";

export const help = `fedstr pool expire <pool> — expire a pool whose aggregator did not post the next round in time

Allowed to anyone once round (rounds posted + 1) is past its deadline plus the grace period. Rewards not
yet allocated to posted rounds return to the creator; posted rounds stay claimable for the claim window.

${COMMON_HELP}`;

export async function main(argv: string[], out: Output): Promise<void> {
  await poolCommand(argv, out, help, {}, async ({ session, pool, poolAddress, decimals }) => {
    const { account, summary, schedule } = pool;
    if (account.status !== PoolStatus.Active)
      throw new ClientError("PoolNotActive", `pool ${summary.address} is ${summary.status.toLowerCase()}`);
    const next = account.roundsPosted + 1;
    const limit = schedule.postDeadline(next);
    if ((await chainTime(session.connection)) <= limit)
      throw new ClientError(
        "NotExpirable",
        `pool ${summary.address} is not expirable: the aggregator may post round ${next} until ${formatTime(limit)}`,
      );
    const r = await sendRefund(session, pool, "expire_pool", (creatorToken) =>
      expirePoolIx(session.program, { caller: session.wallet.publicKey, pool: poolAddress, creatorToken }),
    );
    out.result(
      r,
      `pool ${summary.address} expired; ${formatAmount(r.refunded, decimals)} refunded to the creator (${r.signature})`,
    );
  });
}
