// GET /api/tfjs-wasm/<file>.wasm: the TensorFlow.js WASM backend's binaries, from the installed
// @tensorflow/tfjs-backend-wasm package (the same ones Node's `fedstr train` runs), for the
// participant panel's training worker. Only the package's three binaries are served.
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { NextResponse } from "next/server";

export const runtime = "nodejs";

const FILES = new Set([
  "tfjs-backend-wasm.wasm",
  "tfjs-backend-wasm-simd.wasm",
  "tfjs-backend-wasm-threaded-simd.wasm",
]);

/** The package's dist folder, found as Node would find the package from the app (webpack rewrites require.resolve). */
function wasmDist(): string | undefined {
  for (let dir = process.cwd(); ; dir = dirname(dir)) {
    const d = join(dir, "node_modules", "@tensorflow", "tfjs-backend-wasm", "dist");
    if (existsSync(d)) return d;
    if (dirname(dir) === dir) return undefined;
  }
}

export async function GET(_req: Request, ctx: { params: Promise<{ file: string }> }) {
  const { file } = await ctx.params;
  if (!FILES.has(file))
    return NextResponse.json({ error: `no such TensorFlow.js binary ${JSON.stringify(file)}` }, { status: 404 });
  const dist = wasmDist();
  if (!dist) return NextResponse.json({ error: "@tensorflow/tfjs-backend-wasm is not installed" }, { status: 500 });
  const bytes = await readFile(join(dist, file));
  return new NextResponse(new Uint8Array(bytes), {
    headers: { "content-type": "application/wasm", "cache-control": "public, max-age=31536000, immutable" },
  });
}
