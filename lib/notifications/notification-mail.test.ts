import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { jobOutbox, notifications, users } from "@/db/schema";
import { claimDrop } from "@/lib/claims/claim-drop";
import { recordDeliveryStep } from "@/lib/delivery/deliveries";
import { listMail } from "@/lib/mail/send-mail";
import { reverseRedemption } from "@/lib/redemptions/reverse-redemption";
import { connectTestDb, createPlayers, createTestDrop } from "@/test/db";
import { memoryLog } from "@/test/memory-log";
import { runNotificationMailJob } from "./notification-mail";
import { changeNotificationPreferences, unsubscribeFromMail } from "./preferences";

const db = connectTestDb(4);
const { log } = memoryLog();

/** A claim, and the mail job its notification queued in the claim's transaction. */
async function claimWithMailJob() {
  const drop = await createTestDrop(db, { units: 1 });
  const [playerId = ""] = await createPlayers(db, 1);
  await claimDrop(db, { dropId: drop.dropId, playerId });
  const [notification] = await db
    .select()
    .from(notifications)
    .where(eq(notifications.playerId, playerId));
  const jobs = await db
    .select({ data: jobOutbox.data })
    .from(jobOutbox)
    .where(
      sql`${jobOutbox.queue} = 'mail' and ${jobOutbox.data}->>'notificationId' = ${notification?.id ?? ""}`,
    );
  const [user] = await db.select().from(users).where(eq(users.id, playerId));
  return { playerId, notification, jobs, email: user?.email ?? "" };
}

describe("notification emails", () => {
  it("a claim queues one mail job; the job sends it once, with a link and a way out", async () => {
    const c = await claimWithMailJob();
    expect(c.jobs).toEqual([{ data: { notificationId: c.notification?.id } }]);
    const job = { notificationId: c.notification?.id ?? "" };
    expect(await runNotificationMailJob(db, log, job)).toBe("completed");
    // Run again (at least once): nothing more is sent.
    expect(await runNotificationMailJob(db, log, job)).toBe("completed");
    const mail = await listMail(db, { to: c.email });
    expect(mail).toHaveLength(1);
    expect(mail[0]?.subject).toBe("You claimed Test prize");
    expect(mail[0]?.text).toContain(`/redemptions/${c.notification?.redemptionId}`);
    expect(mail[0]?.text).toMatch(/Stop them .*\/unsubscribe\?token=[A-Za-z0-9_-]{32}$/m);
  });

  it("the unsubscribe link turns the player's mail off, and only theirs", async () => {
    const c = await claimWithMailJob();
    const other = await claimWithMailJob();
    await runNotificationMailJob(db, log, { notificationId: c.notification?.id ?? "" });
    const [sent] = await listMail(db, { to: c.email });
    const token = /token=([A-Za-z0-9_-]+)/.exec(sent?.text ?? "")?.[1] ?? "";
    await unsubscribeFromMail(db, token);
    await unsubscribeFromMail(db, token);
    for (const bad of [`${token}x`, "a\u0000b", "A".repeat(32)]) {
      await expect(unsubscribeFromMail(db, bad)).rejects.toMatchObject({ code: "invalid_link" });
    }

    const drop = await createTestDrop(db, { units: 1 });
    await claimDrop(db, { dropId: drop.dropId, playerId: c.playerId });
    const [later] = await db
      .select()
      .from(notifications)
      .where(sql`${notifications.playerId} = ${c.playerId} and ${notifications.mailedAt} is null`);
    await runNotificationMailJob(db, log, { notificationId: later?.id ?? "" });
    expect(await listMail(db, { to: c.email })).toHaveLength(1);

    await runNotificationMailJob(db, log, { notificationId: other.notification?.id ?? "" });
    expect(await listMail(db, { to: other.email })).toHaveLength(1);
  });

  it("a mail's own link stops mails like it only; the rest still come", async () => {
    const c = await claimWithMailJob();
    await runNotificationMailJob(db, log, { notificationId: c.notification?.id ?? "" });
    const [sent] = await listMail(db, { to: c.email });
    const link =
      /Stop mails like this one \(.+\): \S+\?token=([A-Za-z0-9_-]{32})&event=(\w+)$/m.exec(
        sent?.text ?? "",
      );
    expect(link?.[2]).toBe("confirmed");
    await unsubscribeFromMail(db, link?.[1] ?? "", "confirmed");

    const drop = await createTestDrop(db, { units: 1 });
    const { redemption } = await claimDrop(db, { dropId: drop.dropId, playerId: c.playerId });
    const later = await db
      .select()
      .from(notifications)
      .where(eq(notifications.redemptionId, redemption.id));
    expect(later.map((n) => n.kind)).toEqual(["redemption_confirmed"]);
    await runNotificationMailJob(db, log, { notificationId: later[0]?.id ?? "" });
    expect(await listMail(db, { to: c.email })).toHaveLength(1);

    // A delivery is another event: its mail still comes.
    await db.transaction((tx) =>
      recordDeliveryStep(tx, redemption.id, {
        status: "delivered",
        reference: "0x1",
        txHash: "0x1",
      }),
    );
    const [delivered] = await db
      .select()
      .from(notifications)
      .where(sql`${notifications.redemptionId} = ${redemption.id} and kind = 'delivery_delivered'`);
    await runNotificationMailJob(db, log, { notificationId: delivered?.id ?? "" });
    expect((await listMail(db, { to: c.email })).map((m) => m.subject)).toContain(
      "Test prize delivered",
    );
  });

  it("a reversal is mailed once with what it means, and not to a player who turned those off", async () => {
    const [adminId = ""] = await createPlayers(db, 1, { role: "admin" });
    const reverse = async (c: Awaited<ReturnType<typeof claimWithMailJob>>) => {
      const redemptionId = c.notification?.redemptionId ?? "";
      await reverseRedemption(db, { redemptionId, adminId, reason: "Duplicate account" });
      const [told] = await db
        .select()
        .from(notifications)
        .where(
          sql`${notifications.redemptionId} = ${redemptionId} and kind = 'redemption_reversed'`,
        );
      const job = { notificationId: told?.id ?? "" };
      await runNotificationMailJob(db, log, job);
      await runNotificationMailJob(db, log, job);
      return listMail(db, { to: c.email });
    };
    const mailed = await reverse(await claimWithMailJob());
    expect(mailed).toHaveLength(1);
    expect(mailed[0]?.subject).toBe("Test prize was taken back");
    expect(mailed[0]?.text).toContain("its code no longer works. Reason given: Duplicate account");
    expect(mailed[0]?.text).toMatch(/Stop mails like this one .*&event=reversed$/m);

    const quiet = await claimWithMailJob();
    await changeNotificationPreferences(
      db,
      quiet.playerId,
      { events: { reversed: { email: false } } },
      {},
    );
    expect(await reverse(quiet)).toHaveLength(0);
  });

  it("a job queued before a change of choice follows the new choice", async () => {
    const c = await claimWithMailJob();
    await changeNotificationPreferences(
      db,
      c.playerId,
      { events: { confirmed: { email: false } } },
      {},
    );
    await runNotificationMailJob(db, log, { notificationId: c.notification?.id ?? "" });
    expect(await listMail(db, { to: c.email })).toHaveLength(0);
    // Turned on again before a retry of the job: it is sent then.
    await changeNotificationPreferences(
      db,
      c.playerId,
      { events: { confirmed: { email: true } } },
      {},
    );
    await runNotificationMailJob(db, log, { notificationId: c.notification?.id ?? "" });
    expect(await listMail(db, { to: c.email })).toHaveLength(1);
  });
});
