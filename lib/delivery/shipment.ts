import "server-only";
import { sql } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { notify } from "@/db/notify";
import { type RequestContext, recordEvent } from "@/lib/audit/record-event";
import { AppError } from "@/lib/errors/app-error";
import { recordDeliveryStep, toView } from "./deliveries";
import {
  type DeliveryProviderName,
  type DeliveryStatus,
  type DeliveryView,
  type ShipmentStepInput,
  shipmentStepSchema,
} from "./model";

/** The step each step must follow: a parcel is packed, then shipped, then delivered. */
const follows: Record<ShipmentStepInput["step"], string> = {
  packed: "pending",
  shipped: "packed",
  delivered: "shipped",
};

/**
 * An admin records a parcel's next step. It must follow the last one (packed after the address
 * was confirmed, shipped after packed, delivered after shipped): a second click or another admin
 * doing the same is told `out_of_order` and changes nothing. Delivered is the delivery's outcome,
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
    const [row] = await tx.execute<Parameters<typeof toView>[0]>(sql`
      select status, provider, reference, tx_hash, shipment_step, carrier, updated_at::text
      from deliveries where redemption_id = ${input.redemptionId}`);
    return toView(row as Parameters<typeof toView>[0]);
  });
}
