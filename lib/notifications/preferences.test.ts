import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditEvents, notificationPreferences } from "@/db/schema";
import { connectTestDb, createPlayers } from "@/test/db";
import { waitingOnLock } from "@/test/reset-race";
import {
  changeNotificationPreferences,
  channelsFor,
  getNotificationPreferences,
  unsubscribeFromMail,
  unsubscribeTokenFor,
} from "./preferences";

const db = connectTestDb(4);

describe("notification preferences", () => {
  it("give one token to two first emails at once, neither failing", async () => {
    const [playerId = ""] = await createPlayers(db, 1);
    // The first email's transaction has made the token, not committed yet, when the second asks.
    const { second } = await db.transaction(async (tx) => {
      await tx.execute(sql`
        insert into notification_preferences (player_id, unsubscribe_token)
        values (${playerId}, ${"f".repeat(32)})`);
      const asked = unsubscribeTokenFor(db, playerId).catch((error: unknown) => error);
      while (!(await waitingOnLock(db))) await new Promise((resolve) => setImmediate(resolve));
      // Wrapped: the transaction commits without waiting for the second, which waits for it.
      return { second: asked };
    });
    expect(await second).toBe("f".repeat(32));
  });

  it("are all on for a player who never chose", async () => {
    const [playerId = ""] = await createPlayers(db, 1);
    const prefs = await getNotificationPreferences(db, playerId);
    expect(prefs.inAppOnly).toBe(false);
    expect(Object.values(prefs.events)).toEqual(Array(5).fill({ email: true, push: true }));
    expect(await channelsFor(db, playerId, "next_step_reminder")).toEqual({
      email: true,
      push: true,
    });
  });

  it("change only the events and channels named, audited", async () => {
    const [playerId = ""] = await createPlayers(db, 1);
    const after = await changeNotificationPreferences(
      db,
      playerId,
      { events: { delivered: { email: false }, problem: { push: false } } },
      { ip: "192.0.2.1" },
    );
    expect(after.events.delivered).toEqual({ email: false, push: true });
    expect(after.events.problem).toEqual({ email: true, push: false });
    expect(after.events.confirmed).toEqual({ email: true, push: true });
    expect(await getNotificationPreferences(db, playerId)).toEqual(after);
    // A kind follows its event's choice.
    expect(await channelsFor(db, playerId, "delivery_dead")).toEqual({ email: true, push: false });
    const [event] = await db
      .select()
      .from(auditEvents)
      .where(eq(auditEvents.subject, `user:${playerId}`));
    expect(event).toMatchObject({ action: "notification_preferences_change", actorId: playerId });
  });

  it("in-app only turns every channel off; choosing one again turns only it on", async () => {
    const [playerId = ""] = await createPlayers(db, 1);
    const off = await changeNotificationPreferences(db, playerId, { inAppOnly: true }, {});
    expect(off.inAppOnly).toBe(true);
    const one = await changeNotificationPreferences(
      db,
      playerId,
      { events: { next_step: { email: true } } },
      {},
    );
    expect(one.inAppOnly).toBe(false);
    expect(one.events.next_step).toEqual({ email: true, push: false });
    expect(one.events.delivered).toEqual({ email: false, push: false });
  });

  it("two changes at once each keep their own events", async () => {
    const [playerId = ""] = await createPlayers(db, 1);
    await Promise.all([
      changeNotificationPreferences(db, playerId, { events: { delivered: { email: false } } }, {}),
      changeNotificationPreferences(db, playerId, { events: { reversed: { push: false } } }, {}),
    ]);
    const prefs = await getNotificationPreferences(db, playerId);
    expect(prefs.events.delivered.email).toBe(false);
    expect(prefs.events.reversed.push).toBe(false);
  });

  it("the unsubscribe link stops one event's mail, or all mail, and keeps the token", async () => {
    const [playerId = "", other = ""] = await createPlayers(db, 2);
    const token = await unsubscribeTokenFor(db, playerId);
    await unsubscribeTokenFor(db, other);
    await unsubscribeFromMail(db, token, "delivered");
    let prefs = await getNotificationPreferences(db, playerId);
    expect(prefs.events.delivered).toEqual({ email: false, push: true });
    expect(prefs.events.confirmed.email).toBe(true);
    await unsubscribeFromMail(db, token);
    await unsubscribeFromMail(db, token);
    prefs = await getNotificationPreferences(db, playerId);
    expect(Object.values(prefs.events).every((c) => !c.email && c.push)).toBe(true);
    expect((await getNotificationPreferences(db, other)).events.delivered.email).toBe(true);
    // A change on the account page keeps the token the mails carry.
    await changeNotificationPreferences(
      db,
      playerId,
      { events: { delivered: { email: true } } },
      {},
    );
    const [row] = await db
      .select()
      .from(notificationPreferences)
      .where(eq(notificationPreferences.playerId, playerId));
    expect(row?.unsubscribeToken).toBe(token);
    await expect(unsubscribeFromMail(db, token, "everything" as "delivered")).rejects.toMatchObject(
      { code: "invalid_link" },
    );
  });
});
