import "server-only";
import type postgres from "postgres";
import { getDb, sqlClient } from "@/db/client";
import type { LiveFeed } from "@/lib/analytics/live";
import { createPlayerFeeds, openPlayerFeed, type PlayerFeeds } from "@/lib/live/player-feeds";
import { logWarning } from "@/lib/log";
import type { PlayerDeliveries } from "./model";
import { listPlayerDeliveries } from "./redemptions";

/**
 * Live deliveries for the player's redemption pages: a trigger on deliveries (migration 0019)
 * notifies `delivery` with the players whose deliveries moved, whoever moved them (the worker, a
 * provider's webhook, an admin).
 */
export type DeliveryFeeds = PlayerFeeds<PlayerDeliveries>;

/** The player's delivery feed for one more stream, or `rate_limited` (429) past the cap. */
export function openDeliveryFeed(feeds: DeliveryFeeds, userId: string): LiveFeed<PlayerDeliveries> {
  return openPlayerFeed(feeds, userId, "delivery");
}

export function createDeliveryFeeds(
  sql: postgres.Sql,
  read: (userId: string) => Promise<PlayerDeliveries>,
  log = (message: string) => logWarning("delivery_feed", { message }),
): DeliveryFeeds {
  return createPlayerFeeds(sql, "delivery", read, log);
}

const globalFeeds = globalThis as unknown as { prizeledgerDeliveryFeeds?: DeliveryFeeds };

export function deliveryFeeds(): DeliveryFeeds {
  globalFeeds.prizeledgerDeliveryFeeds ??= createDeliveryFeeds(
    sqlClient(getDb()),
    async (userId) => ({
      deliveries: await listPlayerDeliveries(getDb(), userId),
    }),
  );
  return globalFeeds.prizeledgerDeliveryFeeds;
}
