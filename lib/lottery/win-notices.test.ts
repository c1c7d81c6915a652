import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { drops, lotteryWinNotices, redemptions, users } from "@/db/schema";
import { expireOverdueClaims } from "@/lib/claims/expire-claims";
import { env } from "@/lib/config/env";
import { formatDateTime } from "@/lib/format";
import { listMail } from "@/lib/mail/send-mail";
import { confirmShipping } from "@/lib/redemptions/confirm-shipping";
import { connectTestDb, createPlayers, createTestDrop } from "@/test/db";
import { enterLottery, runDueDraws } from "./lottery";
import { mailWinNotices } from "./win-notices";

const db = connectTestDb(10);

describe("lottery winners", () => {
  it("a physical prize won at the draw gets its deadline from the draw, and one mail", async () => {
    const { dropId } = await createTestDrop(db, {
      units: 1,
      kind: "physical",
      allocation: "lottery",
    });
    const [playerId] = (await createPlayers(db, 1)) as [string];
    const [player] = await db
      .select({ email: users.email })
      .from(users)
      .where(eq(users.id, playerId));
    await enterLottery(db, { dropId, playerId });
    await db
      .update(drops)
      .set({ endsAt: sql`now() - interval '1 second'` })
      .where(eq(drops.id, dropId));
    await runDueDraws(db);

    const [won] = await db
      .select({
        id: redemptions.id,
        status: redemptions.status,
        actionDeadline: redemptions.actionDeadline,
        drawnAt: drops.drawnAt,
      })
      .from(redemptions)
      .innerJoin(drops, eq(drops.id, redemptions.dropId))
      .where(eq(redemptions.dropId, dropId));
    if (!won?.actionDeadline || !won.drawnAt) throw new Error("no deadline or draw");
    expect(won.status).toBe("awaiting_action");
    expect(won.actionDeadline.getTime() - won.drawnAt.getTime()).toBe(
      env().LOTTERY_ACTION_HOURS * 3_600_000,
    );

    // The notice was written with the draw; the worker mails it once, however many run it.
    const mailed = await Promise.all([mailWinNotices(db), mailWinNotices(db)]);
    expect(mailed.reduce((n, m) => n + m.mailed, 0)).toBe(1);
    expect((await mailWinNotices(db)).mailed).toBe(0);
    const mail = await listMail(db, { to: player?.email });
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
});
