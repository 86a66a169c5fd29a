// POST /api/ipfs?name=<file name>: store the request body with the server's configured storage
// (embedded node / Kubo API on localnet, Pinata with the JWT kept here on real clusters) and
// answer its CID. The CID is recomputed locally by the SDK's stores, so a wrong answer from the
// backend is an error, not a wrong CID.

import { storeFor } from "@fedstr/sdk/config";
import { computeCid } from "@fedstr/sdk/storage";
import { type NextRequest, NextResponse } from "next/server";
import { serverConfig } from "@/lib/server-config";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/** Largest upload accepted (a plan or an initial model; an MLP of a few million parameters). */
const MAX_UPLOAD_BYTES = 64 * 1024 * 1024;

export async function POST(req: NextRequest) {
  const name = req.nextUrl.searchParams.get("name") ?? "upload";
  if (!/^[\w.-]{1,64}$/.test(name))
    return NextResponse.json(
      { error: `name must be 1-64 letters, digits, '.', '_' or '-', got ${JSON.stringify(name)}` },
      { status: 400 },
    );
  const length = Number(req.headers.get("content-length") ?? "0");
  if (length > MAX_UPLOAD_BYTES)
    return NextResponse.json({ error: `upload is ${length} bytes, over ${MAX_UPLOAD_BYTES}` }, { status: 413 });
  const bytes = new Uint8Array(await req.arrayBuffer());
  if (bytes.length === 0) return NextResponse.json({ error: "empty upload" }, { status: 400 });
  if (bytes.length > MAX_UPLOAD_BYTES)
    return NextResponse.json({ error: `upload is ${bytes.length} bytes, over ${MAX_UPLOAD_BYTES}` }, { status: 413 });
  try {
    const store = await storeFor(serverConfig());
    const cid = await store.put(bytes, { name });
    const expected = await computeCid(bytes);
    if (cid.toString() !== expected.toString())
      return NextResponse.json({ error: `storage answered CID ${cid}, the content's is ${expected}` }, { status: 502 });
    return NextResponse.json({ cid: cid.toString(), size: bytes.length });
  } catch (e) {
    return NextResponse.json({ error: `IPFS upload failed: ${(e as Error).message}` }, { status: 502 });
  }
}
