// GET /api/tfjs-wasm/<file>.wasm: the TensorFlow.js WASM backend's binaries, from the installed
// @tensorflow/tfjs-backend-wasm package (the same ones Node's `fedstr train` runs), for the
// participant panel's training worker. Only the package's three binaries are served.
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { NextResponse } from "next/server";

export const runtime = "nodejs";

const FILES = new Set(["tfjs-backend-wasm.wasm", "tfjs-backend-wasm-simd.wasm", "tfjs-backend-wasm-threaded-simd.wasm"]);

export async function GET(_req: Request, ctx: { params: Promise<{ file: string }> }) {
  const { file } = await ctx.params;
  if (!FILES.has(file)) return NextResponse.json({ error: `no such TensorFlow.js binary ${JSON.stringify(file)}` }, { status: 404 });
  const dist = dirname(createRequire(join(process.cwd(), "package.json")).resolve("@tensorflow/tfjs-backend-wasm"));
  const bytes = await readFile(join(dist, file));
  return new NextResponse(new Uint8Array(bytes), { headers: { "content-type": "application/wasm", "cache-control": "public, max-age=31536000, immutable" } });
}
