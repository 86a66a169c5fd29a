/**
 * Returning a participant's commitment rent: close_commitment for the wallet's closable commitments
 * (rounds posted, or all once the pool is finalized), bundled into the transactions a command sends
 * anyway (claim, commit, withdraw) as far as they fit, so the rent comes back after the round without
 * an extra fee.
 */

import { formatAmount, type Session, TransactionError } from "@fedstr/sdk/cli";
import {
  type ClosableCommitment,
  closeCommitmentIxs,
  countFitting,
  listClosableCommitments,
  type PoolAccount,
} from "@fedstr/sdk/program";
import type { PublicKey, TransactionInstruction } from "@solana/web3.js";

/** Lamports as SOL for people. */
export const formatSol = (lamports: bigint | number) => `${formatAmount(BigInt(lamports), 9)} SOL`;

export class CommitmentCloser {
  /** Closed by this command, in the order they were closed. */
  readonly closed: ClosableCommitment[] = [];
  private constructor(
    private readonly session: Session,
    private readonly pool: PublicKey,
    private readonly account: Pick<PoolAccount, "roundsPosted" | "status">,
    private pending: ClosableCommitment[],
  ) {}

  /** The wallet's commitments on `pool` that can be closed now (`account`: the pool as just read). */
  static async load(
    session: Session,
    pool: PublicKey,
    account: Pick<PoolAccount, "roundsPosted" | "status">,
  ): Promise<CommitmentCloser> {
    const pending = await listClosableCommitments(session.program, pool, session.wallet.publicKey, account);
    return new CommitmentCloser(session, pool, account, pending);
  }

  get pendingCount(): number {
    return this.pending.length;
  }
  get closedRounds(): number[] {
    return this.closed.map((c) => c.round);
  }
  /** Lamports returned to the wallet by the closes so far. */
  get rentReturned(): bigint {
    return this.closed.reduce((s, c) => s + BigInt(c.lamports), 0n);
  }

  private async ixs(list: readonly ClosableCommitment[]): Promise<TransactionInstruction[]> {
    const me = this.session.wallet.publicKey;
    return closeCommitmentIxs(this.session.program, {
      caller: me,
      participant: me,
      pool: this.pool,
      rounds: list.map((c) => c.round),
    });
  }

  /**
   * Sends `base` with as many pending closes after it as fit, round `first` first. The closes are
   * extras: when the bundle fails with a program error (e.g. a commitment someone else closed
   * meanwhile), `base` is sent alone, so its own outcome is what the caller sees.
   */
  async sendWith(action: string, base: TransactionInstruction[], first?: number): Promise<string> {
    const order = [...this.pending].sort((a, b) => Number(b.round === first) - Number(a.round === first));
    const closes = await this.ixs(order);
    const n = countFitting(this.session.wallet.publicKey, base, closes);
    if (n === 0) return this.session.send(action, base);
    let signature: string;
    try {
      signature = await this.session.send(action, [...base, ...closes.slice(0, n)]);
    } catch (e) {
      if (!(e instanceof TransactionError && e.programError !== undefined)) throw e;
      return this.session.send(action, base);
    }
    this.mark(order.slice(0, n));
    return signature;
  }

  /**
   * Sends every pending close and then `last` (which needs them closed, like close_participant): in
   * close-only transactions until the rest fits in one with `last`. Returns the signatures, `last`'s at the end.
   */
  async sendBefore(action: string, last: TransactionInstruction[]): Promise<string[]> {
    const me = this.session.wallet.publicKey;
    const signatures: string[] = [];
    for (;;) {
      const closes = await this.ixs(this.pending);
      if (countFitting(me, last, closes) === closes.length) {
        signatures.push(await this.session.send(action, [...closes, ...last]));
        this.mark(this.pending);
        return signatures;
      }
      signatures.push(await this.closeChunk());
    }
  }

  /**
   * Close-only transactions for whatever is still pending; their signatures. When one fails with a
   * program error (a commitment closed by someone else meanwhile), the list is read again once.
   */
  async flush(): Promise<string[]> {
    const signatures: string[] = [];
    let reread = false;
    while (this.pending.length > 0) {
      try {
        signatures.push(await this.closeChunk());
      } catch (e) {
        if (reread || !(e instanceof TransactionError && e.programError !== undefined)) throw e;
        reread = true;
        const me = this.session.wallet.publicKey;
        const open = await listClosableCommitments(this.session.program, this.pool, me, this.account);
        const still = new Set(open.map((c) => c.round));
        this.pending = this.pending.filter((c) => still.has(c.round));
      }
    }
    return signatures;
  }

  private async closeChunk(): Promise<string> {
    const closes = await this.ixs(this.pending);
    const n = Math.max(1, countFitting(this.session.wallet.publicKey, [], closes));
    const chunk = this.pending.slice(0, n);
    const signature = await this.session.send(
      `close_commitment (round${chunk.length > 1 ? "s" : ""} ${chunk.map((c) => c.round).join(", ")})`,
      closes.slice(0, n),
    );
    this.mark(chunk);
    return signature;
  }

  private mark(done: readonly ClosableCommitment[]): void {
    this.closed.push(...done);
    const gone = new Set(done.map((c) => c.round));
    this.pending = this.pending.filter((c) => !gone.has(c.round));
  }
}
