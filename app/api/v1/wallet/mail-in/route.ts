import { getDb } from "@/db/client";
import { respond } from "@/lib/api/respond";
import { mailInResponse } from "@/lib/api/wallet";
import { apiCaller, requireRole } from "@/lib/auth/current-user";
import { apiRoute, readJson, requestContext } from "@/lib/http/api-handler";
import { redeemMailInCode } from "@/lib/wallet/free-coins";
import { formatCoins, mailInRedeemSchema } from "@/lib/wallet/model";
import { getBalances, toWalletView } from "@/lib/wallet/wallet";

/** Redeems a mail-in code `{ code }` for its free Sweeps Coins. */
export const POST = apiRoute(async (request) => {
  const player = requireRole(await apiCaller(request), "player");
  const { code } = mailInRedeemSchema.parse(await readJson(request));
  const db = getDb();
  const { amount } = await redeemMailInCode(db, {
    userId: player.id,
    code,
    context: { ...requestContext(request), tokenId: player.tokenId },
  });
  return respond(
    mailInResponse,
    { amount: formatCoins(amount), wallet: toWalletView(await getBalances(db, player.id)) },
    { status: 201 },
  );
});
