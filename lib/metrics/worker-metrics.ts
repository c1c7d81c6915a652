import "server-only";
import type postgres from "postgres";
import { deadLetterQueue, JOB_SCHEMA, queueNames } from "@/lib/jobs/queue";
import { boundedSnapshot, readWithin } from "./bounded";
import { type GaugeSamples, registerGaugeCollector } from "./registry";

/** What the worker's job queue tells about its queues (pg-boss's `getQueues`, counts cached). */
export type QueueCounts = {
  name: string;
  readyCount: number;
  deferredCount: number;
  activeCount: number;
  failedCount: number;
};

type Snapshot = {
  anchoring: {
    unsequenced: number;
    unanchored: number;
    lag: number | null;
    tree_size: number | null;
    entries: number | null;
    anchored_at: number | null;
  };
  database: {
    in_recovery: boolean;
    sync_required: boolean;
    replicas: number;
    sync_replicas: number | null;
    replica_lag: number | null;
    timeline: number | null;
  };
  queues: QueueCounts[];
  dead: Array<{ queue: string; jobs: number }>;
  log: { signed: number | null; witnesses: Array<{ witness: string; tree_size: number }> };
};

const DEAD = /_dead$/;

/** Each gauge read's statements are cut at this, as the scrape gives up on them. */
export const STATEMENT_TIMEOUT_MS = 2_000;

/**
 * The anchoring backlog in one statement over two index ranges (the unsequenced partial index,
 * the leaf index from the last anchored checkpoint), as lib/analytics/anchoring-status.ts reads
 * it for the dashboard: never a scan of the whole log.
 */
async function readAnchoring(sql: postgres.TransactionSql): Promise<Snapshot["anchoring"]> {
  const [row] = await sql<Snapshot["anchoring"][]>`
    with last as (
      select tree_size, anchored_at,
             tree_size - coalesce(lead(tree_size) over (order by tree_size desc), 0) as entries
      from (select tree_size, anchored_at from checkpoints
            where status = 'anchored' order by tree_size desc limit 2) recent
      order by tree_size desc limit 1
    ), waiting as (
      select count(*) as n, min(created_at) as oldest from ledger_entries where leaf_index is null
    ), sequenced as (
      select count(*) as n, min(created_at) as oldest from ledger_entries
      where leaf_index >= coalesce((select tree_size from last), 0)
    )
    select waiting.n::int as unsequenced, (waiting.n + sequenced.n)::int as unanchored,
           extract(epoch from now() - least(waiting.oldest, sequenced.oldest))::float8 as lag,
           (select tree_size from last)::float8 as tree_size,
           (select entries from last)::float8 as entries,
           (select extract(epoch from anchored_at) from last)::float8 as anchored_at
    from waiting, sequenced`;
  if (!row) throw new Error("no anchoring row");
  return row;
}

/**
 * The server this worker reaches, as failover shows in it: a standby answering (in recovery), the
 * synchronous replicas a primary has (and whether it asks for one) and how far they lag, and the
 * timeline, which a promotion moves on. pg_stat_replication hides a standby's sync state and lag
 * from a role without pg_read_all_stats (pg_monitor has it): they are then unknown, never 0.
 * pg_control_checkpoint() is for superusers and pg_monitor; without it no timeline.
 */
async function readDatabase(sql: postgres.TransactionSql): Promise<Snapshot["database"]> {
  const [row] = await sql<(Omit<Snapshot["database"], "timeline"> & { control: boolean })[]>`
    with stats as (select pg_has_role(current_user, 'pg_read_all_stats', 'usage') as visible)
    select pg_is_in_recovery() as in_recovery,
           current_setting('synchronous_standby_names') <> '' as sync_required,
           (select count(*) from pg_stat_replication)::int as replicas,
           case when visible then (select count(*) from pg_stat_replication
                                   where sync_state in ('sync', 'quorum'))::int end
             as sync_replicas,
           case when visible then (select max(extract(epoch from replay_lag))
                                   from pg_stat_replication)::float8 end
             as replica_lag,
           has_function_privilege('pg_control_checkpoint()', 'execute') as control
    from stats`;
  if (!row) throw new Error("no database row");
  const { control, ...database } = row;
  const [checkpoint] = control
    ? await sql<
        { timeline: number }[]
      >`select timeline_id::int as timeline from pg_control_checkpoint()`
    : [];
  return { ...database, timeline: checkpoint?.timeline ?? null };
}

/**
 * Dead letters as the admin pages count them (lib/jobs/dead-letters.ts: not yet settled), read
 * now: pg-boss's own queue counts are refreshed only by its monitor, once a minute.
 */
async function readDeadLetters(sql: postgres.TransactionSql): Promise<Snapshot["dead"]> {
  const rows = await sql<{ name: string; jobs: number }[]>`
    select name, count(*)::int as jobs from ${sql(JOB_SCHEMA)}.job
    where name = any(${queueNames.map(deadLetterQueue)}) and state < 'completed'
    group by name`;
  const jobs = new Map(rows.map((row) => [row.name, row.jobs]));
  return queueNames.map((queue) => ({ queue, jobs: jobs.get(deadLetterQueue(queue)) ?? 0 }));
}

/**
 * The newest checkpoint the log signed, and the newest each witness cosigned for it (as its
 * answers said): a witness falling behind shows here before a verifier's quorum fails.
 */
async function readLog(sql: postgres.TransactionSql): Promise<Snapshot["log"]> {
  const [signed] = await sql<{ tree_size: number }[]>`
    select tree_size::float8 as tree_size from checkpoints
    where note is not null order by tree_size desc limit 1`;
  const witnesses = await sql<Array<{ witness: string; tree_size: number }>>`
    select witness_key as witness, tree_size::float8 as tree_size from log_witness_state`;
  return { signed: signed?.tree_size ?? null, witnesses };
}

/**
 * Registers the worker's scrape-time gauges: anchoring lag and backlog, the last checkpoint, the
 * job queues and the database's role. One snapshot serves a whole scrape and every scrape within
 * a second, on `sql` (the worker gives it connections of their own, so a slow database delays no
 * job); each statement is cut at two seconds, and the gauges then report nothing.
 */
export function registerWorkerGauges(deps: {
  sql: postgres.Sql;
  queues: () => Promise<QueueCounts[]>;
  anchorDeadlineSeconds: number;
}): void {
  const snapshot = boundedSnapshot(
    async (): Promise<Snapshot> => ({
      ...(await readWithin(deps.sql, STATEMENT_TIMEOUT_MS, async (tx) => ({
        anchoring: await readAnchoring(tx),
        database: await readDatabase(tx),
        dead: await readDeadLetters(tx),
        log: await readLog(tx),
      }))),
      queues: await deps.queues(),
    }),
  );
  const gauges: Array<[name: string, help: string, value: (s: Snapshot) => GaugeSamples | null]> = [
    [
      "prizeledger_anchoring_lag_seconds",
      "Age of the oldest ledger entry not yet anchored on chain (0: none waiting)",
      (s) => Math.max(0, s.anchoring.lag ?? 0),
    ],
    [
      "prizeledger_anchoring_deadline_seconds",
      "ANCHOR_DEADLINE_SECONDS: the provisional receipts promise anchoring within this",
      () => deps.anchorDeadlineSeconds,
    ],
    [
      "prizeledger_ledger_entries_waiting",
      "Ledger entries not yet anchored, by stage: sequencing (no leaf yet) or anchoring (all)",
      (s) => [
        { labels: { stage: "sequencing" }, value: s.anchoring.unsequenced },
        { labels: { stage: "anchoring" }, value: s.anchoring.unanchored },
      ],
    ],
    [
      "prizeledger_last_checkpoint_tree_size",
      "Entries covered by the last checkpoint anchored on chain",
      (s) => s.anchoring.tree_size,
    ],
    [
      "prizeledger_last_checkpoint_entries",
      "Entries the last anchored checkpoint added to the one before it: the last batch's size",
      (s) => s.anchoring.entries,
    ],
    [
      "prizeledger_last_checkpoint_anchored_timestamp_seconds",
      "When the last checkpoint was anchored (Unix time)",
      (s) => s.anchoring.anchored_at,
    ],
    [
      "prizeledger_last_signed_checkpoint_tree_size",
      "Entries covered by the newest checkpoint the log signed (none while no log key is set)",
      (s) => s.log.signed,
    ],
    [
      "prizeledger_witness_cosigned_tree_size",
      "The newest checkpoint size each witness has cosigned for this log, by its verifier key",
      (s) => s.log.witnesses.map((w) => ({ labels: { witness: w.witness }, value: w.tree_size })),
    ],
    [
      "prizeledger_jobs",
      "Jobs in each work queue, by state (ready, deferred, active, failed; pg-boss's counts, a minute old at most)",
      (s) =>
        s.queues
          .filter((q) => !DEAD.test(q.name))
          .flatMap((q) =>
            (
              [
                ["ready", q.readyCount],
                ["deferred", q.deferredCount],
                ["active", q.activeCount],
                ["failed", q.failedCount],
              ] as const
            ).map(([state, value]) => ({ labels: { queue: q.name, state }, value })),
          ),
    ],
    [
      "prizeledger_jobs_dead",
      "Jobs in each queue's dead-letter queue: retries spent, waiting for an admin",
      (s) => s.dead.map(({ queue, jobs }) => ({ labels: { queue }, value: jobs })),
    ],
    [
      "prizeledger_database_in_recovery",
      "1 when the server the worker reaches is a standby (it should reach the primary)",
      (s) => (s.database.in_recovery ? 1 : 0),
    ],
    [
      "prizeledger_database_timeline",
      "The database's timeline: a promotion (failover) moves it on",
      (s) => s.database.timeline,
    ],
    [
      "prizeledger_database_replicas",
      "Standbys streaming from the primary, by mode (sync: a commit waits for them; no sync sample without pg_monitor)",
      (s) => [
        { labels: { mode: "all" }, value: s.database.replicas },
        ...(s.database.sync_replicas === null
          ? []
          : [{ labels: { mode: "sync" }, value: s.database.sync_replicas }]),
      ],
    ],
    [
      "prizeledger_database_sync_standby_required",
      "1 when the primary's synchronous_standby_names asks for a synchronous standby",
      (s) => (s.database.sync_required ? 1 : 0),
    ],
    [
      "prizeledger_database_replica_lag_seconds",
      "The slowest standby's replay lag (no samples without a standby, or without pg_monitor)",
      (s) => s.database.replica_lag,
    ],
  ];
  for (const [name, help, value] of gauges) {
    registerGaugeCollector(name, help, async () => value(await snapshot()) ?? []);
  }
}

/** One open queued drop's waiting room, as the waiting room's stats give it. */
export type WaitingRoomSample = {
  dropId: string;
  queueLength: number;
  admissionRatePerMinute: number;
  /** Positions admitted so far: it stands still through the pre-queue and while paused. */
  admitted: number;
  /** Shuffled and its drop not paused: admissions are due every pass. */
  admitting: boolean;
};

/**
 * The waiting rooms' gauges, labelled by drop (bounded: only drops with an open queue), from
 * `read`, which lists every open queued drop's stats (the waiting room's own function). The
 * worker calls this once with it; reads are bounded like the other gauges'.
 */
export function registerWaitingRoomGauges(read: () => Promise<WaitingRoomSample[]>): void {
  const snapshot = boundedSnapshot(read);
  const perDrop = (value: (room: WaitingRoomSample) => number) => async () =>
    (await snapshot()).map((room) => ({ labels: { drop: room.dropId }, value: value(room) }));
  registerGaugeCollector(
    "prizeledger_waiting_room_length",
    "People waiting in an open queued drop's waiting room, not yet admitted",
    perDrop((room) => room.queueLength),
  );
  registerGaugeCollector(
    "prizeledger_waiting_room_admission_rate_per_minute",
    "The admission rate an open queued drop's waiting room is set to, per minute",
    perDrop((room) => room.admissionRatePerMinute),
  );
  registerGaugeCollector(
    "prizeledger_waiting_room_admitted",
    "Places an open queued drop's waiting room has admitted so far",
    perDrop((room) => room.admitted),
  );
  registerGaugeCollector(
    "prizeledger_waiting_room_admitting",
    "1 once an open queued drop's waiting room is shuffled and its drop not paused: it should admit",
    perDrop((room) => (room.admitting ? 1 : 0)),
  );
}
