/**
 * TensorFlow.js loading with the best backend available at run time:
 * @tensorflow/tfjs-node-gpu, then @tensorflow/tfjs-node (optional peer dependencies, loaded by
 * dynamic import only if installed), then the WASM backend, then the plain JS CPU backend.
 * FEDSTR_TF_BACKEND=node-gpu|node|wasm|cpu forces one (failing if it is not available).
 * WASM runs single-threaded here, so seeded runs are reproducible. tfjs has one active backend
 * per process; each loadTf() call (re)activates the backend it returns.
 */
import type * as tfTypes from "@tensorflow/tfjs";

export type Tf = typeof tfTypes;
export type BackendChoice = "node-gpu" | "node" | "wasm" | "cpu";
export interface LoadedTf {
  tf: Tf;
  backend: string;
}

const ORDER: BackendChoice[] = ["node-gpu", "node", "wasm", "cpu"];
const cache = new Map<string, Promise<LoadedTf>>();

async function tryBackend(choice: BackendChoice): Promise<LoadedTf | undefined> {
  const tf = (await import("@tensorflow/tfjs")) as Tf;
  try {
    if (choice === "node-gpu" || choice === "node") {
      const spec = choice === "node-gpu" ? "@tensorflow/tfjs-node-gpu" : "@tensorflow/tfjs-node";
      await import(/* webpackIgnore: true */ spec);
      if (!(await tf.setBackend("tensorflow"))) return undefined;
    } else if (choice === "wasm") {
      await import("@tensorflow/tfjs-backend-wasm");
      if (!(await tf.setBackend("wasm"))) return undefined;
    } else if (!(await tf.setBackend("cpu"))) return undefined;
    await tf.ready();
    return { tf, backend: tf.getBackend() };
  } catch {
    return undefined;
  }
}

/** Load tfjs once per process with the best (or the requested) backend. */
export function loadTf(prefer?: BackendChoice): Promise<LoadedTf> {
  const forced = prefer ?? (process.env.FEDSTR_TF_BACKEND as BackendChoice | undefined);
  const key = forced ?? "auto";
  let p = cache.get(key);
  if (!p) {
    p = (async () => {
      const candidates = forced ? [forced] : ORDER;
      for (const c of candidates) {
        if (!ORDER.includes(c)) throw new Error(`unknown backend ${c} (expected one of ${ORDER.join(", ")})`);
        const r = await tryBackend(c);
        if (r) return r;
      }
      throw new Error(`no TensorFlow.js backend available (tried ${candidates.join(", ")})`);
    })();
    cache.set(key, p);
  }
  // tfjs has one active backend per process: make sure the one returned is the active one
  return p.then(async (r) => {
    if (r.tf.getBackend() !== r.backend) await r.tf.setBackend(r.backend);
    return r;
  });
}
