/**
 * A pool as its users see it: the on-chain terms joined with the job request on Nostr, and the
 * model each round trains from. Shared by `fedstr pools/status`, the aggregator and the web app.
 */

import { getMint } from "@solana/spl-token";
import type { Connection, PublicKey } from "@solana/web3.js";
import { toHex } from "../fl/codec.js";
import type { JobRequest } from "../nostr/events.js";
import { KIND_FL_JOB_REQUEST } from "../nostr/kinds.js";
import { queryEvents } from "../nostr/query.js";
import { type AcceptedEvent, EventReader } from "../nostr/reader.js";
import type { RelayPool } from "../nostr/relay-pool.js";
import type { PoolAccount } from "../program/accounts.js";
import { poolStatusName } from "../program/constants.js";
import { findRoundAddress } from "../program/generated.js";
import type { FedstrProgram } from "../program/program.js";
import { cidFromBytes } from "../storage/cid.js";
import type { ContentRef } from "./report.js";
import { scheduleOf } from "./schedule.js";

/** JSON-safe view of a Pool account (amounts as decimal strings, times as unix seconds). */
export interface PoolSummary {
  address: string;
  status: string;
  creator: string;
  aggregator: string;
  mint: string;
  poolId: string;
  rounds: number;
  roundsPosted: number;
  roundSeconds: number;
  joinDeadline: number;
  endDeadline: number;
  gracePeriod: number;
  claimWindow: number;
  minStake: string;
  maxParticipants: number;
  participants: number;
  slashLimitBps: number;
  funded: string;
  claimed: string;
  refunded: string;
  allocated: string;
  staked: string;
  slashed: string;
  /** Hex id of the Nostr job request (kind 5720). */
  jobId: string;
  planCid: string;
  initialModelCid: string;
  /**
   * The mint's freeze authority (base58), or null. Its holder can freeze the pool's escrow and stake
   * vault, and then nobody can claim or withdraw: a trust assumption the program does not remove.
   */
  freezeAuthority: string | null;
}

/** What a pool's users must know about its mint. */
export interface PoolMintInfo {
  freezeAuthority: PublicKey | null;
}

/** Reads the pool mint's freeze authority from the chain. */
export async function fetchPoolMint(connection: Connection, mint: PublicKey): Promise<PoolMintInfo> {
  const m = await getMint(connection, mint);
  return { freezeAuthority: m.freezeAuthority };
}

/** The warning line `fedstr pools`/`join` print for a mint with a freeze authority (undefined if none). */
export function freezeAuthorityWarning(summary: Pick<PoolSummary, "freezeAuthority">): string | undefined {
  if (summary.freezeAuthority === null) return undefined;
  return `warning: the pool mint has a freeze authority (${summary.freezeAuthority}); its holder can freeze the escrow and stake vault, locking rewards and stakes`;
}

export function summarizePool(address: PublicKey, p: PoolAccount, mint: PoolMintInfo): PoolSummary {
  const s = scheduleOf(p);
  return {
    address: address.toBase58(),
    status: poolStatusName(p.status),
    creator: p.creator.toBase58(),
    aggregator: p.aggregator.toBase58(),
    mint: p.mint.toBase58(),
    poolId: p.poolId.toString(),
    rounds: p.numRounds,
    roundsPosted: p.roundsPosted,
    roundSeconds: s.roundDuration,
    joinDeadline: s.joinDeadline,
    endDeadline: s.roundDeadline(s.numRounds),
    gracePeriod: s.gracePeriod,
    claimWindow: s.claimWindow,
    minStake: p.minStake.toString(),
    maxParticipants: p.maxParticipants,
    participants: p.participantCount,
    slashLimitBps: p.slashLimitBps,
    funded: p.totalFunded.toString(),
    claimed: p.totalClaimed.toString(),
    refunded: p.totalRefunded.toString(),
    allocated: p.totalAllocated.toString(),
    staked: p.totalStaked.toString(),
    slashed: p.totalSlashed.toString(),
    jobId: toHex(p.nostrJobId),
    planCid: cidFromBytes(p.trainingPlanCid).toString(),
    initialModelCid: cidFromBytes(p.initialModelCid).toString(),
    freezeAuthority: mint.freezeAuthority?.toBase58() ?? null,
  };
}

/**
 * The global model round `round` trains from: the initial model for round 1 (its sha256 is the
 * plan's model.initialWeights.sha256), else the model posted on chain for round - 1.
 * Undefined while round - 1 is not posted yet.
 */
export async function modelForRound(
  program: FedstrProgram,
  pool: PublicKey,
  account: PoolAccount,
  round: number,
  initialSha256: string,
): Promise<ContentRef | undefined> {
  if (round <= 1) return { cid: cidFromBytes(account.initialModelCid).toString(), sha256: initialSha256 };
  const prev = await program.account.roundResult.fetchNullable(findRoundAddress(pool, round - 1, program.programId)[0]);
  if (prev === null) return undefined;
  return { cid: cidFromBytes(prev.globalModelCid).toString(), sha256: toHex(prev.globalModelHash) };
}

/**
 * Fetch one job request by id from the relays (verified by an EventReader: id, signature, schema).
 * Undefined when every connected relay has answered (EOSE) or `timeoutMs` passed without it.
 */
export async function fetchJobRequest(
  relays: RelayPool,
  jobId: string,
  opts: { timeoutMs?: number } = {},
): Promise<Extract<AcceptedEvent, { type: "job-request" }> | undefined> {
  // Job requests stay valid for the pool's lifetime: no age limit here.
  const reader = new EventReader({ kinds: [KIND_FL_JOB_REQUEST], maxAgeSec: 10 * 365 * 86400 });
  for (const e of await queryEvents(relays, [{ ids: [jobId], kinds: [KIND_FL_JOB_REQUEST] }], opts)) {
    const a = reader.accept(e);
    if (a?.type === "job-request") return a;
  }
  return undefined;
}

/**
 * Why the job request `job` does not describe the pool at `address` (its on-chain terms, `account`)
 * of program `programId`, or undefined when it does. Checked: pool, program, training plan, initial
 * model, rounds, round length, join and end deadlines, minimum stake and the mint its amounts name.
 * Not the reward: the request advertises the first deposit, `fund_pool` may add to it (the chain's
 * `totalFunded` is what counts). What `fedstr train` and the aggregator check before acting on a job.
 */
export function jobRequestMismatch(
  job: JobRequest,
  address: PublicKey,
  account: PoolAccount,
  programId: PublicKey,
): string | undefined {
  const s = scheduleOf(account);
  const planCid = cidFromBytes(account.trainingPlanCid).toString();
  const modelCid = cidFromBytes(account.initialModelCid).toString();
  const mint = account.mint.toBase58();
  const wrongMint = [job.stake.mint, job.reward.mint].find((m) => m != null && m !== mint);
  if (job.pool !== address.toBase58()) return `it names pool ${job.pool}`;
  if (job.programId !== programId.toBase58()) return `it names program ${job.programId}`;
  if (job.planCid !== planCid) return `its plan ${job.planCid} is not the pool's ${planCid}`;
  if (job.initialModelCid !== modelCid) return `its model ${job.initialModelCid} is not the pool's ${modelCid}`;
  if (job.rounds !== account.numRounds) return `it has ${job.rounds} rounds, the pool ${account.numRounds}`;
  if (job.deadlines.roundSeconds !== s.roundDuration)
    return `its rounds last ${job.deadlines.roundSeconds} s, the pool's ${s.roundDuration} s`;
  if (job.deadlines.join !== s.joinDeadline)
    return `its join deadline is ${job.deadlines.join}, the pool's ${s.joinDeadline}`;
  if (job.deadlines.end !== s.roundDeadline(s.numRounds))
    return `its end deadline is ${job.deadlines.end}, the pool's ${s.roundDeadline(s.numRounds)}`;
  if (job.stake.amount !== account.minStake.toString())
    return `its stake ${job.stake.amount} is not the pool's minimum stake ${account.minStake.toString()}`;
  if (wrongMint !== undefined) return `it names mint ${wrongMint}, the pool's is ${mint}`;
  return undefined;
}
