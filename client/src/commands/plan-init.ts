/**
 * `fedstr plan init --template <id>`: write a training plan from a template and its seeded initial
 * weights (the FSTW file whose sha256 the plan names), ready for `fedstr pool create`.
 */
import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { intFlag, type Output, parseCommand, UsageError } from "@fedstr/sdk/cli";
import { inspectTopology, loadTf, PLAN_TEMPLATES, planFromTemplate } from "@fedstr/sdk/fl";
import { refuseOverwrite } from "../files.js";

export const help = `fedstr plan init --template <id> [--seed N] [--out plan.json] [--model-out model.fstw] [--force]
  — write a training plan and its initial weights, for \`fedstr pool create --plan … --model …\`

  --template <id>         one of ${PLAN_TEMPLATES.map((t) => t.id).join(", ")} (see \`fedstr plan templates\`)
  --seed <n>              seed of the initial weights (default 1): the same seed gives the same bytes
  --out <file>            the plan (default plan.json); its model.initialWeights.sha256 names the weights
  --model-out <file>      the initial weights in fedstr's canonical FSTW encoding (default model.fstw)
  --force                 overwrite existing files (otherwise they are left alone and the command refuses)
  --json                  one JSON document on stdout

No network is used: the weights are computed here (Glorot-uniform kernels from the seeded
generator, zero biases), identical on every machine and TensorFlow.js backend.`;

const OPTIONS = {
  template: { type: "string" },
  seed: { type: "string" },
  out: { type: "string" },
  "model-out": { type: "string" },
  force: { type: "boolean" },
} as const;

export async function main(argv: string[], out: Output): Promise<void> {
  const { values } = parseCommand(argv, OPTIONS, { max: 0, usage: "no arguments (all are flags)" });
  if (values.help) return out.result({ help }, help);
  const id = values.template;
  const known = PLAN_TEMPLATES.map((t) => t.id);
  if (id === undefined) throw new UsageError(`--template <id> is required (one of ${known.join(", ")})`);
  if (!known.includes(id))
    throw new UsageError(`unknown --template ${JSON.stringify(id)} (expected one of ${known.join(", ")})`);
  const seed = intFlag(values.seed, "seed", { min: 0, max: 0xffff_ffff }) ?? 1;
  const planFile = resolve(values.out ?? "plan.json");
  const modelFile = resolve(values["model-out"] ?? "model.fstw");
  if (planFile === modelFile) throw new UsageError("--out and --model-out name the same file");
  if (!values.force) refuseOverwrite([planFile, modelFile]);

  // Only the layer shapes are read from tfjs; the CPU backend needs no start-up.
  const made = await planFromTemplate(id, seed, (await loadTf("cpu")).tf);
  writeFileSync(modelFile, made.modelBytes);
  writeFileSync(planFile, `${JSON.stringify(made.plan, null, 2)}\n`);
  const parameters = inspectTopology(made.plan.model.topology).parameters;
  out.result(
    {
      template: id,
      seed,
      plan: planFile,
      model: modelFile,
      sha256: made.sha256,
      parameters,
      modelBytes: made.modelBytes.length,
    },
    `plan   ${planFile}  (${id}, ${parameters} parameters)\nmodel  ${modelFile}  (seed ${seed}, ${made.modelBytes.length} bytes, sha256 ${made.sha256})`,
  );
}
