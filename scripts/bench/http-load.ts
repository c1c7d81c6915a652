/**
 * The HTTP load generator: `connections` keep-alive sockets (node:http, no extra dependency),
 * closed loop, each request `POST /api/v1/drops/{id}/claims` with a different player's token
 * (or another path with a JSON body of its own per request, for rounds).
 * It runs on the same cores as the app, so its own CPU time is reported next to the figures.
 */
import http from "node:http";
import { type RunResult, summarize } from "./measure";

export type HttpResult = RunResult & { statuses: Record<string, number>; cpuSeconds: number };

/** A request's JSON body and its own headers (an Idempotency-Key). */
export type JsonRequest = { body: string; headers: Record<string, string> };

export function post(
  agent: http.Agent,
  url: URL,
  token: string,
  address?: string,
  cookie?: string,
  request?: JsonRequest,
): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        agent,
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: "POST",
        headers: {
          authorization: `Bearer ${token}`,
          "content-length": String(Buffer.byteLength(request?.body ?? "")),
          ...request?.headers,
          // The bench stands in for the trusted proxy: it names the client's address.
          ...(address ? { "x-forwarded-for": address } : {}),
          ...(cookie ? { cookie } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            body: Buffer.concat(chunks).toString(),
            headers: res.headers,
          }),
        );
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(request?.body);
  });
}

/**
 * The address of the i-th claimer: a crowd of players behind home routers and carrier NAT, four
 * players to an address (10.0.0.0/8), so the per-address claim limit is met only as often as it
 * would be by a real crowd.
 */
export function crowdAddress(i: number): string {
  const n = Math.floor(i / 4) + 1;
  return `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
}

export async function httpLoad(options: {
  baseUrl: string;
  dropId: string;
  /** Another path than the drop's claims, with the i-th request's body. */
  path?: string;
  request?: (i: number) => JsonRequest;
  tokens: string[];
  connections: number;
  requests: number;
  /** Sent with every request: a cookie sends a claim through Next's router (web-server.ts). */
  cookie?: string;
  /** Where this run's crowd starts in the address space, so runs do not share addresses. */
  firstAddress?: number;
  /**
   * Open loop: claims arrive at this many a second whatever the answers, and each one's latency
   * counts from when it was due (waiting for a free connection included), so a server that falls
   * behind shows it. Without it, closed loop: each connection sends as soon as it is answered.
   */
  rate?: number;
}): Promise<HttpResult> {
  const { tokens, connections, requests } = options;
  if (tokens.length < requests) {
    throw new Error(`${requests} requests need as many players; the seed has ${tokens.length}`);
  }
  const url = new URL(options.path ?? `/api/v1/drops/${options.dropId}/claims`, options.baseUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const latencies = new Float64Array(requests);
  const statuses: Record<string, number> = {};
  let ok = 0;
  let refused = 0;
  let errors = 0;
  let firstError: string | undefined;
  let next = 0;
  const cpu0 = process.cpuUsage();
  const started = performance.now();
  const worker = async () => {
    for (let i = next++; i < requests; i = next++) {
      const due = options.rate ? started + (i * 1000) / options.rate : undefined;
      const wait = due === undefined ? 0 : due - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      const t0 = due ?? performance.now();
      try {
        const address = crowdAddress((options.firstAddress ?? 0) + i);
        const res = await post(
          agent,
          url,
          tokens[i] as string,
          address,
          options.cookie,
          options.request?.(i),
        );
        statuses[res.status] = (statuses[res.status] ?? 0) + 1;
        if (res.status === 201) ok++;
        else if (res.status === 409) refused++;
        else {
          errors++;
          firstError ??= `${res.status} ${res.body.slice(0, 200)}`;
        }
      } catch (error) {
        errors++;
        statuses.neterr = (statuses.neterr ?? 0) + 1;
        firstError ??= (error as Error).message;
      }
      latencies[i] = performance.now() - t0;
    }
  };
  await Promise.all(Array.from({ length: connections }, worker));
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpu0);
  agent.destroy();
  return {
    claims: requests,
    ok,
    refused,
    errors,
    seconds,
    ...summarize(latencies, seconds),
    firstError,
    statuses,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
  };
}

/** A few requests to warm the route (compilation of lazy chunks, pool connections). */
export async function warmUp(
  baseUrl: string,
  dropId: string,
  tokens: string[],
  cookie?: string,
  route?: { path: string; request: (i: number) => JsonRequest },
): Promise<void> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  const url = new URL(route?.path ?? `/api/v1/drops/${dropId}/claims`, baseUrl);
  await Promise.all(
    tokens.map((t, i) =>
      post(agent, url, t, crowdAddress(4_000_000 + i), cookie, route?.request(i)).catch(
        () => undefined,
      ),
    ),
  );
  agent.destroy();
}
