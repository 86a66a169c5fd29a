/**
 * TensorFlow.js in a browser (or a Web Worker): WebGL when the browser offers it, then WASM, then
 * the plain JS CPU backend. The WASM backend runs single-threaded with SIMD, as it does in Node
 * (backend.ts), so a seeded WASM run gives the same bytes in both runtimes. Its .wasm binaries are
 * fetched from `wasmPaths` (a URL prefix ending in "/" the page serves them under).
 * WebGPU would need @tensorflow/tfjs-backend-webgpu, which is not a dependency.
 */
import type { Tf } from "./backend.js";

export type BrowserBackend = "webgl" | "wasm" | "cpu";
export const BROWSER_BACKENDS: readonly BrowserBackend[] = ["webgl", "wasm", "cpu"];

let loading: Promise<Tf> | undefined;
let wasmRegistered = false;

/** True when `choice` is active, else why not. */
async function tryBackend(tf: Tf, choice: BrowserBackend, wasmPaths: string | undefined): Promise<true | string> {
  try {
    if (choice === "wasm") {
      if (!wasmRegistered) {
        const wasm = await import("@tensorflow/tfjs-backend-wasm");
        if (wasmPaths) wasm.setWasmPaths(wasmPaths);
        // Node's tfjs never uses threads: single-threaded here too, for the same reductions in the same order.
        tf.env().set("WASM_HAS_MULTITHREAD_SUPPORT", false);
        wasmRegistered = true;
      }
    }
    if (!(await tf.setBackend(choice))) return `${choice} did not initialise`;
    await tf.ready();
    return tf.getBackend() === choice ? true : `${choice} did not initialise`;
  } catch (e) {
    return `${choice}: ${(e as Error)?.message ?? String(e)}`;
  }
}

/** Load tfjs with `prefer` (failing if unavailable) or the best backend the browser has. */
export async function loadBrowserTf(
  prefer?: BrowserBackend,
  opts: { wasmPaths?: string } = {},
): Promise<{ tf: Tf; backend: BrowserBackend }> {
  loading ??= import("@tensorflow/tfjs") as Promise<Tf>;
  const tf = await loading;
  const candidates = prefer ? [prefer] : BROWSER_BACKENDS;
  const why: string[] = [];
  for (const c of candidates) {
    if (!BROWSER_BACKENDS.includes(c))
      throw new Error(`unknown backend ${c} (expected one of ${BROWSER_BACKENDS.join(", ")})`);
    const r = await tryBackend(tf, c, opts.wasmPaths);
    if (r === true) return { tf, backend: c };
    why.push(r);
  }
  throw new Error(`no TensorFlow.js backend available in this browser (${why.join("; ")})`);
}
