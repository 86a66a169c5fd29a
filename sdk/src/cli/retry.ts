/**
 * Retries with exponential back-off (the relay pool's backoffDelay: 500 ms doubling, ±20 % jitter)
 * for the calls long-running commands make to things that hiccup: the RPC node, the IPFS node.
 * Errors that will not change their mind are thrown at once: a program error, content that does not
 * match its CID, bad input or configuration, or any error marked `permanent`.
 */
import { backoffDelay } from "../nostr/relay-pool.js";
import { StorageError } from "../storage/errors.js";

export interface RetryOptions {
  /** Attempts in all (default 6: about 15 s of back-off); with `deadline`, the least number made. */
  attempts?: number;
  /**
   * Keep retrying past `attempts` until this says the deadline has passed (asked after each failed
   * attempt, e.g. against the chain clock): an outage that ends before the deadline costs nothing.
   */
  deadline?: () => boolean | Promise<boolean>;
  /** Longest delay between attempts in ms (default 15 000). */
  maxDelayMs?: number;
  /** Told about each failed attempt that will be retried. */
  onRetry?: (error: Error, attempt: number, delayMs: number) => void;
  signal?: AbortSignal;
}

const PERMANENT_STORAGE_CODES = new Set(["INVALID_CID", "CID_MISMATCH", "TOO_LARGE", "READ_ONLY"]);
const PERMANENT_NAMES = new Set([
  "UsageError",
  "ConfigError",
  "PlanError",
  "DataError",
  "CodecError",
  "ReportError",
  "CheckpointError",
  "TooFewUpdatesError",
  "AbortError",
  "CidMismatchError",
  "ContentTooLargeError",
  "InvalidCidError",
]);

/** Whether retrying can help. */
export function isTransient(e: unknown): boolean {
  if (!(e instanceof Error)) return true;
  const marked = e as { programError?: unknown; permanent?: unknown };
  if (marked.programError !== undefined || marked.permanent === true) return false;
  if (e instanceof StorageError) return !PERMANENT_STORAGE_CODES.has(e.code);
  return !PERMANENT_NAMES.has(e.name);
}

/** Sleep `ms`, rejecting with the signal's reason when it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal!.reason);
    };
    const t = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** `fn` until it succeeds, a permanent error, or the last attempt; the final error says what was tried. */
export async function withRetry<T>(what: string, fn: () => Promise<T>, opts: RetryOptions = {}): Promise<T> {
  const attempts = opts.attempts ?? 6;
  for (let attempt = 1; ; attempt++) {
    opts.signal?.throwIfAborted();
    try {
      return await fn();
    } catch (e) {
      const err = e instanceof Error ? e : new Error(String(e));
      if (!isTransient(err) || opts.signal?.aborted) throw err;
      if (attempt >= attempts && (opts.deadline === undefined || (await opts.deadline()))) {
        const why = opts.deadline !== undefined ? "; its deadline has passed" : "";
        err.message = `${what}: ${err.message} (gave up after ${attempt} attempts${why})`;
        throw err;
      }
      const delay = backoffDelay(attempt - 1, { initialMs: 500, maxMs: opts.maxDelayMs ?? 15_000 });
      opts.onRetry?.(err, attempt, delay);
      await sleep(delay, opts.signal);
    }
  }
}
