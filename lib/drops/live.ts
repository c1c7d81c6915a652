import "server-only";
import { type Db, getDb, sqlClient } from "@/db/client";
import type { LiveFeed } from "@/lib/analytics/live";
import { AppError } from "@/lib/errors/app-error";
import { createPlayerFeeds, type PlayerFeeds } from "@/lib/live/player-feeds";
import { dropExists, getDropLiveState } from "./drops";
import type { DropLiveState } from "./model";

const globalFeeds = globalThis as unknown as {
  prizeledgerDropFeeds?: PlayerFeeds<DropLiveState>;
};

/**
 * Feeds of drop pages, one per drop watched (keyed by drop id where player feeds key by
 * player). Claims, reversals and admin changes notify `analytics` with the drop's id (empty:
 * every drop), so only that drop is read again, once per burst, whichever instance served the
 * change.
 */
export function createDropFeeds(db: Db): PlayerFeeds<DropLiveState> {
  return createPlayerFeeds(sqlClient(db), "analytics", async (dropId) => {
    const state = await getDropLiveState(db, dropId);
    if (!state) throw new Error(`drop ${dropId} is gone`);
    return state;
  });
}

/** This process's drop feeds. */
function dropFeeds(): PlayerFeeds<DropLiveState> {
  globalFeeds.prizeledgerDropFeeds ??= createDropFeeds(getDb());
  return globalFeeds.prizeledgerDropFeeds;
}

/** The live feed of one drop, for its page's event stream; `not_found` for no such drop. */
export async function openDropFeed(dropId: string): Promise<LiveFeed<DropLiveState>> {
  // Only whether it exists: the feed reads the drop's state itself (once per drop watched).
  if (!(await dropExists(getDb(), dropId))) {
    throw new AppError("not_found", "This drop does not exist");
  }
  return dropFeeds().feedFor(dropId);
}

/** Drop streams one address may hold open on one web process (several tabs, a household's NAT). */
export const MAX_DROP_STREAMS_PER_ADDRESS = 20;
/** Drop streams one web process holds open at most: thousands watch a flash drop. */
export const MAX_DROP_STREAMS = 10_000;
/** A stream ends after this long; the browser reconnects by itself, a forgotten script does not. */
export const DROP_STREAM_MAX_MS = 30 * 60 * 1000;

/**
 * Counts the open drop streams of this process, per client address, so that one anonymous client
 * cannot hold thousands of them (each a socket, a timer and a subscriber every claim writes to).
 * `hold` refuses with `rate_limited` over a limit, and otherwise returns the feed wrapped so that
 * its stream's end gives the place back, once.
 */
export function createDropStreamLimits(
  perAddress = MAX_DROP_STREAMS_PER_ADDRESS,
  total = MAX_DROP_STREAMS,
) {
  const held = new Map<string, number>();
  let all = 0;
  return {
    hold<T>(feed: LiveFeed<T>, address: string | null): LiveFeed<T> {
      // Without an address (no proxy header where one was expected), only the total applies.
      const key = address ?? "";
      const mine = held.get(key) ?? 0;
      if (all >= total || (address !== null && mine >= perAddress)) {
        throw new AppError(
          "rate_limited",
          "Too many live drop pages are open from here: close some tabs and reload",
          { limit: address === null ? total : perAddress },
        );
      }
      held.set(key, mine + 1);
      all += 1;
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        all -= 1;
        const left = (held.get(key) ?? 1) - 1;
        if (left > 0) held.set(key, left);
        else held.delete(key);
      };
      return {
        ...feed,
        subscribe(send) {
          const unsubscribe = feed.subscribe(send);
          return () => {
            unsubscribe();
            release();
          };
        },
      };
    },
    open: () => all,
  };
}

const globalLimits = globalThis as unknown as {
  prizeledgerDropStreamLimits?: ReturnType<typeof createDropStreamLimits>;
};

/** This process's drop stream limits. */
export function dropStreamLimits(): ReturnType<typeof createDropStreamLimits> {
  globalLimits.prizeledgerDropStreamLimits ??= createDropStreamLimits();
  return globalLimits.prizeledgerDropStreamLimits;
}
