import { getDb } from "@/db/client";
import { notificationsResponse } from "@/lib/api/notifications";
import { respond } from "@/lib/api/respond";
import { apiCaller, requireRole } from "@/lib/auth/current-user";
import { apiRoute } from "@/lib/http/api-handler";
import { notificationPageSchema } from "@/lib/notifications/model";
import { listNotifications } from "@/lib/notifications/notifications";

export const GET = apiRoute(async (request) => {
  const player = requireRole(await apiCaller(request), "player");
  const page = notificationPageSchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  return respond(notificationsResponse, await listNotifications(getDb(), player.id, page), {
    headers: { "cache-control": "no-store" },
  });
});
