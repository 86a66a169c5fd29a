// Program handle and instruction builders. Builders pass the accounts that are not
// derivable; Anchor resolves the rest from the IDL (PDA seeds, fixed program ids).
// `overrides` replaces any account (tests use it to pass wrong ones). Builders
// return a TransactionInstruction to compose freely.
import * as anchor from "@coral-xyz/anchor";
import { Program, type Provider } from "@coral-xyz/anchor";
import { PACKET_DATA_SIZE, PublicKey, Transaction, type TransactionInstruction } from "@solana/web3.js";
import {
  FEDSTR_PROGRAM_ID,
  findCommitmentAddress,
  findEscrowAddress,
  findParticipantAddress,
  findPoolAddress,
  findRoundAddress,
  findStakeVaultAddress,
} from "./generated.js";
import { type Fedstr, IDL } from "./idl.js";

export type FedstrProgram = Program<Fedstr>;
type Accounts = Record<string, PublicKey>;
type U64 = bigint | number;

// anchor is CommonJS; Node's ESM loader cannot see its `BN` re-export by name, so
// take it from the namespace or, failing that, from the CommonJS default export.
export const BN: typeof anchor.BN =
  (anchor as { BN?: typeof anchor.BN }).BN ?? (anchor as unknown as { default: { BN: typeof anchor.BN } }).default.BN;
const bn = (v: U64) => new BN(v.toString());
const bytes = (b: Uint8Array | number[], len: number, what: string) => {
  if (b.length !== len) throw new Error(`${what} must be ${len} bytes`);
  return Array.from(b);
};

/** A Program<Fedstr> bound to `provider` (optionally at another program id). */
export function getFedstrProgram(provider: Provider, programId: PublicKey = FEDSTR_PROGRAM_ID): FedstrProgram {
  // Anchor's idiom: the JSON IDL typed as its camelCase type; `Program` converts the names itself.
  return new Program<Fedstr>({ ...IDL, address: programId.toBase58() } as unknown as Fedstr, provider);
}

export interface CreatePoolArgs {
  creator: PublicKey;
  poolId: U64;
  mint: PublicKey;
  /** Creator's token account of `mint` the rewards come from. */
  creatorToken: PublicKey;
  aggregator: PublicKey;
  rewardAmount: U64;
  minStake: U64;
  maxParticipants: number;
  numRounds: number;
  /** Seconds per round. */
  roundDuration: U64;
  /** Unix time; round 1 starts here. */
  joinDeadline: U64;
  gracePeriod: U64;
  claimWindow: U64;
  slashLimitBps: number;
  nostrJobId: Uint8Array;
  /** Binary CIDv1 of the training plan. */
  trainingPlanCid: Uint8Array;
  initialModelCid: Uint8Array;
}

export async function createPoolIx(
  p: FedstrProgram,
  a: CreatePoolArgs,
  overrides: Accounts = {},
): Promise<TransactionInstruction> {
  // The program checks the bumps are canonical; the addresses Anchor derives from the IDL's seeds.
  const [pool, poolBump] = findPoolAddress(a.creator, a.poolId, p.programId);
  const [, escrowBump] = findEscrowAddress(pool, p.programId);
  const [, vaultBump] = findStakeVaultAddress(pool, p.programId);
  return p.methods
    .createPool(
      bn(a.poolId),
      {
        aggregator: a.aggregator,
        rewardAmount: bn(a.rewardAmount),
        minStake: bn(a.minStake),
        maxParticipants: a.maxParticipants,
        numRounds: a.numRounds,
        roundDuration: bn(a.roundDuration),
        joinDeadline: bn(a.joinDeadline),
        gracePeriod: bn(a.gracePeriod),
        claimWindow: bn(a.claimWindow),
        slashLimitBps: a.slashLimitBps,
        nostrJobId: bytes(a.nostrJobId, 32, "nostrJobId"),
        trainingPlanCid: bytes(a.trainingPlanCid, 36, "trainingPlanCid"),
        initialModelCid: bytes(a.initialModelCid, 36, "initialModelCid"),
      },
      poolBump,
      escrowBump,
      vaultBump,
    )
    .accountsPartial({ creator: a.creator, mint: a.mint, creatorToken: a.creatorToken, ...overrides })
    .instruction();
}

export async function fundPoolIx(
  p: FedstrProgram,
  a: { creator: PublicKey; pool: PublicKey; creatorToken: PublicKey; amount: U64 },
  overrides: Accounts = {},
) {
  return p.methods
    .fundPool(bn(a.amount))
    .accountsPartial({ creator: a.creator, pool: a.pool, creatorToken: a.creatorToken, ...overrides })
    .instruction();
}

export async function joinPoolIx(
  p: FedstrProgram,
  a: {
    participant: PublicKey;
    pool: PublicKey;
    participantToken: PublicKey;
    stake: U64;
    /** The participant's Nostr x-only public key (32 bytes); aggregators accept its result events only. */
    nostrPubkey: Uint8Array;
  },
  overrides: Accounts = {},
) {
  return p.methods
    .joinPool(bn(a.stake), bytes(a.nostrPubkey, 32, "nostrPubkey"))
    .accountsPartial({ participant: a.participant, pool: a.pool, participantToken: a.participantToken, ...overrides })
    .instruction();
}

export async function commitUpdateIx(
  p: FedstrProgram,
  a: {
    participant: PublicKey;
    pool: PublicKey;
    round: number;
    updateHash: Uint8Array;
    updateCid: Uint8Array;
    /** Training sample count (>= 1), what FedAvg weights the update by. */
    samples: U64;
    bump?: number;
  },
  overrides: Accounts = {},
) {
  const [, bump] = findCommitmentAddress(a.pool, a.participant, a.round, p.programId);
  return p.methods
    .commitUpdate(
      a.round,
      bytes(a.updateHash, 32, "updateHash"),
      bytes(a.updateCid, 36, "updateCid"),
      bn(a.samples),
      a.bump ?? bump,
    )
    .accountsPartial({ participant: a.participant, pool: a.pool, ...overrides })
    .instruction();
}

export interface PostRoundArgs {
  aggregator: PublicKey;
  pool: PublicKey;
  round: number;
  globalModelCid: Uint8Array;
  globalModelHash: Uint8Array;
  merkleRoot: Uint8Array;
  /** Evaluation metric, fixed point ×1e6. */
  metric: U64;
  reward: U64;
  acceptedCount: number;
  /** Binary CIDv1 of the round report (uploaded before posting). */
  reportCid: Uint8Array;
  /** sha256 of the report bytes. */
  reportSha256: Uint8Array;
  /** Test hook: a bump other than the canonical one. */
  bump?: number;
}

export async function postRoundIx(p: FedstrProgram, a: PostRoundArgs, overrides: Accounts = {}) {
  const [, bump] = findRoundAddress(a.pool, a.round, p.programId);
  return p.methods
    .postRound(
      a.round,
      {
        globalModelCid: bytes(a.globalModelCid, 36, "globalModelCid"),
        globalModelHash: bytes(a.globalModelHash, 32, "globalModelHash"),
        merkleRoot: bytes(a.merkleRoot, 32, "merkleRoot"),
        metric: bn(a.metric),
        reward: bn(a.reward),
        acceptedCount: a.acceptedCount,
        reportCid: bytes(a.reportCid, 36, "reportCid"),
        reportSha256: bytes(a.reportSha256, 32, "reportSha256"),
      },
      a.bump ?? bump,
    )
    .accountsPartial({ aggregator: a.aggregator, pool: a.pool, ...overrides })
    .instruction();
}

export interface ClaimRewardArgs {
  participant: PublicKey;
  pool: PublicKey;
  round: number;
  weight: U64;
  amount: U64;
  updateHash: Uint8Array;
  proof: Uint8Array[];
  /** Token account of the pool mint receiving the reward. */
  destination: PublicKey;
}

export async function claimRewardIx(p: FedstrProgram, a: ClaimRewardArgs, overrides: Accounts = {}) {
  return p.methods
    .claimReward(
      a.round,
      bn(a.weight),
      bn(a.amount),
      bytes(a.updateHash, 32, "updateHash"),
      a.proof.map((x) => bytes(x, 32, "proof node")),
    )
    .accountsPartial({ participant: a.participant, pool: a.pool, destination: a.destination, ...overrides })
    .instruction();
}

export async function slashIx(
  p: FedstrProgram,
  a: {
    aggregator: PublicKey;
    pool: PublicKey;
    participant: PublicKey;
    round: number;
    amount: U64;
    reason: number;
    evidenceCid: Uint8Array;
  },
  overrides: Accounts = {},
) {
  return p.methods
    .slash(a.round, bn(a.amount), a.reason, bytes(a.evidenceCid, 36, "evidenceCid"))
    .accountsPartial({
      aggregator: a.aggregator,
      pool: a.pool,
      // The participant is no account of `slash`, so its PDAs are not resolvable from the IDL.
      participantState: findParticipantAddress(a.pool, a.participant, p.programId)[0],
      commitment: findCommitmentAddress(a.pool, a.participant, a.round, p.programId)[0],
      ...overrides,
    })
    .instruction();
}

export async function withdrawStakeIx(
  p: FedstrProgram,
  a: { participant: PublicKey; pool: PublicKey; destination: PublicKey },
  overrides: Accounts = {},
) {
  return p.methods
    .withdrawStake()
    .accountsPartial({ participant: a.participant, pool: a.pool, destination: a.destination, ...overrides })
    .instruction();
}

type RefundIx = "cancelPool" | "expirePool" | "finalizePool";
async function refundIx(
  p: FedstrProgram,
  ix: RefundIx,
  signerName: "creator" | "caller",
  signer: PublicKey,
  pool: PublicKey,
  creatorToken: PublicKey,
  overrides: Accounts,
) {
  return (p.methods[ix]() as ReturnType<FedstrProgram["methods"]["cancelPool"]>)
    .accountsPartial({ [signerName]: signer, pool, creatorToken, ...overrides } as never)
    .instruction();
}

/** Creator cancels before the first round; `creatorToken` is the creator's account of the pool mint. */
export const cancelPoolIx = (
  p: FedstrProgram,
  a: { creator: PublicKey; pool: PublicKey; creatorToken: PublicKey },
  overrides: Accounts = {},
) => refundIx(p, "cancelPool", "creator", a.creator, a.pool, a.creatorToken, overrides);
/** Anyone expires a pool whose aggregator missed a deadline + grace period. */
export const expirePoolIx = (
  p: FedstrProgram,
  a: { caller: PublicKey; pool: PublicKey; creatorToken: PublicKey },
  overrides: Accounts = {},
) => refundIx(p, "expirePool", "caller", a.caller, a.pool, a.creatorToken, overrides);
/** Anyone finalizes after the claim window; leftovers go to the creator. */
export const finalizePoolIx = (
  p: FedstrProgram,
  a: { caller: PublicKey; pool: PublicKey; creatorToken: PublicKey },
  overrides: Accounts = {},
) => refundIx(p, "finalizePool", "caller", a.caller, a.pool, a.creatorToken, overrides);

/** The creator closes a finalized pool once its participant and round accounts are closed; stray tokens go to `creatorToken`. */
export async function closePoolIx(
  p: FedstrProgram,
  a: { creator: PublicKey; pool: PublicKey; creatorToken: PublicKey },
  overrides: Accounts = {},
) {
  return p.methods
    .closePool()
    .accountsPartial({ creator: a.creator, pool: a.pool, creatorToken: a.creatorToken, ...overrides })
    .instruction();
}

/**
 * Anyone closes a participant account of a finalized pool (its commitments first); a stake never withdrawn
 * goes to `destination`, the participant's own token account of the pool mint; rent to the participant.
 */
export async function closeParticipantIx(
  p: FedstrProgram,
  a: { caller: PublicKey; participant: PublicKey; pool: PublicKey; destination: PublicKey },
  overrides: Accounts = {},
) {
  return p.methods
    .closeParticipant()
    .accountsPartial({
      caller: a.caller,
      participant: a.participant,
      pool: a.pool,
      destination: a.destination,
      ...overrides,
    })
    .instruction();
}

/** Anyone closes a commitment once its round is posted (or the pool is finalized); rent to the participant that made it. */
export async function closeCommitmentIx(
  p: FedstrProgram,
  a: { caller: PublicKey; participant: PublicKey; pool: PublicKey; round: number },
  overrides: Accounts = {},
) {
  return p.methods
    .closeCommitment()
    .accountsPartial({
      caller: a.caller,
      participant: a.participant,
      pool: a.pool,
      // Derived here, not by Anchor: `round` is no argument of close_commitment, and the state stays
      // the commitment's participant's even when a test overrides `participant`.
      participantState: findParticipantAddress(a.pool, a.participant, p.programId)[0],
      commitment: findCommitmentAddress(a.pool, a.participant, a.round, p.programId)[0],
      ...overrides,
    })
    .instruction();
}

/**
 * close_commitment for each of `rounds` of `participant` (e.g. the rounds listClosableCommitments
 * found); `caller` signs, the rent goes to the participant.
 */
export function closeCommitmentIxs(
  p: FedstrProgram,
  a: { caller: PublicKey; participant: PublicKey; pool: PublicKey; rounds: readonly number[] },
): Promise<TransactionInstruction[]> {
  return Promise.all(a.rounds.map((round) => closeCommitmentIx(p, { ...a, round })));
}

/**
 * How many of `extra` (a prefix) fit after `base` in one legacy transaction paid and signed by
 * `payer`: the wire size plus `reserveBytes` stays within PACKET_DATA_SIZE (1,232 bytes). For
 * bundling optional instructions (closing accounts) into a transaction that is sent anyway.
 */
export function countFitting(
  payer: PublicKey,
  base: readonly TransactionInstruction[],
  extra: readonly TransactionInstruction[],
  reserveBytes = 0,
): number {
  const size = (n: number) => {
    const tx = new Transaction({ feePayer: payer, recentBlockhash: PublicKey.default.toBase58() });
    tx.add(...base, ...extra.slice(0, n));
    const message = tx.compileMessage();
    const signatures = message.header.numRequiredSignatures;
    return message.serialize().length + (signatures < 128 ? 1 : 2) + 64 * signatures;
  };
  let n = 0;
  while (n < extra.length && size(n + 1) + reserveBytes <= PACKET_DATA_SIZE) n++;
  return n;
}

/** Anyone closes a round result of a finalized pool; rent to the aggregator that paid it. */
export async function closeRoundIx(
  p: FedstrProgram,
  a: { caller: PublicKey; aggregator: PublicKey; pool: PublicKey; round: number },
  overrides: Accounts = {},
) {
  return p.methods
    .closeRound()
    .accountsPartial({
      caller: a.caller,
      aggregator: a.aggregator,
      pool: a.pool,
      // `round` is no argument of close_round, so its PDA is derived here.
      roundResult: findRoundAddress(a.pool, a.round, p.programId)[0],
      ...overrides,
    })
    .instruction();
}
