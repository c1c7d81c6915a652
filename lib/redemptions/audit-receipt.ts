import "server-only";
import { eq } from "drizzle-orm";
import { z } from "zod";
import type { DbOrTx } from "@/db/client";
import { redemptions } from "@/db/schema";
import type { ReceiptKind } from "./model";
import { getReceipt } from "./redemptions";

/**
 * Any redemption's receipt, read for an auditor: the very document its player gets (an auditor
 * checks what players were given, so nothing is left out), looked up by the redemption alone.
 */
export async function getReceiptForAudit(db: DbOrTx, redemptionId: string, kind: ReceiptKind) {
  if (!z.uuid().safeParse(redemptionId).success) return undefined;
  const [row] = await db
    .select({ playerId: redemptions.playerId })
    .from(redemptions)
    .where(eq(redemptions.id, redemptionId));
  return row && getReceipt(db, row.playerId, redemptionId, kind);
}
