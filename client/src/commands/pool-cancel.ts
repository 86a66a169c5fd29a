/** `fedstr pool cancel <pool>`: the creator cancels a pool before its first round is posted; the reward comes back. */
import { COMMON_HELP, formatAmount, type Output } from "@fedstr/sdk/cli";
import { cancelPoolIx, PoolStatus } from "@fedstr/sdk/program";
import { ClientError } from "../errors.js";
import { sendRefund } from "../pool.js";
import { poolCommand } from "../session.js";

export const help = `fedstr pool cancel <pool> — cancel your pool (only before round 1 is posted) and get the escrowed reward back

Participants then withdraw their stakes with \`fedstr withdraw\`.

${COMMON_HELP}`;

export async function main(argv: string[], out: Output): Promise<void> {
  await poolCommand(argv, out, help, {}, async ({ session, pool, poolAddress, decimals }) => {
    const { account, summary } = pool;
    if (!account.creator.equals(session.wallet.publicKey))
      throw new ClientError("NotCreator", `only the creator ${summary.creator} can cancel pool ${summary.address}`);
    if (account.status !== PoolStatus.Active)
      throw new ClientError("PoolNotActive", `pool ${summary.address} is ${summary.status.toLowerCase()}`);
    if (account.roundsPosted > 0)
      throw new ClientError(
        "CancelNotAllowed",
        `pool ${summary.address} cannot be cancelled: ${account.roundsPosted} round(s) already posted`,
      );
    const r = await sendRefund(session, pool, "cancel_pool", (creatorToken) =>
      cancelPoolIx(session.program, { creator: session.wallet.publicKey, pool: poolAddress, creatorToken }),
    );
    out.result(r, `pool ${summary.address} cancelled; ${formatAmount(r.refunded, decimals)} refunded (${r.signature})`);
  });
}
