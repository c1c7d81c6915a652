import { and, asc, eq, isNull, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { drops, lotteryWinNotices, prizes, redemptions, users } from "@/db/schema";
import { appUrl } from "@/lib/config/env";
import { isAppError } from "@/lib/errors/app-error";
import { formatDateTime } from "@/lib/format";
import { type Mail, sendMail } from "@/lib/mail/send-mail";

type Notice = {
  redemptionId: string;
  email: string;
  displayName: string;
  dropTitle: string;
  prizeName: string;
  status: string;
  actionDeadline: Date | null;
};

function winMail(notice: Notice): Mail {
  const link = `${appUrl()}/redemptions/${notice.redemptionId}`;
  const todo =
    notice.status === "awaiting_action" && notice.actionDeadline
      ? [
          `It is a physical prize: tell us where to send it by ${formatDateTime(notice.actionDeadline)}, or it goes back to the drop.`,
          "",
          "Give your shipping address here:",
        ]
      : ["", "Your redemption code and its receipt are here:"];
  return {
    to: notice.email,
    subject: `You won ${notice.prizeName} in the draw of ${notice.dropTitle}`,
    text: [
      `Hello ${notice.displayName},`,
      "",
      `You were drawn as a winner of “${notice.dropTitle}”: ${notice.prizeName}.`,
      ...todo,
      "",
      link,
    ].join("\n"),
  };
}

/**
 * Mails the winners of the draws made since the last run, oldest first, a few per run so that
 * a slow mail server does not hold up the worker's other jobs for long. Each notice is sent in a
 * transaction that holds its row (SKIP LOCKED) and marks it mailed, so workers running side by
 * side never mail one twice, and a failed send leaves it for the next run. Only a crash between
 * the mail server accepting a message and the commit can repeat it; none is ever dropped.
 */
export async function mailWinNotices(
  db: Db,
  limit = 25,
): Promise<{ mailed: number; failed: number }> {
  const due = await db
    .select({ redemptionId: lotteryWinNotices.redemptionId })
    .from(lotteryWinNotices)
    .where(isNull(lotteryWinNotices.mailedAt))
    .orderBy(asc(lotteryWinNotices.createdAt))
    .limit(limit);
  let mailed = 0;
  let failed = 0;
  for (const { redemptionId } of due) {
    try {
      if (await mailWinNotice(db, redemptionId)) mailed++;
    } catch (error) {
      // The mail server refused or could not be reached (sendMail has recorded why): the notice
      // stays unmailed for the next run, and the others go on.
      if (!isAppError(error)) throw error;
      failed++;
    }
  }
  return { mailed, failed };
}

async function mailWinNotice(db: Db, redemptionId: string): Promise<boolean> {
  return db.transaction(async (tx) => {
    const [notice] = await tx
      .select({
        redemptionId: lotteryWinNotices.redemptionId,
        email: users.email,
        displayName: users.displayName,
        dropTitle: drops.title,
        prizeName: prizes.name,
        status: redemptions.status,
        actionDeadline: redemptions.actionDeadline,
      })
      .from(lotteryWinNotices)
      .innerJoin(redemptions, eq(redemptions.id, lotteryWinNotices.redemptionId))
      .innerJoin(users, eq(users.id, redemptions.playerId))
      .innerJoin(drops, eq(drops.id, redemptions.dropId))
      .innerJoin(prizes, eq(prizes.id, redemptions.prizeId))
      .where(
        and(eq(lotteryWinNotices.redemptionId, redemptionId), isNull(lotteryWinNotices.mailedAt)),
      )
      .for("update", { of: lotteryWinNotices, skipLocked: true });
    if (!notice) return false;
    await sendMail(tx, winMail(notice));
    await tx
      .update(lotteryWinNotices)
      .set({ mailedAt: sql`now()` })
      .where(eq(lotteryWinNotices.redemptionId, redemptionId));
    return true;
  });
}
