import { getDb } from "@/db/client";
import { respond } from "@/lib/api/respond";
import { dailyBonusResponse } from "@/lib/api/wallet";
import { apiCaller, requireRole } from "@/lib/auth/current-user";
import { env } from "@/lib/config/env";
import { apiRoute, requestContext } from "@/lib/http/api-handler";
import { claimDailyBonus } from "@/lib/wallet/free-coins";
import { formatCoins } from "@/lib/wallet/model";
import { getBalances, toWalletView } from "@/lib/wallet/wallet";

/** Today's free Sweeps Coins, once per UTC day. */
export const POST = apiRoute(async (request) => {
  const player = requireRole(await apiCaller(request), "player");
  const db = getDb();
  const bonus = await claimDailyBonus(db, {
    userId: player.id,
    amount: env().DAILY_SC,
    context: { ...requestContext(request), tokenId: player.tokenId },
  });
  return respond(
    dailyBonusResponse,
    {
      amount: formatCoins(bonus.amount),
      nextAt: bonus.nextAt,
      wallet: toWalletView(await getBalances(db, player.id)),
    },
    { status: 201 },
  );
});
