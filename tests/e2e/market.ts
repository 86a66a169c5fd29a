/**
 * End-to-end scaffolding: one real local network for a test file, pools created through the real
 * `fedstr` CLI, the real `fedstr-aggregator` and `fedstr train` processes, and — for the fault
 * tests only — an adversarial participant that speaks the protocol directly through the SDK
 * (what a modified client could send): a NaN update, or a commitment whose hash does not match
 * the bytes behind its CID.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { openSession, type Session } from "@fedstr/sdk/cli";
import { type FedstrConfig, loadConfig } from "@fedstr/sdk/config";
import {
  decode,
  digitsPlan,
  encode,
  hash,
  hashBytes,
  initialWeights,
  loadDigits,
  loadTf,
  partitionIid,
  saveJsonl,
  subset,
  type TrainingPlan,
  toHex,
  trainTestSplit,
} from "@fedstr/sdk/fl";
import { fetchJobRequest, modelForRound, scheduleOf, waitForChainTime } from "@fedstr/sdk/job";
import { buildResult, createBinding, solanaSignerFromSecretKey } from "@fedstr/sdk/nostr";
import { sealUpdate } from "@fedstr/sdk/privacy";
import { cidToBytes, commitUpdateIx, fetchPool, findEscrowAddress, findStakeVaultAddress } from "@fedstr/sdk/program";
import { getAssociatedTokenAddressSync } from "@solana/spl-token";
import { PublicKey } from "@solana/web3.js";
import { startLocalnet } from "../../localnet/index.js";
import { type RunningActor, runJson, spawnJsonLines } from "../../scripts/lib/actors.js";

export type Localnet = Awaited<ReturnType<typeof startLocalnet>>;

export interface Market {
  net: Localnet;
  config: FedstrConfig;
  dir: string;
  plan: TrainingPlan;
  planFile: string;
  modelFile: string;
  holdoutFile: string;
  shardFile(i: number): string;
  env: NodeJS.ProcessEnv;
  session(wallet: string): Session;
  wallet(name: string): string[];
  tokenBalance(owner: string): Promise<bigint>;
  vaultBalances(pool: string): Promise<{ escrow: bigint; vault: bigint }>;
  actors: RunningActor[];
  stop(): Promise<void>;
}

/** Start the local network with the named wallets, and write the plan, model and small data shards. */
export async function startMarket(dir: string, wallets: string[], shards: number): Promise<Market> {
  mkdirSync(join(dir, "data"), { recursive: true });
  const net = await startLocalnet({
    dir: join(dir, "localnet"),
    rpcPort: 0,
    relayPort: 0,
    ipfsPort: 0,
    slotTimeMs: 100,
    wallets,
  });
  const { tf } = await loadTf();
  const { train, test } = trainTestSplit(loadDigits(), 500, 7);
  partitionIid(
    subset(
      train,
      Array.from({ length: 300 * shards }, (_, i) => i),
    ),
    shards,
    7,
  ).forEach((s, i) => {
    saveJsonl(join(dir, "data", `shard-${i}.jsonl`), s);
  });
  saveJsonl(join(dir, "data", "holdout.jsonl"), test);
  const init = await initialWeights(digitsPlan("0".repeat(64)), 7, tf);
  const plan = digitsPlan(toHex(hash(init)), { training: { ...digitsPlan("0".repeat(64)).training, localEpochs: 1 } });
  writeFileSync(join(dir, "plan.json"), JSON.stringify(plan));
  writeFileSync(join(dir, "model.fstw"), encode(init));
  const config = loadConfig({ config: net.configPath });
  const sessions: Session[] = [];
  const actors: RunningActor[] = [];
  const market: Market = {
    net,
    config,
    dir,
    plan,
    actors,
    planFile: join(dir, "plan.json"),
    modelFile: join(dir, "model.fstw"),
    holdoutFile: join(dir, "data", "holdout.jsonl"),
    shardFile: (i) => join(dir, "data", `shard-${i}.jsonl`),
    env: { FEDSTR_CONFIG: net.configPath },
    session: (w) => {
      const s = openSession(config, { wallet: net.wallets[w]!.keypair });
      sessions.push(s);
      return s;
    },
    wallet: (name) => ["--wallet", net.wallets[name]!.path],
    tokenBalance: async (owner) =>
      BigInt(
        (
          await net.connection.getTokenAccountBalance(
            getAssociatedTokenAddressSync(config.mint!, net.wallets[owner]!.publicKey),
          )
        ).value.amount,
      ),
    vaultBalances: async (pool) => {
      const p = new PublicKey(pool);
      const b = async (a: PublicKey) => BigInt((await net.connection.getTokenAccountBalance(a)).value.amount);
      return {
        escrow: await b(findEscrowAddress(p, config.programId)[0]),
        vault: await b(findStakeVaultAddress(p, config.programId)[0]),
      };
    },
    stop: async () => {
      for (const a of actors) a.kill("SIGKILL");
      await Promise.all(actors.map((a) => a.exited));
      for (const s of sessions) await s.close().catch(() => undefined);
      await net.stop();
    },
  };
  return market;
}

export interface PoolTerms {
  rounds: number;
  roundSeconds: number;
  joinSeconds: number;
  graceSeconds: number;
  claimSeconds: number;
  maxParticipants: number;
  reward?: string;
  stake?: string;
  privacy?: "sealed" | "public";
}

/** Create a pool through `fedstr pool create`, aggregated by `aggregatorName`. */
export async function createPool(
  m: Market,
  aggregatorName: string,
  t: PoolTerms,
): Promise<{ pool: string; jobId: string }> {
  const agg = await runJson<{ wallet: string; nostrPubkey: string }>(
    "fedstr-aggregator",
    ["identity", ...m.wallet(aggregatorName)],
    { env: m.env },
  );
  // Sealed (the default): the aggregator's round keys go into the job request.
  const privacy = t.privacy ?? "sealed";
  const sealFlags: string[] = ["--privacy", privacy];
  if (privacy === "sealed") {
    const keysFile = join(m.dir, `seal-keys-${Date.now()}.json`);
    writeFileSync(
      keysFile,
      JSON.stringify(
        await runJson("fedstr-aggregator", ["seal-keys", "--rounds", String(t.rounds), ...m.wallet(aggregatorName)], {
          env: m.env,
        }),
      ),
    );
    sealFlags.push("--seal-keys", keysFile);
  }
  return await runJson(
    "fedstr",
    [
      "pool",
      "create",
      "--plan",
      m.planFile,
      "--model",
      m.modelFile,
      "--reward",
      t.reward ?? "100",
      "--min-stake",
      t.stake ?? "10",
      "--rounds",
      String(t.rounds),
      "--round-seconds",
      String(t.roundSeconds),
      "--join-seconds",
      String(t.joinSeconds),
      "--grace-seconds",
      String(t.graceSeconds),
      "--claim-seconds",
      String(t.claimSeconds),
      "--max-participants",
      String(t.maxParticipants),
      "--aggregator",
      agg.wallet,
      "--aggregator-nostr",
      agg.nostrPubkey,
      ...sealFlags,
      ...m.wallet("organization"),
    ],
    { env: m.env },
  );
}

export const join_ = (m: Market, pool: string, who: string, stake = "10") =>
  runJson("fedstr", ["join", pool, "--stake", stake, ...m.wallet(who)], { env: m.env });

export function startAggregator(m: Market, pool: string, who: string): RunningActor {
  const a = spawnJsonLines("fedstr-aggregator", ["run", "--pool", pool, "--holdout", m.holdoutFile, ...m.wallet(who)], {
    env: m.env,
    onStderr: log(who),
    onLine: (l) => log(who)(JSON.stringify(l)),
  });
  m.actors.push(a);
  return a;
}

export function startTrainer(m: Market, pool: string, who: string, shard: number): RunningActor {
  // FEDSTR_LOG keeps the progress and retry lines on stderr in --json mode, for the tests to read.
  const t = spawnJsonLines("fedstr", ["train", pool, "--data", m.shardFile(shard), ...m.wallet(who)], {
    env: { ...m.env, FEDSTR_LOG: "1" },
    onStderr: log(who),
  });
  m.actors.push(t);
  return t;
}

const log = (who: string) => (line: string) => {
  if (process.env.FEDSTR_E2E_LOG) process.stderr.write(`    ${who}: ${line}\n`);
};

/**
 * An adversarial participant's round: wait for the round window, then upload an update derived from
 * the round's global model, commit it and publish the result like a real client — except that
 * `nan` puts a NaN in the weights and `wrongHash` commits the sha256 of other bytes than the CID's.
 */
export async function adversarialRound(
  m: Market,
  who: string,
  pool: string,
  round: number,
  attack: "nan" | "wrongHash",
): Promise<{ cid: string; committed: string; actual: string }> {
  const s = m.session(who);
  const poolKey = new PublicKey(pool);
  const account = (await fetchPool(s.program, poolKey))!;
  await waitForChainTime(s.connection, scheduleOf(account).roundStart(round), { pollMs: 200 });
  let model;
  for (;;) {
    model = await modelForRound(
      s.program,
      poolKey,
      (await fetchPool(s.program, poolKey))!,
      round,
      m.plan.model.initialWeights.sha256,
    );
    if (model) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  const store = await s.store();
  const weights = decode(await store.get(model.cid));
  const first = weights[0]!.values;
  if (attack === "nan") first[0] = Number.NaN;
  else first[0] = first[0]! + 0.01;
  const relays = await s.relays();
  const job = await fetchJobRequest(relays, Buffer.from(account.nostrJobId).toString("hex"));
  if (!job) throw new Error("job request not found on the relay");
  // A sealed job's aggregator opens what it fetches: the attack is in the plaintext, sealed as a client would.
  const bytes =
    job.job.privacy === "sealed"
      ? await sealUpdate(encode(weights), job.job, { round, participant: s.wallet.publicKey.toBase58() })
      : encode(weights);
  const cid = (await store.put(bytes)).toString();
  const actual = toHex(hashBytes(bytes));
  const committed =
    attack === "wrongHash" ? toHex(hashBytes(new TextEncoder().encode(`not the update ${round}`))) : actual;
  await s.send("commit_update", [
    await commitUpdateIx(s.program, {
      participant: s.wallet.publicKey,
      pool: poolKey,
      round,
      updateHash: Buffer.from(committed, "hex"),
      updateCid: cidToBytes(cid),
      samples: 300,
    }),
  ]);
  const binding = await createBinding(s.nostr.secretKey, solanaSignerFromSecretKey(s.wallet.secretKey));
  await relays.publish(
    buildResult(
      {
        job: job.event,
        aggregator: job.job.aggregator,
        binding,
        encrypt: job.job.privacy === "sealed",
        payload: { update: cid, sha256: committed, samples: 300, round, metrics: { loss: 0.1 } },
      },
      s.nostr.secretKey,
    ),
  );
  return { cid, committed, actual };
}

/**
 * Once every participant process and the aggregator are waiting for round 1, move the chain clock
 * to its opening: the tests neither sit out the join window nor race slow process start-ups.
 * `during` runs just before the jump (e.g. to take services down as the round opens).
 */
export async function openRound1(
  m: Market,
  pool: string,
  trainers: RunningActor[],
  aggregator: RunningActor,
  during?: () => Promise<unknown>,
): Promise<void> {
  await Promise.all([
    ...trainers.map((t) => t.waitForStderr(/round 1 starts at/)),
    aggregator.waitFor((l) => l.event === "round-waiting" && l.round === 1),
  ]);
  const account = (await fetchPool(m.session("organization").program, new PublicKey(pool)))!;
  const pending = during?.();
  await m.net.timeTravel(scheduleOf(account).roundStart(1));
  await pending;
}
