import { z } from "zod";
import { getDb } from "@/db/client";
import { respond } from "@/lib/api/respond";
import { purchaseResponse, toPurchaseView } from "@/lib/api/wallet";
import { apiCaller, requireRole } from "@/lib/auth/current-user";
import { AppError } from "@/lib/errors/app-error";
import { apiRoute } from "@/lib/http/api-handler";
import { getPlayerPurchase } from "@/lib/payments/purchases";

export const GET = apiRoute<{ params: Promise<{ id: string }> }>(async (request, context) => {
  const player = requireRole(await apiCaller(request), "player");
  const { id } = await context.params;
  const purchase = z.uuid().safeParse(id).success
    ? await getPlayerPurchase(getDb(), player.id, id)
    : undefined;
  if (!purchase) throw new AppError("not_found", "No such purchase");
  return respond(
    purchaseResponse,
    { purchase: toPurchaseView(purchase) },
    {
      headers: { "cache-control": "no-store" },
    },
  );
});
