import "server-only";
import { sql } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { notify } from "@/db/notify";
import { type RequestContext, recordEvent } from "@/lib/audit/record-event";
import { AppError } from "@/lib/errors/app-error";
import { findDelivery, recordDeliveryStep } from "./deliveries";
import {
  type DeliveryProviderName,
  type DeliveryStatus,
  type DeliveryView,
  type ShipmentStepInput,
  shipmentStepSchema,
} from "./model";

/** A redemption that ended: its unit went back to the drop, so its parcel stays home. */
const ENDED: ReadonlySet<string> = new Set(["reversed", "expired", "rejected"]);

/** The step each step must follow: a parcel is packed, then shipped, then delivered. */
const follows: Record<ShipmentStepInput["step"], string> = {
  packed: "pending",
  shipped: "packed",
  delivered: "shipped",
};

/**
 * An admin records a parcel's next step. It must follow the last one (packed after the address
 * was confirmed, shipped after packed, delivered after shipped): a second click or another admin
 * doing the same is told `out_of_order` and changes nothing, and so is a step of a redemption
 * reversed (or expired, rejected) after its parcel was packed. Delivered is the delivery's outcome,
 * logged with the hash of the tracking number. Each step is audited and shown to the player live.
 */
export async function advanceShipment(
  db: Db,
  input: { redemptionId: string; adminId: string; step: unknown },
  context: RequestContext & { tokenId?: string | null } = {},
): Promise<DeliveryView> {
  const step = shipmentStepSchema.parse(input.step);
  if (!z.uuid().safeParse(input.redemptionId).success) {
    throw new AppError("not_found", "No such redemption");
  }
  return db.transaction(async (tx) => {
    // The redemption first, shared: a reversal (which locks it, then its delivery) waits for this
    // step or is seen by it, in the same lock order.
    const [redemption] = await tx.execute<{ status: string }>(sql`
      select status from redemptions where id = ${input.redemptionId} for share`);
    if (redemption && ENDED.has(redemption.status)) {
      throw new AppError(
        "out_of_order",
        `The redemption was ${redemption.status}: its parcel must not go out`,
        { current: redemption.status },
      );
    }
    const [current] = await tx.execute<{
      provider: DeliveryProviderName;
      status: DeliveryStatus;
      shipment_step: string | null;
      player_id: string;
    }>(sql`
      select d.provider, d.status, d.shipment_step, r.player_id
      from deliveries d join redemptions r on r.id = d.redemption_id
      where d.redemption_id = ${input.redemptionId}
      for update of d`);
    if (!current) throw new AppError("not_found", "No such redemption");
    if (current.provider !== "shipping") {
      throw new AppError("bad_request", "This prize is not shipped: it has no parcel");
    }
    const at = current.status === "pending" ? "pending" : (current.shipment_step ?? current.status);
    if (at !== follows[step.step]) {
      throw new AppError(
        "out_of_order",
        current.status === "waiting"
          ? "The player has not confirmed a shipping address yet"
          : `The parcel is ${at === "pending" ? "not packed yet" : at}: it cannot be marked ${step.step} now`,
        { current: at },
      );
    }
    if (step.step === "delivered") {
      await recordDeliveryStep(tx, input.redemptionId, { status: "delivered", reference: null });
      await tx.execute(sql`
        update deliveries set shipment_step = null where redemption_id = ${input.redemptionId}`);
    } else {
      await tx.execute(sql`
        update deliveries set
          status = 'submitted', shipment_step = ${step.step}, updated_at = now(),
          submitted_at = coalesce(submitted_at, now()),
          carrier = ${step.step === "shipped" ? step.carrier : null},
          reference = ${step.step === "shipped" ? step.trackingNumber : null}
        where redemption_id = ${input.redemptionId}`);
      await notify(tx, "delivery", current.player_id);
    }
    await recordEvent(tx, {
      actorId: input.adminId,
      action: "shipment_step",
      subject: `redemption:${input.redemptionId}`,
      outcome: "ok",
      data: { before: { step: at }, after: step },
      ...context,
    });
    // The row was locked above: it is there.
    return (await findDelivery(tx, input.redemptionId)) as DeliveryView;
  });
}
