/**
 * `fedstr train <pool> --data <file>`: take part in every round of a pool until it ends — wait for
 * the round window (chain time), fetch and verify the round's global model, train on the local
 * data, upload the update, commit its hash on chain, publish the kind-6720 result to the
 * aggregator. Restartable: a checkpoint records each round's progress (state.ts).
 */
import { existsSync, readFileSync } from "node:fs";
import { extname } from "node:path";
import {
  COMMON_HELP,
  intFlag,
  type Output,
  parseCommand,
  type RetryOptions,
  type Session,
  sleep,
  TransactionError,
  toJson,
  UsageError,
  withRetry,
} from "@fedstr/sdk/cli";
import {
  type BackendChoice,
  type Dataset,
  DatasetSizeError,
  datasetForPlan,
  decode,
  encode,
  hashBytes,
  loadTf,
  type TrainingPlan,
  toHex,
  trainLocal,
  type Weights,
} from "@fedstr/sdk/fl";
import { chainTime, modelForRound, waitForChainTime } from "@fedstr/sdk/job";
import { buildResult, createBinding, type IdentityBinding, solanaSignerFromSecretKey } from "@fedstr/sdk/nostr";
import { sealUpdate } from "@fedstr/sdk/privacy";
import {
  cidFromBytes,
  cidToBytes,
  commitUpdateIx,
  fetchRoundResult,
  findCommitmentAddress,
  findRoundAddress,
  PoolStatus,
} from "@fedstr/sdk/program";
import { sha256Hex } from "@fedstr/sdk/storage";
import { ClientError } from "../errors.js";
import {
  formatTime,
  type LoadedJob,
  type LoadedPool,
  loadJob,
  loadPlan,
  loadPool,
  parseAddress,
  requireParticipant,
} from "../pool.js";
import { NetworkError, publishEvent } from "../publish.js";
import { CommitmentCloser, formatSol } from "../rent.js";
import { describeOutcome, findRoundReport, type RoundOutcome, roundOutcome } from "../reports.js";
import { withSession } from "../session.js";
import { type Checkpoint, checkpointPath, entryOf, loadCheckpoint, saveCheckpoint, stepFor } from "../state.js";

/** Round r's window closed (chain clock) while this trainer was working on it. */
class RoundClosedError extends Error {
  override name = "RoundClosedError";
  readonly permanent = true;
  constructor(readonly round: number) {
    super(`round ${round} has closed`);
  }
}

export const help = `fedstr train <pool> --data <file.csv|file.jsonl> [--seed N] [--backend wasm|cpu|node|node-gpu]

Trains in every round of a pool you joined, until the pool ends:
  wait for the round's window (chain time) → fetch the round's global model and check its sha256 →
  train on your data (progress on stderr) → upload the update → commit_update(round, sha256, cid) →
  publish the result (kind 6720, NIP-44 encrypted to the aggregator when the job asks for it).

  --data <file>      your training data: CSV (features then labels per line) or JSON lines
                     ({"x": ..., "y": ...}); checked against the plan's data schema before anything else
  --seed <N>         seed of the local batch order / DP noise (default 0; round r uses N + r)
  --backend <name>   TensorFlow.js backend (default: best available; env FEDSTR_TF_BACKEND)

Each step is judged by the round's deadline on the chain clock: a round that closes while the model
is fetched, trained on or uploaded is not committed, and is reported as missed with the reason. The
result is a notification (the aggregator can take the committed update from the chain): while no
relay is reachable it is queued, and the next round goes ahead once the round is posted.
Restart it any time: progress is kept in <data-dir>/client/<pool>/<wallet>.json; an update already
committed is not trained again, a result not yet published is published again.
With --json: one JSON line per event on stdout — {"event":"round-committed",...},
{"event":"round-skipped","round","reason"} — and a final {"event":"done","pool","rounds","status"}
whose rounds list every round of the pool with its outcome (accepted, rejected, committed, missed,
pending) and the reason of a rejection or a miss.
Exit status 0 when the pool has ended (finished, expired, cancelled) or can be expired.

${COMMON_HELP}`;

const BACKENDS = ["wasm", "cpu", "node", "node-gpu"];

export interface RoundCommitted {
  event: "round-committed";
  round: number;
  cid: string;
  sha256: string;
  samples: number;
  metrics: Record<string, number>;
  signature: string | null;
  /** null when no relay took the result before the round was posted (the commitment on chain is what counts). */
  resultEventId: string | null;
}

/** Load the data file with the plan's schema (the SDK's check, as in the web app); any mismatch is an error naming file and line. */
export function loadData(file: string, plan: TrainingPlan): Dataset {
  try {
    return datasetForPlan(file, readFileSync(file, "utf8"), plan);
  } catch (e) {
    if (e instanceof DatasetSizeError) throw new ClientError("BadInput", e.message);
    throw e;
  }
}

export async function main(argv: string[], out: Output): Promise<void> {
  const { values, positionals } = parseCommand(
    argv,
    { data: { type: "string" }, seed: { type: "string" }, backend: { type: "string" } },
    { min: 1, max: 1, usage: "<pool>" },
  );
  if (values.help) return out.result({ help }, help);
  const poolAddress = parseAddress(positionals[0], "pool");
  const dataFile = values.data;
  if (dataFile === undefined) throw new UsageError("--data <file.csv|file.jsonl> is required");
  if (![".csv", ".jsonl", ".ndjson", ".json"].includes(extname(dataFile).toLowerCase()))
    throw new UsageError(`--data must be a .csv or .jsonl file, got ${JSON.stringify(dataFile)}`);
  if (!existsSync(dataFile)) throw new ClientError("BadInput", `data file ${dataFile} does not exist`);
  const seed = intFlag(values.seed, "seed", { min: 0, max: 2 ** 31 - 1 }) ?? 0;
  const backend = values.backend;
  if (backend !== undefined && !BACKENDS.includes(backend))
    throw new UsageError(`--backend must be one of ${BACKENDS.join(", ")}, got ${JSON.stringify(backend)}`);

  await withSession(values, async (session) => {
    const trainer = new Trainer(session, out, {
      seed,
      ...(backend !== undefined ? { backend: backend as BackendChoice } : {}),
    });
    await trainer.prepare(poolAddress, dataFile);
    await trainer.run();
  });
}

const POLL_MS = Number(process.env.FEDSTR_POLL_MS ?? 1000);

class Trainer {
  private pool!: LoadedPool;
  private job!: LoadedJob;
  private plan!: TrainingPlan;
  private data!: Dataset;
  private binding!: IdentityBinding;
  private checkpoint!: Checkpoint;
  private checkpointFile!: string;
  private readonly retry: RetryOptions;
  private readonly models = new Map<number, Weights>();
  /** Per round, what this run was doing (and its last error): the reason given if the round closes meanwhile. */
  private readonly stages = new Map<number, { doing: string; lastError?: string }>();
  private lastSkipped = 0;
  /** The highest round this run has taken a step in. */
  private followed = 0;

  constructor(
    private readonly session: Session,
    private readonly out: Output,
    private readonly opts: { seed: number; backend?: BackendChoice },
  ) {
    this.retry = {
      attempts: 8,
      maxDelayMs: 30_000,
      onRetry: (e, n, ms) => out.info(`  ${e.message.split("\n")[0]} — retry ${n} in ${(ms / 1000).toFixed(1)}s`),
    };
  }

  private emit(line: object, human: string): void {
    if (this.out.json) process.stdout.write(`${toJson(line)}\n`);
    else this.out.info(human);
  }

  private save(): void {
    saveCheckpoint(this.checkpointFile, this.checkpoint);
  }

  /** Everything that can be refused is checked here, before the first transaction. */
  async prepare(poolAddress: LoadedPool["address"], dataFile: string): Promise<void> {
    const s = this.session;
    this.pool = await loadPool(s, poolAddress, this.retry);
    await requireParticipant(s, this.pool, this.retry);
    this.job = await loadJob(s, this.pool);
    this.plan = await loadPlan(s, this.pool, this.retry);
    this.data = loadData(dataFile, this.plan);
    this.out.info(
      `pool ${this.pool.summary.address}: ${this.pool.summary.rounds} rounds of ${this.pool.summary.roundSeconds}s, plan "${this.plan.name}", ${this.data.length} local samples`,
    );
    const me = s.wallet.publicKey.toBase58();
    this.checkpointFile = checkpointPath(s.config.dataDir, this.pool.summary.address, me);
    this.checkpoint = loadCheckpoint(this.checkpointFile, {
      pool: this.pool.summary.address,
      wallet: me,
      jobId: this.pool.summary.jobId,
    });
    this.followed = this.pool.account.roundsPosted; // rounds posted before this run are the reports' to explain
    this.binding = await createBinding(s.nostr.secretKey, solanaSignerFromSecretKey(s.wallet.secretKey));
    const { backend } = await loadTf(this.opts.backend);
    this.out.info(`TensorFlow.js backend: ${backend}; checkpoint ${this.checkpointFile}`);
  }

  async run(): Promise<void> {
    let status: string | undefined;
    // Each pass re-reads the chain and takes one step; network trouble retries the pass with back-off.
    while (status === undefined) status = await withRetry("following the pool", () => this.step(), this.retry);
    const outcomes = await this.outcomes();
    const committed = outcomes.filter(
      (o) => o.outcome === "accepted" || o.outcome === "rejected" || o.outcome === "committed",
    ).length;
    const why =
      status === "finished"
        ? "the pool has finished"
        : status === "expirable"
          ? "the aggregator missed a deadline"
          : `the pool was ${status}`;
    const rounds = outcomes.map((o) => {
      const e = this.checkpoint.rounds[String(o.round)];
      return {
        ...o,
        ...(e?.committed
          ? { cid: e.cid, sha256: e.sha256, signature: e.commitSignature ?? null, resultEventId: e.eventId ?? null }
          : {}),
      };
    });
    this.out.result(
      { event: "done", pool: this.pool.summary.address, rounds, status },
      [
        `${why}: ${committed} of ${this.pool.summary.rounds} rounds committed.`,
        ...outcomes.map(
          (o) =>
            `  ${describeOutcome(o)}${o.reward !== undefined && o.reward !== "0" ? ` (reward ${o.reward} base units)` : ""}`,
        ),
        `Next: fedstr claim ${this.pool.summary.address}, then fedstr withdraw ${this.pool.summary.address}`,
      ].join("\n"),
    );
  }

  /** One step for the round the program accepts commitments for; the pool's end status when it has ended. */
  private async step(): Promise<string | undefined> {
    const s = this.session;
    this.pool = await loadPool(s, this.pool.address, this.retry);
    const { account, schedule } = this.pool;
    if (account.status !== PoolStatus.Active) return this.pool.summary.status.toLowerCase();
    const r = account.roundsPosted + 1;
    // Rounds posted one after the other while this run looked away (e.g. a late aggregator posting two
    // at once) are accounted for too.
    for (let q = this.followed + 1; q < Math.min(r, account.numRounds + 1); q++) await this.missedUnseen(q);
    this.followed = Math.max(this.followed, r);
    if (r > account.numRounds) return "finished";
    const now = await withRetry("reading the chain clock", () => chainTime(s.connection), this.retry);
    if (now > schedule.postDeadline(r)) {
      this.out.info(
        `the aggregator did not post round ${r} by ${formatTime(schedule.postDeadline(r))}: the pool can be expired (fedstr withdraw expires it and returns your stake)`,
      );
      this.recordMissed(
        r,
        `the aggregator did not post round ${r} by its post deadline ${formatTime(schedule.postDeadline(r))}`,
      );
      return "expirable";
    }
    const commitment = await withRetry(
      "reading the commitment",
      () =>
        s.program.account.commitment.fetchNullable(
          findCommitmentAddress(this.pool.address, s.wallet.publicKey, r, s.program.programId)[0],
        ),
      this.retry,
    );
    const onChain =
      commitment === null
        ? null
        : { cid: cidFromBytes(commitment.updateCid).toString(), sha256: toHex(Uint8Array.from(commitment.updateHash)) };
    const entry = this.checkpoint.rounds[String(r)];
    const step = stepFor(
      r,
      now,
      { start: schedule.roundStart(r), deadline: schedule.roundDeadline(r) },
      onChain,
      entry,
    );
    try {
      switch (step.kind) {
        case "wait-start":
          this.out.info(`round ${r} starts at ${formatTime(step.until)} (in ${step.until - now}s)`);
          await waitForChainTime(s.connection, step.until, { pollMs: POLL_MS });
          break;
        case "missed":
          this.recordMissed(r, await this.missedReason(r));
          await this.waitForPost(r);
          break;
        case "train":
          await this.train(r);
          break;
        case "commit":
          await this.commit(r, step.cid, step.sha256);
          break;
        case "publish":
          await this.publish(r, step.cid, step.sha256);
          break;
        case "wait-post":
          await this.waitForPost(r);
          break;
      }
    } catch (e) {
      // The round closed mid-step: the next pass finds it missed and says why.
      if (!(e instanceof RoundClosedError)) throw e;
    }
    return undefined;
  }

  /** Record (once) and report that round r was missed, and why. */
  private recordMissed(r: number, reason: string): void {
    if (this.lastSkipped === r) return;
    this.lastSkipped = r;
    const e = entryOf(this.checkpoint, r);
    if (e.committed) return;
    e.skipped = reason;
    this.save();
    this.emit({ event: "round-skipped", round: r, reason }, `round ${r} skipped: ${reason}`);
  }

  /** Round q was posted before this run took a step in it: reported as missed unless it holds our commitment. */
  private async missedUnseen(q: number): Promise<void> {
    const s = this.session;
    const commitment = await withRetry(
      "reading the commitment",
      () =>
        s.program.account.commitment.fetchNullable(
          findCommitmentAddress(this.pool.address, s.wallet.publicKey, q, s.program.programId)[0],
        ),
      this.retry,
    );
    if (commitment === null) this.recordMissed(q, await this.missedReason(q));
  }

  /** Why round r closed without a commitment of ours: what this run was doing, or that there was nothing to train on in time. */
  private async missedReason(r: number): Promise<string> {
    const deadline = this.pool.schedule.roundDeadline(r);
    const closed = `round ${r} closed at ${formatTime(deadline)}`;
    const stage = this.stages.get(r);
    if (stage !== undefined)
      return `${closed} while ${stage.doing}${stage.lastError !== undefined ? ` (${stage.lastError})` : ""}`;
    if (r > 1) {
      const s = this.session;
      const prev = await withRetry(
        "reading the previous round",
        () => fetchRoundResult(s.program, findRoundAddress(this.pool.address, r - 1, s.program.programId)[0]),
        this.retry,
      );
      const postedAt = prev === null ? undefined : Number(prev.postedAt.toString());
      if (postedAt !== undefined && postedAt >= deadline)
        return `${closed} before its global model existed: the aggregator posted round ${r - 1} only at ${formatTime(postedAt)}`;
    }
    return `${closed} before this participant trained (it was not running during the round)`;
  }

  /** Every round of the pool with its outcome: the posted reports' verdicts, else what this trainer recorded. */
  private async outcomes(): Promise<RoundOutcome[]> {
    const s = this.session;
    const me = s.wallet.publicKey.toBase58();
    const now = await withRetry("reading the chain clock", () => chainTime(s.connection), this.retry).catch(
      () => Number.MAX_SAFE_INTEGER,
    );
    const out: RoundOutcome[] = [];
    for (let r = 1; r <= this.pool.account.numRounds; r++) {
      const e = this.checkpoint.rounds[String(r)];
      const result =
        r <= this.pool.account.roundsPosted
          ? await withRetry(
              "reading the round result",
              () => fetchRoundResult(s.program, findRoundAddress(this.pool.address, r, s.program.programId)[0]),
              this.retry,
            )
          : null;
      const found = result === null ? undefined : await findRoundReport(s, this.pool, r, result, { attempts: 3 });
      out.push(
        roundOutcome(r, me, {
          posted: result !== null,
          report: found !== undefined && "report" in found ? found.report : undefined,
          reportError: found !== undefined && "error" in found ? found.error : undefined,
          committed: e?.committed === true,
          deadlinePassed: now >= this.pool.schedule.roundDeadline(r),
          localReason: e?.skipped,
        }),
      );
    }
    return out;
  }

  /** What round r's trainer is doing now (named in the reason if the round closes meanwhile). */
  private doing(r: number, doing: string): void {
    this.stages.set(r, { doing });
  }

  /**
   * `fn` retried until it succeeds or round r's deadline passes (chain clock, checked every
   * POLL_MS): then it stops with a RoundClosedError, so no work goes into an update that can no
   * longer be committed. The last error is kept for the missed-round reason.
   */
  private async beforeDeadline<T>(r: number, what: string, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const deadline = this.pool.schedule.roundDeadline(r);
    const stage = this.stages.get(r);
    const ac = new AbortController();
    const check = async () => {
      if ((await chainTime(this.session.connection)) >= deadline) ac.abort(new RoundClosedError(r));
    };
    await check();
    if (ac.signal.aborted) throw ac.signal.reason;
    const timer = setInterval(() => {
      void check().catch(() => undefined);
    }, POLL_MS);
    try {
      return await withRetry(what, () => fn(ac.signal), {
        ...this.retry,
        signal: ac.signal,
        onRetry: (e, n, ms) => {
          if (stage) stage.lastError = e.message.split("\n")[0];
          this.retry.onRetry?.(e, n, ms);
        },
      });
    } catch (e) {
      if (ac.signal.aborted) throw ac.signal.reason;
      if (stage) stage.lastError = (e as Error).message.split("\n")[0];
      throw e;
    } finally {
      clearInterval(timer);
    }
  }

  /** Throws RoundClosedError once chain time has reached round r's deadline. */
  private async requireOpen(r: number): Promise<void> {
    const now = await withRetry("reading the chain clock", () => chainTime(this.session.connection), this.retry);
    if (now >= this.pool.schedule.roundDeadline(r)) throw new RoundClosedError(r);
  }

  /** The global model of round r, downloaded once and checked against its on-chain (or plan) sha256. */
  private async globalModel(r: number): Promise<Weights> {
    const cached = this.models.get(r);
    if (cached) return cached;
    const ref = await withRetry(
      "reading the previous round",
      () =>
        modelForRound(
          this.session.program,
          this.pool.address,
          this.pool.account,
          r,
          this.plan.model.initialWeights.sha256,
        ),
      this.retry,
    );
    if (ref === undefined) throw new Error(`round ${r - 1} is not posted yet`);
    const store = await this.session.store();
    const bytes = await this.beforeDeadline(r, `fetching model ${ref.cid}`, (signal) => store.get(ref.cid, { signal }));
    const got = sha256Hex(bytes);
    if (got !== ref.sha256)
      throw new ClientError(
        "ModelMismatch",
        `the global model of round ${r} (${ref.cid}) has sha256 ${got}, expected ${ref.sha256}${r === 1 ? " (the plan's initial weights)" : " (on chain)"}`,
      );
    const weights = decode(bytes, { copy: true });
    this.models.clear();
    this.models.set(r, weights);
    return weights;
  }

  /** Put the encoded update on IPFS: the one place an update leaves this machine. Returns its CID. */
  private async uploadUpdate(r: number, bytes: Uint8Array): Promise<string> {
    const store = await this.session.store();
    return (
      await this.beforeDeadline(r, "uploading the update", (signal) =>
        store.put(bytes, { name: `update-r${r}.${this.job.job.privacy === "sealed" ? "sealed" : "fstw"}`, signal }),
      )
    ).toString();
  }

  private async train(r: number): Promise<void> {
    this.doing(r, "fetching the round's global model");
    const global = await this.globalModel(r);
    await this.requireOpen(r); // the fetch may have taken the window: no training for a round that is closed
    this.doing(r, "training");
    const epochs = this.plan.training.localEpochs;
    this.out.info(`round ${r}: training on ${this.data.length} samples`);
    const bar = this.out.progress(`round ${r}`, epochs);
    const { tf } = await loadTf(this.opts.backend);
    const res = await trainLocal(this.plan, global, this.data, {
      tf,
      seed: this.opts.seed + r,
      onProgress: (p) => bar.update(p.epoch, `epoch ${p.epoch}/${p.epochs} loss ${p.loss?.toFixed(4) ?? "?"}`),
    });
    const metrics: Record<string, number> = {};
    for (const [k, v] of Object.entries(res.metrics)) if (typeof v === "number" && Number.isFinite(v)) metrics[k] = v;
    bar.done(
      `loss ${metrics.loss?.toFixed(4) ?? "?"}${metrics.accuracy !== undefined ? ` accuracy ${metrics.accuracy.toFixed(4)}` : ""}`,
    );
    await this.requireOpen(r); // an update that can no longer be committed is not uploaded
    this.doing(r, "uploading the update");
    // Sealed job: only the ciphertext (sealed to the round's key) is uploaded and committed.
    const bytes =
      this.job.job.privacy === "sealed"
        ? await sealUpdate(encode(res.update.weights), this.job.job, {
            round: r,
            participant: this.session.wallet.publicKey.toBase58(),
          })
        : encode(res.update.weights);
    const sha256 = toHex(hashBytes(bytes));
    const cid = await this.uploadUpdate(r, bytes);
    const e = entryOf(this.checkpoint, r);
    Object.assign(e, { cid, sha256, samples: res.update.numSamples, metrics });
    delete e.skipped;
    this.save();
    this.doing(r, "committing the update");
    this.out.info(`round ${r}: update ${cid} (sha256 ${sha256.slice(0, 16)}…)`);
  }
  private async commit(r: number, cid: string, sha256: string): Promise<void> {
    const s = this.session;
    this.doing(r, "committing the update");
    // The sample count goes on chain with the commitment (the same one the result event reports).
    const samples = entryOf(this.checkpoint, r).samples;
    if (samples === undefined) throw new Error(`round ${r}: no sample count recorded for the update to commit`);
    const ix = await commitUpdateIx(s.program, {
      participant: s.wallet.publicKey,
      pool: this.pool.address,
      round: r,
      updateHash: Buffer.from(sha256, "hex"),
      updateCid: cidToBytes(cid),
      samples,
    });
    // The commitments of earlier (posted) rounds close in the same transaction, so their rent comes back
    // now; they are extras: without the list (an RPC hiccup) the commit goes alone.
    const closer = await withRetry(
      "listing closable commitments",
      () => CommitmentCloser.load(s, this.pool.address, this.pool.account),
      { ...this.retry, attempts: 2 },
    ).catch(() => undefined);
    try {
      const action = `commit_update (round ${r})`;
      const signature = closer !== undefined ? await closer.sendWith(action, [ix]) : await s.send(action, [ix]);
      const e = entryOf(this.checkpoint, r);
      e.committed = true;
      e.commitSignature = signature;
      this.save();
      const closed = closer?.closedRounds ?? [];
      this.out.info(
        `round ${r}: committed (${signature})${closed.length > 0 ? `; closed the commitment account${closed.length > 1 ? "s" : ""} of round${closed.length > 1 ? "s" : ""} ${closed.join(", ")}: ${formatSol(closer!.rentReturned)} of rent returned` : ""}`,
      );
    } catch (err) {
      // RoundNotOpen: the window closed meanwhile (the loop reports the round as missed);
      // AlreadyCommitted: an earlier attempt landed (the loop finds the commitment).
      if (
        err instanceof TransactionError &&
        (err.programError === "RoundNotOpen" || err.programError === "AlreadyCommitted")
      )
        return;
      throw err;
    }
  }

  private async publish(r: number, cid: string, sha256: string): Promise<void> {
    const e = entryOf(this.checkpoint, r);
    if (e.sha256 !== sha256 || e.cid !== cid) {
      // Committed by an earlier run whose checkpoint is gone: the local data gives the sample count again.
      Object.assign(e, { cid, sha256, samples: this.data.length, metrics: {} });
    }
    e.committed = true;
    delete e.skipped;
    const payload = { update: cid, sha256, samples: e.samples ?? this.data.length, round: r, metrics: e.metrics ?? {} };
    const committed = (resultEventId: string | null): RoundCommitted => ({
      event: "round-committed",
      round: r,
      cid,
      sha256,
      samples: payload.samples,
      metrics: payload.metrics,
      signature: e.commitSignature ?? null,
      resultEventId,
    });
    const event = buildResult(
      {
        job: this.job.event,
        aggregator: this.job.job.aggregator,
        payload,
        binding: this.binding,
        encrypt: this.job.job.privacy === "sealed",
      },
      this.session.nostr.secretKey,
    );
    // The result is the aggregator's notification (it can take the committed update from the chain):
    // it is sent until a relay has it, or until the round is posted without it.
    const relays = await this.session.relays();
    for (let tries = 0; ; tries++) {
      try {
        await publishEvent(relays, event, {
          what: `round ${r} result`,
          waits: 1,
          waitMs: 5 * POLL_MS,
          ...(tries === 0 ? { info: (m: string) => this.out.info(m) } : {}),
        });
        break;
      } catch (err) {
        if (!(err instanceof NetworkError)) throw err;
      }
      const pool = await loadPool(this.session, this.pool.address, this.retry);
      if (pool.account.status !== PoolStatus.Active || pool.account.roundsPosted >= r) {
        this.save();
        this.emit(
          committed(null),
          `round ${r}: committed; its result reached no relay before the round was posted (the aggregator reads the commitment from the chain)`,
        );
        return;
      }
    }
    e.eventId = event.id;
    this.save();
    this.emit(
      committed(event.id),
      `round ${r}: result published (${event.id.slice(0, 16)}…); waiting for the aggregator`,
    );
  }

  /** Until the aggregator posts round r, the pool ends, or the post deadline passes. */
  private async waitForPost(r: number): Promise<void> {
    const s = this.session;
    const deadline = this.pool.schedule.postDeadline(r);
    this.out.info(`waiting for the aggregator to post round ${r} (until ${formatTime(deadline)} at the latest)`);
    for (;;) {
      await sleep(POLL_MS);
      const pool = await loadPool(s, this.pool.address, this.retry);
      if (pool.account.status !== PoolStatus.Active || pool.account.roundsPosted >= r) return;
      const now = await withRetry("reading the chain clock", () => chainTime(s.connection), this.retry);
      if (now > deadline) return;
    }
  }
}
