/**
 * The `fedstr train` checkpoint: what has been done for each round (update uploaded, committed on
 * chain, result published), so a participant restarted mid-pool picks up where it stopped without
 * training twice or committing twice, and re-publishes a result that did not go out.
 * File: <dataDir>/client/<pool>/<wallet>.json, written atomically (temp file, fsync, rename: writeFileAtomic).
 * The chain stays the source of truth: stepFor() decides from the on-chain commitment first.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "@fedstr/sdk/cli";

export interface RoundEntry {
  round: number;
  /** The uploaded update. */
  cid?: string;
  sha256?: string;
  samples?: number;
  metrics?: Record<string, number>;
  /** commit_update transaction (absent when the commitment was found on chain after a restart). */
  commitSignature?: string;
  committed?: boolean;
  /** Id of the published kind-6720 result. */
  eventId?: string;
  /** Why this round was missed. */
  skipped?: string;
}

export interface Checkpoint {
  version: 1;
  pool: string;
  wallet: string;
  jobId: string;
  rounds: Record<string, RoundEntry>;
}

export class CheckpointError extends Error {
  override name = "CheckpointError";
}

export function checkpointPath(dataDir: string, pool: string, wallet: string): string {
  return join(dataDir, "client", pool, `${wallet}.json`);
}

const HEX64 = /^[0-9a-f]{64}$/;

function check(cond: unknown, path: string, what: string): asserts cond {
  if (!cond)
    throw new CheckpointError(
      `checkpoint ${path} is damaged: ${what} (delete it to start over; the chain keeps what was committed)`,
    );
}

/** Read the checkpoint for (pool, wallet, job), or a fresh one when there is no file. */
export function loadCheckpoint(path: string, ids: { pool: string; wallet: string; jobId: string }): Checkpoint {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return { version: 1, ...ids, rounds: {} };
    throw new CheckpointError(`cannot read checkpoint ${path}: ${(e as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    check(false, path, `not JSON (${(e as Error).message})`);
  }
  check(raw !== null && typeof raw === "object" && !Array.isArray(raw), path, "not an object");
  const c = raw as Record<string, unknown>;
  check(c.version === 1, path, "unknown version");
  check(
    c.pool === ids.pool && c.wallet === ids.wallet,
    path,
    `it is for pool ${String(c.pool)} and wallet ${String(c.wallet)}`,
  );
  check(c.jobId === ids.jobId, path, `it is for job ${String(c.jobId)}, the pool's is ${ids.jobId}`);
  check(c.rounds !== null && typeof c.rounds === "object" && !Array.isArray(c.rounds), path, "rounds is not an object");
  for (const [k, v] of Object.entries(c.rounds as Record<string, unknown>)) {
    const e = v as Record<string, unknown>;
    check(
      e !== null && typeof e === "object" && e.round === Number(k) && Number.isSafeInteger(e.round),
      path,
      `round ${k} is malformed`,
    );
    check(e.sha256 === undefined || (typeof e.sha256 === "string" && HEX64.test(e.sha256)), path, `round ${k} sha256`);
    check(e.cid === undefined || typeof e.cid === "string", path, `round ${k} cid`);
    check(
      (e.cid === undefined) === (e.sha256 === undefined),
      path,
      `round ${k} has a cid without a sha256 or the reverse`,
    );
    check(
      e.samples === undefined || (Number.isSafeInteger(e.samples) && (e.samples as number) > 0),
      path,
      `round ${k} samples`,
    );
  }
  return c as unknown as Checkpoint;
}

/** Write atomically and durably (fsync): a crash leaves the old file or the new one, never half of one. */
export function saveCheckpoint(path: string, c: Checkpoint): void {
  writeFileAtomic(path, `${JSON.stringify(c, null, 2)}\n`);
}

export function entryOf(c: Checkpoint, round: number): RoundEntry {
  return (c.rounds[String(round)] ??= { round });
}

/** What to do next for the round the program accepts commitments for (rounds_posted + 1). */
export type RoundStep =
  | { kind: "wait-start"; until: number }
  | { kind: "train" }
  | { kind: "commit"; cid: string; sha256: string }
  | { kind: "publish"; cid: string; sha256: string }
  | { kind: "wait-post" }
  | { kind: "missed"; reason: string };

/**
 * Decide the next step for round `round` at chain time `now`:
 * - committed on chain: publish the result unless the checkpoint says it went out (a result may
 *   still arrive late: the aggregator reads them until it posts), then wait for the round to be posted;
 * - not committed: wait for the window, train, or commit an update already uploaded — unless
 *   the window has closed, then the round is missed.
 */
export function stepFor(
  round: number,
  now: number,
  window: { start: number; deadline: number },
  onChain: { cid: string; sha256: string } | null,
  entry: RoundEntry | undefined,
): RoundStep {
  if (onChain !== null) {
    const same = entry?.sha256 === onChain.sha256 && entry.cid === onChain.cid;
    if (same && entry?.eventId !== undefined) return { kind: "wait-post" };
    return { kind: "publish", cid: onChain.cid, sha256: onChain.sha256 };
  }
  if (now < window.start) return { kind: "wait-start", until: window.start };
  if (now >= window.deadline) return { kind: "missed", reason: `round ${round} deadline passed` };
  if (entry?.cid !== undefined && entry.sha256 !== undefined)
    return { kind: "commit", cid: entry.cid, sha256: entry.sha256 };
  return { kind: "train" };
}
