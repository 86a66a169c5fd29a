/**
 * Many participants, one process, the real protocol on the real localnet: shared by
 * bench/round.ts (`npm run bench:round`) and tests/aggregator/scale.test.ts.
 *
 * Every participant is its own funded wallet (a localnet wallet) with the Nostr key derived from
 * it, and does what `fedstr` does: join with a stake; per round read the global model from the
 * chain and IPFS, make an update (the global weights plus seeded noise — or real training with
 * `train` — so the figures measure the protocol), upload it to the embedded IPFS node,
 * `commit_update`, publish the encrypted, wallet-bound result; claim its reward after the round.
 * The real `fedstr-aggregator run` process runs the rounds. Participants are driven in batches with
 * a concurrency limit (transactions are sent, then confirmed together with getSignatureStatuses);
 * results go to the relay over a few connections, each paced below the relay's per-connection
 * rate (publishFlood from the junk tests).
 *
 * Behaviours: `honest`; `hash` commits a sha256 its uploaded bytes do not have (slashed);
 * `nan` uploads an update holding NaN (rejected NON_FINITE); `silent` commits and never
 * publishes its result (accepted from the chain all the same: the result is only a notification); `late` tries to commit after the round deadline (the chain
 * refuses: RoundNotOpen) and so is not in the round at all. The harness travels the chain clock to
 * the round deadline once the on-time participants are done: the round closes there without the
 * stragglers.
 */

import { readFileSync } from "node:fs";
import type { Session } from "@fedstr/sdk/cli";
import { loadConfig, loadNostrKey } from "@fedstr/sdk/config";
import * as fl from "@fedstr/sdk/fl";
import { chainTime, decodeRoundReport, modelForRound, type RoundReport, scheduleOf } from "@fedstr/sdk/job";
import {
  buildResult,
  createBinding,
  type Event,
  EventReader,
  jobFeedbackFilter,
  KIND_JOB_FEEDBACK,
  queryEvents,
  solanaSignerFromSecretKey,
} from "@fedstr/sdk/nostr";
import { createSealKeySet, sealUpdate } from "@fedstr/sdk/privacy";
import {
  cidToBytes,
  claimRewardIx,
  closeCommitmentIx,
  commitUpdateIx,
  FEDSTR_ERRORS,
  fedstrErrorName,
  fetchPool,
  fetchRoundResult,
  findCommitmentAddress,
  findEscrowAddress,
  findRoundAddress,
  findStakeVaultAddress,
  joinPoolIx,
  rewardClaimFromJson,
} from "@fedstr/sdk/program";
import { sha256Hex } from "@fedstr/sdk/storage";
import { getAccount, getAssociatedTokenAddressSync } from "@solana/spl-token";
import { type Connection, Keypair, type PublicKey, Transaction, type TransactionInstruction } from "@solana/web3.js";
import { RESULT_WAIT_GRACE_SHARE } from "../../aggregator/src/service.js";
import type { LocalnetHandle } from "../../localnet/index.js";
import { type RunningActor, spawnJsonLines } from "../../scripts/lib/actors.js";
import { RELAY_LIMITS } from "../../sdk/src/nostr/relay-server.js";
import { publishFlood } from "./junk.js";
import { PoolWorld, TOKEN } from "./pool-world.js";

export const STAKE = 10n * TOKEN;
export type Behaviour = "honest" | "hash" | "nan" | "silent" | "late";

/** Wallets for startLocalnet: the organization (which creates and funds the pool) and the aggregator. */
export const LOAD_WALLETS = ["organization", "aggregator"];
/** SOL each participant gets: the Participant account's rent, a Commitment's per round, fees. */
const PARTICIPANT_LAMPORTS = 100_000_000;

/**
 * Behaviour of participant i: the first ⌈misbehave·n⌉ cheat (hash, nan, silent in turn), the
 * next ⌈late·n⌉ are late, the rest honest. Deterministic, so a run can be repeated.
 */
export function behaviours(n: number, misbehave: number, late: number): Behaviour[] {
  const cheats = Math.ceil(misbehave * n),
    lates = Math.ceil(late * n);
  if (cheats + lates >= n)
    throw new Error(`--misbehave ${misbehave} and --late ${late} leave no honest participant among ${n}`);
  const kinds: Behaviour[] = ["hash", "nan", "silent"];
  return Array.from({ length: n }, (_, i) => (i < cheats ? kinds[i % 3]! : i < cheats + lates ? "late" : "honest"));
}

export interface LoadOptions {
  participants: number;
  rounds: number;
  strategy: "fedavg" | "multi-krum";
  misbehave: number;
  late: number;
  /** Real local training (tfjs) instead of the synthetic update: for small N. */
  train: boolean;
  /** Participants in flight at once (transactions, uploads). */
  concurrency?: number;
  log?: (line: string) => void;
}

export interface RoundFigures {
  round: number;
  /** Chain clock travelled to the deadline (or last result in, when nobody is missing) → round-posted, ms. */
  overheadMs: number;
  /** The aggregator's own split (its round log), ms. */
  phases: {
    collect: number;
    fetchVerify: number;
    aggregate: number;
    slash: number;
    evaluate: number;
    upload: number;
    announce: number;
    post: number;
    feedback: number;
  };
  /** The aggregator's memory (MiB: rss, heapUsed, external) when it logged the round collected, aggregated and posted. */
  memoryMiB: { collected: MemoryMiB; aggregated: MemoryMiB; posted: MemoryMiB };
  accepted: string[];
  rejected: { participant: string; reason: string }[];
  slashed: string[];
  /** Late participants' commits the chain refused, by error name. */
  lateRefused: Record<string, number>;
  reportBytes: number;
  /** Kind-7000 events of this round from the aggregator. */
  feedbackEvents: number;
  /** Whether the aggregator logged `feedback-sent` (every event taken by a relay), not `feedback-pending`. */
  feedbackSent: boolean;
  /** What the round's feedback told each Nostr key: `<status>: <info>` per event naming it. */
  feedbackTo: Record<string, string[]>;
  /** Results the relay accepted per second while the participants published. */
  resultEventsPerSec: number;
  /** Transactions the aggregator signed for this round, and those that were slashes. */
  aggregatorTxs: number;
  aggregatorSlashTxs: number;
  aggregatorLamports: number;
  /** Participant side, per participant-round (honest participants). */
  commitFeeLamports: number;
  commitRentLamports: number;
  claimFeeLamports: number;
  /** Claimers whose commitment account (and its rent) the claim transaction closed. */
  commitmentsClosedAtClaim: number;
  commitsPerSec: number;
  claimsPerSec: number;
  claimed: number;
  /** Sum of claims = the report's reward total, to the token unit. */
  claimedTotal: string;
  reportReward: string;
}

export interface LoadResult {
  pool: string;
  n: number;
  behaviours: Behaviour[];
  /** Participant i's wallet (base58) and Nostr key (hex). */
  wallets: string[];
  nostrKeys: string[];
  joinsPerSec: number;
  joinFeeLamports: number;
  participantRentLamports: number;
  rounds: RoundFigures[];
  peakRssKb: number;
  exitCode: number | null;
  aggregator: RunningActor;
  /** Escrow and vault balances against the pool's own totals at the end. */
  reconcile: { escrow: string; escrowExpected: string; vault: string; vaultExpected: string; ok: boolean };
  /** Chain seconds from the first commit until its commitment's rent can come back (round 1 posted: the claim closes it). */
  rentBackAfterSec: number;
  schedule: { roundDuration: number; gracePeriod: number; claimWindow: number };
  org: Session;
}

/** Peak RSS of a live process, from /proc (0 when it has exited). */
export function vmHwmKb(pid: number): number {
  try {
    return Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/** Run `fn` over `items` with at most `limit` in flight; results in order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!, i);
      }
    }),
  );
  return out;
}

/**
 * Sign and send one transaction per entry (fee payer and only signer: the participant), at most
 * `limit` sends in flight, then wait until every one is confirmed, polling getSignatureStatuses
 * 256 at a time. A transaction still unseen once its blockhash has expired can never land: it is
 * signed again with a fresh blockhash and re-sent (the localnet's 100 ms slots expire a blockhash
 * in ~15 s, less than a busy validator's queue of conflicting transactions can take). Each entry
 * resolves with the signature or the error name the chain gave.
 */
async function sendAll(
  connection: Connection,
  txs: { signer: Keypair; ixs: TransactionInstruction[] }[],
  limit: number,
): Promise<({ ok: true; signature: string } | { ok: false; error: string })[]> {
  let bh = await connection.getLatestBlockhash("confirmed");
  let bhAt = Date.now();
  const send = async (
    i: number,
  ): Promise<{ ok: true; signature: string; lastValid: number } | { ok: false; error: string }> => {
    if (Date.now() - bhAt > 3_000) {
      bh = await connection.getLatestBlockhash("confirmed");
      bhAt = Date.now();
    }
    const { signer, ixs } = txs[i]!;
    const tx = new Transaction({
      feePayer: signer.publicKey,
      blockhash: bh.blockhash,
      lastValidBlockHeight: bh.lastValidBlockHeight,
    }).add(...ixs);
    tx.sign(signer);
    try {
      // No preflight simulation (the validator runs the transaction anyway): a refusal shows in its status.
      return {
        ok: true,
        signature: await connection.sendRawTransaction(tx.serialize(), { skipPreflight: true }),
        lastValid: bh.lastValidBlockHeight,
      };
    } catch (e) {
      return { ok: false, error: fedstrErrorName(e) ?? (e as Error).message.split("\n")[0]! };
    }
  };
  const out: ({ ok: true; signature: string } | { ok: false; error: string })[] = new Array(txs.length);
  const pending = new Map<string, { i: number; lastValid: number }>();
  const settle = (i: number, r: Awaited<ReturnType<typeof send>>) => {
    if (r.ok) {
      pending.set(r.signature, { i, lastValid: r.lastValid });
      out[i] = { ok: true, signature: r.signature };
    } else out[i] = r;
  };
  await mapLimit(txs, limit, async (_, i) => settle(i, await send(i)));
  for (const until = Date.now() + 300_000; pending.size > 0; ) {
    if (Date.now() > until) throw new Error(`${pending.size} transactions were not confirmed within 300 s`);
    const sigs = [...pending.keys()];
    for (let k = 0; k < sigs.length; k += 256) {
      const chunk = sigs.slice(k, k + 256);
      const st = await connection.getSignatureStatuses(chunk);
      st.value.forEach((s, j) => {
        if (s === null || (s.confirmationStatus !== "confirmed" && s.confirmationStatus !== "finalized")) return;
        const { i } = pending.get(chunk[j]!)!;
        pending.delete(chunk[j]!);
        if (s.err !== null) out[i] = { ok: false, error: programErrorName(s.err) };
      });
    }
    if (pending.size === 0) break;
    const height = await connection.getBlockHeight("confirmed");
    const expired = [...pending.entries()].filter(([, p]) => p.lastValid < height);
    for (const [sig] of expired) pending.delete(sig);
    await mapLimit(expired, limit, async ([, p]) => settle(p.i, await send(p.i)));
    await new Promise((r) => setTimeout(r, 250));
  }
  return out;
}

type MemoryMiB = { rss: number; heapUsed: number; external: number };
const memoryOf = (line: Record<string, unknown>): MemoryMiB =>
  (line.memory as MemoryMiB | undefined) ?? { rss: Number.NaN, heapUsed: Number.NaN, external: Number.NaN };

/** The fedstr error name in a transaction status error (`{ InstructionError: [i, { Custom: code }] }`), else the error as JSON. */
function programErrorName(err: unknown): string {
  const custom = (err as { InstructionError?: [number, { Custom?: number }] }).InstructionError?.[1]?.Custom;
  const name = custom !== undefined ? FEDSTR_ERRORS.get(custom) : undefined;
  // The IDL spells error names in camelCase; Anchor's error codes (what fedstrErrorName gives) in PascalCase.
  return name !== undefined ? name[0]!.toUpperCase() + name.slice(1) : JSON.stringify(err);
}

async function lamportsOf(connection: Connection, keys: PublicKey[]): Promise<bigint[]> {
  const out: bigint[] = [];
  for (let k = 0; k < keys.length; k += 100) {
    const infos = await connection.getMultipleAccountsInfo(keys.slice(k, k + 100), "confirmed");
    out.push(...infos.map((a) => BigInt(a?.lamports ?? 0)));
  }
  return out;
}

const mean = (xs: bigint[]) => (xs.length === 0 ? 0 : Number(xs.reduce((a, b) => a + b, 0n) / BigInt(xs.length)));

/** Signatures by `address` newer than `until` (all of them: paged by `before`). */
async function signaturesSince(
  connection: Connection,
  address: PublicKey,
  until: string | undefined,
): Promise<string[]> {
  const out: string[] = [];
  let before: string | undefined;
  for (;;) {
    const page = await connection.getSignaturesForAddress(
      address,
      { limit: 1000, ...(until ? { until } : {}), ...(before ? { before } : {}) },
      "confirmed",
    );
    out.push(...page.map((s) => s.signature));
    if (page.length < 1000) return out;
    before = page.at(-1)!.signature;
  }
}

function synthetic(global: fl.Weights, seed: number, nan: boolean): fl.Weights {
  const rng = fl.createRng(seed);
  const w = fl.cloneWeights(global);
  for (const t of w) {
    const v = t.values as Float32Array;
    for (let i = 0; i < v.length; i++) v[i] = v[i]! + 0.001 * rng.normal();
  }
  if (nan) (w[0]!.values as Float32Array)[0] = Number.NaN;
  return w;
}

export async function runLoadRounds(net: LocalnetHandle, o: LoadOptions): Promise<LoadResult> {
  const log = o.log ?? (() => {});
  const limit = o.concurrency ?? 16;
  const config = loadConfig({ config: net.configPath });
  const world = new PoolWorld(net);
  const org = world.session("organization");
  const { connection, program } = org;
  const store = await org.store();
  const relays = await org.relays();
  const aggWallet = net.wallets.aggregator!;
  const aggregatorKey = loadNostrKey(config, aggWallet.keypair);
  const aggregatorNostr = aggregatorKey.pubkey;
  // Sealed, the product's default: every update is sealed to the aggregator's round key, as fedstr train does.
  const seal = await createSealKeySet(aggregatorKey.secretKey, o.rounds);
  const kinds = behaviours(o.participants, o.misbehave, o.late);
  const people = kinds.map((behaviour, i) => {
    const wallet = Keypair.generate();
    return {
      name: `p${i + 1}`,
      behaviour,
      wallet,
      token: getAssociatedTokenAddressSync(config.mint!, wallet.publicKey),
      nostr: loadNostrKey(config, wallet),
      samples: 100 + (i % 50),
    };
  });
  const tFund = performance.now();
  await net.fund(people.map((p) => ({ wallet: p.wallet.publicKey, lamports: PARTICIPANT_LAMPORTS, tokens: STAKE })));
  log(`funded ${people.length} participant wallets in ${Math.round(performance.now() - tFund)} ms`);

  // Multi-Krum tolerating as many Byzantine updates as there are cheats, keeping as many as there are
  // good updates: the honest and the silent ones (a silent participant's committed update is honest).
  const goodCount = kinds.filter((k) => k === "honest" || k === "silent").length,
    cheatCount = kinds.filter((k) => k !== "honest" && k !== "late").length;
  const aggregation =
    o.strategy === "multi-krum"
      ? { strategy: "krum" as const, byzantine: Math.max(1, cheatCount), multi: goodCount }
      : { strategy: "fedavg" as const };
  // Long rounds and windows, crossed by moving the chain clock: the join window must hold N joins.
  const terms = { roundDuration: 3600, gracePeriod: 1200, claimWindow: 3600 };
  const { pool, plan, modelCid, jobEvent } = await world.createDigitsPool({
    rounds: o.rounds,
    joinSeconds: 900,
    roundSeconds: terms.roundDuration,
    graceSeconds: terms.gracePeriod,
    claimSeconds: terms.claimWindow,
    maxParticipants: o.participants,
    reward: BigInt(o.participants) * 10n * TOKEN * BigInt(o.rounds),
    stake: STAKE,
    privacy: "sealed",
    seal,
    plan: { aggregation },
  });

  // Join: one transaction per participant.
  const keys = people.map((p) => p.wallet.publicKey);
  const beforeJoin = await lamportsOf(connection, keys);
  const tJoin = performance.now();
  const joins = await sendAll(
    connection,
    await Promise.all(
      people.map(async (p) => ({
        signer: p.wallet,
        ixs: [
          await joinPoolIx(program, {
            participant: p.wallet.publicKey,
            pool,
            participantToken: p.token,
            stake: STAKE,
            nostrPubkey: Buffer.from(p.nostr.pubkey, "hex"),
          }),
        ],
      })),
    ),
    limit,
  );
  const joinMs = performance.now() - tJoin;
  const failedJoins = joins.flatMap((j, i) => (j.ok ? [] : [`${people[i]!.name}: ${j.error}`]));
  if (failedJoins.length > 0) throw new Error(`joins failed: ${failedJoins.slice(0, 5).join("; ")}`);
  const afterJoin = await lamportsOf(connection, keys);
  const participantRentLamports = await connection.getMinimumBalanceForRentExemption(184);
  const joinCost = mean(beforeJoin.map((b, i) => b - afterJoin[i]!));
  log(`joined ${people.length} in ${Math.round(joinMs)} ms (${Math.round(people.length / (joinMs / 1000))}/s)`);

  const bindings = await mapLimit(people, 64, (p) =>
    createBinding(p.nostr.secretKey, solanaSignerFromSecretKey(p.wallet.secretKey)),
  );
  const digits = o.train ? fl.partitionIid(fl.loadDigits(), o.participants, 7) : undefined;

  const aggregator = spawnJsonLines(
    "fedstr-aggregator",
    ["run", "--pool", pool.toBase58(), "--wallet", aggWallet.path, "--holdout-digits-test", "200", "--poll-ms", "300"],
    {
      env: { FEDSTR_CONFIG: net.configPath },
      onStderr: (l) => log(`[aggregator] ${l}`),
      onLine: (l) => {
        if (l.event !== "result-received" && l.event !== "round-progress")
          log(`[aggregator] ${JSON.stringify(l).slice(0, 300)}`);
      },
    },
  );
  let peakRssKb = 0;
  const rss = setInterval(() => {
    peakRssKb = Math.max(peakRssKb, vmHwmKb(aggregator.child.pid!));
  }, 100);
  const rounds: RoundFigures[] = [];
  let firstCommitChainTime = 0,
    firstPostedChainTime = 0;
  try {
    await aggregator.waitFor((l) => (l.event === "round-waiting" || l.event === "round-collecting") && l.round === 1);
    for (let round = 1; round <= o.rounds; round++) {
      const account = (await fetchPool(program, pool))!;
      const schedule = scheduleOf(account);
      if ((await chainTime(connection)) < schedule.roundStart(round)) await net.timeTravel(schedule.roundStart(round));
      if (round === 1) firstCommitChainTime = await chainTime(connection);
      await aggregator.waitFor((l) => l.event === "round-collecting" && l.round === round);

      // Each on-time participant: the global model (chain → IPFS), an update, its upload.
      const onTime = people.filter((p) => p.behaviour !== "late");
      const made = await mapLimit(onTime, limit, async (p, k) => {
        const ref = (await modelForRound(program, pool, account, round, plan.model.initialWeights.sha256))!;
        const global = fl.decode(await store.get(ref.cid), { copy: true });
        const idx = people.indexOf(p);
        const weights =
          digits !== undefined && p.behaviour === "honest"
            ? (await fl.trainLocal(plan, global, digits[idx]!, { seed: round * 1000 + idx })).update.weights
            : synthetic(global, round * 100_000 + idx, p.behaviour === "nan");
        const bytes = await sealUpdate(
          fl.encode(weights),
          { pool: pool.toBase58(), seal },
          { round, participant: p.wallet.publicKey.toBase58() },
        );
        const cid = (await store.put(bytes)).toString();
        // The cheat commits the hash of other bytes than it uploaded.
        const sha = p.behaviour === "hash" ? sha256Hex(fl.encode(synthetic(global, 7 + k, false))) : sha256Hex(bytes);
        return { p, cid, sha };
      });
      const before = await lamportsOf(
        connection,
        onTime.map((x) => x.wallet.publicKey),
      );
      const tCommit = performance.now();
      const commits = await sendAll(
        connection,
        await Promise.all(
          made.map(async ({ p, cid, sha }) => ({
            signer: p.wallet,
            ixs: [
              await commitUpdateIx(program, {
                participant: p.wallet.publicKey,
                pool,
                round,
                updateHash: Buffer.from(sha, "hex"),
                updateCid: cidToBytes(cid),
                samples: p.samples,
              }),
            ],
          })),
        ),
        limit,
      );
      const commitMs = performance.now() - tCommit;
      const bad = commits.flatMap((c, i) => (c.ok ? [] : [`${made[i]!.p.name}: ${c.error}`]));
      if (bad.length > 0) throw new Error(`round ${round}: commits failed: ${bad.slice(0, 5).join("; ")}`);
      const after = await lamportsOf(
        connection,
        onTime.map((x) => x.wallet.publicKey),
      );
      const commitRent = await connection.getMinimumBalanceForRentExemption(168);
      const spent = onTime.flatMap((x, i) => (x.behaviour === "honest" ? [before[i]! - after[i]!] : []));
      const commitFee = mean(spent) - commitRent;

      // Results (not from the silent ones), over a few paced connections.
      const results: Event[] = made
        .filter(({ p }) => p.behaviour !== "silent")
        .map(({ p, cid, sha }) =>
          buildResult(
            {
              job: jobEvent,
              aggregator: aggregatorNostr,
              binding: bindings[people.indexOf(p)]!,
              encrypt: true,
              payload: { update: cid, sha256: sha, samples: p.samples, round, metrics: { loss: 1 } },
            },
            p.nostr.secretKey,
          ),
        );
      const tPub = performance.now();
      const flood = await publishFlood(net.relayUrl, results, {
        connections: Math.min(8, Math.max(1, Math.ceil(results.length / 100))),
        perSecond: Math.floor(RELAY_LIMITS.eventsPerSecond * 0.9),
      });
      const pubMs = performance.now() - tPub;
      if (flood.ok !== results.length)
        throw new Error(
          `round ${round}: the relay took ${flood.ok}/${results.length} results: ${JSON.stringify(flood.refused)}`,
        );
      let lastIn = Date.now();
      log(
        `round ${round}: ${made.length} updates committed (${Math.round(commitMs)} ms), ${results.length} results published (${Math.round(pubMs)} ms)`,
      );

      const aggSigsBefore = (
        await connection.getSignaturesForAddress(aggWallet.publicKey, { limit: 1 }, "confirmed")
      )[0]?.signature;
      const [aggLamportsBefore] = await lamportsOf(connection, [aggWallet.publicKey]);
      const waitingFor = made.some(({ p }) => p.behaviour === "silent") || people.some((p) => p.behaviour === "late");
      if (waitingFor) {
        // Nobody else is coming in time: move the clock to the deadline (the stragglers try after it).
        await net.timeTravel(schedule.roundDeadline(round));
        // A committed participant's result is missing: the aggregator awaits it until the deadline plus its
        // share of the grace (chain time), then takes the update from the chain. Travel there too.
        if (made.some(({ p }) => p.behaviour === "silent")) {
          await net.timeTravel(
            schedule.roundDeadline(round) + Math.floor(schedule.gracePeriod * RESULT_WAIT_GRACE_SHARE) + 1,
          );
        }
        lastIn = Date.now();
      }
      const late = people.filter((p) => p.behaviour === "late");
      const lateTry = sendAll(
        connection,
        await Promise.all(
          late.map(async (p) => ({
            signer: p.wallet,
            ixs: [
              await commitUpdateIx(program, {
                participant: p.wallet.publicKey,
                pool,
                round,
                updateHash: Buffer.alloc(32, 1),
                updateCid: cidToBytes(modelCid),
                samples: p.samples,
              }),
            ],
          })),
        ),
        limit,
      );
      const posted = await aggregator.waitFor((l) => l.event === "round-posted" && l.round === round);
      if (round === 1) firstPostedChainTime = await chainTime(connection);
      // feedback-pending: not every relay took every event yet (the aggregator retries later); the figure then says so.
      const feedbackSent = await aggregator.waitFor(
        (l) => (l.event === "feedback-sent" || l.event === "feedback-pending") && l.round === round,
      );
      const lateRefused: Record<string, number> = {};
      for (const r of await lateTry) {
        const k = r.ok ? "LANDED" : r.error;
        lateRefused[k] = (lateRefused[k] ?? 0) + 1;
      }
      const lines = aggregator.lines;
      const collected = lines.find((l) => l.event === "round-collected" && l.round === round)!;
      const aggregated = lines.find((l) => l.event === "round-aggregated" && l.round === round)!;
      const t = (aggregated.timings ?? {}) as Record<string, number>;
      const phases = {
        collect: (collected.ts as number) - lastIn,
        fetchVerify: t.fetchVerifyMs ?? Number.NaN,
        aggregate: t.aggregateMs ?? Number.NaN,
        slash: t.slashMs ?? Number.NaN,
        evaluate: t.evaluateMs ?? Number.NaN,
        upload: t.uploadMs ?? Number.NaN,
        announce: (posted.announceMs as number | undefined) ?? Number.NaN,
        post: (posted.postMs as number | undefined) ?? Number.NaN,
        feedback: feedbackSent.event === "feedback-sent" ? (feedbackSent.feedbackMs as number) : Number.NaN,
      };
      const aggSigs = await signaturesSince(connection, aggWallet.publicKey, aggSigsBefore);
      const [aggLamportsAfter] = await lamportsOf(connection, [aggWallet.publicKey]);

      // Claims: each accepted participant, with its proof from the report the round anchors.
      const reportRef = posted.report as { cid: string };
      const reportBytes = await store.get(reportRef.cid);
      const report: RoundReport = decodeRoundReport(reportBytes);
      const rr = (await fetchRoundResult(program, findRoundAddress(pool, round, program.programId)[0]))!;
      const acceptedSet = new Set(posted.accepted as string[]);
      const claimers = people.filter((p) => acceptedSet.has(p.wallet.publicKey.toBase58()));
      const claims = claimers.map((p) => ({
        p,
        claim: rewardClaimFromJson(report.rewards, p.wallet.publicKey, Uint8Array.from(rr.merkleRoot))!,
      }));
      const beforeClaim = await lamportsOf(
        connection,
        claimers.map((p) => p.wallet.publicKey),
      );
      const tClaim = performance.now();
      const claimTx = await sendAll(
        connection,
        await Promise.all(
          claims.map(async ({ p, claim }) => ({
            signer: p.wallet,
            ixs: [
              await claimRewardIx(program, {
                participant: p.wallet.publicKey,
                pool,
                round,
                weight: claim.weight,
                amount: claim.amount,
                updateHash: claim.updateHash,
                proof: claim.proof,
                destination: p.token,
              }),
              // As fedstr claim does: the round is posted, so its commitment's rent comes back now.
              await closeCommitmentIx(program, {
                caller: p.wallet.publicKey,
                participant: p.wallet.publicKey,
                pool,
                round,
              }),
            ],
          })),
        ),
        limit,
      );
      const claimMs = performance.now() - tClaim;
      const badClaims = claimTx.flatMap((c, i) => (c.ok ? [] : [`${claims[i]!.p.name}: ${c.error}`]));
      if (badClaims.length > 0) throw new Error(`round ${round}: claims failed: ${badClaims.slice(0, 5).join("; ")}`);
      const afterClaim = await lamportsOf(
        connection,
        claimers.map((p) => p.wallet.publicKey),
      );
      const stillOpen = (
        await lamportsOf(
          connection,
          claimers.map((p) => findCommitmentAddress(pool, p.wallet.publicKey, round, program.programId)[0]),
        )
      ).filter((l) => l > 0n).length;

      const feedback = (
        await queryEvents(relays, [{ ...jobFeedbackFilter(jobEvent.id, { from: [aggregatorNostr] }), limit: 100_000 }])
      ).filter((e) => e.tags.some((x) => x[0] === "round" && x[1] === String(round)));
      const fbReader = new EventReader({ kinds: [KIND_JOB_FEEDBACK], maxAgeSec: 86_400 });
      fbReader.followJob(jobEvent.id, [aggregatorNostr]);
      const feedbackTo: Record<string, string[]> = {};
      for (const e of feedback) {
        const a = fbReader.accept(e);
        if (a?.type !== "feedback") throw new Error(`round ${round}: the aggregator's feedback ${e.id} does not parse`);
        for (const p of a.feedback.recipients)
          (feedbackTo[p] ??= []).push(`${a.feedback.status}: ${a.feedback.info ?? ""}`);
      }
      const slashed = (posted.slashed as { participant: string }[]).map((s) => s.participant);
      rounds.push({
        round,
        overheadMs: (posted.ts as number) - lastIn,
        phases,
        memoryMiB: { collected: memoryOf(collected), aggregated: memoryOf(aggregated), posted: memoryOf(posted) },
        accepted: posted.accepted as string[],
        rejected: (posted.rejected as { participant: string; reason: string }[]).map(({ participant, reason }) => ({
          participant,
          reason,
        })),
        slashed,
        lateRefused,
        reportBytes: reportBytes.length,
        feedbackEvents: feedback.length,
        feedbackSent: feedbackSent.event === "feedback-sent",
        feedbackTo,
        resultEventsPerSec: Math.round(results.length / (pubMs / 1000)),
        aggregatorTxs: aggSigs.length,
        aggregatorSlashTxs: slashed.length,
        aggregatorLamports: Number(aggLamportsBefore! - aggLamportsAfter!),
        commitFeeLamports: commitFee,
        commitRentLamports: commitRent,
        // The claim transaction returns the commitment's rent: its fee is what it cost less that.
        claimFeeLamports: mean(beforeClaim.map((b, i) => b - afterClaim[i]!)) + commitRent,
        commitmentsClosedAtClaim: claimers.length - stillOpen,
        commitsPerSec: Math.round(made.length / (commitMs / 1000)),
        claimsPerSec: Math.round(claims.length / (claimMs / 1000)),
        claimed: claims.length,
        claimedTotal: claims.reduce((s, c) => s + c.claim.amount, 0n).toString(),
        reportReward: report.reward,
      });
      log(
        `round ${round}: overhead ${rounds.at(-1)!.overheadMs} ms, ${acceptedSet.size} accepted, ${slashed.length} slashed, ${claims.length} claims (${Math.round(claimMs)} ms)`,
      );
    }
  } finally {
    clearInterval(rss);
  }
  const exitCode = await Promise.race([aggregator.exited, new Promise<null>((r) => setTimeout(() => r(null), 60_000))]);
  aggregator.kill("SIGKILL");

  // Funds: the escrow holds funded + slashed − claimed, the vault the stakes less the slashes.
  const acc = (await fetchPool(program, pool))!;
  const escrow = (await getAccount(connection, findEscrowAddress(pool, program.programId)[0])).amount;
  const vault = (await getAccount(connection, findStakeVaultAddress(pool, program.programId)[0])).amount;
  const escrowExpected =
    BigInt(acc.totalFunded.toString()) - BigInt(acc.totalClaimed.toString()) - BigInt(acc.totalRefunded.toString());
  // totalStaked is net of slashes: the stakes less what was moved to the escrow.
  const vaultExpected = BigInt(acc.totalStaked.toString());
  const claimedAll = rounds.reduce((s, r) => s + BigInt(r.claimedTotal), 0n);
  return {
    pool: pool.toBase58(),
    n: o.participants,
    behaviours: kinds,
    wallets: people.map((p) => p.wallet.publicKey.toBase58()),
    nostrKeys: people.map((p) => p.nostr.pubkey),
    joinsPerSec: Math.round(people.length / (joinMs / 1000)),
    joinFeeLamports: joinCost - participantRentLamports,
    participantRentLamports,
    rounds,
    peakRssKb,
    exitCode,
    aggregator,
    org,
    reconcile: {
      escrow: escrow.toString(),
      escrowExpected: escrowExpected.toString(),
      vault: vault.toString(),
      vaultExpected: vaultExpected.toString(),
      ok:
        escrow === escrowExpected &&
        vault === vaultExpected &&
        claimedAll === BigInt(acc.totalClaimed.toString()) &&
        vaultExpected === BigInt(o.participants) * STAKE - BigInt(acc.totalSlashed.toString()),
    },
    rentBackAfterSec: firstPostedChainTime - firstCommitChainTime,
    schedule: { roundDuration: terms.roundDuration, gracePeriod: terms.gracePeriod, claimWindow: terms.claimWindow },
  };
}
