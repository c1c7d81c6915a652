import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditEvents } from "@/db/schema";
import { connectTestDb, createPlayers } from "@/test/db";
import { excludedRegionsSchema } from "./model";
import {
  addExcludedRegion,
  isScBlockedRegion,
  listExcludedCodes,
  listExcludedRegions,
  listScBlockedCodes,
  removeExcludedRegion,
  setExcludedRegions,
} from "./regions";

const db = connectTestDb(5);

describe("excluded regions", () => {
  it("adds, removes and replaces regions, auditing each change with before and after", async () => {
    const [admin] = (await createPlayers(db, 1, { role: "admin" })) as [string];
    const actor = { actorId: admin, ip: "127.0.0.1" };
    await addExcludedRegion(db, { code: "KP", note: "sanctions" }, actor);
    const list = await addExcludedRegion(db, { code: "IR" }, actor);
    expect(list.map((r) => [r.code, r.name, r.note])).toEqual([
      ["IR", "Iran", null],
      ["KP", expect.stringMatching(/Korea/), "sanctions"],
    ]);
    await removeExcludedRegion(db, { code: "IR", note: "licence granted" }, actor);
    expect(await listExcludedCodes(db)).toEqual(["KP"]);
    await setExcludedRegions(db, [{ code: "CU" }, { code: "KP", note: "still" }], actor);
    expect((await listExcludedRegions(db)).map((r) => [r.code, r.note])).toEqual([
      ["CU", null],
      ["KP", "still"],
    ]);

    const events = await db.select().from(auditEvents).where(eq(auditEvents.actorId, admin));
    expect(events.map((e) => [e.action, e.subject, e.data])).toEqual([
      ["region_exclude", "region:KP", { before: [], after: ["KP"], note: "sanctions" }],
      ["region_exclude", "region:IR", { before: ["KP"], after: ["IR", "KP"] }],
      [
        "region_include",
        "region:IR",
        { before: ["IR", "KP"], after: ["KP"], note: "licence granted" },
      ],
      ["regions_set", "excluded_regions", { before: ["KP"], after: ["CU", "KP"] }],
    ]);
  });

  it("keeps sweeps-only regions out of the claim list but in the Sweeps Coins list", async () => {
    const [admin] = (await createPlayers(db, 1, { role: "admin" })) as [string];
    const actor = { actorId: admin };
    await setExcludedRegions(db, [{ code: "KP" }, { code: "US", sweepsOnly: true }], actor);
    expect(await listExcludedCodes(db)).toEqual(["KP"]);
    expect((await listScBlockedCodes(db)).sort()).toEqual(["KP", "US"]);
    expect(await isScBlockedRegion(db, "US")).toBe(true);
    expect(await isScBlockedRegion(db, "FR")).toBe(false);
    expect(await isScBlockedRegion(db, null)).toBe(false);
    // Excluding it again without the flag closes claims there too.
    await addExcludedRegion(db, { code: "US" }, actor);
    expect((await listExcludedCodes(db)).sort()).toEqual(["KP", "US"]);
    const [event] = await db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.action, "regions_set"), eq(auditEvents.actorId, admin)));
    expect(event?.data).toMatchObject({ sweepsOnlyBefore: [], sweepsOnlyAfter: ["US"] });
    await setExcludedRegions(db, [], actor);
  });

  it("accepts only ISO 3166-1 alpha-2 codes, in any case", () => {
    expect(excludedRegionsSchema.parse({ regions: [{ code: " kp " }] }).regions[0]?.code).toBe(
      "KP",
    );
    for (const code of ["XX", "KPR", "", "1"]) {
      expect(excludedRegionsSchema.safeParse({ regions: [{ code }] }).success).toBe(false);
    }
  });
});
