import { describe, expect, it } from "vitest";
import { logLevel } from "@/lib/config/env";
import { memoryLog } from "@/test/memory-log";
import { serialiseError } from "./log";

describe("the log", () => {
  it("writes one JSON line per event with its level as a word, an ISO time and the fields", () => {
    const { log, lines } = memoryLog();
    log.info("claims_expired_units_returned", { count: 3 });
    log.child({ job: "anchoring" }).warning("slow_node", { ms: 900 });
    expect(lines).toEqual([
      expect.objectContaining({ level: "info", event: "claims_expired_units_returned", count: 3 }),
      expect.objectContaining({ level: "warn", event: "slow_node", job: "anchoring", ms: 900 }),
    ]);
    expect(Date.parse(String(lines[0]?.time))).not.toBeNaN();
  });

  it("never writes a secret, at the top of a line or one level down", () => {
    const { log, lines } = memoryLog();
    const secrets = {
      authorization: "Bearer pl_live_abc",
      cookie: "authjs.session-token=eyJ",
      "set-cookie": "pl_device=1",
      password: "hunter2hunter2",
      newPassword: "hunter3hunter3",
      token: "pl_abc",
      code: "GIFT-1234-5678",
      otp: "123456",
      secret: "JBSWY3DPEHPK3PXP",
      key: "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
      privateKey: "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
      apiKey: "sk_abc",
    };
    log.warning("hostile", secrets);
    log.info("nested", { headers: secrets } as never);
    log.error("failed", new Error("boom"), { ...secrets, keyId: "k1" });
    const text = JSON.stringify(lines);
    for (const value of Object.values(secrets)) expect(text).not.toContain(value);
    expect(lines[0]?.password).toBe("[redacted]");
    expect(lines[1]?.headers).toMatchObject({ authorization: "[redacted]" });
    expect(lines[2]?.keyId).toBe("k1");
  });

  it("keeps an error's message, its causes, its driver code and its stack", () => {
    const { log, lines } = memoryLog();
    const driver = Object.assign(new Error('duplicate key value violates unique constraint "x"'), {
      code: "23505",
    });
    const orm = new Error("Failed query: insert into audit_events …", { cause: driver });
    log.error("claim_request_failed", orm, { dropId: "d1" });
    expect(lines[0]).toMatchObject({
      level: "error",
      event: "claim_request_failed",
      dropId: "d1",
      err: {
        type: "Error",
        message: "Failed query: insert into audit_events …",
        causes: ['Error: duplicate key value violates unique constraint "x"'],
      },
    });
    expect(lines[0]?.err).toMatchObject({ stack: expect.stringContaining("log.test.ts") });
    expect(serialiseError(driver).errorCode).toBe("23505");
  });

  it("serialises what was thrown even when it is no Error, and survives a cycle of causes", () => {
    expect(serialiseError("plain text")).toEqual({
      type: "string",
      message: "plain text",
      stack: undefined,
      causes: [],
    });
    const a = new Error("a");
    const b = new Error("b", { cause: a });
    a.cause = b;
    expect(serialiseError(a).causes).toHaveLength(5);
  });

  it("hides the credentials of a URL quoted in an error message", () => {
    const error = new Error("connect ECONNREFUSED postgres://app:s3cret@db:5432/prizeledger");
    const serialised = serialiseError(error);
    expect(serialised.message).toBe("connect ECONNREFUSED postgres://***@db:5432/prizeledger");
    expect(serialised.stack).not.toContain("s3cret");
  });

  it("leaves out the values of a failed query, keeping the statement", () => {
    const error = new Error(
      'Failed query: insert into "redemptions" ("address", "hash") values ($1, $2)\n' +
        "params: 1 Main St\nsecond line,9f86d081884c7d65",
    );
    for (const serialised of [
      serialiseError(error),
      serialiseError(new Error("x", { cause: error })),
    ]) {
      const text = JSON.stringify(serialised);
      expect(text).not.toContain("9f86d081884c7d65");
      expect(text).not.toContain("second line");
      expect(text).not.toContain("Main St");
    }
    expect(serialiseError(error).stack).toMatch(/params: \[redacted\]\n\s+at /);
    const serialised = serialiseError(new Error("claim failed", { cause: error }));
    expect(serialised.causes).toEqual([
      'Error: Failed query: insert into "redemptions" ("address", "hash") values ($1, $2)\nparams: [redacted]',
    ]);
  });

  it("reads LOG_LEVEL on its own, falling back to info when it is unset or invalid", () => {
    expect(logLevel({ LOG_LEVEL: "debug" })).toBe("debug");
    expect(logLevel({ LOG_LEVEL: " warn " })).toBe("warn");
    expect(logLevel({})).toBe("info");
    expect(logLevel({ LOG_LEVEL: "verbose" })).toBe("info");
  });
});
