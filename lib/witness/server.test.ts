import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { memoryLog } from "@/test/memory-log";
import { memoryAnchors, tempDir, testLog } from "@/test/witness-fixture";
import { MAX_BODY_BYTES } from "./server";
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
