import "server-only";
import { isIP } from "node:net";
import { AppError } from "@/lib/errors/app-error";
import { isPrivateAddress } from "@/lib/webhooks/endpoint-address";

const isLoopbackName = (host: string) =>
  /(^|\.)localhost\.?$/i.test(host) || (isIP(host) !== 0 && isLoopbackAddress(host));

function isLoopbackAddress(address: string): boolean {
  return /^127\./.test(address) || address === "::1" || /^::ffff:127\./i.test(address);
}

/**
 * A push endpoint as the browser's push service gave it: https, no credentials, not on a
 * private or loopback address (the worker would POST there: SSRF). `allowInsecure`
 * (PUSH_ALLOW_INSECURE, the tests' local push service) lets private addresses in, and plain
 * http on loopback only. Names are checked again when a push connects (safeLookup).
 */
export function parsePushEndpoint(text: string, allowInsecure: boolean): URL {
  const refuse = (message: string) =>
    new AppError("invalid_input", message, { field: "endpoint", reason: "endpoint" });
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw refuse("endpoint must be a full https URL");
  }
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const insecureOk = allowInsecure && url.protocol === "http:" && isLoopbackName(host);
  if (url.protocol !== "https:" && !insecureOk) throw refuse("endpoint must be an https URL");
  if (url.username || url.password) throw refuse("endpoint must not carry credentials");
  if (!allowInsecure && (isIP(host) ? isPrivateAddress(host) : isLoopbackName(host))) {
    throw refuse("endpoint points to a private or loopback address");
  }
  return url;
}
