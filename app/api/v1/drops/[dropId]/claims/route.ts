import { NextResponse } from "next/server";
import { z } from "zod";
import { getDb } from "@/db/client";
import { apiCaller, requireRole } from "@/lib/auth/current-user";
import { claimDrop } from "@/lib/claims/claim-drop";
import { AppError } from "@/lib/errors/app-error";
import { apiRoute, requestContext } from "@/lib/http/api-handler";
import { getReceipt } from "@/lib/redemptions/redemptions";

export const POST = apiRoute<{ params: Promise<{ dropId: string }> }>(async (request, context) => {
  const player = requireRole(await apiCaller(request), "player");
  const { dropId } = await context.params;
  if (!z.uuid().safeParse(dropId).success)
    throw new AppError("not_found", "This drop does not exist");
  const db = getDb();
  const claim = await claimDrop(db, { dropId, playerId: player.id, ...requestContext(request) });
  const receipt = await getReceipt(db, player.id, claim.redemptionId);
  return NextResponse.json(
    {
      redemption: {
        id: claim.redemptionId,
        dropId: claim.dropId,
        prizeId: claim.prizeId,
        code: claim.code,
        claimedAt: claim.claimedAt.toISOString(),
      },
      remaining: claim.remaining,
      receipt,
    },
    { status: 201, headers: { location: `/api/v1/redemptions/${claim.redemptionId}` } },
  );
});
