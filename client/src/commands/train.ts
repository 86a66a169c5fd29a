/**
 * `fedstr train <pool> --data <file>`: take part in every round of a pool until it ends — wait for
 * the round window (chain time), fetch and verify the round's global model, train on the local
 * data, upload the update, commit its hash on chain, publish the kind-6720 result to the
 * aggregator. Restartable: a checkpoint records each round's progress (state.ts).
 */
import { existsSync, readFileSync } from "node:fs";
import { extname } from "node:path";
import { parseCommand, intFlag, COMMON_HELP, UsageError, toJson, type Output, type Session, TransactionError, isTransient, sleep, withRetry, type RetryOptions } from "@fedstr/sdk/cli";
import { commitUpdateIx, findCommitmentAddress, PoolStatus, cidFromBytes, cidToBytes } from "@fedstr/sdk/program";
import { chainTime, modelForRound, waitForChainTime } from "@fedstr/sdk/job";
import { decode, encode, hashBytes, toHex, datasetForPlan, DatasetSizeError, loadTf, trainLocal, type BackendChoice, type Dataset, type TrainingPlan, type Weights } from "@fedstr/sdk/fl";
import { buildResult, createBinding, solanaSignerFromSecretKey, type IdentityBinding } from "@fedstr/sdk/nostr";
import { sha256Hex, StorageError } from "@fedstr/sdk/storage";
import { sealUpdate } from "@fedstr/sdk/privacy";
import { withSession } from "../session.js";
import { ClientError } from "../errors.js";
import { formatTime, loadJob, loadPlan, loadPool, requireParticipant, parseAddress, type LoadedJob, type LoadedPool } from "../pool.js";
import { NetworkError, publishEvent } from "../publish.js";
import { checkpointPath, entryOf, loadCheckpoint, saveCheckpoint, stepFor, type Checkpoint } from "../state.js";

export const help = `fedstr train <pool> --data <file.csv|file.jsonl> [--seed N] [--backend wasm|cpu|node|node-gpu]

Trains in every round of a pool you joined, until the pool ends:
  wait for the round's window (chain time) → fetch the round's global model and check its sha256 →
  train on your data (progress on stderr) → upload the update → commit_update(round, sha256, cid) →
  publish the result (kind 6720, NIP-44 encrypted to the aggregator when the job asks for it).

  --data <file>      your training data: CSV (features then labels per line) or JSON lines
                     ({"x": ..., "y": ...}); checked against the plan's data schema before anything else
  --seed <N>         seed of the local batch order / DP noise (default 0; round r uses N + r)
  --backend <name>   TensorFlow.js backend (default: best available; env FEDSTR_TF_BACKEND)

Restart it any time: progress is kept in <data-dir>/client/<pool>/<wallet>.json; an update already
committed is not trained again, a result not yet published is published again.
With --json: one JSON line per event on stdout — {"event":"round-committed",...},
{"event":"round-skipped","round","reason"} — and a final {"event":"done","pool","rounds","status"}.
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
  resultEventId: string;
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
  const { values, positionals } = parseCommand(argv, { data: { type: "string" }, seed: { type: "string" }, backend: { type: "string" } }, { min: 1, max: 1, usage: "<pool>" });
  if (values.help) return out.result({ help }, help);
  const poolAddress = parseAddress(positionals[0], "pool");
  const dataFile = values.data;
  if (dataFile === undefined) throw new UsageError("--data <file.csv|file.jsonl> is required");
  if (![".csv", ".jsonl", ".ndjson", ".json"].includes(extname(dataFile).toLowerCase())) throw new UsageError(`--data must be a .csv or .jsonl file, got ${JSON.stringify(dataFile)}`);
  if (!existsSync(dataFile)) throw new ClientError("BadInput", `data file ${dataFile} does not exist`);
  const seed = intFlag(values.seed, "seed", { min: 0, max: 2 ** 31 - 1 }) ?? 0;
  const backend = values.backend;
  if (backend !== undefined && !BACKENDS.includes(backend)) throw new UsageError(`--backend must be one of ${BACKENDS.join(", ")}, got ${JSON.stringify(backend)}`);

  await withSession(values, async (session) => {
    const trainer = new Trainer(session, out, { seed, ...(backend !== undefined ? { backend: backend as BackendChoice } : {}) });
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
  private lastSkipped = 0;

  constructor(private readonly session: Session, private readonly out: Output, private readonly opts: { seed: number; backend?: BackendChoice }) {
    this.retry = { attempts: 8, maxDelayMs: 30_000, onRetry: (e, n, ms) => out.info(`  ${e.message.split("\n")[0]} — retry ${n} in ${(ms / 1000).toFixed(1)}s`) };
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
    this.out.info(`pool ${this.pool.summary.address}: ${this.pool.summary.rounds} rounds of ${this.pool.summary.roundSeconds}s, plan "${this.plan.name}", ${this.data.length} local samples`);
    const me = s.wallet.publicKey.toBase58();
    this.checkpointFile = checkpointPath(s.config.dataDir, this.pool.summary.address, me);
    this.checkpoint = loadCheckpoint(this.checkpointFile, { pool: this.pool.summary.address, wallet: me, jobId: this.pool.summary.jobId });
    this.binding = await createBinding(s.nostr.secretKey, solanaSignerFromSecretKey(s.wallet.secretKey));
    const { backend } = await loadTf(this.opts.backend);
    this.out.info(`TensorFlow.js backend: ${backend}; checkpoint ${this.checkpointFile}`);
  }

  async run(): Promise<void> {
    const s = this.session;
    let status: string;
    let failures = 0;
    for (;;) {
      this.pool = await loadPool(s, this.pool.address, this.retry);
      const { account, schedule } = this.pool;
      if (account.status !== PoolStatus.Active) { status = this.pool.summary.status.toLowerCase(); break; }
      const r = account.roundsPosted + 1;
      if (r > account.numRounds) { status = "finished"; break; }
      const now = await withRetry("reading the chain clock", () => chainTime(s.connection), this.retry);
      if (now > schedule.postDeadline(r)) {
        this.out.info(`the aggregator did not post round ${r} by ${formatTime(schedule.postDeadline(r))}: the pool can be expired (fedstr withdraw expires it and returns your stake)`);
        status = "expirable";
        break;
      }
      const commitment = await withRetry("reading the commitment", () =>
        s.program.account.commitment.fetchNullable(findCommitmentAddress(this.pool.address, s.wallet.publicKey, r, s.program.programId)[0]), this.retry);
      const onChain = commitment === null ? null : { cid: cidFromBytes(commitment.updateCid).toString(), sha256: toHex(Uint8Array.from(commitment.updateHash)) };
      const entry = this.checkpoint.rounds[String(r)];
      const step = stepFor(r, now, { start: schedule.roundStart(r), deadline: schedule.roundDeadline(r) }, onChain, entry);
      try {
        switch (step.kind) {
          case "wait-start":
            this.out.info(`round ${r} starts at ${formatTime(step.until)} (in ${step.until - now}s)`);
            await waitForChainTime(s.connection, step.until, { pollMs: POLL_MS });
            break;
          case "missed":
            if (this.lastSkipped !== r) {
              this.lastSkipped = r;
              const e = entryOf(this.checkpoint, r);
              e.skipped = step.reason;
              this.save();
              this.emit({ event: "round-skipped", round: r, reason: step.reason }, `round ${r} skipped: ${step.reason}`);
            }
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
        failures = 0;
      } catch (e) {
        // Program refusals and bad inputs are final; network trouble is retried from the top of the loop.
        if (!isNetworkError(e)) throw e;
        if (++failures >= 8) throw e;
        const delay = Math.min(30_000, 500 * 2 ** failures);
        this.out.info(`  ${(e as Error).message.split("\n")[0]} — retrying in ${(delay / 1000).toFixed(1)}s`);
        await sleep(delay);
      }
    }
    const rounds = Object.values(this.checkpoint.rounds)
      .sort((a, b) => a.round - b.round)
      .map((e) => ({ round: e.round, ...(e.committed ? { cid: e.cid, sha256: e.sha256, signature: e.commitSignature ?? null, resultEventId: e.eventId ?? null } : {}), ...(e.skipped !== undefined && !e.committed ? { skipped: e.skipped } : {}) }));
    const committed = rounds.filter((r) => "cid" in r).length;
    const why = status === "finished" ? "the pool has finished" : status === "expirable" ? "the aggregator missed a deadline" : `the pool was ${status}`;
    this.out.result(
      { event: "done", pool: this.pool.summary.address, rounds, status },
      `${why}: ${committed} of ${this.pool.summary.rounds} rounds committed. Next: fedstr claim ${this.pool.summary.address}, then fedstr withdraw ${this.pool.summary.address}`,
    );
  }

  /** The global model of round r, downloaded once and checked against its on-chain (or plan) sha256. */
  private async globalModel(r: number): Promise<Weights> {
    const cached = this.models.get(r);
    if (cached) return cached;
    const ref = await withRetry("reading the previous round", () => modelForRound(this.session.program, this.pool.address, this.pool.account, r, this.plan.model.initialWeights.sha256), this.retry);
    if (ref === undefined) throw new Error(`round ${r - 1} is not posted yet`);
    const store = await this.session.store();
    const bytes = await withRetry(`fetching model ${ref.cid}`, () => store.get(ref.cid), this.retry);
    const got = sha256Hex(bytes);
    if (got !== ref.sha256) throw new ClientError("ModelMismatch", `the global model of round ${r} (${ref.cid}) has sha256 ${got}, expected ${ref.sha256}${r === 1 ? " (the plan's initial weights)" : " (on chain)"}`);
    const weights = decode(bytes, { copy: true });
    this.models.clear();
    this.models.set(r, weights);
    return weights;
  }

  private async train(r: number): Promise<void> {
    const global = await this.globalModel(r);
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
    bar.done(`loss ${metrics.loss?.toFixed(4) ?? "?"}${metrics.accuracy !== undefined ? ` accuracy ${metrics.accuracy.toFixed(4)}` : ""}`);
    // Sealed job: only the ciphertext (sealed to the round's key) is uploaded and committed.
    const bytes = this.job.job.privacy === "sealed"
      ? await sealUpdate(encode(res.update.weights), this.job.job, { round: r, participant: this.session.wallet.publicKey.toBase58() })
      : encode(res.update.weights);
    const sha256 = toHex(hashBytes(bytes));
    const store = await this.session.store();
    const cid = (await withRetry("uploading the update", () => store.put(bytes, { name: `update-r${r}.${this.job.job.privacy === "sealed" ? "sealed" : "fstw"}` }), this.retry)).toString();
    const e = entryOf(this.checkpoint, r);
    Object.assign(e, { cid, sha256, samples: res.update.numSamples, metrics });
    delete e.skipped;
    this.save();
    this.out.info(`round ${r}: update ${cid} (sha256 ${sha256.slice(0, 16)}…)`);
  }

  private async commit(r: number, cid: string, sha256: string): Promise<void> {
    const s = this.session;
    // The sample count goes on chain with the commitment (the same one the result event reports).
    const samples = entryOf(this.checkpoint, r).samples;
    if (samples === undefined) throw new Error(`round ${r}: no sample count recorded for the update to commit`);
    const ix = await commitUpdateIx(s.program, { participant: s.wallet.publicKey, pool: this.pool.address, round: r, updateHash: Buffer.from(sha256, "hex"), updateCid: cidToBytes(cid), samples });
    try {
      const signature = await s.send(`commit_update (round ${r})`, [ix]);
      const e = entryOf(this.checkpoint, r);
      e.committed = true;
      e.commitSignature = signature;
      this.save();
      this.out.info(`round ${r}: committed (${signature})`);
    } catch (err) {
      // RoundNotOpen: the window closed meanwhile (the loop reports the round as missed);
      // AlreadyCommitted: an earlier attempt landed (the loop finds the commitment).
      if (err instanceof TransactionError && (err.programError === "RoundNotOpen" || err.programError === "AlreadyCommitted")) return;
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
    const event = buildResult({ job: this.job.event, aggregator: this.job.job.aggregator, payload, binding: this.binding, encrypt: this.job.job.privacy === "sealed" }, this.session.nostr.secretKey);
    await publishEvent(await this.session.relays(), event, { what: `round ${r} result`, info: (m) => this.out.info(m) });
    e.eventId = event.id;
    this.save();
    const line: RoundCommitted = { event: "round-committed", round: r, cid, sha256, samples: payload.samples, metrics: payload.metrics, signature: e.commitSignature ?? null, resultEventId: event.id };
    this.emit(line, `round ${r}: result published (${event.id.slice(0, 16)}…); waiting for the aggregator`);
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

function isNetworkError(e: unknown): boolean {
  if (e instanceof NetworkError) return true;
  if (e instanceof TransactionError && e.programError !== undefined) return false;
  if (e instanceof StorageError) return isTransient(e);
  const m = String((e as Error)?.message ?? e);
  return /fetch failed|ECONNREFUSED|ECONNRESET|ETIMEDOUT|socket hang up|429|50[234]|network|blockhash|not confirmed|timed? ?out/i.test(m);
}
