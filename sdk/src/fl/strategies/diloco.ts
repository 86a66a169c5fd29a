/**
 * DiLoCo's outer step (Douillard et al. 2023): the outer gradient g = global - FedAvg(updates)
 * goes through SGD with Nesterov momentum (PyTorch semantics):
 *   b = μ·b + g;  w = w - η·(g + μ·b)   (nesterov)   or   w = w - η·b   (plain momentum)
 * Defaults from the paper: η = 0.7, μ = 0.9, Nesterov. Server state: "momentum/<name>".
 */
import type { Weights } from "../types.js";
import { fedAvg } from "./fedavg.js";
import { serverOptimizer, stateTensor } from "./server-optimizer.js";
import type { ServerState, Strategy } from "./strategy.js";

export interface DiLoCoOptions {
  learningRate?: number;
  momentum?: number;
  nesterov?: boolean;
}

/**
 * `inner` (default FedAvg) computes the average the outer gradient is taken against; a robust inner
 * aggregator (trimmed mean, median, Krum) plus outer momentum is the "robust aggregation with
 * momentum" recipe of Karimireddy et al. 2021 for heterogeneous data.
 */
export function diloco(opts: DiLoCoOptions = {}, inner: Strategy = fedAvg()): Strategy {
  const eta = opts.learningRate ?? 0.7,
    mu = opts.momentum ?? 0.9,
    nesterov = opts.nesterov ?? true;
  return serverOptimizer("diloco", inner, (global, avg, state) => {
    const next: ServerState = [];
    const weights: Weights = global.map((gT, k) => {
      const x = gT.values,
        a = avg[k]!.values;
      const b = stateTensor(state, `momentum/${gT.name}`, x.length);
      const out = new Float32Array(x.length);
      for (let i = 0; i < x.length; i++) {
        const g = x[i]! - a[i]!;
        b[i] = mu * b[i]! + g;
        out[i] = x[i]! - eta * (nesterov ? g + mu * b[i]! : b[i]!);
      }
      next.push({ name: `momentum/${gT.name}`, dtype: "float32", shape: [...gT.shape], values: b });
      return { name: gT.name, dtype: gT.dtype, shape: [...gT.shape], values: out };
    });
    return { weights, state: next };
  });
}
