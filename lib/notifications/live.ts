import "server-only";
import { getDb, sqlClient } from "@/db/client";
import type { LiveFeed } from "@/lib/analytics/live";
import { createPlayerFeeds, openPlayerFeed, type PlayerFeeds } from "@/lib/live/player-feeds";
import type { UnreadCount } from "./model";
import { countUnread } from "./notifications";

/** The bell's unread count, read again for a watched player whenever `notifications` names them. */
export type NotificationFeeds = PlayerFeeds<UnreadCount>;

/** The player's feed for one more stream, or `rate_limited` (429) when they hold the most. */
export function openNotificationFeed(
  feeds: NotificationFeeds,
  userId: string,
): LiveFeed<UnreadCount> {
  return openPlayerFeed(feeds, userId, "notification");
}

const globalFeeds = globalThis as unknown as { prizeledgerNotificationFeeds?: NotificationFeeds };

/** This process's notification feeds: a claim or a delivery on any instance reaches them. */
export function notificationFeeds(): NotificationFeeds {
  globalFeeds.prizeledgerNotificationFeeds ??= createPlayerFeeds(
    sqlClient(getDb()),
    "notifications",
    (userId) => countUnread(getDb(), userId),
  );
  return globalFeeds.prizeledgerNotificationFeeds;
}
