import { getDb } from "@/db/client";
import { prizeResponse } from "@/lib/api/admin-prizes";
import { respond } from "@/lib/api/respond";
import { apiCaller, requireRole } from "@/lib/auth/current-user";
import { AppError } from "@/lib/errors/app-error";
import { apiRoute, readJson, requestContext } from "@/lib/http/api-handler";
import { updatePrizeSchema } from "@/lib/prizes/model";
import { getPrizeView, updatePrize } from "@/lib/prizes/prizes";

type Context = { params: Promise<{ id: string }> };

export const GET = apiRoute<Context>(async (request, context) => {
  requireRole(await apiCaller(request), "admin");
  const prize = await getPrizeView(getDb(), (await context.params).id);
  if (!prize) throw new AppError("not_found", "No such prize");
  return respond(prizeResponse, prize);
});

/** Edits a prize; `retired: true|false` retires it or brings it back. */
export const PATCH = apiRoute<Context>(async (request, context) => {
  const admin = requireRole(await apiCaller(request), "admin");
  const { id } = await context.params;
  const input = updatePrizeSchema.parse(await readJson(request));
  const prize = await updatePrize(getDb(), id, input, {
    ...requestContext(request),
    actorId: admin.id,
  });
  return respond(prizeResponse, prize);
});
