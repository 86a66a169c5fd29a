/**
 * @fedstr/sdk/fl — the federated-learning core shared by the participant client and the aggregator:
 * training plans, the canonical model codec, update validation, aggregation strategies, local
 * training and data. See docs/fl.md. Everything a browser can run is in browser.ts; this entry adds
 * the Node-only parts (Node backends, file loaders, aggregation, simulation).
 */

export { type BackendChoice, loadTf } from "./backend.js";
export * from "./browser.js";
export {
  classOf,
  loadCsv,
  loadDigits,
  loadJsonl,
  partitionDirichlet,
  partitionIid,
  saveJsonl,
  subset,
  trainTestSplit,
} from "./data.js";
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
export { PLAN_TEMPLATES, planFromTemplate, planTemplate } from "./templates.js";
export { buildModel, evaluate, initialWeights, privatize } from "./trainer.js";
export { type RejectReason, type ValidationBounds, type Verdict, validateUpdate } from "./validate.js";
