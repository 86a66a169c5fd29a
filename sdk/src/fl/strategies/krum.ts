/**
 * Krum / Multi-Krum (Blanchard et al. 2017), as in Flower's aggregate_krum: each update's score is
 * the sum of squared distances to its K - f - 2 nearest other updates; Krum keeps the lowest score,
 * Multi-Krum the `multi` lowest and averages them weighted by sample count (FedAvg rules). Ties go
 * to the earlier update. Left-out updates are reported as NOT_SELECTED.
 */
import type { ClientUpdate } from "../types.js";
import { weightedMean } from "./fedavg.js";
import { AggregationError, collect, type Strategy } from "./strategy.js";

export function krumScores(updates: ClientUpdate[], byzantine: number): Float64Array {
  const K = updates.length;
  const d = new Float64Array(K * K);
  for (let a = 0; a < K; a++) {
    for (let b = a + 1; b < K; b++) {
      let s = 0;
      const wa = updates[a]!.weights,
        wb = updates[b]!.weights;
      for (let k = 0; k < wa.length; k++) {
        const x = wa[k]!.values,
          y = wb[k]!.values;
        for (let i = 0; i < x.length; i++) {
          const t = x[i]! - y[i]!;
          s += t * t;
        }
      }
      d[a * K + b] = s;
      d[b * K + a] = s;
    }
  }
  const closest = Math.max(1, K - byzantine - 2);
  const scores = new Float64Array(K);
  const row = new Float64Array(K - 1);
  for (let a = 0; a < K; a++) {
    let j = 0;
    for (let b = 0; b < K; b++) if (b !== a) row[j++] = d[a * K + b]!;
    row.sort();
    let s = 0;
    for (let m = 0; m < Math.min(closest, K - 1); m++) s += row[m]!;
    scores[a] = s;
  }
  return scores;
}

export function krum(byzantine: number, multi = 1): Strategy {
  if (!Number.isInteger(byzantine) || byzantine < 0)
    throw new AggregationError("byzantine must be a non-negative integer");
  if (!Number.isInteger(multi) || multi < 1) throw new AggregationError("multi must be a positive integer");
  return {
    name: multi > 1 ? "multi-krum" : "krum",
    streaming: false,
    stateful: false,
    begin: (global) =>
      collect(global, (updates) => {
        const K = updates.length;
        const scores = krumScores(updates, byzantine);
        const order = [...Array(K).keys()].sort((a, b) => scores[a]! - scores[b]! || a - b);
        const chosen = new Set(order.slice(0, Math.min(multi, K)));
        const kept = updates.filter((_, i) => chosen.has(i));
        const excluded = [...Array(K).keys()]
          .filter((i) => !chosen.has(i))
          .map((index) => ({ index, reason: "NOT_SELECTED" as const }));
        return { weights: weightedMean(kept), state: [], excluded };
      }),
  };
}
