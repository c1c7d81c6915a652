import { EVENT_STREAM_HEADERS, eventStream } from "@/lib/analytics/live";
import { apiCaller, callerStillHasRole, requireRole } from "@/lib/auth/current-user";
import { apiRoute } from "@/lib/http/api-handler";
import { notificationFeeds, openNotificationFeed } from "@/lib/notifications/live";

/**
 * Server-Sent Events: a `notifications` event (`{unread}`) at once and whenever the caller's
 * notifications change, plus heartbeats; it ends once the caller may no longer watch. A player
 * holding MAX_STREAMS_PER_PLAYER streams already is refused with 429 (rate_limited).
 */
export const GET = apiRoute(async (request) => {
  const player = requireRole(await apiCaller(request), "player");
  const stillAllowed = () => callerStillHasRole(request, player, "player");
  const feed = openNotificationFeed(notificationFeeds(), player.id);
  return new Response(eventStream(feed, request.signal, "notifications", stillAllowed), {
    headers: EVENT_STREAM_HEADERS,
  });
});
