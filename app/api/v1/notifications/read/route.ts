import { getDb } from "@/db/client";
import { markReadResponse } from "@/lib/api/notifications";
import { respond } from "@/lib/api/respond";
import { apiCaller, requireRole } from "@/lib/auth/current-user";
import { apiRoute, readJson } from "@/lib/http/api-handler";
import { markReadSchema } from "@/lib/notifications/model";
import { markNotificationsRead } from "@/lib/notifications/notifications";

/** Marks `{ids}` or `{all: true}` of the caller's notifications read. */
export const POST = apiRoute(async (request) => {
  const player = requireRole(await apiCaller(request), "player");
  const which = markReadSchema.parse(await readJson(request));
  return respond(markReadResponse, await markNotificationsRead(getDb(), player.id, which));
});
