/**
 * FedAvg aggregation benchmark (not a test): `npm run bench:aggregate -- [--json] [--cases 10x1M,100x10M] [--repeat 5] [--no-flower]`.
 *
 * For N updates of P float32 parameters (codec-encoded files under ~/.cache/fedstr/bench, generated
 * once from a fixed seed), in separate processes for clean memory figures:
 *   ours     — the streaming FedAvgAccumulator (WebAssembly SIMD kernel) reading each update
 *              file in 1 MiB chunks straight into its scratch buffer (wall time includes reading
 *              the files; page cache warm)
 *   baseline — reading every input once the same way and summing it with the same SIMD width
 *              (the read-once floor of a streaming aggregator)
 *   flower   — flwr.server.strategy.aggregate.aggregate on the same numbers, loaded with
 *              np.fromfile (timed: the aggregate() call only; loading reported separately)
 *   flowerInplace — aggregate_inplace on FitRes-wrapped serialized parameters, the path Flower's
 *              FedAvg strategy takes by default (reported for information; the targets use
 *              `aggregate`, which the issue names)
 * Memory: peak RSS (VmHWM) and "aggregation memory" = peak minus the RSS right before the work
 * (after imports; the peak is reset there through /proc/self/clear_refs).
 * Each of the --repeat repetitions runs in a fresh process; time = best, memory = worst.
 * The last line with --json is one JSON object with every case.
 */
import { execFileSync, spawnSync } from "node:child_process";
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  statSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createRng, decodeHeader, encode, FedAvgAccumulator } from "../sdk/src/fl/index.js";
import { Float32Accumulator, loadKernel } from "../sdk/src/fl/strategies/kernel.js";

const HERE = dirname(fileURLToPath(import.meta.url));
const CACHE = join(homedir(), ".cache", "fedstr");
const DATA = join(CACHE, "bench");
const VENV = join(CACHE, "flwr-venv");
const FLWR_VERSION = "1.41.0";
const CHUNK = 1 << 20;
const SEED = 20240601;

interface Manifest {
  p: number;
  dataOffset: number;
  files: { path: string; numSamples: number }[];
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const has = (name: string) => process.argv.includes(name);
const parseSize = (s: string) =>
  Math.round(Number(s.replace(/[kKmM]$/, "")) * (/[mM]$/.test(s) ? 1e6 : /[kK]$/.test(s) ? 1e3 : 1));

function procKb(field: string): number {
  const m = readFileSync("/proc/self/status", "utf8").match(new RegExp(`^${field}:\\s+(\\d+)`, "m"));
  return m ? Number(m[1]) : 0;
}
function resetPeak(): void {
  try {
    writeFileSync("/proc/self/clear_refs", "5");
  } catch {
    /* older kernels: peak since start */
  }
}

/** Deterministic update files: update i = seeded normal values, numSamples = 100 + (37 i mod 900). */
function ensureData(p: number, n: number, log: (s: string) => void): Manifest {
  const dir = join(DATA, `p${p}`);
  const mf = join(dir, "manifest.json");
  if (existsSync(mf)) {
    const m = JSON.parse(readFileSync(mf, "utf8")) as Manifest;
    if (m.files.length >= n && m.files.every((f) => existsSync(f.path))) return m;
  }
  mkdirSync(dir, { recursive: true });
  const files: Manifest["files"] = [];
  const values = new Float32Array(p);
  let dataOffset = 0;
  for (let i = 0; i < n; i++) {
    const path = join(dir, `update-${String(i).padStart(3, "0")}.fstw`);
    const rng = createRng(SEED + i * 7919 + p);
    for (let j = 0; j < p; j++) values[j] = 0.05 * rng.normal();
    const bytes = encode([{ name: "w", dtype: "float32", shape: [p], values }]);
    dataOffset = decodeHeader(bytes)!.dataOffset;
    const fd = openSync(path, "w");
    writeSync(fd, bytes);
    closeSync(fd);
    files.push({ path, numSamples: 100 + ((37 * i) % 900) });
    if (i % 10 === 9) log(`  generated ${i + 1}/${n} files of ${p} parameters`);
  }
  const m: Manifest = { p, dataOffset, files };
  writeFileSync(mf, JSON.stringify(m));
  return m;
}

/** Stream one update file through `onChunk(tensorIndex, offset, values)`. */
function streamFile(
  path: string,
  buf: Uint8Array,
  onChunk: (k: number, offset: number, v: Float32Array) => void,
): void {
  const fd = openSync(path, "r");
  try {
    const head = new Uint8Array(4096);
    const hn = readSync(fd, head, 0, head.length, 0);
    const h = decodeHeader(head.subarray(0, hn));
    if (!h) throw new Error(`${path}: header larger than 4 KiB`);
    if (h.totalBytes !== statSync(path).size) throw new Error(`${path}: size does not match its header`);
    const f32 = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
    h.tensors.forEach((t, k) => {
      let pos = t.offset,
        off = 0,
        left = t.length * 4;
      while (left > 0) {
        let got = 0;
        const want = Math.min(buf.length, left);
        while (got < want) {
          const r = readSync(fd, buf, got, want - got, pos + got);
          if (r === 0) throw new Error(`${path}: truncated`);
          got += r;
        }
        onChunk(k, off, f32.subarray(0, got / 4));
        pos += got;
        off += got / 4;
        left -= got;
      }
    });
  } finally {
    closeSync(fd);
  }
}

/** Worker: run one measurement in this (fresh) process and print one JSON line. */
async function worker(
  kind: "ours" | "baseline",
  manifestPath: string,
  n: number,
  repeat: number,
  outFile?: string,
): Promise<void> {
  const m = JSON.parse(readFileSync(manifestPath, "utf8")) as Manifest;
  const files = m.files.slice(0, n);
  const buf = new Uint8Array(CHUNK);
  const like = [{ name: "w", dtype: "float32" as const, shape: [m.p], values: new Float32Array(0) }];
  // warm the page cache with one untimed pass over one file, and the JIT / WebAssembly tier-up
  // with a small untimed aggregation and sum (a long-running aggregator is always warm)
  streamFile(files[0]!.path, buf, () => {});
  if (!(await loadKernel())) process.stderr.write("WebAssembly SIMD kernel unavailable: timing the JS loop\n"); // compiled once (wabt), untimed
  {
    const w = new FedAvgAccumulator([
      { name: "w", dtype: "float32", shape: [1 << 18], values: new Float32Array(1 << 18) },
    ]);
    const r = new Float32Accumulator([0]);
    for (let i = 0; i < 200; i++) {
      w.addSlice(0, 0, w.scratch.subarray(0, 1 << 18), i + 1);
      w.commit(i + 1);
      r.sumScratch(1 << 18);
    }
    w.result();
  }
  // let V8 actually release the warm-up's buffers before taking the memory baseline
  const gc = (globalThis as { gc?: () => void }).gc;
  for (let i = 0; i < 3; i++) {
    gc?.();
    await new Promise((r) => setTimeout(r, 100));
  }
  resetPeak();
  const base = procKb("VmRSS");
  let best = Infinity,
    checksum = 0,
    simd: boolean | undefined;
  for (let r = 0; r < repeat; r++) {
    gc?.(); // drop the previous repetition's accumulator before timing the next one
    const t0 = process.hrtime.bigint();
    if (kind === "ours") {
      const acc = new FedAvgAccumulator(like.map((t) => ({ ...t, values: new Float32Array(m.p) })));
      // read each chunk straight into the accumulator's scratch buffer (WebAssembly memory)
      const sbuf = new Uint8Array(acc.scratch.buffer, acc.scratch.byteOffset, acc.scratch.byteLength);
      for (const f of files) {
        streamFile(f.path, sbuf, (k, off, v) => acc.addSlice(k, off, v, f.numSamples));
        acc.commit(f.numSamples);
      }
      simd = acc.simd;
      const out = acc.result()[0]!.values as Float32Array;
      best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e9);
      checksum = out[0]! + out[out.length - 1]!;
      if (outFile && r === repeat - 1)
        writeFileSync(outFile, new Uint8Array(out.buffer, out.byteOffset, out.byteLength));
    } else {
      // same reads into the same kind of WebAssembly buffer, then a SIMD sum of every value
      const reader = new Float32Accumulator([0]);
      const sbuf = new Uint8Array(reader.scratch.buffer, reader.scratch.byteOffset, reader.scratch.byteLength);
      let total = 0;
      for (const f of files)
        streamFile(f.path, sbuf, (_k, _o, v) => {
          total += reader.sumScratch(v.length);
        });
      best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e9);
      checksum = total;
    }
  }
  const peak = procKb("VmHWM");
  process.stdout.write(
    `${JSON.stringify({ seconds: best, peakRssMB: peak / 1024, baseRssMB: base / 1024, aggMemMB: (peak - base) / 1024, checksum, ...(simd !== undefined ? { simd } : {}) })}\n`,
  );
}

function python(): string | undefined {
  const py = join(VENV, "bin", "python");
  const ok = () =>
    existsSync(py) &&
    spawnSync(py, ["-c", `import flwr, numpy; assert flwr.__version__ == "${FLWR_VERSION}"`]).status === 0;
  if (ok()) return py;
  try {
    process.stderr.write(`setting up ${VENV} with flwr==${FLWR_VERSION} (once)...\n`);
    mkdirSync(CACHE, { recursive: true });
    if (!existsSync(py)) execFileSync("python3", ["-m", "venv", VENV], { stdio: "inherit" });
    execFileSync(join(VENV, "bin", "pip"), ["install", "-q", `flwr==${FLWR_VERSION}`, "numpy"], { stdio: "inherit" });
  } catch (e) {
    process.stderr.write(`could not set up Flower (${(e as Error).message}); Flower columns skipped\n`);
    return undefined;
  }
  return ok() ? py : undefined;
}

function runJson(cmd: string, args: string[]): Record<string, number | string | boolean | null> {
  const r = spawnSync(cmd, args, { encoding: "utf8", maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed:\n${r.stderr}`);
  const lines = r.stdout.trim().split("\n");
  return JSON.parse(lines[lines.length - 1]!) as Record<string, number | string | boolean | null>;
}

async function main(): Promise<void> {
  if (process.argv[2] === "--worker") {
    await worker(
      process.argv[3] as "ours" | "baseline",
      process.argv[4]!,
      Number(process.argv[5]),
      Number(process.argv[6]),
      process.argv[7],
    );
    return;
  }
  const json = has("--json");
  const log = (s: string) => process.stderr.write(`${s}\n`);
  const repeat = Number(arg("--repeat") ?? 5);
  const cases = (arg("--cases") ?? "10x1M,100x1M,10x10M,100x10M").split(",").map((c) => {
    const [n, p] = c.split("x");
    return { n: Number(n), p: parseSize(p!) };
  });
  const py = has("--no-flower") ? undefined : python();
  const self = fileURLToPath(import.meta.url);
  const results: Record<string, unknown>[] = [];
  if (!json)
    log(
      "case        | ours s   GB/s  aggMem MB | baseline s | flower s  aggMem MB | ours/base ours/flower mem ours/flower | flower-inplace s aggMem MB",
    );
  for (const { n, p } of cases) {
    const maxN = Math.max(...cases.filter((c) => c.p === p).map((c) => c.n));
    ensureData(p, maxN, log);
    const mf = join(DATA, `p${p}`, "manifest.json");
    const outFile = join(DATA, `p${p}`, `ours-result-n${n}.f32`);
    // each repetition in a fresh process: fresh allocations (page faults included) and a clean
    // peak-memory figure; time = best repetition, memory = worst repetition
    type Row = Record<string, number | string | boolean | null | number[]>;
    const best = (runs: Record<string, number | string | boolean | null>[]): Row => ({
      ...runs.reduce((a, b) => ((b.seconds as number) < (a.seconds as number) ? b : a)),
      aggMemMB: Math.max(...runs.map((r) => r.aggMemMB as number)),
      peakRssMB: Math.max(...runs.map((r) => r.peakRssMB as number)),
      runsSeconds: runs.map((r) => r.seconds as number),
    });
    // repetitions interleaved (ours, baseline, Flower, ours, ...) so load changes on a shared
    // machine hit all three alike
    const runs: Record<
      "ours" | "baseline" | "flower" | "flowerInplace",
      Record<string, number | string | boolean | null>[]
    > = { ours: [], baseline: [], flower: [], flowerInplace: [] };
    for (let r = 0; r < repeat; r++) {
      log(`case N=${n} P=${p}: repetition ${r + 1}/${repeat}`);
      runs.ours.push(
        runJson(process.execPath, [
          "--expose-gc",
          "--import",
          "tsx",
          self,
          "--worker",
          "ours",
          mf,
          String(n),
          "1",
          outFile,
        ]),
      );
      runs.baseline.push(
        runJson(process.execPath, ["--expose-gc", "--import", "tsx", self, "--worker", "baseline", mf, String(n), "1"]),
      );
      if (py)
        runs.flower.push(runJson(py, [join(HERE, "flower_aggregate.py"), mf, String(n), "1", outFile, "aggregate"]));
      if (py)
        runs.flowerInplace.push(
          runJson(py, [join(HERE, "flower_aggregate.py"), mf, String(n), "1", outFile, "inplace"]),
        );
    }
    const ours = best(runs.ours),
      baseline = best(runs.baseline);
    const flower: Row | undefined = py ? best(runs.flower) : undefined;
    const flowerInplace: Row | undefined = py ? best(runs.flowerInplace) : undefined;
    const bytes = n * p * 4;
    const os = ours.seconds as number,
      bs = baseline.seconds as number;
    const row = {
      n,
      p,
      inputGB: bytes / 1e9,
      ours: { ...ours, gbps: bytes / 1e9 / os },
      baseline: { ...baseline, gbps: bytes / 1e9 / bs },
      flower: flower ? { ...flower, gbps: bytes / 1e9 / (flower.seconds as number) } : null,
      flowerInplace: flowerInplace ? { ...flowerInplace, gbps: bytes / 1e9 / (flowerInplace.seconds as number) } : null,
      ratios: {
        oursOverBaseline: os / bs,
        oursOverFlower: flower ? os / (flower.seconds as number) : null,
        aggMemOursOverFlower: flower ? (ours.aggMemMB as number) / (flower.aggMemMB as number) : null,
        peakRssOursOverFlower: flower ? (ours.peakRssMB as number) / (flower.peakRssMB as number) : null,
        oursOverFlowerInplace: flowerInplace ? os / (flowerInplace.seconds as number) : null,
        aggMemOursOverFlowerInplace: flowerInplace
          ? (ours.aggMemMB as number) / (flowerInplace.aggMemMB as number)
          : null,
      },
      targets: {
        timeAtMostFlower: flower ? os <= (flower.seconds as number) : null,
        aggMemAtMostFlowerOverN: flower ? (ours.aggMemMB as number) <= (flower.aggMemMB as number) / n : null,
        withinTwiceBaseline: os <= 2 * bs,
      },
    };
    results.push(row);
    const f = (x: unknown, d = 2) => (typeof x === "number" ? x.toFixed(d) : "-");
    log(
      `N=${String(n).padEnd(3)} P=${String(p / 1e6).padEnd(3)}M | ${f(os, 3)}  ${f(row.ours.gbps)}  ${f(ours.aggMemMB, 1)} | ${f(bs, 3)} | ${f(flower?.seconds, 3)}  ${f(flower?.aggMemMB, 1)} | ${f(row.ratios.oursOverBaseline)} ${f(row.ratios.oursOverFlower)} ${f(row.ratios.aggMemOursOverFlower, 4)} | ${f(flowerInplace?.seconds, 3)} ${f(flowerInplace?.aggMemMB, 1)}`,
    );
  }
  const summary = { bench: "fedavg-aggregate", node: process.version, chunkBytes: CHUNK, repeat, cases: results };
  if (json) process.stdout.write(`${JSON.stringify(summary)}\n`);
  else process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
}

await main();
