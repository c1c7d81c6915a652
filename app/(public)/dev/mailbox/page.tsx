import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { MailText } from "@/components/mail/mail-text";
import { DateTime } from "@/components/ui/date-time";
import { getDb } from "@/db/client";
import { requirePageRole } from "@/lib/auth/require-page-role";
import { mailboxAccess } from "@/lib/mail/mail-capture";
import { listMail } from "@/lib/mail/send-mail";

export const metadata: Metadata = { title: "Development mailbox" };

export default async function MailboxPage({
  searchParams,
}: {
  searchParams: Promise<{ to?: string | string[] }>;
}) {
  // With a real SMTP server configured, mail leaves the site and this page does not exist.
  const access = mailboxAccess();
  if (access === "none") notFound();
  if (access === "admins") await requirePageRole("/dev/mailbox", "admin");
  const { to } = await searchParams;
  const recipient = typeof to === "string" ? to.trim().toLowerCase().slice(0, 254) : "";
  const messages = await listMail(getDb(), { to: recipient || undefined, limit: 100 });
  return (
    <>
      <h1>Development mailbox</h1>
      <p className="lead">
        This is the development mailbox. No SMTP server is configured (<code>SMTP_URL</code> is not
        set), so Prizeledger sends no email and keeps every message here instead, newest first.{" "}
        {access === "public" ? (
          <>
            Anyone who can open this site can read it: set <code>SMTP_URL</code> before real players
            sign up.
          </>
        ) : (
          <>
            Only admins can read it (<code>MAIL_CAPTURE=admins</code>); players receive nothing, so
            set <code>SMTP_URL</code> before real players sign up.
          </>
        )}
      </p>
      <form method="get" className="row mailbox-filter">
        <label className="sr-only" htmlFor="mailbox-to">
          Recipient
        </label>
        <input
          id="mailbox-to"
          name="to"
          type="email"
          placeholder="recipient@example.com"
          defaultValue={recipient}
        />
        <button type="submit">Show messages to this address</button>
        {recipient && <Link href="/dev/mailbox">Show all</Link>}
      </form>
      {messages.length === 0 ? (
        <p className="muted" data-testid="mailbox-empty">
          No messages{recipient ? ` to ${recipient}` : ""} yet.
        </p>
      ) : (
        <div className="mailbox">
          {messages.map((message) => (
            <article key={message.id} className="card" data-testid="mail-message">
              <h2>{message.subject}</h2>
              <dl className="facts">
                <dt>To</dt>
                <dd data-testid="mail-to">{message.to}</dd>
                <dt>Received</dt>
                <dd>
                  <time dateTime={message.createdAt.toISOString()}>
                    <DateTime value={message.createdAt} />
                  </time>
                </dd>
              </dl>
              <MailText text={message.text} />
            </article>
          ))}
        </div>
      )}
    </>
  );
}
