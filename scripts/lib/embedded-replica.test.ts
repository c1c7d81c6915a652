import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql as drizzleSql } from "drizzle-orm";
import postgres from "postgres";
import { describe, expect, it } from "vitest";
import { createDb, sqlClient } from "@/db/client";
import { isDatabaseUnavailable } from "@/lib/errors/database-unavailable";
import { createJobQueue, installJobQueue } from "@/lib/jobs/queue";
import { useEmbeddedPair } from "@/test/embedded-pair";
import {
  type EmbeddedPostgresPair,
  promoteUntilWritable,
  startEmbeddedPostgresPair,
} from "./embedded-replica";
import { startFailoverWatchdog } from "./failover-watchdog";

/** Ports of this helper's range (4000-4099), apart from the e2e stack's. */
const PRIMARY_PORT = 4080;
const STANDBY_PORT = 4081;
const RESTART_PORTS = [4082, 4083] as const;
/** Nothing listens here. */
const UNUSED_PORT = 4084;

async function until(what: string, done: () => boolean | Promise<boolean>): Promise<void> {
  for (let tries = 0; tries < 600; tries++) {
    if (await done()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`gave up waiting: ${what}`);
}

describe("a primary with a synchronous standby, and the app across a failover", () => {
  const startedPair = useEmbeddedPair({ primaryPort: PRIMARY_PORT, standbyPort: STANDBY_PORT });

  it("keeps every acknowledged write and follows the promoted standby without a restart", async () => {
    const pair = startedPair();
    expect(pair.databaseUrl).toBe(
      `postgres://prizeledger:prizeledger@127.0.0.1:${PRIMARY_PORT},127.0.0.1:${STANDBY_PORT}/prizeledger?target_session_attrs=read-write`,
    );
    const { db, sql } = createDb(pair.databaseUrl, 4);
    await installJobQueue(pair.databaseUrl);
    const boss = createJobQueue(pair.databaseUrl, { work: false });
    boss.on("error", () => {});
    await boss.start();
    try {
      await db.execute(drizzleSql`create table probe (id int primary key)`);
      const notified: string[] = [];
      let subscriptions = 0;
      await sqlClient(db).listen(
        "probe",
        (payload) => notified.push(payload),
        () => subscriptions++,
      );
      const beforeJob = await boss.send("mail", { probe: "before" });

      // Writes keep coming while the primary dies and the standby is promoted: each is
      // acknowledged, or fails as "unavailable" (a 503 to an API client).
      const acknowledged: number[] = [];
      const failures: unknown[] = [];
      let next = 0;
      let writing = true;
      const writer = (async () => {
        while (writing) {
          const id = next++;
          try {
            await db.execute(drizzleSql`insert into probe (id) values (${id})`);
            acknowledged.push(id);
          } catch (error) {
            failures.push(error);
          }
        }
      })();
      await until("writes before the failure", () => acknowledged.length >= 50);

      const oldPrimary = pair.primary;
      const watchdog = startFailoverWatchdog(pair, { downForMs: 500, intervalMs: 100 });
      oldPrimary.kill("SIGKILL");
      await until("the standby promoted", () => pair.primary.name !== oldPrimary.name);
      await watchdog.stop();
      const acknowledgedAtPromotion = acknowledged.length;
      await until(
        "writes on the new primary",
        () => acknowledged.length >= acknowledgedAtPromotion + 50,
      );
      writing = false;
      await writer;

      expect(pair.standby).toBeUndefined();
      expect(oldPrimary.pid).toBeUndefined();
      for (const failure of failures) expect(isDatabaseUnavailable(failure)).toBe(true);

      // Every acknowledged row is on the promoted server, read there directly.
      const direct = postgres(
        `postgres://prizeledger:prizeledger@127.0.0.1:${pair.primary.port}/prizeledger`,
        { max: 1, onnotice: () => {} },
      );
      try {
        const rows = await direct<{ id: number }[]>`select id from probe`;
        const stored = new Set(rows.map((row) => row.id));
        expect(acknowledged.filter((id) => !stored.has(id))).toEqual([]);
        const [recovery] = await direct`select pg_is_in_recovery() as standby`;
        expect(recovery?.standby).toBe(false);
      } finally {
        await direct.end();
      }

      // The LISTEN came back on the new primary by itself.
      await until("the listener subscribed again", () => subscriptions >= 2);
      await db.execute(drizzleSql`select pg_notify('probe', 'after the failover')`);
      await until("the notification", () => notified.includes("after the failover"));

      // The job queue reaches the new primary too, with the job sent before the failure.
      const afterJob = await boss.send("mail", { probe: "after" });
      const jobs = await boss.findJobs("mail");
      expect(jobs.map((job) => job.id)).toEqual(expect.arrayContaining([beforeJob, afterJob]));

      // The old primary comes back only as the new primary's synchronous standby.
      await pair.rejoin();
      expect(pair.standby?.name).toBe(oldPrimary.name);
      // Only that standby confirms commits, by its name: not any replication client.
      const [names] = await sql`show synchronous_standby_names`;
      expect(names?.synchronous_standby_names).toBe(`"${oldPrimary.name}"`);
      await db.execute(drizzleSql`insert into probe (id) values (${next})`);
    } finally {
      await boss.stop({ graceful: false });
      // A pool that lived through a failover can be left waiting on a closed connection.
      await sql.end({ timeout: 5 });
    }
  }, 120_000);

  it("restarts a pair stopped mid-promotion with the promoted server as the primary", async () => {
    const restartDir = fs.mkdtempSync(path.join(os.tmpdir(), "prizeledger-pair-"));
    const start = () =>
      startEmbeddedPostgresPair({
        dir: restartDir,
        primaryPort: RESTART_PORTS[0],
        standbyPort: RESTART_PORTS[1],
      });
    let restarted: EmbeddedPostgresPair | undefined;
    try {
      const first = await start();
      const sql = postgres(first.databaseUrl, { max: 1, onnotice: () => {} });
      await sql`create table kept (id int primary key)`;
      await sql`insert into kept values (1)`;
      await sql.end();
      expect(fs.existsSync(path.join(restartDir, "pair.json"))).toBe(true);
      await first.stop();
      // A watchdog still running finds no standby to promote.
      expect(first.standby).toBeUndefined();
      // What promote() writes before it promotes: everything stopped right after.
      fs.writeFileSync(path.join(restartDir, "pair.json"), JSON.stringify({ primary: "b" }));

      restarted = await start();
      expect(restarted.primary.name).toBe("b");
      expect(restarted.standby?.name).toBe("a");
      const again = postgres(restarted.databaseUrl, { max: 1, onnotice: () => {} });
      try {
        const [server] = await again<{ port: number }[]>`
          select current_setting('port')::int as port`;
        expect(server?.port).toBe(RESTART_PORTS[1]);
        await again`insert into kept values (2)`;
        expect((await again`select id from kept order by id`).map((row) => row.id)).toEqual([1, 2]);
      } finally {
        await again.end();
      }

      // b was promoted: without pair.json, starting a as the primary would wipe b to follow it.
      await restarted.stop();
      fs.rmSync(path.join(restartDir, "pair.json"));
      await expect(start()).rejects.toThrow(/pair\.json is missing/);
      expect(fs.existsSync(path.join(restartDir, "b", "PG_VERSION"))).toBe(true);
    } finally {
      await restarted?.stop();
      fs.rmSync(restartDir, { recursive: true, force: true });
    }
  }, 120_000);

  it("retries a failed promotion a bounded number of times, saying why each failed", async () => {
    const lines: string[] = [];
    const gone = { name: "b", dir: "", port: UNUSED_PORT, pid: undefined } as const;
    await expect(
      promoteUntilWritable({ ...gone, kill: () => {}, killAll: () => {} }, (line) =>
        lines.push(line),
      ),
    ).rejects.toThrow(/not writable after 5 promotion attempts/);
    expect(lines).toHaveLength(5);
    for (const line of lines) expect(line).toMatch(/promotion attempt \d failed .*ECONNREFUSED/);
  }, 120_000);
});
