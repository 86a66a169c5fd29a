import { PublicKey } from "@solana/web3.js";
import { PoolStatus } from "./generated.js";
import { IDL } from "./idl.js";

// Seeds, statuses and bounds come from the program's interface description (generated).
export * from "./generated.js";

/** The fedstr program id (programs/fedstr/program-id.txt). */
export const FEDSTR_PROGRAM_ID = new PublicKey(IDL.address);

export type PoolStatusName = keyof typeof PoolStatus;
export const poolStatusName = (s: number): PoolStatusName =>
  (Object.keys(PoolStatus) as PoolStatusName[]).find((k) => PoolStatus[k] === s) ?? "Active";

/** Error name by code, from the IDL (codes start at 6000). */
export const FEDSTR_ERRORS: ReadonlyMap<number, string> = new Map(IDL.errors.map((e) => [e.code, e.name]));
