import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditEvents } from "@/db/schema";
import { AppError } from "@/lib/errors/app-error";
import { connectTestDb, createPlayers } from "@/test/db";
import { declarationSchema } from "./model";
import { declareProfile, getProfile, missingDeclarations } from "./profile";

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
