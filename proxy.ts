import { type NextRequest, NextResponse } from "next/server";
import { publicRpcUrl } from "@/lib/config/env";
import {
  DEVICE_COOKIE,
  DEVICE_COOKIE_MAX_AGE,
  deviceIdFrom,
  newDeviceId,
} from "@/lib/http/device-cookie";
import { incomingRequestId, REQUEST_ID_HEADER } from "@/lib/http/request-id";

/**
 * Runs before every page request (and every server action, which posts to its page): gives the
 * request its id (see lib/http/request-id.ts), the response a Content-Security-Policy with a fresh
 * nonce and the browser a device cookie.
 *
 * Headers that are the same on every response (HSTS, nosniff, frame and referrer policies) are set
 * in next.config.js instead, because they also belong on the static assets and API responses this
 * proxy skips. The proxy skips /api on purpose: Next buffers (and beyond its limit truncates) the
 * body of every request a proxy sees, which would undo the API's own streaming body limits. The
 * one page under /api, the API reference at /api/docs, is matched on its own.
 */
export function proxy(request: NextRequest) {
  // The id replaces whatever the client sent under that name: pages and actions read it from there.
  const requestId = incomingRequestId(request.headers);
  const headers = new Headers(request.headers);
  headers.set(REQUEST_ID_HEADER, requestId);
  if (isPrefetch(request))
    return returningId(NextResponse.next({ request: { headers } }), requestId);

  const nonce = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64");
  const policy = contentSecurityPolicy(nonce, request.nextUrl.pathname);
  // Next reads the nonce from the request's CSP header and puts it on its own scripts.
  headers.set("content-security-policy", policy);

  const issuedId = deviceIdFrom(request.cookies) ? undefined : newDeviceId();
  if (issuedId) {
    // This very request sees the new id too, so a first-visit sign-up is already linked.
    request.cookies.set(DEVICE_COOKIE, issuedId);
    headers.set("cookie", request.cookies.toString());
  }

  const response = NextResponse.next({ request: { headers } });
  response.headers.set("content-security-policy", policy);
  if (issuedId) {
    response.cookies.set(DEVICE_COOKIE, issuedId, {
      httpOnly: true,
      sameSite: "lax",
      secure: isHttps(request),
      path: "/",
      maxAge: DEVICE_COOKIE_MAX_AGE,
    });
  }
  return returningId(response, requestId);
}

function returningId(response: NextResponse, requestId: string): NextResponse {
  response.headers.set(REQUEST_ID_HEADER, requestId);
  return response;
}

/**
 * Link prefetches carry no HTML, so they need neither a nonce nor a cookie; they still get an id.
 * (They are not left out by the matcher: a client could then add the header to any page request
 * or action to skip the proxy, and the id it wrote itself would reach the page.)
 */
function isPrefetch(request: NextRequest): boolean {
  return (
    request.headers.has("next-router-prefetch") || request.headers.get("purpose") === "prefetch"
  );
}

/**
 * /verify reads the ledger contract from the browser, from the chain node the auditor names: the
 * public node by default, or their own (any https node, or one on their own machine). Every
 * other page talks only to this site and the public node.
 */
function chainOrigins(pathname: string): string {
  const node = publicRpcUrl();
  const publicNode = node === undefined ? [] : [new URL(node).origin];
  return (
    pathname === "/verify"
      ? [...publicNode, "https:", "http://localhost:*", "http://127.0.0.1:*"]
      : publicNode
  ).join(" ");
}

function contentSecurityPolicy(nonce: string, pathname: string): string {
  const dev = process.env.NODE_ENV === "development";
  return [
    "default-src 'self'",
    // 'strict-dynamic' lets Next's nonce-bearing bootstrap load the chunks it needs; React's
    // development build evaluates code to rebuild server stacks, hence 'unsafe-eval' in dev only.
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ""}`,
    `style-src 'self' 'nonce-${nonce}'`,
    // Components set a few inline style attributes; attributes cannot carry a nonce, and they
    // cannot run code, so they are allowed while <style> elements still need the nonce.
    "style-src-attr 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    `connect-src 'self' ${chainOrigins(pathname)}`.trim(),
    // The push service worker (public/sw.js): 'strict-dynamic' would otherwise refuse it.
    "worker-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

/** Behind a load balancer the original scheme arrives in X-Forwarded-Proto (first hop). */
function isHttps(request: NextRequest): boolean {
  const forwarded = request.headers.get("x-forwarded-proto")?.split(",")[0]?.trim();
  return (forwarded ?? request.nextUrl.protocol.replace(/:$/, "")) === "https";
}

export const config = {
  matcher: [
    {
      // Everything but the API, Next's static files and image optimiser, and the favicon. The
      // well-known documents, the log's tiles and its checkpoint are shared-cacheable answers: a
      // device cookie on one would be handed by a cache to every browser behind it, linking their
      // accounts as one device. (`checkpoint` exactly: pages that merely start so keep the proxy.)
      source:
        "/((?!api/|\\.well-known/|tile/|checkpoint$|_next/static|_next/image|favicon\\.ico).*)",
    },
    {
      // The API reference: a page like the others (it reads no request body).
      source: "/api/docs",
    },
  ],
};
