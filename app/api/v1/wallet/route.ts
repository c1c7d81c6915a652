import { getDb } from "@/db/client";
import { respond } from "@/lib/api/respond";
import { walletResponse } from "@/lib/api/wallet";
import { apiCaller, requireRole } from "@/lib/auth/current-user";
import { apiRoute } from "@/lib/http/api-handler";
import { getBalances, toWalletView } from "@/lib/wallet/wallet";

export const GET = apiRoute(async (request) => {
  const player = requireRole(await apiCaller(request), "player");
  return respond(walletResponse, toWalletView(await getBalances(getDb(), player.id)), {
    headers: { "cache-control": "no-store" },
  });
});
