import type postgres from "postgres";
import { describe, expect, it } from "vitest";
import { createPlayerFeeds } from "./player-feeds";

/** A LISTEN that hands its callback to the test, which plays the notifications. */
function fakeListen() {
  const heard: { notify?: (payload: string) => void } = {};
  const sql = {
    listen: async (_channel: string, onNotify: (payload: string) => void) => {
      heard.notify = onNotify;
      return { unlisten: async () => {} };
    },
  } as unknown as postgres.Sql;
  return { sql, heard };
}

const settled = () => new Promise((resolve) => setImmediate(resolve));

describe("player feeds", () => {
  it("reads a watched player again when named, or when the notification names nobody", async () => {
    const { sql, heard } = fakeListen();
    const reads: string[] = [];
    const feeds = createPlayerFeeds(
      sql,
      "delivery",
      async (id) => reads.push(id),
      () => {},
    );
    const stop = feeds.feedFor("p1").subscribe(() => {});
    await settled();
    expect(reads).toEqual(["p1"]);
    heard.notify?.("p2,p3");
    await settled();
    expect(reads).toEqual(["p1"]);
    heard.notify?.("p2,p1");
    await settled();
    expect(reads).toEqual(["p1", "p1"]);
    // Too many players to list in one notification: everyone watched is read again.
    heard.notify?.("");
    await settled();
    expect(reads).toEqual(["p1", "p1", "p1"]);
    stop();
    expect(feeds.watchedCount()).toBe(0);
  });
});
