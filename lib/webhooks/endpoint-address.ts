import "server-only";
import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import { BlockList, isIP, type LookupFunction } from "node:net";
import { AppError } from "@/lib/errors/app-error";
import { MAX_WEBHOOK_URL_LENGTH } from "./model";

/**
 * Addresses an endpoint may not reach unless WEBHOOK_ALLOW_PRIVATE is on: loopback, private,
 * link-local (cloud metadata), shared, multicast and reserved ranges, so an admin's URL (or a
 * DNS name an attacker controls) cannot make the worker call into our own network.
 */
const blocked = new BlockList();
for (const [network, prefix] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.0.2.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["198.51.100.0", 24],
  ["203.0.113.0", 24],
  ["224.0.0.0", 3],
] as const) {
  blocked.addSubnet(network, prefix, "ipv4");
}
for (const [network, prefix] of [
  // Unspecified, loopback and IPv4-compatible (::a.b.c.d); NAT64, global and local-use; 6to4:
  // the last three carry an IPv4 address that a gateway may reach on our behalf.
  ["::", 96],
  ["64:ff9b::", 96],
  ["64:ff9b:1::", 48],
  ["2002::", 16],
  ["100::", 64],
  ["2001:db8::", 32],
  ["fc00::", 7],
  ["fe80::", 10],
  ["ff00::", 8],
] as const) {
  blocked.addSubnet(network, prefix, "ipv6");
}

export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return blocked.check(address, "ipv4");
  if (family !== 6) return true;
  // An IPv4 address written as IPv6 (::ffff:127.0.0.1) reaches the IPv4 host.
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped?.[1]) return blocked.check(mapped[1], "ipv4");
  return blocked.check(address, "ipv6");
}

/**
 * The URL an endpoint is saved with: http(s), no credentials, and, unless private addresses
 * are allowed, no literal private address nor `localhost`. Names are checked again when each
 * request connects (`safeLookup`), since DNS may answer differently then.
 */
export function parseEndpointUrl(text: string, allowPrivate: boolean): URL {
  const refuse = (message: string) =>
    new AppError("invalid_input", message, { field: "url", reason: "url" });
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw refuse("Enter a full URL, such as https://operator.example/hooks");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw refuse("The URL must start with https:// or http://");
  }
  if (url.username || url.password) throw refuse("The URL must not carry a user name or password");
  if (url.href.length > MAX_WEBHOOK_URL_LENGTH) throw refuse("The URL is too long");
  if (!allowPrivate) {
    const host = url.hostname.replace(/^\[|\]$/g, "");
    if (isIP(host) ? isPrivateAddress(host) : /(^|\.)localhost\.?$/i.test(host)) {
      throw refuse("The URL points to a private or loopback address");
    }
  }
  return url;
}

/** A DNS lookup for the HTTP client that refuses private answers: the address checked is the one used. */
export const safeLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
    if (error) return callback(error, "", 0);
    const refused = addresses.find((a) => isPrivateAddress(a.address));
    if (refused) {
      const blockedError = Object.assign(
        new Error(`${hostname} resolves to a private address (${refused.address})`),
        { code: "EPRIVATE" },
      );
      return callback(blockedError, "", 0);
    }
    if (options.all)
      return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
    const first = addresses[0];
    if (!first) return callback(new Error(`${hostname} has no address`), "", 0);
    callback(null, first.address, first.family);
  });
};
