import { PoolStatus } from "./generated.js";
import { IDL } from "./idl.js";

// The program id, seeds, statuses, bounds and PDA helpers come from the program's interface
// description (generated).
export * from "./generated.js";

export type PoolStatusName = keyof typeof PoolStatus;
export const poolStatusName = (s: number): PoolStatusName =>
  (Object.keys(PoolStatus) as PoolStatusName[]).find((k) => PoolStatus[k] === s) ?? "Active";

/** Error name by code, from the IDL (codes start at 6000). */
export const FEDSTR_ERRORS: ReadonlyMap<number, string> = new Map(IDL.errors.map((e) => [e.code, e.name]));
