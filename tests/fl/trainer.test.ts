import { expect } from "chai";
import {
  deltaNorm,
  digitsPlan,
  encode,
  evaluate,
  hash,
  initialWeights,
  loadDigits,
  loadTf,
  parsePlan,
  privatize,
  subset,
  type TrainProgress,
  toHex,
  trainLocal,
} from "../../sdk/src/fl/index.js";

describe("fl/trainer", function () {
  this.timeout(120_000);
  const all = loadDigits();
  const local = subset(
    all,
    Array.from({ length: 400 }, (_, i) => (i * 25) % 10000),
  );

  it("loads the best available backend (WASM or CPU here), and reports a missing native one", async () => {
    const { backend, tf } = await loadTf();
    expect(["tensorflow", "wasm", "cpu"]).to.include(backend);
    let msg = "";
    try {
      await loadTf("node");
    } catch (e) {
      msg = (e as Error).message;
    }
    if (backend !== "tensorflow") expect(msg).to.match(/no TensorFlow.js backend available \(tried node\)/);
    expect(tf.getBackend()).to.equal(backend);
  });

  it("trains from the global weights, reports progress and metrics, and is reproducible with a seed", async () => {
    const { tf } = await loadTf();
    const p0 = digitsPlan("0".repeat(64));
    const init = await initialWeights(p0, 1, tf);
    expect(toHex(hash(await initialWeights(p0, 1, tf)))).to.equal(toHex(hash(init)));
    const plan = parsePlan(digitsPlan(toHex(hash(init))));
    const progress: TrainProgress[] = [];
    const r1 = await trainLocal(plan, init, local, { tf, seed: 5, onProgress: (p) => progress.push(p) });
    expect(progress.map((p) => p.epoch)).to.deep.equal([1, 2]);
    expect(progress[1]!.loss!).to.be.below(progress[0]!.loss!);
    expect(r1.update.numSamples).to.equal(400);
    expect(r1.steps).to.equal(2 * Math.ceil(400 / 32));
    expect(r1.metrics.accuracy).to.be.above(0.6);
    const tensorsBefore = tf.memory().numTensors;
    const r2 = await trainLocal(plan, init, local, { tf, seed: 5 });
    expect(tf.memory().numTensors, "no leaked tensors").to.equal(tensorsBefore);
    expect(toHex(hash(r2.update.weights))).to.equal(toHex(hash(r1.update.weights)));
    const r3 = await trainLocal(plan, init, local, { tf, seed: 6 });
    expect(toHex(hash(r3.update.weights))).to.not.equal(toHex(hash(r1.update.weights)));
    const ev = await evaluate(plan, r1.update.weights, local, { tf });
    expect(ev.accuracy).to.equal(r1.metrics.accuracy);
    expect(encode(r1.update.weights).length).to.be.above(4 * 50000);
  });

  it("applies FedProx's proximal term (smaller drift) and DP clipping", async () => {
    const { tf } = await loadTf();
    const p0 = digitsPlan("0".repeat(64));
    const init = await initialWeights(p0, 2, tf);
    const plain = digitsPlan(toHex(hash(init)));
    const prox = { ...plain, training: { ...plain.training, proximalMu: 1 } };
    const a = await trainLocal(parsePlan(plain), init, local, { tf, seed: 1 });
    const b = await trainLocal(parsePlan(prox), init, local, { tf, seed: 1 });
    expect(b.deltaNorm).to.be.below(a.deltaNorm);
    const clipped = await trainLocal(
      parsePlan({ ...plain, privacy: { clipNorm: 0.5, noiseMultiplier: 0 } }),
      init,
      local,
      { tf, seed: 1 },
    );
    expect(clipped.deltaNorm).to.be.closeTo(0.5, 1e-3);
    const noisy = privatize(init, a.update.weights, 0.5, 0.01);
    expect(deltaNorm(noisy, init)).to.be.above(0.5);
  });

  it("refuses a dataset that does not match the plan's data schema", async () => {
    const p0 = digitsPlan("0".repeat(64));
    const init = await initialWeights(p0, 1);
    const wrong = { ...local, featureShape: [28, 28] };
    let msg = "";
    try {
      await trainLocal(parsePlan(p0), init, wrong);
    } catch (e) {
      msg = (e as Error).message;
    }
    expect(msg).to.match(/features \[28,28\] do not match plan.data.features.shape \[784\]/);
  });
});
