/** `fedstr pool cancel <pool>`: the creator cancels a pool before its first round is posted; the reward comes back. */
import { parseCommand, formatAmount, COMMON_HELP, type Output } from "@fedstr/sdk/cli";
import { cancelPoolIx, PoolStatus } from "@fedstr/sdk/program";
import { withSession } from "../session.js";
import { ClientError } from "../errors.js";
import { loadPool, mintDecimals, parseAddress, sendRefund } from "../pool.js";

export const help = `fedstr pool cancel <pool> — cancel your pool (only before round 1 is posted) and get the escrowed reward back

Participants then withdraw their stakes with \`fedstr withdraw\`.

${COMMON_HELP}`;

export async function main(argv: string[], out: Output): Promise<void> {
  const { values, positionals } = parseCommand(argv, {}, { min: 1, max: 1, usage: "<pool>" });
  if (values.help) return out.result({ help }, help);
  const poolAddress = parseAddress(positionals[0], "pool");
  await withSession(values, async (session) => {
    const pool = await loadPool(session, poolAddress);
    const { account, summary } = pool;
    if (!account.creator.equals(session.wallet.publicKey)) throw new ClientError("NotCreator", `only the creator ${summary.creator} can cancel pool ${summary.address}`);
    if (account.status !== PoolStatus.Active) throw new ClientError("PoolNotActive", `pool ${summary.address} is ${summary.status.toLowerCase()}`);
    if (account.roundsPosted > 0) throw new ClientError("CancelNotAllowed", `pool ${summary.address} cannot be cancelled: ${account.roundsPosted} round(s) already posted`);
    const r = await sendRefund(session, pool, "cancel_pool", (creatorToken) => cancelPoolIx(session.program, { creator: session.wallet.publicKey, pool: poolAddress, creatorToken }));
    const decimals = await mintDecimals(session.connection, account.mint);
    out.result(r, `pool ${summary.address} cancelled; ${formatAmount(r.refunded, decimals)} refunded (${r.signature})`);
  });
}
