"use client";
import Link from "next/link";
import { useState } from "react";
import { useChainTime } from "@/data-access/chain-time";
import { type PoolRow, useMint, usePools } from "@/data-access/pools";
import { type PhaseFilter, phaseOf } from "@/lib/phase";
import { amount, duration, short, when } from "@/ui/format";
import { QueryError } from "@/ui/query-error";
import { TableHead } from "@/ui/table-head";

function Row({ pool, now }: { pool: PoolRow; now: number }) {
  const s = pool.summary;
  const mint = useMint(pool.account.mint);
  const dec = mint.data?.decimals;
  const ph = phaseOf(pool.account, now);
  const left = BigInt(s.funded) - BigInt(s.claimed) - BigInt(s.refunded);
  return (
    <tr data-testid="pool-row" data-pool={s.address} data-phase={ph.phase}>
      <td>
        <Link href={`/pools/${s.address}`}>{short(s.address, 6)}</Link>
      </td>
      <td>
        <span className={`badge ${ph.filter}`}>{ph.label}</span>
      </td>
      <td data-testid="pool-reward">
        {amount(s.funded, dec)} / {amount(s.claimed, dec)} / {amount(left, dec)}
      </td>
      <td>{amount(s.minStake, dec)}</td>
      <td>
        {s.participants} / {s.maxParticipants}
      </td>
      <td>
        {s.roundsPosted} / {s.rounds}
      </td>
      <td data-testid="pool-deadline">
        {ph.deadline ? (
          <>
            <span>
              {ph.deadline.at > now ? duration(ph.deadline.at - now) : `overdue since ${when(ph.deadline.at)}`}
            </span>{" "}
            <span className="muted">({ph.deadline.what})</span>
          </>
        ) : (
          "—"
        )}
      </td>
    </tr>
  );
}

export function PoolsList() {
  const pools = usePools();
  const now = useChainTime();
  const [filter, setFilter] = useState<PhaseFilter>("all");
  const rows = (pools.data ?? []).filter(
    (p) => filter === "all" || (now !== undefined && phaseOf(p.account, now).filter === filter),
  );
  return (
    <section aria-labelledby="pools-title">
      <h1 id="pools-title">Pools</h1>
      <fieldset className="filters" aria-label="Filter pools">
        {(["all", "open", "training", "finished"] as const).map((f) => (
          <label key={f}>
            <input
              type="radio"
              name="filter"
              value={f}
              checked={filter === f}
              onChange={() => setFilter(f)}
              data-testid={`filter-${f}`}
            />{" "}
            {f}
          </label>
        ))}
      </fieldset>
      {pools.error ? (
        <QueryError error={pools.error} what="pools" />
      ) : pools.isLoading || now === undefined ? (
        <p className="muted">Loading pools…</p>
      ) : rows.length === 0 ? (
        <p data-testid="pools-empty">
          No {filter === "all" ? "" : `${filter} `}pools on this cluster yet. <Link href="/create">Create one</Link>.
        </p>
      ) : (
        <table data-testid="pools-table">
          <TableHead
            caption="Pools with their state, reward, stake, seats, rounds and next deadline"
            columns={[
              "Pool",
              "State",
              "Reward escrowed / paid / left",
              "Stake required",
              "Seats",
              "Rounds",
              "Next deadline (chain clock)",
            ]}
          />
          <tbody>
            {rows.map((p) => (
              <Row key={p.summary.address} pool={p} now={now} />
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
