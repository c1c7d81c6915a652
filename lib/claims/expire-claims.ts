import "server-only";
import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { notify } from "@/db/notify";
import { decodeRedemptionLeaf, encodeLeaf } from "@/lib/ledger/leaf";
import { notifyDeliveriesCancelled } from "@/lib/notifications/notifications";

/**
 * Expires claims whose required action (confirming a shipping address) was not taken by the
 * deadline: the redemption is marked expired, its unit goes back to the drop, and an expiry entry
 * goes to the ledger. The status check in the update makes each expiry happen exactly once, even
 * with several workers or a player confirming at the same moment.
 */
export async function expireOverdueClaims(db: Db, limit = 500): Promise<number> {
  return db.transaction(async (tx) => {
    const expired = await tx.execute<{
      id: string;
      unit_id: number;
      leaf_data: Buffer;
      player_id: string;
    }>(sql`
      with due as (
        select id from redemptions
        where status = 'awaiting_action' and action_deadline <= now()
        order by action_deadline limit ${limit}
        for update skip locked
      )
      update redemptions r set status = 'expired', expired_at = now()
      from due, ledger_entries e
      where r.id = due.id and r.status = 'awaiting_action'
        and e.redemption_id = r.id and e.kind = 'redemption'
      returning r.id, r.unit_id, r.player_id, e.leaf_data`);
    if (expired.length === 0) return 0;
    await tx.execute(sql`
      update drop_units set status = 'available'
      where id = any(${sql.param(expired.map((e) => Number(e.unit_id)))}::bigint[])
        and status = 'claimed'`);
    const [{ now } = { now: new Date() }] = await tx.execute<{ now: Date }>(sql`select now()`);
    const leaves = expired.map((e) => {
      // The expiry entry repeats the redemption's prize, drop, value and player commitment, so
      // the two can be matched in the public log without revealing the player.
      const original = decodeRedemptionLeaf(new Uint8Array(e.leaf_data));
      return Buffer.from(
        encodeLeaf({ ...original, kind: "expiry", timeMs: new Date(now).getTime() }),
      ).toString("hex");
    });
    await tx.execute(sql`
      insert into ledger_entries (kind, redemption_id, leaf_data)
      select 'expiry', r, decode(d, 'hex')
      from unnest(${sql.param(expired.map((e) => e.id))}::uuid[],
                  ${sql.param(leaves)}::text[]) as t(r, d)`);
    await tx.execute(sql`
      insert into audit_events (actor_id, action, subject, outcome, reason, data)
      select p, 'claim_expired', 'redemption:' || r, 'ok', 'action_deadline_passed',
             jsonb_build_object('unitReturned', true)
      from unnest(${sql.param(expired.map((e) => e.player_id))}::uuid[],
                  ${sql.param(expired.map((e) => e.id))}::uuid[]) as t(p, r)`);
    await notifyDeliveriesCancelled(
      tx,
      "expired",
      expired.map((e) => ({ redemptionId: e.id })),
    );
    await notify(tx, "ledger_entries");
    // Units went back to their drops: open dashboards show the new remaining counts.
    await notify(tx, "analytics");
    return expired.length;
  });
}
