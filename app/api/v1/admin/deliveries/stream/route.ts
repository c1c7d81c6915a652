import { EVENT_STREAM_HEADERS, eventStream } from "@/lib/analytics/live";
import { apiCaller, callerStillHasRole, requireRole } from "@/lib/auth/current-user";
import { adminDeliveriesFeed } from "@/lib/delivery/admin-live";
import { apiRoute } from "@/lib/http/api-handler";

/**
 * Server-Sent Events for admin pages: a `deliveries` event (the newest change and the failed and
 * dead counts) at once and whenever any delivery moves, plus heartbeats; the stream ends once the
 * caller is no longer an admin.
 */
export const GET = apiRoute(async (request) => {
  const caller = requireRole(await apiCaller(request), "admin");
  const stillAllowed = () => callerStillHasRole(request, caller, "admin");
  return new Response(
    eventStream(adminDeliveriesFeed(), request.signal, "deliveries", stillAllowed),
    {
      headers: EVENT_STREAM_HEADERS,
    },
  );
});
