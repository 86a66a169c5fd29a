/**
 * Local training with TensorFlow.js: a participant runs the plan on its own data starting from the
 * global weights and returns its update (full local weights + sample count) and metrics.
 * The loop is explicit (seeded batch order, no tfjs shuffling), so a seeded run is reproducible on
 * a given backend. FedProx's proximal term and DP clipping + Gaussian noise come from the plan.
 */
import type * as tfTypes from "@tensorflow/tfjs";
import type { Tf } from "./backend.js";
import { modelWeightNames, setModelWeights, weightsFromModel } from "./codec.js";
import type { Dataset } from "./data-parse.js";
import type { TrainingPlan } from "./plan.js";
import { createRng, permutation } from "./rng.js";
import { type ClientUpdate, deltaNorm, shapeSize, type Weights } from "./types.js";

export interface TrainProgress {
  epoch: number;
  epochs: number;
  step: number;
  steps: number;
  loss?: number;
}
/** After each batch: where training is (loss is only read once per epoch, to keep the loop free of syncs). */
export interface BatchProgress {
  epoch: number;
  epochs: number;
  batch: number;
  batches: number;
  step: number;
  steps: number;
}

export interface TrainOptions {
  /** Seed for batch order and DP noise (default 0). */
  seed?: number;
  onProgress?: (p: TrainProgress) => void;
  onBatch?: (p: BatchProgress) => void;
  /** A loaded tfjs (default: loadTf(), best available backend). */
  tf?: Tf;
  /** Override plan.training.localEpochs (e.g. "local only" baselines). */
  epochs?: number;
}

export interface Metrics {
  loss: number;
  accuracy?: number;
}

export interface TrainResult {
  update: ClientUpdate;
  /** Mean training loss of the last epoch, and accuracy on the local training data after training. */
  metrics: Metrics;
  /** L2 norm of (update - global), after DP clipping/noise if the plan asks for it. */
  deltaNorm: number;
  steps: number;
  durationMs: number;
}

/** The Node default (best available backend); a browser passes its own tf (loadBrowserTf), so backend.ts is not loaded there. */
async function defaultTf(): Promise<Tf> {
  return (await (await import("./backend.js")).loadTf()).tf;
}

/** Build the plan's model (weights freshly initialised by tfjs; use setModelWeights after). */
export async function buildModel(tf: Tf, plan: Pick<TrainingPlan, "model">): Promise<tfTypes.LayersModel> {
  return tf.models.modelFromJSON({
    modelTopology: plan.model.topology as unknown as tfTypes.io.ModelJSON["modelTopology"],
  } as tfTypes.io.ModelJSON);
}

/**
 * Seeded initial weights for a plan's model (Glorot-uniform kernels, zero biases), computed with
 * the seeded generator so they are identical on every backend. Publish encode(...) as the plan's
 * initial weights.
 */
export async function initialWeights(plan: Pick<TrainingPlan, "model">, seed: number, tf?: Tf): Promise<Weights> {
  const t = tf ?? (await defaultTf());
  const model = await buildModel(t, plan);
  const names = modelWeightNames(model);
  const shapes = model.layers.flatMap((l) => l.weights.map((w) => w.shape as number[]));
  model.dispose();
  const rng = createRng(seed);
  return names.map((name, i) => {
    const shape = shapes[i]!;
    const values = new Float32Array(shapeSize(shape));
    if (name.endsWith("/kernel") && shape.length >= 2) {
      const recept = shape.slice(0, -2).reduce((a, b) => a * b, 1);
      const fanIn = shape[shape.length - 2]! * recept,
        fanOut = shape[shape.length - 1]! * recept;
      const lim = Math.sqrt(6 / (fanIn + fanOut));
      for (let k = 0; k < values.length; k++) values[k] = (2 * rng.next() - 1) * lim;
    }
    return { name, dtype: "float32" as const, shape: [...shape], values };
  });
}

function makeOptimizer(tf: Tf, o: TrainingPlan["training"]["optimizer"]): tfTypes.Optimizer {
  switch (o.name) {
    case "sgd":
      return tf.train.sgd(o.learningRate);
    case "momentum":
      return tf.train.momentum(o.learningRate, o.momentum ?? 0.9);
    case "adam":
      return tf.train.adam(o.learningRate);
    case "rmsprop":
      return tf.train.rmsprop(o.learningRate, 0.9, o.momentum ?? 0);
  }
}

function lossFn(
  tf: Tf,
  loss: TrainingPlan["training"]["loss"],
): (y: tfTypes.Tensor, p: tfTypes.Tensor) => tfTypes.Scalar {
  switch (loss) {
    case "categoricalCrossentropy":
      return (y, p) => tf.metrics.categoricalCrossentropy(y, p).mean();
    case "sparseCategoricalCrossentropy":
      return (y, p) =>
        tf.metrics.categoricalCrossentropy(tf.oneHot(y.reshape([-1]).toInt(), p.shape[p.shape.length - 1]!), p).mean();
    case "binaryCrossentropy":
      return (y, p) => tf.metrics.binaryCrossentropy(y, p).mean();
    case "meanSquaredError":
      return (y, p) => tf.losses.meanSquaredError(y, p) as tfTypes.Scalar;
  }
}

/** Model-ready arrays: features scaled/offset, labels one-hot encoded, as the plan says. */
export function preprocess(
  plan: Pick<TrainingPlan, "data">,
  ds: Dataset,
): { x: Float32Array; y: Float32Array; featureShape: number[]; labelShape: number[]; labels: Int32Array | undefined } {
  const pre = plan.data.preprocessing ?? {};
  const scale = pre.scale ?? 1,
    offset = pre.offset ?? 0;
  const x = scale === 1 && offset === 0 ? ds.x : ds.x.map((v) => v * scale + offset);
  const L = Math.max(1, shapeSize(ds.labelShape));
  if (pre.oneHot) {
    const C = pre.oneHot.numClasses;
    const y = new Float32Array(ds.length * C);
    const labels = new Int32Array(ds.length);
    for (let i = 0; i < ds.length; i++) {
      const c = ds.y[i * L]!;
      if (!Number.isInteger(c) || c < 0 || c >= C) throw new Error(`sample ${i}: label ${c} outside [0, ${C})`);
      y[i * C + c] = 1;
      labels[i] = c;
    }
    return { x, y, featureShape: ds.featureShape, labelShape: [C], labels };
  }
  const y = ds.y instanceof Float32Array ? ds.y : Float32Array.from(ds.y);
  return { x, y, featureShape: ds.featureShape, labelShape: ds.labelShape, labels: undefined };
}

function checkData(plan: Pick<TrainingPlan, "data">, ds: Dataset): void {
  const same = (a: number[], b: number[]) => a.length === b.length && a.every((d, i) => d === b[i]);
  if (!same(ds.featureShape, plan.data.features.shape))
    throw new Error(
      `dataset features [${ds.featureShape}] do not match plan.data.features.shape [${plan.data.features.shape}]`,
    );
  if (!same(ds.labelShape, plan.data.labels.shape))
    throw new Error(
      `dataset labels [${ds.labelShape}] do not match plan.data.labels.shape [${plan.data.labels.shape}]`,
    );
  if (ds.length === 0) throw new Error("empty dataset");
}

function batchOf(src: Float32Array, width: number, idx: Uint32Array, from: number, to: number): Float32Array {
  const out = new Float32Array((to - from) * width);
  for (let k = from; k < to; k++) out.set(src.subarray(idx[k]! * width, (idx[k]! + 1) * width), (k - from) * width);
  return out;
}

/** Train locally from `global` on `data` following `plan.training` (and plan.privacy if set). */
export async function trainLocal(
  plan: TrainingPlan,
  global: Weights,
  data: Dataset,
  opts: TrainOptions = {},
): Promise<TrainResult> {
  const t0 = Date.now();
  checkData(plan, data);
  const tf = opts.tf ?? (await defaultTf());
  const rng = createRng(opts.seed ?? 0);
  const model = await buildModel(tf, plan);
  setModelWeights(tf, model, global);
  const d = preprocess(plan, data);
  const F = shapeSize(d.featureShape),
    L = Math.max(1, shapeSize(d.labelShape));
  const tr = plan.training;
  const epochs = opts.epochs ?? tr.localEpochs;
  const bs = Math.min(tr.batchSize, data.length);
  const perEpoch = Math.ceil(data.length / bs);
  const steps = Math.min(epochs * perEpoch, tr.maxLocalSteps ?? Infinity);
  const optimizer = makeOptimizer(tf, tr.optimizer);
  const loss = lossFn(tf, tr.loss);
  const vars = model.trainableWeights.map((w) => w.read() as tfTypes.Variable);
  const mu = tr.proximalMu ?? 0;
  const anchors = mu > 0 ? vars.map((v) => tf.tidy(() => v.clone())) : [];
  let step = 0,
    lastLoss = NaN;
  try {
    for (let e = 0; e < epochs && step < steps; e++) {
      const perm = permutation(data.length, rng);
      let sum: tfTypes.Scalar = tf.scalar(0);
      let nb = 0;
      for (let b = 0; b < perEpoch && step < steps; b++, step++, nb++) {
        const from = b * bs,
          to = Math.min(from + bs, data.length);
        const xb = tf.tensor(batchOf(d.x, F, perm, from, to), [to - from, ...d.featureShape]);
        const yb = tf.tensor(batchOf(d.y, L, perm, from, to), [
          to - from,
          ...(d.labelShape.length ? d.labelShape : []),
        ]);
        const cost = optimizer.minimize(
          () => {
            const p = model.apply(xb, { training: true }) as tfTypes.Tensor;
            let l = loss(yb, p);
            if (mu > 0)
              l = l.add(tf.addN(vars.map((v, i) => v.sub(anchors[i]!).square().sum())).mul(mu / 2)) as tfTypes.Scalar;
            return l;
          },
          true,
          vars,
        )!;
        const s2: tfTypes.Scalar = sum.add(cost);
        tf.dispose([sum, cost, xb, yb]);
        sum = s2;
        opts.onBatch?.({ epoch: e + 1, epochs, batch: b + 1, batches: perEpoch, step: step + 1, steps });
      }
      lastLoss = (await sum.data())[0]! / Math.max(1, nb);
      sum.dispose();
      opts.onProgress?.({ epoch: e + 1, epochs, step, steps, loss: lastLoss });
    }
    let weights = weightsFromModel(model);
    const priv = plan.privacy;
    if (priv) weights = privatize(global, weights, priv.clipNorm, priv.noiseMultiplier, rng);
    const local = await evaluateModel(tf, plan, model, weights, data);
    return {
      update: { weights, numSamples: data.length },
      metrics: { loss: lastLoss, ...(local.accuracy !== undefined ? { accuracy: local.accuracy } : {}) },
      deltaNorm: deltaNorm(weights, global),
      steps: step,
      durationMs: Date.now() - t0,
    };
  } finally {
    optimizer.dispose();
    // tfjs' MomentumOptimizer.dispose() forgets its momentum scalar: dispose leftover tensors too
    for (const v of Object.values(optimizer)) if (v instanceof tf.Tensor && !v.isDisposed) v.dispose();
    tf.dispose(anchors);
    model.dispose();
  }
}

/**
 * Differential privacy on the update: clip (local - global) to L2 norm `clip`, then add Gaussian
 * noise N(0, (noiseMultiplier·clip)²) per coordinate from the seeded generator.
 */
export function privatize(
  global: Weights,
  local: Weights,
  clip: number,
  noiseMultiplier: number,
  rng = createRng(0),
): Weights {
  const norm = deltaNorm(local, global);
  const f = norm > clip ? clip / norm : 1;
  const sigma = noiseMultiplier * clip;
  return local.map((t, k) => {
    const g = global[k]!.values;
    const out = new Float32Array(t.values.length);
    for (let i = 0; i < out.length; i++)
      out[i] = g[i]! + (t.values[i]! - g[i]!) * f + (sigma > 0 ? sigma * rng.normal() : 0);
    return { ...t, shape: [...t.shape], values: out };
  });
}

async function evaluateModel(
  tf: Tf,
  plan: Pick<TrainingPlan, "training" | "data">,
  model: tfTypes.LayersModel,
  weights: Weights,
  data: Dataset,
): Promise<Metrics> {
  setModelWeights(tf, model, weights);
  const d = preprocess(plan, data);
  const F = shapeSize(d.featureShape),
    L = Math.max(1, shapeSize(d.labelShape));
  const loss = lossFn(tf, plan.training.loss);
  const classify = plan.training.loss !== "meanSquaredError";
  let lossSum = 0,
    correct = 0;
  const B = 1024;
  for (let from = 0; from < data.length; from += B) {
    const to = Math.min(from + B, data.length);
    const [l, c] = tf.tidy(() => {
      const xb = tf.tensor(d.x.subarray(from * F, to * F), [to - from, ...d.featureShape]);
      const yb = tf.tensor(d.y.subarray(from * L, to * L), [to - from, ...d.labelShape]);
      const p = model.predict(xb) as tfTypes.Tensor;
      const lo = loss(yb, p).mul(to - from);
      if (!classify) return [lo, tf.scalar(0)];
      const pred = p.shape.length > 1 && p.shape[1]! > 1 ? p.argMax(-1) : p.greater(0.5).toInt().reshape([-1]);
      const truth = d.labelShape.length === 0 || d.labelShape[0] === 1 ? yb.reshape([-1]).toInt() : yb.argMax(-1);
      return [lo, pred.equal(truth).sum()];
    });
    lossSum += (await l.data())[0]!;
    correct += (await c.data())[0]!;
    tf.dispose([l, c]);
  }
  return { loss: lossSum / data.length, ...(classify ? { accuracy: correct / data.length } : {}) };
}

/** Evaluate weights on a dataset (the organization's holdout): loss and, for classifiers, accuracy. */
export async function evaluate(
  plan: TrainingPlan,
  weights: Weights,
  data: Dataset,
  opts: { tf?: Tf } = {},
): Promise<Metrics> {
  checkData(plan, data);
  const tf = opts.tf ?? (await defaultTf());
  const model = await buildModel(tf, plan);
  try {
    return await evaluateModel(tf, plan, model, weights, data);
  } finally {
    model.dispose();
  }
}
