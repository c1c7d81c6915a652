import "server-only";
import { type SQL, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { HAS_RECEIPT, promisedBy } from "@/lib/anchoring/promised-by";
import { env } from "@/lib/config/env";
import type { AnchoringStatus, CheckpointSummary, MissedDeadline } from "./model";

const iso = (v: string | Date | null) => (v === null ? null : new Date(v).toISOString());

/** The largest anchored checkpoint: every entry below its tree size is anchored. */
export async function lastAnchoredCheckpoint(db: DbOrTx): Promise<CheckpointSummary | null> {
  const [row] = await db.execute<{
    tree_size: number;
    tx_hash: string | null;
    block_number: number | null;
    anchored_at: string | Date | null;
  }>(sql`
    select tree_size, tx_hash, block_number, anchored_at from checkpoints
    where status = 'anchored' order by tree_size desc limit 1`);
  if (!row) return null;
  return {
    treeSize: Number(row.tree_size),
    txHash: row.tx_hash,
    blockNumber: row.block_number === null ? null : Number(row.block_number),
    anchoredAt: iso(row.anchored_at),
  };
}

/** Broken promises listed one by one; the count covers them all. */
const MISSED_LISTED = 50;

/**
 * Entries not yet anchored: unsequenced ones and those at or past the anchored tree size. Two
 * index ranges (the unsequenced partial index, the leaf index), never a scan of the whole log.
 * Missed deadlines: those counted on anchored checkpoints (a partial index holds the late ones)
 * plus the waiting entries already past theirs.
 */
export async function anchoringStatus(
  db: DbOrTx,
  deadlineSeconds = env().ANCHOR_DEADLINE_SECONDS,
): Promise<AnchoringStatus> {
  const lastCheckpoint = await lastAnchoredCheckpoint(db);
  const size = lastCheckpoint?.treeSize ?? 0;
  const overdue = sql`${HAS_RECEIPT} and ${promisedBy(deadlineSeconds)} < extract(epoch from now())`;
  const [row] = await db.execute<{
    pending: number;
    overdue: number;
    late: number;
    lag: number | null;
  }>(sql`
    select sum(n)::int as pending, sum(o)::int as overdue,
           (select coalesce(sum(missed_deadlines), 0) from checkpoints where missed_deadlines > 0)::int as late,
           extract(epoch from now() - min(oldest))::float8 as lag
    from (
      select count(*) as n, count(*) filter (where ${overdue}) as o, min(created_at) as oldest
      from ledger_entries where leaf_index is null
      union all
      select count(*), count(*) filter (where ${overdue}), min(created_at)
      from ledger_entries where leaf_index >= ${size}
    ) t`);
  return {
    lagSeconds: Math.max(0, Number(row?.lag ?? 0)),
    pendingEntries: Number(row?.pending ?? 0),
    lastCheckpoint,
    missedDeadlines: {
      count: Number(row?.late ?? 0) + Number(row?.overdue ?? 0),
      entries: await missedDeadlineEntries(db, size, deadlineSeconds, overdue),
    },
  };
}

/** The newest broken promises: waiting entries past their deadline, then late-anchored ones. */
async function missedDeadlineEntries(
  db: DbOrTx,
  size: number,
  deadlineSeconds: number,
  overdue: SQL,
): Promise<MissedDeadline[]> {
  const rows = await db.execute<{
    kind: MissedDeadline["kind"];
    redemption_id: string;
    leaf_index: number | null;
    anchor_by: number;
    anchored_at: number | null;
  }>(sql`
    with waiting as (
      (select kind, redemption_id, leaf_index, created_at, null::bigint as anchored_at
       from ledger_entries where leaf_index is null and ${overdue}
       order by id desc limit ${MISSED_LISTED})
      union all
      (select kind, redemption_id, leaf_index, created_at, null::bigint
       from ledger_entries where leaf_index >= ${size} and ${overdue}
       order by leaf_index desc limit ${MISSED_LISTED})
    ), late as (
      select c.tree_size, c.block_time,
             (select coalesce(max(p.tree_size), 0) from checkpoints p
              where p.status = 'anchored' and p.tree_size < c.tree_size) as start
      from checkpoints c where c.missed_deadlines > 0
      order by c.tree_size desc limit ${MISSED_LISTED}
    ), anchored as (
      select e.kind, e.redemption_id, e.leaf_index, e.created_at, late.block_time as anchored_at
      from late cross join lateral (
        select kind, redemption_id, leaf_index, created_at from ledger_entries
        where leaf_index >= late.start and leaf_index < late.tree_size
          and ${HAS_RECEIPT} and ${promisedBy(deadlineSeconds)} < late.block_time
        order by leaf_index desc limit ${MISSED_LISTED}
      ) e
    )
    select kind, redemption_id, leaf_index,
           ${promisedBy(deadlineSeconds)} as anchor_by, anchored_at
    from (select * from waiting union all select * from anchored) m
    order by anchored_at is not null, leaf_index desc nulls first
    limit ${MISSED_LISTED}`);
  return rows.map((r) => ({
    kind: r.kind,
    redemptionId: r.redemption_id,
    leafIndex: r.leaf_index === null ? null : Number(r.leaf_index),
    anchorBy: Number(r.anchor_by),
    anchoredAt: r.anchored_at === null ? null : Number(r.anchored_at),
  }));
}
