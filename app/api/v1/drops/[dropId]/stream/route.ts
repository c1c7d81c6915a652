import { EVENT_STREAM_HEADERS, eventStream } from "@/lib/analytics/live";
import { openDropFeed } from "@/lib/drops/live";
import { apiRoute } from "@/lib/http/api-handler";

/** Drops are public: whoever may open the drop page may follow it, for as long as they like. */
const alwaysAllowed = async () => true;

/**
 * Server-Sent Events: a `drop` event (paused, remaining, units, window) at once and whenever an
 * admin or a claim changes the drop, plus heartbeats. Open to anyone, like the drop page.
 */
export const GET = apiRoute<{ params: Promise<{ dropId: string }> }>(async (request, context) => {
  const { dropId } = await context.params;
  const feed = await openDropFeed(dropId);
  return new Response(eventStream(feed, request.signal, "drop", alwaysAllowed), {
    headers: EVENT_STREAM_HEADERS,
  });
});
