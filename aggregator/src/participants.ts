/**
 * Who may send this aggregator results: the pool's participants, as the chain knows them (one
 * Participant account per wallet that joined, found with getProgramAccounts filtered by pool). A
 * result whose bound wallet is not among them is dropped by the EventReader before any signature
 * is checked (O(1), counted as `notParticipant`), and never stored, reported, fetched or answered.
 *
 * The set only grows, and only while the join window is open (`join_pool` requires
 * `now < join_deadline`, the opening of round 1): it is refreshed from every poll of the collect
 * loop, and when it grows the results subscription is re-sent so the relays replay what a new
 * participant may have published before we knew it.
 */
import type { ParticipantAccount } from "@fedstr/sdk/program";

/**
 * wallet (base58) → the participant's Nostr key (x-only hex), when the chain records it. The
 * authors filter of the results subscription and the wallet → Nostr key check both come from here.
 */
export function participantNostrKeys(
  participants: readonly { account: ParticipantAccount }[],
): Map<string, string | undefined> {
  return new Map(
    participants.map((p) => [
      p.account.authority.toBase58(),
      // join_pool records the participant's Nostr key; results signed by any other key are dropped.
      Buffer.from(p.account.nostrPubkey).toString("hex"),
    ]),
  );
}

export class ParticipantSet {
  private readonly keys = new Map<string, string | undefined>();

  get size(): number {
    return this.keys.size;
  }

  has(wallet: string): boolean {
    return this.keys.has(wallet);
  }

  /** Whether a result bound to `wallet` and signed by `nostrPubkey` may be looked at: O(1). */
  allows(wallet: string, nostrPubkey: string): boolean {
    if (!this.keys.has(wallet)) return false;
    const key = this.keys.get(wallet);
    return key === undefined || key === nostrPubkey;
  }

  /** Whether `wallet` recorded `nostrPubkey` on chain when it joined (a binding its transaction signed). */
  boundOnChain(wallet: string, nostrPubkey: string): boolean {
    const key = this.keys.get(wallet);
    return key !== undefined && key === nostrPubkey;
  }

  /** Merge the chain's current participants; returns whether anyone new (or a newly known key) appeared. */
  update(participants: readonly { account: ParticipantAccount }[]): boolean {
    let grew = false;
    for (const [wallet, key] of participantNostrKeys(participants)) {
      if (!this.keys.has(wallet) || (key !== undefined && this.keys.get(wallet) !== key)) {
        this.keys.set(wallet, key);
        grew = true;
      }
    }
    return grew;
  }

  /**
   * The Nostr keys for a relay-side `authors` filter — only when every participant's key is known
   * (otherwise a participant without one would be filtered out); undefined means "no authors filter".
   */
  authors(): string[] | undefined {
    const keys = [...this.keys.values()];
    if (keys.length === 0 || keys.some((k) => k === undefined)) return undefined;
    return (keys as string[]).sort();
  }

  /** wallet → its on-chain Nostr key (where feedback for a chain-only candidate goes). */
  nostrKeys(): ReadonlyMap<string, string | undefined> {
    return this.keys;
  }

  wallets(): ReadonlySet<string> {
    return new Set(this.keys.keys());
  }
}
