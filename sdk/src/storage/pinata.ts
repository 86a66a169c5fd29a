/**
 * Production storage: Pinata, through the official `pinata` SDK (v2).
 *
 * - put: `pinata.upload.public.file(file)` — the SDK POSTs multipart
 *   (`file`, `network=public`, `name`) to `${uploadUrl}/files`
 *   (default https://uploads.pinata.cloud/v3) with `Authorization: Bearer <JWT>`
 *   and returns `data` = { id, name, cid, size, ... }. The CID Pinata reports
 *   must equal the CID computed locally with fedstr's parameters, else the put
 *   fails with CidMismatchError. (Files over ~90 MB switch the SDK to TUS
 *   resumable uploads; fedstr artefacts stay well below that.)
 * - get: NOT through `pinata.gateways.public.get`, because the SDK turns JSON
 *   and text responses into parsed objects/strings, which loses the exact
 *   bytes; instead the configured gateway is read with fedstr's verifying
 *   gateway reader (trustless `?format=raw` blocks when the gateway serves
 *   them, whole-file re-import check otherwise), with `pinataGatewayToken`
 *   when a gateway key is configured.
 */

import type { CID } from "multiformats/cid";
import { PinataSDK } from "pinata";
import { plainBytes } from "./bytes.js";
import { parseCid } from "./cid.js";
import { BackendError, CidMismatchError, ContentTooLargeError, StorageError } from "./errors.js";
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

export interface PinataStoreOptions extends StoreLimits {
  /** Pinata API JWT (env PINATA_JWT). */
  jwt: string;
  /** Gateway domain or URL, e.g. `example.mypinata.cloud` (env PINATA_GATEWAY). */
  gateway: string;
  /** Gateway key for dedicated gateways with access control (env PINATA_GATEWAY_KEY). */
  gatewayKey?: string;
  /** Override the SDK's upload base (tests point it at a local stand-in). */
  uploadUrl?: string;
  /** Override the SDK's API base. */
  endpointUrl?: string;
}

export class PinataStore implements ContentStore {
  readonly kind = "pinata" as const;
  readonly sdk: PinataSDK;
  readonly reader: GatewayReader;
  private readonly maxBytes: number;
  private readonly timeoutMs: number;
  private readonly uploadBase: string;
  private readonly timeoutSignal: ((ms: number) => AbortSignal) | undefined;

  constructor(options: PinataStoreOptions) {
    this.timeoutSignal = options.timeoutSignal;
    if (options.jwt === "") throw new Error("PinataStore needs a JWT (PINATA_JWT)");
    if (options.gateway === "") throw new Error("PinataStore needs a gateway (PINATA_GATEWAY)");
    this.maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.uploadBase = options.uploadUrl ?? "https://uploads.pinata.cloud/v3";
    this.sdk = new PinataSDK({
      pinataJwt: options.jwt,
      pinataGateway: options.gateway,
      ...(options.gatewayKey != null ? { pinataGatewayKey: options.gatewayKey } : {}),
      ...(options.uploadUrl != null ? { uploadUrl: options.uploadUrl } : {}),
      ...(options.endpointUrl != null ? { endpointUrl: options.endpointUrl } : {}),
    });
    this.reader = new GatewayReader({
      gatewayUrl: options.gateway,
      maxBytes: this.maxBytes,
      timeoutMs: this.timeoutMs,
      ...(options.timeoutSignal != null ? { timeoutSignal: options.timeoutSignal } : {}),
      ...(options.gatewayKey != null ? { query: { pinataGatewayToken: options.gatewayKey } } : {}),
    });
  }

  async put(bytes: Uint8Array, options: PutOptions = {}): Promise<CID> {
    if (bytes.length > this.maxBytes) throw new ContentTooLargeError("put", bytes.length, this.maxBytes);
    const expected = await computeCid(bytes);
    const { timeout } = withTimeout(this.timeoutMs, options.signal, this.timeoutSignal);
    try {
      const file = new File([plainBytes(bytes)], options.name ?? expected.toString(), {
        type: "application/octet-stream",
      });
      const upload = this.sdk.upload.public.file(file).name(options.name ?? expected.toString());
      const result = await Promise.race([
        upload,
        new Promise<never>((_resolve, reject) => {
          const onAbort = (): void => {
            reject(Object.assign(new Error("aborted"), { name: "TimeoutError" }));
          };
          if (timeout.aborted) onAbort();
          else timeout.addEventListener("abort", onAbort, { once: true });
          options.signal?.addEventListener("abort", onAbort, { once: true });
        }),
      ]);
      const reported = (result as { cid?: unknown } | undefined)?.cid;
      if (typeof reported !== "string")
        throw new BackendError(`Pinata upload returned no CID: ${JSON.stringify(result).slice(0, 200)}`);
      const got = parseCid(reported);
      if (got.toString() !== expected.toString())
        throw new CidMismatchError(expected.toString(), got.toString(), "Pinata reported a different CID");
      return got;
    } catch (err) {
      if (err instanceof StorageError) throw err;
      const status = (err as { statusCode?: unknown }).statusCode;
      if (typeof status === "number")
        throw new BackendError(`Pinata upload failed (${status}): ${(err as Error).message}`, status, err);
      // The SDK wraps fetch failures in PinataError("Error uploading file: fetch failed").
      if (err instanceof Error && /fetch failed/i.test(err.message))
        throw classifyHttpError(
          Object.assign(new TypeError("fetch failed"), { cause: (err as { cause?: unknown }).cause ?? err }),
          this.uploadBase,
          "Pinata upload",
          this.timeoutMs,
          timeout,
        );
      throw classifyHttpError(err, this.uploadBase, "Pinata upload", this.timeoutMs, timeout);
    }
  }

  async get(cid: CID | string, options?: GetOptions): Promise<Uint8Array> {
    return await this.reader.get(cid, options);
  }

  async close(): Promise<void> {}
}
