/**
 * The per-pool loop: load the pool, its plan and job request; follow the participants' results on
 * the relays; then for each round — wait for its window, collect until everyone is in or the round
 * deadline, aggregate, post, send feedback — until the pool is no longer active. Resumes from the
 * checkpoint and reconciles it with the chain at every step (see docs/aggregator.md).
 */
import { writeFileSync } from "node:fs";
import { extname, join } from "node:path";
import { PublicKey } from "@solana/web3.js";
import * as fl from "@fedstr/sdk/fl";
import {
  ParticipantStatus, PoolStatus, cidFromBytes, fetchCommitmentsOfRound, fetchParticipantsOfPool, fetchPool, fetchRoundResult, findRoundAddress,
  poolStatusName, type PoolAccount,
} from "@fedstr/sdk/program";
import { chainTime, fetchJobRequest, scheduleOf, waitForChainTime } from "@fedstr/sdk/job";
import { EventReader, jobResultsFilter, queryEvents, type PoolSubscription, type RelayPool } from "@fedstr/sdk/nostr";
import { sha256Hex } from "@fedstr/sdk/storage";
import type { Session } from "@fedstr/sdk/cli";
import { checkpointDir, emptyCheckpoint, keepResult, loadCheckpoint, markCollected, resumeAction, saveCheckpoint, type RoundCheckpoint } from "./checkpoint.js";
import { buildCandidates, everyoneIn, storedResult } from "./collect.js";
import type { Logger } from "./log.js";
import { ParticipantSet } from "./participants.js";
import { aggregateRound, postRound, PostDeadlineError, save, sendFeedback, type PoolContext } from "./round.js";
import { sleep, withRetry } from "@fedstr/sdk/cli";

/** Where the holdout set comes from (besides plan.evaluation.holdout.cid). */
export type HoldoutSource = { file: string } | { digitsTest: number; seed: number } | undefined;

export interface ServiceOptions {
  session: Session;
  pools: PublicKey[];
  log: Logger;
  holdout?: HoldoutSource;
  /** Chain/commitment polling interval while collecting (ms). */
  pollMs?: number;
  signal: AbortSignal;
}

export interface PoolOutcome {
  pool: string;
  /** Final on-chain status (finished, cancelled, expired, ...), or "abandoned" / "failed". */
  status: string;
  error?: string;
}

/**
 * After the round deadline, a committed participant's result may still arrive for this long (ms),
 * counted from the moment every reachable relay has delivered what it stored before the deadline
 * (see `relaysDrained`): a backlog of junk on the socket cannot eat into it.
 */
export const RESULT_GRACE_MS = 3000;
/** A REQ that matches nothing: its EOSE marks that the relay has sent us everything it stored before it. */
const BARRIER_FILTER = { ids: ["0".repeat(64)], limit: 1 };
/** How long to wait for the relays' stored results (EOSE) before collecting. */
const HISTORY_TIMEOUT_MS = 10_000;
const STATUS = (s: number) => poolStatusName(s).toLowerCase();

export async function runService(opts: ServiceOptions): Promise<PoolOutcome[]> {
  return await Promise.all(opts.pools.map(async (pool): Promise<PoolOutcome> => {
    try {
      return await servePool(opts, pool);
    } catch (e) {
      if (opts.signal.aborted) return { pool: pool.toBase58(), status: "stopped" };
      const err = e as Error;
      opts.log.event("pool-failed", pool.toBase58(), null, { error: err.message, name: err.name });
      return { pool: pool.toBase58(), status: "failed", error: err.message };
    }
  }));
}

async function loadHoldout(opts: ServiceOptions, ctx: Omit<PoolContext, "holdout">): Promise<fl.Dataset | undefined> {
  const src = opts.holdout;
  const schema = ctx.plan.data;
  if (src !== undefined && "file" in src) {
    const ext = extname(src.file).toLowerCase();
    if (ext === ".csv") return fl.loadCsv(src.file, schema);
    if (ext === ".jsonl" || ext === ".ndjson") return fl.loadJsonl(src.file, schema);
    throw new Error(`--holdout ${src.file}: expected a .csv or .jsonl file`);
  }
  if (src !== undefined && "digitsTest" in src) return fl.trainTestSplit(fl.loadDigits(), src.digitsTest, src.seed).test;
  const h = ctx.plan.evaluation.holdout;
  if (h.cid === undefined) return undefined;
  // The organization's holdout on IPFS: verified by CID (and sha256 when the plan gives one), JSON lines or CSV by content.
  const bytes = await withRetry(`fetch holdout ${h.cid}`, () => ctx.store.get(h.cid!), { signal: ctx.signal });
  if (h.sha256 !== undefined && sha256Hex(bytes) !== h.sha256) throw new Error(`holdout ${h.cid} has sha256 ${sha256Hex(bytes)}, the plan says ${h.sha256}`);
  const text = new TextDecoder().decode(bytes);
  const file = join(checkpointDir(ctx.dataDir, ctx.address), text.trimStart().startsWith("{") ? "holdout.jsonl" : "holdout.csv");
  writeFileSync(file, bytes);
  return file.endsWith(".jsonl") ? fl.loadJsonl(file, schema) : fl.loadCsv(file, schema);
}

async function servePool(opts: ServiceOptions, pool: PublicKey): Promise<PoolOutcome> {
  const { session, log, signal } = opts;
  const address = pool.toBase58();
  const program = session.program;
  const read = <T>(what: string, fn: () => Promise<T>) => withRetry(what, fn, { signal, onRetry: (err, attempt, delayMs) => log.event("retry", address, null, { what, attempt, delayMs, error: err.message }) });

  const account = await read(`read pool ${address} from ${session.config.rpcUrl}`, () => fetchPool(program, pool));
  if (account === null) throw new Error(`there is no fedstr pool at ${address} (program ${program.programId.toBase58()})`);
  const me = session.wallet.publicKey.toBase58();
  if (!account.aggregator.equals(session.wallet.publicKey)) throw new Error(`pool ${address}'s aggregator is ${account.aggregator.toBase58()}, not this wallet (${me})`);
  if (account.status !== PoolStatus.Active) {
    log.event("pool-ended", address, null, { status: STATUS(account.status) });
    return { pool: address, status: STATUS(account.status) };
  }

  const [store, relays] = await Promise.all([session.store(), session.relays()]);
  const planCid = cidFromBytes(account.trainingPlanCid).toString();
  const planBytes = await read(`fetch plan ${planCid}`, () => store.get(planCid));
  let plan: fl.TrainingPlan;
  try {
    plan = fl.parsePlan(new TextDecoder().decode(planBytes));
  } catch (e) {
    throw new Error(`the plan ${planCid} of pool ${address} is invalid: ${(e as Error).message}`);
  }
  const budget = fl.aggregationBudget(plan, account.maxParticipants);
  if (!budget.ok) throw new Error(`pool ${address} admits ${account.maxParticipants} participants, more than this aggregator can aggregate with its plan: ${budget.detail}; cancel the pool (no round is posted) and create it again`);
  const jobId = Buffer.from(account.nostrJobId).toString("hex");
  const jobReq = await read("job request", async () => {
    const j = await fetchJobRequest(relays, jobId);
    if (j === undefined) throw new Error(`the job request ${jobId} of pool ${address} was not found on the relays (${relays.urls.join(", ")})`);
    return j;
  });
  const job = jobReq.job;
  if (job.aggregator !== session.nostr.pubkey) throw new Error(`the job request ${jobId} names aggregator Nostr key ${job.aggregator}, not ours (${session.nostr.pubkey}); check --nostr-key`);
  if (job.pool !== address) throw new Error(`the job request ${jobId} is for pool ${job.pool}, not ${address}`);
  if (job.programId !== program.programId.toBase58()) throw new Error(`the job request ${jobId} is for program ${job.programId}, not ${program.programId.toBase58()}`);

  const cp = loadCheckpoint(session.config.dataDir, address, { programId: program.programId.toBase58(), aggregator: me })
    ?? emptyCheckpoint(address, program.programId.toBase58(), me);
  saveCheckpoint(session.config.dataDir, cp);
  const base = { session, store, relays, log, dataDir: session.config.dataDir, pool, address, plan, job, jobId, cp, signal };
  const holdout = await loadHoldout(opts, base);
  const ctx: PoolContext = { ...base, ...(holdout !== undefined ? { holdout } : {}) };
  log.event("pool-loaded", address, null, {
    rounds: account.numRounds, roundsPosted: account.roundsPosted, jobId, plan: planCid, strategy: plan.aggregation.strategy,
    holdout: holdout?.length ?? null, checkpoint: join(checkpointDir(ctx.dataDir, address), "state.json"),
  });

  // Results: only the pool's participants' are looked at (a stranger's event is dropped before any
  // signature check, O(1), and counted); every accepted one is journaled until its round is collected.
  const participants = new ParticipantSet();
  participants.update(await read("participants", () => fetchParticipantsOfPool(program, pool)));
  const reader = new EventReader({
    decryptWith: session.nostr.secretKey, jobIds: [jobId], maxAgeSec: 365 * 86400,
    resultsFrom: (wallet, nostrPubkey) => participants.allows(wallet, nostrPubkey),
  });
  let history!: () => void;
  const historyLoaded = new Promise<void>((resolve) => { history = resolve; setTimeout(resolve, HISTORY_TIMEOUT_MS).unref(); });
  const eosed = new Set<string>();
  const subscribe = (): PoolSubscription => {
    const authors = participants.authors();
    return relays.subscribe([jobResultsFilter(jobId, session.nostr.pubkey, authors !== undefined ? { authors } : {})], {
      onevent: (e) => {
        const a = reader.accept(e);
        if (a?.type !== "result") return;
        const r = storedResult(a);
        if (r === undefined || r.round < 1 || r.round > account.numRounds) return;
        if (keepResult(ctx.dataDir, cp, r)) log.event("result-received", address, r.round, { participant: r.participant, nostrPubkey: r.nostrPubkey, update: r.cid });
      },
      oneose: (url) => { eosed.add(url); if (eosed.size >= relays.urls.length) history(); },
    });
  };
  let sub = subscribe();
  const ingest: Ingest = {
    participants,
    counters: () => Object.fromEntries(Object.entries(reader.counters).filter(([, n]) => n > 0)),
    // A new participant (or a newly known key): ask the relays again, so what it published while we did not know it is replayed.
    resubscribe: () => { sub.close(); sub = subscribe(); },
  };
  try {
    await historyLoaded;
    return await roundLoop(ctx, ingest, opts.pollMs ?? 1000);
  } finally {
    sub.close();
  }
}

/** What the collect loop needs of the results subscription. */
interface Ingest {
  participants: ParticipantSet;
  /** The reader's non-zero counters: accepted, and every reason events were dropped for. */
  counters: () => Record<string, number>;
  resubscribe: () => void;
}

/**
 * Resolves once every connected relay has answered a REQ sent now (EOSE): everything it had stored
 * before has then been delivered to, and handled by, our subscription (same socket, in order). A
 * relay that is down answers after it reconnects (its replay comes first).
 */
async function relaysDrained(relays: RelayPool, timeoutMs: number): Promise<void> {
  await queryEvents(relays, [BARRIER_FILTER], { timeoutMs });
}

async function roundLoop(ctx: PoolContext, ingest: Ingest, pollMs: number): Promise<PoolOutcome> {
  const { session, log, address, signal } = ctx;
  const program = session.program;
  const read = <T>(what: string, round: number | null, fn: () => Promise<T>) => withRetry(what, fn, { signal, onRetry: (err, attempt, delayMs) => log.event("retry", address, round, { what, attempt, delayMs, error: err.message }) });
  const roundResult = async (r: number) => {
    const rr = await read("round result", r, () => fetchRoundResult(program, findRoundAddress(ctx.pool, r, program.programId)[0]));
    return rr === null ? null : { modelSha256: Buffer.from(rr.globalModelHash).toString("hex") };
  };

  for (;;) {
    signal.throwIfAborted();
    const account = (await read("pool", null, () => fetchPool(program, ctx.pool)))!;
    // Finish what earlier runs left: rounds aggregated or posted but without feedback.
    for (const rc of Object.values(ctx.cp.rounds).sort((a, b) => a.round - b.round)) {
      if (rc.round > account.roundsPosted || rc.phase === "feedback-sent") continue;
      const action = resumeAction(rc, await roundResult(rc.round));
      if (action.kind === "conflict") throw new Error(action.detail);
      if (action.kind === "posted-elsewhere") continue;
      if (action.kind === "feedback") {
        if (action.reconciled) {
          rc.posted = { reconciled: true, at: Date.now() };
          rc.phase = "posted";
          save(ctx);
          log.event("round-reconciled", address, rc.round, { model: rc.aggregated!.model, detail: "the post had landed before the previous run recorded it" });
        }
        await sendFeedback(ctx, rc);
      }
    }
    if (account.status !== PoolStatus.Active) {
      log.event("pool-ended", address, null, { status: STATUS(account.status), roundsPosted: account.roundsPosted });
      return { pool: address, status: STATUS(account.status) };
    }
    const round = account.roundsPosted + 1;
    const schedule = scheduleOf(account);
    let rc: RoundCheckpoint | undefined = ctx.cp.rounds[String(round)];
    const action = resumeAction(rc, await roundResult(round));
    if (action.kind === "conflict") throw new Error(action.detail);
    if (action.kind === "posted-elsewhere" || action.kind === "done" || action.kind === "feedback") {
      log.event("round-already-posted", address, round, { detail: "the chain has this round but the pool account did not count it yet" });
      await sleep(pollMs, signal);
      continue;
    }
    const now = await read("clock", round, () => chainTime(session.connection));
    if (now > schedule.postDeadline(round)) return abandon(ctx, new PostDeadlineError(round, schedule.postDeadline(round), now));

    if (action.kind === "collect") {
      const collected = await collectRound(ctx, ingest, account, round, pollMs);
      if (collected === "ended") continue;
      rc = collected;
    }
    try {
      if (rc!.phase === "collected") await aggregateRound(ctx, rc!);
      if (rc!.phase === "aggregated") await postRound(ctx, rc!);
    } catch (e) {
      if (e instanceof PostDeadlineError) return abandon(ctx, e);
      throw e;
    }
    if (rc!.phase === "posted") await sendFeedback(ctx, rc!);
  }
}

function abandon(ctx: PoolContext, e: PostDeadlineError): PoolOutcome {
  ctx.log.event("pool-abandoned", ctx.address, e.round, { postDeadline: e.postDeadline, chainTime: e.now, error: e.message });
  return { pool: ctx.address, status: "abandoned", error: e.message };
}

/**
 * Wait for round r's window, then poll commitments and participants until every active
 * participant has committed and published a matching result, or the round deadline passes. After
 * the deadline, committed participants' results are awaited until every reachable relay has
 * delivered its backlog (`relaysDrained`) plus RESULT_GRACE_MS, and never beyond
 * deadline + gracePeriod / 2 (chain time), which leaves the other half to aggregate and post.
 * Freezes the candidate list.
 */
async function collectRound(ctx: PoolContext, ingest: Ingest, account: PoolAccount, round: number, pollMs: number): Promise<RoundCheckpoint | "ended"> {
  const { session, log, address, signal } = ctx;
  const program = session.program;
  const schedule = scheduleOf(account);
  const read = <T>(what: string, fn: () => Promise<T>) => withRetry(what, fn, { signal, onRetry: (err, attempt, delayMs) => log.event("retry", address, round, { what, attempt, delayMs, error: err.message }) });
  const start = schedule.roundStart(round), deadline = schedule.roundDeadline(round);
  if ((await read("clock", () => chainTime(session.connection))) < start) {
    log.event("round-waiting", address, round, { opensAt: start, deadline });
    await waitForChainTime(session.connection, start, { signal, pollMs: Math.max(pollMs, 250) });
  }
  log.event("round-collecting", address, round, { deadline });
  let lastReport = "";
  let drainedAt: number | undefined;
  let draining = false;
  let relaysDownLogged = false;
  const waitLimit = deadline + Math.floor(schedule.gracePeriod / 2);
  for (;;) {
    const [pool, participants, commitments, now] = await Promise.all([
      read("pool", () => fetchPool(program, ctx.pool)),
      read("participants", () => fetchParticipantsOfPool(program, ctx.pool)),
      read("commitments", () => fetchCommitmentsOfRound(program, ctx.pool, round)),
      read("clock", () => chainTime(session.connection)),
    ]);
    if (pool === null || pool.status !== PoolStatus.Active || pool.roundsPosted >= round) return "ended";
    if (ingest.participants.update(participants)) ingest.resubscribe();
    const joined = ingest.participants.wallets();
    const active = participants.filter((p) => p.account.status === ParticipantStatus.Active).map((p) => p.account.authority.toBase58());
    const candidates = buildCandidates(
      commitments.map((c) => ({ participant: c.account.authority.toBase58(), cid: cidFromBytes(c.account.updateCid).toString(), sha256: Buffer.from(c.account.updateHash).toString("hex"), samples: Number(c.account.samples.toString()) })),
      ctx.cp.results[String(round)] ?? [],
      joined,
    );
    const ready = candidates.filter((c) => c.reason === undefined).length;
    const progress = `${commitments.length}/${active.length}/${ready}`;
    if (progress !== lastReport) {
      lastReport = progress;
      log.event("round-progress", address, round, { active: active.length, committed: commitments.length, ready });
    }
    const complete = everyoneIn(active, candidates);
    const missing = !complete && now >= deadline && candidates.some((c) => c.reason === "NO_RESULT");
    // Results sit on the relays: wait until each reachable one has delivered its backlog (a relay
    // that is down: until it is back and has replayed), then RESULT_GRACE_MS for results published
    // right after their commitment; at most until waitLimit.
    if (missing && !draining) {
      draining = true;
      void relaysDrained(ctx.relays, Math.max(1, waitLimit - now) * 1000).then(() => { drainedAt = Date.now(); });
    }
    if (missing && drainedAt === undefined && !relaysDownLogged && ctx.relays.status().every((r) => !r.connected)) {
      relaysDownLogged = true;
      log.event("round-waiting-for-relays", address, round, { detail: "no relay reachable; results may be waiting there" });
    }
    const waited = !missing || (drainedAt !== undefined && Date.now() >= drainedAt + RESULT_GRACE_MS) || now >= waitLimit;
    if (complete || (now >= deadline && waited)) {
      const rc = markCollected(ctx.cp, round, candidates);
      save(ctx);
      log.event("round-collected", address, round, {
        complete, candidates: candidates.map((c) => ({ participant: c.participant, ...(c.reason !== undefined ? { reason: c.reason } : {}) })),
        ingest: ingest.counters(),
      });
      return rc;
    }
    await sleep(pollMs, signal);
  }
}
