import { createHash } from "node:crypto";
import { expect } from "chai";
import {
  type ClientUpdate,
  encode,
  evaluationGate,
  hashBytes,
  runRound,
  type TrainingPlan,
  validateUpdate,
} from "../../sdk/src/fl/index.js";
import { perturb, randomWeights, SHAPES } from "./helpers.js";

const bounds = { maxDeltaNorm: 1, minSamples: 1, maxSamples: 1000 };
const global = randomWeights(1, SHAPES);
const good = (): ClientUpdate => perturb(global, 9, 0.01, 10);

function withValue(u: ClientUpdate, k: number, i: number, v: number): ClientUpdate {
  const w = u.weights.map((t) => ({ ...t, values: t.values.slice() }));
  w[k]!.values[i] = v;
  return { ...u, weights: w };
}

describe("fl/validate", () => {
  it("accepts a well-formed update and reports its delta norm", () => {
    const v = validateUpdate(global, good(), bounds);
    expect(v.ok).to.equal(true);
    if (v.ok) expect(v.deltaNorm).to.be.within(0.01, 0.2);
  });

  it("rejects NaN and Inf with NON_FINITE", () => {
    for (const bad of [NaN, Infinity, -Infinity]) {
      const v = validateUpdate(global, withValue(good(), 2, 5, bad), bounds);
      expect(v).to.include({ ok: false, reason: "NON_FINITE" });
    }
  });

  it("rejects wrong shapes, names, dtypes and tensor counts", () => {
    const u = good();
    const shape = {
      ...u,
      weights: u.weights.map((t, k) => (k === 1 ? { ...t, shape: [5], values: new Float32Array(5) } : t)),
    };
    expect(validateUpdate(global, shape, bounds)).to.include({ reason: "SHAPE_MISMATCH" });
    const reshaped = { ...u, weights: u.weights.map((t, k) => (k === 0 ? { ...t, shape: [4, 6] } : t)) };
    expect(validateUpdate(global, reshaped, bounds)).to.include({ reason: "SHAPE_MISMATCH" });
    const named = { ...u, weights: u.weights.map((t, k) => (k === 0 ? { ...t, name: "evil" } : t)) };
    expect(validateUpdate(global, named, bounds)).to.include({ reason: "NAME_MISMATCH" });
    const typed = {
      ...u,
      weights: u.weights.map((t, k) => (k === 3 ? { ...t, dtype: "int32" as const, values: new Int32Array(3) } : t)),
    };
    expect(validateUpdate(global, typed, bounds)).to.include({ reason: "DTYPE_MISMATCH" });
    expect(validateUpdate(global, { ...u, weights: u.weights.slice(1) }, bounds)).to.include({
      reason: "TENSOR_COUNT",
    });
  });

  it("rejects norm-bound violations and sample counts out of range", () => {
    expect(validateUpdate(global, perturb(global, 3, 1, 10), bounds)).to.include({ ok: false, reason: "NORM_BOUND" });
    for (const n of [0, 1001, 2.5, NaN])
      expect(validateUpdate(global, { ...good(), numSamples: n }, bounds)).to.include({
        reason: "SAMPLES_OUT_OF_RANGE",
      });
  });

  it("runRound gives one verdict per candidate with reason codes and aggregates only the accepted ones", async () => {
    const plan = { aggregation: { strategy: "fedavg" }, validation: bounds } as Pick<
      TrainingPlan,
      "aggregation" | "validation"
    >;
    const a = perturb(global, 11, 0.01, 10),
      b = perturb(global, 12, 0.01, 30);
    const bytes = encode(b.weights);
    const corrupt = bytes.slice();
    corrupt[0] = 0;
    const r = await runRound({
      plan,
      global,
      candidates: [
        { ...a, id: "a" },
        { ...withValue(a, 0, 0, NaN), id: "nan" },
        { id: "b", bytes, sha256: hashBytes(bytes), numSamples: 30 },
        { id: "tampered", bytes, sha256: new Uint8Array(32), numSamples: 30 },
        { id: "garbage", bytes: corrupt, numSamples: 30 },
        { ...perturb(global, 13, 5, 10), id: "big" },
        { ...perturb(global, 14, 0.01, 10), id: "a" },
        { id: "copycat", bytes, numSamples: 30 },
      ],
    });
    expect(r.verdicts.map((v) => [v.id, v.accepted, v.reason])).to.deep.equal([
      ["a", true, undefined],
      ["nan", false, "NON_FINITE"],
      ["b", true, undefined],
      ["tampered", false, "HASH_MISMATCH"],
      ["garbage", false, "DECODE_ERROR"],
      ["big", false, "NORM_BOUND"],
      ["a", false, "DUPLICATE"],
      ["copycat", false, "DUPLICATE"],
    ]);
    expect(r.acceptedIndices).to.deep.equal([0, 2]);
    const x = r.weights[0]!.values[0]!;
    expect(x).to.be.closeTo((10 * a.weights[0]!.values[0]! + 30 * b.weights[0]!.values[0]!) / 40, 1e-6);
  });

  it("runRound hashes candidate bytes with the sha256 it is given (the aggregator's native one)", async () => {
    const plan = { aggregation: { strategy: "fedavg" }, validation: bounds } as Pick<
      TrainingPlan,
      "aggregation" | "validation"
    >;
    const bytes = encode(perturb(global, 21, 0.01, 10).weights);
    const hashed: number[] = [];
    const r = await runRound({
      plan,
      global,
      candidates: [
        { id: "b", bytes, sha256: hashBytes(bytes), numSamples: 10 },
        { id: "copycat", bytes, numSamples: 10 },
      ],
      sha256: (b) => {
        hashed.push(b.length);
        return createHash("sha256").update(b).digest();
      },
    });
    expect(hashed).to.deep.equal([bytes.length, bytes.length]);
    expect(r.verdicts.map((v) => [v.id, v.accepted, v.reason])).to.deep.equal([
      ["b", true, undefined],
      ["copycat", false, "DUPLICATE"],
    ]);
  });

  it("applies the plan's evaluation gate", () => {
    const gate = {
      evaluation: { metric: "accuracy" as const, holdout: { use: "gate" as const, maxRegression: 0.01 } },
    };
    expect(evaluationGate(gate, undefined, 0.5).ok).to.equal(true);
    expect(evaluationGate(gate, 0.9, 0.895).ok).to.equal(true);
    expect(evaluationGate(gate, 0.9, 0.85).ok).to.equal(false);
    expect(evaluationGate({ evaluation: { metric: "loss", holdout: { use: "gate" } } }, 0.3, 0.31).ok).to.equal(false);
    expect(evaluationGate({ evaluation: { metric: "accuracy", holdout: { use: "report" } } }, 0.9, 0.1).ok).to.equal(
      true,
    );
  });
});
