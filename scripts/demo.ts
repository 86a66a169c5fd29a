/**
 * The main job, end to end on the embedded local network:
 *
 *   npm run demo -- [--participants 5] [--rounds 5] [--round-seconds 20] [--seed 1] [--alpha 0.5]
 *                   [--out .fedstr/demo] [--json]
 *
 * Starts the localnet (Solana RPC with the real program, Nostr relay, IPFS node); an organization
 * creates and funds a pool for an MLP on the real handwritten digits; N participants — separate
 * processes running the real `fedstr` client — join with a stake and train on non-IID shards; the
 * aggregator — a separate `fedstr-aggregator` process — posts every round; participants claim and
 * withdraw; the pool is finalized. Prints a per-round table, writes an accuracy chart (SVG) and with
 * --json ends with one JSON object whose funds reconciliation must balance to the token unit.
 */

import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { type AddressInfo, createServer } from "node:net";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { openSession, toJson } from "@fedstr/sdk/cli";
import { loadConfig } from "@fedstr/sdk/config";
import {
  digitsPlan,
  encode,
  hash,
  initialWeights,
  loadDigits,
  loadTf,
  partitionDirichlet,
  saveJsonl,
  toHex,
  trainTestSplit,
} from "@fedstr/sdk/fl";
import { chainTime, scheduleOf } from "@fedstr/sdk/job";
import { fetchPool, findEscrowAddress, findStakeVaultAddress } from "@fedstr/sdk/program";
import { getAssociatedTokenAddressSync } from "@solana/spl-token";
import { PublicKey } from "@solana/web3.js";
import { startLocalnet } from "../localnet/index.js";
import { REPO_ROOT, type RunningActor, runJson, spawnJsonLines } from "./lib/actors.js";
import { lineChartSvg } from "./lib/chart.js";

const { values: a } = parseArgs({
  options: {
    participants: { type: "string", default: "5" },
    rounds: { type: "string", default: "5" },
    "round-seconds": { type: "string", default: "20" },
    seed: { type: "string", default: "1" },
    alpha: { type: "string", default: "0.5" },
    privacy: { type: "string", default: "sealed" },
    out: { type: "string", default: ".fedstr/demo" },
    json: { type: "boolean", default: false },
    ui: { type: "boolean", default: false },
    help: { type: "boolean", short: "h", default: false },
  },
});
if (a.help) {
  process.stdout.write(
    "npm run demo -- [--participants 5] [--rounds 5] [--round-seconds 20] [--seed 1] [--alpha 0.5] [--out .fedstr/demo] [--privacy sealed|public] [--json] [--ui]\n  --privacy  sealed (default): updates are encrypted to the aggregator's round keys; public: readable by anyone\n  --ui  afterwards keep the local network running and serve the web app on loopback with the demo's pool\n",
  );
  process.exit(0);
}
function usage(msg: string): never {
  process.stderr.write(`demo: ${msg}\n`);
  process.exit(2);
}
const int = (name: string, min: number, max: number) => {
  const v = a[name as keyof typeof a] as string,
    n = Number(v);
  if (!/^[0-9]+$/.test(v) || n < min || n > max)
    usage(`--${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(v)}`);
  return n;
};
const N = int("participants", 1, 20),
  ROUNDS = int("rounds", 1, 50),
  ROUND_SECONDS = int("round-seconds", 5, 3600),
  SEED = int("seed", 0, 2 ** 31);
const ALPHA = Number(a.alpha);
if (!(ALPHA > 0)) usage(`--alpha must be a number > 0, got ${JSON.stringify(a.alpha)}`);
const OUT = resolve(REPO_ROOT, a.out!);
const PRIVACY = a.privacy!;
if (PRIVACY !== "sealed" && PRIVACY !== "public")
  usage(`--privacy must be sealed or public, got ${JSON.stringify(PRIVACY)}`);
// Every participant process must start, join and be ready to train before round 1 opens; on a
// busy 2-core machine five of them need ~30 s for that (Node + TensorFlow.js start-up, data load).
const JOIN_SECONDS = 25 + 3 * N;
const CLAIM_SECONDS = 60; // the program's minimum claim window; the demo moves the chain clock past it
const REWARD = "1000",
  STAKE = "10"; // tokens (the localnet mint has 6 decimals)

const t0 = Date.now();
const say = (m: string) => process.stderr.write(`[demo ${((Date.now() - t0) / 1000).toFixed(0).padStart(3)}s] ${m}\n`);
const names = Array.from({ length: N }, (_, i) => `participant-${i + 1}`);

// ---- local network ------------------------------------------------------------------------
rmSync(OUT, { recursive: true, force: true });
mkdirSync(join(OUT, "data"), { recursive: true });
say("starting the local network (Solana RPC + program, Nostr relay, IPFS node)");
const net = await startLocalnet({
  dir: join(OUT, "localnet"),
  rpcPort: 0,
  relayPort: 0,
  ipfsPort: 0,
  slotTimeMs: 100,
  wallets: ["organization", "aggregator", ...names],
});
let stopping = false;
const actors: RunningActor[] = [];
async function shutdown(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    for (const p of actors) p.kill("SIGTERM");
    await net.stop();
  }
  process.exit(code);
}
process.on("SIGINT", () => void shutdown(130));
process.on("SIGTERM", () => void shutdown(143));
say(`rpc ${net.rpcUrl}  relay ${net.relayUrl}  ipfs ${net.ipfsUrl}  program ${net.programId}`);
const env = { FEDSTR_CONFIG: net.configPath };
const wallet = (name: string) => ["--wallet", net.wallets[name]!.path];
const echo = (who: string) => (line: string) => {
  if (!a.json || process.env.FEDSTR_LOG) process.stderr.write(`  ${who}: ${line}\n`);
};

/** `--ui`: build the web app if needed and serve it on loopback against this local network until Ctrl-C. */
async function serveApp(pool: string): Promise<void> {
  const port = await new Promise<number>((res, rej) => {
    const srv = createServer()
      .once("error", rej)
      .listen(0, "127.0.0.1", () => {
        const p = (srv.address() as AddressInfo).port;
        srv.close(() => res(p));
      });
  });
  const appEnv = { ...process.env, FEDSTR_CONFIG: net.configPath, NEXT_TELEMETRY_DISABLED: "1" };
  const appDir = join(REPO_ROOT, "app");
  // next's own CLI under this node (not npx), so stopping the demo stops the server too.
  const next = createRequire(join(appDir, "package.json")).resolve("next/dist/bin/next");
  if (!existsSync(join(appDir, ".next", "BUILD_ID"))) {
    say("building the web app (next build, once)");
    const b = spawnSync(process.execPath, [next, "build", "--webpack"], {
      cwd: appDir,
      env: appEnv,
      stdio: ["ignore", "inherit", "inherit"],
    });
    if (b.status !== 0) throw new Error(`next build failed (exit ${b.status})`);
  }
  const server = spawn(process.execPath, [next, "start", "-H", "127.0.0.1", "-p", String(port)], {
    cwd: appDir,
    env: appEnv,
    stdio: ["ignore", "inherit", "inherit"],
  });
  actors.push(server as unknown as RunningActor);
  say(`web app: http://127.0.0.1:${port}/pools/${pool} (the local network keeps running; Ctrl-C stops both)`);
  await new Promise<void>((res) => server.once("exit", () => res()));
}

try {
  // ---- data, plan and model (what the organization and the participants bring) ------------
  say("preparing the digits data: non-IID shards per participant, holdout for the aggregator");
  const { tf } = await loadTf();
  const { train, test } = trainTestSplit(loadDigits(), 2000, SEED);
  const shards = partitionDirichlet(train, N, ALPHA, SEED + 41);
  const shardFiles = shards.map((s, i) => {
    const f = join(OUT, "data", `${names[i]}.jsonl`);
    saveJsonl(f, s);
    return f;
  });
  const holdoutFile = join(OUT, "data", "holdout.jsonl");
  saveJsonl(holdoutFile, test);
  const init = await initialWeights(digitsPlan("0".repeat(64)), SEED, tf);
  const plan = digitsPlan(toHex(hash(init)));
  writeFileSync(join(OUT, "plan.json"), JSON.stringify(plan, null, 2));
  writeFileSync(join(OUT, "model.fstw"), encode(init));
  say(`shards: ${shards.map((s) => s.length).join("/")} samples; holdout ${test.length}`);

  // ---- balances before, for the reconciliation ----------------------------------------------
  const config = loadConfig({ config: net.configPath });
  const org = openSession(config, { wallet: net.wallets.organization!.keypair });
  const mint = config.mint!;
  const ata = (owner: PublicKey) => getAssociatedTokenAddressSync(mint, owner);
  const balance = async (account: PublicKey) =>
    BigInt((await org.connection.getTokenAccountBalance(account)).value.amount);
  const actorsAll = ["organization", ...names];
  const before = new Map<string, bigint>();
  for (const n of actorsAll) before.set(n, await balance(ata(net.wallets[n]!.publicKey)));

  // ---- the organization creates and funds the pool ------------------------------------------
  const agg = await runJson<{ wallet: string; nostrPubkey: string }>(
    "fedstr-aggregator",
    ["identity", ...wallet("aggregator")],
    { env },
  );
  // Sealed: the aggregator makes the round keys, the organization puts them into the job request.
  const sealFlags: string[] = [];
  if (PRIVACY === "sealed") {
    const keys = await runJson<{ id: string; keys: string[] }>(
      "fedstr-aggregator",
      ["seal-keys", "--rounds", String(ROUNDS), ...wallet("aggregator")],
      { env },
    );
    writeFileSync(join(OUT, "seal-keys.json"), `${JSON.stringify(keys)}\n`);
    sealFlags.push("--seal-keys", join(OUT, "seal-keys.json"));
  }
  const created = await runJson<{ pool: string; jobId: string }>(
    "fedstr",
    [
      "pool",
      "create",
      "--plan",
      join(OUT, "plan.json"),
      "--model",
      join(OUT, "model.fstw"),
      "--reward",
      REWARD,
      "--min-stake",
      STAKE,
      "--rounds",
      String(ROUNDS),
      "--round-seconds",
      String(ROUND_SECONDS),
      "--join-seconds",
      String(JOIN_SECONDS),
      "--grace-seconds",
      String(ROUND_SECONDS),
      "--claim-seconds",
      String(CLAIM_SECONDS),
      "--max-participants",
      String(N),
      "--aggregator",
      agg.wallet,
      "--aggregator-nostr",
      agg.nostrPubkey,
      "--privacy",
      PRIVACY,
      ...sealFlags,
      "--description",
      `fedstr demo: digits MLP, ${N} participants, ${ROUNDS} rounds of FedAvg`,
      ...wallet("organization"),
    ],
    { env, onStderr: echo("organization") },
  );
  const pool = created.pool;
  say(`pool ${pool} created and funded with ${REWARD} tokens; job ${created.jobId.slice(0, 16)}…; privacy ${PRIVACY}`);

  // ---- the aggregator and the participants, each its own process -----------------------------
  const rounds = new Map<number, Record<string, unknown>>();
  const aggregator = spawnJsonLines(
    "fedstr-aggregator",
    ["run", "--pool", pool, "--holdout", holdoutFile, ...wallet("aggregator")],
    {
      env,
      onStderr: echo("aggregator"),
      onLine: (l) => {
        if (l.event !== "round-posted") return;
        rounds.set(Number(l.round), l);
        const m = (l.metrics ?? {}) as { accuracy?: number; loss?: number };
        const rejected = l.rejected as { participant: string; reason: string; detail?: string }[];
        say(
          `round ${l.round} posted: ${(l.accepted as unknown[]).length} accepted, ${rejected.length} rejected, accuracy ${((m.accuracy ?? 0) * 100).toFixed(2)}%`,
        );
        for (const r of rejected) say(`  rejected ${r.participant}: ${r.reason}${r.detail ? ` (${r.detail})` : ""}`);
      },
    },
  );
  actors.push(aggregator);
  const trainers = await Promise.all(
    names.map(async (name, i) => {
      await runJson("fedstr", ["join", pool, "--stake", STAKE, ...wallet(name)], { env, onStderr: echo(name) });
      say(`${name} joined with a stake of ${STAKE}`);
      const t = spawnJsonLines(
        "fedstr",
        ["train", pool, "--data", shardFiles[i]!, "--seed", String(SEED + i), ...wallet(name)],
        {
          env,
          onStderr: echo(name),
          onLine: (l) => {
            if (l.event === "round-skipped") say(`${name} missed round ${l.round}: ${String(l.reason)}`);
          },
        },
      );
      actors.push(t);
      return t;
    }),
  );

  const aggExit = await aggregator.exited;
  if (aggExit !== 0) throw new Error(`the aggregator exited with ${aggExit}`);
  const trainerExits = await Promise.all(trainers.map((t) => t.exited));
  if (trainerExits.some((c) => c !== 0))
    throw new Error(`participant processes exited with ${trainerExits.join(", ")}`);
  say("all rounds posted; participants claim their rewards and withdraw their stakes");

  // ---- claims, withdrawals, finalization ------------------------------------------------------
  const claims = await Promise.all(
    names.map((n) =>
      runJson<{ claimed: { round: number; amount: string }[]; total: string }>(
        "fedstr",
        ["claim", pool, ...wallet(n)],
        { env, onStderr: echo(n) },
      ),
    ),
  );
  const withdrawals = await Promise.all(
    names.map((n) =>
      runJson<{ amount: string }>("fedstr", ["withdraw", pool, ...wallet(n)], { env, onStderr: echo(n) }),
    ),
  );
  const poolKey = new PublicKey(pool);
  const ended = (await fetchPool(org.program, poolKey))!;
  const claimEnd = Number(ended.endedAt.toString()) + scheduleOf(ended).claimWindow;
  say(
    `everyone has claimed: moving the chain clock past the claim window (chain time ${claimEnd}, ${Math.max(0, claimEnd - (await chainTime(org.connection)))} s ahead)`,
  );
  await net.timeTravel(claimEnd + 1);
  const finalized = await runJson<{ refunded: string }>(
    "fedstr",
    ["pool", "finalize", pool, ...wallet("organization")],
    { env, onStderr: echo("organization") },
  );
  say(`pool finalized; ${finalized.refunded} base units returned to the organization`);

  // ---- reconciliation ---------------------------------------------------------------------------
  const p = (await fetchPool(org.program, poolKey))!;
  const after = new Map<string, bigint>();
  for (const n of actorsAll) after.set(n, await balance(ata(net.wallets[n]!.publicKey)));
  const escrowLeft = await balance(findEscrowAddress(poolKey, config.programId)[0]);
  const vaultLeft = await balance(findStakeVaultAddress(poolKey, config.programId)[0]);
  const funded = BigInt(p.totalFunded.toString()),
    claimed = BigInt(p.totalClaimed.toString()),
    refunded = BigInt(p.totalRefunded.toString());
  const participants = names.map((n, i) => {
    const rewards = claims[i]!.claimed.reduce((s, c) => s + BigInt(c.amount), 0n);
    const delta = after.get(n)! - before.get(n)!;
    return {
      name: n,
      wallet: net.wallets[n]!.publicKey.toBase58(),
      rewards: rewards.toString(),
      stakeReturned: withdrawals[i]!.amount,
      balanceChange: delta.toString(),
      ok: delta === rewards,
    };
  });
  const orgDelta = after.get("organization")! - before.get("organization")!;
  const sumRewards = participants.reduce((s, x) => s + BigInt(x.rewards), 0n);
  const stakesReturned = withdrawals.every((w) => BigInt(w.amount) * 1n === BigInt(STAKE) * 1_000_000n);
  const balanced =
    funded === claimed + refunded &&
    sumRewards === claimed &&
    orgDelta === -claimed &&
    escrowLeft === 0n &&
    vaultLeft === 0n &&
    stakesReturned &&
    participants.every((x) => x.ok);

  // ---- per-round table and chart -------------------------------------------------------------
  const paidPerRound = new Map<number, bigint>();
  for (const c of claims)
    for (const x of c.claimed) paidPerRound.set(x.round, (paidPerRound.get(x.round) ?? 0n) + BigInt(x.amount));
  const table = [...rounds.values()]
    .sort((x, y) => Number(x.round) - Number(y.round))
    .map((l) => {
      const m = (l.metrics ?? {}) as { accuracy?: number; loss?: number };
      return {
        round: Number(l.round),
        accepted: (l.accepted as unknown[]).length,
        rejected: (l.rejected as unknown[]).length,
        loss: m.loss ?? null,
        accuracy: m.accuracy ?? null,
        reward: String(l.reward),
        rewardPaid: (paidPerRound.get(Number(l.round)) ?? 0n).toString(),
      };
    });
  const chartPath = join(OUT, "accuracy.svg");
  writeFileSync(
    chartPath,
    lineChartSvg(
      `fedstr demo: ${N} participants, FedAvg on digits`,
      "round",
      "holdout accuracy",
      [
        {
          label: "global model",
          points: table.filter((r) => r.accuracy !== null).map((r) => ({ x: r.round, y: r.accuracy! })),
        },
      ],
      { yMin: 0, yMax: 1 },
    ),
  );
  const seconds = (Date.now() - t0) / 1000;
  const fmt = (u: string | bigint) => (Number(BigInt(u)) / 1e6).toFixed(6).replace(/\.?0+$/, "");
  const lines = [
    "round  accepted  rejected  loss     accuracy  reward paid",
    ...table.map(
      (r) =>
        `${String(r.round).padStart(5)}  ${String(r.accepted).padStart(8)}  ${String(r.rejected).padStart(8)}  ${(r.loss ?? NaN).toFixed(4).padStart(7)}  ${((r.accuracy ?? NaN) * 100).toFixed(2).padStart(7)}%  ${fmt(r.rewardPaid).padStart(11)}`,
    ),
    "",
    `funded ${fmt(funded)} = claimed ${fmt(claimed)} + refunded ${fmt(refunded)}; stakes returned: ${stakesReturned ? "all" : "NOT ALL"}; escrow ${escrowLeft}, vault ${vaultLeft}: ${balanced ? "balanced" : "NOT BALANCED"}`,
    `accuracy chart: ${chartPath}`,
    `${seconds.toFixed(0)} s`,
  ];
  const summary = {
    pool,
    privacy: PRIVACY,
    participants: N,
    rounds: table.length,
    accuracy: table.map((r) => r.accuracy),
    perRound: table,
    rewards: Object.fromEntries(participants.map((x) => [x.name, x.rewards])),
    funds: {
      mint: mint.toBase58(),
      decimals: 6,
      funded: funded.toString(),
      claimed: claimed.toString(),
      refunded: refunded.toString(),
      slashed: p.totalSlashed.toString(),
      escrowLeft: escrowLeft.toString(),
      vaultLeft: vaultLeft.toString(),
      organizationChange: orgDelta.toString(),
      participants,
      stakesReturned,
      balanced,
    },
    chart: chartPath,
    seconds,
  };
  if (a.json) process.stdout.write(`${toJson(summary)}\n`);
  else process.stdout.write(`${lines.join("\n")}\n`);
  await org.close();
  if (a.ui) await serveApp(created.pool);
  await shutdown(balanced && table.length === ROUNDS ? 0 : 1);
} catch (e) {
  say(`failed: ${(e as Error).message}`);
  if (a.json)
    process.stdout.write(`${toJson({ error: { name: (e as Error).name, message: (e as Error).message } })}\n`);
  await shutdown(1);
}
