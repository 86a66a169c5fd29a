/**
 * Update validation before aggregation. Every rejection carries a reason code (stable strings,
 * suitable for on-chain/event reporting) and a human-readable detail.
 */
import type { ClientUpdate, Weights } from "./types.js";

export type RejectReason =
  | "DECODE_ERROR" // bytes are not a canonical weights encoding
  | "HASH_MISMATCH" // bytes do not hash to the committed sha256
  | "TENSOR_COUNT" // different number of tensors than the global model
  | "NAME_MISMATCH" // tensor name (or order) differs from the global model
  | "DTYPE_MISMATCH"
  | "SHAPE_MISMATCH"
  | "NON_FINITE" // NaN or ±Infinity in the values
  | "NORM_BOUND" // L2 norm of (update - global) above the plan's maxDeltaNorm
  | "SAMPLES_OUT_OF_RANGE" // numSamples not an integer within [minSamples, maxSamples]
  | "DUPLICATE" // a second update from the same id, or bytes identical to an earlier one
  | "NOT_SELECTED"; // valid, but left out by a robust strategy (Krum / Multi-Krum)

export interface ValidationBounds {
  maxDeltaNorm: number;
  minSamples: number;
  maxSamples: number;
}

export type Verdict = { ok: true; deltaNorm: number } | { ok: false; reason: RejectReason; detail: string };

/** Check one update against the global weights and the plan's bounds (plan.validation). */
export function validateUpdate(global: Weights, update: ClientUpdate, bounds: ValidationBounds): Verdict {
  const n = update.numSamples;
  if (!Number.isInteger(n) || n < bounds.minSamples || n > bounds.maxSamples) {
    return {
      ok: false,
      reason: "SAMPLES_OUT_OF_RANGE",
      detail: `numSamples ${n} outside [${bounds.minSamples}, ${bounds.maxSamples}]`,
    };
  }
  const w = update.weights;
  if (w.length !== global.length)
    return { ok: false, reason: "TENSOR_COUNT", detail: `${w.length} tensors, expected ${global.length}` };
  for (let k = 0; k < global.length; k++) {
    const g = global[k]!,
      u = w[k]!;
    if (u.name !== g.name)
      return { ok: false, reason: "NAME_MISMATCH", detail: `tensor ${k} is ${u.name}, expected ${g.name}` };
    if (u.dtype !== g.dtype || !(u.values instanceof Float32Array) !== !(g.values instanceof Float32Array)) {
      return { ok: false, reason: "DTYPE_MISMATCH", detail: `${g.name}: ${u.dtype}, expected ${g.dtype}` };
    }
    if (
      u.shape.length !== g.shape.length ||
      u.shape.some((d, i) => d !== g.shape[i]) ||
      u.values.length !== g.values.length
    ) {
      return { ok: false, reason: "SHAPE_MISMATCH", detail: `${g.name}: [${u.shape}], expected [${g.shape}]` };
    }
  }
  let sq = 0;
  for (let k = 0; k < global.length; k++) {
    const x = w[k]!.values,
      y = global[k]!.values;
    let s = 0;
    for (let i = 0; i < x.length; i++) {
      const d = x[i]! - y[i]!;
      s += d * d;
    }
    if (!Number.isFinite(s)) {
      for (let i = 0; i < x.length; i++) {
        if (!Number.isFinite(x[i]!))
          return { ok: false, reason: "NON_FINITE", detail: `${global[k]!.name}[${i}] = ${x[i]}` };
      }
    }
    sq += s;
  }
  const norm = Math.sqrt(sq);
  if (!Number.isFinite(norm) || norm > bounds.maxDeltaNorm) {
    return { ok: false, reason: "NORM_BOUND", detail: `delta L2 norm ${norm.toPrecision(6)} > ${bounds.maxDeltaNorm}` };
  }
  return { ok: true, deltaNorm: norm };
}
