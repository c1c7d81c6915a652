import "server-only";
import type { Db } from "@/db/client";
import { promotionPostings } from "./free-coins";
import { type NewWalletTransaction, postTransactions } from "./journal";
import { type Currency, currencies, parseCoins } from "./model";

export type Funding = Partial<Record<Currency, number>>;

/** "GC:1000,SC:50.5" → { GC: 100000, SC: 5050 }; null when malformed. */
export function parseFunding(text: string): Funding | null {
  const funding: Funding = {};
  for (const part of text.split(",")) {
    const [currency, amount, extra] = part.trim().split(":");
    const minor = parseCoins(amount ?? "");
    if (extra !== undefined || !currencies.includes(currency as Currency) || !minor) return null;
    if (funding[currency as Currency] !== undefined) return null;
    funding[currency as Currency] = minor;
  }
  return funding;
}

/** Players per database transaction: few round trips, locks held briefly. */
const BATCH = 1000;

/**
 * Funds load-test players through the journal, from promotions: one wallet transaction per
 * player, keyed `seed:<player>` (seeding twice funds once), free SC to play through as any.
 */
export async function fundPlayers(db: Db, userIds: readonly string[], funding: Funding) {
  for (let i = 0; i < userIds.length; i += BATCH) {
    const txns: NewWalletTransaction[] = userIds.slice(i, i + BATCH).map((userId) => ({
      kind: "grant",
      idempotencyKey: `seed:${userId}`,
      userId,
      reason: "seed:load",
      postings: currencies.flatMap((c) => {
        const amount = funding[c];
        return amount ? promotionPostings(userId, c, amount) : [];
      }),
    }));
    await db.transaction((tx) => postTransactions(tx, txns));
  }
}
