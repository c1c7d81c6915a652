import { NextResponse } from "next/server";
import { getDb } from "@/db/client";
import { apiCaller, requireRole } from "@/lib/auth/current-user";
import { apiRoute } from "@/lib/http/api-handler";
import { listPlayerRedemptions } from "@/lib/redemptions/redemptions";

export const GET = apiRoute(async (request) => {
  const player = requireRole(await apiCaller(request), "player");
  return NextResponse.json({ redemptions: await listPlayerRedemptions(getDb(), player.id) });
});
