import net from "node:net";
import type { PgBoss } from "pg-boss";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { claimDrop } from "@/lib/claims/claim-drop";
import { admitWaitingRooms } from "@/lib/queue/admit";
import { getQueueStats, joinQueue } from "@/lib/queue/queue";
import { freePort } from "@/scripts/lib/free-port";
import { connectTestDb, createPlayers, createTestDrop, testDatabaseUrl } from "@/test/db";
import { makeDeadDelivery, startTestJobQueue } from "@/test/jobs";
import { parseSamples } from "@/test/metrics-samples";
import { scrapeMetrics } from "./metrics-server";
import { openWaitingRooms } from "./waiting-rooms";
import { Loops, workerHealth } from "./worker-health";
import { startWorkerListener } from "./worker-listener";
import { registerWaitingRoomGauges, registerWorkerGauges } from "./worker-metrics";

const db = connectTestDb(10);
let boss: PgBoss;
let sql: postgres.Sql;

beforeAll(async () => {
  boss = await startTestJobQueue(db);
  sql = postgres(testDatabaseUrl(db), { max: 2, onnotice: () => {} });
});
afterAll(async () => {
  await boss.stop({ graceful: false });
  await sql.end({ timeout: 1 });
});

/** A server where nothing listens: port 1 on loopback refuses at once. */
const unreachable = () =>
  postgres("postgres://nobody@127.0.0.1:1/none", {
    max: 1,
    connect_timeout: 2,
    onnotice: () => {},
  });

describe("the worker's /health", () => {
  it("is 200 while the loops run and the database and job queue answer", async () => {
    const loops = new Loops();
    void loops.watch("anchoring", new Promise(() => {}));
    const health = workerHealth({ sql, jobQueue: () => boss.getQueues(), loops });
    expect(await health()).toEqual({
      status: 200,
      contentType: "application/json",
      body: '{"status":"ok"}',
    });
  });

  it("is 503 with the reason when the database does not answer, naming no host", async () => {
    const down = unreachable();
    try {
      const health = workerHealth({
        sql: down,
        jobQueue: () => boss.getQueues(),
        loops: new Loops(),
      });
      const answer = await health();
      expect(answer.status).toBe(503);
      expect(JSON.parse(answer.body)).toEqual({
        status: "unavailable",
        reason: "the database does not answer",
      });
      expect(answer.body).not.toContain("127.0.0.1");
    } finally {
      await down.end({ timeout: 1 });
    }
  });

  it("is 503 when the job queue fails, when a loop ended, and while stopping", async () => {
    const queueDown = workerHealth({
      sql,
      jobQueue: () => Promise.reject(new Error("connection refused")),
      loops: new Loops(),
    });
    expect(JSON.parse((await queueDown()).body).reason).toBe("the job queue does not answer");

    const loops = new Loops();
    await loops.watch("outbox", Promise.resolve());
    const loopEnded = workerHealth({ sql, jobQueue: () => boss.getQueues(), loops });
    const answer = await loopEnded();
    expect(answer.status).toBe(503);
    expect(JSON.parse(answer.body).reason).toBe("a loop ended: outbox");

    const stopping = new Loops();
    stopping.stop();
    const stopped = workerHealth({ sql, jobQueue: () => boss.getQueues(), loops: stopping });
    expect(JSON.parse((await stopped()).body).reason).toBe("the worker is stopping");
  });
});

/** A sample's value in the scrape's text, by its exact name and labels. */
const sampleValue = (text: string, sample: string) => parseSamples(text).get(sample);

describe("the worker's /metrics", () => {
  it("shows the anchoring backlog, dead letters, the database's role and the worker's health", async () => {
    const { dropId } = await createTestDrop(db, { units: 2 });
    const [playerId] = (await createPlayers(db, 1)) as [string];
    await claimDrop(db, { dropId, playerId });
    await makeDeadDelivery(db, boss);
    registerWorkerGauges({ sql, queues: () => boss.getQueues(), anchorDeadlineSeconds: 300 });
    workerHealth({ sql, jobQueue: () => boss.getQueues(), loops: new Loops() });

    const [{ entries }] = (await sql`select count(*)::int as entries from ledger_entries`) as [
      { entries: number },
    ];
    const { status, body } = await scrapeMetrics();
    expect(status).toBe(200);
    // Nothing sequences or anchors in this test: every entry of the two claims waits.
    expect(entries).toBeGreaterThanOrEqual(2);
    expect(sampleValue(body, 'prizeledger_ledger_entries_waiting{stage="anchoring"}')).toBe(
      entries,
    );
    expect(sampleValue(body, 'prizeledger_ledger_entries_waiting{stage="sequencing"}')).toBe(
      entries,
    );
    expect(sampleValue(body, "prizeledger_anchoring_lag_seconds")).toBeGreaterThanOrEqual(0);
    expect(sampleValue(body, "prizeledger_anchoring_deadline_seconds")).toBe(300);
    expect(body).not.toMatch(/^prizeledger_last_checkpoint_tree_size /m);
    expect(sampleValue(body, 'prizeledger_jobs_dead{queue="delivery"}')).toBe(1);
    expect(sampleValue(body, 'prizeledger_jobs_dead{queue="mail"}')).toBe(0);
    expect(
      sampleValue(body, 'prizeledger_jobs{queue="delivery",state="ready"}'),
    ).toBeGreaterThanOrEqual(0);
    expect(sampleValue(body, "prizeledger_database_in_recovery")).toBe(0);
    expect(sampleValue(body, 'prizeledger_database_replicas{mode="sync"}')).toBe(0);
    expect(sampleValue(body, "prizeledger_database_sync_standby_required")).toBe(0);
    expect(sampleValue(body, "prizeledger_database_timeline")).toBe(1);
    expect(sampleValue(body, "prizeledger_worker_up")).toBe(1);
  });

  it("reports no samples, and counts the failure, when the database does not answer", async () => {
    const down = unreachable();
    try {
      registerWorkerGauges({
        sql: down,
        queues: () => boss.getQueues(),
        anchorDeadlineSeconds: 300,
      });
      const { status, body } = await scrapeMetrics();
      expect(status).toBe(200);
      expect(body).not.toMatch(/^prizeledger_anchoring_lag_seconds /m);
      // A scrape reads every metric at once: the count shows a failure from the scrape before.
      expect(
        sampleValue(
          (await scrapeMetrics()).body,
          'prizeledger_metrics_collect_failures_total{metric="prizeledger_anchoring_lag_seconds"}',
        ),
      ).toBeGreaterThanOrEqual(1);
    } finally {
      await down.end({ timeout: 1 });
    }
  });

  it("leaves synchronous standbys unknown, never 0, to a role without pg_monitor", async () => {
    const role = `metrics_plain_${process.pid}`;
    const password = "metrics-plain-password";
    await sql.unsafe(`create role ${role} login password '${password}'`);
    await sql.unsafe(`grant select on all tables in schema public, pgboss to ${role}`);
    await sql.unsafe(`grant usage on schema pgboss to ${role}`);
    const url = new URL(testDatabaseUrl(db));
    url.username = role;
    url.password = password;
    const plain = postgres(url.toString(), { max: 1, onnotice: () => {} });
    try {
      registerWorkerGauges({
        sql: plain,
        queues: () => boss.getQueues(),
        anchorDeadlineSeconds: 300,
      });
      const { body } = await scrapeMetrics();
      expect(sampleValue(body, 'prizeledger_database_replicas{mode="all"}')).toBe(0);
      expect(body).not.toMatch(/^prizeledger_database_replicas\{mode="sync"\}/m);
      expect(sampleValue(body, "prizeledger_database_sync_standby_required")).toBe(0);
    } finally {
      await plain.end({ timeout: 1 });
      await sql.unsafe(`drop owned by ${role}`);
      await sql.unsafe(`drop role ${role}`);
    }
  });

  it("shows the newest signed checkpoint and what each witness has cosigned", async () => {
    await sql`
      insert into checkpoints (tree_size, root_hash, status, note) values
        (11, '\\x00', 'anchored', 'signed note'), (12, '\\x00', 'pending', null)`;
    await sql`insert into log_witness_state (witness_key, tree_size) values ('w1+00000000+AA', 11)`;
    registerWorkerGauges({ sql, queues: () => boss.getQueues(), anchorDeadlineSeconds: 300 });
    const { body } = await scrapeMetrics();
    expect(sampleValue(body, "prizeledger_last_signed_checkpoint_tree_size")).toBe(11);
    expect(
      sampleValue(body, 'prizeledger_witness_cosigned_tree_size{witness="w1+00000000+AA"}'),
    ).toBe(11);
    await sql`delete from log_witness_state`;
    await sql`delete from checkpoints where tree_size in (11, 12)`;
  });

  it("shows the last anchored checkpoint: its size, the entries it added, and when", async () => {
    await sql`
      insert into checkpoints (tree_size, root_hash, status, anchored_at) values
        (3, '\\x00', 'anchored', '2026-01-01T00:00:00Z'),
        (7, '\\x00', 'anchored', '2026-01-01T00:01:00Z'),
        (9, '\\x00', 'pending', null)`;
    registerWorkerGauges({ sql, queues: () => boss.getQueues(), anchorDeadlineSeconds: 300 });
    const { body } = await scrapeMetrics();
    expect(sampleValue(body, "prizeledger_last_checkpoint_tree_size")).toBe(7);
    expect(sampleValue(body, "prizeledger_last_checkpoint_entries")).toBe(4);
    expect(sampleValue(body, "prizeledger_last_checkpoint_anchored_timestamp_seconds")).toBe(
      Date.parse("2026-01-01T00:01:00Z") / 1000,
    );
  });

  it("shows each open waiting room by drop, from the waiting room's own stats", async () => {
    registerWaitingRoomGauges(async () => [
      { dropId: "d-1", queueLength: 40, admissionRatePerMinute: 600, admitted: 7, admitting: true },
      { dropId: "d-2", queueLength: 0, admissionRatePerMinute: 120, admitted: 0, admitting: false },
    ]);
    const { body } = await scrapeMetrics();
    expect(sampleValue(body, 'prizeledger_waiting_room_admitted{drop="d-1"}')).toBe(7);
    expect(sampleValue(body, 'prizeledger_waiting_room_admitting{drop="d-1"}')).toBe(1);
    expect(sampleValue(body, 'prizeledger_waiting_room_admitting{drop="d-2"}')).toBe(0);
    expect(sampleValue(body, 'prizeledger_waiting_room_length{drop="d-1"}')).toBe(40);
    expect(sampleValue(body, 'prizeledger_waiting_room_length{drop="d-2"}')).toBe(0);
    expect(
      sampleValue(body, 'prizeledger_waiting_room_admission_rate_per_minute{drop="d-1"}'),
    ).toBe(600);
  });

  it("lists every waiting room not yet closed, with its length and rate as its stats give them", async () => {
    const { dropId } = await createTestDrop(db, {
      units: 20,
      startOffsetMs: 600_000,
      endOffsetMs: 4_200_000,
      waitingRoom: { enabled: true, admissionRatePerMinute: 18 },
    });
    const players = await createPlayers(db, 3);
    for (const playerId of players) await joinQueue(db, { dropId, playerId });
    // The worker's pass places them: the room's stats count places.
    await admitWaitingRooms(db, { settleSeconds: 0 });
    const rooms = await sql.begin(openWaitingRooms);
    // Not started: the pre-queue is not shuffled, nobody is admitted yet, and none should be.
    expect(rooms.find((room) => room.dropId === dropId)).toEqual({
      dropId,
      queueLength: 3,
      admissionRatePerMinute: 18,
      admitted: 0,
      admitting: false,
    });
    expect((await getQueueStats(db, dropId)).queueLength).toBe(3);
  });

  it("says a room under way admits, with the count its stats give", async () => {
    const { dropId } = await createTestDrop(db, {
      units: 20,
      waitingRoom: { enabled: true, admissionRatePerMinute: 18 },
    });
    for (const playerId of await createPlayers(db, 3)) await joinQueue(db, { dropId, playerId });
    await admitWaitingRooms(db, { settleSeconds: 0 });
    const room = (await sql.begin(openWaitingRooms)).find((r) => r.dropId === dropId);
    const stats = await getQueueStats(db, dropId);
    expect(room).toMatchObject({ admitting: true, admitted: stats.admitted });
    expect(room?.queueLength).toBe(stats.queueLength);
  });
});

describe("the worker's listener", () => {
  it("answers /health while the gauges' reads wait on a slow database", async () => {
    const loops = new Loops();
    void loops.watch("anchoring", new Promise(() => {}));
    const port = await freePort();
    const listener = await startWorkerListener(
      { WORKER_PORT: port, METRICS_ADDRESS: "127.0.0.1", ANCHOR_DEADLINE_SECONDS: 300 },
      { databaseUrl: testDatabaseUrl(db), queues: () => boss.getQueues(), loops },
    );
    // A migration, say, holds the tables the gauges read: both their connections wait on it.
    const blocker = await sql.reserve();
    try {
      await blocker`begin`;
      await blocker`lock table ledger_entries, drop_queues in access exclusive mode`;
      const scrape = fetch(`${listener.url}/metrics`).then((response) => response.text());
      await waitForLockedMetricsReads(2);
      const health = await fetch(`${listener.url}/health`);
      expect(health.status).toBe(200);
      await blocker`rollback`;
      await scrape;
    } finally {
      blocker.release();
      await listener.close();
    }
  });

  it("serves its gauges through a pooler that refuses statement_timeout at startup", async () => {
    const pooler = await startStrictPooler(testDatabaseUrl(db));
    const listener = await startWorkerListener(
      { WORKER_PORT: await freePort(), METRICS_ADDRESS: "127.0.0.1", ANCHOR_DEADLINE_SECONDS: 300 },
      { databaseUrl: pooler.url, queues: () => boss.getQueues(), loops: new Loops() },
    );
    try {
      const body = await (await fetch(`${listener.url}/metrics`)).text();
      expect(pooler.refused).toEqual([]);
      expect(sampleValue(body, "prizeledger_anchoring_lag_seconds")).toBeGreaterThanOrEqual(0);
      expect(sampleValue(body, "prizeledger_worker_up")).toBe(1);
    } finally {
      await listener.close();
      pooler.server.close();
    }
  });
});

/** The startup parameters PgBouncer takes (its docs: the rest it refuses unless ignored). */
const KNOWN_STARTUP_PARAMETERS = [
  "user",
  "database",
  "application_name",
  "client_encoding",
  "DateStyle",
  "TimeZone",
  "standard_conforming_strings",
];

/**
 * A stand-in for PgBouncer's one trait that matters here: it refuses a connection whose startup
 * message carries a parameter it does not know (statement_timeout among them), and otherwise
 * relays bytes to the server untouched.
 */
async function startStrictPooler(databaseUrl: string) {
  const target = new URL(databaseUrl);
  const refused: string[] = [];
  const server = net.createServer((client) => {
    client.once("data", (startup) => {
      // Length, protocol version (3.0; a cancel request has another code), name\0value\0 pairs.
      if (startup.readInt32BE(4) !== 196608) return client.end();
      const words = startup.subarray(8).toString("utf8").split("\0");
      const names = words.filter((_, i) => i % 2 === 0 && words[i]);
      const unknown = names.filter((name) => !KNOWN_STARTUP_PARAMETERS.includes(name));
      if (unknown.length > 0) {
        refused.push(...unknown);
        const fields = `SFATAL\0C08P01\0Munsupported startup parameter: ${unknown[0]}\0\0`;
        const error = Buffer.alloc(5 + Buffer.byteLength(fields));
        error.write("E");
        error.writeInt32BE(4 + Buffer.byteLength(fields), 1);
        error.write(fields, 5);
        client.end(error);
        return;
      }
      const upstream = net.connect(Number(target.port), target.hostname, () => {
        upstream.write(startup);
        client.pipe(upstream).pipe(client);
      });
      const close = () => {
        client.destroy();
        upstream.destroy();
      };
      client.on("error", close).on("close", close);
      upstream.on("error", close).on("close", close);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = new URL(databaseUrl);
  url.host = `127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  return { server, url: url.toString(), refused };
}

/** Polls the server (no clock) until `count` of the gauges' statements wait on a lock. */
async function waitForLockedMetricsReads(count: number): Promise<void> {
  for (;;) {
    const [row] = (await sql`
      select count(*)::int as n from pg_stat_activity
      where datname = current_database() and application_name = 'prizeledger-metrics'
        and wait_event_type = 'Lock'`) as [{ n: number }];
    if (row.n >= count) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
}
