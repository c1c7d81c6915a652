import { getDb } from "@/db/client";
import { idempotencyKey } from "@/lib/api/claims";
import { respond } from "@/lib/api/respond";
import { grantResponse } from "@/lib/api/wallet";
import { apiCaller, requireRole } from "@/lib/auth/current-user";
import { apiRoute, readJson, requestContext } from "@/lib/http/api-handler";
import { grantCoins } from "@/lib/wallet/free-coins";
import { grantSchema } from "@/lib/wallet/model";

/** Grants coins to a player `{ userId, currency, amount, reason }`; the key grants once. */
export const POST = apiRoute(async (request) => {
  const admin = requireRole(await apiCaller(request), "admin");
  const key = idempotencyKey.parse(request.headers.get("idempotency-key") ?? "");
  const grant = grantSchema.parse(await readJson(request));
  const result = await grantCoins(getDb(), {
    adminId: admin.id,
    ...grant,
    idempotencyKey: key,
    context: { ...requestContext(request), tokenId: admin.tokenId },
  });
  return respond(
    grantResponse,
    { transactionId: result.transactionId },
    { status: 201, headers: result.replayed ? { "idempotent-replayed": "true" } : {} },
  );
});
