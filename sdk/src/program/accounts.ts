// Typed account fetching and decoding.
import { type IdlAccounts, utils } from "@coral-xyz/anchor";
import type { GetProgramAccountsFilter, PublicKey } from "@solana/web3.js";
import { PoolStatus } from "./generated.js";
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

// ---- Queries over a real RPC (getProgramAccounts with memcmp filters; LiteSVM cannot enumerate accounts).
// Byte offsets include the 8-byte discriminator.
const memcmp = (offset: number, bytes: Uint8Array | PublicKey) => ({
  memcmp: { offset, bytes: utils.bytes.bs58.encode(bytes instanceof Uint8Array ? bytes : bytes.toBytes()) },
});
const u32le = (v: number) => {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, v, true);
  return b;
};

/** Pools whose aggregator is `aggregator` (Pool.aggregator at offset 40). */
export const fetchPoolsByAggregator = (p: FedstrProgram, aggregator: PublicKey) =>
  p.account.pool.all([memcmp(40, aggregator)]);
/** Pools created by `creator` (Pool.creator at offset 8). */
export const fetchPoolsByCreator = (p: FedstrProgram, creator: PublicKey) => p.account.pool.all([memcmp(8, creator)]);
/** All participant states of a pool (Participant.pool at offset 8). */
export const fetchParticipantsOfPool = (p: FedstrProgram, pool: PublicKey) =>
  p.account.participant.all([memcmp(8, pool)]);
/** Commitment fields the queries filter on: byte offsets with the discriminator (pool, authority, round u32 LE). */
const COMMITMENT_OFFSET = { pool: 8, authority: 40, round: 88 } as const;
/** The filters that pick a pool's commitments for one round. */
const commitmentsOfRound = (pool: PublicKey, round: number) => [
  memcmp(COMMITMENT_OFFSET.pool, pool),
  memcmp(COMMITMENT_OFFSET.round, u32le(round)),
];
/** All commitments of a pool for one round. */
export const fetchCommitmentsOfRound = (p: FedstrProgram, pool: PublicKey, round: number) =>
  p.account.commitment.all(commitmentsOfRound(pool, round));
/** Commitment accounts matching `filters`, with only `slice` of their data. */
async function listCommitments(
  p: FedstrProgram,
  filters: GetProgramAccountsFilter[],
  slice: { offset: number; length: number },
) {
  const { connection } = p.provider;
  const discriminator = p.coder.accounts.memcmp("commitment");
  return connection.getProgramAccounts(p.programId, {
    commitment: connection.commitment,
    dataSlice: slice,
    filters: [{ memcmp: { offset: discriminator.offset, bytes: discriminator.bytes } }, ...filters],
  });
}
/** The addresses of a pool's commitments for one round, without their data (an empty data slice). */
export async function listCommitmentAddressesOfRound(
  p: FedstrProgram,
  pool: PublicKey,
  round: number,
): Promise<PublicKey[]> {
  const listed = await listCommitments(p, commitmentsOfRound(pool, round), { offset: 0, length: 0 });
  return listed.map((a) => a.pubkey);
}

/** A commitment account close_commitment accepts now, and the rent its close returns to the participant. */
export interface ClosableCommitment {
  address: PublicKey;
  round: number;
  lamports: number;
}
/**
 * The commitments of `authority` on `pool` that can be closed now, oldest round first: those of posted
 * rounds (`round <= roundsPosted`), every one once the pool is finalized. `pool` is the pool account as
 * just read (its `roundsPosted` and `status`).
 */
export async function listClosableCommitments(
  p: FedstrProgram,
  poolAddress: PublicKey,
  authority: PublicKey,
  pool: Pick<PoolAccount, "roundsPosted" | "status">,
): Promise<ClosableCommitment[]> {
  const listed = await listCommitments(
    p,
    [memcmp(COMMITMENT_OFFSET.pool, poolAddress), memcmp(COMMITMENT_OFFSET.authority, authority)],
    { offset: COMMITMENT_OFFSET.round, length: 4 },
  );
  const finalized = pool.status === PoolStatus.Finalized;
  return listed
    .map((a) => {
      const d = a.account.data;
      const round = new DataView(d.buffer, d.byteOffset, d.byteLength).getUint32(0, true);
      return { address: a.pubkey, round, lamports: a.account.lamports };
    })
    .filter((c) => finalized || c.round <= pool.roundsPosted)
    .sort((a, b) => a.round - b.round);
}
/** All posted round results of a pool (RoundResult.pool at offset 8). */
export const fetchRoundResultsOfPool = (p: FedstrProgram, pool: PublicKey) =>
  p.account.roundResult.all([memcmp(8, pool)]);
