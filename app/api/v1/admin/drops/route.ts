import { getDb } from "@/db/client";
import { dropsResponse } from "@/lib/api/admin-drops";
import { respond } from "@/lib/api/respond";
import { createdResponse } from "@/lib/api/wire";
import { apiCaller, requireRole } from "@/lib/auth/current-user";
import { createDrop, listAllDrops } from "@/lib/drops/drops";
import { createDropSchema } from "@/lib/drops/model";
import { apiRoute, readJson, requestContext } from "@/lib/http/api-handler";

export const GET = apiRoute(async (request) => {
  requireRole(await apiCaller(request), "admin");
  return respond(dropsResponse, { drops: await listAllDrops(getDb()) });
});

export const POST = apiRoute(async (request) => {
  const admin = requireRole(await apiCaller(request), "admin");
  const input = createDropSchema.parse(await readJson(request));
  const drop = await createDrop(getDb(), input, { ...requestContext(request), actorId: admin.id });
  return respond(createdResponse, drop, { status: 201 });
});
