"use client";
import { formatAmount, PRIVACY_SUMMARY, parseAmount, type RoundReport, scheduleOf } from "@fedstr/sdk/job";
import { cidFromBytes, hasClaimed, ParticipantStatus, PoolStatus } from "@fedstr/sdk/program";
import { useWallet } from "@solana/wallet-adapter-react";
import type { PublicKey } from "@solana/web3.js";
import dynamic from "next/dynamic";
import { useMemo, useState } from "react";
import { usePoolActions } from "@/data-access/actions";
import { useChainTime } from "@/data-access/chain-time";
import { useExplorer } from "@/data-access/fedstr";
import { useAggregatorFeedback, useJobRequest, useRelayStatus } from "@/data-access/nostr";
import {
  type PoolRow,
  parseAddress,
  type RoundRow,
  useMint,
  useMyParticipant,
  useParticipants,
  usePool,
  usePoolEvents,
  usePoolVaults,
  useRounds,
} from "@/data-access/pools";
import { type FoundReport, useRoundReports } from "@/data-access/reports";
import { useSettings } from "@/data-access/settings";
import { phaseOf } from "@/lib/phase";
import { MetricChart } from "@/ui/chart";
import { CopyBlock } from "@/ui/copy";
import { Field } from "@/ui/field";
import { amount, duration, short, until, when } from "@/ui/format";
import { QueryError } from "@/ui/query-error";
import { reasonInWords } from "@/ui/reasons";
import { TableHead } from "@/ui/table-head";

// Only a joined participant sees the training panel: its code (plan schema, IndexedDB, the worker)
// loads after the page.
const TrainPanel = dynamic(() => import("./train-panel").then((m) => m.TrainPanel), { ssr: false });

const n = (v: { toString(): string }) => Number(v.toString());

function Timeline({ pool, now }: { pool: PoolRow; now: number }) {
  const ph = phaseOf(pool.account, now);
  const steps = [
    { id: "open", label: "Join window" },
    { id: "training", label: `Rounds (${pool.account.roundsPosted}/${pool.account.numRounds})` },
    { id: "claiming", label: "Claim window" },
    {
      id: "end",
      label:
        pool.account.status === PoolStatus.Cancelled
          ? "Cancelled"
          : pool.account.status === PoolStatus.Expired
            ? "Expired"
            : "Finalized",
    },
  ];
  const current =
    ph.phase === "open"
      ? "open"
      : ph.phase === "training" || ph.phase === "awaiting-post"
        ? "training"
        : ph.phase === "claiming"
          ? "claiming"
          : "end";
  return (
    <ol className="timeline" aria-label="Pool phases" data-testid="phase-timeline" data-phase={ph.phase}>
      {steps.map((s) => (
        <li key={s.id} aria-current={s.id === current ? "step" : undefined}>
          {s.label}
        </li>
      ))}
    </ol>
  );
}

function GatewayLink({ cid }: { cid: string }) {
  const { config } = useSettings();
  return (
    <a href={`${config.gateway.replace(/\/+$/, "")}/ipfs/${cid}`} target="_blank" rel="noreferrer" className="cid">
      {short(cid, 8)}
    </a>
  );
}

function RoundRows({
  rounds,
  reports,
  decimals,
  metricName,
}: {
  rounds: RoundRow[];
  reports: (FoundReport | undefined)[];
  decimals?: number;
  metricName: string;
}) {
  const explorer = useExplorer();
  if (rounds.length === 0)
    return (
      <p className="muted" data-testid="no-rounds">
        No round posted yet.
      </p>
    );
  return (
    <table data-testid="rounds-table">
      <TableHead
        caption="Posted rounds"
        columns={["Round", `${metricName} (on chain)`, "Reward", "Accepted", "Model / report", "Verdicts"]}
      />
      <tbody>
        {rounds.map((r, i) => {
          const metric = n(r.result.metric) / 1e6;
          const found = reports[i];
          const report = found && "report" in found ? found.report : undefined;
          return (
            <tr key={r.round} data-testid="round-row" data-round={r.round}>
              <td>{r.round}</td>
              <td data-testid="round-metric" data-metric={r.result.metric.toString()}>
                {metric.toFixed(4)}
              </td>
              <td>{amount(r.result.reward.toString(), decimals)}</td>
              <td>{r.result.acceptedCount}</td>
              <td>
                <div>
                  model <GatewayLink cid={cidFromBytes(r.result.globalModelCid).toString()} />
                </div>
                <div>
                  report{" "}
                  {found && "ref" in found ? (
                    <GatewayLink cid={found.ref.cid} />
                  ) : (
                    <span className="muted" data-testid="report-missing">
                      {found && "error" in found ? found.error : "loading…"}
                    </span>
                  )}
                </div>
              </td>
              <td>
                {report ? (
                  <ul style={{ margin: 0, paddingLeft: "1rem" }}>
                    {report.updates.map((u) => (
                      <li
                        key={u.participant + u.cid}
                        data-testid="verdict"
                        data-participant={u.participant}
                        data-verdict={u.accepted ? "accepted" : "rejected"}
                      >
                        <a href={explorer("address", u.participant)} target="_blank" rel="noreferrer">
                          {short(u.participant)}
                        </a>{" "}
                        {u.accepted ? (
                          <span className="ok">
                            accepted: reward {amount(u.reward, decimals)} tokens for {u.samples.toLocaleString("en-US")}{" "}
                            samples
                          </span>
                        ) : (
                          <span className="bad">rejected: {reasonInWords(u.reason, u.detail)}</span>
                        )}
                      </li>
                    ))}
                    {report.slashes.map((s, k) => (
                      <li key={`slash-${k}`} data-testid="slash" data-participant={s.participant}>
                        <span className="bad">
                          slashed {short(s.participant)} {amount(s.amount, decimals)}: {reasonInWords(s.reason)}
                        </span>
                        {/* the evidence CID is in the participantSlashed event, shown with the transactions below */}
                      </li>
                    ))}
                  </ul>
                ) : null}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

function OwnerActions({ pool, now, decimals }: { pool: PoolRow; now: number; decimals?: number }) {
  const { publicKey } = useWallet();
  const actions = usePoolActions(pool);
  const [fund, setFund] = useState("");
  const [fundError, setFundError] = useState<string>();
  const a = pool.account;
  const isCreator = publicKey?.equals(a.creator) ?? false;
  const s = scheduleOf(a);
  const active = a.status === PoolStatus.Active;
  const claimEnd = n(a.endedAt) + s.claimWindow;
  const cancel = !isCreator
    ? "only the creator may cancel"
    : !active
      ? "the pool is no longer active"
      : a.roundsPosted > 0
        ? "a round has been posted"
        : undefined;
  const finalize =
    a.status === PoolStatus.Cancelled
      ? undefined
      : a.status === PoolStatus.Finalized
        ? "already finalized"
        : active
          ? "the pool is still running"
          : now <= claimEnd
            ? `the claim window is open until ${when(claimEnd)}`
            : undefined;
  const expire = !active
    ? "the pool is not active"
    : now <= s.postDeadline(a.roundsPosted + 1)
      ? `round ${a.roundsPosted + 1} may still be posted until ${when(s.postDeadline(a.roundsPosted + 1))}`
      : undefined;
  const canFund = isCreator && active;
  const title = <h2 id="owner-title">Pool actions</h2>;
  if (!publicKey)
    return (
      <section className="panel" aria-labelledby="owner-title" data-testid="owner-actions">
        {title}
        <p className="muted" data-testid="owner-actions-none">
          Connect a wallet to fund, cancel, finalize or expire this pool.
        </p>
      </section>
    );
  if (!canFund && cancel && finalize && expire) {
    // Nothing open to this wallet now: say when the next action (open to anyone) becomes possible.
    const why = active
      ? `Nothing to do now: ${expire}; after that anyone may expire the pool.`
      : a.status === PoolStatus.Finalized
        ? "Nothing to do: the pool is finalized."
        : `Nothing to do now: ${finalize}; after that anyone may finalize the pool.`;
    return (
      <section className="panel" aria-labelledby="owner-title" data-testid="owner-actions">
        {title}
        <p className="muted" data-testid="owner-actions-none">
          {why}
        </p>
      </section>
    );
  }
  return (
    <section className="panel" aria-labelledby="owner-title" data-testid="owner-actions">
      {title}
      {canFund ? (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (decimals === undefined) return;
            try {
              setFundError(undefined);
              const v = parseAmount(fund, decimals);
              if (v === 0n) throw new Error("must be more than 0");
              void actions.fund(v).catch(() => {});
            } catch (err) {
              setFundError(`Amount ${(err as Error).message}`);
            }
          }}
        >
          <label htmlFor="fund-amount">Fund more (reward tokens)</label>
          <input
            id="fund-amount"
            name="fund"
            value={fund}
            onChange={(e) => setFund(e.target.value)}
            aria-describedby="fund-why"
            data-testid="fund-amount"
          />
          <button type="submit" data-testid="fund-submit">
            Fund
          </button>
          <span id="fund-why" className="muted">
            {" "}
            {fundError ?? ""}
          </span>
        </form>
      ) : null}
      {cancel ? null : (
        <p>
          <button
            type="button"
            onClick={() => void actions.refund("cancel").catch(() => {})}
            data-testid="cancel-submit"
          >
            Cancel pool
          </button>{" "}
          <span className="muted">refunds the whole reward to the creator</span>
        </p>
      )}
      {finalize ? null : (
        <p>
          <button
            type="button"
            onClick={() => void actions.refund("finalize").catch(() => {})}
            data-testid="finalize-submit"
          >
            Finalize pool
          </button>{" "}
          <span className="muted">sends what is left in escrow to the creator</span>
        </p>
      )}
      {expire ? null : (
        <p>
          <button
            type="button"
            onClick={() => void actions.refund("expire").catch(() => {})}
            data-testid="expire-submit"
          >
            Expire pool
          </button>{" "}
          <span className="muted">the aggregator missed a deadline: refund the unallocated reward</span>
        </p>
      )}
    </section>
  );
}

function ParticipantPanel({
  pool,
  now,
  decimals,
  freezeAuthority,
  rounds,
  reports,
}: {
  pool: PoolRow;
  now: number;
  decimals?: number;
  freezeAuthority: PublicKey | null | undefined;
  rounds: RoundRow[];
  reports: (FoundReport | undefined)[];
}) {
  const { publicKey } = useWallet();
  const me = useMyParticipant(pool.address, publicKey);
  const actions = usePoolActions(pool);
  const [stake, setStake] = useState(decimals !== undefined ? formatAmount(pool.summary.minStake, decimals) : "");
  const [stakeError, setStakeError] = useState<string>();
  const a = pool.account;
  const s = scheduleOf(a);
  const active = a.status === PoolStatus.Active;
  const claimEnd = n(a.endedAt) + s.claimWindow;
  const claimOpen =
    active || (a.status !== PoolStatus.Cancelled && a.status !== PoolStatus.Finalized && now <= claimEnd);
  if (!publicKey)
    return (
      <section className="panel">
        <h2>Participate</h2>
        <p>Connect a wallet to join, claim or withdraw.</p>
      </section>
    );
  const p = me.data;
  if (p === undefined) return null;
  if (p === null) {
    const why = !active
      ? "the pool is no longer active"
      : now >= s.joinDeadline
        ? "the join window has closed"
        : a.participantCount >= a.maxParticipants
          ? "the pool is full"
          : undefined;
    if (why)
      return (
        <section className="panel" aria-labelledby="join-title">
          <h2 id="join-title">Participate</h2>
          <p className="muted">Joining is closed: {why}.</p>
        </section>
      );
    return (
      <section className="panel" aria-labelledby="join-title">
        <h2 id="join-title">Join this pool</h2>
        <dl className="kv">
          <dt>Minimum stake</dt>
          <dd>{amount(pool.summary.minStake, decimals)}</dd>
          <dt>Locked until</dt>
          <dd>
            the pool ends (after round {a.numRounds}, {when(s.roundDeadline(a.numRounds))} at the earliest) — withdraw
            then
          </dd>
          <dt>Slash limit</dt>
          <dd>up to {(a.slashLimitBps / 100).toFixed(2)}% of your stake for a provably bad update</dd>
          <dt>Token freeze risk</dt>
          <dd data-testid="freeze-risk">
            {freezeAuthority === undefined ? (
              "…"
            ) : freezeAuthority === null ? (
              "none: the mint has no freeze authority"
            ) : (
              <span className="bad">
                the mint's freeze authority {short(freezeAuthority.toBase58())} can freeze your token account, including
                payouts
              </span>
            )}
          </dd>
        </dl>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (decimals === undefined) return;
            let v: bigint;
            try {
              v = parseAmount(stake, decimals);
            } catch (err) {
              setStakeError(`Stake ${(err as Error).message}`);
              return;
            }
            if (v < BigInt(pool.summary.minStake) || v === 0n) {
              setStakeError(`Stake ${stake} is below the pool's minimum of ${amount(pool.summary.minStake, decimals)}`);
              return;
            }
            setStakeError(undefined);
            void actions.join(v).catch(() => {});
          }}
        >
          <Field id="join-stake" label="Stake">
            <input
              id="join-stake"
              name="stake"
              value={stake}
              onChange={(e) => setStake(e.target.value)}
              data-testid="join-stake"
              aria-describedby="join-stake-error"
              aria-invalid={!!stakeError}
            />
            <div
              id="join-stake-error"
              className="field-error"
              data-testid="field-error-stake"
              role={stakeError ? "alert" : undefined}
            >
              {stakeError ?? ""}
            </div>
          </Field>
          <button type="submit" data-testid="join-submit">
            Join with this stake
          </button>
        </form>
      </section>
    );
  }
  const claimable = claimOpen
    ? rounds.flatMap((r, i) => {
        const f = reports[i];
        const report = f && "report" in f ? f.report : undefined;
        return report &&
          !hasClaimed(p, r.round) &&
          report.rewards.leaves.some((l) => l.participant === publicKey.toBase58() && l.reward !== "0")
          ? [{ round: r, report }]
          : [];
      })
    : [];
  const withdrawn = p.status === ParticipantStatus.Withdrawn;
  // The stake left (slashes already taken off it on chain).
  const left = withdrawn ? 0n : BigInt(p.stake.toString());
  // Once the pool is finalized, withdrawing also closes this wallet's accounts (their rent comes back).
  const finalized = a.status === PoolStatus.Finalized;
  const withdrawWhy = finalized
    ? undefined
    : withdrawn
      ? "already withdrawn"
      : active
        ? "the stake is locked while the pool runs"
        : left <= 0n
          ? "nothing left to withdraw"
          : undefined;
  return (
    <section className="panel" aria-labelledby="me-title" data-testid="participant-panel">
      <h2 id="me-title">Your participation</h2>
      <dl className="kv">
        <dt>Stake</dt>
        <dd data-testid="my-stake">{amount(p.stake.toString(), decimals)}</dd>
        <dt>Slashed</dt>
        <dd data-testid="my-slashed">{amount(p.slashed.toString(), decimals)}</dd>
        <dt>Status</dt>
        <dd>{withdrawn ? "withdrawn" : "active"}</dd>
        <dt>Commitments</dt>
        <dd data-testid="my-commits">
          {p.commitCount === 0 ? "none yet" : `${p.commitCount} (last in round ${p.lastCommittedRound})`}
        </dd>
      </dl>
      <h3>Rewards</h3>
      {claimable.length > 1 ? (
        <p>
          <button
            type="button"
            data-testid="claim-all"
            onClick={() =>
              void (async () => {
                for (const c of claimable) await actions.claim(c.round, c.report);
              })().catch(() => {})
            }
          >
            Claim all {claimable.length} rounds
          </button>
        </p>
      ) : null}
      {rounds.length === 0 ? (
        <p className="muted">No round posted yet.</p>
      ) : (
        <ul>
          {rounds.map((r, i) => {
            const f = reports[i];
            const report: RoundReport | undefined = f && "report" in f ? f.report : undefined;
            const leaf = report?.rewards.leaves.find((l) => l.participant === publicKey.toBase58());
            const mine = report?.updates.find((u) => u.participant === publicKey.toBase58());
            // The round's outcome for this wallet, from the report: accepted, rejected (why) or missed.
            const outcome = !report
              ? undefined
              : !mine
                ? "missed: no update of yours in this round"
                : mine.accepted
                  ? "accepted"
                  : `rejected: ${reasonInWords(mine.reason, mine.detail)}`;
            const claimed = hasClaimed(p, r.round);
            const why = claimed
              ? "claimed"
              : !report
                ? f && "error" in f
                  ? f.error
                  : "report loading…"
                : !leaf
                  ? "no reward for you in this round"
                  : !claimOpen
                    ? "the claim window is closed"
                    : undefined;
            return (
              <li key={r.round} data-testid="my-round" data-round={r.round} data-claimed={claimed}>
                Round {r.round}: {leaf ? amount(leaf.reward, decimals) : "—"}{" "}
                <button
                  type="button"
                  disabled={!!why && !claimed}
                  onClick={() => report && void actions.claim(r, report).catch(() => {})}
                  data-testid={`claim-round-${r.round}`}
                >
                  Claim
                </button>{" "}
                <span className="muted">{why ?? "claimable"}</span>
                {outcome ? (
                  <>
                    {" "}
                    <span className={mine?.accepted ? "ok" : "bad"} data-testid="my-outcome">
                      {outcome}
                    </span>
                  </>
                ) : null}
              </li>
            );
          })}
        </ul>
      )}
      <p>
        <button
          type="button"
          disabled={!!withdrawWhy}
          onClick={() => void actions.withdraw().catch(() => {})}
          data-testid="withdraw-submit"
        >
          Withdraw stake
        </button>{" "}
        <span className="muted">
          {withdrawWhy ??
            (finalized
              ? `returns ${left > 0n ? `${amount(left, decimals)} and ` : ""}the rent of your accounts`
              : `returns ${amount(left, decimals)}`)}
        </span>
      </p>
    </section>
  );
}

export function PoolPage({ address }: { address: string }) {
  const key = parseAddress(address);
  const pool = usePool(key);
  const now = useChainTime();
  const p = pool.data;
  const rounds = useRounds(p);
  const participants = useParticipants(p);
  const mint = useMint(p?.account.mint);
  const vaults = usePoolVaults(key);
  const history = usePoolEvents(key);
  const job = useJobRequest(p?.summary.jobId);
  const aggregatorNostr = job.data?.job.aggregator;
  const live = p?.account.status === PoolStatus.Active;
  const feedback = useAggregatorFeedback(p?.summary.jobId, aggregatorNostr, live);
  const relays = useRelayStatus();
  const roundList = useMemo(() => rounds.data ?? [], [rounds.data]);
  const reportQs = useRoundReports(p?.summary.address, roundList);
  const reports = reportQs.map((q) => q.data);
  const explorer = useExplorer();
  const { config } = useSettings();
  const metricName = "accuracy";
  // biome-ignore lint/correctness/useExhaustiveDependencies: recomputed when the reports' metrics change, not on every new reports array
  const points = useMemo(
    () =>
      roundList.map((r, i) => {
        const f = reports[i];
        const loss = f && "report" in f ? f.report.metrics.loss : undefined;
        return { round: r.round, metric: n(r.result.metric) / 1e6, ...(loss !== undefined ? { loss } : {}) };
      }),
    [roundList, JSON.stringify(reports.map((r) => (r && "report" in r ? r.report.metrics : null)))],
  );

  if (!key)
    return (
      <section>
        <h1>Pool</h1>
        <p role="alert" data-testid="pool-not-found">
          {JSON.stringify(address)} is not a Solana address.
        </p>
      </section>
    );
  if (pool.error) return <QueryError error={pool.error} what="the pool" />;
  if (pool.isLoading || now === undefined) return <p className="muted">Loading pool…</p>;
  if (!p)
    return (
      <section>
        <h1>Pool</h1>
        <p role="alert" data-testid="pool-not-found">
          No fedstr pool at {address} on {config.cluster}.
        </p>
      </section>
    );
  const s = p.summary,
    a = p.account,
    dec = mint.data?.decimals;
  const ph = phaseOf(a, now);
  const left = BigInt(s.funded) - BigInt(s.claimed) - BigInt(s.refunded);
  const heard = (feedback.data?.heard ?? 0) > 0;
  return (
    <article aria-labelledby="pool-title" data-testid="pool-page" data-pool={s.address}>
      <h1 id="pool-title">Pool {short(s.address, 6)}</h1>
      <p>
        <span className={`badge ${ph.filter}`} data-testid="pool-phase">
          {ph.label}
        </span>
        {ph.deadline ? (
          <span data-testid="pool-deadline">
            {" "}
            — {ph.deadline.what}: {until(ph.deadline.at, now)} (chain clock)
          </span>
        ) : null}
      </p>
      <Timeline pool={p} now={now} />
      {/* Only while a relay is reachable: with none, the relay banner says why nothing is heard. */}
      {live && job.data && relays.anyConnected && !heard && !feedback.isLoading ? (
        <p role="status" className="warn" data-testid="aggregator-warning">
          No word from the aggregator ({short(job.data.job.aggregator, 8)}) on the relays yet: until it runs, rounds are
          not posted. Start it with the command below.
        </p>
      ) : null}
      {job.data === null ? (
        <p role="status" className="warn" data-testid="job-missing">
          The job request {short(s.jobId, 8)} is not on the configured relays.
        </p>
      ) : null}
      <section className="panel" aria-labelledby="terms-title">
        <h2 id="terms-title">Terms and balances</h2>
        <dl className="kv">
          <dt>Address</dt>
          <dd>
            <a href={explorer("address", s.address)} target="_blank" rel="noreferrer">
              {s.address}
            </a>
          </dd>
          <dt>Creator</dt>
          <dd>{s.creator}</dd>
          <dt>Aggregator</dt>
          <dd>
            {s.aggregator}
            {aggregatorNostr ? ` (nostr ${aggregatorNostr})` : ""}
          </dd>
          <dt>Mint</dt>
          <dd>
            {s.mint}
            {mint.data
              ? ` (${mint.data.decimals} decimals${mint.data.freezeAuthority ? ", has a freeze authority" : ""})`
              : ""}
          </dd>
          <dt>Reward escrowed / paid / left</dt>
          <dd data-testid="pool-reward">
            {amount(s.funded, dec)} / {amount(s.claimed, dec)} / {amount(left, dec)} (allocated to rounds{" "}
            {amount(s.allocated, dec)}, refunded {amount(s.refunded, dec)})
          </dd>
          <dt>Escrow balance</dt>
          <dd data-testid="escrow-balance">
            {vaults.escrowBalance.data == null ? "…" : amount(vaults.escrowBalance.data, dec)}
          </dd>
          <dt>Stake vault balance</dt>
          <dd data-testid="vault-balance">
            {vaults.vaultBalance.data == null ? "…" : amount(vaults.vaultBalance.data, dec)} (staked{" "}
            {amount(s.staked, dec)}, slashed {amount(s.slashed, dec)})
          </dd>
          <dt>Stake required</dt>
          <dd>{amount(s.minStake, dec)}</dd>
          <dt>Seats</dt>
          <dd>
            {s.participants} / {s.maxParticipants}
          </dd>
          <dt>Rounds</dt>
          <dd>
            {s.roundsPosted} / {s.rounds}, {duration(s.roundSeconds)} each, grace {duration(s.gracePeriod)}, claim
            window {duration(s.claimWindow)}
          </dd>
          <dt>Joins close</dt>
          <dd>{when(s.joinDeadline)}</dd>
          <dt>Ends</dt>
          <dd>{when(s.endDeadline)}</dd>
          <dt>Slash limit</dt>
          <dd>{(s.slashLimitBps / 100).toFixed(2)}% of a stake</dd>
          <dt>Privacy</dt>
          <dd data-testid="pool-privacy">
            {job.data
              ? PRIVACY_SUMMARY[job.data.job.privacy]
              : job.data === null
                ? "unknown (the job request is not on the relays)"
                : "…"}
          </dd>
          <dt>Plan / initial model</dt>
          <dd>
            <GatewayLink cid={s.planCid} /> / <GatewayLink cid={s.initialModelCid} />
          </dd>
          <dt>Job request</dt>
          <dd>{s.jobId}</dd>
        </dl>
      </section>
      <section aria-labelledby="rounds-title">
        <h2 id="rounds-title">Rounds</h2>
        {roundList.length > 0 ? <MetricChart points={points} metricName={metricName} /> : null}
        <RoundRows rounds={roundList} reports={reports} decimals={dec} metricName={metricName} />
      </section>
      <ParticipantPanel
        pool={p}
        now={now}
        decimals={dec}
        freezeAuthority={mint.data?.freezeAuthority}
        rounds={roundList}
        reports={reports}
      />
      <TrainPanel pool={p} now={now} rounds={roundList} reports={reports} decimals={dec} />
      <section className="panel" aria-labelledby="cmd-title">
        <h2 id="cmd-title">Commands</h2>
        <p>
          Participants train in this page (after joining) or with the CLI (after joining here or with{" "}
          <code>fedstr join</code>):
        </p>
        <CopyBlock
          label="fedstr train command"
          testId="train-command"
          text={`fedstr train ${s.address} --data <your-data.csv|.jsonl>`}
        />
        <p>The aggregator (the wallet {short(s.aggregator)}) serves the pool with:</p>
        <CopyBlock
          label="fedstr-aggregator run command"
          testId="aggregator-command"
          text={`fedstr-aggregator run --pool ${s.address} --holdout <holdout.csv|.jsonl>`}
        />
      </section>
      <OwnerActions pool={p} now={now} decimals={dec} />
      <section aria-labelledby="participants-title">
        <h2 id="participants-title">Participants</h2>
        {(participants.data ?? []).length === 0 ? (
          <p className="muted">Nobody has joined yet.</p>
        ) : (
          <table>
            <TableHead caption="Participants" columns={["Wallet", "Stake", "Slashed", "Status"]} />
            <tbody>
              {participants.data!.map((x) => (
                <tr
                  key={x.address.toBase58()}
                  data-testid="participant-row"
                  data-participant={x.account.authority.toBase58()}
                >
                  <td>{short(x.account.authority.toBase58())}</td>
                  <td>{amount(x.account.stake.toString(), dec)}</td>
                  <td>{amount(x.account.slashed.toString(), dec)}</td>
                  <td>{x.account.status === ParticipantStatus.Withdrawn ? "withdrawn" : "active"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <section aria-labelledby="history-title">
        <h2 id="history-title">Transactions</h2>
        {(history.data ?? []).length === 0 ? (
          <p className="muted">None yet.</p>
        ) : (
          <ul data-testid="history">
            {history.data!.map((h) => (
              <li key={h.signature} data-testid="history-entry" data-events={h.events.map((e) => e.name).join(",")}>
                <a href={explorer("tx", h.signature)} target="_blank" rel="noreferrer">
                  {short(h.signature, 8)}
                </a>{" "}
                {h.blockTime ? when(h.blockTime) : ""} {h.failed ? <span className="bad">failed</span> : null}{" "}
                {h.events.map((e, k) => (
                  <span key={k}>
                    {e.name}
                    {e.name === "participantSlashed" ? (
                      <>
                        {" "}
                        of {short(e.data.participant.toBase58())} in round {e.data.round},{" "}
                        {amount(e.data.amount.toString(), dec)}, evidence{" "}
                        <span data-testid="slash-evidence">
                          <GatewayLink cid={cidFromBytes(Uint8Array.from(e.data.evidenceCid)).toString()} />
                        </span>
                      </>
                    ) : null}
                    {k < h.events.length - 1 ? ", " : ""}
                  </span>
                ))}
              </li>
            ))}
          </ul>
        )}
      </section>
    </article>
  );
}
