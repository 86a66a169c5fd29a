/**
 * Retries with exponential back-off for the calls a long-running participant makes to things that
 * hiccup: the IPFS node, the RPC node. Errors that will not change their mind (bad CID, content that
 * does not hash to its CID, usage and config mistakes) are thrown at once.
 */
import { StorageError } from "@fedstr/sdk/storage";
import { ClientError } from "./errors.js";

export interface RetryOptions {
  /** Attempts in all (default 6). */
  attempts?: number;
  /** First delay in ms (default 500), doubled per attempt up to maxDelayMs (default 15 000). */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Told about each failed attempt that will be retried. */
  onRetry?: (error: Error, attempt: number, delayMs: number) => void;
  signal?: AbortSignal;
}

const PERMANENT_STORAGE_CODES = new Set(["INVALID_CID", "CID_MISMATCH", "TOO_LARGE", "READ_ONLY"]);
const PERMANENT_NAMES = new Set(["UsageError", "ConfigError", "PlanError", "DataError", "CodecError", "ReportError", "TransactionError"]);

/** Whether retrying can help. */
export function isTransient(e: unknown): boolean {
  if (e instanceof StorageError) return !PERMANENT_STORAGE_CODES.has(e.code);
  if (e instanceof ClientError) return false;
  return !(e instanceof Error && PERMANENT_NAMES.has(e.name));
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    signal?.throwIfAborted();
    const t = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => { clearTimeout(t); reject(signal.reason); }, { once: true });
  });
}

export async function withRetry<T>(what: string, fn: () => Promise<T>, opts: RetryOptions = {}): Promise<T> {
  const attempts = opts.attempts ?? 6;
  const base = opts.baseDelayMs ?? 500, max = opts.maxDelayMs ?? 15_000;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      const err = e instanceof Error ? e : new Error(String(e));
      if (attempt >= attempts || !isTransient(err)) {
        if (attempt > 1) err.message = `${what}: ${err.message} (after ${attempt} attempts)`;
        throw err;
      }
      const delay = Math.min(max, base * 2 ** (attempt - 1));
      opts.onRetry?.(err, attempt, delay);
      await sleep(delay, opts.signal);
    }
  }
}
