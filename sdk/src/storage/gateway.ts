/**
 * Reading from any IPFS HTTP gateway, verified.
 *
 * First choice is the trustless gateway protocol: chunked content is fetched
 * as one CAR (`?format=car`), single blocks and anything the CAR lacked with
 * `GET /ipfs/<cid>?format=raw` (`Accept: application/vnd.ipld.raw`); every
 * block is verified before it is used, so any DAG layout works. If the gateway ignores
 * the raw format and answers with the file itself (many deserializing
 * gateways do), the file is verified by re-importing it with fedstr's
 * parameters and comparing CIDs.
 */

import { CarBlockIterator } from "@ipld/car/iterator";
import type { CID } from "multiformats/cid";
import { DAG_PB_CODEC, parseCid, RAW_CODEC } from "./cid.js";
import { KUBO_DEFAULT_API_URL, KUBO_DEFAULT_GATEWAY_URL } from "./endpoints.js";
import {
  BackendError,
  ContentNotFoundError,
  ContentTooLargeError,
  ReadOnlyStoreError,
  StorageError,
  WrongEndpointError,
} from "./errors.js";
import { classifyHttpError, readBodyCapped, withTimeout } from "./http.js";
import {
  type ContentStore,
  DEFAULT_MAX_BYTES,
  DEFAULT_TIMEOUT_MS,
  type GetOptions,
  type PutOptions,
  type StoreLimits,
} from "./types.js";
import { assertDeclaredSize, decodeFileNode, readVerifiedDag, verifyBlock, verifyWholeFile } from "./verify.js";

export const RAW_BLOCK_TYPE = "application/vnd.ipld.raw";
export const CAR_TYPE = "application/vnd.ipld.car";
/** Largest single block we accept from a gateway (IPFS blocks are at most 2 MiB in practice). */
const MAX_BLOCK_BYTES = 4 * 1024 * 1024;

export interface GatewayReaderOptions extends StoreLimits {
  /** Gateway base URL, e.g. `https://ipfs.io` or `http://127.0.0.1:5081`; `/ipfs/<cid>` is appended. */
  gatewayUrl: string;
  /** Extra query parameters on every request (e.g. `pinataGatewayToken`). */
  query?: Record<string, string>;
  /** Extra headers on every request. */
  headers?: Record<string, string>;
  /** Fetch chunked (dag-pb) content as one CAR (`?format=car`) when the gateway offers it (default true). */
  preferCar?: boolean;
}

function normalizeBase(url: string): string {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(url) ? url : `https://${url}`;
  return withScheme.replace(/\/+$/, "");
}

/** Verified reads from one gateway. */
export class GatewayReader {
  readonly base: string;
  private readonly query: Record<string, string>;
  private readonly headers: Record<string, string>;
  readonly maxBytes: number;
  readonly timeoutMs: number;
  private readonly timeoutSignal: ((ms: number) => AbortSignal) | undefined;
  private readonly preferCar: boolean;

  constructor(options: GatewayReaderOptions) {
    this.timeoutSignal = options.timeoutSignal;
    this.preferCar = options.preferCar ?? true;
    this.base = normalizeBase(options.gatewayUrl);
    this.query = options.query ?? {};
    this.headers = options.headers ?? {};
    this.maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  private url(cid: CID, format: "raw" | "car"): string {
    const u = new URL(`${this.base}/ipfs/${cid.toString()}`);
    u.searchParams.set("format", format);
    for (const [k, v] of Object.entries(this.query)) u.searchParams.set(k, v);
    return u.toString();
  }

  async get(cid: CID | string, options: GetOptions = {}): Promise<Uint8Array> {
    const root = parseCid(cid);
    const maxBytes = options.maxBytes ?? this.maxBytes;
    const { signal, timeout } = withTimeout(this.timeoutMs, options.signal, this.timeoutSignal);
    const what = `get ${root.toString()} from ${this.base}`;
    let wholeFile: Uint8Array | undefined;

    const notFoundOrError = async (res: Response, c: CID): Promise<never> => {
      const text = (await res.text().catch(() => "")).slice(0, 200).trim();
      if (res.status === 404 || res.status === 410 || isKuboMissingBlock(res.status, text)) {
        // Kubo's RPC port answers 404 to every /ipfs/ path: say so rather than "not found".
        if (res.status === 404) await this.assertNotRpcApi();
        const answer = `${this.base} answered ${res.status}${text === "" ? "" : `: ${text}`}`;
        throw new ContentNotFoundError(
          root.toString(),
          c.equals(root) ? answer : `block ${c.toString()} is missing: ${answer}`,
          c.equals(root) ? undefined : c.toString(),
        );
      }
      throw new BackendError(`${this.base} answered ${res.status} for ${c.toString()}: ${text}`, res.status);
    };

    const fetchBlock = async (c: CID): Promise<Uint8Array> => {
      const res = await fetch(this.url(c, "raw"), { headers: { accept: RAW_BLOCK_TYPE, ...this.headers }, signal });
      if (!res.ok) return await notFoundOrError(res, c);
      const type = contentType(res);
      if (type !== RAW_BLOCK_TYPE) {
        // A deserializing gateway: only usable for the root, as the whole file.
        if (!c.equals(root))
          throw new BackendError(
            `${this.base} does not serve raw blocks (got ${type === "" ? "no content-type" : type})`,
            res.status,
          );
        wholeFile = await readBodyCapped(res, maxBytes, `content ${root.toString()}`);
        return new Uint8Array(0);
      }
      // A raw root is the content itself (the user's limit applies); any other block is at most
      // MAX_BLOCK_BYTES, and readVerifiedDag applies the user's limit to the running total.
      if (c.equals(root) && c.code === RAW_CODEC && maxBytes < MAX_BLOCK_BYTES)
        return await readBodyCapped(res, maxBytes, `content ${root.toString()}`);
      return await readBodyCapped(
        res,
        MAX_BLOCK_BYTES,
        `block ${c.toString()}`,
        (size) =>
          new BackendError(
            `${this.base} sent ${size} bytes for block ${c.toString()} of ${root.toString()}; IPFS blocks are at most ${MAX_BLOCK_BYTES} bytes`,
          ),
      );
    };

    /**
     * One request for the whole DAG; undefined when the gateway does not do CAR. The blocks that
     * arrived, unverified (readVerifiedDag verifies each before use). A CAR that breaks off — Kubo
     * answers HTTP 200, sends the blocks it has and ends with `[Gateway Error: CAR stream truncated,
     * response is incomplete]` when it lacks one — keeps what arrived; the rest is fetched block by block.
     */
    const fetchCar = async (): Promise<Map<string, Uint8Array> | undefined> => {
      const res = await fetch(this.url(root, "car"), {
        headers: { accept: `${CAR_TYPE}; version=1; order=dfs; dups=n`, ...this.headers },
        signal,
      });
      if ([400, 406, 415, 501].includes(res.status)) {
        await res.body?.cancel().catch(() => {});
        return undefined;
      }
      if (!res.ok) return await notFoundOrError(res, root);
      const type = contentType(res);
      if (type === RAW_BLOCK_TYPE) {
        await res.body?.cancel().catch(() => {});
        return undefined;
      }
      if (type !== CAR_TYPE) {
        wholeFile = await readBodyCapped(res, maxBytes, `content ${root.toString()}`);
        return new Map();
      }
      // DAG overhead is small (one dag-pb node per 174 leaves), allow 1 % + 1 MiB over the content limit.
      const cap = Math.ceil(maxBytes * 1.01) + 1024 * 1024;
      const tooLarge = (size: string): ContentTooLargeError =>
        new ContentTooLargeError(`the CAR for ${root.toString()}`, size, maxBytes);
      const declared = res.headers.get("content-length");
      if (declared != null && Number(declared) > cap) {
        await res.body?.cancel().catch(() => {});
        throw tooLarge(declared);
      }
      const blocks = new Map<string, Uint8Array>();
      if (res.body == null) return blocks;
      const reader = res.body.getReader();
      let received = 0;
      const chunks = async function* (): AsyncGenerator<Uint8Array> {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) return;
          received += value.length;
          if (received > cap) throw tooLarge(`more than ${cap}`);
          yield value;
        }
      };
      try {
        for await (const block of await CarBlockIterator.fromIterable(chunks())) {
          // order=dfs puts the root first: check the size it declares before the rest is downloaded.
          if (blocks.size === 0 && block.cid.equals(root)) {
            await verifyBlock(root, block.bytes);
            assertDeclaredSize(root, decodeFileNode(root, root, block.bytes).fs, maxBytes);
          }
          blocks.set(block.cid.toString(), block.bytes);
        }
      } catch (err) {
        await reader.cancel().catch(() => {});
        if (err instanceof StorageError || signal.aborted) throw err;
        // Truncated or unreadable from here on: keep what arrived, fetch the rest block by block.
      }
      return blocks;
    };

    try {
      let first: Uint8Array | undefined;
      let car: Map<string, Uint8Array> | undefined;
      if (this.preferCar && root.code === DAG_PB_CODEC) car = await fetchCar();
      if (car == null) first = await fetchBlock(root);
      if (wholeFile != null) {
        await verifyWholeFile(root, wholeFile);
        return wholeFile;
      }
      let served = false;
      // Every block is verified by readVerifiedDag before use, whichever way it arrived.
      return await readVerifiedDag(
        root,
        async (c) => {
          if (!served && first != null && c.equals(root)) {
            served = true;
            return first;
          }
          const fromCar = car?.get(c.toString());
          if (fromCar != null) return fromCar;
          return await fetchBlock(c);
        },
        maxBytes,
      );
    } catch (err) {
      throw classifyHttpError(err, this.base, what, this.timeoutMs, timeout);
    }
  }

  private rpcApiCheck: Promise<void> | undefined;

  /**
   * Throws WrongEndpointError when this "gateway" is really an IPFS node's RPC API (Kubo answers
   * `POST /api/v0/version`, and 404 to every /ipfs/ path unless run with --unrestricted-api).
   * Asked once per reader, only after a 404.
   */
  private async assertNotRpcApi(): Promise<void> {
    this.rpcApiCheck ??= (async () => {
      let version: unknown;
      try {
        const res = await fetch(`${this.base}/api/v0/version`, {
          method: "POST",
          headers: this.headers,
          signal: AbortSignal.timeout(Math.min(this.timeoutMs, 5000)),
        });
        if (!res.ok) {
          await res.body?.cancel().catch(() => {});
          return;
        }
        version = ((await res.json()) as { Version?: unknown }).Version;
      } catch {
        return;
      }
      if (typeof version !== "string") return;
      throw new WrongEndpointError(
        `${this.base} is an IPFS node's RPC API (Kubo ${version}), not its gateway: it answers 404 to /ipfs/ paths. ` +
          `Name the gateway separately (--ipfs-gateway, FEDSTR_IPFS_GATEWAY or storage.gateway; Kubo's default is ${KUBO_DEFAULT_GATEWAY_URL}) and the API with --ipfs-api / FEDSTR_IPFS_API / storage.api (Kubo's default ${KUBO_DEFAULT_API_URL})`,
      );
    })();
    await this.rpcApiCheck;
  }
}

/** Kubo's answer for a block it does not have and may not look for (offline node, or a routing timeout). */
function isKuboMissingBlock(status: number, text: string): boolean {
  return (status === 500 || status === 504) && /not found|no providers|block was not found|offline/i.test(text);
}

function contentType(res: Response): string {
  return (res.headers.get("content-type") ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
}

/** A read-only ContentStore over any IPFS HTTP gateway (`put` throws ReadOnlyStoreError). */
export class GatewayStore implements ContentStore {
  readonly kind = "gateway" as const;
  readonly reader: GatewayReader;
  constructor(options: GatewayReaderOptions) {
    this.reader = new GatewayReader(options);
  }
  async put(_bytes: Uint8Array, _options?: PutOptions): Promise<CID> {
    throw new ReadOnlyStoreError(`gateway ${this.reader.base}`);
  }
  async get(cid: CID | string, options?: GetOptions): Promise<Uint8Array> {
    return await this.reader.get(cid, options);
  }
  async close(): Promise<void> {}
}
