import fs from "node:fs";
import { sql as drizzleSql } from "drizzle-orm";
import postgres from "postgres";
import { describe, expect, it } from "vitest";
import { createDb } from "@/db/client";
import { isDatabaseUnavailable } from "@/lib/errors/database-unavailable";
import { useEmbeddedPair } from "@/test/embedded-pair";
import { waitFor } from "@/test/wait-for";
import { type ProbeResult, probeVerdict, startFailoverWatchdog } from "./failover-watchdog";

/** Ports of this helper's range (7200-7299), apart from the e2e stack's. */
const PRIMARY_PORT = 7280;
const STANDBY_PORT = 7281;

describe("the failover watchdog", () => {
  const startedPair = useEmbeddedPair({ primaryPort: PRIMARY_PORT, standbyPort: STANDBY_PORT });

  it("leaves a primary busy with a long query and a held lock in place", async () => {
    const pair = startedPair();
    const sql = postgres(pair.databaseUrl, { max: 3, onnotice: () => {} });
    const probes: ProbeResult[] = [];
    // The defaults, as the cluster runs it.
    const watchdog = startFailoverWatchdog(pair, { onProbe: (result) => probes.push(result) });
    try {
      await sql`create table held (id int)`;
      const sleeping = sql`select pg_sleep(600)`.execute();
      sleeping.catch(() => {});
      const sleeper = await waitFor(async () => {
        const [row] = await sql<{ pid: number }[]>`
          select pid from pg_stat_activity where query = 'select pg_sleep(600)'`;
        return row?.pid;
      });
      await sql.begin(async (tx) => {
        await tx`lock table held in access exclusive mode`;
        const answeredBefore = probes.filter((result) => result === "answered").length;
        // Three probes answered while the primary is busy.
        await waitFor(
          async () => probes.filter((result) => result === "answered").length >= answeredBefore + 3,
        );
      });
      expect(pair.primary.port).toBe(PRIMARY_PORT);
      expect(pair.standby?.port).toBe(STANDBY_PORT);
      await sql`select pg_cancel_backend(${sleeper})`;
      await expect(sleeping).rejects.toMatchObject({ code: "57014" });
    } finally {
      await watchdog.stop();
      await sql.end({ timeout: 5 });
    }
  }, 120_000);

  it.each(["SIGKILL", "SIGSTOP"] as const)(
    "drops a standby that got %s, commits on the primary alone, then rebuilds it in sync",
    async (signal) => {
      const pair = startedPair();
      const sql = postgres(pair.databaseUrl, { max: 2, onnotice: () => {} });
      const lines: string[] = [];
      let rebuilt: Promise<void> | undefined;
      const watchdog = startFailoverWatchdog(pair, {
        probeTimeoutMs: 1000,
        standbyDownForMs: 500,
        intervalMs: 100,
        log: (line) => lines.push(line),
        onStandbyDropped: () => {
          rebuilt = pair.rejoin();
        },
      });
      const table = `written_after_${signal.toLowerCase()}`;
      try {
        await sql`create table ${sql(table)} (id int primary key)`;
        const lost = pair.standby;
        if (!lost) throw new Error("the pair has no standby");
        lost.killAll(signal);
        // Waits while nothing confirms it, and commits once the standby is dropped.
        await sql`insert into ${sql(table)} values (1)`;
        expect(lines.join("\n")).toMatch(/dropping it.*ON THE PRIMARY \(port \d+\) ONLY/);
        expect(pair.primary.port).toBe(PRIMARY_PORT);

        // Rebuilt from the primary, the standby confirms commits again, by its name.
        await waitFor(async () => rebuilt !== undefined);
        await rebuilt;
        expect(pair.standby?.name).toBe(lost.name);
        const [names] = await sql`show synchronous_standby_names`;
        expect(names?.synchronous_standby_names).toBe(`"${lost.name}"`);
        const [replica] = await sql`
          select sync_state from pg_stat_replication where application_name = ${lost.name}`;
        expect(replica?.sync_state).toBe("sync");
        await sql`insert into ${sql(table)} values (2)`;
        const standby = postgres(
          `postgres://prizeledger:prizeledger@127.0.0.1:${lost.port}/prizeledger`,
          { max: 1, onnotice: () => {} },
        );
        try {
          await waitFor(async () => {
            const rows = await standby`select id from ${standby(table)} order by id`;
            return rows.length === 2 && rows;
          });
        } finally {
          await standby.end();
        }
      } finally {
        await watchdog.stop();
        await rebuilt?.catch(() => {});
        await sql.end({ timeout: 5 });
      }
    },
    120_000,
  );

  it("fences a server's stopped backends after its postmaster has gone", async () => {
    const pair = startedPair();
    const lost = pair.standby;
    if (!lost) throw new Error("the pair has no standby");
    const reader = postgres(
      `postgres://prizeledger:prizeledger@127.0.0.1:${lost.port}/prizeledger`,
      { max: 1, onnotice: () => {} },
    );
    await reader`select 1`;
    const before = serverProcesses(lost.dir);
    lost.killAll("SIGSTOP");
    lost.kill("SIGKILL");
    await waitFor(async () => lost.pid === undefined);
    // Orphaned and stopped, the backends would hold their clients' sockets for ever.
    expect(serverProcesses(lost.dir).length).toBeGreaterThan(0);
    lost.killAll("SIGKILL");
    await waitFor(async () => serverProcesses(lost.dir).length === 0);
    expect(before.length).toBeGreaterThan(1);
    await reader.end({ timeout: 0 });
    // The pair goes on with a standby rebuilt in sync.
    await pair.dropStandby();
    await pair.rejoin();
    expect(pair.standby?.name).toBe(lost.name);
  }, 120_000);

  it("promotes the standby when the primary hangs, and fences the stopped primary", async () => {
    const pair = startedPair();
    const { db, sql } = createDb(pair.databaseUrl, 2);
    try {
      await db.execute(drizzleSql`create table kept (id int primary key)`);
      await db.execute(drizzleSql`insert into kept values (1)`);
      const hung = pair.primary;
      const probes: ProbeResult[] = [];
      // Shorter than the defaults, for a short test; the rule is the same.
      const watchdog = startFailoverWatchdog(pair, {
        probeTimeoutMs: 1000,
        failedProbes: 2,
        downForMs: 500,
        intervalMs: 100,
        onProbe: (result) => probes.push(result),
      });
      // Stopped, the server's listening socket still takes connections (the kernel completes
      // them) and nothing answers: the probe cannot tell it from a disk or network that hangs.
      // Its backends too, the pool's connections among them, which only the fence ends.
      hung.killAll("SIGSTOP");
      await waitFor(async () => pair.primary.name !== hung.name);
      await watchdog.stop();
      expect(probes).toContain("timed out");
      expect(probes).not.toContain("refused");

      // The stopped primary was killed: nothing listens on its port any more.
      expect(hung.pid).toBeUndefined();
      const fenced = postgres(`postgres://prizeledger:prizeledger@127.0.0.1:${hung.port}/x`, {
        max: 1,
        onnotice: () => {},
      });
      await expect(fenced`select 1`).rejects.toMatchObject({ code: "ECONNREFUSED" });
      await fenced.end({ timeout: 0 });

      // The app's pool reaches the promoted server by itself; each failure meanwhile is a 503.
      await waitFor(async () => {
        try {
          await db.execute(drizzleSql`insert into kept values (2)`);
          return true;
        } catch (error) {
          expect(isDatabaseUnavailable(error)).toBe(true);
          return false;
        }
      });
      const rows = await db.execute<{ id: number }>(drizzleSql`select id from kept order by id`);
      expect(rows.map((row) => row.id)).toEqual([1, 2]);
      const [server] = await sql<[{ port: number }]>`select current_setting('port')::int as port`;
      expect(server.port).toBe(pair.primary.port);
    } finally {
      await sql.end({ timeout: 5 });
    }
  }, 120_000);
});

/** The processes working in `dataDir`, as a PostgreSQL server's all do (zombies have no cwd). */
function serverProcesses(dataDir: string): string[] {
  const directory = fs.realpathSync(dataDir);
  return fs.readdirSync("/proc").filter((pid) => {
    try {
      return /^\d+$/.test(pid) && fs.readlinkSync(`/proc/${pid}/cwd`) === directory;
    } catch {
      return false;
    }
  });
}

describe("a probe's verdict on an error", () => {
  it("counts only a refused connection as refused, and no local failure at all", () => {
    const error = (code: string) => Object.assign(new Error(code), { code });
    expect(probeVerdict(error("ECONNREFUSED"))).toBe("refused");
    expect(probeVerdict(error("CONNECT_TIMEOUT"))).toBe("timed out");
    expect(probeVerdict(error("ECONNRESET"))).toBe("timed out");
    for (const local of ["EMFILE", "ENFILE", "ENOMEM", "EADDRNOTAVAIL"]) {
      expect(probeVerdict(error(local))).toBe("no verdict");
    }
    expect(probeVerdict(new Error("no code"))).toBe("no verdict");
  });
});
