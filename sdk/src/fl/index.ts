/**
 * @fedstr/sdk/fl — the federated-learning core shared by the participant client and the aggregator:
 * training plans, the canonical model codec, update validation, aggregation strategies, local
 * training and data. See docs/fl.md.
 */
export * from "./types.js";
export { createRng, permutation, type Rng } from "./rng.js";
export {
  CODEC_MAGIC, CODEC_VERSION, CodecError, encode, decode, decodeHeader, hash, hashBytes, toHex, fromHex,
  modelWeightNames, weightsFromModel, setModelWeights, toTensors, fromTensors, type DecodeOptions, type TensorHeader,
} from "./codec.js";
export {
  PLAN_FORMAT, PLAN_VERSION, DEFAULT_MAX_PARAMETERS, PlanError, parsePlan, inspectTopology, mlpTopology,
  type TrainingPlan, type AggregationConfig, type InnerAggregationConfig, type Topology, type LayerSpec,
} from "./plan.js";
export { planSchema } from "./plan-schema.js";
export { validateUpdate, type RejectReason, type ValidationBounds, type Verdict } from "./validate.js";
export * from "./strategies/index.js";
export { runRound, TooFewUpdatesError, aggregate, recompute, evaluationGate, type Candidate, type UpdateVerdict, type RoundResult, type RoundOptions, type RoundInputs } from "./round.js";
export { loadTf, type Tf, type BackendChoice, type LoadedTf } from "./backend.js";
export { loadBrowserTf, BROWSER_BACKENDS, type BrowserBackend } from "./backend-browser.js";
export {
  trainLocal, evaluate, buildModel, initialWeights, preprocess, privatize,
  type TrainOptions, type TrainProgress, type BatchProgress, type TrainResult, type Metrics,
} from "./trainer.js";
export {
  loadCsv, loadJsonl, saveJsonl, loadDigits, partitionIid, partitionDirichlet, subset, trainTestSplit, classOf, DataError,
  DatasetSizeError, parseCsv, parseJsonl, datasetForPlan, dataFormatOf,
  type Dataset, type DataSchema, type CsvOptions, type JsonlOptions, type ParseOptions,
} from "./data.js";
export { simulate, poisonUpdate, digitsPlan, type SimulationOptions, type SimulationRound, type SimulationResult } from "./simulation.js";
export { PLAN_TEMPLATES, planTemplate, planFromTemplate, type PlanTemplate, type TemplatedPlan } from "./templates.js";
