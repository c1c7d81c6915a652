import "server-only";
import { desc, eq, sql } from "drizzle-orm";
import nodemailer, { type Transporter } from "nodemailer";
import type { DbOrTx } from "@/db/client";
import { mailOutbox } from "@/db/schema";
import { env } from "@/lib/config/env";
import { AppError } from "@/lib/errors/app-error";
import { logWarning } from "@/lib/log";
import type { CapturedMail, Mail } from "./model";

/** Without an SMTP URL mail is only captured, for the development mailbox. */
export type MailSettings = { smtpUrl?: string; from: string };

function mailSettings(): MailSettings {
  const { SMTP_URL, MAIL_FROM } = env();
  return { smtpUrl: SMTP_URL, from: MAIL_FROM };
}

// Transporters hold connection settings and TLS state: build one per server for the process.
const transporters = new Map<string, Transporter>();

function transporterFor(smtpUrl: string): Transporter {
  let transporter = transporters.get(smtpUrl);
  if (!transporter) {
    // Short timeouts: a request that sends mail should fail clearly, not hang for minutes.
    transporter = nodemailer.createTransport({
      url: smtpUrl,
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 30_000,
    });
    transporters.set(smtpUrl, transporter);
  }
  return transporter;
}

/**
 * A send that failed. `permanent` when the server refused this message itself (a 5xx answer to its
 * recipient or its content), so sending it again cannot succeed; anything else (no connection, a
 * timeout, a 4xx, a refused sign-in or sender) is the server's state and may pass.
 */
export class MailFailure extends AppError {
  constructor(
    readonly reason: string,
    readonly permanent: boolean,
  ) {
    super("unavailable", "We could not send the email just now: try again in a few minutes");
  }
}

function isPermanent(error: unknown): boolean {
  const { responseCode, command } = (error ?? {}) as { responseCode?: unknown; command?: unknown };
  return (
    typeof responseCode === "number" &&
    responseCode >= 500 &&
    (command === "RCPT TO" || command === "DATA")
  );
}

/**
 * Sends a plain-text message through SMTP and records it in mail_outbox; with no SMTP server
 * configured, only records it. Call it outside transactions: mail cannot be rolled back.
 * A sent message is recorded without its text: the text holds live sign-in links (verification,
 * password reset) that anyone reading the database could otherwise use.
 */
export async function sendMail(
  db: DbOrTx,
  mail: Mail,
  settings: MailSettings = mailSettings(),
): Promise<void> {
  if (settings.smtpUrl === undefined) {
    await db.insert(mailOutbox).values(mail);
    return;
  }
  try {
    await transporterFor(settings.smtpUrl).sendMail({ from: settings.from, ...mail });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    logWarning("mail_send_failed", { to: mail.to, reason });
    await db.insert(mailOutbox).values({ ...mail, text: "", error: reason.slice(0, 1000) });
    throw new MailFailure(reason.slice(0, 1000), isPermanent(error));
  }
  await db.insert(mailOutbox).values({ ...mail, text: "", sentAt: sql`now()` });
}

/** The newest messages first, optionally only those to one address. */
export async function listMail(
  db: DbOrTx,
  { to, limit = 50 }: { to?: string; limit?: number } = {},
): Promise<CapturedMail[]> {
  return db
    .select()
    .from(mailOutbox)
    .where(to ? eq(mailOutbox.to, to.trim().toLowerCase()) : undefined)
    .orderBy(desc(mailOutbox.createdAt), desc(mailOutbox.id))
    .limit(limit);
}
