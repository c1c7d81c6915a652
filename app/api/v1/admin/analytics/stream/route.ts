import { dashboardFeed, EVENT_STREAM_HEADERS, eventStream } from "@/lib/analytics/live";
import { apiCaller, requireRole } from "@/lib/auth/current-user";
import { apiRoute } from "@/lib/http/api-handler";

/**
 * Server-Sent Events: a `snapshot` event (a DashboardSnapshot) at once and whenever claims,
 * expiries, reversals or anchoring change the figures, plus heartbeats. The stream ends when the
 * client goes; the browser's EventSource reconnects by itself after `retry:` milliseconds.
 */
export const GET = apiRoute(async (request) => {
  requireRole(await apiCaller(request), "admin", "auditor");
  return new Response(eventStream(dashboardFeed(), request.signal, "snapshot"), {
    headers: EVENT_STREAM_HEADERS,
  });
});
