import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppError } from "@/lib/errors/app-error";
import { connectTestDb } from "@/test/db";
import { listMail, sendMail } from "./send-mail";

const db = connectTestDb();

type Received = { from: string; to: string[]; user?: string; raw: string };
const received: Received[] = [];

// A real SMTP server on a free port: it checks the credentials from the URL and refuses mail to
// one address, so both delivery and failure go through nodemailer for real.
const server = new SMTPServer({
  disabledCommands: ["STARTTLS"],
  allowInsecureAuth: true,
  logger: false,
  onAuth(auth, _session, callback) {
    if (auth.username === "mailer" && auth.password === "s3cret") {
      callback(null, { user: auth.username });
    } else {
      callback(new Error("Invalid username or password"));
    }
  },
  onRcptTo(address, _session, callback) {
    if (address.address.startsWith("bounce@")) {
      callback(Object.assign(new Error("Mailbox unavailable"), { responseCode: 550 }));
    } else {
      callback();
    }
  },
  onData(stream, session, callback) {
    const chunks: Buffer[] = [];
    stream.on("data", (chunk: Buffer) => chunks.push(chunk));
    stream.on("end", () => {
      received.push({
        from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
        to: session.envelope.rcptTo.map((r) => r.address),
        user: session.user as string | undefined,
        raw: Buffer.concat(chunks).toString("utf8"),
      });
      callback();
    });
  },
});
let smtpUrl = "";

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  smtpUrl = `smtp://mailer:s3cret@127.0.0.1:${(server.server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const from = "Prizeledger Tests <no-reply@prizeledger.test>";

describe("sendMail", () => {
  it("delivers through the SMTP server of SMTP_URL and records the message as sent", async () => {
    await sendMail(
      db,
      {
        to: "pat@example.test",
        subject: "Confirm your email",
        text: "Open https://prizeledger.test/verify-email?token=abc",
      },
      { smtpUrl, from },
    );
    expect(received).toHaveLength(1);
    const message = received[0] as Received;
    expect(message.user).toBe("mailer");
    expect(message.from).toBe("no-reply@prizeledger.test");
    expect(message.to).toEqual(["pat@example.test"]);
    expect(message.raw).toContain("Subject: Confirm your email");
    expect(message.raw).toContain("From: Prizeledger Tests <no-reply@prizeledger.test>");
    expect(message.raw).toContain("https://prizeledger.test/verify-email?token=abc");

    const [stored] = await listMail(db, { to: "pat@example.test" });
    expect(stored?.subject).toBe("Confirm your email");
    expect(stored?.sentAt).toBeInstanceOf(Date);
    expect(stored?.error).toBeNull();
    // The link went to the recipient only; the record keeps no usable copy.
    expect(stored?.text).toBe("");
  });

  it("refuses clearly when the server rejects the message, and records the error", async () => {
    const attempt = sendMail(
      db,
      { to: "bounce@example.test", subject: "Reset", text: "link" },
      { smtpUrl, from },
    );
    await expect(attempt).rejects.toBeInstanceOf(AppError);
    // A 550 to the recipient is for good: sending the same message again cannot succeed.
    await expect(attempt).rejects.toMatchObject({ code: "unavailable", permanent: true });
    const [stored] = await listMail(db, { to: "bounce@example.test" });
    expect(stored?.sentAt).toBeNull();
    expect(stored?.error).toMatch(/Mailbox unavailable/);
  });

  it("refuses clearly when the credentials are wrong", async () => {
    const wrong = smtpUrl.replace("s3cret", "guess");
    await expect(
      sendMail(db, { to: "sam@example.test", subject: "Hi", text: "x" }, { smtpUrl: wrong, from }),
      // The server's state, not the message's: the same mail may pass once it is fixed.
    ).rejects.toMatchObject({ code: "unavailable", permanent: false });
    expect(received.map((r) => r.to[0])).not.toContain("sam@example.test");
  });

  it("without SMTP_URL only captures the message, newest first in the mailbox", async () => {
    const before = received.length;
    await sendMail(db, { to: "dev@example.test", subject: "First", text: "one" }, { from });
    await sendMail(db, { to: "dev@example.test", subject: "Second", text: "two" }, { from });
    await sendMail(db, { to: "other@example.test", subject: "Else", text: "three" }, { from });
    expect(received).toHaveLength(before);
    const mine = await listMail(db, { to: "DEV@example.test" });
    expect(mine.map((m) => m.subject)).toEqual(["Second", "First"]);
    expect(mine[0]?.sentAt).toBeNull();
    expect((await listMail(db)).map((m) => m.subject).slice(0, 3)).toEqual([
      "Else",
      "Second",
      "First",
    ]);
  });
});
