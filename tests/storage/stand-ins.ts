/**
 * Small loopback HTTP servers used as test doubles: a scripted gateway (to
 * make an IPFS gateway lie, stall or deserialize) and a STAND-IN for Pinata
 * (not Pinata: it only answers the calls the `pinata` SDK v2 makes for a
 * public file upload, plus a deserializing gateway).
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { computeCid } from "../../sdk/src/storage/index.js";

export interface StandIn {
  url: string;
  close: () => Promise<void>;
  requests: Array<{ method: string; url: string; headers: IncomingMessage["headers"] }>;
}

export async function serve(
  handler: (req: IncomingMessage, res: ServerResponse, body: Buffer) => void | Promise<void>,
): Promise<StandIn> {
  const requests: StandIn["requests"] = [];
  const server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on("data", (c: Buffer) => parts.push(c));
    req.on("end", () => {
      requests.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers });
      Promise.resolve(handler(req, res, Buffer.concat(parts))).catch((err: unknown) => {
        res.statusCode = 500;
        res.end(String(err));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export interface PinataStandInOptions {
  jwt: string;
  gatewayKey?: string;
  /** Report this CID instead of the real one (to test mismatch detection). */
  lieAboutCid?: string;
}

/**
 * Pinata stand-in. Answers:
 *  - POST /v3/files  (what `pinata.upload.public.file()` calls: multipart with
 *    `file`, `network`, `name`; `Authorization: Bearer <JWT>`) with
 *    `{ data: { id, name, cid, size, number_of_files, mime_type, network, ... } }`
 *  - GET /ipfs/<cid> as a deserializing gateway (content-type sniffed like a
 *    real gateway: JSON as application/json), ignoring `format=raw`, and
 *    checking `pinataGatewayToken` when a gateway key is configured.
 */
export async function pinataStandIn(
  options: PinataStandInOptions,
): Promise<StandIn & { files: Map<string, Uint8Array> }> {
  const files = new Map<string, Uint8Array>();
  let n = 0;
  const s = await serve(async (req, res, body) => {
    const url = new URL(req.url ?? "/", "http://x");
    if (req.method === "POST" && url.pathname === "/v3/files") {
      if (req.headers.authorization !== `Bearer ${options.jwt}`) {
        res.writeHead(401, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: { reason: "INVALID_CREDENTIALS", details: "Invalid/expired credentials" } }));
        return;
      }
      const form = await new Response(body, {
        headers: { "content-type": req.headers["content-type"] ?? "" },
      }).formData();
      const file = form.get("file") as unknown as (Blob & { name?: string }) | null;
      if (file == null || typeof file === "string" || form.get("network") !== "public") {
        res.writeHead(400);
        res.end("bad upload");
        return;
      }
      const bytes = new Uint8Array(await file.arrayBuffer());
      const cid = (await computeCid(bytes)).toString();
      files.set(cid, bytes);
      const data = {
        id: `file-${++n}`,
        name: String(form.get("name") ?? file.name ?? ""),
        cid: options.lieAboutCid ?? cid,
        size: bytes.length,
        number_of_files: 1,
        mime_type: file.type,
        group_id: null,
        keyvalues: {},
        created_at: new Date(0).toISOString(),
        network: "public",
        vectorized: false,
      };
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ data }));
      return;
    }
    if (req.method === "GET" && url.pathname.startsWith("/ipfs/")) {
      if (options.gatewayKey != null && url.searchParams.get("pinataGatewayToken") !== options.gatewayKey) {
        res.writeHead(403);
        res.end("gateway key required");
        return;
      }
      const bytes = files.get(url.pathname.slice(6));
      if (bytes == null) {
        res.writeHead(404);
        res.end("not found");
        return;
      }
      const text = Buffer.from(bytes).toString("utf8");
      let type = "application/octet-stream";
      try {
        JSON.parse(text);
        type = "application/json";
      } catch {
        /* binary */
      }
      res.writeHead(200, { "content-type": type, "content-length": String(bytes.length) });
      res.end(bytes);
      return;
    }
    res.writeHead(404);
    res.end("no such endpoint on the stand-in");
  });
  return { ...s, files };
}
