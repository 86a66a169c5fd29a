/**
 * Flower-like strategy abstraction, shaped for streaming: a round begins from the current global
 * weights (plus the server state carried between rounds, for server-side optimizers), takes the
 * already-validated updates one at a time in a fixed order, and finishes with the new global weights.
 * All arithmetic is plain typed-array code with a fixed operation order, so results are
 * bit-identical on every machine and backend.
 */
import type { ClientUpdate, Weights } from "../types.js";

/**
 * Server state carried between rounds (momentum/Adam moments...), as named tensors so it can be
 * encoded with the codec and published next to the round's weights. Empty for stateless strategies.
 */
export type ServerState = Weights;

export interface AggregateResult {
  weights: Weights;
  state: ServerState;
  /** Indices (in add order) of valid updates the strategy left out (Krum), with the reason code. */
  excluded: { index: number; reason: "NOT_SELECTED" }[];
}

export interface RoundAggregator {
  add(update: ClientUpdate): void;
  finish(): AggregateResult;
}

export interface Strategy {
  readonly name: string;
  /** true if memory stays O(model size) however many updates are added. */
  readonly streaming: boolean;
  /**
   * true if the strategy carries server state between rounds (FedAdam/FedYogi moments, DiLoCo's
   * momentum): round r > 1 then needs the state after round r - 1, which the aggregator publishes
   * beside the model, or the round cannot be recomputed.
   */
  readonly stateful: boolean;
  begin(global: Weights, state?: ServerState): RoundAggregator;
}

export class AggregationError extends Error {
  override name = "AggregationError";
}

export function requireFloat32(w: Weights): void {
  for (const t of w)
    if (!(t.values instanceof Float32Array))
      throw new AggregationError(`tensor ${t.name}: only float32 tensors can be aggregated`);
}

/** Collects updates for the strategies that need all of them at once (median, trimmed mean, Krum). */
export function collect(global: Weights, finish: (updates: ClientUpdate[]) => AggregateResult): RoundAggregator {
  requireFloat32(global);
  const updates: ClientUpdate[] = [];
  return {
    add: (u) => {
      updates.push(u);
    },
    finish: () => {
      if (updates.length === 0) throw new AggregationError("no updates to aggregate");
      return finish(updates);
    },
  };
}

/**
 * A stateless strategy that sets each coordinate from the K updates' values at it, sorted ascending
 * in float64 (the coordinate-wise median and trimmed mean). Unweighted.
 */
export function sortedCoordinates(name: string, pick: (sorted: Float64Array) => number): Strategy {
  return {
    name,
    streaming: false,
    stateful: false,
    begin: (global) =>
      collect(global, (updates) => {
        const buf = new Float64Array(updates.length);
        const weights: Weights = global.map((t, k) => {
          const out = new Float32Array(t.values.length);
          for (let i = 0; i < out.length; i++) {
            for (let j = 0; j < buf.length; j++) buf[j] = updates[j]!.weights[k]!.values[i]!;
            buf.sort();
            out[i] = pick(buf);
          }
          return { name: t.name, dtype: t.dtype, shape: [...t.shape], values: out };
        });
        return { weights, state: [], excluded: [] };
      }),
  };
}
