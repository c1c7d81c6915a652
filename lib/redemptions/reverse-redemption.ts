import "server-only";
import { sql } from "drizzle-orm";
import { z } from "zod";
import type { Db, Tx } from "@/db/client";
import { notify } from "@/db/notify";
import type { RequestContext } from "@/lib/audit/record-event";
import { recordEvent } from "@/lib/audit/record-event";
import type { DeliveryProviderName, DeliveryStatus } from "@/lib/delivery/model";
import { AppError } from "@/lib/errors/app-error";
import { enqueueJobs } from "@/lib/jobs/outbox";
import { decodeRedemptionLeaf, encodeLeaf } from "@/lib/ledger/leaf";
import { notifyRedemptionReversed } from "@/lib/notifications/notifications";
import type { PayoutStatus } from "@/lib/payouts/model";
import type { PrizeKind } from "@/lib/prizes/model";
import type { RedemptionStatus } from "./model";
import { type Reversal, type ReversalRequest, reversalSchema } from "./model";
import type { PrizeCancelJob } from "./reverse-delivery";

/**
 * An admin takes a redemption back: it is marked reversed and a reversal entry goes to the ledger
 * (anchored like any other). The row locks plus the status check make it happen once: a second
 * click, another admin, or the expiry job running at the same moment find the redemption already
 * reversed or expired and change nothing.
 *
 * Its unit goes back to the drop only if the prize did not go out (`prizeFate`): a prize that
 * went out stays consumed, or the drop would in effect give it twice. A gift card at the provider
 * is cancelled there by a job (lib/redemptions/reverse-delivery.ts), which returns the unit once
 * the provider confirms. A pool code given back would need a fresh code for its next claimant:
 * if the pool has none to spare, the reversal is refused rather than put back a unit that every
 * claim would answer "sold out".
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
    // The rows are locked first, and only then read: the read's snapshot then holds whatever the
    // holders we waited for committed. Read in the locking statement, the payout's status would be
    // as it was before the wait, and a payout signed meanwhile (signNextBatch holds the redemption
    // shared) would pass for unpaid: the unit back in the drop, and the tokens sent as well.
    // The delivery's row too: a job recording its step waits, then finds the redemption ended.
    await tx.execute(sql`
      select 1 from redemptions r join deliveries dl on dl.redemption_id = r.id
      where r.id = ${redemptionId}
      for update of r, dl`);
    const [current] = await tx.execute<
      {
        status: RedemptionStatus;
        unit_id: number;
        drop_id: string;
        prize_id: string;
        prize_kind: PrizeKind;
        drop_live: boolean;
        from_pool: boolean;
        reversed_at: Date | null;
      } & FateRow
    >(sql`
      select r.status, r.unit_id, r.drop_id, r.prize_id, p.kind as prize_kind, r.reversed_at,
             p.kind = 'gift_card' and coalesce(p.delivery_provider, 'pool') = 'pool' as from_pool,
             d.ends_at > now() as drop_live,
             dl.provider, dl.status as delivery_status, dl.shipment_step,
             exists (select 1 from gift_codes g where g.redemption_id = r.id) as code_given,
             (select t.status from token_payouts t where t.redemption_id = r.id) as payout_status
      from redemptions r
        join prizes p on p.id = r.prize_id
        join drops d on d.id = r.drop_id
        join deliveries dl on dl.redemption_id = r.id
      where r.id = ${redemptionId}`);
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
    const fate = prizeFate(current);
    // A unit given back needs a code for its next claimant, when codes come from the pool.
    if (fate === "returned" && current.from_pool && current.drop_live) {
      await ensureSpareGiftCode(tx, current.prize_id);
    }

    const [reversed] = await tx.execute<{ reversed_at: Date; leaf_data: Buffer; unit_id: number }>(
      sql`
        update redemptions r
        set status = 'reversed', reversed_at = now(), reversed_by = ${adminId},
            reversal_reason = ${why}, prize_recovery = ${fate}
        from ledger_entries e
        where r.id = ${redemptionId} and r.status in ('fulfilled', 'awaiting_action')
          and e.redemption_id = r.id and e.kind = 'redemption'
        returning r.reversed_at, r.unit_id, e.leaf_data`,
    );
    if (!reversed) throw new Error(`redemption ${redemptionId} has no ledger entry`);
    if (fate === "returned") await returnUnit(tx, Number(reversed.unit_id));
    // A packed parcel (submitted, which the redemptions trigger leaves alone: a gift card's order
    // needs its cancel job) stays home: cancelled, or the player and admins would see it packed,
    // on its way, for ever, with no step left that an admin may take.
    if (fate === "returned" && current.provider === "shipping") {
      await tx.execute(sql`
        update deliveries set status = 'cancelled', shipment_step = null, updated_at = now()
        where redemption_id = ${redemptionId} and status = 'submitted'`);
    }
    if (fate === "cancelling") {
      const job: PrizeCancelJob = { redemptionId, action: "cancel" };
      await enqueueJobs(tx, [{ queue: "delivery", data: job }]);
    }
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
        prize: fate,
        unitId: Number(reversed.unit_id),
        dropId: current.drop_id,
        prizeId: current.prize_id,
      },
    });
    await notifyRedemptionReversed(tx, redemptionId, why, fate);
    // Wakes the sequencer (the reversal leaf) and the live dashboard (a unit came back).
    await notify(tx, "ledger_entries");
    await notify(tx, "analytics", current.drop_id);
    return {
      redemptionId,
      reversedAt: reversedAt.toISOString(),
      reason: why,
      unitId: Number(reversed.unit_id),
      prize: fate,
    };
  });
}

type FateRow = {
  provider: DeliveryProviderName;
  delivery_status: DeliveryStatus;
  shipment_step: "packed" | "shipped" | null;
  code_given: boolean;
  payout_status: PayoutStatus | null;
};

/**
 * Whether a reversed redemption's prize had gone out. A pool code is shown at the claim; a gift
 * card at the provider (or maybe on its way there: a job may be submitting it) is cancelled
 * first; tokens are gone once their transfer is signed; a parcel once shipped.
 */
function prizeFate(row: FateRow): "returned" | "cancelling" | "lost" {
  switch (row.provider) {
    case "pool":
      return row.code_given ? "lost" : "returned";
    case "giftcard":
      return row.delivery_status === "waiting" || row.delivery_status === "cancelled"
        ? "returned"
        : "cancelling";
    case "token":
      return row.delivery_status === "submitted" ||
        row.delivery_status === "delivered" ||
        (row.payout_status !== null && SENT_PAYOUTS.has(row.payout_status))
        ? "lost"
        : "returned";
    case "shipping":
      return row.shipment_step === "shipped" || row.delivery_status === "delivered"
        ? "lost"
        : "returned";
  }
}

const SENT_PAYOUTS: ReadonlySet<PayoutStatus> = new Set(["signed", "sent", "confirmed"]);

/** The unit is free for the next claim (once: a unit held by another claim is left alone). */
export async function returnUnit(tx: Tx, unitId: number): Promise<void> {
  await tx.execute(sql`
    update drop_units set status = 'available' where id = ${unitId} and status = 'claimed'`);
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
