import "server-only";
import { randomBytes } from "node:crypto";
import { sql } from "drizzle-orm";
import type { Db, DbOrTx } from "@/db/client";
import { appUrl } from "@/lib/config/env";
import { AppError } from "@/lib/errors/app-error";
import type { JobOutcome } from "@/lib/jobs/queue";
import type { Log } from "@/lib/log";
import type { Mail } from "@/lib/mail/model";
import { MailFailure, sendMail } from "@/lib/mail/send-mail";
import { unsubscribeSchema } from "./model";

/** The `mail` queue's job for a notification: written by notifyPlayers with the notification. */
export type NotificationMailJob = { notificationId: string };

type MailRow = {
  title: string;
  body: string;
  link: string | null;
  mailed_at: Date | null;
  email: string;
  display_name: string;
  mail_off_at: Date | null;
};

/** The text of a notification's email: what the app says, where to open it, how to stop them. */
export function composeNotificationMail(
  n: { title: string; body: string; link: string | null },
  to: { email: string; displayName: string },
  unsubscribeToken: string,
  base = appUrl(),
): Mail {
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
      `Stop them (you still see everything in the app): ${base}/unsubscribe?token=${unsubscribeToken}`,
    ].join("\n"),
  };
}

/** The player's unsubscribe token, made with their first notification email. */
async function unsubscribeTokenFor(db: DbOrTx, playerId: string): Promise<string> {
  const [row] = await db.execute<{ unsubscribe_token: string }>(sql`
    with made as (
      insert into notification_preferences (player_id, unsubscribe_token)
      values (${playerId}, ${randomBytes(24).toString("base64url")})
      on conflict (player_id) do nothing
      returning unsubscribe_token)
    select unsubscribe_token from made
    union all
    select unsubscribe_token from notification_preferences where player_id = ${playerId}
    limit 1`);
  if (!row) throw new Error(`no unsubscribe token for ${playerId}`);
  return row.unsubscribe_token;
}

/**
 * Sends one notification's email, from the `mail` queue (never inside the request that made the
 * notification). At least once: the job may run again after a crash between the send and
 * `mailed_at`, but a notification marked mailed is not sent again, nor one whose player turned
 * mail off. A server that refuses the message itself buries the job; anything else retries.
 */
export async function runNotificationMailJob(
  db: Db,
  log: Log,
  job: NotificationMailJob,
): Promise<JobOutcome> {
  const [row] = await db.execute<MailRow & { player_id: string }>(sql`
    select n.player_id, n.title, n.body, n.link, n.mailed_at, u.email, u.display_name,
           p.mail_off_at
    from notifications n
      join users u on u.id = n.player_id
      left join notification_preferences p on p.player_id = n.player_id
    where n.id = ${job.notificationId}`);
  if (!row || row.mailed_at || row.mail_off_at) return "completed";
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
  await db.execute(
    sql`update notifications set mailed_at = now() where id = ${job.notificationId}`,
  );
  return "completed";
}

/**
 * Turns notification emails off for the token's player (from the link in each one; no sign-in).
 * Doing it twice is no error.
 */
export async function unsubscribeFromMail(db: DbOrTx, token: string): Promise<void> {
  if (!unsubscribeSchema.safeParse({ token }).success) {
    throw new AppError("invalid_link", "This unsubscribe link is not valid");
  }
  const rows = await db.execute<{ player_id: string }>(sql`
    update notification_preferences set mail_off_at = coalesce(mail_off_at, now())
    where unsubscribe_token = ${token}
    returning player_id`);
  if (rows.length === 0) {
    throw new AppError("invalid_link", "This unsubscribe link is not valid");
  }
}
