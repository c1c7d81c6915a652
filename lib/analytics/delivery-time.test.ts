import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { redemptions } from "@/db/schema";
import { claimDrop } from "@/lib/claims/claim-drop";
import { recordDeliveryStep } from "@/lib/delivery/deliveries";
import { connectTestDb, createPlayers, createTestDrop } from "@/test/db";
import { deliveryTimeAt } from "./dashboard";

const db = connectTestDb(4);

/** A claim made at `claimedAt` whose delivery arrived `tookMs` later. */
async function deliveredClaim(claimedAt: Date, tookMs: number): Promise<void> {
  const drop = await createTestDrop(db, { units: 1, kind: "gift_card" });
  const [playerId] = await createPlayers(db, 1);
  const { redemption } = await claimDrop(db, { dropId: drop.dropId, playerId: playerId as string });
  await db
    .update(redemptions)
    .set({ createdAt: claimedAt })
    .where(eq(redemptions.id, redemption.id));
  await db.transaction((tx) =>
    recordDeliveryStep(
      tx,
      redemption.id,
      { status: "delivered", reference: null },
      new Date(claimedAt.getTime() + tookMs),
    ),
  );
}

describe("delivery time on the dashboard", () => {
  it("gives claim → delivered p50/p99 over the last 5 minutes and since midnight", async () => {
    // A day of its own, far from every other test's deliveries.
    const at = new Date("2090-03-04T12:00:00.000Z");
    const msBefore = (ms: number) => new Date(at.getTime() - ms);
    expect(await deliveryTimeAt(db, at)).toEqual({
      last5Minutes: { p50: null, p99: null, samples: 0 },
      today: { p50: null, p99: null, samples: 0 },
    });
    await deliveredClaim(msBefore(60_000), 1_000);
    await deliveredClaim(msBefore(120_000), 2_000);
    await deliveredClaim(msBefore(200_000), 10_000);
    await deliveredClaim(msBefore(3 * 3_600_000), 60_000);
    // Yesterday's, and one delivered after `at`, are in no window.
    await deliveredClaim(msBefore(13 * 3_600_000), 5_000);
    await deliveredClaim(msBefore(1_000), 30_000);
    expect(await deliveryTimeAt(db, at)).toEqual({
      // percentile_cont interpolates: 0.99 of [1, 2, 10] s lies at 1.98.
      last5Minutes: { p50: 2_000, p99: 9_840, samples: 3 },
      today: { p50: 6_000, p99: 58_500, samples: 4 },
    });
  });
});
