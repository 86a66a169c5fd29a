// @fedstr/sdk/program: everything off-chain code needs to talk to the fedstr program.

export * from "./accounts.js";
export * from "./cid.js";
export * from "./constants.js";
export * from "./errors.js";
export * from "./events.js";
export { type Fedstr, IDL } from "./idl.js";
export * from "./merkle.js";
export * from "./program.js";
