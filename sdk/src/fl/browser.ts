/**
 * @fedstr/sdk/fl in a browser (the package's "browser" export condition): training plans, their
 * schema, the model codec, data files read from their text, and local training with TensorFlow.js
 * on a browser backend (backend-browser.ts) — the same code `fedstr train` runs. Aggregation and
 * file-system loaders stay in the Node entry.
 */

export type { LoadedTf, Tf } from "./backend.js";
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
  hash,
  hashBytes,
  type TensorHeader,
  toHex,
} from "./codec.js";
export {
  type CsvOptions,
  DataError,
  type DataSchema,
  type Dataset,
  DatasetSizeError,
  dataFormatOf,
  datasetForPlan,
  type JsonlOptions,
  type ParseOptions,
  parseCsv,
  parseJsonl,
} from "./data-parse.js";
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
export type { PlanTemplate, TemplatedPlan } from "./templates.js";
export {
  type BatchProgress,
  type Metrics,
  preprocess,
  type TrainOptions,
  type TrainProgress,
  type TrainResult,
  trainLocal,
} from "./trainer.js";
export * from "./types.js";
