import net from "node:net";
import postgres from "postgres";
import { afterEach, describe, expect, inject, it } from "vitest";

/*
 * postgres.js with several hosts (DATABASE_URL naming a primary and its standby), as patched in
 * patches/: a host that refuses at start-up gives way to the next, as libpq's does, and a wait
 * with no host answering ends after connect_timeout instead of retrying in a tight loop. The
 * hosts that fail are small servers of the test's own; the one that answers is the test server.
 */

type FakeHost = {
  port: number;
  connections: () => number;
  /** Ends every connection, as a crash does, and takes new ones. */
  cut: () => void;
  close: () => Promise<void>;
};

/** A server that answers every connection with `answer` (the socket), counting them. */
async function fakeHost(answer: (socket: net.Socket) => void): Promise<FakeHost> {
  let connections = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {});
    answer(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    connections: () => connections,
    cut: () => {
      for (const socket of sockets) socket.destroy();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** PostgreSQL's ErrorResponse: FATAL as a server refuses at start-up, ERROR for a query. */
function errorResponse(severity: "FATAL" | "ERROR", code: string, message: string): Buffer {
  const fields = Buffer.from(`S${severity}\0V${severity}\0C${code}\0M${message}\0\0`);
  const head = Buffer.alloc(5);
  head.write("E", 0);
  head.writeInt32BE(fields.length + 4, 1);
  return Buffer.concat([head, fields]);
}

/** A server starting up: it reads the start-up message and refuses with 57P03. */
const startingUp = (socket: net.Socket) =>
  socket.once("data", () =>
    socket.end(errorResponse("FATAL", "57P03", "the database system is starting up")),
  );

/** A port nobody listens on: a connection there is refused. */
async function refusingPort(): Promise<number> {
  const host = await fakeHost(() => {});
  await host.close();
  return host.port;
}

/** The test server's URL with `first` (a port on 127.0.0.1) named before its own host. */
function urlWithFirst(first: number, second?: number): string {
  const url = new URL(inject("databaseUrl"));
  const real = `${url.hostname}:${url.port}`;
  const hosts = [`127.0.0.1:${first}`, second ? `127.0.0.1:${second}` : real];
  return `postgres://${url.username}:${url.password}@${hosts.join(",")}${url.pathname}`;
}

describe("postgres.js with several hosts", () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  function client(url: string, connectTimeout = 30) {
    const sql = postgres(url, {
      max: 1,
      connect_timeout: connectTimeout,
      fetch_types: false,
      onnotice: () => {},
    });
    cleanups.push(() => sql.end({ timeout: 0 }));
    return sql;
  }

  it("tries the next host when the first refuses at start-up (57P03)", async () => {
    const first = await fakeHost(startingUp);
    cleanups.push(first.close);
    const sql = client(urlWithFirst(first.port));
    const [row] = await sql.unsafe("select 1 as one");
    expect(row).toEqual({ one: 1 });
    expect(first.connections()).toBe(1);
  });

  it("still fails with the server's words when the only host refuses at start-up", async () => {
    const only = await fakeHost(startingUp);
    cleanups.push(only.close);
    const sql = client(`postgres://u:p@127.0.0.1:${only.port}/db`);
    await expect(sql.unsafe("select 1")).rejects.toMatchObject({ code: "57P03" });
  });

  // Without a bound these waited for ever, the second spinning through hundreds of connections
  // a second. The bounds below hold however slow the machine: backoff only makes fewer rounds.
  it("fails with the last error once connect_timeout passes with every host refusing", async () => {
    const sql = client(urlWithFirst(await refusingPort(), await refusingPort()), 1);
    await expect(sql.unsafe("select 1")).rejects.toMatchObject({ code: "ECONNREFUSED" });
  }, 20_000);

  it("backs off between rounds of hosts instead of retrying in a tight loop", async () => {
    // Accepts, then closes before a word: every round reaches it and fails.
    const second = await fakeHost((socket) => socket.destroy());
    cleanups.push(second.close);
    const sql = client(urlWithFirst(await refusingPort(), second.port), 1);
    await expect(sql.unsafe("select 1")).rejects.toMatchObject({ code: "CONNECTION_CLOSED" });
    // postgres.js's backoff (5 ms, 15 ms, 45 ms… per round) fits at most 7 rounds in a second.
    expect(second.connections()).toBeGreaterThanOrEqual(1);
    expect(second.connections()).toBeLessThanOrEqual(10);
  }, 20_000);
});

/**
 * A proxy to the test server that can cut every connection (a crash) and answer the next LISTEN
 * itself with an ERROR, as a server changing hands may, without passing it on.
 */
async function listenBreakingProxy() {
  const target = new URL(inject("databaseUrl"));
  let refuseListens = 0;
  const proxy = await fakeHost((client) => {
    const server = net.connect(Number(target.port), target.hostname);
    server.on("error", () => client.destroy());
    client.on("close", () => server.destroy());
    server.on("close", () => client.destroy());
    server.on("data", (data) => client.write(data));
    client.on("data", (data) => {
      if (refuseListens > 0 && data.toString("latin1").toLowerCase().includes("listen")) {
        refuseListens--;
        const error = errorResponse("ERROR", "25006", "cannot execute LISTEN during recovery");
        client.write(Buffer.concat([error, READY_FOR_QUERY]));
      } else {
        server.write(data);
      }
    });
  });
  return {
    ...proxy,
    url: `postgres://${target.username}:${target.password}@127.0.0.1:${proxy.port}${target.pathname}`,
    refuseNextListen: () => {
      refuseListens = 1;
    },
  };
}

/** ReadyForQuery, idle: what follows a query's answer. */
const READY_FOR_QUERY = Buffer.from([0x5a, 0, 0, 0, 5, 0x49]);

describe("postgres.js LISTEN across a lost connection", () => {
  it("listens again after a failed re-listen, instead of dropping the channel", async () => {
    const proxy = await listenBreakingProxy();
    const sql = postgres(proxy.url, { max: 1, fetch_types: false, onnotice: () => {} });
    const direct = postgres(inject("databaseUrl"), { max: 1, onnotice: () => {} });
    try {
      let listens = 0;
      let relistened = () => {};
      const again = new Promise<void>((resolve) => {
        relistened = resolve;
      });
      const heard: string[] = [];
      let heardOne = () => {};
      const notified = new Promise<void>((resolve) => {
        heardOne = resolve;
      });
      await sql.listen(
        "hosts_test",
        (payload) => {
          heard.push(payload);
          heardOne();
        },
        () => {
          if (++listens === 2) relistened();
        },
      );
      // The connection dies; its first LISTEN again is refused; the second is let through.
      proxy.refuseNextListen();
      proxy.cut();
      await again;
      await direct.notify("hosts_test", "after");
      await notified;
      expect(heard).toEqual(["after"]);
    } finally {
      await sql.end({ timeout: 0 });
      await direct.end();
      await proxy.close();
    }
  }, 20_000);
});
