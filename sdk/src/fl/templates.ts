/**
 * Training-plan templates: the plans an organization can start from without writing one (the
 * web app's create-pool wizard and `fedstr plan init` offer the same list). A template builds a
 * plan for given initial weights; `planFromTemplate` makes seeded initial weights and the plan
 * that names their sha256, as a pool needs them.
 */

import type { Tf } from "./backend.js";
import { encode, hash, toHex } from "./codec.js";
import type { TrainingPlan } from "./plan.js";
import { digitsPlan } from "./simulation.js";
import { initialWeights } from "./trainer.js";
import type { Weights } from "./types.js";

export interface PlanTemplate {
  /** Stable identifier used by `fedstr plan init --template <id>` and the web app. */
  id: string;
  title: string;
  description: string;
  /** The data a participant brings, in words (shown next to the template). */
  data: string;
  build(initialSha256: string): TrainingPlan;
}

export const PLAN_TEMPLATES: readonly PlanTemplate[] = [
  {
    id: "digits-mlp",
    title: "Handwritten digits — MLP 784-64-10",
    description: "Classifies 28×28 grey-scale digits with one hidden layer of 64 units; FedAvg, 2 local epochs.",
    data: "rows of 784 pixel values in [0, 1] and a label 0–9 (CSV or JSONL)",
    build: (sha) => digitsPlan(sha),
  },
  {
    id: "digits-logistic",
    title: "Handwritten digits — logistic regression 784-10",
    description: "A single softmax layer over 28×28 digits: the smallest model, fast to train anywhere.",
    data: "rows of 784 pixel values in [0, 1] and a label 0–9 (CSV or JSONL)",
    build: (sha) => {
      const plan = digitsPlan(sha);
      plan.name = "digits-logistic";
      plan.description = "Handwritten digits (28x28), logistic regression 784-10";
      plan.model.topology = {
        class_name: "Sequential",
        config: {
          name: "digits_logistic",
          layers: [
            {
              class_name: "Dense",
              config: {
                name: "dense_1",
                units: 10,
                activation: "softmax",
                use_bias: true,
                batch_input_shape: [null, 784],
              },
            },
          ],
        },
      };
      return plan;
    },
  },
];

export function planTemplate(id: string): PlanTemplate {
  const found = PLAN_TEMPLATES.find((t) => t.id === id);
  if (!found) throw new Error(`unknown plan template "${id}"; known: ${PLAN_TEMPLATES.map((t) => t.id).join(", ")}`);
  return found;
}

export interface TemplatedPlan {
  plan: TrainingPlan;
  weights: Weights;
  /** The canonical encoding of `weights` (what is uploaded as the initial model). */
  modelBytes: Uint8Array;
  /** Hex sha256 of `modelBytes`, as named by `plan.model.initialWeights.sha256`. */
  sha256: string;
}

/** Seeded initial weights for a template and the plan that names them. */
export async function planFromTemplate(id: string, seed: number, tf?: Tf): Promise<TemplatedPlan> {
  const template = planTemplate(id);
  const weights = await initialWeights(template.build("0".repeat(64)), seed, tf);
  const sha256 = toHex(hash(weights));
  return { plan: template.build(sha256), weights, modelBytes: encode(weights), sha256 };
}
