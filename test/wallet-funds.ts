import { randomUUID } from "node:crypto";
import type { Db } from "@/db/client";
import { postTransactions } from "@/lib/wallet/journal";

/**
 * Gives a player Sweeps Coins through the journal, as an admin grant would: `playthrough` of
 * them must be wagered once before they are redeemable (0: all redeemable at once, as winnings).
 */
export async function fundPlayerSc(
  db: Db,
  playerId: string,
  amount: number,
  playthrough = 0,
): Promise<void> {
  await db.transaction((tx) =>
    postTransactions(tx, [
      {
        kind: "grant",
        idempotencyKey: `test-grant:${randomUUID()}`,
        userId: playerId,
        reason: "test funds",
        postings: [
          { account: { player: playerId, currency: "SC" }, amount, playthrough },
          { account: { system: "promotions", currency: "SC" }, amount: -amount },
        ],
      },
    ]),
  );
}
