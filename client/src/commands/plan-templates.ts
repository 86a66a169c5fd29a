/** `fedstr plan templates`: the training-plan templates `fedstr plan init` (and the web app) start from. */
import { type Output, parseCommand } from "@fedstr/sdk/cli";
import { inspectTopology, PLAN_TEMPLATES } from "@fedstr/sdk/fl";
import { table } from "../pool.js";

export const help = `fedstr plan templates — list the training-plan templates

Each template is a complete plan (model, training, data schema, aggregation, validation) that
\`fedstr plan init --template <id>\` writes with seeded initial weights. No network is used.

  --json    one JSON document on stdout`;

export async function main(argv: string[], out: Output): Promise<void> {
  const { values } = parseCommand(argv, {}, { max: 0, usage: "no arguments" });
  if (values.help) return out.result({ help }, help);
  const templates = PLAN_TEMPLATES.map((t) => {
    const plan = t.build("0".repeat(64));
    return {
      id: t.id,
      title: t.title,
      description: t.description,
      data: t.data,
      parameters: inspectTopology(plan.model.topology).parameters,
      strategy: plan.aggregation.strategy,
    };
  });
  const human = [
    table(
      ["id", "parameters", "title"],
      templates.map((t) => [t.id, String(t.parameters), t.title]),
    ),
    "",
    ...templates.map((t) => `${t.id}: ${t.description}\n  data: ${t.data}`),
    "",
    "fedstr plan init --template <id> writes the plan and its initial weights.",
  ].join("\n");
  out.result({ templates }, human);
}
