import { getDb } from "@/db/client";
import { catalogRedemptionResponse } from "@/lib/api/catalog";
import { idempotencyKey } from "@/lib/api/claims";
import { respond } from "@/lib/api/respond";
import { apiCaller, requireRole } from "@/lib/auth/current-user";
import { describeCatalogRedemption, redeemCatalogItem } from "@/lib/catalog/redeem-item";
import { AppError } from "@/lib/errors/app-error";
import { apiRoute, requestContext } from "@/lib/http/api-handler";

export const POST = apiRoute<{ params: Promise<{ itemId: string }> }>(async (request, context) => {
  const player = requireRole(await apiCaller(request), "player");
  const { itemId } = await context.params;
  const header = request.headers.get("idempotency-key");
  const key = idempotencyKey.safeParse(header ?? "");
  if (!key.success) {
    throw new AppError(
      "invalid_input",
      "Send an Idempotency-Key header: printable ASCII, at most 200 characters",
      { field: "Idempotency-Key" },
    );
  }
  const db = getDb();
  const result = await redeemCatalogItem(db, {
    playerId: player.id,
    itemId,
    idempotencyKey: key.data,
    now: new Date(),
    context: { ...requestContext(request), tokenId: player.tokenId },
  });
  return respond(
    catalogRedemptionResponse,
    await describeCatalogRedemption(db, player.id, result.redemptionId),
    {
      status: 201,
      headers: {
        location: `/api/v1/redemptions/${result.redemptionId}`,
        ...(result.replayed ? { "idempotent-replayed": "true" } : {}),
      },
    },
  );
});
