/**
 * Opening a round's sealed updates on worker threads. An HPKE open (X25519, HKDF, AES-GCM over
 * ~200 KB) costs ~10 ms of CPU on this project's machine, most of a sealed update's verification:
 * on the main thread 1,000 of them take ~10 s, one after another. Here the updates the aggregator
 * fetches ahead are opened in parallel, one worker per core, while the main thread fetches, hashes
 * and aggregates. The same `(sealed, ctx) => plaintext` as `roundOpener`, the same SealErrors.
 */
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { type SealContext, SealError, type SealErrorCode } from "@fedstr/sdk/privacy";

/**
 * The worker runs the TypeScript source as the aggregator does (tsx): it registers tsx itself, so
 * it works whether or not the process was started with `--import tsx` (workers do not inherit it).
 */
const WORKER_BOOT = new URL(
  `data:text/javascript,${encodeURIComponent(
    `import { register } from ${JSON.stringify(import.meta.resolve("tsx/esm/api"))}; register(); ` +
      `await import(${JSON.stringify(new URL("./open-worker.ts", import.meta.url).href)});`,
  )}`,
);

export interface OpenRequest {
  id: number;
  sealed: Uint8Array;
  ctx: SealContext;
}
export type OpenReply =
  | { id: number; plain: Uint8Array; error?: undefined }
  | { id: number; error: { message: string; code?: SealErrorCode } };

export interface WorkerOpener {
  open(sealed: Uint8Array, ctx: SealContext): Promise<Uint8Array>;
  close(): Promise<void>;
}

/** `threads` workers (default: one per core) opening with `roundSecret`. */
export function workerOpener(roundSecret: Uint8Array, threads = availableParallelism()): WorkerOpener {
  const pending = new Map<number, { resolve: (b: Uint8Array) => void; reject: (e: Error) => void; worker: Worker }>();
  const load = new Map<Worker, number>();
  let nextId = 0;
  const settled = (w: Worker) => {
    load.set(w, load.get(w)! - 1);
    if (load.get(w) === 0) w.unref();
  };
  const workers = Array.from({ length: Math.max(1, threads) }, () => {
    const w = new Worker(WORKER_BOOT, { workerData: roundSecret, execArgv: [] });
    load.set(w, 0);
    w.on("message", (m: OpenReply) => {
      const p = pending.get(m.id);
      if (p === undefined) return;
      pending.delete(m.id);
      settled(w);
      if (m.error === undefined) p.resolve(m.plain);
      else
        p.reject(
          m.error.code !== undefined ? new SealError(m.error.code, m.error.message) : new Error(m.error.message),
        );
    });
    // A worker that dies fails what it was given; the round's retry starts over with new workers.
    w.on("error", (e) => {
      for (const [id, p] of pending)
        if (p.worker === w) {
          pending.delete(id);
          settled(w);
          p.reject(e);
        }
    });
    w.unref(); // an idle worker does not keep the process alive; one with work does (open)
    return w;
  });
  return {
    open(sealed, ctx) {
      const worker = workers.reduce((a, b) => (load.get(b)! < load.get(a)! ? b : a));
      load.set(worker, load.get(worker)! + 1);
      worker.ref();
      const id = nextId++;
      // The fetched bytes are not used after the open: move them to the worker unless they share a buffer.
      const whole = sealed.byteOffset === 0 && sealed.byteLength === sealed.buffer.byteLength;
      const msg: OpenRequest = { id, sealed: whole ? sealed : sealed.slice(), ctx };
      return new Promise<Uint8Array>((resolve, reject) => {
        pending.set(id, { resolve, reject, worker });
        worker.postMessage(msg, [msg.sealed.buffer as ArrayBuffer]);
      });
    },
    async close() {
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}
