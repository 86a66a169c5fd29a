/**
 * In-process federated simulation: N participants with local shards, the plan's strategy on the
 * server side, per-round evaluation on a holdout set. Used by tests and scripts/simulate.ts; the
 * real client/aggregator do the same steps over the network.
 */
import { loadTf, type Tf } from "./backend.js";
import { toHex } from "./codec.js";
import type { Dataset } from "./data-parse.js";
import type { AggregationConfig, TrainingPlan } from "./plan.js";
import { type RoundResult, runRound } from "./round.js";
import type { ServerState } from "./strategies/strategy.js";
import { evaluate, type Metrics, trainLocal } from "./trainer.js";
import type { ClientUpdate, Weights } from "./types.js";

export interface SimulationOptions {
  plan: TrainingPlan;
  initial: Weights;
  shards: Dataset[];
  test: Dataset;
  rounds: number;
  seed: number;
  /** Override plan.aggregation. */
  aggregation?: AggregationConfig;
  /** Participants (indices) whose update is replaced by global - scale·(local - global). */
  poisoned?: { participants: number[]; scale: number };
  tf?: Tf;
  onRound?: (r: SimulationRound) => void;
  onProgress?: (msg: { round: number; participant: number; epoch: number; epochs: number }) => void;
}

export interface SimulationRound extends Metrics {
  round: number;
  accepted: number;
  rejected: number;
  hash: string;
  durationMs: number;
}

export interface SimulationResult {
  rounds: SimulationRound[];
  weights: Weights;
  state: ServerState;
  final: Metrics;
}

/** Sign-flip and scale a participant's update: global - scale·(local - global). */
export function poisonUpdate(global: Weights, u: ClientUpdate, scale: number): ClientUpdate {
  return {
    ...u,
    weights: u.weights.map((t, k) => {
      const g = global[k]!.values;
      const out = new Float32Array(t.values.length);
      for (let i = 0; i < out.length; i++) out[i] = g[i]! - scale * (t.values[i]! - g[i]!);
      return { ...t, values: out };
    }),
  };
}

export async function simulate(o: SimulationOptions): Promise<SimulationResult> {
  const tf = o.tf ?? (await loadTf()).tf;
  const plan: TrainingPlan = o.aggregation ? { ...o.plan, aggregation: o.aggregation } : o.plan;
  let global = o.initial;
  let state: ServerState = [];
  const rounds: SimulationRound[] = [];
  const bad = new Set(o.poisoned?.participants ?? []);
  let final: Metrics = { loss: NaN };
  for (let r = 1; r <= o.rounds; r++) {
    const t0 = Date.now();
    const updates: ClientUpdate[] = [];
    for (let p = 0; p < o.shards.length; p++) {
      const res = await trainLocal(plan, global, o.shards[p]!, {
        tf,
        seed: (o.seed * 1_000_003 + r * 1009 + p) >>> 0,
        onProgress: (pr) => o.onProgress?.({ round: r, participant: p, epoch: pr.epoch, epochs: pr.epochs }),
      });
      const u = { ...res.update, id: `p${p}` };
      updates.push(bad.has(p) ? poisonUpdate(global, u, o.poisoned!.scale) : u);
    }
    const rr: RoundResult = await runRound({ plan, global, state, candidates: updates });
    global = rr.weights;
    state = rr.state;
    final = await evaluate(plan, global, o.test, { tf });
    const accepted = rr.verdicts.filter((v) => v.accepted).length;
    const row: SimulationRound = {
      round: r,
      ...final,
      accepted,
      rejected: rr.verdicts.length - accepted,
      hash: toHex(rr.hash),
      durationMs: Date.now() - t0,
    };
    rounds.push(row);
    o.onRound?.(row);
  }
  return { rounds, weights: global, state, final };
}

/**
 * The reference digits plan (MLP 784-64-10 on the `mnist` package digits) used by the tests and
 * the simulation. `initialSha256` is the hex sha256 of the encoded initial weights.
 */
export function digitsPlan(initialSha256: string, over: Partial<TrainingPlan> = {}): TrainingPlan {
  return {
    format: "fedstr/training-plan",
    version: 1,
    name: "digits-mlp",
    description: "Handwritten digits (28x28), MLP 784-64-10",
    model: {
      topology: {
        class_name: "Sequential",
        config: {
          name: "digits_mlp",
          layers: [
            {
              class_name: "Dense",
              config: {
                name: "dense_1",
                units: 64,
                activation: "relu",
                use_bias: true,
                batch_input_shape: [null, 784],
              },
            },
            { class_name: "Dense", config: { name: "dense_2", units: 10, activation: "softmax", use_bias: true } },
          ],
        },
      },
      initialWeights: { sha256: initialSha256 },
      maxParameters: 1_000_000,
    },
    training: {
      optimizer: { name: "momentum", learningRate: 0.05, momentum: 0.9 },
      loss: "categoricalCrossentropy",
      metrics: ["accuracy"],
      localEpochs: 2,
      batchSize: 32,
    },
    data: {
      features: { shape: [784], dtype: "float32" },
      labels: { shape: [], dtype: "int32" },
      preprocessing: { oneHot: { numClasses: 10 } },
    },
    aggregation: { strategy: "fedavg" },
    validation: { maxDeltaNorm: 100, minSamples: 1, maxSamples: 100_000 },
    evaluation: { metric: "accuracy", holdout: { use: "report" } },
    ...over,
  };
}
