import { getDb } from "@/db/client";
import { reviewResponse } from "@/lib/api/catalog";
import { respond } from "@/lib/api/respond";
import { apiCaller, requireRole } from "@/lib/auth/current-user";
import { rejectionSchema } from "@/lib/catalog/model";
import { rejectRedemption } from "@/lib/catalog/review-redemption";
import { apiRoute, readJson, requestContext } from "@/lib/http/api-handler";

export const POST = apiRoute<{ params: Promise<{ id: string }> }>(async (request, context) => {
  const admin = requireRole(await apiCaller(request), "admin");
  const { reason } = rejectionSchema.parse(await readJson(request));
  const review = await rejectRedemption(
    getDb(),
    (await context.params).id,
    reason,
    { ...requestContext(request), adminId: admin.id, tokenId: admin.tokenId },
    new Date(),
  );
  return respond(reviewResponse, review);
});
