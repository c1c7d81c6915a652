import "server-only";
import { sql } from "drizzle-orm";
import { z } from "zod";
import type { Db, Tx } from "@/db/client";
import { notify } from "@/db/notify";
import type { RequestContext } from "@/lib/audit/record-event";
import { recordEvent } from "@/lib/audit/record-event";
import { AppError } from "@/lib/errors/app-error";
import { decodeRedemptionLeaf, encodeLeaf } from "@/lib/ledger/leaf";
import { notifyRedemptionReversed } from "@/lib/notifications/notifications";
import type { PrizeKind } from "@/lib/prizes/model";
import type { RedemptionStatus } from "./model";
import { type Reversal, type ReversalRequest, reversalSchema } from "./model";

/**
 * An admin takes a redemption back: it is marked reversed, its unit goes back to the drop, and a
 * reversal entry goes to the ledger (anchored like any other). The row lock plus the status check
 * make it happen once: a second click, another admin, or the expiry job running at the same
 * moment find the redemption already reversed or expired and change nothing.
 *
 * A gift card's delivered code stays burned (the player has seen it); the returned unit takes a
 * fresh code from the prize's pool at the next claim. If the pool has no code to spare for it,
 * the reversal is refused rather than put back a unit that every claim would answer "sold out".
 */
export async function reverseRedemption(
  db: Db,
  { redemptionId, adminId, reason }: ReversalRequest,
  context: RequestContext & { tokenId?: string | null } = {},
): Promise<Reversal> {
  const why = reversalSchema.parse({ reason }).reason;
  if (!z.uuid().safeParse(redemptionId).success) {
    throw new AppError("not_found", "No such redemption");
  }
  return db.transaction(async (tx) => {
    const [current] = await tx.execute<{
      status: RedemptionStatus;
      unit_id: number;
      drop_id: string;
      prize_id: string;
      prize_kind: PrizeKind;
      drop_live: boolean;
      from_pool: boolean;
      reversed_at: Date | null;
    }>(sql`
      select r.status, r.unit_id, r.drop_id, r.prize_id, p.kind as prize_kind, r.reversed_at,
             p.kind = 'gift_card' and coalesce(p.delivery_provider, 'pool') = 'pool' as from_pool,
             d.ends_at > now() as drop_live
      from redemptions r
        join prizes p on p.id = r.prize_id
        join drops d on d.id = r.drop_id
      where r.id = ${redemptionId}
      for update of r`);
    if (!current) throw new AppError("not_found", "No such redemption");
    if (current.status === "reversed") {
      throw new AppError("already_reversed", "This redemption was reversed already", {
        reversedAt: current.reversed_at && new Date(current.reversed_at).toISOString(),
      });
    }
    if (current.status === "expired") {
      throw new AppError(
        "already_expired",
        "This redemption expired: its unit went back to the drop already",
      );
    }
    // A unit given back needs a code for its next claimant, when codes come from the pool.
    if (current.from_pool && current.drop_live) {
      await ensureSpareGiftCode(tx, current.prize_id);
    }

    const [reversed] = await tx.execute<{ reversed_at: Date; leaf_data: Buffer; unit_id: number }>(
      sql`
        update redemptions r
        set status = 'reversed', reversed_at = now(), reversed_by = ${adminId},
            reversal_reason = ${why}
        from ledger_entries e
        where r.id = ${redemptionId} and r.status in ('fulfilled', 'awaiting_action')
          and e.redemption_id = r.id and e.kind = 'redemption'
        returning r.reversed_at, r.unit_id, e.leaf_data`,
    );
    if (!reversed) throw new Error(`redemption ${redemptionId} has no ledger entry`);
    await tx.execute(sql`
      update drop_units set status = 'available'
      where id = ${Number(reversed.unit_id)} and status = 'claimed'`);
    // Like an expiry, the reversal repeats the redemption's prize, drop, value and player
    // commitment, so the public log pairs the two without revealing the player.
    const original = decodeRedemptionLeaf(new Uint8Array(reversed.leaf_data));
    const reversedAt = new Date(reversed.reversed_at);
    const leaf = encodeLeaf({ ...original, kind: "reversal", timeMs: reversedAt.getTime() });
    await tx.execute(sql`
      insert into ledger_entries (kind, redemption_id, leaf_data)
      values ('reversal', ${redemptionId}, decode(${Buffer.from(leaf).toString("hex")}, 'hex'))`);
    await recordEvent(tx, {
      ...context,
      actorId: adminId,
      action: "redemption_reverse",
      subject: `redemption:${redemptionId}`,
      outcome: "ok",
      reason: why,
      data: {
        before: { status: current.status, reversedAt: null, reversedBy: null, reason: null },
        after: {
          status: "reversed",
          reversedAt: reversedAt.toISOString(),
          reversedBy: adminId,
          reason: why,
        },
        unitId: Number(reversed.unit_id),
        dropId: current.drop_id,
        prizeId: current.prize_id,
      },
    });
    await notifyRedemptionReversed(tx, redemptionId, why);
    // Wakes the sequencer (the reversal leaf) and the live dashboard (a unit came back).
    await notify(tx, "ledger_entries");
    await notify(tx, "analytics", current.drop_id);
    return {
      redemptionId,
      reversedAt: reversedAt.toISOString(),
      reason: why,
      unitId: Number(reversed.unit_id),
    };
  });
}

/**
 * The returned unit needs an unused code of the prize beyond those the units already available
 * in live drops will take. The prize row lock makes two reversals of one prize take turns here.
 */
async function ensureSpareGiftCode(tx: Tx, prizeId: string): Promise<void> {
  await tx.execute(sql`select 1 from prizes where id = ${prizeId} for update`);
  const [counts] = await tx.execute<{ unused: number; waiting: number }>(sql`
    select
      (select count(*)::int from gift_codes
        where prize_id = ${prizeId} and redemption_id is null and quarantined_at is null) as unused,
      (select count(*)::int from drop_units u join drops d on d.id = u.drop_id
        where u.prize_id = ${prizeId} and u.status = 'available' and d.ends_at > now()) as waiting`);
  if (!counts || counts.unused <= counts.waiting) {
    throw new AppError(
      "gift_codes_exhausted",
      "No unused gift-card code is left for the returned unit: import more codes for this prize, then reverse",
      { unusedCodes: counts?.unused ?? 0, availableUnits: counts?.waiting ?? 0 },
    );
  }
}
