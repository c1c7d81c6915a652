import { NextResponse } from "next/server";
import { getDb } from "@/db/client";
import { apiCaller, requireRole } from "@/lib/auth/current-user";
import { AppError } from "@/lib/errors/app-error";
import { apiRoute } from "@/lib/http/api-handler";
import { getReceipt } from "@/lib/redemptions/redemptions";

export const GET = apiRoute<{ params: Promise<{ id: string }> }>(async (request, context) => {
  const player = requireRole(await apiCaller(request), "player");
  const receipt = await getReceipt(getDb(), player.id, (await context.params).id);
  if (!receipt) throw new AppError("not_found", "No such redemption");
  return NextResponse.json(receipt, { headers: { "cache-control": "no-store" } });
});
