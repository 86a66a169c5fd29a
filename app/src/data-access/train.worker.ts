/// <reference lib="webworker" />
// The participant's training, off the page's main thread: the SDK's own trainLocal (the code
// `fedstr train` runs) on a browser TensorFlow.js backend. The data arrives by postMessage from the
// page and never leaves this worker except as the encoded update.
import { decode, encode, hashBytes, loadBrowserTf, toHex, trainLocal } from "@fedstr/sdk/fl";
import type { WorkerReply, WorkerRequest } from "@/data-access/train-protocol";

type Reply = WorkerReply extends infer R ? (R extends { id: number } ? Omit<R, "id"> : never) : never;

// One request at a time: tfjs has one active backend per worker, and a probe must not switch it under a training run.
let queue: Promise<void> = Promise.resolve();
self.onmessage = (ev: MessageEvent<WorkerRequest>) => {
  queue = queue.then(() => handle(ev.data));
};

async function handle(m: WorkerRequest): Promise<void> {
  const post = (r: Reply, transfer: Transferable[] = []) =>
    (self as unknown as DedicatedWorkerGlobalScope).postMessage({ ...r, id: m.id }, transfer);
  try {
    const { tf, backend } = await loadBrowserTf(m.backend, { wasmPaths: m.wasmPaths });
    post({ type: "backend", backend });
    if (m.type === "probe") return;
    const global = decode(m.model, { copy: true });
    const res = await trainLocal(m.plan, global, m.data, {
      tf,
      seed: m.seed,
      onBatch: (p) => post({ type: "batch", ...p }),
      onProgress: (p) =>
        post({ type: "epoch", epoch: p.epoch, epochs: p.epochs, ...(p.loss !== undefined ? { loss: p.loss } : {}) }),
    });
    const bytes = encode(res.update.weights);
    const metrics: Record<string, number> = {};
    for (const [k, v] of Object.entries(res.metrics)) if (typeof v === "number" && Number.isFinite(v)) metrics[k] = v;
    post(
      {
        type: "done",
        backend,
        bytes,
        sha256: toHex(hashBytes(bytes)),
        samples: res.update.numSamples,
        metrics,
        deltaNorm: res.deltaNorm,
        durationMs: res.durationMs,
      },
      [bytes.buffer],
    );
  } catch (e) {
    post({ type: "error", message: (e as Error).message ?? String(e) });
  }
}
