/**
 * Sealed-update benchmark (not a test): `npm run bench:seal -- [--json] [--params 10000000] [--repeat 3] [--n 100]`.
 *
 * 1. Throughput of sealUpdate / openUpdate (@fedstr/sdk/privacy: HPKE X25519 + HKDF-SHA256 +
 *    AES-256-GCM) on a codec-encoded update of --params float32 parameters (default 10 M ≈ 40 MB),
 *    with a same-run baseline: sha256 over the same bytes (what every participant and the
 *    aggregator already compute for the commitment), and node:crypto's sha256 for scale.
 * 2. The aggregator's round overhead at N = --n sealed updates of the digits MLP: the per-update
 *    work the aggregator does after fetching (sha256 check, then open when sealed) followed by
 *    fl.runRound over the N updates — public vs sealed, the difference is what sealing adds.
 * Best of --repeat runs. The last line with --json is one JSON object.
 */
import { createHash } from "node:crypto";
import { performance } from "node:perf_hooks";
import { generateSecretKey } from "nostr-tools/pure";
import * as fl from "../sdk/src/fl/index.js";
import { createSealKeySet, openUpdate, roundOpener, roundSecretKey, sealUpdate } from "../sdk/src/privacy/index.js";
import { sha256Hex } from "../sdk/src/storage/index.js";

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const JSON_OUT = process.argv.includes("--json");
const PARAMS = Number(arg("--params") ?? 10_000_000);
const REPEAT = Number(arg("--repeat") ?? 3);
const N = Number(arg("--n") ?? 100);
const log = (m: string) => process.stderr.write(`${m}\n`);
const POOL = "7B5Dj7Exr1NahbKwNPjFuSKCMzu63Y51AXYYb52BDrFK";

async function best(fn: () => Promise<unknown> | unknown): Promise<number> {
  let b = Infinity;
  for (let i = 0; i < REPEAT; i++) {
    const t = performance.now();
    await fn();
    b = Math.min(b, performance.now() - t);
  }
  return b;
}

const secret = generateSecretKey();
const set = await createSealKeySet(secret, 1);
const job = { pool: POOL, seal: set };
const sk = await roundSecretKey(secret, set.id, 1);
const ctx = { round: 1, participant: POOL };

// ---- 1. throughput on one large update ---------------------------------------------------------
const rng = fl.createRng(1);
const values = new Float32Array(PARAMS);
for (let i = 0; i < PARAMS; i++) values[i] = rng.next() - 0.5;
const update = fl.encode([{ name: "w", shape: [PARAMS], dtype: "float32", values }]);
const mb = update.length / 1e6;
log(`update: ${PARAMS.toLocaleString()} parameters, ${mb.toFixed(1)} MB`);
const shaMs = await best(() => sha256Hex(update));
const nodeShaMs = await best(() => createHash("sha256").update(update).digest());
let sealed: Uint8Array = new Uint8Array();
const sealMs = await best(async () => {
  sealed = await sealUpdate(update, job, ctx);
});
const openMs = await best(() => openUpdate(sealed, sk, { ...ctx, pool: POOL }));
const rate = (ms: number) => mb / (ms / 1000);
log(
  `sha256 (baseline: the commitment hash, @noble/hashes)  ${shaMs.toFixed(0).padStart(6)} ms  ${rate(shaMs).toFixed(0).padStart(5)} MB/s`,
);
log(
  `sha256 (node:crypto, for scale)  ${nodeShaMs.toFixed(0).padStart(6)} ms  ${rate(nodeShaMs).toFixed(0).padStart(5)} MB/s`,
);
log(
  `sealUpdate         ${sealMs.toFixed(0).padStart(6)} ms  ${rate(sealMs).toFixed(0).padStart(5)} MB/s  (${(sealMs / shaMs).toFixed(2)}× sha256)`,
);
log(
  `openUpdate         ${openMs.toFixed(0).padStart(6)} ms  ${rate(openMs).toFixed(0).padStart(5)} MB/s  (${(openMs / shaMs).toFixed(2)}× sha256)`,
);

// ---- 2. the aggregator's round at N updates, public vs sealed ----------------------------------
await fl.loadKernel();
const init = await fl.initialWeights(fl.digitsPlan("0".repeat(64)), 3);
const plan = fl.digitsPlan(fl.toHex(fl.hash(init)));
const plains: Uint8Array[] = [];
for (let k = 0; k < N; k++) {
  const w = fl.cloneWeights(init);
  for (const t of w) {
    const v = t.values as Float32Array;
    for (let i = k; i < v.length; i += 97) v[i] = v[i]! + 0.001 * ((k % 5) + 1);
  }
  plains.push(fl.encode(w));
}
const participants = plains.map((_, k) => `participant-${k}`);
const seals = await Promise.all(plains.map((p, k) => sealUpdate(p, job, { round: 1, participant: participants[k]! })));
const shas = seals.map((s) => sha256Hex(s));
const plainShas = plains.map((p) => sha256Hex(p));
const updateKb = plains[0]!.length / 1024;
log(`round: N = ${N} updates of the digits MLP (${updateKb.toFixed(0)} KiB each)`);

async function round(mode: "public" | "sealed"): Promise<void> {
  const candidates = [];
  const open = mode === "sealed" ? await roundOpener(await roundSecretKey(secret, set.id, 1)) : undefined; // once per round, as the aggregator does
  for (let k = 0; k < N; k++) {
    const bytes = mode === "sealed" ? seals[k]! : plains[k]!;
    if (sha256Hex(bytes) !== (mode === "sealed" ? shas[k] : plainShas[k])) throw new Error("hash");
    const plain =
      open !== undefined ? await open(bytes, { pool: POOL, round: 1, participant: participants[k]! }) : bytes;
    candidates.push({ id: participants[k]!, bytes: plain, numSamples: 100 + k });
  }
  const res = await fl.runRound({ plan, global: init, candidates });
  const rejected = res.verdicts.find((v) => !v.accepted);
  if (rejected !== undefined)
    throw new Error(`update ${rejected.index} was rejected: ${rejected.reason} ${rejected.detail ?? ""}`);
}
const publicMs = await best(() => round("public"));
const sealedMs = await best(() => round("sealed"));
const addedMs = sealedMs - publicMs;
log(`round public       ${publicMs.toFixed(0).padStart(6)} ms`);
log(
  `round sealed       ${sealedMs.toFixed(0).padStart(6)} ms  (+${addedMs.toFixed(0)} ms, +${((addedMs / publicMs) * 100).toFixed(1)} %)`,
);
const perUpdateMs = addedMs / N;
log(
  `added per sealed update: ${perUpdateMs.toFixed(2)} ms; at ${N} × 40 MB updates this would be ≈ ${((openMs * N) / 1000).toFixed(1)} s of opening`,
);

const summary = {
  bench: "seal",
  suite: "HPKE DHKEM(X25519,HKDF-SHA256) HKDF-SHA256 AES-256-GCM",
  repeat: REPEAT,
  throughput: {
    params: PARAMS,
    bytes: update.length,
    sha256Ms: round1(shaMs),
    nodeSha256Ms: round1(nodeShaMs),
    sealMs: round1(sealMs),
    openMs: round1(openMs),
    sha256MBps: round1(rate(shaMs)),
    sealMBps: round1(rate(sealMs)),
    openMBps: round1(rate(openMs)),
  },
  round: {
    n: N,
    updateBytes: plains[0]!.length,
    publicMs: round1(publicMs),
    sealedMs: round1(sealedMs),
    addedMs: round1(addedMs),
    addedPct: round1((addedMs / publicMs) * 100),
  },
};
function round1(x: number): number {
  return Math.round(x * 10) / 10;
}
if (JSON_OUT) process.stdout.write(`${JSON.stringify(summary)}\n`);
else log(JSON.stringify(summary));
