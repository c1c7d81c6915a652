import "server-only";
import { type Env, env } from "@/lib/config/env";
import type { MailboxAccess } from "./model";

export function mailboxAccess(config: Env = env()): MailboxAccess {
  if (config.SMTP_URL !== undefined) return "none";
  // Captured with no explicit choice (the web server run by hand): the mail holds password-reset
  // links, so only admins read it.
  return config.MAIL_CAPTURE ?? "admins";
}

/**
 * Why a production process must not start with this mail configuration, or undefined. The demo of
 * `npm start` is exempt: it publishes its logins and keeps its mailbox open on purpose. A worker
 * only writes mail (the web instances decide who reads it), so for it `public` is the web's call.
 */
export function productionMailProblem(
  config: Env,
  process: "web" | "worker" = "web",
): string | undefined {
  if (config.MAIL_CAPTURE === "public" && process === "web") {
    return (
      "MAIL_CAPTURE=public would show every mail, password-reset links included, to anyone at " +
      "/dev/mailbox: it is for npm start's demo only. Set SMTP_URL, or MAIL_CAPTURE=admins"
    );
  }
  if (config.SMTP_URL === undefined && config.MAIL_CAPTURE === undefined) {
    return (
      "SMTP_URL must be set: without it no mail (sign-up confirmations, password resets, lottery " +
      "wins) is sent. To keep mail in the database for admins to read at /dev/mailbox instead, " +
      "set MAIL_CAPTURE=admins"
    );
  }
  return undefined;
}
