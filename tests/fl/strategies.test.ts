import { expect } from "chai";
import {
  type AggregationConfig,
  aggregate,
  type ClientUpdate,
  coordinateMedian,
  createStrategy,
  diloco,
  encode,
  FedAvgAccumulator,
  fedAvg,
  fedOpt,
  hash,
  kernelError,
  krum,
  krumScores,
  loadKernel,
  type RoundInputs,
  recompute,
  runRound,
  type Strategy,
  toHex,
  trimmedMean,
  type Weights,
} from "../../sdk/src/fl/index.js";
import { perturb, randomWeights, SHAPES } from "./helpers.js";

const scalar = (v: number, n = 1): ClientUpdate => ({
  numSamples: n,
  weights: [{ name: "w", dtype: "float32", shape: [1], values: Float32Array.of(v) }],
});
const G1: Weights = [{ name: "w", dtype: "float32", shape: [1], values: Float32Array.of(0) }];
function run(s: Strategy, global: Weights, ups: ClientUpdate[], state?: Weights) {
  const r = s.begin(global, state);
  for (const u of ups) r.add(u);
  return r.finish();
}
const v0 = (w: Weights) => w[0]!.values[0]!;

describe("fl/strategies", () => {
  it("FedAvg weights by sample count and matches a float64 reference", () => {
    const global = randomWeights(1, SHAPES);
    const ups = Array.from({ length: 7 }, (_, i) => perturb(global, 100 + i, 0.1, 5 + 13 * i));
    const out = run(fedAvg(), global, ups).weights;
    const tot = ups.reduce((a, u) => a + u.numSamples, 0);
    out.forEach((t, k) => {
      t.values.forEach((x, i) => {
        const ref = ups.reduce((a, u) => a + u.numSamples * u.weights[k]!.values[i]!, 0) / tot;
        expect(x).to.be.closeTo(ref, 1e-5);
      });
    });
    expect(v0(run(fedAvg(), G1, [scalar(1, 1), scalar(4, 3)]).weights)).to.equal(3.25);
  });

  it("FedAvg's SIMD kernel compiles from kernel.wat with wabt, once per process", async () => {
    const first = loadKernel();
    expect(loadKernel()).to.equal(first); // one compilation, shared
    expect(await first, String(kernelError())).to.equal(true);
    expect(kernelError()).to.equal(undefined);
    const js = new FedAvgAccumulator(G1, { simd: false });
    expect(js.simd).to.equal(false);
    expect((await FedAvgAccumulator.create(G1)).simd).to.equal(true);
    expect(new FedAvgAccumulator(G1).simd).to.equal(true); // sync construction after loading
  });

  it("FedAvg's WebAssembly SIMD kernel is bit-identical to the plain float32 JS loop (tails, division)", async () => {
    const global = randomWeights(4, { a: [1001], b: [7], c: [64, 33] });
    const ups = Array.from({ length: 5 }, (_, i) => perturb(global, 300 + i, 0.3, 1 + 977 * i));
    const simd = await FedAvgAccumulator.create(global),
      js = new FedAvgAccumulator(global, { simd: false });
    expect(simd.simd).to.equal(true);
    expect(js.simd).to.equal(false);
    for (const u of ups) {
      simd.add(u);
      js.add(u);
    }
    expect(Buffer.from(encode(simd.result())).equals(Buffer.from(encode(js.result())))).to.equal(true);
    // streaming through the scratch buffer gives the same bytes as whole updates
    const st = new FedAvgAccumulator(global);
    for (const u of ups) {
      u.weights.forEach((t, k) => {
        for (let off = 0; off < t.values.length; off += 100) {
          const part = t.values.subarray(off, Math.min(off + 100, t.values.length)) as Float32Array;
          st.scratch.set(part);
          st.addSlice(k, off, st.scratch.subarray(0, part.length), u.numSamples);
        }
      });
      st.commit(u.numSamples);
    }
    const again = new FedAvgAccumulator(global);
    for (const u of ups) again.add(u);
    expect(Buffer.from(encode(st.result())).equals(Buffer.from(encode(again.result())))).to.equal(true);
  });

  it("FedAvg's SIMD kernel and the JS loop agree bit for bit on large tensors, odd weights and extreme values", async () => {
    // 300,003 values: more than the 1 MiB scratch buffer (chunked) plus a 3-value tail
    const P = 300_003;
    const global: Weights = [
      { name: "w", dtype: "float32", shape: [P], values: new Float32Array(P) },
      { name: "b", dtype: "float32", shape: [5], values: new Float32Array(5) },
    ];
    const ups = [3, 1, 1_000_003, 77, 16_777_215].map((n, i) => {
      const u = perturb(global, 900 + i, 10 ** (i - 2), n);
      const v = u.weights[0]!.values as Float32Array;
      v[i] = [3.4e38, -3.4e38, 1e-45, -0, 1e-38][i]!; // overflow to ±Infinity, subnormals, signed zero
      return u;
    });
    const simd = await FedAvgAccumulator.create(global),
      js = new FedAvgAccumulator(global, { simd: false });
    expect(simd.simd).to.equal(true);
    for (const u of ups) {
      simd.add(u);
      js.add(u);
    }
    const a = simd.result(),
      b = js.result();
    a.forEach((t, k) => {
      expect(
        Buffer.from(t.values.buffer, t.values.byteOffset, t.values.byteLength).equals(
          Buffer.from(b[k]!.values.buffer, b[k]!.values.byteOffset, b[k]!.values.byteLength),
        ),
        t.name,
      ).to.equal(true);
    });
  });

  it("FedAvg streams hundreds of updates in O(model size) memory", () => {
    const P = 250_000;
    const global: Weights = [{ name: "w", dtype: "float32", shape: [P], values: new Float32Array(P) }];
    const agg = fedAvg().begin(global);
    const u = new Float32Array(P);
    const before = process.memoryUsage();
    for (let k = 0; k < 400; k++) {
      u.fill(k % 7);
      agg.add({ numSamples: 1 + (k % 3), weights: [{ name: "w", dtype: "float32", shape: [P], values: u }] });
    }
    const after = process.memoryUsage();
    const grown = after.arrayBuffers + after.heapUsed - (before.arrayBuffers + before.heapUsed);
    expect(grown).to.be.below(4 * P * 4); // 400 updates of 1 MB each would need 400 MB if kept
    expect(v0(agg.finish().weights)).to.be.closeTo(3.0, 0.05);
  });

  it("median and trimmed mean are coordinate-wise and ignore extremes", () => {
    const ups = [1, 2, 3, 100, -50].map((v) => scalar(v, 10));
    expect(v0(run(coordinateMedian(), G1, ups).weights)).to.equal(2);
    expect(v0(run(coordinateMedian(), G1, ups.slice(0, 4)).weights)).to.equal(2.5);
    expect(v0(run(trimmedMean(0.2), G1, ups).weights)).to.equal(2); // drops -50 and 100
    expect(v0(run(trimmedMean(0), G1, ups).weights)).to.equal(Math.fround(11.2));
  });

  it("Krum picks the most central update and Multi-Krum averages the best m", () => {
    const ups = [0.9, 1.0, 1.1, 1.05, 30].map((v) => scalar(v, 1));
    const s = krumScores(ups, 1);
    // f = 1, K = 5: each score sums the 2 smallest squared distances; 1.05 is closest to 1.0 and 1.1
    expect(Array.from(s).indexOf(Math.min(...s))).to.equal(3);
    const k = run(krum(1), G1, ups);
    expect(v0(k.weights)).to.equal(Math.fround(1.05));
    expect(k.excluded.map((e) => e.index)).to.deep.equal([0, 1, 2, 4]);
    const mk = run(krum(1, 4), G1, ups);
    expect(v0(mk.weights)).to.be.closeTo((0.9 + 1 + 1.1 + 1.05) / 4, 1e-6);
    expect(mk.excluded).to.deep.equal([{ index: 4, reason: "NOT_SELECTED" }]);
  });

  it("FedAdam / FedYogi take an adaptive server step along the pseudo-gradient and carry state", () => {
    const a1 = run(fedOpt("adam", { learningRate: 0.1 }), G1, [scalar(1)]);
    // t=1: m = 0.1, v = 0.01, step = 0.1*sqrt(0.01)/0.1 * 0.1/(0.1+1e-9)
    expect(v0(a1.weights)).to.be.closeTo((0.1 * Math.sqrt(1 - 0.99)) / 0.1, 1e-6);
    expect(a1.state.map((t) => t.name)).to.deep.equal(["m/w", "v/w", "step"]);
    const a2 = run(fedOpt("adam", { learningRate: 0.1 }), a1.weights, [scalar(1)], a1.state);
    expect(a2.state.find((t) => t.name === "step")!.values[0]).to.equal(2);
    expect(v0(a2.weights)).to.be.above(v0(a1.weights));
    const y = run(fedOpt("yogi"), G1, [scalar(1)]);
    expect(v0(y.weights)).to.be.above(0).and.below(1);
  });

  it("each strategy says whether it carries server state between rounds, and only those return any", () => {
    const configs: [AggregationConfig, boolean][] = [
      [{ strategy: "fedavg" }, false],
      [{ strategy: "median" }, false],
      [{ strategy: "trimmed-mean", trimFraction: 0.2 }, false],
      [{ strategy: "krum", byzantine: 0 }, false],
      [{ strategy: "fedadam" }, true],
      [{ strategy: "fedyogi" }, true],
      [{ strategy: "diloco" }, true],
      [{ strategy: "diloco", inner: { strategy: "median" } }, true],
    ];
    for (const [cfg, stateful] of configs) {
      const s = createStrategy(cfg);
      expect(s.stateful, cfg.strategy).to.equal(stateful);
      expect(run(s, G1, [scalar(1), scalar(2), scalar(3)]).state.length > 0, `${s.name} state`).to.equal(stateful);
    }
  });

  it("DiLoCo's outer step is SGD with Nesterov momentum on global - average", () => {
    const r1 = run(diloco({ learningRate: 0.7, momentum: 0.9 }), G1, [scalar(1)]);
    // g = -1, b = -1, w = 0 - 0.7 * (-1 + 0.9 * -1) = 1.33
    expect(v0(r1.weights)).to.be.closeTo(1.33, 1e-6);
    const r2 = run(diloco({ learningRate: 0.7, momentum: 0.9 }), r1.weights, [scalar(1.33)], r1.state);
    // g = 0, b = -0.9, w = 1.33 - 0.7 * (0 + 0.9 * -0.9)
    expect(v0(r2.weights)).to.be.closeTo(1.33 + 0.7 * 0.81, 1e-5);
    expect(v0(run(diloco({ learningRate: 1, momentum: 0 }), G1, [scalar(1)]).weights)).to.equal(1);
  });

  it("recompute is bit-identical for the same inputs and matches runRound, for every strategy", async () => {
    const global = randomWeights(2, SHAPES);
    const ups = Array.from({ length: 6 }, (_, i) => perturb(global, 200 + i, 0.05, 10 + i));
    const configs = [
      { strategy: "fedavg" },
      { strategy: "median" },
      { strategy: "trimmed-mean", trimFraction: 0.2 },
      { strategy: "krum", byzantine: 1, multi: 3 },
      { strategy: "fedadam" },
      { strategy: "fedyogi" },
      { strategy: "diloco" },
    ] as RoundInputs["aggregation"][];
    for (const aggregation of configs) {
      const inputs: RoundInputs = { aggregation, global, updates: ups };
      const h1 = toHex(recompute(inputs));
      const fromBytes = toHex(
        recompute({
          aggregation,
          global,
          updates: ups.map((u) => ({ bytes: encode(u.weights), numSamples: u.numSamples })),
        }),
      );
      const rr = await runRound({
        plan: { aggregation, validation: { maxDeltaNorm: 10, minSamples: 1, maxSamples: 100 } },
        global,
        candidates: ups,
      });
      expect(fromBytes, aggregation.strategy).to.equal(h1);
      expect(toHex(rr.hash), aggregation.strategy).to.equal(h1);
      expect(toHex(hash(aggregate(inputs).weights))).to.equal(h1);
      expect(createStrategy(aggregation).name).to.be.a("string");
    }
    // a different order may give different float rounding, but the same order always the same bytes
    const pinned = toHex(recompute({ aggregation: { strategy: "fedavg" }, global, updates: ups }));
    expect(pinned).to.equal(
      toHex(recompute({ aggregation: { strategy: "fedavg" }, global, updates: ups.map((u) => ({ ...u })) })),
    );
  });
});
