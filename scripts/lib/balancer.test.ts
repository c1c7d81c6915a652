import { spawn } from "node:child_process";
import fs from "node:fs";
import { createServer, request } from "node:http";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  type Backend,
  HAPROXY_TEMPLATE,
  renderHaproxyConfig,
  writeHaproxyConfig,
} from "./balancer";
import { canListen, freePort } from "./free-port";

const template = fs.readFileSync(HAPROXY_TEMPLATE, "utf8");
const backends: Backend[] = [
  { name: "web1", host: "127.0.0.1", port: 3091 },
  { name: "web2", host: "127.0.0.1", port: 3092 },
];
const render = (over: Partial<Parameters<typeof renderHaproxyConfig>[1]> = {}) =>
  renderHaproxyConfig(template, { bind: "0.0.0.0:3090", stateDir: "/srv/lb", backends, ...over });
/** The configuration's directives, without comments and blank lines. */
const directives = (config: string) =>
  config
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith("#"));
/** Every route handler under app/api/v1, with a sample path (`[id]` becomes `x1`) and its code. */
function apiRoutes(dir = path.resolve("app", "api", "v1")): { path: string; source: string }[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(entry.parentPath, entry.name);
    if (entry.isDirectory()) return apiRoutes(file);
    if (entry.name !== "route.ts") return [];
    const url = path.relative(path.resolve("app"), entry.parentPath).split(path.sep);
    const sample = url.map((part) => (part.startsWith("[") ? "x1" : part)).join("/");
    return [{ path: `/${sample}`, source: fs.readFileSync(file, "utf8") }];
  });
}
// HAProxy is a requirement of the tests (.ci/run installs it), not an option: a missing binary
// fails these tests rather than skipping them.
const haproxy = ["/usr/sbin/haproxy", "/usr/local/sbin/haproxy"].find((f) => fs.existsSync(f));
function haproxyBinary(): string {
  if (!haproxy) throw new Error("HAProxy is not installed: apt-get install -y haproxy");
  return haproxy;
}

describe("deploy/haproxy.cfg, filled in", () => {
  it("lists every instance as a server of the backend, after its health check", () => {
    const lines = directives(render());
    const backend = lines.slice(lines.indexOf("backend web"));
    expect(backend).toContain("option httpchk GET /api/health");
    expect(backend).toContain("http-check expect status 200");
    expect(backend.filter((l) => l.startsWith("server "))).toEqual([
      "server web1 127.0.0.1:3091",
      "server web2 127.0.0.1:3092",
    ]);
    expect(backend.some((l) => l.startsWith("default-server check"))).toBe(true);
  });

  it("binds where told and keeps its pid file and socket in the state directory", () => {
    const lines = directives(render());
    expect(lines).toContain("bind 0.0.0.0:3090");
    expect(lines).toContain("pidfile /srv/lb/haproxy.pid");
    expect(lines.some((l) => l.startsWith("stats socket /srv/lb/haproxy.sock "))).toBe(true);
    expect(lines.join("\n")).not.toMatch(/\{\{/);
  });

  it("appends the client's address and sets the scheme and host headers itself", () => {
    const frontend = directives(render());
    expect(frontend).toContain("option forwardfor");
    expect(frontend).toContain("http-request set-header X-Forwarded-Proto https if { ssl_fc }");
    expect(frontend).toContain("http-request set-header X-Forwarded-Proto http unless { ssl_fc }");
    expect(frontend).toContain("http-request del-header X-Forwarded-Host");
  });

  it("sends a request again after it was sent only when that is harmless", () => {
    const lines = directives(render());
    // Never on a slow answer: that would run a slow request three times.
    expect(lines).toContain("retry-on conn-failure empty-response");
    expect(lines).toContain(
      "http-request disable-l7-retry unless METH_GET || METH_HEAD || { req.hdr(idempotency-key) -m found } keyed_route",
    );
  });

  it("repeats a keyed request only on the routes that honour Idempotency-Key", () => {
    const acl = directives(render()).find((l) => l.startsWith("acl keyed_route path_reg "));
    const keyed = new RegExp((acl as string).slice("acl keyed_route path_reg ".length));
    const routes = apiRoutes();
    const honouring = routes.filter((r) => /idempotency-key/i.test(r.source)).map((r) => r.path);
    expect(honouring.length).toBeGreaterThanOrEqual(5);
    expect(routes.filter((r) => keyed.test(r.path)).map((r) => r.path)).toEqual(honouring);
    // A key sent along with a query string or a trailing path is still judged by the path.
    expect(keyed.test("/api/v1/drops/d1/claims/x")).toBe(false);
    expect(keyed.test("/api/v1/tokens")).toBe(false);
  });

  it("logs a request's path, never its query string (tokens travel there)", () => {
    const lines = directives(render());
    const format = lines.find((l) => l.startsWith("log-format "));
    expect(format).toContain("%{+Q}HP");
    // %r is the whole request line, %HU the URI and %HQ the query string.
    expect(format).not.toMatch(/%(\{[^}]*\})?(r|HU|HQ)\b/);
    expect(lines).not.toContain("option httplog");
  });

  it("refuses no instance, a bad server name, and a value that would split a line", () => {
    expect(() => render({ backends: [] })).toThrow(/at least one instance/);
    expect(() => render({ backends: [{ name: "web 1", host: "h", port: 1 }] })).toThrow(
      /not a usable instance/,
    );
    expect(() => render({ stateDir: "/srv/my lb" })).toThrow(/state_dir must not contain/);
    expect(() =>
      renderHaproxyConfig("bind {{nope}}", { bind: "x", stateDir: "y", backends }),
    ).toThrow(/unknown placeholder \{\{nope\}\}/);
  });

  it("is a configuration HAProxy accepts", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "haproxy-cfg-"));
    try {
      const file = writeHaproxyConfig(haproxyBinary(), dir, "127.0.0.1:3090", backends);
      expect(fs.readFileSync(file, "utf8")).toContain("server web2 127.0.0.1:3092");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("sends again only what may be repeated, to an instance that hangs up", async () => {
    // An instance that answers its health check and hangs up on every other request, counting.
    const hits = new Map<string, number>();
    const instance = createServer((req, res) => {
      if (req.url === "/api/health") return void res.end("{}");
      const key = `${req.method} ${req.url}`;
      hits.set(key, (hits.get(key) ?? 0) + 1);
      req.socket.destroy();
    });
    const [instancePort, bindPort] = [await freePort(), await freePort()];
    await new Promise<void>((resolve) => instance.listen(instancePort, "127.0.0.1", resolve));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "haproxy-retry-"));
    const config = writeHaproxyConfig(haproxyBinary(), dir, `127.0.0.1:${bindPort}`, [
      { name: "web1", host: "127.0.0.1", port: instancePort },
    ]);
    const balancer = spawn(haproxyBinary(), ["-db", "-f", config], { stdio: "ignore" });
    const exited = new Promise((resolve) => balancer.once("exit", resolve));
    try {
      while (await canListen(bindPort, "127.0.0.1")) await new Promise((r) => setTimeout(r, 50));
      // A connection of its own each (the balancer closes one after a 502).
      const send = (method: string, url: string, key?: string) =>
        new Promise<number | undefined>((resolve, reject) => {
          const headers: Record<string, string> = key ? { "idempotency-key": key } : {};
          const options = { host: "127.0.0.1", port: bindPort, method, path: url, headers };
          request({ ...options, agent: false }, (res) => {
            res.resume();
            res.on("end", () => resolve(res.statusCode));
          })
            .on("error", reject)
            .end();
        });
      expect(await send("GET", "/drops")).toBe(502);
      expect(await send("POST", "/api/v1/rounds", "k1")).toBe(502);
      expect(await send("POST", "/api/v1/rounds")).toBe(502);
      expect(await send("POST", "/api/v1/tokens", "k2")).toBe(502);
      expect(await send("POST", "/api/v1/accounts", "k3")).toBe(502);
      expect(Object.fromEntries(hits)).toEqual({
        "GET /drops": 3,
        "POST /api/v1/rounds": 4, // three times with its key, once without
        "POST /api/v1/tokens": 1,
        "POST /api/v1/accounts": 1,
      });
    } finally {
      balancer.kill("SIGTERM");
      await exited;
      instance.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
