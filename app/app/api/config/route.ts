// GET /api/config: the network the server's config names (the browser's defaults in Settings).
import { NextResponse } from "next/server";
import { publicConfig } from "@/lib/server-config";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export function GET() {
  try {
    return NextResponse.json(publicConfig());
  } catch (e) {
    return NextResponse.json({ error: (e as Error).message }, { status: 500 });
  }
}
