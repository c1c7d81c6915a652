import { and, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { dropUnits, ledgerEntries, redemptions } from "@/db/schema";
import type { AppError } from "@/lib/errors/app-error";
import { decodeLeaf } from "@/lib/ledger/leaf";
import { confirmShipping } from "@/lib/redemptions/confirm-shipping";
import { connectTestDb, createPlayers, createTestDrop, TEST_SHIPPING_ADDRESS } from "@/test/db";
import { claimDrop } from "./claim-drop";
import { expireOverdueClaims } from "./expire-claims";

const db = connectTestDb(20);

const address = TEST_SHIPPING_ADDRESS;

async function overdue(redemptionId: string) {
  await db
    .update(redemptions)
    .set({ actionDeadline: sql`now() - interval '1 second'` })
    .where(eq(redemptions.id, redemptionId));
}

async function claimedUnits(dropId: string): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(dropUnits)
    .where(and(eq(dropUnits.dropId, dropId), eq(dropUnits.status, "claimed")));
  return row?.n ?? -1;
}

describe("claims that need the player to act", () => {
  it("expire once past their deadline, return their unit once and log the expiry", async () => {
    const { dropId } = await createTestDrop(db, { units: 1, kind: "physical" });
    const [first, ...others] = await createPlayers(db, 11);
    const claim = await claimDrop(db, { dropId, playerId: first as string });
    expect(claim.redemption).toMatchObject({ status: "awaiting_action" });
    await overdue(claim.redemption.id);

    // Expiry and a crowd of claims at the same moment: the unit is given out at most once more.
    const results = await Promise.all([
      expireOverdueClaims(db),
      expireOverdueClaims(db),
      ...others.map((playerId) =>
        claimDrop(db, { dropId, playerId }).then(
          () => "claimed",
          (e: AppError) => e.code ?? String(e),
        ),
      ),
    ]);
    expect((results[0] as number) + (results[1] as number)).toBe(1);
    const claims = results.slice(2);
    expect(claims.filter((r) => r === "claimed").length).toBeLessThanOrEqual(1);
    expect(claims.filter((r) => r !== "claimed")).toEqual(
      Array(claims.length - claims.filter((r) => r === "claimed").length).fill("sold_out"),
    );
    const stillWaiting = claims.includes("claimed") ? 0 : 1;
    expect(await claimedUnits(dropId)).toBe(1 - stillWaiting);
    if (stillWaiting) {
      await claimDrop(db, { dropId, playerId: others[0] as string });
      expect(await claimedUnits(dropId)).toBe(1);
    }
    expect(await expireOverdueClaims(db)).toBe(0);

    const [row] = await db
      .select()
      .from(redemptions)
      .where(eq(redemptions.id, claim.redemption.id));
    expect(row).toMatchObject({ status: "expired" });
    const entries = await db
      .select()
      .from(ledgerEntries)
      .where(eq(ledgerEntries.redemptionId, claim.redemption.id));
    expect(entries.map((e) => e.kind).sort()).toEqual(["expiry", "redemption"]);
    const expiry = entries.find((e) => e.kind === "expiry");
    expect(decodeLeaf(expiry?.leafData as Uint8Array)).toMatchObject({
      kind: "expiry",
      entryId: claim.redemption.id,
      dropId,
    });
  });

  it("lets the owner confirm a shipping address before the deadline, and only then", async () => {
    const { dropId } = await createTestDrop(db, { units: 2, kind: "physical" });
    const [a, b] = await createPlayers(db, 2);
    const claimA = await claimDrop(db, { dropId, playerId: a as string });
    await expect(
      confirmShipping(db, b as string, claimA.redemption.id, address),
    ).rejects.toMatchObject({ code: "not_found" });
    await confirmShipping(db, a as string, claimA.redemption.id, address);
    await overdue(claimA.redemption.id);
    expect(await expireOverdueClaims(db)).toBe(0);

    const claimB = await claimDrop(db, { dropId, playerId: b as string });
    await overdue(claimB.redemption.id);
    await expect(
      confirmShipping(db, b as string, claimB.redemption.id, address),
    ).rejects.toMatchObject({ code: "expired" });
  });
});
