import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { anchoringPass } from "@/lib/anchoring/run-anchoring";
import { claimDrop } from "@/lib/claims/claim-drop";
import { connectTestChain } from "@/test/chain";
import { connectTestDb, createPlayers, createTestDrop } from "@/test/db";
import { anchoringStatus } from "./anchoring-status";

const db = connectTestDb();
const chain = connectTestChain();

async function claim(count: number): Promise<string[]> {
  const { dropId } = await createTestDrop(db, { units: count });
  const players = await createPlayers(db, count);
  return Promise.all(
    players.map(async (playerId) => (await claimDrop(db, { dropId, playerId })).redemption.id),
  );
}

describe("missed anchoring deadlines", () => {
  it("are reported while the entries wait, and still once they are anchored late", async () => {
    const onTime = await claim(2);
    expect((await anchoringPass(db, chain, 1000)).status).toBe("anchored");
    const late = await claim(3);
    // Claimed an hour ago as far as the promise goes: its deadline passed long before now.
    await db.execute(sql`
      update ledger_entries set created_at = created_at - interval '1 hour'
      where redemption_id in (${sql.join(late, sql`, `)})`);

    const waiting = (await anchoringStatus(db)).missedDeadlines;
    expect(waiting.count).toBe(3);
    expect(new Set(waiting.entries.map((e) => e.redemptionId))).toEqual(new Set(late));
    expect(waiting.entries.every((e) => e.anchoredAt === null && e.leafIndex === null)).toBe(true);

    expect((await anchoringPass(db, chain, 1000)).status).toBe("anchored");
    const anchored = (await anchoringStatus(db)).missedDeadlines;
    expect(anchored.count).toBe(3);
    expect(new Set(anchored.entries.map((e) => e.redemptionId))).toEqual(new Set(late));
    for (const entry of anchored.entries) {
      expect(entry.anchoredAt).toBeGreaterThan(entry.anchorBy);
      expect(entry.leafIndex).not.toBeNull();
    }
    expect(anchored.entries.some((e) => onTime.includes(e.redemptionId))).toBe(false);
  });
});
