/** `fedstr pool finalize <pool>`: after the claim window (cancelled pools at once) everything left in escrow returns to the creator. */
import { COMMON_HELP, formatAmount, type Output } from "@fedstr/sdk/cli";
import { chainTime } from "@fedstr/sdk/job";
import { finalizePoolIx, PoolStatus } from "@fedstr/sdk/program";
import { ClientError } from "../errors.js";
import { formatTime, sendRefund } from "../pool.js";
import { poolCommand } from "../session.js";

export const help = `fedstr pool finalize <pool> — close the books of an ended pool: unclaimed rewards return to the creator

Allowed to anyone once the claim window after the pool finished or expired has passed (a cancelled pool at once).

${COMMON_HELP}`;

export async function main(argv: string[], out: Output): Promise<void> {
  await poolCommand(argv, out, help, {}, async ({ session, pool, poolAddress, decimals }) => {
    const { account, summary } = pool;
    if (account.status === PoolStatus.Finalized)
      throw new ClientError("PoolNotActive", `pool ${summary.address} is already finalized`);
    if (account.status === PoolStatus.Active)
      throw new ClientError(
        "ClaimWindowOpen",
        `pool ${summary.address} is still active (${summary.roundsPosted} of ${summary.rounds} rounds posted)`,
      );
    if (account.status !== PoolStatus.Cancelled) {
      const end = Number(account.endedAt.toString()) + summary.claimWindow;
      if ((await chainTime(session.connection)) <= end)
        throw new ClientError("ClaimWindowOpen", `claim window open until ${formatTime(end)}`);
    }
    const r = await sendRefund(session, pool, "finalize_pool", (creatorToken) =>
      finalizePoolIx(session.program, { caller: session.wallet.publicKey, pool: poolAddress, creatorToken }),
    );
    out.result(
      r,
      `pool ${summary.address} finalized; ${formatAmount(r.refunded, decimals)} returned to the creator (${r.signature})`,
    );
  });
}
