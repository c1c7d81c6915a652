import "server-only";
import type postgres from "postgres";
import type { NotifyChannel } from "@/db/notify";
import type { LiveFeed, Subscriber } from "@/lib/analytics/live";
import { AppError } from "@/lib/errors/app-error";
import { logWarning } from "@/lib/log";

/**
 * Live views of one player each (balances, deliveries) for the pages they have open. One LISTEN
 * per channel per process, held while anyone watches; a notification names the players whose
 * view changed (joined by commas; empty for everyone), and only the watched ones among them are
 * read again, once per burst.
 */
export type PlayerFeeds<T> = {
  /** The feed of one player's view, for eventStream. */
  feedFor(userId: string): LiveFeed<T>;
  watchedCount(): number;
};

/**
 * Open streams of one kind one player may hold in one web process: a few tabs and devices, not a
 * loop of EventSources holding the process's sockets and timers.
 */
export const MAX_STREAMS_PER_PLAYER = 5;

/**
 * The player's feed for one more stream, or `rate_limited` (429) when they hold the most already.
 * The newcomer is refused rather than the oldest closed: a closed stream's browser reconnects
 * and would close the next oldest in turn, for ever. Subscribe before any await, so that the
 * count checked is the count held.
 */
export function openPlayerFeed<T>(
  feeds: PlayerFeeds<T>,
  userId: string,
  what: string,
): LiveFeed<T> {
  const feed = feeds.feedFor(userId);
  if (feed.subscriberCount() >= MAX_STREAMS_PER_PLAYER) {
    throw new AppError(
      "rate_limited",
      `At most ${MAX_STREAMS_PER_PLAYER} live ${what} streams at once: close another tab`,
      { limit: MAX_STREAMS_PER_PLAYER },
    );
  }
  return feed;
}

type Watch<T> = {
  subscribers: Set<Subscriber<T>>;
  latest?: T;
  running: boolean;
  dirty: boolean;
};

export function createPlayerFeeds<T>(
  sql: postgres.Sql,
  channel: NotifyChannel,
  read: (userId: string) => Promise<T>,
  log = (message: string) => logWarning(`${channel}_feed`, { message }),
): PlayerFeeds<T> {
  const watches = new Map<string, Watch<T>>();
  let listener: Promise<{ unlisten: () => Promise<void> } | undefined> | undefined;

  async function refresh(userId: string): Promise<void> {
    const watch = watches.get(userId);
    if (!watch) return;
    if (watch.running) {
      watch.dirty = true;
      return;
    }
    watch.running = true;
    watch.dirty = false;
    try {
      const view = await read(userId);
      if (watches.get(userId) !== watch) return;
      watch.latest = view;
      for (const send of watch.subscribers) send(view);
    } catch (error) {
      log(`${channel} view of ${userId} not read: ${(error as Error).message}`);
    } finally {
      watch.running = false;
      if (watch.dirty) void refresh(userId);
    }
  }

  function refreshAll(): void {
    for (const userId of watches.keys()) void refresh(userId);
  }

  function onNotify(payload: string): void {
    // Empty: the list of players would not fit a notification (a trigger's bulk update).
    if (payload === "") {
      refreshAll();
      return;
    }
    for (const userId of payload.split(",")) {
      if (watches.has(userId)) void refresh(userId);
    }
  }

  function start(): void {
    // After a reconnect postgres.js calls onlisten again: whatever moved meanwhile is read then.
    listener = sql.listen(channel, onNotify, refreshAll).catch((error: Error) => {
      log(`${channel} LISTEN failed, views refresh on reconnect only: ${error.message}`);
      return undefined;
    });
  }

  function stop(): void {
    const held = listener;
    listener = undefined;
    void held?.then((l) => l?.unlisten()).catch(() => {});
  }

  return {
    feedFor(userId) {
      return {
        subscribe(send) {
          let watch = watches.get(userId);
          if (!watch) {
            watch = { subscribers: new Set(), running: false, dirty: false };
            watches.set(userId, watch);
          }
          watch.subscribers.add(send);
          if (!listener) start();
          if (watch.latest) send(watch.latest);
          else void refresh(userId);
          return () => {
            const current = watches.get(userId);
            if (!current?.subscribers.delete(send)) return;
            if (current.subscribers.size === 0) watches.delete(userId);
            if (watches.size === 0) stop();
          };
        },
        poke: () => void refresh(userId),
        subscriberCount: () => watches.get(userId)?.subscribers.size ?? 0,
      };
    },
    watchedCount: () => watches.size,
  };
}
