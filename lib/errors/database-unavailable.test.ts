import net from "node:net";
import postgres from "postgres";
import { describe, expect, it } from "vitest";
import { isDatabaseUnavailable } from "./database-unavailable";

/** A refused connection as postgres.js rejects a query with it: to a port nobody listens on. */
async function refusedQueryError(): Promise<unknown> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  const sql = postgres({ host: "127.0.0.1", port, max: 1, onnotice: () => {} });
  try {
    return await sql`select 1`.then(
      () => null,
      (error: unknown) => error,
    );
  } finally {
    await sql.end({ timeout: 0 });
  }
}

describe("isDatabaseUnavailable", () => {
  it("takes a refused connection to the database, also wrapped as drizzle wraps it", async () => {
    const refused = await refusedQueryError();
    expect(refused).toMatchObject({ code: "ECONNREFUSED" });
    expect(isDatabaseUnavailable(refused)).toBe(true);
    expect(isDatabaseUnavailable(new Error("Failed query", { cause: refused }))).toBe(true);
  });

  it("takes postgres.js's lost connections and a server changing hands", () => {
    for (const code of [
      "CONNECTION_CLOSED",
      "CONNECT_TIMEOUT",
      "57P01",
      "57P03",
      "25006",
      "08006",
    ]) {
      expect(isDatabaseUnavailable(Object.assign(new Error(code), { code }))).toBe(true);
    }
  });

  it("leaves a protocol violation, a bug in the client, to be an internal error", () => {
    expect(isDatabaseUnavailable(Object.assign(new Error("protocol"), { code: "08P01" }))).toBe(
      false,
    );
  });

  it("leaves refused sockets of other clients (fetch, a chain node, SMTP) alone", () => {
    const socket = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:8545"), {
      code: "ECONNREFUSED",
      syscall: "connect",
    });
    expect(isDatabaseUnavailable(new TypeError("fetch failed", { cause: socket }))).toBe(false);
    for (const code of ["ECONNRESET", "ETIMEDOUT", "EPIPE"]) {
      expect(isDatabaseUnavailable(Object.assign(new Error(code), { code }))).toBe(false);
    }
  });
});
