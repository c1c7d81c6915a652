import { randomUUID } from "node:crypto";
import { and, desc, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { ZodError } from "zod";
import { auditEvents, users } from "@/db/schema";
import { rateRules } from "@/lib/abuse/rate-limit";
import { AppError } from "@/lib/errors/app-error";
import { listMail } from "@/lib/mail/send-mail";
import { connectTestDb } from "@/test/db";
import { inOneWindow } from "@/test/rate-windows";
import { inspectEmailToken } from "./email-tokens";
import { signUpFormSchema } from "./model";
import { signUp } from "./sign-up";

const db = connectTestDb();

const email = () => `new-${randomUUID().slice(0, 8)}@example.test`;
const password = "a-long-enough-password";
// Each test signs up from an address of its own so the per-address limit never spills over.
const fromAddress = () => ({
  ip: `198.51.100.${Math.floor(Math.random() * 250) + 1}`,
  userAgent: "vitest",
});

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.unreachable("expected a refusal"),
    (error: unknown) => error,
  );
}

async function lastSignUpEvent() {
  const [event] = await db
    .select()
    .from(auditEvents)
    .where(eq(auditEvents.action, "sign_up"))
    .orderBy(desc(auditEvents.id))
    .limit(1);
  return event;
}

describe("signUp", () => {
  it("stores the declared region and 18+, audits it and mails a verification link", async () => {
    const address = email();
    const user = await signUp(
      db,
      { email: address.toUpperCase(), password, region: "de", adult: true },
      { ip: "192.0.2.10", userAgent: "vitest" },
      signUpFormSchema,
    );
    const [row] = await db.select().from(users).where(eq(users.id, user.id));
    expect(row?.email).toBe(address);
    expect(row?.region).toBe("DE");
    expect(row?.adultDeclaredAt).toBeInstanceOf(Date);
    expect(row?.emailVerifiedAt).toBeNull();

    expect(await lastSignUpEvent()).toMatchObject({
      actorId: user.id,
      outcome: "ok",
      ip: "192.0.2.10",
      data: { region: "DE", adult: true },
    });

    const [mail] = await listMail(db, { to: address });
    expect(mail?.subject).toBe("Confirm your email address for Prizeledger");
    const token = /\/verify-email\?token=([A-Za-z0-9_-]{43})/.exec(mail?.text ?? "")?.[1] ?? "";
    expect(await inspectEmailToken(db, token, "verify_email")).toEqual({
      ok: true,
      userId: user.id,
    });
  });

  it("mails a link that carries the page the player came from, if it is on this site", async () => {
    const declared = { password, region: "US", adult: true };
    const cases = [
      ["/drops/42?tab=rules", "/drops/42?tab=rules"],
      ["//evil.example", null],
      ["https://evil.example/", null],
      ["/\\evil.example", null],
      ["/", null],
    ] as const;
    for (const [returnTo, carried] of cases) {
      const address = email();
      await signUp(db, { ...declared, email: address }, fromAddress(), signUpFormSchema, returnTo);
      const [mail] = await listMail(db, { to: address });
      const link = /https?:\/\/\S*\/verify-email\?\S+/.exec(mail?.text ?? "")?.[0] ?? "";
      expect(new URL(link).searchParams.get("next"), returnTo).toBe(carried);
    }
  });

  it("the API keeps accepting just email and password; the account has no declarations", async () => {
    const user = await signUp(db, { email: email(), password }, fromAddress());
    const [row] = await db.select().from(users).where(eq(users.id, user.id));
    expect(row?.region).toBeNull();
    expect(row?.adultDeclaredAt).toBeNull();
  });

  it("the form requires a known region and the 18+ declaration, naming the fields", async () => {
    const error = await failure(
      signUp(db, { email: email(), password }, fromAddress(), signUpFormSchema),
    );
    expect(error).toBeInstanceOf(ZodError);
    const byField = Object.fromEntries(
      (error as ZodError).issues.map((issue) => [issue.path.join("."), issue.message]),
    );
    expect(byField).toEqual({
      region: "Choose your country of residence",
      adult: "Confirm that you are 18 or older",
    });
    expect(await lastSignUpEvent()).toMatchObject({
      outcome: "refused",
      reason: "invalid_input",
      data: { fields: ["region", "adult"] },
    });

    const unknown = await failure(
      signUp(db, { email: email(), password, region: "XX", adult: true }, fromAddress()),
    );
    expect((unknown as ZodError).issues[0]?.path).toEqual(["region"]);
    const notAdult = await failure(
      signUp(db, { email: email(), password, adult: false }, fromAddress()),
    );
    expect((notAdult as ZodError).issues[0]?.path).toEqual(["adult"]);
    const short = await failure(
      signUp(db, { email: "not-an-email", password: "short" }, fromAddress()),
    );
    expect((short as ZodError).issues.map((i) => i.path[0])).toEqual(["email", "password"]);
  });

  it("refuses a second account for the same email, whatever its case, and audits it", async () => {
    const address = email();
    await signUp(db, { email: address, password }, fromAddress());
    const error = await failure(
      signUp(db, { email: address.toUpperCase(), password }, fromAddress()),
    );
    expect(error).toMatchObject({ code: "email_taken" });
    expect(await lastSignUpEvent()).toMatchObject({ outcome: "refused", reason: "email_taken" });
  });

  it("limits sign-ups per address and says how long to wait; other addresses go on", async () => {
    const { limit, windowSeconds } = rateRules.signUpPerIp;
    let runs = 0;
    const { ip, typos, error, again } = await inOneWindow(db, windowSeconds, async () => {
      runs += 1;
      const context = { ip: `203.0.113.${100 + runs}`, userAgent: "bot" };
      // Mistakes in the form do not use up the allowance.
      const typos = [];
      for (let i = 0; i < 3; i++) {
        typos.push(await failure(signUp(db, { email: "x", password: "" }, context)));
      }
      for (let i = 0; i < limit; i++) await signUp(db, { email: email(), password }, context);
      const error = await failure(signUp(db, { email: email(), password }, context));
      // Still refused for the rest of the window.
      const again = await failure(signUp(db, { email: email(), password }, context));
      return { ip: context.ip, typos, error, again };
    });
    for (const typo of typos) expect(typo).toBeInstanceOf(ZodError);
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: "rate_limited" });
    const retryAfter = (error as AppError).details?.retryAfter as number;
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(windowSeconds);
    expect(again).toMatchObject({ code: "rate_limited" });

    const refused = await db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.action, "sign_up"), eq(auditEvents.reason, "rate_limited")));
    expect(refused.filter((event) => event.ip === ip)).toHaveLength(2);

    await expect(
      signUp(db, { email: email(), password }, { ip: "203.0.113.78", userAgent: "human" }),
    ).resolves.toMatchObject({ role: "player" });
  });
});
