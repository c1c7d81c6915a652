import { randomBytes } from "node:crypto";
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { auditEvents, giftCodes, prizes, users } from "@/db/schema";
import { AppError } from "@/lib/errors/app-error";
import type { PrizeKind } from "@/lib/prizes/model";
import { getPrize } from "@/lib/prizes/prizes";
import { connectTestDb } from "@/test/db";
import { codeFingerprint, decryptCode } from "./code-crypto";
import { codePoolStats, importGiftCodes, maskCode } from "./import-codes";
import { MAX_CSV_CODES } from "./model";

// Read on first use, so setting them here is enough; no key file is written by this test.
beforeAll(() => {
  process.env.CODE_ENCRYPTION_KEYS = `test:${randomBytes(32).toString("base64")}`;
  process.env.CODE_FINGERPRINT_KEY = randomBytes(32).toString("base64");
});

const db = connectTestDb(4);

async function createPrize(kind: PrizeKind = "gift_card") {
  const [prize] = await db
    .insert(prizes)
    .values({ name: `Codes ${kind}`, kind, valueCents: 2500, quantity: 100 })
    .returning({ id: prizes.id });
  if (!prize) throw new Error("no prize");
  return prize.id;
}

function appError(promise: Promise<unknown>) {
  return promise.then(
    () => expect.unreachable("should have thrown"),
    (error: unknown) => {
      expect(error).toBeInstanceOf(AppError);
      return error as AppError;
    },
  );
}

describe("importGiftCodes", () => {
  it("takes valid codes and reports every other line with its reason", async () => {
    const prizeId = await createPrize();
    const csv = [
      "Code",
      "AAAA-1111-BBBB-2222",
      '"CCCC-3333-DDDD-4444"',
      "",
      "   ",
      '"EE""EE"',
      "bad code!",
      "x".repeat(65),
      "ABC",
      "aaaa-1111-bbbb-2222",
      "FFFF-5555,extra",
      "GGGG-6666,,",
      '""',
      "  hhhh-7777  ",
    ].join("\r\n");
    const report = await importGiftCodes(db, prizeId, `${csv}\n`);
    expect(report.accepted).toBe(4);
    expect(report.total).toBe(11);
    expect(report.rejected).toEqual([
      { line: 6, code: "E…E", reason: "bad_characters" },
      { line: 7, code: "ba…e!", reason: "bad_characters" },
      { line: 8, code: "xxxx…xxxx", reason: "too_long" },
      { line: 9, reason: "too_short", code: "…" },
      { line: 10, code: "aaaa…2222", reason: "duplicate_in_file", firstLine: 2 },
      { line: 11, code: "FF…55", reason: "too_many_columns" },
      { line: 13, reason: "empty" },
    ]);
    expect(await codePoolStats(db, prizeId)).toEqual({ total: 4, unused: 4 });
  });

  it("stores codes encrypted, as given, under the current key", async () => {
    const prizeId = await createPrize();
    await importGiftCodes(db, prizeId, "gift-Code-0001\nGIFT-CODE-0002\n");
    const rows = await db.select().from(giftCodes).where(eq(giftCodes.prizeId, prizeId));
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      expect(row.keyId).toBe("test");
      expect(Buffer.from(row.ciphertext).toString("latin1")).not.toMatch(/gift|GIFT|CODE|Code/);
      expect(row.redemptionId).toBeNull();
    }
    const codes = rows.map((r) => decryptCode(r.ciphertext, r.keyId)).sort();
    expect(codes).toEqual(["GIFT-CODE-0002", "gift-Code-0001"]);
    const row = rows.find((r) => decryptCode(r.ciphertext, r.keyId) === "gift-Code-0001");
    expect(row?.fingerprint).toEqual(codeFingerprint("GIFT-CODE-0001"));
  });

  it("reports codes already in the pool on a second import, whatever their case", async () => {
    const prizeId = await createPrize();
    await importGiftCodes(db, prizeId, "AAAA-0001\nAAAA-0002\n");
    const report = await importGiftCodes(db, prizeId, "code\naaaa-0002\nAAAA-0003\nAAAA-0001");
    expect(report).toEqual({
      accepted: 1,
      total: 3,
      rejected: [
        { line: 2, code: "aa…02", reason: "already_imported" },
        { line: 4, code: "AA…01", reason: "already_imported" },
      ],
    });
    expect(await codePoolStats(db, prizeId)).toEqual({ total: 3, unused: 3 });
  });

  it("keeps pools of different prizes apart", async () => {
    const [first, second] = [await createPrize(), await createPrize()];
    await importGiftCodes(db, first, "SHARED-CODE-1");
    const report = await importGiftCodes(db, second, "SHARED-CODE-1");
    expect(report.accepted).toBe(1);
  });

  it("never lets a code in twice when two imports race, whatever their order", async () => {
    const prizeId = await createPrize();
    const codes = Array.from({ length: 5_000 }, (_, i) => `RACE-${i}`);
    const reports = await Promise.all([
      importGiftCodes(db, prizeId, codes.join("\n")),
      importGiftCodes(db, prizeId, codes.toReversed().join("\n")),
    ]);
    expect(reports.map((r) => r.accepted).sort((a, b) => a - b)).toEqual([0, 5_000]);
    expect(reports.map((r) => r.rejected.length).sort((a, b) => a - b)).toEqual([0, 5_000]);
    expect(await codePoolStats(db, prizeId)).toEqual({ total: 5_000, unused: 5_000 });
  });

  it("imports a large file in chunks", async () => {
    const prizeId = await createPrize();
    const csv = Array.from({ length: 5_001 }, (_, i) => `BULK-${i}`).join("\n");
    const report = await importGiftCodes(db, prizeId, csv);
    expect(report).toEqual({ accepted: 5_001, rejected: [], total: 5_001 });
  });

  it("refuses prizes that are not gift cards, or do not exist", async () => {
    for (const prizeId of [await createPrize("crypto"), crypto.randomUUID(), "not-a-uuid"]) {
      const error = await appError(importGiftCodes(db, prizeId, "AAAA-0001"));
      expect(error.code).toBe("invalid_input");
      expect(error.details).toEqual({ field: "prizeId" });
    }
  });

  it("refuses a file that is empty, too large or too long, importing nothing", async () => {
    const prizeId = await createPrize();
    const tooManyLines = Array.from({ length: MAX_CSV_CODES + 1 }, (_, i) => `C${i}`).join("\n");
    for (const csv of ["", "code\n\n", "A".repeat(2 * 1024 * 1024 + 1), tooManyLines]) {
      const error = await appError(importGiftCodes(db, prizeId, csv));
      expect(error.code).toBe("invalid_input");
      expect(error.details).toEqual({ field: "csv" });
    }
    expect(await codePoolStats(db, prizeId)).toEqual({ total: 0, unused: 0 });
  });
});

describe("importGiftCodes with an admin", () => {
  async function createAdmin() {
    const [admin] = await db
      .insert(users)
      .values({
        email: `admin-${randomBytes(4).toString("hex")}@test.invalid`,
        passwordHash: "x",
        displayName: "Admin",
        role: "admin",
      })
      .returning({ id: users.id });
    if (!admin) throw new Error("no admin");
    return { actorId: admin.id, ip: "192.0.2.7", userAgent: "vitest" };
  }

  it("records the import in the audit trail, with the pool before and after", async () => {
    const prizeId = await createPrize();
    const admin = await createAdmin();
    await importGiftCodes(db, prizeId, "AUDIT-0001\nAUDIT-0002\n", admin);
    await importGiftCodes(db, prizeId, "AUDIT-0002\nAUDIT-0003\nbad code!", admin);
    const events = await db
      .select()
      .from(auditEvents)
      .where(eq(auditEvents.subject, `prize:${prizeId}`))
      .orderBy(auditEvents.id);
    expect(events.map((e) => [e.action, e.actorId, e.outcome, e.data])).toEqual([
      [
        "gift_codes_import",
        admin.actorId,
        "ok",
        {
          before: { total: 0, unused: 0 },
          after: { total: 2, unused: 2 },
          accepted: 2,
          rejected: 0,
        },
      ],
      [
        "gift_codes_import",
        admin.actorId,
        "ok",
        {
          before: { total: 2, unused: 2 },
          after: { total: 3, unused: 3 },
          accepted: 1,
          rejected: 2,
        },
      ],
    ]);
  });

  it("stores no code when its audit event cannot be written", async () => {
    const prizeId = await createPrize();
    // An actor the audit trail cannot refer to: the event's insert fails on its foreign key.
    const ghost = { actorId: crypto.randomUUID() };
    await expect(importGiftCodes(db, prizeId, "GHOST-0001\nGHOST-0002", ghost)).rejects.toThrow();
    expect(await codePoolStats(db, prizeId)).toEqual({ total: 0, unused: 0 });
    // test/code-import-audit.test.ts shows the same through the API and the action.
  });
});

describe("getPrize", () => {
  it("finds a prize by id and nothing for an unknown or malformed id", async () => {
    const prizeId = await createPrize();
    expect(await getPrize(db, prizeId)).toMatchObject({ id: prizeId, kind: "gift_card" });
    expect(await getPrize(db, crypto.randomUUID())).toBeUndefined();
    expect(await getPrize(db, "42")).toBeUndefined();
  });
});

describe("maskCode", () => {
  it("shows at most four characters at each end and never most of a short code", () => {
    expect(maskCode("ABCD-EFGH-IJKL-WXYZ")).toBe("ABCD…WXYZ");
    expect(maskCode("ABCDEFGH")).toBe("AB…GH");
    expect(maskCode("ABC")).toBe("…");
  });
});
