import "server-only";
import { and, desc, eq } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { redemptions } from "@/db/schema";

/**
 * The player's redemptions of a drop, newest first: every one counts toward the drop's
 * per-player limit, whatever became of it (reversed, expired).
 */
export async function findPlayerDropClaims(
  db: DbOrTx,
  dropId: string,
  playerId: string,
): Promise<string[]> {
  const rows = await db
    .select({ id: redemptions.id })
    .from(redemptions)
    .where(and(eq(redemptions.dropId, dropId), eq(redemptions.playerId, playerId)))
    .orderBy(desc(redemptions.claimSeq));
  return rows.map((r) => r.id);
}
