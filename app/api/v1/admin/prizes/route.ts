import { getDb } from "@/db/client";
import { prizesResponse } from "@/lib/api/admin-prizes";
import { respond } from "@/lib/api/respond";
import { createdResponse } from "@/lib/api/wire";
import { apiCaller, requireRole } from "@/lib/auth/current-user";
import { apiRoute, readJson, requestContext } from "@/lib/http/api-handler";
import { createPrizeSchema } from "@/lib/prizes/model";
import { createPrize, listPrizes } from "@/lib/prizes/prizes";

export const GET = apiRoute(async (request) => {
  requireRole(await apiCaller(request), "admin");
  return respond(prizesResponse, { prizes: await listPrizes(getDb()) });
});

export const POST = apiRoute(async (request) => {
  const admin = requireRole(await apiCaller(request), "admin");
  const input = createPrizeSchema.parse(await readJson(request));
  const prize = await createPrize(getDb(), input, {
    ...requestContext(request),
    actorId: admin.id,
  });
  return respond(createdResponse, prize, { status: 201 });
});
