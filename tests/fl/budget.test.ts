import { expect } from "chai";
import { aggregationBudget, digitsPlan, HELD_UPDATES_BYTES } from "../../sdk/src/fl/index.js";

const DIGITS_PARAMETERS = 784 * 64 + 64 + 64 * 10 + 10;

describe("fl/strategies: aggregation budget", () => {
  it("never bounds a streaming strategy (FedAvg, FedAdam over FedAvg), whatever the participant cap", () => {
    expect(aggregationBudget(digitsPlan("0".repeat(64)), 1_000_000).ok).to.equal(true);
    expect(
      aggregationBudget(
        digitsPlan("0".repeat(64), { aggregation: { strategy: "fedadam", inner: { strategy: "fedavg" } } }),
        1_000_000,
      ).ok,
    ).to.equal(true);
  });

  it("bounds Multi-Krum by its pairwise distances (≈ 280 updates of the digits MLP) and names the bound and the ways out", () => {
    const plan = digitsPlan("0".repeat(64), { aggregation: { strategy: "krum", byzantine: 5, multi: 80 } });
    expect(aggregationBudget(plan, 100).ok).to.equal(true);
    const r = aggregationBudget(plan, 1000);
    expect(r.ok).to.equal(false);
    if (r.ok) return;
    expect(r.maxUpdates).to.be.within(275, 285);
    expect(aggregationBudget(plan, r.maxUpdates).ok).to.equal(true);
    expect(aggregationBudget(plan, r.maxUpdates + 1).ok).to.equal(false);
    expect(r.detail)
      .to.match(/pairwise distances/)
      .and.match(/maxUpdates ≤ 2\d\d/);
    // The plan's maxUpdates caps a round below the participant cap: then the pool is fine.
    expect(aggregationBudget({ ...plan, aggregation: { ...plan.aggregation, maxUpdates: 100 } }, 1000).ok).to.equal(
      true,
    );
  });

  it("bounds the strategies that hold every update (median) by memory", () => {
    const plan = digitsPlan("0".repeat(64), { aggregation: { strategy: "median" } });
    const max = Math.floor(HELD_UPDATES_BYTES / (4 * DIGITS_PARAMETERS));
    expect(aggregationBudget(plan, max).ok).to.equal(true);
    const r = aggregationBudget(plan, max + 1);
    expect(r.ok).to.equal(false);
    if (!r.ok) expect(r.detail).to.match(/holds every update of the round in memory/);
  });
});
