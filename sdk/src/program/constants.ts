import { PublicKey } from "@solana/web3.js";
import { IDL } from "./idl.js";

/** The fedstr program id (programs/fedstr/program-id.txt). */
export const FEDSTR_PROGRAM_ID = new PublicKey(IDL.address);

export const SEEDS = {
  pool: Buffer.from("pool"),
  escrow: Buffer.from("escrow"),
  stakeVault: Buffer.from("stake_vault"),
  participant: Buffer.from("participant"),
  commitment: Buffer.from("commitment"),
  round: Buffer.from("round"),
} as const;

/** `Pool.status` values. */
export const PoolStatus = {
  Active: 0,
  Finished: 1,
  Cancelled: 2,
  Expired: 3,
  Finalized: 4,
} as const;
export type PoolStatusName = keyof typeof PoolStatus;
export const poolStatusName = (s: number): PoolStatusName =>
  (Object.keys(PoolStatus) as PoolStatusName[]).find((k) => PoolStatus[k] === s) ?? "Active";

/** `Participant.status` values. */
export const ParticipantStatus = { Active: 0, Withdrawn: 1 } as const;

export const MAX_ROUNDS = 256;
export const MAX_PROOF_LEN = 32;
/** Length of a binary CIDv1 with a sha2-256 multihash. */
export const CID_LEN = 36;

/** Error name by code, from the IDL (codes start at 6000). */
export const FEDSTR_ERRORS: ReadonlyMap<number, string> = new Map(IDL.errors.map((e) => [e.code, e.name]));
