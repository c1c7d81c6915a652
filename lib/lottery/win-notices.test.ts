import type { AddressInfo } from "node:net";
import { and, eq, inArray, sql } from "drizzle-orm";
import { SMTPServer } from "smtp-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEvents, drops, lotteryWinNotices, redemptions, users } from "@/db/schema";
import { expireOverdueClaims } from "@/lib/claims/expire-claims";
import { env } from "@/lib/config/env";
import { formatDateTime } from "@/lib/format";
import { listMail } from "@/lib/mail/send-mail";
import { confirmShipping } from "@/lib/redemptions/confirm-shipping";
import { connectTestDb, createPlayers, createTestDrop } from "@/test/db";
import { enterLottery, runDueDraws } from "./lottery";
import { mailWinNotices, WIN_MAIL_ATTEMPTS } from "./win-notices";

const db = connectTestDb(10);

// Real SMTP servers: one that refuses "bounce-" recipients for good (550), and one that is down
// for maintenance, answering every connection with 421.
const delivered: string[] = [];
const server = new SMTPServer({
  disabledCommands: ["STARTTLS", "AUTH"],
  logger: false,
  onRcptTo(address, _session, callback) {
    if (address.address.startsWith("bounce-")) {
      callback(Object.assign(new Error("Mailbox unavailable"), { responseCode: 550 }));
    } else {
      callback();
    }
  },
  onData(stream, session, callback) {
    stream.resume();
    stream.on("end", () => {
      delivered.push(...session.envelope.rcptTo.map((r) => r.address));
      callback();
    });
  },
});
const down = new SMTPServer({
  logger: false,
  onConnect(_session, callback) {
    callback(Object.assign(new Error("Down for maintenance"), { responseCode: 421 }));
  },
});
const from = "Prizeledger Tests <no-reply@prizeledger.test>";
let up = { smtpUrl: "", from };
let outage = { smtpUrl: "", from };

const listen = async (s: SMTPServer) => {
  await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve));
  return `smtp://127.0.0.1:${(s.server.address() as AddressInfo).port}`;
};
beforeAll(async () => {
  up = { smtpUrl: await listen(server), from };
  outage = { smtpUrl: await listen(down), from };
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await new Promise<void>((resolve) => down.close(() => resolve()));
});

type Winner = { id: string; playerId: string; email: string };

/** A lottery of `count` units and as many entrants, drawn: each entrant wins one. */
async function drawWinners(
  count: number,
  kind: "physical" | "crypto" = "crypto",
): Promise<Winner[]> {
  const { dropId } = await createTestDrop(db, { units: count, kind, allocation: "lottery" });
  for (const playerId of await createPlayers(db, count)) {
    await enterLottery(db, { dropId, playerId });
  }
  await db
    .update(drops)
    .set({ endsAt: sql`now() - interval '1 second'` })
    .where(eq(drops.id, dropId));
  await runDueDraws(db);
  return db
    .select({ id: redemptions.id, playerId: redemptions.playerId, email: users.email })
    .from(redemptions)
    .innerJoin(users, eq(users.id, redemptions.playerId))
    .where(eq(redemptions.dropId, dropId));
}

const noticesOf = (ids: string[]) =>
  db.select().from(lotteryWinNotices).where(inArray(lotteryWinNotices.redemptionId, ids));

const abandonEvents = (redemptionId: string) =>
  db
    .select({ reason: auditEvents.reason, data: auditEvents.data })
    .from(auditEvents)
    .where(
      and(
        eq(auditEvents.action, "lottery_win_mail_abandoned"),
        eq(auditEvents.subject, `redemption:${redemptionId}`),
      ),
    );

describe("lottery winners", () => {
  it("a physical prize won at the draw gets its deadline from the draw, and one mail", async () => {
    const [{ id, playerId, email }] = (await drawWinners(1, "physical")) as [Winner];
    const [won] = await db
      .select({
        id: redemptions.id,
        status: redemptions.status,
        actionDeadline: redemptions.actionDeadline,
        drawnAt: drops.drawnAt,
      })
      .from(redemptions)
      .innerJoin(drops, eq(drops.id, redemptions.dropId))
      .where(eq(redemptions.id, id));
    if (!won?.actionDeadline || !won.drawnAt) throw new Error("no deadline or draw");
    expect(won.status).toBe("awaiting_action");
    expect(won.actionDeadline.getTime() - won.drawnAt.getTime()).toBe(
      env().LOTTERY_ACTION_HOURS * 3_600_000,
    );

    // The notice was written with the draw; the worker mails it once, however many run it.
    const mailed = await Promise.all([mailWinNotices(db), mailWinNotices(db)]);
    expect(mailed.reduce((n, m) => n + m.mailed, 0)).toBe(1);
    expect((await mailWinNotices(db)).mailed).toBe(0);
    const mail = await listMail(db, { to: email });
    expect(mail).toHaveLength(1);
    expect(mail[0]?.subject).toBe("You won Test prize in the draw of Test drop");
    expect(mail[0]?.text).toContain(`/redemptions/${won.id}`);
    expect(mail[0]?.text).toContain(`by ${formatDateTime(won.actionDeadline)}`);
    const [notice] = await db
      .select({ mailedAt: lotteryWinNotices.mailedAt })
      .from(lotteryWinNotices)
      .where(eq(lotteryWinNotices.redemptionId, won.id));
    expect(notice?.mailedAt).not.toBeNull();

    // The expiry job leaves it alone, and the winner can still say where it goes.
    await expireOverdueClaims(db);
    await confirmShipping(db, playerId, won.id, {
      name: "Winner",
      line1: "1 Main St",
      line2: "",
      city: "Springfield",
      postalCode: "12345",
      country: "US",
    });
  });

  it("gives a refused winner up at once, on record, and mails the others", async () => {
    const [refused, fine] = (await drawWinners(2)) as [Winner, Winner];
    await db
      .update(users)
      .set({ email: `bounce-${refused.playerId}@test.invalid` })
      .where(eq(users.id, refused.playerId));

    expect(await mailWinNotices(db, { mail: up })).toMatchObject({ mailed: 1, abandoned: 1 });
    expect(delivered).toContain(fine.email);
    // A 550 is for good: the next runs do not send it again.
    expect(await mailWinNotices(db, { mail: up })).toEqual({
      mailed: 0,
      failed: 0,
      abandoned: 0,
      skipped: 0,
    });
    const [notice] = await noticesOf([refused.id]);
    expect(notice?.mailedAt).toBeNull();
    expect(notice?.abandonedAt).not.toBeNull();
    expect(notice?.attempts).toBe(1);
    expect(notice?.lastError).toMatch(/Mailbox unavailable/);
    const events = await abandonEvents(refused.id);
    expect(events).toHaveLength(1);
    expect(events[0]?.data).toMatchObject({ error: expect.stringMatching(/Mailbox unavailable/) });
  });

  it("ends the run at the first send the server cannot take, and waits before the next", async () => {
    const won = await drawWinners(3);
    const ids = won.map((w) => w.id);

    expect(await mailWinNotices(db, { mail: outage })).toEqual({
      mailed: 0,
      failed: 1,
      abandoned: 0,
      skipped: 0,
    });
    const tried = (await noticesOf(ids)).filter((n) => n.attempts > 0);
    expect(tried).toHaveLength(1);
    const [first] = tried as [(typeof tried)[number]];
    expect(first.lastError).toMatch(/Down for maintenance/);
    expect(first.abandonedAt).toBeNull();
    const [{ waitSeconds } = { waitSeconds: 0 }] = await db.execute<{ waitSeconds: number }>(
      sql`select extract(epoch from next_attempt_at - now())::float as "waitSeconds"
          from lottery_win_notices where redemption_id = ${first.redemptionId}`,
    );
    expect(waitSeconds).toBeGreaterThan(4 * 60);

    // The server is back: the untried winners get their mail, the tried one waits its turn.
    expect((await mailWinNotices(db, { mail: up })).mailed).toBe(2);
    await db
      .update(lotteryWinNotices)
      .set({ nextAttemptAt: sql`now()` })
      .where(eq(lotteryWinNotices.redemptionId, first.redemptionId));
    expect((await mailWinNotices(db, { mail: up })).mailed).toBe(1);
    const notices = await noticesOf(ids);
    expect(notices.every((n) => n.mailedAt !== null && n.lastError === null)).toBe(true);
  });

  it("gives a notice up after its last attempt, and after a last attempt with no outcome", async () => {
    const [last, lost] = (await drawWinners(2)) as [Winner, Winner];
    await db
      .update(lotteryWinNotices)
      .set({ attempts: WIN_MAIL_ATTEMPTS - 1 })
      .where(eq(lotteryWinNotices.redemptionId, last.id));
    // A worker took this one for its last send and stopped before recording how it went.
    await db
      .update(lotteryWinNotices)
      .set({ attempts: WIN_MAIL_ATTEMPTS })
      .where(eq(lotteryWinNotices.redemptionId, lost.id));

    // The lost one is given up without a send; the last one's failure ends its tries.
    const report = await mailWinNotices(db, { mail: outage });
    expect(report).toEqual({ mailed: 0, failed: 0, abandoned: 2, skipped: 0 });
    for (const notice of await noticesOf([last.id, lost.id])) {
      expect(notice.abandonedAt).not.toBeNull();
      expect(await abandonEvents(notice.redemptionId)).toHaveLength(1);
    }
    expect((await noticesOf([lost.id]))[0]?.attempts).toBe(WIN_MAIL_ATTEMPTS);
  });

  it("does not tell a winner about a prize that expired before the mail went out", async () => {
    const [won] = (await drawWinners(1, "physical")) as [Winner];
    await db
      .update(redemptions)
      .set({ actionDeadline: sql`now() - interval '1 second'` })
      .where(eq(redemptions.id, won.id));
    await expireOverdueClaims(db);

    expect(await mailWinNotices(db, { mail: up })).toEqual({
      mailed: 0,
      failed: 0,
      abandoned: 0,
      skipped: 1,
    });
    expect(delivered).not.toContain(won.email);
    expect(await listMail(db, { to: won.email })).toHaveLength(0);
    const [notice] = await noticesOf([won.id]);
    expect(notice?.abandonedAt).not.toBeNull();
    expect(notice?.lastError).toBe("the prize was expired first");
  });
});
