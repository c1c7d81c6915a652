import { dashboardFeed, EVENT_STREAM_HEADERS, eventStream } from "@/lib/analytics/live";
import { apiCaller, callerStillHasRole, requireRole } from "@/lib/auth/current-user";
import { apiRoute } from "@/lib/http/api-handler";

/**
 * Server-Sent Events: a `snapshot` event (a DashboardSnapshot) at once and whenever claims,
 * expiries, reversals or anchoring change the figures, plus heartbeats. The stream ends when the
 * client goes, or at the next heartbeat once the caller may no longer watch (suspended, demoted,
 * signed out everywhere, token revoked); the browser's EventSource reconnects by itself after
 * `retry:` milliseconds, and is let in afresh or refused.
 */
export const GET = apiRoute(async (request) => {
  const caller = requireRole(await apiCaller(request), "admin", "auditor");
  const stillAllowed = () => callerStillHasRole(request, caller, "admin", "auditor");
  return new Response(eventStream(dashboardFeed(), request.signal, "snapshot", stillAllowed), {
    headers: EVENT_STREAM_HEADERS,
  });
});
