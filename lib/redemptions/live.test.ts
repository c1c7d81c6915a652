import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { sqlClient } from "@/db/client";
import { claimDrop } from "@/lib/claims/claim-drop";
import { recordDeliveryStep } from "@/lib/delivery/deliveries";
import { requestTokenPayout } from "@/lib/payouts/request-payout";
import { connectTestDb, createPlayers, createTestDrop } from "@/test/db";
import { createDeliveryFeeds, openDeliveryFeed } from "./live";
import type { PlayerDeliveries } from "./model";
import { getPlayerRedemption, listPlayerDeliveries } from "./redemptions";
import { reverseRedemption } from "./reverse-redemption";

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

  it("a crypto prize's payment moving reaches its player's feed, with its wallet and transaction", async () => {
    const [player = ""] = await createPlayers(db, 1);
    const drop = await createTestDrop(db, { units: 1, kind: "crypto" });
    const redemptionId = (await claimDrop(db, { dropId: drop.dropId, playerId: player })).redemption
      .id;
    await db.transaction((tx) =>
      requestTokenPayout(tx, { redemptionId, playerId: player, amountBaseUnits: 10n }),
    );
    const feeds = feedsOver([]);
    const seen: PlayerDeliveries[] = [];
    const checks: Array<() => void> = [];
    /** Resolves once the feed has sent the payout at this status. */
    const waitFor = (status: string) =>
      new Promise<void>((resolve) => {
        const check = () =>
          seen.some((v) => v.deliveries[0]?.delivery?.payout?.status === status) && resolve();
        checks.push(check);
        check();
      });
    const stop = feeds.feedFor(player).subscribe((view) => {
      seen.push(view);
      for (const check of checks) check();
    });
    await waitFor("awaiting_wallet");
    const wallet = `0x${"ab".repeat(20)}`;
    // As a wallet link does: the payout becomes due to the new address, the delivery unmoved.
    await db.execute(sql`
      update token_payouts set status = 'due', address = ${wallet}
      where redemption_id = ${redemptionId}`);
    await waitFor("due");
    stop();
    expect(seen.at(-1)?.deliveries[0]?.delivery?.payout).toEqual({
      status: "due",
      address: wallet,
      txHash: null,
      chainId: null,
    });
  });

  it("a payment waiting for a wallet of a reversed redemption reads cancelled, not 'link one'", async () => {
    const [player = ""] = await createPlayers(db, 1);
    const [admin = ""] = await createPlayers(db, 1, { role: "admin" });
    const drop = await createTestDrop(db, { units: 1, kind: "crypto" });
    const redemptionId = (await claimDrop(db, { dropId: drop.dropId, playerId: player })).redemption
      .id;
    await db.transaction((tx) =>
      requestTokenPayout(tx, { redemptionId, playerId: player, amountBaseUnits: 10n }),
    );
    expect((await getPlayerRedemption(db, player, redemptionId))?.delivery?.payout?.status).toBe(
      "awaiting_wallet",
    );
    await reverseRedemption(db, { redemptionId, adminId: admin, reason: "Duplicate" });
    const view = await getPlayerRedemption(db, player, redemptionId);
    expect(view?.delivery?.payout?.status).toBe("cancelled");
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
