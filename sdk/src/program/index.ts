// @fedstr/sdk/program: everything off-chain code needs to talk to the fedstr program.
export { IDL, type Fedstr } from "./idl.js";
export * from "./constants.js";
export * from "./cid.js";
export * from "./merkle.js";
export * from "./program.js";
export * from "./accounts.js";
export * from "./events.js";
export * from "./errors.js";
