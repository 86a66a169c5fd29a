/**
 * @fedstr/sdk/job in a browser (the package's "browser" export condition): all but verifyRoundReport,
 * whose recomputation needs the Node aggregation kernel.
 *
 * @fedstr/sdk/job — what the participant client, the aggregator and the web app share about a
 * running training job: the pool's schedule on the chain's clock, the pool summary and the model
 * each round trains from, and the round report the aggregator publishes.
 */

export * from "./amount.js";
export * from "./pool.js";
export * from "./privacy-modes.js";
export * from "./report.js";
export * from "./report-check.js";
export * from "./round-report.js";
export * from "./schedule.js";
