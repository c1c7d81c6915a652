import type { RequestContext } from "@/lib/audit/record-event";

/**
 * The caller's address and user agent for the audit trail. The address is the first hop of
 * X-Forwarded-For, as set by the load balancer in front of the web instances.
 */
export function clientInfo(headers: Headers): RequestContext {
  return {
    ip: headers.get("x-forwarded-for")?.split(",")[0]?.trim() || null,
    userAgent: headers.get("user-agent"),
  };
}
