/**
 * Training plans: the versioned JSON document an organization pins on IPFS and participants execute.
 * Data, not code: the structure is checked against a JSON Schema (ajv), then a few cross-field
 * checks (model input/output shapes against the data schema, parameter budget). Every refusal is a
 * PlanError naming the offending field.
 */
import { Ajv } from "ajv";
import { planSchema } from "./plan-schema.js";

export const PLAN_FORMAT = "fedstr/training-plan";
export const PLAN_VERSION = 1;
/** Default parameter budget when the plan does not set model.maxParameters. */
export const DEFAULT_MAX_PARAMETERS = 10_000_000;

export interface LayerSpec {
  class_name: string;
  config: { name: string; [k: string]: unknown };
}
export interface Topology {
  class_name: "Sequential";
  config: { name?: string; layers: LayerSpec[] };
  keras_version?: string;
  backend?: string;
}

/** The averaging part of a server-optimizer strategy (what the pseudo-gradient is taken against). */
export type InnerAggregationConfig =
  | { strategy: "fedavg" }
  | { strategy: "median" }
  | { strategy: "trimmed-mean"; trimFraction: number }
  | { strategy: "krum"; byzantine: number; multi?: number };

export type AggregationConfig =
  | { strategy: "fedavg"; minUpdates?: number; maxUpdates?: number }
  | { strategy: "median"; minUpdates?: number; maxUpdates?: number }
  | { strategy: "trimmed-mean"; trimFraction: number; minUpdates?: number; maxUpdates?: number }
  | { strategy: "krum"; byzantine: number; multi?: number; minUpdates?: number; maxUpdates?: number }
  | {
      strategy: "fedadam" | "fedyogi";
      learningRate?: number;
      beta1?: number;
      beta2?: number;
      tau?: number;
      inner?: InnerAggregationConfig;
      minUpdates?: number;
      maxUpdates?: number;
    }
  | {
      strategy: "diloco";
      learningRate?: number;
      momentum?: number;
      nesterov?: boolean;
      inner?: InnerAggregationConfig;
      minUpdates?: number;
      maxUpdates?: number;
    };

export interface TrainingPlan {
  format: typeof PLAN_FORMAT;
  version: typeof PLAN_VERSION;
  name: string;
  description?: string;
  model: { topology: Topology; initialWeights: { cid?: string; sha256: string }; maxParameters?: number };
  training: {
    optimizer: { name: "sgd" | "momentum" | "adam" | "rmsprop"; learningRate: number; momentum?: number };
    loss: "categoricalCrossentropy" | "sparseCategoricalCrossentropy" | "meanSquaredError" | "binaryCrossentropy";
    metrics?: ("accuracy" | "loss")[];
    localEpochs: number;
    batchSize: number;
    maxLocalSteps?: number;
    proximalMu?: number;
  };
  data: {
    features: { shape: number[]; dtype: "float32" };
    labels: { shape: number[]; dtype: "float32" | "int32" };
    preprocessing?: { scale?: number; offset?: number; oneHot?: { numClasses: number } };
  };
  aggregation: AggregationConfig;
  validation: { maxDeltaNorm: number; minSamples: number; maxSamples: number };
  privacy?: { clipNorm: number; noiseMultiplier: number };
  evaluation: {
    metric: "accuracy" | "loss";
    holdout: { cid?: string; sha256?: string; use: "report" | "gate"; maxRegression?: number };
  };
}

export class PlanError extends Error {
  override name = "PlanError";
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`invalid training plan: ${field}: ${message}`);
  }
}

const ajv = new Ajv({ allErrors: false, discriminator: true, strict: true, strictTuples: false });
const validatePlanSchema = ajv.compile(planSchema);

function fieldOf(instancePath: string, extra?: string): string {
  const parts = instancePath
    .split("/")
    .slice(1)
    .map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"));
  if (extra) parts.push(extra);
  let s = "plan";
  for (const p of parts) s += /^\d+$/.test(p) ? `[${p}]` : `.${p}`;
  return s;
}

/**
 * Parse and check a plan (object or JSON text). Returns the typed plan or throws PlanError.
 */
export function parsePlan(input: unknown): TrainingPlan {
  let doc = input;
  if (typeof input === "string" || input instanceof Uint8Array) {
    const text = typeof input === "string" ? input : new TextDecoder().decode(input);
    try {
      doc = JSON.parse(text);
    } catch (e) {
      throw new PlanError("plan", `not JSON (${(e as Error).message})`);
    }
  }
  if (doc && typeof doc === "object" && "version" in doc && (doc as { version: unknown }).version !== PLAN_VERSION) {
    throw new PlanError(
      "plan.version",
      `unsupported plan version ${JSON.stringify((doc as { version: unknown }).version)} (this client understands ${PLAN_VERSION})`,
    );
  }
  if (!validatePlanSchema(doc)) {
    const e = validatePlanSchema.errors![0]!;
    const p = e.params as Record<string, unknown>;
    if (e.keyword === "required")
      throw new PlanError(fieldOf(e.instancePath, String(p.missingProperty)), "is required");
    if (e.keyword === "additionalProperties")
      throw new PlanError(fieldOf(e.instancePath, String(p.additionalProperty)), "unknown field");
    if (e.keyword === "discriminator" || e.keyword === "enum")
      throw new PlanError(
        fieldOf(e.instancePath, p.tagName ? String(p.tagName) : undefined),
        `${e.message ?? "invalid"}${p.allowedValues ? ` ${JSON.stringify(p.allowedValues)}` : ""}`,
      );
    if (e.keyword === "const")
      throw new PlanError(fieldOf(e.instancePath), `must be ${JSON.stringify(p.allowedValue)}`);
    throw new PlanError(fieldOf(e.instancePath), e.message ?? "invalid");
  }
  const plan = doc as TrainingPlan;
  checkSemantics(plan);
  return plan;
}

function checkSemantics(plan: TrainingPlan): void {
  const { inputShape, outputShape, parameters } = inspectTopology(plan.model.topology);
  const max = plan.model.maxParameters ?? DEFAULT_MAX_PARAMETERS;
  if (parameters > max)
    throw new PlanError(
      "plan.model.topology",
      `model has ${parameters} parameters, above the limit of ${max} (plan.model.maxParameters)`,
    );
  const feat = plan.data.features.shape;
  if (!sameShape(inputShape, feat))
    throw new PlanError("plan.data.features.shape", `[${feat}] does not match the model input shape [${inputShape}]`);
  const labels = plan.data.labels;
  const oneHot = plan.data.preprocessing?.oneHot;
  let labelShape = labels.shape;
  if (oneHot) {
    if (labels.shape.length > 1 || (labels.shape.length === 1 && labels.shape[0] !== 1))
      throw new PlanError(
        "plan.data.preprocessing.oneHot",
        "one-hot needs scalar class labels (labels.shape [] or [1])",
      );
    labelShape = [oneHot.numClasses];
  }
  if (plan.training.loss === "sparseCategoricalCrossentropy") {
    if (oneHot) throw new PlanError("plan.data.preprocessing.oneHot", "not used with sparseCategoricalCrossentropy");
    if (labels.shape.length > 1 || (labels.shape.length === 1 && labels.shape[0] !== 1))
      throw new PlanError("plan.data.labels.shape", "sparse labels must be scalars");
    if (outputShape.length !== 1)
      throw new PlanError("plan.model.topology", `sparse categorical output must be a vector, got [${outputShape}]`);
  } else if (!sameShape(labelShape, outputShape)) {
    throw new PlanError(
      "plan.data.labels.shape",
      `[${labelShape}]${oneHot ? " (after one-hot)" : ""} does not match the model output shape [${outputShape}]`,
    );
  }
  if (plan.validation.minSamples > plan.validation.maxSamples)
    throw new PlanError("plan.validation.minSamples", "is above maxSamples");
  const agg = plan.aggregation;
  if (agg.minUpdates !== undefined && agg.maxUpdates !== undefined && agg.minUpdates > agg.maxUpdates)
    throw new PlanError("plan.aggregation.minUpdates", "is above maxUpdates");
  if (
    plan.training.optimizer.momentum !== undefined &&
    plan.training.optimizer.name !== "momentum" &&
    plan.training.optimizer.name !== "rmsprop"
  ) {
    throw new PlanError("plan.training.optimizer.momentum", `not used by ${plan.training.optimizer.name}`);
  }
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

const pair = (v: unknown, dflt: number): [number, number] =>
  v === undefined || v === null
    ? [dflt, dflt]
    : Array.isArray(v)
      ? [Number(v[0]), Number(v[1])]
      : [Number(v), Number(v)];

/**
 * Shape inference and parameter count for the whitelisted Sequential layers, without building the
 * model (an oversized plan is refused before anything is allocated).
 */
export function inspectTopology(topology: Topology): {
  inputShape: number[];
  outputShape: number[];
  parameters: number;
} {
  const layers = topology.config.layers;
  const first = layers[0]!.config;
  const bis = first.batch_input_shape as (number | null)[] | undefined;
  const is = first.input_shape as number[] | undefined;
  if (!bis && !is)
    throw new PlanError(
      "plan.model.topology.config.layers[0].config.batch_input_shape",
      "is required on the first layer",
    );
  const inputShape = (bis ? bis.slice(1) : is!) as number[];
  let shape = [...inputShape];
  let params = 0;
  layers.forEach((l, i) => {
    const c = l.config;
    const f = `plan.model.topology.config.layers[${i}]`;
    switch (l.class_name) {
      case "Dense": {
        const units = c.units as number;
        const d = shape[shape.length - 1]!;
        params += d * units + (c.use_bias === false ? 0 : units);
        shape = [...shape.slice(0, -1), units];
        break;
      }
      case "Conv2D":
      case "MaxPooling2D":
      case "AveragePooling2D": {
        if (shape.length !== 3)
          throw new PlanError(f, `${l.class_name} needs a [height, width, channels] input, got [${shape}]`);
        const [h, w, ch] = shape as [number, number, number];
        const conv = l.class_name === "Conv2D";
        const [kh, kw] = pair(conv ? c.kernel_size : c.pool_size, 2);
        const [sh, sw] = conv ? pair(c.strides, 1) : pair(c.strides ?? c.pool_size, 2);
        const same = c.padding === "same";
        const oh = same ? Math.ceil(h / sh) : Math.floor((h - kh) / sh) + 1;
        const ow = same ? Math.ceil(w / sw) : Math.floor((w - kw) / sw) + 1;
        if (oh < 1 || ow < 1) throw new PlanError(f, `kernel larger than its input [${shape}]`);
        const filters = conv ? (c.filters as number) : ch;
        if (conv) params += kh * kw * ch * filters + (c.use_bias === false ? 0 : filters);
        shape = [oh, ow, filters];
        break;
      }
      case "Flatten":
        shape = [shape.reduce((a, b) => a * b, 1)];
        break;
      case "Reshape": {
        const t = c.target_shape as number[];
        if (t.reduce((a, b) => a * b, 1) !== shape.reduce((a, b) => a * b, 1))
          throw new PlanError(`${f}.config.target_shape`, `[${t}] has a different size than its input [${shape}]`);
        shape = [...t];
        break;
      }
      default: // Dropout, Activation: shape-preserving
        break;
    }
    if (params > 1e12) throw new PlanError("plan.model.topology", "absurdly large model");
  });
  return { inputShape, outputShape: shape, parameters: params };
}

/**
 * A Sequential dense network topology (the MLP used by tests and the simulation).
 * Layer names are fixed ("dense_1", ...), so weight names are stable across builds.
 */
export function mlpTopology(inputDim: number, hidden: number[], classes: number, name = "mlp"): Topology {
  const units = [...hidden, classes];
  return {
    class_name: "Sequential",
    config: {
      name,
      layers: units.map((u, i) => ({
        class_name: "Dense",
        config: {
          name: `dense_${i + 1}`,
          units: u,
          activation: i === units.length - 1 ? "softmax" : "relu",
          use_bias: true,
          ...(i === 0 ? { batch_input_shape: [null, inputDim] } : {}),
        },
      })),
    },
  };
}
