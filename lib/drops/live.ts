import "server-only";
import { type Db, getDb, sqlClient } from "@/db/client";
import type { LiveFeed } from "@/lib/analytics/live";
import { AppError } from "@/lib/errors/app-error";
import { createPlayerFeeds, type PlayerFeeds } from "@/lib/live/player-feeds";
import { getDropLiveState } from "./drops";
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
  if (!(await getDropLiveState(getDb(), dropId))) {
    throw new AppError("not_found", "This drop does not exist");
  }
  return dropFeeds().feedFor(dropId);
}
