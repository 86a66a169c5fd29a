/**
 * Retries with exponential back-off (the relay pool's backoffDelay: 500 ms doubling, ±20 % jitter)
 * for RPC reads, IPFS reads/uploads and sends. Errors that will not change on a retry — a program
 * error, a content that does not match its CID, a bad plan, an error marked `permanent` — are
 * thrown at once.
 */
import { backoffDelay } from "@fedstr/sdk/nostr";

const PERMANENT = new Set([
  "PlanError", "CidMismatchError", "ContentTooLargeError", "InvalidCidError", "DataError", "CodecError",
  "ReportError", "CheckpointError", "ConfigError", "UsageError", "AbortError", "TooFewUpdatesError",
]);

/** True when retrying cannot help. */
export function isPermanent(e: unknown): boolean {
  if (!(e instanceof Error)) return false;
  if ((e as { programError?: unknown }).programError !== undefined || (e as { permanent?: unknown }).permanent === true) return true;
  return PERMANENT.has(e.name);
}

/** Sleep `ms`, rejecting with the signal's reason when it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => { clearTimeout(t); reject(signal!.reason); };
    const t = setTimeout(() => { signal?.removeEventListener("abort", onAbort); resolve(); }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

export interface RetryOptions {
  /** What is being tried, for the error after the last attempt ("read pool …"). */
  what?: string;
  /** Attempts in all (default 6: about 15 s of back-off). */
  attempts?: number;
  maxDelayMs?: number;
  signal?: AbortSignal;
  onRetry?: (attempt: number, error: Error, delayMs: number) => void;
}

export async function retry<T>(fn: (attempt: number) => Promise<T>, opts: RetryOptions = {}): Promise<T> {
  const attempts = opts.attempts ?? 6;
  for (let attempt = 0; ; attempt++) {
    opts.signal?.throwIfAborted();
    try {
      return await fn(attempt);
    } catch (e) {
      const err = e instanceof Error ? e : new Error(String(e));
      if (isPermanent(err) || opts.signal?.aborted) throw err;
      if (attempt + 1 >= attempts) throw opts.what !== undefined ? new Error(`${opts.what}: ${err.message} (gave up after ${attempts} attempts)`, { cause: err }) : err;
      const delay = backoffDelay(attempt, { initialMs: 500, maxMs: opts.maxDelayMs ?? 8000 });
      opts.onRetry?.(attempt + 1, err, delay);
      await sleep(delay, opts.signal);
    }
  }
}
