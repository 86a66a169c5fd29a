/**
 * Whether one aggregator process can run a plan's strategy over a round of `maxUpdates` updates.
 * FedAvg (and the server optimizers over it) stream: O(model) memory, O(N·d) time, no bound. The
 * strategies that need every update at once hold N decoded updates (median, trimmed mean, Krum),
 * and Krum also computes all N(N−1)/2 pairwise distances, O(N²·d) time. `fedstr pool create`
 * refuses a pool over a bound before anything touches the chain, and `fedstr-aggregator` refuses
 * to serve one when it loads the pool (before round 1, while the organization can still cancel).
 */
import { type AggregationConfig, inspectTopology, type TrainingPlan } from "../plan.js";
import { createStrategy } from "./index.js";

/** Memory for the updates of a non-streaming strategy: N × parameters × 4 bytes (float32). */
export const HELD_UPDATES_BYTES = 256 * 2 ** 20;
/**
 * Krum's pairwise work, N(N−1)/2 × parameters: at 1.2–2.1 ns per term (the SIMD kernel on this
 * project's idle 2-core machine, docs/scale.md) 2–4 s of a round's overhead, ~10× that under
 * heavy load — still inside a round's grace. The digits MLP (50,890 parameters) reaches it at N ≈ 280.
 */
export const KRUM_PAIRWISE_TERMS = 2e9;

export type AggregationBudget = { ok: true } | { ok: false; detail: string; maxUpdates: number };

const usesKrum = (a: AggregationConfig) => a.strategy === "krum" || ("inner" in a && a.inner?.strategy === "krum");

/** The check for a plan and the most updates a round can have (the pool's participant cap, or the plan's maxUpdates if lower). */
export function aggregationBudget(
  plan: Pick<TrainingPlan, "model" | "aggregation">,
  maxParticipants: number,
): AggregationBudget {
  const a = plan.aggregation;
  const n = Math.min(maxParticipants, a.maxUpdates ?? Number.POSITIVE_INFINITY);
  const d = inspectTopology(plan.model.topology).parameters;
  if (createStrategy(a).streaming) return { ok: true };
  const byMemory = Math.floor(HELD_UPDATES_BYTES / (4 * d));
  const byPairs = usesKrum(a)
    ? Math.floor((1 + Math.sqrt(1 + (8 * KRUM_PAIRWISE_TERMS) / d)) / 2)
    : Number.POSITIVE_INFINITY;
  const max = Math.min(byMemory, byPairs);
  if (n <= max) return { ok: true };
  const why =
    byPairs <= byMemory
      ? `Krum computes all ${((n * (n - 1)) / 2).toLocaleString("en")} pairwise distances of ${d.toLocaleString("en")} parameters per round (budget ${KRUM_PAIRWISE_TERMS.toExponential(0)} terms)`
      : `${a.strategy} holds every update of the round in memory, ${Math.round((n * d * 4) / 2 ** 20)} MiB for ${n} updates of ${d.toLocaleString("en")} parameters (budget ${HELD_UPDATES_BYTES / 2 ** 20} MiB)`;
  return {
    ok: false,
    maxUpdates: max,
    detail: `${why}: at most ${max} updates per round for this model — lower the participant cap or set aggregation.maxUpdates ≤ ${max}, or use a streaming strategy (fedavg, fedadam, fedyogi, diloco over fedavg)`,
  };
}
