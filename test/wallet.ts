import type { Db } from "@/db/client";
import { postTransactions } from "@/lib/wallet/journal";
import type { Currency } from "@/lib/wallet/model";

/** Credits a player from the promotions account, as a grant does (free SC must be played through). */
export async function grantTestCoins(
  db: Db,
  player: string,
  currency: Currency,
  amount: number,
): Promise<void> {
  await db.transaction((tx) =>
    postTransactions(tx, [
      {
        kind: "grant",
        idempotencyKey: `test:${crypto.randomUUID()}`,
        userId: player,
        reason: "test",
        postings: [
          { account: { player, currency }, amount, playthrough: currency === "SC" ? amount : 0 },
          { account: { system: "promotions", currency }, amount: -amount },
        ],
      },
    ]),
  );
}
