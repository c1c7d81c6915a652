import { describe, expect, it } from "vitest";
import { sqlClient } from "@/db/client";
import { connectTestDb, createPlayers } from "@/test/db";
import { grantCoins } from "./free-coins";
import { createWalletFeeds, MAX_STREAMS_PER_PLAYER, openWalletFeed } from "./live";
import type { WalletView } from "./model";
import { getBalances, toWalletView } from "./wallet";

const db = connectTestDb(4);

describe("live wallet feeds", () => {
  it("a grant committed for a watched player reaches their feed, and only theirs", async () => {
    const [watched = "", other = "", admin = ""] = await createPlayers(db, 3);
    const reads: string[] = [];
    const feeds = createWalletFeeds(sqlClient(db), async (userId) => {
      reads.push(userId);
      return toWalletView(await getBalances(db, userId));
    });
    const seen: WalletView[] = [];
    let resolveCredited: () => void = () => {};
    const credited = new Promise<void>((resolve) => {
      resolveCredited = resolve;
    });
    const stop = feeds.feedFor(watched).subscribe((view) => {
      seen.push(view);
      if (view.balances.GC === "12.00") resolveCredited();
    });
    await new Promise<void>((resolve) => {
      const wait = () => (seen.length > 0 ? resolve() : setTimeout(wait, 20));
      wait();
    });
    expect(seen[0]?.balances.GC).toBe("0.00");
    const grant = { adminId: admin, currency: "GC" as const, amount: 1200, reason: "t" };
    await grantCoins(db, { ...grant, userId: other, idempotencyKey: "a" });
    await grantCoins(db, { ...grant, userId: watched, idempotencyKey: "b" });
    await credited;
    stop();
    expect(reads).not.toContain(other);
    expect(feeds.watchedCount()).toBe(0);
  });

  it("refuses a player's sixth open stream, and lets one in once another closes", async () => {
    const [player = "", other = ""] = await createPlayers(db, 2);
    const feeds = createWalletFeeds(sqlClient(db), async (userId) =>
      toWalletView(await getBalances(db, userId)),
    );
    const open = (userId: string) => openWalletFeed(feeds, userId).subscribe(() => {});
    const streams = Array.from({ length: MAX_STREAMS_PER_PLAYER }, () => open(player));
    expect(() => open(player)).toThrow(
      expect.objectContaining({ code: "rate_limited", status: 429 }),
    );
    // Another player's streams do not count against this one's.
    const others = open(other);
    streams.shift()?.();
    streams.push(open(player));
    for (const stop of [...streams, others]) stop();
    expect(feeds.watchedCount()).toBe(0);
  });
});
