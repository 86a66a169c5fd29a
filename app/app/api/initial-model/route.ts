// Training-plan templates and seeded initial models, made by the SDK's own code on the server
// (TensorFlow.js stays out of the browser bundle).
//   GET  /api/initial-model                       the templates (id, title, description, data)
//   POST /api/initial-model {template, seed}      a template's plan and its seeded initial model
//   POST /api/initial-model {plan, seed}          an uploaded plan's initial model; the plan's
//                                                 model.initialWeights.sha256 is set to it
// The answer: { plan, model: base64 of the FSTW bytes, sha256 }.

import {
  encode,
  hash,
  initialWeights,
  PLAN_TEMPLATES,
  PlanError,
  parsePlan,
  planFromTemplate,
  toHex,
} from "@fedstr/sdk/fl";
import { type NextRequest, NextResponse } from "next/server";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export function GET() {
  return NextResponse.json(
    PLAN_TEMPLATES.map(({ id, title, description, data }) => ({ id, title, description, data })),
  );
}

export async function POST(req: NextRequest) {
  let body: { template?: unknown; plan?: unknown; seed?: unknown };
  try {
    body = await req.json();
  } catch {
    return NextResponse.json({ error: "body must be JSON" }, { status: 400 });
  }
  const seed = body.seed ?? 1;
  if (typeof seed !== "number" || !Number.isSafeInteger(seed) || seed < 0 || seed > 0xffff_ffff)
    return NextResponse.json({ error: "seed must be an integer in [0, 2^32)" }, { status: 400 });
  try {
    if (typeof body.template === "string") {
      if (!PLAN_TEMPLATES.some((t) => t.id === body.template))
        return NextResponse.json({ error: `unknown template ${JSON.stringify(body.template)}` }, { status: 400 });
      const t = await planFromTemplate(body.template, seed);
      return NextResponse.json({ plan: t.plan, model: Buffer.from(t.modelBytes).toString("base64"), sha256: t.sha256 });
    }
    if (body.plan !== undefined) {
      const plan = parsePlan(JSON.stringify(body.plan));
      const weights = await initialWeights(plan, seed);
      const sha256 = toHex(hash(weights));
      const named = parsePlan(
        JSON.stringify({ ...plan, model: { ...plan.model, initialWeights: { ...plan.model.initialWeights, sha256 } } }),
      );
      return NextResponse.json({ plan: named, model: Buffer.from(encode(weights)).toString("base64"), sha256 });
    }
    return NextResponse.json({ error: "give template or plan" }, { status: 400 });
  } catch (e) {
    const status = e instanceof PlanError ? 400 : 500;
    return NextResponse.json({ error: (e as Error).message }, { status });
  }
}
