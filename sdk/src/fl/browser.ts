/**
 * @fedstr/sdk/fl in a browser (the package's "browser" export condition): training plans, their
 * schema, the model codec, data files read from their text, and local training with TensorFlow.js
 * on a browser backend (backend-browser.ts) — the same code `fedstr train` runs. Aggregation and
 * file-system loaders stay in the Node entry.
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
export { DataError, DatasetSizeError, parseCsv, parseJsonl, datasetForPlan, dataFormatOf, type ParseOptions, type Dataset, type DataSchema, type CsvOptions, type JsonlOptions } from "./data-parse.js";
export { trainLocal, preprocess, type TrainOptions, type TrainProgress, type BatchProgress, type TrainResult, type Metrics } from "./trainer.js";
export { loadBrowserTf, BROWSER_BACKENDS, type BrowserBackend } from "./backend-browser.js";
export type { Tf, LoadedTf } from "./backend.js";
