import "server-only";
import { and, eq, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { redemptions } from "@/db/schema";
import { payoutSignal, recordSignals } from "@/lib/abuse/account-links";
import { AppError } from "@/lib/errors/app-error";
import type { ShippingAddress } from "./model";

/**
 * Confirms where a physical prize goes. Only the owner, only while the claim awaits it and before
 * its deadline; the same status check as the expiry job, so exactly one of the two wins.
 */
export async function confirmShipping(
  db: DbOrTx,
  playerId: string,
  redemptionId: string,
  address: ShippingAddress,
): Promise<void> {
  const updated = await db
    .update(redemptions)
    .set({ shippingAddress: address, status: "fulfilled" })
    .where(
      and(
        eq(redemptions.id, redemptionId),
        eq(redemptions.playerId, playerId),
        eq(redemptions.status, "awaiting_action"),
        sql`${redemptions.actionDeadline} > now()`,
      ),
    )
    .returning({ id: redemptions.id });
  if (updated.length > 0) {
    // Accounts that have prizes sent to the same place are linked (multi-account detection).
    await recordSignals(db, [payoutSignal(playerId, address)]);
    return;
  }
  const [row] = await db
    .select({ status: redemptions.status })
    .from(redemptions)
    .where(and(eq(redemptions.id, redemptionId), eq(redemptions.playerId, playerId)));
  if (!row) throw new AppError("not_found", "No such redemption");
  if (row.status === "fulfilled") {
    throw new AppError("bad_request", "This prize does not need a shipping address (any more)");
  }
  throw new AppError("expired", "The time to confirm a shipping address has passed");
}
