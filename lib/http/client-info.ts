import type { RequestContext } from "@/lib/audit/record-event";
import { env } from "@/lib/config/env";

/**
 * The caller's address and user agent. Each proxy appends the address it received the request
 * from to X-Forwarded-For (and `next start` sets it to its peer when the header is missing), so
 * the client is the TRUSTED_PROXY_HOPS-th entry from the right: entries further left are
 * whatever the client chose to send, and trusting them would let anyone dodge the per-address
 * limits by writing a new address into each request.
 */
export function clientInfo(headers: Headers, hops = env().TRUSTED_PROXY_HOPS): RequestContext {
  const chain = (headers.get("x-forwarded-for") ?? "")
    .split(",")
    .map((entry) => entry.trim())
    .filter(Boolean);
  const ip = chain[Math.max(0, chain.length - hops)] ?? null;
  return { ip, userAgent: headers.get("user-agent") };
}
