import { EVENT_STREAM_HEADERS, eventStream } from "@/lib/analytics/live";
import { DROP_STREAM_MAX_MS, dropStreamLimits, openDropFeed } from "@/lib/drops/live";
import { apiRoute } from "@/lib/http/api-handler";
import { addressBucket, clientInfo } from "@/lib/http/client-info";

/**
 * Server-Sent Events: a `drop` event (paused, remaining, units, window) at once and whenever an
 * admin or a claim changes the drop, plus heartbeats. Open to anyone, like the drop page, within
 * a number of streams per address (429 beyond), and for half an hour at a time: the browser's
 * EventSource reconnects on its own when a stream ends.
 */
export const GET = apiRoute<{ params: Promise<{ dropId: string }> }>(async (request, context) => {
  const { dropId } = await context.params;
  const feed = await openDropFeed(dropId);
  const held = dropStreamLimits().hold(feed, addressBucket(clientInfo(request.headers).ip) || null);
  const endsAt = Date.now() + DROP_STREAM_MAX_MS;
  const stillOpen = async () => Date.now() < endsAt;
  return new Response(eventStream(held, request.signal, "drop", stillOpen), {
    headers: EVENT_STREAM_HEADERS,
  });
});
