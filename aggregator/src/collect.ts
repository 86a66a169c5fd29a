/**
 * Candidates of a round: the on-chain commitments of round r joined with the participants' Nostr
 * results (by bound wallet, same CID and sha256), in wallet order (base58, plain string order —
 * deterministic). The commitment carries everything aggregation needs (CID, sha256, sample count),
 * so a commitment whose result is late or missing is still a candidate, taken from the chain alone
 * (`fromChain`, answered at the participant's on-chain Nostr key): a relay outage costs nobody a
 * committed update. A result that contradicts its own commitment (another update: NOT_COMMITTED,
 * another sample count: SAMPLES_MISMATCH) is the participant's fault and rejected; a result without
 * a commitment is NOT_COMMITTED. A result whose wallet never joined the pool is no candidate at
 * all: strangers are neither reported nor answered (the service's reader drops them on arrival;
 * this is the second line).
 */
import type { AcceptedEvent } from "@fedstr/sdk/nostr";
import type { CandidateRecord, StoredResult } from "./checkpoint.js";

/** An on-chain commitment, in string form; `samples` is the committed sample count (what FedAvg weights by). */
export interface CommitmentInfo {
  participant: string;
  cid: string;
  sha256: string;
  samples: number;
}

/** A StoredResult from an accepted kind-6720 event (undefined when it has no payload, i.e. could not be decrypted). */
export function storedResult(a: Extract<AcceptedEvent, { type: "result" }>): StoredResult | undefined {
  const p = a.result.payload;
  if (p === undefined) return undefined;
  return {
    participant: a.result.binding.solanaPubkey,
    nostrPubkey: a.event.pubkey,
    eventId: a.event.id,
    createdAt: a.event.created_at,
    round: a.result.round,
    cid: p.update,
    sha256: p.sha256,
    samples: p.samples,
    metrics: p.metrics,
  };
}

const byWallet = (a: { participant: string }, b: { participant: string }) =>
  a.participant < b.participant ? -1 : a.participant > b.participant ? 1 : 0;
const firstResult = (rs: StoredResult[]) =>
  [...rs].sort((a, b) => a.createdAt - b.createdAt || (a.eventId < b.eventId ? -1 : 1))[0]!;

/**
 * Join commitments and results. `participants` are the wallets with a Participant account on the
 * pool (active or not); `nostrKeys` their on-chain Nostr keys (where a chain-only candidate's
 * feedback goes).
 */
export function buildCandidates(
  commitments: CommitmentInfo[],
  results: StoredResult[],
  participants: ReadonlySet<string>,
  nostrKeys: ReadonlyMap<string, string | undefined> = new Map(),
): CandidateRecord[] {
  const resultsOf = new Map<string, StoredResult[]>();
  for (const r of results) resultsOf.set(r.participant, [...(resultsOf.get(r.participant) ?? []), r]);
  const out: CandidateRecord[] = [];
  const committed = new Set<string>();
  for (const c of commitments) {
    committed.add(c.participant);
    const rs = resultsOf.get(c.participant) ?? [];
    const match = rs.filter((r) => r.cid === c.cid && r.sha256 === c.sha256);
    const base = { participant: c.participant, cid: c.cid, sha256: c.sha256 };
    if (match.length > 0) {
      const r = firstResult(match);
      // The chain's sample count is the one that counts; a result claiming another is rejected.
      if (r.samples === c.samples)
        out.push({ ...base, nostrPubkey: r.nostrPubkey, samples: c.samples, metrics: r.metrics });
      else
        out.push({
          ...base,
          nostrPubkey: r.nostrPubkey,
          samples: c.samples,
          metrics: r.metrics,
          reason: "SAMPLES_MISMATCH",
          detail: `the result reports ${r.samples} samples, the on-chain commitment ${c.samples}`,
        });
    } else if (rs.length > 0) {
      const r = firstResult(rs);
      out.push({
        ...base,
        nostrPubkey: r.nostrPubkey,
        samples: r.samples,
        metrics: r.metrics,
        reason: "NOT_COMMITTED",
        detail: `the result names update ${r.cid} (sha256 ${r.sha256}), the on-chain commitment is ${c.cid} (sha256 ${c.sha256})`,
      });
    } else {
      const key = nostrKeys.get(c.participant);
      out.push({ ...base, ...(key !== undefined ? { nostrPubkey: key } : {}), samples: c.samples, fromChain: true });
    }
  }
  for (const [wallet, rs] of resultsOf) {
    if (committed.has(wallet) || !participants.has(wallet)) continue;
    const r = firstResult(rs);
    out.push({
      participant: wallet,
      nostrPubkey: r.nostrPubkey,
      cid: r.cid,
      sha256: r.sha256,
      samples: r.samples,
      metrics: r.metrics,
      reason: "NOT_COMMITTED",
      detail: "a result arrived without an on-chain commitment for this round",
    });
  }
  return out.sort(byWallet);
}

/**
 * True when every active participant has a commitment and a matching result (nothing left to wait
 * for before the deadline: a result may still contradict its commitment, and it brings the metrics).
 */
export function everyoneIn(activeParticipants: Iterable<string>, candidates: CandidateRecord[]): boolean {
  const ready = new Set(
    candidates.filter((c) => c.reason === undefined && c.fromChain !== true).map((c) => c.participant),
  );
  for (const w of activeParticipants) if (!ready.has(w)) return false;
  return true;
}
