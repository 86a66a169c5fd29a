"use client";
import { type BrowserBackend, type Dataset, type TrainingPlan, toHex } from "@fedstr/sdk/fl";
import { chainTime, modelForRound, scheduleOf } from "@fedstr/sdk/job";
import type { JobRequest } from "@fedstr/sdk/nostr";
import {
  cidFromBytes,
  cidToBytes,
  commitUpdateIx,
  fetchPool,
  findCommitmentAddress,
  PoolStatus,
} from "@fedstr/sdk/program";
import { withRetry } from "@fedstr/sdk/retry";
import { useConnection, useWallet } from "@solana/wallet-adapter-react";
// The browser participant's round loop — the steps of `fedstr train` (client/src/commands/train.ts)
// with the wallet as the signer: wait for the round window (chain clock) → fetch the round's global
// model by CID and check its sha256 → train in a Web Worker with the SDK's trainLocal → upload the
// encoded update → commit_update (one wallet signature per round) → publish the signed kind-6720
// result. Progress is kept per round in IndexedDB (round-state.ts); before committing, the chain's
// commitment account is read, so a reload resumes and never commits twice. The commit also closes the
// wallet's commitments of earlier, posted rounds (rent back). The data set stays in
// this tab: it goes to the worker by postMessage, and only the encoded update is uploaded.
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { useFedstr } from "./fedstr";
import { useRelayHub } from "./nostr";
import { useNostrBinding, useNostrKey } from "./nostr-key";
import type { PoolRow } from "./pools";
import { type Close, closableCommitments, closesLabel, fitCount } from "./rent";
import { useGateway } from "./reports";
import { allRoundStates, loadRoundState, type RoundState, type RoundStateScope, saveRoundState } from "./round-state";
import { TxError, useSendTx } from "./send-tx";
import type { WorkerReply, WorkerRequest } from "./train-protocol";

const POLL_MS = 1_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface TrainProgressView {
  epoch: number;
  epochs: number;
  batch: number;
  batches: number;
  loss?: number;
}

export interface TrainingView {
  status: "idle" | "running" | "stopped" | "finished" | "failed";
  /** What the loop is doing now, in words. */
  activity: string;
  round?: number;
  /** The current round's commit deadline (chain time, unix seconds). */
  deadline?: number;
  backend?: BrowserBackend;
  progress?: TrainProgressView;
  rounds: RoundState[];
  error?: string;
}

/** What retrying cannot mend (a refused job, a wrong model, the wallet declining): withRetry stops at once. */
class FinalError extends Error {
  readonly permanent = true;
}

function wasmPaths(): string {
  return `${location.origin}/api/tfjs-wasm/`;
}

/** One training worker per page; replies go to whoever sent the current request. */
let worker: Worker | undefined;
function trainingWorker(): Worker {
  worker ??= new Worker(new URL("./train.worker.ts", import.meta.url), { type: "module", name: "fedstr-training" });
  return worker;
}

let nextId = 1;
type Request = WorkerRequest extends infer R ? (R extends { id: number } ? Omit<R, "id"> : never) : never;

function ask(
  req: Request,
  onReply: (m: WorkerReply) => void,
): Promise<Extract<WorkerReply, { type: "done" | "backend" }>> {
  const w = trainingWorker();
  const id = nextId++;
  return new Promise((resolve, reject) => {
    const done = () => {
      w.removeEventListener("message", listener);
      w.removeEventListener("error", failed);
    };
    const failed = (e: ErrorEvent) => {
      done();
      reject(new FinalError(`the training worker failed: ${e.message}`));
    };
    const listener = (ev: MessageEvent<WorkerReply>) => {
      const m = ev.data;
      if (m.id !== id) return;
      onReply(m);
      if (m.type === "error") {
        done();
        reject(new FinalError(`training failed: ${m.message}`));
      } else if (m.type === "done" || (m.type === "backend" && req.type === "probe")) {
        done();
        resolve(m);
      }
    };
    w.addEventListener("message", listener);
    w.addEventListener("error", failed);
    w.postMessage({ ...req, id } as WorkerRequest);
  });
}

/** The backend the worker would train on (WebGL when present, else WASM), or the one asked for. */
export async function probeBackend(backend?: BrowserBackend): Promise<BrowserBackend> {
  const m = await ask({ type: "probe", wasmPaths: wasmPaths(), ...(backend ? { backend } : {}) }, () => {});
  return m.backend;
}

/**
 * Upload a round's encoded update through the app's server (POST /api/ipfs) and check the CID it
 * answers against the bytes. The one place an update leaves the tab: for a sealed job only the
 * ciphertext (sealed to the round's key of the aggregator) does, and the commitment covers it.
 */
async function uploadUpdate(
  round: number,
  update: Uint8Array,
  job: JobRequest,
  participant: string,
): Promise<{ cid: string; sha256: string }> {
  const sealed = job.privacy === "sealed";
  const bytes = sealed
    ? await (await import("@fedstr/sdk/privacy")).sealUpdate(update, job, { round, participant })
    : update;
  const res = await fetch(`/api/ipfs?name=update-r${round}.${sealed ? "sealed" : "fstw"}`, {
    method: "POST",
    body: bytes as BodyInit,
  });
  const body = (await res.json().catch(() => ({ error: `HTTP ${res.status}` }))) as { cid?: string; error?: string };
  if (!res.ok || !body.cid)
    throw new Error(`uploading the round ${round} update failed: ${body.error ?? `HTTP ${res.status}`}`);
  const { computeCid, sha256Hex } = await import("@fedstr/sdk/storage");
  const expected = (await computeCid(bytes)).toString();
  if (body.cid !== expected) throw new FinalError(`the upload answered CID ${body.cid}, the update's is ${expected}`);
  return { cid: body.cid, sha256: sha256Hex(bytes) };
}

export function useBrowserTraining(pool: PoolRow | null | undefined) {
  const { program, programId, cluster } = useFedstr();
  const { connection } = useConnection();
  const { publicKey } = useWallet();
  const send = useSendTx();
  const nostrKey = useNostrKey();
  const binding = useNostrBinding();
  const hub = useRelayHub();
  const gateway = useGateway();
  const deps = useRef({ program, connection, send, nostrKey, binding, hub, gateway });
  deps.current = { program, connection, send, nostrKey, binding, hub, gateway };
  const scope = useMemo<RoundStateScope | undefined>(
    () =>
      pool && publicKey
        ? { cluster, programId: programId.toBase58(), pool: pool.summary.address, wallet: publicKey.toBase58() }
        : undefined,
    [cluster, programId, pool, publicKey],
  );
  const scopeId = scope ? JSON.stringify(scope) : "";
  const [view, setView] = useState<TrainingView>({ status: "idle", activity: "", rounds: [] });
  const running = useRef<{ stop: boolean } | undefined>(undefined);
  const update = useCallback((v: Partial<TrainingView>) => setView((old) => ({ ...old, ...v })), []);

  // biome-ignore lint/correctness/useExhaustiveDependencies: keyed by scopeId, the scope's value (the pool row is a new object on every refetch)
  useEffect(() => {
    if (!scope) return;
    let live = true;
    void allRoundStates(scope).then((rounds) => live && update({ rounds }));
    return () => {
      live = false;
    };
  }, [scopeId, update]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: stops a running loop when the scope (wallet, pool, cluster) changes
  useEffect(
    () => () => {
      if (running.current) running.current.stop = true;
    },
    [scopeId],
  );

  const stop = useCallback(() => {
    if (running.current) running.current.stop = true;
  }, []);

  const start = useCallback(
    async (plan: TrainingPlan, data: Dataset, opts: { backend?: BrowserBackend; seed?: number } = {}) => {
      if (!pool || !scope || !publicKey || running.current) return;
      const token = { stop: false };
      running.current = token;
      const me = publicKey;
      const address = pool.address;
      const seed = opts.seed ?? 0;
      const saveState = async (st: RoundState) => {
        await saveRoundState(scope, st);
        update({ rounds: await allRoundStates(scope) });
      };
      update({
        status: "running",
        activity: "reading the job request from the relays",
        error: undefined,
        progress: undefined,
      });
      const models = new Map<string, Uint8Array>();
      try {
        const { fetchJobRequest } = await import("@fedstr/sdk/job");
        const job = await fetchJobRequest(await deps.current.hub.ready, pool.summary.jobId, { timeoutMs: 10_000 });
        if (!job) throw new FinalError(`the job request ${pool.summary.jobId} is not on the configured relays`);

        // One step of the round loop: "done" when the pool (or this participant's part in it) is over.
        const step = async (): Promise<"done" | "next"> => {
          const { program, connection, send } = deps.current;
          const account = await fetchPool(program, address);
          if (!account) throw new FinalError(`no pool at ${address.toBase58()}`);
          if (account.status !== PoolStatus.Active) {
            update({
              status: "finished",
              activity: "the pool has ended: claim your rewards below",
              progress: undefined,
            });
            return "done";
          }
          const r = account.roundsPosted + 1;
          if (r > account.numRounds) {
            update({
              status: "finished",
              activity: "every round is posted: claim your rewards below",
              progress: undefined,
            });
            return "done";
          }
          const s = scheduleOf(account);
          const now = await chainTime(connection);
          update({ round: r, deadline: s.roundDeadline(r) });
          if (now > s.postDeadline(r)) {
            update({
              status: "finished",
              activity: `the aggregator did not post round ${r} in time: the pool can be expired (withdraw then returns your stake)`,
              progress: undefined,
            });
            return "done";
          }
          if (now < s.roundStart(r)) {
            update({ activity: `waiting for round ${r} to open (chain clock)` });
            await sleep(POLL_MS);
            return "next";
          }
          const commitment = await program.account.commitment.fetchNullable(
            findCommitmentAddress(address, me, r, program.programId)[0],
          );
          let st: RoundState = (await loadRoundState(scope, r)) ?? { round: r };
          if (commitment) {
            const cid = cidFromBytes(Uint8Array.from(commitment.updateCid)).toString(),
              sha256 = toHex(commitment.updateHash);
            // Committed by an earlier visit whose state is gone: the chain has the CID, hash and sample count.
            if (st.cid !== cid || st.sha256 !== sha256)
              st = { round: r, cid, sha256, samples: Number(commitment.samples.toString()), metrics: {} };
            if (!st.committed) {
              st.committed = "chain";
              await saveState(st);
            }
            if (!st.eventId) {
              update({ activity: `round ${r}: publishing the result to the aggregator` });
              const { buildResult } = await import("@fedstr/sdk/nostr");
              const event = buildResult(
                {
                  job: job.event,
                  aggregator: job.job.aggregator,
                  binding: await deps.current.binding(),
                  encrypt: job.job.privacy === "sealed",
                  payload: {
                    update: cid,
                    sha256,
                    samples: st.samples ?? data.length,
                    round: r,
                    metrics: st.metrics ?? {},
                  },
                },
                (await deps.current.nostrKey()).secretKey,
              );
              const outcomes = await (await deps.current.hub.ready).publish(event);
              if (!outcomes.some((o) => o.ok))
                throw new Error(
                  `no relay accepted the round ${r} result (${outcomes.map((o) => `${o.url}: ${o.message}`).join("; ")})`,
                );
              st.eventId = event.id;
              await saveState(st);
            }
            update({
              activity: `round ${r}: committed and published; waiting for the aggregator to post the round`,
              progress: undefined,
            });
            await sleep(POLL_MS);
            return "next";
          }
          if (now > s.roundDeadline(r)) {
            update({
              activity: `round ${r}: missed (its commit window closed before an update was committed); waiting for the next round`,
              progress: undefined,
            });
            await sleep(POLL_MS);
            return "next";
          }
          if (!st.cid || !st.sha256 || st.samples === undefined) {
            const ref = await modelForRound(program, address, account, r, plan.model.initialWeights.sha256);
            if (!ref) {
              await sleep(POLL_MS);
              return "next";
            }
            update({ activity: `round ${r}: fetching the global model ${ref.cid}` });
            let model = models.get(ref.cid);
            if (!model) {
              const { reader, sha256Hex } = await deps.current.gateway();
              const bytes = await reader.get(ref.cid);
              const got = sha256Hex(bytes);
              if (got !== ref.sha256)
                throw new FinalError(
                  `the global model of round ${r} (${ref.cid}) has sha256 ${got}, expected ${ref.sha256}${r === 1 ? " (the plan's initial weights)" : " (on chain)"}`,
                );
              models.clear();
              models.set(ref.cid, (model = bytes));
            }
            update({
              activity: `round ${r}: training on ${data.length} samples`,
              progress: { epoch: 0, epochs: plan.training.localEpochs, batch: 0, batches: 0 },
            });
            const done = await ask(
              {
                type: "train",
                wasmPaths: wasmPaths(),
                plan,
                model,
                data,
                seed: seed + r,
                ...(opts.backend ? { backend: opts.backend } : {}),
              },
              (m) => {
                if (m.type === "backend") update({ backend: m.backend });
                else if (m.type === "batch")
                  setView((v) => ({
                    ...v,
                    progress: { ...v.progress, epoch: m.epoch, epochs: m.epochs, batch: m.batch, batches: m.batches },
                  }));
                else if (m.type === "epoch" && m.loss !== undefined)
                  setView((v) => ({
                    ...v,
                    progress: {
                      ...(v.progress ?? { epoch: m.epoch, epochs: m.epochs, batch: 0, batches: 0 }),
                      loss: m.loss,
                    },
                  }));
              },
            );
            if (done.type !== "done") throw new Error("the training worker answered without an update");
            update({
              activity: `round ${r}: uploading the update (${done.bytes.length.toLocaleString("en-US")} bytes)`,
            });
            const { cid, sha256 } = await uploadUpdate(r, done.bytes, job.job, me.toBase58());
            st = { round: r, cid, sha256, samples: done.samples, metrics: done.metrics, backend: done.backend };
            await saveState(st);
            return "next";
          }
          update({ activity: `round ${r}: committing the update (approve in your wallet)` });
          const ix = await commitUpdateIx(program, {
            participant: me,
            pool: address,
            round: r,
            updateHash: Buffer.from(st.sha256, "hex"),
            updateCid: cidToBytes(st.cid),
            samples: st.samples,
          });
          // The wallet's commitments of earlier (posted) rounds close in the same transaction: their rent comes back.
          const closes = await closableCommitments(program, { address, account }, me).catch((): Close[] => []);
          const fit = closes.slice(0, fitCount(me, [ix], closes));
          try {
            st.committed = await send(`Commit round ${r}${closesLabel(fit)}`, [ix, ...fit.map((c) => c.ix)]);
            await saveState(st);
          } catch (e) {
            // RoundNotOpen: the window closed meanwhile; AlreadyCommitted: an earlier attempt landed.
            // The loop reads the chain again.
            if (e instanceof TxError && (e.code === "RoundNotOpen" || e.code === "AlreadyCommitted")) return "next";
            if (e instanceof TxError && e.kind === "rejected")
              throw new FinalError(
                `round ${r}: the commit was not sent (declined in the wallet); press Train to resume — the update ${st.cid} is kept`,
              );
            if (e instanceof TxError && e.kind !== "network") throw new FinalError(e.message);
            throw e;
          }
          return "next";
        };
        for (;;) {
          if (token.stop) {
            update({ status: "stopped", activity: "stopped; press Train to resume", progress: undefined });
            return;
          }
          // Network trouble (RPC, relay, gateway): retried with back-off, as `fedstr train` does.
          const next = await withRetry("training", step, {
            attempts: 8,
            maxDelayMs: 30_000,
            onRetry: (e, _attempt, delay) =>
              update({ activity: `${e.message.split("\n")[0]} — retrying in ${(delay / 1000).toFixed(1)} s` }),
          });
          if (next === "done") return;
        }
      } catch (e) {
        update({ status: "failed", activity: "", error: (e as Error).message, progress: undefined });
      } finally {
        if (running.current === token) running.current = undefined;
      }
    },
    [pool, scope, publicKey, update],
  );

  return { view, start, stop };
}
