import { expect } from "chai";
import {
  decode,
  hashBytes,
  inspectTopology,
  loadTf,
  PLAN_TEMPLATES,
  parsePlan,
  planFromTemplate,
  planTemplate,
  toHex,
} from "../../sdk/src/fl/index.js";

describe("fl/templates", () => {
  it("every template yields a valid plan whose initial weights match its sha256 and topology", async () => {
    const { tf } = await loadTf("cpu");
    expect(PLAN_TEMPLATES.map((t) => t.id)).to.include("digits-mlp");
    for (const t of PLAN_TEMPLATES) {
      const made = await planFromTemplate(t.id, 7, tf);
      const plan = parsePlan(JSON.stringify(made.plan));
      expect(plan.name).to.equal(t.id);
      expect(toHex(hashBytes(made.modelBytes))).to.equal(made.sha256);
      expect(plan.model.initialWeights.sha256).to.equal(made.sha256);
      const params = decode(made.modelBytes).reduce((n, w) => n + w.values.length, 0);
      expect(params).to.equal(inspectTopology(plan.model.topology).parameters);
    }
  });

  it("is seeded: the same seed gives the same weights, another seed others", async () => {
    const { tf } = await loadTf("cpu");
    const a = await planFromTemplate("digits-logistic", 1, tf);
    const b = await planFromTemplate("digits-logistic", 1, tf);
    const c = await planFromTemplate("digits-logistic", 2, tf);
    expect(a.sha256).to.equal(b.sha256);
    expect(a.sha256).to.not.equal(c.sha256);
  });

  it("names the known templates when asked for an unknown one", () => {
    expect(() => planTemplate("nope")).to.throw(/unknown plan template "nope"; known: digits-mlp, digits-logistic/);
  });
});
