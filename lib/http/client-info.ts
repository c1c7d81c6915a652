import "server-only";
import type { IncomingMessage } from "node:http";
import { isIP } from "node:net";
import type { RequestContext } from "@/lib/audit/record-event";
import { env } from "@/lib/config/env";
import { requestIdFrom } from "./request-id";

const BRACKETED_WITH_PORT = /^\[([^\]]+)\](?::\d{1,5})?$/;
const IPV4_WITH_PORT = /^([\d.]+):\d{1,5}$/;
const IPV4_MAPPED = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/;
/** `[ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255]:65535` is 53: anything longer is no address. */
const LONGEST_ADDRESS = 64;

/**
 * One spelling per address, so that a rate limit counts a client once however a proxy writes it:
 * IPv6 in its shortest lower-case form, and an IPv4-mapped IPv6 address (what a server listening
 * on `::` sees of an IPv4 client) as the IPv4 address it is.
 */
function canonicalAddress(address: string): string {
  if (isIP(address) === 4) return address;
  const v6 = new URL(`http://[${address}]/`).hostname.slice(1, -1);
  const [, high, low] = IPV4_MAPPED.exec(v6) ?? [];
  if (high === undefined || low === undefined) return v6;
  const [h, l] = [Number.parseInt(high, 16), Number.parseInt(low, 16)];
  return [h >> 8, h & 255, l >> 8, l & 255].join(".");
}

/**
 * A client address as the inet column stores it, or null. Some load balancers append the
 * client's port (`1.2.3.4:5678`, `[::1]:443`); anything else that is not an address (a header
 * the client wrote, `1.2.3.4.5`, `::::`) is no address at all: kept, it would fail the insert of
 * every audit row and claim it travels with. Zone ids (`fe80::1%eth0`) pass isIP but not inet.
 */
export function normaliseAddress(raw: string | null | undefined): string | null {
  const text = raw?.trim() ?? "";
  if (text.length > LONGEST_ADDRESS) return null;
  const address =
    isIP(text) !== 0
      ? text
      : (BRACKETED_WITH_PORT.exec(text)?.[1] ?? IPV4_WITH_PORT.exec(text)?.[1] ?? "");
  return isIP(address) !== 0 && !address.includes("%") ? canonicalAddress(address) : null;
}

/**
 * What a per-address limit counts for an address (the empty string, which the limits skip, for
 * none): an IPv4 address, or an IPv6 address's /64. Providers give each subscriber at least a
 * /64 and its owner may use any of its 2^64 addresses, so counting single IPv6 addresses would
 * let anyone dodge the limits by taking a new one for each request.
 */
export function addressBucket(raw: string | null | undefined): string {
  const address = normaliseAddress(raw);
  if (address === null) return "";
  if (isIP(address) === 4) return address;
  const [head = "", tail] = address.split("::");
  const left = head === "" ? [] : head.split(":");
  const right = tail === undefined || tail === "" ? [] : tail.split(":");
  const groups = [...left, ...Array(8 - left.length - right.length).fill("0"), ...right];
  return `${groups.slice(0, 4).join(":")}::/64`;
}

/**
 * Where the web server (scripts/web-server.ts) writes the address of the connection's other end,
 * which the App Router's handlers cannot see: Next gives them headers, not the socket.
 */
export const PEER_ADDRESS_HEADER = "x-prizeledger-peer-address";
/** Set once this process's server writes that header, so a client's copy of it is never read. */
const PEER_STAMPED = Symbol.for("prizeledger.peerAddressStamped");

/**
 * Writes the connection's peer address over whatever a client sent under PEER_ADDRESS_HEADER
 * (removing it when the socket has none, as after a reset), before any handler sees the request.
 */
export function stampPeerAddress(req: IncomingMessage): void {
  (globalThis as Record<symbol, unknown>)[PEER_STAMPED] = true;
  const peer = req.socket.remoteAddress;
  if (peer) req.headers[PEER_ADDRESS_HEADER] = peer;
  else delete req.headers[PEER_ADDRESS_HEADER];
}

/**
 * With no proxy in front (TRUSTED_PROXY_HOPS=0) the client is the socket's peer, and
 * X-Forwarded-For is only what the client wrote. Under a server that does not stamp the peer
 * (Next's own), the header could be the client's too: no address rather than a chosen one.
 */
function peerAddress(headers: Headers): string | null {
  if ((globalThis as Record<symbol, unknown>)[PEER_STAMPED] !== true) return null;
  return normaliseAddress(headers.get(PEER_ADDRESS_HEADER));
}

/**
 * Each proxy appends the address it received the request from to X-Forwarded-For (and the web
 * server sets it to its peer when the header is missing), so the client is the hops-th entry
 * from the right: entries further left are whatever the client chose to send, and trusting them
 * would let anyone dodge the per-address limits by writing a new address into each request.
 * With fewer entries than hops (the request skipped a proxy, a CDN say) every entry was written
 * by a trusted proxy, and the leftmost is the one that met the client.
 */
function forwardedAddress(headers: Headers, hops: number): string | null {
  const chain = (headers.get("x-forwarded-for") ?? "")
    .split(",")
    .map((entry) => entry.trim())
    .filter(Boolean);
  return normaliseAddress(chain[Math.max(0, chain.length - hops)]);
}

/**
 * The caller's address (see TRUSTED_PROXY_HOPS), user agent and the request's id (given by
 * proxy.ts or the API's wrapper).
 */
export function clientInfo(headers: Headers, hops = env().TRUSTED_PROXY_HOPS): RequestContext {
  const ip = hops === 0 ? peerAddress(headers) : forwardedAddress(headers, hops);
  return { ip, userAgent: headers.get("user-agent"), requestId: requestIdFrom(headers) };
}
