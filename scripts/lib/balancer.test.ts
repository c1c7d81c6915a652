import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  type Backend,
  HAPROXY_TEMPLATE,
  renderHaproxyConfig,
  writeHaproxyConfig,
} from "./balancer";

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
const haproxy = ["/usr/sbin/haproxy", "/usr/local/sbin/haproxy"].find((f) => fs.existsSync(f));

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
    expect(lines).toContain("retry-on conn-failure empty-response response-timeout");
    expect(lines).toContain(
      "http-request disable-l7-retry unless METH_GET || METH_HEAD || { req.hdr(idempotency-key) -m found }",
    );
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

  it.skipIf(!haproxy)("is a configuration HAProxy accepts", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "haproxy-cfg-"));
    try {
      const file = writeHaproxyConfig(haproxy as string, dir, "127.0.0.1:3090", backends);
      expect(fs.readFileSync(file, "utf8")).toContain("server web2 127.0.0.1:3092");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
