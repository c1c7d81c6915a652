/**
 * Bulk analytics data: players, prizes, ~200 past flash drops and one live drop, their units,
 * redemptions (a few expired or reversed), ledger entries (most anchored), claim and refusal
 * audit events, a recent latency histogram, then the rollups rebuilt from those raw rows.
 * Everything is written by set-based statements (generate_series, INSERT … SELECT), one drop at
 * a time, so 1,000,000 redemptions take a few minutes, not hours.
 *
 * The ledger is synthetic: entries carry leaf indexes and an anchored checkpoint covers most of
 * them, but no Merkle nodes or chain transaction exist. Seed a database of its own, never one
 * whose worker anchors a real log.
 */
import { randomBytes } from "node:crypto";
import type postgres from "postgres";
import type { Db } from "@/db/client";
import { rebuildAnalyticsRollups } from "@/lib/analytics/rebuild";
import { encryptCode } from "@/lib/codes/code-crypto";
import { type PrizeKind, prizeKinds } from "@/lib/prizes/model";
import { createPlayers, newRunId } from "./seed";

export type AnalyticsSeed = {
  runId: string;
  players: number;
  drops: number;
  liveDropId: string;
  redemptions: number;
  refusals: number;
  seconds: number;
};

/** Regions weighted roughly like a real audience: repeated entries are more likely. */
const REGIONS = [
  ..."US US US US US US GB GB GB DE DE DE FR FR CA CA AU BR BR JP MX IN NL SE ES IT PL".split(" "),
];
const PRIZES = 40;
const PER_DROP = 5_000;
/** Share of redemptions that belong to the drop live now. */
const LIVE_SHARE = 0.02;

export async function seedAnalytics(
  db: Db,
  sql: postgres.Sql,
  options: { redemptions: number; log?: (line: string) => void },
): Promise<AnalyticsSeed> {
  const log = options.log ?? (() => {});
  const started = performance.now();
  const runId = newRunId();
  const total = options.redemptions;
  const liveCount = Math.max(1, Math.round(total * LIVE_SHARE));
  const pastTotal = total - liveCount;
  const pastDrops = Math.max(1, Math.round(pastTotal / PER_DROP));
  // Enough players that no drop needs one twice (the last past drop may take up to ~3x the mean).
  const playerCount = Math.max(
    1_000,
    Math.min(100_000, Math.ceil(total / 10)),
    Math.ceil((3 * pastTotal) / pastDrops),
    liveCount,
  );
  let refusals = 0;
  let liveDropId = "";

  log(`players: ${playerCount}…`);
  const players = await createPlayers(sql, playerCount, { tokens: false, runId });
  const conn = await sql.reserve();
  try {
    // Players by number, with a region each: drops pick runs of consecutive numbers (distinct).
    await conn`create temp table seed_players (k int primary key, id uuid, region text)`;
    await conn`
      insert into seed_players (k, id, region)
      select k - 1, id, (${REGIONS}::text[])[1 + ((k * 7919) % ${REGIONS.length})]
      from unnest(${players.map((p) => p.id)}::uuid[]) with ordinality as t(id, k)`;
    await conn`update users u set region = s.region from seed_players s where s.id = u.id`;

    const prizes = await conn<Array<{ id: string; kind: PrizeKind }>>`
      insert into prizes (name, kind, value_cents, quantity, token_amount, token_symbol)
      select 'Seed prize ' || ${runId} || ' #' || g, (${prizeKinds as unknown as string[]}::prize_kind[])[1 + g % 3],
             500 + (g * 1237) % 20000, 1000000,
             case when g % 3 = 1 then 10 end, case when g % 3 = 1 then 'PLT' end
      from generate_series(1, ${PRIZES}) g
      returning id, kind`;

    let made = 0;
    for (let d = 0; d <= pastDrops; d++) {
      const live = d === pastDrops;
      // Sizes vary ±60% around the mean; the last past drop takes what is left.
      const mean = pastTotal / pastDrops;
      const n = live
        ? liveCount
        : d === pastDrops - 1
          ? pastTotal - made
          : Math.max(1, Math.round(mean * (0.4 + 1.2 * (((d * 37) % 100) / 100))));
      const soldOut = live || d % 5 !== 0;
      const units = soldOut && !live ? n : Math.ceil(n * 1.1);
      const prize = prizes[(d * 13) % prizes.length] as (typeof prizes)[number];
      const code = encryptCode(`SEED-${runId}-${d}`);
      // Past drops: one a day or so over the last ~60 days at varying hours, an hour long, most
      // claims in the first minutes (a flash crowd). The live drop: two hours in, two to go.
      const window = live
        ? conn`now() - interval '2 hours', now() + interval '2 hours'`
        : conn`date_trunc('hour', now()) - make_interval(hours => ${(pastDrops - d) * 7 + 2}),
               date_trunc('hour', now()) - make_interval(hours => ${(pastDrops - d) * 7 + 1})`;
      const [drop] = await conn<Array<{ id: string; pool: string; first_unit: number }>>`
        with dr as (
          insert into drops (title, units, starts_at, ends_at, per_player_limit, created_at)
          select ${`Seed drop ${runId} #${d}`}, ${units}, s, e, 1, s - interval '1 day'
          from (select ${window}) as w(s, e)
          returning id
        ), pool as (
          insert into drop_pools (drop_id, prize_id, units)
          select id, ${prize.id}, ${units} from dr returning id, drop_id
        ), un as (
          insert into drop_units (drop_id, pool_id, prize_id, status)
          select pool.drop_id, pool.id, ${prize.id},
                 (case when g <= ${n} then 'claimed' else 'available' end)::unit_status
          from pool, generate_series(1, ${units}) g
          returning id
        )
        select (select id from dr) as id, (select id from pool) as pool, (select min(id) from un) as first_unit`;
      if (!drop) throw new Error("drop not created");
      if (live) liveDropId = drop.id;
      const offset = (d * 7919) % playerCount;
      const ago = live
        ? conn`now() - random() * interval '2 hours'`
        : conn`d.starts_at + power(random(), 4) * interval '1 hour'`;
      // random() sits in a subquery's select list: evaluated once per row.
      await conn`
        insert into redemptions (drop_id, prize_id, player_id, unit_id, claim_seq, status,
                                 code_ciphertext, code_key_id, player_salt, region, created_at,
                                 expired_at, reversed_at, reversal_reason, action_deadline)
        select ${drop.id}, ${prize.id}, x.player, ${Number(drop.first_unit)} + x.g - 1, 1,
               x.status::redemption_status,
               decode(${Buffer.from(code.ciphertext).toString("hex")}, 'hex'), ${code.keyId},
               sha256(uuid_send(x.player) || int4send(x.g)), x.region, x.at,
               case when x.status = 'expired' then least(x.at + interval '1 day', now()) end,
               case when x.status = 'reversed' then least(x.at + interval '1 hour', now()) end,
               case when x.status = 'reversed' then 'Seeded reversal' end,
               case when ${prize.kind} = 'physical' then x.ends_at + interval '7 days' end
        from (
          select g, p.id as player, p.region, d.ends_at, ${ago} as at,
                 case when random() < 0.002 then 'reversed'
                      when ${prize.kind} = 'physical' and random() < 0.02 then 'expired'
                      when ${prize.kind} = 'physical' and ${live}::boolean then 'awaiting_action'
                      else 'fulfilled' end as status
          from generate_series(1, ${n}) g
          join seed_players p on p.k = (${offset} + g) % ${playerCount}
          cross join (select starts_at, ends_at from drops where id = ${drop.id}) d
        ) x`;
      made += live ? 0 : n;
      if (d % 20 === 0 || live)
        log(`drops: ${d + 1}/${pastDrops + 1}, redemptions so far ${made + (live ? n : 0)}`);
    }
    // Expired and reversed redemptions gave their units back.
    await conn`
      update drop_units u set status = 'available' from redemptions r
      where r.unit_id = u.id and r.status in ('expired', 'reversed')
        and r.drop_id in (select id from drops where title like ${`Seed drop ${runId} #%`})`;

    log("ledger entries…");
    await conn`
      insert into ledger_entries (kind, redemption_id, leaf_data, leaf_index, created_at, sequenced_at)
      select kind::ledger_kind, id, sha256(uuid_send(id) || convert_to(kind, 'UTF8')),
             (select coalesce(max(leaf_index) + 1, 0) from ledger_entries)
               + row_number() over (order by at, id) - 1, at, at + interval '1 second'
      from (
        select 'redemption' as kind, r.id, r.created_at as at from redemptions r
        join drops d on d.id = r.drop_id where d.title like ${`Seed drop ${runId} #%`}
        union all
        select 'expiry', r.id, r.expired_at from redemptions r
        join drops d on d.id = r.drop_id where d.title like ${`Seed drop ${runId} #%`} and r.expired_at is not null
        union all
        select 'reversal', r.id, r.reversed_at from redemptions r
        join drops d on d.id = r.drop_id where d.title like ${`Seed drop ${runId} #%`} and r.reversed_at is not null
      ) e`;
    // The newest entries wait: the last minute's are unsequenced, the rest anchored but a tail.
    await conn`
      update ledger_entries set leaf_index = null, sequenced_at = null
      where created_at > now() - interval '1 minute' and leaf_index >= (
        select min(leaf_index) from ledger_entries where created_at > now() - interval '1 minute')`;
    await conn`
      insert into checkpoints (tree_size, root_hash, status, tx_hash, block_number, anchored_at)
      select (select count(*) from ledger_entries where leaf_index is not null and created_at < now() - interval '5 minutes'),
             sha256(convert_to(${runId}, 'UTF8')), 'anchored', ${`0x${randomBytes(32).toString("hex")}`}, 1,
             now() - interval '30 seconds'
      on conflict (tree_size) do nothing`;

    log("audit events (claims and refusals)…");
    await conn`
      insert into audit_events (at, actor_id, action, subject, outcome, reason, data)
      select r.created_at, r.player_id, 'claim', 'drop:' || r.drop_id, 'ok', null,
             jsonb_build_object('redemptionId', r.id)
      from redemptions r join drops d on d.id = r.drop_id
      where d.title like ${`Seed drop ${runId} #%`}`;
    // About three refusals for every ten claims, at the moments the crowd came.
    const [refused] = await conn<Array<{ n: number }>>`
      with ins as (
        insert into audit_events (at, actor_id, action, subject, outcome, reason, data)
        select r.created_at + random() * interval '20 seconds', r.player_id, 'claim',
               'drop:' || r.drop_id, 'refused', x.reason, jsonb_build_object('limit', 1)
        from (
          select r.*, random() as v, random() as keep from redemptions r
          join drops d on d.id = r.drop_id
          where d.title like ${`Seed drop ${runId} #%`} and r.created_at + interval '20 seconds' < now()
        ) r
        cross join lateral (
          select case when r.v < 0.45 then 'sold_out' when r.v < 0.6 then 'rate_limited'
                      when r.v < 0.75 then 'limit_reached' when r.v < 0.88 then 'not_eligible:region'
                      when r.v < 0.95 then 'not_eligible:verified_email' else 'paused' end as reason
        ) x
        where r.keep < 0.3
        returning 1
      )
      select count(*)::int as n from ins`;
    refusals = refused?.n ?? 0;

    // A few linked accounts flagged over past drops, as the claim engine would.
    await conn`
      with flagged as (
        update users u set flagged_at = now() - interval '1 day',
                           flagged_reason = 'Linked accounts claimed a seeded drop'
        from seed_players s where s.id = u.id and s.k % 500 = 3
        returning u.id
      )
      insert into audit_events (action, subject, outcome, reason, data)
      select 'account_flag', 'user:' || f.id, 'ok', 'linked_account',
             jsonb_build_object('dropId', (select r.drop_id from redemptions r where r.player_id = f.id limit 1))
      from flagged f`;

    log("latency histogram (last hour)…");
    await conn`
      insert into claim_latency_seconds (at, bucket, n)
      select s, b, 1 + (random() * greatest(0, 30 - abs(b - 22) * 3))::int
      from generate_series(date_trunc('second', now()) - interval '1 hour', date_trunc('second', now()),
                           interval '1 second') s,
           generate_series(12, 36) b
      on conflict (at, bucket) do update set n = claim_latency_seconds.n + excluded.n`;
  } finally {
    await conn`drop table if exists seed_players`.catch(() => {});
    conn.release();
  }

  log("rollups from the raw rows…");
  await rebuildAnalyticsRollups(db);
  // As autovacuum would by now: statistics, and visibility maps for index-only scans.
  await sql`vacuum analyze`;
  const drops = await sql<Array<{ n: number }>>`
    select count(*)::int as n from drops where title like ${`Seed drop ${runId} #%`}`;
  return {
    runId,
    players: playerCount,
    drops: drops[0]?.n ?? 0,
    liveDropId,
    redemptions: total,
    refusals,
    seconds: (performance.now() - started) / 1000,
  };
}
