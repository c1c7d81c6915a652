/**
 * The dashboard's and report's figures computed straight from the raw tables (redemptions, the
 * audit trail's claim events, the ledger), without the rollups: the baseline bench:analytics
 * times the rollup queries against. Each mirrors one query of lib/analytics; none is used by
 * the app.
 */
import type postgres from "postgres";

export function baselineClaimsPerSecond(sql: postgres.Sql) {
  return sql`
    select date_trunc('second', at) as t, count(*) filter (where outcome = 'ok') as claimed,
           count(*) as attempts
    from audit_events where action = 'claim' and at >= date_trunc('second', now()) - interval '59 seconds'
    group by 1`;
}

export function baselineLiveDrops(sql: postgres.Sql) {
  return sql`
    select d.id, d.units,
           (select count(*) from drop_units u where u.drop_id = d.id and u.status = 'available') as remaining,
           (select json_agg(b order by b.t) from (
              select date_bin(interval '1 minute', r.created_at, d.starts_at) as t, count(*) as n
              from redemptions r where r.drop_id = d.id group by 1) b) as burn_down
    from drops d where d.starts_at <= now() and d.ends_at > now()`;
}

export async function baselineOutcomeMix(sql: postgres.Sql) {
  return Promise.all([
    sql`
      select coalesce(reason, 'claimed') as reason, count(*) from audit_events
      where action = 'claim' and at >= date_trunc('second', now()) - interval '299 seconds'
      group by 1`,
    sql`
      select coalesce(reason, 'claimed') as reason, count(*) from audit_events
      where action = 'claim' and at >= date_trunc('day', now() at time zone 'UTC') at time zone 'UTC'
      group by 1`,
  ]);
}

export function baselineHeld(sql: postgres.Sql) {
  return sql`
    select p.kind, p.id, r.region, extract(hour from r.created_at at time zone 'UTC') as hour, count(*)
    from redemptions r join prizes p on p.id = r.prize_id
    where r.status in ('fulfilled', 'awaiting_action') and r.reversed_at is null
    group by grouping sets ((p.kind), (p.id), (r.region), (4))`;
}

export async function baselineAnchoring(sql: postgres.Sql) {
  const [checkpoint] = await sql<Array<{ tree_size: number }>>`
    select tree_size from checkpoints where status = 'anchored' order by tree_size desc limit 1`;
  return sql`
    select count(*), min(created_at) from ledger_entries
    where leaf_index is null or leaf_index >= ${checkpoint?.tree_size ?? 0}`;
}

export async function baselineDropReport(sql: postgres.Sql, dropId: string) {
  const [drop] = await sql<Array<{ units: number; starts_at: Date }>>`
    select units, starts_at from drops where id = ${dropId}`;
  const [checkpoint] = await sql<Array<{ tree_size: number }>>`
    select tree_size from checkpoints where status = 'anchored' order by tree_size desc limit 1`;
  return Promise.all([
    sql`
      select coalesce(reason, 'claimed') as reason, count(*) from audit_events
      where action = 'claim' and subject = ${`drop:${dropId}`} group by 1`,
    sql`
      select date_bin(interval '1 second', created_at, ${drop?.starts_at ?? new Date(0)}) as t, count(*)
      from redemptions where drop_id = ${dropId} group by 1 order by 1`,
    sql`
      select created_at from redemptions where drop_id = ${dropId}
      order by created_at offset ${Math.max(0, (drop?.units ?? 1) - 1)} limit 1`,
    sql`select count(distinct player_id) from redemptions where drop_id = ${dropId}`,
    sql`select status, count(*) from redemptions where drop_id = ${dropId} group by status`,
    sql`
      select count(*) filter (where e.leaf_index < ${checkpoint?.tree_size ?? 0}) as anchored, count(*)
      from redemptions r join ledger_entries e on e.redemption_id = r.id and e.kind = 'redemption'
      where r.drop_id = ${dropId}`,
    sql`
      select u.id from users u where u.flagged_at is not null and (
        u.id in (select substr(a.subject, 6)::uuid from audit_events a
                 where a.action = 'account_flag' and a.data->>'dropId' = ${dropId})
        or exists (select 1 from redemptions r where r.drop_id = ${dropId} and r.player_id = u.id))`,
  ]);
}
