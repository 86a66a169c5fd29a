/**
 * Data files checked against a plan's data schema, from their text: what `fedstr train --data` and
 * the web app's participant panel both read (no file system here, so it runs in a browser too).
 * Samples are stored flat: x has length × prod(featureShape) floats, y has length × prod(labelShape).
 * Errors name the file, the line and the field.
 */
import type { TrainingPlan } from "./plan.js";
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

/** A data file that does not fit the plan's schema: the file, its line (1-based) and the field (column or key) at fault. */
export class DataError extends Error {
  override name = "DataError";
  constructor(
    readonly file: string,
    readonly line: number,
    message: string,
    readonly field?: string,
  ) {
    super(`${file}:${line}: ${message}`);
  }
}

function makeY(dtype: "float32" | "int32", n: number): Float32Array | Int32Array {
  return dtype === "int32" ? new Int32Array(n) : new Float32Array(n);
}

/** A class label must name one of the plan's classes (when the plan one-hot encodes `numClasses`). */
function checkClass(file: string, line: number, field: string, v: number, numClasses: number | undefined): void {
  if (numClasses !== undefined && (!Number.isInteger(v) || v < 0 || v >= numClasses))
    throw new DataError(
      file,
      line,
      `${field}: label ${v} is not one of the plan's classes 0..${numClasses - 1}`,
      field,
    );
}

function putLabel(
  file: string,
  line: number,
  field: string,
  dtype: "float32" | "int32",
  y: Float32Array | Int32Array,
  at: number,
  v: number,
  numClasses?: number,
): void {
  if (!Number.isFinite(v)) throw new DataError(file, line, `${field}: label value ${v} is not a finite number`, field);
  if (dtype === "int32" && !Number.isInteger(v))
    throw new DataError(file, line, `${field}: label value ${v} is not an integer (labels dtype int32)`, field);
  checkClass(file, line, field, v, numClasses);
  y[at] = v;
}

export interface ParseOptions {
  /** Name of the file in errors. */
  file?: string;
  /** Labels are class indices below this (the plan's one-hot numClasses). */
  numClasses?: number;
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
export function parseCsv(text: string, schema: DataSchema, opts: CsvOptions & ParseOptions = {}): Dataset {
  const file = opts.file ?? "data.csv";
  const lines = text.split(/\r?\n/);
  const F = shapeSize(schema.features.shape),
    L = Math.max(1, shapeSize(schema.labels.shape));
  const delim = opts.delimiter ?? ",";
  const rows: number[] = [];
  lines.forEach((l, i) => {
    if (l.trim() !== "") rows.push(i);
  });
  let start = 0;
  if (
    rows.length &&
    (opts.header ?? lines[rows[0]!]!.split(delim).every((c) => c.trim() === "" || !Number.isFinite(Number(c))))
  )
    start = 1;
  const n = rows.length - start;
  const x = new Float32Array(n * F);
  const y = makeY(schema.labels.dtype, n * L);
  for (let r = 0; r < n; r++) {
    const ln = rows[r + start]!;
    const cells = lines[ln]!.split(delim);
    if (cells.length !== F + L)
      throw new DataError(file, ln + 1, `expected ${F + L} columns (${F} features + ${L} labels), got ${cells.length}`);
    for (let c = 0; c < F + L; c++) {
      const s = cells[c]!.trim();
      const v = s === "" ? NaN : Number(s);
      if (!Number.isFinite(v))
        throw new DataError(file, ln + 1, `column ${c + 1}: "${s}" is not a finite number`, `column ${c + 1}`);
      if (c < F) x[r * F + c] = v;
      else putLabel(file, ln + 1, `column ${c + 1}`, schema.labels.dtype, y, r * L + c - F, v, opts.numClasses);
    }
  }
  return { x, y, featureShape: [...schema.features.shape], labelShape: [...schema.labels.shape], length: n };
}

function flattenChecked(
  v: unknown,
  shape: readonly number[],
  file: string,
  line: number,
  what: string,
  out: number[],
): void {
  if (shape.length === 0) {
    if (typeof v !== "number")
      throw new DataError(file, line, `${what}: expected a number, got ${JSON.stringify(v)?.slice(0, 40)}`, what);
    out.push(v);
    return;
  }
  if (!Array.isArray(v)) throw new DataError(file, line, `${what}: expected an array of length ${shape[0]}`, what);
  // a flat array of prod(shape) numbers is accepted as well as the nested form
  if (shape.length > 1 && v.length === shapeSize(shape) && v.every((e) => typeof e === "number")) {
    for (const e of v) out.push(e as number);
    return;
  }
  if (v.length !== shape[0])
    throw new DataError(
      file,
      line,
      `${what}: shape mismatch, expected [${shape}] (got length ${v.length} at this level)`,
      what,
    );
  for (const e of v) flattenChecked(e, shape.slice(1), file, line, what, out);
}

export interface JsonlOptions {
  featureKey?: string;
  labelKey?: string;
}

/** JSON lines: one object per line, {"x": features (nested or flat), "y": label (number or array)}. */
export function parseJsonl(text: string, schema: DataSchema, opts: JsonlOptions & ParseOptions = {}): Dataset {
  const file = opts.file ?? "data.jsonl";
  const fk = opts.featureKey ?? "x",
    lk = opts.labelKey ?? "y";
  const lines = text.split(/\r?\n/);
  const F = shapeSize(schema.features.shape),
    L = Math.max(1, shapeSize(schema.labels.shape));
  const xs: number[] = [],
    ys: number[] = [];
  let n = 0;
  lines.forEach((l, i) => {
    if (l.trim() === "") return;
    let o: unknown;
    try {
      o = JSON.parse(l);
    } catch (e) {
      throw new DataError(file, i + 1, `malformed JSON (${(e as Error).message})`);
    }
    if (!o || typeof o !== "object" || !(fk in o) || !(lk in o))
      throw new DataError(file, i + 1, `expected an object with "${fk}" and "${lk}"`);
    const rec = o as Record<string, unknown>;
    const fx: number[] = [],
      fy: number[] = [];
    flattenChecked(rec[fk], schema.features.shape, file, i + 1, fk, fx);
    const ls = schema.labels.shape.length === 0 && Array.isArray(rec[lk]) ? [1] : schema.labels.shape;
    flattenChecked(rec[lk], ls, file, i + 1, lk, fy);
    for (const v of fx)
      if (!Number.isFinite(v)) throw new DataError(file, i + 1, `${fk}: ${v} is not a finite number`, fk);
    for (const v of fy) {
      if (!Number.isFinite(v)) throw new DataError(file, i + 1, `${lk}: ${v} is not a finite number`, lk);
      if (schema.labels.dtype === "int32" && !Number.isInteger(v))
        throw new DataError(file, i + 1, `${lk}: ${v} is not an integer (labels dtype int32)`, lk);
      checkClass(file, i + 1, lk, v, opts.numClasses);
    }
    xs.push(...fx);
    ys.push(...fy);
    n++;
  });
  const x = Float32Array.from(xs);
  const y = schema.labels.dtype === "int32" ? Int32Array.from(ys) : Float32Array.from(ys);
  if (x.length !== n * F || y.length !== n * L) throw new DataError(file, 0, "internal size mismatch");
  return { x, y, featureShape: [...schema.features.shape], labelShape: [...schema.labels.shape], length: n };
}

/** A data file whose sample count the plan does not accept. */
export class DatasetSizeError extends Error {
  override name = "DatasetSizeError";
}

/** "csv" or "jsonl" from a file name (.csv; .jsonl, .ndjson, .json), or undefined. */
export function dataFormatOf(name: string): "csv" | "jsonl" | undefined {
  const ext = name.toLowerCase().match(/\.[^.]+$/)?.[0];
  return ext === ".csv" ? "csv" : ext === ".jsonl" || ext === ".ndjson" || ext === ".json" ? "jsonl" : undefined;
}

/**
 * A participant's data file (named `name`, CSV or JSON lines by its extension) as the plan's
 * dataset: every row checked against the plan's data schema (DataError naming the line and field,
 * with the schema), and the sample count against the plan's validation bounds (DatasetSizeError).
 */
export function datasetForPlan(name: string, text: string, plan: Pick<TrainingPlan, "data" | "validation">): Dataset {
  const format = dataFormatOf(name);
  if (!format) throw new DataError(name, 0, "the data file must be .csv or .jsonl");
  let ds: Dataset;
  try {
    const opts = {
      file: name,
      ...(plan.data.preprocessing?.oneHot ? { numClasses: plan.data.preprocessing.oneHot.numClasses } : {}),
    };
    ds = format === "csv" ? parseCsv(text, plan.data, opts) : parseJsonl(text, plan.data, opts);
  } catch (e) {
    if (e instanceof DataError)
      throw new DataError(
        e.file,
        e.line,
        `${e.message.slice(`${e.file}:${e.line}: `.length)} (the plan's data schema: features [${plan.data.features.shape}] ${plan.data.features.dtype}, labels [${plan.data.labels.shape}] ${plan.data.labels.dtype})`,
        e.field,
      );
    throw e;
  }
  if (ds.length === 0) throw new DatasetSizeError(`data ${name} holds no samples`);
  const { minSamples, maxSamples } = plan.validation;
  if (ds.length < minSamples || ds.length > maxSamples)
    throw new DatasetSizeError(
      `data ${name} has ${ds.length} samples; the plan accepts updates from ${minSamples} to ${maxSamples} samples`,
    );
  return ds;
}
