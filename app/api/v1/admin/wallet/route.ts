import { getDb } from "@/db/client";
import { respond } from "@/lib/api/respond";
import { toWalletOverviewView, walletOverviewResponse } from "@/lib/api/wallet";
import { apiCaller, requireRole } from "@/lib/auth/current-user";
import { apiRoute } from "@/lib/http/api-handler";
import { getWalletOverview } from "@/lib/wallet/overview";

export const GET = apiRoute(async (request) => {
  requireRole(await apiCaller(request), "admin");
  return respond(walletOverviewResponse, toWalletOverviewView(await getWalletOverview(getDb())), {
    headers: { "cache-control": "no-store" },
  });
});
