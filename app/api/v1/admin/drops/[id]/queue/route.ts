import { getDb } from "@/db/client";
import { queueStatsResponse } from "@/lib/api/queue";
import { respond } from "@/lib/api/respond";
import { apiCaller, requireRole } from "@/lib/auth/current-user";
import { apiRoute, readJson, requestContext } from "@/lib/http/api-handler";
import { setAdmissionRateSchema } from "@/lib/queue/model";
import { getQueueStats, setAdmissionRate } from "@/lib/queue/queue";

type Context = { params: Promise<{ id: string }> };

export const GET = apiRoute<Context>(async (request, context) => {
  requireRole(await apiCaller(request), "admin");
  const stats = await getQueueStats(getDb(), (await context.params).id);
  return respond(queueStatsResponse, stats, { headers: { "cache-control": "no-store" } });
});

/** Changes the admission rate live (audited). */
export const PATCH = apiRoute<Context>(async (request, context) => {
  const admin = requireRole(await apiCaller(request), "admin");
  const { id } = await context.params;
  const input = setAdmissionRateSchema.parse(await readJson(request));
  const stats = await setAdmissionRate(getDb(), {
    ...requestContext(request),
    dropId: id,
    ratePerMinute: input.admissionRatePerMinute,
    actorId: admin.id,
  });
  return respond(queueStatsResponse, stats);
});
