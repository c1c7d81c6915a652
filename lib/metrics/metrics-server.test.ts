import type http from "node:http";
import net, { type AddressInfo } from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import { parseEnv } from "@/lib/config/env";
import { createMetricsServer, LISTENER_LIMITS, listen, scrapeMetrics } from "./metrics-server";

const TOKEN = "a-metrics-token-of-some-length";
const servers: http.Server[] = [];
afterAll(() => {
  for (const server of servers) server.close();
});

/** A listener on a free loopback port, with the worker's two routes. */
async function start(token?: string): Promise<string> {
  const server = createMetricsServer(
    {
      "/metrics": scrapeMetrics,
      "/health": async () => ({ status: 200, body: '{"status":"ok"}' }),
    },
    token,
  );
  servers.push(server);
  await listen(server, 0, "127.0.0.1");
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe("the metrics listener", () => {
  it("refuses /metrics without the token, or with another, and tells nothing", async () => {
    const url = await start(TOKEN);
    for (const authorization of [undefined, "Bearer wrong-token", `Basic ${TOKEN}`, TOKEN]) {
      const res = await fetch(`${url}/metrics`, {
        headers: authorization ? { authorization } : {},
      });
      expect(res.status).toBe(401);
      expect(res.headers.get("www-authenticate")).toBe("Bearer");
      expect(await res.text()).toBe("unauthorized\n");
    }
  });

  it("answers /metrics with the token, in Prometheus's text format", async () => {
    const url = await start(TOKEN);
    const res = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(await res.text()).toMatch(/^# HELP process_cpu_user_seconds_total /m);
  });

  it("answers /health without the token, nothing but GET, and no other path", async () => {
    const url = await start(TOKEN);
    expect((await fetch(`${url}/health`)).status).toBe(200);
    const post = await fetch(`${url}/metrics`, { method: "POST" });
    expect(post.status).toBe(405);
    expect(post.headers.get("allow")).toBe("GET, HEAD");
    expect((await fetch(`${url}/`)).status).toBe(404);
    expect((await fetch(`${url}/metrics/../api`)).status).toBe(404);
  });

  it("cuts connections beyond its bound, before reading a byte of them", async () => {
    const url = new URL(await start(TOKEN));
    const server = servers.at(-1) as http.Server;
    expect(server.headersTimeout).toBe(LISTENER_LIMITS.headersTimeout);
    expect(server.requestTimeout).toBe(LISTENER_LIMITS.requestTimeout);
    const accepted = new Promise<void>((resolve) => {
      let count = 0;
      server.on("connection", () => {
        if (++count === LISTENER_LIMITS.maxConnections) resolve();
      });
    });
    const connect = () => net.connect(Number(url.port), url.hostname);
    const idle = Array.from({ length: LISTENER_LIMITS.maxConnections }, connect);
    try {
      await accepted;
      const dropped = new Promise((resolve) => server.once("drop", resolve));
      const extra = connect();
      await dropped;
      await new Promise((resolve) => extra.once("close", resolve));
    } finally {
      for (const socket of idle) socket.destroy();
    }
  });

  it("is open on loopback without a token", async () => {
    const url = await start();
    expect((await fetch(`${url}/metrics`)).status).toBe(200);
  });
});

describe("the metrics settings", () => {
  it("require a token for a listener other machines can reach", () => {
    expect(() => parseEnv({ METRICS_ADDRESS: "0.0.0.0" })).toThrow(
      /METRICS_TOKEN is required when METRICS_ADDRESS is not a loopback address/,
    );
    expect(() => parseEnv({ METRICS_ADDRESS: "::" })).toThrow(/METRICS_TOKEN is required/);
    expect(parseEnv({ METRICS_ADDRESS: "10.0.0.5", METRICS_TOKEN: TOKEN }).METRICS_ADDRESS).toBe(
      "10.0.0.5",
    );
    expect(() => parseEnv({ METRICS_TOKEN: "short" })).toThrow(/at least 16 characters/);
  });

  it("default to loopback, the worker on 9465 and no web listener", () => {
    const env = parseEnv({});
    expect(env.METRICS_ADDRESS).toBe("127.0.0.1");
    expect(env.WORKER_PORT).toBe(9465);
    expect(env.METRICS_PORT).toBeUndefined();
  });
});
