/** `fedstr join <pool> --stake <amount>`: stake on a pool (join_pool), after checking everything the program would refuse. */
import { amountFlag, COMMON_HELP, formatAmount, type Output, UsageError } from "@fedstr/sdk/cli";
import { chainTime, freezeAuthorityWarning } from "@fedstr/sdk/job";
import type { PrivacyMode } from "@fedstr/sdk/nostr";
import { PRIVACY_SUMMARY } from "@fedstr/sdk/privacy";
import { findParticipantAddress, joinPoolIx, PoolStatus } from "@fedstr/sdk/program";
import { ClientError } from "../errors.js";
import { fetchParticipantState, formatTime, loadJob, tokenAccountOf } from "../pool.js";
import { poolCommand } from "../session.js";

export const help = `fedstr join <pool> [--stake <amount>] — stake on a pool to take part in its training

  --stake <amount>   tokens to stake, in the mint's units (e.g. 10 or 2.5); default: the pool's minimum stake

The stake comes from the wallet's associated token account of the pool mint and is locked until the
pool ends (finished, expired or cancelled); then \`fedstr withdraw\` returns what was not slashed.
Prints the wallet's Nostr pubkey: the identity every result of \`fedstr train\` is signed with.

${COMMON_HELP}`;

export async function main(argv: string[], out: Output): Promise<void> {
  await poolCommand(
    argv,
    out,
    help,
    { stake: { type: "string" } },
    async ({ session, pool, poolAddress, decimals, values }) => {
      const { account, summary } = pool;
      const me = session.wallet.publicKey;
      const fmt = (v: bigint | string) => `${formatAmount(v, decimals)} ${summary.mint}`;
      const stake = amountFlag(values.stake, "stake", decimals) ?? BigInt(summary.minStake);
      if (stake === 0n) throw new UsageError("--stake must be positive");

      if (account.status !== PoolStatus.Active)
        throw new ClientError(
          "PoolNotActive",
          `pool ${summary.address} is ${summary.status.toLowerCase()}, not accepting participants`,
        );
      const now = await chainTime(session.connection);
      if (now >= summary.joinDeadline)
        throw new ClientError(
          "DeadlinePassed",
          `join deadline passed: pool ${summary.address} closed joins at ${formatTime(summary.joinDeadline)}`,
        );
      if (stake < BigInt(summary.minStake))
        throw new ClientError(
          "StakeTooLow",
          `stake ${fmt(stake)} is below the pool's minimum stake ${fmt(summary.minStake)}`,
        );
      if ((await fetchParticipantState(session, poolAddress, me)) !== null)
        throw new ClientError("AlreadyJoined", `wallet ${me.toBase58()} has already joined pool ${summary.address}`);
      if (summary.participants >= summary.maxParticipants)
        throw new ClientError(
          "PoolFull",
          `pool ${summary.address} is full (${summary.participants}/${summary.maxParticipants} participants)`,
        );
      const token = await tokenAccountOf(session.connection, me, account.mint);
      if (token.amount === null) {
        throw new ClientError(
          "NoTokenAccount",
          `wallet ${me.toBase58()} has no token account for mint ${summary.mint} (expected ${token.address.toBase58()}; create it with \`spl-token create-account ${summary.mint}\` and fund it)`,
        );
      }
      if (token.amount < stake)
        throw new ClientError(
          "InsufficientBalance",
          `insufficient balance: have ${formatAmount(token.amount, decimals)}, need ${fmt(stake)}`,
        );

      // Who will read this wallet's updates: shown before the stake is locked.
      let privacy: PrivacyMode | null = null;
      try {
        privacy = (await loadJob(session, pool, { timeoutMs: 5000 })).job.privacy;
        out.info(`privacy ${PRIVACY_SUMMARY[privacy]}`);
      } catch (e) {
        if (!(e instanceof ClientError) || e.code !== "JobNotFound") throw e;
        out.info(`privacy unknown: ${e.message}`);
      }
      const freezeWarning = freezeAuthorityWarning(summary);
      if (freezeWarning !== undefined) out.info(freezeWarning);
      out.info(`joining pool ${summary.address} with a stake of ${fmt(stake)}`);
      // The Nostr key is stored on chain: aggregators accept this wallet's result events signed by it only.
      const ix = await joinPoolIx(session.program, {
        participant: me,
        pool: poolAddress,
        participantToken: token.address,
        stake,
        nostrPubkey: Buffer.from(session.nostr.pubkey, "hex"),
      });
      const signature = await session.send("join_pool", [ix]);
      const participant = findParticipantAddress(poolAddress, me, session.program.programId)[0];
      out.result(
        {
          pool: summary.address,
          participant: participant.toBase58(),
          stake: stake.toString(),
          signature,
          nostrPubkey: session.nostr.pubkey,
          privacy,
          freezeAuthority: summary.freezeAuthority,
        },
        `joined pool ${summary.address}\n  stake         ${fmt(stake)}\n  participant   ${participant.toBase58()}\n  nostr pubkey  ${session.nostr.pubkey}\n  privacy       ${privacy === null ? "unknown (job request not found)" : PRIVACY_SUMMARY[privacy]}\n  signature     ${signature}\n` +
          (freezeWarning !== undefined ? `${freezeWarning}\n` : "") +
          `training starts at ${formatTime(summary.joinDeadline)}: run \`fedstr train ${summary.address} --data <file>\``,
      );
    },
  );
}
