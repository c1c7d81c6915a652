import { eq, inArray, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { idempotencyKeys, users } from "@/db/schema";
import { claimDrop } from "@/lib/claims/claim-drop";
import { connectTestDb, createPlayers, createTestDrop } from "@/test/db";
import { purgeIdempotencyKeys, refreshLoyaltyTiers, TIER_THRESHOLDS } from "./maintenance";

const db = connectTestDb(10);

describe("maintenance jobs", () => {
  it("raises loyalty tiers from activity and never lowers them", async () => {
    const [active, quiet] = await createPlayers(db, 2);
    const [goldAlready] = await createPlayers(db, 1, { loyaltyTier: "gold" });
    for (let i = 0; i < TIER_THRESHOLDS.silver; i++) {
      const { dropId } = await createTestDrop(db, { units: 1 });
      await claimDrop(db, { dropId, playerId: active as string });
    }
    await refreshLoyaltyTiers(db);
    const rows = await db
      .select({ id: users.id, tier: users.loyaltyTier })
      .from(users)
      .where(inArray(users.id, [active, quiet, goldAlready] as string[]));
    const tier = (id: string | undefined) => rows.find((r) => r.id === id)?.tier;
    expect(tier(active)).toBe("silver");
    expect(tier(quiet)).toBe("bronze");
    expect(tier(goldAlready)).toBe("gold");
  });

  it("forgets idempotency answers only after 48 hours", async () => {
    const [playerId] = await createPlayers(db, 1);
    await db.insert(idempotencyKeys).values([
      {
        playerId: playerId as string,
        key: "old",
        requestHash: new Uint8Array(),
        status: 201,
        response: {},
        createdAt: sql`now() - interval '49 hours'`,
      },
      {
        playerId: playerId as string,
        key: "day",
        requestHash: new Uint8Array(),
        status: 201,
        response: {},
        createdAt: sql`now() - interval '25 hours'`,
      },
    ]);
    expect(await purgeIdempotencyKeys(db)).toBeGreaterThanOrEqual(1);
    const left = await db
      .select({ key: idempotencyKeys.key })
      .from(idempotencyKeys)
      .where(eq(idempotencyKeys.playerId, playerId as string));
    expect(left.map((k) => k.key)).toEqual(["day"]);
  });
});
