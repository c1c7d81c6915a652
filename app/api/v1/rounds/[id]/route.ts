import { getDb } from "@/db/client";
import { respond } from "@/lib/api/respond";
import { roundDetailResponse } from "@/lib/api/rounds";
import { apiCaller, requireRole } from "@/lib/auth/current-user";
import { AppError } from "@/lib/errors/app-error";
import { apiRoute } from "@/lib/http/api-handler";
import { getRound } from "@/lib/rounds/round-views";

export const GET = apiRoute<{ params: Promise<{ id: string }> }>(async (request, context) => {
  const player = requireRole(await apiCaller(request), "player");
  const round = await getRound(getDb(), player.id, (await context.params).id);
  if (!round) throw new AppError("not_found", "No such round");
  return respond(roundDetailResponse, { round }, { headers: { "cache-control": "no-store" } });
});
