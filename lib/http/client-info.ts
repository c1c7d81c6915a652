import "server-only";
import { isIP } from "node:net";
import type { RequestContext } from "@/lib/audit/record-event";
import { env } from "@/lib/config/env";
import { requestIdFrom } from "./request-id";

const BRACKETED_WITH_PORT = /^\[([^\]]+)\](?::\d{1,5})?$/;
const IPV4_WITH_PORT = /^([\d.]+):\d{1,5}$/;

/**
 * A client address as the inet column stores it, or null. Some load balancers append the
 * client's port (`1.2.3.4:5678`, `[::1]:443`); anything else that is not an address (a header
 * the client wrote, `1.2.3.4.5`, `::::`) is no address at all: kept, it would fail the insert of
 * every audit row and claim it travels with. Zone ids (`fe80::1%eth0`) pass isIP but not inet.
 */
export function normaliseAddress(raw: string | null | undefined): string | null {
  const text = raw?.trim() ?? "";
  const address =
    isIP(text) !== 0
      ? text
      : (BRACKETED_WITH_PORT.exec(text)?.[1] ?? IPV4_WITH_PORT.exec(text)?.[1] ?? "");
  return isIP(address) !== 0 && !address.includes("%") ? address : null;
}

/**
 * The caller's address, user agent and the request's id (given by proxy.ts or the API's
 * wrapper). Each proxy appends the address it received the request from to X-Forwarded-For (and
 * the web server sets it to its peer when the header is missing), so
 * the client is the TRUSTED_PROXY_HOPS-th entry from the right: entries further left are
 * whatever the client chose to send, and trusting them would let anyone dodge the per-address
 * limits by writing a new address into each request.
 */
export function clientInfo(headers: Headers, hops = env().TRUSTED_PROXY_HOPS): RequestContext {
  const chain = (headers.get("x-forwarded-for") ?? "")
    .split(",")
    .map((entry) => entry.trim())
    .filter(Boolean);
  const ip = normaliseAddress(chain[Math.max(0, chain.length - hops)]);
  return { ip, userAgent: headers.get("user-agent"), requestId: requestIdFrom(headers) };
}
