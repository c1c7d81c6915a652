import { EVENT_STREAM_HEADERS, eventStream } from "@/lib/analytics/live";
import { apiCaller, callerStillHasRole, requireRole } from "@/lib/auth/current-user";
import { apiRoute } from "@/lib/http/api-handler";
import { deliveryFeeds, openDeliveryFeed } from "@/lib/redemptions/live";

/**
 * Server-Sent Events: a `deliveries` event (the caller's newest 200 redemptions' deliveries) at
 * once and whenever one of them moves, plus heartbeats; it ends once the caller may no longer
 * watch. A player holding MAX_STREAMS_PER_PLAYER streams already is refused with 429.
 */
export const GET = apiRoute(async (request) => {
  const player = requireRole(await apiCaller(request), "player");
  const stillAllowed = () => callerStillHasRole(request, player, "player");
  const feed = openDeliveryFeed(deliveryFeeds(), player.id);
  return new Response(eventStream(feed, request.signal, "deliveries", stillAllowed), {
    headers: EVENT_STREAM_HEADERS,
  });
});
