import { and, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import {
  catalogItems,
  giftCodes,
  ledgerEntries,
  notifications,
  prizes,
  redemptions,
} from "@/db/schema";
import { importGiftCodes } from "@/lib/codes/import-codes";
import { isAppError } from "@/lib/errors/app-error";
import { getPlayerRedemption } from "@/lib/redemptions/redemptions";
import { getBalances } from "@/lib/wallet/wallet";
import { connectTestDb, createPlayers } from "@/test/db";
import { grantTestCoins } from "@/test/wallet";
import { redeemCatalogItem } from "./redeem-item";
import { approveRedemption, listPendingApprovals, rejectRedemption } from "./review-redemption";

const db = connectTestDb(12);
const now = new Date("2026-12-05T12:00:00Z");
const rules = { minimumSc: 5_000, approvalThresholdSc: 10_000 };

async function setup(kind: "crypto" | "gift_card" | "physical" = "crypto") {
  const [player, admin] = (await createPlayers(db, 2, { identityDeclaredAt: now })) as [
    string,
    string,
  ];
  const [prize] = await db
    .insert(prizes)
    .values({ name: `Big ${kind}`, kind, valueCents: 20_000, quantity: 10 })
    .returning({ id: prizes.id });
  if (!prize) throw new Error("no prize");
  if (kind === "gift_card") {
    await importGiftCodes(db, prize.id, "code\nGIFT-ONE\n", { actorId: admin });
  }
  const [item] = await db
    .insert(catalogItems)
    .values({ prizeId: prize.id, priceSc: 20_000, stock: 2 })
    .returning({ id: catalogItems.id });
  if (!item) throw new Error("no item");
  await grantTestCoins(db, player, "SC", 25_000, 0);
  const { redemptionId } = await redeemCatalogItem(db, {
    playerId: player,
    itemId: item.id,
    idempotencyKey: "held",
    now,
    rules,
  });
  return { player, admin, itemId: item.id, redemptionId, prizeId: prize.id };
}

async function code(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return "ok";
  } catch (error) {
    if (isAppError(error)) return error.code;
    throw error;
  }
}

describe("the approval queue", () => {
  it("holds the code until an admin approves", async () => {
    const { player, admin, redemptionId } = await setup();
    expect((await listPendingApprovals(db)).map((p) => p.id)).toContain(redemptionId);
    expect(await getPlayerRedemption(db, player, redemptionId)).toMatchObject({
      status: "pending_approval",
      code: null,
    });
    const review = await approveRedemption(db, redemptionId, { adminId: admin }, now);
    expect(review).toMatchObject({ status: "fulfilled", refundedSc: "0.00" });
    expect((await getPlayerRedemption(db, player, redemptionId))?.code).toMatch(/-/);
    expect(await code(approveRedemption(db, redemptionId, { adminId: admin }, now))).toBe(
      "already_reviewed",
    );
    expect(await code(rejectRedemption(db, redemptionId, "late", { adminId: admin }, now))).toBe(
      "already_reviewed",
    );
    expect((await getBalances(db, player)).SC).toBe(5_000);
  });

  it("refunds a rejection once, puts stock and the gift code back, and logs a reversal", async () => {
    const { player, admin, itemId, redemptionId, prizeId } = await setup("gift_card");
    const [before] = await db.select().from(giftCodes).where(eq(giftCodes.prizeId, prizeId));
    expect(before?.redemptionId).toBe(redemptionId);
    const review = await rejectRedemption(
      db,
      redemptionId,
      "Identity not confirmed",
      { adminId: admin },
      now,
    );
    expect(review).toMatchObject({ status: "rejected", refundedSc: "200.00" });
    expect(await code(rejectRedemption(db, redemptionId, "again", { adminId: admin }, now))).toBe(
      "already_reviewed",
    );
    expect(await getBalances(db, player)).toMatchObject({ SC: 25_000, redeemableSC: 25_000 });
    // The player is told the delivery is off, and how much came back.
    const [told] = await db
      .select()
      .from(notifications)
      .where(
        and(
          eq(notifications.redemptionId, redemptionId),
          eq(notifications.kind, "delivery_cancelled"),
        ),
      );
    expect(told?.body).toBe(
      "Our team declined this redemption on review, so the prize will not be sent. 200.00 SC were put back in your wallet.",
    );
    const [item] = await db.select().from(catalogItems).where(eq(catalogItems.id, itemId));
    expect(item?.stock).toBe(2);
    const [after] = await db.select().from(giftCodes).where(eq(giftCodes.prizeId, prizeId));
    expect(after?.redemptionId).toBeNull();
    const entries = await db
      .select()
      .from(ledgerEntries)
      .where(eq(ledgerEntries.redemptionId, redemptionId))
      .orderBy(ledgerEntries.id);
    expect(entries.map((e) => e.kind)).toEqual(["redemption", "reversal"]);
    expect(await getPlayerRedemption(db, player, redemptionId)).toMatchObject({
      status: "rejected",
      code: null,
      rejection: { reason: "Identity not confirmed" },
    });
    const [refunds] = await db.execute<{ n: number }>(sql`
      select count(*)::int as n from wallet_transactions where idempotency_key = ${`refund:${redemptionId}`}`);
    expect(refunds?.n).toBe(1);
  });

  it("lets exactly one of concurrent approvals and rejections through", async () => {
    const { player, admin, redemptionId } = await setup("physical");
    const outcomes = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        code(
          i % 2 === 0
            ? approveRedemption(db, redemptionId, { adminId: admin }, now)
            : rejectRedemption(db, redemptionId, "race", { adminId: admin }, now),
        ),
      ),
    );
    expect(outcomes.filter((o) => o === "ok")).toHaveLength(1);
    expect(outcomes.filter((o) => o === "already_reviewed")).toHaveLength(5);
    const [row] = await db.select().from(redemptions).where(eq(redemptions.id, redemptionId));
    const balance = (await getBalances(db, player)).SC;
    // Approved: a physical prize waits for its address; rejected: the SC came back. Never both.
    if (row?.status === "rejected") expect(balance).toBe(25_000);
    else expect([row?.status, balance]).toEqual(["awaiting_action", 5_000]);
  });

  it("refuses ids that are no held catalog redemption", async () => {
    const [admin] = (await createPlayers(db, 1)) as [string];
    for (const id of ["x", crypto.randomUUID()]) {
      expect(await code(approveRedemption(db, id, { adminId: admin }, now))).toBe("not_found");
    }
    await expect(
      rejectRedemption(db, crypto.randomUUID(), " ", { adminId: admin }, now),
    ).rejects.toThrow(/Say why/);
  });
});
