/**
 * A pool on the real localnet (program, relay, IPFS node) as the aggregator tests and benchmarks set
 * one up: SDK sessions for named localnet wallets, a digits training plan and initial model on IPFS,
 * the job request on the relay and the pool created on chain, participants joined with their stake,
 * the real `fedstr-aggregator run` process, and the chain clock moved to a round's start instead of
 * waiting for it. Everything it opens (sessions, processes and, from startPoolWorld, the localnet and
 * its directory) is closed by close().
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openSession, type Session } from "@fedstr/sdk/cli";
import { type FedstrConfig, loadConfig, loadNostrKey } from "@fedstr/sdk/config";
import * as fl from "@fedstr/sdk/fl";
import { chainTime, scheduleOf } from "@fedstr/sdk/job";
import {
  buildJobRequest,
  buildResult,
  createBinding,
  type Event,
  type JobRequest,
  solanaSignerFromSecretKey,
} from "@fedstr/sdk/nostr";
import {
  cidToBytes,
  commitUpdateIx,
  createPoolIx,
  fetchPool,
  findPoolAddress,
  findRoundAddress,
  joinPoolIx,
} from "@fedstr/sdk/program";
import type { Connection, PublicKey, TransactionInstruction } from "@solana/web3.js";
import { expect } from "chai";
import { type LocalnetHandle, startLocalnet } from "../../localnet/index.js";
import { type ActorOptions, type RunningActor, spawnJsonLines } from "../../scripts/lib/actors.js";

/** One token of the localnet mint (6 decimals). */
export const TOKEN = 1_000_000n;

export interface DigitsPoolOptions {
  rounds: number;
  /** From the chain's clock now to the join deadline. */
  joinSeconds: number;
  roundSeconds: number;
  graceSeconds: number;
  claimSeconds: number;
  maxParticipants: number;
  /** Base units of the mint; default 100 tokens. */
  reward?: bigint;
  /** Minimum stake, base units; default 10 tokens. */
  stake?: bigint;
  privacy?: JobRequest["privacy"];
  /** sealed: the aggregator's round keys (`fedstr-aggregator seal-keys`). */
  seal?: JobRequest["seal"];
  /** Plan fields over digitsPlan's (e.g. `aggregation`). */
  plan?: Partial<fl.TrainingPlan>;
  /** Creator wallet; default "organization". */
  creator?: string;
  /** Aggregator wallet; default "aggregator". */
  aggregator?: string;
  /** Called with the signed job request before the pool is created (to start work that names the job). */
  onJobRequest?: (job: Event) => void;
}

export interface DigitsPool {
  pool: PublicKey;
  address: string;
  poolId: bigint;
  plan: fl.TrainingPlan;
  planCid: string;
  modelCid: string;
  jobEvent: Event;
  /** The aggregator's Nostr public key (hex), named in the job request. */
  aggregatorNostr: string;
  joinDeadline: number;
}

export class PoolWorld {
  readonly config: FedstrConfig;
  private readonly sessions = new Map<string, Session>();
  private readonly actors: RunningActor[] = [];

  constructor(
    readonly net: LocalnetHandle,
    /** A directory to remove (with the localnet stopped) on close; none when the localnet is the caller's. */
    private readonly owned?: string,
  ) {
    this.config = loadConfig({ config: net.configPath });
  }

  /** The SDK session of a localnet wallet, opened once. */
  session(name: string): Session {
    let s = this.sessions.get(name);
    if (!s) {
      const wallet = this.net.wallets[name];
      if (!wallet) throw new Error(`no localnet wallet named ${name}`);
      s = openSession(this.config, { wallet: wallet.keypair });
      this.sessions.set(name, s);
    }
    return s;
  }

  /** Command-line environment of the localnet (FEDSTR_CONFIG). */
  get env(): NodeJS.ProcessEnv {
    return { FEDSTR_CONFIG: this.net.configPath };
  }

  /**
   * Puts a digits plan and its seeded initial model on IPFS, creates the pool on chain (reward
   * escrowed from the creator) and publishes its job request on the relay.
   */
  async createDigitsPool(o: DigitsPoolOptions): Promise<DigitsPool> {
    const creatorName = o.creator ?? "organization";
    const aggregatorName = o.aggregator ?? "aggregator";
    const org = this.session(creatorName);
    const store = await org.store();
    const aggregatorWallet = this.net.wallets[aggregatorName]!;
    const aggregatorNostr = loadNostrKey(this.config, aggregatorWallet.keypair).pubkey;
    const init = await fl.initialWeights(fl.digitsPlan("0".repeat(64)), 3);
    const plan = fl.digitsPlan(fl.toHex(fl.hash(init)), o.plan);
    const planCid = (await store.put(new TextEncoder().encode(JSON.stringify(plan)))).toString();
    const modelCid = (await store.put(fl.encode(init))).toString();
    const poolId = BigInt(Date.now());
    const [pool] = findPoolAddress(org.wallet.publicKey, poolId, this.config.programId);
    const joinDeadline = (await chainTime(org.connection)) + o.joinSeconds;
    const reward = o.reward ?? 100n * TOKEN;
    const stake = o.stake ?? 10n * TOKEN;
    const mint = this.config.mint!;
    const jobEvent = buildJobRequest(
      {
        programId: this.config.programId.toBase58(),
        cluster: "localnet",
        pool: pool.toBase58(),
        planCid,
        initialModelCid: modelCid,
        rounds: o.rounds,
        reward: { amount: reward.toString(), mint: mint.toBase58() },
        stake: { amount: stake.toString(), mint: mint.toBase58() },
        deadlines: { join: joinDeadline, end: joinDeadline + o.rounds * o.roundSeconds, roundSeconds: o.roundSeconds },
        relays: [this.net.relayUrl],
        aggregator: aggregatorNostr,
        privacy: o.privacy ?? "public",
        ...(o.seal ? { seal: o.seal } : {}),
      },
      org.nostr.secretKey,
    );
    o.onJobRequest?.(jobEvent);
    await org.send("create pool", [
      await createPoolIx(org.program, {
        creator: org.wallet.publicKey,
        poolId,
        mint,
        creatorToken: this.net.wallets[creatorName]!.tokenAccount!,
        aggregator: aggregatorWallet.publicKey,
        rewardAmount: reward,
        minStake: stake,
        maxParticipants: o.maxParticipants,
        numRounds: o.rounds,
        roundDuration: o.roundSeconds,
        joinDeadline,
        gracePeriod: o.graceSeconds,
        claimWindow: o.claimSeconds,
        slashLimitBps: 5000,
        nostrJobId: Buffer.from(jobEvent.id, "hex"),
        trainingPlanCid: cidToBytes(planCid),
        initialModelCid: cidToBytes(modelCid),
      }),
    ]);
    await (await org.relays()).publish(jobEvent);
    return { pool, address: pool.toBase58(), poolId, plan, planCid, modelCid, jobEvent, aggregatorNostr, joinDeadline };
  }

  /** Each named wallet joins the pool with `stake` (default 10 tokens), one transaction each. */
  async join(pool: PublicKey, names: readonly string[], stake = 10n * TOKEN): Promise<void> {
    for (const name of names) {
      const s = this.session(name);
      await s.send("join", [
        await joinPoolIx(s.program, {
          participant: s.wallet.publicKey,
          pool,
          participantToken: this.net.wallets[name]!.tokenAccount!,
          stake,
          nostrPubkey: Buffer.from(s.nostr.pubkey, "hex"),
        }),
      ]);
    }
  }

  /**
   * `fedstr-aggregator run` on the pool with the digits hold-out (200 samples) and a 300 ms poll,
   * as the "aggregator" wallet unless `o.wallet` names another; killed on close.
   */
  startAggregator(
    pool: PublicKey,
    o: ActorOptions & { wallet?: string; onLine?: (line: Record<string, unknown>) => void } = {},
  ): RunningActor {
    const { wallet = "aggregator", ...actor } = o;
    const args = ["run", "--pool", pool.toBase58(), "--wallet", this.net.wallets[wallet]!.path];
    const running = spawnJsonLines("fedstr-aggregator", [...args, "--holdout-digits-test", "200", "--poll-ms", "300"], {
      ...actor,
      env: { ...this.env, ...actor.env },
    });
    this.actors.push(running);
    return running;
  }

  /** Moves the chain clock to the start of the round unless it is already there. */
  async openRound(pool: PublicKey, round: number, by = "organization"): Promise<void> {
    const s = this.session(by);
    const start = scheduleOf((await fetchPool(s.program, pool))!).roundStart(round);
    if ((await chainTime(s.connection)) < start) await this.net.timeTravel(start);
  }

  async close(): Promise<void> {
    for (const a of this.actors) a.kill("SIGKILL");
    await Promise.all(this.actors.map((a) => a.exited));
    for (const s of this.sessions.values()) await s.close().catch(() => undefined);
    if (this.owned) {
      await this.net.stop();
      rmSync(this.owned, { recursive: true, force: true });
    }
  }
}

/** A fresh localnet (100 ms slots) with these wallets in a temporary directory, closed with the world. */
export async function startPoolWorld(prefix: string, wallets: readonly string[]): Promise<PoolWorld> {
  const dir = mkdtempSync(join(tmpdir(), `fedstr-${prefix}-`));
  try {
    const net = await startLocalnet({ dir: join(dir, "localnet"), slotTimeMs: 100, wallets: [...wallets] });
    return new PoolWorld(net, dir);
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}

/** An update as a participant announces it: its CID and sha256 (hex) and the sample count it trained on. */
export interface Update {
  cid: string;
  sha: string;
  samples: number;
}

/** The participant's commit_update instruction for the update in a round of the pool. */
export async function commitIx(s: Session, pool: PublicKey, round: number, u: Update): Promise<TransactionInstruction> {
  return await commitUpdateIx(s.program, {
    participant: s.wallet.publicKey,
    pool,
    round,
    updateHash: Buffer.from(u.sha, "hex"),
    updateCid: cidToBytes(u.cid),
    samples: u.samples,
  });
}

/** The participant's result announcing the update to the job's aggregator: encrypted, bound to its wallet. */
export async function resultEvent(s: Session, job: Event, aggregatorNostr: string, round: number, u: Update) {
  const binding = await createBinding(s.nostr.secretKey, solanaSignerFromSecretKey(s.wallet.secretKey));
  return buildResult(
    {
      job,
      aggregator: aggregatorNostr,
      binding,
      encrypt: true,
      payload: { update: u.cid, sha256: u.sha, samples: u.samples, round, metrics: { loss: 1 } },
    },
    s.nostr.secretKey,
  );
}

/** Participant k's plausible update, encoded: the global weights with every 89th value moved by 0.001·(k + 1). */
export function nudgedUpdate(global: fl.Weights, k: number): Uint8Array {
  const weights = fl.cloneWeights(global);
  for (const t of weights) {
    const v = t.values as Float32Array;
    for (let i = 0; i < v.length; i += 89) v[i] = v[i]! + 0.001 * (k + 1);
  }
  return fl.encode(weights);
}

/** Exactly one transaction touched the round's RoundResult account, and it succeeded: no second, failed post. */
export async function expectOnePost(connection: Connection, pool: PublicKey, round: number, programId: PublicKey) {
  const sigs = await connection.getSignaturesForAddress(findRoundAddress(pool, round, programId)[0]);
  expect(
    sigs.filter((s) => s.err === null),
    `successful transactions on round ${round}`,
  ).to.have.length(1);
  expect(
    sigs.filter((s) => s.err !== null),
    `failed transactions on round ${round}`,
  ).to.have.length(0);
}
