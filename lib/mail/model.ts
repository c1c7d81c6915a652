/** Mail as the browser may see it: a message to send, and one captured for the dev mailbox. */

export type Mail = { to: string; subject: string; text: string };

/** A message as written to the outbox; the development mailbox lists these. */
export type CapturedMail = Mail & {
  id: number;
  createdAt: Date;
  sentAt: Date | null;
  /** Why the last send failed, if it did. */
  error: string | null;
};

/** Who may read /dev/mailbox; `none` when mail leaves through SMTP and the page does not exist. */
export type MailboxAccess = "none" | "admins" | "public";
