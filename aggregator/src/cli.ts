/**
 * fedstr-aggregator — the aggregator service of fedstr pools.
 *
 *   fedstr-aggregator identity                   the wallet and Nostr key to name in `fedstr pool create`
 *   fedstr-aggregator run --pool <addr> ...      serve pools until none is active any more
 *   fedstr-aggregator status --pool <addr>       checkpoint and on-chain state of a pool
 *   fedstr-aggregator seal-keys --rounds N       round keys for a sealed pool (`fedstr pool create --seal-keys`)
 *   fedstr-aggregator disclose --pool <addr> --round N   a sealed round's secret key (`fedstr verify --keys`)
 */

import {
  COMMON_HELP,
  configFlags,
  intFlag,
  type Output,
  openSession,
  parseCommand,
  runCommand,
  UsageError,
} from "@fedstr/sdk/cli";
import { loadConfig, loadIdentityConfig, loadKeypair, loadNostrKey } from "@fedstr/sdk/config";
import { chainTime, fetchJobRequest, fetchPoolMint, summarizePool } from "@fedstr/sdk/job";
import { checkRoundKey, createSealKeySet, keyToHex, roundSecretKey } from "@fedstr/sdk/privacy";
import { cidFromBytes, fetchPool, fetchRoundResultsOfPool } from "@fedstr/sdk/program";
import { PublicKey } from "@solana/web3.js";
import { checkpointPath, loadCheckpoint } from "./checkpoint.js";
import { createLogger } from "./log.js";
import { type HoldoutSource, runService } from "./service.js";

const USAGE = `usage: fedstr-aggregator <command> [flags]

Commands:
  identity                      print this aggregator's wallet and Nostr pubkey (give both to
                                \`fedstr pool create --aggregator <wallet> --aggregator-nostr <hex>\`)
  run --pool <addr> [--pool <addr> ...]
                                serve the pools (this wallet must be each pool's aggregator) until
                                none is active any more; exit 0 when all ended, 1 otherwise
      --holdout <file.csv|file.jsonl>   holdout set (the plan's data schema) to evaluate each new model
      --holdout-digits-test <n>         use n of the bundled MNIST digits as the holdout (seeded split)
      --holdout-seed <n>                seed of that split (default 1)
      --poll-ms <ms>                    chain polling interval while collecting (default 1000)
  status --pool <addr>          the pool's checkpoint and on-chain state
  seal-keys --rounds N          a new set of round public keys for a sealed pool: save the JSON
                                (--json) and give it to \`fedstr pool create --seal-keys <file>\`
  disclose --pool <addr> --round N [--round M ...]
                                the secret keys of sealed rounds, as JSON for \`fedstr verify --keys
                                <file>\`: whoever holds them can read those rounds' updates

With --json, \`run\` prints one JSON object per event on stdout (see docs/aggregator.md).

${COMMON_HELP}`;

function poolFlag(v: string, flag = "pool"): PublicKey {
  try {
    return new PublicKey(v);
  } catch {
    throw new UsageError(`--${flag} must be a Solana address, got ${JSON.stringify(v)}`);
  }
}

async function identity(argv: string[], out: Output): Promise<void> {
  const { values } = parseCommand(argv, {}, { max: 0 });
  if (values.help) return out.result({ usage: USAGE }, USAGE);
  // Needs no relay, IPFS node or chain: only the wallet and the Nostr key.
  const config = loadIdentityConfig(configFlags(values));
  const wallet = loadKeypair(config.wallet);
  const { pubkey } = loadNostrKey(config, wallet);
  out.result(
    { wallet: wallet.publicKey.toBase58(), nostrPubkey: pubkey },
    `wallet        ${wallet.publicKey.toBase58()}\nnostr pubkey  ${pubkey}`,
  );
}

async function run(argv: string[], out: Output): Promise<void> {
  const { values } = parseCommand(
    argv,
    {
      pool: { type: "string", multiple: true },
      holdout: { type: "string" },
      "holdout-digits-test": { type: "string" },
      "holdout-seed": { type: "string" },
      "poll-ms": { type: "string" },
    },
    { max: 0 },
  );
  if (values.help) return out.result({ usage: USAGE }, USAGE);
  const pools = (values.pool ?? []).map((p) => poolFlag(p));
  if (pools.length === 0) throw new UsageError("run needs at least one --pool <address>");
  if (new Set(pools.map((p) => p.toBase58())).size !== pools.length)
    throw new UsageError("the same --pool is given twice");
  const digits = intFlag(values["holdout-digits-test"], "holdout-digits-test", { min: 1, max: 10_000 });
  if (digits !== undefined && values.holdout !== undefined)
    throw new UsageError("give --holdout or --holdout-digits-test, not both");
  const holdout: HoldoutSource =
    values.holdout !== undefined
      ? { file: values.holdout }
      : digits !== undefined
        ? { digitsTest: digits, seed: intFlag(values["holdout-seed"], "holdout-seed", { min: 0 }) ?? 1 }
        : undefined;
  const pollMs = intFlag(values["poll-ms"], "poll-ms", { min: 50, max: 60_000 }) ?? 1000;

  const config = loadConfig(configFlags(values));
  const session = openSession(config);
  const log = createLogger(out.json);
  const stop = new AbortController();
  let stoppedBy: NodeJS.Signals | undefined;
  const onSignal = (sig: NodeJS.Signals) => {
    if (stoppedBy !== undefined) return;
    stoppedBy = sig;
    log.event("stopping", null, null, { signal: sig });
    stop.abort(new Error(`stopped by ${sig}`));
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
  log.event("started", null, null, {
    wallet: session.wallet.publicKey.toBase58(),
    nostrPubkey: session.nostr.pubkey,
    pools: pools.map((p) => p.toBase58()),
    dataDir: config.dataDir,
  });
  let outcomes;
  try {
    outcomes = await runService({
      session,
      pools,
      log,
      ...(holdout !== undefined ? { holdout } : {}),
      pollMs,
      signal: stop.signal,
    });
    await drainRelays(session);
  } finally {
    process.off("SIGTERM", onSignal);
    process.off("SIGINT", onSignal);
    await session.close().catch(() => {});
  }
  log.event("done", null, null, { pools: outcomes, ...(stoppedBy !== undefined ? { signal: stoppedBy } : {}) });
  if (stoppedBy !== undefined) {
    process.exitCode = stoppedBy === "SIGINT" ? 130 : 143;
    return;
  }
  const bad = outcomes.filter((o) => o.error !== undefined);
  if (bad.length > 0) throw new Error(bad.map((o) => `pool ${o.pool} ${o.status}: ${o.error}`).join("; "));
}

/** Give queued relay publications (feedback sent while a relay was down) a moment to go out before exiting. */
async function drainRelays(session: ReturnType<typeof openSession>): Promise<void> {
  const relays = await session.relays();
  const until = Date.now() + 5000;
  while (Date.now() < until && relays.status().some((s) => s.queued > 0)) await new Promise((r) => setTimeout(r, 100));
}

async function status(argv: string[], out: Output): Promise<void> {
  const { values } = parseCommand(argv, { pool: { type: "string" } }, { max: 0 });
  if (values.help) return out.result({ usage: USAGE }, USAGE);
  if (values.pool === undefined) throw new UsageError("status needs --pool <address>");
  const pool = poolFlag(values.pool);
  const config = loadConfig(configFlags(values));
  const session = openSession(config);
  try {
    const account = await fetchPool(session.program, pool).catch((e: Error) => {
      throw new Error(`cannot read pool ${pool.toBase58()} from ${config.rpcUrl}: ${e.message}`);
    });
    if (account === null) throw new Error(`there is no fedstr pool at ${pool.toBase58()}`);
    const cp = loadCheckpoint(
      config.dataDir,
      pool.toBase58(),
      { programId: session.program.programId.toBase58(), aggregator: session.wallet.publicKey.toBase58() },
      { readOnly: true },
    );
    const posted = (await fetchRoundResultsOfPool(session.program, pool))
      .map((r) => ({
        round: r.account.round,
        model: {
          cid: cidFromBytes(r.account.globalModelCid).toString(),
          sha256: Buffer.from(r.account.globalModelHash).toString("hex"),
        },
        merkleRoot: Buffer.from(r.account.merkleRoot).toString("hex"),
        metric: r.account.metric.toString(),
        reward: r.account.reward.toString(),
        claimed: r.account.claimed.toString(),
        acceptedCount: r.account.acceptedCount,
        postedAt: Number(r.account.postedAt.toString()),
      }))
      .sort((a, b) => a.round - b.round);
    const rounds =
      cp === undefined
        ? []
        : Object.values(cp.rounds)
            .sort((a, b) => a.round - b.round)
            .map((rc) => ({
              round: rc.round,
              phase: rc.phase,
              candidates: rc.candidates.length,
              ...(rc.aggregated !== undefined
                ? {
                    model: rc.aggregated.model,
                    report: rc.aggregated.report,
                    reward: rc.aggregated.reward,
                    metrics: rc.aggregated.metrics,
                    accepted: rc.aggregated.accepted,
                    rejected: rc.aggregated.rejected,
                    ...(rc.aggregated.fallback !== undefined ? { fallback: rc.aggregated.fallback } : {}),
                  }
                : {}),
              slashes: rc.slashes,
              ...(rc.posted !== undefined ? { posted: rc.posted } : {}),
            }));
    const data = {
      pool: summarizePool(pool, account, await fetchPoolMint(session.connection, account.mint)),
      chainTime: await chainTime(session.connection),
      onChain: { rounds: posted },
      checkpoint:
        cp === undefined
          ? null
          : {
              path: checkpointPath(config.dataDir, pool.toBase58()),
              rounds,
              pendingResults: Object.fromEntries(Object.entries(cp.results).map(([r, list]) => [r, list.length])),
            },
    };
    const s = data.pool;
    const human = [
      `pool ${s.address}: ${s.status}, ${s.roundsPosted}/${s.rounds} rounds posted, ${s.participants} participants`,
      ...posted.map(
        (r) =>
          `  on chain  round ${r.round}: model ${r.model.cid}  accepted ${r.acceptedCount}  reward ${r.reward}  metric ${r.metric}`,
      ),
      cp === undefined
        ? "  no checkpoint (this aggregator has not served the pool from this data dir)"
        : `  checkpoint ${data.checkpoint!.path}`,
      ...rounds.map(
        (r) => `  checkpoint round ${r.round}: ${r.phase}${"model" in r && r.model ? `  model ${r.model.cid}` : ""}`,
      ),
    ].join("\n");
    out.result(data, human);
  } finally {
    await session.close();
  }
}

async function sealKeys(argv: string[], out: Output): Promise<void> {
  const { values } = parseCommand(argv, { rounds: { type: "string" } }, { max: 0 });
  if (values.help) return out.result({ usage: USAGE }, USAGE);
  const rounds = intFlag(values.rounds, "rounds", { min: 1, max: 256 });
  if (rounds === undefined) throw new UsageError("seal-keys needs --rounds N (the pool's number of rounds)");
  const config = loadConfig(configFlags(values));
  const { secretKey } = loadNostrKey(config, loadKeypair(config.wallet));
  const set = await createSealKeySet(secretKey, rounds);
  out.result(
    set,
    `seal key set ${set.id} (${rounds} rounds)\n${set.keys.map((k, i) => `  round ${i + 1}  ${k}`).join("\n")}\nsave the --json output and pass it to fedstr pool create --seal-keys <file>`,
  );
}

async function disclose(argv: string[], out: Output): Promise<void> {
  const { values } = parseCommand(
    argv,
    { pool: { type: "string" }, round: { type: "string", multiple: true } },
    { max: 0 },
  );
  if (values.help) return out.result({ usage: USAGE }, USAGE);
  if (values.pool === undefined) throw new UsageError("disclose needs --pool <address>");
  const pool = poolFlag(values.pool);
  const rounds = (values.round ?? []).map((r) => intFlag(r, "round", { min: 1, max: 256 })!);
  if (rounds.length === 0) throw new UsageError("disclose needs --round N (repeat it for more rounds)");
  const config = loadConfig(configFlags(values));
  const session = openSession(config);
  try {
    const account = await fetchPool(session.program, pool);
    if (account === null) throw new Error(`there is no fedstr pool at ${pool.toBase58()}`);
    const jobId = Buffer.from(account.nostrJobId).toString("hex");
    const found = await fetchJobRequest(await session.relays(), jobId);
    if (found === undefined)
      throw new Error(
        `the job request ${jobId} of pool ${pool.toBase58()} was not found on the relays (${config.relays.join(", ")})`,
      );
    const seal = found.job.seal;
    if (seal === undefined)
      throw new Error(
        `pool ${pool.toBase58()} is public: its updates are readable by anyone, there is no key to disclose`,
      );
    const keys: Record<string, string> = {};
    for (const r of rounds) {
      if (r > found.job.rounds)
        throw new UsageError(`pool ${pool.toBase58()} has ${found.job.rounds} rounds, not ${r}`);
      const sk = await roundSecretKey(session.nostr.secretKey, seal.id, r);
      checkRoundKey(seal, r, sk); // the job lists another key: this is not the pool's aggregator key
      keys[String(r)] = keyToHex(sk);
    }
    out.result(
      { pool: pool.toBase58(), keys },
      Object.entries(keys)
        .map(([r, k]) => `round ${r}  ${k}`)
        .join("\n"),
    );
  } finally {
    await session.close();
  }
}

const COMMANDS: Record<string, (argv: string[], out: Output) => Promise<void>> = {
  identity,
  run,
  status,
  "seal-keys": sealKeys,
  disclose,
};

await runCommand(process.argv.slice(2), async (argv, out) => {
  const [command, ...rest] = argv;
  if (command === undefined || command === "--help" || command === "-h" || command === "help")
    return out.result({ usage: USAGE }, USAGE);
  const fn = COMMANDS[command];
  if (fn === undefined)
    throw new UsageError(`unknown command ${JSON.stringify(command)} (commands: ${Object.keys(COMMANDS).join(", ")})`);
  await fn(rest, out);
});
