import "server-only";
import { sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { type Currency, formatCoins, type WalletView } from "./model";

export type WalletBalances = Record<Currency, number> & { redeemableSC: number };

/** A player's balances in minor units (zero for a currency never used). */
export async function getBalances(db: DbOrTx, userId: string): Promise<WalletBalances> {
  const rows = await db.execute<{ currency: Currency; balance: string; playthrough_due: string }>(
    sql`select currency, balance, playthrough_due from wallet_accounts
        where kind = 'player' and user_id = ${userId}`,
  );
  const balances: WalletBalances = { GC: 0, SC: 0, redeemableSC: 0 };
  for (const r of rows) {
    balances[r.currency] = Number(r.balance);
    if (r.currency === "SC") balances.redeemableSC = Number(r.balance) - Number(r.playthrough_due);
  }
  return balances;
}

/** What GET /api/v1/wallet answers. */
export function toWalletView(b: WalletBalances): WalletView {
  return {
    balances: { GC: formatCoins(b.GC), SC: formatCoins(b.SC) },
    redeemableSC: formatCoins(b.redeemableSC),
  };
}
