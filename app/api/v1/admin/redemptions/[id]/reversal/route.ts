import { getDb } from "@/db/client";
import { reversalResponse } from "@/lib/api/admin-redemptions";
import { respond } from "@/lib/api/respond";
import { apiCaller, requireRole } from "@/lib/auth/current-user";
import { apiRoute, readJson, requestContext } from "@/lib/http/api-handler";
import { reversalSchema } from "@/lib/redemptions/model";
import { reverseRedemption } from "@/lib/redemptions/reverse-redemption";

/** Reverses a redemption `{ reason }`: the unit returns to the drop, a reversal leaf is logged. */
export const POST = apiRoute<{ params: Promise<{ id: string }> }>(async (request, context) => {
  const admin = requireRole(await apiCaller(request), "admin");
  const { reason } = reversalSchema.parse(await readJson(request));
  const reversal = await reverseRedemption(
    getDb(),
    { redemptionId: (await context.params).id, adminId: admin.id, reason },
    { ...requestContext(request), tokenId: admin.tokenId },
  );
  return respond(reversalResponse, reversal, { status: 201 });
});
