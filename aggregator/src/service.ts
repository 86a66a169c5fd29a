/**
 * The per-pool loop: load the pool, its plan and job request; follow the participants' results on
 * the relays; then for each round — wait for its window, collect until everyone is in or the round
 * deadline, aggregate, post, send feedback — until the pool is no longer active. Resumes from the
 * checkpoint and reconciles it with the chain at every step (see docs/aggregator.md).
 */
import { writeFileSync } from "node:fs";
import { extname, join } from "node:path";
import { isTransient, type Session, sleep } from "@fedstr/sdk/cli";
import * as fl from "@fedstr/sdk/fl";
import { chainTime, fetchJobRequest, jobRequestMismatch, scheduleOf, waitForChainTime } from "@fedstr/sdk/job";
import { EventReader, jobResultsFilter, nativeConversationKey, type PoolSubscription } from "@fedstr/sdk/nostr";
import { createSealKeySet } from "@fedstr/sdk/privacy";
import {
  cidFromBytes,
  fetchParticipantsOfPool,
  fetchPool,
  fetchRoundResult,
  findRoundAddress,
  ParticipantStatus,
  type PoolAccount,
  PoolStatus,
  poolStatusName,
} from "@fedstr/sdk/program";
import { sha256Hex } from "@fedstr/sdk/storage";
import type { PublicKey } from "@solana/web3.js";
import {
  checkpointDir,
  emptyCheckpoint,
  keepResult,
  loadCheckpoint,
  markCollected,
  type RoundCheckpoint,
  resumeAction,
  saveCheckpoint,
} from "./checkpoint.js";
import { buildCandidates, everyoneIn, storedResult } from "./collect.js";
import { RoundCommitments } from "./commitments.js";
import { type Logger, memoryMiB } from "./log.js";
import { ParticipantSet } from "./participants.js";
import { UpdatePrefetch } from "./prefetch.js";
import {
  aggregateRound,
  type PoolContext,
  PostDeadlineError,
  postRound,
  retryLogged,
  save,
  sendFeedback,
} from "./round.js";

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
 * After the round deadline, the results of participants who committed but whose result has not
 * arrived are awaited for at most this share of the pool's grace period (chain time): they only
 * bring metrics (the update itself is taken from the chain), and the rest of the grace is left to
 * aggregate and post before the next round's participants need the new model.
 */
export const RESULT_WAIT_GRACE_SHARE = 0.25;
/** A round this close to its deadline (chain seconds) with results missing and no relay asks the relays to reconnect now. */
const CLOSING_SECONDS = 5;
/** How long a pool that has ended waits for a relay to take its last feedback (ms). */
const FINAL_FEEDBACK_WAIT_MS = 30_000;
/** How long to wait for the relays' stored results (EOSE) before collecting. */
const HISTORY_TIMEOUT_MS = 10_000;
const STATUS = (s: number) => poolStatusName(s).toLowerCase();

export async function runService(opts: ServiceOptions): Promise<PoolOutcome[]> {
  return await Promise.all(
    opts.pools.map(async (pool): Promise<PoolOutcome> => {
      try {
        return await servePool(opts, pool);
      } catch (e) {
        if (opts.signal.aborted) return { pool: pool.toBase58(), status: "stopped" };
        const err = e as Error;
        opts.log.event("pool-failed", pool.toBase58(), null, { error: err.message, name: err.name });
        return { pool: pool.toBase58(), status: "failed", error: err.message };
      }
    }),
  );
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
  if (src !== undefined && "digitsTest" in src)
    return fl.trainTestSplit(fl.loadDigits(), src.digitsTest, src.seed).test;
  const h = ctx.plan.evaluation.holdout;
  if (h.cid === undefined) return undefined;
  // The organization's holdout on IPFS: verified by CID (and sha256 when the plan gives one), JSON lines or CSV by content.
  const bytes = await retryLogged(ctx, null, `fetch holdout ${h.cid}`, () => ctx.store.get(h.cid!));
  if (h.sha256 !== undefined && sha256Hex(bytes) !== h.sha256)
    throw new Error(`holdout ${h.cid} has sha256 ${sha256Hex(bytes)}, the plan says ${h.sha256}`);
  const text = new TextDecoder().decode(bytes);
  const file = join(
    checkpointDir(ctx.dataDir, ctx.address),
    text.trimStart().startsWith("{") ? "holdout.jsonl" : "holdout.csv",
  );
  writeFileSync(file, bytes);
  return file.endsWith(".jsonl") ? fl.loadJsonl(file, schema) : fl.loadCsv(file, schema);
}

async function servePool(opts: ServiceOptions, pool: PublicKey): Promise<PoolOutcome> {
  const { session, log, signal } = opts;
  const address = pool.toBase58();
  const program = session.program;
  const read = <T>(what: string, fn: () => Promise<T>) => retryLogged({ log, address, signal }, null, what, fn);

  const account = await read(`read pool ${address} from ${session.config.rpcUrl}`, () => fetchPool(program, pool));
  if (account === null)
    throw new Error(`there is no fedstr pool at ${address} (program ${program.programId.toBase58()})`);
  const me = session.wallet.publicKey.toBase58();
  if (!account.aggregator.equals(session.wallet.publicKey))
    throw new Error(`pool ${address}'s aggregator is ${account.aggregator.toBase58()}, not this wallet (${me})`);
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
  if (!budget.ok)
    throw new Error(
      `pool ${address} admits ${account.maxParticipants} participants, more than this aggregator can aggregate with its plan: ${budget.detail}; cancel the pool (no round is posted) and create it again`,
    );
  const jobId = Buffer.from(account.nostrJobId).toString("hex");
  const jobReq = await read("job request", async () => {
    const j = await fetchJobRequest(relays, jobId);
    if (j === undefined)
      throw new Error(
        `the job request ${jobId} of pool ${address} was not found on the relays (${relays.urls.join(", ")})`,
      );
    return j;
  });
  const job = jobReq.job;
  if (job.aggregator !== session.nostr.pubkey)
    throw new Error(
      `the job request ${jobId} names aggregator Nostr key ${job.aggregator}, not ours (${session.nostr.pubkey}); check --nostr-key`,
    );
  const mismatch = jobRequestMismatch(job, pool, account, program.programId);
  if (mismatch !== undefined)
    throw new Error(`the job request ${jobId} does not describe pool ${address}: ${mismatch}`);
  // Sealed: every round key the job lists must be ours, or those rounds' updates could not be opened.
  if (job.seal !== undefined) {
    const ours = await createSealKeySet(session.nostr.secretKey, job.rounds, job.seal.id);
    const wrong = job.seal.keys.findIndex((k, i) => k !== ours.keys[i]);
    if (wrong >= 0)
      throw new Error(
        `the job request ${jobId} lists seal key ${job.seal.keys[wrong]} for round ${wrong + 1}, not this aggregator's (${ours.keys[wrong]}); give the pool creator the output of \`fedstr-aggregator seal-keys\``,
      );
  }

  const cp =
    loadCheckpoint(session.config.dataDir, address, { programId: program.programId.toBase58(), aggregator: me }) ??
    emptyCheckpoint(address, program.programId.toBase58(), me);
  saveCheckpoint(session.config.dataDir, cp);
  const base = {
    session,
    store,
    relays,
    log,
    dataDir: session.config.dataDir,
    pool,
    address,
    plan,
    job,
    jobId,
    cp,
    signal,
  };
  const holdout = await loadHoldout(opts, base);
  const ctx: PoolContext = { ...base, ...(holdout !== undefined ? { holdout } : {}) };
  log.event("pool-loaded", address, null, {
    rounds: account.numRounds,
    roundsPosted: account.roundsPosted,
    jobId,
    plan: planCid,
    strategy: plan.aggregation.strategy,
    holdout: holdout?.length ?? null,
    checkpoint: join(checkpointDir(ctx.dataDir, address), "state.json"),
  });

  // Results: only the pool's participants' are looked at (a stranger's event is dropped before any
  // signature check, O(1), and counted); every accepted one is journaled until its round is collected.
  const participants = new ParticipantSet();
  participants.update(await read("participants", () => fetchParticipantsOfPool(program, pool)));
  const reader = new EventReader({
    decryptWith: session.nostr.secretKey,
    jobIds: [jobId],
    maxAgeSec: 365 * 86400,
    resultsFrom: (wallet, nostrPubkey) => participants.allows(wallet, nostrPubkey),
    // The chain binds each participant's wallet to its Nostr key: the result's binding signatures
    // (~10 ms a result) are not checked again, and the ECDH runs natively, once per participant.
    boundElsewhere: (wallet, nostrPubkey) => participants.boundOnChain(wallet, nostrPubkey),
    conversationKey: nativeConversationKey,
  });
  let history!: () => void;
  const historyLoaded = new Promise<void>((resolve) => {
    history = resolve;
    setTimeout(resolve, HISTORY_TIMEOUT_MS).unref();
  });
  const eosed = new Set<string>();
  const subscribe = (): PoolSubscription => {
    const authors = participants.authors();
    return relays.subscribe([jobResultsFilter(jobId, session.nostr.pubkey, authors !== undefined ? { authors } : {})], {
      onevent: (e) => {
        const a = reader.accept(e);
        if (a?.type !== "result") return;
        const r = storedResult(a);
        if (r === undefined || r.round < 1 || r.round > account.numRounds) return;
        if (keepResult(ctx.dataDir, cp, r))
          log.event("result-received", address, r.round, {
            participant: r.participant,
            nostrPubkey: r.nostrPubkey,
            update: r.cid,
          });
      },
      oneose: (url) => {
        eosed.add(url);
        if (eosed.size >= relays.urls.length) history();
      },
    });
  };
  let sub = subscribe();
  const ingest: Ingest = {
    participants,
    counters: () => Object.fromEntries(Object.entries(reader.counters).filter(([, n]) => n > 0)),
    // A new participant (or a newly known key): ask the relays again, so what it published while we did not know it is replayed.
    resubscribe: () => {
      sub.close();
      sub = subscribe();
    },
  };
  try {
    await historyLoaded;
    return await roundLoop(ctx, ingest, opts.pollMs ?? 1000);
  } finally {
    sub.close();
    await ctx.updates?.close();
  }
}

/** What the collect loop needs of the results subscription. */
interface Ingest {
  participants: ParticipantSet;
  /** The reader's non-zero counters: accepted, and every reason events were dropped for. */
  counters: () => Record<string, number>;
  resubscribe: () => void;
}

async function roundLoop(ctx: PoolContext, ingest: Ingest, pollMs: number): Promise<PoolOutcome> {
  const { session, log, address, signal } = ctx;
  const program = session.program;
  const read = <T>(what: string, round: number | null, fn: () => Promise<T>) => retryLogged(ctx, round, what, fn);
  const roundResult = async (r: number) => {
    const rr = await read("round result", r, () =>
      fetchRoundResult(program, findRoundAddress(ctx.pool, r, program.programId)[0]),
    );
    return rr === null ? null : { modelSha256: Buffer.from(rr.globalModelHash).toString("hex") };
  };

  for (;;) {
    signal.throwIfAborted();
    const account = (await read("pool", null, () => fetchPool(program, ctx.pool)))!;
    // Once the pool has ended, feedback still undelivered gets one bounded wait for a relay.
    const feedbackWait = account.status !== PoolStatus.Active ? { waitMs: FINAL_FEEDBACK_WAIT_MS } : {};
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
          log.event("round-reconciled", address, rc.round, {
            model: rc.aggregated!.model,
            detail: "the post had landed before the previous run recorded it",
          });
        }
        await sendFeedback(ctx, rc, feedbackWait);
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
      log.event("round-already-posted", address, round, {
        detail: "the chain has this round but the pool account did not count it yet",
      });
      await sleep(pollMs, signal);
      continue;
    }
    const now = await read("clock", round, () => chainTime(session.connection));
    if (now > schedule.postDeadline(round))
      return abandon(ctx, new PostDeadlineError(round, schedule.postDeadline(round), now));

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
      if (!isTransient(e) || signal.aborted) throw e;
      // An outage outlasting the retries (IPFS, RPC): the checkpoint holds the phase; try it again until the post deadline.
      log.event("round-retry", address, round, { phase: rc!.phase, error: (e as Error).message });
      await sleep(pollMs, signal);
      continue;
    }
    if (rc!.phase === "posted") await sendFeedback(ctx, rc!);
  }
}

function abandon(ctx: PoolContext, e: PostDeadlineError): PoolOutcome {
  ctx.log.event("pool-abandoned", ctx.address, e.round, {
    postDeadline: e.postDeadline,
    chainTime: e.now,
    error: e.message,
  });
  return { pool: ctx.address, status: "abandoned", error: e.message };
}

/**
 * Wait for round r's window, then poll commitments and participants until every active
 * participant has committed and published a matching result, or the round deadline passes. After
 * the deadline, committed participants' late results are awaited until
 * deadline + RESULT_WAIT_GRACE_SHARE × gracePeriod (chain time) at most, the relays being asked to
 * reconnect now if none is reachable; a commitment whose result is still missing then is a
 * candidate from the chain alone. Freezes the candidate list.
 */
async function collectRound(
  ctx: PoolContext,
  ingest: Ingest,
  account: PoolAccount,
  round: number,
  pollMs: number,
): Promise<RoundCheckpoint | "ended"> {
  const { session, log, address, signal } = ctx;
  const program = session.program;
  const schedule = scheduleOf(account);
  const read = <T>(what: string, fn: () => Promise<T>) => retryLogged(ctx, round, what, fn);
  const start = schedule.roundStart(round),
    deadline = schedule.roundDeadline(round);
  if ((await read("clock", () => chainTime(session.connection))) < start) {
    log.event("round-waiting", address, round, { opensAt: start, deadline });
    await waitForChainTime(session.connection, start, { signal, pollMs: Math.max(pollMs, 250) });
  }
  log.event("round-collecting", address, round, { deadline });
  let lastReport = "";
  let relaysDownLogged = false;
  const waitLimit = deadline + Math.floor(schedule.gracePeriod * RESULT_WAIT_GRACE_SHARE);
  // What a poll reads stops changing: the participants once the join window has closed (join_pool
  // needs now < join deadline; statuses change only after the pool ends), the round's commitments
  // once its deadline has passed (commit_update needs now < deadline, a commitment never changes).
  // A read started after a clock read past the limit is final, and is not repeated.
  const commitments = new RoundCommitments(program, ctx.pool, round);
  // Each committed update is fetched as soon as its commitment is seen (aggregateRound takes it).
  void ctx.updates?.close();
  const updates = new UpdatePrefetch(ctx.store, round, join(checkpointDir(ctx.dataDir, address), `updates-${round}`));
  ctx.updates = updates;
  let participants: Awaited<ReturnType<typeof fetchParticipantsOfPool>> | undefined;
  let commitmentsFinal = false;
  for (;;) {
    const now = await read("clock", () => chainTime(session.connection));
    const [pool, parts] = await Promise.all([
      read("pool", () => fetchPool(program, ctx.pool)),
      participants ?? read("participants", () => fetchParticipantsOfPool(program, ctx.pool)),
      commitmentsFinal ? undefined : read("commitments", () => commitments.refresh()),
    ]);
    if (now >= schedule.joinDeadline) participants = parts;
    if (now >= deadline && commitments.unfetched === 0) commitmentsFinal = true;
    if (pool === null || pool.status !== PoolStatus.Active || pool.roundsPosted >= round) return "ended";
    if (ingest.participants.update(parts)) ingest.resubscribe();
    const joined = ingest.participants.wallets();
    const active = parts
      .filter((p) => p.account.status === ParticipantStatus.Active)
      .map((p) => p.account.authority.toBase58());
    const committed = commitments.all();
    updates.add(committed);
    const candidates = buildCandidates(
      committed,
      ctx.cp.results[String(round)] ?? [],
      joined,
      ingest.participants.nostrKeys(),
    );
    const ready = candidates.filter((c) => c.reason === undefined && c.fromChain !== true).length;
    const progress = `${committed.length}/${active.length}/${ready}`;
    if (progress !== lastReport) {
      lastReport = progress;
      log.event("round-progress", address, round, { active: active.length, committed: committed.length, ready });
    }
    const complete = everyoneIn(active, candidates);
    const late = candidates.filter((c) => c.fromChain === true).map((c) => c.participant);
    if (
      !complete &&
      now >= deadline - CLOSING_SECONDS &&
      late.length > 0 &&
      ctx.relays.status().every((r) => !r.connected)
    ) {
      // The round is closing with results missing and no relay: try now rather than after the back-off.
      void ctx.relays.reconnectNow();
      if (!relaysDownLogged) {
        relaysDownLogged = true;
        log.event("round-waiting-for-relays", address, round, {
          detail:
            "no relay reachable; late results may be waiting there (the committed updates are taken from the chain)",
          until: waitLimit,
        });
      }
    }
    const waited = late.length === 0 || now >= waitLimit;
    if (complete || (now >= deadline && waited)) {
      const keys = ingest.participants.nostrKeys();
      const inRound = new Set(candidates.map((c) => c.participant));
      const absent = active
        .filter((w) => !inRound.has(w))
        .map((w) => {
          const key = keys.get(w);
          return { participant: w, ...(key !== undefined ? { nostrPubkey: key } : {}) };
        });
      const rc = markCollected(ctx.cp, round, candidates, absent);
      save(ctx);
      log.event("round-collected", address, round, {
        complete,
        candidates: candidates.map((c) => ({
          participant: c.participant,
          ...(c.reason !== undefined ? { reason: c.reason } : {}),
          ...(c.fromChain ? { fromChain: true } : {}),
        })),
        ...(absent.length > 0 ? { absent: absent.map((a) => a.participant) } : {}),
        ingest: ingest.counters(),
        memory: memoryMiB(),
      });
      return rc;
    }
    await sleep(pollMs, signal);
  }
}
