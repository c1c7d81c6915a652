import { NextResponse } from "next/server";
import { getDb } from "@/db/client";
import { listOpenDrops } from "@/lib/drops/drops";
import { apiRoute } from "@/lib/http/api-handler";

export const dynamic = "force-dynamic";

export const GET = apiRoute(async () => {
  return NextResponse.json(await listOpenDrops(getDb()), {
    headers: { "cache-control": "no-store" },
  });
});
