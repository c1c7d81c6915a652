import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { freePort, portsProblem } from "./free-port";

const host = "127.0.0.1";

describe("portsProblem", () => {
  it("passes ports that are free and used once", async () => {
    const [a, b] = [await freePort(), await freePort()];
    expect(
      await portsProblem([
        { what: "a", port: a, host },
        { what: "b", port: b, host },
      ]),
    ).toBeUndefined();
  });

  it("names two uses of one port", async () => {
    const port = await freePort();
    expect(
      await portsProblem([
        { what: "web1", port, host },
        { what: "worker1's metrics", port, host },
      ]),
    ).toBe(`worker1's metrics and web1 would both use port ${port}: move one`);
  });

  it("names a port something else already listens on", async () => {
    const leftover = createServer();
    const port = await new Promise<number>((resolve) =>
      leftover.listen(0, host, () => resolve((leftover.address() as { port: number }).port)),
    );
    try {
      expect(await portsProblem([{ what: "web1", port, host }])).toMatch(
        new RegExp(`^port ${port} \\(web1\\) on 127.0.0.1 is already in use`),
      );
    } finally {
      leftover.close();
    }
  });
});
