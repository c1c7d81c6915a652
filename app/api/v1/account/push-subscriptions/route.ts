import { getDb } from "@/db/client";
import { pushStateResponse } from "@/lib/api/push";
import { respond } from "@/lib/api/respond";
import { apiCaller, requireRole } from "@/lib/auth/current-user";
import { apiRoute, readJson } from "@/lib/http/api-handler";
import { pushEndpointSchema, pushSubscriptionSchema } from "@/lib/push/model";
import { removePushSubscription, savePushSubscription } from "@/lib/push/subscriptions";
import { pushOptions } from "@/lib/push/vapid";

export const POST = apiRoute(async (request) => {
  const player = requireRole(await apiCaller(request), "player");
  const input = pushSubscriptionSchema.parse(await readJson(request));
  const state = await savePushSubscription(getDb(), player.id, input, pushOptions());
  return respond(pushStateResponse, state, { status: 201 });
});

export const DELETE = apiRoute(async (request) => {
  const player = requireRole(await apiCaller(request), "player");
  const { endpoint } = pushEndpointSchema.parse(await readJson(request));
  return respond(
    pushStateResponse,
    await removePushSubscription(getDb(), player.id, endpoint, pushOptions()),
  );
});
