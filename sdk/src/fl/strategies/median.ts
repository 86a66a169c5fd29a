/** Coordinate-wise median (Yin et al. 2018): robust to a minority of arbitrary updates. Unweighted. */
import type { Weights } from "../types.js";
import { collect, type Strategy } from "./strategy.js";

export function coordinateMedian(): Strategy {
  return {
    name: "median",
    streaming: false,
    stateful: false,
    begin: (global) =>
      collect(global, (updates) => {
        const K = updates.length;
        const buf = new Float64Array(K);
        const weights: Weights = global.map((t, k) => {
          const out = new Float32Array(t.values.length);
          for (let i = 0; i < out.length; i++) {
            for (let j = 0; j < K; j++) buf[j] = updates[j]!.weights[k]!.values[i]!;
            buf.sort();
            out[i] = K % 2 === 1 ? buf[(K - 1) / 2]! : (buf[K / 2 - 1]! + buf[K / 2]!) / 2;
          }
          return { name: t.name, dtype: t.dtype, shape: [...t.shape], values: out };
        });
        return { weights, state: [], excluded: [] };
      }),
  };
}
