import "server-only";
import { sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import type { DropCodePool } from "./model";

/**
 * A drop's gift-card prizes that hand out imported codes, each with the codes its pool can still
 * give against the units still to give (of drops not ended): this drop's and those of other drops
 * of the same prize, which draw on the same pool first come, first served. Units are counted per pool
 * from the partial index of available units; codes from the index of unused ones.
 */
export async function dropCodePools(db: DbOrTx, dropId: string): Promise<DropCodePool[]> {
  const rows = await db.execute<{
    prize_id: string;
    name: string;
    codes_unused: number;
    here: number;
    elsewhere: number;
  }>(sql`
    with prize as (
      select distinct p.id, p.name from drop_pools dp join prizes p on p.id = dp.prize_id
      where dp.drop_id = ${dropId} and p.kind = 'gift_card'
        and coalesce(p.delivery_provider, 'pool') = 'pool'
    ), open_pool as (
      select dp.id, dp.drop_id, dp.prize_id from drop_pools dp join drops d on d.id = dp.drop_id
      where dp.prize_id in (select id from prize) and d.ends_at > now()
    ), available as (
      select op.prize_id, op.drop_id = ${dropId} as here, count(u.id)::int as n
      from open_pool op
      join drop_units u on u.drop_id = op.drop_id and u.pool_id = op.id and u.status = 'available'
      group by 1, 2
    )
    select prize.id as prize_id, prize.name,
           (select count(*)::int from gift_codes g
            where g.prize_id = prize.id and g.redemption_id is null
              and g.quarantined_at is null) as codes_unused,
           coalesce((select sum(n) from available a where a.prize_id = prize.id and a.here), 0)::int
             as here,
           coalesce((select sum(n) from available a where a.prize_id = prize.id and not a.here), 0)::int
             as elsewhere
    from prize order by prize.name, prize.id`);
  return rows.map((r) => ({
    prizeId: r.prize_id,
    name: r.name,
    codesUnused: Number(r.codes_unused),
    unitsToGive: Number(r.here),
    otherDropsUnitsToGive: Number(r.elsewhere),
  }));
}
