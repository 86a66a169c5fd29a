/**
 * @fedstr/sdk/fl in a browser (the package's "browser" export condition): training plans, their
 * schema, the model codec, data files read from their text, and local training with TensorFlow.js
 * on a browser backend (backend-browser.ts) — the same code `fedstr train` runs. Aggregation and
 * file-system loaders stay in the Node entry (index.ts), which re-exports all of this.
 */

export type { LoadedTf, Tf } from "./backend.js";
export { BROWSER_BACKENDS, type BrowserBackend, loadBrowserTf } from "./backend-browser.js";
export * from "./codec.js";
export * from "./data-parse.js";
export * from "./plan.js";
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
