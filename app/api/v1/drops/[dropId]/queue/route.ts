import { getDb } from "@/db/client";
import { queueViewResponse } from "@/lib/api/queue";
import { respond } from "@/lib/api/respond";
import { apiCaller, requireRole } from "@/lib/auth/current-user";
import { apiRoute, requestContext } from "@/lib/http/api-handler";
import { getQueueView, joinQueue, leaveQueue } from "@/lib/queue/queue";

type Context = { params: Promise<{ dropId: string }> };

/** Joins the drop's waiting room: the same place on every call. */
export const POST = apiRoute<Context>(async (request, context) => {
  const player = requireRole(await apiCaller(request), "player");
  const { dropId } = await context.params;
  const view = await joinQueue(getDb(), { dropId, playerId: player.id });
  return respond(queueViewResponse, view, { headers: { "cache-control": "no-store" } });
});

/** The caller's place: position, people ahead, estimated wait, and the admission when admitted. */
export const GET = apiRoute<Context>(async (request, context) => {
  const player = requireRole(await apiCaller(request), "player");
  const { dropId } = await context.params;
  const view = await getQueueView(getDb(), { dropId, playerId: player.id });
  return respond(queueViewResponse, view, { headers: { "cache-control": "no-store" } });
});

/** Leaves the drop's waiting room: idempotent; joining again is a new place at the back. */
export const DELETE = apiRoute<Context>(async (request, context) => {
  const player = requireRole(await apiCaller(request), "player");
  const { dropId } = await context.params;
  const view = await leaveQueue(getDb(), {
    dropId,
    playerId: player.id,
    ...requestContext(request),
  });
  return respond(queueViewResponse, view, { headers: { "cache-control": "no-store" } });
});
