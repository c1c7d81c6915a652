import "server-only";
import type { IncomingMessage, ServerResponse } from "node:http";
import { Readable } from "node:stream";
import { gzipSync } from "node:zlib";
import { logError } from "@/lib/log";

/** A route handler as the App Router calls it: a Web request and the route's parameters. */
export type RouteHandler = (
  request: Request,
  context: { params: Promise<Record<string, string>> },
) => Promise<Response>;

/**
 * An API route the web server hands straight to its App Router handler. `path` must match the
 * canonical path only (no trailing slash, no percent-encoding, exact case): any other spelling
 * goes through Next.js, which normalises it, and so answers exactly as before.
 */
export type DirectRoute = {
  method: string;
  path: RegExp;
  params: string[];
  handler: RouteHandler;
};

/** A `headers()` rule of next.config.js, as `next build` compiles it into routes-manifest.json. */
export type HeaderRule = {
  regex: string;
  headers: Array<{ key: string; value: string }>;
  has?: unknown[];
  missing?: unknown[];
};

export type DirectDispatch = {
  route: DirectRoute;
  params: Record<string, string>;
  headers: Array<[string, string]>;
};

/**
 * Which direct route, if any, serves this request. Only bearer-token calls without a cookie: a
 * browser session needs Auth.js, which needs Next's request context. And only paths whose
 * next.config.js headers are unconditional, so the answer carries the headers Next would add.
 */
export function matchDirectRoute(
  routes: DirectRoute[],
  headerRules: Array<{ regex: RegExp; rule: HeaderRule }>,
  req: IncomingMessage,
): DirectDispatch | undefined {
  const { authorization } = req.headers;
  if (!authorization?.startsWith("Bearer ") || req.headers.cookie !== undefined) return undefined;
  const url = req.url ?? "";
  const query = url.indexOf("?");
  const pathname = query < 0 ? url : url.slice(0, query);
  for (const route of routes) {
    if (req.method !== route.method) continue;
    const match = route.path.exec(pathname);
    if (!match) continue;
    const headers: Array<[string, string]> = [];
    for (const { regex, rule } of headerRules) {
      if (!regex.test(pathname)) continue;
      if (rule.has?.length || rule.missing?.length) return undefined;
      for (const { key, value } of rule.headers) headers.push([key.toLowerCase(), value]);
    }
    const params = Object.fromEntries(route.params.map((name, i) => [name, match[i + 1] ?? ""]));
    return { route, params, headers };
  }
  return undefined;
}

export function compileHeaderRules(
  rules: HeaderRule[],
): Array<{ regex: RegExp; rule: HeaderRule }> {
  // Next matches these rules whatever the letter case of the path.
  return rules.map((rule) => ({ regex: new RegExp(rule.regex, "i"), rule }));
}

/** Next compresses answers of 1 KiB or more for clients that accept gzip; so does this. */
const COMPRESS_FROM_BYTES = 1024;

function acceptsGzip(req: IncomingMessage): boolean {
  const accepted = req.headers["accept-encoding"] ?? "";
  return accepted.split(",").some((entry) => {
    const [coding, ...params] = entry.trim().toLowerCase().split(";");
    const q = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
    return (coding === "gzip" || coding === "*") && !(q && Number(q.slice(2)) === 0);
  });
}

function hasBody(req: IncomingMessage): boolean {
  const length = req.headers["content-length"];
  return req.headers["transfer-encoding"] !== undefined || (length !== undefined && length !== "0");
}

/**
 * Serves a matched request with its route handler: the Web request built as Next builds it
 * (X-Forwarded-* filled in from the socket where missing, which is what clientInfo reads), the
 * config's headers first and the handler's over them, as Next orders them.
 */
export async function serveDirect(
  dispatch: DirectDispatch,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  try {
    // From Node's parsed headers, as Next builds its request: a repeated Authorization (or any
    // header Node keeps one of) is then the same one header in both paths.
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      if (Array.isArray(value)) for (const each of value) headers.append(name, each);
      else if (value !== undefined) headers.set(name, value);
    }
    if (!headers.has("x-forwarded-for") && req.socket.remoteAddress) {
      headers.set("x-forwarded-for", req.socket.remoteAddress);
    }
    if (!headers.has("x-forwarded-proto")) headers.set("x-forwarded-proto", "http");
    if (!headers.has("x-forwarded-port") && req.socket.localPort) {
      headers.set("x-forwarded-port", String(req.socket.localPort));
    }
    // The handlers read the path's parameters and the headers, never the origin: a fixed one
    // keeps whatever a client wrote in Host out of the URL parser.
    const body = hasBody(req);
    const request = new Request(`http://localhost${req.url}`, {
      method: req.method,
      headers,
      ...(body ? { body: Readable.toWeb(req) as ReadableStream, duplex: "half" } : {}),
    } as RequestInit);
    const response = await dispatch.route.handler(request, {
      params: Promise.resolve(dispatch.params),
    });
    let payload = Buffer.from(await response.arrayBuffer());
    for (const [name, value] of dispatch.headers) res.setHeader(name, value);
    if (payload.length >= COMPRESS_FROM_BYTES && !response.headers.has("content-encoding")) {
      res.setHeader("vary", "Accept-Encoding");
      if (acceptsGzip(req)) {
        payload = gzipSync(payload);
        res.setHeader("content-encoding", "gzip");
      }
    }
    response.headers.forEach((value, name) => {
      if (name !== "set-cookie") res.setHeader(name, value);
    });
    const cookies = response.headers.getSetCookie();
    if (cookies.length > 0) res.setHeader("set-cookie", cookies);
    res.setHeader("content-length", payload.length);
    res.statusCode = response.status;
    res.end(payload);
    // A body the handler refused without reading (too large, say) may still be on its way: read
    // and dropped, as Node does for its own requests, so the connection can serve the next one.
    // (Closing it instead could reset the client's socket before it read this answer.)
    if (body && !req.complete) {
      req.removeAllListeners("data");
      req.resume();
    }
  } catch (error) {
    // The handlers answer every failure themselves; this is the server's own (a socket gone).
    logError("direct_route_failed", error, { url: req.url });
    if (!res.headersSent) {
      res.statusCode = 500;
      for (const [name, value] of dispatch.headers) res.setHeader(name, value);
      res.setHeader("content-type", "application/json");
      res.end(
        JSON.stringify({
          error: { code: "internal", message: "Something went wrong on our side" },
        }),
      );
    } else {
      res.destroy();
    }
  }
}
