/**
 * Coordinate-wise trimmed mean (Yin et al. 2018): per coordinate, drop the floor(β·K) smallest and
 * largest values and average the rest (ascending order, float64 sum). Unweighted.
 */
import type { Weights } from "../types.js";
import { AggregationError, collect, type Strategy } from "./strategy.js";

export function trimmedMean(trimFraction: number): Strategy {
  if (!(trimFraction >= 0 && trimFraction < 0.5)) throw new AggregationError("trimFraction must be in [0, 0.5)");
  return {
    name: "trimmed-mean",
    streaming: false,
    stateful: false,
    begin: (global) =>
      collect(global, (updates) => {
        const K = updates.length;
        const cut = Math.floor(trimFraction * K);
        const keep = K - 2 * cut;
        const buf = new Float64Array(K);
        const weights: Weights = global.map((t, k) => {
          const out = new Float32Array(t.values.length);
          for (let i = 0; i < out.length; i++) {
            for (let j = 0; j < K; j++) buf[j] = updates[j]!.weights[k]!.values[i]!;
            buf.sort();
            let s = 0;
            for (let j = cut; j < K - cut; j++) s += buf[j]!;
            out[i] = s / keep;
          }
          return { name: t.name, dtype: t.dtype, shape: [...t.shape], values: out };
        });
        return { weights, state: [], excluded: [] };
      }),
  };
}
