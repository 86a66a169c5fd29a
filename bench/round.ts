/**
 * Round load benchmark: N participants driven from this process doing the real protocol on the
 * real localnet (Surfpool + fedstr program, embedded relay and IPFS node), the real
 * `fedstr-aggregator run` process running the rounds (tests/support/load-round.ts).
 *
 *   npm run bench:round -- --participants 10,100,1000 [--rounds 1] [--strategy fedavg|multi-krum]
 *                          [--misbehave 0.1] [--late 0.05] [--train] [--concurrency 16] [--json]
 *
 * Per N: round overhead (chain clock at the deadline — or the last result in — → round posted)
 * split into the aggregator's phases, its peak RSS, the report size, feedback events, relay
 * events/s, transactions and lamports per round (aggregator) and per participant-round, claim and
 * join throughput, funds reconciliation. The smallest N is the same-run baseline. Targets (N =
 * 1,000 on a 2-core machine): overhead ≤ 15 s, aggregator peak RSS ≤ 512 MiB, aggregator
 * transactions per round = 1 + slashes. Last line: one JSON object; a missed target says by how much.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { startLocalnet } from "../localnet/index.js";
import { LOAD_WALLETS, runLoadRounds } from "../tests/support/load-round.js";

const { values } = parseArgs({
  options: {
    participants: { type: "string", default: "10,100" },
    rounds: { type: "string", default: "1" },
    strategy: { type: "string", default: "fedavg" },
    misbehave: { type: "string", default: "0.1" },
    late: { type: "string", default: "0.05" },
    train: { type: "boolean", default: false },
    concurrency: { type: "string", default: "16" },
    json: { type: "boolean", default: false },
    verbose: { type: "boolean", default: false },
  },
});
const sizes = values.participants
  .split(",")
  .map(Number)
  .sort((a, b) => a - b);
if (sizes.some((n) => !Number.isSafeInteger(n) || n < 3 || n > 5000))
  throw new Error(`--participants must be integers from 3 to 5000, got ${values.participants}`);
const rounds = Number(values.rounds);
if (!Number.isSafeInteger(rounds) || rounds < 1 || rounds > 20)
  throw new Error(`--rounds must be an integer from 1 to 20, got ${values.rounds}`);
if (values.strategy !== "fedavg" && values.strategy !== "multi-krum")
  throw new Error(`--strategy must be fedavg or multi-krum, got ${values.strategy}`);
const misbehave = Number(values.misbehave),
  late = Number(values.late),
  concurrency = Number(values.concurrency);
if (!(misbehave >= 0 && misbehave < 1) || !(late >= 0 && late < 1))
  throw new Error("--misbehave and --late are fractions in [0, 1)");
if (!Number.isSafeInteger(concurrency) || concurrency < 1 || concurrency > 256)
  throw new Error(`--concurrency must be an integer from 1 to 256, got ${values.concurrency}`);
if (values.train && Math.max(...sizes) > 20)
  throw new Error("--train is for small N (≤ 20): real training of every participant runs in this one process");
const say = (l: string) => process.stderr.write(`${l}\n`);

const TARGET = { overheadMs: 15_000, peakRssMiB: 512 };
const rows = [];
for (const n of sizes) {
  const dir = mkdtempSync(join(tmpdir(), "fedstr-bench-round-"));
  say(`N = ${n}: starting the localnet (${n} participant wallets funded by cheatcode)…`);
  const net = await startLocalnet({
    dir: join(dir, "localnet"),
    slotTimeMs: 100,
    ...(values.verbose
      ? {
          onLog: (l: string) => {
            if (!l.startsWith("[localnet]")) say(l);
          },
        }
      : {}),
    wallets: LOAD_WALLETS,
    solPerWallet: Math.max(1000, n * 0.2),
  });
  const loadBefore = loadavg()[0]!;
  try {
    const r = await runLoadRounds(net, {
      participants: n,
      rounds,
      strategy: values.strategy,
      misbehave,
      late,
      train: values.train,
      concurrency,
      ...(values.verbose
        ? { log: say }
        : {
            log: (l) => {
              if (!l.startsWith("[aggregator]")) say(`  ${l}`);
            },
          }),
    });
    const kinds = r.behaviours;
    const count = (b: string) => kinds.filter((k) => k === b).length;
    const honest = count("honest");
    const rr = r.rounds;
    const maxOf = (f: (x: (typeof rr)[number]) => number) => Math.max(...rr.map(f));
    const row = {
      n,
      strategy: values.strategy,
      rounds,
      behaviours: { honest, hash: count("hash"), nan: count("nan"), silent: count("silent"), late: count("late") },
      overheadMs: maxOf((x) => x.overheadMs),
      phases: rr.at(-1)!.phases,
      peakRssMiB: Math.round(r.peakRssKb / 102.4) / 10,
      memoryMiBAt: rr.at(-1)!.memoryMiB,
      reportBytes: maxOf((x) => x.reportBytes),
      feedbackEvents: maxOf((x) => x.feedbackEvents),
      resultEventsPerSec: Math.min(...rr.map((x) => x.resultEventsPerSec)),
      aggregatorTxsPerRound: maxOf((x) => x.aggregatorTxs),
      aggregatorSlashTxsPerRound: maxOf((x) => x.aggregatorSlashTxs),
      aggregatorLamportsPerRound: maxOf((x) => x.aggregatorLamports),
      participant: {
        txsPerRound: 2,
        joinTxs: 1,
        joinFeeLamports: r.joinFeeLamports,
        participantRentLamports: r.participantRentLamports,
        commitFeeLamports: rr[0]!.commitFeeLamports,
        commitRentLamports: rr[0]!.commitRentLamports,
        claimFeeLamports: rr[0]!.claimFeeLamports,
        perRoundLamports: rr[0]!.commitFeeLamports + rr[0]!.claimFeeLamports,
        perRoundRentLockedLamports: rr[0]!.commitRentLamports,
        rentBack: `at the claim (close_commitment in the claim transaction, as fedstr claim and the web app send it), once the round is posted: ${r.rentBackAfterSec} chain s after the first commit in this run; ${rr[0]!.commitmentsClosedAtClaim}/${rr[0]!.claimed} claimers' commitments closed`,
      },
      joinsPerSec: r.joinsPerSec,
      commitsPerSec: Math.min(...rr.map((x) => x.commitsPerSec)),
      claimsPerSec: Math.min(...rr.map((x) => x.claimsPerSec)),
      // The silent ones committed on chain: their updates are taken from the chain and paid like the honest.
      honestAcceptedAndPaid: rr.every(
        (x) => x.claimed === honest + count("silent") && x.accepted.length === honest + count("silent"),
      ),
      cheatsRejected: rr.every((x) => x.rejected.length === count("hash") + count("nan")),
      hashCheatsSlashed: rr[0]!.slashed.length === count("hash"),
      lateRefused: rr[0]!.lateRefused,
      fundsReconciled: r.reconcile.ok && rr.every((x) => x.claimedTotal === x.reportReward),
      reconcile: r.reconcile,
      exitCode: r.exitCode,
      // The machine is shared: the 1-minute load average before and after says how much the timings are worth.
      loadAverage: { before: Math.round(loadBefore * 10) / 10, after: Math.round(loadavg()[0]! * 10) / 10 },
    };
    rows.push(row);
    say(
      `N = ${n}: overhead ${row.overheadMs} ms ${JSON.stringify(row.phases)}; peak RSS ${row.peakRssMiB} MiB; report ${row.reportBytes} B; ${row.aggregatorTxsPerRound} aggregator txs/round (${row.aggregatorSlashTxsPerRound} slashes); joins ${row.joinsPerSec}/s, claims ${row.claimsPerSec}/s; reconciled ${row.fundsReconciled}`,
    );
    await r.org.close().catch(() => undefined);
  } finally {
    await net.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const base = rows[0]!;
const rel = (x: number, b: number) => (b > 0 ? `${(x / b).toFixed(1)}×` : "—");
say("");
say(`strategy ${values.strategy}, ${rounds} round(s), misbehave ${misbehave}, late ${late}; baseline N = ${base.n}`);
say(
  "     N   overhead ms (vs base)   collect  fetch+verify  aggregate  slash  evaluate  upload  announce  post  feedback   RSS MiB (vs base)   report B   agg tx/round   claims/s  joins/s",
);
for (const r of rows) {
  const p = r.phases;
  say(
    `${String(r.n).padStart(6)}   ${`${r.overheadMs} (${rel(r.overheadMs, base.overheadMs)})`.padStart(20)}   ${String(p.collect).padStart(7)}  ${String(p.fetchVerify).padStart(12)}  ${String(p.aggregate).padStart(9)}  ${String(p.slash).padStart(5)}  ${String(p.evaluate).padStart(8)}  ${String(p.upload).padStart(6)}  ${String(p.announce).padStart(8)}  ${String(p.post).padStart(4)}  ${String(p.feedback).padStart(8)}   ${`${r.peakRssMiB} (${rel(r.peakRssMiB, base.peakRssMiB)})`.padStart(17)}   ${String(r.reportBytes).padStart(8)}   ${String(r.aggregatorTxsPerRound).padStart(12)}   ${String(r.claimsPerSec).padStart(8)}  ${String(r.joinsPerSec).padStart(7)}`,
  );
}
const largest = rows.at(-1)!;
const targets = {
  n: largest.n,
  overheadMs: {
    target: TARGET.overheadMs,
    measured: largest.overheadMs,
    met: largest.overheadMs <= TARGET.overheadMs,
    ...(largest.overheadMs > TARGET.overheadMs ? { missedByMs: largest.overheadMs - TARGET.overheadMs } : {}),
  },
  peakRssMiB: {
    target: TARGET.peakRssMiB,
    measured: largest.peakRssMiB,
    met: largest.peakRssMiB <= TARGET.peakRssMiB,
    ...(largest.peakRssMiB > TARGET.peakRssMiB
      ? { missedByMiB: Math.round((largest.peakRssMiB - TARGET.peakRssMiB) * 10) / 10 }
      : {}),
  },
  aggregatorTxsPerRound: {
    target: "1 + slashes",
    measured: largest.aggregatorTxsPerRound,
    met: rows.every((r) => r.aggregatorTxsPerRound === 1 + r.aggregatorSlashTxsPerRound),
  },
  correctness: {
    met: rows.every((r) => r.honestAcceptedAndPaid && r.cheatsRejected && r.hashCheatsSlashed && r.fundsReconciled),
  },
};
say(`targets at N = ${largest.n}: ${JSON.stringify(targets)}`);
console.log(
  JSON.stringify({
    bench: "round",
    strategy: values.strategy,
    rounds,
    misbehave,
    late,
    baselineN: base.n,
    rows,
    targets,
  }),
);
