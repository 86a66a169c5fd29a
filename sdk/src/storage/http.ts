/**
 * HTTP plumbing shared by the gateway, IPFS-node and Pinata stores: one
 * place that turns fetch failures into StorageErrors and reads bodies with a
 * byte cap.
 */
import { concatChunks } from "./bytes.js";
import {
  BackendError,
  BackendUnreachableError,
  ContentTooLargeError,
  StorageError,
  StorageTimeoutError,
} from "./errors.js";

const UNREACHABLE_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "UND_ERR_SOCKET",
  "EPIPE",
]);

function errorCode(err: unknown): string | undefined {
  let e: unknown = err;
  for (let i = 0; i < 4 && e != null; i++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string") return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

function isAbort(err: unknown): boolean {
  const name = (err as { name?: unknown } | null)?.name;
  return name === "AbortError" || name === "TimeoutError";
}

/**
 * Classify anything thrown while talking to `url`: our own StorageErrors pass
 * through, aborts by our timeout become StorageTimeoutError, connection
 * failures become BackendUnreachableError.
 */
export function classifyHttpError(
  err: unknown,
  url: string,
  what: string,
  timeoutMs: number,
  timeoutSignal: AbortSignal,
): StorageError {
  if (err instanceof StorageError) return err;
  if (isAbort(err) || timeoutSignal.aborted) {
    if (timeoutSignal.aborted) return new StorageTimeoutError(what, timeoutMs);
    return new BackendError(`${what} aborted`, undefined, err);
  }
  const code = errorCode(err);
  if (code != null && (UNREACHABLE_CODES.has(code) || code.startsWith("UND_ERR_CONNECT")))
    return new BackendUnreachableError(url, err);
  if (err instanceof TypeError && /fetch failed/i.test(err.message)) return new BackendUnreachableError(url, err);
  return new BackendError(`${what}: ${(err as Error)?.message ?? String(err)}`, undefined, err);
}

/**
 * Read a response body, refusing more than `maxBytes` (checked on Content-Length and while streaming).
 * Over the cap: `tooLarge(size)` (default ContentTooLargeError quoting `maxBytes`).
 */
export async function readBodyCapped(
  res: Response,
  maxBytes: number,
  what: string,
  tooLarge?: (size: string) => StorageError,
): Promise<Uint8Array> {
  const over = tooLarge ?? ((size: string) => new ContentTooLargeError(what, size, maxBytes));
  const declared = res.headers.get("content-length");
  if (declared != null && Number(declared) > maxBytes) {
    await res.body?.cancel().catch(() => {});
    throw over(declared);
  }
  if (res.body == null) return new Uint8Array(0);
  const reader = res.body.getReader();
  const parts: Uint8Array[] = [];
  let n = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    n += value.length;
    if (n > maxBytes) {
      await reader.cancel().catch(() => {});
      throw over(`more than ${maxBytes}`);
    }
    parts.push(value);
  }
  return concatChunks(parts, n);
}

/** Combine a caller's signal with a timeout. */
export function withTimeout(
  timeoutMs: number,
  signal?: AbortSignal,
  factory: (ms: number) => AbortSignal = (ms) => AbortSignal.timeout(ms),
): { signal: AbortSignal; timeout: AbortSignal } {
  const timeout = factory(timeoutMs);
  return { signal: signal == null ? timeout : AbortSignal.any([signal, timeout]), timeout };
}
