import net from "node:net";
import postgres from "postgres";
import { afterEach, describe, expect, inject, it } from "vitest";
import { isDatabaseUnavailable } from "@/lib/errors/database-unavailable";
import { jobDatabase } from "@/lib/jobs/queue";

/*
 * postgres.js, as patched in patches/, when the server closes a connection that a caller holds
 * (sql.reserve(), a transaction): the primary dying, or its backend terminated. Unpatched, the
 * holder's next query was written to the closed connection, and postgres.js threw a TypeError
 * from a timer (porsager/postgres#1154, #1208) that no caller could catch: the worker died of
 * it (the job queue rolls back on the same connection after any failure). Its release gave the
 * closed connection to the pool as open, to the same end. A close with a write still waiting
 * left the next connection unable to send its start-up message, and the server's last error
 * failed the next connection's first query. A query sent after the socket failed, before its
 * close event, waited for good. Here each such query rejects with an error the app maps to 503,
 * and the pool opens a new connection.
 */

describe("postgres.js when a held connection closes", () => {
  const clients: postgres.Sql[] = [];
  afterEach(async () => {
    for (const sql of clients.splice(0)) await sql.end({ timeout: 0 });
  });

  function client(max: number) {
    const sql = postgres(inject("databaseUrl"), { max, onnotice: () => {} });
    clients.push(sql);
    return sql;
  }

  /** Ends the backend behind `pid` from another connection, as the server's death does. */
  async function terminate(pid: number) {
    const [row] = await client(1)`select pg_terminate_backend(${pid}) as done`;
    expect(row?.done).toBe(true);
  }

  /**
   * A client on the test's own sockets (postgres.js's `socket` option, which its types leave out),
   * so that a test can fail one: `socket()` is the last opened.
   */
  function ownSockets(extra: { fetch_types?: boolean; connect_timeout?: number }) {
    const url = new URL(inject("databaseUrl"));
    let socket: net.Socket | undefined;
    const options = {
      max: 1,
      onnotice: () => {},
      ...extra,
      socket: () =>
        new Promise<net.Socket>((resolve, reject) => {
          const opened = net.connect(Number(url.port), url.hostname);
          opened.once("connect", () => resolve(opened)).once("error", reject);
          socket = opened;
        }),
    };
    const sql = postgres(url.href, options);
    clients.push(sql);
    return { sql, socket: () => socket };
  }

  it("opens a new connection after one closed with a write still waiting to go out", async () => {
    // Its socket closes at the moment a query is written to it. Without the patch the next
    // connection never sent its start-up message: bounded by connect_timeout.
    const { sql, socket } = ownSockets({ fetch_types: false, connect_timeout: 5 });
    await sql`select 1`;
    // A query written in the event loop's check phase waits for the next turn to be sent, while
    // a socket destroyed there closes in this turn's close phase: the close comes first.
    const { lost } = await new Promise<{ lost: Promise<unknown> }>((resolve) =>
      setImmediate(() => {
        const query = sql`select 1`.execute();
        socket()?.destroy();
        resolve({ lost: query });
      }),
    );
    await expect(lost).rejects.toSatisfy(isDatabaseUnavailable);
    const [row] = await sql`select 1 as one`;
    expect(row).toEqual({ one: 1 });
  });

  it("rejects a reserved connection's queries after its backend ends, and releases it", async () => {
    const sql = client(1);
    const reserved = await sql.reserve();
    const [{ pid }] = await reserved<[{ pid: number }]>`select pg_backend_pid() as pid`;
    await terminate(pid);

    // The first may reach the backend before it ends (57P01) or find its connection closed.
    await expect(reserved`select 1`).rejects.toSatisfy(isDatabaseUnavailable);
    // The write that killed the process: a query on the connection known to be closed, or on its
    // socket that failed as the first went out, its close event still to come (the next test).
    await expect(reserved`select 1`).rejects.toSatisfy(isDatabaseUnavailable);
    reserved.release();
    // The pool's only connection comes back through a new one, not as the closed one.
    const [row] = await sql`select pg_backend_pid() as pid`;
    expect(row?.pid).not.toBe(pid);
  });

  it("rejects a reserved connection's query sent between its socket's error and close", async () => {
    // Its types fetched (no fetch_types: false): else a reserve() as the connection's first use
    // never resolved, an upstream hang beside this one.
    const { sql, socket } = ownSockets({});
    const reserved = await sql.reserve();
    await reserved`select 1`;
    // A socket's error event comes a turn before its close event. Sent from the error's listener
    // (after postgres.js's own), a query waited on the failed socket for good before the patch.
    const { lost } = await new Promise<{ lost: Promise<unknown> }>((resolve) => {
      socket()?.once("error", () => resolve({ lost: reserved`select 1`.execute() }));
      socket()?.destroy(Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" }));
    });
    await expect(lost).rejects.toMatchObject({ code: "CONNECTION_CLOSED" });
    // Released before or after the close event, it is not given back as open.
    reserved.release();
    const [row] = await sql`select 1 as one`;
    expect(row).toEqual({ one: 1 });
  });

  it("rejects a transaction whose backend ends, and the pool goes on", async () => {
    const sql = client(1);
    let pid = 0;
    const transaction = sql.begin(async (tx) => {
      [{ pid }] = await tx<[{ pid: number }]>`select pg_backend_pid() as pid`;
      await terminate(pid);
      // Its failure makes the transaction roll back, on the connection that is gone.
      await tx`select 1`;
    });
    await expect(transaction).rejects.toSatisfy(isDatabaseUnavailable);
    const [row] = await sql`select 1 as one`;
    expect(row).toEqual({ one: 1 });
  });

  it("fails the job queue's statement with a connection error when its backend ends", async () => {
    // pg-boss's statements go through a reserved connection, rolled back on any failure.
    const sql = client(1);
    const jobs = jobDatabase(sql);
    await expect(
      jobs.executeSql("select pg_terminate_backend(pg_backend_pid())"),
    ).rejects.toSatisfy(isDatabaseUnavailable);
    const { rows } = await jobs.executeSql("select 1 as one");
    expect(rows).toEqual([{ one: 1 }]);
  });
});
