/**
 * @fedstr/sdk/fl in a browser (the package's "browser" export condition): training plans, their
 * schema and the model codec — what the web app validates and shows. Training, aggregation and
 * data loading (TensorFlow.js, files) stay in the Node entry; the app's server runs those.
 */
export * from "./types.js";
export { createRng, permutation, type Rng } from "./rng.js";
export {
  CODEC_MAGIC, CODEC_VERSION, CodecError, encode, decode, decodeHeader, hash, hashBytes, toHex, fromHex, type DecodeOptions, type TensorHeader,
} from "./codec.js";
export {
  PLAN_FORMAT, PLAN_VERSION, DEFAULT_MAX_PARAMETERS, PlanError, parsePlan, inspectTopology, mlpTopology,
  type TrainingPlan, type AggregationConfig, type InnerAggregationConfig, type Topology, type LayerSpec,
} from "./plan.js";
export { planSchema } from "./plan-schema.js";
export type { PlanTemplate, TemplatedPlan } from "./templates.js";
