import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditEvents, users } from "@/db/schema";
import { AppError } from "@/lib/errors/app-error";
import { connectTestDb, createPlayers } from "@/test/db";
import { DISPLAY_NAME_MAX, declarationSchema, displayNameSchema, signUpSchema } from "./model";
import { declareProfile, getProfile, missingDeclarations, renameAccount } from "./profile";

const db = connectTestDb();
const context = { ip: "198.51.100.9", userAgent: "vitest" };

describe("declaring a profile left open", () => {
  it("fills in the country and the 18+ declaration once, with before and after audited", async () => {
    const [id] = await createPlayers(db, 1, { region: null, adultDeclaredAt: null });
    const userId = id as string;
    const input = declarationSchema.parse({ region: "de", adult: true });
    const after = await declareProfile(db, userId, input, context);
    expect(after.region).toBe("DE");
    expect(after.adultDeclaredAt).toBeInstanceOf(Date);
    expect(await getProfile(db, userId)).toEqual(after);
    const events = await db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.actorId, userId), eq(auditEvents.action, "profile_declare")));
    expect(events).toHaveLength(1);
    expect(events[0]?.data).toEqual({
      before: { region: null, adult: false },
      after: { region: "DE", adult: true },
    });
  });

  it("never changes a declared country, and saving nothing new records nothing", async () => {
    const [id] = await createPlayers(db, 1, { region: "FR", adultDeclaredAt: null });
    const userId = id as string;
    const error = await declareProfile(db, userId, { region: "US" }, context).catch((e) => e);
    expect(error).toBeInstanceOf(AppError);
    expect(error.code).toBe("region_locked");
    expect((await getProfile(db, userId))?.region).toBe("FR");
    await declareProfile(db, userId, { region: "FR" }, context);
    const events = await db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.actorId, userId), eq(auditEvents.action, "profile_declare")));
    expect(events).toHaveLength(0);
  });

  it("asks a form for each declaration the profile still lacks", () => {
    const open = { region: null, adultDeclaredAt: null };
    expect(Object.keys(missingDeclarations(open, {}))).toEqual(["region", "adult"]);
    expect(missingDeclarations(open, { region: "CA", adult: true })).toEqual({});
    expect(missingDeclarations({ region: "CA", adultDeclaredAt: null }, {})).toEqual({
      adult: "Confirm that you are 18 or older",
    });
  });

  it("refuses unknown countries and anything but a yes for 18+", () => {
    expect(declarationSchema.safeParse({ region: "XX" }).success).toBe(false);
    expect(declarationSchema.safeParse({ adult: false }).success).toBe(false);
    expect(declarationSchema.safeParse({}).success).toBe(true);
  });
});

describe("renaming an account", () => {
  it("keeps the new name, audits old and new, and records nothing for the same name", async () => {
    const [id] = await createPlayers(db, 1);
    const userId = id as string;
    const [before] = await db
      .select({ displayName: users.displayName })
      .from(users)
      .where(eq(users.id, userId));
    expect(await renameAccount(db, userId, "Robin", context)).toEqual({ displayName: "Robin" });
    await renameAccount(db, userId, "Robin", context);
    const [after] = await db
      .select({ displayName: users.displayName })
      .from(users)
      .where(eq(users.id, userId));
    expect(after?.displayName).toBe("Robin");
    const events = await db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.actorId, userId), eq(auditEvents.action, "profile_rename")));
    expect(events.map((event) => event.data)).toEqual([
      { before: { displayName: before?.displayName }, after: { displayName: "Robin" } },
    ]);
  });

  it("refuses an account that does not exist", async () => {
    const error = await renameAccount(db, crypto.randomUUID(), "Robin", context).catch((e) => e);
    expect(error).toBeInstanceOf(AppError);
    expect(error.code).toBe("not_found");
  });
});

describe("a display name", () => {
  it("is trimmed, and may hold any letters, marks, emoji and punctuation", () => {
    expect(displayNameSchema.parse("  Zoë O'Brien-Łukasz  ")).toBe("Zoë O'Brien-Łukasz");
    expect(displayNameSchema.parse("李小龍 🎲👩‍💻")).toBe("李小龍 🎲👩‍💻");
    expect(displayNameSchema.parse("a".repeat(DISPLAY_NAME_MAX))).toHaveLength(DISPLAY_NAME_MAX);
  });

  it.each([
    ["empty", ""],
    ["only spaces", "   "],
    ["too long", "a".repeat(DISPLAY_NAME_MAX + 1)],
    ["a newline", "Ada\nAdmin"],
    ["a NUL", "Ada\u0000"],
    ["a tab", "Ada\tLovelace"],
    ["DEL", "Ada\u007f"],
    ["a C1 control", "Ada\u0085"],
    ["a right-to-left override", "Ada\u202enimda"],
    ["a bidirectional isolate", "\u2067Ada"],
    ["a line separator", "Ada\u2028Admin"],
    ["an unpaired surrogate", "Ada\ud800"],
    ["not text", 42],
  ])("refuses %s, with a message", (_, value) => {
    const parsed = displayNameSchema.safeParse(value);
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.message).toMatch(/\w/);
  });

  it("is held to the same rule at sign-up, where it may be left out", () => {
    const account = { email: "new@example.test", password: "correct horse battery" };
    expect(signUpSchema.safeParse(account).success).toBe(true);
    expect(signUpSchema.safeParse({ ...account, displayName: "Ada\u202e" }).success).toBe(false);
    expect(signUpSchema.safeParse({ ...account, displayName: "a".repeat(61) }).success).toBe(false);
  });
});
