/** `fedstr pools [--all]`: the pools on chain with their job requests from the relays. */

import { utils } from "@coral-xyz/anchor";
import { COMMON_HELP, formatAmount, type Output, parseCommand } from "@fedstr/sdk/cli";
import {
  chainTime,
  fetchJobRequest,
  fetchPoolMint,
  freezeAuthorityWarning,
  type PoolMintInfo,
  type PoolSummary,
  summarizePool,
} from "@fedstr/sdk/job";
import { decodeAccount, IDL, type PoolAccount, PoolStatus } from "@fedstr/sdk/program";
import { PublicKey } from "@solana/web3.js";
import { formatDuration, mintDecimals, table } from "../pool.js";
import { withSession } from "../session.js";

export const help = `fedstr pools [--all] — list active pools (with --all: also ended ones)

Reads every pool of the program from the chain and its job request (kind 5720) from the relays.

${COMMON_HELP}`;

const POOL_DISCRIMINATOR = IDL.accounts.find((a) => a.name === "Pool")!.discriminator;

export interface PoolListing extends PoolSummary {
  job: { description: string | null; privacy: string; relays: string[] } | null;
}

export async function main(argv: string[], out: Output): Promise<void> {
  const { values } = parseCommand(argv, { all: { type: "boolean" } }, { max: 0, usage: "no arguments" });
  if (values.help) return out.result({ help }, help);
  await withSession(values, async (session) => {
    // Raw accounts so a pool that does not decode (another program version) is skipped, not fatal.
    const raw = await session.connection.getProgramAccounts(session.program.programId, {
      filters: [{ memcmp: { offset: 0, bytes: utils.bytes.bs58.encode(Buffer.from(POOL_DISCRIMINATOR)) } }],
    });
    const accounts: { address: PublicKey; account: PoolAccount }[] = [];
    for (const { pubkey, account } of raw) {
      try {
        accounts.push({ address: pubkey, account: decodeAccount(session.program, "pool", account.data) });
      } catch {
        out.info(`skipping ${pubkey.toBase58()}: not a pool this client understands`);
      }
    }
    const shown = accounts.filter((p) => values.all || p.account.status === PoolStatus.Active);
    const relays = shown.length > 0 ? await session.relays() : undefined;
    const mints = new Map<string, Promise<PoolMintInfo>>();
    const mintOf = (mint: PublicKey) => {
      if (!mints.has(mint.toBase58())) mints.set(mint.toBase58(), fetchPoolMint(session.connection, mint));
      return mints.get(mint.toBase58())!;
    };
    const pools: PoolListing[] = await Promise.all(
      shown.map(async ({ address, account }) => {
        const summary = summarizePool(address, account, await mintOf(account.mint));
        const found = relays ? await fetchJobRequest(relays, summary.jobId, { timeoutMs: 5000 }) : undefined;
        const job =
          found !== undefined && found.job.pool === summary.address
            ? { description: found.job.description ?? null, privacy: found.job.privacy, relays: found.job.relays }
            : null;
        return { ...summary, job };
      }),
    );
    pools.sort((a, b) => a.joinDeadline - b.joinDeadline || a.address.localeCompare(b.address));
    const now = await chainTime(session.connection);
    const rows: string[][] = [];
    for (const p of pools) {
      const d = await mintDecimals(session.connection, new PublicKey(p.mint));
      rows.push([
        p.address,
        p.status,
        formatAmount(p.funded, d),
        formatAmount(p.minStake, d),
        `${p.roundsPosted}/${p.rounds}`,
        `${p.roundSeconds}s`,
        now < p.joinDeadline ? formatDuration(p.joinDeadline - now) : "closed",
        `${p.participants}/${p.maxParticipants}`,
        p.job?.privacy ?? "?",
        p.job === null ? "(job request not found)" : (p.job.description ?? "").slice(0, 40),
      ]);
    }
    const warnings = pools.flatMap((p) => {
      const w = freezeAuthorityWarning(p);
      return w === undefined ? [] : [`${p.address}: ${w}`];
    });
    const human =
      pools.length === 0
        ? `no ${values.all ? "" : "active "}pools`
        : [
            table(
              [
                "pool",
                "status",
                "reward",
                "min stake",
                "rounds",
                "round",
                "join in",
                "participants",
                "privacy",
                "description",
              ],
              rows,
            ),
            ...warnings,
          ].join("\n");
    out.result({ pools }, human);
  });
}
