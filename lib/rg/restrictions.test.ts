import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { connectTestDb, createPlayers } from "@/test/db";
import { activeRestrictions } from "./restrictions";

const db = connectTestDb(2);

describe("active restrictions", () => {
  it("an exclusion that started within the same millisecond is in force", async () => {
    const [player = ""] = await createPlayers(db, 1);
    // The database keeps microseconds; the app's clock has milliseconds.
    await db.execute(sql`
      insert into rg_exclusions (user_id, kind, starts_at, ends_at)
      values (${player}, 'cool_off', '2030-01-01T12:00:00.123456Z', '2030-01-02T12:00:00Z')`);
    const at = new Date("2030-01-01T12:00:00.123Z");
    expect((await activeRestrictions(db, [player], at)).get(player)?.exclusion).toMatchObject({
      kind: "cool_off",
    });
    const before = new Date("2030-01-01T12:00:00.122Z");
    expect((await activeRestrictions(db, [player], before)).get(player)?.exclusion).toBeNull();
  });
});
