/**
 * One round, after its candidates are frozen: fetch every update by CID, check it against the
 * committed sha256 (mismatch → slash with evidence), validate and aggregate (runRound), evaluate
 * on the holdout, upload the model / server state / round report, post the round on chain, and
 * send each participant its feedback. Every step records its outcome in the checkpoint before the
 * next one starts, so a restart finishes the round with the very same artefacts.
 */
import { createHash } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { type RetryOptions, type Session, withRetry, writeFileAtomic } from "@fedstr/sdk/cli";
import * as fl from "@fedstr/sdk/fl";
import {
  buildRoundReport,
  type ContentRef,
  chainTime,
  encodeRoundReport,
  modelForRound,
  type RoundReport,
  SEAL_REJECT_REASONS,
  scheduleOf,
} from "@fedstr/sdk/job";
import { buildFeedback, type Event, feedbackForMany, type JobRequest, type RelayPool } from "@fedstr/sdk/nostr";
import { roundOpener, roundSecretKey, SealError } from "@fedstr/sdk/privacy";
import {
  cidToBytes,
  fetchParticipant,
  fetchPool,
  fetchRoundResult,
  findParticipantAddress,
  findRoundAddress,
  type PoolAccount,
  postRoundIx,
  slashIx,
} from "@fedstr/sdk/program";
import { type ContentStore, sha256Hex } from "@fedstr/sdk/storage";
import { PublicKey } from "@solana/web3.js";
import {
  type AggregatedRecord,
  type Checkpoint,
  checkpointDir,
  type RejectedEntry,
  type RoundCheckpoint,
  type SlashRecord,
  saveCheckpoint,
} from "./checkpoint.js";
import { type Logger, memoryMiB } from "./log.js";
import type { UpdatePrefetch } from "./prefetch.js";

/** Everything a pool's rounds need. */
export interface PoolContext {
  session: Session;
  store: ContentStore;
  relays: RelayPool;
  log: Logger;
  dataDir: string;
  pool: PublicKey;
  address: string;
  plan: fl.TrainingPlan;
  job: JobRequest;
  jobId: string;
  holdout?: fl.Dataset;
  cp: Checkpoint;
  signal: AbortSignal;
  /** The collecting (or last collected) round's updates, fetched ahead (collectRound starts it, aggregateRound ends it). */
  updates?: UpdatePrefetch;
}

/** The round cannot be posted any more (its post deadline passed); anyone may expire the pool. */
export class PostDeadlineError extends Error {
  override name = "PostDeadlineError";
  readonly permanent = true;
  constructor(
    readonly round: number,
    readonly postDeadline: number,
    readonly now: number,
  ) {
    super(
      `round ${round} was not posted by its post deadline ${new Date(postDeadline * 1000).toISOString()} (chain time ${new Date(now * 1000).toISOString()}); the pool can now be expired by anyone`,
    );
  }
}

/** The chain holds another result for a round than the one this aggregator computed. */
export class RoundConflictError extends Error {
  override name = "RoundConflictError";
  readonly permanent = true;
}

/** Slash reason code for an update whose bytes do not hash to the committed sha256. */
export const SLASH_REASON_HASH_MISMATCH = 1;
/** Per-update fetch timeout (ms); fetches are retried, a candidate still missing is UNAVAILABLE. */
const FETCH_TIMEOUT_MS = 15_000;
/** Updates fetched ahead of the one being aggregated: hides the store's latency, bounds memory. */
const FETCH_AHEAD = 16;
/** Longest pause between two fetches of an update that is still unavailable (ms). */
const FETCH_RETRY_MAX_DELAY_MS = 2_000;
/** Checkpoint writes asked for within this window are one write (ms). */
const SAVE_BATCH_MS = 50;

export function save(ctx: PoolContext): void {
  saveCheckpoint(ctx.dataDir, ctx.cp);
}

const pendingSaves = new WeakMap<PoolContext, Promise<void>>();
/**
 * One checkpoint write for every caller within SAVE_BATCH_MS: concurrent slashes each need their
 * intent on disk before they send, and at N = 1,000 the checkpoint is ~1 MB (a synchronous write each).
 */
function saveSoon(ctx: PoolContext): Promise<void> {
  let p = pendingSaves.get(ctx);
  if (p === undefined) {
    p = new Promise<void>((resolve, reject) =>
      setTimeout(() => {
        pendingSaves.delete(ctx);
        try {
          save(ctx);
          resolve();
        } catch (e) {
          reject(e);
        }
      }, SAVE_BATCH_MS),
    );
    pendingSaves.set(ctx, p);
  }
  return p;
}

/** `fn` with the SDK's retry policy; every retry is logged as a `retry` event of the pool (and round). */
export function retryLogged<T>(
  ctx: Pick<PoolContext, "log" | "address" | "signal">,
  round: number | null,
  what: string,
  fn: () => Promise<T>,
  opts: Pick<RetryOptions, "attempts" | "deadline" | "maxDelayMs"> = {},
): Promise<T> {
  return withRetry(what, fn, {
    ...opts,
    signal: ctx.signal,
    onRetry: (err, attempt, delayMs) =>
      ctx.log.event("retry", ctx.address, round, { what, attempt, delayMs, error: err.message }),
  });
}

/** Bytes by CID (verified by the store), checked against an expected sha256 when given. */
async function fetchVerified(
  ctx: PoolContext,
  round: number,
  ref: { cid: string; sha256?: string },
  what: string,
): Promise<Uint8Array> {
  const bytes = await retryLogged(ctx, round, `fetch ${what}`, () =>
    ctx.store.get(ref.cid, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) }),
  );
  if (ref.sha256 !== undefined && sha256Hex(bytes) !== ref.sha256)
    throw new Error(`${what} ${ref.cid} has sha256 ${sha256Hex(bytes)}, expected ${ref.sha256}`);
  return bytes;
}

/**
 * The committed update of candidate `c`, by its on-chain CID (verified by the store): the one place
 * the aggregator reads a participant's update. An IPFS outage is retried until chain time `until`
 * (the round's post deadline less a quarter of the grace, kept for aggregating and posting), so an
 * outage the grace can absorb rejects no honest update as UNAVAILABLE.
 */
async function fetchUpdate(
  ctx: PoolContext,
  round: number,
  c: { participant: string; cid: string },
  until: number,
): Promise<Uint8Array> {
  return await retryLogged(
    ctx,
    round,
    `fetch update of ${c.participant}`,
    () => ctx.store.get(c.cid, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) }),
    {
      attempts: 3,
      maxDelayMs: FETCH_RETRY_MAX_DELAY_MS,
      deadline: async () => (await chainTime(ctx.session.connection)) >= until,
    },
  );
}

async function upload(ctx: PoolContext, round: number, bytes: Uint8Array, name: string): Promise<ContentRef> {
  const cid = await retryLogged(ctx, round, `upload ${name}`, () => ctx.store.put(bytes, { name }));
  return { cid: cid.toString(), sha256: sha256Hex(bytes) };
}

/** The global model round r trains from, and the server state before round r (stateful strategies). */
async function roundInputs(
  ctx: PoolContext,
  round: number,
  account: PoolAccount,
): Promise<{ model: ContentRef; weights: fl.Weights; state?: fl.ServerState; stateRef?: ContentRef }> {
  const model = await retryLogged(ctx, round, "previous model", () =>
    modelForRound(ctx.session.program, ctx.pool, account, round, ctx.plan.model.initialWeights.sha256),
  );
  if (model === undefined) throw new Error(`round ${round - 1} is not posted, so round ${round} has no global model`);
  const weights = fl.decode(await fetchVerified(ctx, round, model, "global model"), { copy: true });
  if (round === 1 || !fl.createStrategy(ctx.plan.aggregation).stateful) return { model, weights };
  const stateRef = ctx.cp.rounds[String(round - 1)]?.aggregated?.state;
  if (stateRef === undefined) {
    throw new Error(
      `the ${ctx.plan.aggregation.strategy} server state after round ${round - 1} is not in the checkpoint (was the data dir lost?); it cannot be recomputed`,
    );
  }
  return {
    model,
    weights,
    state: fl.decode(await fetchVerified(ctx, round, stateRef, "server state"), { copy: true }),
    stateRef,
  };
}

/** The slash amount the program allows now: min(stake, initialStake × bps / 10000 − already slashed). */
export function slashAmount(
  p: { stake: bigint; initialStake: bigint; slashed: bigint },
  slashLimitBps: number,
): bigint {
  const limit = (p.initialStake * BigInt(slashLimitBps)) / 10000n - p.slashed;
  const amount = p.stake < limit ? p.stake : limit;
  return amount > 0n ? amount : 0n;
}

/** Slash a participant whose update does not match its commitment (once: the record is checked against the chain first). */
async function slashMismatch(
  ctx: PoolContext,
  rc: RoundCheckpoint,
  participant: string,
  cid: string,
  committed: string,
  actual: string,
): Promise<SlashRecord | undefined> {
  const round = rc.round;
  const wallet = new PublicKey(participant);
  const stateAddr = findParticipantAddress(ctx.pool, wallet, ctx.session.program.programId)[0];
  const readState = async () => {
    const s = await retryLogged(ctx, round, "participant", () => fetchParticipant(ctx.session.program, stateAddr));
    if (s === null) throw new Error(`participant ${participant} has no account on the pool`);
    return {
      stake: BigInt(s.stake.toString()),
      initialStake: BigInt(s.initialStake.toString()),
      slashed: BigInt(s.slashed.toString()),
    };
  };
  let rec = rc.slashes.find((s) => s.participant === participant);
  if (rec?.landed) return rec;
  if (rec === undefined) {
    const state = await readState();
    const account = await retryLogged(ctx, round, "pool", () => fetchPool(ctx.session.program, ctx.pool));
    const amount = slashAmount(state, account!.slashLimitBps);
    if (amount === 0n) {
      ctx.log.event("slash-skipped", ctx.address, round, {
        participant,
        detail: "nothing left to slash within the pool's slash limit",
      });
      return undefined;
    }
    const evidence = { pool: ctx.address, round, participant, committedSha256: committed, cid, actualSha256: actual };
    const ev = await upload(
      ctx,
      round,
      new TextEncoder().encode(JSON.stringify(evidence)),
      `slash-evidence-${round}-${participant}`,
    );
    rec = {
      participant,
      amount: amount.toString(),
      slashedBefore: state.slashed.toString(),
      evidenceCid: ev.cid,
      landed: false,
    };
    rc.slashes.push(rec);
    await saveSoon(ctx); // the intent first: a restart checks the chain before sending again
  }
  const target = BigInt(rec.slashedBefore) + BigInt(rec.amount);
  const r = rec;
  try {
    await retryLogged(ctx, round, "slash", async () => {
      if ((await readState()).slashed >= target) return; // an earlier attempt landed
      const ix = await slashIx(ctx.session.program, {
        aggregator: ctx.session.wallet.publicKey,
        pool: ctx.pool,
        participant: wallet,
        round,
        amount: BigInt(r.amount),
        reason: SLASH_REASON_HASH_MISMATCH,
        evidenceCid: cidToBytes(r.evidenceCid),
      });
      r.signature = await ctx.session.send(`slash ${participant}`, [ix]);
    });
  } catch (e) {
    ctx.log.event("slash-failed", ctx.address, round, { participant, error: (e as Error).message });
    return undefined;
  }
  r.landed = true; // on disk with the next write (a restart reads the chain before sending again)
  ctx.log.event("slashed", ctx.address, round, {
    participant,
    amount: r.amount,
    evidenceCid: r.evidenceCid,
    signature: r.signature ?? null,
  });
  return r;
}

/** On-chain metric: plan.evaluation.metric × 1e6, rounded, as a u64 decimal string (0 without holdout). */
export function onChainMetric(metric: "accuracy" | "loss", metrics: Record<string, number>): string {
  const v = metrics[metric];
  if (v === undefined || !Number.isFinite(v) || v <= 0) return "0";
  return BigInt(Math.min(Math.round(v * 1e6), Number.MAX_SAFE_INTEGER)).toString();
}

async function evaluateHoldout(ctx: PoolContext, weights: fl.Weights): Promise<Record<string, number>> {
  if (ctx.holdout === undefined) return {};
  const m = await fl.evaluate(ctx.plan, weights, ctx.holdout);
  return { loss: m.loss, ...(m.accuracy !== undefined ? { accuracy: m.accuracy } : {}) };
}

/**
 * collected → aggregated: fetch, verify, slash, aggregate, evaluate, upload the model (+ state) and
 * the report, sign the feedback. Nothing is posted here.
 */
export async function aggregateRound(ctx: PoolContext, rc: RoundCheckpoint): Promise<AggregatedRecord> {
  const round = rc.round;
  const account = (await retryLogged(ctx, round, "pool", () => fetchPool(ctx.session.program, ctx.pool)))!;
  const lastRound = round === account.numRounds;
  const inputs = await roundInputs(ctx, round, account);
  const candidates = rc.candidates;
  ctx.log.event("round-aggregating", ctx.address, round, {
    candidates: candidates.filter((c) => c.reason === undefined).length,
  });
  // One notice naming every candidate (split per MAX_FEEDBACK_RECIPIENTS), not one event each.
  for (const e of feedbackForMany(
    { jobId: ctx.jobId, status: "processing", info: `aggregating round ${round}`, round },
    candidates.flatMap((c) => (c.nostrPubkey !== undefined ? [c.nostrPubkey] : [])),
    ctx.session.nostr.secretKey,
  ))
    void ctx.relays.publish(e);

  // Verdicts by candidate index: market reasons first, then fetch / hash, then the FL core's.
  const verdicts = candidates.map((c) => ({
    accepted: false,
    reason: c.reason as string | undefined,
    detail: c.detail,
  }));
  // The updates stream into the strategy: fetched FETCH_AHEAD ahead in candidate order, hash-checked,
  // handed over and dropped, so a streaming strategy (FedAvg) holds O(model) whatever N; the
  // strategies that need every update at once (Krum, median) keep them (see aggregationBudget).
  const fedIndex: number[] = [];
  const timings = { fetchVerifyMs: 0, slashMs: 0, aggregateMs: 0, evaluateMs: 0, uploadMs: 0 };
  const slashing: Promise<unknown>[] = [];
  const live = candidates.flatMap((c, i) => (c.reason === undefined ? [i] : []));
  // Sealed job: each update is opened right after its hash check (the commitment covers the
  // ciphertext), in memory (~1 ms with native X25519). Nothing plaintext is stored or logged.
  const open =
    ctx.job.seal !== undefined
      ? await roundOpener(await roundSecretKey(ctx.session.nostr.secretKey, ctx.job.seal.id, round))
      : undefined;
  const fetchUntil = scheduleOf(account).postDeadline(round) - Math.ceil(scheduleOf(account).gracePeriod / 4);
  type Prepared = { bytes: Uint8Array } | { reject: { reason: string; detail: string }; mismatch?: { actual: string } };
  // Fetch, hash and open one candidate: FETCH_AHEAD of these run at once, in candidate order.
  const mismatch = (c: { cid: string; sha256: string }, actual: string) => ({
    reject: {
      reason: "HASH_MISMATCH",
      detail: `the bytes of ${c.cid} hash to ${actual}, the commitment is ${c.sha256}`,
    },
    mismatch: { actual },
  });
  // Fetched while collecting (and hash-checked there), else fetched now.
  const prefetched = ctx.updates?.round === round ? ctx.updates : undefined;
  const prepare = async (i: number): Promise<Prepared> => {
    const c = candidates[i]!;
    let got: Uint8Array;
    const pre = await prefetched?.take(c);
    if (pre !== undefined && "mismatch" in pre) return mismatch(c, pre.mismatch);
    if (pre !== undefined) got = pre.bytes;
    else {
      try {
        got = await fetchUpdate(ctx, round, c, fetchUntil);
      } catch (e) {
        return { reject: { reason: "UNAVAILABLE", detail: `could not fetch ${c.cid}: ${(e as Error).message}` } };
      }
      const actual = sha256Hex(got);
      if (actual !== c.sha256) return mismatch(c, actual);
    }
    if (open === undefined) return { bytes: got };
    try {
      return { bytes: await open(got, { pool: ctx.address, round, participant: c.participant }) };
    } catch (e) {
      if (!(e instanceof SealError)) throw e;
      return { reject: { reason: SEAL_REJECT_REASONS[e.code], detail: e.message } };
    }
  };
  // The hash cheats the prefetch already found are slashed first, while the rest is aggregated.
  for (const i of live) {
    const c = candidates[i]!;
    const actual = prefetched?.mismatchOf(c);
    if (actual === undefined) continue;
    verdicts[i] = { accepted: false, ...mismatch(c, actual).reject };
    slashing.push(slashMismatch(ctx, rc, c.participant, c.cid, c.sha256, actual));
  }
  const streamed = live.filter((i) => verdicts[i]!.reason === undefined);
  async function* verified(): AsyncGenerator<fl.Candidate> {
    const ahead: Promise<Prepared>[] = [];
    let next = 0;
    const fill = () => {
      while (ahead.length < FETCH_AHEAD && next < streamed.length) {
        const p = prepare(streamed[next++]!);
        p.catch(() => {}); // awaited in order below; a round that stops early must not leave it unhandled
        ahead.push(p);
      }
    };
    for (const i of streamed) {
      const t0 = performance.now();
      fill();
      const got = await ahead.shift()!;
      fill();
      timings.fetchVerifyMs += performance.now() - t0;
      const c = candidates[i]!;
      if ("reject" in got) {
        verdicts[i] = { accepted: false, ...got.reject };
        // Slashes are sent while the stream goes on (one transaction each); awaited before the report.
        if (got.mismatch !== undefined)
          slashing.push(slashMismatch(ctx, rc, c.participant, c.cid, c.sha256, got.mismatch.actual));
        continue;
      }
      fedIndex.push(i);
      // The committed sha256 is of the ciphertext in a sealed job: runRound checks it only for plaintext.
      yield {
        id: c.participant,
        bytes: got.bytes,
        ...(open === undefined ? { sha256: Buffer.from(c.sha256, "hex") } : {}),
        numSamples: c.samples,
      };
    }
  }

  let fallback: string | undefined;
  let weights = inputs.weights;
  let state: fl.ServerState | undefined = inputs.state;
  const tAggregate = performance.now();
  try {
    const res = await fl.runRound({
      plan: ctx.plan,
      global: inputs.weights,
      ...(inputs.state !== undefined ? { state: inputs.state } : {}),
      candidates: verified(),
      sha256: (bytes) => createHash("sha256").update(bytes).digest(),
    });
    for (const v of res.verdicts)
      verdicts[fedIndex[v.index]!] = { accepted: v.accepted, reason: v.reason, detail: v.detail };
    weights = res.weights;
    state = res.state.length > 0 ? res.state : undefined;
  } catch (e) {
    if (!(e instanceof fl.TooFewUpdatesError)) {
      await Promise.allSettled(slashing); // their outcome is in the checkpoint; the error is the round's
      throw e;
    }
    for (const v of e.verdicts)
      verdicts[fedIndex[v.index]!] = { accepted: v.accepted, reason: v.reason, detail: v.detail };
    fallback = e.message;
  }
  // runRound's time less what it spent waiting on the fetches above.
  timings.aggregateMs = performance.now() - tAggregate - timings.fetchVerifyMs;
  const tEvaluate = performance.now();
  let metrics = await evaluateHoldout(ctx, weights);
  if (fallback === undefined && ctx.holdout !== undefined && ctx.plan.evaluation.holdout.use === "gate" && round > 1) {
    const prev = await retryLogged(ctx, round, "previous round", () =>
      fetchRoundResult(ctx.session.program, findRoundAddress(ctx.pool, round - 1, ctx.session.program.programId)[0]),
    );
    const previous = prev !== null && !prev.metric.isZero() ? Number(prev.metric.toString()) / 1e6 : undefined;
    const gate = fl.evaluationGate(ctx.plan, previous, metrics[ctx.plan.evaluation.metric] ?? 0);
    if (!gate.ok) fallback = `evaluation gate: ${gate.detail}`;
  }
  if (fallback !== undefined) {
    // Keep the previous model and state; the valid updates were not used, so they earn nothing.
    const code = fallback.startsWith("evaluation gate") ? "EVALUATION_GATE" : "MIN_UPDATES";
    for (const v of verdicts)
      if (v.accepted)
        Object.assign(v, { accepted: false, reason: code, detail: `the round kept the previous model (${fallback})` });
    weights = inputs.weights;
    state = inputs.state;
    metrics = await evaluateHoldout(ctx, weights);
  }
  timings.evaluateMs = performance.now() - tEvaluate;
  const tUpload = performance.now();

  const model =
    fallback !== undefined
      ? inputs.model
      : await upload(ctx, round, fl.encode(weights), `model-${ctx.address}-${round}`);
  const stateRef =
    fallback !== undefined
      ? inputs.stateRef
      : state !== undefined
        ? await upload(ctx, round, fl.encode(state), `state-${ctx.address}-${round}`)
        : undefined;

  // The slashes ran alongside evaluate and upload; the report lists them and the escrow counts them.
  const tSlash = performance.now();
  await Promise.all(slashing);
  timings.slashMs = performance.now() - tSlash;
  // Rewards: the round's share of the reward the job announced, capped by what the escrow still has.
  const fresh = (await retryLogged(ctx, round, "pool", () => fetchPool(ctx.session.program, ctx.pool)))!;
  const { report, tree } = buildRoundReport({
    programId: ctx.session.program.programId.toBase58(),
    pool: ctx.pool,
    round,
    numRounds: account.numRounds,
    jobReward: BigInt(ctx.job.reward.amount),
    available:
      BigInt(fresh.totalFunded.toString()) -
      BigInt(fresh.totalRefunded.toString()) -
      BigInt(fresh.totalAllocated.toString()),
    strategy: ctx.plan.aggregation.strategy,
    previousModel: inputs.model,
    ...(inputs.stateRef !== undefined ? { previousState: inputs.stateRef } : {}),
    model,
    ...(stateRef !== undefined ? { state: stateRef } : {}),
    verdicts: candidates.map((c, i) => ({
      participant: c.participant,
      ...(c.nostrPubkey !== undefined ? { nostrPubkey: c.nostrPubkey } : {}),
      cid: c.cid,
      sha256: c.sha256,
      samples: c.samples,
      // A sealed job's results are encrypted, their training metrics too: the public report leaves them out.
      ...(c.metrics !== undefined && ctx.job.privacy === "public" ? { metrics: c.metrics } : {}),
      accepted: verdicts[i]!.accepted,
      ...(verdicts[i]!.reason !== undefined ? { reason: verdicts[i]!.reason } : {}),
      ...(verdicts[i]!.detail !== undefined ? { detail: verdicts[i]!.detail } : {}),
    })),
    metrics,
    slashes: rc.slashes
      .filter((s) => s.landed)
      .map((s) => ({
        participant: s.participant,
        amount: s.amount,
        reason: "HASH_MISMATCH",
        ...(s.signature !== undefined ? { signature: s.signature } : {}),
      })),
  });
  const updates = report.updates;
  const acceptedIdx = verdicts.flatMap((v, i) => (v.accepted ? [i] : []));
  const reportBytes = encodeRoundReport(report);
  const reportRef = await upload(ctx, round, reportBytes, `report-${ctx.address}-${round}`);
  timings.uploadMs = performance.now() - tUpload - timings.slashMs;

  const rejected: RejectedEntry[] = updates
    .filter((u) => !u.accepted)
    .map((u) => ({ participant: u.participant, reason: u.reason ?? "REJECTED", detail: u.detail ?? "" }));
  // Feedback grows with the rejections, not the participants: one verdict event names every
  // accepted participant (split per MAX_FEEDBACK_RECIPIENTS), one names every absent one, and each
  // rejection is its own event with its reason.
  const sk = ctx.session.nostr.secretKey;
  const keyed = updates.flatMap((u) => (u.nostrPubkey !== undefined ? [{ ...u, nostrPubkey: u.nostrPubkey }] : []));
  const feedback: Event[] = [
    ...feedbackForMany(
      {
        jobId: ctx.jobId,
        round,
        report: reportRef,
        status: lastRound ? "success" : "partial",
        model,
        ...(Object.keys(metrics).length > 0 ? { metrics } : {}),
      },
      keyed.filter((u) => u.accepted).map((u) => u.nostrPubkey),
      sk,
    ),
    ...keyed
      .filter((u) => !u.accepted)
      .map((u) =>
        buildFeedback(
          {
            jobId: ctx.jobId,
            recipients: [u.nostrPubkey],
            round,
            report: reportRef,
            status: "error",
            info: `round ${round} update rejected: ${u.reason}: ${u.detail ?? ""}`.slice(0, 1024),
          },
          sk,
        ),
      ),
    // Active participants who committed nothing are told too: a missed round is never silent.
    ...feedbackForMany(
      {
        jobId: ctx.jobId,
        round,
        report: reportRef,
        status: "error",
        info: `round ${round} missed: no commitment from you by the round's deadline`,
      },
      (rc.absent ?? []).flatMap((a) => (a.nostrPubkey !== undefined ? [a.nostrPubkey] : [])),
      sk,
    ),
  ];
  const agg: AggregatedRecord = {
    model,
    ...(stateRef !== undefined ? { state: stateRef } : {}),
    report: reportRef,
    root: tree.root.toString("hex"),
    reward: tree.totalReward.toString(),
    metric: onChainMetric(ctx.plan.evaluation.metric, metrics),
    acceptedCount: acceptedIdx.length,
    metrics,
    accepted: acceptedIdx.map((i) => candidates[i]!.participant),
    rejected,
    ...(fallback !== undefined ? { fallback } : {}),
    feedback,
  };
  rc.aggregated = agg;
  rc.phase = "aggregated";
  save(ctx);
  writeReportFiles(ctx, report, agg);
  if (prefetched !== undefined) {
    ctx.updates = undefined;
    await prefetched.close();
  }
  ctx.log.event("round-aggregated", ctx.address, round, {
    accepted: agg.accepted,
    rejected: agg.rejected,
    model,
    report: reportRef,
    reportBytes: reportBytes.length,
    reward: agg.reward,
    ...(fallback !== undefined ? { fallback } : {}),
    timings: Object.fromEntries(Object.entries(timings).map(([k, v]) => [k, Math.round(v)])),
    memory: memoryMiB(),
  });
  return agg;
}

/** `<dataDir>/aggregator/<pool>/round-<r>.json` (the report) and `round-<r>.txt` (a summary for people). */
function writeReportFiles(ctx: PoolContext, report: RoundReport, agg: AggregatedRecord): void {
  const dir = checkpointDir(ctx.dataDir, ctx.address);
  writeFileAtomic(join(dir, `round-${report.round}.json`), `${JSON.stringify(report, null, 1)}\n`);
  const lines = [
    `pool ${report.pool}, round ${report.round} (${report.strategy})`,
    `previous model ${report.previousModel.cid}`,
    `new model      ${report.model.cid} (sha256 ${report.model.sha256})${agg.fallback ? `  — previous model kept: ${agg.fallback}` : ""}`,
    `report         ${agg.report.cid}`,
    `metrics        ${
      Object.entries(report.metrics)
        .map(([k, v]) => `${k} ${v.toFixed(4)}`)
        .join(", ") || "(no holdout)"
    }`,
    `reward         ${report.reward} base units, merkle root ${agg.root}`,
    "",
    "participant                                    samples  verdict          reward",
    ...report.updates.map(
      (u) =>
        `${u.participant.padEnd(46)} ${String(u.samples).padStart(7)}  ${(u.accepted ? "accepted" : (u.reason ?? "rejected")).padEnd(16)} ${u.reward}`,
    ),
    ...report.slashes.map((s) => `slashed ${s.participant} ${s.amount} (${s.reason})`),
  ];
  writeFileSync(join(dir, `round-${report.round}.txt`), `${lines.join("\n")}\n`);
}

/**
 * aggregated → posted. Never posts twice: the RoundResult account is checked before every attempt
 * (an earlier attempt, or a run killed after sending, may have landed).
 */
export async function postRound(ctx: PoolContext, rc: RoundCheckpoint): Promise<"posted" | "reconciled"> {
  const round = rc.round,
    agg = rc.aggregated!;
  const t0 = performance.now();
  const program = ctx.session.program;
  const roundAddr = findRoundAddress(ctx.pool, round, program.programId)[0];
  const account = (await retryLogged(ctx, round, "pool", () => fetchPool(program, ctx.pool)))!;
  const deadline = scheduleOf(account).postDeadline(round);
  let signature: string | undefined;
  let landedEarlier = false;
  // Announce the report before the post can land: an aggregator that dies between posting and its
  // feedback must not leave participants without the proofs they claim with.
  if ((await fetchRoundResult(program, roundAddr)) === null) await announceReport(ctx, rc);
  const announceMs = Math.round(performance.now() - t0);
  try {
    await retryLogged(ctx, round, "post round", async () => {
      const existing = await fetchRoundResult(program, roundAddr);
      if (existing !== null) {
        if (fl.toHex(existing.globalModelHash) !== agg.model.sha256)
          throw new RoundConflictError(
            `round ${round} is already on chain with model sha256 ${fl.toHex(existing.globalModelHash)}, not the one this aggregator computed (${agg.model.sha256})`,
          );
        landedEarlier = true;
        return;
      }
      const now = await chainTime(ctx.session.connection);
      if (now > deadline) throw new PostDeadlineError(round, deadline, now);
      const ix = await postRoundIx(program, {
        aggregator: ctx.session.wallet.publicKey,
        pool: ctx.pool,
        round,
        globalModelCid: cidToBytes(agg.model.cid),
        globalModelHash: Buffer.from(agg.model.sha256, "hex"),
        merkleRoot: Buffer.from(agg.root, "hex"),
        metric: BigInt(agg.metric),
        reward: BigInt(agg.reward),
        acceptedCount: agg.acceptedCount,
        // The report was uploaded before posting: anchoring it lets claim/verify go chain → IPFS.
        reportCid: cidToBytes(agg.report.cid),
        reportSha256: Buffer.from(agg.report.sha256, "hex"),
      });
      signature = await ctx.session.send(`post round ${round}`, [ix]);
    });
  } catch (e) {
    if ((e as { programError?: string }).programError === "RoundPostingExpired" && !(e instanceof PostDeadlineError)) {
      throw new PostDeadlineError(round, deadline, await chainTime(ctx.session.connection));
    }
    throw e;
  }
  rc.posted = {
    ...(signature !== undefined ? { signature } : {}),
    ...(landedEarlier ? { reconciled: true } : {}),
    at: Date.now(),
  };
  rc.phase = "posted";
  save(ctx);
  if (landedEarlier)
    ctx.log.event("round-reconciled", ctx.address, round, {
      model: agg.model,
      detail: "an earlier attempt had already posted this round; not posted again",
    });
  else {
    ctx.log.event("round-posted", ctx.address, round, {
      accepted: agg.accepted,
      rejected: agg.rejected,
      slashed: rc.slashes
        .filter((s) => s.landed)
        .map((s) => ({ participant: s.participant, amount: s.amount, signature: s.signature ?? null })),
      metrics: agg.metrics,
      reward: agg.reward,
      model: agg.model,
      report: agg.report,
      signature,
      announceMs,
      postMs: Math.round(performance.now() - t0) - announceMs,
      memory: memoryMiB(),
      ...(agg.fallback !== undefined ? { fallback: agg.fallback } : {}),
    });
  }
  return landedEarlier ? "reconciled" : "posted";
}

/** The participants a feedback event names (its p tags). */
const recipientsOf = (e: Event) => e.tags.filter((t) => t[0] === "p").map((t) => t[1]!);

/** A `processing` feedback with the round's report to everyone the round's feedback names (best effort). */
async function announceReport(ctx: PoolContext, rc: RoundCheckpoint): Promise<void> {
  const agg = rc.aggregated!;
  const recipients = agg.feedback.flatMap(recipientsOf);
  await Promise.all(
    feedbackForMany(
      {
        jobId: ctx.jobId,
        status: "processing",
        info: `round ${rc.round} aggregated; posting it on chain`,
        round: rc.round,
        report: agg.report,
      },
      recipients,
      ctx.session.nostr.secretKey,
    ).map((e) => ctx.relays.publish(e)),
  );
}

/**
 * posted → feedback-sent: publish the signed feedback events (the same ids on every attempt).
 * Never sleeps through a round: what no relay took stays queued in the relay pool (sent when a
 * relay is back), the round stays "posted" and the next pass of the round loop sends again.
 * `waitMs` (when the pool has ended and nothing else is left to do) waits that long for a relay.
 * Returns whether every event was accepted by some relay.
 */
export async function sendFeedback(
  ctx: PoolContext,
  rc: RoundCheckpoint,
  opts: { waitMs?: number } = {},
): Promise<boolean> {
  const events = rc.aggregated?.feedback ?? [];
  const t0 = performance.now();
  const unsent = async () =>
    (await Promise.all(events.map((e) => ctx.relays.publish(e)))).filter(
      (o) => !o.some((x) => x.ok || x.message.startsWith("duplicate")),
    ).length;
  let left = await unsent();
  if (
    left > 0 &&
    opts.waitMs !== undefined &&
    (await ctx.relays.waitForConnection({ timeoutMs: opts.waitMs, signal: ctx.signal }))
  )
    left = await unsent();
  if (left > 0) {
    ctx.log.event("feedback-pending", ctx.address, rc.round, {
      detail: `no relay accepted ${left} of ${events.length} feedback events yet; they are queued and sent again on the next pass`,
    });
    return false;
  }
  rc.phase = "feedback-sent";
  rc.feedbackSentAt = Date.now();
  save(ctx);
  ctx.log.event("feedback-sent", ctx.address, rc.round, {
    events: events.length,
    recipients: events.reduce((n, e) => n + recipientsOf(e).length, 0),
    feedbackMs: Math.round(performance.now() - t0),
  });
  return true;
}
