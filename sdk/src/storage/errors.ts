/**
 * Storage errors. Every failure of `get`/`put` is one of these, so callers can
 * tell "not there" from "lied to" from "too slow" from "nobody answered".
 */
export type StorageErrorCode =
  | "INVALID_CID"
  | "NOT_FOUND"
  | "CID_MISMATCH"
  | "TOO_LARGE"
  | "TIMEOUT"
  | "UNREACHABLE"
  | "READ_ONLY"
  | "BACKEND";

export class StorageError extends Error {
  readonly code: StorageErrorCode;
  constructor(code: StorageErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** The CID is not CIDv1 + sha2-256 + raw/dag-pb, or cannot be parsed. */
export class InvalidCidError extends StorageError {
  constructor(message: string) {
    super("INVALID_CID", message);
  }
}

/** The backend answered, but does not have the content (or one of its blocks). */
export class ContentNotFoundError extends StorageError {
  readonly cid: string;
  /** The block of `cid`'s DAG that is missing, when it is not the root itself. */
  readonly block: string | undefined;
  constructor(cid: string, detail = "", block?: string) {
    super("NOT_FOUND", `content not found: ${cid}${detail === "" ? "" : ` (${detail})`}`);
    this.cid = cid;
    this.block = block;
  }
}

/** The bytes we received do not hash to the CID we asked for. */
export class CidMismatchError extends StorageError {
  readonly expected: string;
  readonly actual: string;
  constructor(expected: string, actual: string, detail = "") {
    super(
      "CID_MISMATCH",
      `CID mismatch: asked for ${expected}, bytes hash to ${actual}${detail === "" ? "" : ` (${detail})`}`,
    );
    this.expected = expected;
    this.actual = actual;
  }
}

/** The content (or a put) is larger than the configured maximum. */
export class ContentTooLargeError extends StorageError {
  readonly limit: number;
  constructor(what: string, size: number | string, limit: number) {
    super("TOO_LARGE", `${what} is ${size} bytes, over the configured maximum of ${limit} bytes`);
    this.limit = limit;
  }
}

/** The backend did not answer in time. */
export class StorageTimeoutError extends StorageError {
  constructor(what: string, ms: number) {
    super("TIMEOUT", `${what} timed out after ${ms} ms`);
  }
}

/** The backend could not be reached at all (connection refused, DNS, reset). */
export class BackendUnreachableError extends StorageError {
  constructor(url: string, cause?: unknown) {
    super(
      "UNREACHABLE",
      `storage backend unreachable: ${url}${cause instanceof Error ? ` (${causeText(cause)})` : ""}`,
      { cause },
    );
  }
}

/** A read-only store (plain gateway) was asked to `put`. */
export class ReadOnlyStoreError extends StorageError {
  constructor(what: string) {
    super("READ_ONLY", `${what} is read-only: put is not supported`);
  }
}

/** The backend answered with an error we do not classify further (HTTP 5xx, auth, bad JSON). */
export class BackendError extends StorageError {
  readonly status: number | undefined;
  constructor(message: string, status?: number, cause?: unknown) {
    super("BACKEND", message, { cause });
    this.status = status;
  }
}

/**
 * A configured URL points at the wrong service (e.g. Kubo's RPC API given as the gateway). Not
 * retried (`permanent`): asking again cannot help until the configuration changes.
 */
export class WrongEndpointError extends BackendError {
  readonly permanent = true;
  constructor(message: string) {
    super(message);
  }
}

function causeText(err: Error): string {
  const c = (err as { cause?: unknown }).cause;
  const code = (c as { code?: unknown } | undefined)?.code;
  return typeof code === "string" ? `${err.message}: ${code}` : err.message;
}
