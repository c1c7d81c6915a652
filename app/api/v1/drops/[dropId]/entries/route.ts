import { getDb } from "@/db/client";
import { claimContext } from "@/lib/abuse/request-signals";
import { lotteryEntryReply } from "@/lib/api/lottery";
import { respond } from "@/lib/api/respond";
import { apiCaller, requireRole } from "@/lib/auth/current-user";
import { apiRoute } from "@/lib/http/api-handler";
import { enterLottery } from "@/lib/lottery/lottery";

/** Enters the caller in a lottery drop: 201 for a new entry, 200 with the same entry again. */
export const POST = apiRoute<{ params: Promise<{ dropId: string }> }>(async (request, context) => {
  const player = requireRole(await apiCaller(request), "player");
  const { dropId } = await context.params;
  const { entry, created } = await enterLottery(getDb(), {
    dropId,
    playerId: player.id,
    tokenId: player.tokenId,
    ...(await claimContext(request.headers)),
  });
  return respond(
    lotteryEntryReply,
    { entry },
    { status: created ? 201 : 200, headers: { location: `/api/v1/drops/${dropId}/lottery` } },
  );
});
