/**
 * The aggregator's on-disk state for one pool: `<dataDir>/aggregator/<pool>/state.json`.
 *
 * Per round it records how far the round got — collected → aggregated → posted → feedback-sent —
 * and everything needed to finish it identically after a crash (the frozen candidate list, the
 * slash intents, the uploaded model/report CIDs and the reward root, the signed feedback events).
 * Every write of `state.json` is atomic (temporary file, fsync, rename, fsync of the directory), so
 * a process killed at any point leaves either the old or the new state, never a torn one.
 *
 * Results received from relays for rounds not yet collected go to an append-only journal per round,
 * `results-<r>.jsonl` (one line per kept result, fsynced within 100 ms, once for all lines written
 * meanwhile): O(1) per kept event, however large the checkpoint. A torn last line (killed mid-append) is cut off on load; the relays still hold that
 * result. A round's journal is deleted once `state.json` records the round as collected.
 */
import {
  closeSync,
  existsSync,
  fsyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "@fedstr/sdk/cli";
import type { ContentRef, MarketRejectReason } from "@fedstr/sdk/job";
import type { Event } from "@fedstr/sdk/nostr";

export const CHECKPOINT_FORMAT = "fedstr/aggregator-checkpoint";
export const CHECKPOINT_VERSION = 1;
/** Longest a kept result waits in the OS's cache before its journal is fsynced (ms). */
const JOURNAL_SYNC_MS = 100;

export type Phase = "collected" | "aggregated" | "posted" | "feedback-sent";
const PHASES: readonly Phase[] = ["collected", "aggregated", "posted", "feedback-sent"];

/** A participant's result (kind 6720) as accepted by the EventReader, keyed by its bound wallet. */
export interface StoredResult {
  participant: string;
  nostrPubkey: string;
  eventId: string;
  createdAt: number;
  round: number;
  cid: string;
  sha256: string;
  samples: number;
  metrics: Record<string, number>;
}

/** One entry of a round's frozen candidate list (wallet order). */
export interface CandidateRecord {
  participant: string;
  nostrPubkey?: string;
  /** The committed update (or the result's, for NOT_COMMITTED / NOT_PARTICIPANT). */
  cid: string;
  sha256: string;
  samples: number;
  metrics?: Record<string, number>;
  /** Committed on chain, but no result arrived by the time the round was collected: taken from the chain alone. */
  fromChain?: boolean;
  /** Set when the candidate is already rejected at collection time; otherwise it is fetched and validated. */
  reason?: MarketRejectReason;
  detail?: string;
}

/** A slash: recorded before it is sent, so a restart can tell whether it landed (on-chain `slashed` ≥ before + amount). */
export interface SlashRecord {
  participant: string;
  amount: string;
  /** The participant's on-chain `slashed` total before this slash. */
  slashedBefore: string;
  evidenceCid: string;
  signature?: string;
  landed: boolean;
}

export interface RejectedEntry {
  participant: string;
  reason: string;
  detail: string;
}

/** What was computed and uploaded for a round: posted exactly as is, even after a restart. */
export interface AggregatedRecord {
  model: ContentRef;
  state?: ContentRef;
  report: ContentRef;
  /** Merkle root, hex. */
  root: string;
  /** Base units. */
  reward: string;
  /** plan.evaluation.metric × 1e6 (u64 as a decimal string). */
  metric: string;
  acceptedCount: number;
  metrics: Record<string, number>;
  accepted: string[];
  rejected: RejectedEntry[];
  /** Why the previous global model was kept (too few accepted updates, evaluation gate). */
  fallback?: string;
  /** Signed kind-7000 events, published after the post (re-publishing the same ids is harmless). */
  feedback: Event[];
}

/** An active participant with no commitment when the round was collected: told so in its feedback. */
export interface AbsentRecord {
  participant: string;
  nostrPubkey?: string;
}

export interface RoundCheckpoint {
  round: number;
  phase: Phase;
  candidates: CandidateRecord[];
  absent?: AbsentRecord[];
  slashes: SlashRecord[];
  aggregated?: AggregatedRecord;
  posted?: { signature?: string; reconciled?: boolean; at: number };
  feedbackSentAt?: number;
}

export interface Checkpoint {
  format: typeof CHECKPOINT_FORMAT;
  version: typeof CHECKPOINT_VERSION;
  pool: string;
  programId: string;
  aggregator: string;
  /** Results by round (string key), for rounds not yet collected (in memory; on disk in the per-round journals). */
  results: Record<string, StoredResult[]>;
  rounds: Record<string, RoundCheckpoint>;
}

export class CheckpointError extends Error {
  override name = "CheckpointError";
}

/** At most this many results per (round, wallet): a wallet may bind several Nostr keys, not unboundedly many. */
export const MAX_RESULTS_PER_WALLET = 4;

export function checkpointDir(dataDir: string, pool: string): string {
  return join(dataDir, "aggregator", pool);
}

export function checkpointPath(dataDir: string, pool: string): string {
  return join(checkpointDir(dataDir, pool), "state.json");
}

export function emptyCheckpoint(pool: string, programId: string, aggregator: string): Checkpoint {
  return {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    pool,
    programId,
    aggregator,
    results: {},
    rounds: {},
  };
}

/** The pool's checkpoint, or undefined when there is none yet. A corrupt or foreign file is an error, never silently replaced. */
export function loadCheckpoint(
  dataDir: string,
  pool: string,
  expect: { programId: string; aggregator: string },
  opts: { readOnly?: boolean } = {},
): Checkpoint | undefined {
  const path = checkpointPath(dataDir, pool);
  if (!existsSync(path)) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new CheckpointError(
      `checkpoint ${path} is not JSON (${(e as Error).message}); move it away to start over from the chain's state`,
    );
  }
  const cp = raw as Checkpoint;
  if (cp === null || typeof cp !== "object" || cp.format !== CHECKPOINT_FORMAT || cp.version !== CHECKPOINT_VERSION) {
    throw new CheckpointError(`checkpoint ${path} is not a ${CHECKPOINT_FORMAT} v${CHECKPOINT_VERSION} file`);
  }
  if (cp.pool !== pool) throw new CheckpointError(`checkpoint ${path} is for pool ${cp.pool}, not ${pool}`);
  if (cp.programId !== expect.programId)
    throw new CheckpointError(`checkpoint ${path} is for program ${cp.programId}, not ${expect.programId}`);
  if (cp.aggregator !== expect.aggregator)
    throw new CheckpointError(
      `checkpoint ${path} was written by aggregator ${cp.aggregator}, not this wallet (${expect.aggregator})`,
    );
  cp.results ??= {}; // older checkpoints kept pending results in state.json; they are read as before
  if (typeof cp.results !== "object" || typeof cp.rounds !== "object")
    throw new CheckpointError(`checkpoint ${path}: results and rounds must be objects`);
  for (const [k, r] of Object.entries(cp.rounds)) {
    if (String(r.round) !== k || !PHASES.includes(r.phase))
      throw new CheckpointError(
        `checkpoint ${path}: round ${k} has a bad round number or phase ${JSON.stringify(r.phase)}`,
      );
  }
  for (const { round, file } of journals(dataDir, pool)) {
    if (cp.rounds[String(round)] !== undefined) continue; // collected: the journal is stale (deleted at the next save)
    for (const r of readJournal(file, opts.readOnly === true)) addResult(cp, r);
  }
  return cp;
}

/** state.json without the pending results (they live in the journals); then the journals of collected rounds go. */
export function saveCheckpoint(dataDir: string, cp: Checkpoint): void {
  const { results: _pending, ...state } = cp;
  writeFileAtomic(checkpointPath(dataDir, cp.pool), `${JSON.stringify(state, null, 1)}\n`);
  for (const { round, file } of journals(dataDir, cp.pool))
    if (cp.rounds[String(round)] !== undefined) rmSync(file, { force: true });
}

const JOURNAL = /^results-(\d+)\.jsonl$/;

export function resultsJournalPath(dataDir: string, pool: string, round: number): string {
  return join(checkpointDir(dataDir, pool), `results-${round}.jsonl`);
}

function journals(dataDir: string, pool: string): { round: number; file: string }[] {
  const dir = checkpointDir(dataDir, pool);
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((f) => {
    const m = JOURNAL.exec(f);
    return m === null ? [] : [{ round: Number(m[1]), file: join(dir, f) }];
  });
}

/**
 * The results of one journal; a torn last line (a kill mid-append) is cut off so later appends
 * start on a fresh line — unless `readOnly` (another process, e.g. `status`, may be appending).
 */
function readJournal(file: string, readOnly: boolean): StoredResult[] {
  const text = readFileSync(file, "utf8");
  const end = text.lastIndexOf("\n") + 1;
  if (end < text.length && !readOnly) {
    const fd = openSync(file, "r+");
    try {
      ftruncateSync(fd, Buffer.byteLength(text.slice(0, end)));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }
  const out: StoredResult[] = [];
  for (const [i, line] of text.slice(0, end).split("\n").entries()) {
    if (line === "") continue;
    try {
      out.push(JSON.parse(line) as StoredResult);
    } catch (e) {
      throw new CheckpointError(
        `results journal ${file}, line ${i + 1}: not JSON (${(e as Error).message}); move it away to start over (the relays still hold the results)`,
      );
    }
  }
  return out;
}

/**
 * Keep an accepted result: `addResult`, then one fsynced line appended to its round's journal —
 * O(1) per kept event. Returns whether it was kept.
 */
export function keepResult(dataDir: string, cp: Checkpoint, r: StoredResult): boolean {
  if (!addResult(cp, r)) return false;
  const file = resultsJournalPath(dataDir, cp.pool, r.round);
  mkdirSync(checkpointDir(dataDir, cp.pool), { recursive: true });
  const fd = openSync(file, "a", 0o600);
  try {
    const buf = Buffer.from(`${JSON.stringify(r)}\n`);
    let off = 0;
    while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
  } finally {
    closeSync(fd);
  }
  syncSoon(file);
  return true;
}

/** Journals written since their last fsync, each with the timer that will fsync it. */
const unsynced = new Map<string, NodeJS.Timeout>();

/**
 * fsync a journal within JOURNAL_SYNC_MS of a write, once for all the writes in between: a result
 * costs a write, not a ~3 ms fsync (1,000 results a round would block the event loop for seconds).
 * A killed process loses nothing written (it is in the OS's cache); a machine crash loses at most
 * the last JOURNAL_SYNC_MS of results, which the relays still hold and replay.
 */
function syncSoon(file: string): void {
  if (unsynced.has(file)) return;
  const timer = setTimeout(() => {
    unsynced.delete(file);
    let fd: number | undefined;
    try {
      fd = openSync(file, "r");
      fsyncSync(fd);
    } catch {
      // Deleted meanwhile (its round was collected): nothing left to keep.
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  }, JOURNAL_SYNC_MS);
  timer.unref();
  unsynced.set(file, timer);
}

/**
 * Keep an accepted result (deduplicated by event id, at most MAX_RESULTS_PER_WALLET per wallet and
 * round). Returns whether the checkpoint changed. Results for rounds already collected are ignored.
 */
export function addResult(cp: Checkpoint, r: StoredResult): boolean {
  if (cp.rounds[String(r.round)] !== undefined) return false;
  const list = (cp.results[String(r.round)] ??= []);
  if (list.some((x) => x.eventId === r.eventId)) return false;
  if (list.filter((x) => x.participant === r.participant).length >= MAX_RESULTS_PER_WALLET) return false;
  list.push(r);
  return true;
}

/** Record a round's frozen candidate list; its pending results are no longer needed. */
export function markCollected(
  cp: Checkpoint,
  round: number,
  candidates: CandidateRecord[],
  absent: AbsentRecord[] = [],
): RoundCheckpoint {
  const rc: RoundCheckpoint = {
    round,
    phase: "collected",
    candidates,
    slashes: [],
    ...(absent.length > 0 ? { absent } : {}),
  };
  cp.rounds[String(round)] = rc;
  delete cp.results[String(round)];
  for (const k of Object.keys(cp.results)) if (Number(k) < round) delete cp.results[k];
  return rc;
}

/**
 * What to do with round r after a (re)start, given the checkpoint's record and the chain's
 * RoundResult (its global model sha256, hex), if posted:
 *  - not on chain: collect / aggregate / post, by phase; a checkpoint that claims a post the chain
 *    does not have is a conflict (another chain? a wiped localnet?);
 *  - on chain: never post again. With our aggregated record and the same model hash: the post
 *    landed (perhaps the process died before recording it) → send the feedback; another hash →
 *    conflict; no aggregated record → someone (an earlier run without this checkpoint) posted it:
 *    log and move on.
 */
export type ResumeAction =
  | { kind: "collect" }
  | { kind: "aggregate" }
  | { kind: "post" }
  | { kind: "feedback"; reconciled: boolean }
  | { kind: "done" }
  | { kind: "posted-elsewhere" }
  | { kind: "conflict"; detail: string };

export function resumeAction(rc: RoundCheckpoint | undefined, onChain: { modelSha256: string } | null): ResumeAction {
  if (onChain === null) {
    if (rc === undefined) return { kind: "collect" };
    switch (rc.phase) {
      case "collected":
        return { kind: "aggregate" };
      case "aggregated":
        return { kind: "post" };
      default:
        return {
          kind: "conflict",
          detail: `the checkpoint records round ${rc.round} as posted${rc.posted?.signature ? ` (${rc.posted.signature})` : ""}, but the chain has no RoundResult for it`,
        };
    }
  }
  if (rc === undefined || rc.phase === "collected" || rc.aggregated === undefined) return { kind: "posted-elsewhere" };
  if (rc.aggregated.model.sha256 !== onChain.modelSha256) {
    return {
      kind: "conflict",
      detail: `round ${rc.round} is on chain with model sha256 ${onChain.modelSha256}, but the checkpoint aggregated ${rc.aggregated.model.sha256}`,
    };
  }
  if (rc.phase === "feedback-sent") return { kind: "done" };
  return { kind: "feedback", reconciled: rc.phase === "aggregated" };
}
