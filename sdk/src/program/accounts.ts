// Typed account fetching and decoding.
import type { IdlAccounts } from "@coral-xyz/anchor";
import type { PublicKey } from "@solana/web3.js";
import type { Fedstr } from "./idl.js";
import type { FedstrProgram } from "./program.js";

export type PoolAccount = IdlAccounts<Fedstr>["pool"];
export type ParticipantAccount = IdlAccounts<Fedstr>["participant"];
export type CommitmentAccount = IdlAccounts<Fedstr>["commitment"];
export type RoundResultAccount = IdlAccounts<Fedstr>["roundResult"];

export const fetchPool = (p: FedstrProgram, address: PublicKey) => p.account.pool.fetchNullable(address);
export const fetchParticipant = (p: FedstrProgram, address: PublicKey) => p.account.participant.fetchNullable(address);
export const fetchCommitment = (p: FedstrProgram, address: PublicKey) => p.account.commitment.fetchNullable(address);
export const fetchRoundResult = (p: FedstrProgram, address: PublicKey) => p.account.roundResult.fetchNullable(address);

type AccountName = "pool" | "participant" | "commitment" | "roundResult";
/** Decodes raw account data (with its 8-byte discriminator) into the typed account. */
export function decodeAccount<N extends AccountName>(p: FedstrProgram, name: N, data: Buffer): IdlAccounts<Fedstr>[N] {
  return p.coder.accounts.decode(name, data);
}

/** Whether participant `state` has claimed round `round` (1-based). */
export function hasClaimed(state: ParticipantAccount, round: number): boolean {
  const byte = state.claimedRounds[(round - 1) >> 3] ?? 0;
  return (byte & (1 << ((round - 1) & 7))) !== 0;
}
