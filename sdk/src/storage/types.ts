import type { CID } from "multiformats/cid";

export interface GetOptions {
  signal?: AbortSignal;
  /** Override the store's configured maximum for this read. */
  maxBytes?: number;
}

export interface PutOptions {
  signal?: AbortSignal;
  /** A name for humans (Pinata dashboard, Kubo's `Name`); never part of the CID. */
  name?: string;
}

/**
 * Content-addressed storage. `put` returns the CIDv1 of the bytes (raw for
 * one block, dag-pb UnixFS when chunked); `get` returns bytes that have been
 * verified against the CID and refuses content over the configured maximum.
 * Errors are StorageError subclasses (see errors.ts).
 */
export interface ContentStore {
  readonly kind: "helia" | "ipfs-http" | "gateway" | "pinata";
  put: (bytes: Uint8Array, options?: PutOptions) => Promise<CID>;
  get: (cid: CID | string, options?: GetOptions) => Promise<Uint8Array>;
  close: () => Promise<void>;
}

export interface StoreLimits {
  /** Largest content `get` accepts and `put` stores (bytes). */
  maxBytes?: number;
  /** Per-operation timeout for network backends (ms). */
  timeoutMs?: number;
  /** Source of the timeout signal (default `AbortSignal.timeout`); tests inject one they abort themselves. */
  timeoutSignal?: (ms: number) => AbortSignal;
}

/** 256 MiB: comfortably above the models fedstr trains, far below "fill the disk". */
export const DEFAULT_MAX_BYTES = 256 * 1024 * 1024;
export const DEFAULT_TIMEOUT_MS = 30_000;
