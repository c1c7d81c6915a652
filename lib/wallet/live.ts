import "server-only";
import type postgres from "postgres";
import { getDb, sqlClient } from "@/db/client";
import type { LiveFeed } from "@/lib/analytics/live";
import { createPlayerFeeds, openPlayerFeed, type PlayerFeeds } from "@/lib/live/player-feeds";
import { logWarning } from "@/lib/log";
import type { WalletView } from "./model";
import { getBalances, toWalletView } from "./wallet";

export { MAX_STREAMS_PER_PLAYER } from "@/lib/live/player-feeds";

/**
 * Live balances for the site header: postTransactions notifies `wallet` at commit with the
 * players whose balances moved.
 */
export type WalletFeeds = PlayerFeeds<WalletView>;

/** The player's balance feed for one more stream, or `rate_limited` (429) past the cap. */
export function openWalletFeed(feeds: WalletFeeds, userId: string): LiveFeed<WalletView> {
  return openPlayerFeed(feeds, userId, "balance");
}

export function createWalletFeeds(
  sql: postgres.Sql,
  read: (userId: string) => Promise<WalletView>,
  log = (message: string) => logWarning("wallet_feed", { message }),
): WalletFeeds {
  return createPlayerFeeds(sql, "wallet", read, log);
}

const globalFeeds = globalThis as unknown as { prizeledgerWalletFeeds?: WalletFeeds };

/** This process's wallet feeds: a round or purchase served by any instance reaches them. */
export function walletFeeds(): WalletFeeds {
  globalFeeds.prizeledgerWalletFeeds ??= createWalletFeeds(sqlClient(getDb()), async (userId) =>
    toWalletView(await getBalances(getDb(), userId)),
  );
  return globalFeeds.prizeledgerWalletFeeds;
}
