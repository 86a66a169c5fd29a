/**
 * A pool as its users see it: the on-chain terms joined with the job request on Nostr, and the
 * model each round trains from. Shared by `fedstr pools/status`, the aggregator and the web app.
 */
import { PublicKey } from "@solana/web3.js";
import { poolStatusName } from "../program/constants.js";
import { findRoundAddress } from "../program/pda.js";
import type { FedstrProgram } from "../program/program.js";
import type { PoolAccount } from "../program/accounts.js";
import { cidFromBytes } from "../storage/cid.js";
import { EventReader, type AcceptedEvent } from "../nostr/reader.js";
import type { RelayPool } from "../nostr/relay-pool.js";
import { queryEvents } from "../nostr/query.js";
import { KIND_FL_JOB_REQUEST } from "../nostr/kinds.js";
import { scheduleOf } from "./schedule.js";
import type { ContentRef } from "./report.js";

const hex = (b: Uint8Array | number[]) => Buffer.from(b).toString("hex");

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
}

export function summarizePool(address: PublicKey, p: PoolAccount): PoolSummary {
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
    jobId: hex(p.nostrJobId),
    planCid: cidFromBytes(p.clientScriptCid).toString(),
    initialModelCid: cidFromBytes(p.initialModelCid).toString(),
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
  return { cid: cidFromBytes(prev.globalModelCid).toString(), sha256: hex(prev.globalModelHash) };
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
