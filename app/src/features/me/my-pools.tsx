"use client";
import { hasClaimed, type ParticipantAccount, ParticipantStatus } from "@fedstr/sdk/program";
import { useWallet } from "@solana/wallet-adapter-react";
import type { PublicKey } from "@solana/web3.js";
import { useQuery } from "@tanstack/react-query";
// "My pools": the pools this wallet joined (its participant accounts), with stake, slashes and
// rewards; claiming and withdrawing happen on each pool's page (same panel, same checks).
import Link from "next/link";
import { useFedstr } from "@/data-access/fedstr";
import { type PoolRow, useMint, usePools } from "@/data-access/pools";
import { amount, short } from "@/ui/format";
import { TableHead } from "@/ui/table-head";

type Participation = { publicKey: PublicKey; account: ParticipantAccount };

function JoinedRow({ m, pool }: { m: Participation; pool: PoolRow | undefined }) {
  const dec = useMint(pool?.account.mint).data?.decimals;
  const address = m.account.pool.toBase58();
  const posted = pool?.account.roundsPosted ?? 0;
  const claimed = Array.from({ length: posted }, (_, i) => i + 1).filter((r) => hasClaimed(m.account, r));
  return (
    <tr data-testid="my-pool-row" data-pool={address}>
      <td>
        <Link href={`/pools/${address}`}>{short(address, 6)}</Link>
      </td>
      <td>{dec === undefined ? "…" : amount(m.account.stake.toString(), dec)}</td>
      <td>{dec === undefined ? "…" : amount(m.account.slashed.toString(), dec)}</td>
      <td>
        {m.account.commitCount === 0
          ? "none yet"
          : `${m.account.commitCount} (last in round ${m.account.lastCommittedRound})`}
      </td>
      <td>
        {claimed.length > 0 ? claimed.join(", ") : "none"} of {posted} posted
      </td>
      <td>
        {m.account.status === ParticipantStatus.Withdrawn ? "withdrawn" : "staked"} —{" "}
        <Link href={`/pools/${address}`}>claim / withdraw</Link>
      </td>
    </tr>
  );
}

export function MyPools() {
  const { publicKey } = useWallet();
  const { program, key } = useFedstr();
  const pools = usePools();
  const mine = useQuery({
    queryKey: [...key, "my-participations", publicKey?.toBase58() ?? ""],
    enabled: !!publicKey,
    refetchInterval: 10_000,
    // Participant.authority follows Participant.pool (offset 8 + 32).
    queryFn: async () => program.account.participant.all([{ memcmp: { offset: 40, bytes: publicKey!.toBase58() } }]),
  });
  if (!publicKey)
    return (
      <section>
        <h1>My pools</h1>
        <p>Connect a wallet to see the pools you joined and created.</p>
      </section>
    );
  const created = (pools.data ?? []).filter((p) => p.account.creator.equals(publicKey));
  return (
    <section aria-labelledby="me-title">
      <h1 id="me-title">My pools</h1>
      <h2>Joined</h2>
      {(mine.data ?? []).length === 0 ? (
        <p className="muted" data-testid="me-empty">
          You have not joined a pool with this wallet.
        </p>
      ) : (
        <table>
          <TableHead
            caption="Pools you joined"
            columns={["Pool", "Stake (tokens)", "Slashed (tokens)", "Commitments", "Rounds claimed", "Status"]}
          />
          <tbody>
            {mine.data!.map((m) => (
              <JoinedRow
                key={m.publicKey.toBase58()}
                m={m}
                pool={pools.data?.find((p) => p.address.equals(m.account.pool))}
              />
            ))}
          </tbody>
        </table>
      )}
      <h2>Created</h2>
      {created.length === 0 ? (
        <p className="muted">None.</p>
      ) : (
        <ul>
          {created.map((p) => (
            <li key={p.summary.address}>
              <Link href={`/pools/${p.summary.address}`}>{p.summary.address}</Link> ({p.summary.status})
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
