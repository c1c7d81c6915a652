import http from "node:http";
import net, { type AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { gracefulStop } from "./graceful-stop";

/** A server whose answers wait until the test releases them, and that says when one arrives. */
async function holdingServer() {
  const held: Array<() => void> = [];
  let arrived: () => void = () => {};
  let arrivals = new Promise<void>((resolve) => {
    arrived = resolve;
  });
  const server = http.createServer((req, res) => {
    held.push(() => res.end(`answer ${req.url}`));
    arrived();
  });
  const stop = gracefulStop(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    server,
    stop,
    port: (server.address() as AddressInfo).port,
    /** Resolves once `count` requests have reached the handler. */
    async received(count: number) {
      while (held.length < count) {
        await arrivals;
        arrivals = new Promise<void>((resolve) => {
          arrived = resolve;
        });
      }
    },
    release() {
      for (const answer of held.splice(0)) answer();
    },
  };
}

const servers: http.Server[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.closeAllConnections();
});

describe("gracefulStop", () => {
  it("answers a request in flight, then closes its keep-alive connection; a second stop is the same", async () => {
    const s = await holdingServer();
    servers.push(s.server);
    const agent = new http.Agent({ keepAlive: true });
    const answer = new Promise<{ status?: number; connection?: string; body: string }>(
      (resolve, reject) => {
        http
          .get({ host: "127.0.0.1", port: s.port, path: "/claim", agent }, (res) => {
            let body = "";
            res.on("data", (chunk) => {
              body += chunk;
            });
            res.on("end", () =>
              resolve({ status: res.statusCode, connection: res.headers.connection, body }),
            );
          })
          .on("error", reject);
      },
    );
    await s.received(1);
    // As two signals would: a keep-alive connection left open would hold both until the grace
    // (here far beyond the test's timeout) ran out.
    const first = s.stop(600_000);
    const second = s.stop(600_000);
    expect(second).toBe(first);
    s.release();
    expect(await answer).toEqual({ status: 200, connection: "close", body: "answer /claim" });
    await first;
    expect(s.server.listening).toBe(false);
    agent.destroy();
  });

  it("answers every pipelined request of a connection before closing it", async () => {
    const s = await holdingServer();
    servers.push(s.server);
    const socket = net.connect(s.port, "127.0.0.1");
    let text = "";
    socket.on("data", (chunk) => {
      text += chunk.toString("latin1");
    });
    const ended = new Promise<void>((resolve) => socket.on("close", () => resolve()));
    const request = (path: string) => `GET ${path} HTTP/1.1\r\nHost: localhost\r\n\r\n`;
    socket.write(request("/a") + request("/b"));
    await s.received(2);
    const stopped = s.stop(600_000);
    s.release();
    await stopped;
    await ended;
    expect(text.match(/HTTP\/1\.1 200 OK/g)).toHaveLength(2);
    expect(text).toContain("answer /a");
    expect(text).toContain("answer /b");
  });
});
