/**
 * Server optimizers (FedAdam/FedYogi, DiLoCo's outer step) share one shape: an inner strategy
 * (FedAvg by default, or a robust one) averages the round's updates, then a server step moves the
 * global weights from that average and carries its own state (momenta) to the next round.
 */
import type { Weights } from "../types.js";
import { AggregationError, type ServerState, type Strategy } from "./strategy.js";

export type ServerStep = (
  global: Weights,
  average: Weights,
  state: ServerState | undefined,
) => { weights: Weights; state: ServerState };

/** `name` alone over FedAvg, `name(inner)` over another inner strategy. */
export function serverOptimizer(name: string, inner: Strategy, step: ServerStep): Strategy {
  return {
    name: inner.name === "fedavg" ? name : `${name}(${inner.name})`,
    streaming: inner.streaming,
    stateful: true,
    begin(global: Weights, state?: ServerState) {
      const agg = inner.begin(global);
      return {
        add: (u) => agg.add(u),
        finish: () => {
          const averaged = agg.finish();
          return { ...step(global, averaged.weights, state), excluded: averaged.excluded };
        },
      };
    },
  };
}

/** A copy of the state tensor `name` (zeros on the first round); refuses one that does not fit the model. */
export function stateTensor(state: ServerState | undefined, name: string, len: number): Float32Array {
  const t = state?.find((s) => s.name === name);
  if (!t) return new Float32Array(len);
  if (!(t.values instanceof Float32Array) || t.values.length !== len)
    throw new AggregationError(`server state ${name} does not match the model`);
  return t.values.slice();
}
