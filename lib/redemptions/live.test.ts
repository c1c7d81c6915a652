import { describe, expect, it } from "vitest";
import { sqlClient } from "@/db/client";
import { claimDrop } from "@/lib/claims/claim-drop";
import { recordDeliveryStep } from "@/lib/delivery/deliveries";
import { connectTestDb, createPlayers, createTestDrop } from "@/test/db";
import { createDeliveryFeeds, openDeliveryFeed } from "./live";
import type { PlayerDeliveries } from "./model";
import { listPlayerDeliveries } from "./redemptions";

const db = connectTestDb(4);

async function claimGiftCard(playerId: string): Promise<string> {
  const drop = await createTestDrop(db, { units: 1, kind: "gift_card" });
  return (await claimDrop(db, { dropId: drop.dropId, playerId })).redemption.id;
}

const feedsOver = (reads: string[]) =>
  createDeliveryFeeds(sqlClient(db), async (userId) => {
    reads.push(userId);
    return { deliveries: await listPlayerDeliveries(db, userId) };
  });

describe("live delivery feeds", () => {
  it("a delivery step of a watched player's redemption reaches their feed, and only theirs", async () => {
    const [watched = "", other = ""] = await createPlayers(db, 2);
    const mine = await claimGiftCard(watched);
    const theirs = await claimGiftCard(other);
    const reads: string[] = [];
    const feeds = feedsOver(reads);
    const seen: PlayerDeliveries[] = [];
    let resolveDelivered: () => void = () => {};
    const delivered = new Promise<void>((resolve) => {
      resolveDelivered = resolve;
    });
    let resolveFirst: () => void = () => {};
    const first = new Promise<void>((resolve) => {
      resolveFirst = resolve;
    });
    const stop = feeds.feedFor(watched).subscribe((view) => {
      seen.push(view);
      resolveFirst();
      if (view.deliveries[0]?.delivery?.status === "delivered") resolveDelivered();
    });
    await first;
    expect(seen[0]?.deliveries).toEqual([
      { redemptionId: mine, delivery: expect.objectContaining({ status: "pending" }) },
    ]);
    await db.transaction((tx) =>
      recordDeliveryStep(tx, theirs, { status: "delivered", reference: "other" }),
    );
    await db.transaction((tx) =>
      recordDeliveryStep(tx, mine, {
        status: "delivered",
        reference: "ORD-1",
        reward: { code: "CARD-1", pin: "1234", link: "https://cards.test/1" },
      }),
    );
    await delivered;
    stop();
    expect(seen.at(-1)?.deliveries[0]?.delivery).toMatchObject({
      status: "delivered",
      provider: "pool",
      reference: "ORD-1",
      reward: { code: "CARD-1", pin: "1234", link: "https://cards.test/1" },
    });
    expect(reads).not.toContain(other);
    expect(feeds.watchedCount()).toBe(0);
  });

  it("refuses a player's sixth open stream, and not another player's", async () => {
    const [player = "", other = ""] = await createPlayers(db, 2);
    const feeds = feedsOver([]);
    const open = (userId: string) => openDeliveryFeed(feeds, userId).subscribe(() => {});
    const streams = Array.from({ length: 5 }, () => open(player));
    expect(() => open(player)).toThrow(
      expect.objectContaining({ code: "rate_limited", status: 429 }),
    );
    const others = open(other);
    for (const stop of [...streams, others]) stop();
    expect(feeds.watchedCount()).toBe(0);
  });
});
