/**
 * @fedstr/sdk/fl — the federated-learning core shared by the participant client and the aggregator:
 * training plans, the canonical model codec, update validation, aggregation strategies, local
 * training and data. See docs/fl.md.
 */

export { type BackendChoice, type LoadedTf, loadTf, type Tf } from "./backend.js";
export { BROWSER_BACKENDS, type BrowserBackend, loadBrowserTf } from "./backend-browser.js";
export {
  CODEC_MAGIC,
  CODEC_VERSION,
  CodecError,
  type DecodeOptions,
  decode,
  decodeHeader,
  encode,
  fromHex,
  fromTensors,
  hash,
  hashBytes,
  modelWeightNames,
  setModelWeights,
  type TensorHeader,
  toHex,
  toTensors,
  weightsFromModel,
} from "./codec.js";
export {
  type CsvOptions,
  classOf,
  DataError,
  type DataSchema,
  type Dataset,
  DatasetSizeError,
  dataFormatOf,
  datasetForPlan,
  type JsonlOptions,
  loadCsv,
  loadDigits,
  loadJsonl,
  type ParseOptions,
  parseCsv,
  parseJsonl,
  partitionDirichlet,
  partitionIid,
  saveJsonl,
  subset,
  trainTestSplit,
} from "./data.js";
export {
  type AggregationConfig,
  DEFAULT_MAX_PARAMETERS,
  type InnerAggregationConfig,
  inspectTopology,
  type LayerSpec,
  mlpTopology,
  PLAN_FORMAT,
  PLAN_VERSION,
  PlanError,
  parsePlan,
  type Topology,
  type TrainingPlan,
} from "./plan.js";
export { planSchema } from "./plan-schema.js";
export { createRng, permutation, type Rng } from "./rng.js";
export {
  aggregate,
  type Candidate,
  evaluationGate,
  type RoundInputs,
  type RoundOptions,
  type RoundResult,
  recompute,
  runRound,
  TooFewUpdatesError,
  type UpdateVerdict,
} from "./round.js";
export {
  digitsPlan,
  poisonUpdate,
  type SimulationOptions,
  type SimulationResult,
  type SimulationRound,
  simulate,
} from "./simulation.js";
export * from "./strategies/index.js";
export { PLAN_TEMPLATES, type PlanTemplate, planFromTemplate, planTemplate, type TemplatedPlan } from "./templates.js";
export {
  type BatchProgress,
  buildModel,
  evaluate,
  initialWeights,
  type Metrics,
  preprocess,
  privatize,
  type TrainOptions,
  type TrainProgress,
  type TrainResult,
  trainLocal,
} from "./trainer.js";
export * from "./types.js";
export { type RejectReason, type ValidationBounds, type Verdict, validateUpdate } from "./validate.js";
