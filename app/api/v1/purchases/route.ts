import { getDb } from "@/db/client";
import { idempotencyKey } from "@/lib/api/claims";
import { respond } from "@/lib/api/respond";
import { purchaseStartedResponse, toPurchaseView } from "@/lib/api/wallet";
import { apiCaller, requireRole } from "@/lib/auth/current-user";
import { apiRoute, readJson, requestContext } from "@/lib/http/api-handler";
import { purchaseSchema } from "@/lib/payments/model";
import { paymentProvider, purchaseReturnUrl } from "@/lib/payments/provider";
import { startPurchase } from "@/lib/payments/purchases";

/**
 * Starts buying a coin package `{ packageId }`: the answer's confirmUrl is the provider's page
 * where the player pays; the coins come when the provider's webhook confirms the payment.
 */
export const POST = apiRoute(async (request) => {
  const player = requireRole(await apiCaller(request), "player");
  const key = idempotencyKey.parse(request.headers.get("idempotency-key") ?? "");
  const { packageId } = purchaseSchema.parse(await readJson(request));
  const started = await startPurchase(getDb(), paymentProvider(), {
    userId: player.id,
    packageId,
    idempotencyKey: key,
    returnUrl: purchaseReturnUrl,
    context: { ...requestContext(request), tokenId: player.tokenId },
  });
  return respond(
    purchaseStartedResponse,
    { purchase: toPurchaseView(started.purchase), confirmUrl: started.confirmUrl },
    {
      status: 201,
      headers: {
        location: `/api/v1/purchases/${started.purchase.id}`,
        ...(started.replayed ? { "idempotent-replayed": "true" } : {}),
      },
    },
  );
});
