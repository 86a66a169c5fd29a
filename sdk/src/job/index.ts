/**
 * @fedstr/sdk/job — what the participant client, the aggregator and the web app share about a
 * running training job: the pool's schedule on the chain's clock, the pool summary and the model
 * each round trains from, and the round report the aggregator publishes. browser.ts is all of it
 * that a browser can run.
 */

export * from "./browser.js";
export * from "./verify-round.js";
