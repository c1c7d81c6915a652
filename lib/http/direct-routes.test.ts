import http from "node:http";
import net, { type AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  compileHeaderRules,
  type DirectRoute,
  type HeaderRule,
  matchDirectRoute,
  serveDirect,
} from "./direct-routes";

const RULES: HeaderRule[] = [
  {
    regex: "^(?:/((?:[^/]+?)(?:/(?:[^/]+?))*))?(?:/)?$",
    headers: [
      { key: "X-Content-Type-Options", value: "nosniff" },
      { key: "X-Frame-Options", value: "DENY" },
    ],
  },
  {
    regex: "^/api(?:/((?:[^/]+?)(?:/(?:[^/]+?))*))?(?:/)?$",
    headers: [{ key: "Content-Security-Policy", value: "default-src 'none'" }],
  },
];

type Seen = { url: string; params: Record<string, string>; headers: Headers; body: string };

describe("direct routes", () => {
  let seen: Seen[] = [];
  let fail: Error | undefined;
  let big = false;
  const routes: DirectRoute[] = [
    {
      method: "POST",
      path: /^\/api\/things\/([0-9a-f]{4})\/go$/,
      params: ["id"],
      handler: async (request, context) => {
        if (fail) throw fail;
        seen.push({
          url: request.url,
          params: await context.params,
          headers: request.headers,
          body: request.headers.has("x-unread") ? "" : await request.text(),
        });
        return Response.json(big ? { ok: true, padding: "x".repeat(2000) } : { ok: true }, {
          status: 201,
          headers: { "x-frame-options": "SAMEORIGIN", "set-cookie": "a=1" },
        });
      },
    },
  ];
  const rules = compileHeaderRules(RULES);
  let server: http.Server;
  let base = "";
  let fallbacks = 0;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const direct = matchDirectRoute(routes, rules, req);
      if (direct) return void serveDirect(direct, req, res);
      fallbacks++;
      res.statusCode = 299;
      res.end("fallback");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const post = (path: string, headers: Record<string, string> = {}, body?: string) =>
    fetch(`${base}${path}`, {
      method: "POST",
      headers: { authorization: "Bearer plt_x", ...headers },
      ...(body === undefined ? {} : { body }),
    });

  it("serves a matching bearer call with the config's headers under the handler's", async () => {
    seen = [];
    const res = await post("/api/things/ab12/go?x=1");
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({ ok: true });
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("content-security-policy")).toBe("default-src 'none'");
    expect(res.headers.get("x-frame-options")).toBe("SAMEORIGIN");
    expect(res.headers.get("set-cookie")).toBe("a=1");
    expect(seen[0]?.params).toEqual({ id: "ab12" });
    expect(seen[0]?.url).toBe("http://localhost/api/things/ab12/go?x=1");
  });

  it("gzips an answer of 1 KiB or more for a client that accepts it", async () => {
    big = true;
    const plain = await post("/api/things/ab12/go", { "accept-encoding": "identity" });
    const zipped = await post("/api/things/ab12/go", { "accept-encoding": "br;q=1, gzip;q=0.5" });
    const refused = await post("/api/things/ab12/go", { "accept-encoding": "gzip;q=0" });
    big = false;
    const small = await post("/api/things/ab12/go", { "accept-encoding": "gzip" });
    expect(plain.headers.get("content-encoding")).toBeNull();
    expect(zipped.headers.get("content-encoding")).toBe("gzip");
    expect(refused.headers.get("content-encoding")).toBeNull();
    expect(small.headers.get("content-encoding")).toBeNull();
    // fetch inflates: the same answer either way.
    expect(await zipped.json()).toEqual(await plain.json());
    expect(plain.headers.get("vary")).toBe("Accept-Encoding");
  });

  it("fills X-Forwarded-For from the socket only where the client sent none", async () => {
    seen = [];
    await post("/api/things/ab12/go");
    await post("/api/things/ab12/go", { "x-forwarded-for": "192.0.2.7" });
    expect(seen.map((s) => s.headers.get("x-forwarded-for"))).toEqual(["127.0.0.1", "192.0.2.7"]);
  });

  it("reads a repeated header as Next does: the first of those Node keeps once", async () => {
    // Node keeps the first Authorization, User-Agent or Content-Type of a request and joins
    // repeats of others; Next builds its request from that. Joined, two tokens are no token.
    const { port } = server.address() as AddressInfo;
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(port, "127.0.0.1", () => {
        socket.end(
          [
            "POST /api/things/ab12/go HTTP/1.1",
            "Host: localhost",
            "Authorization: Bearer plt_first",
            "Authorization: Bearer plt_second",
            "User-Agent: first",
            "User-Agent: second",
            "X-Forwarded-For: 192.0.2.1",
            "X-Forwarded-For: 192.0.2.2",
            "Content-Length: 0",
            "Connection: close",
            "",
            "",
          ].join("\r\n"),
        );
      });
      let text = "";
      socket.on("data", (chunk) => {
        text += chunk.toString("latin1");
      });
      socket.on("end", () => resolve(text));
      socket.on("error", reject);
    });
    expect(answer.split("\r\n")[0]).toBe("HTTP/1.1 201 Created");
    const headers = seen.at(-1)?.headers;
    expect(headers?.get("authorization")).toBe("Bearer plt_first");
    expect(headers?.get("user-agent")).toBe("first");
    expect(headers?.get("x-forwarded-for")).toBe("192.0.2.1, 192.0.2.2");
  });

  it("streams a body to the handler", async () => {
    seen = [];
    await post("/api/things/ab12/go", { "content-type": "application/json" }, '{"a":"é"}');
    expect(seen[0]?.body).toBe('{"a":"é"}');
  });

  it("drops a body the handler did not read, and the connection serves on", async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const send = (headers: Record<string, string>, body: string) =>
      new Promise<number>((resolve, reject) => {
        const req = http.request(`${base}/api/things/ab12/go`, {
          agent,
          method: "POST",
          headers: { authorization: "Bearer plt_x", ...headers },
        });
        req.on("response", (res) => {
          res.resume();
          res.on("end", () => resolve(res.statusCode ?? 0));
        });
        req.on("error", reject);
        req.end(body);
      });
    seen = [];
    const statuses = [
      await send({ "x-unread": "1" }, "x".repeat(1_000_000)),
      await send({}, "second"),
    ];
    agent.destroy();
    expect(statuses).toEqual([201, 201]);
    expect(seen.map((s) => s.body)).toEqual(["", "second"]);
  });

  it("leaves every other request to Next", async () => {
    const before = fallbacks;
    const answers = await Promise.all([
      post("/api/things/ab12/go", { cookie: "session=1" }),
      fetch(`${base}/api/things/ab12/go`, { method: "POST" }),
      post("/api/things/ab12/go", { authorization: "Basic eDp5" }),
      post("/api/things/ab12/go/"),
      post("/api/things/AB12/go"),
      post("/api/things/%61b12/go"),
      post("/api/things/ab12/go/extra"),
      fetch(`${base}/api/things/ab12/go`, { headers: { authorization: "Bearer plt_x" } }),
    ]);
    expect(answers.map((a) => a.status)).toEqual(Array(8).fill(299));
    expect(fallbacks - before).toBe(8);
  });

  it("leaves a path with a conditional header rule to Next", () => {
    const conditional = compileHeaderRules([{ ...(RULES[1] as HeaderRule), has: [{}] }]);
    const req = {
      method: "POST",
      url: "/api/things/ab12/go",
      headers: { authorization: "Bearer plt_x" },
    } as unknown as http.IncomingMessage;
    expect(matchDirectRoute(routes, conditional, req)).toBeUndefined();
    expect(matchDirectRoute(routes, rules, req)?.params).toEqual({ id: "ab12" });
  });

  it("answers 500 when the handler throws, and the server keeps serving", async () => {
    fail = new Error("boom");
    const res = await post("/api/things/ab12/go");
    fail = undefined;
    expect(res.status).toBe(500);
    expect(res.headers.get("content-security-policy")).toBe("default-src 'none'");
    expect(await res.json()).toEqual({
      error: { code: "internal", message: "Something went wrong on our side" },
    });
    expect((await post("/api/things/ab12/go")).status).toBe(201);
  });
});
