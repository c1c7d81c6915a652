import { getDb } from "@/db/client";
import { notificationPreferencesResponse } from "@/lib/api/notifications";
import { respond } from "@/lib/api/respond";
import { apiCaller, requireRole } from "@/lib/auth/current-user";
import { apiRoute, readJson, requestContext } from "@/lib/http/api-handler";
import { preferencesChangeSchema } from "@/lib/notifications/model";
import {
  changeNotificationPreferences,
  getNotificationPreferences,
} from "@/lib/notifications/preferences";

export const GET = apiRoute(async (request) => {
  const player = requireRole(await apiCaller(request), "player");
  return respond(
    notificationPreferencesResponse,
    await getNotificationPreferences(getDb(), player.id),
  );
});

export const PUT = apiRoute(async (request) => {
  const player = requireRole(await apiCaller(request), "player");
  const change = preferencesChangeSchema.parse(await readJson(request));
  const view = await changeNotificationPreferences(getDb(), player.id, change, {
    ...requestContext(request),
    tokenId: player.tokenId,
  });
  return respond(notificationPreferencesResponse, view);
});
