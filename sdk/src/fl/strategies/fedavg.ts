/**
 * FedAvg (McMahan et al. 2017), weighted by sample count, streaming: memory is one float32
 * accumulator the size of the model, independent of the number of updates.
 *
 * Arithmetic (fixed order, deterministic): acc = fround(acc + n_k * x_k) for k in add order
 * (the product and sum are exact-then-rounded double operations), then fround(acc / sum n_k).
 * float32 accumulation matches Flower/numpy precision and halves memory against float64.
 */
import type { ClientUpdate, Weights } from "../types.js";
import { AggregationError, type AggregateResult, type RoundAggregator, type Strategy, requireFloat32 } from "./strategy.js";

export class FedAvgAccumulator {
  readonly acc: Float32Array[];
  private total = 0;
  count = 0;

  constructor(private readonly like: Weights) {
    requireFloat32(like);
    this.acc = like.map((t) => new Float32Array(t.values.length));
  }

  /** Add a whole update (already validated: same names/shapes as `like`). */
  add(u: ClientUpdate): void {
    u.weights.forEach((t, k) => this.addSlice(k, 0, t.values as Float32Array, u.numSamples));
    this.commit(u.numSamples);
  }

  /** Streaming form: add `values` (a slice of tensor k starting at `offset`) with weight `n`. */
  addSlice(k: number, offset: number, values: Float32Array, n: number): void {
    const a = this.acc[k]!;
    if (offset + values.length > a.length) throw new AggregationError(`slice out of range for tensor ${k}`);
    for (let i = 0, j = offset; i < values.length; i++, j++) a[j] = a[j]! + n * values[i]!;
  }

  /** Call once per update after all its slices were added. */
  commit(n: number): void {
    this.total += n;
    this.count++;
  }

  get totalSamples(): number { return this.total; }

  /** The weighted mean, computed in place (the accumulator becomes the result). */
  result(): Weights {
    if (this.count === 0 || this.total <= 0) throw new AggregationError("no updates to aggregate");
    const tot = this.total;
    return this.like.map((t, k) => {
      const a = this.acc[k]!;
      for (let i = 0; i < a.length; i++) a[i] = a[i]! / tot;
      return { name: t.name, dtype: t.dtype, shape: [...t.shape], values: a };
    });
  }
}

export function fedAvg(): Strategy {
  return {
    name: "fedavg",
    streaming: true,
    begin(global: Weights): RoundAggregator {
      const acc = new FedAvgAccumulator(global);
      return {
        add: (u) => acc.add(u),
        finish: (): AggregateResult => ({ weights: acc.result(), state: [], excluded: [] }),
      };
    },
  };
}

/** One-shot helper: weighted mean of `updates` (same rules as the streaming form). */
export function weightedMean(updates: ClientUpdate[]): Weights {
  if (updates.length === 0) throw new AggregationError("no updates to aggregate");
  const acc = new FedAvgAccumulator(updates[0]!.weights);
  for (const u of updates) acc.add(u);
  return acc.result();
}
