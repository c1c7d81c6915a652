import type { Db } from "@/db/client";
import { postTransactions } from "@/lib/wallet/journal";
import type { Currency } from "@/lib/wallet/model";

/**
 * Credits a player from the promotions account, as a grant does: by default free SC must be played
 * through once; `playthrough` 0 makes it all redeemable at once, as winnings are.
 */
export async function grantTestCoins(
  db: Db,
  player: string,
  currency: Currency,
  amount: number,
  playthrough = currency === "SC" ? amount : 0,
): Promise<void> {
  await db.transaction((tx) =>
    postTransactions(tx, [
      {
        kind: "grant",
        idempotencyKey: `test:${crypto.randomUUID()}`,
        userId: player,
        reason: "test",
        postings: [
          { account: { player, currency }, amount, playthrough },
          { account: { system: "promotions", currency }, amount: -amount },
        ],
      },
    ]),
  );
}
