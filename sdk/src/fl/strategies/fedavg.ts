/**
 * FedAvg (McMahan et al. 2017), weighted by sample count, streaming: memory is one float32
 * accumulator the size of the model, independent of the number of updates.
 *
 * Arithmetic (fixed order, deterministic): IEEE float32 operations, exactly those of Flower's
 * `aggregate` with numpy: w_k = f32(n_k · x_k); acc = w_1, then acc = f32(acc + w_k) in add order;
 * result = f32(acc / Σn). (JS computes each product/sum in double and rounds once to float32, which
 * is the correctly rounded float32 result.) So the output is bit-identical to Flower's for sample
 * counts below 2^24, and float32 accumulation halves the memory of a float64 accumulator.
 */
import type { ClientUpdate, Weights } from "../types.js";
import { Float32Accumulator, loadKernel } from "./kernel.js";
import {
  type AggregateResult,
  AggregationError,
  type RoundAggregator,
  requireFloat32,
  type Strategy,
} from "./strategy.js";

export class FedAvgAccumulator {
  private readonly mem: Float32Accumulator;
  private total = 0;
  count = 0;

  /**
   * Uses the WebAssembly SIMD kernel if it is already compiled (`loadKernel()`, or an earlier
   * `create`), else the bit-identical JS loop; `{ simd: false }` forces the JS loop.
   */
  constructor(
    private readonly like: Weights,
    opts: { simd?: boolean } = {},
  ) {
    requireFloat32(like);
    this.mem = new Float32Accumulator(
      like.map((t) => t.values.length),
      opts.simd ?? true,
    );
  }

  /** Compile the SIMD kernel first if need be (once per process), then construct. */
  static async create(like: Weights, opts: { simd?: boolean } = {}): Promise<FedAvgAccumulator> {
    if (opts.simd ?? true) await loadKernel();
    return new FedAvgAccumulator(like, opts);
  }

  /** The accumulators, one per tensor (the result after `result()`). */
  get acc(): Float32Array[] {
    return this.mem.tensors;
  }

  /**
   * A 1 MiB buffer streaming readers may fill (e.g. straight from a file) and pass to addSlice
   * as `scratch.subarray(0, n)`, which saves a copy.
   */
  get scratch(): Float32Array {
    return this.mem.scratch;
  }

  /** true when the WebAssembly SIMD kernel is in use (else the bit-identical JS loop). */
  get simd(): boolean {
    return this.mem.simd;
  }

  /** Add a whole update (already validated: same names/shapes as `like`). */
  add(u: ClientUpdate): void {
    u.weights.forEach((t, k) => {
      this.addSlice(k, 0, t.values as Float32Array, u.numSamples);
    });
    this.commit(u.numSamples);
  }

  /** Streaming form: add `values` (a slice of tensor k starting at `offset`) with weight `n`. */
  addSlice(k: number, offset: number, values: Float32Array, n: number): void {
    const a = this.mem.tensors[k];
    if (!a || offset < 0 || offset + values.length > a.length)
      throw new AggregationError(`slice out of range for tensor ${k}`);
    this.mem.apply(k, offset, values, n, this.count === 0);
  }

  /** Call once per update after all its slices were added. */
  commit(n: number): void {
    this.total += n;
    this.count++;
  }

  get totalSamples(): number {
    return this.total;
  }

  /** The weighted mean, computed in place (the accumulator becomes the result). */
  result(): Weights {
    if (this.count === 0 || this.total <= 0) throw new AggregationError("no updates to aggregate");
    const tot = this.total;
    return this.like.map((t, k) => {
      this.mem.divide(k, tot);
      return { name: t.name, dtype: t.dtype, shape: [...t.shape], values: this.mem.tensors[k]! };
    });
  }
}

export function fedAvg(): Strategy {
  return {
    name: "fedavg",
    streaming: true,
    stateful: false,
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
