/**
 * ContentStore over an IPFS node's HTTP endpoints — the embedded fedstr node
 * (`npm run ipfs-node`) or a Kubo daemon: writes with Kubo's RPC
 * `POST /api/v0/add?cid-version=1`, reads through the trustless gateway with
 * per-block verification.
 */
import type { CID } from "multiformats/cid";
import { plainBytes } from "./bytes.js";
import { CHUNK_SIZE, parseCid } from "./cid.js";
import { KUBO_DEFAULT_API_URL } from "./endpoints.js";
import { BackendError, CidMismatchError, ContentTooLargeError, StorageError, WrongEndpointError } from "./errors.js";
import { GatewayReader } from "./gateway.js";
import { classifyHttpError, withTimeout } from "./http.js";
import {
  type ContentStore,
  DEFAULT_MAX_BYTES,
  DEFAULT_TIMEOUT_MS,
  type GetOptions,
  type PutOptions,
  type StoreLimits,
} from "./types.js";
import { computeCid } from "./unixfs-import.js";

export interface IpfsHttpStoreOptions extends StoreLimits {
  /** The node's RPC API base URL, e.g. the embedded node's http://127.0.0.1:5081 or Kubo's http://127.0.0.1:5001. */
  url: string;
  /** Gateway base URL when it differs from `url` (Kubo: http://127.0.0.1:8080; its API port answers 404 to /ipfs/). */
  gatewayUrl?: string;
}

export class IpfsHttpStore implements ContentStore {
  readonly kind = "ipfs-http" as const;
  readonly url: string;
  readonly reader: GatewayReader;
  private readonly maxBytes: number;
  private readonly timeoutMs: number;
  private readonly timeoutSignal: ((ms: number) => AbortSignal) | undefined;

  constructor(options: IpfsHttpStoreOptions) {
    this.timeoutSignal = options.timeoutSignal;
    this.url = options.url.replace(/\/+$/, "");
    this.maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.reader = new GatewayReader({
      gatewayUrl: options.gatewayUrl ?? this.url,
      maxBytes: this.maxBytes,
      timeoutMs: this.timeoutMs,
      ...(options.timeoutSignal != null ? { timeoutSignal: options.timeoutSignal } : {}),
    });
  }

  async put(bytes: Uint8Array, options: PutOptions = {}): Promise<CID> {
    if (bytes.length > this.maxBytes) throw new ContentTooLargeError("put", bytes.length, this.maxBytes);
    const expected = await computeCid(bytes);
    const endpoint = `${this.url}/api/v0/add?cid-version=1&raw-leaves=true&chunker=size-${CHUNK_SIZE}&hash=sha2-256&pin=true&progress=false`;
    const { signal, timeout } = withTimeout(this.timeoutMs, options.signal, this.timeoutSignal);
    try {
      const form = new FormData();
      form.append("file", new Blob([plainBytes(bytes)]), options.name ?? expected.toString());
      const res = await fetch(endpoint, { method: "POST", body: form, signal });
      const text = await res.text();
      if (res.status === 413) throw new ContentTooLargeError(`upload to ${this.url}`, bytes.length, this.maxBytes);
      if (res.status === 404 || res.status === 405) {
        // Kubo's gateway port (or any plain gateway) has no /api/v0: the API URL names the wrong service.
        throw new WrongEndpointError(
          `${this.url} answered ${res.status} to POST /api/v0/add: it is not an IPFS RPC API (Kubo's API is on port 5001, e.g. ${KUBO_DEFAULT_API_URL}; its gateway on 8080). Check --ipfs-api / FEDSTR_IPFS_API / storage.api`,
        );
      }
      if (!res.ok)
        throw new BackendError(`${this.url} /api/v0/add answered ${res.status}: ${text.slice(0, 200)}`, res.status);
      // Kubo streams one JSON object per line; the last one is the root.
      const lines = text
        .trim()
        .split("\n")
        .filter((l) => l.trim() !== "");
      const last = lines[lines.length - 1];
      let hash: unknown;
      try {
        hash = (JSON.parse(last ?? "") as { Hash?: unknown }).Hash;
      } catch {
        hash = undefined;
      }
      if (typeof hash !== "string")
        throw new BackendError(`${this.url} /api/v0/add gave no Hash: ${text.slice(0, 200)}`);
      const got = parseCid(hash);
      if (got.toString() !== expected.toString())
        throw new CidMismatchError(
          expected.toString(),
          got.toString(),
          `${this.url} stored the bytes under a different CID`,
        );
      return got;
    } catch (err) {
      if (err instanceof StorageError) throw err;
      throw classifyHttpError(err, this.url, `put to ${this.url}`, this.timeoutMs, timeout);
    }
  }

  async get(cid: CID | string, options?: GetOptions): Promise<Uint8Array> {
    return await this.reader.get(cid, options);
  }

  async close(): Promise<void> {}
}
