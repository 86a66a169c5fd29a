/**
 * Local-training throughput, browser against CLI (not a test): `npm run bench:train-browser -- [--samples 600] [--epochs 2] [--repeat 3]`.
 *
 * The same plan (the digits MLP), the same shard of real MNIST digits and the same seed, trained
 * with the SDK's trainLocal:
 *   node-wasm     — what `fedstr train --backend wasm` runs (the baseline)
 *   chromium-wasm — Debian's chromium (playwright-core, headless, the web-app tests' flags), the SDK's
 *                   browser entry bundled with esbuild, the installed tfjs WASM binaries
 *   chromium-webgl — the same with WebGL, when the headless browser offers it (else null)
 * The shard goes to the page as JSON-lines text and is parsed there with parseJsonl, as the app
 * does. Figures: samples per second (samples × epochs / training time), best of --repeat after one
 * warm-up; whether the update sha256 matches node-wasm, and otherwise how far the update is from
 * node-wasm's relative to the update's own step (‖w − w_node‖ / ‖w_node − w_global‖). The last
 * line is one JSON object.
 */

import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { build } from "esbuild";
import { chromium } from "playwright-core";
import {
  type Dataset,
  decode,
  deltaNorm,
  digitsPlan,
  encode,
  hash,
  hashBytes,
  initialWeights,
  loadDigits,
  loadTf,
  partitionIid,
  subset,
  toHex,
  trainLocal,
} from "../sdk/src/fl/index.js";
import { CHROMIUM, CHROMIUM_ARGS } from "../tests/support/browser.js";

const HERE = dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: {
    samples: { type: "string", default: "600" },
    epochs: { type: "string", default: "2" },
    repeat: { type: "string", default: "3" },
  },
});
const samples = Number(values.samples),
  epochs = Number(values.epochs),
  repeat = Number(values.repeat);
const SEED = 1;

function jsonl(ds: Dataset): string {
  const F = ds.featureShape.reduce((a, b) => a * b, 1);
  return Array.from({ length: ds.length }, (_, i) =>
    JSON.stringify({ x: Array.from(ds.x.subarray(i * F, (i + 1) * F)), y: ds.y[i] }),
  ).join("\n");
}

const { tf } = await loadTf("wasm");
const init = await initialWeights(digitsPlan("0".repeat(64)), 7, tf);
const base = digitsPlan("0".repeat(64));
const plan = digitsPlan(toHex(hash(init)), { training: { ...base.training, localEpochs: epochs } });
const shard = partitionIid(
  subset(
    loadDigits(),
    Array.from({ length: samples }, (_, i) => i * Math.floor(10_000 / samples)),
  ),
  1,
  7,
)[0]!;
const text = jsonl(shard);

interface Run {
  ms: number;
  sha256: string;
  update: Uint8Array;
}
async function bestOf(run: () => Promise<Run>): Promise<Run> {
  await run();
  let best: Run | undefined;
  for (let i = 0; i < repeat; i++) {
    const r = await run();
    if (!best || r.ms < best.ms) best = r;
  }
  return best!;
}

const node = await bestOf(async () => {
  const t0 = performance.now();
  const res = await trainLocal(plan, init, shard, { tf, seed: SEED });
  const update = encode(res.update.weights);
  return { ms: performance.now() - t0, sha256: toHex(hashBytes(update)), update };
});

// The browser side: the SDK's browser entry in one bundle, served with the WASM binaries on loopback.
const page = await build({
  stdin: {
    contents: `
      import { loadBrowserTf, parseJsonl, trainLocal, decode, encode } from "./sdk/src/fl/browser.ts";
      window.benchTrain = async (backend, plan, model, text, seed) => {
        const { tf } = await loadBrowserTf(backend, { wasmPaths: "/wasm/" });
        const data = parseJsonl(text, plan.data);
        const t0 = performance.now();
        const res = await trainLocal(plan, decode(Uint8Array.from(atob(model), (c) => c.charCodeAt(0)), { copy: true }), data, { tf, seed });
        const ms = performance.now() - t0;
        const bytes = encode(res.update.weights);
        let bin = "";
        for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
        return { ms, update: btoa(bin) };
      };`,
    resolveDir: join(HERE, ".."),
    loader: "ts",
  },
  bundle: true,
  write: false,
  format: "esm",
  platform: "browser",
  target: "es2022",
  logLevel: "silent",
  define: { "process.env.NODE_ENV": '"production"' },
});
const wasmDir = dirname(createRequire(join(HERE, "../sdk/package.json")).resolve("@tensorflow/tfjs-backend-wasm"));
const server = createServer((req, res) => {
  const url = req.url ?? "/";
  if (url === "/") {
    res.writeHead(200, { "content-type": "text/html" });
    res.end('<!doctype html><script type="module" src="/bench.js"></script>');
    return;
  }
  if (url === "/bench.js") {
    res.writeHead(200, { "content-type": "text/javascript" });
    res.end(page.outputFiles[0]!.text);
    return;
  }
  const m = url.match(/^\/wasm\/(tfjs-backend-wasm(?:-simd|-threaded-simd)?\.wasm)$/);
  if (m) {
    res.writeHead(200, { "content-type": "application/wasm" });
    res.end(readFileSync(join(wasmDir, m[1]!)));
    return;
  }
  res.writeHead(404).end();
});
await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
const origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
const modelB64 = Buffer.from(encode(init)).toString("base64");

async function inBrowser(backend: "wasm" | "webgl"): Promise<Run | null> {
  const p = await browser.newPage();
  await p.goto(origin);
  await p.waitForFunction(() => "benchTrain" in globalThis);
  try {
    return await bestOf(async () => {
      const r = await p.evaluate(
        ([b, pl, mo, tx, s]) =>
          (
            globalThis as unknown as { benchTrain: (...a: unknown[]) => Promise<{ ms: number; update: string }> }
          ).benchTrain(b, pl, mo, tx, s),
        [backend, plan, modelB64, text, SEED] as const,
      );
      const update = new Uint8Array(Buffer.from(r.update, "base64"));
      return { ms: r.ms, sha256: toHex(hashBytes(update)), update };
    });
  } catch (e) {
    if (backend === "webgl") return null;
    throw e;
  } finally {
    await p.close();
  }
}

const wasm = await inBrowser("wasm");
const webgl = await inBrowser("webgl");
await browser.close();
server.close();

const rate = (r: { ms: number } | null) => (r ? (samples * epochs) / (r.ms / 1000) : null);
const nodeWeights = decode(node.update);
const step = deltaNorm(nodeWeights, init);
/** ‖w − w_node‖ / ‖w_node − w_global‖: 0 for the same bytes. */
const relativeGap = (r: Run) => deltaNorm(decode(r.update), nodeWeights) / step;
const row = (name: string, r: Run | null) =>
  console.log(
    `${name.padEnd(15)} ${r ? `${rate(r)!.toFixed(0).padStart(7)} samples/s  (${(r.ms / 1000).toFixed(2)} s)  sha256 ${r.sha256.slice(0, 16)}…${r.sha256 === node.sha256 ? " = node-wasm" : ` ≠ node-wasm, relative gap ${relativeGap(r).toExponential(2)}`}` : "not available in this headless browser"}`,
  );
console.log(
  `local training, digits MLP, ${samples} samples × ${epochs} epochs, seed ${SEED}, best of ${repeat} after a warm-up`,
);
row("node-wasm", node);
row("chromium-wasm", wasm);
row("chromium-webgl", webgl);
console.log(
  JSON.stringify({
    bench: "train-browser",
    samples,
    epochs,
    repeat,
    nodeWasm: { samplesPerSec: rate(node), sha256: node.sha256 },
    chromiumWasm: wasm && {
      samplesPerSec: rate(wasm),
      sha256: wasm.sha256,
      sameAsNode: wasm.sha256 === node.sha256,
      relativeGap: relativeGap(wasm),
      vsNode: rate(wasm)! / rate(node)!,
    },
    chromiumWebgl: webgl && {
      samplesPerSec: rate(webgl),
      sha256: webgl.sha256,
      sameAsNode: webgl.sha256 === node.sha256,
      relativeGap: relativeGap(webgl),
      vsNode: rate(webgl)! / rate(node)!,
    },
  }),
);
