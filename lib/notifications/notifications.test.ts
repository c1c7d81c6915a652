import { randomUUID } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { sqlClient } from "@/db/client";
import { jobOutbox, notifications, redemptions } from "@/db/schema";
import { claimDrop } from "@/lib/claims/claim-drop";
import { expireOverdueClaims } from "@/lib/claims/expire-claims";
import { recordDeliveryStep } from "@/lib/delivery/deliveries";
import { createPlayerFeeds } from "@/lib/live/player-feeds";
import { confirmShipping } from "@/lib/redemptions/confirm-shipping";
import { reverseRedemption } from "@/lib/redemptions/reverse-redemption";
import { connectTestDb, createPlayers, createTestDrop, TEST_SHIPPING_ADDRESS } from "@/test/db";
import type { UnreadCount } from "./model";
import {
  countUnread,
  listNotifications,
  markNotificationsRead,
  notifyPlayers,
  REMINDER_LEAD_MS,
  remindNextSteps,
} from "./notifications";

const db = connectTestDb(4);

async function claimOne(kind: "crypto" | "physical" = "crypto") {
  const drop = await createTestDrop(db, { units: 1, kind });
  const [playerId = ""] = await createPlayers(db, 1);
  const { redemption } = await claimDrop(db, { dropId: drop.dropId, playerId });
  return { ...drop, playerId, redemptionId: redemption.id };
}

const told = (playerId: string) =>
  db.select().from(notifications).where(eq(notifications.playerId, playerId));

describe("notifications", () => {
  it("tells a player of their claim, in the claim's transaction, with a link to it", async () => {
    const c = await claimOne();
    const page = await listNotifications(db, c.playerId);
    expect(page.unread).toBe(1);
    expect(page.notifications).toEqual([
      expect.objectContaining({
        kind: "redemption_confirmed",
        title: "You claimed Test prize",
        body: "It is confirmed, and we are delivering it now.",
        link: `/redemptions/${c.redemptionId}`,
        redemptionId: c.redemptionId,
        readAt: null,
      }),
    ]);
  });

  it("asks for a shipping address by the deadline for a physical prize", async () => {
    const c = await claimOne("physical");
    const rows = await told(c.playerId);
    expect(rows.find((r) => r.kind === "redemption_confirmed")?.body).toMatch(
      /^Add a shipping address by .+ UTC so we can send it\.$/,
    );
    expect(rows.find((r) => r.kind === "next_step_address")).toMatchObject({
      title: "Test prize: one step left for you",
      link: `/redemptions/${c.redemptionId}`,
      body: expect.stringMatching(/shipping address.* Do it by .+ UTC, or the prize goes back\.$/),
    });
    // Each is mailed, from the queue.
    const jobs = await db
      .select()
      .from(jobOutbox)
      .where(
        sql`${jobOutbox.queue} = 'mail' and ${jobOutbox.data}->>'notificationId' in ${rows.map((r) => r.id)}`,
      );
    expect(jobs).toHaveLength(2);
  });

  it("reminds of a next step once, a day before its deadline, even from two sweeps at once", async () => {
    const c = await claimOne("physical");
    const [r] = await db.select().from(redemptions).where(eq(redemptions.id, c.redemptionId));
    const deadline = r?.actionDeadline?.getTime() ?? 0;
    const reminders = async () =>
      (await told(c.playerId)).filter((n) => n.kind === "next_step_reminder");
    await remindNextSteps(db, new Date(deadline - REMINDER_LEAD_MS - 1000));
    expect(await reminders()).toHaveLength(0);
    const at = new Date(deadline - REMINDER_LEAD_MS + 1000);
    await Promise.all([remindNextSteps(db, at), remindNextSteps(db, at)]);
    await remindNextSteps(db, at);
    const [reminder, ...more] = await reminders();
    expect(more).toEqual([]);
    expect(reminder?.title).toMatch(/^Reminder: Test prize needs your next step by .+ UTC$/);
    const jobs = await db
      .select()
      .from(jobOutbox)
      .where(sql`${jobOutbox.data}->>'notificationId' = ${reminder?.id ?? ""}`);
    expect(jobs).toHaveLength(1);
  });

  it("reminds of no step already taken, nor of one past its deadline", async () => {
    const taken = await claimOne("physical");
    const late = await claimOne("physical");
    await confirmShipping(db, taken.playerId, taken.redemptionId, TEST_SHIPPING_ADDRESS);
    const [r] = await db.select().from(redemptions).where(eq(redemptions.id, late.redemptionId));
    await remindNextSteps(db, new Date((r?.actionDeadline?.getTime() ?? 0) + 1000));
    await remindNextSteps(db, new Date((r?.actionDeadline?.getTime() ?? 0) - 1000));
    const kinds = async (playerId: string) => (await told(playerId)).map((n) => n.kind);
    expect(await kinds(taken.playerId)).not.toContain("next_step_reminder");
    // The same sweep at a time before the deadline does remind the one still waiting.
    expect(await kinds(late.playerId)).toContain("next_step_reminder");
  });

  // Regression: the trigger that cancels a delivery cannot word a notification, and nothing else
  // told the player, so a cancelled delivery was never notified.
  it("tells a delivery cancelled because its redemption expired", async () => {
    const c = await claimOne("physical");
    await db
      .update(redemptions)
      .set({ actionDeadline: new Date(Date.now() - 60_000) })
      .where(eq(redemptions.id, c.redemptionId));
    await expireOverdueClaims(db);
    expect(await told(c.playerId)).toContainEqual(
      expect.objectContaining({
        kind: "delivery_cancelled",
        title: "Test prize: delivery cancelled",
        body: "The deadline for your next step passed, so the prize went back and will not be sent.",
      }),
    );
  });

  it("tells a delivery's outcome once, however often the step is recorded", async () => {
    const c = await claimOne();
    const step = { status: "delivered" as const, reference: "0xabc", txHash: "0xabc" };
    await db.transaction((tx) => recordDeliveryStep(tx, c.redemptionId, step));
    await db.transaction((tx) => recordDeliveryStep(tx, c.redemptionId, step));
    const rows = await told(c.playerId);
    expect(rows.map((r) => r.kind).sort()).toEqual(["delivery_delivered", "redemption_confirmed"]);
    expect(rows.find((r) => r.kind === "delivery_delivered")).toMatchObject({
      title: "Test prize delivered",
      body: "The tokens were paid to your wallet: the redemption shows the transaction.",
    });
  });

  it("tells a dead delivery, and a step that fails leaves no notification", async () => {
    const c = await claimOne();
    const dead = { status: "dead" as const, errorCode: "order_failed", error: "declined" };
    await db.transaction((tx) => recordDeliveryStep(tx, c.redemptionId, dead));
    expect((await told(c.playerId)).map((r) => r.kind).sort()).toEqual([
      "delivery_dead",
      "redemption_confirmed",
    ]);
    await expect(
      db.transaction(async (tx) => {
        await recordDeliveryStep(tx, c.redemptionId, { ...dead, status: "dead" });
        throw new Error("rolled back");
      }),
    ).rejects.toThrow("rolled back");
    expect(await told(c.playerId)).toHaveLength(2);
  });

  it("tells a reversal with what became of the prize and the admin's reason", async () => {
    const c = await claimOne();
    const [adminId = ""] = await createPlayers(db, 1, { role: "admin" });
    await reverseRedemption(db, { redemptionId: c.redemptionId, adminId, reason: "Duplicate" });
    expect(await told(c.playerId)).toContainEqual(
      expect.objectContaining({
        kind: "redemption_reversed",
        title: "Test prize was taken back",
        body: "An admin reversed this redemption. Your prize had not been sent, so it went back, and its code no longer works. Reason given: Duplicate",
      }),
    );
  });

  it("pages newest first, and refuses another player's cursor", async () => {
    const [playerId = "", other = ""] = await createPlayers(db, 2);
    await db.transaction((tx) =>
      notifyPlayers(
        tx,
        [1, 2, 3].map((i) => ({
          playerId,
          kind: "redemption_confirmed" as const,
          title: `n${i}`,
          body: "b",
          link: null,
          redemptionId: null,
        })),
      ),
    );
    const first = await listNotifications(db, playerId, { limit: 2 });
    expect(first.notifications).toHaveLength(2);
    expect(first.nextCursor).not.toBeNull();
    const second = await listNotifications(db, playerId, {
      limit: 2,
      cursor: first.nextCursor ?? "",
    });
    expect(second.nextCursor).toBeNull();
    const titles = [...first.notifications, ...second.notifications].map((n) => n.title);
    expect(new Set(titles)).toEqual(new Set(["n1", "n2", "n3"]));
    await expect(
      listNotifications(db, other, { cursor: first.nextCursor ?? "" }),
    ).rejects.toMatchObject({ code: "not_found" });
    await expect(listNotifications(db, playerId, { cursor: randomUUID() })).rejects.toMatchObject({
      code: "not_found",
    });
  });

  it("marks only the caller's own notifications read", async () => {
    const mine = await claimOne();
    const theirs = await claimOne();
    const [theirRow] = await told(theirs.playerId);
    const [myRow] = await told(mine.playerId);
    expect(
      await markNotificationsRead(db, mine.playerId, {
        ids: [theirRow?.id ?? "", myRow?.id ?? ""],
      }),
    ).toEqual({ marked: 1, unread: 0 });
    expect(await countUnread(db, theirs.playerId)).toEqual({ unread: 1 });
    expect(await markNotificationsRead(db, theirs.playerId, { all: true })).toEqual({
      marked: 1,
      unread: 0,
    });
    // Marking again is no error, and changes nothing.
    expect(await markNotificationsRead(db, theirs.playerId, { all: true })).toEqual({
      marked: 0,
      unread: 0,
    });
  });

  it("a claim committed for a watched player moves their unread count live", async () => {
    const drop = await createTestDrop(db, { units: 1 });
    const [playerId = ""] = await createPlayers(db, 1);
    const feeds = createPlayerFeeds(sqlClient(db), "notifications", (userId) =>
      countUnread(db, userId),
    );
    const seen: UnreadCount[] = [];
    let resolveTold: () => void = () => {};
    const toldOnce = new Promise<void>((resolve) => {
      resolveTold = resolve;
    });
    let resolveFirst: () => void = () => {};
    const first = new Promise<void>((resolve) => {
      resolveFirst = resolve;
    });
    const stop = feeds.feedFor(playerId).subscribe((view) => {
      seen.push(view);
      resolveFirst();
      if (view.unread === 1) resolveTold();
    });
    await first;
    expect(seen[0]).toEqual({ unread: 0 });
    await claimDrop(db, { dropId: drop.dropId, playerId });
    await toldOnce;
    stop();
    expect(feeds.watchedCount()).toBe(0);
  });
});
