import { NextResponse } from "next/server";
import { z } from "zod";
import { getDb } from "@/db/client";
import { apiCaller, requireRole } from "@/lib/auth/current-user";
import { AppError } from "@/lib/errors/app-error";
import { apiRoute } from "@/lib/http/api-handler";
import { receiptKinds } from "@/lib/redemptions/model";
import { getReceipt } from "@/lib/redemptions/redemptions";

const kindSchema = z.enum(receiptKinds).default("redemption");

export const GET = apiRoute<{ params: Promise<{ id: string }> }>(async (request, context) => {
  const player = requireRole(await apiCaller(request), "player");
  const kind = kindSchema.safeParse(new URL(request.url).searchParams.get("kind") ?? undefined);
  if (!kind.success) {
    throw new AppError("invalid_input", "kind is redemption or reversal", { field: "kind" });
  }
  const receipt = await getReceipt(getDb(), player.id, (await context.params).id, kind.data);
  if (!receipt) {
    throw new AppError(
      "not_found",
      kind.data === "reversal" ? "No reversal of such a redemption" : "No such redemption",
    );
  }
  return NextResponse.json(receipt, { headers: { "cache-control": "no-store" } });
});
