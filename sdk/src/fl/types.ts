/** Shared value types of the federated-learning core. */

export type DType = "float32" | "int32";

/** One named tensor: values in row-major order, `values.length` = product of `shape`. */
export interface NamedTensor {
  name: string;
  dtype: DType;
  shape: number[];
  values: Float32Array | Int32Array;
}

/** A model's weights: an ordered list of named tensors (order is part of the model). */
export type Weights = NamedTensor[];

/** What a participant sends for one round: its locally trained weights and how many samples it used. */
export interface ClientUpdate {
  /** Stable identifier of the sender (participant pubkey, index...), used in reports only. */
  id?: string;
  weights: Weights;
  numSamples: number;
}

export function numParameters(w: Weights): number {
  let n = 0;
  for (const t of w) n += t.values.length;
  return n;
}

export function shapeSize(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Deep copy (fresh typed arrays). */
export function cloneWeights(w: Weights): Weights {
  return w.map((t) => ({ name: t.name, dtype: t.dtype, shape: [...t.shape], values: t.values.slice() }));
}

/** Same names, dtypes and shapes as `like`, all zeros, float32. */
export function zerosLike(like: Weights): Weights {
  return like.map((t) => ({
    name: t.name,
    dtype: t.dtype,
    shape: [...t.shape],
    values: new Float32Array(t.values.length),
  }));
}

/** Euclidean norm of a - b over all tensors (float64 accumulation, fixed order). */
export function deltaNorm(a: Weights, b: Weights): number {
  let s = 0;
  for (let k = 0; k < a.length; k++) {
    const x = a[k]!.values,
      y = b[k]!.values;
    for (let i = 0; i < x.length; i++) {
      const d = x[i]! - y[i]!;
      s += d * d;
    }
  }
  return Math.sqrt(s);
}
