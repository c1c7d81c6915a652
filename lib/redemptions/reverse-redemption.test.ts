import { and, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditEvents, dropUnits, ledgerEntries, redemptions } from "@/db/schema";
import { anchoringPass } from "@/lib/anchoring/run-anchoring";
import { claimDrop } from "@/lib/claims/claim-drop";
import { expireOverdueClaims } from "@/lib/claims/expire-claims";
import { importGiftCodes } from "@/lib/codes/import-codes";
import { getDrop } from "@/lib/drops/drops";
import { decodeLeaf } from "@/lib/ledger/leaf";
import { verifyReceipt } from "@/lib/ledger/receipt";
import { connectTestChain } from "@/test/chain";
import { connectTestDb, createPlayers, createTestDrop } from "@/test/db";
import { waitingOnLock } from "@/test/reset-race";
import { getPlayerRedemption, getReceipt } from "./redemptions";
import { reverseRedemption } from "./reverse-redemption";

const db = connectTestDb();
const chain = connectTestChain();

async function claimOne(kind: "crypto" | "gift_card" | "physical" = "crypto") {
  const drop = await createTestDrop(db, { units: 1, kind });
  const [playerId, nextPlayerId] = await createPlayers(db, 2);
  if (!playerId || !nextPlayerId) throw new Error("no players");
  const { redemption, code } = await claimDrop(db, { dropId: drop.dropId, playerId });
  const [admin] = await createPlayers(db, 1, { role: "admin" });
  return { ...drop, playerId, nextPlayerId, adminId: admin as string, redemption, code };
}

const terminalEntries = (redemptionId: string) =>
  db
    .select({ kind: ledgerEntries.kind })
    .from(ledgerEntries)
    .where(
      and(eq(ledgerEntries.redemptionId, redemptionId), sql`${ledgerEntries.kind} <> 'redemption'`),
    );

describe("reverseRedemption", () => {
  it("returns the unit to the drop, where the next claim gets it", async () => {
    const c = await claimOne();
    await expect(claimDrop(db, { dropId: c.dropId, playerId: c.nextPlayerId })).rejects.toThrow(
      expect.objectContaining({ code: "sold_out" }),
    );
    expect((await getDrop(db, c.dropId))?.remaining).toBe(0);

    const reversal = await reverseRedemption(db, {
      redemptionId: c.redemption.id,
      adminId: c.adminId,
      reason: "  Duplicate account  ",
    });
    expect(reversal).toMatchObject({
      reason: "Duplicate account",
      unitId: c.redemption.unitId,
      prize: "returned",
    });
    expect((await getDrop(db, c.dropId))?.remaining).toBe(1);

    const next = await claimDrop(db, { dropId: c.dropId, playerId: c.nextPlayerId });
    expect(next.redemption.unitId).toBe(c.redemption.unitId);

    // The player sees it reversed, with why and when.
    const view = await getPlayerRedemption(db, c.playerId, c.redemption.id);
    expect(view?.status).toBe("reversed");
    expect(view?.reversal).toEqual({
      reversedAt: reversal.reversedAt,
      reason: "Duplicate account",
      prize: "returned",
    });
    const [event] = await db
      .select()
      .from(auditEvents)
      .where(
        and(
          eq(auditEvents.action, "redemption_reverse"),
          eq(auditEvents.subject, `redemption:${c.redemption.id}`),
        ),
      );
    expect(event).toMatchObject({ actorId: c.adminId, outcome: "ok", reason: "Duplicate account" });
    expect(event?.data).toMatchObject({
      before: { status: "fulfilled" },
      after: { status: "reversed", reason: "Duplicate account", reversedBy: c.adminId },
    });
  });

  it("sees a token payout signed while it waited: the tokens went, the unit stays given", async () => {
    const c = await claimOne();
    await db.execute(sql`
      insert into token_payouts (redemption_id, player_id, amount, address, status)
      values (${c.redemption.id}, ${c.playerId}, 1, ${`0x${"ab".repeat(20)}`}, 'due')`);
    // The payout engine signs the payout's batch, holding the redemption shared (signNextBatch),
    // when the admin reverses.
    const { reversal } = await db.transaction(async (tx) => {
      await tx.execute(sql`select 1 from redemptions where id = ${c.redemption.id} for share`);
      await tx.execute(sql`
        update token_payouts set status = 'signed' where redemption_id = ${c.redemption.id}`);
      const reversing = reverseRedemption(db, {
        redemptionId: c.redemption.id,
        adminId: c.adminId,
        reason: "Fraud",
      });
      reversing.catch(() => {});
      while (!(await waitingOnLock(db))) await new Promise((resolve) => setImmediate(resolve));
      // Wrapped: the signing commits without waiting for the reversal, which waits for it.
      return { reversal: reversing };
    });
    expect((await reversal).prize).toBe("lost");
    const [unit] = await db.select().from(dropUnits).where(eq(dropUnits.id, c.redemption.unitId));
    expect(unit?.status).toBe("claimed");
    expect((await getDrop(db, c.dropId))?.remaining).toBe(0);
  });

  it("writes exactly one reversal leaf when the admin clicks twice", async () => {
    const c = await claimOne();
    const attempts = await Promise.allSettled(
      [1, 2, 3].map(() =>
        reverseRedemption(db, { redemptionId: c.redemption.id, adminId: c.adminId, reason: "x" }),
      ),
    );
    expect(attempts.filter((a) => a.status === "fulfilled")).toHaveLength(1);
    for (const a of attempts.filter((a) => a.status === "rejected")) {
      expect((a as PromiseRejectedResult).reason).toMatchObject({ code: "already_reversed" });
    }
    expect(await terminalEntries(c.redemption.id)).toEqual([{ kind: "reversal" }]);
    const [unit] = await db.select().from(dropUnits).where(eq(dropUnits.id, c.redemption.unitId));
    expect(unit?.status).toBe("available");
  });

  it("races an expiry of the same claim: one of them wins, the unit comes back once", async () => {
    for (let round = 0; round < 5; round++) {
      const c = await claimOne("physical");
      await db
        .update(redemptions)
        .set({ actionDeadline: new Date(Date.now() - 1000) })
        .where(eq(redemptions.id, c.redemption.id));
      const [reversed, expired] = await Promise.allSettled([
        reverseRedemption(db, { redemptionId: c.redemption.id, adminId: c.adminId, reason: "r" }),
        expireOverdueClaims(db),
      ]);
      const entries = await terminalEntries(c.redemption.id);
      expect(entries).toHaveLength(1);
      const [row] = await db.select().from(redemptions).where(eq(redemptions.id, c.redemption.id));
      if (reversed.status === "fulfilled") {
        expect(entries).toEqual([{ kind: "reversal" }]);
        expect(row?.status).toBe("reversed");
      } else {
        expect(reversed.reason).toMatchObject({ code: "already_expired" });
        expect(entries).toEqual([{ kind: "expiry" }]);
        expect(row?.status).toBe("expired");
      }
      expect(expired.status).toBe("fulfilled");
      expect((await getDrop(db, c.dropId))?.remaining).toBe(1);
    }
  });

  it("leaves a pool gift card's unit consumed: its code was shown at the claim", async () => {
    const c = await claimOne("gift_card");
    // A code to spare: the unit could come back, and must not (the card went out).
    await importGiftCodes(db, c.prizeId, "code\nFRESH-CODE-0001\n");
    const reversal = await reverseRedemption(db, {
      redemptionId: c.redemption.id,
      adminId: c.adminId,
      reason: "x",
    });
    expect(reversal.prize).toBe("lost");
    expect(await terminalEntries(c.redemption.id)).toEqual([{ kind: "reversal" }]);
    const [unit] = await db.select().from(dropUnits).where(eq(dropUnits.id, c.redemption.unitId));
    expect(unit?.status).toBe("claimed");
    expect((await getDrop(db, c.dropId))?.remaining).toBe(0);
    await expect(claimDrop(db, { dropId: c.dropId, playerId: c.nextPlayerId })).rejects.toThrow(
      expect.objectContaining({ code: "sold_out" }),
    );
    // The shown code stays burned, the spare one unused.
    const [codes] = await db.execute<{ used: number; unused: number }>(sql`
      select count(*) filter (where redemption_id is not null)::int as used,
             count(*) filter (where redemption_id is null)::int as unused
      from gift_codes where prize_id = ${c.prizeId}`);
    expect(codes).toEqual({ used: 1, unused: 1 });
    const view = await getPlayerRedemption(db, c.playerId, c.redemption.id);
    expect(view?.reversal?.prize).toBe("lost");
  });

  it("refuses a reason that is empty or too long, and an unknown redemption", async () => {
    const c = await claimOne();
    for (const reason of ["", "   ", "x".repeat(501)]) {
      await expect(
        reverseRedemption(db, { redemptionId: c.redemption.id, adminId: c.adminId, reason }),
      ).rejects.toThrow();
    }
    await expect(
      reverseRedemption(db, {
        redemptionId: "00000000-0000-4000-8000-000000000000",
        adminId: c.adminId,
        reason: "x",
      }),
    ).rejects.toMatchObject({ code: "not_found" });
    expect(await terminalEntries(c.redemption.id)).toEqual([]);
  });

  it("anchors the reversal leaf; its receipt and the original's both verify on chain", async () => {
    const c = await claimOne();
    const pendingReversal = await getReceipt(db, c.playerId, c.redemption.id, "reversal");
    expect(pendingReversal).toBeUndefined();
    await reverseRedemption(db, { redemptionId: c.redemption.id, adminId: c.adminId, reason: "x" });
    expect((await anchoringPass(db, chain, 1000)).status).toBe("anchored");

    const original = await getReceipt(db, c.playerId, c.redemption.id);
    const reversal = await getReceipt(db, c.playerId, c.redemption.id, "reversal");
    expect(original?.status).toBe("anchored");
    expect(reversal?.status).toBe("anchored");
    expect((await verifyReceipt(original, chain.provider, chain.trust)).ok).toBe(true);
    expect((await verifyReceipt(reversal, chain.provider, chain.trust)).ok).toBe(true);
    // The reversal leaf pairs with the redemption: same entry, prize, drop and player commitment.
    const a = decodeLeaf(Buffer.from((original?.leaf.data ?? "").slice(2), "hex"));
    const b = decodeLeaf(Buffer.from((reversal?.leaf.data ?? "").slice(2), "hex"));
    expect(b.kind).toBe("reversal");
    expect({ ...b, kind: a.kind, timeMs: a.timeMs }).toEqual(a);
  });
});
