import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { ledgerEntries, prizes, redemptions } from "@/db/schema";
import { importGiftCodes } from "@/lib/codes/import-codes";
import { decodeRedemptionLeaf, playerCommitment } from "@/lib/ledger/leaf";
import { fromHex } from "@/lib/ledger/merkle";
import { connectTestDb, createPlayers } from "@/test/db";
import { issuePrizeRedemptions } from "./issue-prize";

const db = connectTestDb(4);

async function prize(kind: "gift_card" | "crypto" | "physical"): Promise<string> {
  const [row] = await db
    .insert(prizes)
    .values({ name: `Prize ${kind}`, kind, valueCents: 2500, quantity: 10 })
    .returning({ id: prizes.id });
  if (!row) throw new Error("no prize");
  return row.id;
}

describe("prizes outside drops", () => {
  it("issues a redemption with a code, its leaf and a pending receipt, and no drop or unit", async () => {
    const [player] = await createPlayers(db, 1);
    if (!player) throw new Error("no player");
    const prizeId = await prize("crypto");
    const catalogItemId = crypto.randomUUID();
    const now = new Date("2026-12-05T12:00:00Z");
    const [issue] = await db.transaction((tx) =>
      issuePrizeRedemptions(
        tx,
        [{ playerId: player, prizeId, origin: { catalogItemId, priceSc: 5000 } }],
        now,
      ),
    );
    if (!issue?.ok) throw new Error("not issued");
    const r = issue.redemption;
    expect(r).toMatchObject({
      prizeId,
      catalogItemId,
      roundId: null,
      status: "fulfilled",
      valueCents: 2500,
    });
    expect(r.code).toMatch(/^[2-9A-Z]{4}(-[2-9A-Z]{4}){3}$/);
    const [row] = await db.select().from(redemptions).where(eq(redemptions.id, r.id));
    expect(row).toMatchObject({
      dropId: null,
      unitId: null,
      catalogItemId,
      priceSc: 5000,
      region: "US",
    });
    const [entry] = await db
      .select()
      .from(ledgerEntries)
      .where(eq(ledgerEntries.redemptionId, r.id));
    const leaf = decodeRedemptionLeaf(new Uint8Array(entry?.leafData ?? []));
    expect(leaf).toMatchObject({
      kind: "redemption",
      entryId: r.id,
      prizeId,
      dropId: null,
      valueCents: 2500,
    });
    expect(leaf.timeMs).toBe(now.getTime());
    expect(leaf.playerCommitment).toEqual(playerCommitment(player, fromHex(r.receipt.leaf.salt)));
  });

  it("gives gift cards from the pool until it is empty, then sold_out; physical prizes wait for an address", async () => {
    const players = await createPlayers(db, 3);
    const giftId = await prize("gift_card");
    await importGiftCodes(db, giftId, "code\nGIFT-ONLY-ONE\n");
    const physicalId = await prize("physical");
    const roundId = crypto.randomUUID();
    const fromRound = (id: string) => ({
      catalogItemId: crypto.randomUUID(),
      priceSc: 6000,
      roundId: id,
    });
    const issues = await db.transaction((tx) =>
      issuePrizeRedemptions(
        tx,
        [
          { playerId: players[0] as string, prizeId: giftId, origin: fromRound(roundId) },
          {
            playerId: players[1] as string,
            prizeId: giftId,
            origin: fromRound(crypto.randomUUID()),
          },
          {
            playerId: players[2] as string,
            prizeId: physicalId,
            origin: fromRound(crypto.randomUUID()),
            pendingApproval: false,
          },
        ],
        new Date(),
      ),
    );
    expect(issues[0]).toMatchObject({ ok: true, redemption: { code: "GIFT-ONLY-ONE", roundId } });
    expect(issues[1]).toEqual({ ok: false, reason: "sold_out" });
    expect(issues[2]).toMatchObject({ ok: true, redemption: { status: "awaiting_action" } });
  });

  it("holds a redemption for approval when asked", async () => {
    const [player] = await createPlayers(db, 1);
    const prizeId = await prize("crypto");
    const [issue] = await db.transaction((tx) =>
      issuePrizeRedemptions(
        tx,
        [
          {
            playerId: player as string,
            prizeId,
            origin: { catalogItemId: crypto.randomUUID(), priceSc: 90000 },
            pendingApproval: true,
          },
        ],
        new Date(),
      ),
    );
    expect(issue).toMatchObject({ ok: true, redemption: { status: "pending_approval" } });
  });
});
