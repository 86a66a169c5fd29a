/// <reference lib="webworker" />
// The participant's training, off the page's main thread: the SDK's own trainLocal (the code
// `fedstr train` runs) on a browser TensorFlow.js backend. The data arrives by postMessage from the
// page and never leaves this worker except as the encoded update.
import { decode, encode, hashBytes, loadBrowserTf, toHex, trainLocal } from "@fedstr/sdk/fl";
import type { WorkerReply, WorkerRequest } from "@/data-access/train-protocol";

const post = (m: WorkerReply, transfer: Transferable[] = []) => (self as unknown as DedicatedWorkerGlobalScope).postMessage(m, transfer);

self.onmessage = async (ev: MessageEvent<WorkerRequest>) => {
  const m = ev.data;
  try {
    const { tf, backend } = await loadBrowserTf(m.backend, { wasmPaths: m.wasmPaths });
    post({ type: "backend", backend });
    if (m.type === "probe") return;
    const global = decode(m.model, { copy: true });
    const res = await trainLocal(m.plan, global, m.data, {
      tf, seed: m.seed,
      onBatch: (p) => post({ type: "batch", ...p }),
      onProgress: (p) => post({ type: "epoch", epoch: p.epoch, epochs: p.epochs, ...(p.loss !== undefined ? { loss: p.loss } : {}) }),
    });
    const bytes = encode(res.update.weights);
    const metrics: Record<string, number> = {};
    for (const [k, v] of Object.entries(res.metrics)) if (typeof v === "number" && Number.isFinite(v)) metrics[k] = v;
    post({ type: "done", backend, bytes, sha256: toHex(hashBytes(bytes)), samples: res.update.numSamples, metrics, deltaNorm: res.deltaNorm, durationMs: res.durationMs }, [bytes.buffer]);
  } catch (e) {
    post({ type: "error", message: (e as Error).message ?? String(e) });
  }
};
