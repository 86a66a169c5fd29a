/**
 * FedAdam / FedYogi (Reddi et al. 2021, "Adaptive Federated Optimization"), as in Flower:
 * the pseudo-gradient Δ = FedAvg(updates) - global drives a server-side Adam/Yogi step
 *   m = β1·m + (1-β1)·Δ
 *   v = β2·v + (1-β2)·Δ²                  (Adam)
 *   v = v - (1-β2)·Δ²·sign(v - Δ²)         (Yogi)
 *   w = w + η·√(1-β2^t)/(1-β1^t) · m / (√v + τ)
 * Server state: tensors "m/<name>", "v/<name>" and "step" ([1], int32).
 * Streaming (FedAvg accumulator); the step itself is float64 per element, stored as float32.
 */
import type { Weights } from "../types.js";
import { fedAvg } from "./fedavg.js";
import { serverOptimizer, stateTensor } from "./server-optimizer.js";
import type { ServerState, Strategy } from "./strategy.js";

export interface FedOptOptions {
  learningRate?: number;
  beta1?: number;
  beta2?: number;
  tau?: number;
}

/** `inner` (default FedAvg) computes the average the pseudo-gradient is taken against. */
export function fedOpt(kind: "adam" | "yogi", opts: FedOptOptions = {}, inner: Strategy = fedAvg()): Strategy {
  const eta = opts.learningRate ?? (kind === "adam" ? 0.1 : 0.01);
  const b1 = opts.beta1 ?? 0.9,
    b2 = opts.beta2 ?? 0.99;
  const tau = opts.tau ?? (kind === "adam" ? 1e-9 : 1e-3);
  return serverOptimizer(kind === "adam" ? "fedadam" : "fedyogi", inner, (global, avg, state) => {
    const stepT = state?.find((s) => s.name === "step");
    const t = (stepT ? stepT.values[0]! : 0) + 1;
    const scale = (eta * Math.sqrt(1 - b2 ** t)) / (1 - b1 ** t);
    const next: ServerState = [];
    const weights: Weights = global.map((g, k) => {
      const x = g.values,
        a = avg[k]!.values;
      const m = stateTensor(state, `m/${g.name}`, x.length);
      const v = stateTensor(state, `v/${g.name}`, x.length);
      const out = new Float32Array(x.length);
      for (let i = 0; i < x.length; i++) {
        const d = a[i]! - x[i]!;
        const d2 = d * d;
        m[i] = b1 * m[i]! + (1 - b1) * d;
        v[i] = kind === "adam" ? b2 * v[i]! + (1 - b2) * d2 : v[i]! - (1 - b2) * d2 * Math.sign(v[i]! - d2);
        out[i] = x[i]! + (scale * m[i]!) / (Math.sqrt(v[i]!) + tau);
      }
      next.push({ name: `m/${g.name}`, dtype: "float32", shape: [...g.shape], values: m });
      next.push({ name: `v/${g.name}`, dtype: "float32", shape: [...g.shape], values: v });
      return { name: g.name, dtype: g.dtype, shape: [...g.shape], values: out };
    });
    next.push({ name: "step", dtype: "int32", shape: [1], values: Int32Array.of(t) });
    return { weights, state: next };
  });
}
