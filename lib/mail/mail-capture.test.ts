import { describe, expect, it } from "vitest";
import { parseEnv } from "@/lib/config/env";
import { mailboxAccess, productionMailProblem } from "./mail-capture";

const SMTP = { SMTP_URL: "smtp://mailer:s3cret@mail.example:587" };

describe("mailboxAccess", () => {
  it("is open only when the demo asks for it, and admins-only when nobody chose", () => {
    expect(mailboxAccess(parseEnv({ MAIL_CAPTURE: "public" }))).toBe("public");
    expect(mailboxAccess(parseEnv({ MAIL_CAPTURE: "admins" }))).toBe("admins");
    expect(mailboxAccess(parseEnv({}))).toBe("admins");
  });

  it("has no mailbox when mail goes out through SMTP", () => {
    expect(mailboxAccess(parseEnv(SMTP))).toBe("none");
  });
});

describe("productionMailProblem", () => {
  it("refuses to run without SMTP_URL unless capture is chosen, naming both variables", () => {
    expect(productionMailProblem(parseEnv({}))).toMatch(
      /SMTP_URL must be set.*MAIL_CAPTURE=admins/s,
    );
  });

  it("refuses a mailbox anyone could read", () => {
    expect(productionMailProblem(parseEnv({ MAIL_CAPTURE: "public" }))).toMatch(
      /MAIL_CAPTURE=public .* npm start's demo only/s,
    );
  });

  it("lets a worker write mail the web instances show to anyone (npm start's demo)", () => {
    expect(productionMailProblem(parseEnv({ MAIL_CAPTURE: "public" }), "worker")).toBeUndefined();
    expect(productionMailProblem(parseEnv({}), "worker")).toMatch(/SMTP_URL must be set/);
  });

  it("accepts SMTP, or capture read by admins only", () => {
    expect(productionMailProblem(parseEnv(SMTP))).toBeUndefined();
    expect(productionMailProblem(parseEnv({ MAIL_CAPTURE: "admins" }))).toBeUndefined();
  });
});
