import "server-only";
import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { executePrepared } from "@/db/prepared";
import { appUrl } from "@/lib/config/env";
import type { JobOutcome } from "@/lib/jobs/queue";
import type { Log } from "@/lib/log";
import type { Mail } from "@/lib/mail/model";
import { MailFailure, sendMail } from "@/lib/mail/send-mail";
import { eventOfKind, type NotificationKind, notificationEventLabels } from "./model";
import { channelsFor, unsubscribeTokenFor } from "./preferences";

/** The `mail` queue's job for a notification: written by notifyPlayers with the notification. */
export type NotificationMailJob = { notificationId: string };

type MailRow = {
  player_id: string;
  kind: NotificationKind;
  title: string;
  body: string;
  link: string | null;
  mailed_at: Date | null;
  email: string;
  display_name: string;
};

/**
 * The text of a notification's email: what the app says, where to open it, and two ways to stop
 * them: mails like this one (its event), or all of them.
 */
export function composeNotificationMail(
  n: { kind: NotificationKind; title: string; body: string; link: string | null },
  to: { email: string; displayName: string },
  unsubscribeToken: string,
  base = appUrl(),
): Mail {
  const stop = `${base}/unsubscribe?token=${unsubscribeToken}`;
  return {
    to: to.email,
    subject: n.title,
    text: [
      `Hello ${to.displayName},`,
      "",
      n.title,
      n.body,
      ...(n.link ? ["", `See it in the app: ${base}${n.link}`] : []),
      "",
      "--",
      "You get these emails for your claims, wins and deliveries on Prizeledger.",
      `Stop mails like this one (${notificationEventLabels[eventOfKind[n.kind]].toLowerCase()}): ${stop}&event=${eventOfKind[n.kind]}`,
      `Stop them all (you still see everything in the app): ${stop}`,
      `Choose which ones you get: ${base}/account#notification-preferences`,
    ].join("\n"),
  };
}

/**
 * Sends one notification's email, from the `mail` queue (never inside the request that made the
 * notification). At least once: the job may run again after a crash between the send and
 * `mailed_at`, but a notification marked mailed is not sent again. The player's choices are read
 * here, when it is sent, so a job queued before a change follows the change. A server that refuses the message itself buries the job; anything else retries.
 */
export async function runNotificationMailJob(
  db: Db,
  log: Log,
  job: NotificationMailJob,
): Promise<JobOutcome> {
  const [row] = await executePrepared<MailRow>(
    db,
    sql`
    select n.player_id, n.kind, n.title, n.body, n.link, n.mailed_at, u.email, u.display_name
    from notifications n join users u on u.id = n.player_id
    where n.id = ${job.notificationId}`,
  );
  if (!row || row.mailed_at) return "completed";
  if (!(await channelsFor(db, row.player_id, row.kind)).email) return "completed";
  const token = await unsubscribeTokenFor(db, row.player_id);
  try {
    await sendMail(
      db,
      composeNotificationMail(row, { email: row.email, displayName: row.display_name }, token),
    );
  } catch (error) {
    if (error instanceof MailFailure && error.permanent) {
      log.warning("notification_mail_refused", { notificationId: job.notificationId });
      return "dead";
    }
    throw error;
  }
  await executePrepared(
    db,
    sql`update notifications set mailed_at = now() where id = ${job.notificationId}`,
  );
  return "completed";
}
