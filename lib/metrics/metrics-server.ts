import "server-only";
import { createHash, timingSafeEqual } from "node:crypto";
import http from "node:http";
import { metricsRegistry } from "./registry";

export type Answer = { status: number; body: string; contentType?: string };
/** The paths a listener answers with GET; `/metrics` alone asks for the token. */
export type MetricsRoutes = Record<string, () => Promise<Answer>>;

const TEXT = "text/plain; charset=utf-8";

/**
 * Only Prometheus and a balancer's health checks call a listener: a few connections with quick
 * requests. Past these bounds a flood of idle or slow connections (from wherever the port is
 * reachable, token or not: it is read after the headers) is cut, instead of holding file
 * descriptors the worker's database connections need.
 */
export const LISTENER_LIMITS = {
  maxConnections: 64,
  headersTimeout: 10_000,
  requestTimeout: 15_000,
};

/** The registry's text exposition, as Prometheus scrapes it. */
export async function scrapeMetrics(): Promise<Answer> {
  const registry = metricsRegistry();
  return { status: 200, body: await registry.metrics(), contentType: registry.contentType };
}

const digest = (text: string) => createHash("sha256").update(text).digest();

/**
 * Whether the request carries `Authorization: Bearer <token>`. Digests of equal length are
 * compared in constant time, so the answer's timing tells nothing of the token.
 */
export function carriesToken(request: http.IncomingMessage, token: string): boolean {
  const match = /^Bearer (\S+)$/.exec(request.headers.authorization ?? "");
  return match?.[1] !== undefined && timingSafeEqual(digest(match[1]), digest(token));
}

/**
 * A small HTTP server apart from the one players reach: GET on `routes`, nothing else. With a
 * token, `/metrics` without it (or with another) is 401 and says no more than that.
 */
export function createMetricsServer(routes: MetricsRoutes, token?: string): http.Server {
  const server = http.createServer((request, response) => {
    const send = ({ status, body, contentType = TEXT }: Answer, extra = {}) => {
      response.writeHead(status, {
        "content-type": contentType,
        "cache-control": "no-store",
        ...extra,
      });
      response.end(request.method === "HEAD" ? undefined : body);
    };
    const path = (request.url ?? "").split("?")[0] ?? "";
    const route = Object.hasOwn(routes, path) ? routes[path] : undefined;
    if (!route) return send({ status: 404, body: "not found\n" });
    if (request.method !== "GET" && request.method !== "HEAD") {
      return send({ status: 405, body: "method not allowed\n" }, { allow: "GET, HEAD" });
    }
    if (path === "/metrics" && token !== undefined && !carriesToken(request, token)) {
      return send({ status: 401, body: "unauthorized\n" }, { "www-authenticate": "Bearer" });
    }
    route().then(send, () => send({ status: 500, body: "metrics unavailable\n" }));
  });
  return Object.assign(server, LISTENER_LIMITS);
}

/** Listens on `port` at `address`; a port in use (or any listen failure) rejects. */
export function listen(server: http.Server, port: number, address: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, address, () => {
      server.off("error", reject);
      resolve();
    });
  });
}

/** How a listener is reached, an IPv6 address in brackets. */
export function listenerUrl(address: string, port: number): string {
  return `http://${address.includes(":") ? `[${address}]` : address}:${port}`;
}
