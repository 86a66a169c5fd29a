/**
 * The embedded IPFS node as a service: one long-running process owns a Helia
 * node (persistent blockstore/datastore) and serves it on loopback so that
 * other processes (participants, aggregator, web app) can use it:
 *
 *   GET/HEAD /ipfs/<cid>?format=raw   trustless gateway, one verified-by-the-reader block
 *            (or Accept: application/vnd.ipld.raw)
 *   GET/HEAD /ipfs/<cid>?format=car   trustless gateway, the whole DAG as a CARv1 (dfs, no dups)
 *            (or Accept: application/vnd.ipld.car)
 *   GET/HEAD /ipfs/<cid>              the file itself (deserialized, application/octet-stream)
 *   POST /api/v0/add                  subset of Kubo's RPC: multipart with one file,
 *                                     cid-version=1 (required), raw-leaves, chunker=size-262144,
 *                                     pin; answers {"Name","Hash","Size"} like Kubo
 *   GET  /health                      {"ok":true,...}
 *
 * Only fedstr CIDs (CIDv1, sha2-256, raw|dag-pb) are served or produced.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Helia } from "@helia/interface";
import { CarWriter } from "@ipld/car/writer";
import * as dagPb from "@ipld/dag-pb";
import { CID } from "multiformats/cid";
import { plainBytes } from "./bytes.js";
import { assertFedstrCid, CHUNK_SIZE, parseCid, RAW_CODEC } from "./cid.js";
import { ContentTooLargeError, InvalidCidError, StorageError } from "./errors.js";
import { CAR_TYPE, RAW_BLOCK_TYPE } from "./gateway.js";
import { addToHelia, createHeliaNode, getLocalBlock } from "./helia.js";

import { DEFAULT_MAX_BYTES } from "./types.js";
import { readVerifiedDag, verifyBlock } from "./verify.js";

export interface IpfsNodeOptions {
  dataDir: string;
  /** Loopback only by default. */
  host?: string;
  /** 0 = ephemeral port chosen by the OS. */
  port?: number;
  /** Largest upload and largest file served (bytes). */
  maxBytes?: number;
  /** Reuse a running Helia node instead of opening one on dataDir. */
  helia?: Helia;
}

export interface IpfsNodeHandle {
  /** Base URL, e.g. http://127.0.0.1:43121 — both the gateway and the RPC API live here. */
  url: string;
  port: number;
  dataDir: string;
  helia: Helia;
  close: () => Promise<void>;
}

function send(
  res: ServerResponse,
  status: number,
  body: string | Uint8Array,
  type = "text/plain; charset=utf-8",
  head = false,
): void {
  const bytes = typeof body === "string" ? Buffer.from(body) : body;
  res.writeHead(status, {
    "content-type": type,
    "content-length": String(bytes.length),
    "x-content-type-options": "nosniff",
  });
  res.end(head ? undefined : bytes);
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  send(res, status, `${JSON.stringify(value)}\n`, "application/json");
}

/** Kubo-style error body: {"Message","Code","Type":"error"}. */
function sendRpcError(res: ServerResponse, status: number, message: string): void {
  sendJson(res, status, { Message: message, Code: 0, Type: "error" });
}

async function readRequestBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  const declared = Number(req.headers["content-length"] ?? "0");
  if (declared > limit) return undefined;
  const parts: Buffer[] = [];
  let n = 0;
  for await (const chunk of req) {
    const b = chunk as Buffer;
    n += b.length;
    if (n > limit) return undefined;
    parts.push(b);
  }
  return Buffer.concat(parts);
}

/** All blocks of a fedstr DAG in depth-first order, each verified, without duplicates. */
async function collectDag(
  root: CID,
  get: (c: CID) => Promise<Uint8Array>,
  maxBytes: number,
): Promise<Array<{ cid: CID; bytes: Uint8Array }>> {
  const out: Array<{ cid: CID; bytes: Uint8Array }> = [];
  const seen = new Set<string>();
  let total = 0;
  const visit = async (c: CID, depth: number): Promise<void> => {
    if (seen.has(c.toString())) return;
    if (depth > 32) throw new Error(`DAG ${root.toString()} is too deep`);
    assertFedstrCid(c);
    const bytes = await get(c);
    await verifyBlock(c, bytes);
    total += bytes.length;
    if (total > maxBytes) throw new ContentTooLargeError(`DAG ${root.toString()}`, `more than ${maxBytes}`, maxBytes);
    seen.add(c.toString());
    out.push({ cid: c, bytes });
    if (c.code === RAW_CODEC) return;
    for (const link of dagPb.decode(bytes).Links) {
      const child = CID.asCID(link.Hash);
      if (child == null) throw new Error(`bad link in ${c.toString()}`);
      await visit(child, depth + 1);
    }
  };
  await visit(root, 0);
  return out;
}

/** Start the node's HTTP service. */
export async function startIpfsNode(options: IpfsNodeOptions): Promise<IpfsNodeHandle> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const helia = options.helia ?? (await createHeliaNode({ dataDir: options.dataDir }));
  const ownsHelia = options.helia == null;

  const handleGateway = async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    const head = req.method === "HEAD";
    const cidText = url.pathname.slice("/ipfs/".length).split("/")[0] ?? "";
    let cid: CID;
    try {
      cid = parseCid(decodeURIComponent(cidText));
    } catch (err) {
      send(res, 400, `${(err as Error).message}\n`);
      return;
    }
    if (url.pathname.slice("/ipfs/".length).includes("/")) {
      send(res, 400, "paths inside content are not supported\n");
      return;
    }
    const format = url.searchParams.get("format") ?? "";
    const accept = req.headers.accept ?? "";
    const wantsRaw = format === "raw" || (format === "" && accept.includes(RAW_BLOCK_TYPE));
    const wantsCar = format === "car" || (format === "" && accept.includes(CAR_TYPE));
    if (format !== "" && format !== "raw" && format !== "car") {
      send(res, 400, `format=${format} is not supported, use format=raw or format=car\n`);
      return;
    }
    if (!(await helia.blockstore.has(cid))) {
      send(res, 404, `not found: ${cid.toString()}\n`);
      return;
    }
    if (wantsCar) {
      // CARv1, dfs order, no duplicates, every block verified on the way out.
      const blocks = await collectDag(
        cid,
        async (c) => await getLocalBlock(helia, c),
        Math.ceil(maxBytes * 1.01) + 1024 * 1024,
      );
      const { writer, out } = CarWriter.create([cid]);
      const parts: Uint8Array[] = [];
      const collecting = (async () => {
        for await (const p of out) parts.push(p);
      })();
      for (const b of blocks) await writer.put(b);
      await writer.close();
      await collecting;
      res.setHeader("cache-control", "public, max-age=29030400, immutable");
      res.setHeader("etag", `"${cid.toString()}.car"`);
      send(res, 200, Buffer.concat(parts), `${CAR_TYPE}; version=1; order=dfs; dups=n`, head);
      return;
    }
    if (wantsRaw) {
      const block = await getLocalBlock(helia, cid);
      res.setHeader("cache-control", "public, max-age=29030400, immutable");
      res.setHeader("etag", `"${cid.toString()}.raw"`);
      send(res, 200, block, RAW_BLOCK_TYPE, head);
      return;
    }
    // Deserialized: assemble the file from local blocks (verified on the way).
    const bytes = await readVerifiedDag(cid, async (c) => await getLocalBlock(helia, c), maxBytes);
    res.setHeader("etag", `"${cid.toString()}"`);
    res.setHeader("x-ipfs-path", `/ipfs/${cid.toString()}`);
    send(res, 200, bytes, "application/octet-stream", head);
  };

  const handleAdd = async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    const q = url.searchParams;
    if (q.get("cid-version") !== "1") {
      sendRpcError(res, 400, "cid-version=1 is required (fedstr uses CIDv1 only)");
      return;
    }
    if (q.has("raw-leaves") && q.get("raw-leaves") !== "true") {
      sendRpcError(res, 400, "raw-leaves=false is not supported");
      return;
    }
    const chunker = q.get("chunker");
    if (chunker != null && chunker !== `size-${CHUNK_SIZE}`) {
      sendRpcError(res, 400, `chunker must be size-${CHUNK_SIZE}`);
      return;
    }
    const hash = q.get("hash");
    if (hash != null && hash !== "sha2-256") {
      sendRpcError(res, 400, "hash must be sha2-256");
      return;
    }
    if (q.get("wrap-with-directory") === "true") {
      sendRpcError(res, 400, "wrap-with-directory is not supported");
      return;
    }
    const type = req.headers["content-type"] ?? "";
    if (!type.startsWith("multipart/form-data")) {
      sendRpcError(res, 400, "expected multipart/form-data");
      return;
    }
    const body = await readRequestBody(req, maxBytes + 64 * 1024);
    if (body == null) {
      sendRpcError(res, 413, `upload over the node's maximum of ${maxBytes} bytes`);
      return;
    }
    let form: FormData;
    try {
      form = await new Response(plainBytes(body), { headers: { "content-type": type } }).formData();
    } catch (err) {
      sendRpcError(res, 400, `bad multipart body: ${(err as Error).message}`);
      return;
    }
    const files = [...form.values()].filter((v) => typeof v !== "string") as unknown as Array<Blob & { name?: string }>;
    if (files.length !== 1 || files[0] == null) {
      sendRpcError(res, 400, `expected exactly one file part, got ${files.length}`);
      return;
    }
    const file = files[0];
    if (file.size > maxBytes) {
      sendRpcError(res, 413, `file is ${file.size} bytes, over ${maxBytes}`);
      return;
    }
    const bytes = new Uint8Array(await file.arrayBuffer());
    const cid = await addToHelia(helia, bytes);
    const name = file.name != null && file.name !== "" && file.name !== "blob" ? file.name : cid.toString();
    sendJson(res, 200, { Name: name, Hash: cid.toString(), Size: String(bytes.length) });
  };

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const route = async (): Promise<void> => {
      if (url.pathname.startsWith("/ipfs/")) {
        // Content is public and verified by the reader: any web page (the web app) may read it.
        // Only reads: the add API stays same-origin (the app uploads through its own server).
        res.setHeader("access-control-allow-origin", "*");
        if (req.method === "OPTIONS") {
          res.writeHead(204, {
            "access-control-allow-methods": "GET, HEAD",
            "access-control-allow-headers": "accept",
            "access-control-max-age": "86400",
          });
          res.end();
          return;
        }
      }
      if ((req.method === "GET" || req.method === "HEAD") && url.pathname.startsWith("/ipfs/"))
        return await handleGateway(req, res, url);
      if (url.pathname === "/api/v0/add") {
        if (req.method !== "POST") {
          sendRpcError(res, 405, "use POST");
          return;
        }
        return await handleAdd(req, res, url);
      }
      if (req.method === "GET" && url.pathname === "/health") {
        sendJson(res, 200, { ok: true, node: "helia", dataDir: options.dataDir });
        return;
      }
      send(res, 404, "not found\n");
    };
    route().catch((err: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      const status =
        err instanceof InvalidCidError
          ? 400
          : err instanceof StorageError && err.code === "NOT_FOUND"
            ? 404
            : err instanceof StorageError && err.code === "TOO_LARGE"
              ? 413
              : 500;
      send(res, status, `${(err as Error).message}\n`);
    });
  });
  const host = options.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
  return {
    url,
    port,
    dataDir: options.dataDir,
    helia,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (ownsHelia) await helia.stop();
    },
  };
}
