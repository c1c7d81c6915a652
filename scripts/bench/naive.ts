/**
 * The naive baseline the claim engine is measured against: one stock counter per drop and one
 * transaction per claim doing a conditional UPDATE of it, then the claim row and an audit row.
 * Every concurrent claim of a drop queues on the counter's row lock until the previous holder
 * commits (a disk flush), which is what the engine's unit rows and batching are meant to avoid.
 *
 * Its own tables (bench_naive_*), created by the benchmark; it runs on raw postgres.js, without
 * the ORM, so if anything the comparison flatters the baseline.
 */
import type postgres from "postgres";

export async function setupNaive(sql: postgres.Sql): Promise<void> {
  await sql.unsafe(`
    create table if not exists bench_naive_stock (
      drop_id uuid primary key,
      units integer not null,
      remaining integer not null check (remaining >= 0)
    );
    create table if not exists bench_naive_claims (
      id uuid primary key default gen_random_uuid(),
      drop_id uuid not null references bench_naive_stock (drop_id),
      player_id uuid not null,
      created_at timestamptz not null default now(),
      unique (drop_id, player_id)
    );
    create table if not exists bench_naive_audit (
      id bigserial primary key,
      at timestamptz not null default now(),
      actor_id uuid,
      action text not null,
      subject text,
      outcome text not null,
      reason text,
      data jsonb
    );`);
}

export async function createNaiveDrop(sql: postgres.Sql, units: number): Promise<string> {
  const [row] = await sql<Array<{ drop_id: string }>>`
    insert into bench_naive_stock (drop_id, units, remaining)
    values (gen_random_uuid(), ${units}, ${units}) returning drop_id`;
  if (!row) throw new Error("naive drop insert returned nothing");
  return row.drop_id;
}

/** One claim, one transaction: true when a unit was taken, false when sold out. */
export async function naiveClaim(
  sql: postgres.Sql,
  dropId: string,
  playerId: string,
): Promise<boolean> {
  return sql.begin(async (tx) => {
    const taken = await tx`
      update bench_naive_stock set remaining = remaining - 1
      where drop_id = ${dropId} and remaining > 0
      returning remaining`;
    const ok = taken.length > 0;
    if (ok) {
      await tx`insert into bench_naive_claims (drop_id, player_id) values (${dropId}, ${playerId})`;
    }
    await tx`
      insert into bench_naive_audit (actor_id, action, subject, outcome, reason, data)
      values (${playerId}, 'claim', ${`drop:${dropId}`}, ${ok ? "ok" : "refused"},
              ${ok ? null : "sold_out"}, ${JSON.stringify({ limit: 1 })}::jsonb)`;
    return ok;
  }) as Promise<boolean>;
}

export type Integrity = {
  units: number;
  granted: number;
  oversold: number;
  duplicateUnits: number;
  duplicatePlayers: number;
  /** Stock bookkeeping that disagrees with the claims (counter or unit status vs rows). */
  mismatched: number;
};

export async function naiveIntegrity(sql: postgres.Sql, dropId: string): Promise<Integrity> {
  const [row] = await sql<
    Array<{ units: number; remaining: number; granted: number; players: number }>
  >`
    select s.units, s.remaining,
           (select count(*)::int from bench_naive_claims c where c.drop_id = s.drop_id) as granted,
           (select count(distinct player_id)::int from bench_naive_claims c
             where c.drop_id = s.drop_id) as players
    from bench_naive_stock s where s.drop_id = ${dropId}`;
  if (!row) throw new Error(`naive drop ${dropId} not found`);
  return {
    units: row.units,
    granted: row.granted,
    oversold: Math.max(0, row.granted - row.units),
    // A counter has no unit identity: nothing to hand out twice.
    duplicateUnits: 0,
    duplicatePlayers: row.granted - row.players,
    mismatched: Math.abs(row.units - row.remaining - row.granted),
  };
}

/** The same checks on the engine's tables: redemptions against the drop's unit rows. */
export async function engineIntegrity(sql: postgres.Sql, dropId: string): Promise<Integrity> {
  const [row] = await sql<
    Array<{
      units: number;
      granted: number;
      distinct_units: number;
      players: number;
      claimed_units: number;
      foreign_units: number;
    }>
  >`
    select d.units,
           (select count(*)::int from redemptions r where r.drop_id = d.id) as granted,
           (select count(distinct unit_id)::int from redemptions r where r.drop_id = d.id)
             as distinct_units,
           (select count(distinct player_id)::int from redemptions r where r.drop_id = d.id)
             as players,
           (select count(*)::int from drop_units u where u.drop_id = d.id and u.status = 'claimed')
             as claimed_units,
           (select count(*)::int from redemptions r
             left join drop_units u on u.id = r.unit_id and u.drop_id = r.drop_id
             where r.drop_id = d.id and (u.id is null or u.status <> 'claimed')) as foreign_units
    from drops d where d.id = ${dropId}`;
  if (!row) throw new Error(`drop ${dropId} not found`);
  return {
    units: row.units,
    granted: row.granted,
    oversold: Math.max(0, row.granted - row.units),
    duplicateUnits: row.granted - row.distinct_units,
    duplicatePlayers: row.granted - row.players,
    mismatched: Math.abs(row.claimed_units - row.granted) + row.foreign_units,
  };
}
