/**
 * @fedstr/sdk/job in a browser (the package's "browser" export condition): all but verifyRoundReport,
 * whose recomputation needs the Node aggregation kernel (the Node entry, index.ts, adds it).
 */

export * from "./amount.js";
export * from "./pool.js";
export * from "./privacy-modes.js";
export * from "./report.js";
export * from "./report-check.js";
export * from "./round-report.js";
export * from "./schedule.js";
