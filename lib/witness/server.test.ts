import net from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { memoryLog } from "@/test/memory-log";
import { memoryAnchors, tempDir, testLog } from "@/test/witness-fixture";
import { createWitnessServer, MAX_BODY_BYTES, SERVER_LIMITS } from "./server";
import { explicitPin, type RunningWitness, startWitness } from "./start";

const log = testLog("log.example/witness-http");
// Not there yet: the first start makes it.
const dataDir = path.join(tempDir("witness-http"), "data", "witness");
let witness: RunningWitness;

function config() {
  const anchors = memoryAnchors();
  for (let size = 1; size <= log.tree.size; size++) anchors.roots.set(size, log.tree.root(size));
  return {
    dataDir,
    name: "witness.http-test",
    source: {
      pin: explicitPin({
        origin: log.origin,
        logKey: log.vkey,
        contract: "0x5fbdb2315678afecb367f032d93f642f64180aa3",
        chainId: 31337,
      }),
    },
    repin: false,
    rpcUrl: null,
    host: "127.0.0.1",
    port: 0,
    log: memoryLog().log,
    anchors,
  };
}

beforeAll(async () => {
  witness = await startWitness(config());
});
afterAll(() => witness.close());

const post = (body: BodyInit, path = "/add-checkpoint") =>
  fetch(`${witness.url}${path}`, { method: "POST", body });

describe("the witness over HTTP", () => {
  it("is the one witness on its data directory", async () => {
    await expect(startWitness(config())).rejects.toThrow(
      `another witness (pid ${process.pid}) runs on ${dataDir}: one process per data directory`,
    );
  });

  it("describes itself at GET /: its name, vkey and the log it witnesses with its size", async () => {
    const response = await fetch(witness.url);
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(await response.json()).toEqual({
      name: "witness.http-test",
      vkey: witness.vkey,
      logs: [
        {
          origin: log.origin,
          logKey: log.vkey,
          chainId: 31337,
          contract: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
          size: 0,
        },
      ],
    });
  });

  it("answers other paths and methods in words", async () => {
    const elsewhere = await post("x", "/checkpoint");
    expect(elsewhere.status).toBe(404);
    expect(await elsewhere.text()).toMatch(/serves GET \/ and POST \/add-checkpoint/);
    const get = await fetch(`${witness.url}/add-checkpoint`);
    expect(get.status).toBe(405);
    expect(get.headers.get("allow")).toBe("POST");
    const postRoot = await post("x", "/");
    expect(postRoot.status).toBe(405);
  });

  it("refuses an oversized body (413) and bytes that are not UTF-8 (400), then cosigns and answers 409", async () => {
    const big = await post("x".repeat(MAX_BODY_BYTES + 1));
    expect(big.status).toBe(413);
    expect(await big.text()).toMatch(/at most 32768 bytes/);
    const latin1 = new TextEncoder().encode(log.body(0, 3)).slice();
    latin1[latin1.length - 40] = 0xff;
    const notUtf8 = await post(latin1);
    expect(notUtf8.status).toBe(400);
    expect(await notUtf8.text()).toMatch(/not UTF-8 text/);
    const ok = await post(log.body(0, 3));
    expect(ok.status, await ok.clone().text()).toBe(200);
    expect(ok.headers.get("content-type")).toBe("text/plain; charset=utf-8");
    expect(await ok.text()).toMatch(/^— witness\.http-test [A-Za-z0-9+/]{102}==\n$/);
    const stale = await post(log.body(0, 9));
    expect(stale.status).toBe(409);
    expect(stale.headers.get("content-type")).toBe("text/x.tlog.size");
    expect(await stale.text()).toBe("3\n");
  });
});

/** Sends raw bytes and resolves with what came back once the server closes the connection. */
function rawExchange(bytes: string, trickle?: string): Promise<string> {
  const { port } = new URL(witness.url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), "127.0.0.1");
    let received = "";
    let timer: NodeJS.Timeout | undefined;
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      received += chunk;
    });
    socket.on("error", reject);
    socket.on("close", () => {
      clearInterval(timer);
      resolve(received);
    });
    socket.write(bytes);
    // One header byte a second, forever: only the server's timeouts end it.
    if (trickle) timer = setInterval(() => socket.write(trickle), 1_000);
  });
}

describe("the witness's HTTP server against hostile clients", () => {
  it("answers a request target that is not a path with 400, not an error", async () => {
    const answer = await rawExchange("GET // HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n");
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(answer).toMatch(/the request target is not a path/);
  });

  it("is built with short header and request timeouts, checked every second, and a connection cap", () => {
    const server = createWitnessServer(witness.witness, memoryLog().log);
    expect(SERVER_LIMITS).toEqual({
      connectionsCheckingInterval: 1_000,
      headersTimeout: 5_000,
      requestTimeout: 10_000,
      keepAliveTimeout: 5_000,
      maxConnections: 256,
    });
    expect(server).toMatchObject(SERVER_LIMITS);
    server.close();
  });

  // Node's default check runs every 30 s: without the settings above this outlives the bound.
  it("cuts off a client that trickles its headers", { timeout: 25_000 }, async () => {
    const answer = await rawExchange("POST /add-checkpoint HTTP/1.1\r\n", "x");
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
  });
});
