import { NextResponse } from "next/server";
import { getDb } from "@/db/client";
import { listAnchoredCheckpoints } from "@/lib/anchoring/public-log";
import { apiRoute } from "@/lib/http/api-handler";

export const dynamic = "force-dynamic";

export const GET = apiRoute(async () => {
  return NextResponse.json({ checkpoints: await listAnchoredCheckpoints(getDb()) });
});
