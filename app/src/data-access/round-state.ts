"use client";
// What the browser participant has done in each round, kept in IndexedDB (idb-keyval) so that a
// reload or a closed tab loses no committed work: the update's CID, sha256 and sample count once
// uploaded, the commit signature once committed, the result event once published. The chain's
// commitment account is still what decides whether a round is committed (checked before every commit).
import { get, keys, set } from "idb-keyval";

export interface RoundState {
  round: number;
  cid?: string;
  sha256?: string;
  samples?: number;
  metrics?: Record<string, number>;
  backend?: string;
  /** The commit_update signature, or "chain" when the chain already had the commitment. */
  committed?: string;
  /** The published result event's id. */
  eventId?: string;
}

export interface RoundStateScope {
  cluster: string;
  programId: string;
  pool: string;
  wallet: string;
}

const prefix = (s: RoundStateScope) => `fedstr.train/${s.cluster}/${s.programId}/${s.pool}/${s.wallet}/`;

export async function loadRoundState(s: RoundStateScope, round: number): Promise<RoundState | undefined> {
  return await get<RoundState>(`${prefix(s)}${round}`);
}

export async function saveRoundState(s: RoundStateScope, state: RoundState): Promise<void> {
  await set(`${prefix(s)}${state.round}`, state);
}

/** Every round this wallet has state for in this pool, by round. */
export async function allRoundStates(s: RoundStateScope): Promise<RoundState[]> {
  const p = prefix(s);
  const mine = (await keys()).filter((k): k is string => typeof k === "string" && k.startsWith(p));
  const states = await Promise.all(mine.map((k) => get<RoundState>(k)));
  return states.filter((x): x is RoundState => !!x).sort((a, b) => a.round - b.round);
}
