import "server-only";
import { and, asc, eq, isNull, lte, sql } from "drizzle-orm";
import type { Db, DbOrTx } from "@/db/client";
import { drops, lotteryWinNotices, prizes, redemptions, users } from "@/db/schema";
import { recordEvent } from "@/lib/audit/record-event";
import { appUrl } from "@/lib/config/env";
import { formatDateTime } from "@/lib/format";
import type { Mail } from "@/lib/mail/model";
import { MailFailure, type MailSettings, sendMail } from "@/lib/mail/send-mail";

type Notice = {
  redemptionId: string;
  email: string;
  displayName: string;
  dropTitle: string;
  prizeName: string;
  status: string;
  actionDeadline: Date | null;
  attempts: number;
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

/** Sends tried before a notice is given up: with the backoff below, about a day of trying. */
export const WIN_MAIL_ATTEMPTS = 10;

/**
 * When a notice taken for its next send may be tried again: 5 minutes after the first attempt,
 * doubling up to 6 hours. It is written before the send, so it is also the send's lease, and its
 * shortest value outlasts the transport's timeouts many times over.
 */
const nextAttempt = sql`now() + least(interval '5 minutes' * power(2, ${lotteryWinNotices.attempts}), interval '6 hours')`;

/** A won prize that is still the winner's; an expired or reversed one is no news to mail. */
const LIVE = new Set(["awaiting_action", "fulfilled"]);

type Taken =
  | { kind: "none" }
  | { kind: "skipped" }
  | { kind: "abandoned" }
  | { kind: "send"; notice: Notice };

export type WinMailReport = { mailed: number; failed: number; abandoned: number; skipped: number };

/**
 * Mails the winners of the draws made since the last run, the notices due longest first, a few
 * per run. A send that could not reach the mail server (or that it deferred) ends the run: the
 * next notices would wait on the same server, and the worker has other jobs. A message the server
 * refused for good, or one still failing after WIN_MAIL_ATTEMPTS sends, is given up with an audit
 * event for the admins; the others are tried again after a growing wait.
 *
 * "Never twice": a notice is taken in a short transaction that counts the attempt and moves its
 * next attempt forward before any mail is sent, so no other worker sends it until then; the mail
 * goes out after that commits (mail cannot be rolled back), and the outcome is recorded after.
 * A crash, or a lost database, between the server accepting a message and that record leaves the
 * notice unmailed: it is sent again once its wait ends. That repeat is the price of never dropping
 * a winner's mail: at most one send per lease, at least one in all.
 */
export async function mailWinNotices(
  db: Db,
  { limit = 25, mail }: { limit?: number; mail?: MailSettings } = {},
): Promise<WinMailReport> {
  const report: WinMailReport = { mailed: 0, failed: 0, abandoned: 0, skipped: 0 };
  for (let n = 0; n < limit; n++) {
    const taken = await takeNextNotice(db);
    if (taken.kind === "none") break;
    if (taken.kind !== "send") {
      report[taken.kind]++;
      continue;
    }
    const { notice } = taken;
    try {
      await sendMail(db, winMail(notice), mail);
    } catch (error) {
      if (!(error instanceof MailFailure)) throw error;
      if (error.permanent || notice.attempts >= WIN_MAIL_ATTEMPTS) {
        await abandonNotice(db, notice.redemptionId, error.reason);
        report.abandoned++;
        continue;
      }
      await db
        .update(lotteryWinNotices)
        .set({ lastError: error.reason })
        .where(eq(lotteryWinNotices.redemptionId, notice.redemptionId));
      report.failed++;
      break;
    }
    await db
      .update(lotteryWinNotices)
      .set({ mailedAt: sql`now()`, lastError: null })
      .where(eq(lotteryWinNotices.redemptionId, notice.redemptionId));
    report.mailed++;
  }
  return report;
}

async function takeNextNotice(db: Db): Promise<Taken> {
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
        attempts: lotteryWinNotices.attempts,
      })
      .from(lotteryWinNotices)
      .innerJoin(redemptions, eq(redemptions.id, lotteryWinNotices.redemptionId))
      .innerJoin(users, eq(users.id, redemptions.playerId))
      .innerJoin(drops, eq(drops.id, redemptions.dropId))
      .innerJoin(prizes, eq(prizes.id, redemptions.prizeId))
      .where(
        and(
          isNull(lotteryWinNotices.mailedAt),
          isNull(lotteryWinNotices.abandonedAt),
          lte(lotteryWinNotices.nextAttemptAt, sql`now()`),
        ),
      )
      .orderBy(asc(lotteryWinNotices.nextAttemptAt), asc(lotteryWinNotices.createdAt))
      .limit(1)
      .for("update", { of: lotteryWinNotices, skipLocked: true });
    if (!notice) return { kind: "none" };
    const where = eq(lotteryWinNotices.redemptionId, notice.redemptionId);
    if (!LIVE.has(notice.status)) {
      await tx
        .update(lotteryWinNotices)
        .set({ abandonedAt: sql`now()`, lastError: `the prize was ${notice.status} first` })
        .where(where);
      return { kind: "skipped" };
    }
    if (notice.attempts >= WIN_MAIL_ATTEMPTS) {
      // The last attempt's worker stopped before recording how it went.
      await abandonNotice(tx, notice.redemptionId, "no outcome recorded for the last attempt");
      return { kind: "abandoned" };
    }
    await tx
      .update(lotteryWinNotices)
      .set({ attempts: sql`${lotteryWinNotices.attempts} + 1`, nextAttemptAt: nextAttempt })
      .where(where);
    return { kind: "send", notice: { ...notice, attempts: notice.attempts + 1 } };
  });
}

/** Gives a notice up, with an audit event: a winner who was never told is the admins' to chase. */
async function abandonNotice(db: DbOrTx, redemptionId: string, reason: string): Promise<void> {
  await db.transaction(async (tx) => {
    await tx
      .update(lotteryWinNotices)
      .set({ abandonedAt: sql`now()`, lastError: reason })
      .where(eq(lotteryWinNotices.redemptionId, redemptionId));
    await recordEvent(tx, {
      action: "lottery_win_mail_abandoned",
      subject: `redemption:${redemptionId}`,
      outcome: "failed",
      reason: "mail_not_delivered",
      data: { error: reason },
    });
  });
}
