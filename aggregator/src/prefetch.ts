/**
 * A round's updates, fetched while the round is still collecting. Fetching every committed update
 * after the deadline was most of a round's overhead at N = 1,000 (docs/scale.md); a commitment never
 * changes once made, so its update can be fetched and hash-checked as soon as the commitment is
 * seen. The bytes go to the data directory, not to memory (memory stays O(concurrency) whatever N);
 * they are what IPFS serves anyway — in a sealed job the ciphertext, which is opened only when the
 * round is aggregated. A cache: what it lost (a restart, an outage) the aggregation fetches itself.
 */
import { mkdirSync, rmSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { type ContentStore, sha256Hex } from "@fedstr/sdk/storage";
import type { CommitmentInfo } from "./collect.js";

/** Fetches in flight while collecting: enough to keep up with commits, little enough to leave the results' ingestion its CPU. */
export const PREFETCH_CONCURRENCY = 4;
/** Per-fetch timeout (ms): an update still missing then is the aggregation's to retry. */
const PREFETCH_TIMEOUT_MS = 15_000;

/** The committed update's bytes (hash-checked), or the sha256 the bytes at its CID really have. */
export type Prefetched = { bytes: Uint8Array } | { mismatch: string };

type Outcome = "stored" | { mismatch: string } | undefined;

const keyOf = (c: { participant: string; cid: string; sha256: string }) => `${c.participant} ${c.cid} ${c.sha256}`;

export class UpdatePrefetch {
  private readonly queue: CommitmentInfo[] = [];
  private readonly outcomes = new Map<string, Promise<Outcome>>();
  private readonly queued = new Set<string>();
  private readonly mismatched = new Map<string, string>();
  private readonly stop = new AbortController();
  private running = 0;

  /** `dir` is emptied first: it belongs to this round's prefetch alone. */
  constructor(
    private readonly store: ContentStore,
    readonly round: number,
    private readonly dir: string,
    private readonly concurrency = PREFETCH_CONCURRENCY,
  ) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
  }

  /** Fetch these commitments' updates (those not asked for before), `concurrency` at a time. */
  add(commitments: Iterable<CommitmentInfo>): void {
    if (this.stop.signal.aborted) return;
    for (const c of commitments) {
      const key = keyOf(c);
      if (this.outcomes.has(key) || this.queued.has(key)) continue;
      this.queued.add(key);
      this.queue.push(c);
    }
    this.pump();
  }

  /**
   * What was fetched for `c`: its bytes (read back and hash-checked again), or a mismatch, which is
   * final (the store verified the bytes against the CID, so the CID names other bytes than the
   * commitment's hash). Waits for a fetch in flight; undefined when there is nothing (not fetched,
   * failed, or still queued — then it is dropped from the queue): the caller fetches it itself.
   */
  async take(c: { participant: string; cid: string; sha256: string }): Promise<Prefetched | undefined> {
    const key = keyOf(c);
    if (this.queued.delete(key)) {
      const i = this.queue.findIndex((q) => keyOf(q) === key);
      if (i >= 0) this.queue.splice(i, 1);
      return undefined;
    }
    const outcome = await this.outcomes.get(key);
    if (outcome === undefined) return undefined;
    if (outcome !== "stored") return outcome;
    const bytes = await readFile(this.file(c.sha256)).catch(() => undefined);
    return bytes !== undefined && sha256Hex(bytes) === c.sha256 ? { bytes } : undefined;
  }

  /** The sha256 of the bytes at `c`'s CID when a finished fetch found they are not the committed ones (its slash need not wait). */
  mismatchOf(c: { participant: string; cid: string; sha256: string }): string | undefined {
    return this.mismatched.get(keyOf(c));
  }

  /** Stop fetching and delete what was fetched. */
  async close(): Promise<void> {
    this.stop.abort();
    this.queue.length = 0;
    this.queued.clear();
    await Promise.allSettled(this.outcomes.values());
    rmSync(this.dir, { recursive: true, force: true });
  }

  private file(sha256: string): string {
    return join(this.dir, sha256);
  }

  private pump(): void {
    while (this.running < this.concurrency && this.queue.length > 0) {
      const c = this.queue.shift()!;
      const key = keyOf(c);
      this.queued.delete(key);
      this.running++;
      const outcome = this.fetchOne(c).finally(() => {
        this.running--;
        this.pump();
      });
      this.outcomes.set(key, outcome);
    }
  }

  private async fetchOne(c: CommitmentInfo): Promise<Outcome> {
    try {
      const bytes = await this.store.get(c.cid, {
        signal: AbortSignal.any([this.stop.signal, AbortSignal.timeout(PREFETCH_TIMEOUT_MS)]),
      });
      const actual = sha256Hex(bytes);
      if (actual !== c.sha256) {
        this.mismatched.set(keyOf(c), actual);
        return { mismatch: actual };
      }
      await writeFile(this.file(c.sha256), bytes);
      return "stored";
    } catch {
      return undefined; // an outage, or nothing at that CID yet: the aggregation fetches it with its retries
    }
  }
}
